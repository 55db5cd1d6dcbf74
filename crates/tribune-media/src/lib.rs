//! The media library's files. Records (who uploaded what, its alt text, which post uses it) are
//! in `tribune-store`; the bytes are here: behind [`MediaStore`] (a directory today, an
//! S3-compatible store later), checked by content while they stream in ([`Spool`]), with image
//! thumbnails and, at publish time, copies re-encoded to fit each network ([`picture::fit`]).
//! Image decoding lives in this crate only, so the rest of tribune does not build codecs.

mod format;
pub mod mp4;
pub mod picture;
mod storage;

pub use format::{Format, MediaKind, SNIFF_BYTES};
pub use picture::{Fitted, Focus, Preset};
pub use storage::{FsMediaStore, MediaStore, Opened, StorageKey};

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tribune_domain::{MediaId, WorkspaceId};

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Not an image or video tribune takes (by its content).
    #[error("unsupported file type")]
    Unsupported,
    /// Over the limit for its kind (bytes).
    #[error("file larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("image with too many pixels")]
    TooManyPixels,
    /// The file says it is one of the formats but cannot be read as one.
    #[error("unreadable or damaged file")]
    Unreadable,
    #[error("empty file")]
    Empty,
    #[error("media file not found")]
    NotFound,
    #[error("could not encode an image: {0}")]
    Encode(String),
    #[error("media storage: {0}")]
    Io(#[from] std::io::Error),
}

impl MediaError {
    /// The catalogue key that explains the refusal to a person; `None` for tribune's own
    /// failures (a server error).
    pub fn key(&self) -> Option<&'static str> {
        match self {
            MediaError::Unsupported => Some("error-media-unsupported"),
            MediaError::TooLarge { .. } => Some("error-media-too-large"),
            MediaError::TooManyPixels => Some("error-media-too-many-pixels"),
            MediaError::Unreadable => Some("error-media-unreadable"),
            MediaError::Empty => Some("error-media-empty"),
            MediaError::NotFound | MediaError::Encode(_) | MediaError::Io(_) => None,
        }
    }
}

/// Upload limits, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_image_bytes: u64,
    pub max_video_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_image_bytes: 20 * 1000 * 1000,
            max_video_bytes: 200 * 1000 * 1000,
        }
    }
}

impl Limits {
    pub fn for_kind(&self, kind: MediaKind) -> u64 {
        match kind {
            MediaKind::Image => self.max_image_bytes,
            MediaKind::Video => self.max_video_bytes,
        }
    }

    /// The largest file of any kind.
    pub fn max_bytes(&self) -> u64 {
        self.max_image_bytes.max(self.max_video_bytes)
    }
}

/// The media library's storage and limits, shared by the web layer and the publisher.
#[derive(Clone, Debug)]
pub struct MediaService {
    storage: Arc<dyn MediaStore>,
    limits: Limits,
}

/// An upload being received: written to a spool file as it arrives, its type recognised from
/// its first bytes and its size checked against that type's limit at every chunk, so an
/// oversized or disguised file is refused without being read to its end. Dropped unfinished,
/// it removes its file.
pub struct Spool {
    file: Option<tokio::fs::File>,
    path: PathBuf,
    head: Vec<u8>,
    format: Option<Format>,
    len: u64,
    hasher: Sha256,
    limits: Limits,
    kept: bool,
}

