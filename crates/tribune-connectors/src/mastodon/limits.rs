//! What an instance accepts in a status, read from `/api/v2/instance` (or `/api/v1/instance`),
//! so that a post too long for this instance is refused before anything is uploaded.

use super::api::Instance;
use crate::error::{ConnectorError, Result};
use crate::model::{ImageInput, StatusLimits, VideoInput};
use std::ops::RangeInclusive;

/// One instance's limits. Each admin sets their own (500 characters is only Mastodon's
/// default; many instances allow thousands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceLimits {
    /// The domain in local handles (`LOCAL_DOMAIN`), when the instance says.
    pub domain: Option<String>,
    pub max_characters: usize,
    pub max_media_attachments: usize,
    /// What a link counts for, whatever its length.
    pub characters_reserved_per_url: usize,
    pub image_size_limit: u64,
    /// The longest alt text.
    pub description_limit: usize,
    /// The image types the instance lists; empty when it lists none.
    pub image_types: Vec<String>,
    pub video_size_limit: u64,
    /// The video types the instance lists; empty when it lists none.
    pub video_types: Vec<String>,
    /// The streaming server's base as announced (`wss://…`), if any.
    pub streaming: Option<String>,
    /// The status figures the instance announced itself (sane ones only), as stored with the
    /// channel: the fields above fall back to Mastodon's defaults, these stay `None`.
    pub announced: StatusLimits,
}

impl Default for InstanceLimits {
    /// Mastodon's own defaults, used when an instance does not publish its configuration.
    fn default() -> Self {
        InstanceLimits {
            domain: None,
            max_characters: 500,
            max_media_attachments: 4,
            characters_reserved_per_url: 23,
            image_size_limit: 16 * 1024 * 1024,
            description_limit: 1_500,
            image_types: Vec::new(),
            // Mastodon 4's `99.megabytes`.
            video_size_limit: 99 * 1024 * 1024,
            video_types: Vec::new(),
            streaming: None,
            announced: StatusLimits::default(),
        }
    }
}

/// The characters a status may have: instances raise Mastodon's 500 to a few thousands, some
/// to tens of thousands; beyond this it is a mistake or a lie, and the default is safer.
pub const MAX_CHARACTERS: RangeInclusive<i64> = 1..=100_000;
const RESERVED_PER_URL: RangeInclusive<i64> = 1..=1_000;
const MAX_MEDIA_ATTACHMENTS: RangeInclusive<i64> = 1..=100;

/// `value` when the instance gave one within `range`; anything else is ignored.
fn sane(value: Option<i64>, range: &RangeInclusive<i64>) -> Option<u32> {
    value
        .filter(|n| range.contains(n))
        .and_then(|n| u32::try_from(n).ok())
}

/// The image types tribune sends when the instance lists none.
const USUAL_IMAGE_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/gif"];
/// The video types tribune sends when the instance lists none: what Mastodon, Pleroma,
/// Akkoma and GoToSocial all take.
const USUAL_VIDEO_TYPES: &[&str] = &["video/mp4", "video/quicktime"];

