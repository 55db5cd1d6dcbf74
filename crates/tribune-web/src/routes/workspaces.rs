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
use tribune_domain::ValidationError;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::members::Member as MemberRow;
use tribune_store::workspaces::Workspace;

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
    ws: Workspace,
    members: Vec<MemberRow>,
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

pub async fn overview(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let (c, ws) = Chrome::for_member(&state, &member).await?;
    let members = state.store().members(&member.scope).await?;
    Ok(render(&OverviewPage {
        c: c.with_flash(query.flash.as_deref()),
        ws,
        members,
    }))
}
