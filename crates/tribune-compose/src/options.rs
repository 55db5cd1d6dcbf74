//! What the composer knows about a channel beyond its network: a Mastodon instance sets its own
//! limits, a TikTok creator has their own maximum video length. The web and the publisher read
//! these from the network's API and pass them in, so this crate stays free of I/O.

use serde::{Deserialize, Serialize};

/// Per-channel facts that change a network's rules. `Options::default()` gives every network's
/// standard rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// The Mastodon instance's `configuration` (from `GET /api/v2/instance`).
    pub mastodon: MastodonInstance,
    /// `max_video_post_duration_sec` from TikTok's `creator_info/query`, which varies by creator.
    pub tiktok_max_video_secs: Option<u32>,
}

/// The limits a Mastodon instance announces in `GET /api/v2/instance` → `configuration`. Each is
/// optional: an instance that does not announce one gets Mastodon's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MastodonInstance {
    /// `configuration.statuses.max_characters` (default 500; glitch-soc and others raise it).
    pub max_characters: Option<u32>,
    /// `configuration.statuses.characters_reserved_per_url` (default 23).
    pub characters_reserved_per_url: Option<u32>,
    /// `configuration.statuses.max_media_attachments` (default 4).
    pub max_media_attachments: Option<u32>,
    /// `configuration.media_attachments.image_size_limit` in bytes (default 16 MiB).
    pub image_size_limit: Option<u64>,
    /// `configuration.media_attachments.video_size_limit` in bytes (default 99 MiB).
    pub video_size_limit: Option<u64>,
    /// `configuration.media_attachments.description_limit` (Mastodon 4.4+; default 1,500).
    pub description_limit: Option<u32>,
}
