//! Approval by e-mail: the link a client receives to approve a post, or send it back, without a
//! password.
//!
//! A link's token is 256 random bits kept only as its SHA-256 digest (a leaked database holds
//! no live link). It belongs to one client member and one version of one post: it works once,
//! for [`APPROVAL_LINK_TTL_SECS`], while the post still waits for approval in the version it
//! was sent for (an edit makes older links void). Using it runs the very decision the web page
//! runs ([`Store::approve_post`], [`Store::request_changes`]), as the client, in the
//! transaction that claims the link: a decision is never recorded without the link being used,
//! nor the link used without the decision.

use crate::mail_jobs::member_roles;
use crate::posts::{Post, load_post, post_version, workspace_rules};
use crate::users::User;
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Iden, Query};
use tribune_domain::security::token::{random_token, token_digest};
use tribune_domain::{PostId, Role, UserId, WorkspaceId};

/// How long an approval link works.
pub const APPROVAL_LINK_TTL_SECS: i64 = 7 * 86_400;
/// Tokens are 43 characters; anything much longer is not one (and is not hashed).
const MAX_TOKEN_LEN: usize = 128;

#[derive(Iden, Clone, Copy)]
enum ApprovalLinks {
    Table,
    WorkspaceId,
    PostId,
    UserId,
    PostVersion,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct LinkRow {
    workspace_id: WorkspaceId,
    post_id: PostId,
    user_id: UserId,
    post_version: i64,
    expires_at: i64,
    used_at: Option<i64>,
}

/// Why a link decides nothing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// No such link (or its member left the workspace, or may no longer approve).
    Unknown,
    /// It was used already.
    Used,
    Expired,
    /// The post was changed after the link was sent (a newer link went out with the change).
    Outdated,
    /// The post no longer waits for approval (someone decided from the web page or another link).
    Decided,
}

impl LinkProblem {
    /// The catalogue key that explains it.
    pub fn key(self) -> &'static str {
        match self {
            LinkProblem::Unknown => "approval-link-unknown",
            LinkProblem::Used => "approval-link-used",
            LinkProblem::Expired => "approval-link-expired",
            LinkProblem::Outdated => "approval-link-outdated",
            LinkProblem::Decided => "approval-link-decided",
        }
    }
}

/// A link and what it leads to.
#[derive(Debug, Clone)]
pub struct LinkedPost {
    /// The client's scope in the post's workspace.
    pub scope: WorkspaceScope,
    pub user: User,
    pub post: Post,
    pub expires_at: i64,
    /// `None` when the link can decide now.
    pub problem: Option<LinkProblem>,
}

