//! What validation reports. Each problem has a stable code (for the API and the publisher's
//! logs) and a catalogue key (for the web's Fluent messages), and carries the figures a message
//! needs ("312 / 300"), never a sentence: translation belongs to the web crate.

use serde::{Deserialize, Serialize};

/// Errors stop publication; warnings are shown and let the post go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The part of the draft a problem is about, so the composer can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Text,
    Media,
    Link,
    FirstComment,
    /// The channel itself (pre-flight: not connected, token running out).
    Channel,
    /// The time the post is scheduled for.
    Schedule,
}

macro_rules! problem_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $key:literal, $severity:ident;)*) => {
        /// Why a draft cannot be published as it is on a network, or should be looked at again.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ProblemCode {
            $($(#[$doc])* $variant,)*
        }

        impl ProblemCode {
            /// Every code, for the test that each has a message in every catalogue.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)*];

            /// The stable snake_case name used in the API and in logs (the serde name).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $code,)*
                }
            }

            /// The Fluent catalogue key: `compose-problem-` and the code with dashes.
            pub fn key(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $key,)*
                }
            }

            /// Whether the problem blocks publication.
            pub fn severity(self) -> Severity {
                match self {
                    $(ProblemCode::$variant => Severity::$severity,)*
                }
            }
        }
    };
}

problem_codes! {
    /// The post would be empty, or a body the network requires is missing.
    TextRequired = "text_required", "compose-problem-text-required", Error;
    /// `limit`/`actual` in the network's own counting.
    TextTooLong = "text_too_long", "compose-problem-text-too-long", Error;
    /// The network refuses a character used (YouTube: `<` and `>`).
    ForbiddenCharacter = "forbidden_character", "compose-problem-forbidden-character", Error;
    TitleRequired = "title_required", "compose-problem-title-required", Error;
    TitleTooLong = "title_too_long", "compose-problem-title-too-long", Error;
    TooManyHashtags = "too_many_hashtags", "compose-problem-too-many-hashtags", Error;
    /// An image or a video is required.
    MediaRequired = "media_required", "compose-problem-media-required", Error;
    ImageRequired = "image_required", "compose-problem-image-required", Error;
    VideoRequired = "video_required", "compose-problem-video-required", Error;
    /// More attachments than the network takes, all kinds together.
    TooManyMedia = "too_many_media", "compose-problem-too-many-media", Error;
    /// More images than the network takes (`limit` 0: it takes none).
    TooManyImages = "too_many_images", "compose-problem-too-many-images", Error;
    /// More videos than the network takes (`limit` 0: it takes none).
    TooManyVideos = "too_many_videos", "compose-problem-too-many-videos", Error;
    /// Images and a video together, which the network does not take.
    MixedMedia = "mixed_media", "compose-problem-mixed-media", Error;
    UnsupportedFormat = "unsupported_format", "compose-problem-unsupported-format", Error;
    ImageTooBig = "image_too_big", "compose-problem-image-too-big", Error;
    VideoTooBig = "video_too_big", "compose-problem-video-too-big", Error;
    /// `limit`/`actual` in whole seconds (rounded up).
    VideoTooLong = "video_too_long", "compose-problem-video-too-long", Error;
    /// `limit`/`actual` in whole seconds (rounded down).
    VideoTooShort = "video_too_short", "compose-problem-video-too-short", Error;
    AltTextMissing = "alt_text_missing", "compose-problem-alt-text-missing", Warning;
    AltTextTooLong = "alt_text_too_long", "compose-problem-alt-text-too-long", Error;
    LinkRequired = "link_required", "compose-problem-link-required", Error;
    /// The link is not an `http(s)://` address.
    LinkInvalid = "link_invalid", "compose-problem-link-invalid", Error;
    /// The network shows no clickable link (Instagram, TikTok): the link will not be used.
    LinkIgnored = "link_ignored", "compose-problem-link-ignored", Warning;
    /// With media attached the network shows the media, not the link's preview card.
    LinkPreviewHidden = "link_preview_hidden", "compose-problem-link-preview-hidden", Warning;
    FirstCommentTooLong = "first_comment_too_long", "compose-problem-first-comment-too-long", Error;
    /// The network has no way to post a first comment: it will not be posted.
    FirstCommentUnsupported = "first_comment_unsupported", "compose-problem-first-comment-unsupported", Warning;
    /// Pre-flight: the channel is broken or disconnected; reconnect it before the slot.
    ChannelNotActive = "channel_not_active", "compose-problem-channel-not-active", Error;
    /// Pre-flight: the channel's token expires before the slot and cannot renew itself.
    TokenExpiresBeforeSlot = "token_expires_before_slot", "compose-problem-token-expires-before-slot", Warning;
    /// Pre-flight: the slot is in the past.
    SlotInPast = "slot_in_past", "compose-problem-slot-in-past", Error;
}

/// One problem of a draft on one network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: ProblemCode,
    pub severity: Severity,
    pub field: Field,
    /// The network's limit, in the unit of the check (characters as counted, bytes, seconds,
    /// items).
    pub limit: Option<u64>,
    /// The draft's figure in the same unit.
    pub actual: Option<u64>,
    /// Which attachment, for media problems (0-based, in the draft's order).
    pub media_index: Option<usize>,
}

impl Problem {
    pub(crate) fn new(code: ProblemCode, field: Field) -> Problem {
        Problem {
            code,
            severity: code.severity(),
            field,
            limit: None,
            actual: None,
            media_index: None,
        }
    }

    pub(crate) fn figures(mut self, limit: impl TryInto<u64>, actual: impl TryInto<u64>) -> Self {
        self.limit = limit.try_into().ok();
        self.actual = actual.try_into().ok();
        self
    }

    pub(crate) fn media(mut self, index: usize) -> Self {
        self.media_index = Some(index);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keys_and_serde_names_agree() {
        for code in ProblemCode::ALL {
            assert_eq!(
                code.key(),
                format!("compose-problem-{}", code.as_str().replace('_', "-"))
            );
            assert_eq!(
                serde_json::to_string(code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }

    #[test]
    fn only_missing_alt_text_ignored_extras_and_a_dying_token_are_warnings() {
        let warnings: Vec<&str> = ProblemCode::ALL
            .iter()
            .filter(|c| c.severity() == Severity::Warning)
            .map(|c| c.as_str())
            .collect();
        assert_eq!(
            warnings,
            [
                "alt_text_missing",
                "link_ignored",
                "link_preview_hidden",
                "first_comment_unsupported",
                "token_expires_before_slot"
            ]
        );
    }
}
