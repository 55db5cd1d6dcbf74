//! One tokenizer for posts, query terms and classifiers, so that what a query means by a
//! "word" is exactly what the matcher finds in a post.
//!
//! A text is folded once (see [`crate::normalize`]) and cut into words, `#hashtags`,
//! `@handles` and emoji. Links are not words: their domains are collected apart for the
//! `url:` operator and the spam classifier. French elisions are dropped (`l'arnaque` gives
//! the word `arnaque`), other apostrophes are removed (`don't` gives `dont`), and hyphens
//! separate words (`peut-être` gives `peut`, `etre`). A word ending in an English clitic
//! (`Acme's`, `it's`, `we're`) also records its base (`acme`, `it`, `we`), which the matcher
//! accepts at the same position as the whole word (`acmes`).

use crate::normalize::{fold_into, is_emoji, is_word_char};

/// What a token is; the matcher compares kinds as well as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenKind {
    /// A plain word or number.
    Word,
    /// `#tag`, stored without the `#`.
    Hashtag,
    /// `@handle`, stored without the `@`.
    Mention,
    /// One pictograph (modifiers dropped).
    Emoji,
}

/// Punctuation between a token and the one before it (used by the classifiers to end the
/// scope of a negation or of a contrast; the matcher ignores it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Boundary {
    /// Only spaces (or nothing: the first token).
    #[default]
    None,
    /// `,` `;` `:` `(` `)` `"` and dashes: a clause break.
    Clause,
    /// `.` `!` `?` `…`: a sentence break.
    Sentence,
}

/// A token: its kind, its folded text as a byte range of [`Tokens::folded`], whether it
/// was written in capitals (used by the classifiers: "NUL", "GREAT") and the punctuation
/// that precedes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: u32,
    pub end: u32,
    pub all_caps: bool,
    pub boundary: Boundary,
    /// End of the word's base in [`Tokens::folded`] when it ends with an English clitic
    /// (`acme` in `acme's`, `it` in `it's`); `end` otherwise. See [`Tokens::base`].
    pub base_end: u32,
}

/// A tokenized text.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    /// Folded token texts, concatenated (ranges in [`Token`]).
    pub folded: String,
    pub tokens: Vec<Token>,
    /// Folded domains of the links, without `www.` (e.g. `gagne-vite.xyz`, `t.me`).
    pub domains: Vec<String>,
    /// Number of `!` in the text (classifier intensity cue).
    pub exclamations: u32,
    /// Number of `?` in the text.
    pub questions: u32,
    /// Strongest punctuation seen since the last token (becomes the next token's boundary).
    pending: Boundary,
}

impl Tokens {
    /// Folded text of one token.
    pub fn text(&self, token: &Token) -> &str {
        self.folded
            .get(token.start as usize..token.end as usize)
            .unwrap_or("")
    }

    /// The base of a word written with an English possessive or contraction (`acme` for
    /// "Acme's" or "Acme’s", `it` for "it's"), whose folded text is the whole word without
    /// the apostrophe (`acmes`, `its`). A query term matches either.
    pub fn base(&self, token: &Token) -> Option<&str> {
        if token.base_end >= token.end {
            return None;
        }
        self.folded
            .get(token.start as usize..token.base_end as usize)
    }

    /// Iterates over `(kind, folded text)`.
    pub fn iter(&self) -> impl Iterator<Item = (TokenKind, &str)> + '_ {
        self.tokens.iter().map(|t| (t.kind, self.text(t)))
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// French clitics written with an elided vowel; the word after the apostrophe is kept.
const ELISIONS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu",
];

/// English clitics after an apostrophe: possessive `'s` and the contractions of `is`/`has`,
/// `are`, `have`, `will`, `would`/`had` and `am`. `n't` is not one: the base of "don't"
/// would be "don".
const CLITICS: &[&str] = &["s", "re", "ve", "ll", "d", "m"];

/// Tokenizes `text` (any case, any accents).
pub fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens {
        folded: String::with_capacity(text.len() + 8),
        // About one token per six bytes of social text: one allocation instead of six.
        tokens: Vec::with_capacity(text.len() / 6 + 4),
        ..Tokens::default()
    };
    let mut chars = Vec::with_capacity(32);
    for (piece, plain_ascii) in pieces(text) {
        // Most pieces are plain ASCII words: the same token as `tokenize_piece` would
        // make, without decoding characters (the matcher's inner loop starts here).
        if plain_ascii {
            push_ascii_word(&mut out, piece);
            continue;
        }
        if let Some(domain) = link_domain(piece) {
            out.domains.push(domain);
            continue;
        }
        chars.clear();
        chars.extend(piece.chars());
        tokenize_piece(&chars, &mut out);
    }
    out
}

