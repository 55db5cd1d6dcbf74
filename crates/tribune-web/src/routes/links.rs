//! Short links in the browser: the public redirect `/l/{code}` (counting the click), the
//! workspace's links page with a form to make one, and the composer's "shorten links" (as a
//! JSON answer for its script; without JavaScript the composer's own form does it).

use crate::AppState;
use crate::context::{Member, RequestCtx};
use crate::dates;
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::links::{self, LinkInput};
use crate::pages::{Chrome, ErrorPage, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, REFERER, REFERRER_POLICY, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::links::{click_day, is_robot, referring_network};
use tribune_domain::{LinkId, Role, ValidationError, WorkspaceId};
use tribune_store::StoreError;
use tribune_store::links::{ClickBreakdown, Link, LinkFilter};
use tribune_store::unix_now;

/// `GET /l/{code}` (and `HEAD`): a `302` to the link's destination. The visit is counted unless
/// it is a `HEAD` or an obvious robot; only the day and the referring network are kept. A link
/// the team deleted answers `410` with a page saying so (published posts may still carry it).
pub async fn follow(
    State(state): State<AppState>,
    ctx: RequestCtx,
    method: Method,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let link = state
        .store()
        .link_for_redirect(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    if link.removed {
        let c = Chrome::bare(&state, &ctx);
        let page = ErrorPage {
            title: c.tr.t("link-removed-title"),
            messages: vec![c.tr.t("link-removed-text")],
            status: StatusCode::GONE.as_u16(),
            detail: None,
            c,
        };
        let mut response = (StatusCode::GONE, render(&page)).into_response();
        let response_headers = response.headers_mut();
        response_headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response_headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        return Ok(response);
    }
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if method != Method::HEAD && !is_robot(user_agent) {
        let referer = headers.get(REFERER).and_then(|v| v.to_str().ok());
        let day = click_day(&link.timezone, unix_now());
        // A click that cannot be counted must not keep the visitor from the page.
        if let Err(error) = state
            .store()
            .count_click(&link, &day, referring_network(referer))
            .await
        {
            tracing::warn!(%error, link = %link.link, "click not counted");
        }
    }
    let location = HeaderValue::from_str(&link.destination()).map_err(|_| {
        AppError::Internal(format!("link {} has no valid address", link.link).into())
    })?;
    let mut response = StatusCode::FOUND.into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(LOCATION, location);
    // Every visit must reach tribune to be counted (and a link's target may be corrected).
    response_headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The UTM tags say where the visit comes from; the visitor's previous page is theirs.
    response_headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response)
}

/// One line of the links page.
pub struct LinkLine {
    pub short_url: String,
    pub target: String,
    pub tags: Vec<(&'static str, String)>,
    pub clicks: i64,
    pub created: String,
    pub code: String,
    pub id: LinkId,
}

#[derive(Template)]
#[template(path = "links.html")]
pub struct LinksPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_write: bool,
    links: Vec<LinkLine>,
    older: Option<LinkId>,
    form: LinkForm,
    errors: Vec<(String, String)>,
}

impl LinksPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        crate::forms::error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct LinksQuery {
    before: Option<i64>,
    flash: Option<String>,
}

/// Links shown on one page of the list.
const PAGE_SIZE: u64 = 100;

async fn page(
    state: &AppState,
    member: &Member,
    before: Option<LinkId>,
    flash: Option<&str>,
    form: LinkForm,
    errors: Vec<(String, String)>,
) -> Result<LinksPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    let mut found = state
        .store()
        .links(
            &member.scope,
            &LinkFilter {
                before_id: before,
                limit: PAGE_SIZE + 1,
            },
        )
        .await?;
    let older = (found.len() as u64 > PAGE_SIZE).then(|| {
        found.truncate(PAGE_SIZE as usize);
        found.last().map(|l| l.id)
    });
    let lang = chrome.tr.lang;
    let links = found
        .into_iter()
        .map(|link| LinkLine {
            short_url: links::short_url(state, &link.code),
            tags: link
                .utm
                .pairs()
                .into_iter()
                .map(|(name, value)| (name, value.to_owned()))
                .collect(),
            target: link.target.as_str().to_owned(),
            clicks: link.clicks,
            created: dates::full(state.i18n(), lang, &chrome.tz, link.created_at),
            code: link.code,
            id: link.id,
        })
        .collect();
    Ok(LinksPage {
        c: chrome.with_flash(flash),
        ws_id: member.scope.workspace(),
        can_write: member.scope.role().can_write_posts(),
        links,
        older: older.flatten(),
        form,
        errors,
    })
}

