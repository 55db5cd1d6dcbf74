//! Response-time targets of a workspace's inbox: "answer within 2 business hours", counted in
//! the workspace's time zone, on its opening hours, without French public holidays when asked.
//!
//! A message's clock starts when tribune receives it and stops at the first reply sent from
//! tribune or when it is marked done; its deadline is the instant the target's business minutes
//! have run out. Pure functions: the store keeps each message's deadline, the pages show it.

use crate::ValidationError;
use crate::queue::resolve;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// The longest target: five business days of 24 hours.
pub const MAX_TARGET_MINUTES: u32 = 7_200;
/// Days a deadline or a duration is looked for at most (a year and a little).
const MAX_DAYS: usize = 400;
const DAY_MINUTES: u16 = 24 * 60;

/// Opening hours of one day, in minutes since midnight: `[start, end)`, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    pub start: u16,
    pub end: u16,
}

impl Hours {
    /// `"09:30"` as minutes since midnight; `"24:00"` is the end of the day.
    pub fn parse_time(text: &str) -> Option<u16> {
        let (h, m) = text.split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    }

    /// Minutes since midnight as `"HH:MM"` (`1440` is `"24:00"`).
    pub fn time(minutes: u16) -> String {
        format!("{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// A workspace's response-time target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Business minutes to give a first answer in.
    pub target_minutes: u32,
    /// A message is "near breach" when its deadline is this many minutes away or less.
    pub warn_minutes: u32,
    /// Opening hours from Monday (index 0) to Sunday; `None`: closed all day.
    pub hours: [Option<Hours>; 7],
    /// French public holidays (metropolitan France) are closed days.
    pub french_holidays: bool,
}

impl Sla {
    /// Two business hours, 9:00 to 18:00 from Monday to Friday, French holidays closed.
    pub fn office() -> Sla {
        let day = Some(Hours {
            start: 9 * 60,
            end: 18 * 60,
        });
        Sla {
            target_minutes: 120,
            warn_minutes: 30,
            hours: [day, day, day, day, day, None, None],
            french_holidays: true,
        }
    }

    /// Checks a target as typed or sent.
    pub fn checked(self) -> Result<Sla, ValidationError> {
        let mut errors = ValidationError::default();
        if self.target_minutes == 0 || self.target_minutes > MAX_TARGET_MINUTES {
            errors.push("target_minutes", "error-sla-target");
        }
        if self.warn_minutes > self.target_minutes {
            errors.push("warn_minutes", "error-sla-warn");
        }
        if self
            .hours
            .iter()
            .flatten()
            .any(|h| h.start >= h.end || h.end > DAY_MINUTES)
        {
            errors.push("hours", "error-sla-hours");
        }
        if self.hours.iter().all(Option::is_none) {
            errors.push("hours", "error-sla-closed");
        }
        errors.into_result()?;
        Ok(self)
    }

    /// The opening hours of `date`: none on a closed day or a holiday.
    fn open_on(&self, date: Date) -> Option<Hours> {
        if self.french_holidays && french_holiday(date) {
            return None;
        }
        self.hours[date.weekday().to_monday_zero_offset() as usize]
    }

    /// Each open stretch from the local day of `from` on, as instants, clipped to start at
    /// `from`: what both the deadline and the business duration walk through.
    fn stretches(&self, from: i64, tz: &TimeZone) -> impl Iterator<Item = (i64, i64)> + '_ {
        let start = Timestamp::from_second(from).unwrap_or(Timestamp::UNIX_EPOCH);
        let first = start.to_zoned(tz.clone()).date();
        let tz = tz.clone();
        (0..MAX_DAYS)
            .filter_map(move |n| first.checked_add(jiff::Span::new().days(n as i64)).ok())
            .filter_map(move |date| {
                let hours = self.open_on(date)?;
                let at = |minutes: u16| {
                    if minutes >= DAY_MINUTES {
                        let next = date.tomorrow().ok()?;
                        return resolve(&tz, next, Time::midnight());
                    }
                    let time = Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).ok()?;
                    resolve(&tz, date, time)
                };
                let open = at(hours.start)?.as_second();
                let close = at(hours.end)?.as_second();
                Some((open.max(from), close))
            })
            .filter(|(open, close)| open < close)
    }

