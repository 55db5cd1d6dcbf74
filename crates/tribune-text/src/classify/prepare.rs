//! Undoing the spellings people use to slip past filters, before classification only (the
//! matcher searches what was written):
//!
//! - letters borrowed from other scripts ("раthеtiс" with Cyrillic `р а е і с`, Greek `ο`,
//!   small capitals, circled letters) become the Latin letters they imitate;
//! - words spelt out with separators ("c.o.n.n.a.r.d", "b a s t a r d", "i-d-i-o-t")
//!   are joined again;
//! - digits and symbols inside words ("c0nnard", "b1tch", "f*ck", "enc*ler", "sh!t");
//! - links written so that they do not become links (`exemple[.]com`, `site(.)fr`,
//!   `site [dot] com`) are written back as links, and [`masked_link`] tells that it
//!   happened (a spam signal on its own).

use std::borrow::Cow;

/// Rewrites obfuscated words; returns the text unchanged (borrowed) when there are none.
pub fn deobfuscate(text: &str) -> Cow<'_, str> {
    let mut current: Cow<'_, str> = Cow::Borrowed(text);
    if let Some(latin) = latinise(&current) {
        current = Cow::Owned(latin);
    }
    if let Some(unmasked) = unmask_links(&current) {
        current = Cow::Owned(unmasked);
    }
    if let Some(joined) = join_spelled_out(&current) {
        current = Cow::Owned(joined);
    }
    if let Some(fixed) = fix_symbols(&current) {
        current = Cow::Owned(fixed);
    }
    current
}

/// True when the text writes a link so that it is not clickable (`exemple[.]com`).
pub fn masked_link(text: &str) -> bool {
    unmask_links(text).is_some()
}

/// The Latin letter a character from another script imitates.
fn homoglyph(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic.
        'а' | 'А' => 'a',
        'в' | 'В' => 'b',
        'е' | 'Е' | 'ё' | 'Ё' => 'e',
        'ѕ' | 'Ѕ' => 's',
        'і' | 'І' | 'ї' | 'Ї' => 'i',
        'ј' | 'Ј' => 'j',
        'к' | 'К' => 'k',
        'м' | 'М' => 'm',
        'н' | 'Н' | 'һ' | 'Һ' => 'h',
        'о' | 'О' => 'o',
        'р' | 'Р' => 'p',
        'с' | 'С' => 'c',
        'т' | 'Т' => 't',
        'у' | 'У' => 'y',
        'х' | 'Х' => 'x',
        'ԁ' => 'd',
        'ӏ' | 'Ӏ' => 'l',
        'ԛ' => 'q',
        'ԝ' => 'w',
        // Greek.
        'α' | 'Α' => 'a',
        'β' | 'Β' => 'b',
        'ε' | 'Ε' => 'e',
        'η' | 'Η' => 'h',
        'ι' | 'Ι' => 'i',
        'κ' | 'Κ' => 'k',
        'μ' | 'Μ' => 'm',
        'ν' | 'Ν' => 'n',
        'ο' | 'Ο' | 'σ' => 'o',
        'ρ' | 'Ρ' => 'p',
        'τ' | 'Τ' => 't',
        'υ' | 'Υ' => 'u',
        'χ' | 'Χ' => 'x',
        'ζ' | 'Ζ' => 'z',
        // Latin look-alikes outside the folding table.
        'ɑ' => 'a',
        'ɡ' => 'g',
        'ℓ' => 'l',
        'ı' => 'i',
        'ᴀ' => 'a',
        'ʙ' => 'b',
        'ᴄ' => 'c',
        'ᴅ' => 'd',
        'ᴇ' => 'e',
        'ɢ' => 'g',
        'ʜ' => 'h',
        'ɪ' => 'i',
        'ᴊ' => 'j',
        'ᴋ' => 'k',
        'ʟ' => 'l',
        'ᴍ' => 'm',
        'ɴ' => 'n',
        'ᴏ' => 'o',
        'ᴘ' => 'p',
        'ʀ' => 'r',
        'ꜱ' => 's',
        'ᴛ' => 't',
        'ᴜ' => 'u',
        'ᴠ' => 'v',
        'ᴡ' => 'w',
        'ʏ' => 'y',
        'ᴢ' => 'z',
        // Circled letters.
        '\u{24B6}'..='\u{24CF}' => char::from_u32(u32::from(b'a') + (c as u32 - 0x24B6))?,
        '\u{24D0}'..='\u{24E9}' => char::from_u32(u32::from(b'a') + (c as u32 - 0x24D0))?,
        _ => return None,
    })
}