/// The whitespace-separated pieces of `text` (exactly `str::split_whitespace`), each with
/// whether it is made only of ASCII letters, digits and `_`: one pass over the bytes,
/// decoding characters only where a byte is not ASCII.
fn pieces(text: &str) -> impl Iterator<Item = (&str, bool)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    // The length of the whitespace character at `at`, if there is one.
    let space_at = move |at: usize| -> Option<usize> {
        let b = *bytes.get(at)?;
        if b.is_ascii() {
            return matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r').then_some(1);
        }
        let c = text.get(at..)?.chars().next()?;
        c.is_whitespace().then(|| c.len_utf8())
    };
    std::iter::from_fn(move || {
        while let Some(len) = space_at(i) {
            i += len;
        }
        let start = i;
        let mut plain = true;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                if matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
                    break;
                }
                plain &= b.is_ascii_alphanumeric() || b == b'_';
                i += 1;
            } else {
                let c = text.get(i..)?.chars().next()?;
                if c.is_whitespace() {
                    break;
                }
                plain = false;
                i += c.len_utf8();
            }
        }
        (i > start).then(|| text.get(start..i).map(|piece| (piece, plain)))?
    })
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}')
}

/// A word character that stays in the token (apostrophes such as `ʼ` are letters but are
/// removed).
fn is_name_char(c: char) -> bool {
    is_word_char(c) && !is_apostrophe(c)
}

fn is_joiner(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1F3FB..=0x1F3FF | 0xFE0E | 0xFE0F | 0x200D | 0xE0020..=0xE007F)
}

/// Cuts one whitespace-free piece that is not a link.
fn tokenize_piece(chars: &[char], out: &mut Tokens) {
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // A #tag or @handle starts with a letter or digit that survives folding: `ʼ` is a
        // letter but is dropped, so `@ʼ.om` would print as `@.om` (found by the fuzzer).
        let next_is_name = chars.get(i + 1).is_some_and(|&n| is_name_char(n));
        if (c == '#' || c == '@') && next_is_name {
            let kind = if c == '#' {
                TokenKind::Hashtag
            } else {
                TokenKind::Mention
            };
            let mut j = i + 1;
            while j < chars.len()
                && (is_word_char(chars[j])
                    || is_joiner(chars[j])
                    || (kind == TokenKind::Mention
                        && matches!(chars[j], '.' | '-')
                        && chars.get(j + 1).is_some_and(|&n| is_name_char(n))))
            {
                j += 1;
            }
            push_token(out, kind, &chars[i + 1..j], None);
            i = j;
        } else if is_emoji(c) {
            push_token(out, TokenKind::Emoji, &chars[i..=i], None);
            i += 1;
        } else if is_word_char(c) {
            let mut start = i;
            let mut j = i;
            // The last apostrophe inside the word that was not a French elision.
            let mut last_apostrophe = None;
            loop {
                while j < chars.len() && (is_word_char(chars[j]) || is_joiner(chars[j])) {
                    j += 1;
                }
                let apostrophe_inside =
                    j + 1 < chars.len() && is_apostrophe(chars[j]) && is_word_char(chars[j + 1]);
                if !apostrophe_inside {
                    break;
                }
                let head: String = chars[start..j].iter().collect::<String>().to_lowercase();
                if ELISIONS.contains(&head.as_str()) {
                    // Drop the clitic and start the real word after the apostrophe.
                    start = j + 1;
                } else {
                    last_apostrophe = Some(j);
                }
                j += 1;
            }
            let base_chars = last_apostrophe
                .filter(|&a| {
                    let tail: String = chars[a + 1..j].iter().collect::<String>().to_lowercase();
                    CLITICS.contains(&tail.as_str())
                })
                .map(|a| a - start);
            // `push_token` drops the apostrophes.
            push_token(out, TokenKind::Word, &chars[start..j], base_chars);
            i = j;
        } else {
            let boundary = match c {
                '!' => {
                    out.exclamations += 1;
                    Boundary::Sentence
                }
                '?' => {
                    out.questions += 1;
                    Boundary::Sentence
                }
                '.' | '\u{2026}' => Boundary::Sentence,
                ',' | ';' | ':' | '(' | ')' | '"' | '\u{00AB}' | '\u{00BB}' | '\u{201C}'
                | '\u{201D}' | '\u{2013}' | '\u{2014}' => Boundary::Clause,
                // A dash between letters joins ("well-made"); alone it separates.
                '-' if i > 0
                    && is_word_char(chars[i - 1])
                    && chars.get(i + 1).is_some_and(|&n| is_word_char(n)) =>
                {
                    Boundary::None
                }
                '-' => Boundary::Clause,
                _ => Boundary::None,
            };
            out.pending = out.pending.max(boundary);
            i += 1;
        }
    }
}

