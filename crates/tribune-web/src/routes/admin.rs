//! The instance's administration: its accounts (active or disabled, last login, 2FA), who may
//! create workspaces, who administers, and the audit of these actions. Instance admins only;
//! anyone else gets 403.

use crate::AppState;
use crate::context::Authed;
use crate::error::{AppError, Refused};
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use tribune_domain::UserId;
use tribune_mail::{PasswordReset, TestEmail};
use tribune_store::admin::{Account, AccountChange, AdminScope};
use tribune_store::audit::{AuditEntry, AuditEvent};
use tribune_store::password_resets::PASSWORD_RESET_TTL_SECS;
use tribune_store::unix_now;

use super::workspaces::FlashQuery;

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    c: Chrome,
    /// The SMTP server e-mail goes through (`host:port (tls) from`), or `None` when e-mail is
    /// off. Set in the configuration file or the environment.
    smtp: Option<String>,
    me: UserId,
    is_owner: bool,
    accounts: Vec<Account>,
    audit: Vec<AuditEntry>,
}

impl AdminPage {
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

pub async fn page(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let admin = admin_scope(&state, &authed).await?;
    let store = state.store();
    let c = Chrome::load(&state, &authed.ctx)
        .await?
        .with_flash(query.flash.as_deref());
    let smtp = state.mailer().map(|mailer| {
        let config = mailer.config();
        format!(
            "{}:{} ({}), {}",
            config.host,
            config.port,
            config.tls.as_str(),
            config.from
        )
    });
    Ok(render(&AdminPage {
        c,
        smtp,
        me: authed.user.id,
        is_owner: admin.is_owner(),
        accounts: store.accounts(&admin).await?,
        audit: store.instance_audit(&admin, 100).await?,
    }))
}

/// `POST /admin/mail/test`: sends a test e-mail to the admin's own address and waits for the
/// server's answer, so the page can say whether the settings work.
pub async fn test_mail(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Response, AppError> {
    let admin = admin_scope(&state, &authed).await?;
    let Some(mailer) = state.mailer() else {
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
    let Some(mailer) = state.mailer() else {
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
