//! Handing messages to the SMTP server. Sending from a request goes through
//! [`Mailer::send_in_background`]: the message is written at once (so a bad address is known
//! at once), then sent by a task with a deadline whose failure is logged, never shown.

use crate::catalog::{Catalog, Tr};
use crate::config::{SmtpConfig, TlsMode};
use crate::message::{MailMessage, Rendered, render};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use tribune_domain::Lang;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid e-mail address {0:?}")]
    Address(String),
    #[error("cannot write the message: {0}")]
    Build(String),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the SMTP server did not finish within {0:?}")]
    Timeout(Duration),
}

/// Sends tribune's e-mail through one SMTP server. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    catalog: Catalog,
    config: SmtpConfig,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("config", &self.inner.config)
            .finish()
    }
}

impl Mailer {
    /// Checks the settings; nothing is sent or connected to yet.
    pub fn new(config: SmtpConfig) -> Result<Mailer, MailError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| MailError::Address(config.from.clone()))?;
        let builder = match config.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            TlsMode::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?
            }
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let (Some(user), Some(password)) = (&config.user, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            inner: Arc::new(Inner {
                transport: builder.build(),
                from,
                catalog: Catalog::load(),
                config,
            }),
        })
    }

    pub fn config(&self) -> &SmtpConfig {
        &self.inner.config
    }

    /// The subject and both bodies of `message` in `lang`, as they would be sent.
    pub fn render(&self, lang: Lang, message: &dyn MailMessage) -> Result<Rendered, MailError> {
        let tr = Tr::new(&self.inner.catalog, lang);
        render(&message.content(&tr), &tr).map_err(|e| MailError::Build(e.to_string()))
    }

    fn build(&self, to: &str, lang: Lang, message: &dyn MailMessage) -> Result<Message, MailError> {
        let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
        let rendered = self.render(lang, message)?;
        Message::builder()
            .from(self.inner.from.clone())
            .to(to)
            .subject(rendered.subject)
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                lang.code().to_owned(),
            ))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| MailError::Build(e.to_string()))
    }

    /// Sends now and waits for the server's answer, at most the configured timeout (for the
    /// test e-mail, whose result is what the person wants to see).
    pub async fn send(
        &self,
        to: &str,
        lang: Lang,
        message: &(dyn MailMessage + Sync),
    ) -> Result<(), MailError> {
        let email = self.build(to, lang, message)?;
        self.deliver(email).await
    }

    async fn deliver(&self, email: Message) -> Result<(), MailError> {
        // Connecting, greeting, authenticating, sending: each step has the timeout, so the
        // whole gets a few of them.
        let deadline = self.inner.config.timeout * 4;
        match tokio::time::timeout(deadline, self.inner.transport.send(email)).await {
            Ok(result) => result.map(|_| ()).map_err(MailError::from),
            Err(_) => Err(MailError::Timeout(deadline)),
        }
    }

    /// Writes the message now and sends it from a task of its own: the request that asked for
    /// it never waits for the SMTP server. A failure is logged (without the message, which
    /// may hold a secret link). Needs a tokio runtime.
    pub fn send_in_background(&self, to: &str, lang: Lang, message: &dyn MailMessage) {
        let email = match self.build(to, lang, message) {
            Ok(email) => email,
            Err(error) => {
                tracing::warn!(%error, "e-mail not sent");
                return;
            }
        };
        let mailer = self.clone();
        tokio::spawn(async move {
            if let Err(error) = mailer.deliver(email).await {
                tracing::warn!(%error, host = %mailer.inner.config.host, "e-mail not sent");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::TestEmail;

    fn config(port: u16) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: TlsMode::None,
            user: None,
            password: None,
            from: "tribune <tribune@example.fr>".into(),
            timeout: Duration::from_millis(300),
        }
    }

    #[test]
    fn a_bad_sender_is_refused_when_the_mailer_is_made() {
        let mut bad = config(25);
        bad.from = "not an address".into();
        assert!(matches!(Mailer::new(bad), Err(MailError::Address(_))));
    }

    #[test]
    fn messages_are_plain_text_and_html_alternatives() {
        let mailer = Mailer::new(config(25)).unwrap();
        let message = TestEmail {
            instance_url: "https://tribune.example.fr".into(),
        };
        let email = mailer
            .build("alice@example.fr", Lang::Fr, &message)
            .unwrap();
        let raw = String::from_utf8(email.formatted()).unwrap();
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(
            raw.contains("text/plain") && raw.contains("text/html"),
            "{raw}"
        );
        assert!(raw.contains("Content-Language: fr"), "{raw}");
        assert!(mailer.build("nobody", Lang::Fr, &message).is_err());
    }

    #[tokio::test]
    async fn a_server_that_never_answers_fails_after_the_timeout() {
        // Accepts connections but never greets: the SMTP client waits for the banner.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let _hold = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                open.push(socket);
            }
        });
        let mailer = Mailer::new(config(port)).unwrap();
        let message = TestEmail {
            instance_url: "x".into(),
        };
        let result = mailer.send("alice@example.fr", Lang::En, &message).await;
        assert!(result.is_err(), "{result:?}");
    }
}
