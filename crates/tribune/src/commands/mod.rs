//! One module per command.

pub mod backup;
#[cfg(feature = "sink")]
pub mod bench;
#[cfg(feature = "sink")]
pub mod bench_inbox;
pub mod business;
pub mod business_invoices;
pub mod config;
pub mod mail;
pub mod serve;
pub mod token;
pub mod user;
pub mod worker;
pub mod workspace;

use crate::config::{Settings, redact_url};
use crate::lock::{self, DbLock};
use anyhow::Context;
use tribune_store::Store;

/// Opens the configured database (creating the SQLite file on first run) and migrates it. With
/// SQLite, the returned lock keeps `tribune restore` away while it is held: keep it as long as
/// the store is in use.
pub async fn open_store(settings: &Settings) -> anyhow::Result<(Store, DbLock)> {
    let lock = if settings.is_sqlite() {
        settings.ensure_data_dir()?;
        let path = settings.sqlite_path()?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        lock::shared(&path)?
    } else {
        DbLock::none()
    };
    let store = Store::open(&settings.database_url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            redact_url(&settings.database_url)
        )
    })?;
    Ok((store, lock))
}

pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let (store, _lock) = open_store(&settings).await?;
    store.close().await;
    println!(
        "database is up to date ({})",
        redact_url(&settings.database_url)
    );
    Ok(())
}

/// Reads a password from standard input (first line, without its newline).
pub fn read_password_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
