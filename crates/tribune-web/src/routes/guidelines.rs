//! The workspace's community guidelines (charte de bonne conduite), public when published.

use crate::AppState;
use crate::context::RequestCtx;
use crate::error::AppError;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

#[derive(Template)]
#[template(path = "guidelines.html")]
pub struct GuidelinesPage {
    c: Chrome,
    name: String,
    paragraphs: Vec<String>,
}

pub async fn public(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let (name, text) = state
        .store()
        .public_guidelines(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let paragraphs = text
        .split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    Ok(render(&GuidelinesPage {
        c: Chrome::bare(&state, &ctx),
        name,
        paragraphs,
    }))
}
