//! The inbox through the API: list with filters and the query language, one item with its
//! conversation, triage (singly and in bulk), notes, replies (sent by a job, exactly once) and
//! moderation through the item's channel.

use super::extract::{ApiJson, ApiPath};
use super::posts::{double_option, parse_time, rfc3339};
use crate::AppState;
use crate::context::Member;
use crate::error::{AppError, InputError};
use crate::inbox;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tribune_domain::inbox::ItemStatus;
use tribune_domain::{
    ChannelId, InboxItemId, InboxNoteId, InboxReplyId, SavedReplyId, UserId, WorkspaceId,
};
use tribune_store::inbox::{Item, ItemChange, Note, Reply};
use tribune_store::unix_now;

#[derive(Serialize)]
pub struct AuthorJson {
    handle: String,
    name: String,
    /// The author's profile on the network, when it gives one.
    url: Option<String>,
}

/// An item as the API shows it.
#[derive(Serialize)]
pub struct ItemJson {
    id: InboxItemId,
    channel_id: ChannelId,
    /// `comment`, `mention` or `message` (a direct message).
    kind: &'static str,
    /// Plain text (never HTML).
    text: String,
    author: AuthorJson,
    /// The item on its network.
    url: Option<String>,
    /// When tribune stored it.
    received_at: String,
    /// When the network says it was written.
    created_at: String,
    /// Detected language (`fr`, `en`…), empty when unknown.
    lang: String,
    /// `neg`, `neu` or `pos`.
    sentiment: &'static str,
    /// Scores in [0, 1]; flagged at 0.5 and above.
    toxicity: f64,
    spam: f64,
    /// `new`, `in_progress`, `done` or `snoozed` (a snooze that has run out is `new`).
    status: &'static str,
    snoozed_until: Option<String>,
    assignee: Option<UserId>,
    labels: Vec<String>,
    /// Its state on the network: `visible`, `hidden`, `held`, `spam`, `trashed`, `deleted`.
    network_status: String,
    /// Web links in or beside the text.
    links: Vec<String>,
    first_response_at: Option<String>,
    /// The deadline for a first answer (when the workspace had a response-time target as it
    /// arrived).
    due_at: Option<String>,
    /// Where that clock stands: `running`, `breached` (waiting past the deadline), `met` or
    /// `missed` (answered or marked done in time, or late); `null` without a deadline.
    clock: Option<&'static str>,
}

impl ItemJson {
    pub fn new(item: Item, now: i64) -> ItemJson {
        let clock = item.clock(0, now).map(|c| c.as_str());
        ItemJson {
            due_at: item.due_at.map(rfc3339),
            clock,
            id: item.id,
            channel_id: item.channel,
            kind: item.kind.as_str(),
            status: item.status_at(now).as_str(),
            text: item.text,
            author: AuthorJson {
                handle: item.author.handle,
                name: item.author.name,
                url: item.author.url,
            },
            url: item.url,
            received_at: rfc3339(item.received_at),
            created_at: rfc3339(item.created_at),
            lang: item.lang,
            sentiment: item.tone.as_str(),
            toxicity: item.toxicity,
            spam: item.spam,
            snoozed_until: item
                .snoozed_until
                .filter(|_| item.status == ItemStatus::Snoozed)
                .map(rfc3339),
            assignee: item.assignee,
            labels: item.labels,
            network_status: item.network_status,
            links: item.links,
            first_response_at: item.first_response_at.map(rfc3339),
        }
    }
}

#[derive(Serialize)]
pub struct InboxPageJson {
    items: Vec<ItemJson>,
    /// Pass as `cursor` for the next page; `null` at the end. A page can hold fewer items than
    /// `limit` and still have a next one (a search reads a bounded number of rows per call).
    next_cursor: Option<String>,
}

