//! Declaration periods: a calendar month, a calendar quarter, or an explicit range of days (the
//! first declaration of a new business covers from its start date to the end of a period).

use std::fmt;
use std::str::FromStr;

use jiff::ToSpan;
use jiff::civil::Date;

/// How often the business declares its turnover to the URSSAF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Periodicity {
    Monthly,
    Quarterly,
}

impl Periodicity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Periodicity::Monthly => "monthly",
            Periodicity::Quarterly => "quarterly",
        }
    }
}

impl FromStr for Periodicity {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Periodicity, PeriodError> {
        match text {
            "monthly" => Ok(Periodicity::Monthly),
            "quarterly" => Ok(Periodicity::Quarterly),
            _ => Err(PeriodError::Periodicity(text.to_owned())),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Month,
    Quarter,
    Range,
}

/// A period of days, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    start: Date,
    end: Date,
    shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "{0:?} is not a period: expected a month YYYY-MM (2026-03), a quarter YYYY-Qn (2026-Q1) \
         or a range of days YYYY-MM-DD..YYYY-MM-DD"
    )]
    Syntax(String),
    #[error("{0:?} is not a date that exists")]
    NoSuchDate(String),
    #[error("the period {0:?} ends before it starts")]
    Reversed(String),
    #[error("unknown periodicity {0:?}: expected monthly or quarterly")]
    Periodicity(String),
}

impl Period {
    /// The calendar month holding `day`.
    pub fn month_of(day: Date) -> Period {
        Period {
            start: day.first_of_month(),
            end: day.last_of_month(),
            shape: Shape::Month,
        }
    }

    /// The calendar quarter holding `day` (January–March, April–June, …).
    pub fn quarter_of(day: Date) -> Period {
        let first_month = (day.month() - 1) / 3 * 3 + 1;
        let start = day.with().month(first_month).day(1).build().unwrap_or(day);
        let end = start
            .checked_add(2.months())
            .map(Date::last_of_month)
            .unwrap_or(day);
        Period {
            start,
            end,
            shape: Shape::Quarter,
        }
    }

    /// The regular period of a periodicity holding `day`.
    pub fn of(periodicity: Periodicity, day: Date) -> Period {
        match periodicity {
            Periodicity::Monthly => Period::month_of(day),
            Periodicity::Quarterly => Period::quarter_of(day),
        }
    }

    /// An explicit range of days, first and last included.
    pub fn range(start: Date, end: Date) -> Result<Period, PeriodError> {
        if end < start {
            return Err(PeriodError::Reversed(format!("{start}..{end}")));
        }
        Ok(Period {
            start,
            end,
            shape: Shape::Range,
        })
    }

    pub const fn start(&self) -> Date {
        self.start
    }

    pub const fn end(&self) -> Date {
        self.end
    }
}

/// `2026-03`, `2026-Q1` or `2024-05-15..2024-09-30`: the same text `FromStr` reads.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shape {
            Shape::Month => write!(f, "{:04}-{:02}", self.start.year(), self.start.month()),
            Shape::Quarter => write!(
                f,
                "{:04}-Q{}",
                self.start.year(),
                (self.start.month() - 1) / 3 + 1
            ),
            Shape::Range => write!(f, "{}..{}", self.start, self.end),
        }
    }
}

fn digits(text: &str, len: usize) -> Option<i16> {
    if text.len() == len && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// A strict `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, PeriodError> {
    let syntax = || PeriodError::Syntax(text.to_owned());
    let mut parts = text.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(syntax());
    };
    let (Some(year), Some(month), Some(day)) = (digits(year, 4), digits(month, 2), digits(day, 2))
    else {
        return Err(syntax());
    };
    let (Ok(month), Ok(day)) = (i8::try_from(month), i8::try_from(day)) else {
        return Err(syntax());
    };
    Date::new(year, month, day).map_err(|_| PeriodError::NoSuchDate(text.to_owned()))
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(input: &str) -> Result<Period, PeriodError> {
        let text = input.trim();
        let syntax = || PeriodError::Syntax(input.to_owned());
        if let Some((start, end)) = text.split_once("..") {
            return Period::range(parse_date(start)?, parse_date(end)?);
        }
        let (year, rest) = text.split_once('-').ok_or_else(syntax)?;
        let year = digits(year, 4).ok_or_else(syntax)?;
        if let Some(quarter) = rest.strip_prefix(['Q', 'q']) {
            let quarter = digits(quarter, 1)
                .filter(|q| (1..=4).contains(q))
                .ok_or_else(syntax)?;
            let month = i8::try_from((quarter - 1) * 3 + 1).map_err(|_| syntax())?;
            let day = Date::new(year, month, 1).map_err(|_| syntax())?;
            return Ok(Period::quarter_of(day));
        }
        let month = digits(rest, 2)
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(syntax)?;
        let month = i8::try_from(month).map_err(|_| syntax())?;
        let day = Date::new(year, month, 1).map_err(|_| syntax())?;
        Ok(Period::month_of(day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn reads_months_quarters_and_ranges() {
        let march: Period = "2026-03".parse().unwrap();
        assert_eq!(
            (march.start(), march.end()),
            (date(2026, 3, 1), date(2026, 3, 31))
        );
        assert_eq!(march.to_string(), "2026-03");
        let february: Period = "2024-02".parse().unwrap();
        assert_eq!(february.end(), date(2024, 2, 29));
        let q3: Period = "2024-Q3".parse().unwrap();
        assert_eq!(
            (q3.start(), q3.end()),
            (date(2024, 7, 1), date(2024, 9, 30))
        );
        assert_eq!(q3.to_string(), "2024-Q3");
        let q4: Period = "2025-q4".parse().unwrap();
        assert_eq!(
            (q4.start(), q4.end()),
            (date(2025, 10, 1), date(2025, 12, 31))
        );
        let range: Period = "2024-05-15..2024-09-30".parse().unwrap();
        assert_eq!(
            (range.start(), range.end()),
            (date(2024, 5, 15), date(2024, 9, 30))
        );
        assert_eq!(range.to_string(), "2024-05-15..2024-09-30");
        assert_eq!(Period::quarter_of(date(2026, 5, 17)).to_string(), "2026-Q2");
    }

    #[test]
    fn refuses_periods_that_do_not_exist_or_do_not_parse() {
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-00",
            "2026-3",
            "26-03",
            "2026/03",
            "2026-Q5",
            "2026-Q0",
            "2026-03-01",
            "march",
            "2026-03x",
            "2026-Q1x",
            "+2026-03",
        ] {
            assert!(
                matches!(bad.parse::<Period>(), Err(PeriodError::Syntax(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            "2026-02-30..2026-03-31".parse::<Period>(),
            Err(PeriodError::NoSuchDate(_))
        ));
        assert!(matches!(
            "2026-03-31..2026-03-01".parse::<Period>(),
            Err(PeriodError::Reversed(_))
        ));
    }
}
