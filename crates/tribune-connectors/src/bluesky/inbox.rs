//! Notifications (replies, mentions, quotes) turned into inbox items.
//!
//! `app.bsky.notification.listNotifications` pages newest first; its own `cursor` leads to
//! older pages. Our [`Cursor`] is the `indexedAt` of the newest notification seen: the next
//! fetch walks pages until it reaches that time, so it returns only what is newer.

use super::refs::RecordRef;
use super::richtext::{self, Facet, Feature};
use crate::model::{
    Author, CommentStatus, Cursor, InboxItem, InboxKind, ItemImage, MAX_IMAGES, RemotePost,
    bounded_raw,
};
use atrium_api::app::bsky::feed::post::ReplyRef;
use atrium_api::app::bsky::notification::list_notifications::Notification;
use atrium_api::app::bsky::richtext::facet::{self, MainFeaturesItem};
use atrium_api::types::Union;
use serde::Deserialize;

/// Notifications asked for per page.
pub(super) const PAGE_SIZE: &str = "50";
/// Pages read in one fetch at most; a channel that falls further behind catches up next time.
pub(super) const MAX_PAGES: usize = 10;
/// Seconds before the stored cursor that a fetch reads again. Notifications are sorted by a
/// time that can be earlier than when the AppView indexed them (the post's own creation time),
/// so one indexed late can land behind a cursor already stored: read again, it is kept once by
/// the inbox's store (unique per channel and reference); not read again, it would be lost.
pub(super) const OVERLAP_SECS: i64 = 15 * 60;

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
    embed: Option<serde_json::Value>,
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
            embed: None,
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
        author: author(
            n.author.did.as_str(),
            &handle,
            n.author.display_name.as_deref(),
            n.author.avatar.as_deref(),
        ),
        html: Some(richtext::to_html(&text, &facets)),
        links: links(&facets, post.embed.as_ref()),
        images: images(n.author.did.as_str(), post.embed.as_ref()),
        text,
        url: Some(record.web_url(Some(&handle))),
        created_at,
        status: CommentStatus::Visible,
        raw: bounded_raw(raw),
    })
}

/// An author as the inbox shows them: `@handle`, their display name (the handle when blank),
/// their profile on bsky.app.
pub(super) fn author(
    did: &str,
    handle: &str,
    display_name: Option<&str>,
    avatar: Option<&str>,
) -> Author {
    Author {
        remote_id: Some(did.to_string()),
        display_name: display_name
            .map(|d| bounded(d, MAX_NAME_CHARS))
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| handle.to_string()),
        avatar_url: avatar.and_then(web_url),
        profile_url: Some(format!("https://bsky.app/profile/{handle}")),
        handle: format!("@{handle}"),
    }
}

/// A post view of `app.bsky.feed.getPosts` (the fields the original post needs).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostView {
    uri: String,
    cid: Option<String>,
    author: ViewAuthor,
    #[serde(default)]
    record: serde_json::Value,
    indexed_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ViewAuthor {
    did: String,
    handle: String,
    display_name: Option<String>,
    avatar: Option<String>,
}

/// A post view read as the start of a conversation, and the root of its own thread when it
/// is itself a reply (then that root is the original). `None` when the view is unreadable.
pub(super) fn original(view: &serde_json::Value) -> Option<(RemotePost, Option<String>)> {
    let view: PostView = serde_json::from_value(view.clone()).ok()?;
    let record = RecordRef::parse_uri(&view.uri, view.cid.as_deref()).ok()?;
    let handle = view.author.handle.trim();
    if handle.is_empty() || handle.chars().any(char::is_whitespace) {
        return None;
    }
    let post: Option<PostFields> = serde_json::from_value(view.record.clone()).ok();
    let root = post
        .as_ref()
        .and_then(|p| p.reply.as_ref())
        .and_then(|r| r.get("root"))
        .and_then(|r| r.get("uri"))
        .and_then(serde_json::Value::as_str)
        .filter(|uri| *uri != view.uri)
        .map(str::to_owned);
    let created_at = post
        .as_ref()
        .and_then(|p| p.created_at.as_deref())
        .or(view.indexed_at.as_deref())
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map_or(0, jiff::Timestamp::as_second);
    Some((
        RemotePost {
            remote_ref: record.to_remote(),
            author: author(
                &view.author.did,
                handle,
                view.author.display_name.as_deref(),
                view.author.avatar.as_deref(),
            ),
            text: post
                .map(|p| bounded(&p.text, MAX_TEXT_CHARS))
                .unwrap_or_default(),
            url: Some(record.web_url(Some(handle))),
            created_at,
        },
        root,
    ))
}

