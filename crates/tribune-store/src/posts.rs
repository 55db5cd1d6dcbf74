//! Posts and their targets (one per channel), with each post's history. Every workflow change
//! is one transaction: the post, its targets, its history, the audit event and the publish job
//! commit together or not at all. Targets move only along the transitions of
//! [`tribune_domain::publishing`], each move a conditional update on the status it starts from,
//! so two requests (or two workers) can never both make the same move.

use crate::audit::AuditEvent;
use crate::db::{Conn, in_list};
use crate::jobs::{JobNew, OnDuplicate};
use crate::media::{Media, check_media, post_media};
use crate::schema::{
    Categories, Channels, Memberships, PostEvents, PostTargets, Posts, Users, Workspaces,
};
use crate::{Refusal, Store, StoreError, Transaction, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::publishing::{ApprovalPolicy, TargetStatus};
use tribune_domain::validation::optional_text;
use tribune_domain::{
    CategoryId, ChannelId, MediaId, PostId, PostTargetId, Role, UserId, ValidationError,
};

/// The job kind that publishes one target.
pub const PUBLISH_JOB: &str = "publish";

/// Longest post text kept (the longest network, Facebook, allows 63,206 characters; blog posts
/// go longer).
pub const MAX_TEXT_CHARS: usize = 100_000;
pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_LINK_CHARS: usize = 2_000;
pub const MAX_COMMENT_CHARS: usize = 2_000;
/// Channels one post may target.
pub const MAX_TARGETS: usize = 50;
/// The most posts one list returns (a calendar month of a busy agency fits).
pub const MAX_LISTED: u64 = 5_000;
/// A post may be scheduled this far in the past at most (the form took a moment to send).
pub const PAST_GRACE_SECS: i64 = 120;

/// What the author wants done with the post now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Keep it as a draft.
    Draft,
    /// Schedule it (or submit it for approval when the workspace's policy asks).
    Schedule,
}

/// A new post.
#[derive(Debug, Clone, Default)]
pub struct PostNew {
    pub title: Option<String>,
    pub text: String,
    pub link: Option<String>,
    /// The channels, each with its own text when it differs from `text`.
    pub targets: Vec<(ChannelId, Option<String>)>,
    /// UTC Unix seconds; `None` with [`Intent::Schedule`] means "as soon as possible".
    pub scheduled_at: Option<i64>,
    /// The workspace's media to attach, in order.
    pub media: Vec<MediaId>,
    /// The workspace's content category, if any.
    pub category: Option<CategoryId>,
}

/// A change to a post not published yet; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PostPatch {
    pub title: Option<Option<String>>,
    pub text: Option<String>,
    pub link: Option<Option<String>>,
    pub targets: Option<Vec<(ChannelId, Option<String>)>>,
    pub scheduled_at: Option<Option<i64>>,
    pub media: Option<Vec<MediaId>>,
    pub category: Option<Option<CategoryId>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct PostRow {
    id: i64,
    author_user_id: Option<i64>,
    title: Option<String>,
    text: String,
    link: Option<String>,
    scheduled_at: Option<i64>,
    approved_by: Option<i64>,
    approved_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    category_id: Option<i64>,
    recycled_from: Option<i64>,
}

const POST_COLUMNS: [Posts; 12] = [
    Posts::Id,
    Posts::AuthorUserId,
    Posts::Title,
    Posts::Text,
    Posts::Link,
    Posts::ScheduledAt,
    Posts::ApprovedBy,
    Posts::ApprovedAt,
    Posts::CreatedAt,
    Posts::UpdatedAt,
    Posts::CategoryId,
    Posts::RecycledFrom,
];

#[derive(Debug, Clone, sqlx::FromRow)]
struct TargetRow {
    id: i64,
    post_id: i64,
    channel_id: i64,
    text: Option<String>,
    status: String,
    idempotency_key: String,
    attempts: i32,
    attempt_started_at: Option<i64>,
    remote_ref: Option<String>,
    remote_url: Option<String>,
    published_at: Option<i64>,
    error_code: Option<String>,
    error_message: Option<String>,
    updated_at: i64,
}

const TARGET_COLUMNS: [PostTargets; 14] = [
    PostTargets::Id,
    PostTargets::PostId,
    PostTargets::ChannelId,
    PostTargets::Text,
    PostTargets::Status,
    PostTargets::IdempotencyKey,
    PostTargets::Attempts,
    PostTargets::AttemptStartedAt,
    PostTargets::RemoteRef,
    PostTargets::RemoteUrl,
    PostTargets::PublishedAt,
    PostTargets::ErrorCode,
    PostTargets::ErrorMessage,
    PostTargets::UpdatedAt,
];

/// A post on one channel.
#[derive(Debug, Clone, Serialize)]
pub struct PostTarget {
    pub id: PostTargetId,
    pub post_id: PostId,
    pub channel_id: ChannelId,
    /// This channel's own text, if it differs from the post's.
    pub text: Option<String>,
    pub status: TargetStatus,
    pub idempotency_key: String,
    pub attempts: u32,
    pub attempt_started_at: Option<i64>,
    pub remote_ref: Option<String>,
    pub remote_url: Option<String>,
    pub published_at: Option<i64>,
    /// A stable code for the last failure (`network_refused`, `channel_broken`, …).
    pub error_code: Option<String>,
    /// The network's own words about it, if it said any.
    pub error_message: Option<String>,
    pub updated_at: i64,
}

impl TargetRow {
    fn into_target(self) -> Result<PostTarget, StoreError> {
        Ok(PostTarget {
            id: PostTargetId(self.id),
            post_id: PostId(self.post_id),
            channel_id: ChannelId(self.channel_id),
            text: self.text,
            status: TargetStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Internal(format!("target status {}", self.status)))?,
            idempotency_key: self.idempotency_key,
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            attempt_started_at: self.attempt_started_at,
            remote_ref: self.remote_ref,
            remote_url: self.remote_url,
            published_at: self.published_at,
            error_code: self.error_code,
            error_message: self.error_message,
            updated_at: self.updated_at,
        })
    }
}