    /// When a message received at `received_at` must have had its first answer.
    pub fn deadline(&self, received_at: i64, tz: &TimeZone) -> i64 {
        let mut left = i64::from(self.target_minutes) * 60;
        for (open, close) in self.stretches(received_at, tz) {
            if close - open >= left {
                return open + left;
            }
            left -= close - open;
        }
        // Open hours so rare that a year does not hold the target: count it in plain time.
        received_at + i64::from(self.target_minutes) * 60
    }

    /// Business seconds between two instants (0 when `to` is not after `from`).
    pub fn business_seconds(&self, from: i64, to: i64, tz: &TimeZone) -> i64 {
        let mut total = 0;
        for (open, close) in self.stretches(from, tz) {
            if open >= to {
                break;
            }
            total += close.min(to) - open;
        }
        total
    }
}

/// Where a message's clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Answered (or marked done) before its deadline.
    Met,
    /// Answered (or marked done) after its deadline.
    Missed,
    /// Waiting, the deadline further than the warning.
    Running,
    /// Waiting, the deadline within the warning.
    Near,
    /// Waiting past its deadline.
    Breached,
}

impl Clock {
    /// `stopped_at`: the first answer, or when it was marked done.
    pub fn at(due_at: i64, stopped_at: Option<i64>, warn_minutes: u32, now: i64) -> Clock {
        match stopped_at {
            Some(at) if at <= due_at => Clock::Met,
            Some(_) => Clock::Missed,
            None if now >= due_at => Clock::Breached,
            None if due_at - now <= i64::from(warn_minutes) * 60 => Clock::Near,
            None => Clock::Running,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Clock::Met => "met",
            Clock::Missed => "missed",
            Clock::Running => "running",
            Clock::Near => "near",
            Clock::Breached => "breached",
        }
    }
}

/// Easter Sunday of `year` (Gregorian calendar; anonymous algorithm, Meeus/Jones/Butcher).
pub fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).ok()
}

