//! Bad-buzz alerts in the browser: the banner of the inbox while a wave goes on, each alert's
//! page with the messages that caused it and the button that pauses publishing, and the
//! settings page (what makes a wave here, the chat webhook, the past alerts).

use super::inbox::{ItemLine, channel_labels, line, member_names};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::buzz::Thresholds;
use tribune_domain::{InboxAlertId, Role, ValidationError, WorkspaceId};
use tribune_store::buzz::Alert;
use tribune_store::buzz_settings::BuzzSettings;
use tribune_store::{StoreError, unix_now};

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

/// A webhook address as typed, checked as tribune will call it (https, a public host unless the
/// instance allows local networks), and sealed with the instance's key; with its host to show.
pub(crate) fn sealed_webhook(
    state: &AppState,
    raw: &str,
) -> Result<(String, String), ValidationError> {
    let url = state
        .channels()
        .http()
        .checked_url(raw)
        .map_err(|_| ValidationError::single("webhook_url", "error-webhook-url"))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    Ok((state.secrets().seal(url.as_str()), host))
}

/// The thresholds' form as typed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ThresholdsForm {
    #[serde(default)]
    min_count: String,
    #[serde(default)]
    factor: String,
    /// "Back to tribune's defaults".
    #[serde(default)]
    reset: Option<String>,
}

impl ThresholdsForm {
    fn of(t: Thresholds) -> ThresholdsForm {
        ThresholdsForm {
            min_count: t.min_count.to_string(),
            factor: t.factor.to_string(),
            reset: None,
        }
    }

    /// The thresholds to keep (`None`: the defaults), or the fields in error. A decimal comma
    /// is read as a point.
    fn thresholds(&self) -> Result<Option<Thresholds>, ValidationError> {
        if self.reset.is_some() {
            return Ok(None);
        }
        let mut errors = ValidationError::default();
        let min_count = self.min_count.trim().parse::<i64>();
        let factor = self.factor.trim().replace(',', ".").parse::<f64>();
        if min_count.is_err() {
            errors.push("min_count", "error-buzz-min-count");
        }
        if factor.is_err() {
            errors.push("factor", "error-buzz-factor");
        }
        errors.into_result()?;
        Thresholds {
            min_count: min_count.unwrap_or_default(),
            factor: factor.unwrap_or_default(),
        }
        .checked()
        .map(Some)
    }
}

/// The webhook as shown.
pub struct WebhookLine {
    host: String,
    /// "Delivered on …", "Failed on …: …", or nothing yet.
    status: Option<String>,
    failed: bool,
}

#[derive(Template)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_edit: bool,
    open: Option<AlertLine>,
    form: ThresholdsForm,
    defaults: bool,
    webhook: Option<WebhookLine>,
    webhook_url: String,
    errors: Vec<(String, String)>,
    history: Vec<AlertLine>,
}

impl AlertsPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        crate::forms::error_for(&self.errors, field)
    }
}

/// What a failed delivery's code means, in the reader's language.
fn delivery_error(chrome: &Chrome, code: &str) -> String {
    let (class, status) = code.split_once(':').unwrap_or((code, ""));
    let key = format!("buzz-webhook-error-{}", class.replace('_', "-"));
    let mut text = chrome.tr.t(&key);
    if text == key {
        text = chrome.tr.t("buzz-webhook-error-other");
    }
    if !status.is_empty() {
        text.push_str(&chrome.tr.t1("buzz-webhook-status", "status", status));
    }
    text
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

async fn settings_page(
    state: &AppState,
    member: &Member,
    flash: Option<&str>,
    edited: Option<(ThresholdsForm, String)>,
    errors: Vec<(String, String)>,
) -> Result<AlertsPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    let store = state.store();
    let settings: BuzzSettings = store.buzz_settings(&member.scope).await?;
    let alerts = store.buzz_alerts(&member.scope).await?;
    let at = |t: i64| crate::dates::full(state.i18n(), chrome.tr.lang, &chrome.tz, t);
    let webhook = settings.webhook.as_ref().map(|w| WebhookLine {
        host: w.host.clone(),
        failed: w.delivery_error.is_some(),
        status: w.delivered_at.map(|t| match &w.delivery_error {
            None => chrome.tr.t1("buzz-webhook-delivered", "when", at(t)),
            Some(code) => chrome.tr.t2(
                "buzz-webhook-failed",
                ("when", at(t)),
                ("error", delivery_error(&chrome, code)),
            ),
        }),
    });
    let (form, webhook_url) =
        edited.unwrap_or_else(|| (ThresholdsForm::of(settings.thresholds), String::new()));
    Ok(AlertsPage {
        ws_id: member.scope.workspace(),
        can_edit: member.scope.role().can_edit_workspace(),
        open: alerts
            .iter()
            .find(|a| a.resolved_at.is_none())
            .map(|a| AlertLine::new(state, &chrome, a)),
        defaults: settings.thresholds == Thresholds::default(),
        form,
        webhook,
        webhook_url,
        errors,
        history: alerts
            .iter()
            .map(|a| AlertLine::new(state, &chrome, a))
            .collect(),
        c: chrome.with_flash(flash),
    })
}

