//! The instance's administration: its accounts (active or disabled, last login, 2FA), who may
//! create workspaces, who administers, and the audit of these actions. Instance admins only;
//! anyone else gets 403.

use crate::AppState;
use crate::context::Authed;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use tribune_domain::UserId;
use tribune_store::admin::{Account, AccountChange, AdminScope};
use tribune_store::audit::AuditEntry;

use super::workspaces::FlashQuery;

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    c: Chrome,
    me: i64,
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
            .find(|a| entry.object_kind == "account" && a.id.to_string() == entry.object_id)
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
    Ok(render(&AdminPage {
        c,
        me: authed.user.id,
        is_owner: admin.is_owner(),
        accounts: store.accounts(&admin).await?,
        audit: store.instance_audit(&admin, 100).await?,
    }))
}

/// `POST /admin/accounts/{id}/{action}`: disable, enable, allow-workspaces,
/// disallow-workspaces, grant-admin, revoke-admin.
pub async fn change(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, action)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let admin = admin_scope(&state, &authed).await?;
    let change = match action.as_str() {
        "disable" => AccountChange::Disable,
        "enable" => AccountChange::Enable,
        "allow-workspaces" => AccountChange::AllowWorkspaces(true),
        "disallow-workspaces" => AccountChange::AllowWorkspaces(false),
        "grant-admin" => AccountChange::Admin(true),
        "revoke-admin" => AccountChange::Admin(false),
        _ => return Err(AppError::NotFound),
    };
    state
        .store()
        .change_account(&admin, UserId(id), change)
        .await?;
    Ok(see_other("/admin?flash=flash-account-changed"))
}