impl Drop for Spool {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Spool {
    /// Adds the next chunk of the upload.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), MediaError> {
        if self.format.is_none() {
            let wanted = SNIFF_BYTES.saturating_sub(self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..wanted]);
            if self.head.len() >= SNIFF_BYTES {
                self.format = Some(Format::sniff(&self.head).ok_or(MediaError::Unsupported)?);
            }
        }
        self.len += chunk.len() as u64;
        let limit = match self.format {
            Some(format) => self.limits.for_kind(format.kind()),
            None => self.limits.max_bytes(),
        };
        if self.len > limit {
            return Err(MediaError::TooLarge { limit });
        }
        self.hasher.update(chunk);
        if let Some(file) = self.file.as_mut() {
            file.write_all(chunk).await?;
        }
        Ok(())
    }

    /// The whole upload, received.
    pub async fn finish(mut self) -> Result<Spooled, MediaError> {
        if self.len == 0 {
            return Err(MediaError::Empty);
        }
        let format = match self.format {
            Some(format) => format,
            None => Format::sniff(&self.head).ok_or(MediaError::Unsupported)?,
        };
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
            file.sync_all().await?;
        }
        self.kept = true;
        Ok(Spooled {
            path: std::mem::take(&mut self.path),
            format,
            bytes: self.len,
            sha256: hex(&std::mem::take(&mut self.hasher).finalize()),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A received upload on local disk, its type known. Dropped without being stored, it removes
/// its file.
#[derive(Debug)]
pub struct Spooled {
    path: PathBuf,
    pub format: Format,
    pub bytes: u64,
    pub sha256: String,
}

impl Drop for Spooled {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A checked file, stored, with what was read from it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub format: Format,
    pub bytes: u64,
    pub sha256: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Videos, when the container says it.
    pub duration_ms: Option<i64>,
    pub key: StorageKey,
    /// Images only: tribune does not decode video.
    pub thumbnail: Option<StorageKey>,
}

/// What was read from a spooled file before storing it.
struct Analysis {
    width: Option<u32>,
    height: Option<u32>,
    duration_ms: Option<i64>,
    thumbnail: Option<Vec<u8>>,
}

fn analyse(path: &Path, format: Format, len: u64) -> Result<Analysis, MediaError> {
    let file = std::fs::File::open(path)?;
    let mut input = std::io::BufReader::new(file);
    match format.kind() {
        MediaKind::Image => {
            let (w, h) = picture::dimensions(&mut input, format)?;
            use std::io::Seek;
            input.rewind()?;
            let image = picture::decode(input, format)?;
            Ok(Analysis {
                width: Some(w),
                height: Some(h),
                duration_ms: None,
                thumbnail: Some(picture::thumbnail(&image)?),
            })
        }
        MediaKind::Video => {
            let info = mp4::probe(&mut input, len).ok_or(MediaError::Unreadable)?;
            Ok(Analysis {
                width: info.width,
                height: info.height,
                duration_ms: info
                    .duration_secs
                    .filter(|d| d.is_finite() && *d >= 0.0 && *d < 1e9)
                    .map(|d| (d * 1000.0).round() as i64),
                thumbnail: None,
            })
        }
    }
}

impl MediaService {
    pub fn new(storage: Arc<dyn MediaStore>, limits: Limits) -> MediaService {
        MediaService { storage, limits }
    }

    /// Files under `dir` (`<data dir>/media` by default).
    pub fn filesystem(dir: impl Into<PathBuf>, limits: Limits) -> MediaService {
        MediaService::new(Arc::new(FsMediaStore::new(dir)), limits)
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn storage(&self) -> &dyn MediaStore {
        self.storage.as_ref()
    }

    /// Starts receiving an upload.
    pub async fn spool(&self) -> Result<Spool, MediaError> {
        let dir = self.storage.spool_dir();
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(format!(
            "{}.upload",
            StorageKey::fresh(WorkspaceId(0)).name()
        ));
        let file = tokio::fs::File::create(&path).await?;
        Ok(Spool {
            file: Some(file),
            path,
            head: Vec::with_capacity(SNIFF_BYTES),
            format: None,
            len: 0,
            hasher: Sha256::new(),
            limits: self.limits,
            kept: false,
        })
    }

    /// Reads the upload (image size and a thumbnail, or the video's container), then stores it
    /// and its thumbnail under fresh keys of `workspace`.
    pub async fn store(
        &self,
        workspace: WorkspaceId,
        mut spooled: Spooled,
    ) -> Result<Stored, MediaError> {
        let (path, format, len) = (spooled.path.clone(), spooled.format, spooled.bytes);
        let analysis = tokio::task::spawn_blocking(move || analyse(&path, format, len))
            .await
            .map_err(|e| MediaError::Encode(e.to_string()))??;
        let key = StorageKey::fresh(workspace);
        let thumbnail = match analysis.thumbnail {
            Some(bytes) => {
                let thumb = StorageKey::fresh(workspace);
                self.storage.put(&thumb, bytes).await?;
                Some(thumb)
            }
            None => None,
        };
        if let Err(error) = self.storage.put_file(&key, &spooled.path).await {
            if let Some(thumb) = &thumbnail {
                let _ = self.storage.delete(thumb).await;
            }
            return Err(error);
        }
        spooled.path = PathBuf::new();
        Ok(Stored {
            format,
            bytes: spooled.bytes,
            sha256: std::mem::take(&mut spooled.sha256),
            width: analysis.width,
            height: analysis.height,
            duration_ms: analysis.duration_ms,
            key,
            thumbnail,
        })
    }

    /// Removes a media's files (after its record is gone, or when recording it failed).
    pub async fn remove(&self, key: &StorageKey, thumbnail: Option<&StorageKey>) {
        for key in std::iter::once(key).chain(thumbnail) {
            if let Err(error) = self.storage.delete(key).await {
                tracing::warn!(%error, "a media file could not be removed");
            }
        }
    }

    /// A metadata-free copy of a stored image of at most `max_bytes`, for a network.
    pub async fn fitted(
        &self,
        key: &StorageKey,
        format: Format,
        max_bytes: u64,
    ) -> Result<Fitted, MediaError> {
        let original = self.storage.get(key).await?;
        tokio::task::spawn_blocking(move || picture::fit(&original, format, max_bytes))
            .await
            .map_err(|e| MediaError::Encode(e.to_string()))?
    }
}

/// The SHA-256 of `bytes` in lower-case hex, as the library records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

impl MediaService {
    /// Makes and stores a copy of the image at `key` cut to `preset` around `focus` (see
    /// [`picture::crop`]), with a thumbnail, under fresh keys of the same workspace. The
    /// original is untouched; the caller records the copy (and removes its files with
    /// [`MediaService::remove`] if that fails).
    pub async fn store_crop(
        &self,
        key: &StorageKey,
        format: Format,
        preset: Preset,
        focus: Focus,
    ) -> Result<Stored, MediaError> {
        if format.kind() != MediaKind::Image {
            return Err(MediaError::Unsupported);
        }
        let original = self.storage.get(key).await?;
        let (copy, thumbnail, (width, height)) = tokio::task::spawn_blocking(move || {
            let copy = picture::crop(&original, format, preset, focus)?;
            let decoded = image::load_from_memory(&copy.bytes)
                .map_err(|e| MediaError::Encode(e.to_string()))?;
            let size = (decoded.width(), decoded.height());
            Ok::<_, MediaError>((copy, picture::thumbnail(&decoded)?, size))
        })
        .await
        .map_err(|e| MediaError::Encode(e.to_string()))??;
        let format = Format::from_mime(copy.mime).ok_or(MediaError::Unsupported)?;
        let workspace = key.workspace();
        let thumb = StorageKey::fresh(workspace);
        self.storage.put(&thumb, thumbnail).await?;
        let copy_key = StorageKey::fresh(workspace);
        let bytes = copy.bytes.len() as u64;
        let sha256 = sha256_hex(&copy.bytes);
        if let Err(error) = self.storage.put(&copy_key, copy.bytes).await {
            let _ = self.storage.delete(&thumb).await;
            return Err(error);
        }
        Ok(Stored {
            format,
            bytes,
            sha256,
            width: Some(width),
            height: Some(height),
            duration_ms: None,
            key: copy_key,
            thumbnail: Some(thumb),
        })
    }
}

/// Cuts a client's file name to something safe to show and store: the last path segment, no
/// control or path characters, at most 200 characters. It never names a file on disk.
pub fn sanitize_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(200)
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim().to_owned();
    (!clean.is_empty()).then_some(clean)
}

/// The address of a signed, expiring link to media `id` (see
/// [`tribune_domain::security::signed`]), for networks that fetch media by URL.
pub fn signed_url(
    public_url: &str,
    secrets: &tribune_domain::security::secret_box::SecretBox,
    id: MediaId,
    expires_at: i64,
) -> String {
    format!(
        "{}/m/{}",
        public_url.trim_end_matches('/'),
        tribune_domain::security::signed::media_token(secrets, id, expires_at)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> (MediaService, PathBuf) {
        let root = std::env::temp_dir().join(format!(
            "tribune-media-svc-{}",
            StorageKey::fresh(WorkspaceId(0)).name()
        ));
        (
            MediaService::filesystem(
                &root,
                Limits {
                    max_image_bytes: 200_000,
                    max_video_bytes: 1_000_000,
                },
            ),
            root,
        )
    }

    #[tokio::test]
    async fn an_upload_is_recognised_measured_thumbnailed_and_stored() {
        let (media, root) = service();
        let png = picture::tests::png_bytes(&picture::tests::noisy(100, 50));
        let mut spool = media.spool().await.unwrap();
        for chunk in png.chunks(7) {
            spool.write(chunk).await.unwrap();
        }
        let spooled = spool.finish().await.unwrap();
        assert_eq!(spooled.format, Format::Png);
        let stored = media.store(WorkspaceId(1), spooled).await.unwrap();
        assert_eq!((stored.width, stored.height), (Some(100), Some(50)));
        assert_eq!(stored.bytes, png.len() as u64);
        assert_eq!(media.storage().get(&stored.key).await.unwrap(), png);
        let thumb = media
            .storage()
            .get(stored.thumbnail.as_ref().unwrap())
            .await
            .unwrap();
        assert_eq!(Format::sniff(&thumb), Some(Format::Jpeg));
        // Nothing is left in the spool.
        assert_eq!(std::fs::read_dir(root.join(".spool")).unwrap().count(), 0);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[tokio::test]
    async fn disguised_and_oversized_uploads_are_refused_early() {
        let (media, root) = service();
        let mut spool = media.spool().await.unwrap();
        let html = b"<!DOCTYPE html><script>alert(1)</script>";
        assert!(matches!(
            spool.write(html).await,
            Err(MediaError::Unsupported)
        ));
        drop(spool);
        // An image is held to the image limit, even under the video one.
        let mut spool = media.spool().await.unwrap();
        spool.write(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0").await.unwrap();
        let err = spool.write(&[0u8; 300_000]).await.unwrap_err();
        assert!(matches!(err, MediaError::TooLarge { limit: 200_000 }));
        drop(spool);
        let mp4 = mp4::tests::tiny_mp4();
        let mut spool = media.spool().await.unwrap();
        spool.write(&mp4).await.unwrap();
        let stored = media
            .store(WorkspaceId(2), spool.finish().await.unwrap())
            .await
            .unwrap();
        assert_eq!(stored.duration_ms, Some(12_500));
        assert!(stored.thumbnail.is_none());
        assert!(matches!(
            media.spool().await.unwrap().finish().await,
            Err(MediaError::Empty)
        ));
        assert_eq!(std::fs::read_dir(root.join(".spool")).unwrap().count(), 0);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[tokio::test]
    async fn a_cropped_copy_is_stored_beside_the_original_with_a_thumbnail() {
        let (media, root) = service();
        // Under the test service's 200,000-byte image limit.
        let png = picture::tests::png_bytes(&picture::tests::noisy(200, 120));
        let mut spool = media.spool().await.unwrap();
        spool.write(&png).await.unwrap();
        let original = media
            .store(WorkspaceId(3), spool.finish().await.unwrap())
            .await
            .unwrap();
        let copy = media
            .store_crop(&original.key, Format::Png, Preset::Square, Focus::default())
            .await
            .unwrap();
        assert_eq!(copy.key.workspace(), WorkspaceId(3));
        assert_ne!(copy.key, original.key);
        assert_eq!((copy.width, copy.height), (Some(120), Some(120)));
        let bytes = media.storage().get(&copy.key).await.unwrap();
        assert_eq!(bytes.len() as u64, copy.bytes);
        assert_eq!(sha256_hex(&bytes), copy.sha256);
        assert!(copy.thumbnail.is_some());
        // The original is untouched; a video cannot be cropped.
        assert_eq!(media.storage().get(&original.key).await.unwrap(), png);
        assert!(matches!(
            media
                .store_crop(&original.key, Format::Mp4, Preset::Square, Focus::default())
                .await,
            Err(MediaError::Unsupported)
        ));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn file_names_are_cut_to_a_safe_label() {
        assert_eq!(
            sanitize_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            sanitize_file_name("C:\\photos\\été 2026.jpg").as_deref(),
            Some("été 2026.jpg")
        );
        assert_eq!(
            sanitize_file_name("a\u{0}b<c>.png").as_deref(),
            Some("abc.png")
        );
        assert_eq!(sanitize_file_name("..."), None);
        assert_eq!(sanitize_file_name(&"x".repeat(500)).unwrap().len(), 200);
    }
}
