//! Best time to post on a channel, from its own past engagement: a score for each hour of the
//! week (7 × 24 cells, on the workspace's wall clock).
//!
//! The formula (docs/ARCHITECTURE.md, "Best time to post"):
//!
//! 1. Each published post's engagement is made relative to the channel's mean (1.0 is an average
//!    post), so a big account and a small one read alike.
//! 2. Each post counts for its hour (weight 1) and the hour on each side (weight ½): audiences
//!    do not stop at the hour's edge, and a thin history gives a smoother map.
//! 3. Each cell is a Bayesian average with a prior: `(K·prior + Σ w·r) / (K + Σ w)` with
//!    `K = 2`, so a cell needs a few posts before its history outweighs the defaults (weekdays
//!    9–11 h, 12–14 h, 18–20 h; weekends lower; nights low). With no history the map is the
//!    prior.
//! 4. Shown as a percentage of the best cell.

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;

/// How many posts' worth of belief the default pattern carries in each cell.
pub const PRIOR_WEIGHT: f64 = 2.0;
/// Weight of a post on the hours just before and after its own.
pub const NEIGHBOUR_WEIGHT: f64 = 0.5;

/// Scores by day of the week (Monday first) and hour.
pub type Grid = [[f64; 24]; 7];

/// One published post: when it went out and how much engagement it got (likes, replies,
/// reposts, clicks added up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    pub at: Timestamp,
    pub engagement: u64,
}

/// The default pattern for a network when there is no history: the usual peaks of social
/// audiences on weekdays (morning, lunch, evening), weekends lower, nights low. A blog
/// (WordPress) is read more in the morning and less in the evening.
pub fn prior(network: &str) -> Grid {
    let mut grid = [[0.0; 24]; 7];
    for (day, row) in grid.iter_mut().enumerate() {
        let weekend = day >= 5;
        for (hour, cell) in row.iter_mut().enumerate() {
            let base = match hour {
                9 | 10 | 12 | 13 | 18 | 19 => 1.0,
                8 | 11 | 14..=17 | 20 | 21 => 0.55,
                7 | 22 => 0.3,
                _ => 0.1,
            };
            let network_factor = match (network, hour) {
                ("wordpress", 7..=11) => 1.15,
                ("wordpress", 18..=22) => 0.7,
                _ => 1.0,
            };
            let day_factor = if weekend { 0.6 } else { 1.0 };
            *cell = base * network_factor * day_factor;
        }
    }
    grid
}

/// The channel's map: a score per cell, 0–100 (100 is the best hour of the week).
#[derive(Debug, Clone, PartialEq)]
pub struct BestTimes {
    pub scores: [[u8; 24]; 7],
    /// The raw scores before scaling (relative engagement, 1.0 is an average post).
    pub raw: Grid,
    /// How many posts the map learnt from.
    pub samples: usize,
}

impl BestTimes {
    pub fn score(&self, day: Weekday, hour: usize) -> u8 {
        let day = usize::try_from(day.to_monday_zero_offset()).unwrap_or(0);
        self.scores
            .get(day)
            .and_then(|row| row.get(hour))
            .copied()
            .unwrap_or(0)
    }

    /// The `count` best hours of the week, best first, at least three hours apart on the same
    /// day. Between hours that score the same, a day with fewer chosen hours goes first, so
    /// suggested slots spread over the week (the defaults give 09:00 every weekday).
    pub fn top(&self, count: usize) -> Vec<(Weekday, i8)> {
        let mut chosen: Vec<(usize, usize)> = Vec::new();
        while chosen.len() < count {
            let per_day = |d: usize| chosen.iter().filter(|(cd, _)| *cd == d).count();
            let best = (0..7)
                .flat_map(|d| (0..24).map(move |h| (d, h)))
                .filter(|(d, h)| !chosen.iter().any(|(cd, ch)| cd == d && ch.abs_diff(*h) < 3))
                // Best score; then the least used day; then the earlier day and hour.
                .min_by(|a, b| {
                    self.raw[b.0][b.1]
                        .total_cmp(&self.raw[a.0][a.1])
                        .then(per_day(a.0).cmp(&per_day(b.0)))
                        .then(a.cmp(b))
                });
            match best {
                Some(cell) => chosen.push(cell),
                None => break,
            }
        }
        chosen
            .into_iter()
            .filter_map(|(d, h)| {
                let day = Weekday::from_monday_zero_offset(i8::try_from(d).ok()?).ok()?;
                Some((day, i8::try_from(h).ok()?))
            })
            .collect()
    }
}

