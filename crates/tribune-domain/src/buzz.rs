//! Bad-buzz detection: a wave of negative or toxic messages in a workspace, against its own
//! baseline. The last hour is compared with the hourly average of the week before it; a wave
//! needs both a minimum size (a quiet account getting three angry replies is not a crisis) and
//! a multiple of the usual rate (a big brand's daily grumbling is not one either). Both can be
//! set per workspace ([`Thresholds`]).

use crate::ValidationError;

/// Negative or toxic messages in an hour below which nothing is a wave, by default.
pub const MIN_COUNT: i64 = 10;
/// How many times the usual hourly rate a wave is, by default.
pub const FACTOR: f64 = 3.0;
/// The bounds a workspace may set them within.
pub const MIN_COUNT_RANGE: std::ops::RangeInclusive<i64> = 3..=100_000;
pub const FACTOR_RANGE: std::ops::RangeInclusive<f64> = 1.5..=50.0;
/// Seconds of the window compared, and of the baseline before it.
pub const WINDOW_SECS: i64 = 3_600;
pub const BASELINE_SECS: i64 = 7 * 24 * 3_600;

/// The usual hourly rate from the count of the baseline's week.
pub fn hourly(baseline_count: i64) -> f64 {
    baseline_count as f64 / (BASELINE_SECS / WINDOW_SECS) as f64
}

/// What makes a wave in one workspace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At least this many negative or toxic messages in the last hour…
    pub min_count: i64,
    /// …and at least this many times their usual hourly number.
    pub factor: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_count: MIN_COUNT,
            factor: FACTOR,
        }
    }
}

impl Thresholds {
    /// Checks thresholds as typed or sent.
    pub fn checked(self) -> Result<Thresholds, ValidationError> {
        let mut errors = ValidationError::default();
        if !MIN_COUNT_RANGE.contains(&self.min_count) {
            errors.push("min_count", "error-buzz-min-count");
        }
        if !FACTOR_RANGE.contains(&self.factor) {
            errors.push("factor", "error-buzz-factor");
        }
        errors.into_result()?;
        Ok(self)
    }

    /// Whether `count` messages in the last hour are a wave against `baseline` per hour.
    pub fn is_wave(&self, count: i64, baseline: f64) -> bool {
        count >= self.min_count && count as f64 >= self.factor * baseline.max(1.0)
    }

    /// Whether a wave is over: the last hour is back under half of what started one.
    pub fn is_over(&self, count: i64, baseline: f64) -> bool {
        (count as f64) < (self.min_count as f64 / 2.0).max(self.factor * baseline.max(1.0) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wave_needs_a_size_and_a_multiple_of_the_usual() {
        let t = Thresholds::default();
        // A quiet account: three angry replies are not a wave, twelve are.
        assert!(!t.is_wave(3, 0.0));
        assert!(t.is_wave(12, 0.1));
        // A busy account with 20 negative messages an hour: 40 is not a wave, 60 is.
        assert!(!t.is_wave(40, 20.0));
        assert!(t.is_wave(60, 20.0));
        assert!((hourly(168) - 1.0).abs() < 1e-9);
        // Over once back under half the threshold.
        assert!(!t.is_over(12, 0.1));
        assert!(t.is_over(4, 0.1));
        assert!(!t.is_over(35, 20.0));
        assert!(t.is_over(29, 20.0));
    }

    #[test]
    fn a_workspace_sets_its_own_thresholds_within_bounds() {
        // A small brand wants to hear of five angry messages at twice the usual.
        let t = Thresholds {
            min_count: 5,
            factor: 2.0,
        }
        .checked()
        .expect("valid");
        assert!(t.is_wave(5, 0.5));
        assert!(!Thresholds::default().is_wave(5, 0.5));
        assert!(!t.is_wave(5, 3.0));
        assert!(t.is_over(2, 0.5));
        assert!(!t.is_over(3, 0.5));
        for (min_count, factor) in [
            (2, 3.0),
            (100_001, 3.0),
            (10, 1.0),
            (10, 51.0),
            (10, f64::NAN),
        ] {
            let error = Thresholds { min_count, factor }.checked();
            assert!(error.is_err(), "{min_count} {factor}");
        }
    }
}
