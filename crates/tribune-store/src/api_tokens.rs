//! Personal API tokens: they act as their user, within that user's workspaces.

use crate::schema::{ApiTokens, Users};
use crate::users::User;
use crate::workspaces::UserWorkspaces;
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, Order, Query};
use tribune_domain::security::token::{API_TOKEN_PREFIX, new_api_token, token_digest};
use tribune_domain::{ApiTokenId, UserId};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// `last_used_at` is written at most this often.
const TOUCH_EVERY_SECS: i64 = 300;

/// A live token with its owner and the owner's workspaces, as the read cache keeps it.
#[derive(Debug, Clone)]
pub struct TokenFound {
    id: ApiTokenId,
    last_used_at: Option<i64>,
    pub user: User,
    pub workspaces: UserWorkspaces,
}

impl Store {
    /// Creates a token and returns it in clear, once; only its digest is kept.
    pub async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        now: i64,
    ) -> Result<(String, ApiToken), StoreError> {
        let token = new_api_token();
        let name: String = name.trim().chars().take(100).collect();
        let name = if name.is_empty() {
            "API".to_owned()
        } else {
            name
        };
        let row = self
            .db
            .fetch_one(
                &Query::insert()
                    .into_table(ApiTokens::Table)
                    .columns([
                        ApiTokens::UserId,
                        ApiTokens::Name,
                        ApiTokens::TokenHash,
                        ApiTokens::CreatedAt,
                    ])
                    .values([
                        user.0.into(),
                        name.into(),
                        token_digest(&token).into(),
                        now.into(),
                    ])?
                    .returning(Query::returning().columns([
                        ApiTokens::Id,
                        ApiTokens::Name,
                        ApiTokens::CreatedAt,
                        ApiTokens::LastUsedAt,
                    ]))
                    .to_owned(),
            )
            .await?;
        Ok((token, row))
    }

    pub async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns([
                        ApiTokens::Id,
                        ApiTokens::Name,
                        ApiTokens::CreatedAt,
                        ApiTokens::LastUsedAt,
                    ])
                    .from(ApiTokens::Table)
                    .and_where(Expr::col(ApiTokens::UserId).eq(user.0))
                    .order_by(ApiTokens::Id, Order::Desc)
                    .to_owned(),
            )
            .await
    }

    pub async fn revoke_api_token(&self, user: UserId, id: ApiTokenId) -> Result<(), StoreError> {
        self.db
            .execute_some(
                &Query::delete()
                    .from_table(ApiTokens::Table)
                    .and_where(Expr::col(ApiTokens::Id).eq(id.0))
                    .and_where(Expr::col(ApiTokens::UserId).eq(user.0))
                    .to_owned(),
            )
            .await
    }

    /// Revokes every token of the user (a password change that asks for it); returns how many.
    pub async fn revoke_all_api_tokens(&self, user: UserId) -> Result<u64, StoreError> {
        self.db
            .execute(
                &Query::delete()
                    .from_table(ApiTokens::Table)
                    .and_where(Expr::col(ApiTokens::UserId).eq(user.0))
                    .to_owned(),
            )
            .await
    }

    /// The user a token acts as, if it is live and its user not disabled.
    pub async fn user_by_api_token(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<User>, StoreError> {
        Ok(self
            .api_token_with_workspaces(token, now)
            .await?
            .map(|found| found.user))
    }

    /// The user a token acts as with their workspaces (the membership every API route is
    /// scoped by), as a browser's session has them: kept in the read cache, so a script's
    /// repeated calls cost no statement for who is asking. A revoked token, a disabled user or
    /// a changed membership is a watched write and shows at once.
    pub async fn api_token_with_workspaces(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<TokenFound>, StoreError> {
        if !token.starts_with(API_TOKEN_PREFIX) || token.len() > 128 {
            return Ok(None);
        }
        let digest = token_digest(token);
        // Read before the cache and the query: an entry is kept only if no watched write
        // happened since (see `cache.rs`).
        let generation = self.cache.generation();
        if let Some(found) = self.cache.api_token(&digest) {
            let touched = self.touch_api_token(found.clone(), now).await?;
            if touched.last_used_at != found.last_used_at
                && let Some(generation) = generation
            {
                self.cache
                    .put_api_token(digest, touched.clone(), generation);
            }
            return Ok(Some(touched));
        }
        let row: Option<(ApiTokenId, UserId, Option<i64>)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column((ApiTokens::Table, ApiTokens::Id))
                    .column((ApiTokens::Table, ApiTokens::UserId))
                    .column((ApiTokens::Table, ApiTokens::LastUsedAt))
                    .from(ApiTokens::Table)
                    .inner_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((ApiTokens::Table, ApiTokens::UserId)),
                    )
                    .and_where(Expr::col((ApiTokens::Table, ApiTokens::TokenHash)).eq(&digest))
                    .and_where(Expr::col((Users::Table, Users::DisabledAt)).is_null())
                    .to_owned(),
            )
            .await?;
        let Some((id, user_id, last_used_at)) = row else {
            return Ok(None);
        };
        let found = TokenFound {
            id,
            last_used_at,
            user: self.user(user_id).await?,
            workspaces: UserWorkspaces::new(user_id, self.workspaces_of(user_id).await?),
        };
        let found = self.touch_api_token(found, now).await?;
        if let Some(generation) = generation {
            self.cache.put_api_token(digest, found.clone(), generation);
        }
        Ok(Some(found))
    }

    /// Writes the token's last use at most every five minutes; untracked, like a session's
    /// sliding expiry: no cached read shows it but the token's own entry, which the caller
    /// keeps up to date.
    async fn touch_api_token(
        &self,
        mut found: TokenFound,
        now: i64,
    ) -> Result<TokenFound, StoreError> {
        if found
            .last_used_at
            .is_none_or(|t| now - t > TOUCH_EVERY_SECS)
        {
            self.db
                .execute_untracked(
                    &Query::update()
                        .table(ApiTokens::Table)
                        .values([(ApiTokens::LastUsedAt, now.into())])
                        .and_where(Expr::col(ApiTokens::Id).eq(found.id.0))
                        .to_owned(),
                )
                .await?;
            found.last_used_at = Some(now);
        }
        Ok(found)
    }
}
