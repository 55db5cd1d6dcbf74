//! What goes into and comes out of a connector, network-neutral.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A network tribune can connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Network {
    Bluesky,
    Mastodon,
    #[serde(rename = "wordpress")]
    WordPress,
    /// The counting sink of tests and benchmarks (feature `sink`); not in [`Network::ALL`].
    #[cfg(feature = "sink")]
    Sink,
}

impl Network {
    /// The networks a person can connect to (the UI's and the API's lists).
    pub const ALL: &'static [Network] = &[Network::Bluesky, Network::Mastodon, Network::WordPress];

    pub fn as_str(self) -> &'static str {
        match self {
            Network::Bluesky => "bluesky",
            Network::Mastodon => "mastodon",
            Network::WordPress => "wordpress",
            #[cfg(feature = "sink")]
            Network::Sink => "sink",
        }
    }

    /// The networks whose connector follows a push stream of inbox activity
    /// ([`crate::Connector::watch_inbox`]); the others are polled only.
    pub const WITH_INBOX_STREAM: &'static [Network] = &[Network::Mastodon];

    /// The brand name, which is the same in every language.
    pub fn display_name(self) -> &'static str {
        match self {
            Network::Bluesky => "Bluesky",
            Network::Mastodon => "Mastodon",
            Network::WordPress => "WordPress",
            #[cfg(feature = "sink")]
            Network::Sink => "Sink",
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown network")]
pub struct UnknownNetwork;

impl FromStr for Network {
    type Err = UnknownNetwork;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        #[cfg(feature = "sink")]
        if s == Network::Sink.as_str() {
            return Ok(Network::Sink);
        }
        Network::ALL
            .iter()
            .copied()
            .find(|n| n.as_str() == s)
            .ok_or(UnknownNetwork)
    }
}

/// A secret string: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A Bluesky session obtained from the app password; refreshed before it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlueskySession {
    pub did: String,
    pub handle: String,
    pub access_jwt: Secret,
    pub refresh_jwt: Secret,
    /// Unix seconds when the access token expires (read from the token itself).
    pub access_expires_at: i64,
}

/// How a channel authenticates. Stored sealed (encrypted) as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "network", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Credentials {
    Bluesky {
        /// The PDS (or entryway) URL, e.g. `https://bsky.social`.
        service: String,
        /// Handle or DID.
        identifier: String,
        app_password: Secret,
        #[serde(default)]
        session: Option<BlueskySession>,
    },
    Mastodon {
        /// The instance's base URL, e.g. `https://mastodon.social`.
        instance: String,
        access_token: Secret,
    },
    #[serde(rename = "wordpress")]
    WordPress {
        /// The site's base URL, e.g. `https://blog.example.org`.
        site: String,
        username: String,
        app_password: Secret,
    },
    /// The counting sink of tests and benchmarks (feature `sink`).
    #[cfg(feature = "sink")]
    Sink {
        /// The sink server's base URL, e.g. `http://127.0.0.1:4000`.
        url: String,
    },
}

impl Credentials {
    pub fn network(&self) -> Network {
        match self {
            Credentials::Bluesky { .. } => Network::Bluesky,
            Credentials::Mastodon { .. } => Network::Mastodon,
            Credentials::WordPress { .. } => Network::WordPress,
            #[cfg(feature = "sink")]
            Credentials::Sink { .. } => Network::Sink,
        }
    }
}

/// The connected account, as the network describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelProfile {
    /// The network's stable id for the account (a DID, an account id, the site URL + user id).
    /// Reconnecting the same account finds the same channel through it.
    pub remote_id: String,
    /// `@handle`, `user@instance` or the site's host.
    pub handle: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
}

/// What a server announces about the statuses it accepts (a Mastodon instance's
/// `configuration.statuses`), each figure only when it announced a sane one: the composer's
/// counters and the pre-flight check use them instead of the network's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusLimits {
    pub max_characters: Option<u32>,
    pub characters_reserved_per_url: Option<u32>,
    pub max_media_attachments: Option<u32>,
}

/// A network-side reference to a post or a comment, opaque outside its connector (for
/// Bluesky it carries the URI and CID a reply needs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RemoteRef(pub String);

