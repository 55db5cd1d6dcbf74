//! The media library through the API: upload (multipart: `file`, optional `alt`), list, read,
//! change the alt text, delete, and the thumbnail. Uploads are checked by their content while
//! they stream in (see `tribune_media::Spool`); nothing of the client's file name or claimed
//! type is trusted.

use super::extract::{ApiJson, ApiPath};
use super::page::{Page, PageRequest};
use crate::AppState;
use crate::body_limit::{announced_length, upload_limit};
use crate::context::Member;
use crate::error::{AppError, InputError};
use axum::Json;
use axum::extract::State;
use axum::extract::multipart::{Field, Multipart, MultipartError, MultipartRejection};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tribune_domain::media::{MAX_ALT_CHARS, MediaKind};
use tribune_domain::{MediaId, Role, ValidationError, WorkspaceId};
use tribune_media::{MediaError, Spooled, StorageKey, sanitize_file_name};
use tribune_store::media::{Media, MediaFilter, MediaNew};
use tribune_store::unix_now;

/// A media as the API shows it, in the library and in a post.
#[derive(Serialize)]
pub struct MediaJson {
    pub id: MediaId,
    kind: MediaKind,
    mime: String,
    bytes: u64,
    width: Option<u32>,
    height: Option<u32>,
    /// Videos, when the file says it.
    duration_secs: Option<f64>,
    /// Empty when missing.
    alt: String,
    /// No alt text yet: screen-reader users will not know what it shows.
    alt_missing: bool,
    file_name: Option<String>,
    sha256: String,
    /// Images only.
    thumbnail_url: Option<String>,
    created_at: String,
}

impl From<Media> for MediaJson {
    fn from(media: Media) -> Self {
        let thumbnail_url = media.thumbnail_key.as_ref().map(|_| {
            format!(
                "/api/v1/workspaces/{}/media/{}/thumbnail",
                media.workspace, media.id
            )
        });
        MediaJson {
            id: media.id,
            kind: media.kind,
            mime: media.mime,
            bytes: media.bytes,
            width: media.width,
            height: media.height,
            duration_secs: media.duration_ms.map(|ms| ms as f64 / 1000.0),
            alt_missing: media.alt.trim().is_empty(),
            alt: media.alt,
            file_name: media.file_name,
            sha256: media.sha256,
            thumbnail_url,
            created_at: super::posts::rfc3339(media.created_at),
        }
    }
}

/// A refusal of the media library in the user's language; tribune's own failures are
/// server errors.
pub(crate) fn refused(error: MediaError) -> AppError {
    match error {
        MediaError::TooLarge { .. } => AppError::PayloadTooLarge,
        other => match other.key() {
            Some(key) => AppError::Invalid(ValidationError::single("file", key)),
            None => AppError::Internal(other.into()),
        },
    }
}

fn unreadable(error: MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        tracing::debug!(%error, "unreadable multipart upload");
        AppError::BadRequest(crate::error::BadRequest::UploadUnreadable)
    }
}

/// The longest `alt` field read (bytes; the text is then held to [`MAX_ALT_CHARS`]).
const MAX_ALT_FIELD: usize = MAX_ALT_CHARS * 4 + 16;

/// Reads one `file` field into the media library's spool, checked by its content as it streams
/// in: the one upload path of the API, the library page and the composer.
pub(crate) async fn spool_file(
    state: &AppState,
    field: &mut Field<'_>,
) -> Result<(Spooled, Option<String>), AppError> {
    let file_name = field.file_name().and_then(sanitize_file_name);
    let mut spool = state.media().spool().await.map_err(refused)?;
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        spool.write(&chunk).await.map_err(refused)?;
    }
    Ok((spool.finish().await.map_err(refused)?, file_name))
}

/// Stores a spooled file and records it in the workspace's library; the files are removed again
/// when the record cannot be made.
pub(crate) async fn record_upload(
    state: &AppState,
    member: &Member,
    spooled: Spooled,
    file_name: Option<String>,
    alt: String,
) -> Result<Media, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let library = state.media();
    let stored = library
        .store(member.scope.workspace(), spooled)
        .await
        .map_err(refused)?;
    let new = MediaNew {
        kind: stored.format.kind(),
        mime: stored.format.mime().to_owned(),
        bytes: stored.bytes,
        width: stored.width,
        height: stored.height,
        duration_ms: stored.duration_ms,
        alt,
        file_name,
        storage_key: stored.key.name().to_owned(),
        thumbnail_key: stored.thumbnail.as_ref().map(|k| k.name().to_owned()),
        sha256: stored.sha256.clone(),
    };
    match state
        .store()
        .create_media(&member.scope, new, unix_now())
        .await
    {
        Ok(media) => Ok(media),
        Err(error) => {
            library.remove(&stored.key, stored.thumbnail.as_ref()).await;
            Err(error.into())
        }
    }
}

