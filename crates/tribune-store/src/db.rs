//! The one place that knows there are two databases. Statements are built with sea-query and
//! rendered for the backend at hand; rows decode into the same structs on both.

use crate::StoreError;
use crate::cache::writes_tracked_table;
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{AssertSqlSafe, FromRow, PgConnection, PgPool, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on either database.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A row type that decodes from both databases (derive `sqlx::FromRow`).
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A borrowed connection (from the pool or inside a transaction).
pub struct Conn<'c> {
    inner: ConnRef<'c>,
    /// Inside a transaction: set when a statement writes a table the read cache depends on, so
    /// the commit invalidates the cache again (readers could cache what the transaction had not
    /// yet committed between the write and the commit).
    wrote_tracked: Option<&'c mut bool>,
}

enum ConnRef<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl<'c> Conn<'c> {
    fn sqlite(c: &'c mut SqliteConnection) -> Conn<'c> {
        Conn {
            inner: ConnRef::Sqlite(c),
            wrote_tracked: None,
        }
    }

    fn postgres(c: &'c mut PgConnection) -> Conn<'c> {
        Conn {
            inner: ConnRef::Postgres(c),
            wrote_tracked: None,
        }
    }
}

/// A connection taken from the pool for several reads (returned when dropped).
pub enum PoolConn {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl PoolConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PoolConn::Sqlite(c) => Conn::sqlite(&mut *c),
            PoolConn::Postgres(c) => Conn::postgres(&mut *c),
        }
    }
}

/// An open transaction; dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: TxInner,
    wrote_tracked: bool,
}

