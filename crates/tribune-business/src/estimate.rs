//! What a declaration will cost: social contributions, CFP and, if opted, the versement
//! libératoire, for the turnover collected (encaissé) in one period.

use crate::table::{LookupError, RateKind, RateTable, Source};
use crate::{BasisPoints, Category, Cents, Period};
use jiff::civil::Date;

/// One line of the estimate: the rate applied, the amount and where the rate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub rate: BasisPoints,
    pub amount: Cents,
    /// The first day the rate is in force (for showing which row of the table was used).
    pub rate_from: Date,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub period: Period,
    pub category: Category,
    pub turnover: Cents,
    pub social: Line,
    pub cfp: Line,
    /// `None` without the versement libératoire option.
    pub vl: Option<Line>,
    /// The sum of the rounded lines, so the total always equals what is shown.
    pub total: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EstimateError {
    #[error("the turnover is negative ({0}); declare a refund in the period it was paid back")]
    NegativeTurnover(Cents),
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("the total does not fit in the amounts tribune handles")]
    Overflow,
}

/// The estimate for `turnover` collected in `period`.
///
/// Rates: those in force on the **first day of the period**, for the whole period, as issue #15
/// asks. Calendar months and quarters start on the 1st, so a change on 1 July falls between two
/// periods; only a first declaration (a range from the start of activity) can straddle a change,
/// and it takes the rate of its first day.
///
/// Rounding: each line is `turnover × rate` rounded once to the nearest cent, a half cent away
/// from zero ([`BasisPoints::apply`]); the total is the sum of the rounded lines.
pub fn estimate(
    table: &RateTable,
    category: Category,
    period: Period,
    turnover: Cents,
    versement_liberatoire: bool,
) -> Result<Estimate, EstimateError> {
    if turnover.is_negative() {
        return Err(EstimateError::NegativeTurnover(turnover));
    }
    let on = period.start();
    let line = |kind| -> Result<Line, LookupError> {
        let row = table.rate(category, kind, on)?;
        Ok(Line {
            rate: row.value,
            amount: row.value.apply(turnover),
            rate_from: row.from,
            source: row.source.clone(),
        })
    };
    let social = line(RateKind::Social)?;
    let cfp = line(RateKind::Cfp)?;
    let vl = if versement_liberatoire {
        Some(line(RateKind::Vl)?)
    } else {
        None
    };
    let total = [Some(&social), Some(&cfp), vl.as_ref()]
        .into_iter()
        .flatten()
        .try_fold(Cents::ZERO, |sum, line| sum.checked_add(line.amount))
        .ok_or(EstimateError::Overflow)?;
    Ok(Estimate {
        period,
        category,
        turnover,
        social,
        cfp,
        vl,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(category: Category, period: &str, euros: &str, vl: bool) -> Estimate {
        let table = RateTable::shipped().unwrap();
        estimate(
            table,
            category,
            period.parse().unwrap(),
            crate::parse_euros(euros).unwrap(),
            vl,
        )
        .unwrap()
    }

    #[test]
    fn three_thousand_euros_in_a_month_of_2026_bnc_ssi_with_vl_costs_840_euros() {
        let e = run(Category::BncSsi, "2026-03", "3000", true);
        assert_eq!(e.turnover, Cents::new(300_000));
        assert_eq!(e.social.amount, Cents::new(76_800));
        assert_eq!(e.cfp.amount, Cents::new(600));
        assert_eq!(e.vl.as_ref().map(|l| l.amount), Some(Cents::new(6_600)));
        assert_eq!(e.total, Cents::new(84_000));
        assert_eq!(e.social.rate.get(), 2560);
    }

    #[test]
    fn without_the_option_there_is_no_versement_liberatoire() {
        let e = run(Category::BncSsi, "2026-03", "3000", false);
        assert!(e.vl.is_none());
        assert_eq!(e.total, Cents::new(77_400));
    }

    #[test]
    fn the_change_of_1_july_2024_applies_from_the_july_and_third_quarter_periods() {
        let rate = |period| {
            run(Category::BncSsi, period, "1000", false)
                .social
                .rate
                .get()
        };
        assert_eq!(rate("2024-06"), 2110);
        assert_eq!(rate("2024-07"), 2310);
        assert_eq!(rate("2024-Q2"), 2110);
        assert_eq!(rate("2024-Q3"), 2310);
        assert_eq!(rate("2024-12"), 2310);
        assert_eq!(rate("2025-01"), 2460);
        // A first declaration from 15 May to 30 September straddles the change: the whole
        // period takes the rate in force on its first day.
        assert_eq!(rate("2024-05-15..2024-09-30"), 2110);
        assert_eq!(rate("2024-07-01..2024-09-30"), 2310);
        // Other categories did not change on 1 July 2024.
        let cipav = |period| {
            run(Category::BncCipav, period, "1000", false)
                .social
                .rate
                .get()
        };
        assert_eq!(cipav("2024-Q2"), 2320);
        assert_eq!(cipav("2024-Q3"), 2320);
    }

    #[test]
    fn each_line_is_rounded_to_the_cent_and_the_total_is_their_sum() {
        // 1,234.57 € in BNC SSI 2026: 316.05 (316.04992) + 2.47 (2.46914) + 27.16 (27.16054).
        let e = run(Category::BncSsi, "2026-01", "1234.57", true);
        assert_eq!(e.social.amount, Cents::new(31_605));
        assert_eq!(e.cfp.amount, Cents::new(247));
        assert_eq!(e.vl.as_ref().map(|l| l.amount), Some(Cents::new(2_716)));
        assert_eq!(e.total, Cents::new(31_605 + 247 + 2_716));
        let zero = run(Category::BicSales, "2026-Q1", "0", true);
        assert_eq!(zero.total, Cents::ZERO);
    }

    #[test]
    fn negative_turnovers_and_periods_outside_the_table_are_refused() {
        let table = RateTable::shipped().unwrap();
        let period: Period = "2026-03".parse().unwrap();
        assert!(matches!(
            estimate(table, Category::BncSsi, period, Cents::new(-1), false),
            Err(EstimateError::NegativeTurnover(_))
        ));
        let late: Period = "2027-01".parse().unwrap();
        assert!(matches!(
            estimate(table, Category::BncSsi, late, Cents::new(100), false),
            Err(EstimateError::Lookup(LookupError::TooLate { .. }))
        ));
    }
}
