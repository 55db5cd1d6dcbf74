//! One module per command.

pub mod backup;
pub mod config;
pub mod mail;
pub mod serve;
pub mod token;
pub mod user;

use crate::config::{Settings, redact_url};
use anyhow::Context;
use tribune_store::Store;

/// Opens the configured database (creating the SQLite file on first run) and migrates it.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    if settings.is_sqlite() {
        settings.ensure_data_dir()?;
    }
    Store::open(&settings.database_url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            redact_url(&settings.database_url)
        )
    })
}

pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
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
