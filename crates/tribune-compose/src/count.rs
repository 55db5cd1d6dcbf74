//! Counts a text the way each network counts it. A live counter that says 280 when X says 281 is
//! worse than none: the post fails at publication time, when the community manager is not
//! looking. Each counting method below names the network rule it reproduces.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use crate::entities::{EntityKind, entities};

/// How a network measures a text against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// Extended grapheme clusters: what a reader sees as one character (Bluesky's
    /// `maxGraphemes`). `é` typed as `e` + combining accent is one, a family emoji is one.
    Graphemes,
    /// Mastodon's `StatusLengthValidator`: grapheme clusters, after every link written with a
    /// scheme is replaced by the instance's `characters_reserved_per_url` (23 by default) and
    /// every `@user@domain` by `@user`. Links without a scheme count as typed.
    Mastodon,
    /// twitter-text v3 weighted length: code points in 0–4351, 8192–8205, 8208–8223 and
    /// 8242–8247 weigh 1, others 2; an emoji sequence weighs 2 whatever its length; every link
    /// (with or without a scheme) weighs 23 as t.co does. The text is NFC-normalised first, as
    /// twitter-text does.
    XWeighted,
    /// Unicode scalar values (code points).
    Chars,
    /// Threads: code points, except that an emoji counts its UTF-8 bytes (NETWORKS.md, from
    /// Meta's documentation, marked to re-check).
    CharsEmojiAsBytes,
    /// UTF-8 bytes (the YouTube description limit is in bytes).
    Utf8Bytes,
}

/// The characters a link counts for on X: the length of a t.co link.
pub const X_URL_LENGTH: usize = 23;
/// Mastodon's default `characters_reserved_per_url`.
pub const MASTODON_URL_LENGTH: usize = 23;

/// A live counter's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Length {
    /// The length as the network counts it.
    pub used: usize,
    /// The most the network accepts; `None` when it sets no limit (a WordPress post body).
    pub limit: Option<usize>,
}

impl Length {
    /// What is left before the limit, negative once over it.
    pub fn remaining(&self) -> Option<i64> {
        let limit = i64::try_from(self.limit?).unwrap_or(i64::MAX);
        Some(limit.saturating_sub(i64::try_from(self.used).unwrap_or(i64::MAX)))
    }

    pub fn is_over(&self) -> bool {
        self.limit.is_some_and(|limit| self.used > limit)
    }
}

/// Measures `text` with `counting`; `url_length` is what a link counts for where links count
/// as a fixed length (X, Mastodon).
pub(crate) fn count(counting: Counting, text: &str, url_length: usize) -> usize {
    match counting {
        Counting::Graphemes => text.graphemes(true).count(),
        Counting::Mastodon => mastodon_countable(text, url_length).graphemes(true).count(),
        Counting::XWeighted => x_weighted(text, url_length),
        Counting::Chars => text.chars().count(),
        Counting::CharsEmojiAsBytes => text
            .graphemes(true)
            .map(|g| {
                if is_emoji(g) {
                    g.len()
                } else {
                    g.chars().count()
                }
            })
            .sum(),
        Counting::Utf8Bytes => text.len(),
    }
}

/// The text Mastodon measures: links with a scheme become `url_length` placeholder characters
/// and remote mentions keep their `@user` part.
fn mastodon_countable(text: &str, url_length: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for entity in entities(text) {
        let replacement_end = match entity.kind {
            EntityKind::Url => {
                out.push_str(&text[last..entity.start]);
                out.extend(std::iter::repeat_n('x', url_length));
                last = entity.end;
                continue;
            }
            EntityKind::Mention { local_end } => local_end,
            _ => continue,
        };
        out.push_str(&text[last..replacement_end]);
        last = entity.end;
    }
    out.push_str(&text[last..]);
    out
}

fn x_weighted(text: &str, url_length: usize) -> usize {
    let normalized: String = text.nfc().collect();
    let mut total = 0;
    let mut last = 0;
    for entity in entities(&normalized) {
        if matches!(entity.kind, EntityKind::Url | EntityKind::BareUrl) {
            total += x_weight_plain(&normalized[last..entity.start]) + url_length;
            last = entity.end;
        }
    }
    total + x_weight_plain(&normalized[last..])
}