/// `GET /inbox`: newest first, filtered (see `crate::inbox::FILTERS`).
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Json<InboxPageJson>, AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    // The days of `from` and `to` are the workspace's: read its time zone only for them.
    let tz = if inbox::has_dates(&pairs) {
        let workspace = state.store().workspace(&member.scope).await?;
        crate::dates::zone(&workspace.timezone)
    } else {
        jiff::tz::TimeZone::UTC
    };
    let filters = inbox::parse(&pairs, member.scope.user(), &tz)?;
    let mut limit = super::page::DEFAULT_LIMIT as u64;
    let mut before = None;
    for (name, value) in &pairs {
        let invalid = || AppError::Input(InputError::InvalidQuery(name.clone()));
        match name.as_str() {
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=super::MAX_LIMIT as u64).contains(l))
                    .ok_or_else(invalid)?;
            }
            "cursor" => {
                before = Some(InboxItemId(
                    super::page::decode::<i64>(value).ok_or_else(invalid)?,
                ));
            }
            _ => {}
        }
    }
    let page = inbox::list(state.store(), &member.scope, &filters, before, limit).await?;
    let now = unix_now();
    let next_cursor = page
        .next_cursor
        .map(|id| super::page::encode(&id.0))
        .transpose()?;
    Ok(Json(InboxPageJson {
        items: page
            .items
            .into_iter()
            .map(|i| ItemJson::new(i, now))
            .collect(),
        next_cursor,
    }))
}

#[derive(Serialize)]
pub struct ReplyJson {
    id: InboxReplyId,
    text: String,
    /// `pending` (queued), `sent` or `failed`.
    state: String,
    url: Option<String>,
    /// Why it failed, in the network's words when it said something.
    error: Option<String>,
    author_id: Option<UserId>,
    created_at: String,
    sent_at: Option<String>,
}

impl From<Reply> for ReplyJson {
    fn from(r: Reply) -> ReplyJson {
        ReplyJson {
            id: r.id,
            text: r.text,
            state: r.state,
            url: r.url,
            error: r.error,
            author_id: r.author_id,
            created_at: rfc3339(r.created_at),
            sent_at: r.sent_at.map(rfc3339),
        }
    }
}

#[derive(Serialize)]
pub struct NoteJson {
    id: InboxNoteId,
    body: String,
    author_id: Option<UserId>,
    author_name: Option<String>,
    created_at: String,
}

impl From<Note> for NoteJson {
    fn from(n: Note) -> NoteJson {
        NoteJson {
            id: n.id,
            body: n.body,
            author_id: n.author_id,
            author_name: n.author_name,
            created_at: rfc3339(n.created_at),
        }
    }
}

/// The post a conversation starts from: tribune's own (`post_id`), or read from the network.
#[derive(Serialize)]
pub struct OriginalJson {
    /// `tribune` (published by tribune) or `network` (read from the network).
    source: &'static str,
    post_id: Option<i64>,
    text: String,
    author: Option<AuthorJson>,
    url: Option<String>,
    created_at: Option<String>,
}

impl From<tribune_store::inbox_originals::Original> for OriginalJson {
    fn from(original: tribune_store::inbox_originals::Original) -> OriginalJson {
        use tribune_store::inbox_originals::Original;
        match original {
            Original::Published { post, text } => OriginalJson {
                source: "tribune",
                post_id: Some(post.0),
                text,
                author: None,
                url: None,
                created_at: None,
            },
            Original::Network {
                author_handle,
                author_name,
                author_url,
                text,
                url,
                created_at,
            } => OriginalJson {
                source: "network",
                post_id: None,
                text,
                author: Some(AuthorJson {
                    handle: author_handle,
                    name: author_name,
                    url: author_url,
                }),
                url,
                created_at: created_at.map(rfc3339),
            },
        }
    }
}

/// One item with its conversation (oldest first), the post it starts from, the replies
/// written in tribune and the team's notes.
#[derive(Serialize)]
pub struct ItemDetailJson {
    #[serde(flatten)]
    item: ItemJson,
    original: Option<OriginalJson>,
    thread: Vec<ItemJson>,
    replies: Vec<ReplyJson>,
    notes: Vec<NoteJson>,
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, InboxItemId)>,
) -> Result<Json<ItemDetailJson>, AppError> {
    let store = state.store();
    let item = store.inbox_item(&member.scope, id).await?;
    let thread = store.inbox_thread(&member.scope, &item).await?;
    let original = store.inbox_original(&member.scope, &item).await?;
    let replies = store.inbox_replies(&member.scope, id).await?;
    let notes = store.inbox_notes(&member.scope, id).await?;
    let now = unix_now();
    Ok(Json(ItemDetailJson {
        item: ItemJson::new(item, now),
        original: original.map(OriginalJson::from),
        thread: thread.into_iter().map(|i| ItemJson::new(i, now)).collect(),
        replies: replies.into_iter().map(ReplyJson::from).collect(),
        notes: notes.into_iter().map(NoteJson::from).collect(),
    }))
}

