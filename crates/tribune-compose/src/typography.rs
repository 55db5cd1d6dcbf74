//! French typography hints for the composer: the no-break spaces before `; : ! ?` and inside
//! « guillemets », curly apostrophes and the ellipsis character. A hint is a suggestion the
//! community manager accepts or ignores, never an automatic rewrite, and it must never fire
//! where a change would break something: links, e-mail addresses, @mentions, #hashtags,
//! `:shortcodes:`, times (`14:30`), smileys (`:)`, `;-)`). English text gets no hints.
//!
//! Convention: the Imprimerie nationale's (*Lexique des règles typographiques en usage à
//! l'Imprimerie nationale*): a narrow no-break space (U+202F) before `;`, `!` and `?`, a
//! no-break space (U+00A0) before `:` and inside « ». An existing no-break space of either width
//! is accepted as it is: only ordinary or missing spaces are flagged.
//!
//! Note for X: U+202F weighs 2 in X's weighted length (U+00A0 weighs 1), so each hint accepted
//! before `; ! ?` costs one more character there than an ordinary space.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::entities::entities;

/// No-break space, before `:` and inside guillemets.
pub const NBSP: char = '\u{A0}';
/// Narrow no-break space, before `;`, `!` and `?`.
pub const NNBSP: char = '\u{202F}';

/// The language a text is written in: only French gets typography hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HintKind {
    /// An ordinary or missing space before `; : ! ?`.
    SpaceBeforePunctuation,
    /// An ordinary or missing space after `«` or before `»`.
    SpaceInsideGuillemets,
    /// Straight double quotes `"…"` that French writes « … ».
    Guillemets,
    /// A straight apostrophe `'` inside a word, written `’`.
    Apostrophe,
    /// Three dots `...`, written `…`.
    Ellipsis,
}

impl HintKind {
    /// Every kind, for the test that each has a message in every catalogue.
    pub const ALL: [HintKind; 5] = [
        HintKind::SpaceBeforePunctuation,
        HintKind::SpaceInsideGuillemets,
        HintKind::Guillemets,
        HintKind::Apostrophe,
        HintKind::Ellipsis,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HintKind::SpaceBeforePunctuation => "space_before_punctuation",
            HintKind::SpaceInsideGuillemets => "space_inside_guillemets",
            HintKind::Guillemets => "guillemets",
            HintKind::Apostrophe => "apostrophe",
            HintKind::Ellipsis => "ellipsis",
        }
    }

    /// The Fluent catalogue key: `compose-hint-` and the kind with dashes.
    pub fn key(self) -> &'static str {
        match self {
            HintKind::SpaceBeforePunctuation => "compose-hint-space-before-punctuation",
            HintKind::SpaceInsideGuillemets => "compose-hint-space-inside-guillemets",
            HintKind::Guillemets => "compose-hint-guillemets",
            HintKind::Apostrophe => "compose-hint-apostrophe",
            HintKind::Ellipsis => "compose-hint-ellipsis",
        }
    }
}

/// One suggestion: replace the bytes `range` of the text with `replacement`. An empty range is
/// an insertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    pub kind: HintKind,
    pub range: Range<usize>,
    pub replacement: String,
}

/// The typography hints for `text`, sorted and never overlapping, so any subset of them can be
/// applied together with [`apply_hints`].
pub fn typography_hints(text: &str, lang: Lang) -> Vec<Hint> {
    if lang != Lang::Fr {
        return Vec::new();
    }
    let protected = protected_spans(text);
    let is_protected = |pos: usize| {
        let after = protected.partition_point(|span| span.end <= pos);
        protected.get(after).is_some_and(|span| span.start <= pos)
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut hints = Vec::new();
    for (idx, &(pos, c)) in chars.iter().enumerate() {
        if is_protected(pos) {
            continue;
        }
        let hint = match c {
            ';' | '!' | '?' | ':' => space_before_punctuation(&chars, idx),
            '«' => space_after_opening(text, &chars, idx),
            '»' => space_before_closing(&chars, idx),
            '\'' => apostrophe(&chars, idx),
            '.' => ellipsis(&chars, idx),
            _ => None,
        };
        hints.extend(hint);
    }
    hints.extend(guillemets(&chars, &is_protected));
    hints.sort_by_key(|hint| (hint.range.start, hint.range.end));
    let mut kept: Vec<Hint> = Vec::with_capacity(hints.len());
    for hint in hints {
        if kept.last().is_none_or(|last| !overlaps(last, &hint)) {
            kept.push(hint);
        }
    }
    kept
}

/// `text` with `hints` applied. Hints are taken in text order; one that overlaps a hint already
/// taken, or that does not fall on character boundaries of `text`, is skipped, so hints computed
/// on an older version of the text cannot corrupt it.
pub fn apply_hints(text: &str, hints: &[Hint]) -> String {
    let mut sorted: Vec<&Hint> = hints.iter().collect();
    sorted.sort_by_key(|hint| (hint.range.start, hint.range.end));
    let mut out = String::with_capacity(text.len() + 4 * hints.len());
    let mut cursor = 0;
    let mut last: Option<&Hint> = None;
    for hint in sorted {
        let Range { start, end } = hint.range;
        let valid = start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end)
            && start >= cursor
            && last.is_none_or(|last| !overlaps(last, hint));
        if !valid {
            continue;
        }
        out.push_str(&text[cursor..start]);
        out.push_str(&hint.replacement);
        cursor = end;
        last = Some(hint);
    }
    out.push_str(&text[cursor..]);
    out
}

