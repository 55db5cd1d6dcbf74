//! The instance and its people: who administers it, who may create workspaces, which accounts
//! are disabled. The instance owner is the account created at first-run setup; instance admins
//! are accounts with `is_admin`. Every change here is written to the audit trail (instance-level
//! events, without a workspace) in the same transaction.

use crate::Refusal;
use crate::audit::{self, Actor, AuditEvent};
use crate::schema::{InstanceSetup, Memberships, Sessions, Users};
use crate::{Store, StoreError, unix_now};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::{Role, UserId};

/// Proof that the acting account is an instance admin (or the instance owner), active. Only
/// [`Store::admin_scope`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminScope {
    user: UserId,
    is_owner: bool,
}

impl AdminScope {
    pub fn user(&self) -> UserId {
        self.user
    }

    pub fn is_owner(&self) -> bool {
        self.is_owner
    }
}

/// One account as the admin page lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub is_owner: bool,
    pub can_create_workspaces: bool,
    pub totp_enabled: bool,
    pub disabled_at: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
}

/// A change an admin makes to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    Disable,
    Enable,
    AllowWorkspaces(bool),
    Admin(bool),
}

impl AccountChange {
    fn action(self) -> &'static str {
        match self {
            AccountChange::Disable => "account.disabled",
            AccountChange::Enable => "account.enabled",
            AccountChange::AllowWorkspaces(true) => "account.workspaces_allowed",
            AccountChange::AllowWorkspaces(false) => "account.workspaces_disallowed",
            AccountChange::Admin(true) => "account.admin_granted",
            AccountChange::Admin(false) => "account.admin_revoked",
        }
    }
}

impl Store {
    async fn instance_owner(&self) -> Result<Option<UserId>, StoreError> {
        let row: Option<(UserId,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column(InstanceSetup::UserId)
                    .from(InstanceSetup::Table)
                    .to_owned(),
            )
            .await?;
        Ok(row.map(|(id,)| id))
    }

