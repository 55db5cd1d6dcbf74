//! Invitations: the only way into a workspace, and into tribune once the owner exists.

use crate::db::Conn;
use crate::schema::{Invitations, Memberships, Workspaces};
use crate::users::{User, insert_user};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use tribune_domain::security::token::{random_token, token_digest};
use tribune_domain::user::UserNew;
use tribune_domain::{InvitationId, Role, UserId, WorkspaceId};

pub const INVITATION_TTL_SECS: i64 = 14 * 86_400;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What the person following an invitation link sees.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationView {
    pub id: i64,
    pub workspace_id: i64,
    pub workspace_name: String,
    pub email: String,
    pub role: String,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

impl InvitationView {
    /// Why this invitation cannot be used any more, as an i18n key.
    pub fn unusable_reason(&self, now: i64) -> Option<&'static str> {
        if self.accepted_at.is_some() {
            Some("error-invitation-used")
        } else if self.expires_at <= now {
            Some("error-invitation-expired")
        } else {
            None
        }
    }
}

impl Store {
    /// Invites `email` with `role`; returns the secret token for the link, shown once.
    pub async fn create_invitation(
        &self,
        scope: &WorkspaceScope,
        email: &str,
        role: Role,
        now: i64,
    ) -> Result<(String, Invitation), StoreError> {
        scope.require(Role::can_manage_members)?;
        if !scope.role().can_assign(role) {
            return Err(StoreError::Forbidden);
        }
        let email = tribune_domain::user::normalize_email(email)?;
        if let Some(user) = self.user_by_email(&email).await?
            && self.scope(user.user_id(), scope.workspace()).await.is_ok()
        {
            return Err(StoreError::Conflict("member"));
        }
        let token = random_token();
        let invitation = self
            .db
            .fetch_one(
                &Query::insert()
                    .into_table(Invitations::Table)
                    .columns([
                        Invitations::WorkspaceId,
                        Invitations::Email,
                        Invitations::Role,
                        Invitations::TokenHash,
                        Invitations::InvitedBy,
                        Invitations::CreatedAt,
                        Invitations::ExpiresAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        email.into(),
                        role.as_str().into(),
                        token_digest(&token).into(),
                        scope.member()?.0.into(),
                        now.into(),
                        (now + INVITATION_TTL_SECS).into(),
                    ])?
                    .returning(Query::returning().columns([
                        Invitations::Id,
                        Invitations::Email,
                        Invitations::Role,
                        Invitations::CreatedAt,
                        Invitations::ExpiresAt,
                    ]))
                    .to_owned(),
            )
            .await?;
        Ok((token, invitation))
    }

