//! The instance's administration: its accounts (active or disabled, last login, 2FA), who may
//! create workspaces, who administers, and the audit of these actions. Instance admins only;
//! anyone else gets 403.

use crate::AppState;
use crate::context::Authed;
use crate::error::{AppError, Refused, with_status};
use crate::forms::see_other;
use crate::mail::MailOrigin;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::security::secret_box::SecretBox;
use tribune_domain::{UserId, ValidationError};
use tribune_mail::{MailError, Mailer, PasswordReset, SmtpConfig, TestEmail, TlsMode};
use tribune_store::admin::{Account, AccountChange, AdminScope};
use tribune_store::audit::{AuditEntry, AuditEvent};
use tribune_store::password_resets::PASSWORD_RESET_TTL_SECS;
use tribune_store::smtp_settings::{PasswordChange, SmtpSettingsSave, StoredSmtp};
use tribune_store::unix_now;

use super::workspaces::FlashQuery;

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    c: Chrome,
    /// The SMTP server e-mail goes through (`host:port (tls), from`), or `None` when e-mail is
    /// off.
    smtp: Option<String>,
    /// Where those settings come from: the file or the environment (which win), or this page.
    origin: MailOrigin,
    /// The form for the settings saved on this page, as saved or as just typed.
    form: SmtpForm,
    /// A password is saved (never shown back, only replaced or cleared).
    password_set: bool,
    errors: ValidationError,
    me: UserId,
    is_owner: bool,
    accounts: Vec<Account>,
    audit: Vec<AuditEntry>,
}

impl AdminPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|key| self.c.tr.t(key))
    }

    fn set_by_config(&self) -> bool {
        self.origin == MailOrigin::Config
    }

    const TLS_MODES: [&'static str; 3] = ["starttls", "tls", "none"];

    /// The audit line's action, translated (`audit-account-disabled`).
    fn action_label(&self, action: &str) -> String {
        self.c.tr.t(&format!("audit-{}", action.replace('.', "-")))
    }

    /// Who acted: their name when the account still exists, else the stored label.
    fn actor_label(&self, entry: &AuditEntry) -> String {
        match (&entry.actor_name, &entry.actor_email) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            _ if entry.actor.starts_with("system:") => self.c.tr.t("audit-actor-system"),
            _ => entry.actor.clone(),
        }
    }

    /// The account an event is about, by e-mail when it is one of the listed accounts.
    fn object_label(&self, entry: &AuditEntry) -> String {
        self.accounts
            .iter()
            .find(|a| {
                matches!(entry.object_kind.as_str(), "account" | "user")
                    && a.id.to_string() == entry.object_id
            })
            .map_or_else(
                || format!("{} {}", entry.object_kind, entry.object_id),
                |a| a.email.clone(),
            )
    }
}

async fn admin_scope(state: &AppState, authed: &Authed) -> Result<AdminScope, AppError> {
    Ok(state.store().admin_scope(authed.user.user_id()).await?)
}

/// The SMTP form's fields, as sent (everything a string, checked by [`SmtpForm::check`]). No
/// `Debug`: it holds the password as typed.
#[derive(Default, Deserialize)]
pub struct SmtpForm {
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    tls: String,
    #[serde(default)]
    username: String,
    /// Empty keeps the saved password.
    #[serde(default)]
    password: String,
    clear_password: Option<String>,
    #[serde(default)]
    from: String,
}

impl SmtpForm {
    fn of(stored: &StoredSmtp) -> SmtpForm {
        SmtpForm {
            host: stored.host.clone(),
            port: stored.port.to_string(),
            tls: stored.tls.clone(),
            username: stored.username.clone().unwrap_or_default(),
            password: String::new(),
            clear_password: None,
            from: stored.from_address.clone(),
        }
    }