/// A post with its targets.
#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub id: PostId,
    pub author: Option<UserId>,
    /// The post as a whole, derived from its targets.
    pub status: TargetStatus,
    pub title: Option<String>,
    pub text: String,
    pub link: Option<String>,
    pub scheduled_at: Option<i64>,
    pub approved_by: Option<UserId>,
    pub approved_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub targets: Vec<PostTarget>,
    /// Attached images and videos, in order.
    pub media: Vec<Media>,
    /// The workspace's content category, if any.
    pub category: Option<CategoryId>,
    /// The published evergreen post this one is a recycled copy of.
    pub recycled_from: Option<PostId>,
}

impl Post {
    fn assemble(row: PostRow, targets: Vec<PostTarget>, media: Vec<Media>) -> Post {
        let statuses: Vec<TargetStatus> = targets.iter().map(|t| t.status).collect();
        Post {
            id: PostId(row.id),
            author: row.author_user_id.map(UserId),
            status: tribune_domain::publishing::post_status(&statuses),
            title: row.title,
            text: row.text,
            link: row.link,
            scheduled_at: row.scheduled_at,
            approved_by: row.approved_by.map(UserId),
            approved_at: row.approved_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            targets,
            media,
            category: row.category_id.map(CategoryId),
            recycled_from: row.recycled_from.map(PostId),
        }
    }

    /// The text this target publishes.
    pub fn text_for(&self, target: &PostTarget) -> String {
        target.text.clone().unwrap_or_else(|| self.text.clone())
    }

    pub fn target(&self, id: PostTargetId) -> Option<&PostTarget> {
        self.targets.iter().find(|t| t.id == id)
    }
}

/// One entry of a post's history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PostEvent {
    pub at: i64,
    pub actor: String,
    pub actor_user_id: Option<i64>,
    /// The member's name now, if the account still exists.
    pub actor_name: Option<String>,
    pub action: String,
    pub target_id: Option<i64>,
    pub comment: String,
}

/// Which posts to list.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    /// Scheduled at or after (UTC Unix seconds); undated posts are left out when set.
    pub from: Option<i64>,
    /// Scheduled before.
    pub to: Option<i64>,
    /// Posts having at least one target in this status.
    pub status: Option<TargetStatus>,
    pub channel: Option<ChannelId>,
    /// Posts with an id below this one (the cursor of the next page).
    pub before_id: Option<PostId>,
    /// Oldest scheduled first (a calendar) instead of newest created first.
    pub by_schedule: bool,
    pub limit: u64,
}

/// The attempt a publisher may now make on a target (see [`Store::begin_publish`]).
#[derive(Debug, Clone)]
pub struct PublishAttempt {
    pub post: Post,
    pub target: PostTarget,
    /// The target's channel and its sealed credentials, read in the attempt's transaction.
    pub channel: crate::channels::Channel,
    pub sealed: crate::channels::SealedChannel,
    /// When an earlier attempt started that never reported back (its worker crashed or lost
    /// its lease): the network must be asked whether that one went out before sending again.
    pub unfinished_since: Option<i64>,
}

/// Why [`Store::begin_publish`] did not start an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotNow {
    /// Already published, failed, unscheduled or deleted: nothing to do.
    Nothing,
    /// The post was moved to a later time (its job is moved there).
    NotYet(i64),
    /// The workspace's publishing is paused.
    Paused,
    /// Another post is going out on the same channel; try again in a moment.
    ChannelBusy,
    /// An attempt on this very target is in flight on another worker.
    InFlight,
}

/// How a publish attempt ended.
#[derive(Debug, Clone)]
pub enum PublishOutcome {
    Published {
        remote_ref: String,
        remote_url: Option<String>,
    },
    /// Try again at `at` (transient failure, rate limit); the target is scheduled again.
    Retry {
        at: i64,
        code: &'static str,
        message: Option<String>,
    },
    /// It will not work without someone acting: the target is failed.
    Failed {
        code: &'static str,
        message: Option<String>,
    },
}

/// An in-flight attempt older than this is considered abandoned by its worker (the default of
/// [`Store::begin_publish_with_lease`]'s lease; `tribune` reads it from `jobs.attempt_lease_secs`).
pub const ATTEMPT_LEASE_SECS: i64 = 300;

fn check_content(
    title: Option<&str>,
    text: &str,
    link: Option<&str>,
    errors: &mut ValidationError,
) -> (Option<String>, String, Option<String>) {
    let title = title
        .map(|t| optional_text(errors, "title", t, MAX_TITLE_CHARS))
        .filter(|t| !t.is_empty());
    let text = optional_text(errors, "text", text, MAX_TEXT_CHARS);
    let link = link.map(str::trim).filter(|l| !l.is_empty()).map(|l| {
        let ok = l.chars().count() <= MAX_LINK_CHARS
            && url::Url::parse(l).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            errors.push("link", "error-link-invalid");
        }
        l.to_owned()
    });
    (title, text, link)
}

