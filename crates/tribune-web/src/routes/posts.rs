//! A workspace's posts: the list by status, one post with its channels and history, and what
//! can be done to it (approve, send back, schedule, retry, delete), plus pausing publishing.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use tribune_domain::media::MediaKind;
use tribune_domain::publishing::{ApprovalPolicy, TargetStatus};
use tribune_domain::{ChannelId, PostId, Role, WorkspaceId};
use tribune_store::channels::Channel;
use tribune_store::media::Media;
use tribune_store::posts::{Post, PostEvent, PostFilter, PostTarget};
use tribune_store::unix_now;

/// A channel as a post's pages name it.
#[derive(Clone)]
pub struct ChannelName {
    pub network: String,
    pub name: String,
}

pub fn channel_names(channels: &[Channel]) -> HashMap<ChannelId, ChannelName> {
    channels
        .iter()
        .map(|c| {
            (
                c.id,
                ChannelName {
                    network: c.network.clone(),
                    name: c.display_name.clone(),
                },
            )
        })
        .collect()
}

/// One post as the pages show it.
pub struct PostView {
    pub post: Post,
    pub channels: Vec<(PostTarget, ChannelName)>,
}

impl PostView {
    pub fn new(post: Post, names: &HashMap<ChannelId, ChannelName>) -> PostView {
        let channels = post
            .targets
            .iter()
            .map(|t| {
                let name = names.get(&t.channel_id).cloned().unwrap_or(ChannelName {
                    network: String::new(),
                    name: String::new(),
                });
                (t.clone(), name)
            })
            .collect();
        PostView { post, channels }
    }

    /// The first line of the text, cut to a readable length.
    pub fn excerpt(&self) -> String {
        let first = self.post.text.lines().next().unwrap_or_default();
        let mut out: String = first.chars().take(140).collect();
        if first.chars().count() > 140 || self.post.text.lines().count() > 1 {
            out.push('…');
        }
        out
    }

    pub fn status(&self) -> &'static str {
        self.post.status.as_str()
    }

    /// When it goes (went) out, or when it was written for undated drafts.
    pub fn when(&self) -> i64 {
        self.post.scheduled_at.unwrap_or(self.post.created_at)
    }

    pub fn is_dated(&self) -> bool {
        self.post.scheduled_at.is_some()
    }
}

/// The width and height of a media's thumbnail, from the image's own (the thumbnail keeps its
/// shape within [`tribune_media::picture::THUMBNAIL_SIDE`]), so a page does not jump as it loads.
pub fn thumb_size(media: &Media) -> (u32, u32) {
    let side = tribune_media::picture::THUMBNAIL_SIDE;
    match (media.width, media.height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => {
            let long = w.max(h);
            if long <= side {
                return (w, h);
            }
            let fit = |v: u32| {
                u32::try_from(u64::from(v) * u64::from(side) / u64::from(long))
                    .unwrap_or(side)
                    .max(1)
            };
            (fit(w), fit(h))
        }
        _ => (side, side),
    }
}

/// A `status` query parameter of the posts pages: empty means all, anything unknown is a 400.
pub fn status_param(value: Option<&str>) -> Result<Option<TargetStatus>, AppError> {
    value
        .filter(|s| !s.is_empty())
        .map(|s| {
            TargetStatus::parse(s).ok_or(AppError::BadRequest(crate::error::BadRequest::Unreadable))
        })
        .transpose()
}

/// A `channel` query parameter of the posts pages: empty means all, not an id is a 400.
pub fn channel_param(value: Option<&str>) -> Result<Option<ChannelId>, AppError> {
    value
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse::<ChannelId>()
                .map_err(|_| AppError::BadRequest(crate::error::BadRequest::Unreadable))
        })
        .transpose()
}

pub fn status_key(status: &TargetStatus) -> String {
    format!("post-status-{}", status.as_str().replace('_', "-"))
}

/// The tabs of the list, in order: (status filter, label key).
const TABS: [(&str, &str); 6] = [
    ("", "posts-tab-all"),
    ("scheduled", "posts-tab-scheduled"),
    ("pending_approval", "posts-tab-pending"),
    ("draft", "posts-tab-drafts"),
    ("published", "posts-tab-published"),
    ("failed", "posts-tab-failed"),
];

#[derive(Template)]
#[template(path = "posts.html")]
pub struct PostsPage {
    c: Chrome,
    ws_id: WorkspaceId,
    posts: Vec<PostView>,
    tab: String,
    tabs: Vec<(&'static str, &'static str)>,
    can_write: bool,
    can_publish: bool,
    paused: bool,
}

