//! The workspace's words to avoid ("gratuit", "révolutionnaire", a competitor's name): found as
//! whole words, whatever their case and accents, so "GRATUIT", "Gratuït" and "gratuit !" all
//! match "gratuit" but "gratuite" and "gratuitement" do not. A term of several words matches
//! those words in a row, separated by spaces, hyphens or apostrophes ("prix cassé" matches
//! "PRIX CASSÉ" and "prix-cassé", not "prix très cassé").

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The byte ranges of `text` where one of `words` occurs as a whole word or run of words, in text
/// order and without overlap (the longest term wins where two start together).
pub fn avoided_words(text: &str, words: &[String]) -> Vec<Range<usize>> {
    let text_tokens = tokens(text);
    let terms: Vec<Vec<String>> = words
        .iter()
        .map(|word| {
            tokens(word)
                .into_iter()
                .map(|t| t.folded)
                .collect::<Vec<_>>()
        })
        .filter(|term| !term.is_empty())
        .collect();
    let mut found: Vec<Range<usize>> = Vec::new();
    for (i, first) in text_tokens.iter().enumerate() {
        let longest = terms
            .iter()
            .filter(|term| matches_at(text, &text_tokens[i..], term))
            .map(Vec::len)
            .max();
        if let Some(len) = longest {
            let range = first.range.start..text_tokens[i + len - 1].range.end;
            if found.last().is_none_or(|last| last.end <= range.start) {
                found.push(range);
            }
        }
    }
    found
}

struct Token {
    range: Range<usize>,
    folded: String,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start: Option<usize> = None;
    for (pos, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (start, is_word_char(c)) {
            (None, true) => start = Some(pos),
            (Some(s), false) => {
                tokens.push(Token {
                    range: s..pos,
                    folded: fold(&text[s..pos]),
                });
                start = None;
            }
            _ => {}
        }
    }
    tokens
}

/// Lower case without accents: `Été` → `ete`, `Œuvre` → `oeuvre`.
pub(crate) fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        match c {
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `term` starts at the first of `tokens`, its words separated in the text only by
/// spaces, hyphens or apostrophes.
fn matches_at(text: &str, tokens: &[Token], term: &[String]) -> bool {
    if tokens.len() < term.len() {
        return false;
    }
    let words_match = tokens
        .iter()
        .zip(term)
        .all(|(token, word)| token.folded == *word);
    let joined = tokens[..term.len()].windows(2).all(|pair| {
        text[pair[0].range.end..pair[1].range.start]
            .chars()
            .all(|c| c.is_whitespace() || "-‐'’".contains(c))
    });
    words_match && joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_ligatures() {
        assert_eq!(fold("ÉTÉ"), "ete");
        assert_eq!(fold("Gratuït"), "gratuit");
        assert_eq!(fold("e\u{301}te\u{301}"), "ete");
        assert_eq!(fold("Œuvre"), "oeuvre");
    }
}