fn check_targets(
    targets: &[(ChannelId, Option<String>)],
    errors: &mut ValidationError,
) -> Vec<(ChannelId, Option<String>)> {
    if targets.is_empty() {
        errors.push("channels", "error-post-no-channel");
    } else if targets.len() > MAX_TARGETS {
        errors.push("channels", "error-too-many");
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (channel, variant) in targets {
        if !seen.insert(*channel) {
            continue;
        }
        let variant = variant
            .as_deref()
            .map(|v| optional_text(errors, "variants", v, MAX_TEXT_CHARS))
            .filter(|v| !v.is_empty());
        out.push((*channel, variant));
    }
    out
}

fn check_schedule(at: Option<i64>, now: i64, errors: &mut ValidationError) {
    if let Some(at) = at
        && at < now - PAST_GRACE_SECS
    {
        errors.push("scheduled_at", "error-scheduled-in-past");
    }
}

/// The job that publishes `target` at `run_at`.
pub(crate) fn publish_job(scope: &WorkspaceScope, target: PostTargetId, run_at: i64) -> JobNew {
    JobNew {
        kind: PUBLISH_JOB,
        workspace: Some(scope.workspace()),
        payload: serde_json::json!({ "target": target.0 }),
        dedup_key: Some(publish_job_key(target)),
        run_at,
    }
}

pub fn publish_job_key(target: PostTargetId) -> String {
    format!("publish:{}", target.0)
}

pub(crate) async fn load_post(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    id: PostId,
) -> Result<Post, StoreError> {
    load_posts(conn, scope, &[id])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The workspace's posts with these ids (those that exist), in id order.
pub(crate) async fn load_posts(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    ids: &[PostId],
) -> Result<Vec<Post>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<PostRow> = conn
        .fetch_all(
            &Query::select()
                .columns(POST_COLUMNS)
                .from(Posts::Table)
                .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
                .and_where(in_list(
                    Posts::Id,
                    &ids.iter().map(|id| id.0).collect::<Vec<_>>(),
                ))
                .order_by(Posts::Id, Order::Asc)
                .to_owned(),
        )
        .await?;
    with_targets_and_media(conn, scope, rows).await
}

/// Completes post rows with their targets and media: two queries whatever the number of posts.
async fn with_targets_and_media(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    rows: Vec<PostRow>,
) -> Result<Vec<Post>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let targets: Vec<TargetRow> = conn
        .fetch_all(
            &Query::select()
                .columns(TARGET_COLUMNS)
                .from(PostTargets::Table)
                .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0))
                .and_where(in_list(
                    PostTargets::PostId,
                    &rows.iter().map(|r| r.id).collect::<Vec<_>>(),
                ))
                .order_by(PostTargets::Id, Order::Asc)
                .to_owned(),
        )
        .await?;
    let mut by_post: std::collections::HashMap<i64, Vec<PostTarget>> =
        std::collections::HashMap::new();
    for row in targets {
        let target = row.into_target()?;
        by_post.entry(target.post_id.0).or_default().push(target);
    }
    let ids: Vec<PostId> = rows.iter().map(|r| PostId(r.id)).collect();
    let mut media_by_post: std::collections::HashMap<PostId, Vec<Media>> =
        std::collections::HashMap::new();
    for (post, media) in post_media(conn, scope, &ids).await? {
        media_by_post.entry(post).or_default().push(media);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let targets = by_post.remove(&row.id).unwrap_or_default();
            let media = media_by_post.remove(&PostId(row.id)).unwrap_or_default();
            Post::assemble(row, targets, media)
        })
        .collect())
}

/// The workspace's approval policy, whether its publishing is paused, and whether it has a
/// client member.
pub(crate) async fn workspace_rules(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
) -> Result<(ApprovalPolicy, bool, bool), StoreError> {
    let (policy, paused): (String, Option<i64>) = conn
        .fetch_one(
            &Query::select()
                .columns([Workspaces::ApprovalPolicy, Workspaces::PublishingPausedAt])
                .from(Workspaces::Table)
                .and_where(Expr::col(Workspaces::Id).eq(scope.workspace().0))
                .to_owned(),
        )
        .await?;
    let (clients,): (i64,) = conn
        .fetch_one(
            &Query::select()
                .expr(Expr::col(Memberships::UserId).count())
                .from(Memberships::Table)
                .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(Memberships::Role).eq(Role::Client.as_str()))
                .to_owned(),
        )
        .await?;
    Ok((
        ApprovalPolicy::parse(&policy).unwrap_or_default(),
        paused.is_some(),
        clients > 0,
    ))
}

/// The post's version: it grows with every edit and every submission for approval, so an
/// approval link sent for one version decides nothing about another.
pub(crate) async fn post_version(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    id: PostId,
) -> Result<i64, StoreError> {
    let (version,): (i64,) = conn
        .fetch_one(
            &Query::select()
                .column(Posts::Version)
                .from(Posts::Table)
                .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(Posts::Id).eq(id.0))
                .to_owned(),
        )
        .await?;
    Ok(version)
}

/// Makes a new version of the post (see [`post_version`]) and returns it.
async fn next_version(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    id: PostId,
) -> Result<i64, StoreError> {
    conn.execute(
        &Query::update()
            .table(Posts::Table)
            .value(Posts::Version, Expr::col(Posts::Version).add(1))
            .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
            .and_where(Expr::col(Posts::Id).eq(id.0))
            .to_owned(),
    )
    .await?;
    post_version(conn, scope, id).await
}

/// A post's content once checked, ready to insert.
pub(crate) struct Checked {
    pub title: Option<String>,
    pub text: String,
    pub link: Option<String>,
    pub targets: Vec<(ChannelId, Option<String>)>,
    pub media: Vec<MediaId>,
    pub category: Option<CategoryId>,
    pub recycled_from: Option<PostId>,
}

