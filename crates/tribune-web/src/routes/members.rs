//! A workspace's members: roles, invitations, removal, leaving.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::{InvitationId, Role, UserId};
use tribune_store::invitations::Invitation;
use tribune_store::members::Member as MemberRow;
use tribune_store::unix_now;

#[derive(Template)]
#[template(path = "members.html")]
pub struct MembersPage {
    c: Chrome,
    members: Vec<MemberRow>,
    invitations: Vec<Invitation>,
    /// The link of an invitation just created, shown once.
    new_link: Option<String>,
    me: i64,
    ws_id: i64,
    roles: Vec<&'static str>,
    error: Option<String>,
}

impl MembersPage {
    /// Whether the viewer may change this member's role or remove them.
    fn can_change(&self, role: &str) -> bool {
        let viewer = self.c.current.as_ref().map(|w| w.role);
        match (viewer, Role::parse(role)) {
            (Some(viewer), Some(target)) => {
                viewer.can_manage_members() && viewer.can_assign(target)
            }
            _ => false,
        }
    }

    fn can_grant(&self, role: &&str) -> bool {
        let viewer = self.c.current.as_ref().map(|w| w.role);
        matches!((viewer, Role::parse(role)), (Some(v), Some(r)) if v.can_assign(r))
    }
}

async fn page(
    state: &AppState,
    member: &Member,
    new_link: Option<String>,
    error: Option<&'static str>,
) -> Result<MembersPage, AppError> {
    let (c, _) = Chrome::for_member(state, member).await?;
    let store = state.store();
    let members = store.members(&member.scope).await?;
    let invitations = if member.scope.role().can_manage_members() {
        store.pending_invitations(&member.scope, unix_now()).await?
    } else {
        Vec::new()
    };
    let error = error.map(|key| c.tr.t(key));
    Ok(MembersPage {
        c,
        members,
        invitations,
        new_link,
        me: member.user.id,
        ws_id: member.scope.workspace().0,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        error,
    })
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let mut page = page(&state, &member, None, None).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn invite(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let role = Role::parse(&form.role).ok_or(AppError::BadRequest("error-role"))?;
    let created = state
        .store()
        .create_invitation(&member.scope, &form.email, role, unix_now())
        .await;
    match created {
        Ok((token, _)) => {
            let link = format!(
                "{}/invite/{token}",
                state.config().public_url.trim_end_matches('/')
            );
            Ok(render(&page(&state, &member, Some(link), None).await?))
        }
        Err(tribune_store::StoreError::Invalid(_)) => Ok(render(
            &page(&state, &member, None, Some("error-email")).await?,
        )),
        Err(tribune_store::StoreError::Conflict(_)) => Ok(render(
            &page(&state, &member, None, Some("error-already-member")).await?,
        )),
        Err(other) => Err(other.into()),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    state
        .store()
        .revoke_invitation(&member.scope, InvitationId(id))
        .await?;
    Ok(see_other(&format!(
        "/w/{}/members?flash=flash-invitation-revoked",
        member.scope.workspace()
    )))
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    member: Member,
    Path((_, user)): Path<(i64, i64)>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let role = Role::parse(&form.role).ok_or(AppError::BadRequest("error-role"))?;
    state
        .store()
        .set_member_role(&member.scope, UserId(user), role)
        .await?;
    Ok(see_other(&format!(
        "/w/{}/members?flash=flash-saved",
        member.scope.workspace()
    )))
}

/// Takes a member out of the workspace; only with the box ticked.
pub async fn remove(
    State(state): State<AppState>,
    member: Member,
    Path((_, user)): Path<(i64, i64)>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .remove_member(&member.scope, UserId(user))
        .await?;
    if user == member.user.id {
        return Ok(see_other("/workspaces?flash=flash-left"));
    }
    Ok(see_other(&format!(
        "/w/{}/members?flash=flash-member-removed",
        member.scope.workspace()
    )))
}

/// Leaves the workspace; only with the box ticked.
pub async fn leave(
    State(state): State<AppState>,
    member: Member,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .remove_member(&member.scope, member.user.user_id())
        .await?;
    Ok(see_other("/workspaces?flash=flash-left"))
}
