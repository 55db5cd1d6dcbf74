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

/// A failed call. What a person is told comes from [`ErrorKind`] (the class: the network
/// refused, could not be reached, …), which the web maps to translated messages, followed by
/// [`ConnectorError::network_message`] when the network said something. `message` is tribune's
/// English account of what happened, for logs.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ConnectorError {
    pub kind: ErrorKind,
    /// What happened, in English, for logs: the network's words or tribune's own. Never HTML.
    pub message: String,
    /// The network's own words (its error message, cleaned and cut), only when the network
    /// said them; `None` when the message is tribune's. Shown to the CM as the network's.
    pub network_message: Option<String>,
    /// When the network said to come back (from `Retry-After` or rate-limit headers).
    pub retry_after: Option<Duration>,
    /// The HTTP status, if the network answered.
    pub status: Option<u16>,
}

/// The longest message kept from a network; the rest is cut.
const MAX_MESSAGE_CHARS: usize = 500;

impl ConnectorError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ConnectorError {
            kind,
            message: bounded(message.into()),
            network_message: None,
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

    /// Keeps what the network said (cleaned and cut), for showing as the network's words.
    pub fn with_network_message(mut self, said: Option<String>) -> Self {
        self.network_message = said.map(bounded).filter(|m| !m.trim().is_empty());
        self
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

    /// The same error met while checking credentials (`verify`, a token refresh): there, any
    /// refusal (a 4xx other than 429, or a timeout's 408 and 425) is a refusal of the
    /// credentials. Mastodon says 401 for a revoked token, Pleroma, Akkoma and GoToSocial
    /// also say 403 or 422, a PDS 400: what they mean is "not with these credentials".
    pub fn on_credentials_check(self) -> Self {
        let refused = self
            .status
            .is_some_and(|s| (400..500).contains(&s) && !matches!(s, 408 | 425 | 429));
        if refused && !matches!(self.kind, ErrorKind::Transient | ErrorKind::RateLimited) {
            ConnectorError {
                kind: ErrorKind::Auth,
                ..self
            }
        } else {
            self
        }
    }
}

/// At most [`MAX_MESSAGE_CHARS`] characters, without control characters (newlines kept).
fn bounded(message: String) -> String {
    let mut cut: String = message
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(MAX_MESSAGE_CHARS + 1)
        .collect();
    if cut.chars().count() > MAX_MESSAGE_CHARS {
        cut = cut.chars().take(MAX_MESSAGE_CHARS).collect();
        cut.push('…');
    }
    cut
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
        let said = ConnectorError::permanent("x")
            .with_network_message(Some(format!("b\u{7}{}", "y".repeat(2_000))))
            .network_message
            .unwrap();
        assert!(said.chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert!(!said.contains('\u{7}'));
    }

    #[test]
    fn on_a_credentials_check_every_refusal_but_429_is_an_auth_error() {
        let answered = |status: u16| {
            crate::http::HttpResponse {
                status: reqwest::StatusCode::from_u16(status).unwrap(),
                headers: Default::default(),
                body: Vec::new(),
                answered_elsewhere: false,
            }
            .error()
            .on_credentials_check()
            .kind
        };
        for status in [400, 401, 403, 404, 410, 422] {
            assert_eq!(answered(status), ErrorKind::Auth, "{status}");
        }
        assert_eq!(answered(429), ErrorKind::RateLimited);
        for status in [408, 500, 502, 503] {
            assert_eq!(answered(status), ErrorKind::Transient, "{status}");
        }
        // Not an answer at all.
        let unreachable = ConnectorError::transient("no route").on_credentials_check();
        assert_eq!(unreachable.kind, ErrorKind::Transient);
    }
}
