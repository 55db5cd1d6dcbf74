//! How a post's text looks on each network: which parts the network turns into links, mentions
//! and hashtags, how it shows a link, where its feed folds a long text behind "see more", and
//! what lies past its limit. The composer's preview cards are drawn from this; there is no
//! markup here, so the web escapes every piece as it writes it.
//!
//! The fold points are what each network's feed showed when this was written (2026-11); they
//! move with the apps' designs and are approximations, unlike the limits, which are exact.

use std::ops::Range;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::count::count;
use crate::entities::{EntityKind, entities};
use crate::network::ComposeNetwork;
use crate::options::Options;
use crate::rules::rules;

/// What a piece of the text is, as the network shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    Text,
    Link,
    Mention,
    Hashtag,
}

/// One piece of the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub kind: SpanKind,
    /// As typed.
    pub text: String,
    /// As the network shows it: a link without its scheme and shortened on some networks, else
    /// the typed text.
    pub shown: String,
}

/// The text of a post as one network shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PreviewText {
    /// What the feed shows.
    pub visible: Vec<Span>,
    /// What the feed hides behind its "see more" (empty when the whole text shows).
    pub folded: Vec<Span>,
    /// What is past the network's limit: the network would refuse the post (empty when it
    /// fits).
    pub overflow: Vec<Span>,
    /// The network shows a "see more" after [`PreviewText::visible`]: something follows it.
    pub more: bool,
}

/// Where a network's feed folds a long text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    /// The whole text shows.
    Never,
    /// X: a long post (X Premium) shows its first 280 weighted characters, then "Show more";
    /// for other accounts that is the limit.
    AtLimit,
    /// After this many characters or this many lines, whichever comes first.
    After { chars: usize, lines: usize },
}

fn fold(network: ComposeNetwork) -> Fold {
    match network {
        ComposeNetwork::X => Fold::AtLimit,
        // "…see more" after about three lines on the desktop feed.
        ComposeNetwork::Linkedin => Fold::After {
            chars: 210,
            lines: 3,
        },
        // "… more" after two lines of the caption.
        ComposeNetwork::Instagram => Fold::After {
            chars: 125,
            lines: 2,
        },
        ComposeNetwork::Facebook => Fold::After {
            chars: 480,
            lines: 5,
        },
        ComposeNetwork::Tiktok => Fold::After {
            chars: 100,
            lines: 2,
        },
        ComposeNetwork::Youtube => Fold::After {
            chars: 150,
            lines: 3,
        },
        ComposeNetwork::Bluesky
        | ComposeNetwork::Mastodon
        | ComposeNetwork::Threads
        | ComposeNetwork::Pinterest
        | ComposeNetwork::Wordpress => Fold::Never,
    }
}

/// What `network` makes of an entity of the text; `Text` where it shows it as typed.
fn kind_on(network: ComposeNetwork, kind: EntityKind, entity: &str) -> SpanKind {
    use ComposeNetwork as N;
    match kind {
        EntityKind::Url => match network {
            N::Instagram | N::Tiktok | N::Pinterest | N::Wordpress => SpanKind::Text,
            _ => SpanKind::Link,
        },
        // Mastodon only links what has a scheme.
        EntityKind::BareUrl => match network {
            N::X | N::Bluesky | N::Linkedin | N::Facebook | N::Threads | N::Youtube => {
                SpanKind::Link
            }
            _ => SpanKind::Text,
        },
        EntityKind::Email => SpanKind::Text,
        EntityKind::Mention { .. } => match network {
            // A Bluesky handle is a domain name: `@marie` alone is no one.
            N::Bluesky if entity.contains('.') => SpanKind::Mention,
            N::Mastodon | N::X | N::Instagram | N::Threads | N::Tiktok | N::Youtube => {
                SpanKind::Mention
            }
            _ => SpanKind::Text,
        },
        EntityKind::Hashtag => match network {
            N::Pinterest | N::Wordpress => SpanKind::Text,
            _ => SpanKind::Hashtag,
        },
    }
}

