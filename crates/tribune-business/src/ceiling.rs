//! The yearly ceilings: the micro regime's turnover ceiling and the VAT franchise thresholds,
//! prorated in the year the business was created.

use jiff::civil::Date;

use crate::table::{LookupError, RateTable, Source, ThresholdKind};
use crate::{Category, Cents};

/// The share of the year a business created during it was active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prorata {
    /// From the creation date to 31 December, both included.
    pub days_active: i64,
    /// 365, or 366 in a leap year.
    pub days_in_year: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceilings {
    pub year: i16,
    pub category: Category,
    pub ceiling: Cents,
    pub vat_franchise: Cents,
    pub vat_franchise_upper: Cents,
    /// `Some` in the year of creation, when the three figures are prorated.
    pub prorata: Option<Prorata>,
    /// The sources of the three figures, in the order above.
    pub sources: [Source; 3],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CeilingError {
    #[error("the business was created on {created}, after the year {year}")]
    CreatedLater { created: Date, year: i16 },
    #[error("{0} is not a year tribune handles")]
    Year(i16),
    #[error(transparent)]
    Lookup(#[from] LookupError),
}

/// `amount × days_active / days_in_year`, rounded down to the cent: a prorated ceiling is never
/// overstated, so the warning comes a cent early rather than a cent late.
fn prorate(amount: Cents, prorata: Prorata) -> Cents {
    let scaled = i128::from(amount.get()) * i128::from(prorata.days_active)
        / i128::from(prorata.days_in_year);
    // days_active <= days_in_year, so the result is at most the amount.
    Cents::new(i64::try_from(scaled).unwrap_or(amount.get()))
}

/// The ceilings for `year`, from the thresholds in force on 1 January of that year.
///
/// In the year of creation the three figures are prorated by days, the way the URSSAF and the
/// tax administration count it: days from the creation date to 31 December inclusive, over the
/// days of the year (366 in a leap year), rounded down to the cent. For the micro ceiling this
/// is art. 50-0 CGI (« ajusté au prorata du temps d'exploitation »). For the VAT thresholds the
/// same prorata is applied as a cautious reading (guides and the former BOFiP practice prorate
/// them; the 2025 wording of art. 293 B is silent): a warning comes earlier, never later.
pub fn ceilings(
    table: &RateTable,
    category: Category,
    year: i16,
    created: Option<Date>,
) -> Result<Ceilings, CeilingError> {
    let first_day = Date::new(year, 1, 1).map_err(|_| CeilingError::Year(year))?;
    let prorata = match created {
        Some(created) if created.year() > year => {
            return Err(CeilingError::CreatedLater { created, year });
        }
        Some(created) if created.year() == year => Some(Prorata {
            days_active: i64::from(created.days_in_year() - created.day_of_year() + 1),
            days_in_year: i64::from(created.days_in_year()),
        }),
        _ => None,
    };
    let figure = |kind| -> Result<(Cents, Source), LookupError> {
        let row = table.threshold(category, kind, first_day)?;
        let value = match prorata {
            Some(prorata) => prorate(row.value, prorata),
            None => row.value,
        };
        Ok((value, row.source.clone()))
    };
    let (ceiling, ceiling_source) = figure(ThresholdKind::MicroCeiling)?;
    let (vat_franchise, vat_source) = figure(ThresholdKind::VatFranchise)?;
    let (vat_franchise_upper, upper_source) = figure(ThresholdKind::VatFranchiseUpper)?;
    Ok(Ceilings {
        year,
        category,
        ceiling,
        vat_franchise,
        vat_franchise_upper,
        prorata,
        sources: [ceiling_source, vat_source, upper_source],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn run(category: Category, year: i16, created: Option<Date>) -> Ceilings {
        ceilings(RateTable::shipped().unwrap(), category, year, created).unwrap()
    }

    #[test]
    fn full_years_take_the_figures_of_the_table() {
        let c = run(Category::BncSsi, 2025, None);
        assert_eq!(c.ceiling, Cents::new(7_770_000));
        assert_eq!(c.vat_franchise, Cents::new(3_750_000));
        assert_eq!(c.vat_franchise_upper, Cents::new(4_125_000));
        assert!(c.prorata.is_none());
        let c = run(Category::BncSsi, 2026, Some(date(2019, 5, 4)));
        assert_eq!(c.ceiling, Cents::new(8_360_000));
        assert!(c.prorata.is_none());
        let sales = run(Category::BicSales, 2026, None);
        assert_eq!(sales.ceiling, Cents::new(20_310_000));
        assert_eq!(sales.vat_franchise, Cents::new(8_500_000));
        assert_eq!(sales.vat_franchise_upper, Cents::new(9_350_000));
    }

    #[test]
    fn a_business_created_on_1_april_gets_a_prorated_ceiling() {
        // 1 April 2026 to 31 December 2026: 275 days of 365.
        let c = run(Category::BncSsi, 2026, Some(date(2026, 4, 1)));
        assert_eq!(
            c.prorata,
            Some(Prorata {
                days_active: 275,
                days_in_year: 365
            })
        );
        // 83,600 × 275 / 365 = 62,986.3013… -> 62,986.30 €.
        assert_eq!(c.ceiling, Cents::new(6_298_630));
        // 37,500 × 275 / 365 = 28,253.4246… -> 28,253.42 €.
        assert_eq!(c.vat_franchise, Cents::new(2_825_342));
        // 41,250 × 275 / 365 = 31,078.7671… -> 31,078.76 € (rounded down).
        assert_eq!(c.vat_franchise_upper, Cents::new(3_107_876));
    }

    #[test]
    fn leap_years_count_366_days() {
        // 1 April 2024 to 31 December 2024: 275 days of 366. 77,700 × 275 / 366 = 58,381.1475…
        let c = run(Category::BncSsi, 2024, Some(date(2024, 4, 1)));
        assert_eq!(
            c.prorata,
            Some(Prorata {
                days_active: 275,
                days_in_year: 366
            })
        );
        assert_eq!(c.ceiling, Cents::new(5_838_114));
        let first_day = run(Category::BncSsi, 2024, Some(date(2024, 1, 1)));
        assert_eq!(first_day.ceiling, Cents::new(7_770_000));
        let last_day = run(Category::BncSsi, 2024, Some(date(2024, 12, 31)));
        // 77,700 / 366 = 212.2950… -> 212.29 €.
        assert_eq!(last_day.ceiling, Cents::new(21_229));
    }

    #[test]
    fn a_creation_after_the_year_or_a_year_outside_the_table_is_refused() {
        let table = RateTable::shipped().unwrap();
        assert!(matches!(
            ceilings(table, Category::BncSsi, 2025, Some(date(2026, 1, 1))),
            Err(CeilingError::CreatedLater { .. })
        ));
        assert!(matches!(
            ceilings(table, Category::BncSsi, 2029, None),
            Err(CeilingError::Lookup(LookupError::TooLate { .. }))
        ));
        assert!(matches!(
            ceilings(table, Category::BncSsi, 2022, None),
            Err(CeilingError::Lookup(LookupError::TooEarly { .. }))
        ));
        assert!(matches!(
            ceilings(table, Category::BncSsi, 32_000, None),
            Err(CeilingError::Year(_))
        ));
    }
}
