//! A read cache for what every page reads: a session with its user's workspaces, and a
//! workspace's overview. Without it each page costs two statements, and on SQLite a statement
//! costs about 45 µs of thread hand-offs through sqlx's connection thread, more than the page's
//! rendering (docs/BENCHMARKS.md).
//!
//! Correct by construction rather than by remembering to invalidate at each call site:
//! - every statement the store runs is inspected, and one that writes a table these reads depend
//!   on ([`TRACKED_TABLES`], and every table that cascades into them) bumps a process-wide
//!   generation (after the statement, and again when its transaction commits, so a reader cannot
//!   cache what a transaction had not committed yet);
//! - an entry is used only while the generation is the one read *before* its query ran, so a write
//!   that lands during the read throws the entry away.
//!
//! What another process writes (the command line on the same SQLite file, another node on
//! PostgreSQL) this process cannot see: entries also expire after [`Store::read_cache_ttl`]
//! (five seconds by default; zero turns the cache off), which bounds how long such a change can
//! take to show. A session's sliding expiry and an API token's last use are written without a
//! bump: the cache keeps the new value itself.

use crate::Store;
use crate::api_tokens::TokenFound;
use crate::overview::Overview;
use crate::sessions::SessionFound;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tribune_domain::WorkspaceId;

/// The tables the cached reads depend on. Every table that cascades into them (users and
/// workspaces) is in the list; a test checks that no other table references them with a cascade.
pub const TRACKED_TABLES: [&str; 7] = [
    "sessions",
    "api_tokens",
    "users",
    "memberships",
    "workspaces",
    "channels",
    "invitations",
];

/// How long an entry lives without a write through this process (see the module's text).
pub const DEFAULT_TTL: Duration = Duration::from_secs(5);

/// Entries kept per map. A full map drops its expired entries, and is emptied if that is not
/// enough (more than this many sessions active within the cache's lifetime is a big instance;
/// the cost is re-reading them).
const CAPACITY: usize = 1024;

/// Whether `sql` (as sea-query renders it for either database) writes one of
/// [`TRACKED_TABLES`]. Anything that is not a plain `SELECT` nor a write naming another table is
/// taken as a write to them: an unknown statement costs the cache an invalidation, never a stale
/// read.
pub(crate) fn writes_tracked_table(sql: &str) -> bool {
    if sql.starts_with("SELECT ") {
        return false;
    }
    let target = ["INSERT INTO ", "UPDATE ", "DELETE FROM "]
        .iter()
        .find_map(|verb| sql.strip_prefix(verb))
        .and_then(|rest| rest.strip_prefix('"'))
        .and_then(|rest| rest.split_once('"'))
        .map(|(table, _)| table);
    match target {
        Some(table) => TRACKED_TABLES.contains(&table),
        None => true,
    }
}

struct Entry<V> {
    value: V,
    generation: u64,
    at: Instant,
}

/// One map of cached reads, keyed by `K`.
struct Slot<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K: Eq + Hash, V: Clone> Slot<K, V> {
    fn new() -> Slot<K, V> {
        Slot {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get<Q>(&self, key: &Q, ttl: Duration) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let generation = crate::db::tracked_generation();
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.generation == generation && entry.at.elapsed() < ttl).then(|| entry.value.clone())
    }

    /// Keeps `value`, read by a query that started at `generation`; dropped at once when a
    /// tracked write happened since.
    fn put(&self, key: K, value: V, generation: u64, ttl: Duration) {
        if generation != crate::db::tracked_generation() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries
                    .retain(|_, entry| entry.generation == generation && entry.at.elapsed() < ttl);
            }
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    value,
                    generation,
                    at: Instant::now(),
                },
            );
        }
    }

    fn remove<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

pub(crate) struct ReadCache {
    ttl: Duration,
    /// By the digest of the session's token.
    sessions: Slot<String, SessionFound>,
    /// By the digest of the API token.
    api_tokens: Slot<String, TokenFound>,
    /// With the `now` it was read for: whether an invitation is still pending depends on it.
    overviews: Slot<WorkspaceId, (Overview, i64)>,
}

impl ReadCache {
    pub(crate) fn new(ttl: Duration) -> ReadCache {
        ReadCache {
            ttl,
            sessions: Slot::new(),
            api_tokens: Slot::new(),
            overviews: Slot::new(),
        }
    }

    /// The generation to read under, or `None` when the cache is off.
    pub(crate) fn generation(&self) -> Option<u64> {
        (!self.ttl.is_zero()).then(crate::db::tracked_generation)
    }

    pub(crate) fn session(&self, digest: &str) -> Option<SessionFound> {
        self.sessions.get(digest, self.ttl)
    }

