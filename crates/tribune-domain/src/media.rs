//! Rules of the media library that hold whatever stores the files.

use serde::{Deserialize, Serialize};

/// Image or video: what the networks' rules and the publisher tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
        }
    }

    pub fn parse(s: &str) -> Option<MediaKind> {
        match s {
            "image" => Some(MediaKind::Image),
            "video" => Some(MediaKind::Video),
            _ => None,
        }
    }
}

/// Longest alternative text kept: Bluesky's (the most generous network tribune knows); the
/// composer warns per network where the limit is lower (Mastodon 1,500).
pub const MAX_ALT_CHARS: usize = 2_000;

/// The most media one post may carry: the most any network takes in one post (LinkedIn's
/// multi-image posts and Threads carousels, 20; see `tribune-compose`'s rules).
pub const MAX_MEDIA_PER_POST: usize = 20;