/// A link as `network` writes it in a post.
pub fn shown_link(network: ComposeNetwork, url: &str) -> String {
    let bare = strip_scheme(url);
    match network {
        // twitter-text's display URL: no scheme, no `www.`, cut with an ellipsis.
        ComposeNetwork::X => ellipsis(bare.strip_prefix("www.").unwrap_or(bare), 24, "…"),
        // Mastodon hides the scheme and `www.` and cuts what follows after 30 characters.
        ComposeNetwork::Mastodon => ellipsis(bare.strip_prefix("www.").unwrap_or(bare), 30, "…"),
        // Bluesky's app: the host, then at most 13 characters of a path longer than 15.
        ComposeNetwork::Bluesky => {
            let split = bare.find(['/', '?', '#']).unwrap_or(bare.len());
            let (host, path) = bare.split_at(split);
            if path.chars().count() > 15 {
                format!("{host}{}...", path.chars().take(13).collect::<String>())
            } else {
                bare.to_owned()
            }
        }
        _ => url.to_owned(),
    }
}

/// The host of a link, without `www.` (what a link card shows), or `None` when there is none.
pub fn link_host(url: &str) -> Option<String> {
    let bare = strip_scheme(url.trim());
    let host = bare
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default();
    let host = host
        .strip_prefix("www.")
        .unwrap_or(host)
        .to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

fn strip_scheme(url: &str) -> &str {
    for scheme in ["https://", "http://"] {
        if url
            .get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
        {
            return &url[scheme.len()..];
        }
    }
    url
}

fn ellipsis(text: &str, max: usize, mark: &str) -> String {
    if text.chars().count() > max {
        format!("{}{mark}", text.chars().take(max).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// The text's pieces with their byte ranges, in order, covering the whole text.
fn pieces(network: ComposeNetwork, text: &str) -> Vec<(Range<usize>, SpanKind)> {
    let mut out = Vec::new();
    let mut last = 0;
    for entity in entities(text) {
        let kind = kind_on(network, entity.kind, &text[entity.start..entity.end]);
        if kind == SpanKind::Text {
            continue;
        }
        if entity.start > last {
            out.push((last..entity.start, SpanKind::Text));
        }
        out.push((entity.start..entity.end, kind));
        last = entity.end;
    }
    if last < text.len() {
        out.push((last..text.len(), SpanKind::Text));
    }
    out
}

/// The pieces of `text` within `range`, a piece cut by its ends shown as typed.
fn spans(
    network: ComposeNetwork,
    text: &str,
    pieces: &[(Range<usize>, SpanKind)],
    range: Range<usize>,
) -> Vec<Span> {
    pieces
        .iter()
        .filter_map(|(piece, kind)| {
            let start = piece.start.max(range.start);
            let end = piece.end.min(range.end);
            (start < end).then(|| {
                let typed = &text[start..end];
                let whole = start == piece.start && end == piece.end;
                Span {
                    kind: *kind,
                    text: typed.to_owned(),
                    shown: if *kind == SpanKind::Link && whole {
                        shown_link(network, typed)
                    } else {
                        typed.to_owned()
                    },
                }
            })
        })
        .collect()
}

/// Where the network's limit cuts `text`: the end of the longest prefix (at a grapheme
/// boundary) that fits, or the text's length when all of it fits.
fn limit_cut(network: ComposeNetwork, text: &str, options: &Options) -> usize {
    let rule = rules(network, options).text;
    let Some(limit) = rule.limit else {
        return text.len();
    };
    let fits = |end: usize| count(rule.counting, &text[..end], rule.url_length) <= limit;
    if fits(text.len()) {
        return text.len();
    }
    let bounds: Vec<usize> = text.grapheme_indices(true).map(|(i, _)| i).collect();
    // `bounds[0]` is 0, which fits; find the last boundary that fits (a link that grows into
    // one can make the count jump, so this is a cut where it stops fitting, the first one
    // for texts without such links).
    let (mut lo, mut hi) = (0, bounds.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(bounds[mid]) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    bounds.get(lo).copied().unwrap_or(0)
}

/// Where the feed folds `text[..end]`, at a word boundary and never inside a link, mention or
/// hashtag; `None` when it shows all of it.
fn fold_cut(
    text: &str,
    end: usize,
    chars: usize,
    lines: usize,
    pieces: &[(Range<usize>, SpanKind)],
) -> Option<usize> {
    let shown = &text[..end];
    let by_chars = shown.char_indices().nth(chars).map_or(end, |(i, _)| i);
    let by_lines = shown
        .match_indices('\n')
        .nth(lines.saturating_sub(1))
        .map_or(end, |(i, _)| i);
    let mut cut = by_chars.min(by_lines);
    if shown[cut..].trim().is_empty() {
        return None;
    }
    if cut == by_chars {
        // Back to the last space, so no word is cut (unless the text has none).
        if let Some(space) = shown[..cut].rfind(char::is_whitespace)
            && space > 0
        {
            cut = space;
        }
    }
    if let Some((piece, _)) = pieces
        .iter()
        .find(|(p, kind)| *kind != SpanKind::Text && p.start < cut && cut < p.end)
    {
        cut = piece.start;
    }
    Some(shown[..cut].trim_end().len())
}

/// `text` (the text as it will be sent, see [`crate::composed_text`]) as `network` shows it.
pub fn preview_text(network: ComposeNetwork, text: &str, options: &Options) -> PreviewText {
    let pieces = pieces(network, text);
    let limit = limit_cut(network, text, options);
    let (visible_end, folded_end, more) = match fold(network) {
        Fold::Never => (limit, limit, false),
        Fold::AtLimit => (limit, limit, limit < text.len()),
        Fold::After { chars, lines } => match fold_cut(text, limit, chars, lines, &pieces) {
            Some(cut) => (cut, limit, true),
            None => (limit, limit, false),
        },
    };
    // The folded part starts after the blank the fold ate.
    let folded_start = visible_end + text[visible_end..folded_end].len()
        - text[visible_end..folded_end].trim_start().len();
    PreviewText {
        visible: spans(network, text, &pieces, 0..visible_end),
        folded: spans(network, text, &pieces, folded_start..folded_end),
        overflow: spans(network, text, &pieces, limit..text.len()),
        more,
    }
}

/// The words WordPress shows as a post's excerpt: the first `words` of the text and whether
/// it was cut (WordPress then ends it with `[…]`; 55 words by default).
pub fn excerpt(text: &str, words: usize) -> (String, bool) {
    let mut taken = text.split_whitespace();
    let excerpt: Vec<&str> = taken.by_ref().take(words).collect();
    (excerpt.join(" "), taken.next().is_some())
}

/// The link a network would show as a card under the post: the draft's link, or on networks
/// that take links in the text the first link written there; `None` where the network shows
/// no card, or not beside media.
pub fn card_link(
    network: ComposeNetwork,
    text: &str,
    link: Option<&str>,
    has_media: bool,
) -> Option<String> {
    let rules = rules(network, &Options::default());
    if !rules.link.preview || has_media {
        return None;
    }
    let link = link.map(str::trim).filter(|l| !l.is_empty());
    match (link, rules.link.placement) {
        (Some(link), _) => Some(link.to_owned()),
        (None, crate::LinkPlacement::InText) => entities(text)
            .into_iter()
            .find(|e| e.kind == EntityKind::Url)
            .map(|e| text[e.start..e.end].to_owned()),
        (None, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(spans: &[Span]) -> Vec<(SpanKind, &str)> {
        spans.iter().map(|s| (s.kind, s.text.as_str())).collect()
    }

    fn owned(spans: &[Span]) -> Vec<(SpanKind, String)> {
        spans.iter().map(|s| (s.kind, s.text.clone())).collect()
    }

    fn all(preview: &PreviewText) -> String {
        [&preview.visible, &preview.folded, &preview.overflow]
            .into_iter()
            .flatten()
            .map(|s| s.text.as_str())
            .collect()
    }

    #[test]
    fn each_network_highlights_what_it_links() {
        let text = "Voir https://tribune.fr/a et tribune.fr, @marie @asso.bsky.social #Soldes";
        let on = |network| owned(&preview_text(network, text, &Options::default()).visible);
        let has = |spans: &[(SpanKind, String)], kind, typed: &str| {
            spans.iter().any(|(k, t)| *k == kind && t == typed)
        };
        let bluesky = on(ComposeNetwork::Bluesky);
        assert!(has(&bluesky, SpanKind::Link, "tribune.fr"));
        assert!(has(&bluesky, SpanKind::Mention, "@asso.bsky.social"));
        assert!(!has(&bluesky, SpanKind::Mention, "@marie"));
        assert!(has(&bluesky, SpanKind::Hashtag, "#Soldes"));
        let mastodon = on(ComposeNetwork::Mastodon);
        assert!(has(&mastodon, SpanKind::Link, "https://tribune.fr/a"));
        assert!(!has(&mastodon, SpanKind::Link, "tribune.fr"));
        assert!(has(&mastodon, SpanKind::Mention, "@marie"));
        let instagram = on(ComposeNetwork::Instagram);
        assert!(instagram.iter().all(|(kind, _)| *kind != SpanKind::Link));
        assert!(has(&instagram, SpanKind::Hashtag, "#Soldes"));
        let linkedin = on(ComposeNetwork::Linkedin);
        assert!(linkedin.iter().all(|(kind, _)| *kind != SpanKind::Mention));
        let wordpress = on(ComposeNetwork::Wordpress);
        assert_eq!(wordpress, [(SpanKind::Text, text.to_owned())]);
    }

    #[test]
    fn spans_cover_the_text_exactly() {
        let text = "a https://x.fr/b\n#c @d@e.fr é 👨‍👩‍👧 fin";
        for network in ComposeNetwork::ALL {
            assert_eq!(
                all(&preview_text(network, text, &Options::default())),
                text,
                "{network}"
            );
        }
    }

    #[test]
    fn links_are_shown_the_networks_way() {
        let url = "https://www.exemple.com/un/chemin/tres/long?x=1";
        assert_eq!(
            shown_link(ComposeNetwork::X, url),
            "exemple.com/un/chemin/tr…"
        );
        assert_eq!(
            shown_link(ComposeNetwork::Mastodon, url),
            "exemple.com/un/chemin/tres/lon…"
        );
        assert_eq!(
            shown_link(ComposeNetwork::Bluesky, url),
            "www.exemple.com/un/chemin/tr..."
        );
        assert_eq!(
            shown_link(ComposeNetwork::Bluesky, "https://a.fr/b"),
            "a.fr/b"
        );
        assert_eq!(shown_link(ComposeNetwork::Linkedin, url), url);
        assert_eq!(link_host(url).as_deref(), Some("exemple.com"));
        assert_eq!(
            link_host("HTTPS://user@Site.FR:8080/x").as_deref(),
            Some("site.fr:8080")
        );
        assert_eq!(link_host("https://"), None);
    }

    #[test]
    fn bluesky_cuts_at_300_graphemes() {
        // A decomposed é is one grapheme of two code points.
        let text = "e\u{301}".repeat(310);
        let preview = preview_text(ComposeNetwork::Bluesky, &text, &Options::default());
        assert_eq!(preview.visible[0].text, "e\u{301}".repeat(300));
        assert_eq!(preview.overflow[0].text, "e\u{301}".repeat(10));
        assert!(!preview.more);
        let fits = preview_text(
            ComposeNetwork::Bluesky,
            &"a".repeat(300),
            &Options::default(),
        );
        assert!(fits.overflow.is_empty() && fits.folded.is_empty());
    }

    #[test]
    fn mastodon_cuts_at_the_instance_limit_with_links_at_their_fixed_length() {
        let options = Options {
            mastodon: crate::MastodonInstance {
                max_characters: Some(30),
                ..Default::default()
            },
            ..Options::default()
        };
        let text = format!("Lien https://exemple.fr/{} et la suite", "x".repeat(80));
        let preview = preview_text(ComposeNetwork::Mastodon, &text, &options);
        // "Lien " (5) + the link (23) fit; " e" reaches 30; "t" is past.
        assert_eq!(kinds(&preview.visible)[1].0, SpanKind::Link);
        assert_eq!(preview.visible[1].shown, "exemple.fr/xxxxxxxxxxxxxxxxxxx…");
        assert_eq!(preview.visible[2].text, " e");
        assert_eq!(preview.overflow[0].text, "t la suite");
    }

    #[test]
    fn x_shows_more_past_280() {
        let text = format!("{} fin", "a".repeat(280));
        let preview = preview_text(ComposeNetwork::X, &text, &Options::default());
        assert!(preview.more);
        assert_eq!(preview.overflow[0].text, " fin");
        let short = preview_text(ComposeNetwork::X, "court", &Options::default());
        assert!(!short.more);
    }

    #[test]
    fn linkedin_folds_after_about_210_characters_at_a_word_and_instagram_after_two_lines() {
        let words = "mot ".repeat(80);
        let preview = preview_text(ComposeNetwork::Linkedin, &words, &Options::default());
        assert!(preview.more);
        let visible: String = preview.visible.iter().map(|s| s.text.as_str()).collect();
        assert!(
            visible.len() <= 210 && visible.len() > 200,
            "{}",
            visible.len()
        );
        assert!(visible.ends_with("mot"));
        assert!(preview.folded[0].text.starts_with("mot"));
        let lines = "un\ndeux\ntrois\nquatre";
        let caption = preview_text(ComposeNetwork::Instagram, lines, &Options::default());
        assert_eq!(kinds(&caption.visible), [(SpanKind::Text, "un\ndeux")]);
        assert_eq!(kinds(&caption.folded), [(SpanKind::Text, "trois\nquatre")]);
        let no_fold = preview_text(ComposeNetwork::Instagram, "un\ndeux\n", &Options::default());
        assert!(!no_fold.more);
    }

    #[test]
    fn a_fold_never_cuts_a_link() {
        let text = format!("{} https://exemple.fr/{}", "a".repeat(200), "b".repeat(40));
        let preview = preview_text(ComposeNetwork::Linkedin, &text, &Options::default());
        assert_eq!(
            kinds(&preview.visible),
            [(SpanKind::Text, "a".repeat(200).as_str())]
        );
        assert_eq!(preview.folded[0].kind, SpanKind::Link);
    }

    #[test]
    fn wordpress_excerpts_take_55_words() {
        let text = "mot ".repeat(60);
        let (excerpt, cut) = excerpt(&text, 55);
        assert_eq!(excerpt.split(' ').count(), 55);
        assert!(cut);
        assert_eq!(
            super::excerpt("deux  mots\n", 55),
            ("deux mots".to_owned(), false)
        );
    }

    #[test]
    fn cards_come_from_the_link_or_the_first_link_of_the_text() {
        let text = "Voir https://a.fr/x puis https://b.fr";
        assert_eq!(
            card_link(ComposeNetwork::Mastodon, text, None, false).as_deref(),
            Some("https://a.fr/x")
        );
        assert_eq!(
            card_link(ComposeNetwork::Bluesky, text, Some(" https://c.fr "), false).as_deref(),
            Some("https://c.fr")
        );
        assert_eq!(card_link(ComposeNetwork::Bluesky, text, None, false), None);
        assert_eq!(card_link(ComposeNetwork::Mastodon, text, None, true), None);
        assert_eq!(
            card_link(ComposeNetwork::Instagram, text, Some("https://c.fr"), false),
            None
        );
    }
}