pub(crate) enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// `ANALYZE` of the [`GROWING_TABLES`] with more than 50 rows plus `scale` of the table
/// changed since their last statistics, when the server's autovacuum is off (when it is on, the
/// server does this itself).
async fn analyze_changed(pool: &PgPool, scale: f64) -> Result<(), StoreError> {
    count_statement();
    // Against the rows the last statistics counted (`reltuples`, -1 before any), as
    // autovacuum does: the live count already holds the new rows.
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT s.relname::text FROM pg_stat_user_tables s \
         JOIN pg_class c ON c.oid = s.relid \
         WHERE s.schemaname = current_schema() AND s.relname = ANY($1) \
         AND current_setting('autovacuum') = 'off' \
         AND s.n_mod_since_analyze > 50 + $2 * GREATEST(c.reltuples, 0)",
    )
    .bind(&GROWING_TABLES[..])
    .bind(scale)
    .fetch_all(pool)
    .await?;
    // The names come from the list, never from the database's answer.
    let tables: Vec<&str> = GROWING_TABLES
        .iter()
        .copied()
        .filter(|t| stale.iter().any(|s| s == t))
        .collect();
    if !tables.is_empty() {
        count_statement();
        sqlx::query(AssertSqlSafe(format!("ANALYZE {}", tables.join(", "))))
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// The tables that grow with the inbox and the job queue, whose statistics tribune keeps fresh
/// itself when PostgreSQL's autovacuum is off.
const GROWING_TABLES: [&str; 4] = ["inbox_items", "inbox_item_labels", "audit_events", "jobs"];

impl Db {
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // SQLite's default page cache is 2 MiB per connection: a workspace's inbox
                // indexes outgrow it within some 50,000 messages, and every insert then reads
                // index pages back from the file. 16 MiB each, taken as used.
                .pragma("cache_size", "-16384");
            // No ping before each use: an embedded database's connection cannot be cut from
            // outside, and the ping is one more round trip to sqlx's connection thread for every
            // statement.
            let pool = SqlitePoolOptions::new()
                .test_before_acquire(false)
                .max_connections(8)
                .min_connections(1)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Brings the query planner's statistics of the fastest-growing tables up to date where
    /// they are stale: on PostgreSQL whose autovacuum is off, `ANALYZE` of those of
    /// [`GROWING_TABLES`] changed past autovacuum's own threshold
    /// (`autovacuum_analyze_threshold` 50 rows plus `autovacuum_analyze_scale_factor` 10 % of
    /// the table); on SQLite, `PRAGMA optimize=0x10002` (every table, not only those this
    /// connection used; it analyzes only where the statistics are missing or stale). For the
    /// periodic store upkeep.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => {
                count_statement();
                sqlx::query("PRAGMA optimize=0x10002").execute(pool).await?;
                Ok(())
            }
            Db::Postgres(pool) => analyze_changed(pool, 0.1).await,
        }
    }

    /// On PostgreSQL whose autovacuum is off, `ANALYZE` of those of [`GROWING_TABLES`] that
    /// more than doubled since their last statistics: a planner that believes a table (or a
    /// workspace in it) is a fraction of its size reads 500 items by id by scanning the whole
    /// workspace. Doubling keeps it within a factor of two at a few `ANALYZE`s in a table's
    /// life (finer refreshes are the upkeep's, off the fetch's path). One cheap look at the
    /// server's counters otherwise. Nothing on SQLite, whose planner without statistics takes
    /// an index as selective, which is what reads by id need. For the inbox's fetch job, after
    /// storing new items.
    pub async fn refresh_stale_statistics(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(_) => Ok(()),
            Db::Postgres(pool) => analyze_changed(pool, 1.0).await,
        }
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        count_statement();
        match self {
            Db::Sqlite(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
            Db::Postgres(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Opens a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), the
    /// single-writer equivalent of PostgreSQL's row locks: a read-then-write inside it cannot
    /// interleave with another writer, and no deferred upgrade can fail with `SQLITE_BUSY`.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match self {
            Db::Sqlite(pool) => TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            inner,
            wrote_tracked: false,
        })
    }

    /// A connection for several reads in a row, without a transaction.
    pub async fn acquire(&self) -> Result<PoolConn, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => PoolConn::Sqlite(pool.acquire().await?),
            Db::Postgres(pool) => PoolConn::Postgres(pool.acquire().await?),
        })
    }

    /// Runs a statement on a connection from the pool; returns the number of rows affected.
    pub async fn execute<S: SqlxBinder>(&self, stmt: &S) -> Result<u64, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                Conn::sqlite(&mut *pool.acquire().await?)
                    .execute(stmt)
                    .await
            }
            Db::Postgres(pool) => {
                Conn::postgres(&mut *pool.acquire().await?)
                    .execute(stmt)
                    .await
            }
        }
    }

    /// [`Db::execute`] without invalidating the read cache: only for a write whose effect the
    /// caller puts in the cache itself (a session's sliding expiry).
    pub(crate) async fn execute_untracked<S: SqlxBinder>(
        &self,
        stmt: &S,
    ) -> Result<u64, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                Conn::sqlite(&mut *pool.acquire().await?)
                    .execute_tracked(stmt, false)
                    .await
            }
            Db::Postgres(pool) => {
                Conn::postgres(&mut *pool.acquire().await?)
                    .execute_tracked(stmt, false)
                    .await
            }
        }
    }

    /// Runs a statement that must touch at least one row; `NotFound` when it touched none
    /// (the row does not exist, or belongs to someone else).
    pub async fn execute_some<S: SqlxBinder>(&self, stmt: &S) -> Result<(), StoreError> {
        match self.execute(stmt).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    pub async fn fetch_all<T: Record, S: SqlxBinder>(
        &self,
        stmt: &S,
    ) -> Result<Vec<T>, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                Conn::sqlite(&mut *pool.acquire().await?)
                    .fetch_all(stmt)
                    .await
            }
            Db::Postgres(pool) => {
                Conn::postgres(&mut *pool.acquire().await?)
                    .fetch_all(stmt)
                    .await
            }
        }
    }

    pub async fn fetch_optional<T: Record, S: SqlxBinder>(
        &self,
        stmt: &S,
    ) -> Result<Option<T>, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                Conn::sqlite(&mut *pool.acquire().await?)
                    .fetch_optional(stmt)
                    .await
            }
            Db::Postgres(pool) => {
                Conn::postgres(&mut *pool.acquire().await?)
                    .fetch_optional(stmt)
                    .await
            }
        }
    }

    pub async fn fetch_one<T: Record, S: SqlxBinder>(&self, stmt: &S) -> Result<T, StoreError> {
        self.fetch_optional(stmt).await?.ok_or(StoreError::NotFound)
    }
}

