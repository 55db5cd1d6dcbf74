//! The dated table of rates and thresholds, read from TOML and checked before use.
//!
//! tribune ships `data/rates.toml`; a user may pass an edited copy. Either way the text goes
//! through [`RateTable::parse`], which refuses a table with a hole, an overlap, an unknown
//! name, a rate above 100 % or a row without its source, so that a lookup on a loaded table can
//! only fail for a date the table does not cover.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use jiff::civil::Date;
use serde::Deserialize;

use crate::period::parse_date;
use crate::{BasisPoints, Category, Cents};

/// The table shipped in the binary.
pub const SHIPPED: &str = include_str!("../data/rates.toml");

static SHIPPED_TABLE: LazyLock<Result<RateTable, TableError>> =
    LazyLock::new(|| RateTable::parse(SHIPPED));

/// Which rate of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RateKind {
    /// Taux global des cotisations sociales.
    Social,
    /// Contribution à la formation professionnelle.
    Cfp,
    /// Versement libératoire de l'impôt sur le revenu (only if opted).
    Vl,
}

impl RateKind {
    pub const ALL: [RateKind; 3] = [RateKind::Social, RateKind::Cfp, RateKind::Vl];

    pub const fn as_str(self) -> &'static str {
        match self {
            RateKind::Social => "social",
            RateKind::Cfp => "cfp",
            RateKind::Vl => "vl",
        }
    }
}

/// Which threshold of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ThresholdKind {
    /// Plafond de chiffre d'affaires du régime micro.
    MicroCeiling,
    /// Seuil de la franchise en base de TVA (turnover of the previous year).
    VatFranchise,
    /// Seuil majoré de la franchise (turnover of the current year).
    VatFranchiseUpper,
}

impl ThresholdKind {
    pub const ALL: [ThresholdKind; 3] = [
        ThresholdKind::MicroCeiling,
        ThresholdKind::VatFranchise,
        ThresholdKind::VatFranchiseUpper,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ThresholdKind::MicroCeiling => "micro-ceiling",
            ThresholdKind::VatFranchise => "vat-franchise",
            ThresholdKind::VatFranchiseUpper => "vat-franchise-upper",
        }
    }
}

/// Where a figure comes from: the legal text, and a page to start from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub reference: String,
    pub url: String,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <{}>", self.reference, self.url)
    }
}

/// One figure and the days it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated<T> {
    pub value: T,
    /// First day in force.
    pub from: Date,
    /// Set on the last row of a series: the last day the figure is known to hold.
    pub known_until: Option<Date>,
    pub source: Source,
}

/// A table that failed its checks; `row` counts from 1 within `[[rate]]` or `[[threshold]]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the rate table is not valid TOML: {0}")]
    Toml(String),
    #[error("rate table, [[{section}]] row {row}: {problem}")]
    Row {
        section: &'static str,
        row: usize,
        problem: String,
    },
    #[error("rate table: {0}")]
    Table(String),
}

/// A date the table has no figure for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("the rate table has no {kind} figure for {category} before {first}; asked for {on}")]
    TooEarly {
        category: Category,
        kind: &'static str,
        first: Date,
        on: Date,
    },
    #[error(
        "the rate table knows the {kind} figure for {category} only until {until}; asked for \
         {on}: update the table (see docs/BUSINESS.md)"
    )]
    TooLate {
        category: Category,
        kind: &'static str,
        until: Date,
        on: Date,
    },
    #[error("the rate table has no {kind} figure for {category}")]
    Missing {
        category: Category,
        kind: &'static str,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[serde(default)]
    rate: Vec<RawRate>,
    #[serde(default)]
    threshold: Vec<RawThreshold>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRate {
    category: String,
    kind: String,
    from: String,
    bp: i64,
    known_until: Option<String>,
    source: String,
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    category: String,
    kind: String,
    from: String,
    cents: i64,
    known_until: Option<String>,
    source: String,
    url: String,
}

/// Every rate and threshold by category, kind and effective date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateTable {
    rates: BTreeMap<(Category, RateKind), Vec<Dated<BasisPoints>>>,
    thresholds: BTreeMap<(Category, ThresholdKind), Vec<Dated<Cents>>>,
}

/// The fields every row shares, checked the same way for rates and thresholds.
struct Common {
    category: Category,
    from: Date,
    known_until: Option<Date>,
    source: Source,
}

