//! Rich text both ways: finding links, mentions and hashtags in a post we publish (facets index
//! UTF-8 bytes), and turning someone else's text and facets into safe HTML for the inbox.
//!
//! Facets from the network are untrusted: their ranges may be out of bounds, overlap or cut a
//! character; their links may be `javascript:` or lie about where they go. Out-of-range facets
//! are dropped, only http(s) links become anchors, and a link whose text does not match its
//! target shows the target instead.

use url::Url;

/// A rich-text feature found in our own text, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Found {
    Link {
        start: usize,
        end: usize,
        uri: String,
    },
    /// `handle` without the `@`; the range includes it.
    Mention {
        start: usize,
        end: usize,
        handle: String,
    },
    /// `tag` without the `#`; the range includes it.
    Tag {
        start: usize,
        end: usize,
        tag: String,
    },
}

/// Hashtags longer than this are not tags for Bluesky.
const MAX_TAG_CHARS: usize = 64;

/// Links, mentions and hashtags in `text`, in order.
pub(super) fn detect(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    for (word_start, word) in words(text) {
        let (lead, body) = match word.strip_prefix('(') {
            Some(rest) => (1, rest),
            None => (0, word),
        };
        let start = word_start + lead;
        if body.starts_with("https://") || body.starts_with("http://") {
            let uri = trim_link(body);
            if Url::parse(uri).is_ok_and(|u| u.host_str().is_some_and(|h| h.contains('.'))) {
                found.push(Found::Link {
                    start,
                    end: start + uri.len(),
                    uri: uri.to_string(),
                });
            }
        } else if let Some(handle) = body.strip_prefix('@') {
            let handle = handle.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            if is_handle(handle) {
                found.push(Found::Mention {
                    start,
                    end: start + 1 + handle.len(),
                    handle: handle.to_ascii_lowercase(),
                });
            }
        } else if lead == 0
            && let Some((hash, tag)) = body
                .strip_prefix('#')
                .map(|t| ('#'.len_utf8(), t))
                .or_else(|| body.strip_prefix('＃').map(|t| ('＃'.len_utf8(), t)))
        {
            let tag = tag.trim_end_matches(|c: char| c.is_ascii_punctuation());
            if !tag.is_empty()
                && !tag.chars().all(|c| c.is_ascii_digit())
                && tag.chars().count() <= MAX_TAG_CHARS
                && !tag.starts_with('\u{fe0f}')
            {
                found.push(Found::Tag {
                    start,
                    end: start + hash + tag.len(),
                    tag: tag.to_string(),
                });
            }
        }
    }
    found
}

/// The words of `text` (runs of non-whitespace) with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

/// A link without the punctuation that ends the sentence around it.
fn trim_link(word: &str) -> &str {
    let mut link = word.trim_end_matches(['.', ',', ';', ':', '!', '?', '"', '\'']);
    // A closing parenthesis belongs to the link only if it opened one.
    while link.ends_with(')') && link.matches(')').count() > link.matches('(').count() {
        link = &link[..link.len() - 1];
        link = link.trim_end_matches(['.', ',', ';', ':', '!', '?', '"', '\'']);
    }
    link
}

/// A syntactically valid handle (<https://atproto.com/specs/handle>).
pub(super) fn is_handle(handle: &str) -> bool {
    let labels: Vec<&str> = handle.split('.').collect();
    handle.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// A facet from the network, reduced to what the inbox renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Facet {
    pub start: usize,
    pub end: usize,
    pub feature: Feature,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Feature {
    Link(String),
    Mention(String),
    Tag(String),
}

/// Safe HTML for a post's text and facets: text escaped, line breaks kept, links only to
/// http(s) targets, then through [`crate::html::sanitize`].
pub(super) fn to_html(text: &str, facets: &[Facet]) -> String {
    let mut facets: Vec<&Facet> = facets
        .iter()
        .filter(|f| {
            f.start < f.end
                && f.end <= text.len()
                && text.is_char_boundary(f.start)
                && text.is_char_boundary(f.end)
        })
        .collect();
    facets.sort_by_key(|f| (f.start, f.end));
    let mut html = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for facet in facets {
        if facet.start < at {
            continue; // overlaps the previous one
        }
        html.push_str(&escape(&text[at..facet.start]));
        let shown = &text[facet.start..facet.end];
        match anchor(shown, &facet.feature) {
            Some((href, label)) => {
                html.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    escape(&href),
                    escape(&label)
                ));
            }
            None => html.push_str(&escape(shown)),
        }
        at = facet.end;
    }
    html.push_str(&escape(&text[at..]));
    crate::html::sanitize(&format!("<p>{html}</p>"))
}

