//! Failed-login counting, kept in the database so that every node sees the same count.

use crate::schema::LoginAttempts;
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, Query};

/// One limit a login attempt must stay within: at most `max` attempts under `key` in the window.
#[derive(Debug, Clone)]
pub struct AttemptLimit {
    pub key: String,
    pub max: i64,
}

/// Attempts reserved before the slow password check; on success they are released, on failure
/// they stay as the recorded failures.
#[derive(Debug)]
pub struct AttemptReservation {
    ids: Vec<i64>,
    /// For each limit, in order: how many attempts the window holds with this one.
    pub counts: Vec<i64>,
}

impl Store {
    /// Counts an attempt against every limit *before* the password is checked, so the limits
    /// hold under any concurrency, on both databases: in one transaction serialised per key
    /// (see [`crate::db::Tx::lock_key`]), the window is counted and, if every limit has room,
    /// the attempt is written. A refused attempt writes nothing (and costs no hash); the index
    /// of the limit that refused it is returned.
    pub async fn reserve_attempt(
        &self,
        limits: &[AttemptLimit],
        since: i64,
        now: i64,
    ) -> Result<Result<AttemptReservation, usize>, StoreError> {
        let keys: Vec<String> = limits.iter().map(|l| bounded_key(&l.key)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        let mut tx = self.db.begin().await?;
        for key in &sorted {
            tx.lock_key(key).await?;
        }
        let mut counts = Vec::with_capacity(limits.len());
        for (index, (limit, key)) in limits.iter().zip(&keys).enumerate() {
            let (count,): (i64,) = tx
                .conn()
                .fetch_one(
                    &Query::select()
                        .expr(Expr::col(LoginAttempts::Id).count())
                        .from(LoginAttempts::Table)
                        .and_where(Expr::col(LoginAttempts::Key).eq(key.as_str()))
                        .and_where(Expr::col(LoginAttempts::At).gte(since))
                        .to_owned(),
                )
                .await?;
            if count >= limit.max {
                return Ok(Err(index));
            }
            counts.push(count + 1);
        }
        let mut ids = Vec::with_capacity(keys.len());
        for key in keys {
            let (id,): (i64,) = tx
                .conn()
                .fetch_one(
                    &Query::insert()
                        .into_table(LoginAttempts::Table)
                        .columns([LoginAttempts::Key, LoginAttempts::At])
                        .values([key.into(), now.into()])?
                        .returning_col(LoginAttempts::Id)
                        .to_owned(),
                )
                .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(Ok(AttemptReservation { ids, counts }))
    }

    /// Takes a reservation back (the attempt succeeded, or was refused before any check).
    pub async fn release_attempt(&self, reservation: AttemptReservation) -> Result<(), StoreError> {
        if reservation.ids.is_empty() {
            return Ok(());
        }
        self.db
            .execute(
                &Query::delete()
                    .from_table(LoginAttempts::Table)
                    .and_where(Expr::col(LoginAttempts::Id).is_in(reservation.ids))
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
