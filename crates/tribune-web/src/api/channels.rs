//! Channels through the API: connect from credentials, list with state and capabilities, check,
//! disconnect.

use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tribune_channels::{ChannelService, StateMessage};
use tribune_connectors::{Capabilities, Credentials, Secret};
use tribune_domain::ChannelId;
use tribune_store::channels::Channel;
use tribune_store::unix_now;

/// A channel with its capabilities, as the API returns it. `state_message` holds only the
/// network's words; when tribune itself broke the channel, `state_reason` says why as a code
/// (`credentials_sealed`).
#[derive(Serialize)]
pub struct ChannelJson {
    #[serde(flatten)]
    channel: Channel,
    capabilities: Capabilities,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_reason: Option<&'static str>,
}

impl From<Channel> for ChannelJson {
    fn from(mut channel: Channel) -> Self {
        let state_reason = match StateMessage::parse(&channel.state_message) {
            StateMessage::Tribune(reason) => Some(reason.code()),
            StateMessage::Empty | StateMessage::Network(_) => None,
        };
        if state_reason.is_some() {
            channel.state_message.clear();
        }
        ChannelJson {
            capabilities: ChannelService::capabilities(&channel),
            channel,
            state_reason,
        }
    }
}

/// What `POST /channels` takes, by network.
#[derive(Deserialize)]
#[serde(tag = "network", rename_all = "lowercase", deny_unknown_fields)]
pub enum ConnectRequest {
    Bluesky {
        /// Empty means Bluesky's own server (the connector's default).
        #[serde(default)]
        service: String,
        identifier: String,
        app_password: String,
    },
    Mastodon {
        instance: String,
        access_token: String,
    },
    #[serde(rename = "wordpress")]
    WordPress {
        site: String,
        username: String,
        app_password: String,
    },
}

impl From<ConnectRequest> for Credentials {
    fn from(request: ConnectRequest) -> Self {
        match request {
            ConnectRequest::Bluesky {
                service,
                identifier,
                app_password,
            } => Credentials::Bluesky {
                service,
                identifier,
                app_password: Secret(app_password),
                session: None,
            },
            ConnectRequest::Mastodon {
                instance,
                access_token,
            } => Credentials::Mastodon {
                instance,
                access_token: Secret(access_token),
            },
            ConnectRequest::WordPress {
                site,
                username,
                app_password,
            } => Credentials::WordPress {
                site,
                username,
                app_password: Secret(app_password),
            },
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<Vec<ChannelJson>>, AppError> {
    let channels = state.store().channels(&member.scope).await?;
    Ok(Json(channels.into_iter().map(ChannelJson::from).collect()))
}

pub async fn connect(
    State(state): State<AppState>,
    member: Member,
    Json(request): Json<ConnectRequest>,
) -> Result<(StatusCode, Json<ChannelJson>), AppError> {
    let channel = state
        .channels()
        .connect(&member.scope, request.into(), unix_now())
        .await?;
    Ok((StatusCode::CREATED, Json(channel.into())))
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(i64, i64)>,
) -> Result<Json<ChannelJson>, AppError> {
    let channel = state.store().channel(&member.scope, ChannelId(id)).await?;
    Ok(Json(channel.into()))
}

pub async fn check(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(i64, i64)>,
) -> Result<Json<ChannelJson>, AppError> {
    let channel = state
        .channels()
        .check(&member.scope, ChannelId(id), unix_now())
        .await?;
    Ok(Json(channel.into()))
}

pub async fn disconnect(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .disconnect_channel(&member.scope, ChannelId(id), unix_now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
