//! A workspace's members: roles, invitations, removal, leaving.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::{Member, cookie, set_cookie, with_cookies};
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tribune_domain::{InvitationId, Role, UserId, WorkspaceId};
use tribune_store::invitations::Invitation;
use tribune_store::members::Member as MemberRow;
use tribune_store::unix_now;

#[derive(Template)]
#[template(path = "members.html")]
pub struct MembersPage {
    c: Chrome,
    members: Vec<MemberRow>,
    invitations: Vec<Invitation>,
    /// The invitation just created or renewed, its link shown once.
    created: Option<NewInvitation>,
    me: UserId,
    ws_id: WorkspaceId,
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
    created: Option<NewInvitation>,
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
        created,
        me: member.user.id,
        ws_id: member.scope.workspace(),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        error,
    })
}

/// An invitation just made, carried from the form's POST to the page it redirects to in a
/// short-lived sealed cookie: the secret link is shown once, and reloading the page neither
/// shows it again nor invites twice.
#[derive(Serialize, Deserialize)]
pub struct NewInvitation {
    workspace: WorkspaceId,
    email: String,
    link: String,
    /// Sent by e-mail (SMTP is set up).
    mailed: bool,
    /// The address mixes alphabets (a Cyrillic `а` among Latin letters…): worth a second look.
    mixed_scripts: bool,
}

const NEW_INVITATION_COOKIE: &str = "tribune_new_invitation";

/// The invitation the previous POST left for this workspace, if any, and whether a cookie must
/// be cleared.
fn take_new_invitation(
    state: &AppState,
    headers: &HeaderMap,
    workspace: WorkspaceId,
) -> (Option<NewInvitation>, bool) {
    let Some(sealed) = cookie(headers, NEW_INVITATION_COOKIE) else {
        return (None, false);
    };
    let created = state
        .secrets()
        .open(sealed)
        .ok()
        .and_then(|json| serde_json::from_str::<NewInvitation>(&json).ok())
        .filter(|created| created.workspace == workspace);
    (created, true)
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    headers: HeaderMap,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let (created, clear) = take_new_invitation(&state, &headers, member.scope.workspace());
    let shows_secret = created.is_some();
    let mut page = page(&state, &member, created, None).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    let mut response = render(&page);
    if shows_secret {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if clear {
        let secure = state.config().secure_cookies();
        response = with_cookies(
            response,
            vec![set_cookie(NEW_INVITATION_COOKIE, "", 0, secure)],
        );
    }
    Ok(response)
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
    let role =
        Role::parse(&form.role).ok_or(AppError::BadRequest(crate::error::BadRequest::Role))?;
    let store = state.store();
    let created = store
        .create_invitation(&member.scope, &form.email, role, unix_now())
        .await;
    match created {
        Ok((token, invitation)) => {
            let link = format!(
                "{}/invite/{token}",
                state.config().public_url.trim_end_matches('/')
            );
            send_invitation(&state, &member, &invitation, role, &link).await?;
            let workspace = member.scope.workspace();
            let created = NewInvitation {
                workspace,
                mixed_scripts: tribune_domain::text_safety::email_mixes_scripts(&invitation.email),
                email: invitation.email,
                link,
                mailed: state.mailer().await?.is_some(),
            };
            let json = serde_json::to_string(&created).map_err(|e| AppError::Internal(e.into()))?;
            let sealed = state.secrets().seal(&json);
            let secure = state.config().secure_cookies();
            Ok(with_cookies(
                see_other(&format!("/w/{workspace}/members")),
                vec![set_cookie(NEW_INVITATION_COOKIE, &sealed, 300, secure)],
            ))
        }
        Err(tribune_store::StoreError::Invalid(invalid)) => {
            let key = invalid.for_field("email").unwrap_or("error-email");
            Ok(render(&page(&state, &member, None, Some(key)).await?))
        }
        Err(tribune_store::StoreError::Conflict(conflict)) => Ok(render(
            &page(&state, &member, None, Some(conflict.key())).await?,
        )),
        Err(other) => Err(other.into()),
    }
}

/// Sends the invitation by e-mail when SMTP is set up (in the inviter's language), without
/// waiting for the server.
pub(crate) async fn send_invitation(
    state: &AppState,
    member: &Member,
    invitation: &Invitation,
    role: Role,
    link: &str,
) -> Result<(), AppError> {
    if let Some(mailer) = state.mailer().await? {
        let workspace = state.store().workspace(&member.scope).await?;
        let message = tribune_mail::Invitation {
            workspace: workspace.name,
            inviter: member.user.name.clone(),
            role,
            link: link.to_owned(),
            expires_at: invitation.expires_at,
        };
        mailer.send_in_background(&invitation.email, member.ctx.lang, &message);
    }
    Ok(())
}

/// Revokes a pending invitation: its link stops working. Asks for the confirmation box, like
/// the other destructive actions.
pub async fn revoke(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, InvitationId)>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state.store().revoke_invitation(&member.scope, id).await?;
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
    Path((_, user)): Path<(WorkspaceId, UserId)>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let role =
        Role::parse(&form.role).ok_or(AppError::BadRequest(crate::error::BadRequest::Role))?;
    state
        .store()
        .set_member_role(&member.scope, user, role)
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
    Path((_, user)): Path<(WorkspaceId, UserId)>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state.store().remove_member(&member.scope, user).await?;
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