fn x_weight_plain(text: &str) -> usize {
    text.graphemes(true)
        .map(|g| {
            if is_emoji(g) {
                2
            } else {
                g.chars().map(x_char_weight).sum()
            }
        })
        .sum()
}

/// twitter-text v3 `ranges` (weight 100 of a scale of 100) and `defaultWeight` 200.
fn x_char_weight(c: char) -> usize {
    match u32::from(c) {
        0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => 1,
        _ => 2,
    }
}

/// Whether a grapheme cluster is an emoji (a pictograph, a flag, a keycap, a ZWJ sequence).
/// This approximates twitter-text's emoji regular expression: the only clusters where the two
/// could differ are `©`/`®` written without U+FE0F, counted here as text (weight 1).
pub(crate) fn is_emoji(grapheme: &str) -> bool {
    let mut chars = grapheme.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let presentation = grapheme.contains(['\u{FE0F}', '\u{20E3}']);
    match u32::from(first) {
        0x1F1E6..=0x1F1FF => true,
        0x1F000..=0x1FAFF => true,
        0x2000..=0x2BFF | 0x3030 | 0x303D | 0x3297 | 0x3299 => {
            is_pictographic_bmp(first) || presentation
        }
        _ => presentation && (is_pictographic_bmp(first) || "0123456789#*©®".contains(first)),
    }
}

/// Emoji of the Basic Multilingual Plane (Extended_Pictographic, abridged).
fn is_pictographic_bmp(c: char) -> bool {
    matches!(
        u32::from(c),
        0x203C
            | 0x2049
            | 0x2122
            | 0x2139
            | 0x2194..=0x2199
            | 0x21A9..=0x21AA
            | 0x231A..=0x231B
            | 0x2328
            | 0x23CF
            | 0x23E9..=0x23F3
            | 0x23F8..=0x23FA
            | 0x24C2
            | 0x25AA..=0x25AB
            | 0x25B6
            | 0x25C0
            | 0x25FB..=0x25FE
            | 0x2600..=0x27BF
            | 0x2934..=0x2935
            | 0x2B05..=0x2B07
            | 0x2B1B..=0x2B1C
            | 0x2B50
            | 0x2B55
            | 0x3030
            | 0x303D
            | 0x3297
            | 0x3299
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_detection() {
        for emoji in ["😀", "👨‍👩‍👧‍👦", "🇫🇷", "1️⃣", "❤️", "☀", "👍🏽", "©️"]
        {
            assert!(is_emoji(emoji), "{emoji}");
        }
        for text in ["a", "é", "e\u{301}", "©", "→", "\u{202F}"] {
            assert!(!is_emoji(text), "{text:?}");
        }
    }

    #[test]
    fn x_weights_french_text_as_one_and_typographic_spaces_apart() {
        assert_eq!(count(Counting::XWeighted, "Été à Noël", 23), 10);
        // U+00A0 is in the first range, U+202F (narrow no-break space) is not.
        assert_eq!(count(Counting::XWeighted, "\u{A0}", 23), 1);
        assert_eq!(count(Counting::XWeighted, "\u{202F}", 23), 2);
        // Curly quotes and the ellipsis are in 8208–8223 / 8192–8205 … except "…" (8230).
        assert_eq!(count(Counting::XWeighted, "’", 23), 1);
        assert_eq!(count(Counting::XWeighted, "…", 23), 2);
    }

    #[test]
    fn mastodon_replaces_links_and_remote_mentions() {
        assert_eq!(
            mastodon_countable("@a@b.fr https://x.fr/long", 23),
            format!("@a {}", "x".repeat(23))
        );
        assert_eq!(mastodon_countable("mail a@b.fr ok", 23), "mail a@b.fr ok");
        assert_eq!(mastodon_countable("tribune.fr", 23), "tribune.fr");
    }

    #[test]
    fn threads_counts_emoji_in_bytes() {
        assert_eq!(count(Counting::CharsEmojiAsBytes, "ok 👍", 23), 3 + 4);
    }

    #[test]
    fn remaining_goes_negative() {
        let length = Length {
            used: 301,
            limit: Some(300),
        };
        assert_eq!(length.remaining(), Some(-1));
        assert!(length.is_over());
        assert_eq!(
            Length {
                used: 3,
                limit: None
            }
            .remaining(),
            None
        );
    }
}
