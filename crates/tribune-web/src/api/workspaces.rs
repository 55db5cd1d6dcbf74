//! Workspaces through the API.

use super::extract::ApiJson;
use super::model::{WorkspaceJson, WorkspaceSummaryJson};
use super::page::{Page, PageRequest};
use crate::AppState;
use crate::context::{Authed, Member};
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::workspace::WorkspaceInput;

/// The user's workspaces, by name.
pub async fn list(
    State(state): State<AppState>,
    Authed { user, .. }: Authed,
    page: PageRequest,
) -> Result<Page<WorkspaceSummaryJson>, AppError> {
    let workspaces = state.store().workspaces_of(user.user_id()).await?;
    Ok(Page::of(workspaces, &page, |w| (w.name.clone(), w.id))?.map(Into::into))
}

pub async fn create(
    State(state): State<AppState>,
    Authed { user, .. }: Authed,
    ApiJson(input): ApiJson<WorkspaceInput>,
) -> Result<Response, AppError> {
    let profile = input.validate()?;
    let store = state.store();
    let scope = store.create_workspace(user.user_id(), &profile).await?;
    let workspace = WorkspaceJson::from(store.workspace(&scope).await?);
    Ok(super::created(
        format!("/api/v1/workspaces/{}", workspace.id),
        workspace,
    ))
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<WorkspaceJson>, AppError> {
    Ok(Json(state.store().workspace(&member.scope).await?.into()))
}

/// A partial update: fields left out keep their value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspacePatch {
    name: Option<String>,
    timezone: Option<String>,
    languages: Option<Vec<String>>,
    brand_voice: Option<String>,
    words_to_avoid: Option<Vec<String>>,
    guidelines: Option<String>,
    guidelines_public: Option<bool>,
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    ApiJson(patch): ApiJson<WorkspacePatch>,
) -> Result<Json<WorkspaceJson>, AppError> {
    let store = state.store();
    member
        .scope
        .require(tribune_domain::Role::can_edit_workspace)?;
    let current = store.workspace(&member.scope).await?;
    let current_timezone = current.timezone.clone();
    let input = WorkspaceInput {
        name: patch.name.unwrap_or(current.name),
        timezone: patch.timezone.unwrap_or(current.timezone),
        languages: patch.languages.unwrap_or_else(|| {
            current
                .languages
                .iter()
                .map(|l| l.code().to_owned())
                .collect()
        }),
        brand_voice: patch.brand_voice.unwrap_or(current.brand_voice),
        words_to_avoid: patch.words_to_avoid.unwrap_or(current.words_to_avoid),
        guidelines: patch.guidelines.unwrap_or(current.guidelines),
        guidelines_public: patch.guidelines_public.unwrap_or(current.guidelines_public),
    };
    Ok(Json(
        store
            .update_workspace(&member.scope, &input.validate_update(&current_timezone)?)
            .await?
            .into(),
    ))
}

pub async fn delete(State(state): State<AppState>, member: Member) -> Result<StatusCode, AppError> {
    state.store().delete_workspace(&member.scope).await?;
    Ok(StatusCode::NO_CONTENT)
}