/// Inserts a draft post with its targets, media and first history entry.
pub(crate) async fn insert_post(
    tx: &mut Transaction,
    scope: &WorkspaceScope,
    post: &Checked,
    scheduled_at: Option<i64>,
    now: i64,
) -> Result<PostId, StoreError> {
    let row: (i64,) = tx
        .conn()
        .fetch_one(
            &Query::insert()
                .into_table(Posts::Table)
                .columns([
                    Posts::WorkspaceId,
                    Posts::AuthorUserId,
                    Posts::Status,
                    Posts::Title,
                    Posts::Text,
                    Posts::Link,
                    Posts::ScheduledAt,
                    Posts::CategoryId,
                    Posts::RecycledFrom,
                    Posts::CreatedAt,
                    Posts::UpdatedAt,
                ])
                .values([
                    scope.workspace().0.into(),
                    scope.user().map(|u| u.0).into(),
                    TargetStatus::Draft.as_str().into(),
                    post.title.clone().into(),
                    post.text.clone().into(),
                    post.link.clone().into(),
                    scheduled_at.into(),
                    post.category.map(|c| c.0).into(),
                    post.recycled_from.map(|p| p.0).into(),
                    now.into(),
                    now.into(),
                ])?
                .returning(Query::returning().column(Posts::Id))
                .to_owned(),
        )
        .await?;
    let id = PostId(row.0);
    tx.insert_targets(scope, id, &post.targets, TargetStatus::Draft, now)
        .await?;
    tx.set_post_media(scope, id, &post.media).await?;
    let event = if post.recycled_from.is_some() {
        "recycled"
    } else {
        "created"
    };
    tx.post_event(scope, id, None, event, "", now).await?;
    Ok(id)
}

/// Checks a post's content and channels as [`Store::create_post`] does, without a schedule.
pub(crate) fn check_new(new: &PostNew, now: i64) -> Result<Checked, StoreError> {
    let mut errors = ValidationError::default();
    let (title, text, link) = check_content(
        new.title.as_deref(),
        &new.text,
        new.link.as_deref(),
        &mut errors,
    );
    let targets = check_targets(&new.targets, &mut errors);
    if text.is_empty() && targets.iter().all(|(_, v)| v.is_none()) {
        errors.push("text", "error-required");
    }
    check_schedule(new.scheduled_at, now, &mut errors);
    let media = check_media(&new.media, &mut errors);
    errors.into_result()?;
    Ok(Checked {
        title,
        text,
        link,
        targets,
        media,
        category: new.category,
        recycled_from: None,
    })
}

/// Checks what can be checked of a new post without the database (lengths, the link, the
/// channels' count, a slot not in the past), as [`Store::create_post`] will: the CSV import
/// reports each row's problems before writing any.
pub fn check_post(new: &PostNew, now: i64) -> Result<(), ValidationError> {
    match check_new(new, now) {
        Ok(_) => Ok(()),
        Err(StoreError::Invalid(invalid)) => Err(invalid),
        Err(_) => Ok(()),
    }
}

/// Refuses a category that is not the workspace's own.
pub(crate) async fn check_category_belongs(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    category: Option<CategoryId>,
) -> Result<(), StoreError> {
    let Some(category) = category else {
        return Ok(());
    };
    let found: Option<(i64,)> = conn
        .fetch_optional(
            &Query::select()
                .column(Categories::Id)
                .from(Categories::Table)
                .and_where(Expr::col(Categories::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(Categories::Id).eq(category.0))
                .to_owned(),
        )
        .await?;
    if found.is_none() {
        return Err(ValidationError::single("category", "error-category-unknown").into());
    }
    Ok(())
}

/// Refuses channels that are not the workspace's own: a post never reaches another client.
pub(crate) async fn check_channels_belong(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    targets: &[(ChannelId, Option<String>)],
) -> Result<(), StoreError> {
    if targets.is_empty() {
        return Ok(());
    }
    let (found,): (i64,) = conn
        .fetch_one(
            &Query::select()
                .expr(Expr::col(Channels::Id).count())
                .from(Channels::Table)
                .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(Channels::Id).is_in(targets.iter().map(|(c, _)| c.0)))
                .to_owned(),
        )
        .await?;
    if usize::try_from(found).unwrap_or(0) != targets.len() {
        return Err(ValidationError::single("channels", "error-post-channel-unknown").into());
    }
    Ok(())
}

/// One entry to add to a post's history (see [`Transaction::post_events`]).
pub(crate) struct NewEvent<'a> {
    pub scope: &'a WorkspaceScope,
    pub post: PostId,
    pub target: Option<PostTargetId>,
    pub action: &'a str,
    pub comment: &'a str,
}

impl Transaction {
    pub(crate) async fn post_event(
        &mut self,
        scope: &WorkspaceScope,
        post: PostId,
        target: Option<PostTargetId>,
        action: &str,
        comment: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.post_events(
            &[NewEvent {
                scope,
                post,
                target,
                action,
                comment,
            }],
            now,
        )
        .await
    }

