//! The workspace's media library page: the images and videos with their thumbnails, alt text
//! and size; upload (through the API's own upload path), alt text changes (through the store
//! call of the API's PATCH), network-sized copies of an image (square, portrait, landscape,
//! story, cut around a chosen point), and deletion after a confirmation.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::api::media::{
    copy_to_preset, delete_with_files, multipart_body, next_field, record_upload, refuse_announced,
    spool_file, text_field, thumbnail_of,
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
use tribune_media::{Focus, Preset};
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

    /// Images and videos: Bluesky and Mastodon read a video's description too.
    fn alt_missing(&self, media: &Media) -> bool {
        media.alt.trim().is_empty()
    }

    /// The shapes an image can be copied to, with their names and sizes.
    fn presets(&self) -> Vec<(&'static str, String)> {
        Preset::ALL
            .into_iter()
            .map(|p| {
                let (w, h) = p.size();
                (
                    p.as_str(),
                    format!(
                        "{} ({w} × {h})",
                        self.c.tr.t(&format!("media-preset-{}", p.as_str()))
                    ),
                )
            })
            .collect()
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

#[derive(Deserialize)]
pub struct CopyForm {
    #[serde(default)]
    preset: String,
    /// Where to centre the crop, in percent of the width and height (50, 50 by default).
    #[serde(default)]
    focus_x: Option<String>,
    #[serde(default)]
    focus_y: Option<String>,
}

/// A whole percentage typed in the form, 0 to 100, in thousandths (`Focus`'s unit); empty means
/// the centre; anything else is `None`.
fn per_mille(value: Option<&str>) -> Option<u32> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(500),
        Some(v) => v.parse::<u32>().ok().filter(|n| *n <= 100).map(|n| n * 10),
    }
}

/// `POST /w/{ws}/media/{id}/copy`: a network-sized copy of an image, added to the library.
pub async fn copy(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, MediaId)>,
    Form(form): Form<CopyForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let invalid = |key: &'static str| AppError::Invalid(ValidationError::single("preset", key));
    let outcome = async {
        let preset = Preset::parse(form.preset.trim()).ok_or(invalid("error-media-preset"))?;
        let focus = per_mille(form.focus_x.as_deref())
            .zip(per_mille(form.focus_y.as_deref()))
            .and_then(|(x, y)| Focus::new(x, y))
            .ok_or(invalid("error-media-focus"))?;
        let label = state.i18n().message(
            member.ctx.lang,
            &format!("media-preset-{}", preset.as_str()),
            None,
        );
        copy_to_preset(&state, &member, id, preset, focus, &label).await
    }
    .await;
    match outcome {
        Ok(copy) => Ok(see_other(&format!(
            "/w/{}/media?flash=flash-media-copied#media-{}",
            member.scope.workspace(),
            copy.id
        ))),
        Err(AppError::Invalid(invalid)) => {
            let key = invalid
                .violations
                .first()
                .map_or("error-invalid", |v| v.message_key);
            let message = state.i18n().message(member.ctx.lang, key, None);
            let page = page(&state, &member, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other),
    }
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
