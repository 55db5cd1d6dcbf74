//! Text that looks like something it is not: names made only of invisible characters, text that
//! flips its own direction (bidirectional overrides), and e-mail addresses that mix alphabets so
//! that `аlice@example.fr` (a Cyrillic `а`) passes for `alice@example.fr`.

/// The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
/// reorder the text shown after them, so a name or an address can display as another.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing: spaces, controls, format characters (zero-width joiners, marks,
/// the byte-order mark, tags), fillers and variation selectors.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' // soft hyphen
            | '\u{034F}' // combining grapheme joiner
            | '\u{061C}' // Arabic letter mark
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
            | '\u{17B4}' | '\u{17B5}' // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}' // Mongolian selectors and vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space, joiners, direction marks
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, isolates
            | '\u{2800}' // braille blank
            | '\u{FE00}'..='\u{FE0F}' // variation selectors
            | '\u{FEFF}' // byte-order mark
            | '\u{1D173}'..='\u{1D17A}' // musical formatting
            | '\u{E0000}'..='\u{E007F}' // tags
            | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
        )
}

/// Why a name or an address is refused, as a catalogue key, or `None` when it is safe to show.
/// Empty text is not this check's business (the required-field check reports it).
pub fn deceptive_text(value: &str) -> Option<&'static str> {
    if value.chars().any(is_bidi_control) {
        Some("error-bidi-control")
    } else if !value.is_empty() && value.chars().all(is_invisible) {
        Some("error-invisible-only")
    } else {
        None
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Other,
}

/// The alphabet of a letter, for the families that are confused with one another; every other
/// alphabet counts as one. Digits, punctuation and marks have none.
fn script(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    Some(match c {
        'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Script::Greek,
        '\u{0400}'..='\u{052F}'
        | '\u{1C80}'..='\u{1C8F}'
        | '\u{2DE0}'..='\u{2DFF}'
        | '\u{A640}'..='\u{A69F}' => Script::Cyrillic,
        _ => Script::Other,
    })
}

fn mixes_scripts(part: &str) -> bool {
    let mut first = None;
    for found in part.chars().filter_map(script) {
        match first {
            None => first = Some(found),
            Some(seen) if seen != found => return true,
            Some(_) => {}
        }
    }
    false
}

/// Whether the local part, or one label of the domain, mixes alphabets (Latin with Cyrillic, for
/// instance). Not refused — such addresses exist — but worth a warning to whoever typed it.
pub fn email_mixes_scripts(email: &str) -> bool {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    mixes_scripts(local) || domain.split('.').any(mixes_scripts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidirectional_overrides_are_refused_anywhere_in_the_text() {
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}'] {
            assert_eq!(
                deceptive_text(&format!("Alice{c}gpj.exe")),
                Some("error-bidi-control")
            );
        }
        for c in ['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'] {
            assert_eq!(
                deceptive_text(&format!("{c}Bob")),
                Some("error-bidi-control")
            );
        }
    }

    #[test]
    fn names_made_only_of_invisible_characters_are_refused() {
        for name in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}",
            "\u{3164}\u{3164}",
            "\u{2800}",
            "\u{FEFF} \u{00AD}",
            "\u{E0041}\u{E0042}",
            "\u{115F}",
        ] {
            assert_eq!(
                deceptive_text(name),
                Some("error-invisible-only"),
                "{name:?}"
            );
        }
    }

    #[test]
    fn ordinary_names_in_any_alphabet_are_accepted() {
        for name in [
            "Élodie Martin",
            "Zoë",
            "Jean-Émile O'Neil",
            "Анна",
            "李雷",
            "👩‍💻 Sam",
            "",
        ] {
            assert_eq!(deceptive_text(name), None, "{name:?}");
        }
    }

    #[test]
    fn addresses_mixing_latin_and_cyrillic_are_flagged() {
        // The first letter is the Cyrillic а (U+0430).
        assert!(email_mixes_scripts("\u{0430}lice@example.fr"));
        // The о in the domain is Cyrillic (U+043E).
        assert!(email_mixes_scripts("alice@exampl\u{0435}.fr"));
        assert!(email_mixes_scripts("alice@g\u{043E}\u{043E}gle.com"));
        // Greek omicron among Latin letters.
        assert!(email_mixes_scripts("b\u{03BF}b@example.fr"));
    }

    #[test]
    fn addresses_in_one_alphabet_per_part_are_not_flagged() {
        for email in [
            "alice@example.fr",
            "élodie.martin@exemple.fr",
            "анна@пример.рф",
            "анна@example.fr",
            "bob+news2024@mail.example.co.uk",
        ] {
            assert!(!email_mixes_scripts(email), "{email}");
        }
    }
}
