//! A channel's posting queue: weekly time slots on the workspace's wall clock ("Tuesday 09:30"),
//! and the instants they stand for.
//!
//! Slots are kept as local wall-clock times, never as UTC instants, so a 09:30 slot stays at
//! 09:30 in Paris across the daylight-saving changes instead of drifting to 08:30 or 10:30. The
//! instants are computed when needed by walking the local calendar, and the two yearly
//! oddities are resolved so that a slot never shifts nor doubles:
//!
//! - in the spring gap (Paris, last Sunday of March, 02:00 → 03:00) a 02:30 slot is taken at
//!   the first instant that exists after the gap (03:00), once;
//! - in the autumn fold (last Sunday of October, 03:00 → 02:00) a 02:30 slot happens once, at
//!   the first of the two 02:30s.
//!
//! Two slots resolving to the same instant (02:30 and 03:00 on the spring Sunday) give one
//! instant: one post, never two at once on the same channel by the queue's doing.

use crate::{CategoryId, ValidationError};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use std::collections::BTreeSet;

/// The most slots one channel may have (Buffer's plans stop well below).
pub const MAX_SLOTS_PER_CHANNEL: usize = 200;
/// How far ahead the queue looks for a free slot: a full year of weekly slots.
pub const HORIZON_DAYS: i32 = 366;

/// One weekly slot: a day of the week and a wall-clock time, optionally reserved for posts of a
/// category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklySlot {
    pub weekday: Weekday,
    /// Minute precision (seconds are always zero).
    pub time: Time,
    pub category: Option<CategoryId>,
}

impl WeeklySlot {
    /// ISO number of the day: Monday is 1, Sunday 7 (how it is stored).
    pub fn weekday_number(&self) -> i8 {
        self.weekday.to_monday_one_offset()
    }

    /// `09:30`.
    pub fn time_text(&self) -> String {
        format_time(self.time)
    }
}

/// `09:30`.
pub fn format_time(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// Reads a day of the week: an ISO number (`1` Monday … `7` Sunday) or an English name
/// (`monday`, `mon`), any case.
pub fn parse_weekday(value: &str) -> Option<Weekday> {
    let value = value.trim().to_ascii_lowercase();
    if let Ok(n) = value.parse::<i8>() {
        return (1..=7)
            .contains(&n)
            .then(|| Weekday::from_monday_one_offset(n).ok())
            .flatten();
    }
    let days = [
        ("monday", Weekday::Monday),
        ("tuesday", Weekday::Tuesday),
        ("wednesday", Weekday::Wednesday),
        ("thursday", Weekday::Thursday),
        ("friday", Weekday::Friday),
        ("saturday", Weekday::Saturday),
        ("sunday", Weekday::Sunday),
    ];
    days.iter()
        .find(|(name, _)| value == *name || (value.len() == 3 && name.starts_with(&value)))
        .map(|(_, day)| *day)
}

/// The English name of a day, as the API writes it.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

/// Reads a wall-clock time written `HH:MM` (24-hour clock, two digits each).
pub fn parse_time(value: &str) -> Option<Time> {
    let value = value.trim();
    let (hour, minute) = value.split_once(':')?;
    if hour.len() != 2 || minute.len() != 2 {
        return None;
    }
    if !hour
        .bytes()
        .chain(minute.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let hour: i8 = hour.parse().ok()?;
    let minute: i8 = minute.parse().ok()?;
    Time::new(hour, minute, 0, 0).ok()
}

/// Checks a slot as a person typed it; the messages name the field (`weekday`, `time`).
pub fn validate_slot(
    weekday: &str,
    time: &str,
    category: Option<CategoryId>,
) -> Result<WeeklySlot, ValidationError> {
    let mut errors = ValidationError::default();
    let day = parse_weekday(weekday);
    if day.is_none() {
        errors.push("weekday", "error-queue-weekday-invalid");
    }
    let at = parse_time(time);
    if at.is_none() {
        errors.push("time", "error-queue-time-invalid");
    }
    errors.into_result()?;
    match (day, at) {
        (Some(weekday), Some(time)) => Ok(WeeklySlot {
            weekday,
            time,
            category,
        }),
        _ => Err(ValidationError::single("time", "error-queue-time-invalid")),
    }
}

/// The one instant a wall-clock date and time stands for in `tz`: itself when it exists once,
/// the first of the two in a fold, the end of the gap (the first instant that exists after it)
/// in a gap.
pub fn resolve(tz: &TimeZone, date: Date, time: Time) -> Option<Timestamp> {
    let dt: DateTime = date.to_datetime(time);
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => {
            ambiguous.earlier().ok()
        }
        AmbiguousOffset::Gap { .. } => {
            // `earlier` is the instant before the gap that reads as this time with the offset
            // in force after it; the transition that follows it is where the gap ends.
            let before_gap = ambiguous.earlier().ok()?;
            tz.following(before_gap)
                .next()
                .map(|transition| transition.timestamp())
        }
    }
}

/// One upcoming occurrence of a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub at: Timestamp,
    /// The slot it comes from (the first one when two slots resolve to the same instant).
    pub slot: WeeklySlot,
}

