//! Approval by e-mail: the page a client's link opens (`/a/{token}`), without logging in.
//!
//! Opening the link only shows the post: mail scanners and link previews open links, so a GET
//! never decides. The two buttons post the decision; the token in the address is the client's
//! key, and the form also carries the CSRF token every form carries (before login, bound to a
//! cookie of this browser), so another site cannot make a visitor's browser decide. Wrong
//! tokens are counted per client address, as failed logins are, and refused past a limit.
//!
//! The page shows the post's images, so the client sees what they approve: their thumbnails
//! come from `/a/{token}/media/{media}`, under the same token and only while it can decide,
//! and only for media attached to that post (never another post's, nor another workspace's).

use super::posts::{ChannelName, PostView, channel_names, status_key};
use crate::AppState;
use crate::context::RequestCtx;
use crate::error::{AppError, with_status};
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, REFERRER_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use tribune_domain::media::MediaKind;
use tribune_domain::publishing::TargetStatus;
use tribune_domain::{MediaId, ValidationError};
use tribune_store::StoreError;
use tribune_store::approval_links::{LinkDecision, LinkProblem, LinkedPost};
use tribune_store::media::Media;
use tribune_store::rate_limit::AttemptLimit;
use tribune_store::unix_now;

/// Unknown links one client address may try in [`WRONG_LINK_WINDOW_SECS`].
pub const MAX_WRONG_LINKS: i64 = 20;
pub const WRONG_LINK_WINDOW_SECS: i64 = 15 * 60;

#[derive(Template)]
#[template(path = "approval_link.html")]
pub struct LinkPage {
    c: Chrome,
    token: String,
    workspace: String,
    /// The post, shown while the link can decide (and, after a decision, its new status).
    view: Option<PostView>,
    /// Why the link decides nothing now, in the reader's language.
    problem: Option<String>,
    /// The decision just made with this link.
    done: Option<String>,
    can_decide: bool,
    comment: String,
    errors: ValidationError,
}

impl LinkPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|key| self.c.tr.t(key))
    }

    fn status_label(&self, status: &TargetStatus) -> String {
        self.c.tr.t(&status_key(status))
    }

    fn due(&self, view: &PostView) -> crate::dates::TimeHtml {
        self.c.date_t1("posts-due", "time", &view.when())
    }

    fn is_image(&self, media: &Media) -> bool {
        media.kind == MediaKind::Image
    }

    /// The address of this media's thumbnail: an image's, while the link can decide (the
    /// route that serves it refuses otherwise).
    fn media_src(&self, media: &Media) -> Option<String> {
        (self.can_decide && self.is_image(media) && media.thumbnail_key.is_some())
            .then(|| format!("/a/{}/media/{}", self.token, media.id))
    }

    /// The network's name as people know it (Mastodon, Bluesky…), beside the account's.
    fn network_name(&self, network: &str) -> &'static str {
        network
            .parse::<tribune_connectors::Network>()
            .map_or("", tribune_connectors::Network::display_name)
    }
}

/// Every answer of these routes: the token is in the address, so no cache keeps the page and
/// no other site learns it from `Referer`.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// Counts a look-up of `token` against the client's limit; the count is given back when the
/// link exists, so only wrong tokens use the allowance.
async fn bounded_lookup(
    state: &AppState,
    ctx: &RequestCtx,
    token: &str,
    now: i64,
) -> Result<Option<LinkedPost>, AppError> {
    let store = state.store();
    let limit = AttemptLimit {
        key: format!("approval-link:{}", ctx.client.ip),
        max: MAX_WRONG_LINKS,
    };
    let reservation = match store
        .reserve_attempt(&[limit], now - WRONG_LINK_WINDOW_SECS, now)
        .await?
    {
        Ok(reservation) => reservation,
        Err(_) => {
            return Err(AppError::TooManyRequests {
                retry_after_secs: WRONG_LINK_WINDOW_SECS,
            });
        }
    };
    let linked = store.approval_link(token, now).await?;
    if linked.is_some() {
        store.release_attempt(reservation).await?;
    }
    Ok(linked)
}

/// The page's frame, with dates in the workspace's time zone. The language is the visitor's
/// (their choice on this browser, else the browser's): the page's switch must work.
async fn chrome_for(
    state: &AppState,
    ctx: &RequestCtx,
    linked: &LinkedPost,
) -> Result<(Chrome, String), AppError> {
    let mut c = Chrome::bare(state, ctx);
    let workspace = state.store().workspace(&linked.scope).await?;
    c.tz = crate::dates::zone(&workspace.timezone);
    Ok((c, workspace.name))
}

async fn names(
    state: &AppState,
    linked: &LinkedPost,
) -> Result<HashMap<tribune_domain::ChannelId, ChannelName>, AppError> {
    Ok(channel_names(&state.store().channels(&linked.scope).await?))
}

