//! Bad-buzz alerts through the API: the workspace's waves of negative messages, one with the
//! messages that caused it, and the settings (thresholds, chat webhook).

use super::extract::{ApiJson, ApiPath};
use super::inbox::ItemJson;
use super::posts::rfc3339;
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::routes::sealed_webhook;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tribune_domain::buzz::Thresholds;
use tribune_domain::{InboxAlertId, Role, WorkspaceId};
use tribune_store::buzz::Alert;
use tribune_store::buzz_settings::BuzzSettings;
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

/// The workspace's webhook as shown: never its address.
#[derive(Serialize)]
pub struct WebhookJson {
    host: String,
    /// The last delivery, and why it failed (`unreachable`, `refused:404`, …; `null` when it
    /// went through).
    delivered_at: Option<String>,
    delivery_error: Option<String>,
}

#[derive(Serialize)]
pub struct BuzzJson {
    /// A wave is at least `min_count` negative or toxic messages in an hour, and at least
    /// `factor` times their usual hourly number.
    min_count: i64,
    factor: f64,
    /// `null` without a webhook.
    webhook: Option<WebhookJson>,
}

impl From<BuzzSettings> for BuzzJson {
    fn from(s: BuzzSettings) -> BuzzJson {
        BuzzJson {
            min_count: s.thresholds.min_count,
            factor: s.thresholds.factor,
            webhook: s.webhook.map(|w| WebhookJson {
                host: w.host,
                delivered_at: w.delivered_at.map(rfc3339),
                delivery_error: w.delivery_error,
            }),
        }
    }
}

/// `PUT /buzz`: what is sent is changed, the rest stays.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuzzRequest {
    min_count: Option<i64>,
    factor: Option<f64>,
    /// A new address (a test message is sent to it), or `null` to remove the webhook.
    #[serde(default, deserialize_with = "present")]
    webhook_url: Option<Option<String>>,
}

/// Tells a field sent as `null` from a field left out.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `GET /buzz`.
pub async fn settings(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<BuzzJson>, AppError> {
    Ok(Json(
        state.store().buzz_settings(&member.scope).await?.into(),
    ))
}

/// `PUT /buzz`.
pub async fn set_settings(
    State(state): State<AppState>,
    member: Member,
    ApiJson(request): ApiJson<BuzzRequest>,
) -> Result<Json<BuzzJson>, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let store = state.store();
    let now = unix_now();
    let current = store.buzz_settings(&member.scope).await?;
    // Everything is checked before anything is written.
    let webhook = match &request.webhook_url {
        Some(Some(raw)) => Some(Some(sealed_webhook(&state, raw)?)),
        Some(None) => Some(None),
        None => None,
    };
    let mut settings = current.clone();
    if request.min_count.is_some() || request.factor.is_some() {
        let thresholds = Thresholds {
            min_count: request.min_count.unwrap_or(current.thresholds.min_count),
            factor: request.factor.unwrap_or(current.thresholds.factor),
        }
        .checked()?;
        settings = store
            .set_buzz_thresholds(&member.scope, Some(thresholds), now)
            .await?;
    }
    if let Some(webhook) = webhook {
        let set = webhook.is_some();
        settings = store.set_buzz_webhook(&member.scope, webhook, now).await?;
        if set {
            store.test_buzz_webhook(&member.scope, now).await?;
        }
    }
    Ok(Json(settings.into()))
}

/// `DELETE /buzz`: tribune's default thresholds, no webhook.
pub async fn reset_settings(
    State(state): State<AppState>,
    member: Member,
) -> Result<StatusCode, AppError> {
    let store = state.store();
    let now = unix_now();
    store.set_buzz_thresholds(&member.scope, None, now).await?;
    store.set_buzz_webhook(&member.scope, None, now).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /buzz/test`: a test message to the webhook (404 without one).
pub async fn test_webhook(
    State(state): State<AppState>,
    member: Member,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .test_buzz_webhook(&member.scope, unix_now())
        .await?;
    Ok(StatusCode::ACCEPTED)
}