/// Reads a short text field of an upload (an alt text), bounded while it is read.
pub(crate) async fn text_field(
    field: &mut Field<'_>,
    name: &'static str,
) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_ALT_FIELD {
            return Err(ValidationError::single(name, "error-too-long").into());
        }
    }
    String::from_utf8(bytes)
        .map_err(|_| AppError::Invalid(ValidationError::single(name, "error-invalid")))
}

/// Refuses an upload that announces more than the media library takes, before reading it.
pub(crate) fn refuse_announced(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if announced_length(headers).is_some_and(|len| len > upload_limit(state)) {
        return Err(AppError::PayloadTooLarge);
    }
    Ok(())
}

/// The multipart body of an upload, or the error a browser or API client understands.
pub(crate) fn multipart_body(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Multipart, AppError> {
    multipart.map_err(|rejection| {
        tracing::debug!(%rejection, "upload without a multipart body");
        AppError::BadRequest(crate::error::BadRequest::UploadNotMultipart)
    })
}

/// The next field of a multipart body.
pub(crate) async fn next_field(multipart: &mut Multipart) -> Result<Option<Field<'_>>, AppError> {
    multipart.next_field().await.map_err(unreadable)
}

/// `POST /media`: `multipart/form-data` with the file in `file` and its alt text in `alt`.
pub async fn upload(
    State(state): State<AppState>,
    member: Member,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    refuse_announced(&state, &headers)?;
    let mut multipart = multipart_body(multipart)?;
    let mut spooled = None;
    let mut alt = String::new();
    while let Some(mut field) = next_field(&mut multipart).await? {
        match field.name().unwrap_or_default() {
            "file" if spooled.is_none() => {
                spooled = Some(spool_file(&state, &mut field).await?);
            }
            "file" => {
                return Err(AppError::BadRequest(
                    crate::error::BadRequest::UploadOneFile,
                ));
            }
            "alt" => alt = text_field(&mut field, "alt").await?,
            other => {
                return Err(AppError::Input(InputError::JsonUnknownField(
                    InputError::name(other),
                )));
            }
        }
    }
    let (spooled, file_name) = spooled.ok_or(AppError::Invalid(ValidationError::single(
        "file",
        "error-media-missing",
    )))?;
    let media = record_upload(&state, &member, spooled, file_name, alt).await?;
    let workspace = member.scope.workspace();
    Ok(super::created(
        format!("/api/v1/workspaces/{workspace}/media/{}", media.id),
        MediaJson::from(media),
    ))
}

/// `GET /media`: newest first, paginated.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageRequest,
) -> Result<Page<MediaJson>, AppError> {
    let filter = MediaFilter {
        limit: page.limit() as u64 + 1,
        before_id: page.cursor::<i64>()?.map(MediaId),
        name_contains: None,
    };
    let media = state.store().media_list(&member.scope, &filter).await?;
    Ok(Page::keyset(media, &page, |m| m.id.0)?.map(Into::into))
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, MediaId)>,
) -> Result<Json<MediaJson>, AppError> {
    Ok(Json(state.store().media(&member.scope, id).await?.into()))
}

/// `PATCH /media/{media}` with `{"alt": "…"}` (empty removes it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    alt: String,
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, MediaId)>,
    ApiJson(request): ApiJson<UpdateRequest>,
) -> Result<Json<MediaJson>, AppError> {
    let media = state
        .store()
        .set_media_alt(&member.scope, id, &request.alt, unix_now())
        .await?;
    Ok(Json(media.into()))
}

