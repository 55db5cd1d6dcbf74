//! A post variant as the composer holds it for one network: what validation looks at. It carries
//! facts about media (size, type, duration) rather than the files, so validation needs no I/O.

use serde::{Deserialize, Serialize};

/// One post variant, ready to be checked against a network's rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    /// A title, for the networks that have one (WordPress, YouTube, Pinterest); others ignore it.
    pub title: Option<String>,
    /// The post's text: the caption, the description or the article body.
    pub text: String,
    pub media: Vec<MediaInfo>,
    /// The link the post promotes: a preview card, a Pin's destination, or appended to the text
    /// where the network only makes previews of links in the text (see [`crate::composed_text`]).
    pub link: Option<String>,
    /// A comment posted right after the post (a link "en premier commentaire", hashtags kept out
    /// of the caption), or a reply to itself where the network has no such comment.
    pub first_comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Video,
}

/// What validation needs to know about one attached image or video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    pub kind: MediaKind,
    /// The MIME type, e.g. `image/jpeg` (`image/jpg` is accepted as its alias).
    pub mime: String,
    pub bytes: u64,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    /// Videos only; unknown durations are not checked.
    #[serde(default)]
    pub duration_secs: Option<f64>,
    /// The alternative text; empty when missing.
    #[serde(default)]
    pub alt: String,
}

impl MediaInfo {
    /// The MIME type in lower case, aliases resolved, parameters dropped.
    pub(crate) fn normalized_mime(&self) -> String {
        let essence = self.mime.split(';').next().unwrap_or_default().trim();
        let lower = essence.to_ascii_lowercase();
        match lower.as_str() {
            "image/jpg" | "image/pjpeg" => "image/jpeg".to_owned(),
            "video/mov" => "video/quicktime".to_owned(),
            _ => lower,
        }
    }
}