fn common(
    category: &str,
    from: &str,
    known_until: Option<&str>,
    source: &str,
    url: &str,
) -> Result<Common, String> {
    let category = category.parse::<Category>().map_err(|e| e.to_string())?;
    let from = parse_date(from).map_err(|e| format!("from: {e}"))?;
    let known_until = known_until
        .map(parse_date)
        .transpose()
        .map_err(|e| format!("known_until: {e}"))?;
    if known_until.is_some_and(|until| until < from) {
        return Err("known_until is before from".to_owned());
    }
    if source.trim().is_empty() {
        return Err("every figure needs its source".to_owned());
    }
    if !url.starts_with("https://") || url.len() <= "https://".len() {
        return Err(format!("url {url:?} is not an https:// address"));
    }
    Ok(Common {
        category,
        from,
        known_until,
        source: Source {
            reference: source.trim().to_owned(),
            url: url.to_owned(),
        },
    })
}

/// Sorts each series by date and checks it: no two rows on one date, `known_until` on the last
/// row only, and every category has every kind.
fn check_series<K: Copy + Ord, T>(
    series: &mut BTreeMap<(Category, K), Vec<Dated<T>>>,
    kinds: &[K],
    name: impl Fn(K) -> &'static str,
) -> Result<(), TableError> {
    for category in Category::ALL {
        for &kind in kinds {
            let Some(rows) = series.get_mut(&(category, kind)) else {
                return Err(TableError::Table(format!(
                    "no {} row for {category}",
                    name(kind)
                )));
            };
            rows.sort_by_key(|row| row.from);
            for pair in rows.windows(2) {
                if let [earlier, later] = pair {
                    if earlier.from == later.from {
                        return Err(TableError::Table(format!(
                            "two {} rows for {category} from {}",
                            name(kind),
                            later.from
                        )));
                    }
                    if earlier.known_until.is_some() {
                        return Err(TableError::Table(format!(
                            "the {} row for {category} from {} has known_until but is followed \
                             by the row from {}: only the last row of a series ends",
                            name(kind),
                            earlier.from,
                            later.from
                        )));
                    }
                }
            }
            if rows.last().is_some_and(|last| last.known_until.is_none()) {
                return Err(TableError::Table(format!(
                    "the last {} row for {category} needs known_until (the last day the figure \
                     is known to hold)",
                    name(kind)
                )));
            }
        }
    }
    Ok(())
}

fn lookup<'t, T>(
    rows: Option<&'t Vec<Dated<T>>>,
    category: Category,
    kind: &'static str,
    on: Date,
) -> Result<&'t Dated<T>, LookupError> {
    let rows = rows
        .filter(|rows| !rows.is_empty())
        .ok_or(LookupError::Missing { category, kind })?;
    let Some(row) = rows.iter().rev().find(|row| row.from <= on) else {
        let first = rows.first().map_or(on, |row| row.from);
        return Err(LookupError::TooEarly {
            category,
            kind,
            first,
            on,
        });
    };
    if let Some(until) = row.known_until.filter(|until| on > *until) {
        return Err(LookupError::TooLate {
            category,
            kind,
            until,
            on,
        });
    }
    Ok(row)
}

