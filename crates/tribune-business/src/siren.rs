//! SIREN (the business, 9 digits) and SIRET (an establishment, 14 digits) numbers, checked with
//! the Luhn key INSEE uses, and La Poste's exception.

use std::fmt;
use std::str::FromStr;

/// La Poste's SIREN: its many establishments outgrew the Luhn key, so their SIRET numbers use
/// another rule (the sum of the 14 digits is a multiple of 5).
const LA_POSTE: &str = "356000000";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("a {kind} has {expected} digits; {input:?} has {found}")]
    Length {
        kind: &'static str,
        expected: usize,
        found: usize,
        input: String,
    },
    #[error("a {kind} is made of digits (spaces allowed); {input:?} is not")]
    NotDigits { kind: &'static str, input: String },
    #[error("{input:?} is not a valid {kind}: its check digit is wrong (Luhn), look for a typo")]
    Checksum { kind: &'static str, input: String },
}

/// The Luhn checksum: from the right, every second digit doubled (minus 9 above 9), the total a
/// multiple of 10.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, byte) in digits.bytes().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return false;
        }
        let mut digit = u32::from(byte - b'0');
        if i % 2 == 1 {
            digit *= 2;
            if digit > 9 {
                digit -= 9;
            }
        }
        sum += digit;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// The digits of `input` without the spaces people group them with.
fn digits_of(input: &str, kind: &'static str, expected: usize) -> Result<String, IdentifierError> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\t'))
        .collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(IdentifierError::NotDigits {
            kind,
            input: input.to_owned(),
        });
    }
    if digits.len() != expected {
        return Err(IdentifierError::Length {
            kind,
            expected,
            found: digits.len(),
            input: input.to_owned(),
        });
    }
    Ok(digits)
}

/// A checked SIREN: 9 digits, Luhn key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Siren(String);

impl Siren {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Siren {
    type Err = IdentifierError;

    fn from_str(input: &str) -> Result<Siren, IdentifierError> {
        let digits = digits_of(input, "SIREN", 9)?;
        if !luhn_valid(&digits) {
            return Err(IdentifierError::Checksum {
                kind: "SIREN",
                input: input.to_owned(),
            });
        }
        Ok(Siren(digits))
    }
}

/// `443 061 841`, the way it is printed on invoices.
impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        write!(f, "{} {} {}", &d[0..3], &d[3..6], &d[6..9])
    }
}

/// A checked SIRET: 14 digits, a valid SIREN, and the Luhn key over all 14 (or, for La Poste,
/// a digit sum that is a multiple of 5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Siret(String);

impl Siret {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The business the establishment belongs to.
    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }
}

impl FromStr for Siret {
    type Err = IdentifierError;

    fn from_str(input: &str) -> Result<Siret, IdentifierError> {
        let digits = digits_of(input, "SIRET", 14)?;
        let checksum = || IdentifierError::Checksum {
            kind: "SIRET",
            input: input.to_owned(),
        };
        if !luhn_valid(&digits[..9]) {
            return Err(checksum());
        }
        let la_poste = digits.starts_with(LA_POSTE)
            && digits
                .bytes()
                .map(|b| u32::from(b - b'0'))
                .sum::<u32>()
                .is_multiple_of(5);
        if !luhn_valid(&digits) && !la_poste {
            return Err(checksum());
        }
        Ok(Siret(digits))
    }
}

/// `443 061 841 00047`.
impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.siren(), &self.0[9..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_good_keys_and_catches_typos() {
        assert!(luhn_valid("443061841"));
        assert!(luhn_valid("44306184100047"));
        assert!(luhn_valid("732829320"));
        // One digit changed, or two neighbours swapped: caught.
        assert!(!luhn_valid("443061842"));
        assert!(!luhn_valid("434061841"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("44306184a"));
    }

    #[test]
    fn siren_numbers_are_checked_and_printed_grouped() {
        let siren: Siren = "443 061 841".parse().unwrap();
        assert_eq!(siren.as_str(), "443061841");
        assert_eq!(siren.to_string(), "443 061 841");
        assert!(matches!(
            "443061842".parse::<Siren>(),
            Err(IdentifierError::Checksum { .. })
        ));
        assert!(matches!(
            "44306184".parse::<Siren>(),
            Err(IdentifierError::Length { found: 8, .. })
        ));
        assert!(matches!(
            "44306184I".parse::<Siren>(),
            Err(IdentifierError::NotDigits { .. })
        ));
    }

    #[test]
    fn siret_numbers_need_a_valid_siren_and_key() {
        let siret: Siret = "443 061 841 00047".parse().unwrap();
        assert_eq!(siret.siren().as_str(), "443061841");
        assert_eq!(siret.to_string(), "443 061 841 00047");
        assert!(matches!(
            "44306184100048".parse::<Siret>(),
            Err(IdentifierError::Checksum { .. })
        ));
        // A 14-digit number that passes Luhn but whose first nine digits are not a SIREN.
        assert!(luhn_valid("44306184200003"));
        assert!(matches!(
            "44306184200003".parse::<Siret>(),
            Err(IdentifierError::Checksum { .. })
        ));
        assert!(matches!(
            "4430618410004".parse::<Siret>(),
            Err(IdentifierError::Length { found: 13, .. })
        ));
    }

    #[test]
    fn la_poste_establishments_use_the_digit_sum_rule() {
        // The head office passes Luhn like everyone.
        assert!("35600000000048".parse::<Siret>().is_ok());
        // An establishment whose digits sum to 30 fails Luhn but is valid for La Poste.
        assert!(!luhn_valid("35600000052135"));
        assert!("356 000 000 52135".parse::<Siret>().is_ok());
        // A digit sum of 31: refused.
        assert!(matches!(
            "35600000052136".parse::<Siret>(),
            Err(IdentifierError::Checksum { .. })
        ));
        // The exception belongs to La Poste only: the same sum rule elsewhere does not pass.
        assert!(!luhn_valid("44306184100004"));
        assert!("44306184100004".parse::<Siret>().is_err());
    }
}
