//! Members of a workspace and their roles. A workspace always keeps at least one owner.

use crate::Refusal;
use crate::audit::{self, AuditEvent};
use crate::db::Tx;
use crate::schema::{Memberships, Users, Workspaces};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, LockType, Order, Query};
use serde::Serialize;
use tribune_domain::{Role, UserId};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: String,
    pub joined_at: i64,
}

impl Store {
    pub async fn members(&self, scope: &WorkspaceScope) -> Result<Vec<Member>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .expr_as(Expr::col((Users::Table, Users::Id)), "user_id")
                    .column((Users::Table, Users::Name))
                    .column((Users::Table, Users::Email))
                    .column((Memberships::Table, Memberships::Role))
                    .expr_as(
                        Expr::col((Memberships::Table, Memberships::CreatedAt)),
                        "joined_at",
                    )
                    .from(Memberships::Table)
                    .inner_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((Memberships::Table, Memberships::UserId)),
                    )
                    .and_where(
                        Expr::col((Memberships::Table, Memberships::WorkspaceId))
                            .eq(scope.workspace().0),
                    )
                    .order_by((Users::Table, Users::Name), Order::Asc)
                    .to_owned(),
            )
            .await
    }

    /// Changes a member's role. The workspace row is locked for the transaction (SQLite: the
    /// write lock), so two owners demoting each other at the same moment are serialised and the
    /// second one sees the first's change: a workspace never ends up without an owner.
    pub async fn set_member_role(
        &self,
        scope: &WorkspaceScope,
        target: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_manage_members)?;
        if !scope.role().can_assign(role) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        lock_workspace(&mut tx, scope).await?;
        let current = member_role(&mut tx, scope, target).await?;
        if !scope.role().can_assign(current) {
            return Err(StoreError::Forbidden);
        }
        if current == Role::Owner && role != Role::Owner && owner_count(&mut tx, scope).await? <= 1
        {
            return Err(StoreError::Refused(Refusal::LastOwner));
        }
        tx.conn()
            .execute(
                &Query::update()
                    .table(Memberships::Table)
                    .values([(Memberships::Role, role.as_str().into())])
                    .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Memberships::UserId).eq(target.0))
                    .to_owned(),
            )
            .await?;
        if current != role {
            let event = AuditEvent::new("member.role_changed", "member", target.0)
                .with("from", current.as_str())
                .with("to", role.as_str());
            audit::record(
                &mut tx.conn(),
                Some(scope.workspace()),
                scope.actor(),
                &event,
            )
            .await?;
        }
        tx.commit().await
    }

    /// Removes another member (managers and owners), or the acting member themself (leaving).
    /// Serialised per workspace like [`Store::set_member_role`]: the last owner cannot leave or
    /// be removed, however many requests race.
    pub async fn remove_member(
        &self,
        scope: &WorkspaceScope,
        target: UserId,
    ) -> Result<(), StoreError> {
        let leaving = scope.user() == Some(target);
        if !leaving {
            scope.require(Role::can_manage_members)?;
        }
        let mut tx = self.db.begin().await?;
        lock_workspace(&mut tx, scope).await?;
        let current = member_role(&mut tx, scope, target).await?;
        if !leaving && !scope.role().can_assign(current) {
            return Err(StoreError::Forbidden);
        }
        if current == Role::Owner && owner_count(&mut tx, scope).await? <= 1 {
            return Err(StoreError::Refused(Refusal::LastOwner));
        }
        tx.conn()
            .execute(
                &Query::delete()
                    .from_table(Memberships::Table)
                    .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Memberships::UserId).eq(target.0))
                    .to_owned(),
            )
            .await?;
        let action = if leaving {
            "member.left"
        } else {
            "member.removed"
        };
        let event = AuditEvent::new(action, "member", target.0).with("role", current.as_str());
        audit::record(
            &mut tx.conn(),
            Some(scope.workspace()),
            scope.actor(),
            &event,
        )
        .await?;
        tx.commit().await
    }
}

/// Locks the workspace row until the transaction ends (`SELECT … FOR UPDATE` on PostgreSQL;
/// on SQLite the transaction already holds the write lock and the clause is not rendered).
async fn lock_workspace(tx: &mut Tx, scope: &WorkspaceScope) -> Result<(), StoreError> {
    tx.conn()
        .fetch_one::<(i64,), _>(
            &Query::select()
                .column(Workspaces::Id)
                .from(Workspaces::Table)
                .and_where(Expr::col(Workspaces::Id).eq(scope.workspace().0))
                .lock(LockType::Update)
                .to_owned(),
        )
        .await?;
    Ok(())
}

async fn member_role(
    tx: &mut Tx,
    scope: &WorkspaceScope,
    user: UserId,
) -> Result<Role, StoreError> {
    let (role,): (String,) = tx
        .conn()
        .fetch_one(
            &Query::select()
                .column(Memberships::Role)
                .from(Memberships::Table)
                .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(Memberships::UserId).eq(user.0))
                .to_owned(),
        )
        .await?;
    Role::parse(&role).ok_or(StoreError::NotFound)
}

async fn owner_count(tx: &mut Tx, scope: &WorkspaceScope) -> Result<i64, StoreError> {
    let (n,): (i64,) = tx
        .conn()
        .fetch_one(
            &Query::select()
                .expr(Expr::col(Memberships::UserId).count())
                .from(Memberships::Table)
                .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(Memberships::Role).eq(Role::Owner.as_str()))
                .to_owned(),
        )
        .await?;
    Ok(n)
}
