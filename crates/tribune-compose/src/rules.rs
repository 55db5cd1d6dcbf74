//! What each network accepts in one post: text limits and how they are counted, title, hashtags,
//! media, links and first comments. The figures come from /work/shared/NETWORKS.md (research of
//! 2026-11-24) where it has them; where it has none, a doc comment names the network's own
//! documented figure used instead. Limits move: keep every figure here, in one table, so a change
//! is one line and its test.
//!
//! Sizes: "MB" is 10^6 bytes unless the network's code says otherwise (Bluesky 1,000,000 bytes
//! exactly, Mastodon's Rails `16.megabytes` = 16 MiB): the stricter reading, so a file that passes
//! here passes there.

use serde::Serialize;

use crate::count::{Counting, MASTODON_URL_LENGTH, X_URL_LENGTH};
use crate::network::ComposeNetwork;
use crate::options::Options;

/// Everything a network asks of a post. Build it with [`rules`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkRules {
    pub network: ComposeNetwork,
    pub text: TextRule,
    /// `None` when the network has no title.
    pub title: Option<TitleRule>,
    /// The most hashtags a post may carry.
    pub max_hashtags: Option<usize>,
    pub media: MediaRules,
    pub link: LinkRules,
    pub first_comment: FirstComment,
}

/// The post's text (caption, description, body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextRule {
    /// `None`: no limit (a WordPress body).
    pub limit: Option<usize>,
    pub counting: Counting,
    /// What a link counts for, where a link counts a fixed length (X, Mastodon).
    pub url_length: usize,
    /// The text may not be empty even with media (a WordPress body).
    pub required: bool,
    /// Characters the network refuses (YouTube refuses `<` and `>`).
    pub forbidden: &'static [char],
}

/// A title, counted in Unicode scalar values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TitleRule {
    pub limit: usize,
    pub required: bool,
    pub forbidden: &'static [char],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaRequirement {
    None,
    ImageOrVideo,
    Image,
    Video,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaRules {
    pub required: MediaRequirement,
    /// The most attachments of any kind (`None`: no known limit).
    pub max_items: Option<usize>,
    pub max_images: Option<usize>,
    pub max_videos: Option<usize>,
    /// Whether images and videos may be attached to the same post.
    pub mixed: bool,
    pub image: ImageRules,
    pub video: VideoRules,
    pub alt_text: AltTextRules,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageRules {
    /// Accepted MIME types; `image/*` accepts any image.
    pub formats: &'static [&'static str],
    pub max_bytes: Option<u64>,
    /// Animated GIFs may be larger than still images on some networks (X).
    pub gif_max_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VideoRules {
    /// Accepted MIME types; `video/*` accepts any video.
    pub formats: &'static [&'static str],
    pub max_bytes: Option<u64>,
    pub min_secs: Option<f64>,
    pub max_secs: Option<f64>,
}

/// Whether the network takes alternative text, for which media, and how long it may be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AltTextRules {
    pub images: bool,
    pub videos: bool,
    /// `None`: taken, no known limit.
    pub max_image: Option<usize>,
    pub max_video: Option<usize>,
    pub counting: Counting,
}

/// What happens to [`crate::Draft::link`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPlacement {
    /// Sent apart from the text (an embed, a link field): it does not count in the text.
    Attachment,
    /// The network only knows links written in the text: the link is appended to the text when
    /// the text does not already contain it, and counts (see [`crate::composed_text`]).
    InText,
    /// Links are not clickable there (Instagram captions, TikTok).
    Unsupported,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRules {
    /// The network shows a preview card for the link (not when media are attached).
    pub preview: bool,
    pub placement: LinkPlacement,
    pub required: bool,
}

/// How [`crate::Draft::first_comment`] can be posted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FirstComment {
    Unsupported,
    /// A comment under the post, with the network's comment limit in characters.
    Native {
        limit: Option<usize>,
    },
    /// A reply to the post by the same account (a thread), with the post's own text rules.
    SelfReply,
}

const MB: u64 = 1_000_000;
const MIB: u64 = 1024 * 1024;
const NO_CHARS: &[char] = &[];
const ANGLE_BRACKETS: &[char] = &['<', '>'];

const ANY_IMAGE: &[&str] = &["image/*"];
const ANY_VIDEO: &[&str] = &["video/*"];
const NO_FORMATS: &[&str] = &[];

