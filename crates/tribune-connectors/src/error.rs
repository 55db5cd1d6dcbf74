//! One error type for every connector, classified so that callers know what to do with it:
//! retry later, mark the channel broken, or report a permanent failure.

use std::time::Duration;

/// What the caller should do about a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A timeout, a connection failure or a 5xx: try again later. Never marks a channel broken.
    Transient,
    /// The network asked us to slow down (429, or a rate-limit header at zero).
    RateLimited,
    /// The credentials were refused: the channel is broken until someone reconnects it.
    Auth,
    /// The network refused this request for good (validation, not found, forbidden action).
    Permanent,
    /// The network answered something we cannot trust or parse (malformed, too big, hostile).
    InvalidResponse,
    /// The caller gave something the connector cannot use (bad URL, missing field).
    InvalidInput,
    /// The channel's network cannot do this.
    Unsupported,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConnectorError {
    pub kind: ErrorKind,
    /// A human-readable message, usually the network's own; shown to the CM, never HTML.
    pub message: String,
    /// When the network said to come back (from `Retry-After` or rate-limit headers).
    pub retry_after: Option<Duration>,
    /// The HTTP status, if the network answered.
    pub status: Option<u16>,
}

/// The longest message kept from a network; the rest is cut.
const MAX_MESSAGE_CHARS: usize = 500;

impl ConnectorError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let message: String = message.into();
        let message = if message.chars().count() > MAX_MESSAGE_CHARS {
            let mut cut: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
            cut.push('…');
            cut
        } else {
            message
        };
        ConnectorError {
            kind,
            message: message
                .chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .collect(),
            retry_after: None,
            status: None,
        }
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transient, message)
    }

    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Auth, message)
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Permanent, message)
    }

    pub fn invalid_response(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidResponse, message)
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn unsupported(what: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, what)
    }

    pub fn rate_limited(retry_after: Option<Duration>) -> Self {
        ConnectorError {
            retry_after,
            ..Self::new(ErrorKind::RateLimited, "rate limited by the network")
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// Worth trying again later, without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, ErrorKind::Transient | ErrorKind::RateLimited)
    }

    /// The channel's credentials no longer work.
    pub fn breaks_channel(&self) -> bool {
        self.kind == ErrorKind::Auth
    }
}

pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_auth_errors_break_a_channel() {
        assert!(ConnectorError::auth("x").breaks_channel());
        for e in [
            ConnectorError::transient("timeout"),
            ConnectorError::rate_limited(None),
            ConnectorError::permanent("x"),
            ConnectorError::invalid_response("x"),
        ] {
            assert!(!e.breaks_channel(), "{e:?}");
        }
    }

    #[test]
    fn long_or_control_laden_messages_are_cut_and_cleaned() {
        let e = ConnectorError::permanent(format!("a\u{1b}[31m{}", "x".repeat(2_000)));
        assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert!(!e.message.contains('\u{1b}'));
    }
}