fn unknown_page(state: &AppState, ctx: &RequestCtx, token: String) -> Response {
    let c = Chrome::bare(state, ctx);
    let problem = Some(c.tr.t(LinkProblem::Unknown.key()));
    private(with_status(
        render(&LinkPage {
            c,
            token,
            workspace: String::new(),
            view: None,
            problem,
            done: None,
            can_decide: false,
            comment: String::new(),
            errors: ValidationError::default(),
        }),
        StatusCode::NOT_FOUND,
    ))
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// Shows the post the link is for, and the two buttons. Decides nothing.
pub async fn show(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Path(token): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let now = unix_now();
    let Some(linked) = bounded_lookup(&state, &ctx, &token, now).await? else {
        return Ok(unknown_page(&state, &ctx, token));
    };
    let (c, workspace) = chrome_for(&state, &ctx, &linked).await?;
    // After a decision with this link, its page says what was decided.
    let status = linked.post.status;
    let done = match (linked.problem, query.done.as_deref()) {
        (Some(LinkProblem::Used), Some("approved"))
            if !matches!(status, TargetStatus::Draft | TargetStatus::PendingApproval) =>
        {
            Some(c.tr.t("approval-link-done-approved"))
        }
        (Some(LinkProblem::Used), Some("changes")) if status == TargetStatus::Draft => {
            Some(c.tr.t("approval-link-done-changes"))
        }
        _ => None,
    };
    let problem = match (linked.problem, &done) {
        (Some(problem), None) => Some(c.tr.t(problem.key())),
        _ => None,
    };
    // The post is shown while the link can decide, and after a decision made with it.
    let view = if linked.problem.is_none() || done.is_some() {
        Some(PostView::new(
            linked.post.clone(),
            &names(&state, &linked).await?,
        ))
    } else {
        None
    };
    let status = if problem.is_some() {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    Ok(private(with_status(
        render(&LinkPage {
            c,
            token,
            workspace,
            view,
            problem,
            done,
            can_decide: linked.problem.is_none(),
            comment: String::new(),
            errors: ValidationError::default(),
        }),
        status,
    )))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

/// Decides with the link: approve, or send back with a comment.
pub async fn decide(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Path(token): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let now = unix_now();
    let comment = form.comment.trim();
    let (decision, done) = match form.decision.as_str() {
        "approve" => (LinkDecision::Approve { comment }, "approved"),
        "changes" => (LinkDecision::RequestChanges { comment }, "changes"),
        _ => return Err(AppError::BadRequest(crate::error::BadRequest::Form)),
    };
    let Some(linked) = bounded_lookup(&state, &ctx, &token, now).await? else {
        return Ok(unknown_page(&state, &ctx, token));
    };
    match state.store().decide_by_link(&token, decision, now).await {
        Ok(Ok(_)) => {
            state.wake_jobs();
            Ok(private(see_other(&format!("/a/{token}?done={done}"))))
        }
        Ok(Err(problem)) => {
            let (c, workspace) = chrome_for(&state, &ctx, &linked).await?;
            let problem = Some(c.tr.t(problem.key()));
            Ok(private(with_status(
                render(&LinkPage {
                    c,
                    token,
                    workspace,
                    view: None,
                    problem,
                    done: None,
                    can_decide: false,
                    comment: String::new(),
                    errors: ValidationError::default(),
                }),
                StatusCode::GONE,
            )))
        }
        Err(StoreError::Invalid(errors)) => {
            let (c, workspace) = chrome_for(&state, &ctx, &linked).await?;
            let view = Some(PostView::new(
                linked.post.clone(),
                &names(&state, &linked).await?,
            ));
            Ok(private(with_status(
                render(&LinkPage {
                    c,
                    token,
                    workspace,
                    view,
                    problem: None,
                    done: None,
                    can_decide: true,
                    comment: comment.to_owned(),
                    errors,
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )))
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /a/{token}/media/{media}`: the thumbnail of an image attached to the link's post, for
/// its page. Only while the link can decide, and only for that post's media; anything else is
/// the same plain 404, which tells nothing about what exists. Wrong tokens count against the
/// client address's allowance as on the page.
pub async fn media(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Path((token, media)): Path<(String, MediaId)>,
) -> Result<Response, AppError> {
    let now = unix_now();
    let Some(linked) = bounded_lookup(&state, &ctx, &token, now).await? else {
        return Err(AppError::NotFound);
    };
    if linked.problem.is_some() {
        return Err(AppError::NotFound);
    }
    let attached = linked
        .post
        .media
        .iter()
        .find(|m| m.id == media && m.kind == MediaKind::Image)
        .ok_or(AppError::NotFound)?;
    let response = crate::api::media::thumbnail_response(&state, attached).await?;
    Ok(private(response))
}
