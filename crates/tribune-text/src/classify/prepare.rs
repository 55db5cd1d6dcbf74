//! Undoing the spellings people use to slip past filters ("c0nnard", "f*ck", "b1tch",
//! "enc*ler"), before classification only: the matcher searches what was written.

use std::borrow::Cow;

/// Rewrites obfuscated words; returns the text unchanged (borrowed) when there are none.
pub fn deobfuscate(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| matches!(c, '0' | '1' | '3' | '4' | '5' | '@' | '$' | '*'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    for (i, piece) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match fix_word(piece) {
            Some(fixed) => {
                out.push_str(&fixed);
                changed = true;
            }
            None => out.push_str(piece),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

fn substitute(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        _ => return None,
    })
}

/// A word of at least three characters with letters on both sides of the odd characters.
fn fix_word(piece: &str) -> Option<String> {
    let chars: Vec<char> = piece.chars().collect();
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || chars.len() < 3 || piece.contains("://") || piece.contains('.') {
        return None;
    }
    let mut changed = false;
    let mut out = String::with_capacity(piece.len());
    for (i, &c) in chars.iter().enumerate() {
        let inside = i > 0
            && chars[..i].iter().any(|c| c.is_alphabetic())
            && chars[i + 1..].iter().any(|c| c.is_alphabetic());
        let replacement = if c == '*' {
            Some(guess_starred(&chars, i))
        } else {
            substitute(c)
        };
        match replacement {
            Some(s) if inside => {
                out.push(s);
                changed = true;
            }
            _ => out.push(c),
        }
    }
    changed.then_some(out)
}

/// Stems that starred words usually hide ("f*ck", "b*tch", "c*uilles", "enc*ler").
const STARRED: &[&str] = &[
    "fuck", "bitch", "shit", "dick", "cunt", "slut", "whore", "couill", "encul", "connard",
    "conna", "salop", "pute", "merde", "putain", "nique", "batard", "bordel",
];

/// Picks the vowel that turns the word into a known swear word, `u` otherwise.
fn guess_starred(chars: &[char], at: usize) -> char {
    for v in ['u', 'i', 'o', 'a', 'e'] {
        let word: String = chars
            .iter()
            .enumerate()
            .map(|(j, &c)| if j == at { v } else { c })
            .flat_map(char::to_lowercase)
            .collect();
        if STARRED.iter().any(|s| word.contains(s)) {
            return v;
        }
    }
    'u'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undoes_common_obfuscations() {
        assert_eq!(deobfuscate("c0nnard de b1tch"), "connard de bitch");
        assert_eq!(deobfuscate("f*ck you r3tards"), "fuck you retards");
        assert_eq!(deobfuscate("b*tch c*uilles"), "bitch couilles");
    }

    #[test]
    fn leaves_numbers_prices_and_links_alone() {
        assert_eq!(deobfuscate("4,20 € pour 100 g"), "4,20 € pour 100 g");
        assert_eq!(
            deobfuscate("voir https://a1.example.com/x3y"),
            "voir https://a1.example.com/x3y"
        );
        assert!(matches!(deobfuscate("rien"), Cow::Borrowed(_)));
    }
}
