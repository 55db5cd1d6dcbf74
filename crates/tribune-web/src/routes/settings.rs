//! A workspace's brand profile: name, time zone, languages, voice, words to avoid, guidelines,
//! logo; and deleting the workspace.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::Member;
use crate::error::{AppError, Refused};
use crate::forms::{checkbox, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::publishing::ApprovalPolicy;
use tribune_domain::workspace::{WorkspaceInput, logo_media_type, split_word_list};
use tribune_domain::{Role, ValidationError, timezone};
use tribune_store::workspaces::Workspace;

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    c: Chrome,
    ws: Workspace,
    form: SettingsForm,
    errors: ValidationError,
    can_delete: bool,
}

impl SettingsPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|key| self.c.tr.t(key))
    }

    /// Offered first, above every canonical name.
    fn common_zones(&self) -> &'static [&'static str] {
        timezone::COMMON
    }

    /// The rest of the canonical names (the common ones are not repeated).
    fn other_zones(&self) -> impl Iterator<Item = &'static str> {
        timezone::canonical()
            .iter()
            .copied()
            .filter(|z| !timezone::COMMON.contains(z))
    }

    /// A zone stored before aliases were refused: shown first so saving keeps it.
    fn legacy_zone(&self) -> Option<&str> {
        let zone = self.form.timezone.as_str();
        (zone == self.ws.timezone && !timezone::is_canonical(zone)).then_some(zone)
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    timezone: String,
    lang_fr: Option<String>,
    lang_en: Option<String>,
    #[serde(default)]
    brand_voice: String,
    #[serde(default)]
    words_to_avoid: String,
    #[serde(default)]
    guidelines: String,
    guidelines_public: Option<String>,
    /// `none`, `team` or `client` (tribune_domain::publishing::ApprovalPolicy).
    #[serde(default)]
    approval_policy: String,
}

impl SettingsForm {
    fn from_workspace(ws: &Workspace) -> SettingsForm {
        let has = |code: &str| {
            ws.languages
                .iter()
                .any(|l| l.code() == code)
                .then(|| "on".to_owned())
        };
        SettingsForm {
            name: ws.name.clone(),
            timezone: ws.timezone.clone(),
            lang_fr: has("fr"),
            lang_en: has("en"),
            brand_voice: ws.brand_voice.clone(),
            words_to_avoid: ws.words_to_avoid.join("\n"),
            guidelines: ws.guidelines.clone(),
            guidelines_public: ws.guidelines_public.then(|| "on".to_owned()),
            approval_policy: String::new(),
        }
    }

    fn input(&self) -> WorkspaceInput {
        let mut languages = Vec::new();
        if checkbox(&self.lang_fr) {
            languages.push("fr".to_owned());
        }
        if checkbox(&self.lang_en) {
            languages.push("en".to_owned());
        }
        WorkspaceInput {
            name: self.name.clone(),
            timezone: self.timezone.clone(),
            languages,
            brand_voice: self.brand_voice.clone(),
            words_to_avoid: split_word_list(&self.words_to_avoid),
            guidelines: self.guidelines.clone(),
            guidelines_public: checkbox(&self.guidelines_public),
        }
    }

    pub fn lang_checked(&self, code: &str) -> bool {
        checkbox(if code == "fr" {
            &self.lang_fr
        } else {
            &self.lang_en
        })
    }

    pub fn public_checked(&self) -> bool {
        checkbox(&self.guidelines_public)
    }

    pub fn policy_is(&self, policy: &str) -> bool {
        self.approval_policy == policy
    }
}

async fn page(
    state: &AppState,
    member: &Member,
    form: Option<SettingsForm>,
    errors: ValidationError,
) -> Result<SettingsPage, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let (c, ws) = Chrome::for_member(state, member).await?;
    let form = match form {
        Some(form) => form,
        None => {
            let mut form = SettingsForm::from_workspace(&ws);
            let (policy, _) = state.store().publishing_rules(&member.scope).await?;
            form.approval_policy = policy.as_str().to_owned();
            form
        }
    };
    let can_delete = member.scope.role().can_delete_workspace();
    Ok(SettingsPage {
        c,
        ws,
        form,
        errors,
        can_delete,
    })
}