    /// Invitations not yet accepted nor expired.
    pub async fn pending_invitations(
        &self,
        scope: &WorkspaceScope,
        now: i64,
    ) -> Result<Vec<Invitation>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns([
                        Invitations::Id,
                        Invitations::Email,
                        Invitations::Role,
                        Invitations::CreatedAt,
                        Invitations::ExpiresAt,
                    ])
                    .from(Invitations::Table)
                    .and_where(Expr::col(Invitations::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Invitations::AcceptedAt).is_null())
                    .and_where(Expr::col(Invitations::ExpiresAt).gt(now))
                    .order_by(Invitations::CreatedAt, Order::Desc)
                    .limit(500)
                    .to_owned(),
            )
            .await
    }

    pub async fn revoke_invitation(
        &self,
        scope: &WorkspaceScope,
        id: InvitationId,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_manage_members)?;
        self.db
            .execute_some(
                &Query::delete()
                    .from_table(Invitations::Table)
                    .and_where(Expr::col(Invitations::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Invitations::Id).eq(id.0))
                    .to_owned(),
            )
            .await
    }

    pub async fn invitation_by_token(
        &self,
        token: &str,
    ) -> Result<Option<InvitationView>, StoreError> {
        if token.len() > 128 {
            return Ok(None);
        }
        self.db
            .fetch_optional(
                &Query::select()
                    .column((Invitations::Table, Invitations::Id))
                    .column((Invitations::Table, Invitations::WorkspaceId))
                    .expr_as(
                        Expr::col((Workspaces::Table, Workspaces::Name)),
                        "workspace_name",
                    )
                    .column((Invitations::Table, Invitations::Email))
                    .column((Invitations::Table, Invitations::Role))
                    .column((Invitations::Table, Invitations::ExpiresAt))
                    .column((Invitations::Table, Invitations::AcceptedAt))
                    .from(Invitations::Table)
                    .inner_join(
                        Workspaces::Table,
                        Expr::col((Workspaces::Table, Workspaces::Id))
                            .equals((Invitations::Table, Invitations::WorkspaceId)),
                    )
                    .and_where(
                        Expr::col((Invitations::Table, Invitations::TokenHash))
                            .eq(token_digest(token)),
                    )
                    .to_owned(),
            )
            .await
    }

    /// An existing account accepts an invitation sent to its own address.
    pub async fn accept_invitation(
        &self,
        token: &str,
        user: &User,
        now: i64,
    ) -> Result<WorkspaceId, StoreError> {
        let view = self.usable_invitation(token, now).await?;
        if !view.email.eq_ignore_ascii_case(&user.email) {
            return Err(StoreError::Refused("error-invitation-other-email"));
        }
        let mut tx = self.db.begin().await?;
        claim_and_join(&mut tx.conn(), &view, user.user_id(), now).await?;
        tx.commit().await?;
        Ok(WorkspaceId(view.workspace_id))
    }

    /// Someone without an account signs up through an invitation, with its e-mail address.
    pub async fn accept_invitation_as_new_user(
        &self,
        token: &str,
        name: &str,
        password: &str,
        now: i64,
    ) -> Result<(User, WorkspaceId), StoreError> {
        let view = self.usable_invitation(token, now).await?;
        let new = UserNew::validate(&view.email, name, password)?;
        let mut tx = self.db.begin().await?;
        let user = insert_user(&mut tx.conn(), &new, false).await?;
        claim_and_join(&mut tx.conn(), &view, user.user_id(), now).await?;
        tx.commit().await?;
        Ok((user, WorkspaceId(view.workspace_id)))
    }

    async fn usable_invitation(&self, token: &str, now: i64) -> Result<InvitationView, StoreError> {
        let view = self
            .invitation_by_token(token)
            .await?
            .ok_or(StoreError::NotFound)?;
        match view.unusable_reason(now) {
            Some(reason) => Err(StoreError::Refused(reason)),
            None => Ok(view),
        }
    }
}

/// Marks the invitation used (once, even under concurrency) and adds the membership.
async fn claim_and_join(
    conn: &mut Conn<'_>,
    view: &InvitationView,
    user: UserId,
    now: i64,
) -> Result<(), StoreError> {
    let claimed = conn
        .execute(
            &Query::update()
                .table(Invitations::Table)
                .values([(Invitations::AcceptedAt, now.into())])
                .and_where(Expr::col(Invitations::Id).eq(view.id))
                .and_where(Expr::col(Invitations::AcceptedAt).is_null())
                .to_owned(),
        )
        .await?;
    if claimed != 1 {
        return Err(StoreError::Refused("error-invitation-used"));
    }
    let role = Role::parse(&view.role).ok_or(StoreError::NotFound)?;
    conn.execute(
        &Query::insert()
            .into_table(Memberships::Table)
            .columns([
                Memberships::WorkspaceId,
                Memberships::UserId,
                Memberships::Role,
                Memberships::CreatedAt,
            ])
            .values([
                view.workspace_id.into(),
                user.0.into(),
                role.as_str().into(),
                now.into(),
            ])?
            // Already a member (invited twice): keep the existing role.
            .on_conflict(
                OnConflict::columns([Memberships::WorkspaceId, Memberships::UserId])
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    Ok(())
}