/// The eleven public holidays of metropolitan France (Alsace and Moselle add Good Friday and
/// 26 December, not counted here).
pub fn french_holiday(date: Date) -> bool {
    let fixed = matches!(
        (date.month(), date.day()),
        (1, 1) | (5, 1) | (5, 8) | (7, 14) | (8, 15) | (11, 1) | (11, 11) | (12, 25)
    );
    fixed
        || easter(date.year()).is_some_and(|sunday| {
            [1, 39, 50].iter().any(|days| {
                sunday
                    .checked_add(jiff::Span::new().days(*days))
                    .is_ok_and(|d| d == date)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        jiff::tz::db().get("Europe/Paris").unwrap()
    }

    fn at(s: &str) -> i64 {
        s.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(paris())
            .unwrap()
            .timestamp()
            .as_second()
    }

    #[test]
    fn easter_and_the_french_holidays() {
        assert_eq!(easter(2026), Some(jiff::civil::date(2026, 4, 5)));
        assert_eq!(easter(2027), Some(jiff::civil::date(2027, 3, 28)));
        assert_eq!(easter(2024), Some(jiff::civil::date(2024, 3, 31)));
        for holiday in [
            "2026-01-01",
            "2026-04-06", // Easter Monday
            "2026-05-01",
            "2026-05-08",
            "2026-05-14", // Ascension
            "2026-05-25", // Whit Monday
            "2026-07-14",
            "2026-08-15",
            "2026-11-01",
            "2026-11-11",
            "2026-12-25",
        ] {
            assert!(french_holiday(holiday.parse().unwrap()), "{holiday}");
        }
        for day in ["2026-04-05", "2026-04-03", "2026-12-26", "2026-05-02"] {
            assert!(!french_holiday(day.parse().unwrap()), "{day}");
        }
    }

    #[test]
    fn the_target_counts_only_opening_hours() {
        let sla = Sla::office();
        let tz = paris();
        // Tuesday 10:00 + 2 h = 12:00.
        assert_eq!(
            sla.deadline(at("2026-12-01T10:00"), &tz),
            at("2026-12-01T12:00")
        );
        // Tuesday 17:30: 30 min today, 1 h 30 on Wednesday from 9:00.
        assert_eq!(
            sla.deadline(at("2026-12-01T17:30"), &tz),
            at("2026-12-02T10:30")
        );
        // Friday 19:00 (closed): Monday 11:00.
        assert_eq!(
            sla.deadline(at("2026-12-04T19:00"), &tz),
            at("2026-12-07T11:00")
        );
        // Thursday 24 December 17:00: one hour, then Christmas (Friday) and the weekend.
        assert_eq!(
            sla.deadline(at("2026-12-24T17:00"), &tz),
            at("2026-12-28T10:00")
        );
        // Exactly at the end: a message at 7:00 is due at 11:00.
        assert_eq!(
            sla.deadline(at("2026-12-01T07:00"), &tz),
            at("2026-12-01T11:00")
        );
        // Holidays open when not asked for.
        let open = Sla {
            french_holidays: false,
            ..Sla::office()
        };
        assert_eq!(
            open.deadline(at("2026-12-24T17:00"), &tz),
            at("2026-12-25T10:00")
        );
    }

    #[test]
    fn daylight_saving_time_changes_do_not_move_business_hours() {
        // Every day open 0:00–24:00; the night of 29 March 2026 has 23 hours in Paris.
        let day = Some(Hours {
            start: 0,
            end: DAY_MINUTES,
        });
        let sla = Sla {
            target_minutes: 24 * 60,
            warn_minutes: 0,
            hours: [day; 7],
            french_holidays: false,
        };
        let from = at("2026-03-28T12:00");
        assert_eq!(sla.deadline(from, &paris()), from + 24 * 3600);
        // On office hours across the change, 9:00 local stays 9:00 local.
        let office = Sla::office();
        assert_eq!(
            office.deadline(at("2026-03-27T17:00"), &paris()),
            at("2026-03-30T10:00")
        );
    }

    #[test]
    fn business_time_between_two_instants() {
        let sla = Sla::office();
        let tz = paris();
        // Friday 17:00 to Monday 10:00: one hour on Friday, one on Monday.
        assert_eq!(
            sla.business_seconds(at("2026-12-04T17:00"), at("2026-12-07T10:00"), &tz),
            2 * 3600
        );
        assert_eq!(
            sla.business_seconds(at("2026-12-07T10:00"), at("2026-12-04T17:00"), &tz),
            0
        );
        // The deadline is where the business time reaches the target.
        let from = at("2026-12-01T16:20");
        let due = sla.deadline(from, &tz);
        assert_eq!(sla.business_seconds(from, due, &tz), 120 * 60);
    }

    #[test]
    fn a_clock_is_met_missed_running_near_or_breached() {
        assert_eq!(Clock::at(1_000, Some(900), 30, 2_000), Clock::Met);
        assert_eq!(Clock::at(1_000, Some(1_001), 30, 2_000), Clock::Missed);
        assert_eq!(Clock::at(10_000, None, 30, 1_000), Clock::Running);
        assert_eq!(Clock::at(10_000, None, 30, 10_000 - 1_800), Clock::Near);
        assert_eq!(Clock::at(10_000, None, 30, 10_000), Clock::Breached);
    }

    #[test]
    fn times_are_read_and_written_as_hh_mm() {
        assert_eq!(Hours::parse_time("09:30"), Some(570));
        assert_eq!(Hours::parse_time("24:00"), Some(1440));
        for bad in ["24:01", "9h30", "09:60", " 09:30", ""] {
            assert_eq!(Hours::parse_time(bad), None, "{bad:?}");
        }
        assert_eq!(Hours::time(570), "09:30");
        assert_eq!(Hours::time(1440), "24:00");
    }

    #[test]
    fn targets_are_checked() {
        assert!(Sla::office().checked().is_ok());
        let closed = Sla {
            hours: [None; 7],
            ..Sla::office()
        };
        assert!(closed.checked().is_err());
        let backwards = Sla {
            hours: [Some(Hours {
                start: 18 * 60,
                end: 9 * 60,
            }); 7],
            ..Sla::office()
        };
        assert!(backwards.checked().is_err());
        let zero = Sla {
            target_minutes: 0,
            warn_minutes: 0,
            ..Sla::office()
        };
        assert!(zero.checked().is_err());
        let warn = Sla {
            warn_minutes: 500,
            ..Sla::office()
        };
        assert!(warn.checked().is_err());
    }
}
