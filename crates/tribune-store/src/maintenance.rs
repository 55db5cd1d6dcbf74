//! Housekeeping shared by every node: expired sessions and old login attempts are purged here.

use crate::schema::{LoginAttempts, Sessions};
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, Query};

impl Store {
    /// Deletes expired sessions and login attempts older than a day. Safe to run on any node.
    pub async fn purge_expired(&self, now: i64) -> Result<u64, StoreError> {
        let sessions = self
            .db
            .execute(
                &Query::delete()
                    .from_table(Sessions::Table)
                    .and_where(Expr::col(Sessions::ExpiresAt).lt(now))
                    .to_owned(),
            )
            .await?;
        let attempts = self
            .db
            .execute(
                &Query::delete()
                    .from_table(LoginAttempts::Table)
                    .and_where(Expr::col(LoginAttempts::At).lt(now - 86_400))
                    .to_owned(),
            )
            .await?;
        self.purge_password_resets(now).await?;
        Ok(sessions + attempts)
    }

    /// Copies a consistent snapshot of a SQLite database to `path` while it is in use.
    pub async fn backup_sqlite(&self, path: &std::path::Path) -> Result<(), StoreError> {
        match &self.db {
            crate::Db::Sqlite(pool) => {
                let target = path.to_string_lossy().replace('\'', "''");
                sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'")))
                    .execute(pool)
                    .await?;
                Ok(())
            }
            crate::Db::Postgres(_) => Err(StoreError::Refused("backup-postgres-use-pg-dump")),
        }
    }
}

/// Whether `path` is a tribune SQLite database (it has the migration table). The file is opened
/// read-only and left untouched, so a backup can be checked before it replaces anything.
pub async fn is_tribune_sqlite_file(path: &std::path::Path) -> Result<bool, StoreError> {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    let found: Result<(i64,), sqlx::Error> =
        sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE name = '_sqlx_migrations'")
            .fetch_one(&mut conn)
            .await;
    let _ = conn.close().await;
    match found {
        Ok((n,)) => Ok(n > 0),
        // Not a database at all ("file is not a database").
        Err(sqlx::Error::Database(_)) => Ok(false),
        Err(other) => Err(other.into()),
    }
}