/// `GET /w/{ws}/links`: the workspace's links, newest first, with their clicks.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<LinksQuery>,
) -> Result<Response, AppError> {
    let form = LinkForm {
        utm_medium: "social".to_owned(),
        ..LinkForm::default()
    };
    let page = page(
        &state,
        &member,
        query.before.map(LinkId),
        query.flash.as_deref(),
        form,
        Vec::new(),
    )
    .await?;
    Ok(render(&page))
}

/// The links page's form.
#[derive(Deserialize, Default, Clone)]
pub struct LinkForm {
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub utm_source: String,
    #[serde(default)]
    pub utm_medium: String,
    #[serde(default)]
    pub utm_campaign: String,
}

fn given(value: &str) -> Option<String> {
    Some(value.to_owned()).filter(|v| !v.trim().is_empty())
}

/// Field errors, translated.
pub fn field_errors(
    state: &AppState,
    lang: tribune_domain::Lang,
    invalid: &ValidationError,
) -> Vec<(String, String)> {
    invalid
        .violations
        .iter()
        .map(|v| {
            (
                v.field.to_owned(),
                state.i18n().message(lang, v.message_key, None),
            )
        })
        .collect()
}

/// `POST /w/{ws}/links`: makes a link from the form; a refused one shows the form again (422).
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let input = LinkInput {
        target: form.target.clone(),
        utm_source: given(&form.utm_source),
        utm_medium: given(&form.utm_medium),
        utm_campaign: given(&form.utm_campaign),
        ..LinkInput::default()
    };
    match links::create(&state, &member.scope, input).await {
        Ok(_) => Ok(see_other(&format!(
            "/w/{}/links?flash=flash-link-created",
            member.scope.workspace()
        ))),
        Err(StoreError::Invalid(invalid)) => {
            let errors = field_errors(&state, member.ctx.lang, &invalid);
            let page = page(&state, &member, None, None, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// A link's page: its address, its clicks by day and by referring network, the form that
/// changes its target and tags, and the box that deletes it.
#[derive(Template)]
#[template(path = "link.html")]
pub struct LinkDetailPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_write: bool,
    line: LinkLine,
    destination: String,
    post: Option<tribune_domain::PostId>,
    by_day: Vec<(String, i64)>,
    by_network: Vec<(String, String, i64)>,
    form: LinkEditForm,
    errors: Vec<(String, String)>,
}

impl LinkDetailPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        crate::forms::error_for(&self.errors, field)
    }
}

/// The form that changes a link: every tag is sent, an empty one is removed.
#[derive(Deserialize, Default, Clone)]
pub struct LinkEditForm {
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub utm_source: String,
    #[serde(default)]
    pub utm_medium: String,
    #[serde(default)]
    pub utm_campaign: String,
    #[serde(default)]
    pub utm_term: String,
    #[serde(default)]
    pub utm_content: String,
}

impl LinkEditForm {
    fn of(link: &Link) -> LinkEditForm {
        let tag = |t: &Option<String>| t.clone().unwrap_or_default();
        LinkEditForm {
            target: link.target.as_str().to_owned(),
            utm_source: tag(&link.utm.source),
            utm_medium: tag(&link.utm.medium),
            utm_campaign: tag(&link.utm.campaign),
            utm_term: tag(&link.utm.term),
            utm_content: tag(&link.utm.content),
        }
    }
}

