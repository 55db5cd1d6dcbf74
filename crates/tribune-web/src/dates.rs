//! Dates and times as a person reads them: in a time zone, in their language, relative when
//! recent (« il y a 3 min », "3 min ago"), with the full date on hover.
//!
//! Which zone: a workspace's pages use the workspace's zone; pages outside a workspace
//! (account, sessions, tokens) use the zone of the user's first workspace in the switcher's
//! order, else Europe/Paris. The browser's zone is never used, so a page reads the same
//! whatever machine shows it and needs no script. Month names and patterns come from the
//! Fluent catalogues (`month-N`, `date-time-full`, `time-*`).

use crate::i18n::I18n;
use askama::filters::HtmlSafe;
use fluent_bundle::{FluentArgs, FluentValue};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::fmt;
use tribune_domain::Lang;

/// Times closer to now than this are told relatively.
const RELATIVE_WITHIN_SECS: i64 = 24 * 3600;

/// The time zone named `name`, or Europe/Paris (then UTC) if the name is unknown.
pub fn zone(name: &str) -> TimeZone {
    jiff::tz::db()
        .get(name)
        .or_else(|_| jiff::tz::db().get(tribune_domain::timezone::DEFAULT))
        .unwrap_or(TimeZone::UTC)
}

/// « 14 déc. 2026 à 4 h 42 », "14 Dec 2026, 4:42".
pub fn full(i18n: &I18n, lang: Lang, tz: &TimeZone, unix: i64) -> String {
    let Ok(at) = Timestamp::from_second(unix) else {
        return String::new();
    };
    let at = at.to_zoned(tz.clone());
    let mut args = FluentArgs::new();
    let month = i18n.message(lang, &format!("month-{}", at.month()), None);
    args.set("day", FluentValue::from(at.day().to_string()));
    args.set("month", FluentValue::from(month));
    args.set("year", FluentValue::from(at.year().to_string()));
    args.set("hour", FluentValue::from(at.hour().to_string()));
    args.set("minute", FluentValue::from(format!("{:02}", at.minute())));
    i18n.message(lang, "date-time-full", Some(&args))
}

/// « il y a 3 min », "in 2 h"; `None` beyond a day either way (then the full date is shown).
pub fn relative(i18n: &I18n, lang: Lang, unix: i64, now: i64) -> Option<String> {
    let ago = now.checked_sub(unix)?;
    let (key, count) = match ago {
        0..60 => ("time-just-now", 0),
        60..3600 => ("time-minutes-ago", ago / 60),
        3600..RELATIVE_WITHIN_SECS => ("time-hours-ago", ago / 3600),
        -59..0 => ("time-in-minutes", 1),
        -3599..-59 => ("time-in-minutes", (59 - ago) / 60),
        i64::MIN..-3599 if -ago < RELATIVE_WITHIN_SECS => ("time-in-hours", -ago / 3600),
        _ => return None,
    };
    let mut args = FluentArgs::new();
    args.set("count", FluentValue::from(count));
    Some(i18n.message(lang, key, Some(&args)))
}

/// The instant a person means by a date (`2026-12-14`) and a time (`16:42`) on the wall clock
/// of `tz`, in Unix seconds. Daylight-saving changes are resolved as most calendars do: a time
/// that does not exist (02:30 on the last Sunday of March in Paris) moves forward by the gap
/// (03:30), and a time that happens twice (02:30 on the last Sunday of October) is the first
/// one. Either way one wall-clock time gives exactly one instant: nothing is shifted or doubled.
pub fn from_local(tz: &TimeZone, date: &str, time: &str) -> Option<i64> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    let time: jiff::civil::Time = time.trim().parse().ok()?;
    let zoned = date.to_datetime(time).to_zoned(tz.clone()).ok()?;
    Some(zoned.timestamp().as_second())
}

/// The wall-clock date (`2026-12-14`) and time (`16:42`) of an instant in `tz`, for form fields.
pub fn to_local(tz: &TimeZone, unix: i64) -> (String, String) {
    Timestamp::from_second(unix)
        .map(|t| {
            let zoned = t.to_zoned(tz.clone());
            (
                zoned.strftime("%Y-%m-%d").to_string(),
                zoned.strftime("%H:%M").to_string(),
            )
        })
        .unwrap_or_default()
}

