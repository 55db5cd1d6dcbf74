//! Housekeeping shared by every node (expired sessions and old login attempts are purged here),
//! and the SQLite file work behind `tribune backup` and `tribune restore`: snapshots readable by
//! their owner only, checks a backup must pass before it replaces anything, and the exclusive
//! hold on a database that is about to be replaced.

use crate::Refusal;
use crate::schema::{LoginAttempts, Sessions};
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, Query};
use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use std::path::Path;
use std::time::Duration;

/// The SQLite migrations this binary carries: a backup whose schema is newer is refused.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");

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
        self.purge_approval_links(now).await?;
        Ok(sessions + attempts)
    }

    /// Refreshes the query planner's statistics (see `Db::refresh_statistics`). Safe to run on
    /// any node; the store upkeep does it every time it runs.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        self.db.refresh_statistics().await
    }

    /// Refreshes the statistics PostgreSQL would have refreshed itself with autovacuum on (see
    /// `Db::refresh_stale_statistics`); nothing on SQLite. For after a write of many rows.
    pub async fn refresh_stale_statistics(&self) -> Result<(), StoreError> {
        self.db.refresh_stale_statistics().await
    }

    /// Writes a consistent snapshot of a SQLite database to `path` (a new file, readable by its
    /// owner only) while it is in use. The file is created before SQLite writes into it, so it is
    /// never readable by others, and removed again if the snapshot fails.
    pub async fn backup_sqlite(&self, path: &Path) -> Result<(), StoreError> {
        match &self.db {
            crate::Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                snapshot_into(&mut conn, path).await
            }
            crate::Db::Postgres(_) => Err(StoreError::Refused(Refusal::BackupPostgres)),
        }
    }
}

/// Why a SQLite file cannot be restored, or a database cannot be replaced. Operators read these
/// (the command line is in English), so each is a sentence's end: "FILE cannot be restored: …".
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("it is not a SQLite database")]
    NotSqlite,
    #[error("it is damaged ({0})")]
    Damaged(String),
    #[error("it is not a tribune database")]
    NotTribune,
    #[error(
        "it comes from a newer tribune (schema version {found}, this tribune knows up to \
         {known}); upgrade tribune first"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("it records a schema change this tribune does not know (version {0})")]
    UnknownMigration(i64),
    #[error("a schema change recorded in it did not finish (version {0})")]
    UnfinishedMigration(i64),
    #[error("its schema cannot be brought up to date: {0}")]
    Migration(#[source] sqlx::migrate::MigrateError),
    #[error(
        "another program has the database open (a tribune server or command, or a SQLite \
         tool); stop it first"
    )]
    InUse,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RestoreError {
    fn from(error: sqlx::Error) -> Self {
        RestoreError::Store(error.into())
    }
}

/// Checks a copy of a backup and brings its schema up to date, so that what will replace the
/// database is known to be sound before anything is replaced: it opens as SQLite, passes
/// `PRAGMA integrity_check` and `foreign_key_check`, is a tribune database, and records no schema
/// change this binary does not know. The file is left in rollback-journal mode (no `-wal` beside
/// it), ready to be renamed into place.
pub async fn prepare_sqlite_restore(path: &Path) -> Result<(), RestoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Delete)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(1));
    let mut conn = match sqlx::SqliteConnection::connect_with(&options).await {
        Ok(conn) => conn,
        Err(sqlx::Error::Database(error)) => return Err(unreadable(error.message())),
        Err(other) => return Err(other.into()),
    };
    let checked = check_backup(&mut conn).await;
    let migrated = match checked {
        Ok(()) => SQLITE_MIGRATIONS
            .run(&mut conn)
            .await
            .map_err(RestoreError::Migration),
        Err(error) => Err(error),
    };
    let _ = conn.close().await;
    migrated
}

fn unreadable(message: &str) -> RestoreError {
    if message.contains("not a database") {
        RestoreError::NotSqlite
    } else {
        RestoreError::Damaged(message.to_owned())
    }
}

