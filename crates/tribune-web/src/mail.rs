//! Which SMTP server e-mail goes through: the one the configuration file or the environment
//! names (it wins), else the one saved on the administration page (`smtp_settings`), read from
//! the database at each use so that every node follows a change at once. A mailer built from
//! saved settings is kept while they stay the same (`updated_at`).

use crate::AppState;
use crate::error::AppError;
use std::sync::Mutex;
use tribune_domain::security::secret_box::{SecretBox, SecretError};
use tribune_mail::{Mailer, SmtpConfig, TlsMode};
use tribune_store::smtp_settings::StoredSmtp;

/// Where the SMTP settings in use come from, for the administration page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOrigin {
    /// The configuration file or the `TRIBUNE_SMTP_*` variables: the page cannot change them.
    Config,
    /// Saved on the administration page.
    Saved,
    /// E-mail is off.
    Off,
}

/// The mailer built from the saved settings, with the time they were saved.
#[derive(Default)]
pub struct SavedMailer {
    cached: Mutex<Option<(i64, Mailer)>>,
}

/// The SMTP settings a saved row stands for, with its password opened (also used by the
/// binary for the job runner's mailer).
pub fn saved_smtp_config(
    stored: &StoredSmtp,
    secrets: &SecretBox,
) -> Result<SmtpConfig, SecretError> {
    let password = match &stored.password_sealed {
        Some(sealed) => Some(secrets.open(sealed)?),
        None => None,
    };
    Ok(SmtpConfig {
        host: stored.host.clone(),
        port: u16::try_from(stored.port).unwrap_or(587),
        tls: TlsMode::parse(&stored.tls).unwrap_or(TlsMode::Starttls),
        user: stored.username.clone(),
        password,
        from: stored.from_address.clone(),
        timeout: SmtpConfig::DEFAULT_TIMEOUT,
    })
}

impl AppState {
    /// The mailer in use and where its settings come from; `None` when e-mail is off.
    pub(crate) async fn mail(&self) -> Result<(Option<Mailer>, MailOrigin), AppError> {
        if let Some(mailer) = &self.config().mailer {
            return Ok((Some(mailer.clone()), MailOrigin::Config));
        }
        let Some(stored) = self.store().smtp_settings().await? else {
            return Ok((None, MailOrigin::Off));
        };
        let saved = self.saved_mailer();
        if let Ok(cached) = saved.cached.lock()
            && let Some((at, mailer)) = cached.as_ref()
            && *at == stored.updated_at
        {
            return Ok((Some(mailer.clone()), MailOrigin::Saved));
        }
        let config =
            saved_smtp_config(&stored, self.secrets()).map_err(|e| AppError::Internal(e.into()))?;
        let mailer = Mailer::new(config).map_err(|e| AppError::Internal(e.into()))?;
        if let Ok(mut cached) = saved.cached.lock() {
            *cached = Some((stored.updated_at, mailer.clone()));
        }
        Ok((Some(mailer), MailOrigin::Saved))
    }

    /// The mailer in use, `None` when e-mail is off.
    pub(crate) async fn mailer(&self) -> Result<Option<Mailer>, AppError> {
        Ok(self.mail().await?.0)
    }
}
