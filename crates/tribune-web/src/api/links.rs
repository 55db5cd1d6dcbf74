//! Short links through the API: create one (a target and its UTM tags, optionally the post and
//! channel it is for), read it with its clicks, list them. The public redirect is `/l/{code}`.

use super::extract::{ApiJson, ApiPath};
use super::page::{Page, PageRequest};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::links::{self, LinkInput};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tribune_domain::{ChannelId, LinkId, PostId, WorkspaceId};
use tribune_store::links::{Link, LinkFilter};

/// A short link as the API shows it.
#[derive(Serialize)]
pub struct LinkJson {
    id: LinkId,
    code: String,
    /// The address to share (`{public_url}/l/{code}`).
    short_url: String,
    /// Clicks counted so far (robots and `HEAD` requests are not).
    clicks: i64,
    /// The address as given (normalised), without the tags.
    target: String,
    /// Where a visitor is sent: the target with the tags.
    destination: String,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    utm_term: Option<String>,
    utm_content: Option<String>,
    post_id: Option<PostId>,
    channel_id: Option<ChannelId>,
    created_at: String,
}

impl LinkJson {
    fn new(state: &AppState, link: Link) -> LinkJson {
        LinkJson {
            id: link.id,
            short_url: links::short_url(state, &link.code),
            destination: link.destination(),
            code: link.code,
            clicks: link.clicks,
            target: link.target.as_str().to_owned(),
            utm_source: link.utm.source,
            utm_medium: link.utm.medium,
            utm_campaign: link.utm.campaign,
            utm_term: link.utm.term,
            utm_content: link.utm.content,
            post_id: link.post,
            channel_id: link.channel,
            created_at: super::posts::rfc3339(link.created_at),
        }
    }
}

/// `POST /links`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    target: String,
    #[serde(default)]
    utm_source: Option<String>,
    #[serde(default)]
    utm_medium: Option<String>,
    #[serde(default)]
    utm_campaign: Option<String>,
    #[serde(default)]
    utm_term: Option<String>,
    #[serde(default)]
    utm_content: Option<String>,
    #[serde(default)]
    post_id: Option<PostId>,
    #[serde(default)]
    channel_id: Option<ChannelId>,
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(request): ApiJson<CreateRequest>,
) -> Result<Response, AppError> {
    let link = links::create(
        &state,
        &member.scope,
        LinkInput {
            target: request.target,
            utm_source: request.utm_source,
            utm_medium: request.utm_medium,
            utm_campaign: request.utm_campaign,
            utm_term: request.utm_term,
            utm_content: request.utm_content,
            post: request.post_id,
            channel: request.channel_id,
        },
    )
    .await?;
    Ok(super::created(
        format!(
            "/api/v1/workspaces/{}/links/{}",
            member.scope.workspace(),
            link.id
        ),
        LinkJson::new(&state, link),
    ))
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, LinkId)>,
) -> Result<Json<LinkJson>, AppError> {
    let link = state.store().link(&member.scope, id).await?;
    Ok(Json(LinkJson::new(&state, link)))
}

/// `GET /links`: newest first, paginated.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageRequest,
) -> Result<Page<LinkJson>, AppError> {
    let filter = LinkFilter {
        limit: page.limit() as u64 + 1,
        before_id: page.cursor::<i64>()?.map(LinkId),
    };
    let links = state.store().links(&member.scope, &filter).await?;
    Ok(Page::keyset(links, &page, |l| l.id.0)?.map(|l| LinkJson::new(&state, l)))
}