pub async fn form(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let mut page = page(&state, &member, None, ValidationError::default()).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    Ok(render(&page))
}

pub async fn save(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let current = state.store().workspace(&member.scope).await?;
    match form.input().validate_update(&current.timezone) {
        Ok(profile) => {
            // A form without the field (an older page, a script) keeps the policy.
            let policy = match form.approval_policy.as_str() {
                "" => None,
                given => Some(
                    ApprovalPolicy::parse(given)
                        .ok_or(AppError::BadRequest(crate::error::BadRequest::Form))?,
                ),
            };
            state
                .store()
                .update_workspace(&member.scope, &profile)
                .await?;
            if let Some(policy) = policy
                && state.store().publishing_rules(&member.scope).await?.0 != policy
            {
                state
                    .store()
                    .set_approval_policy(&member.scope, policy)
                    .await?;
            }
            let id = member.scope.workspace();
            Ok(see_other(&format!("/w/{id}/settings?flash=flash-saved")))
        }
        Err(errors) => {
            let mut response = render(&page(&state, &member, Some(form), errors).await?);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// The logo, only to members; served so that a browser never runs it.
pub async fn logo(State(state): State<AppState>, member: Member) -> Result<Response, AppError> {
    let (bytes, media_type) = state
        .store()
        .logo(&member.scope)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(private_image(bytes, media_type))
}

/// An image only members may see, checked on upload, in a sandbox so a browser never runs it.
pub(super) fn private_image(bytes: Vec<u8>, media_type: String) -> Response {
    image(bytes, media_type, "private, max-age=300")
}

/// An image anyone may see (a published charter's logo), checked and sandboxed the same way.
pub(super) fn public_image(bytes: Vec<u8>, media_type: String) -> Response {
    image(bytes, media_type, "public, max-age=300")
}

fn image(bytes: Vec<u8>, media_type: String, cache: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, media_type),
            (CACHE_CONTROL, cache.to_owned()),
            (
                CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn upload_logo(
    State(state): State<AppState>,
    member: Member,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let mut logo = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest(crate::error::BadRequest::Form))?
    {
        if field.name() == Some("logo") {
            let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
            logo = Some(bytes.to_vec());
        }
    }
    let bytes = logo
        .filter(|b| !b.is_empty())
        .ok_or(AppError::BadRequest(crate::error::BadRequest::LogoMissing))?;
    let media_type = logo_media_type(&bytes)?;
    state
        .store()
        .set_logo(&member.scope, Some((bytes, media_type)))
        .await?;
    Ok(see_other(&format!(
        "/w/{}/settings?flash=flash-logo-saved",
        member.scope.workspace()
    )))
}

pub async fn delete_logo(
    State(state): State<AppState>,
    member: Member,
) -> Result<Response, AppError> {
    state.store().set_logo(&member.scope, None).await?;
    Ok(see_other(&format!(
        "/w/{}/settings?flash=flash-saved",
        member.scope.workspace()
    )))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
}

/// Deleting needs the workspace's name typed again: it cannot be undone.
pub async fn delete_workspace(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<DeleteForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_delete_workspace)?;
    let ws = state.store().workspace(&member.scope).await?;
    if form.confirm_name.trim() != ws.name {
        return Err(AppError::Refused(Refused::ConfirmName));
    }
    state.store().delete_workspace(&member.scope).await?;
    // The rows are gone with the workspace; its files go now. A failure leaves only unreachable
    // files (ids are never reused), so it is logged, not shown.
    let workspace = member.scope.workspace();
    if let Err(error) = state.media().storage().delete_workspace(workspace).await {
        tracing::warn!(%workspace, %error, "the deleted workspace's media files were not removed");
    }
    Ok(see_other("/workspaces?flash=flash-workspace-deleted"))
}
