//! Posts through the API: create (draft, scheduled, or published now) for several channels with
//! a text per channel, read, list by period and status, change and delete while nothing went
//! out, approve. Times are RFC 3339 in and out (UTC out).

use super::extract::{ApiJson, ApiPath};
use super::media::MediaJson;
use super::page::{Page, PageRequest};
use crate::AppState;
use crate::context::Member;
use crate::error::{AppError, InputError};
use crate::preflight::{self, Planned};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tribune_domain::publishing::TargetStatus;
use tribune_domain::{CategoryId, ChannelId, MediaId, PostId, ValidationError, WorkspaceId};
use tribune_store::posts::{Intent, Post, PostFilter, PostNew, PostPatch, PostTarget};
use tribune_store::unix_now;

/// A time as the API writes it: RFC 3339 in UTC.
pub(super) fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Reads an RFC 3339 time with its offset (`2026-12-14T16:42:00+01:00` or `…Z`).
pub(super) fn parse_time(field: &'static str, value: &str) -> Result<i64, AppError> {
    value
        .trim()
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|_| AppError::Invalid(ValidationError::single(field, "error-time-invalid")))
}

/// Why a target failed (or waits): a stable code, what it means in the reader's language, and
/// the network's own words when it said any.
#[derive(Serialize)]
pub struct TargetErrorJson {
    code: String,
    network_message: Option<String>,
}

#[derive(Serialize)]
pub struct TargetJson {
    channel_id: ChannelId,
    status: TargetStatus,
    /// This channel's own text, when it differs from the post's.
    text: Option<String>,
    remote_id: Option<String>,
    remote_url: Option<String>,
    published_at: Option<String>,
    attempts: u32,
    error: Option<TargetErrorJson>,
}

impl From<PostTarget> for TargetJson {
    fn from(target: PostTarget) -> Self {
        TargetJson {
            channel_id: target.channel_id,
            status: target.status,
            text: target.text,
            remote_id: target.remote_ref,
            remote_url: target.remote_url,
            published_at: target.published_at.map(rfc3339),
            attempts: target.attempts,
            error: target.error_code.map(|code| TargetErrorJson {
                code,
                network_message: target.error_message,
            }),
        }
    }
}

#[derive(Serialize)]
pub struct PostJson {
    pub id: PostId,
    status: TargetStatus,
    title: Option<String>,
    text: String,
    link: Option<String>,
    scheduled_at: Option<String>,
    approved_at: Option<String>,
    created_at: String,
    updated_at: String,
    targets: Vec<TargetJson>,
    /// Attached images and videos, in order.
    media: Vec<MediaJson>,
    /// The workspace's content category, if any.
    category_id: Option<CategoryId>,
    /// The published evergreen post this one was recycled from.
    recycled_from: Option<PostId>,
}

impl From<Post> for PostJson {
    fn from(post: Post) -> Self {
        PostJson {
            id: post.id,
            status: post.status,
            title: post.title,
            text: post.text,
            link: post.link,
            scheduled_at: post.scheduled_at.map(rfc3339),
            approved_at: post.approved_at.map(rfc3339),
            created_at: rfc3339(post.created_at),
            updated_at: rfc3339(post.updated_at),
            targets: post.targets.into_iter().map(Into::into).collect(),
            media: post.media.into_iter().map(Into::into).collect(),
            category_id: post.category,
            recycled_from: post.recycled_from,
        }
    }
}

/// A channel's own version of the post.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantRequest {
    text: Option<String>,
}

/// `POST /posts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    channels: Vec<ChannelId>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    link: Option<String>,
    /// By channel id (as a string: JSON keys are strings).
    #[serde(default)]
    variants: BTreeMap<String, VariantRequest>,
    /// Ids of the workspace's media, in the order they appear.
    #[serde(default)]
    media: Vec<MediaId>,
    #[serde(default)]
    publish_now: bool,
    #[serde(default)]
    scheduled_at: Option<String>,
    /// "Add to queue": each channel gets its own post at its next free slot.
    #[serde(default)]
    queue: bool,
    #[serde(default)]
    category_id: Option<CategoryId>,
}

