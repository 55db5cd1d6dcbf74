//! The workspace's saved replies: the list with a form to write one, each one's form to change
//! or delete it. Owners and managers keep them; the inbox's reply form offers them to all.

use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::{Role, SavedReplyId, WorkspaceId};
use tribune_store::saved_replies::SavedReply;
use tribune_store::{StoreError, unix_now};

#[derive(Template)]
#[template(path = "saved_replies.html")]
pub struct SavedRepliesPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_edit: bool,
    replies: Vec<SavedReply>,
    form: ReplyForm,
    /// The reply the errors are about (`None`: the new one).
    errors_for: Option<SavedReplyId>,
    errors: Vec<(String, String)>,
}

impl SavedRepliesPage {
    fn field_error(&self, id: Option<&SavedReplyId>, field: &str) -> Option<&str> {
        if id.copied() != self.errors_for {
            return None;
        }
        crate::forms::error_for(&self.errors, field)
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct ReplyForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

async fn page(
    state: &AppState,
    member: &Member,
    flash: Option<&str>,
    form: ReplyForm,
    errors_for: Option<SavedReplyId>,
    errors: Vec<(String, String)>,
) -> Result<SavedRepliesPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    Ok(SavedRepliesPage {
        c: chrome.with_flash(flash),
        ws_id: member.scope.workspace(),
        can_edit: member.scope.role().can_edit_workspace(),
        replies: state.store().saved_replies(&member.scope).await?,
        form,
        errors_for,
        errors,
    })
}

/// `GET /w/{ws}/replies`.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let page = page(
        &state,
        &member,
        query.flash.as_deref(),
        ReplyForm::default(),
        None,
        Vec::new(),
    )
    .await?;
    Ok(render(&page))
}

async fn refused(
    state: &AppState,
    member: &Member,
    form: ReplyForm,
    errors_for: Option<SavedReplyId>,
    invalid: &tribune_domain::ValidationError,
) -> Result<Response, AppError> {
    let errors = super::links::field_errors(state, member.ctx.lang, invalid);
    let page = page(state, member, None, form, errors_for, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// `POST /w/{ws}/replies`: a new saved reply.
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<ReplyForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    match state
        .store()
        .create_saved_reply(&member.scope, &form.title, &form.body, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/w/{}/replies?flash=flash-saved-reply-saved",
            member.scope.workspace()
        ))),
        Err(StoreError::Invalid(invalid)) => refused(&state, &member, form, None, &invalid).await,
        Err(other) => Err(other.into()),
    }
}

/// `POST /w/{ws}/replies/{reply}`: changes one.
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, SavedReplyId)>,
    Form(form): Form<ReplyForm>,
) -> Result<Response, AppError> {
    match state
        .store()
        .update_saved_reply(&member.scope, id, &form.title, &form.body, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/w/{ws}/replies?flash=flash-saved-reply-saved"
        ))),
        Err(StoreError::Invalid(invalid)) => {
            refused(&state, &member, ReplyForm::default(), Some(id), &invalid).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /w/{ws}/replies/{reply}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, SavedReplyId)>,
) -> Result<Response, AppError> {
    state.store().delete_saved_reply(&member.scope, id).await?;
    Ok(see_other(&format!(
        "/w/{ws}/replies?flash=flash-saved-reply-deleted"
    )))
}
