//! Which SMTP server e-mail goes through: the one the configuration file or the environment
//! names (it wins), else the one saved on the administration page (`smtp_settings`), read from
//! the database at each use so that every node follows a change at once. A mailer built from
//! saved settings is kept while they stay the same (`updated_at`).

use crate::AppState;
use crate::error::AppError;
use tribune_mail::Mailer;

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

impl AppState {
    /// The mailer in use and where its settings come from; `None` when e-mail is off.
    pub(crate) async fn mail(&self) -> Result<(Option<Mailer>, MailOrigin), AppError> {
        if let Some(mailer) = &self.config().mailer {
            return Ok((Some(mailer.clone()), MailOrigin::Config));
        }
        let saved = self.saved_mailer().mailer().await.map_err(|e| match e {
            tribune_jobs::mail::SavedMailError::Store(e) => AppError::from(e),
            other => AppError::Internal(other.into()),
        })?;
        Ok(match saved {
            Some(mailer) => (Some(mailer), MailOrigin::Saved),
            None => (None, MailOrigin::Off),
        })
    }

    /// The mailer in use, `None` when e-mail is off.
    pub(crate) async fn mailer(&self) -> Result<Option<Mailer>, AppError> {
        Ok(self.mail().await?.0)
    }
}