impl PostsPage {
    fn due(&self, view: &PostView) -> crate::dates::TimeHtml {
        self.c.date_t1("posts-due", "time", &view.when())
    }

    fn status_label(&self, status: &TargetStatus) -> String {
        self.c.tr.t(&status_key(status))
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    flash: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (chrome, _) = Chrome::for_member(&state, &member).await?;
    let status = status_param(query.status.as_deref())?;
    let posts = state
        .store()
        .posts(
            &member.scope,
            &PostFilter {
                status,
                limit: 200,
                ..PostFilter::default()
            },
        )
        .await?;
    let names = channel_names(&state.store().channels(&member.scope).await?);
    let (_, paused) = state.store().publishing_rules(&member.scope).await?;
    let role = member.scope.role();
    render_page(&PostsPage {
        c: chrome.with_flash(query.flash.as_deref()),
        ws_id: member.scope.workspace(),
        posts: posts
            .into_iter()
            .map(|p| PostView::new(p, &names))
            .collect(),
        tab: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        tabs: TABS.to_vec(),
        can_write: role.can_write_posts(),
        can_publish: role.can_publish(),
        paused,
    })
}

fn render_page<T: Template>(page: &T) -> Result<Response, AppError> {
    Ok(render(page))
}

#[derive(Template)]
#[template(path = "post.html")]
pub struct PostPage {
    c: Chrome,
    ws_id: WorkspaceId,
    view: PostView,
    history: Vec<PostEvent>,
    can_edit: bool,
    can_approve: bool,
    can_schedule: bool,
    can_delete: bool,
    policy: ApprovalPolicy,
    /// E-mail is set up: approvers were sent the post (clients with a password-free link).
    mail_on: bool,
    /// The post's content category, if any.
    category: Option<tribune_store::queue::Category>,
}

impl PostPage {
    fn due(&self, view: &PostView) -> crate::dates::TimeHtml {
        self.c.date_t1("posts-due", "time", &view.when())
    }

    fn status_label(&self, status: &TargetStatus) -> String {
        self.c.tr.t(&status_key(status))
    }

    fn is_image(&self, media: &Media) -> bool {
        media.kind == MediaKind::Image
    }

    /// The address of an image's thumbnail, for the workspace's members.
    fn media_src(&self, media: &Media) -> Option<String> {
        (self.is_image(media) && media.thumbnail_key.is_some())
            .then(|| format!("/w/{}/media/{}/thumbnail", self.ws_id, media.id))
    }

    /// What went wrong on a target, in the reader's language, then the network's own words.
    fn target_error(&self, target: &PostTarget) -> Option<String> {
        let code = target.error_code.as_deref()?;
        let mut text = self
            .c
            .tr
            .t(&format!("publish-error-{}", code.replace('_', "-")));
        if code == "preflight" {
            let problems: Vec<String> = target
                .error_message
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| {
                    self.c
                        .tr
                        .t(&format!("compose-problem-{}", c.replace('_', "-")))
                })
                .collect();
            text = format!("{text} {}", problems.join(" "));
        } else if let Some(said) = target.error_message.as_deref() {
            text = format!("{text} {}", self.c.tr.t1("post-network-said", "said", said));
        }
        Some(text)
    }

