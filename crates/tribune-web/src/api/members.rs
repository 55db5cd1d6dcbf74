//! Members and invitations through the API.

use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use tribune_domain::{InvitationId, Role, UserId};
use tribune_store::invitations::Invitation;
use tribune_store::members::Member as MemberRow;
use tribune_store::unix_now;

pub async fn list(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<MemberRow>>, AppError> {
    Ok(Json(state.store().members(&member.scope).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: Role,
}

pub async fn set_role(
    State(state): State<AppState>,
    member: Member,
    Path((_, user)): Path<(i64, i64)>,
    Json(body): Json<RoleBody>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .set_member_role(&member.scope, UserId(user), body.role)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove(
    State(state): State<AppState>,
    member: Member,
    Path((_, user)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .remove_member(&member.scope, UserId(user))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn invitations(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<Invitation>>, AppError> {
    member.scope.require(Role::can_manage_members)?;
    Ok(Json(
        state
            .store()
            .pending_invitations(&member.scope, unix_now())
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    email: String,
    role: Role,
}

/// Creates (or renews) an invitation; the link (with its secret) is in the answer and, when
/// SMTP is set up, in the e-mail sent to the invited address.
pub async fn invite(
    State(state): State<AppState>,
    member: Member,
    Json(body): Json<InviteBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let (token, invitation) = state
        .store()
        .create_invitation(&member.scope, &body.email, body.role, unix_now())
        .await?;
    let url = format!(
        "{}/invite/{token}",
        state.config().public_url.trim_end_matches('/')
    );
    crate::routes::send_invitation(&state, &member, &invitation, body.role, &url).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "invitation": invitation, "url": url })),
    ))
}

pub async fn revoke(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .revoke_invitation(&member.scope, InvitationId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
