//! The amounts of an invoice: quantities in thousandths, line totals, VAT per rate, totals, and
//! where a payment leaves it. Every rounding is here, written down and tested.

use std::fmt;
use std::str::FromStr;

use crate::{BasisPoints, Cents};

use super::InvoiceError;

/// A quantity in thousandths (`1 500` is 1.5 days, `250` a quarter of an hour): enough for
/// hours in minutes-ish steps and fractions of days, and exact, like the money it multiplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(i64);

impl Quantity {
    pub const fn from_thousandths(thousandths: i64) -> Quantity {
        Quantity(thousandths)
    }

    /// A whole number of units; `None` if it does not fit.
    pub fn units(units: i64) -> Option<Quantity> {
        units.checked_mul(1000).map(Quantity)
    }

    pub const fn thousandths(self) -> i64 {
        self.0
    }
}

/// `1.5`, `2`, `0.25`: what a person reads.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let (whole, part) = (magnitude / 1000, magnitude % 1000);
        if part == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let digits = format!("{part:03}");
            write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Parses `2`, `1.5`, `1,5`, `0,125` exactly (at most three decimals; no sign, no grouping).
impl FromStr for Quantity {
    type Err = InvoiceError;

    fn from_str(input: &str) -> Result<Quantity, InvoiceError> {
        let text = input.trim();
        let bad = || InvoiceError::QuantitySyntax(input.to_owned());
        let (whole, part) = match text.split_once(['.', ',']) {
            Some((whole, part)) => (whole, part),
            None => (text, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(part) || part.len() > 3 {
            return Err(bad());
        }
        if text.contains(['.', ',']) && part.is_empty() {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let mut thousandths: i64 = 0;
        for (i, digit) in part.bytes().enumerate() {
            thousandths += i64::from(digit - b'0') * 10_i64.pow(2 - i as u32);
        }
        whole
            .checked_mul(1000)
            .and_then(|w| w.checked_add(thousandths))
            .map(Quantity)
            .ok_or(InvoiceError::TooLarge)
    }
}

/// A line's total HT: `quantity × unit price`, computed exactly (thousandths × cents in 128-bit
/// integers), then divided by 1 000 and rounded **once** to the nearest cent, a half cent going
/// away from zero (1.5 × 0.33 € = 0.495 € → 0.50 €). `None` if it does not fit in cents.
pub fn line_total(quantity: Quantity, unit_price: Cents) -> Option<Cents> {
    let product = i128::from(quantity.0) * i128::from(unit_price.get());
    let quotient = product / 1000;
    let remainder = product % 1000;
    let rounded = if remainder.abs() * 2 >= 1000 {
        quotient + product.signum()
    } else {
        quotient
    };
    i64::try_from(rounded).ok().map(Cents::new)
}

/// One line of the VAT summary: the lines at one rate, their base and the VAT on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VatLine {
    pub rate: BasisPoints,
    pub base: Cents,
    pub vat: Cents,
}

/// What an invoice adds up to. `lines` are the line totals HT, in the order of the lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub lines: Vec<Cents>,
    pub total_ht: Cents,
    /// Empty while in franchise (no VAT is charged); otherwise one line per rate, by rate.
    pub vat: Vec<VatLine>,
    pub total_vat: Cents,
    pub total_ttc: Cents,
}

fn add(a: Cents, b: Cents) -> Result<Cents, InvoiceError> {
    a.checked_add(b).ok_or(InvoiceError::TooLarge)
}

/// Totals of lines already checked (see [`super::Line::check`]; unchecked lines add up too). VAT is computed **per rate on
/// the sum of the lines at that rate**, rounded once per rate (half away from zero), as the
/// European e-invoicing norm (EN 16931) does; the total VAT is the sum of those rounded
/// amounts, and TTC = HT + VAT, so what is printed adds up. In franchise there is no VAT at
/// all: TTC = HT.
pub fn totals(lines: &[super::Line], vat_franchise: bool) -> Result<Totals, InvoiceError> {
    let mut line_totals = Vec::with_capacity(lines.len());
    let mut total_ht = Cents::ZERO;
    let mut by_rate: Vec<VatLine> = Vec::new();
    for line in lines {
        let total = line_total(line.quantity, line.unit_price).ok_or(InvoiceError::TooLarge)?;
        line_totals.push(total);
        total_ht = add(total_ht, total)?;
        if !vat_franchise {
            match by_rate.iter_mut().find(|v| v.rate == line.vat_rate) {
                Some(vat_line) => vat_line.base = add(vat_line.base, total)?,
                None => by_rate.push(VatLine {
                    rate: line.vat_rate,
                    base: total,
                    vat: Cents::ZERO,
                }),
            }
        }
    }
    by_rate.sort_by_key(|v| v.rate);
    let mut total_vat = Cents::ZERO;
    for vat_line in &mut by_rate {
        vat_line.vat = vat_line.rate.apply(vat_line.base);
        total_vat = add(total_vat, vat_line.vat)?;
    }
    Ok(Totals {
        lines: line_totals,
        total_ht,
        vat: by_rate,
        total_vat,
        total_ttc: add(total_ht, total_vat)?,
    })
}

/// Where an issued invoice stands once its credit notes and payments are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Nothing paid yet, something still due.
    Unpaid,
    PartiallyPaid,
    /// Paid in full (what the credit notes left due).
    Paid,
    /// Cancelled in full by credit notes, nothing was paid.
    Credited,
}

