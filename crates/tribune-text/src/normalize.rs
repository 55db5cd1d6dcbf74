//! Text folding shared by the query language, the matcher and the classifiers.
//!
//! Everything that compares text goes through [`fold`], so that a query typed as
//! `Remboursé` matches a post written `REMBOURSE`, `rembourse` or `rembourśe` with a
//! combining accent. Folding is done once per text with a hand-written table (no Unicode
//! database dependency): French and English only need Latin-1 and a few ligatures, and
//! spammers' "𝐅𝐑𝐄𝐄" mathematical letters and full-width forms are mapped back to ASCII.

/// Lowercases, strips accents, expands ligatures (œ → oe, æ → ae, ß → ss), unifies
/// apostrophes to `'` and maps decorative letter forms to ASCII.
///
/// The result is stable under a second application (`fold(fold(s)) == fold(s)`).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Same as [`fold`], appending to `out` so callers can reuse a buffer.
pub fn fold_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            fold_char(c, out);
        }
    }
}

fn fold_char(c: char, out: &mut String) {
    if let Some(s) = fold_table(c) {
        out.push_str(s);
        return;
    }
    let cp = c as u32;
    match cp {
        // Combining diacritical marks (text typed in decomposed form).
        0x0300..=0x036F => {}
        // Full-width ASCII forms.
        0xFF01..=0xFF5E => {
            if let Some(a) = char::from_u32(cp - 0xFEE0) {
                out.push(a.to_ascii_lowercase());
            }
        }
        // Mathematical alphanumeric letters (bold, italic, script…): 52 letters per style.
        0x1D400..=0x1D6A3 => {
            let i = (cp - 0x1D400) % 52;
            let base = if i < 26 { i } else { i - 26 };
            if let Some(a) = char::from_u32(u32::from(b'a') + base) {
                out.push(a);
            }
        }
        // Mathematical digits, 10 per style.
        0x1D7CE..=0x1D7FF => {
            if let Some(d) = char::from_digit((cp - 0x1D7CE) % 10, 10) {
                out.push(d);
            }
        }
        // Circled letters and numbers (Ⓐ ⓐ ① ⓪), as "fancy text" generators write them.
        0x24B6..=0x24CF => push_letter(cp - 0x24B6, out),
        0x24D0..=0x24E9 => push_letter(cp - 0x24D0, out),
        0x2460..=0x2473 => out.push_str(&(cp - 0x2460 + 1).to_string()),
        0x24EA => out.push('0'),
        // Superscript and subscript digits.
        0x2070 | 0x2074..=0x2079 => push_digit(cp - 0x2070, out),
        0x2080..=0x2089 => push_digit(cp - 0x2080, out),
        // Variation selectors and zero-width characters carry no meaning for matching.
        0xFE0E | 0xFE0F | 0x200B | 0x200C | 0x2060 | 0xFEFF | 0x00AD => {}
        _ => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l == c => out.push(l),
                (Some(l), None) => match fold_table(l) {
                    Some(s) => out.push_str(s),
                    None => out.push(l),
                },
                (Some(a), Some(b)) => {
                    // `İ` lowercases to `i` + U+0307: fold the pieces too, or the combining
                    // dot survives here and not in a second folding (found by the fuzzer).
                    let mut buf = [0u8; 4];
                    for piece in [a, b].into_iter().chain(lower) {
                        fold_into(piece.encode_utf8(&mut buf), out);
                    }
                }
                (None, _) => {}
            }
        }
    }
}

fn push_letter(index: u32, out: &mut String) {
    if let Some(a) = char::from_u32(u32::from(b'a') + index) {
        out.push(a);
    }
}

fn push_digit(value: u32, out: &mut String) {
    if let Some(d) = char::from_digit(value, 10) {
        out.push(d);
    }
}

