//! Money as an integer count of euro cents, and the parser for amounts people type.
//!
//! Floats never hold money here: 0.1 + 0.2 is not 0.3 in binary, and a declared turnover or a
//! contribution must add up to the cent. Arithmetic is checked; parsing is exact (digits to
//! cents, no conversion through `f64`).

use std::fmt;

/// An amount in euro cents. Signed, because refunds and credit notes are negative; the
/// estimate and ceiling rules refuse negative turnovers themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub const fn new(cents: i64) -> Cents {
        Cents(cents)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// English form for the terminal: `€3,000.50`, `-€12.00`.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let euros = (magnitude / 100).to_string();
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3);
        for (i, digit) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        write!(f, "{sign}€{grouped}.{:02}", magnitude % 100)
    }
}

/// Why a typed amount was refused; the message tells what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("no amount given")]
    Empty,
    #[error("{0:?} is negative: a turnover is zero or more")]
    Negative(String),
    #[error(
        "{0:?} is ambiguous: write 3000, 3000.50 or 3 000,50 (spaces between thousands, one decimal separator, at most two decimals)"
    )]
    Ambiguous(String),
    #[error("{0:?} is not an amount in euros: write 3000, 3000.50 or 3 000,50")]
    Garbled(String),
    #[error("{0:?} has more than two decimals: amounts are in euros and cents")]
    TooPrecise(String),
    #[error("{0:?} is too large")]
    TooLarge(String),
}

/// Spaces people put between thousands: ASCII space, no-break space (French keyboards and
/// spreadsheets), narrow no-break space (the French typographic one).
fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// Parses an amount of euros as people write it, exactly, into cents.
///
/// Accepted: `3000`, `3000.50`, `3000,5`, `3 000,50`, `3 000.50`, with an optional trailing `€`
/// or `EUR`. Refused, with a reason: negatives, signs, more than two decimals, and anything
/// ambiguous between the French and English conventions: `3,000` or `3.000` (three thousand, or
/// three?), `3,000.50` (two separators), and thousands separated by anything but spaces.
pub fn parse_euros(input: &str) -> Result<Cents, MoneyError> {
    let original = input.to_owned();
    let mut text = input.trim_matches(|c: char| c.is_whitespace() || is_group_separator(c));
    for suffix in ["€", "EUR", "eur", "Eur"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            text = rest.trim_end_matches(|c: char| c.is_whitespace() || is_group_separator(c));
            break;
        }
    }
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    if text.starts_with(['-', '\u{2212}']) {
        return Err(MoneyError::Negative(original));
    }
    let separators: Vec<(usize, char)> = text
        .char_indices()
        .filter(|(_, c)| matches!(c, '.' | ','))
        .collect();
    let (integer, fraction) = match separators.as_slice() {
        [] => (text, ""),
        [(at, _)] => (&text[..*at], &text[at + 1..]),
        _ => return Err(MoneyError::Ambiguous(original)),
    };
    if !separators.is_empty() {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Garbled(original));
        }
        match fraction.len() {
            1 | 2 => {}
            // "3,000" and "3.000" read as three thousand in one convention and three in the other.
            3 => return Err(MoneyError::Ambiguous(original)),
            _ => return Err(MoneyError::TooPrecise(original)),
        }
    }
    let euros =
        parse_grouped_digits(integer).ok_or_else(|| MoneyError::Garbled(original.clone()))?;
    let cents_part: i64 = match fraction.as_bytes() {
        [] => 0,
        [d] => i64::from(d - b'0') * 10,
        [d1, d2] => i64::from(d1 - b'0') * 10 + i64::from(d2 - b'0'),
        _ => return Err(MoneyError::TooPrecise(original)),
    };
    euros
        .and_then(|euros| euros.checked_mul(100))
        .and_then(|cents| cents.checked_add(cents_part))
        .map(Cents)
        .ok_or(MoneyError::TooLarge(original))
}

