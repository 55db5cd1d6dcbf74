//! Where the year's turnover stands against the micro ceiling and the VAT franchise: what the
//! dashboard shows and warns about. Turnover is what was collected (encaissé), excluding VAT.

use jiff::civil::Date;

use crate::{Ceilings, Cents};

/// The dashboard warns when the turnover reaches this share of a threshold (80 %, issue #15).
/// A product choice, not a legal figure, so it is not in the rate table.
pub const WARNING_SHARE_BP: i64 = 8_000;

/// `part / whole` in basis points, rounded down; 0 when the whole is not positive.
fn share_bp(part: Cents, whole: Cents) -> i64 {
    if whole.get() <= 0 {
        return 0;
    }
    let share = i128::from(part.get()) * 10_000 / i128::from(whole.get());
    i64::try_from(share).unwrap_or(i64::MAX)
}

/// The VAT franchise in year N (art. 293 B CGI as in force since 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VatFranchise {
    /// Below 80 % of the threshold.
    Applies,
    /// At 80 % of the threshold or more: still in franchise.
    Warning,
    /// This year's turnover passed the threshold but not the upper one: the franchise holds this
    /// year and ends on 1 January of the next.
    EndsNextYear { from: Date },
    /// This year's turnover passed the upper threshold: VAT is due on the operations from the
    /// day it was passed (charge VAT from the invoice that crossed it).
    Ended,
    /// Last year's turnover passed the threshold: no franchise this year.
    NotThisYear,
}

/// The micro regime, looking at the last two years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MicroRegime {
    Within,
    /// At 80 % of the ceiling or more.
    Warning,
    /// Above the ceiling this year, for the first time: the regime holds (one year of
    /// tolerance).
    AboveOnce,
    /// Above the ceiling two years in a row: the micro regime ends on 1 January of the next
    /// year (art. 50-0 and 102 ter CGI).
    EndsNextYear {
        from: Date,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// This year's turnover as a share of the (prorated) ceiling, in basis points.
    pub ceiling_share_bp: i64,
    /// This year's turnover as a share of the VAT franchise threshold, in basis points.
    pub vat_share_bp: i64,
    pub micro: MicroRegime,
    pub vat: VatFranchise,
}

/// Where `this_year` (turnover collected so far in `ceilings.year`) stands, given last year's
/// turnover and last year's ceiling (`None` when the business did not exist last year).
pub fn standing(
    ceilings: &Ceilings,
    this_year: Cents,
    last_year: Option<(Cents, Cents)>,
) -> Standing {
    let next_january = Date::new(ceilings.year.saturating_add(1), 1, 1).unwrap_or(Date::MAX);
    let ceiling_share_bp = share_bp(this_year, ceilings.ceiling);
    let vat_share_bp = share_bp(this_year, ceilings.vat_franchise);
    let above_last_year = last_year.is_some_and(|(turnover, ceiling)| turnover > ceiling);
    let micro = if this_year > ceilings.ceiling {
        if above_last_year {
            MicroRegime::EndsNextYear { from: next_january }
        } else {
            MicroRegime::AboveOnce
        }
    } else if ceiling_share_bp >= WARNING_SHARE_BP {
        MicroRegime::Warning
    } else {
        MicroRegime::Within
    };
    let vat = if last_year.is_some_and(|(turnover, _)| turnover > ceilings.vat_franchise) {
        VatFranchise::NotThisYear
    } else if this_year > ceilings.vat_franchise_upper {
        VatFranchise::Ended
    } else if this_year > ceilings.vat_franchise {
        VatFranchise::EndsNextYear { from: next_january }
    } else if vat_share_bp >= WARNING_SHARE_BP {
        VatFranchise::Warning
    } else {
        VatFranchise::Applies
    };
    Standing {
        ceiling_share_bp,
        vat_share_bp,
        micro,
        vat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, RateTable, ceilings, parse_euros};
    use jiff::civil::date;

    fn euros(text: &str) -> Cents {
        parse_euros(text).unwrap()
    }

    fn year(year: i16) -> Ceilings {
        ceilings(RateTable::shipped().unwrap(), Category::BncSsi, year, None).unwrap()
    }

    #[test]
    fn the_vat_franchise_warns_at_80_percent_and_ends_past_its_thresholds() {
        let y = year(2026);
        let vat = |this: &str, last: Option<&str>| {
            standing(&y, euros(this), last.map(|l| (euros(l), euros("83600")))).vat
        };
        assert_eq!(vat("29999.99", None), VatFranchise::Applies);
        // 80 % of 37,500 € is 30,000 €.
        assert_eq!(vat("30000", None), VatFranchise::Warning);
        assert_eq!(vat("37500", None), VatFranchise::Warning);
        assert_eq!(
            vat("37500.01", None),
            VatFranchise::EndsNextYear {
                from: date(2027, 1, 1)
            }
        );
        assert_eq!(
            vat("41250", Some("10000")),
            VatFranchise::EndsNextYear {
                from: date(2027, 1, 1)
            }
        );
        assert_eq!(vat("41250.01", Some("10000")), VatFranchise::Ended);
        assert_eq!(vat("100", Some("37500.01")), VatFranchise::NotThisYear);
        assert_eq!(vat("100", Some("37500")), VatFranchise::Applies);
    }

    #[test]
    fn the_micro_regime_ends_after_two_years_above_the_ceiling() {
        let y = year(2026);
        let micro = |this: &str, last: Option<(&str, &str)>| {
            standing(&y, euros(this), last.map(|(t, c)| (euros(t), euros(c)))).micro
        };
        assert_eq!(micro("10000", None), MicroRegime::Within);
        // 80 % of 83,600 € is 66,880 €.
        assert_eq!(micro("66879.99", None), MicroRegime::Within);
        assert_eq!(micro("66880", None), MicroRegime::Warning);
        assert_eq!(micro("83600.01", None), MicroRegime::AboveOnce);
        assert_eq!(
            micro("83600.01", Some(("77700", "77700"))),
            MicroRegime::AboveOnce
        );
        assert_eq!(
            micro("83600.01", Some(("77700.01", "77700"))),
            MicroRegime::EndsNextYear {
                from: date(2027, 1, 1)
            }
        );
        let s = standing(&y, euros("41800"), None);
        assert_eq!(s.ceiling_share_bp, 5_000);
    }

    #[test]
    fn a_prorated_year_warns_against_the_prorated_figures() {
        let created = ceilings(
            RateTable::shipped().unwrap(),
            Category::BncSsi,
            2026,
            Some(date(2026, 4, 1)),
        )
        .unwrap();
        // 62,986.30 € prorated ceiling: 55,000 € is 87 % of it.
        let s = standing(&created, euros("55000"), None);
        assert_eq!(s.micro, MicroRegime::Warning);
        assert_eq!(s.ceiling_share_bp, 8_732);
        assert_eq!(s.vat, VatFranchise::Ended);
    }
}