/// The slots' occurrences strictly after `after`, in time order, each instant once, walking at
/// most `days` local days. Stops early once `limit` occurrences `keep` accepts were found.
pub fn occurrences(
    slots: &[WeeklySlot],
    tz: &TimeZone,
    after: Timestamp,
    days: i32,
    limit: usize,
    mut keep: impl FnMut(&Occurrence) -> bool,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    if slots.is_empty() || limit == 0 {
        return out;
    }
    let mut sorted: Vec<WeeklySlot> = slots.to_vec();
    sorted.sort_by_key(|s| (s.weekday_number(), s.time));
    let mut seen = BTreeSet::new();
    let mut date = after.to_zoned(tz.clone()).date();
    for _ in 0..=days.max(0) {
        let mut today: Vec<Occurrence> = sorted
            .iter()
            .filter(|s| s.weekday == date.weekday())
            .filter_map(|s| resolve(tz, date, s.time).map(|at| Occurrence { at, slot: *s }))
            .filter(|o| o.at > after)
            .collect();
        // Resolution keeps wall-clock order, but a gap can make two slots one instant.
        today.sort_by_key(|o| o.at);
        for occurrence in today {
            if seen.insert(occurrence.at) && keep(&occurrence) {
                out.push(occurrence);
                if out.len() >= limit {
                    return out;
                }
            }
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    out
}

/// The next `count` instants of `slots` after `after` that are not `taken` (instants a
/// scheduled, waiting or publishing post of the channel already holds), looking a year ahead.
pub fn next_free_slots(
    slots: &[WeeklySlot],
    tz: &TimeZone,
    after: Timestamp,
    taken: &BTreeSet<Timestamp>,
    count: usize,
) -> Vec<Timestamp> {
    occurrences(slots, tz, after, HORIZON_DAYS, count, |o| {
        !taken.contains(&o.at)
    })
    .into_iter()
    .map(|o| o.at)
    .collect()
}

/// A queued post sitting in one of its channel's slots: the post, its instant, and the
/// category the slot is reserved for (`None`: an open slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat<P> {
    pub post: P,
    pub at: i64,
    pub slot_category: Option<CategoryId>,
}

/// Puts `items` in a uniformly random order (Fisher–Yates over the thread's generator).
pub fn random_order<P>(items: &mut [P]) {
    use rand::seq::SliceRandom;
    items.shuffle(&mut rand::thread_rng());
}

/// "Shuffle the queue": deals the seated posts again over the same instants, in the order
/// `permute` leaves them. Posts are dealt within their group of slots (the open slots; the
/// slots reserved for one category), so a reserved slot still holds a post of its category
/// and every instant stays taken exactly once. Returns the moves, `(post, from, to)`, of the
/// posts whose instant changed.
pub fn deal_seats<P: Copy + PartialEq>(
    seats: &[Seat<P>],
    permute: &mut dyn FnMut(&mut [P]),
) -> Vec<(P, i64, i64)> {
    let mut groups: Vec<Option<CategoryId>> = seats.iter().map(|s| s.slot_category).collect();
    groups.sort_unstable_by_key(|g| g.map(|c| c.0));
    groups.dedup();
    let mut moves = Vec::new();
    for group in groups {
        let mut members: Vec<&Seat<P>> =
            seats.iter().filter(|s| s.slot_category == group).collect();
        members.sort_by_key(|s| s.at);
        let mut posts: Vec<P> = members.iter().map(|s| s.post).collect();
        permute(&mut posts);
        for (post, seat) in posts.into_iter().zip(&members) {
            let to = seat.at;
            if let Some(from) = members.iter().find(|s| s.post == post).map(|s| s.at)
                && from != to
            {
                moves.push((post, from, to));
            }
        }
    }
    moves
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots (day, time) and the instants expected, on Paris' wall clock with the offset.
    type Case<'a> = (&'a [(Weekday, &'a str)], &'a [&'a str]);

    fn paris() -> TimeZone {
        jiff::tz::db().get("Europe/Paris").unwrap()
    }

    fn slot(weekday: Weekday, time: &str) -> WeeklySlot {
        WeeklySlot {
            weekday,
            time: parse_time(time).unwrap(),
            category: None,
        }
    }

    fn utc(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn local(ts: Timestamp) -> String {
        ts.to_zoned(paris())
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string()
    }

    #[test]
    fn slot_input_is_checked_field_by_field() {
        assert_eq!(parse_weekday("1"), Some(Weekday::Monday));
        assert_eq!(parse_weekday("7"), Some(Weekday::Sunday));
        assert_eq!(parse_weekday(" Tuesday "), Some(Weekday::Tuesday));
        assert_eq!(parse_weekday("wed"), Some(Weekday::Wednesday));
        for bad in ["0", "8", "-1", "", "mardi", "t", "monday2"] {
            assert_eq!(parse_weekday(bad), None, "{bad}");
        }
        assert_eq!(parse_time("09:30"), Time::new(9, 30, 0, 0).ok());
        assert_eq!(parse_time("23:59"), Time::new(23, 59, 0, 0).ok());
        for bad in [
            "9:30", "24:00", "12:60", "12h30", "", "12:3", "+1:30", "12:30:00",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        let errors = validate_slot("8", "25:00", None).unwrap_err();
        assert_eq!(
            errors.for_field("weekday"),
            Some("error-queue-weekday-invalid")
        );
        assert_eq!(errors.for_field("time"), Some("error-queue-time-invalid"));
        let ok = validate_slot("friday", "18:05", None).unwrap();
        assert_eq!((ok.weekday_number(), ok.time_text().as_str()), (5, "18:05"));
    }

    /// Around the spring change in Paris (Sunday 29 March 2026, 02:00 → 03:00).
    #[test]
    fn spring_forward_slots_neither_shift_nor_double() {
        let after = utc("2026-03-27T12:00:00Z");
        let cases: &[Case] = &[
            // A 09:30 slot stays at 09:30 on both sides of the change.
            (
                &[
                    (Weekday::Saturday, "09:30"),
                    (Weekday::Sunday, "09:30"),
                    (Weekday::Monday, "09:30"),
                ],
                &[
                    "2026-03-28 09:30 +01:00",
                    "2026-03-29 09:30 +02:00",
                    "2026-03-30 09:30 +02:00",
                ],
            ),
            // 02:30 does not exist that night: the first instant after the gap, once.
            (
                &[(Weekday::Sunday, "02:30")],
                &["2026-03-29 03:00 +02:00", "2026-04-05 02:30 +02:00"],
            ),
            // 02:00 (the gap's first minute) also goes to 03:00.
            (&[(Weekday::Sunday, "02:00")], &["2026-03-29 03:00 +02:00"]),
            // 02:30 and 03:00 both land on 03:00: one instant, not two posts at once.
            (
                &[(Weekday::Sunday, "02:30"), (Weekday::Sunday, "03:00")],
                &["2026-03-29 03:00 +02:00", "2026-04-05 02:30 +02:00"],
            ),
            // Just before and after the gap are untouched.
            (
                &[(Weekday::Sunday, "01:59"), (Weekday::Sunday, "03:01")],
                &["2026-03-29 01:59 +01:00", "2026-03-29 03:01 +02:00"],
            ),
        ];
        for (slots, expected) in cases {
            let slots: Vec<WeeklySlot> = slots.iter().map(|(d, t)| slot(*d, t)).collect();
            let got: Vec<String> =
                next_free_slots(&slots, &paris(), after, &BTreeSet::new(), expected.len())
                    .into_iter()
                    .map(local)
                    .collect();
            assert_eq!(&got, expected, "{slots:?}");
        }
    }

    /// Around the autumn change in Paris (Sunday 25 October 2026, 03:00 → 02:00).
    #[test]
    fn autumn_fold_slots_happen_once_at_the_first_occurrence() {
        let after = utc("2026-10-23T12:00:00Z");
        let cases: &[Case] = &[
            (
                &[
                    (Weekday::Saturday, "09:30"),
                    (Weekday::Sunday, "09:30"),
                    (Weekday::Monday, "09:30"),
                ],
                &[
                    "2026-10-24 09:30 +02:00",
                    "2026-10-25 09:30 +01:00",
                    "2026-10-26 09:30 +01:00",
                ],
            ),
            // 02:30 happens twice that night: the first one (summer time), once.
            (
                &[(Weekday::Sunday, "02:30")],
                &["2026-10-25 02:30 +02:00", "2026-11-01 02:30 +01:00"],
            ),
            // 02:00 and 02:59 too; 03:00 is after the fold, one hour and a half later.
            (
                &[
                    (Weekday::Sunday, "02:00"),
                    (Weekday::Sunday, "02:59"),
                    (Weekday::Sunday, "03:00"),
                ],
                &[
                    "2026-10-25 02:00 +02:00",
                    "2026-10-25 02:59 +02:00",
                    "2026-10-25 03:00 +01:00",
                ],
            ),
        ];
        for (slots, expected) in cases {
            let slots: Vec<WeeklySlot> = slots.iter().map(|(d, t)| slot(*d, t)).collect();
            let got: Vec<String> =
                next_free_slots(&slots, &paris(), after, &BTreeSet::new(), expected.len())
                    .into_iter()
                    .map(local)
                    .collect();
            assert_eq!(&got, expected, "{slots:?}");
        }
        // The fold's first 02:30 is 00:30 UTC; the second one (01:30 UTC) is never produced.
        let all = next_free_slots(
            &[slot(Weekday::Sunday, "02:30")],
            &paris(),
            after,
            &BTreeSet::new(),
            1,
        );
        assert_eq!(all, vec![utc("2026-10-25T00:30:00Z")]);
    }

    #[test]
    fn taken_instants_are_skipped_and_the_walk_is_strictly_after() {
        let slots = [
            slot(Weekday::Monday, "09:00"),
            slot(Weekday::Monday, "18:00"),
        ];
        let monday_nine = utc("2026-03-30T07:00:00Z");
        // Exactly at a slot: that slot is not "after".
        let got = next_free_slots(&slots, &paris(), monday_nine, &BTreeSet::new(), 1);
        assert_eq!(local(got[0]), "2026-03-30 18:00 +02:00");
        let taken: BTreeSet<Timestamp> = [utc("2026-03-30T16:00:00Z")].into();
        let got = next_free_slots(&slots, &paris(), monday_nine, &taken, 2);
        let got: Vec<String> = got.into_iter().map(local).collect();
        assert_eq!(got, ["2026-04-06 09:00 +02:00", "2026-04-06 18:00 +02:00"]);
    }

    #[test]
    fn no_slots_no_instants_and_a_full_year_stops() {
        assert!(
            next_free_slots(&[], &paris(), Timestamp::UNIX_EPOCH, &BTreeSet::new(), 3).is_empty()
        );
        let slots = [slot(Weekday::Friday, "12:00")];
        let after = utc("2026-01-01T00:00:00Z");
        let year = next_free_slots(&slots, &paris(), after, &BTreeSet::new(), 1000);
        // 366 days from Thursday 1 January 2026 reach Friday 1 January 2027: 53 Fridays.
        assert_eq!(year.len(), 53);
        let taken: BTreeSet<Timestamp> = year.into_iter().collect();
        assert!(next_free_slots(&slots, &paris(), after, &taken, 1).is_empty());
    }

    #[test]
    fn other_zones_use_their_own_wall_clock() {
        let noumea = jiff::tz::db().get("Pacific/Noumea").unwrap();
        let got = next_free_slots(
            &[slot(Weekday::Monday, "08:00")],
            &noumea,
            utc("2026-03-29T12:00:00Z"),
            &BTreeSet::new(),
            1,
        );
        assert_eq!(got, vec![utc("2026-03-29T21:00:00Z")]);
    }

    #[test]
    fn dealing_keeps_every_instant_taken_once_and_reserved_slots_to_their_category() {
        let promo = Some(CategoryId(7));
        let seats = [
            Seat {
                post: 1,
                at: 100,
                slot_category: None,
            },
            Seat {
                post: 2,
                at: 200,
                slot_category: promo,
            },
            Seat {
                post: 3,
                at: 300,
                slot_category: None,
            },
            Seat {
                post: 4,
                at: 400,
                slot_category: None,
            },
            Seat {
                post: 5,
                at: 500,
                slot_category: promo,
            },
        ];
        let moves = deal_seats(&seats, &mut |posts: &mut [i32]| posts.reverse());
        let mut moves = moves;
        moves.sort();
        assert_eq!(
            moves,
            vec![(1, 100, 400), (2, 200, 500), (4, 400, 100), (5, 500, 200)]
        );
        // Post 3 stays where it was: the middle of three.
        let unchanged = deal_seats(&seats, &mut |_: &mut [i32]| {});
        assert!(unchanged.is_empty());
        assert!(deal_seats::<i32>(&[], &mut |_| {}).is_empty());
    }
}
