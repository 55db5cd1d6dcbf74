//! The workspace's media library page: the images and videos with their thumbnails, alt text
//! and size; upload (through the API's own upload path), alt text changes (through the store
//! call of the API's PATCH), and deletion after a confirmation.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::api::media::{
    delete_with_files, multipart_body, next_field, record_upload, refuse_announced, spool_file,
    text_field, thumbnail_of,
};
use crate::context::Member;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::media::MediaKind;
use tribune_domain::{MediaId, Role, ValidationError, WorkspaceId};
use tribune_store::media::{Media, MediaFilter};
use tribune_store::unix_now;

/// How many of the newest media the page lists.
const PAGE_SIZE: u64 = 500;

#[derive(Template)]
#[template(path = "media.html")]
pub struct MediaPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_write: bool,
    media: Vec<Media>,
    /// The upload's error, translated.
    error: Option<String>,
}

impl MediaPage {
    fn is_image(&self, media: &Media) -> bool {
        media.kind == MediaKind::Image
    }

    fn alt_missing(&self, media: &Media) -> bool {
        self.is_image(media) && media.alt.trim().is_empty()
    }

    /// The size in kB or MB, one decimal.
    fn size(&self, media: &Media) -> String {
        let bytes = media.bytes as f64;
        if bytes >= 1_000_000.0 {
            format!("{:.1} MB", bytes / 1_000_000.0)
        } else {
            format!("{:.1} kB", bytes / 1_000.0)
        }
    }

    fn label(&self, media: &Media) -> String {
        media
            .file_name
            .clone()
            .unwrap_or_else(|| format!("#{}", media.id))
    }
}

async fn page(
    state: &AppState,
    member: &Member,
    error: Option<String>,
) -> Result<MediaPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    let filter = MediaFilter {
        limit: PAGE_SIZE,
        before_id: None,
        name_contains: None,
    };
    let media = state.store().media_list(&member.scope, &filter).await?;
    Ok(MediaPage {
        c: chrome,
        ws_id: member.scope.workspace(),
        can_write: member.scope.role().can_write_posts(),
        media,
        error,
    })
}

/// `GET /w/{ws}/media`.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let mut page = page(&state, &member, None).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    Ok(render(&page))
}

/// `POST /w/{ws}/media?_csrf=…`: `file` and an optional `alt`.
pub async fn upload(
    State(state): State<AppState>,
    member: Member,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let outcome = async {
        refuse_announced(&state, &headers)?;
        let mut multipart = multipart_body(multipart)?;
        let mut spooled = None;
        let mut alt = String::new();
        while let Some(mut field) = next_field(&mut multipart).await? {
            match field.name().unwrap_or_default() {
                "file" if spooled.is_none() => {
                    spooled = Some(spool_file(&state, &mut field).await?)
                }
                "alt" => alt = text_field(&mut field, "alt").await?,
                // The form's `_csrf` (checked from the query) and anything else.
                _ => while let Ok(Some(_)) = field.chunk().await {},
            }
        }
        let (spooled, file_name) = spooled.ok_or(AppError::Invalid(ValidationError::single(
            "file",
            "error-media-missing",
        )))?;
        record_upload(&state, &member, spooled, file_name, alt).await
    }
    .await;
    let lang = member.ctx.lang;
    let (status, key) = match outcome {
        Ok(_) => {
            return Ok(see_other(&format!(
                "/w/{}/media?flash=flash-media-uploaded",
                member.scope.workspace()
            )));
        }
        Err(AppError::Invalid(invalid)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            invalid
                .violations
                .first()
                .map_or("error-invalid", |v| v.message_key),
        ),
        Err(AppError::PayloadTooLarge) => (StatusCode::PAYLOAD_TOO_LARGE, "error-media-too-large"),
        Err(other) => return Err(other),
    };
    let message = state.i18n().message(lang, key, None);
    let page = page(&state, &member, Some(message)).await?;
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct AltForm {
    #[serde(default)]
    alt: String,
}

/// `POST /w/{ws}/media/{id}/alt`.
pub async fn set_alt(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, MediaId)>,
    Form(form): Form<AltForm>,
) -> Result<Response, AppError> {
    state
        .store()
        .set_media_alt(&member.scope, id, &form.alt, unix_now())
        .await?;
    Ok(see_other(&format!(
        "/w/{}/media?flash=flash-media-alt-saved#media-{id}",
        member.scope.workspace()
    )))
}

/// `POST /w/{ws}/media/{id}/delete`: the confirmation is the second button, inside a
/// disclosure.
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, MediaId)>,
) -> Result<Response, AppError> {
    delete_with_files(&state, &member, id).await?;
    Ok(see_other(&format!(
        "/w/{}/media?flash=flash-media-deleted",
        member.scope.workspace()
    )))
}

/// `GET /w/{ws}/media/{id}/thumbnail`, for the library page and the composer.
pub async fn thumbnail(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, MediaId)>,
) -> Result<Response, AppError> {
    thumbnail_of(&state, &member, id).await
}
