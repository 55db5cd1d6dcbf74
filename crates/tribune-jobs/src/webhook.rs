//! The bad-buzz webhook: when an alert opens (or a manager asks for a test), one POST of JSON to
//! the workspace's chat webhook. The body is Slack's and Mattermost's (`text`, one line in the
//! workspace's first language, with the alert's link) plus fields for any other receiver
//! (`event`, `workspace`, `alert`, `items`). The messages' own words go only in `items`, never in
//! `text`: a hostile message must not write markup or mentions (`@channel`) into the team's chat.
//!
//! The address is opened from its sealed form at delivery and checked again (https, no private
//! address unless the instance allows them); it is sent through the connectors' HTTP client, so
//! names resolving into the server's own network are refused too. Transient failures are
//! retried with backoff; each delivery's outcome is kept for the settings page, which is where a
//! refusal is shown (not the operator's list of failed jobs).

use crate::runner::{Handler, Outcome};
use async_trait::async_trait;
use serde_json::{Value, json};
use tribune_channels::ChannelService;
use tribune_connectors::{ConnectorError, ErrorKind};
use tribune_domain::inbox::ItemKind;
use tribune_domain::{InboxAlertId, Lang};
use tribune_store::buzz_settings::WEBHOOK_JOB;
use tribune_store::inbox::Item;
use tribune_store::jobs::Job;
use tribune_store::{StoreError, WorkspaceScope, unix_now};

/// Attempts before a delivery fails for good (about 30 minutes of backoff in all).
const ATTEMPTS: u32 = 6;
/// Messages of the wave put in the body, and the characters kept of each.
const ITEMS: u64 = 10;
const ITEM_CHARS: usize = 500;

pub struct BuzzWebhook {
    channels: ChannelService,
    /// tribune's public address, for the alert's link.
    public_url: Option<String>,
}

impl BuzzWebhook {
    pub fn new(channels: ChannelService, public_url: Option<String>) -> Self {
        BuzzWebhook {
            channels,
            public_url,
        }
    }

    /// The body for an alert, `None` when the alert is gone.
    async fn alert_body(
        &self,
        scope: &WorkspaceScope,
        lang: Lang,
        workspace: &str,
        id: InboxAlertId,
        now: i64,
    ) -> Result<Option<Value>, StoreError> {
        let store = self.channels.store();
        let alert = match store.buzz_alert(scope, id).await {
            Ok(alert) => alert,
            Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other),
        };
        let items = store.buzz_alert_items(scope, &alert, now, ITEMS).await?;
        let ws = scope.workspace().0;
        let link = self.public_url.as_deref().map(|base| {
            format!(
                "{}/w/{ws}/inbox/alerts/{}",
                base.trim_end_matches('/'),
                id.0
            )
        });
        Ok(Some(json!({
            "text": tribune_mail::chat_buzz_text(lang, workspace, alert.count, alert.baseline, link.as_deref()),
            "event": "buzz.alert",
            "workspace": { "id": ws, "name": workspace },
            "alert": {
                "id": id.0,
                "started_at": rfc3339(alert.started_at),
                "count": alert.count,
                "baseline": alert.baseline,
                "url": link,
            },
            // Direct messages are private: they stay out of a third party's chat.
            "items": items
                .iter()
                .filter(|i| i.kind != ItemKind::Message)
                .map(item_json)
                .collect::<Vec<_>>(),
        })))
    }
}

fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn item_json(item: &Item) -> Value {
    json!({
        "id": item.id.0,
        "channel_id": item.channel.0,
        "kind": item.kind.as_str(),
        "text": item.text.chars().take(ITEM_CHARS).collect::<String>(),
        "author": { "handle": item.author.handle, "name": item.author.name },
        "url": item.url,
        "received_at": rfc3339(item.received_at),
        "sentiment": item.tone.as_str(),
        "toxicity": item.toxicity,
    })
}