/// The types of `kind` (`image/`, `video/`) an instance lists, bounded.
fn listed_types(media: Option<&super::api::MediaConfig>, kind: &str) -> Vec<String> {
    media
        .and_then(|m| m.supported_mime_types.as_ref())
        .map(|types| {
            types
                .iter()
                .filter(|t| t.starts_with(kind) && t.len() <= 64)
                .take(50)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

impl InstanceLimits {
    /// Reads an instance description, clamping hostile or absurd values to sane ranges.
    pub fn from_instance(instance: &Instance) -> Self {
        let d = InstanceLimits::default();
        let config = instance.configuration.as_ref();
        let statuses = config.and_then(|c| c.statuses.as_ref());
        let media = config.and_then(|c| c.media_attachments.as_ref());
        let within = |v: Option<i64>, default: usize, max: i64| {
            sane(v, &(1..=max)).map_or(default, |n| usize::try_from(n).unwrap_or(default))
        };
        let domain = instance
            .domain
            .as_deref()
            .or(instance.uri.as_deref())
            .map(|d| d.trim_start_matches("https://").trim_end_matches('/'))
            .filter(|d| {
                !d.is_empty()
                    && d.len() <= 253
                    && d.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.:".contains(&b))
            })
            .map(str::to_ascii_lowercase);
        let announced = StatusLimits {
            // Pleroma and Akkoma put it at the top of their v1 description.
            max_characters: sane(statuses.and_then(|s| s.max_characters), &MAX_CHARACTERS)
                .or_else(|| sane(instance.max_toot_chars, &MAX_CHARACTERS)),
            characters_reserved_per_url: sane(
                statuses.and_then(|s| s.characters_reserved_per_url),
                &RESERVED_PER_URL,
            ),
            max_media_attachments: sane(
                statuses.and_then(|s| s.max_media_attachments),
                &MAX_MEDIA_ATTACHMENTS,
            ),
        };
        let or_default = |v: Option<u32>, default: usize| {
            v.map_or(default, |n| usize::try_from(n).unwrap_or(default))
        };
        InstanceLimits {
            domain,
            streaming: config
                .and_then(|c| c.urls.as_ref())
                .and_then(|u| u.streaming.clone())
                .filter(|s| s.len() <= 2048),
            max_characters: or_default(announced.max_characters, d.max_characters),
            max_media_attachments: or_default(
                announced.max_media_attachments,
                d.max_media_attachments,
            ),
            characters_reserved_per_url: or_default(
                announced.characters_reserved_per_url,
                d.characters_reserved_per_url,
            ),
            image_size_limit: within(
                media.and_then(|m| m.image_size_limit),
                d.image_size_limit as usize,
                1 << 30,
            ) as u64,
            description_limit: within(
                media.and_then(|m| m.description_limit),
                d.description_limit,
                100_000,
            ),
            image_types: listed_types(media, "image/"),
            video_size_limit: within(
                media.and_then(|m| m.video_size_limit),
                d.video_size_limit as usize,
                // Some instances allow several hundred megabytes; tribune's own limit is lower.
                1 << 32,
            ) as u64,
            video_types: listed_types(media, "video/"),
            announced,
        }
    }

    /// One video at most, alone (Mastodon refuses a video beside images), of a type the
    /// instance lists and within its video size limit, its description within the limit.
    fn check_videos(&self, videos: &[VideoInput], with_images: bool) -> Result<()> {
        if videos.len() > 1 || (with_images && !videos.is_empty()) {
            return Err(ConnectorError::invalid_input(
                "a Mastodon post takes one video, without images",
            ));
        }
        for video in videos {
            let accepted = if self.video_types.is_empty() {
                USUAL_VIDEO_TYPES.contains(&video.mime.as_str())
            } else {
                self.video_types.contains(&video.mime)
            };
            if !accepted {
                return Err(ConnectorError::invalid_input(format!(
                    "this instance does not take {} videos",
                    video.mime
                )));
            }
            if video.bytes.is_empty() || video.bytes.len() as u64 > self.video_size_limit {
                return Err(ConnectorError::invalid_input(format!(
                    "the video is {} KiB; this instance takes videos up to {} KiB",
                    video.bytes.len() / 1024,
                    self.video_size_limit / 1024
                )));
            }
            let alt = video.alt.chars().count();
            if alt > self.description_limit {
                return Err(ConnectorError::invalid_input(format!(
                    "the video's description is {alt} characters long; this instance allows {}",
                    self.description_limit
                )));
            }
        }
        Ok(())
    }

    /// The length Mastodon counts: every link is worth [`Self::characters_reserved_per_url`]
    /// and a remote mention counts without its domain (`@cm@far.example` is `@cm`).
    ///
    /// Mastodon counts grapheme clusters, we count characters, so a post full of composed
    /// emoji (flags, families) counts a little longer here; the instance still has the final
    /// word (a 422 if it disagrees).
    pub fn status_length(&self, text: &str) -> usize {
        let mut len = 0;
        for (i, word) in text.split(|c: char| c.is_whitespace()).enumerate() {
            if i > 0 {
                len += 1;
            }
            if word.starts_with("http://") || word.starts_with("https://") {
                len += self.characters_reserved_per_url;
            } else if let Some(rest) = word.strip_prefix('@')
                && let Some((user, _domain)) = rest.split_once('@')
            {
                len += 1 + user.chars().count();
            } else {
                len += word.chars().count();
            }
        }
        len
    }

    /// Refuses a status this instance would refuse, with a message a CM can act on.
    pub fn check(&self, text: &str, images: &[ImageInput], videos: &[VideoInput]) -> Result<()> {
        if text.trim().is_empty() && images.is_empty() && videos.is_empty() {
            return Err(ConnectorError::invalid_input(
                "a Mastodon post needs text or a media",
            ));
        }
        self.check_videos(videos, !images.is_empty())?;
        let length = self.status_length(text);
        if length > self.max_characters {
            return Err(ConnectorError::invalid_input(format!(
                "the post is {length} characters long; this instance allows {}",
                self.max_characters
            )));
        }
        if images.len() > self.max_media_attachments {
            return Err(ConnectorError::invalid_input(format!(
                "{} images attached; this instance allows {}",
                images.len(),
                self.max_media_attachments
            )));
        }
        for image in images {
            let accepted = if self.image_types.is_empty() {
                USUAL_IMAGE_TYPES.contains(&image.mime.as_str())
            } else {
                self.image_types.contains(&image.mime)
            };
            if !accepted {
                return Err(ConnectorError::invalid_input(format!(
                    "this instance does not take {} images",
                    image.mime
                )));
            }
            if image.bytes.is_empty() || image.bytes.len() as u64 > self.image_size_limit {
                return Err(ConnectorError::invalid_input(format!(
                    "an image is {} KiB; this instance takes images up to {} KiB",
                    image.bytes.len() / 1024,
                    self.image_size_limit / 1024
                )));
            }
            let alt = image.alt.chars().count();
            if alt > self.description_limit {
                return Err(ConnectorError::invalid_input(format!(
                    "an alt text is {alt} characters long; this instance allows {}",
                    self.description_limit
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_video_of_a_listed_type_within_the_size_limit_is_taken() {
        let instance: Instance = serde_json::from_value(serde_json::json!({
            "configuration": {"media_attachments": {
                "supported_mime_types": ["image/png", "video/mp4", "video/webm"],
                "video_size_limit": 1000
            }}
        }))
        .unwrap();
        let limits = InstanceLimits::from_instance(&instance);
        assert_eq!(limits.video_types, ["video/mp4", "video/webm"]);
        assert_eq!(limits.video_size_limit, 1000);
        let video = |bytes: usize, mime: &str| VideoInput {
            bytes: vec![0; bytes],
            mime: mime.into(),
            alt: "a clip".into(),
            width: None,
            height: None,
            duration_ms: None,
        };
        assert!(limits.check("", &[], &[video(10, "video/mp4")]).is_ok());
        let big = limits
            .check("x", &[], &[video(1001, "video/mp4")])
            .unwrap_err();
        assert!(big.message.contains("video"), "{big}");
        let mov = limits.check("x", &[], &[video(10, "video/quicktime")]);
        assert!(mov.unwrap_err().message.contains("video/quicktime"));
        let two = limits.check("x", &[], &[video(10, "video/mp4"), video(10, "video/mp4")]);
        assert!(two.is_err());
        let png = ImageInput {
            bytes: vec![1],
            mime: "image/png".into(),
            alt: String::new(),
        };
        assert!(
            limits
                .check("x", &[png], &[video(10, "video/mp4")])
                .is_err()
        );
        // An instance that lists nothing gets the usual types and Mastodon's 99 MiB.
        let d = InstanceLimits::default();
        assert!(d.check("x", &[], &[video(10, "video/quicktime")]).is_ok());
        assert!(d.check("x", &[], &[video(10, "video/x-matroska")]).is_err());
    }

    #[test]
    fn links_and_remote_mentions_count_as_mastodon_counts_them() {
        let limits = InstanceLimits::default();
        let long_link = format!("https://example.org/{}", "a".repeat(300));
        assert_eq!(limits.status_length(&format!("see {long_link}")), 4 + 23);
        assert_eq!(limits.status_length("hi @cm@far.example"), 3 + 3);
        assert_eq!(limits.status_length("été"), 3);
    }

    #[test]
    fn the_instance_configuration_is_read_and_clamped() {
        let instance: Instance = serde_json::from_value(serde_json::json!({
            "domain": "Example.ORG",
            "configuration": {
                "statuses": {"max_characters": 5000, "max_media_attachments": -3},
                "media_attachments": {"supported_mime_types": ["image/png", "video/mp4"]}
            }
        }))
        .unwrap();
        let limits = InstanceLimits::from_instance(&instance);
        assert_eq!(limits.max_characters, 5000);
        assert_eq!(limits.max_media_attachments, 4);
        assert_eq!(limits.domain.as_deref(), Some("example.org"));
        assert_eq!(limits.image_types, vec!["image/png".to_string()]);
        assert_eq!(
            limits.announced,
            StatusLimits {
                max_characters: Some(5000),
                characters_reserved_per_url: None,
                max_media_attachments: None,
            }
        );
        let png = ImageInput {
            bytes: vec![1],
            mime: "image/jpeg".into(),
            alt: String::new(),
        };
        let err = limits.check("x", &[png], &[]).unwrap_err();
        assert!(err.message.contains("image/jpeg"), "{err}");
    }

    #[test]
    fn too_long_posts_and_too_many_images_are_refused_before_any_upload() {
        let limits = InstanceLimits::default();
        assert!(limits.check(&"x".repeat(501), &[], &[]).is_err());
        assert!(limits.check(&"x".repeat(500), &[], &[]).is_ok());
        assert!(limits.check("  ", &[], &[]).is_err());
        let img = ImageInput {
            bytes: vec![1],
            mime: "image/png".into(),
            alt: "a".repeat(1_501),
        };
        assert!(limits.check("x", std::slice::from_ref(&img), &[]).is_err());
        let ok = ImageInput {
            alt: "fine".into(),
            ..img
        };
        assert!(limits.check("x", &vec![ok; 5], &[]).is_err());
    }

    #[test]
    fn absurd_or_mistyped_figures_are_ignored_and_pleroma_is_read() {
        let read = |json: serde_json::Value| {
            InstanceLimits::from_instance(&serde_json::from_value::<Instance>(json).unwrap())
        };
        let absurd = read(serde_json::json!({
            "configuration": {"statuses": {
                "max_characters": 10_000_000_000_i64,
                "characters_reserved_per_url": "23",
                "max_media_attachments": 0
            }},
            "max_toot_chars": 0
        }));
        assert_eq!(absurd.announced, StatusLimits::default());
        assert_eq!(absurd.max_characters, 500);
        assert_eq!(absurd.characters_reserved_per_url, 23);
        let pleroma =
            read(serde_json::json!({"uri": "https://pl.example", "max_toot_chars": 5000}));
        assert_eq!(pleroma.announced.max_characters, Some(5000));
        assert_eq!(pleroma.domain.as_deref(), Some("pl.example"));
        let wrong_shape = read(serde_json::json!({"configuration": "yes", "max_toot_chars": 1.5}));
        assert_eq!(wrong_shape, InstanceLimits::default());
        assert_eq!(
            read(serde_json::json!({"configuration": {"statuses": {"max_characters": 100_000}}}))
                .max_characters,
            100_000
        );
    }
}
