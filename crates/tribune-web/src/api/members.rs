//! Members and invitations through the API.

use super::extract::{ApiJson, ApiPath};
use super::model::{InvitationCreatedJson, InvitationJson, MemberJson};
use super::page::{Page, PageRequest};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::{InvitationId, Role, UserId, WorkspaceId};
use tribune_store::unix_now;

/// The workspace's members, by name.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageRequest,
) -> Result<Page<MemberJson>, AppError> {
    let members = state.store().members(&member.scope).await?;
    Ok(Page::of(members, &page, |m| (m.name.clone(), m.user_id))?.map(Into::into))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: Role,
}

pub async fn set_role(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, user)): ApiPath<(WorkspaceId, UserId)>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .set_member_role(&member.scope, user, body.role)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, user)): ApiPath<(WorkspaceId, UserId)>,
) -> Result<StatusCode, AppError> {
    state.store().remove_member(&member.scope, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pending invitations, newest first.
pub async fn invitations(
    State(state): State<AppState>,
    member: Member,
    page: PageRequest,
) -> Result<Page<InvitationJson>, AppError> {
    member.scope.require(Role::can_manage_members)?;
    let pending = state
        .store()
        .pending_invitations(&member.scope, unix_now())
        .await?;
    Ok(Page::of(pending, &page, |i| (-i.created_at, -i.id.0))?.map(Into::into))
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
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<Response, AppError> {
    let (token, invitation) = state
        .store()
        .create_invitation(&member.scope, &body.email, body.role, unix_now())
        .await?;
    let url = format!(
        "{}/invite/{token}",
        state.config().public_url.trim_end_matches('/')
    );
    crate::routes::send_invitation(&state, &member, &invitation, body.role, &url).await?;
    let invitation = InvitationJson::from(invitation);
    Ok(super::created(
        format!(
            "/api/v1/workspaces/{}/invitations/{}",
            member.scope.workspace(),
            invitation.id
        ),
        InvitationCreatedJson { invitation, url },
    ))
}

pub async fn revoke(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, InvitationId)>,
) -> Result<StatusCode, AppError> {
    state.store().revoke_invitation(&member.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