/// The rules of `network`, adjusted by what `options` says about the channel (a Mastodon
/// instance's limits, a TikTok creator's longest video).
pub fn rules(network: ComposeNetwork, options: &Options) -> NetworkRules {
    match network {
        ComposeNetwork::Bluesky => bluesky(),
        ComposeNetwork::Mastodon => mastodon(options),
        ComposeNetwork::Wordpress => wordpress(),
        ComposeNetwork::X => x(),
        ComposeNetwork::Linkedin => linkedin(),
        ComposeNetwork::Instagram => instagram(),
        ComposeNetwork::Facebook => facebook(),
        ComposeNetwork::Threads => threads(),
        ComposeNetwork::Tiktok => tiktok(options),
        ComposeNetwork::Youtube => youtube(),
        ComposeNetwork::Pinterest => pinterest(),
    }
}

fn text(limit: Option<usize>, counting: Counting) -> TextRule {
    TextRule {
        limit,
        counting,
        url_length: 0,
        required: false,
        forbidden: NO_CHARS,
    }
}

fn no_alt() -> AltTextRules {
    AltTextRules {
        images: false,
        videos: false,
        max_image: None,
        max_video: None,
        counting: Counting::Chars,
    }
}

fn image_alt(max_image: Option<usize>) -> AltTextRules {
    AltTextRules {
        images: true,
        max_image,
        ..no_alt()
    }
}

fn as_usize(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Bluesky: `app.bsky.feed.post` text ≤ 300 graphemes; `app.bsky.embed.images` ≤ 4 images of
/// ≤ 1,000,000 bytes, or one `app.bsky.embed.video` (never both, one embed per post).
/// Not in NETWORKS.md: video ≤ 100 MB and ≤ 3 minutes (Bluesky's limits since March 2025), video
/// alt text ≤ 1,000 graphemes (lexicon), image alt text ≤ 2,000 graphemes (the app's limit).
/// Video formats: MP4 only. Bluesky's video service converts MOV, WebM and MPEG, but tribune
/// uploads the file to the account's PDS as a blob (the method every PDS takes), and the
/// lexicon's `accept` for that blob is `video/mp4`.
fn bluesky() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Bluesky,
        text: text(Some(300), Counting::Graphemes),
        title: None,
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::None,
            max_items: Some(4),
            max_images: Some(4),
            max_videos: Some(1),
            mixed: false,
            image: ImageRules {
                formats: &["image/jpeg", "image/png", "image/webp", "image/gif"],
                max_bytes: Some(1_000_000),
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: &["video/mp4"],
                max_bytes: Some(100 * MB),
                min_secs: None,
                max_secs: Some(180.0),
            },
            alt_text: AltTextRules {
                images: true,
                videos: true,
                max_image: Some(2_000),
                max_video: Some(1_000),
                counting: Counting::Graphemes,
            },
        },
        link: LinkRules {
            preview: true,
            placement: LinkPlacement::Attachment,
            required: false,
        },
        first_comment: FirstComment::SelfReply,
    }
}

/// Mastodon: 500 characters unless the instance says otherwise; 4 attachments, one video at most
/// and not with images. Defaults from Mastodon 4's code (not in NETWORKS.md): images 16 MiB,
/// videos 99 MiB, descriptions 1,500 characters; formats from docs.joinmastodon.org.
fn mastodon(options: &Options) -> NetworkRules {
    let instance = &options.mastodon;
    let max_items = instance.max_media_attachments.map_or(4, as_usize);
    let description = instance.description_limit.map_or(1_500, as_usize);
    NetworkRules {
        network: ComposeNetwork::Mastodon,
        text: TextRule {
            url_length: instance
                .characters_reserved_per_url
                .map_or(MASTODON_URL_LENGTH, as_usize),
            ..text(
                Some(instance.max_characters.map_or(500, as_usize)),
                Counting::Mastodon,
            )
        },
        title: None,
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::None,
            max_items: Some(max_items),
            max_images: Some(max_items),
            max_videos: Some(1),
            mixed: false,
            image: ImageRules {
                formats: &[
                    "image/jpeg",
                    "image/png",
                    "image/gif",
                    "image/webp",
                    "image/heic",
                    "image/heif",
                    "image/avif",
                ],
                max_bytes: Some(instance.image_size_limit.unwrap_or(16 * MIB)),
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: &["video/mp4", "video/webm", "video/quicktime"],
                max_bytes: Some(instance.video_size_limit.unwrap_or(99 * MIB)),
                min_secs: None,
                max_secs: None,
            },
            alt_text: AltTextRules {
                images: true,
                videos: true,
                max_image: Some(description),
                max_video: Some(description),
                counting: Counting::Chars,
            },
        },
        link: LinkRules {
            preview: true,
            placement: LinkPlacement::InText,
            required: false,
        },
        first_comment: FirstComment::SelfReply,
    }
}