/// Digits, optionally grouped by threes with single spaces (`3 000 000`). `None` when the text
/// is not such a number; `Some(None)` when it is but does not fit.
fn parse_grouped_digits(text: &str) -> Option<Option<i64>> {
    if text.is_empty() {
        return None;
    }
    let groups: Vec<&str> = text.split(is_group_separator).collect();
    for (i, group) in groups.iter().enumerate() {
        if group.is_empty() || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let grouped = groups.len() > 1;
        if grouped && i > 0 && group.len() != 3 {
            return None;
        }
        if grouped && i == 0 && group.len() > 3 {
            return None;
        }
    }
    let mut value: Option<i64> = Some(0);
    for digit in groups.concat().bytes() {
        value = value
            .and_then(|v| v.checked_mul(10))
            .and_then(|v| v.checked_add(i64::from(digit - b'0')));
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(text: &str) -> i64 {
        parse_euros(text).map(Cents::get).unwrap()
    }

    #[test]
    fn accepts_plain_english_and_french_amounts_exactly() {
        assert_eq!(cents("3000"), 300_000);
        assert_eq!(cents("3000.50"), 300_050);
        assert_eq!(cents("3000,50"), 300_050);
        assert_eq!(cents("3000,5"), 300_050);
        assert_eq!(cents("3 000,50"), 300_050);
        assert_eq!(cents("3\u{a0}000,50"), 300_050);
        assert_eq!(cents("3\u{202f}000.50"), 300_050);
        assert_eq!(cents("1 234 567,89"), 123_456_789);
        assert_eq!(cents(" 0,01 € "), 1);
        assert_eq!(cents("0"), 0);
        assert_eq!(cents("12 EUR"), 1200);
        // A float would give 0.29 * 100 = 28.999999999999996.
        assert_eq!(cents("0.29"), 29);
    }

    #[test]
    fn refuses_negative_signed_and_garbled_amounts() {
        assert!(matches!(parse_euros("-5"), Err(MoneyError::Negative(_))));
        assert!(matches!(parse_euros("−5"), Err(MoneyError::Negative(_))));
        assert!(matches!(parse_euros("+5"), Err(MoneyError::Garbled(_))));
        assert!(matches!(parse_euros(""), Err(MoneyError::Empty)));
        assert!(matches!(parse_euros("  "), Err(MoneyError::Empty)));
        for garbled in [
            "abc",
            "3O00",
            "3.",
            ".50",
            "3,5a",
            "1e3",
            "3 00",
            "3000 000",
            "३०००",
            "0x10",
        ] {
            assert!(
                matches!(parse_euros(garbled), Err(MoneyError::Garbled(_))),
                "{garbled} should be garbled: {:?}",
                parse_euros(garbled)
            );
        }
    }

    #[test]
    fn refuses_amounts_that_read_differently_in_french_and_english() {
        for ambiguous in ["3,000", "3.000", "3,000.50", "3.000,50", "1,234,567"] {
            assert!(
                matches!(parse_euros(ambiguous), Err(MoneyError::Ambiguous(_))),
                "{ambiguous} should be ambiguous"
            );
        }
        assert!(matches!(
            parse_euros("3.14159"),
            Err(MoneyError::TooPrecise(_))
        ));
    }

    #[test]
    fn refuses_amounts_that_overflow() {
        assert!(matches!(
            parse_euros("99999999999999999999"),
            Err(MoneyError::TooLarge(_))
        ));
        assert!(matches!(
            parse_euros("92233720368547759"),
            Err(MoneyError::TooLarge(_))
        ));
    }

    #[test]
    fn displays_grouped_english_amounts() {
        assert_eq!(Cents::new(300_050).to_string(), "€3,000.50");
        assert_eq!(Cents::new(84_000).to_string(), "€840.00");
        assert_eq!(Cents::new(5).to_string(), "€0.05");
        assert_eq!(Cents::new(-1200).to_string(), "-€12.00");
        assert_eq!(Cents::new(123_456_789).to_string(), "€1,234,567.89");
    }
}
