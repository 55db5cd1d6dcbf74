//! The lock file beside a SQLite database (`tribune.db.lock` beside `tribune.db`). Every process
//! that opens the database (the server for its whole life, each command while it runs) holds a
//! shared lock on it; `tribune restore` needs the exclusive lock, so it cannot replace the
//! database under a running server, and nothing opens the database while a restore runs. The
//! operating system releases the lock when a process ends, even when it is killed.

use anyhow::{Context, bail};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct DbLock {
    _file: Option<File>,
}

impl DbLock {
    /// For databases that need no lock file (PostgreSQL).
    pub fn none() -> DbLock {
        DbLock { _file: None }
    }
}

/// `tribune.db.lock` for `tribune.db`.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open(database: &Path) -> anyhow::Result<(File, PathBuf)> {
    let path = lock_path(database);
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    Ok((file, path))
}

/// Taken by every process that uses the database; refused while a restore runs.
pub fn shared(database: &Path) -> anyhow::Result<DbLock> {
    let (file, path) = open(database)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(DbLock { _file: Some(file) }),
        Err(TryLockError::WouldBlock) => bail!(
            "{} is being restored (a restore holds {}); try again when it has finished",
            database.display(),
            path.display()
        ),
        Err(TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// Taken by `tribune restore`; refused while any other tribune process uses the database.
pub fn exclusive(database: &Path) -> anyhow::Result<DbLock> {
    let (file, path) = open(database)?;
    match file.try_lock() {
        Ok(()) => Ok(DbLock { _file: Some(file) }),
        Err(TryLockError::WouldBlock) => bail!(
            "tribune is using {} (a server or another command holds {}); stop it before restoring",
            database.display(),
            path.display()
        ),
        Err(TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}