/// What the settings page shows of a failed delivery: the class of failure, and the status
/// when the receiver answered.
fn error_code(e: &ConnectorError) -> String {
    let class = match e.kind {
        ErrorKind::Transient => "unreachable",
        ErrorKind::RateLimited => "rate_limited",
        ErrorKind::Auth | ErrorKind::Permanent => "refused",
        ErrorKind::InvalidResponse => "invalid_response",
        ErrorKind::InvalidInput | ErrorKind::Unsupported => "address",
    };
    match e.status {
        Some(status) => format!("{class}:{status}"),
        None => class.to_owned(),
    }
}

#[async_trait]
impl Handler for BuzzWebhook {
    fn kind(&self) -> &'static str {
        WEBHOOK_JOB
    }

    fn max_attempts(&self) -> u32 {
        ATTEMPTS
    }

    async fn run(&self, job: &Job) -> Outcome {
        let Some(scope) = job.scope() else {
            return Outcome::Fail("a webhook job needs a workspace".into());
        };
        let now = unix_now();
        match self.deliver(scope, job, now).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Retry {
                at: now + 60,
                error: e.to_string(),
            },
        }
    }
}

impl BuzzWebhook {
    async fn deliver(
        &self,
        scope: &WorkspaceScope,
        job: &Job,
        now: i64,
    ) -> Result<Outcome, StoreError> {
        let store = self.channels.store();
        let Some(sealed) = store.buzz_webhook_sealed(scope).await? else {
            // Removed since: nothing to tell.
            return Ok(Outcome::Done);
        };
        let Ok(address) = self.channels.secrets().open(&sealed) else {
            store
                .record_buzz_delivery(scope, &sealed, Some("sealed"), now)
                .await?;
            return Ok(Outcome::Fail(
                "the webhook's address cannot be opened with this instance's key".into(),
            ));
        };
        let http = self.channels.http();
        let url = match http.checked_url(&address) {
            Ok(url) => url,
            Err(e) => {
                store
                    .record_buzz_delivery(scope, &sealed, Some(&error_code(&e)), now)
                    .await?;
                tracing::warn!(error = %e, "the bad-buzz webhook's address is refused");
                return Ok(Outcome::Done);
            }
        };
        let workspace = store.workspace(scope).await?;
        let lang = workspace.languages.first().copied().unwrap_or(Lang::Fr);
        let body = match job.payload["alert"].as_i64() {
            Some(id) => {
                match self
                    .alert_body(scope, lang, &workspace.name, InboxAlertId(id), now)
                    .await?
                {
                    Some(body) => body,
                    None => return Ok(Outcome::Done),
                }
            }
            None => json!({
                "text": tribune_mail::chat_test_text(lang, &workspace.name),
                "event": "buzz.test",
                "workspace": { "id": scope.workspace().0, "name": workspace.name },
            }),
        };
        // One attempt per run: the queue retries, with its own backoff, what failed.
        match http.post_json(url, &body).await {
            Ok(_) => {
                store
                    .record_buzz_delivery(scope, &sealed, None, now)
                    .await?;
                Ok(Outcome::Done)
            }
            Err(e) => {
                store
                    .record_buzz_delivery(scope, &sealed, Some(&error_code(&e)), now)
                    .await?;
                let retry = matches!(e.kind, ErrorKind::Transient | ErrorKind::RateLimited);
                if retry && job.attempts + 1 < ATTEMPTS {
                    let wait = e
                        .retry_after
                        .map(|d| d.as_secs() as i64)
                        .unwrap_or(60 << job.attempts.min(5));
                    Ok(Outcome::Retry {
                        at: now + wait.clamp(30, 3_600),
                        error: e.to_string(),
                    })
                } else {
                    // The settings page shows it; nothing for the operator to do.
                    tracing::warn!(
                        workspace = scope.workspace().0,
                        error = %e,
                        "the bad-buzz webhook did not take the message"
                    );
                    Ok(Outcome::Done)
                }
            }
        }
    }
}
