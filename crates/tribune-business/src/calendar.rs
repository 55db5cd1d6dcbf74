//! The dates a micro-entrepreneur must not miss: turnover declarations, the CFE, the deadline
//! to opt for the versement libératoire.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::{Period, Periodicity};

/// How long after the start of activity the first declaration may wait.
const FIRST_DECLARATION_DELAY_DAYS: i32 = 90;

/// One turnover declaration to the URSSAF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    pub covers: Period,
    /// The last day to declare and pay.
    pub due: Date,
    /// The first declaration of the business (it covers from the start of activity).
    pub first: bool,
}

/// The last day of the month after the one `period_end` falls in: the URSSAF deadline for a
/// monthly or quarterly declaration (31 January, 30 April, 31 July, 31 October for quarters).
pub fn due_date(period_end: Date) -> Date {
    period_end
        .first_of_month()
        .checked_add(1.month())
        .map_or(period_end, Date::last_of_month)
}

fn next_day(day: Date) -> Option<Date> {
    day.checked_add(1.day()).ok()
}

/// The first declaration of a business that started on `started`.
///
/// Rule used (URSSAF: the first declaration comes once 90 days of activity have passed, and
/// covers everything since the start): the first regular deadline falling at least 90 days
/// after the start date; it covers from the start date to the end of that deadline's period.
/// Started 15 January, monthly or quarterly: due 30 April, covering 15 January to 31 March.
pub fn first_declaration(periodicity: Periodicity, started: Date) -> Declaration {
    let earliest = started
        .checked_add(FIRST_DECLARATION_DELAY_DAYS.days())
        .unwrap_or(started);
    let mut period = Period::of(periodicity, started);
    // At most five periods (90 days is three months); the bound only guards the loop.
    for _ in 0..6 {
        if due_date(period.end()) >= earliest {
            break;
        }
        match next_day(period.end()) {
            Some(day) => period = Period::of(periodicity, day),
            None => break,
        }
    }
    let covers = Period::range(started, period.end()).unwrap_or(period);
    Declaration {
        covers,
        due: due_date(period.end()),
        first: true,
    }
}

/// Every declaration of a business started on `started` whose deadline falls in `year`, in
/// order: the first declaration, then one per regular period.
pub fn declarations_due_in(periodicity: Periodicity, started: Date, year: i16) -> Vec<Declaration> {
    let mut due = Vec::new();
    let mut declaration = first_declaration(periodicity, started);
    // A year holds at most 12 deadlines; 5 more periods cover the first declaration's wait.
    for _ in 0..(12 * 200) {
        if declaration.due.year() > year {
            break;
        }
        if declaration.due.year() == year {
            due.push(declaration);
        }
        let Some(day) = next_day(declaration.covers.end()) else {
            break;
        };
        let covers = Period::of(periodicity, day);
        declaration = Declaration {
            covers,
            due: due_date(covers.end()),
            first: false,
        };
    }
    due
}

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    Declaration(Declaration),
    /// Cotisation foncière des entreprises: paid by 15 December, from the year after creation
    /// (exempt in the year of creation, art. 1478 CGI).
    Cfe,
    /// Last day to opt for the versement libératoire (art. 151-0 CGI): 30 September for the
    /// next year, or the last day of the third month after creation for the first year.
    VersementLiberatoireOption {
        takes_effect: Date,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub date: Date,
    pub kind: ReminderKind,
}