    fn policy_key(&self) -> &'static str {
        match self.policy {
            ApprovalPolicy::None => "post-policy-none",
            ApprovalPolicy::Team => "post-policy-team",
            ApprovalPolicy::Client => "post-policy-client",
        }
    }

    /// Who was told about a post waiting for approval, and how.
    fn pending_note_key(&self) -> &'static str {
        match (self.mail_on, self.policy) {
            (false, _) => "post-approval-no-mail",
            (true, ApprovalPolicy::Client) => "post-approval-mailed-client",
            (true, _) => "post-approval-mailed-team",
        }
    }

    fn event_label(&self, event: &PostEvent) -> String {
        self.c
            .tr
            .t(&format!("post-event-{}", event.action.replace('_', "-")))
    }

    fn actor_label(&self, event: &PostEvent) -> String {
        if event.actor.starts_with("system:") {
            self.c.tr.t("audit-actor-system")
        } else {
            event.actor_name.clone().unwrap_or_default()
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, PostId)>,
    Query(flash): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let (chrome, _) = Chrome::for_member(&state, &member).await?;
    let post = state.store().post(&member.scope, id).await?;
    let history = state.store().post_history(&member.scope, id).await?;
    let names = channel_names(&state.store().channels(&member.scope).await?);
    let (policy, _) = state.store().publishing_rules(&member.scope).await?;
    let role = member.scope.role();
    let has_client = state
        .store()
        .members(&member.scope)
        .await?
        .iter()
        .any(|m| m.role == Role::Client.as_str());
    let own = post.author == member.scope.user();
    let editable = post.targets.iter().all(|t| t.status.is_editable())
        && !post
            .targets
            .iter()
            .any(|t| t.status == TargetStatus::Published);
    let may_write = role.can_write_posts() && (role != Role::Contributor || own);
    let category = match post.category {
        Some(id) => state
            .store()
            .categories(&member.scope)
            .await?
            .into_iter()
            .find(|c| c.id == id),
        None => None,
    };
    render_page(&PostPage {
        category,
        c: chrome.with_flash(flash.flash.as_deref()),
        ws_id: member.scope.workspace(),
        can_edit: editable && may_write,
        can_delete: editable && may_write,
        can_schedule: may_write
            && matches!(post.status, TargetStatus::Draft | TargetStatus::Failed),
        can_approve: post.status == TargetStatus::PendingApproval
            && policy.may_approve(role, has_client),
        view: PostView::new(post, &names),
        history,
        policy,
        mail_on: state.mailer().await?.is_some(),
    })
}

fn to_post(ws: WorkspaceId, id: PostId, flash: &str) -> Response {
    see_other(&format!("/w/{ws}/posts/{id}?flash={flash}"))
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    comment: String,
}

pub async fn approve(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, PostId)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, AppError> {
    state
        .store()
        .approve_post(&member.scope, id, form.comment.trim(), unix_now())
        .await?;
    state.wake_jobs();
    Ok(to_post(ws, id, "flash-post-approved"))
}

pub async fn request_changes(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, PostId)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, AppError> {
    state
        .store()
        .request_changes(&member.scope, id, form.comment.trim(), unix_now())
        .await?;
    Ok(to_post(ws, id, "flash-post-changes-requested"))
}

/// Schedules a draft (or submits it for approval), or retries a failed post.
pub async fn schedule(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, PostId)>,
) -> Result<Response, AppError> {
    let now = unix_now();
    let post = state.store().post(&member.scope, id).await?;
    let targets: Vec<(ChannelId, Option<String>)> = post
        .targets
        .iter()
        .map(|t| (t.channel_id, t.text.clone()))
        .collect();
    let media: Vec<_> = post
        .media
        .iter()
        .map(crate::preflight::media_info)
        .collect();
    let planned = crate::preflight::Planned {
        title: post.title.as_deref(),
        text: &post.text,
        link: post.link.as_deref(),
        targets: &targets,
        slot: post.scheduled_at,
        media: &media,
    };
    crate::preflight::refuse_errors(
        &crate::preflight::check(&state, &member.scope, &planned, now).await?,
    )?;
    let post = state.store().schedule_post(&member.scope, id, now).await?;
    state.wake_jobs();
    let flash = if post.status == TargetStatus::PendingApproval && state.mailer().await?.is_none() {
        "flash-warn-post-submitted-no-mail"
    } else if post.status == TargetStatus::PendingApproval {
        "flash-post-submitted"
    } else {
        "flash-post-scheduled"
    };
    Ok(to_post(ws, id, flash))
}

pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, PostId)>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .delete_post(&member.scope, id, unix_now())
        .await?;
    Ok(see_other(&format!(
        "/w/{ws}/posts?flash=flash-post-deleted"
    )))
}

/// Pauses all publishing of the workspace (a crisis), or resumes it.
pub async fn pause(
    State(state): State<AppState>,
    member: Member,
    Path(ws): Path<WorkspaceId>,
) -> Result<Response, AppError> {
    set_paused(&state, &member, ws, true).await
}

pub async fn resume(
    State(state): State<AppState>,
    member: Member,
    Path(ws): Path<WorkspaceId>,
) -> Result<Response, AppError> {
    set_paused(&state, &member, ws, false).await
}

async fn set_paused(
    state: &AppState,
    member: &Member,
    ws: WorkspaceId,
    paused: bool,
) -> Result<Response, AppError> {
    state
        .store()
        .set_publishing_paused(&member.scope, paused, unix_now())
        .await?;
    let flash = if paused {
        "flash-warn-publishing-paused"
    } else {
        // Posts whose time passed during the pause go out now.
        state.wake_jobs();
        "flash-publishing-resumed"
    };
    Ok(see_other(&format!("/w/{ws}/posts?flash={flash}")))
}