/// Deleted unless a scheduled post (or one going out) uses it; its files go with it.
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, MediaId)>,
) -> Result<StatusCode, AppError> {
    delete_with_files(&state, &member, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a copy of the workspace's image `id` cut to `preset` around `focus` and records it in
/// the library as a media of its own (the original's alt text, its name with the shape's),
/// so the composer offers it like any upload. Nothing is left behind when it fails: a damaged
/// original is a clear refusal, and the copy's files go if its row cannot be written.
pub(crate) async fn copy_to_preset(
    state: &AppState,
    member: &Member,
    id: MediaId,
    preset: tribune_media::Preset,
    focus: tribune_media::Focus,
    label: &str,
) -> Result<Media, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let original = state.store().media(&member.scope, id).await?;
    let not_an_image =
        || AppError::Invalid(ValidationError::single("media", "error-media-crop-image"));
    if original.kind != MediaKind::Image {
        return Err(not_an_image());
    }
    let key = StorageKey::parse(original.workspace, &original.storage_key)
        .ok_or_else(|| AppError::Internal(format!("bad storage key of media {id}").into()))?;
    let format = tribune_media::Format::from_mime(&original.mime).ok_or_else(not_an_image)?;
    let library = state.media();
    let stored = library
        .store_crop(&key, format, preset, focus)
        .await
        .map_err(|e| match e {
            MediaError::NotFound => {
                AppError::Invalid(ValidationError::single("media", "error-media-unreadable"))
            }
            other => refused(other),
        })?;
    let stem = original
        .file_name
        .as_deref()
        .map(|name| name.rsplit_once('.').map_or(name, |(stem, _)| stem))
        .filter(|stem| !stem.trim().is_empty())
        .map_or_else(|| format!("#{id}"), str::to_owned);
    let extension = if stored.format == tribune_media::Format::Png {
        "png"
    } else {
        "jpg"
    };
    // The stem was cut to a safe label on upload; the shape's name is ours (its `:` is fine
    // here: the name is shown, never used as a path).
    let stem: String = stem.chars().take(150).collect();
    let file_name = Some(format!("{stem} ({label}).{extension}"));
    let new = MediaNew {
        kind: MediaKind::Image,
        mime: stored.format.mime().to_owned(),
        bytes: stored.bytes,
        width: stored.width,
        height: stored.height,
        duration_ms: None,
        alt: original.alt.clone(),
        file_name,
        storage_key: stored.key.name().to_owned(),
        thumbnail_key: stored.thumbnail.as_ref().map(|k| k.name().to_owned()),
        sha256: stored.sha256.clone(),
    };
    match state
        .store()
        .create_media(&member.scope, new, unix_now())
        .await
    {
        Ok(media) => Ok(media),
        Err(error) => {
            library.remove(&stored.key, stored.thumbnail.as_ref()).await;
            Err(error.into())
        }
    }
}

/// Deletes a media's record, then its files: for the API and the library page.
pub(crate) async fn delete_with_files(
    state: &AppState,
    member: &Member,
    id: MediaId,
) -> Result<(), AppError> {
    let media = state.store().delete_media(&member.scope, id).await?;
    if let Some(key) = StorageKey::parse(media.workspace, &media.storage_key) {
        let thumbnail = media
            .thumbnail_key
            .as_deref()
            .and_then(|k| StorageKey::parse(media.workspace, k));
        state.media().remove(&key, thumbnail.as_ref()).await;
    }
    Ok(())
}

/// The thumbnail (a JPEG), with headers that keep a browser from reading it as anything else.
pub async fn thumbnail(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, MediaId)>,
) -> Result<Response, AppError> {
    thumbnail_of(&state, &member, id).await
}

/// A media's thumbnail, for the API and the browser pages.
pub(crate) async fn thumbnail_of(
    state: &AppState,
    member: &Member,
    id: MediaId,
) -> Result<Response, AppError> {
    let media = state.store().media(&member.scope, id).await?;
    thumbnail_response(state, &media).await
}

/// The thumbnail of a media already authorised by the caller (a member's scope, or a client's
/// approval link for a post it is attached to).
pub(crate) async fn thumbnail_response(
    state: &AppState,
    media: &Media,
) -> Result<Response, AppError> {
    let key = media
        .thumbnail_key
        .as_deref()
        .and_then(|k| StorageKey::parse(media.workspace, k))
        .ok_or(AppError::NotFound)?;
    let bytes = state
        .media()
        .storage()
        .get(&key)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "content-disposition",
        HeaderValue::from_static("inline; filename=\"thumbnail.jpg\""),
    );
    // A thumbnail never changes (a new file gets a new key); only its members may see it.
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    Ok(response)
}