/// `PATCH /inbox/{item}`: a missing field keeps its value; `assignee: null` unassigns.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    #[serde(default)]
    status: Option<ItemStatus>,
    /// RFC 3339; required with `status: "snoozed"`.
    #[serde(default)]
    snoozed_until: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    assignee: Option<Option<UserId>>,
    /// Replaces the labels.
    #[serde(default)]
    labels: Option<Vec<String>>,
    #[serde(default)]
    add_labels: Vec<String>,
    #[serde(default)]
    remove_labels: Vec<String>,
}

impl UpdateRequest {
    fn change(self) -> Result<ItemChange, AppError> {
        Ok(ItemChange {
            status: self.status,
            snoozed_until: self
                .snoozed_until
                .as_deref()
                .map(|t| parse_time("snoozed_until", t))
                .transpose()?,
            assignee: self.assignee,
            labels: self.labels,
            add_labels: self.add_labels,
            remove_labels: self.remove_labels,
            reason: None,
        })
    }
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, InboxItemId)>,
    ApiJson(request): ApiJson<UpdateRequest>,
) -> Result<Json<ItemJson>, AppError> {
    let now = unix_now();
    let mut items = state
        .store()
        .update_inbox_items(&member.scope, &[id], &request.change()?, now)
        .await?;
    let item = items.pop().ok_or(AppError::NotFound)?;
    Ok(Json(ItemJson::new(item, now)))
}

/// `PATCH /inbox`: the same change on several items at once (all the workspace's, or none
/// changes).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    ids: Vec<InboxItemId>,
    #[serde(default)]
    status: Option<ItemStatus>,
    #[serde(default)]
    snoozed_until: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    assignee: Option<Option<UserId>>,
    #[serde(default)]
    labels: Option<Vec<String>>,
    #[serde(default)]
    add_labels: Vec<String>,
    #[serde(default)]
    remove_labels: Vec<String>,
}

#[derive(Serialize)]
pub struct BulkJson {
    items: Vec<ItemJson>,
}

pub async fn update_many(
    State(state): State<AppState>,
    member: Member,
    ApiPath(_): ApiPath<WorkspaceId>,
    ApiJson(request): ApiJson<BulkRequest>,
) -> Result<Json<BulkJson>, AppError> {
    let now = unix_now();
    let change = UpdateRequest {
        status: request.status,
        snoozed_until: request.snoozed_until,
        assignee: request.assignee,
        labels: request.labels,
        add_labels: request.add_labels,
        remove_labels: request.remove_labels,
    }
    .change()?;
    let items = state
        .store()
        .update_inbox_items(&member.scope, &request.ids, &change, now)
        .await?;
    Ok(Json(BulkJson {
        items: items.into_iter().map(|i| ItemJson::new(i, now)).collect(),
    }))
}

/// `POST /inbox/{item}/reply`: a `text`, or a `saved_reply_id` whose variables are filled for
/// this item (one or the other).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    saved_reply_id: Option<SavedReplyId>,
}

