//! The workspace's community guidelines (charte de bonne conduite), public when published:
//! under the workspace's name and logo, in its first language, with simple formatting.

use super::settings::public_image;
use crate::AppState;
use crate::context::RequestCtx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::render;
use crate::{prose, static_files};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "guidelines.html")]
pub struct GuidelinesPage {
    /// In the workspace's language, not the visitor's: the page is the brand's.
    tr: Tr,
    name: String,
    slug: String,
    has_logo: bool,
    /// Sanitised HTML from [`prose::markdown_to_html`].
    body: String,
    asset_version: &'static str,
}

pub async fn public(
    State(state): State<AppState>,
    _ctx: RequestCtx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let ws = state
        .store()
        .public_workspace(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = ws.languages.first().copied().unwrap_or_default();
    Ok(render(&GuidelinesPage {
        tr: Tr::new(&state, lang),
        body: prose::markdown_to_html(&ws.guidelines, lang),
        name: ws.name,
        slug: ws.public_slug,
        has_logo: ws.has_logo,
        asset_version: static_files::version(),
    }))
}

/// The logo on the public page: public while the charter is published.
pub async fn logo(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let (bytes, media_type) = state
        .store()
        .public_logo(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(public_image(bytes, media_type))
}