/// The features of one facet from the network; a facet we cannot read is dropped alone.
pub(super) fn facet(raw: &serde_json::Value) -> Option<Vec<Facet>> {
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

/// The links of a post: the full address of each link facet (the text may show it cut,
/// "example.com/art…", or not at all), then the external embed's (the link card), also
/// when it sits beside media (`recordWithMedia`).
pub(super) fn links(facets: &[Facet], embed: Option<&serde_json::Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let facet_links = facets.iter().filter_map(|f| match &f.feature {
        Feature::Link(uri) => Some(uri.as_str()),
        _ => None,
    });
    let embed_link = embed.and_then(
        |e| match e.get("$type").and_then(serde_json::Value::as_str) {
            Some("app.bsky.embed.external") => external(e),
            Some("app.bsky.embed.recordWithMedia") => e.get("media").and_then(external),
            _ => None,
        },
    );
    for uri in facet_links.chain(embed_link) {
        if let Some(url) = web_url(uri)
            && !out.contains(&url)
        {
            out.push(url);
            if out.len() == crate::html::MAX_LINKS {
                break;
            }
        }
    }
    out
}

/// The pictures of a post's `app.bsky.embed.images` (also beside a quoted post,
/// `recordWithMedia`), at the address Bluesky's image service gives them
/// (`cdn.bsky.app/img/feed_thumbnail/plain/{did}/{cid}@jpeg`, what its apps show): the record
/// holds only each blob's CID. A CID that is not plain base32 is dropped.
pub(super) fn images(did: &str, embed: Option<&serde_json::Value>) -> Vec<ItemImage> {
    let Some(embed) = embed else {
        return Vec::new();
    };
    let images = match embed.get("$type").and_then(serde_json::Value::as_str) {
        Some("app.bsky.embed.images") => embed.get("images"),
        Some("app.bsky.embed.recordWithMedia") => embed.get("media").and_then(|m| m.get("images")),
        _ => None,
    };
    // A DID as a path segment: `did:plc:…` or `did:web:host` (letters, digits, `:`, `.`, `-`).
    let safe_did = |s: &str| {
        s.starts_with("did:")
            && s.len() <= 128
            && !s.contains("..")
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '-'))
    };
    if !safe_did(did) {
        return Vec::new();
    }
    images
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|image| {
            let cid = image
                .get("image")
                .and_then(|i| i.get("ref"))
                .and_then(|r| r.get("$link"))
                .and_then(serde_json::Value::as_str)
                .filter(|c| {
                    !c.is_empty() && c.len() <= 128 && c.chars().all(|c| c.is_ascii_alphanumeric())
                })?;
            let alt = image
                .get("alt")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            ItemImage::new(
                &format!("https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/{cid}@jpeg"),
                alt,
            )
        })
        .take(MAX_IMAGES)
        .collect()
}

/// The address of an `app.bsky.embed.external` (a link card).
fn external(embed: &serde_json::Value) -> Option<&str> {
    embed
        .get("external")
        .and_then(|x| x.get("uri"))
        .and_then(serde_json::Value::as_str)
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

/// Where a fetch stopped: the newest notification's time and, once direct messages are
/// read, the chat log's position, as `{time}|{rev}` (a cursor from before direct messages is
/// the time alone; either part may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct InboxCursor {
    /// As the network wrote it, and as read.
    pub notifications: Option<(String, jiff::Timestamp)>,
    pub chat: Option<String>,
}

impl InboxCursor {
    /// The cursor, if it is one of ours.
    pub(super) fn parse(cursor: &Cursor) -> Option<InboxCursor> {
        let (time, chat) = match cursor.0.split_once('|') {
            Some((time, rev)) => (time, Some(rev)),
            None => (cursor.0.as_str(), None),
        };
        let notifications = match time {
            "" => None,
            t => Some((t.to_string(), t.parse().ok()?)),
        };
        let chat = match chat {
            None | Some("") => None,
            Some(rev) if super::chat::valid_id(rev) => Some(rev.to_string()),
            Some(_) => return None,
        };
        Some(InboxCursor {
            notifications,
            chat,
        })
    }

    pub(super) fn time(&self) -> Option<jiff::Timestamp> {
        self.notifications.as_ref().map(|(_, t)| *t)
    }

