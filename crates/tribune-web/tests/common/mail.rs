//! The SMTP sink started by `scripts/peers/start.sh smtp` (aiosmtpd writing each message as a
//! `.eml` file): a [`WebConfig`] whose mailer sends there, and reading what arrived.
#![expect(
    clippy::expect_used,
    reason = "test harness: a failed set-up step must stop the test"
)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tribune_mail::{Mailer, SmtpConfig, TlsMode};
use tribune_web::WebConfig;

pub struct Sink {
    port: u16,
    dir: PathBuf,
}

/// A message as the sink kept it.
#[derive(Debug)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub content_type: String,
}

impl Mail {
    /// The first address in the plain-text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link starting with {prefix} in:\n{}", self.text));
        self.text[start..]
            .split_whitespace()
            .next()
            .expect("a link")
            .to_owned()
    }
}

/// An address no other test (nor an earlier run against the same sink) uses.
pub fn unique_email(name: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{name}.{nanos}.{}@example.fr",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A mailer that can never deliver (nothing listens on port 1): for tests about what is or is
/// not attempted, not about what arrives.
pub fn unreachable_mail_config() -> WebConfig {
    mail_config(1)
}

fn mail_config(port: u16) -> WebConfig {
    let mailer = Mailer::new(SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        user: None,
        password: None,
        from: "tribune <tribune@tribune.test>".into(),
        timeout: Duration::from_secs(10),
    })
    .expect("mailer");
    WebConfig {
        mailer: Some(mailer),
        ..WebConfig::default()
    }
}

impl Sink {
    /// The sink named by `TRIBUNE_TEST_SMTP_PORT`/`_DIR` (from `target/peers/env`), or `None`
    /// with a message, to skip — except with `CI=true`, where a missing sink fails the test.
    pub fn from_env() -> Option<Sink> {
        let port = std::env::var("TRIBUNE_TEST_SMTP_PORT").ok();
        let dir = std::env::var("TRIBUNE_TEST_SMTP_DIR").ok();
        match (port, dir) {
            (Some(port), Some(dir)) => Some(Sink {
                port: port.parse().expect("TRIBUNE_TEST_SMTP_PORT is a port"),
                dir: PathBuf::from(dir),
            }),
            _ => {
                assert!(
                    std::env::var("CI").map_or(true, |v| v != "true"),
                    "TRIBUNE_TEST_SMTP_PORT/DIR are not set: CI must run the SMTP sink \
                     (scripts/peers/start.sh smtp)"
                );
                eprintln!(
                    "skipped: no SMTP sink (scripts/peers/start.sh smtp, then . target/peers/env)"
                );
                None
            }
        }
    }

    /// The sink's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn web_config(&self) -> WebConfig {
        mail_config(self.port)
    }

    /// Every message received so far for `to`.
    pub fn messages_to(&self, to: &str) -> Vec<Mail> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .expect("readable sink directory")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .filter_map(|path| std::fs::read(path).ok())
            .map(|raw| parse(&raw))
            .filter(|mail| mail.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
            .collect()
    }

    /// Waits (20 s at most) until `count` messages for `to` have arrived, and returns them.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let messages = self.messages_to(to);
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{count} message(s) for {to} expected in {}, {} arrived",
                self.dir.display(),
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn parse(raw: &[u8]) -> Mail {
    use mailparse::MailHeaderMap;
    let parsed = mailparse::parse_mail(raw).expect("a parsable message");
    let to = parsed.headers.get_all_values("X-Sink-Rcpt-To");
    let subject = parsed
        .headers
        .get_first_value("Subject")
        .unwrap_or_default();
    let content_type = parsed.ctype.mimetype.clone();
    let part = |mime: &str| {
        parsed
            .subparts
            .iter()
            .find(|p| p.ctype.mimetype == mime)
            .map(|p| p.get_body().expect("a decodable body"))
            .unwrap_or_default()
    };
    Mail {
        to,
        subject,
        text: part("text/plain"),
        html: part("text/html"),
        content_type,
    }
}
