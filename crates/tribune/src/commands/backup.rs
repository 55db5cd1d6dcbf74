//! `tribune backup FILE` and `tribune restore FILE` for SQLite. PostgreSQL: use pg_dump and
//! pg_restore (see docs/OPERATIONS.md).

use super::open_store;
use crate::config::Settings;
use anyhow::{Context, bail};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct BackupArgs {
    /// Where to write the backup (must not exist).
    file: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A file written by `tribune backup`.
    file: PathBuf,
    /// Replace the current database without asking.
    #[arg(long)]
    yes: bool,
}

fn require_sqlite(settings: &Settings) -> anyhow::Result<()> {
    if !settings.is_sqlite() {
        bail!("backup and restore handle SQLite; for PostgreSQL use pg_dump / pg_restore");
    }
    Ok(())
}

pub async fn backup(settings: Settings, args: BackupArgs) -> anyhow::Result<()> {
    require_sqlite(&settings)?;
    if args.file.exists() {
        bail!(
            "{} already exists; choose a new file name",
            args.file.display()
        );
    }
    let store = open_store(&settings).await?;
    store
        .backup_sqlite(&args.file)
        .await
        .context("backup failed")?;
    store.close().await;
    println!("backup written to {}", args.file.display());
    Ok(())
}

pub async fn restore(settings: Settings, args: RestoreArgs) -> anyhow::Result<()> {
    require_sqlite(&settings)?;
    let source = args
        .file
        .canonicalize()
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    // Check the backup before touching anything: it must be a tribune database.
    let valid = tribune_store::is_tribune_sqlite_file(&source)
        .await
        .unwrap_or(false);
    if !valid {
        bail!("{} is not a tribune backup", source.display());
    }
    let target = settings
        .database_url
        .strip_prefix("sqlite://")
        .map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)))
        .context("cannot tell where the SQLite database is")?;
    if target.exists() && !args.yes {
        bail!(
            "{} exists; stop tribune, then run again with --yes to replace it (the current file is kept as .before-restore)",
            target.display()
        );
    }
    settings.ensure_data_dir()?;
    if target.exists() {
        let kept = target.with_extension("db.before-restore");
        std::fs::rename(&target, &kept).context("cannot move the current database aside")?;
        println!("current database kept as {}", kept.display());
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::copy(&source, &target).context("cannot copy the backup into place")?;
    let store = open_store(&settings).await?;
    store.close().await;
    println!("restored {} into {}", source.display(), target.display());
    Ok(())
}