impl RateTable {
    /// The table shipped in the binary (parsed once; a test proves it is valid).
    pub fn shipped() -> Result<&'static RateTable, TableError> {
        SHIPPED_TABLE.as_ref().map_err(Clone::clone)
    }

    /// Reads and checks a table in the format of `data/rates.toml`.
    pub fn parse(text: &str) -> Result<RateTable, TableError> {
        let raw: RawTable = toml::from_str(text).map_err(|e| TableError::Toml(e.to_string()))?;
        let mut rates: BTreeMap<(Category, RateKind), Vec<Dated<BasisPoints>>> = BTreeMap::new();
        for (index, row) in raw.rate.iter().enumerate() {
            let problem = |problem: String| TableError::Row {
                section: "rate",
                row: index + 1,
                problem,
            };
            let common = common(
                &row.category,
                &row.from,
                row.known_until.as_deref(),
                &row.source,
                &row.url,
            )
            .map_err(problem)?;
            let kind = RateKind::ALL
                .into_iter()
                .find(|kind| kind.as_str() == row.kind)
                .ok_or_else(|| {
                    problem(format!(
                        "unknown kind {:?}: expected social, cfp or vl",
                        row.kind
                    ))
                })?;
            let value = u16::try_from(row.bp)
                .ok()
                .and_then(BasisPoints::new)
                .ok_or_else(|| {
                    problem(format!(
                        "bp = {} is not a rate between 0 and 10000 basis points (100 %)",
                        row.bp
                    ))
                })?;
            rates
                .entry((common.category, kind))
                .or_default()
                .push(Dated {
                    value,
                    from: common.from,
                    known_until: common.known_until,
                    source: common.source,
                });
        }
        let mut thresholds: BTreeMap<(Category, ThresholdKind), Vec<Dated<Cents>>> =
            BTreeMap::new();
        for (index, row) in raw.threshold.iter().enumerate() {
            let problem = |problem: String| TableError::Row {
                section: "threshold",
                row: index + 1,
                problem,
            };
            let common = common(
                &row.category,
                &row.from,
                row.known_until.as_deref(),
                &row.source,
                &row.url,
            )
            .map_err(problem)?;
            let kind = ThresholdKind::ALL
                .into_iter()
                .find(|kind| kind.as_str() == row.kind)
                .ok_or_else(|| {
                    problem(format!(
                        "unknown kind {:?}: expected micro-ceiling, vat-franchise or \
                         vat-franchise-upper",
                        row.kind
                    ))
                })?;
            if row.cents <= 0 {
                return Err(problem(format!(
                    "cents = {} is not a positive amount",
                    row.cents
                )));
            }
            thresholds
                .entry((common.category, kind))
                .or_default()
                .push(Dated {
                    value: Cents::new(row.cents),
                    from: common.from,
                    known_until: common.known_until,
                    source: common.source,
                });
        }
        check_series(&mut rates, &RateKind::ALL, RateKind::as_str)?;
        check_series(&mut thresholds, &ThresholdKind::ALL, ThresholdKind::as_str)?;
        let table = RateTable { rates, thresholds };
        table.check_vat_pairs()?;
        Ok(table)
    }

    /// On every date either VAT threshold changes, the upper one is at least the base one.
    fn check_vat_pairs(&self) -> Result<(), TableError> {
        for category in Category::ALL {
            let dates = [
                ThresholdKind::VatFranchise,
                ThresholdKind::VatFranchiseUpper,
            ]
            .into_iter()
            .filter_map(|kind| self.thresholds.get(&(category, kind)))
            .flatten()
            .map(|row| row.from);
            for on in dates {
                let base = self.threshold(category, ThresholdKind::VatFranchise, on);
                let upper = self.threshold(category, ThresholdKind::VatFranchiseUpper, on);
                if let (Ok(base), Ok(upper)) = (base, upper)
                    && upper.value < base.value
                {
                    return Err(TableError::Table(format!(
                        "on {on}, the vat-franchise-upper threshold of {category} ({}) is below \
                         its vat-franchise threshold ({})",
                        upper.value, base.value
                    )));
                }
            }
        }
        Ok(())
    }

    /// The rate of `kind` for `category` in force on `on`.
    pub fn rate(
        &self,
        category: Category,
        kind: RateKind,
        on: Date,
    ) -> Result<&Dated<BasisPoints>, LookupError> {
        lookup(
            self.rates.get(&(category, kind)),
            category,
            kind.as_str(),
            on,
        )
    }

    /// The threshold of `kind` for `category` in force on `on`.
    pub fn threshold(
        &self,
        category: Category,
        kind: ThresholdKind,
        on: Date,
    ) -> Result<&Dated<Cents>, LookupError> {
        lookup(
            self.thresholds.get(&(category, kind)),
            category,
            kind.as_str(),
            on,
        )
    }

    /// Every rate row, for showing the whole table with its sources.
    pub fn rates(&self) -> impl Iterator<Item = (Category, RateKind, &Dated<BasisPoints>)> {
        self.rates
            .iter()
            .flat_map(|((category, kind), rows)| rows.iter().map(|row| (*category, *kind, row)))
    }

    /// Every threshold row.
    pub fn thresholds(&self) -> impl Iterator<Item = (Category, ThresholdKind, &Dated<Cents>)> {
        self.thresholds
            .iter()
            .flat_map(|((category, kind), rows)| rows.iter().map(|row| (*category, *kind, row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn bp(table: &RateTable, category: Category, kind: RateKind, on: Date) -> u16 {
        table.rate(category, kind, on).unwrap().value.get()
    }

    #[test]
    fn the_shipped_table_is_valid() {
        let table = RateTable::shipped().unwrap();
        assert!(table.rates().count() >= 16);
        assert!(table.thresholds().count() >= 24);
    }

    #[test]
    fn the_shipped_table_holds_the_figures_of_issue_15() {
        let t = RateTable::shipped().unwrap();
        use Category::*;
        use RateKind::*;
        assert_eq!(bp(t, BncSsi, Social, date(2024, 6, 30)), 2110);
        assert_eq!(bp(t, BncSsi, Social, date(2024, 7, 1)), 2310);
        assert_eq!(bp(t, BncSsi, Social, date(2025, 1, 1)), 2460);
        assert_eq!(bp(t, BncSsi, Social, date(2026, 12, 31)), 2560);
        assert_eq!(bp(t, BncCipav, Social, date(2026, 1, 1)), 2320);
        assert_eq!(bp(t, BicServices, Social, date(2026, 1, 1)), 2120);
        assert_eq!(bp(t, BicSales, Social, date(2026, 1, 1)), 1230);
        assert_eq!(bp(t, BncSsi, Cfp, date(2026, 1, 1)), 20);
        assert_eq!(bp(t, BncSsi, Vl, date(2026, 1, 1)), 220);
        assert_eq!(bp(t, BicServices, Vl, date(2026, 1, 1)), 170);
        assert_eq!(bp(t, BicSales, Vl, date(2026, 1, 1)), 100);
        let cents = |category, kind, on| t.threshold(category, kind, on).unwrap().value.get();
        use ThresholdKind::*;
        assert_eq!(cents(BncSsi, MicroCeiling, date(2025, 12, 31)), 7_770_000);
        assert_eq!(cents(BncSsi, MicroCeiling, date(2026, 1, 1)), 8_360_000);
        assert_eq!(cents(BncSsi, MicroCeiling, date(2028, 12, 31)), 8_360_000);
        assert_eq!(cents(BicSales, MicroCeiling, date(2026, 1, 1)), 20_310_000);
        assert_eq!(cents(BncSsi, VatFranchise, date(2025, 1, 1)), 3_750_000);
        assert_eq!(
            cents(BncSsi, VatFranchiseUpper, date(2026, 1, 1)),
            4_125_000
        );
        assert_eq!(cents(BicSales, VatFranchise, date(2026, 1, 1)), 8_500_000);
        assert_eq!(
            cents(BicSales, VatFranchiseUpper, date(2026, 1, 1)),
            9_350_000
        );
    }

    #[test]
    fn dates_outside_the_table_are_refused_not_guessed() {
        let t = RateTable::shipped().unwrap();
        assert!(matches!(
            t.rate(Category::BncSsi, RateKind::Social, date(2022, 12, 31)),
            Err(LookupError::TooEarly { .. })
        ));
        assert!(matches!(
            t.rate(Category::BncSsi, RateKind::Social, date(2027, 1, 1)),
            Err(LookupError::TooLate { .. })
        ));
        assert!(matches!(
            t.threshold(
                Category::BncSsi,
                ThresholdKind::MicroCeiling,
                date(2029, 1, 1)
            ),
            Err(LookupError::TooLate { .. })
        ));
    }

    #[test]
    fn every_shipped_figure_names_its_source() {
        let t = RateTable::shipped().unwrap();
        for (_, _, row) in t.rates() {
            assert!(!row.source.reference.is_empty() && row.source.url.starts_with("https://"));
        }
        for (_, _, row) in t.thresholds() {
            assert!(!row.source.reference.is_empty() && row.source.url.starts_with("https://"));
        }
    }

    /// The shipped table with one line replaced, to break it on purpose.
    fn edited(find: &str, replace: &str) -> Result<RateTable, TableError> {
        assert!(SHIPPED.contains(find), "{find} not in the table");
        RateTable::parse(&SHIPPED.replacen(find, replace, 1))
    }

    #[test]
    fn broken_tables_are_refused_with_the_reason() {
        let cases: [(&str, &str, &str); 10] = [
            ("bp = 2560", "bp = 25600", "not a rate between 0 and 10000"),
            ("bp = 2560", "bp = -1", "not a rate between 0 and 10000"),
            ("bp = 2560", "bp = 25.6", "not valid TOML"),
            (
                "category = \"bnc-ssi\"",
                "category = \"bnc\"",
                "unknown category",
            ),
            ("kind = \"social\"", "kind = \"sociale\"", "unknown kind"),
            (
                "from = \"2024-07-01\"",
                "from = \"2024-06-31\"",
                "not a date that exists",
            ),
            (
                "from = \"2024-07-01\"",
                "from = \"2023-01-01\"",
                "two social rows for bnc-ssi",
            ),
            ("known_until = \"2026-12-31\"\n", "", "needs known_until"),
            (
                "url = \"https://www.legifrance.gouv.fr\"",
                "url = \"\"",
                "https://",
            ),
            (
                "cents = 4125000",
                "cents = 3000000",
                "below its vat-franchise threshold",
            ),
        ];
        for (find, replace, expected) in cases {
            let error = edited(find, replace).unwrap_err().to_string();
            assert!(error.contains(expected), "{find} -> {replace}: {error}");
        }
        let unknown_field = edited("bp = 2560", "bp = 2560\nrate = 1").unwrap_err();
        assert!(
            unknown_field.to_string().contains("unknown field"),
            "{unknown_field}"
        );
        let missing = RateTable::parse("").unwrap_err().to_string();
        assert!(missing.contains("no social row for bnc-ssi"), "{missing}");
    }
}