/// [`push_token`] for a word made only of ASCII letters, digits and `_`.
fn push_ascii_word(out: &mut Tokens, word: &str) {
    let start = out.folded.len();
    let (mut letters, mut upper) = (0usize, 0usize);
    for b in word.bytes() {
        letters += usize::from(b.is_ascii_alphabetic());
        upper += usize::from(b.is_ascii_uppercase());
    }
    out.folded.push_str(word);
    if let Some(added) = out.folded.get_mut(start..) {
        added.make_ascii_lowercase();
    }
    let end = out.folded.len();
    if end == start {
        return;
    }
    let end = u32::try_from(end).unwrap_or(u32::MAX);
    out.tokens.push(Token {
        kind: TokenKind::Word,
        start: u32::try_from(start).unwrap_or(u32::MAX),
        end,
        all_caps: letters >= 2 && upper == letters,
        boundary: std::mem::take(&mut out.pending),
        base_end: end,
    });
}

/// Appends a token made of `chars` folded, apostrophes dropped; `base_chars`: how many of
/// them form the base of a word with an English clitic.
fn push_token(out: &mut Tokens, kind: TokenKind, chars: &[char], base_chars: Option<usize>) {
    let start = out.folded.len();
    let mut base_end = None;
    let mut letters = 0usize;
    let mut upper = 0usize;
    let mut buf = [0u8; 4];
    for (n, &c) in chars.iter().enumerate() {
        if Some(n) == base_chars {
            base_end = Some(out.folded.len());
        }
        // Apostrophes never survive in a token: `ʼ` (U+02BC) is a letter, so it can end up
        // inside a #tag, where it folded to `'` and the printed query no longer matched
        // (found by the fuzzer: `#Fgʼ`).
        if (is_joiner(c) && kind != TokenKind::Word) || is_apostrophe(c) {
            continue;
        }
        if c.is_alphabetic() {
            letters += 1;
            if c.is_uppercase() {
                upper += 1;
            }
        }
        fold_into(c.encode_utf8(&mut buf), &mut out.folded);
    }
    let end = out.folded.len();
    if end == start {
        return;
    }
    let base_end = base_end.filter(|&b| b > start).unwrap_or(end);
    out.tokens.push(Token {
        kind,
        start: u32::try_from(start).unwrap_or(u32::MAX),
        end: u32::try_from(end).unwrap_or(u32::MAX),
        all_caps: letters >= 2 && upper == letters,
        boundary: std::mem::take(&mut out.pending),
        base_end: u32::try_from(base_end).unwrap_or(u32::MAX),
    });
}

/// Top-level domains accepted for bare links written without `http` (`promo.xyz/win`).
/// Common words followed by a full stop without a space ("fin.Le") must not become links,
/// so unknown endings are only links when a scheme, `www.` or a path is present.
const BARE_TLDS: &[&str] = &[
    "com", "fr", "net", "org", "io", "co", "me", "xyz", "top", "click", "shop", "info", "biz",
    "online", "site", "store", "app", "ly", "gl", "be", "ch", "ca", "uk", "de", "eu", "tk", "ml",
    "ga", "cf", "gq", "ru", "cn", "live", "link", "club", "vip", "win", "bet", "casino", "money",
    "finance", "loan", "work", "buzz", "today", "icu", "cc", "pw", "ws", "to", "gg", "tv", "us",
    "social", "bio", "page", "sbs", "cfd", "rest", "fun", "life", "world", "tech", "space",
];

