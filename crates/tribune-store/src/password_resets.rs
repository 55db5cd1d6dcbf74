//! "Mot de passe oublié": single-use links to choose a new password, and the count of requests
//! that keeps the form from becoming a way to flood someone's mailbox.
//!
//! A link's token is kept only as its digest; it lasts [`PASSWORD_RESET_TTL_SECS`], works once,
//! and a newer request voids older links. Using it replaces the password, ends every session
//! and revokes every API token of the account, in one transaction.

use crate::Refusal;
use crate::schema::{ApiTokens, Sessions, Users};
use crate::users::User;
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, Iden, Query};
use tribune_domain::UserId;
use tribune_domain::security::password::hash_password;
use tribune_domain::security::token::{random_token, token_digest};
use tribune_domain::user::validate_password;

/// How long a reset link works: long enough to open one's mail, short enough to be useless
/// when found later in a mailbox.
pub const PASSWORD_RESET_TTL_SECS: i64 = 30 * 60;

#[derive(Iden, Clone, Copy)]
enum PasswordResets {
    Table,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(Iden, Clone, Copy)]
enum PasswordResetRequests {
    Table,
    Id,
    Key,
    At,
}

impl Store {
    /// Counts a reset request for `key` (an address, a client) and returns how many were made
    /// since `since`, this one included. Counted before anything is looked up, so the answer
    /// is the same whether an account exists or not.
    pub async fn count_reset_request(
        &self,
        key: &str,
        now: i64,
        since: i64,
    ) -> Result<i64, StoreError> {
        let key: String = key.chars().take(300).collect();
        self.db
            .execute(
                &Query::insert()
                    .into_table(PasswordResetRequests::Table)
                    .columns([PasswordResetRequests::Key, PasswordResetRequests::At])
                    .values([key.clone().into(), now.into()])?
                    .to_owned(),
            )
            .await?;
        let (n,): (i64,) = self
            .db
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(PasswordResetRequests::Id).count())
                    .from(PasswordResetRequests::Table)
                    .and_where(Expr::col(PasswordResetRequests::Key).eq(key))
                    .and_where(Expr::col(PasswordResetRequests::At).gte(since))
                    .to_owned(),
            )
            .await?;
        Ok(n)
    }

    /// A new reset link for `user`; older unused links of the account stop working. Returns the
    /// secret token, to be sent and never stored.
    pub async fn create_password_reset(
        &self,
        user: UserId,
        now: i64,
    ) -> Result<String, StoreError> {
        let token = random_token();
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        conn.execute(
            &Query::delete()
                .from_table(PasswordResets::Table)
                .and_where(Expr::col(PasswordResets::UserId).eq(user.0))
                .and_where(Expr::col(PasswordResets::UsedAt).is_null())
                .to_owned(),
        )
        .await?;
        conn.execute(
            &Query::insert()
                .into_table(PasswordResets::Table)
                .columns([
                    PasswordResets::UserId,
                    PasswordResets::TokenHash,
                    PasswordResets::CreatedAt,
                    PasswordResets::ExpiresAt,
                ])
                .values([
                    user.0.into(),
                    token_digest(&token).into(),
                    now.into(),
                    (now + PASSWORD_RESET_TTL_SECS).into(),
                ])?
                .to_owned(),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The account a reset link is for, while the link is usable (not used, not expired, not
    /// replaced by a newer one).
    pub async fn password_reset_user(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<User>, StoreError> {
        if token.len() > 128 {
            return Ok(None);
        }
        let row: Option<(UserId,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column(PasswordResets::UserId)
                    .from(PasswordResets::Table)
                    .and_where(Expr::col(PasswordResets::TokenHash).eq(token_digest(token)))
                    .and_where(Expr::col(PasswordResets::UsedAt).is_null())
                    .and_where(Expr::col(PasswordResets::ExpiresAt).gt(now))
                    .to_owned(),
            )
            .await?;
        match row {
            Some((id,)) => Ok(Some(self.user(id).await?)),
            None => Ok(None),
        }
    }

    /// Uses a reset link: checks the new password, claims the link (once, even under
    /// concurrency), replaces the password, ends every session and revokes every API token.
    /// Refused with `error-reset-link-invalid` when the link is unknown, used or expired.
    pub async fn complete_password_reset(
        &self,
        token: &str,
        password: &str,
        now: i64,
    ) -> Result<UserId, StoreError> {
        validate_password(password)?;
        let invalid = StoreError::Refused(Refusal::ResetLinkInvalid);
        if token.len() > 128 {
            return Err(invalid);
        }
        // Hashing takes a while on purpose: off the async workers.
        let owned = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&owned))
            .await
            .map_err(StoreError::failed("password hashing"))?
            .map_err(StoreError::failed("password hashing"))?;
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        let claimed: Option<(UserId,)> = conn
            .fetch_optional(
                &Query::update()
                    .table(PasswordResets::Table)
                    .values([(PasswordResets::UsedAt, now.into())])
                    .and_where(Expr::col(PasswordResets::TokenHash).eq(token_digest(token)))
                    .and_where(Expr::col(PasswordResets::UsedAt).is_null())
                    .and_where(Expr::col(PasswordResets::ExpiresAt).gt(now))
                    .returning(Query::returning().column(PasswordResets::UserId))
                    .to_owned(),
            )
            .await?;
        let Some((user,)) = claimed else {
            return Err(invalid);
        };
        conn.execute(
            &Query::update()
                .table(Users::Table)
                .values([(Users::PasswordHash, hash.into())])
                .and_where(Expr::col(Users::Id).eq(user.0))
                .to_owned(),
        )
        .await?;
        for statement in [
            Query::delete()
                .from_table(Sessions::Table)
                .and_where(Expr::col(Sessions::UserId).eq(user.0))
                .to_owned(),
            Query::delete()
                .from_table(ApiTokens::Table)
                .and_where(Expr::col(ApiTokens::UserId).eq(user.0))
                .to_owned(),
            // Any other link of the account dies with this one.
            Query::delete()
                .from_table(PasswordResets::Table)
                .and_where(Expr::col(PasswordResets::UserId).eq(user.0))
                .and_where(Expr::col(PasswordResets::UsedAt).is_null())
                .to_owned(),
        ] {
            conn.execute(&statement).await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    /// Forgets expired links and old request counts (run by the maintenance task).
    pub async fn purge_password_resets(&self, now: i64) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::delete()
                    .from_table(PasswordResets::Table)
                    .and_where(Expr::col(PasswordResets::ExpiresAt).lt(now - 86_400))
                    .to_owned(),
            )
            .await?;
        self.db
            .execute(
                &Query::delete()
                    .from_table(PasswordResetRequests::Table)
                    .and_where(Expr::col(PasswordResetRequests::At).lt(now - 86_400))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
