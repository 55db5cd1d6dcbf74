//! SMTP settings saved from the administration page (migration 0015), for instances whose
//! configuration file and environment set no SMTP server (those win, and the page says so).
//! One row; the password is stored sealed by the caller with the instance's secret key and is
//! never read back by a page, only replaced or cleared.

use crate::admin::AdminScope;
use crate::audit::{self, Actor, AuditEvent};
use crate::schema::SmtpSettings;
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, OnConflict, Query};

/// The saved settings, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredSmtp {
    pub host: String,
    pub port: i64,
    /// `none`, `starttls` or `tls`.
    pub tls: String,
    pub username: Option<String>,
    /// Sealed with the instance's secret key; only the mail path opens it.
    pub password_sealed: Option<String>,
    pub from_address: String,
    pub updated_at: i64,
}

impl StoredSmtp {
    pub fn has_password(&self) -> bool {
        self.password_sealed.is_some()
    }
}

/// What to do with the stored password: a form that leaves the field empty keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordChange {
    Keep,
    /// The new password, already sealed.
    Replace(String),
    Clear,
}

/// The settings to save, already checked by the caller (host, port, mode, sender).
#[derive(Debug, Clone)]
pub struct SmtpSettingsSave {
    pub host: String,
    pub port: u16,
    pub tls: String,
    pub username: Option<String>,
    pub password: PasswordChange,
    pub from_address: String,
}

const COLUMNS: [SmtpSettings; 7] = [
    SmtpSettings::Host,
    SmtpSettings::Port,
    SmtpSettings::Tls,
    SmtpSettings::Username,
    SmtpSettings::PasswordSealed,
    SmtpSettings::FromAddress,
    SmtpSettings::UpdatedAt,
];

impl Store {
    /// The settings saved from the administration page, if any.
    pub async fn smtp_settings(&self) -> Result<Option<StoredSmtp>, StoreError> {
        self.db
            .fetch_optional(
                &Query::select()
                    .columns(COLUMNS)
                    .from(SmtpSettings::Table)
                    .and_where(Expr::col(SmtpSettings::Id).eq(1))
                    .to_owned(),
            )
            .await
    }

    /// Saves the settings and records who changed what in the audit (the password only as
    /// kept, replaced or cleared), in one transaction.
    pub async fn save_smtp_settings(
        &self,
        admin: &AdminScope,
        save: &SmtpSettingsSave,
        now: i64,
    ) -> Result<StoredSmtp, StoreError> {
        let mut tx = self.db.begin().await?;
        let before: Option<StoredSmtp> = tx
            .conn()
            .fetch_optional(
                &Query::select()
                    .columns(COLUMNS)
                    .from(SmtpSettings::Table)
                    .and_where(Expr::col(SmtpSettings::Id).eq(1))
                    .to_owned(),
            )
            .await?;
        let password = match &save.password {
            PasswordChange::Keep => before.as_ref().and_then(|b| b.password_sealed.clone()),
            PasswordChange::Replace(sealed) => Some(sealed.clone()),
            PasswordChange::Clear => None,
        };
        let saved: StoredSmtp = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(SmtpSettings::Table)
                    .columns([
                        SmtpSettings::Id,
                        SmtpSettings::Host,
                        SmtpSettings::Port,
                        SmtpSettings::Tls,
                        SmtpSettings::Username,
                        SmtpSettings::PasswordSealed,
                        SmtpSettings::FromAddress,
                        SmtpSettings::UpdatedAt,
                        SmtpSettings::UpdatedBy,
                    ])
                    .values([
                        1.into(),
                        save.host.clone().into(),
                        i64::from(save.port).into(),
                        save.tls.clone().into(),
                        save.username.clone().into(),
                        password.into(),
                        save.from_address.clone().into(),
                        now.into(),
                        admin.user().0.into(),
                    ])?
                    .on_conflict(
                        OnConflict::column(SmtpSettings::Id)
                            .update_columns([
                                SmtpSettings::Host,
                                SmtpSettings::Port,
                                SmtpSettings::Tls,
                                SmtpSettings::Username,
                                SmtpSettings::PasswordSealed,
                                SmtpSettings::FromAddress,
                                SmtpSettings::UpdatedAt,
                                SmtpSettings::UpdatedBy,
                            ])
                            .to_owned(),
                    )
                    .returning(Query::returning().columns(COLUMNS))
                    .to_owned(),
            )
            .await?;
        let mut changed: Vec<&str> = Vec::new();
        let old = before.as_ref();
        if old.map(|o| &o.host) != Some(&saved.host) {
            changed.push("host");
        }
        if old.map(|o| o.port) != Some(saved.port) {
            changed.push("port");
        }
        if old.map(|o| &o.tls) != Some(&saved.tls) {
            changed.push("tls");
        }
        if old.map(|o| &o.username) != Some(&saved.username) {
            changed.push("username");
        }
        if old.map(|o| &o.from_address) != Some(&saved.from_address) {
            changed.push("from");
        }
        let password_change = match save.password {
            PasswordChange::Keep => "kept",
            PasswordChange::Replace(_) => "replaced",
            PasswordChange::Clear => "cleared",
        };
        let event = AuditEvent::new("mail.settings_changed", "instance", "smtp")
            .with("host", saved.host.clone())
            .with("port", saved.port)
            .with("tls", saved.tls.clone())
            .with("changed", changed)
            .with("password", password_change);
        audit::record(&mut tx.conn(), None, Actor::User(admin.user()), &event).await?;
        tx.commit().await?;
        Ok(saved)
    }
}
