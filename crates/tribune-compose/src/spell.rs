//! Spell check for social text with Hunspell dictionaries (through `spellbook`): which words of a
//! post are worth checking, in which language, and which of them no dictionary knows. Loading
//! the dictionaries is the caller's business (this crate does no I/O); see the web crate's
//! `spell` module.
//!
//! What is not checked, because a dictionary cannot know it or because flagging it would drown
//! the real typos: links, e-mail addresses, @mentions and #hashtags (a hashtag is often several
//! glued words, `#GaletteDesRois`, that a dictionary cannot split), words with digits (`2026`,
//! `4K`), words in capitals (`SNCF`, acronyms and shouting), words with a capital inside
//! (`iPhone`), capitalised words inside a sentence (names of people, places and brands; a
//! capitalised word that starts a sentence is checked), one-letter words, and the workspace's
//! own words (its name, its channels' names).
//!
//! Words keep their inner apostrophes and hyphens, as Hunspell dictionaries expect:
//! `aujourd’hui`, `peut-être` and `l’Épiphanie` are looked up whole first (the typographic
//! apostrophe read as `'`); a French elision (`l’`, `qu’`, `jusqu’`…) whose whole form is
//! unknown is checked without its elided article, and a hyphenated word whose whole form is
//! unknown is accepted when each of its parts is known (`dit-elle`, `Saint-Malo-ville`).

use std::ops::Range;

use spellbook::Dictionary;
use unicode_normalization::char::is_combining_mark;

use crate::avoid::fold;
use crate::entities::entities;
use crate::typography::Lang;

/// Suggestions kept per misspelt word.
pub const MAX_SUGGESTIONS: usize = 3;

/// Words looked up per text at most: a post is far shorter; a pasted book is not checked past
/// this (the check runs on every keystroke pause).
pub const MAX_CHECKED_WORDS: usize = 2_000;

/// A word no dictionary of the text's language knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misspelling {
    /// Where the word is in the text, in bytes.
    pub range: Range<usize>,
    /// The dictionary's language that made the suggestions.
    pub lang: Lang,
    /// At most [`MAX_SUGGESTIONS`], best first; may be empty.
    pub suggestions: Vec<String>,
}

/// The languages to check `text` in, given the workspace's publishing languages: the language
/// the text is written in when it can be told (French or English, whatever the workspace
/// publishes in, so an English sentence in a French workspace is checked in English); the
/// workspace's languages when the text is too short to tell (a word is then misspelt only if
/// none of them knows it); none when the text is in another language (Spanish, German…).
pub fn spell_languages(text: &str, workspace: &[Lang]) -> Vec<Lang> {
    use tribune_text::classify::Language;
    match tribune_text::classify::lang::detect(text) {
        Language::Fr => vec![Lang::Fr],
        Language::En => vec![Lang::En],
        Language::Unknown => {
            let mut langs = Vec::new();
            for lang in workspace {
                if !langs.contains(lang) {
                    langs.push(*lang);
                }
            }
            langs
        }
        _ => Vec::new(),
    }
}

/// The byte ranges of the words of `text` worth checking (see the module's documentation for
/// what is left out), in text order. `accepted` are the workspace's own words, compared without
/// case and accents.
pub fn checkable_words(text: &str, accepted: &[String]) -> Vec<Range<usize>> {
    let accepted: Vec<String> = accepted
        .iter()
        .flat_map(|name| split_words(name))
        .map(|range_word| fold(&range_word))
        .collect();
    let skipped = entities(text);
    let mut words = Vec::new();
    for range in word_ranges(text) {
        if skipped
            .iter()
            .any(|e| e.start < range.end && range.start < e.end)
        {
            continue;
        }
        let word = &text[range.clone()];
        if worth_checking(text, &range, word) && !accepted.contains(&fold(word)) {
            words.push(range);
        }
    }
    words
}

/// The misspelt words of `text`: words that none of `dictionaries` knows, each reported once
/// (at its first place), at most `limit` of them (suggestions are the slow part: some 100 ms a
/// word with the French dictionary), with suggestions from the first dictionary.
pub fn misspellings(
    text: &str,
    dictionaries: &[(Lang, &Dictionary)],
    accepted: &[String],
    limit: usize,
) -> Vec<Misspelling> {
    let Some((first_lang, first)) = dictionaries.first() else {
        return Vec::new();
    };
    let mut found: Vec<Misspelling> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for range in checkable_words(text, accepted)
        .into_iter()
        .take(MAX_CHECKED_WORDS)
    {
        if found.len() >= limit {
            break;
        }
        let word = &text[range.clone()];
        if seen.contains(&word) {
            continue;
        }
        seen.push(word);
        if dictionaries
            .iter()
            .any(|(lang, dict)| knows(dict, *lang, word))
        {
            continue;
        }
        let mut suggestions = Vec::new();
        first.suggest(&word.replace('’', "'"), &mut suggestions);
        suggestions.truncate(MAX_SUGGESTIONS);
        found.push(Misspelling {
            range,
            lang: *first_lang,
            suggestions,
        });
    }
    found
}

/// French elided words, before an apostrophe.
const ELISIONS: [&str; 14] = [
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu",
];

