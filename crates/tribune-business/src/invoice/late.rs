//! The late-payment calculator: the penalties a late payer owes at the rate the invoice states,
//! and, for a business client, the fixed recovery indemnity.

use jiff::civil::Date;

use crate::{BasisPoints, Cents};

use super::RECOVERY_INDEMNITY;

/// What a late payment costs on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateCharges {
    /// Calendar days past the due date (0 when not late).
    pub days: i64,
    pub penalties: Cents,
    /// 40 € for a business client as soon as it is late, 0 otherwise.
    pub indemnity: Cents,
}

/// The penalties on `amount` (what is left due) at the yearly `rate`, from the day after
/// `due_on` to `on` included (they are owed from the day after the due date, art. L441-10 of
/// the Code de commerce).
///
/// Days are counted **actual/actual**: each day weighs 1/365 of the yearly rate, or 1/366 in a
/// leap year, so a period across New Year is split at 1 January. The sum is exact (a fraction
/// over 10 000 × 365 × 366) and rounded **once** to the nearest cent, a half cent away from
/// zero. Nothing is owed on or before the due date, nor on a zero or negative amount.
pub fn late_charges(
    amount: Cents,
    rate: BasisPoints,
    due_on: Date,
    on: Date,
    business_client: bool,
) -> LateCharges {
    if on <= due_on || amount.get() <= 0 {
        return LateCharges {
            days: 0,
            penalties: Cents::ZERO,
            indemnity: Cents::ZERO,
        };
    }
    const COMMON: i128 = 365 * 366;
    let mut numerator: i128 = 0;
    let mut days_total: i64 = 0;
    // Walk year by year: [start, end) segments of late days.
    let mut start = due_on.tomorrow().unwrap_or(due_on);
    let end = on.tomorrow().unwrap_or(on);
    while start < end {
        let year = start.year();
        let next_year = Date::new(year.saturating_add(1), 1, 1).unwrap_or(end);
        let segment_end = if next_year < end { next_year } else { end };
        let days = i64::from(
            start
                .until(segment_end)
                .map(|span| span.get_days())
                .unwrap_or(0),
        );
        let days_in_year: i128 = if start.in_leap_year() { 366 } else { 365 };
        numerator += i128::from(amount.get())
            * i128::from(rate.get())
            * i128::from(days)
            * (COMMON / days_in_year);
        days_total += days;
        if segment_end == start {
            break;
        }
        start = segment_end;
    }
    let denominator: i128 = 10_000 * COMMON;
    let quotient = numerator / denominator;
    let rounded = if (numerator % denominator) * 2 >= denominator {
        quotient + 1
    } else {
        quotient
    };
    LateCharges {
        days: days_total,
        penalties: Cents::new(i64::try_from(rounded).unwrap_or(i64::MAX)),
        indemnity: if business_client {
            RECOVERY_INDEMNITY
        } else {
            Cents::ZERO
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn bp(value: u16) -> BasisPoints {
        BasisPoints::new(value).unwrap()
    }

    #[test]
    fn nothing_is_owed_until_the_day_after_the_due_date() {
        let charges = late_charges(
            Cents::new(100_000),
            bp(1200),
            date(2026, 4, 30),
            date(2026, 4, 30),
            true,
        );
        assert_eq!(charges.days, 0);
        assert_eq!(charges.penalties, Cents::ZERO);
        assert_eq!(charges.indemnity, Cents::ZERO);
    }

    #[test]
    fn penalties_run_per_day_at_the_yearly_rate() {
        // 1 000 € at 12 % for 30 days of 2026: 1 000 × 0.12 × 30 / 365 = 9.8630… € → 9.86 €.
        let charges = late_charges(
            Cents::new(100_000),
            bp(1200),
            date(2026, 4, 30),
            date(2026, 5, 30),
            true,
        );
        assert_eq!(charges.days, 30);
        assert_eq!(charges.penalties, Cents::new(986));
        assert_eq!(charges.indemnity, Cents::new(4000));
        // A consumer owes the penalties, not the indemnity.
        let consumer = late_charges(
            Cents::new(100_000),
            bp(1200),
            date(2026, 4, 30),
            date(2026, 5, 30),
            false,
        );
        assert_eq!(consumer.penalties, Cents::new(986));
        assert_eq!(consumer.indemnity, Cents::ZERO);
    }

    #[test]
    fn a_period_across_new_year_weighs_leap_days_by_366() {
        // 10 days in 2027 (365) and 10 in 2028 (366) on 3 650 € at 10 %:
        // 3 650 × 0.1 × (10/365 + 10/366) = 10 + 9.97267… = 19.97267… € → 19.97 €.
        let charges = late_charges(
            Cents::new(365_000),
            bp(1000),
            date(2027, 12, 21),
            date(2028, 1, 10),
            false,
        );
        assert_eq!(charges.days, 20);
        assert_eq!(charges.penalties, Cents::new(1997));
    }

    #[test]
    fn a_whole_year_late_costs_the_yearly_rate() {
        let charges = late_charges(
            Cents::new(100_000),
            bp(1200),
            date(2027, 12, 31),
            date(2028, 12, 31),
            false,
        );
        assert_eq!(charges.days, 366);
        assert_eq!(charges.penalties, Cents::new(12_000));
    }
}
