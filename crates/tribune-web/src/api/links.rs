//! Short links through the API: create one (a target and its UTM tags, optionally the post and
//! channel it is for), read it with its clicks by day and by referring network, change its
//! target and tags, delete it, list them. The public redirect is `/l/{code}`.

use super::extract::{ApiJson, ApiPath};
use super::page::{Page, PageRequest};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::links::{self, LinkInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tribune_domain::{ChannelId, LinkId, PostId, WorkspaceId};
use tribune_store::links::{ClickBreakdown, Link, LinkFilter};

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

/// One link with its clicks summed by day and by referring network.
#[derive(Serialize)]
pub struct LinkDetailJson {
    #[serde(flatten)]
    link: LinkJson,
    /// Newest day first; days without clicks are absent.
    clicks_by_day: Vec<DayClicksJson>,
    /// Most clicks first.
    clicks_by_network: Vec<NetworkClicksJson>,
}

#[derive(Serialize)]
struct DayClicksJson {
    /// `YYYY-MM-DD`, in the workspace's time zone.
    day: String,
    clicks: i64,
}

#[derive(Serialize)]
struct NetworkClicksJson {
    /// `bluesky`, `x`, `facebook`… `direct` (no referrer) or `other`.
    network: String,
    clicks: i64,
}

async fn detail(state: &AppState, member: &Member, link: Link) -> Result<LinkDetailJson, AppError> {
    let counts = state.store().link_clicks(&member.scope, link.id).await?;
    let breakdown = ClickBreakdown::of(&counts);
    Ok(LinkDetailJson {
        link: LinkJson::new(state, link),
        clicks_by_day: breakdown
            .by_day
            .into_iter()
            .map(|(day, clicks)| DayClicksJson { day, clicks })
            .collect(),
        clicks_by_network: breakdown
            .by_network
            .into_iter()
            .map(|(network, clicks)| NetworkClicksJson { network, clicks })
            .collect(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, LinkId)>,
) -> Result<Json<LinkDetailJson>, AppError> {
    let link = state.store().link(&member.scope, id).await?;
    Ok(Json(detail(&state, &member, link).await?))
}

/// `PATCH /links/{link}`: the target and any tag; a missing field keeps its value, a tag set
/// to `null` (or `""`) is removed. The code and the short address stay.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    #[serde(default)]
    target: Option<String>,
    #[serde(default, deserialize_with = "super::posts::double_option")]
    utm_source: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::posts::double_option")]
    utm_medium: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::posts::double_option")]
    utm_campaign: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::posts::double_option")]
    utm_term: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::posts::double_option")]
    utm_content: Option<Option<String>>,
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, LinkId)>,
    ApiJson(request): ApiJson<UpdateRequest>,
) -> Result<Json<LinkDetailJson>, AppError> {
    let current = state.store().link(&member.scope, id).await?;
    let input = LinkInput {
        target: request
            .target
            .unwrap_or_else(|| current.target.as_str().to_owned()),
        utm_source: request.utm_source.unwrap_or(current.utm.source),
        utm_medium: request.utm_medium.unwrap_or(current.utm.medium),
        utm_campaign: request.utm_campaign.unwrap_or(current.utm.campaign),
        utm_term: request.utm_term.unwrap_or(current.utm.term),
        utm_content: request.utm_content.unwrap_or(current.utm.content),
        post: current.post,
        channel: current.channel,
    };
    let link = links::update(&state, &member.scope, id, input).await?;
    Ok(Json(detail(&state, &member, link).await?))
}

/// `DELETE /links/{link}`: the link leaves the lists with its clicks; its short address answers
/// "link removed" (410) from then on and its code is never given to another link.
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, LinkId)>,
) -> Result<StatusCode, AppError> {
    state
        .store()
        .delete_link(&member.scope, id, tribune_store::unix_now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