/// Whether `dict` knows `word`, whole, without its French elision, or part by part when it
/// has hyphens.
fn knows(dict: &Dictionary, lang: Lang, word: &str) -> bool {
    let word = word.replace('’', "'");
    if dict.check(&word) {
        return true;
    }
    if let Some((head, rest)) = word.split_once('\'')
        && !rest.is_empty()
    {
        let elided = lang == Lang::Fr && ELISIONS.contains(&head.to_lowercase().as_str());
        // English possessives: "Marie's" is known when "Marie" is.
        let possessive = lang == Lang::En && (rest == "s" || rest == "S");
        if elided {
            return knows(dict, lang, rest);
        }
        if possessive {
            return knows(dict, lang, head);
        }
    }
    if word.contains(['-', '‐']) {
        let mut parts = word.split(['-', '‐']).filter(|p| !p.is_empty()).peekable();
        return parts.peek().is_some() && parts.all(|part| dict.check(part));
    }
    false
}

fn is_letter(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '‐')
}

/// Runs of letters, with apostrophes and hyphens kept between two letters.
fn word_ranges(text: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        if is_letter(c) {
            if start.is_none() {
                start = Some(pos);
            }
            continue;
        }
        let next_is_letter = chars.peek().is_some_and(|(_, n)| is_letter(*n));
        if let Some(s) = start
            && !(is_joiner(c) && next_is_letter)
        {
            words.push(s..pos);
            start = None;
        }
    }
    if let Some(s) = start {
        words.push(s..text.len());
    }
    words
}

fn split_words(text: &str) -> Vec<String> {
    word_ranges(text)
        .into_iter()
        .map(|r| text[r].to_owned())
        .collect()
}

/// Whether `word` (at `range` of `text`) is one a dictionary can judge.
fn worth_checking(text: &str, range: &Range<usize>, word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 || word.chars().any(|c| c.is_numeric()) {
        return false;
    }
    if letters.iter().all(|c| !c.is_lowercase()) {
        return false;
    }
    // The word's own parts: after an elision (`l’Épiphanie`) or a hyphen (`Jean-Pierre`), a
    // capital starts a part.
    let mut parts = word.split(is_joiner);
    let first_part = parts.next().unwrap_or_default();
    let inner_capital = std::iter::once(first_part)
        .chain(parts)
        .any(|part| part.chars().skip(1).any(char::is_uppercase));
    if inner_capital {
        return false;
    }
    let capitalised = first_part.chars().next().is_some_and(char::is_uppercase);
    !capitalised || starts_sentence(&text[..range.start])
}

/// Whether the text before a word ends a sentence (or is empty): only spaces, quotes and
/// brackets since the last `.`, `!`, `?`, `…`, line break or emoji-free start.
fn starts_sentence(before: &str) -> bool {
    for c in before.chars().rev() {
        if c.is_whitespace() && c != '\n' {
            continue;
        }
        if matches!(c, '«' | '"' | '“' | '(' | '[' | '\u{A0}' | '\u{202F}') {
            continue;
        }
        return matches!(c, '.' | '!' | '?' | '…' | '\n' | ':');
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        checkable_words(text, &[])
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn skips_links_emails_mentions_and_hashtags() {
        assert_eq!(
            words(
                "voir https://tribune.example/agnda et tribune.fr/progrm, écrire à contct@tribune.fr"
            ),
            ["voir", "et", "écrire"]
        );
        assert_eq!(
            words("merci @boulangrie et @marie@mastodon.social #GaletteDesRois #galete"),
            ["merci", "et"]
        );
    }

    #[test]
    fn skips_numbers_capitals_and_names() {
        assert_eq!(
            words("Le 6 janvier 2026, la SNCF et l’iPhone 4K à Rouen. Galete bientot"),
            ["Le", "janvier", "la", "et", "Galete", "bientot"]
        );
        assert_eq!(words("« Bonjour » dit Marie-Claire"), ["Bonjour", "dit"]);
        assert_eq!(words("ÇA VA ?"), Vec::<&str>::new());
    }

    #[test]
    fn keeps_elisions_and_hyphens_inside_words() {
        assert_eq!(
            words("l’Épiphanie, aujourd'hui, peut-être qu’il viendra - ou pas."),
            [
                "l’Épiphanie",
                "aujourd'hui",
                "peut-être",
                "qu’il",
                "viendra",
                "ou",
                "pas"
            ]
        );
        assert_eq!(
            words("c’est 'cité' -- rendez-vous"),
            ["c’est", "cité", "rendez-vous"]
        );
    }

    #[test]
    fn skips_the_workspace_s_own_words_and_one_letter_words() {
        let text = "la boulangrie dupnt a un four";
        let words: Vec<&str> = checkable_words(text, &["Boulangrie Dupnt".into()])
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(words, ["la", "un", "four"]);
    }

    #[test]
    fn emoji_and_punctuation_are_not_words() {
        assert_eq!(words("🎉🎉 bravo !!! 👏"), ["bravo"]);
    }

    #[test]
    fn chooses_the_text_s_language_or_the_workspace_s() {
        assert_eq!(
            spell_languages(
                "La galette des rois arrive bientôt et elle est bonne",
                &[Lang::En]
            ),
            [Lang::Fr]
        );
        assert_eq!(
            spell_languages("The cake is here and it is good", &[Lang::Fr]),
            [Lang::En]
        );
        assert_eq!(
            spell_languages("Galette", &[Lang::Fr, Lang::En]),
            [Lang::Fr, Lang::En]
        );
        assert!(
            spell_languages("El pastel está muy bueno y es para todos", &[Lang::Fr]).is_empty()
        );
    }
}
