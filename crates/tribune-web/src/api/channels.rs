//! Channels through the API: connect from credentials, list with state and capabilities, check,
//! disconnect.

use super::extract::{ApiJson, ApiPath};
use super::model::ChannelJson;
use super::page::{Page, PageRequest};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_connectors::{Credentials, Secret};
use tribune_domain::{ChannelId, WorkspaceId};
use tribune_store::unix_now;

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

/// The workspace's channels, oldest first.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageRequest,
) -> Result<Page<ChannelJson>, AppError> {
    let channels = state.store().channels(&member.scope).await?;
    Ok(Page::of(channels, &page, |c| c.id)?.map(Into::into))
}

pub async fn connect(
    State(state): State<AppState>,
    member: Member,
    ApiJson(request): ApiJson<ConnectRequest>,
) -> Result<Response, AppError> {
    let channel = ChannelJson::from(
        state
            .channels()
            .connect(&member.scope, request.into(), unix_now())
            .await?,
    );
    Ok(super::created(
        format!(
            "/api/v1/workspaces/{}/channels/{}",
            member.scope.workspace(),
            channel.id
        ),
        channel,
    ))
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, ChannelId)>,
) -> Result<Json<ChannelJson>, AppError> {
    let channel = state.store().channel(&member.scope, id).await?;
    Ok(Json(channel.into()))
}

pub async fn check(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, ChannelId)>,
) -> Result<Json<ChannelJson>, AppError> {
    let channel = state
        .channels()
        .check(&member.scope, id, unix_now())
        .await?;
    Ok(Json(channel.into()))
}

pub async fn disconnect(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, ChannelId)>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .disconnect_channel(&member.scope, id, unix_now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