/// Where the last fetch stopped, opaque outside its connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub String);

/// An image to attach; the connector checks it against the network's limits.
#[derive(Clone, PartialEq, Eq)]
pub struct ImageInput {
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime: String,
    /// Alt text for screen readers; empty is allowed but the composer warns.
    pub alt: String,
}

impl fmt::Debug for ImageInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageInput")
            .field("bytes", &self.bytes.len())
            .field("mime", &self.mime)
            .field("alt", &self.alt)
            .finish()
    }
}

/// A video to attach, sent as it was uploaded (tribune does not transcode); the connector
/// checks it against the network's limits. The bytes are held in memory, bounded by the media
/// library's video limit (200 MB by default).
#[derive(Clone, PartialEq, Eq)]
pub struct VideoInput {
    pub bytes: Vec<u8>,
    /// `video/mp4` or `video/quicktime` (what the media library takes).
    pub mime: String,
    /// A description for screen readers, where the network takes one; empty is allowed.
    pub alt: String,
    /// Picture size and duration as the container says (the media library read them), for
    /// networks that want an aspect ratio and for the limits checked before uploading.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<i64>,
}

impl fmt::Debug for VideoInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VideoInput")
            .field("bytes", &self.bytes.len())
            .field("mime", &self.mime)
            .field("alt", &self.alt)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("duration_ms", &self.duration_ms)
            .finish()
    }
}

/// A post (or a reply) to publish.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostRequest {
    /// tribune's own id for this publication. The same key always designates the same post, so a
    /// retry after a crash or a timeout cannot publish twice (Bluesky: record key; Mastodon:
    /// `Idempotency-Key`; WordPress: a marker looked up before creating).
    pub idempotency_key: String,
    /// When tribune created the post (Unix seconds). It does not change between retries, so
    /// with the key it can fix a network-side record key (Bluesky's TID).
    pub created_at: i64,
    /// A title, for networks that have one (WordPress); others ignore it.
    pub title: Option<String>,
    pub text: String,
    pub images: Vec<ImageInput>,
    /// Videos to attach (Bluesky and Mastodon take one, and not with images). A connector
    /// that cannot send one refuses the post (`Unsupported`) rather than publishing it without.
    pub videos: Vec<VideoInput>,
    /// A link to preview, where the network renders previews.
    pub link: Option<String>,
    /// Publish as a reply to this post or comment (a thread when it is the account's own post).
    pub reply_to: Option<RemoteRef>,
    /// Send it only to the people the text names (the answer to a direct message). A
    /// connector that cannot refuses it (`Unsupported`): a private answer is never published.
    pub private: bool,
    /// When an earlier attempt with this key began and did not finish (Unix seconds), if one
    /// did: for networks without idempotency keys, the time from which a connector looks for
    /// what that attempt may have sent.
    pub earlier_attempt_at: Option<i64>,
}

/// What the network made of a published post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPost {
    pub remote_ref: RemoteRef,
    /// The public web address, when the network gives one.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxKind {
    /// A comment on, or reply to, one of the account's posts.
    Comment,
    /// The account is mentioned elsewhere.
    Mention,
    /// A direct message to the account: private to it and the people it names. Answered
    /// privately ([`PostRequest::private`]).
    Message,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    Visible,
    Hidden,
    /// Waiting in a moderation queue.
    Held,
    Spam,
    Trashed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Author {
    /// The network's id for the author, if any (anonymous blog commenters have none).
    pub remote_id: Option<String>,
    pub handle: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
}

/// A comment, reply or mention, ready for the inbox. Text is plain (HTML stripped); `html` is
/// sanitised and safe to embed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxItem {
    pub remote_ref: RemoteRef,
    pub kind: InboxKind,
    /// The post or comment this answers, if any.
    pub in_reply_to: Option<RemoteRef>,
    /// The account's post at the root of the conversation, if known.
    pub root: Option<RemoteRef>,
    pub author: Author,
    pub text: String,
    pub html: Option<String>,
    pub url: Option<String>,
    /// Full http(s) addresses of the links in or beside the text, as the network gives them
    /// (link facets and external embeds, preview cards, the `href` behind shortened link
    /// text), for `url:` in listening and moderation rules
    /// (`tribune_text::Document::with_urls`). At most [`crate::html::MAX_LINKS`].
    pub links: Vec<String>,
    /// Pictures attached to the message, by their address on the network's servers (at most
    /// [`MAX_IMAGES`]). tribune never loads them unless a member asks, and then through itself.
    pub images: Vec<ItemImage>,
    /// Unix seconds.
    pub created_at: i64,
    pub status: CommentStatus,
    /// The network's payload, truncated to [`MAX_RAW_BYTES`].
    pub raw: String,
}

