//! The list of one's workspaces, creating one, and a workspace's overview.

use crate::AppState;
use crate::context::{Authed, Member};
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::workspace::WorkspaceInput;
use tribune_domain::{Role, ValidationError};
use tribune_store::overview::{ChannelCounts, Overview, OverviewMember, OverviewWorkspace};
use tribune_store::unix_now;

#[derive(Deserialize)]
pub struct FlashQuery {
    pub flash: Option<String>,
}

#[derive(Template)]
#[template(path = "workspaces.html")]
pub struct WorkspacesPage {
    c: Chrome,
    /// Whether the form to create a workspace is offered (instance admins and the people they
    /// allowed; the store refuses the others anyway).
    may_create: bool,
    name: String,
    errors: ValidationError,
}

impl WorkspacesPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|key| self.c.tr.t(key))
    }
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    c: Chrome,
    ws: OverviewWorkspace,
    members: Vec<OverviewMember>,
    /// What is left to do to get the workspace going, for those who can do it.
    next_steps: Vec<NextStep>,
    channels: ChannelCounts,
}

/// One thing to do next on the overview, shown until it is done.
pub struct NextStep {
    /// Catalogue keys.
    pub label: &'static str,
    pub help: &'static str,
    pub href: String,
}

/// Connect a channel (until one is active), invite the client (until a client is a member or
/// invited), publish the charter (until it is public); each to whoever may do it.
fn next_steps(overview: &Overview, role: Role) -> Vec<NextStep> {
    let ws = &overview.workspace;
    let mut steps = Vec::new();
    if role.can_manage_channels() && overview.channels.active == 0 {
        steps.push(NextStep {
            label: "overview-step-channel",
            help: "overview-step-channel-help",
            href: format!("/w/{}/channels", ws.id),
        });
    }
    if role.can_manage_members() && !overview.has_client() && !overview.client_invited {
        steps.push(NextStep {
            label: "overview-step-invite",
            help: "overview-step-invite-help",
            href: format!("/w/{}/members#invite-email", ws.id),
        });
    }
    if role.can_edit_workspace() && !ws.guidelines_public {
        steps.push(NextStep {
            label: "overview-step-charter",
            help: "overview-step-charter-help",
            href: format!("/w/{}/settings#guidelines", ws.id),
        });
    }
    steps
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    lang_fr: Option<String>,
    lang_en: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Authed { ctx, user }: Authed,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let c = Chrome::load(&state, &ctx)
        .await?
        .with_flash(query.flash.as_deref());
    Ok(render(&WorkspacesPage {
        c,
        may_create: state.store().may_create_workspaces(user.user_id()).await?,
        name: String::new(),
        errors: ValidationError::default(),
    }))
}

pub async fn create(
    State(state): State<AppState>,
    Authed { ctx, user }: Authed,
    Form(form): Form<CreateForm>,
) -> Result<Response, AppError> {
    let mut languages = Vec::new();
    if crate::forms::checkbox(&form.lang_fr) {
        languages.push("fr".to_owned());
    }
    if crate::forms::checkbox(&form.lang_en) {
        languages.push("en".to_owned());
    }
    let input = WorkspaceInput {
        name: form.name.clone(),
        languages,
        ..Default::default()
    };
    match input.validate() {
        Ok(profile) => {
            let scope = state
                .store()
                .create_workspace(user.user_id(), &profile)
                .await?;
            Ok(see_other(&format!(
                "/w/{}?flash=flash-workspace-created",
                scope.workspace()
            )))
        }
        Err(errors) => {
            let c = Chrome::load(&state, &ctx).await?;
            let mut response = render(&WorkspacesPage {
                c,
                may_create: true,
                name: form.name,
                errors,
            });
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// The workspace's overview: one query besides the session's (which brought the scope and
/// the switcher).
pub async fn overview(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let overview = state.store().overview(&member.scope, unix_now()).await?;
    let ws = &overview.workspace;
    let c = Chrome::in_workspace(
        &state,
        &member,
        &ws.name,
        &ws.timezone,
        ws.has_logo,
        overview.channels.broken,
    );
    let next_steps = next_steps(&overview, member.scope.role());
    Ok(render(&OverviewPage {
        c: c.with_flash(query.flash.as_deref()),
        next_steps,
        channels: overview.channels,
        members: overview.members,
        ws: overview.workspace,
    }))
}