/// Two hints overlap when their ranges share a byte, when both insert at the same place, or when
/// one inserts inside the other's range. `a` starts no later than `b`.
fn overlaps(a: &Hint, b: &Hint) -> bool {
    let (a, b) = (&a.range, &b.range);
    b.start < a.end || (a.is_empty() && b.is_empty() && a.start == b.start)
}

/// Byte ranges where no hint may fire, sorted and disjoint: links, addresses, mentions,
/// hashtags, custom emoji shortcodes.
fn protected_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = entities(text).iter().map(|e| e.start..e.end).collect();
    spans.extend(shortcodes(text));
    spans.sort_by_key(|span| span.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// Mastodon custom emoji such as `:blobcat:`, standing alone between spaces.
fn shortcodes(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut search = 0;
    while let Some(offset) = text[search..].find(':') {
        let start = search + offset;
        search = start + 1;
        let before_ok = text[..start]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        if !before_ok {
            continue;
        }
        let body = &text[start + 1..];
        let len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if len >= 2 && body[len..].starts_with(':') {
            let end = start + 1 + len + 1;
            if text[end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
            {
                found.push(start..end);
                search = end;
            }
        }
    }
    found
}

fn prev_char(chars: &[(usize, char)], idx: usize) -> Option<char> {
    idx.checked_sub(1).map(|i| chars[i].1)
}

fn next_char(chars: &[(usize, char)], idx: usize) -> Option<char> {
    chars.get(idx + 1).map(|&(_, c)| c)
}

fn byte_at(text: &str, chars: &[(usize, char)], idx: usize) -> usize {
    chars.get(idx).map_or(text.len(), |&(pos, _)| pos)
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// The hint for the space before the character at `idx`, which wants `wanted`: replace a run of
/// ordinary spaces, or insert where there is none. `None` when the space is already a no-break
/// one, the character starts a line, or follows something no space goes after.
fn space_before(chars: &[(usize, char)], idx: usize, wanted: char, kind: HintKind) -> Option<Hint> {
    let pos = chars[idx].0;
    let prev = prev_char(chars, idx)?;
    if prev == ' ' {
        let mut first = idx - 1;
        while first > 0 && chars[first - 1].1 == ' ' {
            first -= 1;
        }
        let line_start = first == 0 || is_line_break(chars[first - 1].1);
        return (!line_start).then(|| Hint {
            kind,
            range: chars[first].0..pos,
            replacement: wanted.to_string(),
        });
    }
    if prev.is_whitespace() || "([{«'".contains(prev) {
        return None;
    }
    Some(Hint {
        kind,
        range: pos..pos,
        replacement: wanted.to_string(),
    })
}

fn space_before_punctuation(chars: &[(usize, char)], idx: usize) -> Option<Hint> {
    let c = chars[idx].1;
    let prev = prev_char(chars, idx)?;
    let next = next_char(chars, idx);
    // `?!`, `!!`, `::`: the space goes before the first sign only.
    if "!?;:".contains(prev) || next == Some(c) && c == ':' {
        return None;
    }
    if matches!(c, ':' | ';') && is_emoticon(chars, idx) {
        return None;
    }
    if c == ':' {
        // 14:30, 16:9, C:\, a scheme the link finder did not take.
        let between_digits = prev.is_ascii_digit() && next.is_some_and(|n| n.is_ascii_digit());
        if between_digits || next.is_some_and(|n| n == '/' || n == '\\') {
            return None;
        }
    }
    let wanted = if c == ':' { NBSP } else { NNBSP };
    space_before(chars, idx, wanted, HintKind::SpaceBeforePunctuation)
}

/// `:)`, `:-(`, `;)`, `:D`, `:P`, `:'(`, `:3`, `:/` …: a smiley, not punctuation.
fn is_emoticon(chars: &[(usize, char)], idx: usize) -> bool {
    let face = |c: char| ")(][|/\\*$@<>{}".contains(c);
    let letter_face = |c: char| "DPpOo3Xx".contains(c);
    let ends = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let next = next_char(chars, idx);
    let after = next_char(chars, idx + 1);
    match next {
        Some(n) if face(n) => true,
        Some('-' | '\'' | '^') => after.is_some_and(|a| face(a) || letter_face(a)),
        Some(n) if letter_face(n) => ends(after),
        _ => false,
    }
}

fn space_after_opening(text: &str, chars: &[(usize, char)], idx: usize) -> Option<Hint> {
    let next = next_char(chars, idx)?;
    if next == ' ' {
        let mut end = idx + 1;
        while chars.get(end).is_some_and(|&(_, c)| c == ' ') {
            end += 1;
        }
        let line_end = chars.get(end).is_none_or(|&(_, c)| is_line_break(c));
        return (!line_end).then(|| Hint {
            kind: HintKind::SpaceInsideGuillemets,
            range: chars[idx + 1].0..byte_at(text, chars, end),
            replacement: NBSP.to_string(),
        });
    }
    if next.is_whitespace() || next == '»' {
        return None;
    }
    let pos = chars[idx + 1].0;
    Some(Hint {
        kind: HintKind::SpaceInsideGuillemets,
        range: pos..pos,
        replacement: NBSP.to_string(),
    })
}

fn space_before_closing(chars: &[(usize, char)], idx: usize) -> Option<Hint> {
    space_before(chars, idx, NBSP, HintKind::SpaceInsideGuillemets)
}

fn apostrophe(chars: &[(usize, char)], idx: usize) -> Option<Hint> {
    let letters = prev_char(chars, idx).is_some_and(char::is_alphabetic)
        && next_char(chars, idx).is_some_and(char::is_alphabetic);
    let pos = chars[idx].0;
    letters.then(|| Hint {
        kind: HintKind::Apostrophe,
        range: pos..pos + 1,
        replacement: "’".to_owned(),
    })
}

fn ellipsis(chars: &[(usize, char)], idx: usize) -> Option<Hint> {
    let dot = |i: usize| chars.get(i).is_some_and(|&(_, c)| c == '.');
    let three = prev_char(chars, idx) != Some('.') && dot(idx + 1) && dot(idx + 2) && !dot(idx + 3);
    let pos = chars[idx].0;
    three.then(|| Hint {
        kind: HintKind::Ellipsis,
        range: pos..pos + 3,
        replacement: "…".to_owned(),
    })
}

/// Straight double quotes that pair up cleanly on one line: `"` after a space opens, `"` before
/// a space or punctuation closes. A line where they do not alternate open/close (a stray quote,
/// nested quotes) gets no guillemet hint at all rather than a wrong one; `27"` (inches) is not a
/// quote.
fn guillemets(chars: &[(usize, char)], is_protected: &dyn Fn(usize) -> bool) -> Vec<Hint> {
    let mut hints = Vec::new();
    let mut line: Vec<Hint> = Vec::new();
    let mut ambiguous = false;
    let flush = |line: &mut Vec<Hint>, ambiguous: &mut bool, hints: &mut Vec<Hint>| {
        if !*ambiguous && line.len().is_multiple_of(2) {
            hints.append(line);
        }
        line.clear();
        *ambiguous = false;
    };
    for (idx, &(pos, c)) in chars.iter().enumerate() {
        if is_line_break(c) {
            flush(&mut line, &mut ambiguous, &mut hints);
            continue;
        }
        if c != '"' || is_protected(pos) {
            continue;
        }
        let prev = prev_char(chars, idx);
        let next = next_char(chars, idx);
        if prev.is_some_and(|p| p.is_ascii_digit()) {
            continue;
        }
        let can_open = prev.is_none_or(|p| p.is_whitespace() || "([{«—–-/'’".contains(p))
            && next.is_some_and(|n| !n.is_whitespace());
        let can_close = prev.is_some_and(|p| !p.is_whitespace())
            && next.is_none_or(|n| n.is_whitespace() || ".,;:!?)]}…»'’-".contains(n));
        let opening = line.len().is_multiple_of(2);
        if opening && can_open {
            line.push(Hint {
                kind: HintKind::Guillemets,
                range: pos..pos + 1,
                replacement: format!("«{NBSP}"),
            });
        } else if !opening && can_close {
            line.push(Hint {
                kind: HintKind::Guillemets,
                range: pos..pos + 1,
                replacement: format!("{NBSP}»"),
            });
        } else {
            ambiguous = true;
        }
    }
    flush(&mut line, &mut ambiguous, &mut hints);
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keys_and_serde_names_agree() {
        for kind in HintKind::ALL {
            assert_eq!(
                kind.key(),
                format!("compose-hint-{}", kind.as_str().replace('_', "-"))
            );
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
    }

    #[test]
    fn shortcodes_stand_alone() {
        assert_eq!(shortcodes("Bravo :blobcat: !"), vec![6..15]);
        assert!(shortcodes("Infos:horaires: ici").is_empty());
    }
}