    pub(crate) fn put_session(&self, digest: String, found: SessionFound, generation: u64) {
        self.sessions.put(digest, found, generation, self.ttl);
    }

    pub(crate) fn forget_session(&self, digest: &str) {
        self.sessions.remove(digest);
    }

    pub(crate) fn api_token(&self, digest: &str) -> Option<TokenFound> {
        self.api_tokens.get(digest, self.ttl)
    }

    pub(crate) fn put_api_token(&self, digest: String, found: TokenFound, generation: u64) {
        self.api_tokens.put(digest, found, generation, self.ttl);
    }

    /// The overview read for a time at most the cache's lifetime before `now`.
    pub(crate) fn overview(&self, workspace: WorkspaceId, now: i64) -> Option<Overview> {
        let (overview, read_for) = self.overviews.get(&workspace, self.ttl)?;
        let age = u64::try_from(now - read_for).ok()?;
        (age <= self.ttl.as_secs()).then_some(overview)
    }

    pub(crate) fn put_overview(
        &self,
        workspace: WorkspaceId,
        overview: Overview,
        now: i64,
        generation: u64,
    ) {
        self.overviews
            .put(workspace, (overview, now), generation, self.ttl);
    }
}

impl Store {
    /// How long a cached read lives at most (changes made through this store show at once;
    /// changes by another process within this time). Zero turns the cache off.
    pub fn read_cache_ttl(&self) -> Duration {
        self.cache.ttl
    }

    /// This store with its read cache's lifetime set to `ttl` (zero turns it off), and emptied.
    pub fn with_read_cache_ttl(mut self, ttl: Duration) -> Store {
        self.cache = std::sync::Arc::new(ReadCache::new(ttl));
        self
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]
mod tests {
    use super::writes_tracked_table;
    use crate::schema::Workspaces;
    use crate::testing::{TestDb, profile, user};
    use crate::{Store, unix_now};
    use sea_query::{Expr, ExprTrait, Query};

    /// A reader that runs while a transaction has written but not committed reads the old row;
    /// the commit must throw that entry away, or the old name would be served after it.
    #[tokio::test]
    async fn what_a_transaction_had_not_committed_is_not_kept_after_its_commit() {
        for db in TestDb::all().await {
            let backend = db.backend_name();
            let store = Store::open(&db.url).await.unwrap();
            let owner = store
                .create_user(&user("o@example.fr"), false)
                .await
                .unwrap();
            let scope = store
                .create_workspace(owner.user_id(), &profile("Acme"))
                .await
                .unwrap();
            let now = unix_now();

            let mut tx = store.db.begin().await.unwrap();
            tx.conn()
                .execute(
                    &Query::update()
                        .table(Workspaces::Table)
                        .value(Workspaces::Name, "Nouveau nom")
                        .and_where(Expr::col(Workspaces::Id).eq(scope.workspace().0))
                        .to_owned(),
                )
                .await
                .unwrap();
            let during = store.overview(&scope, now).await.unwrap();
            assert_eq!(
                during.workspace.name, "Acme",
                "{backend}: not committed yet"
            );
            tx.commit().await.unwrap();
            let after = store.overview(&scope, now).await.unwrap();
            assert_eq!(after.workspace.name, "Nouveau nom", "{backend}");
            store.close().await;
        }
    }

    #[test]
    fn writes_to_the_tables_the_cache_reads_are_seen_in_both_dialects() {
        for sql in [
            r#"INSERT INTO "sessions" ("user_id") VALUES (?)"#,
            r#"INSERT INTO "memberships" ("user_id") VALUES ($1) RETURNING "id""#,
            r#"UPDATE "users" SET "disabled_at" = $1 WHERE "id" = $2"#,
            r#"DELETE FROM "workspaces" WHERE "id" = ?"#,
            r#"UPDATE "channels" SET "state" = 'broken'"#,
            r#"DELETE FROM "invitations" WHERE "id" = $1"#,
            // Unknown shapes count as writes.
            "WITH x AS (SELECT 1) UPDATE \"posts\" SET \"text\" = ''",
            "PRAGMA optimize",
        ] {
            assert!(writes_tracked_table(sql), "{sql}");
        }
        for sql in [
            r#"SELECT "id" FROM "sessions" WHERE "token_hash" = ?"#,
            r#"INSERT INTO "posts" ("text") VALUES ($1)"#,
            r#"UPDATE "jobs" SET "locked_until" = $1"#,
            r#"DELETE FROM "session_log" WHERE "id" = ?"#,
            r#"UPDATE "users_extra" SET "x" = 1"#,
        ] {
            assert!(!writes_tracked_table(sql), "{sql}");
        }
    }
}
