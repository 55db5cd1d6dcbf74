//! Invitations: the only way into a workspace, and into tribune once the owner exists.

use crate::db::Conn;
use crate::schema::{Invitations, Memberships, Users, Workspaces};
use crate::users::{User, insert_user};
use crate::{Conflict, Refusal};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use tribune_domain::security::token::{random_token, token_digest};
use tribune_domain::user::UserNew;
use tribune_domain::{InvitationId, Role, UserId, WorkspaceId};

pub const INVITATION_TTL_SECS: i64 = 14 * 86_400;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Invitation {
    pub id: InvitationId,
    pub email: String,
    pub role: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What the person following an invitation link sees.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationView {
    pub id: InvitationId,
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub email: String,
    pub role: String,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub inviter_name: String,
    /// The inviter's role in the workspace now; `None` once they are no longer a member.
    pub inviter_role: Option<String>,
}

impl InvitationView {
    /// Why this invitation cannot be used any more.
    pub fn unusable_reason(&self, now: i64) -> Option<Refusal> {
        if self.accepted_at.is_some() {
            Some(Refusal::InvitationUsed)
        } else if self.expires_at <= now {
            Some(Refusal::InvitationExpired)
        } else if !inviter_still_allowed(self.inviter_role.as_deref(), &self.role) {
            Some(Refusal::InvitationVoid)
        } else {
            None
        }
    }
}

/// An invitation stands only while its author may still give that role in the workspace: one
/// from a member who was removed (or lost the right to invite) is void.
fn inviter_still_allowed(inviter_role: Option<&str>, invited_role: &str) -> bool {
    match (
        inviter_role.and_then(Role::parse),
        Role::parse(invited_role),
    ) {
        (Some(inviter), Some(invited)) => {
            inviter.can_manage_members() && inviter.can_assign(invited)
        }
        _ => false,
    }
}

/// A pending invitation with its author's current role, before the void ones are left out.
#[derive(sqlx::FromRow)]
struct PendingRow {
    id: InvitationId,
    email: String,
    role: String,
    created_at: i64,
    expires_at: i64,
    inviter_role: Option<String>,
}

/// The author's membership in the invitation's workspace, for a left join.
fn inviter_membership() -> sea_query::Condition {
    sea_query::Condition::all()
        .add(
            Expr::col((Memberships::Table, Memberships::WorkspaceId))
                .equals((Invitations::Table, Invitations::WorkspaceId)),
        )
        .add(
            Expr::col((Memberships::Table, Memberships::UserId))
                .equals((Invitations::Table, Invitations::InvitedBy)),
        )
}

impl Store {
    /// Invites `email` with `role`; returns the secret token for the link, shown once. An
    /// address has at most one pending invitation per workspace: inviting it again gives that
    /// invitation a new link, role, author and lifetime (the old link stops working).
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
            return Err(StoreError::Conflict(Conflict::AlreadyMember));
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
                    .on_conflict(
                        OnConflict::columns([Invitations::WorkspaceId, Invitations::Email])
                            .target_and_where(Expr::col(Invitations::AcceptedAt).is_null())
                            .update_columns([
                                Invitations::Role,
                                Invitations::TokenHash,
                                Invitations::InvitedBy,
                                Invitations::CreatedAt,
                                Invitations::ExpiresAt,
                            ])
                            .to_owned(),
                    )
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

    /// Invitations not yet accepted, expired nor void (see [`InvitationView::unusable_reason`]).
    pub async fn pending_invitations(
        &self,
        scope: &WorkspaceScope,
        now: i64,
    ) -> Result<Vec<Invitation>, StoreError> {
        let rows: Vec<PendingRow> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns([
                        (Invitations::Table, Invitations::Id),
                        (Invitations::Table, Invitations::Email),
                        (Invitations::Table, Invitations::Role),
                        (Invitations::Table, Invitations::CreatedAt),
                        (Invitations::Table, Invitations::ExpiresAt),
                    ])
                    .expr_as(
                        Expr::col((Memberships::Table, Memberships::Role)),
                        "inviter_role",
                    )
                    .from(Invitations::Table)
                    .left_join(Memberships::Table, inviter_membership())
                    .and_where(
                        Expr::col((Invitations::Table, Invitations::WorkspaceId))
                            .eq(scope.workspace().0),
                    )
                    .and_where(Expr::col((Invitations::Table, Invitations::AcceptedAt)).is_null())
                    .and_where(Expr::col((Invitations::Table, Invitations::ExpiresAt)).gt(now))
                    .order_by((Invitations::Table, Invitations::CreatedAt), Order::Desc)
                    .limit(500)
                    .to_owned(),
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter(|row| inviter_still_allowed(row.inviter_role.as_deref(), &row.role))
            .map(|row| Invitation {
                id: row.id,
                email: row.email,
                role: row.role,
                created_at: row.created_at,
                expires_at: row.expires_at,
            })
            .collect())
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
                    .expr_as(Expr::col((Users::Table, Users::Name)), "inviter_name")
                    .expr_as(
                        Expr::col((Memberships::Table, Memberships::Role)),
                        "inviter_role",
                    )
                    .from(Invitations::Table)
                    .inner_join(
                        Workspaces::Table,
                        Expr::col((Workspaces::Table, Workspaces::Id))
                            .equals((Invitations::Table, Invitations::WorkspaceId)),
                    )
                    .inner_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((Invitations::Table, Invitations::InvitedBy)),
                    )
                    .left_join(Memberships::Table, inviter_membership())
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
            return Err(StoreError::Refused(Refusal::InvitationOtherEmail));
        }
        let mut tx = self.db.begin().await?;
        claim_and_join(&mut tx.conn(), &view, user.user_id(), now).await?;
        tx.commit().await?;
        Ok(view.workspace_id)
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
        Ok((user, view.workspace_id))
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
                .and_where(Expr::col(Invitations::Id).eq(view.id.0))
                .and_where(Expr::col(Invitations::AcceptedAt).is_null())
                .to_owned(),
        )
        .await?;
    if claimed != 1 {
        return Err(StoreError::Refused(Refusal::InvitationUsed));
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
                view.workspace_id.0.into(),
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
