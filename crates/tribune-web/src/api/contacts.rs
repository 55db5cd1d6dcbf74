//! One person who writes to the workspace, through the API, reached from any of their messages.

use super::extract::{ApiJson, ApiPath};
use super::inbox::ItemJson;
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tribune_domain::{InboxItemId, WorkspaceId};
use tribune_store::contacts::Contact;
use tribune_store::unix_now;

#[derive(Serialize)]
pub struct ContactJson {
    /// The network, and who they are on it: its id for them when it gives one, their handle.
    network: String,
    remote_id: Option<String>,
    handle: String,
    /// The name on their newest message.
    name: String,
    url: Option<String>,
    /// The team's tags (lower case, sorted) and note.
    tags: Vec<String>,
    note: String,
    /// Their messages in the workspace.
    messages: i64,
    updated_at: Option<String>,
    /// The same person's other identities, as the team linked them (their messages are in
    /// `messages` and `items`).
    linked: Vec<LinkedJson>,
    /// Their newest messages (at most 200).
    items: Vec<ItemJson>,
}

#[derive(Serialize)]
pub struct LinkedJson {
    network: String,
    /// Their id on that network, or their handle when it gives none.
    remote_key: String,
    handle: String,
    name: String,
    /// Their newest message under that identity (its `…/author` is the same person).
    newest_item: Option<i64>,
}

impl ContactJson {
    fn new(contact: Contact, items: Vec<ItemJson>) -> ContactJson {
        ContactJson {
            network: contact.key.network,
            remote_id: contact.key.remote_id,
            handle: contact.key.handle,
            name: contact.name,
            url: contact.url,
            tags: contact.tags,
            note: contact.note,
            messages: contact.messages,
            updated_at: contact.updated_at.map(super::posts::rfc3339),
            linked: contact
                .linked
                .into_iter()
                .map(|l| LinkedJson {
                    network: l.network,
                    remote_key: l.remote_key,
                    handle: l.handle,
                    name: l.name,
                    newest_item: l.newest_item.map(|i| i.0),
                })
                .collect(),
            items,
        }
    }
}

async fn answer(
    state: &AppState,
    member: &Member,
    item: InboxItemId,
) -> Result<Json<ContactJson>, AppError> {
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    let (contact, items) = store.inbox_contact(&member.scope, &key).await?;
    let now = unix_now();
    Ok(Json(ContactJson::new(
        contact,
        items.into_iter().map(|i| ItemJson::new(i, now)).collect(),
    )))
}

/// `GET /inbox/{item}/author`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, item)): ApiPath<(WorkspaceId, InboxItemId)>,
) -> Result<Json<ContactJson>, AppError> {
    answer(&state, &member, item).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    note: Option<String>,
}

/// `PATCH /inbox/{item}/author`: the team's tags and note (fields left out keep their value).
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, item)): ApiPath<(WorkspaceId, InboxItemId)>,
    ApiJson(patch): ApiJson<ContactPatch>,
) -> Result<Json<ContactJson>, AppError> {
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    let (current, _) = store.inbox_contact(&member.scope, &key).await?;
    store
        .set_inbox_contact(
            &member.scope,
            &key,
            &patch.tags.unwrap_or(current.tags),
            &patch.note.unwrap_or(current.note),
            unix_now(),
        )
        .await?;
    answer(&state, &member, item).await
}

/// `POST /inbox/{item}/author/export`: everything held about them (GDPR access request).
pub async fn export(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, item)): ApiPath<(WorkspaceId, InboxItemId)>,
) -> Result<Response, AppError> {
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    let export = store
        .export_inbox_contact(&member.scope, &key, unix_now())
        .await?;
    Ok(crate::routes::contact_export_response(&key, &export))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    network: String,
    /// Their handle (with or without `@`) or their id on that network.
    handle: String,
}

/// `POST /inbox/{item}/author/links`: the same person on another network (or under another
/// name): the newest author of a message there with that handle or id. Their tags and notes
/// are merged; an export or an erasure covers both from then on.
pub async fn link(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, item)): ApiPath<(WorkspaceId, InboxItemId)>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Json<ContactJson>, AppError> {
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    store
        .link_inbox_contact(&member.scope, &key, &body.network, &body.handle, unix_now())
        .await?;
    answer(&state, &member, item).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnlinkBody {
    network: String,
    remote_key: String,
}

/// `POST /inbox/{item}/author/unlink`: one of the linked identities is someone else.
pub async fn unlink(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, item)): ApiPath<(WorkspaceId, InboxItemId)>,
    ApiJson(body): ApiJson<UnlinkBody>,
) -> Result<Json<ContactJson>, AppError> {
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    store
        .unlink_inbox_contact(&member.scope, &key, &body.network, &body.remote_key)
        .await?;
    answer(&state, &member, item).await
}

#[derive(Serialize)]
pub struct ErasedJson {
    /// Messages erased.
    erased: u64,
    /// More are left (past 5,000 per call): call again.
    more: bool,
}

/// `POST /inbox/{item}/author/erase`: their messages and the team's notes about them (GDPR
/// erasure request).
pub async fn erase(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, item)): ApiPath<(WorkspaceId, InboxItemId)>,
) -> Result<Json<ErasedJson>, AppError> {
    let store = state.store();
    let key = store.inbox_contact_key(&member.scope, item).await?;
    let (erased, more) = store.erase_inbox_contact(&member.scope, &key).await?;
    Ok(Json(ErasedJson { erased, more }))
}