    /// The cursor to store, `None` while nothing was seen.
    pub(super) fn to_cursor(&self) -> Option<Cursor> {
        let time = self.notifications.as_ref().map(|(raw, _)| raw.as_str());
        match (time, &self.chat) {
            (None, None) => None,
            (Some(time), None) => Some(Cursor(time.to_string())),
            (time, Some(rev)) => Some(Cursor(format!("{}|{rev}", time.unwrap_or_default()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posts_pictures_are_its_image_blobs_on_the_image_service() {
        let embed = serde_json::json!({
            "$type": "app.bsky.embed.images",
            "images": [
                {"alt": "Une galette", "image": {"$type": "blob", "ref": {"$link": "bafkreiabc123"}, "mimeType": "image/jpeg", "size": 1000}},
                {"alt": "x", "image": {"ref": {"$link": "../../evil?x=1"}}},
                {"alt": "y"}
            ]
        });
        let found = images_of(&embed);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].url,
            "https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:abc/bafkreiabc123@jpeg"
        );
        assert_eq!(found[0].alt, "Une galette");
        let with_quote = serde_json::json!({
            "$type": "app.bsky.embed.recordWithMedia",
            "media": {"$type": "app.bsky.embed.images", "images": [{"alt": "", "image": {"ref": {"$link": "bafkreixyz"}}}]}
        });
        assert_eq!(images_of(&with_quote).len(), 1);
        assert!(
            images("did:plc:abc/../x", Some(&embed)).is_empty(),
            "a DID that is not one"
        );
        assert!(images("did:plc:abc", None).is_empty());
        assert_eq!(
            images("did:web:boulangerie-martin.fr", Some(&embed)).len(),
            1
        );
        assert!(images("did:web:..", Some(&embed)).is_empty());
    }

    fn images_of(embed: &serde_json::Value) -> Vec<ItemImage> {
        images("did:plc:abc", Some(embed))
    }

    #[test]
    fn an_original_post_is_read_from_its_view_and_names_its_root() {
        let view = serde_json::json!({
            "uri": "at://did:plc:abc/app.bsky.feed.post/3kroot",
            "cid": "bafyreib2rxk3rh6kzwq",
            "author": {"did": "did:plc:abc", "handle": "boulangerie.test", "displayName": " ",
                "avatar": "javascript:alert(1)"},
            "record": {"$type": "app.bsky.feed.post", "text": "Galette\u{0007} des rois <b>",
                "createdAt": "2026-11-25T03:08:33Z"},
            "indexedAt": "2026-11-25T03:09:00Z"
        });
        let (post, root) = original(&view).unwrap();
        assert_eq!(
            post.remote_ref.0,
            "at://did:plc:abc/app.bsky.feed.post/3kroot#bafyreib2rxk3rh6kzwq"
        );
        assert_eq!(
            post.text, "Galette des rois <b>",
            "plain text, control characters out"
        );
        assert_eq!(post.author.handle, "@boulangerie.test");
        assert_eq!(
            post.author.display_name, "boulangerie.test",
            "a blank name is the handle"
        );
        assert_eq!(post.author.avatar_url, None);
        assert_eq!(post.created_at, 1_795_576_113);
        assert_eq!(
            post.url.as_deref(),
            Some("https://bsky.app/profile/boulangerie.test/post/3kroot")
        );
        assert_eq!(root, None, "not a reply");

        // A reply names its thread's root; a view with a lying handle is not read.
        let mut reply = view.clone();
        reply["record"]["reply"] = serde_json::json!({
            "root": {"uri": "at://did:plc:xyz/app.bsky.feed.post/3kfirst", "cid": "bafy"},
            "parent": {"uri": "at://did:plc:xyz/app.bsky.feed.post/3kfirst", "cid": "bafy"}
        });
        let (_, root) = original(&reply).unwrap();
        assert_eq!(
            root.as_deref(),
            Some("at://did:plc:xyz/app.bsky.feed.post/3kfirst")
        );
        let mut lying = view;
        lying["author"]["handle"] = serde_json::json!("evil handle");
        assert!(original(&lying).is_none());
    }

    #[test]
    fn a_posts_links_are_its_link_facets_and_external_embed() {
        let facets = vec![
            Facet {
                start: 0,
                end: 10,
                feature: Feature::Link("https://www.acme.com/very/long/path".into()),
            },
            Facet {
                start: 11,
                end: 15,
                feature: Feature::Tag("fibre".into()),
            },
            Facet {
                start: 16,
                end: 20,
                feature: Feature::Link("javascript:alert(1)".into()),
            },
        ];
        let embed = serde_json::json!({
            "$type": "app.bsky.embed.external",
            "external": {"uri": "https://news.example/a", "title": "A", "description": ""}
        });
        assert_eq!(
            links(&facets, Some(&embed)),
            [
                "https://www.acme.com/very/long/path",
                "https://news.example/a"
            ]
        );
        let with_media = serde_json::json!({
            "$type": "app.bsky.embed.recordWithMedia",
            "record": {"record": {"uri": "at://did:plc:x/app.bsky.feed.post/1"}},
            "media": {"$type": "app.bsky.embed.external", "external": {"uri": "https://shop.example/p"}}
        });
        assert_eq!(links(&[], Some(&with_media)), ["https://shop.example/p"]);
        let images = serde_json::json!({"$type": "app.bsky.embed.images", "images": []});
        assert!(links(&[], Some(&images)).is_empty());
    }

    #[test]
    fn a_notification_carries_the_links_of_its_post() {
        let raw = serde_json::json!({
            "uri": "at://did:plc:abc/app.bsky.feed.post/3kabc",
            "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "author": {"did": "did:plc:abc", "handle": "alice.bsky.social"},
            "reason": "mention",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": "Regardez acme.com/promo… @brand",
                "createdAt": "2026-11-25T10:00:00.000Z",
                "facets": [{
                    "index": {"byteStart": 9, "byteEnd": 24},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.com/promo/2026?utm=x"}]
                }],
                "embed": {"$type": "app.bsky.embed.external", "external": {"uri": "https://acme.com/promo/2026?utm=x", "title": "", "description": ""}}
            },
            "isRead": false,
            "indexedAt": "2026-11-25T10:00:01.000Z"
        });
        let parsed = parse(&raw).unwrap();
        let item = parsed.item.unwrap();
        assert_eq!(item.links, ["https://acme.com/promo/2026?utm=x"]);
    }
}