/// WordPress: a title and a body are required; the body has no limit and media are whatever the
/// site accepts. The 200-character title bound is a sanity limit (WordPress itself stores up to
/// 65,535 bytes), long enough for any real headline.
fn wordpress() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Wordpress,
        text: TextRule {
            required: true,
            ..text(None, Counting::Chars)
        },
        title: Some(TitleRule {
            limit: 200,
            required: true,
            forbidden: NO_CHARS,
        }),
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::None,
            max_items: None,
            max_images: None,
            max_videos: None,
            mixed: true,
            image: ImageRules {
                formats: ANY_IMAGE,
                max_bytes: None,
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: ANY_VIDEO,
                max_bytes: None,
                min_secs: None,
                max_secs: None,
            },
            alt_text: image_alt(None),
        },
        link: LinkRules {
            preview: false,
            placement: LinkPlacement::InText,
            required: false,
        },
        first_comment: FirstComment::Unsupported,
    }
}

/// X: 280 weighted characters (twitter-text v3), links 23. Not in NETWORKS.md, from X's media
/// documentation: up to 4 images (JPEG, PNG, WebP, GIF) of 5 MB, animated GIFs 15 MB, or one
/// video (MP4, MOV) of 512 MB lasting 0.5–140 s, never images and video together through the
/// API; image alt text ≤ 1,000 characters. A reply to oneself carries a first comment.
fn x() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::X,
        text: TextRule {
            url_length: X_URL_LENGTH,
            ..text(Some(280), Counting::XWeighted)
        },
        title: None,
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::None,
            max_items: Some(4),
            max_images: Some(4),
            max_videos: Some(1),
            mixed: false,
            image: ImageRules {
                formats: &["image/jpeg", "image/png", "image/webp", "image/gif"],
                max_bytes: Some(5 * MB),
                gif_max_bytes: Some(15 * MB),
            },
            video: VideoRules {
                formats: &["video/mp4", "video/quicktime"],
                max_bytes: Some(512 * MB),
                min_secs: Some(0.5),
                max_secs: Some(140.0),
            },
            alt_text: image_alt(Some(1_000)),
        },
        link: LinkRules {
            preview: true,
            placement: LinkPlacement::InText,
            required: false,
        },
        first_comment: FirstComment::SelfReply,
    }
}

/// LinkedIn: `commentary` ≤ 3,000 characters. Not in NETWORKS.md, from LinkedIn's Posts, Images
/// and Videos API pages: `multiImage` takes up to 20 images (JPG, PNG, GIF), image `altText`
/// ≤ 4,086 characters, one MP4 video of 3 s–30 min and ≤ 500 MB, not with images; comments
/// ≤ 1,250 characters.
fn linkedin() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Linkedin,
        text: text(Some(3_000), Counting::Chars),
        title: None,
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::None,
            max_items: Some(20),
            max_images: Some(20),
            max_videos: Some(1),
            mixed: false,
            image: ImageRules {
                formats: &["image/jpeg", "image/png", "image/gif"],
                max_bytes: None,
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: &["video/mp4"],
                max_bytes: Some(500 * MB),
                min_secs: Some(3.0),
                max_secs: Some(30.0 * 60.0),
            },
            alt_text: image_alt(Some(4_086)),
        },
        link: LinkRules {
            preview: true,
            placement: LinkPlacement::Attachment,
            required: false,
        },
        first_comment: FirstComment::Native { limit: Some(1_250) },
    }
}

/// Instagram: caption ≤ 2,200 characters and ≤ 30 hashtags, an image or a video required, a
/// carousel of ≤ 10 items (mixed allowed). Images JPEG ≤ 8 MB (the API takes JPEG only); Reels
/// MP4/MOV of 3 s–15 min and ≤ 300 MB (the lowest of the figures NETWORKS.md quotes). Image
/// `alt_text` is taken since 2025-03-24, with no documented limit. Comments ≤ 2,200 characters
/// (not in NETWORKS.md). Links in captions are not clickable.
fn instagram() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Instagram,
        text: text(Some(2_200), Counting::Chars),
        title: None,
        max_hashtags: Some(30),
        media: MediaRules {
            required: MediaRequirement::ImageOrVideo,
            max_items: Some(10),
            max_images: Some(10),
            max_videos: Some(10),
            mixed: true,
            image: ImageRules {
                formats: &["image/jpeg"],
                max_bytes: Some(8 * MB),
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: &["video/mp4", "video/quicktime"],
                max_bytes: Some(300 * MB),
                min_secs: Some(3.0),
                max_secs: Some(15.0 * 60.0),
            },
            alt_text: image_alt(None),
        },
        link: LinkRules {
            preview: false,
            placement: LinkPlacement::Unsupported,
            required: false,
        },
        first_comment: FirstComment::Native { limit: Some(2_200) },
    }
}