fn latinise(text: &str) -> Option<String> {
    if text.is_ascii()
        || !text
            .chars()
            .any(|c| !c.is_ascii() && homoglyph(c).is_some())
    {
        return None;
    }
    Some(text.chars().map(|c| homoglyph(c).unwrap_or(c)).collect())
}

/// `exemple[.]com`, `exemple(.)com`, `exemple[dot]com`, `exemple (dot) com`,
/// `exemple . com`, `exemple dot com` (only before a common ending).
fn unmask_links(text: &str) -> Option<String> {
    const MASKS: &[&str] = &["[.]", "(.)", "{.}", "[dot]", "(dot)", "[point]", "(point)"];
    let lower_has = |needle: &str| text.contains(needle);
    let mut out: Option<String> = None;
    for mask in MASKS {
        if lower_has(mask) {
            let src = out.as_deref().unwrap_or(text);
            let replaced = src.replace(&format!(" {mask} "), ".").replace(mask, ".");
            out = Some(replaced);
        }
    }
    // "exemple dot com", "exemple . com", "exemple point fr".
    const ENDINGS: &[&str] = &[
        "com", "fr", "net", "org", "io", "co", "xyz", "info", "shop", "site", "online", "top",
        "me", "ly", "be", "ch", "ca", "eu",
    ];
    let src = out.as_deref().unwrap_or(text);
    if !src.split(' ').any(is_dot_word) {
        return out;
    }
    let words: Vec<&str> = src.split(' ').collect();
    if words.len() >= 3 {
        let mut rebuilt = String::with_capacity(src.len());
        let mut changed = false;
        let mut i = 0;
        while i < words.len() {
            let joinable = i + 2 < words.len()
                && is_dot_word(words[i + 1])
                && ENDINGS.contains(
                    &words[i + 2]
                        .trim_end_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase()
                        .as_str(),
                )
                && words[i].len() >= 3
                && words[i].chars().all(|c| c.is_alphanumeric() || c == '-');
            if !rebuilt.is_empty() {
                rebuilt.push(' ');
            }
            if joinable {
                rebuilt.push_str(words[i]);
                rebuilt.push('.');
                rebuilt.push_str(words[i + 2]);
                changed = true;
                i += 3;
            } else {
                rebuilt.push_str(words[i]);
                i += 1;
            }
        }
        if changed {
            out = Some(rebuilt);
        }
    }
    out
}

/// A word standing for the dot of a link: `dot`, `point`, or a lone symbol (`.`, `•`, `✦`,
/// `[.]`…) with no letter or digit.
fn is_dot_word(word: &str) -> bool {
    ["dot", "point", "[dot]", "(dot)"]
        .iter()
        .any(|d| word.eq_ignore_ascii_case(d))
        || (!word.is_empty()
            && word.chars().count() <= 3
            && !word
                .chars()
                .any(|c| c.is_alphanumeric() || matches!(c, ',' | ';' | ':' | '!' | '?' | '-')))
}

/// One letter, possibly followed by closing punctuation (the end of a spelt-out word).
fn lone_letter(piece: &str) -> Option<char> {
    let mut chars = piece.chars();
    let c = chars.next()?;
    if !c.is_alphabetic() || !chars.all(|p| matches!(p, ',' | '!' | '?' | '.' | ';' | ':')) {
        return None;
    }
    Some(c)
}

/// Letters that are words on their own ("y a", "à", "a", "I"), which a run of real
/// one-letter words is made of.
fn is_word_letter(c: char) -> bool {
    matches!(
        c.to_lowercase().next().unwrap_or(c),
        'a' | 'à' | 'y' | 'o' | 'i' | 'e' | 'é' | 'ô'
    )
}

/// A swear word or a word of the sentiment lexicons.
fn is_known(word: &str) -> bool {
    super::toxicity::is_profanity(word)
        || super::sentiment::word_valence(super::Language::En, word).is_some()
        || super::sentiment::word_valence(super::Language::Fr, word).is_some()
}

