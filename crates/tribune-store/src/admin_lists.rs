//! Instance-wide lists for the operator's commands (`tribune user list`, `token list|revoke`,
//! `workspace list`). They cross workspaces on purpose, so they take no scope: only the command
//! line, run by whoever runs the server, calls them.

use crate::schema::{ApiTokens, Memberships, Users, Workspaces};
use crate::{Store, StoreError};
use sea_query::{Alias, Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::{ApiTokenId, UserId, WorkspaceId};

/// One account, as an operator lists them.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UserListing {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub totp_enabled: bool,
    pub created_at: i64,
}

/// One personal API token (never the token itself: only its digest is stored).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TokenListing {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// One workspace with the number of its members.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct WorkspaceListing {
    pub id: WorkspaceId,
    pub name: String,
    pub members: i64,
    pub created_at: i64,
}

impl Store {
    /// Every account, oldest first.
    pub async fn list_users(&self) -> Result<Vec<UserListing>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns([
                        Users::Id,
                        Users::Email,
                        Users::Name,
                        Users::IsAdmin,
                        Users::TotpEnabled,
                        Users::CreatedAt,
                    ])
                    .from(Users::Table)
                    .order_by(Users::Id, Order::Asc)
                    .to_owned(),
            )
            .await
    }

    /// Every API token with its owner's address, by owner then age; only `email`'s when given.
    pub async fn list_api_tokens(
        &self,
        email: Option<&str>,
    ) -> Result<Vec<TokenListing>, StoreError> {
        let mut query = Query::select();
        query
            .column((ApiTokens::Table, ApiTokens::Id))
            .column((ApiTokens::Table, ApiTokens::UserId))
            .column((Users::Table, Users::Email))
            .column((ApiTokens::Table, ApiTokens::Name))
            .column((ApiTokens::Table, ApiTokens::CreatedAt))
            .column((ApiTokens::Table, ApiTokens::LastUsedAt))
            .from(ApiTokens::Table)
            .inner_join(
                Users::Table,
                Expr::col((Users::Table, Users::Id)).equals((ApiTokens::Table, ApiTokens::UserId)),
            )
            .order_by((Users::Table, Users::Email), Order::Asc)
            .order_by((ApiTokens::Table, ApiTokens::Id), Order::Asc);
        if let Some(email) = email {
            query
                .and_where(Expr::col((Users::Table, Users::Email)).eq(email.trim().to_lowercase()));
        }
        self.db.fetch_all(&query).await
    }

    /// Revokes any user's token; `NotFound` when no token has this id.
    pub async fn revoke_any_api_token(&self, id: ApiTokenId) -> Result<(), StoreError> {
        self.db
            .execute_some(
                &Query::delete()
                    .from_table(ApiTokens::Table)
                    .and_where(Expr::col(ApiTokens::Id).eq(id.0))
                    .to_owned(),
            )
            .await
    }

    /// Every workspace with its member count, oldest first.
    pub async fn list_workspaces(&self) -> Result<Vec<WorkspaceListing>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .column((Workspaces::Table, Workspaces::Id))
                    .column((Workspaces::Table, Workspaces::Name))
                    .expr_as(
                        Expr::col((Memberships::Table, Memberships::UserId)).count(),
                        Alias::new("members"),
                    )
                    .column((Workspaces::Table, Workspaces::CreatedAt))
                    .from(Workspaces::Table)
                    .left_join(
                        Memberships::Table,
                        Expr::col((Memberships::Table, Memberships::WorkspaceId))
                            .equals((Workspaces::Table, Workspaces::Id)),
                    )
                    .group_by_col((Workspaces::Table, Workspaces::Id))
                    .group_by_col((Workspaces::Table, Workspaces::Name))
                    .group_by_col((Workspaces::Table, Workspaces::CreatedAt))
                    .order_by((Workspaces::Table, Workspaces::Id), Order::Asc)
                    .to_owned(),
            )
            .await
    }
}