    /// Adds entries to posts' histories, in one statement, each as its scope's actor.
    pub(crate) async fn post_events(
        &mut self,
        events: &[NewEvent<'_>],
        now: i64,
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert();
        insert.into_table(PostEvents::Table).columns([
            PostEvents::WorkspaceId,
            PostEvents::PostId,
            PostEvents::TargetId,
            PostEvents::At,
            PostEvents::ActorUserId,
            PostEvents::Actor,
            PostEvents::Action,
            PostEvents::Comment,
        ]);
        for event in events {
            let actor = event.scope.actor();
            insert.values([
                event.scope.workspace().0.into(),
                event.post.0.into(),
                event.target.map(|t| t.0).into(),
                now.into(),
                actor.user().map(|u| u.0).into(),
                actor.label().into(),
                event.action.into(),
                event
                    .comment
                    .chars()
                    .take(MAX_COMMENT_CHARS)
                    .collect::<String>()
                    .into(),
            ])?;
        }
        self.conn().execute(&insert).await?;
        Ok(())
    }

    /// Moves every target of the post in one of `from` to `to`.
    async fn move_targets(
        &mut self,
        scope: &WorkspaceScope,
        post: PostId,
        from: &[TargetStatus],
        to: TargetStatus,
        now: i64,
    ) -> Result<u64, StoreError> {
        self.conn()
            .execute(
                &Query::update()
                    .table(PostTargets::Table)
                    .values([
                        (PostTargets::Status, to.as_str().into()),
                        (PostTargets::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(PostTargets::PostId).eq(post.0))
                    .and_where(
                        Expr::col(PostTargets::Status).is_in(from.iter().map(|s| s.as_str())),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn set_post_status(
        &mut self,
        scope: &WorkspaceScope,
        post: PostId,
        status: TargetStatus,
        now: i64,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                &Query::update()
                    .table(Posts::Table)
                    .values([
                        (Posts::Status, status.as_str().into()),
                        (Posts::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Posts::Id).eq(post.0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// Schedules the post's approved targets: each gets its publish job.
    async fn schedule_targets(
        &mut self,
        scope: &WorkspaceScope,
        post: &Post,
        now: i64,
    ) -> Result<(), StoreError> {
        let run_at = std::cmp::max(post.scheduled_at.unwrap_or(now), now);
        // "As soon as possible" is now: the post takes its place in the calendar.
        if post.scheduled_at.is_none() {
            self.conn()
                .execute(
                    &Query::update()
                        .table(Posts::Table)
                        .value(Posts::ScheduledAt, now)
                        .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(Posts::Id).eq(post.id.0))
                        .to_owned(),
                )
                .await?;
        }
        for target in &post.targets {
            if matches!(
                target.status,
                TargetStatus::Draft | TargetStatus::PendingApproval | TargetStatus::Scheduled
            ) {
                self.enqueue(
                    &publish_job(scope, target.id, run_at),
                    OnDuplicate::Replace,
                    now,
                )
                .await?;
            }
        }
        self.move_targets(
            scope,
            post.id,
            &[TargetStatus::Draft, TargetStatus::PendingApproval],
            TargetStatus::Scheduled,
            now,
        )
        .await?;
        self.set_post_status(scope, post.id, TargetStatus::Scheduled, now)
            .await
    }

    /// Unschedules the post's waiting targets (their jobs are removed).
    async fn unschedule_targets(
        &mut self,
        scope: &WorkspaceScope,
        post: &Post,
        to: TargetStatus,
        now: i64,
    ) -> Result<(), StoreError> {
        for target in &post.targets {
            self.cancel_job(&publish_job_key(target.id), now).await?;
        }
        self.move_targets(
            scope,
            post.id,
            &[
                TargetStatus::Draft,
                TargetStatus::PendingApproval,
                TargetStatus::Scheduled,
                TargetStatus::Failed,
            ],
            to,
            now,
        )
        .await?;
        self.set_post_status(scope, post.id, to, now).await
    }

    async fn insert_targets(
        &mut self,
        scope: &WorkspaceScope,
        post: PostId,
        targets: &[(ChannelId, Option<String>)],
        status: TargetStatus,
        now: i64,
    ) -> Result<(), StoreError> {
        for (channel, variant) in targets {
            self.conn()
                .execute(
                    &Query::insert()
                        .into_table(PostTargets::Table)
                        .columns([
                            PostTargets::WorkspaceId,
                            PostTargets::PostId,
                            PostTargets::ChannelId,
                            PostTargets::Text,
                            PostTargets::Status,
                            PostTargets::IdempotencyKey,
                            PostTargets::UpdatedAt,
                        ])
                        .values([
                            scope.workspace().0.into(),
                            post.0.into(),
                            channel.0.into(),
                            variant.clone().into(),
                            status.as_str().into(),
                            idempotency_key().into(),
                            now.into(),
                        ])?
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// A fresh key for one target: 128 random bits in hex, printable ASCII as every network wants.
pub(crate) fn idempotency_key() -> String {
    let token = tribune_domain::security::token::random_token();
    format!(
        "tribune-{}",
        &tribune_domain::security::token::token_digest(&token)[..32]
    )
}

impl Store {
    /// Creates a post for channels of the scope's workspace. With [`Intent::Schedule`] it is
    /// scheduled (its publish jobs enqueued in the same transaction), or submitted for approval
    /// when the workspace's policy asks for one.
    pub async fn create_post(
        &self,
        scope: &WorkspaceScope,
        new: PostNew,
        intent: Intent,
        now: i64,
    ) -> Result<Post, StoreError> {
        scope.require(Role::can_write_posts)?;
        let checked = check_new(&new, now)?;
        let mut tx = self.begin().await?;
        check_channels_belong(&mut tx.conn(), scope, &checked.targets).await?;
        check_category_belongs(&mut tx.conn(), scope, checked.category).await?;
        let (policy, _, _) = workspace_rules(&mut tx.conn(), scope).await?;
        let id = insert_post(&mut tx, scope, &checked, new.scheduled_at, now).await?;
        if intent == Intent::Schedule {
            let post = load_post(&mut tx.conn(), scope, id).await?;
            submit_or_schedule(&mut tx, scope, &post, policy, now).await?;
        }
        let post = load_post(&mut tx.conn(), scope, id).await?;
        tx.commit().await?;
        Ok(post)
    }

    /// Creates several posts in one transaction (a CSV import): all of them, or none when one
    /// is refused. Each is checked as [`Store::create_post`] checks it.
    pub async fn create_posts(
        &self,
        scope: &WorkspaceScope,
        posts: Vec<(PostNew, Intent)>,
        now: i64,
    ) -> Result<Vec<PostId>, StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut checked = Vec::with_capacity(posts.len());
        for (new, intent) in posts {
            checked.push((check_new(&new, now)?, new.scheduled_at, intent));
        }
        let mut tx = self.begin().await?;
        let (policy, _, _) = workspace_rules(&mut tx.conn(), scope).await?;
        let mut ids = Vec::with_capacity(checked.len());
        for (post, scheduled_at, intent) in checked {
            check_channels_belong(&mut tx.conn(), scope, &post.targets).await?;
            check_category_belongs(&mut tx.conn(), scope, post.category).await?;
            let id = insert_post(&mut tx, scope, &post, scheduled_at, now).await?;
            if intent == Intent::Schedule {
                let post = load_post(&mut tx.conn(), scope, id).await?;
                submit_or_schedule(&mut tx, scope, &post, policy, now).await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// The post's version (see [`post_version`]): what an approval request was sent for.
    pub async fn post_version(
        &self,
        scope: &WorkspaceScope,
        id: PostId,
    ) -> Result<i64, StoreError> {
        let mut conn = self.db.acquire().await?;
        post_version(&mut conn.conn(), scope, id).await
    }

    pub async fn post(&self, scope: &WorkspaceScope, id: PostId) -> Result<Post, StoreError> {
        let mut conn = self.db.acquire().await?;
        load_post(&mut conn.conn(), scope, id).await
    }

    /// The post's history, oldest first.
    pub async fn post_history(
        &self,
        scope: &WorkspaceScope,
        id: PostId,
    ) -> Result<Vec<PostEvent>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns(
                        [
                            PostEvents::At,
                            PostEvents::Actor,
                            PostEvents::ActorUserId,
                            PostEvents::Action,
                            PostEvents::TargetId,
                            PostEvents::Comment,
                        ]
                        .map(|c| (PostEvents::Table, c)),
                    )
                    .expr_as(Expr::col((Users::Table, Users::Name)), "actor_name")
                    .from(PostEvents::Table)
                    .left_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((PostEvents::Table, PostEvents::ActorUserId)),
                    )
                    .and_where(
                        Expr::col((PostEvents::Table, PostEvents::WorkspaceId))
                            .eq(scope.workspace().0),
                    )
                    .and_where(Expr::col((PostEvents::Table, PostEvents::PostId)).eq(id.0))
                    .order_by((PostEvents::Table, PostEvents::At), Order::Asc)
                    .order_by((PostEvents::Table, PostEvents::Id), Order::Asc)
                    .to_owned(),
            )
            .await
    }

    /// Posts of the workspace, newest first, one page at a time.
    pub async fn posts(
        &self,
        scope: &WorkspaceScope,
        filter: &PostFilter,
    ) -> Result<Vec<Post>, StoreError> {
        let mut select = Query::select();
        select
            .columns(POST_COLUMNS.map(|c| (Posts::Table, c)))
            .from(Posts::Table)
            .and_where(Expr::col((Posts::Table, Posts::WorkspaceId)).eq(scope.workspace().0))
            .limit(filter.limit.clamp(1, MAX_LISTED));
        if filter.by_schedule {
            select
                .order_by((Posts::Table, Posts::ScheduledAt), Order::Asc)
                .order_by((Posts::Table, Posts::Id), Order::Asc);
        } else {
            select.order_by((Posts::Table, Posts::Id), Order::Desc);
        }
        if let Some(from) = filter.from {
            select.and_where(Expr::col((Posts::Table, Posts::ScheduledAt)).gte(from));
        }
        if let Some(to) = filter.to {
            select.and_where(Expr::col((Posts::Table, Posts::ScheduledAt)).lt(to));
        }
        if let Some(before) = filter.before_id {
            select.and_where(Expr::col((Posts::Table, Posts::Id)).lt(before.0));
        }
        if filter.status.is_some() || filter.channel.is_some() {
            let mut sub = Query::select();
            sub.column(PostTargets::PostId)
                .from(PostTargets::Table)
                .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0));
            if let Some(status) = filter.status {
                sub.and_where(Expr::col(PostTargets::Status).eq(status.as_str()));
            }
            if let Some(channel) = filter.channel {
                sub.and_where(Expr::col(PostTargets::ChannelId).eq(channel.0));
            }
            select.and_where(Expr::col((Posts::Table, Posts::Id)).in_subquery(sub.to_owned()));
        }
        let mut conn = self.db.acquire().await?;
        let rows: Vec<PostRow> = conn.conn().fetch_all(&select.to_owned()).await?;
        with_targets_and_media(&mut conn.conn(), scope, rows).await
    }

    /// Changes a post that has not started going out. A post that was approved or waiting for
    /// approval goes back through approval when the policy asks for one; a scheduled post keeps
    /// its schedule (its jobs move with it).
    pub async fn update_post(
        &self,
        scope: &WorkspaceScope,
        id: PostId,
        patch: PostPatch,
        now: i64,
    ) -> Result<Post, StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut tx = self.begin().await?;
        tx.tx_mut().lock_key(&format!("post:{}", id.0)).await?;
        let post = load_post(&mut tx.conn(), scope, id).await?;
        if !post.targets.iter().all(|t| t.status.is_editable())
            || post
                .targets
                .iter()
                .any(|t| t.status == TargetStatus::Published)
        {
            return Err(StoreError::Refused(Refusal::PostNotEditable));
        }
        if scope.role() == Role::Contributor && post.author != scope.user() {
            return Err(StoreError::Forbidden);
        }
        let mut errors = ValidationError::default();
        let (title, text, link) = check_content(
            patch.title.clone().unwrap_or(post.title.clone()).as_deref(),
            patch.text.as_deref().unwrap_or(&post.text),
            patch.link.clone().unwrap_or(post.link.clone()).as_deref(),
            &mut errors,
        );
        let targets = patch
            .targets
            .as_ref()
            .map(|t| check_targets(t, &mut errors));
        let scheduled_at = patch.scheduled_at.unwrap_or(post.scheduled_at);
        if patch.scheduled_at.is_some() {
            check_schedule(scheduled_at, now, &mut errors);
        }
        let media = patch.media.as_ref().map(|m| check_media(m, &mut errors));
        errors.into_result()?;
        let category = patch.category.unwrap_or(post.category);
        check_category_belongs(&mut tx.conn(), scope, category).await?;
        let was = post.status;
        tx.conn()
            .execute(
                &Query::update()
                    .table(Posts::Table)
                    .values([
                        (Posts::Title, title.into()),
                        (Posts::Text, text.into()),
                        (Posts::Link, link.into()),
                        (Posts::ScheduledAt, scheduled_at.into()),
                        (Posts::CategoryId, category.map(|c| c.0).into()),
                        (Posts::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Posts::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if let Some(targets) = targets {
            check_channels_belong(&mut tx.conn(), scope, &targets).await?;
            for old in &post.targets {
                tx.cancel_job(&publish_job_key(old.id), now).await?;
            }
            tx.conn()
                .execute(
                    &Query::delete()
                        .from_table(PostTargets::Table)
                        .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(PostTargets::PostId).eq(id.0))
                        .to_owned(),
                )
                .await?;
            tx.insert_targets(scope, id, &targets, TargetStatus::Draft, now)
                .await?;
        }
        if let Some(media) = media {
            tx.set_post_media(scope, id, &media).await?;
        }
        next_version(&mut tx.conn(), scope, id).await?;
        tx.post_event(scope, id, None, "edited", "", now).await?;
        let post = load_post(&mut tx.conn(), scope, id).await?;
        let (policy, _, _) = workspace_rules(&mut tx.conn(), scope).await?;
        match was {
            TargetStatus::Draft => {
                // A changed channel list starts as drafts: nothing else to do.
            }
            _ => {
                // Content that was approved (or waiting) is submitted again, or rescheduled.
                tx.unschedule_targets(scope, &post, TargetStatus::Draft, now)
                    .await?;
                let post = load_post(&mut tx.conn(), scope, id).await?;
                submit_or_schedule(&mut tx, scope, &post, policy, now).await?;
            }
        }
        let post = load_post(&mut tx.conn(), scope, id).await?;
        tx.commit().await?;
        Ok(post)
    }

    /// Schedules a draft (or submits it for approval): the "schedule" button.
    pub async fn schedule_post(
        &self,
        scope: &WorkspaceScope,
        id: PostId,
        now: i64,
    ) -> Result<Post, StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut tx = self.begin().await?;
        tx.tx_mut().lock_key(&format!("post:{}", id.0)).await?;
        let post = load_post(&mut tx.conn(), scope, id).await?;
        if post.status != TargetStatus::Draft && post.status != TargetStatus::Failed {
            return Err(StoreError::Refused(Refusal::PostNotEditable));
        }
        let mut errors = ValidationError::default();
        check_schedule(post.scheduled_at, now, &mut errors);
        errors.into_result()?;
        let (policy, _, _) = workspace_rules(&mut tx.conn(), scope).await?;
        tx.move_targets(scope, id, &[TargetStatus::Failed], TargetStatus::Draft, now)
            .await?;
        let post = load_post(&mut tx.conn(), scope, id).await?;
        submit_or_schedule(&mut tx, scope, &post, policy, now).await?;
        let post = load_post(&mut tx.conn(), scope, id).await?;
        tx.commit().await?;
        Ok(post)
    }

    /// Opens the transaction of an approval decision on a post waiting for one, after checking
    /// that the member may decide under the workspace's policy (the post is locked meanwhile).
    pub(crate) async fn begin_review(
        &self,
        scope: &WorkspaceScope,
        id: PostId,
    ) -> Result<(Transaction, Post), StoreError> {
        let mut tx = self.begin().await?;
        tx.tx_mut().lock_key(&format!("post:{}", id.0)).await?;
        let post = load_post(&mut tx.conn(), scope, id).await?;
        let (policy, _, has_client) = workspace_rules(&mut tx.conn(), scope).await?;
        if !policy.may_approve(scope.role(), has_client) {
            return Err(StoreError::Refused(Refusal::NotApprover));
        }
        if post.status != TargetStatus::PendingApproval {
            return Err(StoreError::Refused(Refusal::PostNotPending));
        }
        Ok((tx, post))
    }

    /// Approves a post waiting for approval: it is scheduled.
    pub async fn approve_post(
        &self,
        scope: &WorkspaceScope,
        id: PostId,
        comment: &str,
        now: i64,
    ) -> Result<Post, StoreError> {
        let (tx, post) = self.begin_review(scope, id).await?;
        self.approve_in(tx, scope, &post, comment, None, now).await
    }

    /// The approval itself, in the transaction [`Store::begin_review`] opened (the web page's
    /// and the e-mail link's alike). `via` names the way it came when not the web page.
    pub(crate) async fn approve_in(
        &self,
        mut tx: Transaction,
        scope: &WorkspaceScope,
        post: &Post,
        comment: &str,
        via: Option<&'static str>,
        now: i64,
    ) -> Result<Post, StoreError> {
        let mut errors = ValidationError::default();
        check_schedule(post.scheduled_at, now, &mut errors);
        errors.into_result()?;
        tx.conn()
            .execute(
                &Query::update()
                    .table(Posts::Table)
                    .values([
                        (Posts::ApprovedBy, scope.user().map(|u| u.0).into()),
                        (Posts::ApprovedAt, now.into()),
                    ])
                    .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Posts::Id).eq(post.id.0))
                    .to_owned(),
            )
            .await?;
        tx.schedule_targets(scope, post, now).await?;
        finish_review(
            tx,
            scope,
            post.id,
            "approved",
            "post.approved",
            comment,
            via,
            now,
        )
        .await
    }

    /// Sends a post waiting for approval back to its author, with what to change.
    pub async fn request_changes(
        &self,
        scope: &WorkspaceScope,
        id: PostId,
        comment: &str,
        now: i64,
    ) -> Result<Post, StoreError> {
        let (tx, post) = self.begin_review(scope, id).await?;
        self.request_changes_in(tx, scope, &post, comment, None, now)
            .await
    }

    /// Sending back, in the transaction [`Store::begin_review`] opened.
    pub(crate) async fn request_changes_in(
        &self,
        mut tx: Transaction,
        scope: &WorkspaceScope,
        post: &Post,
        comment: &str,
        via: Option<&'static str>,
        now: i64,
    ) -> Result<Post, StoreError> {
        if comment.trim().is_empty() {
            return Err(ValidationError::single("comment", "error-required").into());
        }
        tx.unschedule_targets(scope, post, TargetStatus::Draft, now)
            .await?;
        finish_review(
            tx,
            scope,
            post.id,
            "changes_requested",
            "post.changes_requested",
            comment,
            via,
            now,
        )
        .await
    }

    /// Deletes a post none of whose targets went out or is going out.
    pub async fn delete_post(
        &self,
        scope: &WorkspaceScope,
        id: PostId,
        now: i64,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut tx = self.begin().await?;
        tx.tx_mut().lock_key(&format!("post:{}", id.0)).await?;
        let post = load_post(&mut tx.conn(), scope, id).await?;
        if post
            .targets
            .iter()
            .any(|t| matches!(t.status, TargetStatus::Publishing | TargetStatus::Published))
        {
            return Err(StoreError::Refused(Refusal::PostNotEditable));
        }
        if scope.role() == Role::Contributor && post.author != scope.user() {
            return Err(StoreError::Forbidden);
        }
        for target in &post.targets {
            tx.cancel_job(&publish_job_key(target.id), now).await?;
        }
        tx.conn()
            .execute(
                &Query::delete()
                    .from_table(Posts::Table)
                    .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Posts::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        tx.audit(scope, &AuditEvent::new("post.deleted", "post", id.0))
            .await?;
        tx.commit().await
    }

    /// Pauses (or resumes) all publishing of the workspace: due posts wait, nothing is lost.
    pub async fn set_publishing_paused(
        &self,
        scope: &WorkspaceScope,
        paused: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_publish)?;
        let mut tx = self.begin().await?;
        tx.conn()
            .execute(
                &Query::update()
                    .table(Workspaces::Table)
                    .value(Workspaces::PublishingPausedAt, paused.then_some(now))
                    .and_where(Expr::col(Workspaces::Id).eq(scope.workspace().0))
                    .to_owned(),
            )
            .await?;
        let action = if paused {
            "publishing.paused"
        } else {
            "publishing.resumed"
        };
        tx.audit(
            scope,
            &AuditEvent::new(action, "workspace", scope.workspace().0),
        )
        .await?;
        tx.commit().await
    }

    /// The workspace's approval policy and whether its publishing is paused.
    pub async fn publishing_rules(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<(ApprovalPolicy, bool), StoreError> {
        let mut conn = self.db.acquire().await?;
        let (policy, paused, _) = workspace_rules(&mut conn.conn(), scope).await?;
        Ok((policy, paused))
    }

    pub async fn set_approval_policy(
        &self,
        scope: &WorkspaceScope,
        policy: ApprovalPolicy,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let mut tx = self.begin().await?;
        tx.conn()
            .execute(
                &Query::update()
                    .table(Workspaces::Table)
                    .value(Workspaces::ApprovalPolicy, policy.as_str())
                    .and_where(Expr::col(Workspaces::Id).eq(scope.workspace().0))
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new(
                "workspace.approval_policy",
                "workspace",
                scope.workspace().0,
            )
            .with("policy", policy.as_str()),
        )
        .await?;
        tx.commit().await
    }
}

/// Ends an approval decision: the post's history and the audit record it with its comment, and
/// the post is read back as it now stands.
#[expect(
    clippy::too_many_arguments,
    reason = "one decision's facts, passed by the two decisions and their two ways in"
)]
async fn finish_review(
    mut tx: Transaction,
    scope: &WorkspaceScope,
    id: PostId,
    event: &str,
    audit_action: &'static str,
    comment: &str,
    via: Option<&'static str>,
    now: i64,
) -> Result<Post, StoreError> {
    tx.post_event(scope, id, None, event, comment, now).await?;
    let mut audit = AuditEvent::new(audit_action, "post", id.0).with("comment", comment);
    if let Some(via) = via {
        audit = audit.with("via", via);
    }
    tx.audit(scope, &audit).await?;
    let post = load_post(&mut tx.conn(), scope, id).await?;
    tx.commit().await?;
    Ok(post)
}

/// Moves a draft on: scheduled when its author may publish under the policy, otherwise
/// submitted for approval.
pub(crate) async fn submit_or_schedule(
    tx: &mut Transaction,
    scope: &WorkspaceScope,
    post: &Post,
    policy: ApprovalPolicy,
    now: i64,
) -> Result<(), StoreError> {
    if policy.needs_approval(scope.role()) {
        tx.move_targets(
            scope,
            post.id,
            &[TargetStatus::Draft],
            TargetStatus::PendingApproval,
            now,
        )
        .await?;
        tx.set_post_status(scope, post.id, TargetStatus::PendingApproval, now)
            .await?;
        tx.post_event(scope, post.id, None, "submitted", "", now)
            .await?;
        // A new version: links sent for an earlier submission decide nothing about this one.
        let version = next_version(&mut tx.conn(), scope, post.id).await?;
        tx.enqueue_approval_requests(scope, post.id, version, policy, now)
            .await?;
    } else {
        tx.schedule_targets(scope, post, now).await?;
        tx.post_event(scope, post.id, None, "scheduled", "", now)
            .await?;
    }
    Ok(())
}
