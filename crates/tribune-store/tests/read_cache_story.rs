//! The read cache of what every page reads (the session with its workspaces, the overview), on
//! SQLite and on PostgreSQL: a repeated read costs no statement, a change made through the store
//! shows at once, a change made by another process shows within the cache's lifetime, and the
//! tables it depends on cascade only from tables it watches. One binary of its own and one test
//! running the stories in turn: the statement counter is process-wide, so nothing else may run
//! statements beside the counted reads.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use std::time::Duration;
use tribune_store::sessions::ClientInfo;
use tribune_store::testing::{TestDb, profile, user};
use tribune_store::{Store, TRACKED_TABLES, statements_run, unix_now};

/// Statements `f` ran, and what it returned.
async fn counted<T, F: std::future::Future<Output = T>>(f: F) -> (u64, T) {
    let before = statements_run();
    let out = f.await;
    (statements_run() - before, out)
}

#[tokio::test]
async fn the_read_cache_stories_one_after_the_other() {
    repeated_reads_cost_nothing_and_changes_through_the_store_show_at_once().await;
    a_change_by_another_process_shows_within_the_caches_lifetime().await;
    the_tables_the_cache_watches_only_depend_on_watched_tables().await;
}

async fn repeated_reads_cost_nothing_and_changes_through_the_store_show_at_once() {
    for db in TestDb::all().await {
        let backend = db.backend_name();
        let store = Store::open(&db.url).await.unwrap();
        let now = unix_now();
        let owner = store
            .create_user(&user("o@example.fr"), false)
            .await
            .unwrap();
        let scope = store
            .create_workspace(owner.user_id(), &profile("Acme"))
            .await
            .unwrap();
        let (token, _) = store
            .create_session(owner.user_id(), false, &ClientInfo::default(), now)
            .await
            .unwrap();

        let (n, found) = counted(store.session_with_workspaces(&token, now)).await;
        assert_eq!(n, 1, "{backend}: first read");
        assert_eq!(found.unwrap().unwrap().workspaces.list().len(), 1);
        let (n, found) = counted(store.session_with_workspaces(&token, now)).await;
        assert_eq!(n, 0, "{backend}: repeated read");
        assert_eq!(found.unwrap().unwrap().user.name, "Test User");

        // A change to the user shows on the next read.
        store.set_name(owner.user_id(), "Odile").await.unwrap();
        let found = store.session_with_workspaces(&token, now).await.unwrap();
        assert_eq!(found.unwrap().user.name, "Odile", "{backend}");

        // A new workspace shows in the switcher at once.
        store
            .create_workspace(owner.user_id(), &profile("Boulangerie"))
            .await
            .unwrap();
        let found = store.session_with_workspaces(&token, now).await.unwrap();
        assert_eq!(found.unwrap().workspaces.list().len(), 2, "{backend}");

        // Expiry is checked on a cached session too, and an expired one is not slid.
        let far = now + 400 * 24 * 3600;
        assert!(
            store
                .session_with_workspaces(&token, far)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );

        // The overview: one statement, then none, then a renamed workspace at once.
        let (n, overview) = counted(store.overview(&scope, now)).await;
        assert_eq!(n, 1, "{backend}");
        assert_eq!(overview.unwrap().workspace.name, "Acme");
        let (n, _) = counted(store.overview(&scope, now)).await;
        assert_eq!(n, 0, "{backend}: repeated overview");
        store
            .update_workspace(&scope, &profile("Acme & fils"))
            .await
            .unwrap();
        let overview = store.overview(&scope, now).await.unwrap();
        assert_eq!(overview.workspace.name, "Acme & fils", "{backend}");

        // A read for another moment (an invitation may have expired since) is not served from
        // the cache.
        let (n, _) = counted(store.overview(&scope, now + 3600)).await;
        assert_eq!(n, 1, "{backend}: overview for a later time");

        // Turned off, every read runs its statement.
        let uncached = store.clone().with_read_cache_ttl(Duration::ZERO);
        let (n, _) = counted(uncached.overview(&scope, now)).await;
        let (m, _) = counted(uncached.overview(&scope, now)).await;
        assert_eq!((n, m), (1, 1), "{backend}: cache off");
        store.close().await;
    }
}

/// Renames a workspace the way another process would: through a connection of its own, not
/// through this process's store (whose writes invalidate the cache at once).
async fn rename_behind_the_stores_back(url: &str, workspace: i64, name: &str) {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query("UPDATE workspaces SET name = ? WHERE id = ?")
            .bind(name)
            .bind(workspace)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query("UPDATE workspaces SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(workspace)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

async fn a_change_by_another_process_shows_within_the_caches_lifetime() {
    for db in TestDb::all().await {
        let backend = db.backend_name();
        let here = Store::open(&db.url)
            .await
            .unwrap()
            .with_read_cache_ttl(Duration::from_millis(300));
        let owner = here
            .create_user(&user("o@example.fr"), false)
            .await
            .unwrap();
        let scope = here
            .create_workspace(owner.user_id(), &profile("Acme"))
            .await
            .unwrap();
        let now = unix_now();
        let read = here.overview(&scope, now).await.unwrap();
        assert_eq!(read.workspace.name, "Acme");

        rename_behind_the_stores_back(&db.url, scope.workspace().0, "Renommé ailleurs").await;
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let name = here.overview(&scope, now).await.unwrap().workspace.name;
            if name == "Renommé ailleurs" {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{backend}: the other process's change never showed"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        here.close().await;
    }
}

/// A write to another table that cascades into a watched one (a deleted parent row deleting
/// sessions or memberships) would change a cached read without a watched write: every foreign
/// key of a watched table must point at a watched table.
async fn the_tables_the_cache_watches_only_depend_on_watched_tables() {
    let db = TestDb::sqlite();
    let store = Store::open(&db.url).await.unwrap();
    store.close().await;
    let url = format!("{}?mode=ro", db.url);
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    for table in TRACKED_TABLES {
        let parents: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_list(?)")
                .bind(table)
                .fetch_all(&pool)
                .await
                .unwrap();
        for (parent,) in parents {
            assert!(
                TRACKED_TABLES.contains(&parent.as_str()),
                "{table} references {parent}, which the read cache does not watch"
            );
        }
    }
    // And the list names real tables.
    for table in TRACKED_TABLES {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
                .bind(table)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(n, 1, "{table}");
    }
    pool.close().await;
}