/// Where a facet links to and the text to show, or `None` to keep it as plain text.
fn anchor(shown: &str, feature: &Feature) -> Option<(String, String)> {
    match feature {
        Feature::Link(uri) => {
            let url = Url::parse(uri).ok()?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return None;
            }
            let label = if honest_link_text(shown, url.as_str()) {
                shown.to_string()
            } else {
                url.as_str().to_string()
            };
            Some((url.to_string(), label))
        }
        Feature::Mention(did) => {
            let ok = did.starts_with("did:")
                && did.len() <= 256
                && did
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-_:%".contains(c));
            ok.then(|| (format!("https://bsky.app/profile/{did}"), shown.to_string()))
        }
        Feature::Tag(tag) => {
            let mut url = Url::parse("https://bsky.app/hashtag/").ok()?;
            url.path_segments_mut().ok()?.pop().push(tag);
            Some((url.to_string(), shown.to_string()))
        }
    }
}

/// Whether a link's text is its target, perhaps shortened as clients do (`example.com/pa…`).
fn honest_link_text(shown: &str, target: &str) -> bool {
    fn bare(s: &str) -> &str {
        let s = s.trim();
        let s = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .unwrap_or(s);
        s.strip_prefix("www.").unwrap_or(s)
    }
    let shown = bare(shown);
    let shortened = shown
        .strip_suffix("...")
        .or_else(|| shown.strip_suffix('…'))
        .unwrap_or(shown);
    let target = bare(target);
    let target = target.strip_suffix('/').unwrap_or(target);
    let shortened = shortened.strip_suffix('/').unwrap_or(shortened);
    // The host must be shown whole: `evil.com` is not shortened `evil.com.example`.
    let host_end = target.find('/').unwrap_or(target.len());
    !shortened.is_empty()
        && target
            .to_ascii_lowercase()
            .starts_with(&shortened.to_ascii_lowercase())
        && shortened.len() >= host_end
}

/// Text as HTML: escaped, line breaks kept, control characters dropped.
fn escape(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    crate::html::escape(&kept).replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_mentions_and_tags_are_found_with_byte_offsets() {
        let text = "Café ☕ (see https://example.com/a?b=1). Hi @cm.bsky.social! #Rust #2026 #été.";
        let found = detect(text);
        let link = "https://example.com/a?b=1";
        let at = text.find(link).unwrap();
        assert_eq!(
            found[0],
            Found::Link {
                start: at,
                end: at + link.len(),
                uri: link.into()
            }
        );
        let m = text.find("@cm").unwrap();
        assert_eq!(
            found[1],
            Found::Mention {
                start: m,
                end: m + "@cm.bsky.social".len(),
                handle: "cm.bsky.social".into()
            }
        );
        let t = text.find("#Rust").unwrap();
        assert_eq!(
            found[2],
            Found::Tag {
                start: t,
                end: t + 5,
                tag: "Rust".into()
            }
        );
        let e = text.find("#été").unwrap();
        assert_eq!(
            found[3],
            Found::Tag {
                start: e,
                end: e + "#été".len(),
                tag: "été".into()
            }
        );
        assert_eq!(found.len(), 4, "{found:?}");
    }

    #[test]
    fn not_everything_that_looks_like_a_mention_is_one() {
        assert!(detect("mail me@ or @nodot or @-bad.com or a@b.com").is_empty());
        assert!(
            detect("(https://wiki.example/Rust_(language))")
                .iter()
                .any(|f| matches!(
                    f,
                    Found::Link { uri, .. } if uri == "https://wiki.example/Rust_(language)"
                ))
        );
    }

    #[test]
    fn hostile_facets_render_as_safe_html() {
        let text = "click here or there <b>x</b> é @fan";
        let here = text.find("here").unwrap();
        let there = text.find("there").unwrap();
        let fan = text.find("@fan").unwrap();
        let facets = vec![
            Facet {
                start: 0,
                end: 5,
                feature: Feature::Link("javascript:alert(1)".into()),
            },
            Facet {
                start: here,
                end: here + 4,
                feature: Feature::Link("https://evil.example/x".into()),
            },
            Facet {
                start: there,
                end: there + 5,
                feature: Feature::Link("https://there.example".into()),
            },
            // Out of range, overlapping, inside a character: dropped.
            Facet {
                start: 3,
                end: 999,
                feature: Feature::Link("https://a.example".into()),
            },
            Facet {
                start: 1,
                end: 4,
                feature: Feature::Link("https://b.example".into()),
            },
            Facet {
                start: text.find('é').unwrap() + 1,
                end: text.len(),
                feature: Feature::Tag("x".into()),
            },
            Facet {
                start: fan,
                end: fan + 4,
                feature: Feature::Mention("did:plc:fan\"><script>".into()),
            },
        ];
        let html = to_html(text, &facets);
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("<b>") && !html.contains("<script"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        // The lying link shows where it really goes.
        assert!(html.contains(">https://evil.example/x</a>"), "{html}");
        assert!(!html.contains(">here</a>"), "{html}");
        assert!(html.contains("nofollow"), "{html}");
    }

    #[test]
    fn honest_and_shortened_link_texts_are_kept() {
        assert!(honest_link_text(
            "example.com/path…",
            "https://example.com/path/long"
        ));
        assert!(honest_link_text(
            "https://www.example.com",
            "https://www.example.com/"
        ));
        assert!(!honest_link_text(
            "example.com",
            "https://example.com.evil.example/"
        ));
        assert!(!honest_link_text(
            "bank.example",
            "https://evil.example/bank.example"
        ));
    }
}
