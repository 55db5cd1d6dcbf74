//! The inbox: mention notifications (`GET /api/v1/notifications?types[]=mention`), read
//! forward from the cursor with `min_id` so that each call returns only what is newer.
//!
//! A mention with `visibility: direct` is a direct message, [`InboxKind::Message`] (answered
//! with a `direct` status, so it stays private); one whose status replies to one of the
//! account's statuses is a [`InboxKind::Comment`]; any other is a [`InboxKind::Mention`].
//!
//! Between reads, the user's notification stream (server-sent events on
//! `/api/v1/streaming/user/notification`, on the streaming host the instance announces) says
//! when a mention arrives, so the inbox is read at once instead of at the next poll.

use super::{MastodonConnector, api};
use crate::error::{ConnectorError, Result};
use crate::html;
use crate::model::{
    CommentStatus, Cursor, InboxItem, InboxKind, InboxPage, RemoteRef, bounded_raw,
};
use reqwest::Method;

/// Notifications per page (Mastodon's maximum).
const PAGE_SIZE: usize = 40;
/// Pages read per call; what is left is read on the next call, from the cursor.
const MAX_PAGES: usize = 5;

impl MastodonConnector {
    pub(super) async fn inbox(&self, since: Option<&Cursor>) -> Result<InboxPage> {
        let since = match since {
            Some(c) if api::is_valid_id(&c.0) => Some(c.0.clone()),
            Some(_) => {
                return Err(ConnectorError::invalid_input(
                    "not a Mastodon notification cursor",
                ));
            }
            None => None,
        };
        let me = self.my_id().await?;
        let limits = self.limits().await.ok();
        let domain = self.domain(limits.as_ref());
        let mut newest = since.clone();
        let mut items: Vec<(String, InboxItem)> = Vec::new();
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&["api", "v1", "notifications"])?;
            {
                let mut query = url.query_pairs_mut();
                query
                    .append_pair("types[]", "mention")
                    .append_pair("limit", &PAGE_SIZE.to_string());
                if let Some(newest) = &newest {
                    query.append_pair("min_id", newest);
                }
            }
            let page: Vec<serde_json::Value> = self
                .send(self.authed(Method::GET, url), true)
                .await?
                .json()?;
            let full = page.len() >= PAGE_SIZE;
            let mut advanced = false;
            for value in page.into_iter().take(PAGE_SIZE) {
                let notification = match serde_json::from_value::<api::Notification>(value.clone())
                {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(error = %e, "skipped an unreadable Mastodon notification");
                        continue;
                    }
                };
                // An instance ignoring `min_id` must not hand back what was already read.
                if since
                    .as_deref()
                    .is_some_and(|s| !api::id_newer(&notification.id, s))
                {
                    continue;
                }
                if newest
                    .as_deref()
                    .is_none_or(|n| api::id_newer(&notification.id, n))
                {
                    newest = Some(notification.id.clone());
                    advanced = true;
                }
                if let Some(item) = to_item(&notification, &me, &domain, &value) {
                    items.push((notification.id, item));
                }
            }
            // The first call reads only the latest page; later ones follow until caught up.
            if since.is_none() || !full || !advanced {
                break;
            }
        }
        items.sort_by(|(a, _), (b, _)| {
            if api::id_newer(a, b) {
                std::cmp::Ordering::Greater
            } else if api::id_newer(b, a) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Equal
            }
        });
        items.dedup_by(|(a, _), (b, _)| a == b);
        Ok(InboxPage {
            items: items.into_iter().map(|(_, item)| item).collect(),
            cursor: newest.map(Cursor),
        })
    }
}

/// Bytes of one line of the notification stream at most (a status with its account and
/// media); a longer one ends the stream.
const MAX_STREAM_LINE: usize = 1024 * 1024;

impl MastodonConnector {
    /// Follows the user's notification stream, calling `on_activity` for each mention.
    pub(super) async fn watch(
        &self,
        on_activity: &(dyn Fn() + Send + Sync),
        for_at_most: std::time::Duration,
    ) -> Result<()> {
        let limits = self.limits().await.ok();
        let base = limits
            .and_then(|l| l.streaming)
            .map(|s| {
                s.replacen("wss://", "https://", 1)
                    .replacen("ws://", "http://", 1)
            })
            .and_then(|s| self.http.base_url(&s).ok())
            .unwrap_or_else(|| self.instance.clone());
        let mut url = base;
        url.path_segments_mut()
            .map_err(|_| ConnectorError::invalid_input("not a valid streaming address"))?
            .pop_if_empty()
            .extend(["api", "v1", "streaming", "user", "notification"]);
        let mut event = String::new();
        self.http
            .stream_lines(
                self.authed(Method::GET, url),
                for_at_most,
                MAX_STREAM_LINE,
                |line| {
                    if let Some(name) = line.strip_prefix("event:") {
                        event = name.trim().to_owned();
                    } else if let Some(data) = line.strip_prefix("data:") {
                        if event == "notification" && is_mention(data) {
                            on_activity();
                        }
                    } else if line.is_empty() {
                        event.clear();
                    }
                    true
                },
            )
            .await
    }
}

/// Whether a notification event's data is a mention (what the inbox reads).
fn is_mention(data: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(data.trim())
        .is_ok_and(|n| n["type"].as_str() == Some("mention"))
}

fn to_item(
    notification: &api::Notification,
    me: &str,
    domain: &str,
    raw: &serde_json::Value,
) -> Option<InboxItem> {
    if notification.kind != "mention" {
        return None;
    }
    let status: api::Status = match serde_json::from_value(notification.status.clone()?) {
        Ok(status) => status,
        Err(e) => {
            tracing::warn!(error = %e, id = %notification.id, "skipped a mention with an unreadable status");
            return None;
        }
    };
    let account = status.account.as_ref()?;
    let kind = if status.visibility.as_deref() == Some("direct") {
        InboxKind::Message
    } else if status.in_reply_to_account_id.as_deref() == Some(me) {
        InboxKind::Comment
    } else {
        InboxKind::Mention
    };
    Some(InboxItem {
        remote_ref: RemoteRef(status.id.clone()),
        kind,
        in_reply_to: status.in_reply_to_id.clone().map(RemoteRef),
        root: None,
        author: account.author(domain),
        text: status.text(),
        html: Some(html::sanitize(&status.content)),
        url: status.web_url(),
        links: status.links(),
        images: status.images(),
        created_at: status.created_at_unix(),
        status: CommentStatus::Visible,
        raw: bounded_raw(raw),
    })
}