/// `POST /inbox/{item}/reply`: `202 Accepted` with the reply, `pending` until the job has sent
/// it through the item's channel (read its state in `GET /inbox/{item}`).
pub async fn reply(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, InboxItemId)>,
    ApiJson(request): ApiJson<ReplyRequest>,
) -> Result<Response, AppError> {
    let store = state.store();
    let text = match (request.text, request.saved_reply_id) {
        (Some(text), None) => text,
        (None, Some(saved)) => {
            let saved = store.saved_reply(&member.scope, saved).await?;
            let item = store.inbox_item(&member.scope, id).await?;
            let workspace = store.workspace(&member.scope).await?;
            inbox::saved_reply_text(&state, &workspace, &item, &saved)
        }
        _ => return Err(AppError::Input(InputError::JsonField("text".into()))),
    };
    let reply = store
        .create_inbox_reply(&member.scope, id, &text, unix_now())
        .await?;
    state.wake_jobs();
    Ok((StatusCode::ACCEPTED, Json(ReplyJson::from(reply))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    body: String,
}

/// `POST /inbox/{item}/notes`: an internal note (never sent to the network).
pub async fn add_note(
    State(state): State<AppState>,
    member: Member,
    ApiPath((ws, id)): ApiPath<(WorkspaceId, InboxItemId)>,
    ApiJson(request): ApiJson<NoteRequest>,
) -> Result<Response, AppError> {
    let note = state
        .store()
        .add_inbox_note(&member.scope, id, &request.body, unix_now())
        .await?;
    Ok(super::created(
        format!("/api/v1/workspaces/{ws}/inbox/{id}"),
        NoteJson::from(note),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerateRequest {
    /// `hide`, `unhide`, `delete`, `approve`, `hold`, `spam` or `trash`, as the channel allows.
    action: String,
    /// Kept in the audit trail.
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /inbox/{item}/moderate`: done on the network at once, then recorded and audited.
pub async fn moderate(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, InboxItemId)>,
    ApiJson(request): ApiJson<ModerateRequest>,
) -> Result<Json<ItemJson>, AppError> {
    let action = tribune_inbox::actions::parse_action(&request.action)
        .ok_or_else(|| AppError::Input(InputError::JsonField("action".into())))?;
    let now = unix_now();
    let item = tribune_inbox::moderate(
        state.channels(),
        &member.scope,
        id,
        action,
        request.reason.as_deref(),
        now,
    )
    .await?;
    Ok(Json(ItemJson::new(item, now)))
}

/// A saved reply as the API shows it.
#[derive(Serialize)]
pub struct SavedReplyJson {
    id: SavedReplyId,
    title: String,
    /// With its variables: `{prenom}`/`{first_name}`, `{marque}`/`{brand}`,
    /// `{charte}`/`{guidelines}`.
    body: String,
    created_at: String,
    updated_at: String,
}

impl From<tribune_store::saved_replies::SavedReply> for SavedReplyJson {
    fn from(r: tribune_store::saved_replies::SavedReply) -> SavedReplyJson {
        SavedReplyJson {
            id: r.id,
            title: r.title,
            body: r.body,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

#[derive(Serialize)]
pub struct SavedRepliesJson {
    saved_replies: Vec<SavedReplyJson>,
}

/// `GET /saved-replies`: all of them (at most 200), by title.
pub async fn saved_list(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<SavedRepliesJson>, AppError> {
    let replies = state.store().saved_replies(&member.scope).await?;
    Ok(Json(SavedRepliesJson {
        saved_replies: replies.into_iter().map(SavedReplyJson::from).collect(),
    }))
}

pub async fn saved_show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, SavedReplyId)>,
) -> Result<Json<SavedReplyJson>, AppError> {
    Ok(Json(
        state.store().saved_reply(&member.scope, id).await?.into(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyRequest {
    title: String,
    body: String,
}

pub async fn saved_create(
    State(state): State<AppState>,
    member: Member,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(request): ApiJson<SavedReplyRequest>,
) -> Result<Response, AppError> {
    let saved = state
        .store()
        .create_saved_reply(&member.scope, &request.title, &request.body, unix_now())
        .await?;
    Ok(super::created(
        format!("/api/v1/workspaces/{ws}/saved-replies/{}", saved.id),
        SavedReplyJson::from(saved),
    ))
}

/// `PATCH /saved-replies/{reply}`: a missing field keeps its value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyPatch {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

pub async fn saved_update(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, SavedReplyId)>,
    ApiJson(request): ApiJson<SavedReplyPatch>,
) -> Result<Json<SavedReplyJson>, AppError> {
    let store = state.store();
    let current = store.saved_reply(&member.scope, id).await?;
    let saved = store
        .update_saved_reply(
            &member.scope,
            id,
            request.title.as_deref().unwrap_or(&current.title),
            request.body.as_deref().unwrap_or(&current.body),
            unix_now(),
        )
        .await?;
    Ok(Json(saved.into()))
}

pub async fn saved_delete(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, SavedReplyId)>,
) -> Result<StatusCode, AppError> {
    state.store().delete_saved_reply(&member.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
