//! Which time-zone names tribune offers and accepts.
//!
//! jiff's bundled database also answers to every backward-compatibility link (`US/Eastern`,
//! `Etc/GMT+5`, `Asia/Calcutta`, `America/Montreal`…). New input takes only the current
//! canonical names: the zones listed in the IANA `zone.tab` (one Region/City name per country
//! and region, which keeps `Europe/Luxembourg` or `Indian/Reunion` even where the database
//! now links them to a neighbour) plus `UTC`. The list is `timezones.txt`, refreshed from a
//! new tzdata's `zone.tab`; a test checks that jiff knows every name in it. A value stored
//! before this rule keeps working: [`accepts`] takes it as long as it is unchanged.

use std::sync::OnceLock;

/// The default for a new workspace and for pages outside any workspace.
pub const DEFAULT: &str = "Europe/Paris";

/// Offered first in pickers: where tribune's users mostly are, then a few big ones.
pub const COMMON: &[&str] = &[
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "America/Toronto",
    "Africa/Casablanca",
    "Africa/Dakar",
    "Africa/Abidjan",
    "Indian/Reunion",
    "America/Martinique",
    "America/Guadeloupe",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Europe/London",
    "America/New_York",
    "UTC",
];

const LIST: &str = include_str!("timezones.txt");

/// Every canonical name, sorted.
pub fn canonical() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<&str> = LIST
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    })
}

pub fn is_canonical(name: &str) -> bool {
    canonical().binary_search(&name).is_ok()
}

/// A name accepted as input: canonical, or the value already stored (`current`) left as is.
pub fn accepts(name: &str, current: Option<&str>) -> bool {
    name.len() <= 64
        && (is_canonical(name) || current == Some(name))
        && jiff::tz::db().get(name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jiff_knows_every_canonical_name_and_every_common_one_is_canonical() {
        let unknown: Vec<_> = canonical()
            .iter()
            .filter(|n| jiff::tz::db().get(n).is_err())
            .collect();
        assert!(unknown.is_empty(), "{unknown:?}");
        assert!(canonical().len() > 400);
        for name in COMMON {
            assert!(is_canonical(name), "{name}");
        }
    }

    #[test]
    fn aliases_are_not_offered_nor_accepted_as_new_input() {
        for alias in [
            "US/Eastern",
            "Etc/GMT+5",
            "Etc/UTC",
            "Asia/Calcutta",
            "America/Montreal",
            "Europe/Kiev",
            "GB",
            "CET",
        ] {
            assert!(jiff::tz::db().get(alias).is_ok(), "{alias} is in jiff's db");
            assert!(!is_canonical(alias), "{alias}");
            assert!(!accepts(alias, None), "{alias}");
            assert!(!accepts(alias, Some("Europe/Paris")), "{alias}");
        }
        assert!(
            canonical()
                .iter()
                .all(|n| !n.starts_with("US/") && !n.starts_with("Etc/"))
        );
        assert!(accepts("Europe/Kyiv", None));
        assert!(accepts("UTC", None));
        assert!(!accepts("Mars/Olympus", Some("Mars/Olympus")));
    }

    #[test]
    fn a_stored_alias_keeps_working_while_unchanged() {
        assert!(accepts("America/Montreal", Some("America/Montreal")));
        assert!(!accepts("US/Pacific", Some("America/Montreal")));
    }
}