/// Facebook Pages: a message of ≤ 63,206 characters (NETWORKS.md, to re-check). Not in
/// NETWORKS.md, from the Graph API Page photo and video references: photos JPEG, PNG, GIF, BMP,
/// TIFF, HEIF or WebP of ≤ 4 MB, no documented count for multi-photo posts; videos ≤ 10 GB and
/// ≤ 240 min; photos and a video are published by different calls, so not together. Photo alt
/// text (`alt_text_custom`) has no documented limit; comments ≤ 8,000 characters.
fn facebook() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Facebook,
        text: text(Some(63_206), Counting::Chars),
        title: None,
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::None,
            max_items: None,
            max_images: None,
            max_videos: Some(1),
            mixed: false,
            image: ImageRules {
                formats: &[
                    "image/jpeg",
                    "image/png",
                    "image/gif",
                    "image/bmp",
                    "image/tiff",
                    "image/heif",
                    "image/webp",
                ],
                max_bytes: Some(4 * MB),
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: ANY_VIDEO,
                max_bytes: Some(10_000 * MB),
                min_secs: None,
                max_secs: Some(240.0 * 60.0),
            },
            alt_text: image_alt(None),
        },
        link: LinkRules {
            preview: true,
            placement: LinkPlacement::Attachment,
            required: false,
        },
        first_comment: FirstComment::Native { limit: Some(8_000) },
    }
}

/// Threads: text ≤ 500 with emoji counted in UTF-8 bytes (NETWORKS.md). Not in NETWORKS.md, from
/// Meta's Threads media specifications: a carousel of ≤ 20 items (images and videos mixed),
/// images JPEG/PNG ≤ 8 MB, videos MP4/MOV ≤ 1 GB and ≤ 5 min; `alt_text` on images and videos
/// without a documented limit. `link_attachment` gives text posts a preview card; a reply to
/// oneself (`reply_to_id`) carries a first comment.
fn threads() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Threads,
        text: text(Some(500), Counting::CharsEmojiAsBytes),
        title: None,
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::None,
            max_items: Some(20),
            max_images: Some(20),
            max_videos: Some(20),
            mixed: true,
            image: ImageRules {
                formats: &["image/jpeg", "image/png"],
                max_bytes: Some(8 * MB),
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: &["video/mp4", "video/quicktime"],
                max_bytes: Some(1_000 * MB),
                min_secs: None,
                max_secs: Some(300.0),
            },
            alt_text: AltTextRules {
                videos: true,
                ..image_alt(None)
            },
        },
        link: LinkRules {
            preview: true,
            placement: LinkPlacement::Attachment,
            required: false,
        },
        first_comment: FirstComment::SelfReply,
    }
}

/// TikTok: a video is required, caption ≤ 2,200 characters; MP4/WebM/MOV ≤ 4 GB (NETWORKS.md,
/// to re-check); the longest video is the creator's own (`max_video_post_duration_sec`), passed
/// in [`Options::tiktok_max_video_secs`]. No alt text, no clickable links, no comment API.
fn tiktok(options: &Options) -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Tiktok,
        text: text(Some(2_200), Counting::Chars),
        title: None,
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::Video,
            max_items: Some(1),
            max_images: Some(0),
            max_videos: Some(1),
            mixed: false,
            image: ImageRules {
                formats: NO_FORMATS,
                max_bytes: None,
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: &["video/mp4", "video/webm", "video/quicktime"],
                max_bytes: Some(4_000 * MB),
                min_secs: None,
                max_secs: options.tiktok_max_video_secs.map(f64::from),
            },
            alt_text: no_alt(),
        },
        link: LinkRules {
            preview: false,
            placement: LinkPlacement::Unsupported,
            required: false,
        },
        first_comment: FirstComment::Unsupported,
    }
}