    /// The settings to save, with the password sealed; the fields' errors otherwise. The
    /// sender and the host are checked by building a mailer from them, as sending will.
    fn check(&self, secrets: &SecretBox) -> Result<SmtpSettingsSave, ValidationError> {
        let mut errors = ValidationError::default();
        let host = self.host.trim();
        if host.is_empty()
            || host.len() > 253
            || host
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            errors.push("host", "error-smtp-host");
        }
        let tls = TlsMode::parse(&self.tls);
        if tls.is_none() {
            errors.push("tls", "error-smtp-tls");
        }
        let port = match self.port.trim() {
            "" => tls.map(TlsMode::default_port),
            given => given.parse::<u16>().ok().filter(|p| *p > 0),
        };
        if port.is_none() {
            errors.push("port", "error-smtp-port");
        }
        let username = Some(self.username.trim().to_owned()).filter(|u| !u.is_empty());
        if username.as_ref().is_some_and(|u| u.len() > 254) {
            errors.push("username", "error-smtp-username");
        }
        if self.password.len() > 1024 {
            errors.push("password", "error-smtp-password");
        }
        let from = self.from.trim();
        if from.len() > 320 || !sender_ok(from) {
            errors.push("from", "error-smtp-from");
        }
        if let (true, Some(tls), Some(port)) = (errors.violations.is_empty(), tls, port) {
            let config = SmtpConfig {
                host: host.to_owned(),
                port,
                tls,
                user: username.clone(),
                password: None,
                from: from.to_owned(),
                timeout: SmtpConfig::DEFAULT_TIMEOUT,
            };
            match Mailer::new(config) {
                Ok(_) => {}
                Err(MailError::Address(_)) => errors.push("from", "error-smtp-from"),
                Err(_) => errors.push("host", "error-smtp-host"),
            }
        }
        match (errors.violations.is_empty(), tls, port) {
            (true, Some(tls), Some(port)) => Ok(SmtpSettingsSave {
                host: host.to_owned(),
                port,
                tls: tls.as_str().to_owned(),
                username,
                password: if crate::forms::checkbox(&self.clear_password) {
                    PasswordChange::Clear
                } else if self.password.is_empty() {
                    PasswordChange::Keep
                } else {
                    PasswordChange::Replace(secrets.seal(&self.password))
                },
                from_address: from.to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

/// A sender is an address, or a name followed by an address in `<…>`.
fn sender_ok(from: &str) -> bool {
    let address = match from.rsplit_once('<') {
        Some((_, rest)) => match rest.strip_suffix('>') {
            Some(address) => address,
            None => return false,
        },
        None => from,
    };
    tribune_domain::user::normalize_email(address).is_ok()
}

/// The page, with the SMTP form as saved (`form: None`) or as typed with its errors.
async fn admin_page(
    state: &AppState,
    authed: &Authed,
    admin: &AdminScope,
    flash: Option<&str>,
    form: Option<(SmtpForm, ValidationError)>,
) -> Result<AdminPage, AppError> {
    let store = state.store();
    let c = Chrome::load(state, &authed.ctx).await?.with_flash(flash);
    let (mailer, origin) = state.mail().await?;
    let smtp = mailer.map(|mailer| {
        let config = mailer.config();
        format!(
            "{}:{} ({}), {}",
            config.host,
            config.port,
            config.tls.as_str(),
            config.from
        )
    });
    let stored = store.smtp_settings().await?;
    let password_set = stored.as_ref().is_some_and(StoredSmtp::has_password);
    let (form, errors) = match form {
        Some(typed) => typed,
        None => (
            stored
                .as_ref()
                .map(SmtpForm::of)
                .unwrap_or_else(|| SmtpForm {
                    tls: "starttls".into(),
                    ..SmtpForm::default()
                }),
            ValidationError::default(),
        ),
    };
    Ok(AdminPage {
        c,
        smtp,
        origin,
        form,
        password_set,
        errors,
        me: authed.user.id,
        is_owner: admin.is_owner(),
        accounts: store.accounts(admin).await?,
        audit: store.instance_audit(admin, 100).await?,
    })
}

pub async fn page(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let admin = admin_scope(&state, &authed).await?;
    let page = admin_page(&state, &authed, &admin, query.flash.as_deref(), None).await?;
    Ok(no_store(render(&page)))
}

/// `POST /admin/mail`: saves the SMTP settings in the database (audited). They are used when
/// the configuration file and the environment set no SMTP server; every node reads them at
/// its next e-mail.
pub async fn save_mail(
    State(state): State<AppState>,
    authed: Authed,
    Form(form): Form<SmtpForm>,
) -> Result<Response, AppError> {
    let admin = admin_scope(&state, &authed).await?;
    match form.check(state.secrets()) {
        Ok(save) => {
            state
                .store()
                .save_smtp_settings(&admin, &save, unix_now())
                .await?;
            Ok(see_other("/admin?flash=flash-mail-settings-saved#mail"))
        }
        Err(errors) => {
            let mut form = form;
            form.password.clear();
            let page = admin_page(&state, &authed, &admin, None, Some((form, errors))).await?;
            Ok(with_status(
                no_store(render(&page)),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}

/// The admin page shows mail settings: never cached.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// `POST /admin/mail/test`: sends a test e-mail to the admin's own address and waits for the
/// server's answer, so the page can say whether the settings work.
pub async fn test_mail(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Response, AppError> {
    let admin = admin_scope(&state, &authed).await?;
    let Some(mailer) = state.mailer().await? else {
        return Err(AppError::Refused(Refused::MailOff));
    };
    let message = TestEmail {
        instance_url: state.config().public_url.clone(),
    };
    let lang = authed.user.lang().unwrap_or(authed.ctx.lang);
    let sent = mailer.send(&authed.user.email, lang, &message).await;
    let event =
        AuditEvent::new("mail.test_sent", "account", authed.user.id).with("ok", sent.is_ok());
    state.store().audit_admin_action(&admin, &event).await?;
    Ok(match sent {
        Ok(()) => see_other("/admin?flash=flash-mail-test-sent"),
        Err(error) => {
            tracing::warn!(%error, "test e-mail failed");
            see_other("/admin?flash=flash-warn-mail-test-failed")
        }
    })
}

/// Sends an account a password-reset link, as if its owner had asked for one.
async fn send_reset(
    state: &AppState,
    admin: &AdminScope,
    target: UserId,
) -> Result<Response, AppError> {
    let Some(mailer) = state.mailer().await? else {
        return Err(AppError::Refused(Refused::MailOff));
    };
    let store = state.store();
    let user = store.user(target).await?;
    let token = store.create_password_reset(target, unix_now()).await?;
    let message = PasswordReset {
        link: format!(
            "{}/password/reset/{token}",
            state.config().public_url.trim_end_matches('/')
        ),
        valid_minutes: PASSWORD_RESET_TTL_SECS / 60,
    };
    mailer.send_in_background(&user.email, user.lang().unwrap_or_default(), &message);
    store
        .audit_admin_action(
            admin,
            &AuditEvent::new("account.reset_sent", "account", target.0),
        )
        .await?;
    Ok(see_other("/admin?flash=flash-reset-sent"))
}

/// `POST /admin/accounts/{id}/{action}`: disable, enable, allow-workspaces,
/// disallow-workspaces, grant-admin, revoke-admin, send-reset.
pub async fn change(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, action)): Path<(UserId, String)>,
) -> Result<Response, AppError> {
    let admin = admin_scope(&state, &authed).await?;
    if action == "send-reset" {
        return send_reset(&state, &admin, id).await;
    }
    let change = match action.as_str() {
        "disable" => AccountChange::Disable,
        "enable" => AccountChange::Enable,
        "allow-workspaces" => AccountChange::AllowWorkspaces(true),
        "disallow-workspaces" => AccountChange::AllowWorkspaces(false),
        "grant-admin" => AccountChange::Admin(true),
        "revoke-admin" => AccountChange::Admin(false),
        _ => return Err(AppError::NotFound),
    };
    state.store().change_account(&admin, id, change).await?;
    Ok(see_other("/admin?flash=flash-account-changed"))
}
