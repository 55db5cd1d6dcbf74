//! Failed-login counting, kept in the database so that every node sees the same count.

use crate::schema::LoginAttempts;
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, Query};

impl Store {
    pub async fn record_login_failure(&self, key: &str, now: i64) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::insert()
                    .into_table(LoginAttempts::Table)
                    .columns([LoginAttempts::Key, LoginAttempts::At])
                    .values([bounded_key(key).into(), now.into()])?
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// Failures recorded for `key` since `since`.
    pub async fn login_failures_since(&self, key: &str, since: i64) -> Result<i64, StoreError> {
        let (n,): (i64,) = self
            .db
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(LoginAttempts::Id).count())
                    .from(LoginAttempts::Table)
                    .and_where(Expr::col(LoginAttempts::Key).eq(bounded_key(key)))
                    .and_where(Expr::col(LoginAttempts::At).gte(since))
                    .to_owned(),
            )
            .await?;
        Ok(n)
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::delete()
                    .from_table(LoginAttempts::Table)
                    .and_where(Expr::col(LoginAttempts::Key).eq(bounded_key(key)))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

fn bounded_key(key: &str) -> String {
    key.chars().take(300).collect()
}
