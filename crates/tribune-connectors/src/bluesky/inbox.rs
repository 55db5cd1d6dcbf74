//! Notifications (replies, mentions, quotes) turned into inbox items.
//!
//! `app.bsky.notification.listNotifications` pages newest first; its own `cursor` leads to
//! older pages. Our [`Cursor`] is the `indexedAt` of the newest notification seen: the next
//! fetch walks pages until it reaches that time, so it returns only what is newer.

use super::refs::RecordRef;
use super::richtext::{self, Facet, Feature};
use crate::model::{Author, CommentStatus, Cursor, InboxItem, InboxKind, bounded_raw};
use atrium_api::app::bsky::feed::post::ReplyRef;
use atrium_api::app::bsky::notification::list_notifications::Notification;
use atrium_api::app::bsky::richtext::facet::{self, MainFeaturesItem};
use atrium_api::types::Union;
use serde::Deserialize;

/// Notifications asked for per page.
pub(super) const PAGE_SIZE: &str = "50";
/// Pages read in one fetch at most; a channel that falls further behind catches up next time.
pub(super) const MAX_PAGES: usize = 10;

const MAX_TEXT_CHARS: usize = 10_000;
const MAX_NAME_CHARS: usize = 200;

/// One page, kept loose so that a single notification we cannot read does not lose the others.
#[derive(Debug, Deserialize)]
pub(super) struct Page {
    pub cursor: Option<String>,
    #[serde(default)]
    pub notifications: Vec<serde_json::Value>,
}

/// The fields of a post record the inbox shows.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostFields {
    #[serde(default)]
    text: String,
    created_at: Option<String>,
    #[serde(default)]
    facets: Vec<serde_json::Value>,
    reply: Option<serde_json::Value>,
}

/// A notification as parsed, with its time for the cursor.
pub(super) struct Parsed {
    pub indexed_at: jiff::Timestamp,
    pub indexed_at_raw: String,
    pub item: Option<InboxItem>,
}

/// Parses one notification; `None` if it cannot be read at all.
pub(super) fn parse(raw: &serde_json::Value) -> Option<Parsed> {
    let n: Notification = match serde_json::from_value(raw.clone()) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "skipping an unreadable Bluesky notification");
            return None;
        }
    };
    let indexed_at_raw = n.indexed_at.as_str().to_string();
    let indexed_at: jiff::Timestamp = indexed_at_raw.parse().ok()?;
    let kind = match n.reason.as_str() {
        "reply" => Some(InboxKind::Comment),
        "mention" | "quote" => Some(InboxKind::Mention),
        _ => None,
    };
    let item = kind.and_then(|kind| item(kind, &n, raw, indexed_at));
    Some(Parsed {
        indexed_at,
        indexed_at_raw,
        item,
    })
}

fn item(
    kind: InboxKind,
    n: &Notification,
    raw: &serde_json::Value,
    indexed_at: jiff::Timestamp,
) -> Option<InboxItem> {
    let record = RecordRef::parse_uri(&n.uri, Some(n.cid.as_ref().to_string().as_str())).ok()?;
    let post: PostFields = raw
        .get("record")
        .and_then(|r| serde_json::from_value(r.clone()).ok())
        .unwrap_or(PostFields {
            text: String::new(),
            created_at: None,
            facets: Vec::new(),
            reply: None,
        });
    let text = bounded(&post.text, MAX_TEXT_CHARS);
    let facets: Vec<Facet> = post.facets.iter().filter_map(facet).flatten().collect();
    let reply: Option<ReplyRef> = post
        .reply
        .and_then(|r| serde_json::from_value::<ReplyRef>(r).ok());
    let strong = |uri: &str, cid: String| {
        RecordRef::parse_uri(uri, Some(&cid))
            .ok()
            .map(|r| r.to_remote())
    };
    let (in_reply_to, root) = match &reply {
        Some(r) => (
            strong(&r.parent.uri, r.parent.cid.as_ref().to_string()),
            strong(&r.root.uri, r.root.cid.as_ref().to_string()),
        ),
        None => (None, None),
    };
    let created_at = post
        .created_at
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .unwrap_or(indexed_at)
        .as_second();
    let handle = n.author.handle.as_str().to_string();
    Some(InboxItem {
        remote_ref: record.to_remote(),
        kind,
        in_reply_to,
        root,
        author: Author {
            remote_id: Some(n.author.did.as_str().to_string()),
            display_name: n
                .author
                .display_name
                .as_deref()
                .map(|d| bounded(d, MAX_NAME_CHARS))
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| handle.clone()),
            avatar_url: n.author.avatar.as_deref().and_then(web_url),
            profile_url: Some(format!("https://bsky.app/profile/{handle}")),
            handle: format!("@{handle}"),
        },
        html: Some(richtext::to_html(&text, &facets)),
        text,
        url: Some(record.web_url(Some(&handle))),
        created_at,
        status: CommentStatus::Visible,
        raw: bounded_raw(raw),
    })
}

/// The features of one facet from the network; a facet we cannot read is dropped alone.
fn facet(raw: &serde_json::Value) -> Option<Vec<Facet>> {
    let f: facet::Main = serde_json::from_value(raw.clone()).ok()?;
    let (start, end) = (f.index.byte_start, f.index.byte_end);
    Some(
        f.features
            .iter()
            .filter_map(|feature| match feature {
                Union::Refs(MainFeaturesItem::Link(l)) => Some(Feature::Link(l.uri.clone())),
                Union::Refs(MainFeaturesItem::Mention(m)) => {
                    Some(Feature::Mention(m.did.as_str().to_string()))
                }
                Union::Refs(MainFeaturesItem::Tag(t)) => Some(Feature::Tag(t.tag.clone())),
                Union::Unknown(_) => None,
            })
            .map(|feature| Facet {
                start,
                end,
                feature,
            })
            .collect(),
    )
}

/// Text without control characters (line breaks kept), cut at `max` characters.
pub(super) fn bounded(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(max)
        .collect()
}

/// An http(s) address, or nothing.
pub(super) fn web_url(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// The cursor for a notification time.
pub(super) fn cursor(indexed_at_raw: &str) -> Cursor {
    Cursor(indexed_at_raw.to_string())
}

/// The time a cursor stands for, if it is one of ours.
pub(super) fn cursor_time(cursor: &Cursor) -> Option<jiff::Timestamp> {
    cursor.0.parse().ok()
}