impl Tx {
    /// Serialises transactions that name the same `key` until they end: PostgreSQL takes a
    /// transaction-scoped advisory lock on the key's hash; on SQLite the transaction already
    /// holds the database's write lock (`BEGIN IMMEDIATE`). Take several keys in sorted order.
    pub async fn lock_key(&mut self, key: &str) -> Result<(), StoreError> {
        if let TxInner::Postgres(tx) = &mut self.inner {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(key)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// [`Tx::lock_key`] for several keys at once, in one statement, taken in sorted order
    /// (so two transactions locking overlapping sets never wait on each other in a circle).
    pub async fn lock_keys(&mut self, keys: &[String]) -> Result<(), StoreError> {
        if let TxInner::Postgres(tx) = &mut self.inner
            && !keys.is_empty()
        {
            let mut keys = keys.to_vec();
            keys.sort_unstable();
            keys.dedup();
            // `unnest` yields the array's elements in order, and the aggregate takes each
            // lock as it reads them.
            sqlx::query(
                "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) \
                 FROM unnest($1::text[]) AS k",
            )
            .bind(&keys)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    pub fn conn(&mut self) -> Conn<'_> {
        let inner = match &mut self.inner {
            TxInner::Sqlite(tx) => ConnRef::Sqlite(tx),
            TxInner::Postgres(tx) => ConnRef::Postgres(tx),
        };
        Conn {
            inner,
            wrote_tracked: Some(&mut self.wrote_tracked),
        }
    }

    /// The PostgreSQL transaction, for statements only PostgreSQL has; `None` on SQLite.
    pub(crate) fn postgres(&mut self) -> Option<&mut sqlx::Transaction<'static, sqlx::Postgres>> {
        match &mut self.inner {
            TxInner::Postgres(tx) => Some(tx),
            TxInner::Sqlite(_) => None,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        if self.wrote_tracked {
            note_tracked_write();
        }
        Ok(())
    }
}

/// Statements run by this process, on any database: read by the web's `/metrics`, so the
/// benchmark measures the queries per page instead of counting them by hand.
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

pub fn statements_run() -> u64 {
    STATEMENTS.load(Ordering::Relaxed)
}

fn count_statement() {
    STATEMENTS.fetch_add(1, Ordering::Relaxed);
}

/// Bumped after every write to a table the read cache depends on, and again when a transaction
/// that made one commits. Process-wide: a store's cache entries are valid only while it is the
/// value they were read under.
static TRACKED_WRITES: AtomicU64 = AtomicU64::new(0);

pub(crate) fn tracked_generation() -> u64 {
    TRACKED_WRITES.load(Ordering::Acquire)
}

fn note_tracked_write() {
    TRACKED_WRITES.fetch_add(1, Ordering::AcqRel);
}

impl Conn<'_> {
    /// Runs a fixed statement of tribune's own (no values), e.g. a savepoint's.
    pub(crate) async fn run_fixed(&mut self, sql: &'static str) -> Result<(), StoreError> {
        count_statement();
        match &mut self.inner {
            ConnRef::Sqlite(c) => {
                sqlx::query(sql).execute(&mut **c).await?;
            }
            ConnRef::Postgres(c) => {
                sqlx::query(sql).execute(&mut **c).await?;
            }
        }
        Ok(())
    }

    pub async fn execute<S: SqlxBinder>(&mut self, stmt: &S) -> Result<u64, StoreError> {
        self.execute_tracked(stmt, true).await
    }

    /// Runs `stmt`; with `track`, a write to a table the read cache depends on invalidates it
    /// (after the statement, and again when the transaction it runs in commits).
    async fn execute_tracked<S: SqlxBinder>(
        &mut self,
        stmt: &S,
        track: bool,
    ) -> Result<u64, StoreError> {
        count_statement();
        let (result, writes) = match &mut self.inner {
            ConnRef::Sqlite(c) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                let writes = writes_tracked_table(&sql);
                let done = sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **c)
                    .await;
                (done.map(|d| d.rows_affected()), writes)
            }
            ConnRef::Postgres(c) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                let writes = writes_tracked_table(&sql);
                let done = sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **c)
                    .await;
                (done.map(|d| d.rows_affected()), writes)
            }
        };
        if track && writes {
            self.wrote();
        }
        Ok(result?)
    }

    /// Invalidates the read cache after a statement (successful or not) that wrote a table it
    /// depends on.
    fn wrote(&mut self) {
        note_tracked_write();
        if let Some(flag) = self.wrote_tracked.as_deref_mut() {
            *flag = true;
        }
    }

    pub async fn fetch_all<T: Record, S: SqlxBinder>(
        &mut self,
        stmt: &S,
    ) -> Result<Vec<T>, StoreError> {
        count_statement();
        let (result, writes) = match &mut self.inner {
            ConnRef::Sqlite(c) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                let writes = writes_tracked_table(&sql);
                let rows = sqlx::query_as_with(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **c)
                    .await;
                (rows, writes)
            }
            ConnRef::Postgres(c) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                let writes = writes_tracked_table(&sql);
                let rows = sqlx::query_as_with(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **c)
                    .await;
                (rows, writes)
            }
        };
        // `INSERT … RETURNING` and the like are writes too.
        if writes {
            self.wrote();
        }
        Ok(result?)
    }

    pub async fn fetch_optional<T: Record, S: SqlxBinder>(
        &mut self,
        stmt: &S,
    ) -> Result<Option<T>, StoreError> {
        count_statement();
        let (result, writes) = match &mut self.inner {
            ConnRef::Sqlite(c) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                let writes = writes_tracked_table(&sql);
                let rows = sqlx::query_as_with(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **c)
                    .await;
                (rows, writes)
            }
            ConnRef::Postgres(c) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                let writes = writes_tracked_table(&sql);
                let rows = sqlx::query_as_with(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **c)
                    .await;
                (rows, writes)
            }
        };
        // `INSERT … RETURNING` and the like are writes too.
        if writes {
            self.wrote();
        }
        Ok(result?)
    }

    pub async fn fetch_one<T: Record, S: SqlxBinder>(&mut self, stmt: &S) -> Result<T, StoreError> {
        self.fetch_optional(stmt).await?.ok_or(StoreError::NotFound)
    }
}

