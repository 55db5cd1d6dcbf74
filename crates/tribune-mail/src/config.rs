//! Where and how to hand e-mail over: the SMTP server, its encryption, the account and the
//! sender. The password never appears in `Debug` output or logs.

use serde::Deserialize;
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text: only for a relay on the same machine or a test sink.
    None,
    /// Plain connection upgraded with `STARTTLS` (usually port 587); refused if the server
    /// does not offer it.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl TlsMode {
    pub fn parse(value: &str) -> Option<TlsMode> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" => Some(TlsMode::None),
            "starttls" => Some(TlsMode::Starttls),
            "tls" => Some(TlsMode::Tls),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::None => "none",
            TlsMode::Starttls => "starttls",
            TlsMode::Tls => "tls",
        }
    }

    /// The port usually used with this mode.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
        }
    }
}

/// Resolved SMTP settings (the binary reads them from the `[smtp]` section of the file and the
/// `TRIBUNE_SMTP_*` variables).
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The sender, `tribune <tribune@example.fr>` or a bare address.
    pub from: String,
    /// Longest wait for the server, per command and for a whole message.
    pub timeout: Duration,
}

impl SmtpConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_redacted_in_debug_output() {
        let config = SmtpConfig {
            host: "smtp.example.fr".into(),
            port: 587,
            tls: TlsMode::Starttls,
            user: Some("tribune".into()),
            password: Some("hunter2-secret".into()),
            from: "tribune@example.fr".into(),
            timeout: SmtpConfig::DEFAULT_TIMEOUT,
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("<redacted>") && shown.contains("smtp.example.fr"));
    }

    #[test]
    fn tls_modes_parse_and_pick_their_usual_port() {
        assert_eq!(TlsMode::parse("STARTTLS"), Some(TlsMode::Starttls));
        assert_eq!(TlsMode::parse("tls").map(TlsMode::default_port), Some(465));
        assert_eq!(TlsMode::parse("ssl"), None);
    }
}