/// Joins words spelt out with separators: "c.o.n.n.a.r.d", "c-o-n", "f_u_c_k",
/// "c o n n a r d", "b a s t a r d" (three letters at least, not all of them letters that
/// are words on their own, so "il y a à" stays).
fn join_spelled_out(text: &str) -> Option<String> {
    if !text
        .split(' ')
        .any(|p| lone_letter(p).is_some() || join_separated(p).is_some())
    {
        return None;
    }
    let pieces: Vec<&str> = text.split(' ').collect();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < pieces.len() {
        if !out.is_empty() {
            out.push(' ');
        }
        // Separators inside one piece.
        if let Some(joined) = join_separated(pieces[i]) {
            out.push_str(&joined);
            changed = true;
            i += 1;
            continue;
        }
        // A run of one-letter pieces.
        let mut j = i;
        while j < pieces.len() && lone_letter(pieces[j]).is_some() {
            j += 1;
        }
        let run = j - i;
        let letters: Vec<char> = pieces[i..j].iter().filter_map(|p| lone_letter(p)).collect();
        if run >= 3 && !letters.iter().all(|&c| is_word_letter(c)) {
            // "a b a s t a r d": the article may start the run. Keep it apart when the
            // rest, and not the whole, is a known word.
            if run >= 4 && is_word_letter(letters[0]) {
                let whole: String = letters.iter().flat_map(|c| c.to_lowercase()).collect();
                let rest: String = letters[1..].iter().flat_map(|c| c.to_lowercase()).collect();
                if !is_known(&whole) && is_known(&rest) {
                    out.push_str(pieces[i]);
                    out.push(' ');
                    i += 1;
                }
            }
            for p in &pieces[i..j] {
                out.push_str(p.trim_end_matches(|c: char| !c.is_alphabetic()));
            }
            if let Some(last) = pieces.get(j - 1) {
                out.push_str(last.trim_start_matches(|c: char| c.is_alphabetic()));
            }
            changed = true;
            i = j;
        } else {
            out.push_str(pieces[i]);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// "c.o.n.n.a.r.d", "i-d-i-o-t", "f_u_c_k", "c*o*n": single letters between one kind of
/// separator, three letters at least.
fn join_separated(piece: &str) -> Option<String> {
    let trimmed = piece.trim_end_matches(['!', '?', ',', ';', ':']);
    let tail = &piece[trimmed.len()..];
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    let sep = trimmed
        .chars()
        .find(|c| matches!(c, '.' | '-' | '_' | '*' | '·' | '/'))?;
    let parts: Vec<&str> = trimmed.split(sep).collect();
    if parts.len() < 3
        || !parts
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
    {
        return None;
    }
    let mut joined: String = parts.concat();
    joined.push_str(tail);
    Some(joined)
}

fn fix_symbols(text: &str) -> Option<String> {
    if !text
        .chars()
        .any(|c| matches!(c, '0' | '1' | '3' | '4' | '5' | '7' | '@' | '$' | '*' | '!'))
    {
        return None;
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
    changed.then_some(out)
}

fn substitute(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '!' => 'i',
        _ => return None,
    })
}

/// A word of at least three characters with letters on both sides of the odd characters.
fn fix_word(piece: &str) -> Option<String> {
    let chars: Vec<char> = piece.chars().collect();
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    if letters < 2
        || chars.len() < 3
        || piece.contains("://")
        || piece.contains('.')
        || piece.starts_with('@')
        || piece.starts_with('#')
    {
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
    fn maps_letters_from_other_scripts_to_latin() {
        // Cyrillic р, а, е, і, с and Greek ο inside Latin words.
        assert_eq!(
            deobfuscate("quel \u{0440}\u{0430}th\u{0435}t\u{0456}\u{0441} clοwn"),
            "quel pathetic clown"
        );
        assert_eq!(deobfuscate("ᴄᴏɴɴᴀʀᴅ"), "connard");
    }

    #[test]
    fn joins_words_spelt_out_with_separators() {
        assert_eq!(deobfuscate("t'es un c.o.n.n.a.r.d"), "t'es un connard");
        assert_eq!(deobfuscate("what a b a s t a r d."), "what a bastard.");
        assert_eq!(deobfuscate("total i-d-i-o-t!"), "total idiot!");
        // Real one-letter words stay apart.
        assert_eq!(deobfuscate("il y a à manger"), "il y a à manger");
        assert_eq!(deobfuscate("plan A ou B"), "plan A ou B");
    }

    #[test]
    fn unmasks_links_written_to_dodge_filters() {
        assert_eq!(
            deobfuscate("va sur gagne-vite[.]com"),
            "va sur gagne-vite.com"
        );
        assert_eq!(
            deobfuscate("go to cashnow dot xyz now"),
            "go to cashnow.xyz now"
        );
        assert!(masked_link("infos sur exemple(.)fr"));
        assert_eq!(
            deobfuscate("promos sur soldes ✦ com ⁄ vite"),
            "promos sur soldes.com ⁄ vite"
        );
        assert!(!masked_link("le point sur la situation"));
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