/// `GET /w/{ws}/inbox/alerts`.
pub async fn settings(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let page = settings_page(&state, &member, query.flash.as_deref(), None, Vec::new()).await?;
    Ok(render(&page))
}

async fn refused(
    state: &AppState,
    member: &Member,
    edited: (ThresholdsForm, String),
    invalid: &ValidationError,
) -> Result<Response, AppError> {
    let errors = super::links::field_errors(state, member.ctx.lang, invalid);
    let page = settings_page(state, member, None, Some(edited), errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

fn back(member: &Member, flash: &str) -> Response {
    see_other(&format!(
        "/w/{}/inbox/alerts?flash={flash}",
        member.scope.workspace()
    ))
}

/// `POST /w/{ws}/inbox/alerts/thresholds`: what makes a wave here (or the defaults again).
pub async fn save_thresholds(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<ThresholdsForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let thresholds = match form.thresholds() {
        Ok(t) => t,
        Err(invalid) => return refused(&state, &member, (form, String::new()), &invalid).await,
    };
    match state
        .store()
        .set_buzz_thresholds(&member.scope, thresholds, unix_now())
        .await
    {
        Ok(_) => Ok(back(&member, "flash-buzz-saved")),
        Err(StoreError::Invalid(invalid)) => {
            refused(&state, &member, (form, String::new()), &invalid).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    webhook_url: String,
}

/// `POST /w/{ws}/inbox/alerts/webhook`: sets the chat webhook and sends it a test message.
pub async fn save_webhook(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<WebhookForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let store = state.store();
    let current = ThresholdsForm::of(store.buzz_settings(&member.scope).await?.thresholds);
    let sealed = match sealed_webhook(&state, &form.webhook_url) {
        Ok(sealed) => sealed,
        Err(invalid) => {
            return refused(&state, &member, (current, form.webhook_url), &invalid).await;
        }
    };
    let now = unix_now();
    store
        .set_buzz_webhook(&member.scope, Some(sealed), now)
        .await?;
    store.test_buzz_webhook(&member.scope, now).await?;
    Ok(back(&member, "flash-buzz-webhook-saved"))
}

/// `POST /w/{ws}/inbox/alerts/webhook/test`.
pub async fn test_webhook(
    State(state): State<AppState>,
    member: Member,
) -> Result<Response, AppError> {
    state
        .store()
        .test_buzz_webhook(&member.scope, unix_now())
        .await?;
    Ok(back(&member, "flash-buzz-webhook-test"))
}

/// `POST /w/{ws}/inbox/alerts/webhook/delete`.
pub async fn delete_webhook(
    State(state): State<AppState>,
    member: Member,
) -> Result<Response, AppError> {
    state
        .store()
        .set_buzz_webhook(&member.scope, None, unix_now())
        .await?;
    Ok(back(&member, "flash-buzz-webhook-removed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(min_count: &str, factor: &str) -> ThresholdsForm {
        ThresholdsForm {
            min_count: min_count.into(),
            factor: factor.into(),
            reset: None,
        }
    }

    #[test]
    fn the_thresholds_form_reads_french_decimals_and_refuses_by_field() {
        let t = form(" 6 ", "2,5").thresholds().unwrap().unwrap();
        assert_eq!((t.min_count, t.factor), (6, 2.5));
        assert_eq!(ThresholdsForm::of(t).thresholds().unwrap(), Some(t));
        for (bad, field) in [
            (form("six", "3"), "min_count"),
            (form("1", "3"), "min_count"),
            (form("10", "trois"), "factor"),
            (form("10", "1"), "factor"),
        ] {
            let invalid = bad.thresholds().unwrap_err();
            assert!(
                invalid.violations.iter().any(|v| v.field == field),
                "{bad:?}: {invalid:?}"
            );
        }
        let reset = ThresholdsForm {
            reset: Some("1".into()),
            ..form("x", "y")
        };
        assert_eq!(reset.thresholds().unwrap(), None);
    }
}