    /// The acting account's admin scope; `Forbidden` unless it is an active instance admin.
    pub async fn admin_scope(&self, user: UserId) -> Result<AdminScope, StoreError> {
        let row: Option<(bool, Option<i64>)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .columns([Users::IsAdmin, Users::DisabledAt])
                    .from(Users::Table)
                    .and_where(Expr::col(Users::Id).eq(user.0))
                    .to_owned(),
            )
            .await?;
        let is_owner = self.instance_owner().await? == Some(user);
        match row {
            Some((is_admin, None)) if is_admin || is_owner => Ok(AdminScope { user, is_owner }),
            _ => Err(StoreError::Forbidden),
        }
    }

    /// Whether `user` may create a workspace: instance admins, and the people they allowed.
    /// Nobody else; in particular not someone who only holds client roles.
    pub async fn may_create_workspaces(&self, user: UserId) -> Result<bool, StoreError> {
        let row: Option<(bool, bool)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .columns([Users::IsAdmin, Users::CanCreateWorkspaces])
                    .from(Users::Table)
                    .and_where(Expr::col(Users::Id).eq(user.0))
                    .and_where(Expr::col(Users::DisabledAt).is_null())
                    .to_owned(),
            )
            .await?;
        let Some((admin, allowed)) = row else {
            return Ok(false);
        };
        if admin {
            return Ok(true);
        }
        // Someone who is only ever a client (the brand) never creates workspaces, even if an
        // admin ticked the box.
        let count = |client: bool| {
            let role = Expr::col(Memberships::Role);
            Query::select()
                .expr(Expr::col(Memberships::UserId).count())
                .from(Memberships::Table)
                .and_where(Expr::col(Memberships::UserId).eq(user.0))
                .and_where(if client {
                    role.eq(Role::Client.as_str())
                } else {
                    role.ne(Role::Client.as_str())
                })
                .to_owned()
        };
        let (clients,): (i64,) = self.db.fetch_one(&count(true)).await?;
        let (others,): (i64,) = self.db.fetch_one(&count(false)).await?;
        Ok(allowed && !(clients > 0 && others == 0))
    }

    /// Every account on the instance, by e-mail.
    pub async fn accounts(&self, admin: &AdminScope) -> Result<Vec<Account>, StoreError> {
        let _ = admin;
        let owner = self.instance_owner().await?.map_or(0, |u| u.0);
        self.db
            .fetch_all(
                &Query::select()
                    .columns([
                        Users::Id,
                        Users::Email,
                        Users::Name,
                        Users::IsAdmin,
                        Users::CanCreateWorkspaces,
                        Users::TotpEnabled,
                        Users::DisabledAt,
                        Users::LastLoginAt,
                        Users::CreatedAt,
                    ])
                    .expr_as(Expr::col(Users::Id).eq(owner), "is_owner")
                    .from(Users::Table)
                    .order_by(Users::Email, Order::Asc)
                    .to_owned(),
            )
            .await
    }

    /// Applies `change` to `target`. Nobody can disable or demote the instance owner, nor
    /// themself; only the owner grants or revokes admin rights. Disabling ends the account's
    /// sessions at once (its API tokens stop working while it is disabled).
    pub async fn change_account(
        &self,
        admin: &AdminScope,
        target: UserId,
        change: AccountChange,
    ) -> Result<(), StoreError> {
        let owner = self.instance_owner().await?;
        let touches_rights = matches!(change, AccountChange::Disable | AccountChange::Admin(false));
        if touches_rights && (Some(target) == owner || target == admin.user) {
            return Err(StoreError::Refused(Refusal::AdminProtected));
        }
        if matches!(change, AccountChange::Admin(_)) && !admin.is_owner {
            return Err(StoreError::Forbidden);
        }
        let value: (Users, sea_query::Value) = match change {
            AccountChange::Disable => (Users::DisabledAt, Some(unix_now()).into()),
            AccountChange::Enable => (Users::DisabledAt, Option::<i64>::None.into()),
            AccountChange::AllowWorkspaces(allowed) => (Users::CanCreateWorkspaces, allowed.into()),
            AccountChange::Admin(is_admin) => (Users::IsAdmin, is_admin.into()),
        };
        let mut tx = self.db.begin().await?;
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(Users::Table)
                    .values([(value.0, Expr::val(value.1))])
                    .and_where(Expr::col(Users::Id).eq(target.0))
                    .to_owned(),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        if change == AccountChange::Disable {
            tx.conn()
                .execute(
                    &Query::delete()
                        .from_table(Sessions::Table)
                        .and_where(Expr::col(Sessions::UserId).eq(target.0))
                        .to_owned(),
                )
                .await?;
        }
        audit::record(
            &mut tx.conn(),
            None,
            Actor::User(admin.user),
            &AuditEvent::new(change.action(), "account", target.0),
        )
        .await?;
        tx.commit().await
    }

    /// Records an instance-level event done by an admin outside the store (a test e-mail sent,
    /// a password reset sent).
    pub async fn audit_admin_action(
        &self,
        admin: &AdminScope,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        audit::record(&mut tx.conn(), None, Actor::User(admin.user), event).await?;
        tx.commit().await
    }

    /// When the account last logged in; `None` before its first login.
    pub async fn last_login(&self, user: UserId) -> Result<Option<i64>, StoreError> {
        let row: Option<(Option<i64>,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column(Users::LastLoginAt)
                    .from(Users::Table)
                    .and_where(Expr::col(Users::Id).eq(user.0))
                    .to_owned(),
            )
            .await?;
        Ok(row.and_then(|(at,)| at))
    }

    /// Notes a successful login (shown on the admin page).
    pub async fn touch_last_login(&self, user: UserId, now: i64) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::update()
                    .table(Users::Table)
                    .values([(Users::LastLoginAt, now.into())])
                    .and_where(Expr::col(Users::Id).eq(user.0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
