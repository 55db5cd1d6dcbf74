//! Rates in basis points and the one rounding rule that turns a rate and an amount into cents.

use std::fmt;

use crate::Cents;

/// A rate in basis points: 1 bp = 0.01 %, so 2560 = 25.6 %. Every French contribution rate is a
/// whole number of basis points, so the table holds them exactly. At most 10 000 (100 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BasisPoints(u16);

impl BasisPoints {
    pub const ZERO: BasisPoints = BasisPoints(0);
    pub const MAX: u16 = 10_000;

    /// `None` above 100 %.
    pub const fn new(bp: u16) -> Option<BasisPoints> {
        if bp <= Self::MAX {
            Some(BasisPoints(bp))
        } else {
            None
        }
    }

    pub const fn get(self) -> u16 {
        self.0
    }

    /// `amount × rate`, rounded to the nearest cent, a half cent away from zero.
    ///
    /// The product is exact in 128-bit integers (cents × bp), then divided by 10 000 once: a
    /// single rounding per amount. It cannot overflow: the result is at most the amount.
    pub fn apply(self, amount: Cents) -> Cents {
        let product = i128::from(amount.get()) * i128::from(self.0);
        let quotient = product / 10_000;
        let remainder = product % 10_000;
        let rounded = if remainder.abs() * 2 >= 10_000 {
            quotient + product.signum()
        } else {
            quotient
        };
        // |rounded| <= |amount| since the rate is at most 100 %, so it fits back in an i64.
        Cents::new(i64::try_from(rounded).unwrap_or(amount.get()))
    }

    /// The rate as an exact decimal fraction, `0.256` for 25.6 %: what the JSON output carries.
    pub fn fraction(self) -> String {
        let whole = self.0 / 10_000;
        let part = self.0 % 10_000;
        if part == 0 {
            return whole.to_string();
        }
        let digits = format!("{part:04}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// `25.6 %` style, for people.
impl fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let part = self.0 % 100;
        if part == 0 {
            write!(f, "{whole}%")
        } else {
            let digits = format!("{part:02}");
            write!(f, "{whole}.{}%", digits.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp(value: u16) -> BasisPoints {
        BasisPoints::new(value).unwrap()
    }

    #[test]
    fn rounds_to_the_nearest_cent_half_away_from_zero() {
        // 3,000 € at 25.6 %: exact.
        assert_eq!(bp(2560).apply(Cents::new(300_000)), Cents::new(76_800));
        // 0.10 € at 25 % = 2.5 cents -> 3 cents (half up).
        assert_eq!(bp(2500).apply(Cents::new(10)), Cents::new(3));
        // 0.10 € at 24.9 % = 2.49 cents -> 2 cents.
        assert_eq!(bp(2490).apply(Cents::new(10)), Cents::new(2));
        // 0.10 € at 25.1 % = 2.51 cents -> 3 cents.
        assert_eq!(bp(2510).apply(Cents::new(10)), Cents::new(3));
        // 1 234.57 € at 0.2 % = 2.46914 € -> 2.47 €.
        assert_eq!(bp(20).apply(Cents::new(123_457)), Cents::new(247));
        // Negative amounts (credit notes) round symmetrically: -2.5 cents -> -3 cents.
        assert_eq!(bp(2500).apply(Cents::new(-10)), Cents::new(-3));
        assert_eq!(bp(0).apply(Cents::new(123)), Cents::ZERO);
        assert_eq!(bp(10_000).apply(Cents::new(i64::MAX)), Cents::new(i64::MAX));
        assert_eq!(bp(10_000).apply(Cents::new(i64::MIN)), Cents::new(i64::MIN));
    }

    #[test]
    fn refuses_rates_above_one_hundred_percent() {
        assert!(BasisPoints::new(10_001).is_none());
        assert!(BasisPoints::new(10_000).is_some());
    }

    #[test]
    fn writes_rates_as_exact_decimals() {
        assert_eq!(bp(2560).fraction(), "0.256");
        assert_eq!(bp(20).fraction(), "0.002");
        assert_eq!(bp(220).fraction(), "0.022");
        assert_eq!(bp(2110).fraction(), "0.211");
        assert_eq!(bp(1).fraction(), "0.0001");
        assert_eq!(bp(0).fraction(), "0");
        assert_eq!(bp(10_000).fraction(), "1");
        assert_eq!(bp(2560).to_string(), "25.6%");
        assert_eq!(bp(20).to_string(), "0.2%");
        assert_eq!(bp(1230).to_string(), "12.3%");
        assert_eq!(bp(2500).to_string(), "25%");
        assert_eq!(bp(1).to_string(), "0.01%");
    }
}