/// Latin-1, Latin Extended-A letters used in French and neighbouring languages,
/// ligatures, typographic apostrophes, and the compatibility forms of Latin letters that
/// Unicode's NFKC folds and social text uses for effect: typographic ligatures (ﬁ ﬂ),
/// superscript and small modifier letters (ᵃ ᴬ ⁿ), superscript digits (¹ ² ³) and the
/// letterlike symbols that fill the gaps of the mathematical alphabets (ℎ ℂ ℝ ℯ).
fn fold_table(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'ā' | 'ă' | 'ą' => {
            "a"
        }
        'ç' | 'Ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => {
            "e"
        }
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ñ' | 'Ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'ō' | 'ő' => {
            "o"
        }
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        'ł' | 'Ł' | 'ľ' | 'ĺ' => "l",
        'ř' | 'ŕ' => "r",
        'ť' | 'ţ' => "t",
        'ď' | 'đ' | 'ð' => "d",
        'ğ' | 'ģ' => "g",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ß' => "ss",
        'þ' => "th",
        'ſ' => "s",
        'ĳ' | 'Ĳ' => "ij",
        '\u{FB00}' => "ff",
        '\u{FB01}' => "fi",
        '\u{FB02}' => "fl",
        '\u{FB03}' => "ffi",
        '\u{FB04}' => "ffl",
        '\u{FB05}' | '\u{FB06}' => "st",
        '\u{00B9}' => "1",
        '\u{00B2}' => "2",
        '\u{00B3}' => "3",
        'ª' | 'ᵃ' | 'ᴬ' | 'ₐ' => "a",
        'ᵇ' | 'ᴮ' | 'ℬ' => "b",
        'ᶜ' | 'ℂ' | 'ℭ' => "c",
        'ᵈ' | 'ᴰ' => "d",
        'ᵉ' | 'ᴱ' | 'ₑ' | 'ℯ' | 'ℰ' => "e",
        'ᶠ' | 'ℱ' => "f",
        'ᵍ' | 'ᴳ' | 'ℊ' => "g",
        'ʰ' | 'ᴴ' | 'ₕ' | 'ℋ' | 'ℌ' | 'ℍ' | 'ℎ' => "h",
        'ⁱ' | 'ᴵ' | 'ᵢ' | 'ᶦ' | 'ℐ' | 'ℑ' => "i",
        'ʲ' | 'ᴶ' | 'ⱼ' => "j",
        'ᵏ' | 'ᴷ' | 'ₖ' => "k",
        'ˡ' | 'ᴸ' | 'ₗ' | 'ℒ' | 'ℓ' => "l",
        'ᵐ' | 'ᴹ' | 'ₘ' | 'ℳ' => "m",
        'ⁿ' | 'ᴺ' | 'ₙ' | 'ℕ' => "n",
        'º' | 'ᵒ' | 'ᴼ' | 'ₒ' | 'ℴ' => "o",
        'ᵖ' | 'ᴾ' | 'ₚ' | 'ℙ' => "p",
        'ℚ' => "q",
        'ʳ' | 'ᴿ' | 'ᵣ' | 'ℛ' | 'ℜ' | 'ℝ' => "r",
        'ˢ' | 'ₛ' => "s",
        'ᵗ' | 'ᵀ' | 'ₜ' => "t",
        'ᵘ' | 'ᵁ' | 'ᵤ' => "u",
        'ᵛ' | 'ᵥ' => "v",
        'ʷ' | 'ᵂ' => "w",
        'ˣ' | 'ₓ' => "x",
        'ʸ' => "y",
        'ᶻ' | 'ℤ' | 'ℨ' => "z",
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '\u{2032}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' | '\u{201E}' => "\"",
        '\u{2010}' | '\u{2011}' => "-",
        '\u{00A0}' | '\u{202F}' | '\u{2009}' => " ",
        _ => return None,
    })
}

/// True for characters that start or continue a word.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// True for pictographs we treat as one-character terms (😡, 🔥, 👍, ❤…).
///
/// Skin-tone modifiers, variation selectors and zero-width joiners are not emoji on their
/// own: they only modify the previous one, so they are skipped by the tokenizer.
pub fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F300..=0x1F3FA | 0x1F400..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F900..=0x1F9FF
        | 0x1FA70..=0x1FAFF | 0x2600..=0x27BF | 0x1F1E6..=0x1F1FF | 0x2B50 | 0x2B55
        | 0x2B06 | 0x2B07 | 0x2B05 | 0x2934 | 0x2935 | 0x203C | 0x2049 | 0x1F004 | 0x1F0CF
        | 0x1F170..=0x1F19A | 0x1F7E0..=0x1F7EB)
}

/// Collapses runs of three or more identical letters to two ("soooo" → "soo").
///
/// Used by the classifiers to look up elongated words; the matcher does not collapse
/// (a query for `cool` should not silently match `col`).
pub fn collapse_repeats(word: &str) -> Option<String> {
    let mut prev = '\0';
    let mut run = 0usize;
    let mut changed = false;
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if c == prev {
            run += 1;
        } else {
            prev = c;
            run = 1;
        }
        if run <= 2 {
            out.push(c);
        } else {
            changed = true;
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_ligatures() {
        assert_eq!(fold("Ça Coûte CHER, cœur ÉTÉ"), "ca coute cher, coeur ete");
        assert_eq!(fold("Œuvre Æsop Straße"), "oeuvre aesop strasse");
    }

    #[test]
    fn folds_decomposed_accents() {
        assert_eq!(fold("e\u{0301}te\u{0301}"), "ete");
    }

    #[test]
    fn unifies_apostrophes() {
        assert_eq!(fold("l’arnaque"), "l'arnaque");
    }

    #[test]
    fn maps_decorative_letters() {
        assert_eq!(fold("𝐅𝐑𝐄𝐄 ＢＴＣ 𝟏𝟎𝟎"), "free btc 100");
    }

    #[test]
    fn collapses_elongations() {
        assert_eq!(collapse_repeats("soooo").as_deref(), Some("soo"));
        assert_eq!(collapse_repeats("cool"), None);
    }

    #[test]
    fn folding_is_idempotent_on_multi_char_lowercase() {
        let once = fold("İstanbul");
        assert_eq!(once, "istanbul");
        assert_eq!(fold(&once), once);
    }
}
