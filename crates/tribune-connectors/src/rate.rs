//! Per-channel rate limiting: a gate that closes when the network says to slow down (429,
//! `Retry-After`, or a rate-limit header at zero) and refuses calls until it reopens, without
//! touching the network.

use reqwest::header::HeaderMap;
use std::sync::Mutex;
use std::time::Duration;

/// Refuses calls until the network's window reopens. One per connector (so per channel); the
/// channel service persists [`RateGate::closed_until`] so other nodes respect it too.
#[derive(Debug, Default)]
pub struct RateGate {
    closed_until: Mutex<Option<i64>>,
}

/// The longest a network can close a gate for; a hostile `Retry-After` cannot stop a channel
/// for a year.
pub const MAX_BACKOFF_SECS: i64 = 24 * 3600;

impl RateGate {
    /// A gate closed until `until` (Unix seconds), e.g. as persisted by another node.
    pub fn closed_until_unix(until: Option<i64>) -> Self {
        RateGate {
            closed_until: Mutex::new(until),
        }
    }

    /// Unix seconds until which calls are refused, if the gate is closed.
    pub fn closed_until(&self, now: i64) -> Option<i64> {
        let guard = self.closed_until.lock().ok()?;
        guard.filter(|until| *until > now)
    }

    /// How long to wait before calling again, if the gate is closed.
    pub fn wait(&self, now: i64) -> Option<Duration> {
        self.closed_until(now)
            .map(|until| Duration::from_secs((until - now).max(1) as u64))
    }

    /// Opens the gate.
    pub fn reset(&self) {
        if let Ok(mut guard) = self.closed_until.lock() {
            *guard = None;
        }
    }

    /// Forgets a closing shorter than `max`, which the client is about to wait out itself.
    pub(crate) fn reopen_if_within(&self, max: Duration, now: i64) {
        if self
            .wait(now)
            .is_some_and(|wait| wait <= max + Duration::from_secs(1))
        {
            self.reset();
        }
    }

    /// Reads the response's rate-limit signals and closes the gate if they say so.
    pub fn observe(&self, status: u16, headers: &HeaderMap, now: i64) {
        if let Some(until) = closed_until_from(status, headers, now)
            && let Ok(mut guard) = self.closed_until.lock()
        {
            let until = until.min(now + MAX_BACKOFF_SECS);
            *guard = Some(guard.map_or(until, |old| old.max(until)));
        }
    }
}

/// When the network says calls may resume, if it says they must stop.
pub fn closed_until_from(status: u16, headers: &HeaderMap, now: i64) -> Option<i64> {
    if status == 429 || status == 503 {
        if let Some(until) = header(headers, "retry-after").and_then(|v| parse_reset(v, now)) {
            return Some(until);
        }
        if status == 429 {
            return Some(reset_header(headers, now).unwrap_or(now + 60));
        }
    }
    let remaining = header(headers, "ratelimit-remaining")
        .or_else(|| header(headers, "x-ratelimit-remaining"))
        .and_then(|v| v.trim().parse::<i64>().ok());
    if remaining == Some(0) {
        return reset_header(headers, now);
    }
    None
}

fn reset_header(headers: &HeaderMap, now: i64) -> Option<i64> {
    header(headers, "ratelimit-reset")
        .or_else(|| header(headers, "x-ratelimit-reset"))
        .and_then(|v| parse_reset(v, now))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A reset time in any of the forms networks use: seconds to wait (`Retry-After: 120`), a Unix
/// timestamp (Bluesky, X), an RFC 3339 timestamp (Mastodon) or an HTTP date (`Retry-After`).
pub fn parse_reset(value: &str, now: i64) -> Option<i64> {
    let value = value.trim();
    if let Ok(n) = value.parse::<i64>() {
        if n < 0 {
            return None;
        }
        // Anything past 2001 is a timestamp; anything smaller, a delay.
        return Some(if n > 1_000_000_000 { n } else { now + n });
    }
    if let Ok(ts) = value.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    jiff::fmt::rfc2822::parse(value)
        .ok()
        .map(|zoned| zoned.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn retry_after_in_seconds_or_as_a_date_closes_the_gate() {
        assert_eq!(
            closed_until_from(429, &headers(&[("retry-after", "120")]), NOW),
            Some(NOW + 120)
        );
        let date = "Sun, 17 Jan 2027 08:00:00 GMT";
        let expected = "2027-01-17T08:00:00Z".parse::<jiff::Timestamp>().unwrap();
        assert_eq!(
            closed_until_from(429, &headers(&[("retry-after", date)]), NOW),
            Some(expected.as_second())
        );
    }

    #[test]
    fn a_429_without_hints_waits_a_minute() {
        assert_eq!(
            closed_until_from(429, &HeaderMap::new(), NOW),
            Some(NOW + 60)
        );
    }

    #[test]
    fn an_exhausted_window_closes_the_gate_until_its_reset() {
        // Bluesky: Unix seconds.
        let bsky = headers(&[
            ("ratelimit-remaining", "0"),
            ("ratelimit-reset", "1800000300"),
        ]);
        assert_eq!(closed_until_from(200, &bsky, NOW), Some(NOW + 300));
        // Mastodon: an ISO 8601 timestamp.
        let masto = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "2027-01-17T08:00:00.000Z"),
        ]);
        assert!(closed_until_from(200, &masto, NOW).is_some());
        let open = headers(&[("x-ratelimit-remaining", "12"), ("x-ratelimit-reset", "1")]);
        assert_eq!(closed_until_from(200, &open, NOW), None);
    }

    #[test]
    fn a_hostile_retry_after_is_capped() {
        let gate = RateGate::default();
        gate.observe(429, &headers(&[("retry-after", "999999999")]), NOW);
        assert_eq!(gate.closed_until(NOW), Some(NOW + MAX_BACKOFF_SECS));
        gate.observe(429, &headers(&[("retry-after", "garbage")]), NOW);
        assert_eq!(gate.closed_until(NOW), Some(NOW + MAX_BACKOFF_SECS));
        assert_eq!(gate.closed_until(NOW + MAX_BACKOFF_SECS), None);
    }
}
