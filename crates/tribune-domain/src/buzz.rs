//! Bad-buzz detection: a wave of negative or toxic messages in a workspace, against its own
//! baseline. The last hour is compared with the hourly average of the week before it; a wave
//! needs both a minimum size (a quiet account getting three angry replies is not a crisis) and
//! a multiple of the usual rate (a big brand's daily grumbling is not one either).

/// Negative or toxic messages in an hour below which nothing is a wave.
pub const MIN_COUNT: i64 = 10;
/// How many times the usual hourly rate a wave is.
pub const FACTOR: f64 = 3.0;
/// Seconds of the window compared, and of the baseline before it.
pub const WINDOW_SECS: i64 = 3_600;
pub const BASELINE_SECS: i64 = 7 * 24 * 3_600;

/// The usual hourly rate from the count of the baseline's week.
pub fn hourly(baseline_count: i64) -> f64 {
    baseline_count as f64 / (BASELINE_SECS / WINDOW_SECS) as f64
}

/// Whether `count` messages in the last hour are a wave against `baseline` per hour.
pub fn is_wave(count: i64, baseline: f64) -> bool {
    count >= MIN_COUNT && count as f64 >= FACTOR * baseline.max(1.0)
}

/// Whether a wave is over: the last hour is back under half of what started one.
pub fn is_over(count: i64, baseline: f64) -> bool {
    (count as f64) < (MIN_COUNT as f64 / 2.0).max(FACTOR * baseline.max(1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wave_needs_a_size_and_a_multiple_of_the_usual() {
        // A quiet account: three angry replies are not a wave, twelve are.
        assert!(!is_wave(3, 0.0));
        assert!(is_wave(12, 0.1));
        // A busy account with 20 negative messages an hour: 40 is not a wave, 60 is.
        assert!(!is_wave(40, 20.0));
        assert!(is_wave(60, 20.0));
        assert!((hourly(168) - 1.0).abs() < 1e-9);
        // Over once back under half the threshold.
        assert!(!is_over(12, 0.1));
        assert!(is_over(4, 0.1));
        assert!(!is_over(35, 20.0));
        assert!(is_over(29, 20.0));
    }
}