/// Pictures kept per inbox item at most.
pub const MAX_IMAGES: usize = 4;
/// Characters of a picture's description kept at most.
pub const MAX_ALT_CHARS: usize = 1_500;

/// A picture attached to a message: its http(s) address and its description (plain text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemImage {
    pub url: String,
    pub alt: String,
}

impl ItemImage {
    /// A picture at `url` (kept only if it is an absolute http(s) address of at most 2,048
    /// bytes), its description without control characters and bounded.
    pub fn new(url: &str, alt: &str) -> Option<ItemImage> {
        let url = url.trim();
        if url.len() > 2048 {
            return None;
        }
        let parsed = url::Url::parse(url).ok()?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return None;
        }
        Some(ItemImage {
            url: parsed.to_string(),
            alt: alt
                .chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .take(MAX_ALT_CHARS)
                .collect::<String>()
                .trim()
                .to_owned(),
        })
    }
}

/// The post a conversation starts from, as the network shows it now: what an inbox thread
/// answers when tribune did not publish it (a post made on the network's own app, someone
/// else's post the account was mentioned under). Text is plain (HTML stripped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemotePost {
    pub remote_ref: RemoteRef,
    pub author: Author,
    pub text: String,
    pub url: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Items newer than the cursor given, and the cursor for the next call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub cursor: Option<Cursor>,
}

/// A moderation action on a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    Hide,
    Unhide,
    Delete,
    Approve,
    Hold,
    Spam,
    Trash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Likes,
    Reposts,
    Replies,
    Quotes,
    Comments,
    Views,
    Followers,
    Following,
    Posts,
}

/// The figures a network exposes for a post or an account; absent means not exposed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Metrics(pub BTreeMap<Metric, u64>);

impl Metrics {
    pub fn set(&mut self, metric: Metric, value: Option<u64>) {
        if let Some(value) = value {
            self.0.insert(metric, value);
        }
    }

    pub fn get(&self, metric: Metric) -> Option<u64> {
        self.0.get(&metric).copied()
    }
}

/// The most of a network's raw payload kept beside a parsed item.
pub const MAX_RAW_BYTES: usize = 16 * 1024;

/// A network payload, serialised and cut at a character boundary to [`MAX_RAW_BYTES`].
pub fn bounded_raw(value: &serde_json::Value) -> String {
    let mut raw = value.to_string();
    if raw.len() > MAX_RAW_BYTES {
        let mut end = MAX_RAW_BYTES;
        while !raw.is_char_boundary(end) {
            end -= 1;
        }
        raw.truncate(end);
    }
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_debug_never_shows_secrets() {
        let creds = Credentials::WordPress {
            site: "https://blog.example".into(),
            username: "cm".into(),
            app_password: Secret("abcd efgh".into()),
        };
        let debug = format!("{creds:?}");
        assert!(!debug.contains("abcd"), "{debug}");
        let json = serde_json::to_string(&creds).unwrap();
        assert!(json.contains("\"network\":\"wordpress\""), "{json}");
        let back: Credentials = serde_json::from_str(&json).unwrap();
        assert_eq!(back, creds);
    }

    #[test]
    fn raw_payloads_are_bounded_on_a_char_boundary() {
        let big = serde_json::Value::String("é".repeat(MAX_RAW_BYTES));
        let raw = bounded_raw(&big);
        assert!(raw.len() <= MAX_RAW_BYTES);
    }

    #[test]
    fn networks_parse_from_their_names() {
        for n in Network::ALL {
            assert_eq!(n.as_str().parse::<Network>(), Ok(*n));
        }
        assert!("myspace".parse::<Network>().is_err());
    }
}