/// YouTube: one video required, title required ≤ 100 characters, description ≤ 5,000 bytes (the
/// API counts UTF-8 bytes: an accented letter takes two), neither may contain `<` or `>` (API
/// reference). Videos ≤ 256 GB (NETWORKS.md) and ≤ 12 hours (YouTube's limit for verified
/// accounts; unverified ones stop at 15 minutes). Comments ≤ 10,000 characters (not in
/// NETWORKS.md).
fn youtube() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Youtube,
        text: TextRule {
            forbidden: ANGLE_BRACKETS,
            ..text(Some(5_000), Counting::Utf8Bytes)
        },
        title: Some(TitleRule {
            limit: 100,
            required: true,
            forbidden: ANGLE_BRACKETS,
        }),
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::Video,
            max_items: Some(1),
            max_images: Some(0),
            max_videos: Some(1),
            mixed: false,
            image: ImageRules {
                formats: NO_FORMATS,
                max_bytes: None,
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: ANY_VIDEO,
                max_bytes: Some(256_000 * MB),
                min_secs: None,
                max_secs: Some(12.0 * 3600.0),
            },
            alt_text: no_alt(),
        },
        link: LinkRules {
            preview: false,
            placement: LinkPlacement::InText,
            required: false,
        },
        first_comment: FirstComment::Native {
            limit: Some(10_000),
        },
    }
}

/// Pinterest: an image and a destination link are required, title ≤ 100, description ≤ 500
/// (NETWORKS.md, to re-check); images ≤ 20 MB. Not in NETWORKS.md: a Pin takes up to 5 images
/// (`multiple_image_urls`, a carousel), JPEG/PNG/GIF/WebP/BMP/TIFF, `alt_text` ≤ 500 characters.
/// Video Pins need a separate upload and a cover image: not offered here.
fn pinterest() -> NetworkRules {
    NetworkRules {
        network: ComposeNetwork::Pinterest,
        text: text(Some(500), Counting::Chars),
        title: Some(TitleRule {
            limit: 100,
            required: false,
            forbidden: NO_CHARS,
        }),
        max_hashtags: None,
        media: MediaRules {
            required: MediaRequirement::Image,
            max_items: Some(5),
            max_images: Some(5),
            max_videos: Some(0),
            mixed: false,
            image: ImageRules {
                formats: &[
                    "image/jpeg",
                    "image/png",
                    "image/gif",
                    "image/webp",
                    "image/bmp",
                    "image/tiff",
                ],
                max_bytes: Some(20 * MB),
                gif_max_bytes: None,
            },
            video: VideoRules {
                formats: NO_FORMATS,
                max_bytes: None,
                min_secs: None,
                max_secs: None,
            },
            alt_text: image_alt(Some(500)),
        },
        link: LinkRules {
            preview: false,
            placement: LinkPlacement::Attachment,
            required: true,
        },
        first_comment: FirstComment::Unsupported,
    }
}

impl ImageRules {
    pub(crate) fn accepts(&self, mime: &str) -> bool {
        accepts(self.formats, mime)
    }
}

impl VideoRules {
    pub(crate) fn accepts(&self, mime: &str) -> bool {
        accepts(self.formats, mime)
    }
}

fn accepts(formats: &[&str], mime: &str) -> bool {
    formats.iter().any(|format| match format.strip_suffix('*') {
        Some(prefix) => mime.starts_with(prefix),
        None => *format == mime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::MastodonInstance;

    #[test]
    fn every_network_has_its_own_rules() {
        for network in ComposeNetwork::ALL {
            assert_eq!(rules(network, &Options::default()).network, network);
        }
    }

    #[test]
    fn mastodon_takes_the_instance_limits() {
        let options = Options {
            mastodon: MastodonInstance {
                max_characters: Some(5_000),
                characters_reserved_per_url: Some(30),
                max_media_attachments: Some(8),
                ..MastodonInstance::default()
            },
            ..Options::default()
        };
        let rules = rules(ComposeNetwork::Mastodon, &options);
        assert_eq!(rules.text.limit, Some(5_000));
        assert_eq!(rules.text.url_length, 30);
        assert_eq!(rules.media.max_images, Some(8));
    }

    #[test]
    fn bluesky_takes_the_mp4_videos_tribune_can_send_it() {
        let rules = rules(ComposeNetwork::Bluesky, &Options::default());
        assert!(rules.media.video.accepts("video/mp4"));
        assert!(!rules.media.video.accepts("video/quicktime"));
    }

    #[test]
    fn wildcard_formats() {
        assert!(accepts(ANY_VIDEO, "video/x-matroska"));
        assert!(!accepts(ANY_VIDEO, "image/png"));
        assert!(!accepts(NO_FORMATS, "image/png"));
    }
}
