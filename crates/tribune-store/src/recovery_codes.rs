//! Two-factor recovery codes: ten single-use codes per account with TOTP on, kept as digests.
//! A code is claimed by a conditional UPDATE (`used_at IS NULL`), so of two logins racing with
//! the same code, on one node or two, exactly one succeeds. Using and regenerating codes are
//! instance-level audit events (`workspace_id` NULL), written in the same transaction.

use crate::audit::{self, Actor, AuditEvent};
use crate::schema::RecoveryCodes;
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, Query};
use tribune_domain::UserId;
use tribune_domain::security::recovery_code::{new_recovery_code, recovery_code_digest};

/// How many codes a user gets at a time.
pub const RECOVERY_CODE_COUNT: usize = 10;

impl Store {
    /// Replaces the user's codes (used or not) with fresh ones and returns them in clear, once.
    pub async fn replace_recovery_codes(
        &self,
        user: UserId,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let codes: Vec<String> = (0..RECOVERY_CODE_COUNT)
            .map(|_| new_recovery_code())
            .collect();
        let mut insert = Query::insert()
            .into_table(RecoveryCodes::Table)
            .columns([
                RecoveryCodes::UserId,
                RecoveryCodes::CodeHash,
                RecoveryCodes::CreatedAt,
            ])
            .to_owned();
        for code in &codes {
            let digest = recovery_code_digest(code)
                .ok_or(StoreError::Internal("recovery code digest failed".into()))?;
            insert.values([user.0.into(), digest.into(), now.into()])?;
        }
        let mut tx = self.db.begin().await?;
        tx.conn().execute(&delete_all(user)).await?;
        tx.conn().execute(&insert).await?;
        let event = AuditEvent::new("recovery_codes.regenerated", "user", user.0)
            .with("count", RECOVERY_CODE_COUNT);
        audit::record(&mut tx.conn(), None, Actor::User(user), &event).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Uses `code` if it is one of the user's unused codes; `false` otherwise (wrong, already
    /// used, or used a moment ago by a concurrent request).
    pub async fn claim_recovery_code(
        &self,
        user: UserId,
        code: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let Some(digest) = recovery_code_digest(code) else {
            return Ok(false);
        };
        let mut tx = self.db.begin().await?;
        let claimed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(RecoveryCodes::Table)
                    .values([(RecoveryCodes::UsedAt, now.into())])
                    .and_where(Expr::col(RecoveryCodes::UserId).eq(user.0))
                    .and_where(Expr::col(RecoveryCodes::CodeHash).eq(digest))
                    .and_where(Expr::col(RecoveryCodes::UsedAt).is_null())
                    .to_owned(),
            )
            .await?;
        if claimed != 1 {
            return Ok(false);
        }
        let event = AuditEvent::new("recovery_code.used", "user", user.0);
        audit::record(&mut tx.conn(), None, Actor::User(user), &event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// How many of the user's codes are still unused.
    pub async fn recovery_codes_left(&self, user: UserId) -> Result<i64, StoreError> {
        let (n,): (i64,) = self
            .db
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(RecoveryCodes::Id).count())
                    .from(RecoveryCodes::Table)
                    .and_where(Expr::col(RecoveryCodes::UserId).eq(user.0))
                    .and_where(Expr::col(RecoveryCodes::UsedAt).is_null())
                    .to_owned(),
            )
            .await?;
        Ok(n)
    }
}

/// Deletes every code of `user` (regeneration, and turning two-factor authentication off).
pub(crate) fn delete_all(user: UserId) -> sea_query::DeleteStatement {
    Query::delete()
        .from_table(RecoveryCodes::Table)
        .and_where(Expr::col(RecoveryCodes::UserId).eq(user.0))
        .to_owned()
}
