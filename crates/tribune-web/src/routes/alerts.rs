//! Bad-buzz alerts in the browser: the banner of the inbox while a wave goes on, and each
//! alert's page with the messages that caused it and the button that pauses publishing.

use super::inbox::{ItemLine, channel_labels, line, member_names};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use tribune_domain::{InboxAlertId, WorkspaceId};
use tribune_store::buzz::Alert;

/// Messages an alert's page lists, newest first.
const LISTED: u64 = 200;

/// An alert in words, for the banner and the page.
pub struct AlertLine {
    pub id: InboxAlertId,
    pub open: bool,
    pub summary: String,
    pub started: String,
    /// "Since …" or "From … to …".
    pub period: String,
}

impl AlertLine {
    pub fn new(state: &AppState, chrome: &Chrome, alert: &Alert) -> AlertLine {
        let at = |t: i64| crate::dates::full(state.i18n(), chrome.tr.lang, &chrome.tz, t);
        AlertLine {
            id: alert.id,
            open: alert.resolved_at.is_none(),
            summary: chrome.tr.t2(
                "alert-summary",
                ("count", alert.peak),
                (
                    "usual",
                    tribune_mail::one_decimal(alert.baseline, chrome.tr.lang),
                ),
            ),
            started: at(alert.started_at),
            period: match alert.resolved_at {
                Some(end) => chrome.tr.t2(
                    "alert-was",
                    ("start", at(alert.started_at)),
                    ("end", at(end)),
                ),
                None => chrome.tr.t1("alert-since", "start", at(alert.started_at)),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "alert.html")]
pub struct AlertPage {
    c: Chrome,
    ws_id: WorkspaceId,
    alert: AlertLine,
    items: Vec<ItemLine>,
    can_pause: bool,
    paused: bool,
    history: Vec<AlertLine>,
}

/// `GET /w/{ws}/inbox/alerts/{alert}`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, InboxAlertId)>,
) -> Result<Response, AppError> {
    let store = state.store();
    let alert = store.buzz_alert(&member.scope, id).await?;
    let (chrome, _) = Chrome::for_member(&state, &member).await?;
    let channels = channel_labels(&state, &member).await?;
    let members = member_names(&state, &member).await?;
    let items = store
        .buzz_alert_items(&member.scope, &alert, chrome.now, LISTED)
        .await?
        .into_iter()
        .map(|i| line(&state, &chrome, i, &channels, &members, None))
        .collect();
    let (_, paused) = store.publishing_rules(&member.scope).await?;
    let history = store
        .buzz_alerts(&member.scope)
        .await?
        .iter()
        .map(|a| AlertLine::new(&state, &chrome, a))
        .collect();
    let page = AlertPage {
        alert: AlertLine::new(&state, &chrome, &alert),
        ws_id: member.scope.workspace(),
        items,
        can_pause: member.scope.role().can_publish(),
        paused,
        history,
        c: chrome,
    };
    Ok(render(&page))
}
