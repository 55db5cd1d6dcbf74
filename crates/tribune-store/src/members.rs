//! Members of a workspace and their roles. A workspace always keeps at least one owner.

use crate::schema::{Memberships, Users};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::{Role, UserId};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub user_id: i64,
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

    async fn member_role(&self, scope: &WorkspaceScope, user: UserId) -> Result<Role, StoreError> {
        let (role,): (String,) = self
            .db
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

    async fn owner_count(&self, scope: &WorkspaceScope) -> Result<i64, StoreError> {
        let (n,): (i64,) = self
            .db
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

    /// Checks that the acting member may change `target` (currently `current`) at all.
    async fn check_can_change(
        &self,
        scope: &WorkspaceScope,
        target: UserId,
    ) -> Result<Role, StoreError> {
        scope.require(Role::can_manage_members)?;
        let current = self.member_role(scope, target).await?;
        if !scope.role().can_assign(current) {
            return Err(StoreError::Forbidden);
        }
        Ok(current)
    }

    pub async fn set_member_role(
        &self,
        scope: &WorkspaceScope,
        target: UserId,
        role: Role,
    ) -> Result<(), StoreError> {
        let current = self.check_can_change(scope, target).await?;
        if !scope.role().can_assign(role) {
            return Err(StoreError::Forbidden);
        }
        if current == Role::Owner && role != Role::Owner && self.owner_count(scope).await? <= 1 {
            return Err(StoreError::Refused("error-last-owner"));
        }
        self.db
            .execute(
                &Query::update()
                    .table(Memberships::Table)
                    .values([(Memberships::Role, role.as_str().into())])
                    .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Memberships::UserId).eq(target.0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// Removes another member (managers and owners), or the acting member themself (leaving).
    pub async fn remove_member(
        &self,
        scope: &WorkspaceScope,
        target: UserId,
    ) -> Result<(), StoreError> {
        let current = if target == scope.user() {
            scope.role()
        } else {
            self.check_can_change(scope, target).await?
        };
        if current == Role::Owner && self.owner_count(scope).await? <= 1 {
            return Err(StoreError::Refused("error-last-owner"));
        }
        self.db
            .execute(
                &Query::delete()
                    .from_table(Memberships::Table)
                    .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Memberships::UserId).eq(target.0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
