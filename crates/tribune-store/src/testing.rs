#![expect(
    clippy::expect_used,
    reason = "test support: a failure to set up a database must stop the test"
)]

//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database that is
//! dropped afterwards. With `CI=true`, an unreachable PostgreSQL fails the test instead of
//! skipping it.

use std::path::PathBuf;

/// Where the test PostgreSQL server is (any database on it; test databases are created beside).
pub fn postgres_admin_url() -> String {
    std::env::var("TRIBUNE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// One fresh database; removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique_name() -> String {
    let token = tribune_domain::security::token::random_token();
    let suffix: String = token
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    format!("tribune_test_{}", suffix.to_lowercase())
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique_name());
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TestDb {
            url: format!("sqlite://{}", dir.join("tribune.db").display()),
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A new PostgreSQL database, or `None` (skip) when the server is unreachable outside CI.
    pub async fn postgres() -> Option<TestDb> {
        use sqlx::Connection;
        let admin_url = postgres_admin_url();
        let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(error) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("PostgreSQL is required with CI=true ({admin_url}): {error}");
                }
                eprintln!("skipping PostgreSQL test: {admin_url} unreachable: {error}");
                return None;
            }
        };
        let name = unique_name();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base);
        Some(TestDb {
            url: format!("{base}/{name}"),
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }

    /// Both backends, PostgreSQL only when reachable (or required, under CI).
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite()];
        dbs.extend(TestDb::postgres().await);
        dbs
    }

    pub fn backend_name(&self) -> &'static str {
        if self.url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop cannot be async: a short-lived thread with its own runtime does the work.
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async move {
                        use sqlx::Connection;
                        if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(&mut admin)
                            .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Runs a storage story on a fresh SQLite database and, when reachable (always under CI), a
/// fresh PostgreSQL one: the same calls must give the same results.
pub async fn each_backend<F, Fut>(story: F)
where
    F: Fn(crate::Store, &'static str) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await {
        let store = crate::Store::open(&db.url)
            .await
            .expect("open the test database");
        story(store.clone(), db.backend_name()).await;
        store.close().await;
    }
}

/// A valid new account for `email`.
pub fn user(email: &str) -> tribune_domain::user::UserNew {
    tribune_domain::user::UserNew::validate(email, "Test User", "un mot de passe solide")
        .expect("valid test user")
}

/// A valid workspace profile named `name`, with the defaults.
pub fn profile(name: &str) -> tribune_domain::workspace::WorkspaceProfile {
    tribune_domain::workspace::WorkspaceInput {
        name: name.into(),
        ..Default::default()
    }
    .validate()
    .expect("valid test profile")
}
