//! `GET /m/{token}`: a media file for a network that fetches media by URL (Instagram,
//! Pinterest…), through a signed link that expires (see `tribune_domain::security::signed`).
//! No session: the link is the authorisation. An expired, forged or unknown link is a plain
//! 404, with nothing that tells which. Images go out as metadata-free copies (no EXIF, no GPS),
//! like everything tribune sends to a network.

use crate::AppState;
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tribune_domain::media::MediaKind;
use tribune_domain::security::signed::verify_media_token;
use tribune_media::{Format, StorageKey};
use tribune_store::unix_now;

pub async fn serve(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let id = verify_media_token(state.secrets(), &token, unix_now()).ok_or(AppError::NotFound)?;
    let media = state
        .store()
        .media_for_signed_link(id)
        .await
        .map_err(|_| AppError::NotFound)?;
    let key = StorageKey::parse(media.workspace, &media.storage_key).ok_or_else(|| {
        AppError::Internal(format!("bad storage key of media {}", media.id).into())
    })?;
    let format = Format::from_mime(&media.mime).ok_or_else(|| {
        AppError::Internal(format!("media {} of type {}", media.id, media.mime).into())
    })?;
    let library = state.media();
    let (mime, len, body) = match media.kind {
        MediaKind::Image => {
            let fitted = library
                .fitted(&key, format, library.limits().max_image_bytes)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            (
                fitted.mime,
                fitted.bytes.len() as u64,
                Body::from(fitted.bytes),
            )
        }
        MediaKind::Video => {
            let opened = library
                .storage()
                .open(&key)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            let stream = tokio_util::io::ReaderStream::new(opened.reader);
            (format.mime(), opened.len, Body::from_stream(stream))
        }
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("content-disposition", HeaderValue::from_static("inline"));
    Ok(response)
}
