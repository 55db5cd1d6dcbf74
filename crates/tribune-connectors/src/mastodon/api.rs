//! The parts of Mastodon's JSON entities the connector reads (docs.joinmastodon.org/entities),
//! and their conversion into tribune's network-neutral model.
//!
//! Everything here comes from an instance we do not control: ids and names are bounded, URLs
//! kept only if they are http(s), HTML sanitised, and absent fields tolerated (other servers
//! speaking the Mastodon API — GoToSocial, Akkoma — leave some out).

use crate::html;
use crate::model::{Author, ChannelProfile, ItemImage, MAX_IMAGES, Metric, Metrics};
use serde::{Deserialize, Deserializer};

/// Longest id accepted from an instance or a caller. Mastodon's are ≤ 20 digits, GoToSocial's
/// 26-character ULIDs, Akkoma's flake ids 18 characters.
pub const MAX_ID_LEN: usize = 64;
/// Longest display name or handle kept; Mastodon allows 30 characters, plus shortcodes.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest URL kept from an instance.
const MAX_URL_LEN: usize = 2048;

/// `GET /api/v1/accounts/verify_credentials` (a CredentialAccount) or a status's author.
#[derive(Debug, Deserialize)]
pub struct Account {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub username: String,
    /// `user` for a local account, `user@host` for a remote one.
    #[serde(default)]
    pub acct: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub avatar: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub followers_count: Option<i64>,
    #[serde(default)]
    pub following_count: Option<i64>,
    #[serde(default)]
    pub statuses_count: Option<i64>,
}

/// A Status entity.
#[derive(Debug, Deserialize)]
pub struct Status {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "opt_id")]
    pub in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "opt_id")]
    pub in_reply_to_account_id: Option<String>,
    /// HTML.
    #[serde(default)]
    pub content: String,
    /// The content warning, plain text.
    #[serde(default)]
    pub spoiler_text: String,
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    pub account: Option<Account>,
    #[serde(default)]
    pub favourites_count: Option<i64>,
    #[serde(default)]
    pub reblogs_count: Option<i64>,
    #[serde(default)]
    pub replies_count: Option<i64>,
    /// Mastodon ≥ 4.5 (quote posts).
    #[serde(default)]
    pub quotes_count: Option<i64>,
    /// The preview card of the first link, if the instance made one.
    #[serde(default)]
    pub card: Option<PreviewCard>,
    #[serde(default, deserialize_with = "lenient_attachments")]
    pub media_attachments: Vec<MediaAttachment>,
}

