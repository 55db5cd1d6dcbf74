//! `tribune backup FILE` and `tribune restore FILE` for SQLite. PostgreSQL: use pg_dump and
//! pg_restore (see docs/OPERATIONS.md).
//!
//! A restore never loses the current data and never half-replaces it: it refuses while any
//! tribune process uses the database (the lock file) or any other program has it open
//! (SQLite's own lock); it copies the backup beside the database, checks that copy (integrity,
//! a tribune database, a schema this binary knows) and brings its schema up to date; it keeps a
//! complete copy of the current database aside, write-ahead log included; only then does it
//! rename the checked copy into place, in one step. Whatever fails before that rename leaves
//! the current database as it was.

use super::open_store;
use crate::config::Settings;
use crate::lock;
use anyhow::{Context, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use tribune_store::maintenance::{
    RestoreError, SqliteHold, create_private, prepare_sqlite_restore,
};

#[derive(Args)]
pub struct BackupArgs {
    /// Where to write the backup (must not exist; created readable by you only).
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
    let (store, _lock) = open_store(&settings).await?;
    let written = store.backup_sqlite(&args.file).await;
    store.close().await;
    written.with_context(|| format!("cannot write the backup {}", args.file.display()))?;
    println!("backup written to {}", args.file.display());
    Ok(())
}

/// `tribune.db<suffix>` beside `tribune.db`.
fn beside(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes a file that may not exist.
fn remove_if_present(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error).with_context(|| format!("cannot remove {}", path.display())),
    }
}

/// Copies `source` to a new owner-only file and flushes it to disk.
fn copy_private(source: &Path, target: &Path) -> anyhow::Result<()> {
    let mut from =
        std::fs::File::open(source).with_context(|| format!("cannot read {}", source.display()))?;
    if !from.metadata()?.is_file() {
        bail!("{} is not a file", source.display());
    }
    let mut to =
        create_private(target).with_context(|| format!("cannot create {}", target.display()))?;
    std::io::copy(&mut from, &mut to)
        .with_context(|| format!("cannot copy {} to {}", source.display(), target.display()))?;
    to.sync_all()?;
    Ok(())
}

/// Makes the renames in `dir` durable.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

pub async fn restore(settings: Settings, args: RestoreArgs) -> anyhow::Result<()> {
    require_sqlite(&settings)?;
    let source = args
        .file
        .canonicalize()
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let target = settings.sqlite_path()?;
    if target.exists() && !args.yes {
        bail!(
            "{} exists; stop tribune, then run again with --yes to replace it (a copy of the \
             current database is kept beside it)",
            target.display()
        );
    }
    if target.canonicalize().is_ok_and(|t| t == source) {
        bail!("{} is the current database itself", source.display());
    }
    settings.ensure_data_dir()?;
    let _lock = lock::exclusive(&target)?;

    // The backup, copied beside the database, checked and brought up to date. A leftover from
    // an interrupted restore is removed first: the exclusive lock proves no restore runs.
    let incoming = beside(&target, ".restoring");
    let incoming_journal = beside(&incoming, "-journal");
    if incoming.canonicalize().is_ok_and(|i| i == source) {
        bail!(
            "{} is tribune's own working copy; copy it elsewhere first",
            source.display()
        );
    }
    remove_if_present(&incoming)?;
    remove_if_present(&incoming_journal)?;
    let prepared = async {
        copy_private(&source, &incoming)?;
        prepare_sqlite_restore(&incoming).await.map_err(|error| {
            anyhow::anyhow!(
                "{} cannot be restored: {error}; nothing was changed",
                source.display()
            )
        })
    }
    .await;
    if let Err(error) = prepared {
        let _ = remove_if_present(&incoming);
        let _ = remove_if_present(&incoming_journal);
        return Err(error);
    }

    let kept = if target.exists() {
        let swapped = set_aside_and_swap(&target, &incoming).await;
        if swapped.is_err() {
            let _ = remove_if_present(&incoming);
        }
        Some(swapped?)
    } else {
        std::fs::rename(&incoming, &target)
            .with_context(|| format!("cannot move the backup to {}", target.display()))?;
        None
    };
    if let Some(dir) = target.parent() {
        sync_dir(dir);
    }
    if let Some(kept) = kept {
        println!("current database kept as {}", kept.display());
    }
    println!("restored {} into {}", source.display(), target.display());
    Ok(())
}

/// Holds the current database, writes a complete copy of it aside, then renames `incoming` over
/// it. Returns where the copy is.
async fn set_aside_and_swap(target: &Path, incoming: &Path) -> anyhow::Result<PathBuf> {
    let mut hold = SqliteHold::take(target)
        .await
        .map_err(|error| match error {
            RestoreError::InUse => anyhow::anyhow!(
                "{} cannot be replaced: {error}; nothing was changed",
                target.display()
            ),
            other => anyhow::Error::new(other).context(format!(
                "cannot open the current database {}; nothing was changed",
                target.display()
            )),
        })?;
    let result = async {
        let kept = beside(
            target,
            &format!(".before-restore-{}", tribune_store::unix_now()),
        );
        hold.copy_to(&kept).await.with_context(|| {
            format!(
                "cannot keep a copy of the current database as {}; nothing was changed",
                kept.display()
            )
        })?;
        // Holding the database folded its write-ahead log in and removed it. A log left beside
        // the new file would be replayed into it, so its absence is checked, not assumed.
        let wal = beside(target, "-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            bail!(
                "{} still has a write-ahead log ({}); nothing was changed",
                target.display(),
                wal.display()
            );
        }
        std::fs::rename(incoming, target)
            .with_context(|| format!("cannot move the backup to {}", target.display()))?;
        Ok(kept)
    }
    .await;
    hold.release().await;
    let kept = result?;
    let _ = remove_if_present(&beside(target, "-wal"));
    let _ = remove_if_present(&beside(target, "-shm"));
    Ok(kept)
}