async fn check_backup(conn: &mut sqlx::SqliteConnection) -> Result<(), RestoreError> {
    // A file that is not a database fails at its first read ("file is not a database").
    let integrity: Vec<(String,)> = match sqlx::query_as("PRAGMA integrity_check(20)")
        .fetch_all(&mut *conn)
        .await
    {
        Ok(rows) => rows,
        Err(sqlx::Error::Database(error)) => return Err(unreadable(error.message())),
        Err(other) => return Err(other.into()),
    };
    if integrity.len() != 1 || integrity[0].0 != "ok" {
        let found: Vec<String> = integrity.into_iter().take(3).map(|(line,)| line).collect();
        return Err(RestoreError::Damaged(found.join("; ")));
    }
    let broken_links: Vec<(String,)> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await?;
    if let Some((table,)) = broken_links.first() {
        return Err(RestoreError::Damaged(format!(
            "rows of {table} point to rows that do not exist"
        )));
    }
    let (tables,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'users', 'workspaces')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if tables != 3 {
        return Err(RestoreError::NotTribune);
    }
    let applied: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
    let known = SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if let Some(&(found, _)) = applied.last()
        && found > known
    {
        return Err(RestoreError::NewerSchema { found, known });
    }
    for (version, success) in applied {
        if !SQLITE_MIGRATIONS.iter().any(|m| m.version == version) {
            return Err(RestoreError::UnknownMigration(version));
        }
        if !success {
            return Err(RestoreError::UnfinishedMigration(version));
        }
    }
    Ok(())
}

/// The current database, held exclusively while it is set aside and replaced. Taking the hold
/// folds the write-ahead log into the database file and removes it (switching to
/// rollback-journal mode, which SQLite refuses while any other connection, in any process, has
/// the file open), then keeps SQLite's exclusive lock until [`SqliteHold::release`], so nothing
/// can write between the copy kept aside and the replacement.
pub struct SqliteHold {
    conn: sqlx::SqliteConnection,
}

impl SqliteHold {
    pub async fn take(path: &Path) -> Result<SqliteHold, RestoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .foreign_keys(false)
            .busy_timeout(Duration::from_millis(500));
        let mut conn = match sqlx::SqliteConnection::connect_with(&options).await {
            Ok(conn) => conn,
            Err(sqlx::Error::Database(error)) if is_busy(error.as_ref()) => {
                return Err(RestoreError::InUse);
            }
            Err(other) => return Err(other.into()),
        };
        let held = async {
            sqlx::query("PRAGMA locking_mode = EXCLUSIVE")
                .execute(&mut conn)
                .await?;
            let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode = DELETE")
                .fetch_one(&mut conn)
                .await?;
            if !mode.eq_ignore_ascii_case("delete") {
                return Err(RestoreError::InUse);
            }
            // A write transaction takes the exclusive lock; the locking mode keeps it after.
            sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await?;
            sqlx::query("COMMIT").execute(&mut conn).await?;
            Ok(())
        }
        .await;
        match held {
            Ok(()) => Ok(SqliteHold { conn }),
            Err(error) => {
                let _ = conn.close().await;
                match error {
                    RestoreError::Store(StoreError::Database(sqlx::Error::Database(e)))
                        if is_busy(e.as_ref()) =>
                    {
                        Err(RestoreError::InUse)
                    }
                    other => Err(other),
                }
            }
        }
    }

    /// Writes a complete copy of the held database to `path` (a new file, owner-only).
    pub async fn copy_to(&mut self, path: &Path) -> Result<(), RestoreError> {
        Ok(snapshot_into(&mut self.conn, path).await?)
    }

    pub async fn release(self) {
        let _ = self.conn.close().await;
    }
}

fn is_busy(error: &dyn sqlx::error::DatabaseError) -> bool {
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with or without extended codes.
    error
        .code()
        .and_then(|code| code.parse::<i64>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

/// `VACUUM INTO` a file created here first, empty and readable by its owner only (SQLite accepts
/// an empty file), then flushed to disk. A failed snapshot leaves no file behind.
async fn snapshot_into(conn: &mut sqlx::SqliteConnection, path: &Path) -> Result<(), StoreError> {
    let target = path.to_str().ok_or_else(|| {
        StoreError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the file name is not valid UTF-8",
        ))
    })?;
    let file = create_private(path)?;
    let written = async {
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&mut *conn)
            .await?;
        file.sync_all()?;
        Ok::<_, StoreError>(())
    }
    .await;
    if written.is_err() {
        let _ = std::fs::remove_file(path);
    }
    written
}

/// Creates a new, empty file readable and writable by its owner only; fails if it exists.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Where the SQLite database of a `sqlite:` URL lives.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr;
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (path != Path::new(":memory:") && !path.as_os_str().is_empty()).then(|| path.to_path_buf())
}