/// `2026-12-14T04:42:00+01:00`, for `<time datetime>`.
pub fn rfc3339(tz: &TimeZone, unix: i64) -> String {
    Timestamp::from_second(unix)
        .map(|t| {
            t.to_zoned(tz.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

/// `<time datetime="…" title="full date">relative or full date</time>`. Without `now`, the
/// full date: inside a sentence (« expire le … »), a relative time would not read.
pub fn time_element(
    i18n: &I18n,
    lang: Lang,
    tz: &TimeZone,
    unix: i64,
    now: Option<i64>,
) -> TimeHtml {
    let full = full(i18n, lang, tz, unix);
    let shown = now
        .and_then(|now| relative(i18n, lang, unix, now))
        .unwrap_or_else(|| full.clone());
    TimeHtml(format!(
        "<time datetime=\"{}\" title=\"{}\">{}</time>",
        escape(&rfc3339(tz, unix)),
        escape(&full),
        escape(&shown)
    ))
}

/// A catalogue message with one argument that is a `<time>` element: the message is escaped,
/// the element inserted as is.
pub fn message_with_time(
    i18n: &I18n,
    lang: Lang,
    key: &str,
    name: &str,
    time: &TimeHtml,
) -> TimeHtml {
    message_with_time_and(i18n, lang, key, name, time, &[])
}

/// [`message_with_time`] with more (plain text) arguments, escaped like the message.
pub fn message_with_time_and(
    i18n: &I18n,
    lang: Lang,
    key: &str,
    name: &str,
    time: &TimeHtml,
    others: &[(&str, &str)],
) -> TimeHtml {
    // A private-use character cannot come from the catalogue nor from escaping.
    const SLOT: &str = "\u{E000}";
    let mut args = FluentArgs::new();
    for (other, value) in others {
        args.set(
            (*other).to_owned(),
            FluentValue::from((*value).replace(SLOT, "")),
        );
    }
    args.set(name.to_owned(), FluentValue::from(SLOT));
    let text = escape(&i18n.message(lang, key, Some(&args)));
    TimeHtml(text.replacen(SLOT, &time.0, 1))
}

/// HTML built here from escaped text; askama writes it as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeHtml(String);

impl fmt::Display for TimeHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl HtmlSafe for TimeHtml {}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NBSP: char = '\u{a0}';

    fn at(civil: &str, tz: &str) -> i64 {
        civil
            .parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(zone(tz))
            .unwrap()
            .timestamp()
            .as_second()
    }

    #[test]
    fn full_dates_read_naturally_in_french_and_english() {
        let i18n = I18n::load();
        let paris = zone("Europe/Paris");
        let t = at("2026-12-14T04:42", "Europe/Paris");
        assert_eq!(
            full(&i18n, Lang::Fr, &paris, t),
            format!("14{NBSP}déc.{NBSP}2026 à 4{NBSP}h{NBSP}42")
        );
        assert_eq!(full(&i18n, Lang::En, &paris, t), "14 Dec 2026, 4:42");
        let t = at("2027-02-03T00:05", "Europe/Paris");
        assert_eq!(
            full(&i18n, Lang::Fr, &paris, t),
            format!("3{NBSP}févr.{NBSP}2027 à 0{NBSP}h{NBSP}05")
        );
        assert_eq!(full(&i18n, Lang::En, &paris, t), "3 Feb 2027, 0:05");
    }

    #[test]
    fn every_month_has_its_abbreviation() {
        let i18n = I18n::load();
        let fr: Vec<String> = (1..=12)
            .map(|m| i18n.message(Lang::Fr, &format!("month-{m}"), None))
            .collect();
        assert_eq!(
            fr,
            [
                "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                "nov.", "déc."
            ]
        );
        let en: Vec<String> = (1..=12)
            .map(|m| i18n.message(Lang::En, &format!("month-{m}"), None))
            .collect();
        assert_eq!(
            en,
            [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
            ]
        );
    }

    #[test]
    fn the_zone_decides_the_hour_across_daylight_saving_changes() {
        let i18n = I18n::load();
        let paris = zone("Europe/Paris");
        // 29 March 2026: clocks go from 2:00 to 3:00 in Paris (UTC+1 → UTC+2).
        let before = at("2026-03-29T00:30", "UTC");
        let after = at("2026-03-29T01:30", "UTC");
        assert_eq!(full(&i18n, Lang::En, &paris, before), "29 Mar 2026, 1:30");
        assert_eq!(full(&i18n, Lang::En, &paris, after), "29 Mar 2026, 3:30");
        assert_eq!(rfc3339(&paris, before), "2026-03-29T01:30:00+01:00");
        assert_eq!(rfc3339(&paris, after), "2026-03-29T03:30:00+02:00");
        // 25 October 2026: 3:00 goes back to 2:00; 2:30 happens twice.
        let first = at("2026-10-25T00:30", "UTC");
        let second = at("2026-10-25T01:30", "UTC");
        assert_eq!(full(&i18n, Lang::En, &paris, first), "25 Oct 2026, 2:30");
        assert_eq!(full(&i18n, Lang::En, &paris, second), "25 Oct 2026, 2:30");
        assert_eq!(rfc3339(&paris, first), "2026-10-25T02:30:00+02:00");
        assert_eq!(rfc3339(&paris, second), "2026-10-25T02:30:00+01:00");
        // The same instant elsewhere.
        let noumea = zone("Pacific/Noumea");
        assert_eq!(full(&i18n, Lang::En, &noumea, first), "25 Oct 2026, 11:30");
    }

    #[test]
    fn recent_times_are_relative_up_to_a_day_either_way() {
        let i18n = I18n::load();
        let now = at("2026-12-14T12:00", "UTC");
        let fr = |t: i64| relative(&i18n, Lang::Fr, t, now);
        let en = |t: i64| relative(&i18n, Lang::En, t, now);
        assert_eq!(fr(now).as_deref(), Some("à l’instant"));
        assert_eq!(en(now - 59).as_deref(), Some("just now"));
        assert_eq!(fr(now - 60), Some(format!("il y a 1{NBSP}min")));
        assert_eq!(fr(now - 3 * 60 - 59), Some(format!("il y a 3{NBSP}min")));
        assert_eq!(en(now - 3 * 60).as_deref(), Some("3 min ago"));
        assert_eq!(en(now - 3599).as_deref(), Some("59 min ago"));
        assert_eq!(en(now - 3600).as_deref(), Some("1 h ago"));
        assert_eq!(fr(now - 23 * 3600), Some(format!("il y a 23{NBSP}h")));
        assert_eq!(fr(now - 24 * 3600), None);
        assert_eq!(en(now + 30).as_deref(), Some("in 1 min"));
        assert_eq!(en(now + 61).as_deref(), Some("in 2 min"));
        assert_eq!(fr(now + 2 * 3600), Some(format!("dans 2{NBSP}h")));
        assert_eq!(en(now + 24 * 3600), None);
        assert_eq!(relative(&i18n, Lang::En, i64::MIN, now), None);
    }

    #[test]
    fn the_time_element_carries_the_instant_and_the_full_date() {
        let i18n = I18n::load();
        let paris = zone("Europe/Paris");
        let t = at("2026-12-14T04:42", "Europe/Paris");
        let html = time_element(&i18n, Lang::En, &paris, t, Some(t + 180)).to_string();
        assert_eq!(
            html,
            "<time datetime=\"2026-12-14T04:42:00+01:00\" title=\"14 Dec 2026, 4:42\">3 min ago</time>"
        );
        let old = time_element(&i18n, Lang::En, &paris, t, Some(t + 2 * 86_400)).to_string();
        assert!(old.ends_with(">14 Dec 2026, 4:42</time>"), "{old}");
        let time = time_element(&i18n, Lang::Fr, &paris, t, None);
        assert!(time.to_string().contains(">14\u{a0}déc."), "{time}");
        let sentence = message_with_time(&i18n, Lang::Fr, "channel-checked-at", "time", &time);
        assert_eq!(sentence.to_string(), format!("Vérifié le {time}"));
        // Other arguments are escaped; the time element is not.
        let sentence = message_with_time_and(
            &i18n,
            Lang::Fr,
            "channel-last-check",
            "time",
            &time,
            &[("result", "<b>refusé</b>")],
        );
        assert!(
            sentence.to_string().contains(&format!("le {time}")),
            "{sentence}"
        );
        assert!(
            sentence.to_string().contains("&lt;b&gt;refusé"),
            "{sentence}"
        );
    }

    #[test]
    fn an_unknown_zone_falls_back_to_paris() {
        assert_eq!(zone("Mars/Olympus").iana_name(), Some("Europe/Paris"));
    }

    #[test]
    fn paris_wall_clock_times_survive_daylight_saving_changes() {
        let paris = zone("Europe/Paris");
        // Winter (UTC+1) and summer (UTC+2).
        let winter = from_local(&paris, "2026-12-14", "16:42").unwrap();
        assert_eq!(
            Timestamp::from_second(winter).unwrap().to_string(),
            "2026-12-14T15:42:00Z"
        );
        let summer = from_local(&paris, "2026-07-14", "16:42").unwrap();
        assert_eq!(
            Timestamp::from_second(summer).unwrap().to_string(),
            "2026-07-14T14:42:00Z"
        );
        // 29 March 2026: 02:00 → 03:00. 02:30 does not exist and moves to 03:30 (CEST).
        let gap = from_local(&paris, "2026-03-29", "02:30").unwrap();
        assert_eq!(
            Timestamp::from_second(gap).unwrap().to_string(),
            "2026-03-29T01:30:00Z"
        );
        assert_eq!(to_local(&paris, gap), ("2026-03-29".into(), "03:30".into()));
        // 25 October 2026: 03:00 → 02:00. 02:30 happens twice; the first one is meant.
        let fold = from_local(&paris, "2026-10-25", "02:30").unwrap();
        assert_eq!(
            Timestamp::from_second(fold).unwrap().to_string(),
            "2026-10-25T00:30:00Z"
        );
        // The hour after the change is one hour later, not the same instant.
        let after = from_local(&paris, "2026-10-25", "03:30").unwrap();
        assert_eq!(after - fold, 2 * 3600);
        // Every wall-clock time of the day reads back as itself, except the one skipped.
        for hour in 0..24 {
            let time = format!("{hour:02}:15");
            let at = from_local(&paris, "2026-10-25", &time).unwrap();
            assert_eq!(to_local(&paris, at).1, time);
        }
        assert_eq!(from_local(&paris, "2026-02-30", "10:00"), None);
        assert_eq!(from_local(&paris, "demain", "10:00"), None);
    }
}
