//! One person who writes to the workspace, reached from any of their messages: what they wrote
//! on the workspace's channels of that network, the team's tags and note, and (owners and
//! managers) their data exported or erased on request.

use super::inbox::{ItemLine, channel_labels, line, member_names};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::{InboxItemId, Role, WorkspaceId};
use tribune_store::contacts::{Contact, ContactKey};
use tribune_store::{StoreError, unix_now};

/// Tags the page offers (in the page's language), besides the team's own.
const SUGGESTED_TAGS: [&str; 5] = [
    "contact-tag-fan",
    "contact-tag-client",
    "contact-tag-influencer",
    "contact-tag-troll",
    "contact-tag-blocked",
];

#[derive(Template)]
#[template(path = "contact.html")]
pub struct ContactPage {
    c: Chrome,
    ws_id: WorkspaceId,
    item: InboxItemId,
    contact: Contact,
    tags_text: String,
    items: Vec<ItemLine>,
    can_answer: bool,
    can_manage: bool,
    errors: Vec<(String, String)>,
    suggested: Vec<String>,
    /// The networks of the workspace's channels, where another identity can be found.
    networks: Vec<String>,
    /// The handle typed in the link form, shown again with its error.
    link_handle: String,
}

impl ContactPage {
    /// Networks differ in whether a handle carries its `@`; the page adds one.
    fn handle(&self) -> &str {
        bare(&self.contact.key.handle)
    }

    fn bare<'a>(&self, handle: &'a str) -> &'a str {
        bare(handle)
    }

    fn field_error(&self, field: &str) -> Option<&str> {
        crate::forms::error_for(&self.errors, field)
    }
}

fn bare(handle: &str) -> &str {
    handle.trim_start_matches('@')
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

async fn page(
    state: &AppState,
    member: &Member,
    item: InboxItemId,
    flash: Option<&str>,
    typed: Option<(String, String)>,
    errors: Vec<(String, String)>,
) -> Result<ContactPage, AppError> {
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    let (mut contact, items) = store.inbox_contact(&member.scope, &key).await?;
    let (chrome, _) = Chrome::for_member(state, member).await?;
    let channels = channel_labels(state, member).await?;
    let members = member_names(state, member).await?;
    let items = items
        .into_iter()
        .map(|i| line(state, &chrome, i, &channels, &members, None))
        .collect();
    let tags_text = match typed {
        Some((tags, note)) => {
            contact.note = note;
            tags
        }
        None => contact.tags.join(", "),
    };
    let role = member.scope.role();
    let chrome_tr = chrome.tr.clone();
    let mut networks: Vec<String> = store
        .channels(&member.scope)
        .await?
        .into_iter()
        .map(|c| c.network)
        .collect();
    networks.sort();
    networks.dedup();
    Ok(ContactPage {
        c: chrome.with_flash(flash),
        ws_id: member.scope.workspace(),
        item,
        contact,
        tags_text,
        items,
        can_answer: role.can_answer(),
        can_manage: role.can_edit_workspace(),
        errors,
        suggested: SUGGESTED_TAGS.iter().map(|k| chrome_tr.t(k)).collect(),
        networks,
        link_handle: String::new(),
    })
}

/// `GET /w/{ws}/inbox/{item}/author`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, item)): Path<(WorkspaceId, InboxItemId)>,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let page = page(
        &state,
        &member,
        item,
        query.flash.as_deref(),
        None,
        Vec::new(),
    )
    .await?;
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    tags: String,
    #[serde(default)]
    note: String,
}

/// The tags as typed: separated by commas, blanks dropped.
pub fn split_tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /w/{ws}/inbox/{item}/author`: the team's tags and note.
pub async fn save(
    State(state): State<AppState>,
    member: Member,
    Path((ws, item)): Path<(WorkspaceId, InboxItemId)>,
    Form(form): Form<ContactForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_answer)?;
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    match store
        .set_inbox_contact(
            &member.scope,
            &key,
            &split_tags(&form.tags),
            &form.note,
            unix_now(),
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/w/{ws}/inbox/{item}/author?flash=flash-contact-saved"
        ))),
        Err(StoreError::Invalid(invalid)) => {
            let errors = super::links::field_errors(&state, member.ctx.lang, &invalid);
            let page = page(
                &state,
                &member,
                item,
                None,
                Some((form.tags, form.note)),
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    network: String,
    #[serde(default)]
    handle: String,
}

/// `POST /w/{ws}/inbox/{item}/author/link`: the same person on another network.
pub async fn link(
    State(state): State<AppState>,
    member: Member,
    Path((ws, item)): Path<(WorkspaceId, InboxItemId)>,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_answer)?;
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    match store
        .link_inbox_contact(
            &member.scope,
            &key,
            form.network.trim(),
            &form.handle,
            unix_now(),
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/w/{ws}/inbox/{item}/author?flash=flash-contact-linked"
        ))),
        Err(StoreError::Invalid(invalid)) => {
            let errors = super::links::field_errors(&state, member.ctx.lang, &invalid);
            let mut page = page(&state, &member, item, None, None, errors).await?;
            page.link_handle = form.handle;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct UnlinkForm {
    #[serde(default)]
    network: String,
    #[serde(default)]
    remote_key: String,
}

/// `POST /w/{ws}/inbox/{item}/author/unlink`: a linked identity is someone else.
pub async fn unlink(
    State(state): State<AppState>,
    member: Member,
    Path((ws, item)): Path<(WorkspaceId, InboxItemId)>,
    Form(form): Form<UnlinkForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_answer)?;
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    store
        .unlink_inbox_contact(&member.scope, &key, &form.network, &form.remote_key)
        .await?;
    Ok(see_other(&format!(
        "/w/{ws}/inbox/{item}/author?flash=flash-contact-unlinked"
    )))
}

/// A JSON file to hand over, named after the network and the day.
pub fn export_response(key: &ContactKey, export: &impl serde::Serialize) -> Response {
    let body = serde_json::to_vec_pretty(export).unwrap_or_default();
    let name = format!(
        "tribune-contact-{}-{}.json",
        key.network,
        jiff::Timestamp::now().strftime("%Y-%m-%d")
    );
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `POST /w/{ws}/inbox/{item}/author/export`: everything held about them, as a JSON file.
pub async fn export(
    State(state): State<AppState>,
    member: Member,
    Path((_, item)): Path<(WorkspaceId, InboxItemId)>,
) -> Result<Response, AppError> {
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    let export = store
        .export_inbox_contact(&member.scope, &key, unix_now())
        .await?;
    Ok(export_response(&key, &export))
}

/// `POST /w/{ws}/inbox/{item}/author/erase`: their messages and the team's notes about them,
/// once the box is ticked.
pub async fn erase(
    State(state): State<AppState>,
    member: Member,
    Path((ws, item)): Path<(WorkspaceId, InboxItemId)>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    confirmation.require()?;
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    let (_, more) = store.erase_inbox_contact(&member.scope, &key).await?;
    let flash = if more {
        "flash-warn-contact-erase-more"
    } else {
        "flash-contact-erased"
    };
    Ok(see_other(&format!("/w/{ws}/inbox?flash={flash}")))
}