/// `items`, then its last item repeated up to the next power of two. A batch statement built
/// from the padded list has a handful of texts (1, 2, 4, 8, … items) instead of one per batch
/// size: PostgreSQL prepares each text once per connection and plans it afresh for its first
/// five runs, so a text per batch size kept it planning. Only for lists where a repeated item
/// changes nothing (`IN` lists, `CASE` branches).
pub(crate) fn padded<T>(items: &[T]) -> impl Iterator<Item = &T> {
    let extra = items.len().next_power_of_two() - items.len();
    items
        .iter()
        .chain(items.last().into_iter().cycle().take(extra))
}

/// `column IN (values)`, the list [`padded`].
pub(crate) fn in_list<C, V>(column: C, values: &[V]) -> sea_query::Expr
where
    C: sea_query::IntoColumnRef,
    V: Into<sea_query::Value> + Clone,
{
    sea_query::ExprTrait::is_in(sea_query::Expr::col(column), padded(values).cloned())
}

#[cfg(test)]
mod tests {
    use super::padded;

    #[test]
    fn padding_repeats_the_last_item_up_to_a_power_of_two() {
        let pad = |items: &[i32]| padded(items).copied().collect::<Vec<_>>();
        assert_eq!(pad(&[]), Vec::<i32>::new());
        assert_eq!(pad(&[7]), vec![7]);
        assert_eq!(pad(&[1, 2]), vec![1, 2]);
        assert_eq!(pad(&[1, 2, 3]), vec![1, 2, 3, 3]);
        assert_eq!(pad(&[1, 2, 3, 4, 5]), vec![1, 2, 3, 4, 5, 5, 5, 5]);
        assert_eq!(pad(&(0..16).collect::<Vec<_>>()).len(), 16);
        assert_eq!(pad(&(0..17).collect::<Vec<_>>()).len(), 32);
    }
}