/// The reminders of `year` for a business started on `started`, in date order.
pub fn reminders(periodicity: Periodicity, started: Date, year: i16) -> Vec<Reminder> {
    let mut reminders: Vec<Reminder> = declarations_due_in(periodicity, started, year)
        .into_iter()
        .map(|declaration| Reminder {
            date: declaration.due,
            kind: ReminderKind::Declaration(declaration),
        })
        .collect();
    if year > started.year()
        && let Ok(date) = Date::new(year, 12, 15)
    {
        reminders.push(Reminder {
            date,
            kind: ReminderKind::Cfe,
        });
    }
    if let Ok(date) = started
        .first_of_month()
        .checked_add(3.months())
        .map(Date::last_of_month)
        && date.year() == year
    {
        reminders.push(Reminder {
            date,
            kind: ReminderKind::VersementLiberatoireOption {
                takes_effect: started,
            },
        });
    }
    if year >= started.year()
        && let (Ok(date), Ok(takes_effect)) = (Date::new(year, 9, 30), Date::new(year + 1, 1, 1))
        && date >= started
    {
        reminders.push(Reminder {
            date,
            kind: ReminderKind::VersementLiberatoireOption { takes_effect },
        });
    }
    reminders.sort_by_key(|reminder| reminder.date);
    reminders
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn regular_declarations_are_due_at_the_end_of_the_following_month() {
        assert_eq!(due_date(date(2026, 1, 31)), date(2026, 2, 28));
        assert_eq!(due_date(date(2024, 1, 31)), date(2024, 2, 29));
        assert_eq!(due_date(date(2026, 3, 31)), date(2026, 4, 30));
        assert_eq!(due_date(date(2026, 6, 30)), date(2026, 7, 31));
        assert_eq!(due_date(date(2026, 9, 30)), date(2026, 10, 31));
        assert_eq!(due_date(date(2026, 12, 31)), date(2027, 1, 31));
    }

    #[test]
    fn the_first_declaration_waits_for_90_days_and_covers_from_the_start() {
        let monthly = first_declaration(Periodicity::Monthly, date(2026, 1, 15));
        assert_eq!(monthly.due, date(2026, 4, 30));
        assert_eq!(monthly.covers.to_string(), "2026-01-15..2026-03-31");
        let quarterly = first_declaration(Periodicity::Quarterly, date(2026, 1, 15));
        assert_eq!(quarterly.due, date(2026, 4, 30));
        assert_eq!(quarterly.covers.to_string(), "2026-01-15..2026-03-31");
        // Started 1 February, quarterly: 90 days end on 2 May, past 30 April.
        let late_quarter = first_declaration(Periodicity::Quarterly, date(2026, 2, 1));
        assert_eq!(late_quarter.due, date(2026, 7, 31));
        assert_eq!(late_quarter.covers.to_string(), "2026-02-01..2026-06-30");
        // Started 1 April, monthly: day 90 is 30 June, a deadline.
        let april = first_declaration(Periodicity::Monthly, date(2026, 4, 1));
        assert_eq!(april.due, date(2026, 6, 30));
        assert_eq!(april.covers.to_string(), "2026-04-01..2026-05-31");
    }

    #[test]
    fn a_year_of_monthly_declarations_follows_the_first_one() {
        let due = declarations_due_in(Periodicity::Monthly, date(2026, 1, 15), 2026);
        let dates: Vec<String> = due.iter().map(|d| d.due.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2026-04-30",
                "2026-05-31",
                "2026-06-30",
                "2026-07-31",
                "2026-08-31",
                "2026-09-30",
                "2026-10-31",
                "2026-11-30",
                "2026-12-31"
            ]
        );
        assert!(due[0].first && !due[1].first);
        assert_eq!(due[1].covers.to_string(), "2026-04");
        let next = declarations_due_in(Periodicity::Monthly, date(2026, 1, 15), 2027);
        assert_eq!(next.len(), 12);
        assert_eq!(next[0].covers.to_string(), "2026-12");
        let quarters = declarations_due_in(Periodicity::Quarterly, date(2020, 3, 2), 2026);
        let covers: Vec<String> = quarters.iter().map(|d| d.covers.to_string()).collect();
        assert_eq!(covers, ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]);
    }

    #[test]
    fn cfe_and_option_deadlines_come_in_their_years() {
        let created = reminders(Periodicity::Monthly, date(2026, 2, 10), 2026);
        assert!(!created.iter().any(|r| r.kind == ReminderKind::Cfe));
        let options: Vec<Date> = created
            .iter()
            .filter(|r| matches!(r.kind, ReminderKind::VersementLiberatoireOption { .. }))
            .map(|r| r.date)
            .collect();
        // Last day of the third month after February, then 30 September for 2027.
        assert_eq!(options, [date(2026, 5, 31), date(2026, 9, 30)]);
        let later = reminders(Periodicity::Monthly, date(2026, 2, 10), 2027);
        assert!(
            later
                .iter()
                .any(|r| r.kind == ReminderKind::Cfe && r.date == date(2027, 12, 15))
        );
        assert!(later.windows(2).all(|w| w[0].date <= w[1].date));
        // Created after 30 September: no option deadline that was already past.
        let autumn = reminders(Periodicity::Quarterly, date(2026, 10, 5), 2026);
        let options: Vec<Date> = autumn
            .iter()
            .filter(|r| matches!(r.kind, ReminderKind::VersementLiberatoireOption { .. }))
            .map(|r| r.date)
            .collect();
        assert!(options.is_empty());
        let options: Vec<Date> = reminders(Periodicity::Quarterly, date(2026, 10, 5), 2027)
            .iter()
            .filter(|r| matches!(r.kind, ReminderKind::VersementLiberatoireOption { .. }))
            .map(|r| r.date)
            .collect();
        assert_eq!(options, [date(2027, 1, 31), date(2027, 9, 30)]);
    }
}
