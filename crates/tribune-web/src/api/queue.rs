//! A channel's queue through the API: its weekly slots (read, add, remove) and the coming
//! slots with the post holding each. Posts are added to the queue with `"queue": true` on
//! `POST /posts`.

use super::extract::{ApiJson, ApiPath};
use super::posts::rfc3339;
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tribune_domain::queue;
use tribune_domain::{CategoryId, ChannelId, PostId, QueueSlotId, WorkspaceId};
use tribune_store::queue::QueueSlot;
use tribune_store::unix_now;

/// Coming slots listed.
const UPCOMING: usize = 20;

#[derive(Serialize)]
pub struct SlotJson {
    id: QueueSlotId,
    /// `monday` … `sunday`.
    weekday: &'static str,
    /// `HH:MM` in the workspace's time zone.
    time: String,
    category_id: Option<CategoryId>,
}

impl From<QueueSlot> for SlotJson {
    fn from(slot: QueueSlot) -> Self {
        let weekday = jiff::civil::Weekday::from_monday_one_offset(slot.weekday)
            .map(queue::weekday_name)
            .unwrap_or("monday");
        SlotJson {
            id: slot.id,
            weekday,
            time: slot.local_time,
            category_id: slot.category,
        }
    }
}

#[derive(Serialize)]
pub struct UpcomingJson {
    at: String,
    post_id: Option<PostId>,
}

#[derive(Serialize)]
pub struct QueueJson {
    timezone: String,
    slots: Vec<SlotJson>,
    upcoming: Vec<UpcomingJson>,
}

/// `GET /channels/{id}/queue`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, channel)): ApiPath<(WorkspaceId, ChannelId)>,
) -> Result<Json<QueueJson>, AppError> {
    let store = state.store();
    let slots = store.queue_slots(&member.scope, channel).await?;
    let upcoming = store
        .upcoming_queue(&member.scope, channel, unix_now(), UPCOMING)
        .await?;
    let workspace = store.workspace(&member.scope).await?;
    Ok(Json(QueueJson {
        timezone: workspace.timezone,
        slots: slots.into_iter().map(Into::into).collect(),
        upcoming: upcoming
            .into_iter()
            .map(|e| UpcomingJson {
                at: rfc3339(e.at),
                post_id: e.post.map(|p| p.id),
            })
            .collect(),
    }))
}

/// `POST /channels/{id}/queue/slots`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotRequest {
    /// `monday` … `sunday`, or `1` (Monday) … `7` (Sunday) as a string.
    weekday: String,
    time: String,
    #[serde(default)]
    category_id: Option<CategoryId>,
}

pub async fn add_slot(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, channel)): ApiPath<(WorkspaceId, ChannelId)>,
    ApiJson(request): ApiJson<SlotRequest>,
) -> Result<Response, AppError> {
    let slot = queue::validate_slot(&request.weekday, &request.time, request.category_id)
        .map_err(AppError::Invalid)?;
    let slot = state
        .store()
        .add_queue_slot(&member.scope, channel, slot)
        .await?;
    Ok(super::created(
        format!(
            "/api/v1/workspaces/{}/channels/{channel}/queue/slots/{}",
            member.scope.workspace(),
            slot.id
        ),
        SlotJson::from(slot),
    ))
}

/// `DELETE /channels/{id}/queue/slots/{slot}`.
pub async fn delete_slot(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, channel, slot)): ApiPath<(WorkspaceId, ChannelId, QueueSlotId)>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .delete_queue_slot(&member.scope, channel, slot)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