/// Scores the hours of the week for a channel of `network` from its published posts, on the
/// wall clock of `tz`.
pub fn best_times(observations: &[Observation], tz: &TimeZone, network: &str) -> BestTimes {
    let prior = prior(network);
    let total: u64 = observations.iter().map(|o| o.engagement).sum();
    let mean = if observations.is_empty() {
        0.0
    } else {
        total as f64 / observations.len() as f64
    };
    let mut sums: Grid = [[0.0; 24]; 7];
    let mut weights: Grid = [[0.0; 24]; 7];
    for observation in observations {
        let relative = if mean > 0.0 {
            observation.engagement as f64 / mean
        } else {
            0.0
        };
        let zoned = observation.at.to_zoned(tz.clone());
        let day = i32::from(zoned.weekday().to_monday_zero_offset());
        let hour = i32::from(zoned.hour());
        for (shift, weight) in [(-1, NEIGHBOUR_WEIGHT), (0, 1.0), (1, NEIGHBOUR_WEIGHT)] {
            // The hour before midnight is the day before's: wrap around the week.
            let index = (day * 24 + hour + shift).rem_euclid(7 * 24);
            let (d, h) = ((index / 24) as usize, (index % 24) as usize);
            sums[d][h] += weight * relative;
            weights[d][h] += weight;
        }
    }
    let mut raw: Grid = [[0.0; 24]; 7];
    let mut best = 0.0_f64;
    for d in 0..7 {
        for h in 0..24 {
            raw[d][h] = (PRIOR_WEIGHT * prior[d][h] + sums[d][h]) / (PRIOR_WEIGHT + weights[d][h]);
            best = best.max(raw[d][h]);
        }
    }
    let mut scores = [[0u8; 24]; 7];
    for d in 0..7 {
        for h in 0..24 {
            let scaled = if best > 0.0 {
                (raw[d][h] / best * 100.0).round().clamp(0.0, 100.0) as u8
            } else {
                0
            };
            scores[d][h] = scaled;
        }
    }
    BestTimes {
        scores,
        raw,
        samples: observations.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        jiff::tz::db().get("Europe/Paris").unwrap()
    }

    /// A post at `local` (Paris wall clock) with `engagement`.
    fn post(local: &str, engagement: u64) -> Observation {
        let at = local
            .parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(paris())
            .unwrap()
            .timestamp();
        Observation { at, engagement }
    }

    #[test]
    fn without_history_the_defaults_lead() {
        let map = best_times(&[], &paris(), "mastodon");
        assert_eq!(map.samples, 0);
        // Weekday peaks are the best hours; nights and weekends are lower.
        assert_eq!(map.score(Weekday::Tuesday, 9), 100);
        assert_eq!(map.score(Weekday::Wednesday, 12), 100);
        assert_eq!(map.score(Weekday::Thursday, 18), 100);
        assert!(map.score(Weekday::Saturday, 10) < 100);
        assert!(map.score(Weekday::Monday, 3) <= 10);
        let top = map.top(5);
        assert_eq!(top.len(), 5);
        for (day, hour) in &top {
            assert!(day.to_monday_one_offset() <= 5, "{top:?}");
            assert!([9, 10, 12, 13, 18, 19].contains(hour), "{top:?}");
        }
        // Spread over the week first: 09:00 on each weekday.
        assert_eq!(
            top,
            [
                (Weekday::Monday, 9),
                (Weekday::Tuesday, 9),
                (Weekday::Wednesday, 9),
                (Weekday::Thursday, 9),
                (Weekday::Friday, 9)
            ]
        );
        // Then the other peaks, never two within three hours on one day.
        let more = map.top(12);
        assert_eq!(
            &more[5..7],
            &[(Weekday::Monday, 12), (Weekday::Tuesday, 12)]
        );
        for (i, (day, hour)) in more.iter().enumerate() {
            for (other_day, other_hour) in &more[i + 1..] {
                assert!(
                    day != other_day || hour.abs_diff(*other_hour) >= 3,
                    "{more:?}"
                );
            }
        }
        // A blog's mornings beat its evenings.
        let blog = best_times(&[], &paris(), "wordpress");
        assert!(blog.score(Weekday::Monday, 9) > blog.score(Weekday::Monday, 18));
    }

    #[test]
    fn history_moves_the_best_hour() {
        // Sunday evenings do very well on this channel; weekday mornings poorly.
        let mut history = Vec::new();
        for week in 0..5 {
            let day = 1 + week * 7;
            history.push(post(&format!("2026-03-{:02}T21:00", day), 90));
            history.push(post(&format!("2026-03-{:02}T09:00", day + 1), 5));
        }
        let map = best_times(&history, &paris(), "bluesky");
        assert_eq!(map.samples, 10);
        assert_eq!(map.score(Weekday::Sunday, 21), 100);
        assert!(
            map.score(Weekday::Monday, 9) < 40,
            "{}",
            map.score(Weekday::Monday, 9)
        );
        assert_eq!(map.top(1), vec![(Weekday::Sunday, 21)]);
    }

    #[test]
    fn one_post_nudges_but_does_not_overturn_the_defaults() {
        let map = best_times(&[post("2026-03-07T03:00", 10)], &paris(), "bluesky");
        // A single night post doing as well as the average moves its hour up, not to the top.
        let night = map.score(Weekday::Saturday, 3);
        assert!(night > best_times(&[], &paris(), "bluesky").score(Weekday::Saturday, 3));
        assert!(night < 100);
    }

    #[test]
    fn neighbouring_hours_share_a_post_less_than_its_own() {
        let history = [post("2026-03-07T15:00", 50), post("2026-03-10T09:00", 10)];
        let map = best_times(&history, &paris(), "mastodon");
        let base = best_times(&[], &paris(), "mastodon");
        let own = map.raw[5][15] - base.raw[5][15];
        let before = map.raw[5][14] - base.raw[5][14];
        let after = map.raw[5][16] - base.raw[5][16];
        assert!(own > before && before > 0.0, "{own} {before}");
        assert!((before - after).abs() < 1e-9);
        // Two hours away is untouched.
        assert!((map.raw[5][13] - base.raw[5][13]).abs() < 1e-9);
    }

    #[test]
    fn the_hour_before_midnight_on_sunday_spills_into_monday() {
        let map = best_times(&[post("2026-03-08T23:00", 40)], &paris(), "mastodon");
        let base = best_times(&[], &paris(), "mastodon");
        assert!(map.raw[0][0] > base.raw[0][0]);
    }

    #[test]
    fn history_is_read_on_the_local_wall_clock_across_daylight_saving() {
        // 15:00 in Paris in winter (14:00 UTC) and in summer (13:00 UTC): the same cell.
        let map = best_times(
            &[post("2026-01-05T15:00", 100), post("2026-07-06T15:00", 100)],
            &paris(),
            "mastodon",
        );
        let base = best_times(&[], &paris(), "mastodon");
        assert!(map.raw[0][15] > base.raw[0][15]);
        assert!((map.raw[0][14] - base.raw[0][14]) < (map.raw[0][15] - base.raw[0][15]));
        assert!((map.raw[0][13] - base.raw[0][13]).abs() < 1e-9);
    }
}
