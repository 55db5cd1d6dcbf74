//! Two-factor recovery codes: what someone types when their authenticator app is lost. Twelve
//! characters of Crockford's base32 (60 random bits), shown as `xxxx-xxxx-xxxx`; typing is
//! forgiving (case, spaces, dashes, and `i`/`l`/`o` read as `1`/`1`/`0`). Only the digest of
//! the canonical form is stored, as for API tokens.

use crate::security::token::token_digest;
use rand::RngCore;

/// Crockford's base32: no `i`, `l`, `o` or `u`, so no code is ambiguous to read aloud.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const LENGTH: usize = 12;

/// A fresh code from the operating system's CSPRNG, formatted for display.
pub fn new_recovery_code() -> String {
    let mut bytes = [0u8; LENGTH];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut code = String::with_capacity(LENGTH + 2);
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        // 256 is a multiple of 32: every character is equally likely.
        code.push(char::from(ALPHABET[usize::from(byte & 31)]));
    }
    code
}

/// The canonical form of what was typed (twelve alphabet characters), or `None` when it
/// cannot be a recovery code.
pub fn normalize_recovery_code(input: &str) -> Option<String> {
    if input.len() > 64 {
        return None;
    }
    let mut canonical = String::with_capacity(LENGTH);
    for c in input.chars() {
        let c = match c.to_ascii_lowercase() {
            '-' | ' ' | '\t' => continue,
            'i' | 'l' => '1',
            'o' => '0',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        canonical.push(c);
    }
    (canonical.len() == LENGTH).then_some(canonical)
}

/// The digest stored for a code (of its canonical form), or `None` for input that is not one.
pub fn recovery_code_digest(input: &str) -> Option<String> {
    normalize_recovery_code(input).map(|canonical| token_digest(&canonical))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_well_formed_and_read_back() {
        let (a, b) = (new_recovery_code(), new_recovery_code());
        assert_ne!(a, b);
        assert_eq!(a.len(), 14);
        assert_eq!(a.matches('-').count(), 2);
        assert_eq!(
            recovery_code_digest(&a),
            recovery_code_digest(&a.to_uppercase())
        );
        assert_eq!(
            recovery_code_digest(&a),
            recovery_code_digest(&format!(" {} ", a.replace('-', " ")))
        );
        assert_ne!(recovery_code_digest(&a), recovery_code_digest(&b));
    }

    #[test]
    fn lookalike_letters_are_forgiven_and_junk_refused() {
        assert_eq!(
            normalize_recovery_code("ILO0-abcd-efgh").as_deref(),
            Some("1100abcdefgh")
        );
        assert_eq!(normalize_recovery_code("123456"), None, "a TOTP code");
        assert_eq!(
            normalize_recovery_code("abcd-efgh-jkmu"),
            None,
            "u is not in the alphabet"
        );
        assert_eq!(normalize_recovery_code("abcd-efgh-jkmnp"), None, "too long");
        assert_eq!(normalize_recovery_code("abcd-éfgh-jkmn"), None);
        assert_eq!(normalize_recovery_code(&"a".repeat(100)), None);
    }
}
