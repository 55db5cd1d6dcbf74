//! A file uploaded from the composer: the whole composer form comes as `multipart/form-data`
//! (the "upload and attach" button's `formaction`, with `?_csrf=` as every browser upload), the
//! file goes into the workspace's media library through the API's own upload path, and the
//! composer comes back with everything typed kept and the new media attached. The composer's
//! script sends the same request and takes the new media picker from the page it gets back.

use super::composer::{ComposerInput, page};
use crate::AppState;
use crate::api::media::{multipart_body, next_field, record_upload, refuse_announced, spool_file};
use crate::context::Member;
use crate::error::AppError;
use crate::pages::render;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tribune_domain::{PostId, Role, ValidationError};

/// `?post=`: the post being edited, if any.
#[derive(serde::Deserialize)]
pub struct UploadQuery {
    post: Option<PostId>,
}

/// `POST /w/{ws}/compose/upload`.
pub async fn upload(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    if let Some(id) = query.post {
        state.store().post(&member.scope, id).await?;
    }
    refuse_announced(&state, &headers)?;
    let mut multipart = multipart_body(multipart)?;
    // The form's other fields, bounded together by the size of an ordinary form.
    let mut room = state.config().max_body_bytes;
    let mut pairs = Vec::new();
    let mut uploaded = None;
    let mut failed = None;
    while let Some(mut field) = next_field(&mut multipart).await? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let chosen = field.file_name().is_some_and(|n| !n.is_empty());
            if !chosen || uploaded.is_some() || failed.is_some() {
                while let Ok(Some(_)) = field.chunk().await {}
                continue;
            }
            match spool_file(&state, &mut field).await {
                Ok(spooled) => uploaded = Some(spooled),
                Err(error) => {
                    // The rest of the file is read and dropped, so the fields after it (the
                    // date, the category…) come back too.
                    while let Ok(Some(_)) = field.chunk().await {}
                    failed = Some(error);
                }
            }
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|_| AppError::BadRequest(crate::error::BadRequest::UploadUnreadable))?
        {
            room = room
                .checked_sub(chunk.len())
                .ok_or(AppError::PayloadTooLarge)?;
            bytes.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(bytes)
            .map_err(|_| AppError::BadRequest(crate::error::BadRequest::Form))?;
        pairs.push((name, value));
    }
    let mut input = ComposerInput::from_pairs(pairs);
    input.intent = String::new();
    let outcome = match (uploaded, failed) {
        (_, Some(error)) => Err(error),
        (Some((spooled, file_name)), None) => {
            record_upload(&state, &member, spooled, file_name, String::new()).await
        }
        (None, None) => Err(AppError::Invalid(ValidationError::single(
            "file",
            "error-media-missing",
        ))),
    };
    let lang = member.ctx.lang;
    match outcome {
        Ok(media) => {
            if !input.media.contains(&media.id) {
                input.media.push(media.id);
            }
            let mut page = page(&state, &member, query.post, input, &[], Vec::new()).await?;
            page.c = page.c.with_flash(Some("flash-media-attached"));
            Ok(render(&page))
        }
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid
                .violations
                .iter()
                .map(|v| {
                    (
                        "media_file".to_owned(),
                        state.i18n().message(lang, v.message_key, None),
                    )
                })
                .collect();
            let page = page(&state, &member, query.post, input, &[], errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(AppError::PayloadTooLarge) => {
            let message = state.i18n().message(lang, "error-media-too-large", None);
            let errors = vec![("media_file".to_owned(), message)];
            let page = page(&state, &member, query.post, input, &[], errors).await?;
            Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&page)).into_response())
        }
        Err(other) => Err(other),
    }
}