/// Returns the folded domain (without `www.`) if `piece` is a link.
pub(crate) fn link_domain(piece: &str) -> Option<String> {
    // Most pieces are plain words: a link always has a dot.
    if !piece.contains('.') {
        return None;
    }
    let trimmed = piece.trim_matches(|c: char| {
        matches!(
            c,
            '(' | ')' | '[' | ']' | '<' | '>' | '"' | '\'' | ',' | ';' | '!' | '?' | '.' | ':'
        ) || c == '\u{00AB}'
            || c == '\u{00BB}'
    });
    // `@alice.bsky.social` is a handle (Bluesky handles are domains), not a link.
    if trimmed.starts_with('@') {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    let (rest, explicit) = if let Some(r) = lower.strip_prefix("https://") {
        (r, true)
    } else if let Some(r) = lower.strip_prefix("http://") {
        (r, true)
    } else if lower.starts_with("www.") {
        (lower.as_str(), true)
    } else {
        (lower.as_str(), false)
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let has_path = host_end < rest.len();
    let host = rest.get(..host_end)?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    let host = host.strip_prefix("www.").unwrap_or(host);
    let (labels, tld) = host.rsplit_once('.')?;
    let valid_label =
        |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !labels.split('.').all(valid_label)
        || tld.len() < 2
        || tld.len() > 24
        || !tld.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    if !explicit && !has_path && !BARE_TLDS.contains(&tld) {
        return None;
    }
    Some(host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(TokenKind, String)> {
        let t = tokenize(text);
        t.iter().map(|(k, s)| (k, s.to_owned())).collect()
    }

    #[test]
    fn drops_french_elisions() {
        let w = words("C'est l’arnaque d'Orange jusqu'à aujourd'hui");
        let texts: Vec<&str> = w.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(texts, ["est", "arnaque", "orange", "a", "aujourdhui"]);
    }

    #[test]
    fn keeps_english_contractions_as_one_word() {
        let t = tokenize("I don't like it's");
        let texts: Vec<&str> = t.iter().map(|(_, s)| s).collect();
        assert_eq!(texts, ["i", "dont", "like", "its"]);
    }

    #[test]
    fn pieces_are_split_whitespace_pieces() {
        for text in [
            "",
            "   ",
            "a",
            " a  b\tc\nd\u{0B}e\u{0C}f\rg ",
            "prix\u{00A0}!\u{202F}ok\u{2009}été\u{3000}fin",
            "émoji😡 x_1 l'arnaque #Fibre",
            "\u{85}a\u{2028}b",
        ] {
            let got: Vec<&str> = pieces(text).map(|(p, _)| p).collect();
            let want: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(got, want, "{text:?}");
            for (piece, plain) in pieces(text) {
                let expected = piece
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
                assert_eq!(plain, expected, "{piece:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn pieces_match_split_whitespace_on_any_text(text in "(?s).{0,40}") {
            let got: Vec<&str> = pieces(&text).map(|(p, _)| p).collect();
            let want: Vec<&str> = text.split_whitespace().collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn ascii_words_take_a_shortcut_to_the_same_tokens() {
        for piece in ["Hello", "NUL", "a", "x_1", "ABC123", "_", "9", "Ab", "AB"] {
            let mut fast = Tokens::default();
            push_ascii_word(&mut fast, piece);
            let mut slow = Tokens::default();
            let chars: Vec<char> = piece.chars().collect();
            tokenize_piece(&chars, &mut slow);
            assert_eq!(fast.folded, slow.folded, "{piece}");
            assert_eq!(fast.tokens, slow.tokens, "{piece}");
        }
    }

    #[test]
    fn english_possessives_and_contractions_keep_their_base() {
        let t = tokenize(
            "Acme's app, Acme’s team, it's fine, we're late, l'Acme's, don't, aujourd'hui",
        );
        let pairs: Vec<(&str, Option<&str>)> =
            t.tokens.iter().map(|k| (t.text(k), t.base(k))).collect();
        assert_eq!(
            pairs,
            [
                ("acmes", Some("acme")),
                ("app", None),
                ("acmes", Some("acme")),
                ("team", None),
                ("its", Some("it")),
                ("fine", None),
                ("were", Some("we")),
                ("late", None),
                ("acmes", Some("acme")),
                ("dont", None),
                ("aujourdhui", None),
            ]
        );
    }

    #[test]
    fn recognises_hashtags_mentions_emoji_and_links() {
        let t =
            tokenize("Merci @Free_Mobile #Fibre 😡😡 voir https://www.Example.com/x et promo.xyz!");
        let kinds: Vec<(TokenKind, &str)> = t.iter().collect();
        assert_eq!(
            kinds,
            [
                (TokenKind::Word, "merci"),
                (TokenKind::Mention, "free_mobile"),
                (TokenKind::Hashtag, "fibre"),
                (TokenKind::Emoji, "😡"),
                (TokenKind::Emoji, "😡"),
                (TokenKind::Word, "voir"),
                (TokenKind::Word, "et"),
            ]
        );
        assert_eq!(t.domains, ["example.com", "promo.xyz"]);
    }

    #[test]
    fn handles_with_dots_are_mentions_not_links() {
        let t = tokenize("merci @alice.bsky.social et bob@example.com");
        assert_eq!(t.domains, ["example.com"]);
        assert!(
            t.iter()
                .any(|(k, s)| k == TokenKind::Mention && s == "alice.bsky.social")
        );
    }

    #[test]
    fn sentence_ends_are_not_links() {
        assert!(tokenize("fin.Le film").domains.is_empty());
    }

    #[test]
    fn records_the_punctuation_before_each_token() {
        let t = tokenize("Not good, but fine. Really - ok");
        let b: Vec<Boundary> = t.tokens.iter().map(|t| t.boundary).collect();
        use Boundary::{Clause, None, Sentence};
        assert_eq!(b, [None, None, Clause, None, Sentence, Clause]);
    }

    #[test]
    fn marks_all_caps_words() {
        let t = tokenize("C'est NUL a");
        assert!(t.tokens[1].all_caps);
        assert!(!t.tokens[0].all_caps);
    }
}
