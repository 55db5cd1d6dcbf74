//! Bad-buzz alerts through the API: the workspace's waves of negative messages, and one with
//! the messages that caused it.

use super::extract::ApiPath;
use super::inbox::ItemJson;
use super::posts::rfc3339;
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tribune_domain::{InboxAlertId, WorkspaceId};
use tribune_store::buzz::Alert;
use tribune_store::unix_now;

#[derive(Serialize)]
pub struct AlertJson {
    id: InboxAlertId,
    started_at: String,
    /// `null` while the wave goes on.
    resolved_at: Option<String>,
    /// Negative or toxic messages in the hour before it started, the most in an hour since,
    /// and their usual hourly number (the week before).
    count: i64,
    peak: i64,
    baseline: f64,
}

impl From<Alert> for AlertJson {
    fn from(a: Alert) -> AlertJson {
        AlertJson {
            id: a.id,
            started_at: rfc3339(a.started_at),
            resolved_at: a.resolved_at.map(rfc3339),
            count: a.count,
            peak: a.peak,
            baseline: a.baseline,
        }
    }
}

#[derive(Serialize)]
pub struct AlertsJson {
    alerts: Vec<AlertJson>,
}

/// `GET /inbox/alerts`: newest first (at most 100).
pub async fn list(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<AlertsJson>, AppError> {
    let alerts = state.store().buzz_alerts(&member.scope).await?;
    Ok(Json(AlertsJson {
        alerts: alerts.into_iter().map(AlertJson::from).collect(),
    }))
}

#[derive(Serialize)]
pub struct AlertDetailJson {
    #[serde(flatten)]
    alert: AlertJson,
    /// The negative or toxic messages of the wave, newest first (at most 200).
    items: Vec<ItemJson>,
}

/// `GET /inbox/alerts/{alert}`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, InboxAlertId)>,
) -> Result<Json<AlertDetailJson>, AppError> {
    let store = state.store();
    let alert = store.buzz_alert(&member.scope, id).await?;
    let now = unix_now();
    let items = store
        .buzz_alert_items(&member.scope, &alert, now, 200)
        .await?;
    Ok(Json(AlertDetailJson {
        alert: alert.into(),
        items: items.into_iter().map(|i| ItemJson::new(i, now)).collect(),
    }))
}