impl Settlement {
    pub const fn as_str(self) -> &'static str {
        match self {
            Settlement::Unpaid => "issued",
            Settlement::PartiallyPaid => "partially_paid",
            Settlement::Paid => "paid",
            Settlement::Credited => "credited",
        }
    }
}

/// What is still due: TTC less the credit notes issued against it, less the payments.
pub fn balance(total_ttc: Cents, credited: Cents, paid: Cents) -> Cents {
    Cents::new(
        total_ttc
            .get()
            .saturating_sub(credited.get())
            .saturating_sub(paid.get()),
    )
}

/// The settlement of an invoice of `total_ttc` with `credited` in credit notes and `paid`.
pub fn settlement(total_ttc: Cents, credited: Cents, paid: Cents) -> Settlement {
    let due = balance(total_ttc, credited, paid);
    if due.get() > 0 {
        if paid.get() > 0 {
            Settlement::PartiallyPaid
        } else {
            Settlement::Unpaid
        }
    } else if paid.get() == 0 {
        Settlement::Credited
    } else {
        Settlement::Paid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        text.parse().unwrap()
    }

    #[test]
    fn quantities_parse_exactly_in_thousandths() {
        assert_eq!(q("2").thousandths(), 2000);
        assert_eq!(q("1.5").thousandths(), 1500);
        assert_eq!(q("1,5").thousandths(), 1500);
        assert_eq!(q("0,125").thousandths(), 125);
        assert_eq!(q(" 0.01 ").thousandths(), 10);
        for bad in [
            "", "-1", "+1", "1.2345", "1.", ".5", "1,5,0", "abc", "1 000",
        ] {
            assert!(
                matches!(
                    bad.parse::<Quantity>(),
                    Err(InvoiceError::QuantitySyntax(_))
                ),
                "{bad:?}"
            );
        }
        assert_eq!(q("1.5").to_string(), "1.5");
        assert_eq!(q("2").to_string(), "2");
        assert_eq!(q("0.125").to_string(), "0.125");
    }

    #[test]
    fn a_line_total_is_rounded_once_half_away_from_zero() {
        let total = |quantity: &str, cents: i64| line_total(q(quantity), Cents::new(cents));
        // 1.5 × 0.33 € = 0.495 € → 0.50 €.
        assert_eq!(total("1.5", 33), Some(Cents::new(50)));
        // 0.333 × 1.00 € = 0.333 € → 0.33 €.
        assert_eq!(total("0.333", 100), Some(Cents::new(33)));
        // 2.5 days at 450 € = 1 125 €, exact.
        assert_eq!(total("2.5", 45_000), Some(Cents::new(112_500)));
        // 0.001 × 4.99 € = 0.00499 € → 0 €; 0.001 × 5 € = 0.005 € → 0.01 €.
        assert_eq!(total("0.001", 499), Some(Cents::ZERO));
        assert_eq!(total("0.001", 500), Some(Cents::new(1)));
        // Symmetric for negatives (credit arithmetic), away from zero.
        assert_eq!(
            line_total(Quantity::from_thousandths(-1500), Cents::new(33)),
            Some(Cents::new(-50))
        );
        assert_eq!(
            line_total(Quantity::from_thousandths(i64::MAX), Cents::new(i64::MAX)),
            None
        );
    }

    #[test]
    fn settlement_follows_credit_notes_and_payments() {
        let c = Cents::new;
        assert_eq!(settlement(c(1000), c(0), c(0)), Settlement::Unpaid);
        assert_eq!(settlement(c(1000), c(0), c(400)), Settlement::PartiallyPaid);
        assert_eq!(settlement(c(1000), c(0), c(1000)), Settlement::Paid);
        assert_eq!(settlement(c(1000), c(300), c(700)), Settlement::Paid);
        assert_eq!(settlement(c(1000), c(300), c(0)), Settlement::Unpaid);
        assert_eq!(settlement(c(1000), c(1000), c(0)), Settlement::Credited);
        assert_eq!(balance(c(1000), c(300), c(200)), c(500));
    }
}