/// What the client decided.
#[derive(Debug, Clone, Copy)]
pub enum LinkDecision<'a> {
    Approve { comment: &'a str },
    RequestChanges { comment: &'a str },
}

/// Everything an approval request e-mail needs.
#[derive(Debug, Clone)]
pub struct ApprovalMail {
    pub post: Post,
    pub recipient: User,
    /// A fresh link's token when the recipient is a client (who approves without logging in);
    /// `None` for owners and managers, who are sent to the post's page.
    pub token: Option<String>,
}

/// Classifies a link row against the post as it stands.
fn problem_of(row: &LinkRow, post: &Post, version: i64, now: i64) -> Option<LinkProblem> {
    if row.used_at.is_some() {
        Some(LinkProblem::Used)
    } else if row.post_version != version {
        Some(LinkProblem::Outdated)
    } else if post.status != tribune_domain::publishing::TargetStatus::PendingApproval {
        Some(LinkProblem::Decided)
    } else if row.expires_at <= now {
        Some(LinkProblem::Expired)
    } else {
        None
    }
}

impl Store {
    async fn link_row(&self, token: &str) -> Result<Option<LinkRow>, StoreError> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Ok(None);
        }
        self.db
            .fetch_optional(
                &Query::select()
                    .columns([
                        ApprovalLinks::WorkspaceId,
                        ApprovalLinks::PostId,
                        ApprovalLinks::UserId,
                        ApprovalLinks::PostVersion,
                        ApprovalLinks::ExpiresAt,
                        ApprovalLinks::UsedAt,
                    ])
                    .from(ApprovalLinks::Table)
                    .and_where(Expr::col(ApprovalLinks::TokenHash).eq(token_digest(token)))
                    .to_owned(),
            )
            .await
    }

    /// The link's member scope, if they are still a member who may approve the post.
    async fn link_scope(&self, row: &LinkRow) -> Result<Option<WorkspaceScope>, StoreError> {
        let scope = match self.scope(row.user_id, row.workspace_id).await {
            Ok(scope) => scope,
            Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other),
        };
        let mut conn = self.db.acquire().await?;
        let (policy, _, has_client) = workspace_rules(&mut conn.conn(), &scope).await?;
        Ok(
            (scope.role() == Role::Client && policy.may_approve(scope.role(), has_client))
                .then_some(scope),
        )
    }

    /// What a link leads to, for its page (which never decides anything: mail scanners open
    /// links). `None` when there is no such link or its member may no longer use it.
    pub async fn approval_link(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<LinkedPost>, StoreError> {
        let Some(row) = self.link_row(token).await? else {
            return Ok(None);
        };
        let Some(scope) = self.link_scope(&row).await? else {
            return Ok(None);
        };
        let mut conn = self.db.acquire().await?;
        let post = match load_post(&mut conn.conn(), &scope, row.post_id).await {
            Ok(post) => post,
            Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other),
        };
        let version = post_version(&mut conn.conn(), &scope, row.post_id).await?;
        drop(conn);
        let user = self.user(row.user_id).await?;
        Ok(Some(LinkedPost {
            problem: problem_of(&row, &post, version, now),
            scope,
            user,
            post,
            expires_at: row.expires_at,
        }))
    }

    /// Decides with a link: claims it (once, even when two requests race) and runs the same
    /// decision as the web page, as the link's client, in one transaction. `Ok(Err(_))` says
    /// why nothing changed. A comment is required to send a post back.
    pub async fn decide_by_link(
        &self,
        token: &str,
        decision: LinkDecision<'_>,
        now: i64,
    ) -> Result<Result<Post, LinkProblem>, StoreError> {
        if let LinkDecision::RequestChanges { comment } = decision
            && comment.trim().is_empty()
        {
            return Err(
                tribune_domain::ValidationError::single("comment", "error-required").into(),
            );
        }
        let Some(row) = self.link_row(token).await? else {
            return Ok(Err(LinkProblem::Unknown));
        };
        let Some(scope) = self.link_scope(&row).await? else {
            return Ok(Err(LinkProblem::Unknown));
        };
        let (mut tx, post) = match self.begin_review(&scope, row.post_id).await {
            Ok(opened) => opened,
            Err(StoreError::NotFound) => return Ok(Err(LinkProblem::Unknown)),
            Err(StoreError::Refused(crate::Refusal::PostNotPending)) => {
                return Ok(Err(if row.used_at.is_some() {
                    LinkProblem::Used
                } else {
                    LinkProblem::Decided
                }));
            }
            Err(StoreError::Refused(crate::Refusal::NotApprover)) => {
                return Ok(Err(LinkProblem::Unknown));
            }
            Err(other) => return Err(other),
        };
        // The post is locked: its version cannot change before the claim below commits.
        let version = post_version(&mut tx.conn(), &scope, row.post_id).await?;
        let claimed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(ApprovalLinks::Table)
                    .value(ApprovalLinks::UsedAt, now)
                    .and_where(Expr::col(ApprovalLinks::TokenHash).eq(token_digest(token)))
                    .and_where(Expr::col(ApprovalLinks::UsedAt).is_null())
                    .and_where(Expr::col(ApprovalLinks::ExpiresAt).gt(now))
                    .and_where(Expr::col(ApprovalLinks::PostVersion).eq(version))
                    .to_owned(),
            )
            .await?;
        if claimed != 1 {
            // Dropping the transaction rolls it back: nothing changed.
            let problem = problem_of(&row, &post, version, now).unwrap_or(LinkProblem::Used);
            return Ok(Err(problem));
        }
        let decided = match decision {
            LinkDecision::Approve { comment } => {
                self.approve_in(tx, &scope, &post, comment, Some("email_link"), now)
                    .await?
            }
            LinkDecision::RequestChanges { comment } => {
                self.request_changes_in(tx, &scope, &post, comment, Some("email_link"), now)
                    .await?
            }
        };
        Ok(Ok(decided))
    }

    /// For the `mail` job: the post, the recipient and, for a client, a new link, while the
    /// request still applies (the post waits for approval in `version`, the recipient may
    /// still approve it). `None` otherwise: nothing is to be sent.
    pub async fn prepare_approval_mail(
        &self,
        scope: &WorkspaceScope,
        post: PostId,
        version: i64,
        recipient: UserId,
        now: i64,
    ) -> Result<Option<ApprovalMail>, StoreError> {
        let mut conn = self.db.acquire().await?;
        let loaded = match load_post(&mut conn.conn(), scope, post).await {
            Ok(loaded) => loaded,
            Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other),
        };
        if loaded.status != tribune_domain::publishing::TargetStatus::PendingApproval
            || post_version(&mut conn.conn(), scope, post).await? != version
        {
            return Ok(None);
        }
        let members = member_roles(&mut conn.conn(), scope).await?;
        let (policy, _, has_client) = workspace_rules(&mut conn.conn(), scope).await?;
        drop(conn);
        let Some(role) = members
            .iter()
            .find(|(user, _)| *user == recipient)
            .map(|(_, role)| *role)
        else {
            return Ok(None);
        };
        if !policy.may_approve(role, has_client) {
            return Ok(None);
        }
        let user = self.user(recipient).await?;
        let token = if role == Role::Client {
            let token = random_token();
            self.db
                .execute(
                    &Query::insert()
                        .into_table(ApprovalLinks::Table)
                        .columns([
                            ApprovalLinks::WorkspaceId,
                            ApprovalLinks::PostId,
                            ApprovalLinks::UserId,
                            ApprovalLinks::PostVersion,
                            ApprovalLinks::TokenHash,
                            ApprovalLinks::CreatedAt,
                            ApprovalLinks::ExpiresAt,
                        ])
                        .values([
                            scope.workspace().0.into(),
                            post.0.into(),
                            recipient.0.into(),
                            version.into(),
                            token_digest(&token).into(),
                            now.into(),
                            (now + APPROVAL_LINK_TTL_SECS).into(),
                        ])?
                        .to_owned(),
                )
                .await?;
            Some(token)
        } else {
            None
        };
        Ok(Some(ApprovalMail {
            post: loaded,
            recipient: user,
            token,
        }))
    }

    /// Forgets links expired for a day (run by the maintenance task).
    pub async fn purge_approval_links(&self, now: i64) -> Result<u64, StoreError> {
        self.db
            .execute(
                &Query::delete()
                    .from_table(ApprovalLinks::Table)
                    .and_where(Expr::col(ApprovalLinks::ExpiresAt).lt(now - 86_400))
                    .to_owned(),
            )
            .await
    }
}
