//! Storage for SQLite and PostgreSQL behind one API. Queries are built once with sea-query and run
//! on whichever database the URL names; migrations for both are embedded and run at start.
//! Tenant isolation lives here: every workspace-scoped call takes a [`WorkspaceScope`], which only
//! [`Store::scope`] can make, from a real membership.

mod cache;
mod db;
mod error;
mod schema;
mod transaction;

pub mod admin;
pub mod admin_lists;
pub mod api_tokens;
pub mod approval_links;
pub mod audit;
pub mod business;
pub mod buzz;
pub mod buzz_settings;
pub mod calendar_feeds;
pub mod channels;
pub mod contacts;
pub mod inbox;
pub mod inbox_originals;
pub mod inbox_stats;
pub mod inbox_streams;
pub mod invitations;
pub mod invoices;
pub mod jobs;
pub mod links;
pub mod mail_jobs;
pub mod maintenance;
pub mod media;
pub mod members;
pub mod notifications;
pub mod oauth;
pub mod overview;
pub mod password_resets;
pub mod posts;
pub mod publish;
pub mod queue;
pub mod rate_limit;
pub mod recovery_codes;
pub mod rules;
pub mod saved_replies;
pub mod sessions;
pub mod sla;
pub mod smtp_settings;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod users;
pub mod workspaces;

pub use business::BusinessScope;
pub use cache::{DEFAULT_TTL as DEFAULT_READ_CACHE_TTL, TRACKED_TABLES};
pub use db::{Backend, Db, statements_run};
pub use error::{Conflict, Refusal, StoreError};
pub use transaction::Transaction;
pub use workspaces::WorkspaceScope;

/// The storage handle shared by the web layer and the commands. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Db,
    /// Shared by the clones: what every page reads (see `cache.rs`).
    cache: std::sync::Arc<cache::ReadCache>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects to `sqlite:…` or `postgres://…` and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(Store {
            db,
            cache: std::sync::Arc::new(cache::ReadCache::new(cache::DEFAULT_TTL)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.db.migrate().await
    }

    /// Whether the database answers; used by `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

/// Seconds since the Unix epoch: how every time is stored.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