/// A file attached to a status (the fields the inbox reads).
#[derive(Debug, Deserialize)]
pub struct MediaAttachment {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub preview_url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// Attachments where one the instance garbled is left out, not the status.
fn lenient_attachments<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MediaAttachment>, D::Error> {
    let raw: Option<Vec<serde_json::Value>> = Deserialize::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

/// A status's context: the statuses it answers, oldest first (those the instance shows).
#[derive(Debug, Deserialize)]
pub struct Context {
    #[serde(default, deserialize_with = "lenient_statuses")]
    pub ancestors: Vec<Status>,
}

/// A list of statuses where one the instance garbled is left out, not the whole list.
fn lenient_statuses<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Status>, D::Error> {
    let raw: Vec<serde_json::Value> = Deserialize::deserialize(d)?;
    Ok(raw
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

/// A PreviewCard: only its address matters here.
#[derive(Debug, Deserialize)]
pub struct PreviewCard {
    #[serde(default)]
    pub url: Option<String>,
}

/// A MediaAttachment: `url` stays null while the instance processes the file.
#[derive(Debug, Deserialize)]
pub struct Media {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// A Notification, minus its status (parsed separately so one odd status cannot hide the id
/// the cursor must move past).
#[derive(Debug, Deserialize)]
pub struct Notification {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub status: Option<serde_json::Value>,
}

/// `GET /api/v2/instance` and `GET /api/v1/instance`: only the limits and the account domain.
/// Every field is read on its own: one of the wrong type (a forked server's string where a
/// number belongs) is dropped without losing the others.
#[derive(Debug, Default, Deserialize)]
pub struct Instance {
    /// v2: the domain in handles (`LOCAL_DOMAIN`, which may differ from the API host).
    #[serde(default, deserialize_with = "lenient")]
    pub domain: Option<String>,
    /// v1: the same domain.
    #[serde(default, deserialize_with = "lenient")]
    pub uri: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub configuration: Option<Configuration>,
    /// Pleroma and Akkoma's v1 field.
    #[serde(default, deserialize_with = "lenient")]
    pub max_toot_chars: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Configuration {
    #[serde(default, deserialize_with = "lenient")]
    pub statuses: Option<StatusesConfig>,
    #[serde(default, deserialize_with = "lenient")]
    pub media_attachments: Option<MediaConfig>,
    #[serde(default, deserialize_with = "lenient")]
    pub urls: Option<UrlsConfig>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UrlsConfig {
    /// The streaming server's base (`wss://streaming.mastodon.social`), when it is not the
    /// API's host.
    #[serde(default, deserialize_with = "lenient")]
    pub streaming: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusesConfig {
    #[serde(default, deserialize_with = "lenient")]
    pub max_characters: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    pub max_media_attachments: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    pub characters_reserved_per_url: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MediaConfig {
    #[serde(default, deserialize_with = "lenient")]
    pub supported_mime_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    pub image_size_limit: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    pub video_size_limit: Option<i64>,
    /// Mastodon ≥ 4.4; 1,500 before.
    #[serde(default, deserialize_with = "lenient")]
    pub description_limit: Option<i64>,
}

/// A field of the instance description that is `None` when it is missing, `null` or not of
/// the expected type, instead of failing the whole description.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

/// Mastodon sends ids as strings; a few compatible servers send numbers. Either is accepted,
/// nothing longer than [`MAX_ID_LEN`] or holding anything but `[A-Za-z0-9_-]`.
fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(u64),
    }
    let s = match Raw::deserialize(d)? {
        Raw::S(s) => s,
        Raw::N(n) => n.to_string(),
    };
    if is_valid_id(&s) {
        Ok(s)
    } else {
        Err(serde::de::Error::custom(
            "an id that is empty, too long or not alphanumeric",
        ))
    }
}

fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "id")] String);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

/// An id safe to put in a URL path or a query.
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether id `a` is more recent than `b`. Mastodon ids are numbers in strings (compare by
/// length, then digits); ULIDs and flake ids sort as strings.
pub fn id_newer(a: &str, b: &str) -> bool {
    let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if numeric(a) && numeric(b) {
        let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        (a.len(), a) > (b.len(), b)
    } else {
        a > b
    }
}

/// Plain text kept as plain text (never parsed as HTML: the page escapes it), without control
/// characters, cut to [`MAX_NAME_CHARS`].
pub fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

/// An http(s) URL from the instance, or nothing (`javascript:` and friends are dropped).
pub fn safe_url(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    if s.is_empty() || s.len() > MAX_URL_LEN {
        return None;
    }
    let url = url::Url::parse(s).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// A count, if the instance gave a sensible one (hidden counts come as -1 on some servers).
fn count(v: Option<i64>) -> Option<u64> {
    v.and_then(|n| u64::try_from(n).ok())
}

impl Account {
    /// `user@domain`: remote accounts' `acct` has it, local ones need the instance's domain.
    pub fn handle(&self, domain: &str) -> String {
        let acct = if self.acct.is_empty() {
            &self.username
        } else {
            &self.acct
        };
        let handle = if acct.contains('@') || domain.is_empty() {
            acct.to_string()
        } else {
            format!("{acct}@{domain}")
        };
        plain(&handle)
    }

    pub fn display_name_or_handle(&self, domain: &str) -> String {
        let name = plain(&self.display_name);
        if name.is_empty() {
            self.handle(domain)
        } else {
            name
        }
    }

    /// The connected account. Account ids are only unique within an instance (every
    /// instance's first account is `1`), so the remote id carries the API host too.
    pub fn profile(&self, api_host: &str, domain: &str) -> ChannelProfile {
        ChannelProfile {
            remote_id: format!("{}@{api_host}", self.id),
            handle: self.handle(domain),
            display_name: self.display_name_or_handle(domain),
            avatar_url: safe_url(self.avatar.as_deref()),
            profile_url: safe_url(self.url.as_deref()),
        }
    }

    pub fn author(&self, domain: &str) -> Author {
        Author {
            remote_id: Some(self.id.clone()),
            handle: self.handle(domain),
            display_name: self.display_name_or_handle(domain),
            avatar_url: safe_url(self.avatar.as_deref()),
            profile_url: safe_url(self.url.as_deref()),
        }
    }

    pub fn metrics(&self) -> Metrics {
        let mut m = Metrics::default();
        m.set(Metric::Followers, count(self.followers_count));
        m.set(Metric::Following, count(self.following_count));
        m.set(Metric::Posts, count(self.statuses_count));
        m
    }
}

impl Status {
    pub fn metrics(&self) -> Metrics {
        let mut m = Metrics::default();
        m.set(Metric::Likes, count(self.favourites_count));
        m.set(Metric::Reposts, count(self.reblogs_count));
        m.set(Metric::Replies, count(self.replies_count));
        m.set(Metric::Quotes, count(self.quotes_count));
        m
    }

    /// The public page of the status (`url`), else its ActivityPub id (`uri`).
    pub fn web_url(&self) -> Option<String> {
        safe_url(self.url.as_deref()).or_else(|| safe_url(self.uri.as_deref()))
    }

    /// The links of the status: the `href`s in its HTML (not its mentions and hashtags,
    /// which link to profile and tag pages), then its preview card's address.
    pub fn links(&self) -> Vec<String> {
        let mut links = html::links(&self.content);
        if let Some(card) = safe_url(self.card.as_ref().and_then(|c| c.url.as_deref()))
            && !links.contains(&card)
            && links.len() < html::MAX_LINKS
        {
            links.push(card);
        }
        links
    }

    /// The pictures attached (`image` attachments; videos, GIFs and audio are not pictures):
    /// the preview, else the file, with the description.
    pub fn images(&self) -> Vec<ItemImage> {
        self.media_attachments
            .iter()
            .filter(|m| m.kind == "image")
            .filter_map(|m| {
                let url = m.preview_url.as_deref().or(m.url.as_deref())?;
                ItemImage::new(url, m.description.as_deref().unwrap_or_default())
            })
            .take(MAX_IMAGES)
            .collect()
    }

    /// Plain text, the content warning first as `[CW: …]` so it is never lost.
    pub fn text(&self) -> String {
        let body = html::to_text(&self.content);
        let warning = plain(&self.spoiler_text);
        if warning.is_empty() {
            body
        } else {
            format!("[CW: {warning}]\n{body}")
        }
    }

    pub fn created_at_unix(&self) -> i64 {
        self.created_at
            .as_deref()
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .map_or_else(crate::http::now, |t| t.as_second())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statuss_pictures_are_its_image_attachments_at_http_addresses() {
        let status: Status = serde_json::from_value(serde_json::json!({
            "id": "1",
            "media_attachments": [
                {"type": "image", "url": "https://files.example/a.png",
                 "preview_url": "https://files.example/small/a.png", "description": "Une galette\u{0007}"},
                {"type": "image", "url": "javascript:alert(1)", "preview_url": null},
                {"type": "video", "url": "https://files.example/v.mp4"},
                {"type": "image", "url": "data:image/png;base64,AAAA"},
                "garbage",
                {"type": "image", "url": "https://files.example/b.jpg", "description": null},
                {"type": "image", "url": "https://files.example/c.jpg"},
                {"type": "image", "url": "https://files.example/d.jpg"},
                {"type": "image", "url": "https://files.example/e.jpg"}
            ]
        }))
        .unwrap();
        let images = status.images();
        let urls: Vec<&str> = images.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://files.example/small/a.png",
                "https://files.example/b.jpg",
                "https://files.example/c.jpg",
                "https://files.example/d.jpg"
            ]
        );
        assert_eq!(images[0].alt, "Une galette");
        assert_eq!(images[1].alt, "");
        let none: Status =
            serde_json::from_value(serde_json::json!({"id": "2", "media_attachments": null}))
                .unwrap();
        assert!(none.images().is_empty());
    }

    #[test]
    fn a_context_keeps_the_ancestors_it_can_read_oldest_first() {
        let context: Context = serde_json::from_value(serde_json::json!({
            "ancestors": [
                {"id": "1", "content": "<p>root</p>"},
                {"id": {"not": "an id"}},
                {"id": "2", "content": "<p>answer</p>", "in_reply_to_id": "1"}
            ],
            "descendants": []
        }))
        .unwrap();
        let ids: Vec<&str> = context.ancestors.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["1", "2"]);
        let none: Context = serde_json::from_value(serde_json::json!({})).unwrap();
        assert!(none.ancestors.is_empty());
    }

    #[test]
    fn a_statuses_links_are_its_hrefs_and_card_not_its_mentions_and_tags() {
        let status: Status = serde_json::from_value(serde_json::json!({
            "id": "1",
            "content": "<p><span class=\"h-card\"><a href=\"https://mastodon.social/@acme\" class=\"u-url mention\">@<span>acme</span></a></span> voir <a href=\"https://www.acme.com/offre/tres-longue-adresse\" target=\"_blank\" rel=\"nofollow noopener\"><span class=\"invisible\">https://www.</span><span class=\"ellipsis\">acme.com/offre/tres-lon</span></a> <a href=\"https://mastodon.social/tags/fibre\" class=\"mention hashtag\" rel=\"tag\">#<span>fibre</span></a></p>",
            "card": {"url": "https://news.example/article", "title": "An article"}
        }))
        .unwrap();
        assert_eq!(
            status.links(),
            [
                "https://www.acme.com/offre/tres-longue-adresse",
                "https://news.example/article",
            ]
        );
        let no_card: Status = serde_json::from_value(
            serde_json::json!({"id": "2", "content": "<p>rien</p>", "card": null}),
        )
        .unwrap();
        assert!(no_card.links().is_empty());
    }

    #[test]
    fn ids_compare_as_numbers_then_as_strings() {
        assert!(id_newer("110000000000000010", "99999999999999999"));
        assert!(!id_newer("5", "5"));
        assert!(id_newer("01HQ2", "01HQ1"));
    }

    #[test]
    fn odd_ids_are_refused() {
        for bad in ["", "../../admin", "1 2", &"9".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad}");
        }
        let n: Notification = serde_json::from_str(r#"{"id": 42, "type": "mention"}"#).unwrap();
        assert_eq!(n.id, "42");
        assert!(serde_json::from_str::<Notification>(r#"{"id": "a/b"}"#).is_err());
    }

    #[test]
    fn only_web_urls_are_kept() {
        assert_eq!(safe_url(Some("javascript:alert(1)")), None);
        assert_eq!(safe_url(Some("data:text/html,x")), None);
        assert_eq!(
            safe_url(Some("https://m.example/@a")).as_deref(),
            Some("https://m.example/@a")
        );
    }

    #[test]
    fn local_handles_get_the_instance_domain() {
        let a: Account =
            serde_json::from_str(r#"{"id":"1","username":"cm","acct":"cm","display_name":""}"#)
                .unwrap();
        assert_eq!(a.handle("example.org"), "cm@example.org");
        assert_eq!(a.display_name_or_handle("example.org"), "cm@example.org");
        let remote: Account =
            serde_json::from_str(r#"{"id":"2","username":"x","acct":"x@far.example"}"#).unwrap();
        assert_eq!(remote.handle("example.org"), "x@far.example");
    }
}