/// The catalogue key naming a referring network as counted (`direct`, `other` and the
/// networks of `tribune_domain::links::referring_network`).
fn network_key(network: &str) -> &'static str {
    match network {
        "direct" => "link-network-direct",
        "x" => "link-network-x",
        "facebook" => "link-network-facebook",
        "linkedin" => "link-network-linkedin",
        "bluesky" => "link-network-bluesky",
        "instagram" => "link-network-instagram",
        "threads" => "link-network-threads",
        "youtube" => "link-network-youtube",
        "tiktok" => "link-network-tiktok",
        "pinterest" => "link-network-pinterest",
        "reddit" => "link-network-reddit",
        _ => "link-network-other",
    }
}

async fn detail_page(
    state: &AppState,
    member: &Member,
    link: Link,
    flash: Option<&str>,
    form: Option<LinkEditForm>,
    errors: Vec<(String, String)>,
) -> Result<LinkDetailPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    let counts = state.store().link_clicks(&member.scope, link.id).await?;
    let breakdown = ClickBreakdown::of(&counts);
    let lang = chrome.tr.lang;
    let by_network = breakdown
        .by_network
        .into_iter()
        .map(|(network, n)| {
            let name = chrome.tr.t(network_key(&network));
            (network, name, n)
        })
        .collect();
    let line = LinkLine {
        short_url: links::short_url(state, &link.code),
        tags: link
            .utm
            .pairs()
            .into_iter()
            .map(|(name, value)| (name, value.to_owned()))
            .collect(),
        target: link.target.as_str().to_owned(),
        clicks: link.clicks,
        created: dates::full(state.i18n(), lang, &chrome.tz, link.created_at),
        code: link.code.clone(),
        id: link.id,
    };
    Ok(LinkDetailPage {
        c: chrome.with_flash(flash),
        ws_id: member.scope.workspace(),
        can_write: member.scope.role().can_write_posts(),
        destination: link.destination(),
        post: link.post,
        by_day: breakdown.by_day,
        by_network,
        form: form.unwrap_or_else(|| LinkEditForm::of(&link)),
        errors,
        line,
    })
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

/// `GET /w/{ws}/links/{link}`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, LinkId)>,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let link = state.store().link(&member.scope, id).await?;
    let page = detail_page(
        &state,
        &member,
        link,
        query.flash.as_deref(),
        None,
        Vec::new(),
    )
    .await?;
    Ok(render(&page))
}

/// `POST /w/{ws}/links/{link}`: changes the target and tags; a refused change shows the form
/// again (422) with each problem by its field.
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, LinkId)>,
    Form(form): Form<LinkEditForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let current = state.store().link(&member.scope, id).await?;
    let input = LinkInput {
        target: form.target.clone(),
        utm_source: given(&form.utm_source),
        utm_medium: given(&form.utm_medium),
        utm_campaign: given(&form.utm_campaign),
        utm_term: given(&form.utm_term),
        utm_content: given(&form.utm_content),
        post: current.post,
        channel: current.channel,
    };
    match links::update(&state, &member.scope, id, input).await {
        Ok(_) => Ok(see_other(&format!(
            "/w/{ws}/links/{id}?flash=flash-link-updated"
        ))),
        Err(StoreError::Invalid(invalid)) => {
            let errors = field_errors(&state, member.ctx.lang, &invalid);
            let page = detail_page(&state, &member, current, None, Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /w/{ws}/links/{link}/delete`: needs the ticked "I understand" box.
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, LinkId)>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .delete_link(&member.scope, id, unix_now())
        .await?;
    Ok(see_other(&format!(
        "/w/{ws}/links?flash=flash-link-deleted"
    )))
}
