//! Where media files live: one small trait, so an S3-compatible store can take the place of the
//! directory when several nodes serve one instance. Keys are random and scoped by workspace;
//! nothing of the user's file name reaches a path.

use crate::MediaError;
use async_trait::async_trait;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::AsyncRead;
use tribune_domain::WorkspaceId;

/// A file's address in a [`MediaStore`]: its workspace and a random name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StorageKey {
    workspace: WorkspaceId,
    name: String,
}

impl StorageKey {
    /// A new random key (256 bits, URL-safe base64).
    pub fn fresh(workspace: WorkspaceId) -> StorageKey {
        StorageKey {
            workspace,
            name: tribune_domain::security::token::random_token(),
        }
    }

    /// A stored key read back; `None` if it is not one tribune makes.
    pub fn parse(workspace: WorkspaceId, name: &str) -> Option<StorageKey> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| StorageKey {
            workspace,
            name: name.to_owned(),
        })
    }

    pub fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A stored file opened for streaming, with its length.
pub struct Opened {
    pub len: u64,
    pub reader: Pin<Box<dyn AsyncRead + Send>>,
}

#[async_trait]
pub trait MediaStore: Send + Sync + std::fmt::Debug {
    /// Stores small bytes (a thumbnail) at a fresh key.
    async fn put(&self, key: &StorageKey, bytes: Vec<u8>) -> Result<(), MediaError>;
    /// Stores a file spooled on local disk (an upload checked while it arrived); the spool
    /// file is consumed.
    async fn put_file(&self, key: &StorageKey, spooled: &Path) -> Result<(), MediaError>;
    /// The whole file; for images, which are bounded in size.
    async fn get(&self, key: &StorageKey) -> Result<Vec<u8>, MediaError>;
    /// The file as a stream; for videos.
    async fn open(&self, key: &StorageKey) -> Result<Opened, MediaError>;
    /// Removes the file; a file already gone is not an error.
    async fn delete(&self, key: &StorageKey) -> Result<(), MediaError>;
    /// Removes every file of a deleted workspace; none left is not an error.
    async fn delete_workspace(&self, workspace: WorkspaceId) -> Result<(), MediaError>;
    /// Where uploads are spooled while they are checked, on the same file system as the store
    /// when it is a directory (so storing them is a rename).
    fn spool_dir(&self) -> PathBuf;
}

/// Files under `<root>/<workspace id>/<key>`, written to a temporary file then renamed, so a
/// reader never sees half a file.
#[derive(Debug, Clone)]
pub struct FsMediaStore {
    root: PathBuf,
}

impl FsMediaStore {
    pub fn new(root: impl Into<PathBuf>) -> FsMediaStore {
        FsMediaStore { root: root.into() }
    }

    fn path(&self, key: &StorageKey) -> PathBuf {
        self.root.join(key.workspace.0.to_string()).join(&key.name)
    }

    async fn dir_for(&self, key: &StorageKey) -> Result<PathBuf, MediaError> {
        let path = self.path(key);
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        Ok(path)
    }
}

fn not_found(error: std::io::Error) -> MediaError {
    if error.kind() == std::io::ErrorKind::NotFound {
        MediaError::NotFound
    } else {
        MediaError::Io(error)
    }
}

#[async_trait]
impl MediaStore for FsMediaStore {
    async fn put(&self, key: &StorageKey, bytes: Vec<u8>) -> Result<(), MediaError> {
        let path = self.dir_for(key).await?;
        let temp = self
            .spool_dir()
            .join(format!("{}.part", StorageKey::fresh(key.workspace).name));
        tokio::fs::create_dir_all(self.spool_dir()).await?;
        tokio::fs::write(&temp, bytes).await?;
        if let Err(error) = tokio::fs::rename(&temp, &path).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(error.into());
        }
        Ok(())
    }

    async fn put_file(&self, key: &StorageKey, spooled: &Path) -> Result<(), MediaError> {
        let path = self.dir_for(key).await?;
        tokio::fs::rename(spooled, &path).await?;
        Ok(())
    }

    async fn get(&self, key: &StorageKey) -> Result<Vec<u8>, MediaError> {
        tokio::fs::read(self.path(key)).await.map_err(not_found)
    }

    async fn open(&self, key: &StorageKey) -> Result<Opened, MediaError> {
        let file = tokio::fs::File::open(self.path(key))
            .await
            .map_err(not_found)?;
        let len = file.metadata().await?.len();
        Ok(Opened {
            len,
            reader: Box::pin(file),
        })
    }

    async fn delete(&self, key: &StorageKey) -> Result<(), MediaError> {
        match tokio::fs::remove_file(self.path(key)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    async fn delete_workspace(&self, workspace: WorkspaceId) -> Result<(), MediaError> {
        match tokio::fs::remove_dir_all(self.root.join(workspace.0.to_string())).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn spool_dir(&self) -> PathBuf {
        self.root.join(".spool")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_never_a_path() {
        let ws = WorkspaceId(3);
        assert_ne!(StorageKey::fresh(ws), StorageKey::fresh(ws));
        assert!(StorageKey::parse(ws, StorageKey::fresh(ws).name()).is_some());
        for bad in ["", "../etc/passwd", "a/b", "a.b", "..", &"x".repeat(65)] {
            assert!(StorageKey::parse(ws, bad).is_none(), "{bad}");
        }
    }

    #[tokio::test]
    async fn files_are_put_read_and_deleted_under_their_workspace() {
        let root = std::env::temp_dir().join(format!(
            "tribune-media-test-{}",
            StorageKey::fresh(WorkspaceId(0)).name()
        ));
        let store = FsMediaStore::new(&root);
        let key = StorageKey::fresh(WorkspaceId(7));
        store.put(&key, b"hello".to_vec()).await.unwrap();
        assert!(root.join("7").join(key.name()).exists());
        assert_eq!(store.get(&key).await.unwrap(), b"hello");
        assert_eq!(store.open(&key).await.unwrap().len, 5);
        store.delete(&key).await.unwrap();
        store.delete(&key).await.unwrap();
        assert!(matches!(store.get(&key).await, Err(MediaError::NotFound)));
        let _ = std::fs::remove_dir_all(&root);
    }
}