/// What `POST /posts` with `"queue": true` answers: one post per channel.
#[derive(Serialize)]
pub struct QueuedJson {
    posts: Vec<PostJson>,
}

/// Pairs each channel with its variant; a variant for a channel not in the list is an error.
fn targets(
    channels: &[ChannelId],
    variants: BTreeMap<String, VariantRequest>,
) -> Result<Vec<(ChannelId, Option<String>)>, AppError> {
    let mut variants: BTreeMap<ChannelId, Option<String>> = variants
        .into_iter()
        .map(|(key, variant)| {
            key.parse::<ChannelId>()
                .ok()
                .filter(|id| channels.contains(id))
                .map(|id| (id, variant.text))
                .ok_or_else(|| {
                    AppError::Invalid(ValidationError::single(
                        "variants",
                        "error-post-variant-channel",
                    ))
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(channels
        .iter()
        .map(|id| (*id, variants.remove(id).flatten()))
        .collect())
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(request): ApiJson<CreateRequest>,
) -> Result<Response, AppError> {
    let now = unix_now();
    let scheduled_at = request
        .scheduled_at
        .as_deref()
        .map(|at| parse_time("scheduled_at", at))
        .transpose()?;
    if request.publish_now && scheduled_at.is_some() {
        return Err(AppError::Invalid(ValidationError::single(
            "scheduled_at",
            "error-post-now-or-later",
        )));
    }
    if request.queue && (request.publish_now || scheduled_at.is_some()) {
        return Err(AppError::Invalid(ValidationError::single(
            "queue",
            "error-queue-and-time",
        )));
    }
    let queue = request.queue;
    let intent = if queue || request.publish_now || scheduled_at.is_some() {
        Intent::Schedule
    } else {
        Intent::Draft
    };
    let new = PostNew {
        title: request.title,
        text: request.text,
        link: request.link,
        targets: targets(&request.channels, request.variants)?,
        scheduled_at,
        media: request.media,
        category: request.category_id,
    };
    if intent == Intent::Schedule {
        let media = preflight::media_facts(&state, &member.scope, &new.media, &[]).await?;
        let planned = Planned {
            title: new.title.as_deref(),
            text: &new.text,
            link: new.link.as_deref(),
            targets: &new.targets,
            slot: new.scheduled_at,
            media: &media,
        };
        preflight::refuse_errors(&preflight::check(&state, &member.scope, &planned, now).await?)?;
    }
    if queue {
        let posts = state.store().queue_post(&member.scope, new, now).await?;
        state.wake_jobs();
        let location = posts
            .first()
            .map(|p| {
                format!(
                    "/api/v1/workspaces/{}/posts/{}",
                    member.scope.workspace(),
                    p.id
                )
            })
            .unwrap_or_default();
        return Ok(super::created(
            location,
            QueuedJson {
                posts: posts.into_iter().map(PostJson::from).collect(),
            },
        ));
    }
    let post = state
        .store()
        .create_post(&member.scope, new, intent, now)
        .await?;
    crate::links::attach_post(&state, &member.scope, &post).await;
    if intent == Intent::Schedule {
        state.wake_jobs();
    }
    Ok(super::created(
        format!(
            "/api/v1/workspaces/{}/posts/{}",
            member.scope.workspace(),
            post.id
        ),
        PostJson::from(post),
    ))
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, PostId)>,
) -> Result<Json<PostJson>, AppError> {
    Ok(Json(state.store().post(&member.scope, id).await?.into()))
}

/// `GET /posts?from=&to=&status=`: newest first, paginated.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageRequest,
) -> Result<Page<PostJson>, AppError> {
    let mut filter = PostFilter {
        limit: page.limit() as u64 + 1,
        ..PostFilter::default()
    };
    for (name, value) in page.extra() {
        match name.as_str() {
            "from" => filter.from = Some(parse_time("from", value)?),
            "to" => filter.to = Some(parse_time("to", value)?),
            "status" => {
                filter.status = Some(TargetStatus::parse(value).ok_or_else(|| {
                    AppError::Input(InputError::InvalidQuery("status".to_owned()))
                })?);
            }
            _ => {}
        }
    }
    filter.before_id = page.cursor::<i64>()?.map(PostId);
    let posts = state.store().posts(&member.scope, &filter).await?;
    Ok(Page::keyset(posts, &page, |p| p.id.0)?.map(Into::into))
}

/// `PATCH /posts/{post}`: any of the fields of `POST`; `null` clears an optional one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    #[serde(default, deserialize_with = "double_option")]
    title: Option<Option<String>>,
    text: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    link: Option<Option<String>>,
    channels: Option<Vec<ChannelId>>,
    variants: Option<BTreeMap<String, VariantRequest>>,
    media: Option<Vec<MediaId>>,
    #[serde(default, deserialize_with = "double_option")]
    scheduled_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    category_id: Option<Option<CategoryId>>,
}

/// Tells a field set to `null` (`Some(None)`) from a missing one (`None`).
pub(super) fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiJson(request): ApiJson<UpdateRequest>,
) -> Result<Json<PostJson>, AppError> {
    let now = unix_now();
    let targets = match (request.channels, request.variants) {
        (Some(channels), variants) => Some(targets(&channels, variants.unwrap_or_default())?),
        (None, Some(variants)) => {
            let post = state.store().post(&member.scope, id).await?;
            let channels: Vec<ChannelId> = post.targets.iter().map(|t| t.channel_id).collect();
            Some(targets(&channels, variants)?)
        }
        (None, None) => None,
    };
    let scheduled_at = match request.scheduled_at {
        Some(Some(at)) => Some(Some(parse_time("scheduled_at", &at)?)),
        Some(None) => Some(None),
        None => None,
    };
    let patch = PostPatch {
        title: request.title,
        text: request.text,
        link: request.link,
        targets,
        scheduled_at,
        media: request.media,
        category: request.category_id,
    };
    // A post on its way (waiting for approval or scheduled) must still pass once changed.
    let current = state.store().post(&member.scope, id).await?;
    if current.status != TargetStatus::Draft {
        let current_targets: Vec<(ChannelId, Option<String>)> = current
            .targets
            .iter()
            .map(|t| (t.channel_id, t.text.clone()))
            .collect();
        let title = patch.title.clone().unwrap_or(current.title.clone());
        let link = patch.link.clone().unwrap_or(current.link.clone());
        let media = match &patch.media {
            Some(ids) => preflight::media_facts(&state, &member.scope, ids, &[]).await?,
            None => current.media.iter().map(preflight::media_info).collect(),
        };
        let planned = Planned {
            title: title.as_deref(),
            text: patch.text.as_deref().unwrap_or(&current.text),
            link: link.as_deref(),
            targets: patch.targets.as_deref().unwrap_or(&current_targets),
            slot: patch.scheduled_at.unwrap_or(current.scheduled_at),
            media: &media,
        };
        preflight::refuse_errors(&preflight::check(&state, &member.scope, &planned, now).await?)?;
    }
    let post = state
        .store()
        .update_post(&member.scope, id, patch, now)
        .await?;
    crate::links::attach_post(&state, &member.scope, &post).await;
    state.wake_jobs();
    Ok(Json(post.into()))
}

pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, PostId)>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .delete_post(&member.scope, id, unix_now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /posts/{post}/approve`, with an optional comment.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    #[serde(default)]
    comment: String,
}

pub async fn approve(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, PostId)>,
    body: axum::body::Bytes,
) -> Result<Json<PostJson>, AppError> {
    // The body is optional: no body approves without a comment.
    let comment = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        super::extract::parse::<ApproveRequest>(&body)?.comment
    };
    let post = state
        .store()
        .approve_post(&member.scope, id, &comment, unix_now())
        .await?;
    state.wake_jobs();
    Ok(Json(post.into()))
}

/// `POST /posts/{post}/request-changes` with `{"comment": "…"}` (required).
pub async fn request_changes(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, PostId)>,
    ApiJson(request): ApiJson<ApproveRequest>,
) -> Result<Json<PostJson>, AppError> {
    let post = state
        .store()
        .request_changes(&member.scope, id, &request.comment, unix_now())
        .await?;
    Ok(Json(post.into()))
}
