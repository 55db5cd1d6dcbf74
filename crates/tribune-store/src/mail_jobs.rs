//! E-mail as an outbox: the change that calls for a message (a post submitted for approval, a
//! post that failed for good) enqueues one `mail` job per recipient in its own transaction, and
//! the job runner writes and sends it. A request never waits for the SMTP server, a message is
//! never sent for a change that was rolled back, and a server that stops between the two loses
//! nothing: the job is still in the table.
//!
//! The job carries ids only. The runner reads the post and the recipient again when it runs, so
//! a message is written in the recipient's language of that moment and skipped when it no
//! longer applies (the post was decided, edited or deleted; the member left).

use crate::db::Conn;
use crate::jobs::{JobNew, OnDuplicate};
use crate::posts::{Post, PostTarget, load_post};
use crate::schema::{Memberships, PostTargets};
use crate::users::User;
use crate::{Store, StoreError, Transaction, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Query};
use serde::{Deserialize, Serialize};
use tribune_domain::publishing::ApprovalPolicy;
use tribune_domain::publishing::TargetStatus;
use tribune_domain::{PostId, PostTargetId, Role, UserId};

/// The job kind that writes and sends one e-mail.
pub const MAIL_JOB: &str = "mail";

/// What one `mail` job sends, to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mail", rename_all = "snake_case")]
pub enum MailJob {
    /// `post` waits for `user`'s approval; `version` is the version submitted (a later edit or
    /// decision makes the job a no-op).
    ApprovalRequest {
        post: PostId,
        version: i64,
        user: UserId,
    },
    /// `target` failed for good; `user` is a member who can publish (and so retry it).
    PublishFailed { target: PostTargetId, user: UserId },
    /// `items` passed their response-time deadline; `user` is their assignee, or an owner or
    /// manager for those nobody is assigned to.
    SlaBreached {
        user: UserId,
        items: Vec<tribune_domain::InboxItemId>,
    },
    /// A wave of negative or toxic messages (`alert`) started; `user` is an owner or manager.
    BuzzAlert {
        user: UserId,
        alert: tribune_domain::InboxAlertId,
    },
    /// A moderation rule (`rule`) matched `item` and asks to tell `user`.
    RuleMatched {
        user: UserId,
        item: tribune_domain::InboxItemId,
        rule: tribune_domain::RuleId,
    },
}

impl MailJob {
    pub fn parse(payload: &serde_json::Value) -> Option<MailJob> {
        serde_json::from_value(payload.clone()).ok()
    }
}

/// The workspace's members and their roles.
pub(crate) async fn member_roles(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
) -> Result<Vec<(UserId, Role)>, StoreError> {
    let rows: Vec<(UserId, String)> = conn
        .fetch_all(
            &Query::select()
                .columns([Memberships::UserId, Memberships::Role])
                .from(Memberships::Table)
                .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                .to_owned(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(user, role)| Role::parse(&role).map(|r| (user, r)))
        .collect())
}

impl Store {
    /// `user`'s role in the scope's workspace, or `None` once they left it: what a `mail` job
    /// checks before writing to them.
    pub(crate) async fn role_of(
        &self,
        scope: &WorkspaceScope,
        user: UserId,
    ) -> Result<Option<Role>, StoreError> {
        let mut conn = self.db.acquire().await?;
        Ok(member_roles(&mut conn.conn(), scope)
            .await?
            .into_iter()
            .find(|(member, _)| *member == user)
            .map(|(_, role)| role))
    }
}

impl Transaction {
    pub(crate) async fn enqueue_mail(
        &mut self,
        scope: &WorkspaceScope,
        mail: &MailJob,
        dedup_key: Option<String>,
        now: i64,
    ) -> Result<(), StoreError> {
        let payload =
            serde_json::to_value(mail).map_err(StoreError::failed("an e-mail job's payload"))?;
        self.enqueue(
            &JobNew {
                kind: MAIL_JOB,
                workspace: Some(scope.workspace()),
                payload,
                dedup_key,
                run_at: now,
            },
            OnDuplicate::Keep,
            now,
        )
        .await
    }

    /// Asks everyone who may approve the post under `policy` (its author aside) for a decision
    /// on `version`: the clients under the client policy, the owners and managers otherwise.
    pub(crate) async fn enqueue_approval_requests(
        &mut self,
        scope: &WorkspaceScope,
        post: PostId,
        version: i64,
        policy: ApprovalPolicy,
        now: i64,
    ) -> Result<(), StoreError> {
        let members = member_roles(&mut self.conn(), scope).await?;
        let has_client = members.iter().any(|(_, role)| *role == Role::Client);
        for (user, role) in members {
            if Some(user) == scope.user() || !policy.may_approve(role, has_client) {
                continue;
            }
            let mail = MailJob::ApprovalRequest {
                post,
                version,
                user,
            };
            let key = format!("mail:approval:{}:{version}:{}", post.0, user.0);
            self.enqueue_mail(scope, &mail, Some(key), now).await?;
        }
        Ok(())
    }

    /// Tells every member who can publish that a target failed for good.
    pub(crate) async fn enqueue_publish_failed(
        &mut self,
        scope: &WorkspaceScope,
        target: PostTargetId,
        now: i64,
    ) -> Result<(), StoreError> {
        let members = member_roles(&mut self.conn(), scope).await?;
        for (user, role) in members {
            if role.can_publish() {
                let mail = MailJob::PublishFailed { target, user };
                self.enqueue_mail(scope, &mail, None, now).await?;
            }
        }
        Ok(())
    }
}

/// Everything a publish-failure e-mail needs.
#[derive(Debug, Clone)]
pub struct PublishFailedMail {
    pub post: Post,
    pub target: PostTarget,
    pub recipient: User,
}

impl Store {
    /// For the `mail` job: the failed target, its post and the recipient, while the target is
    /// still failed and the recipient can still publish in the workspace. `None` otherwise.
    pub async fn prepare_publish_failed_mail(
        &self,
        scope: &WorkspaceScope,
        target: PostTargetId,
        recipient: UserId,
    ) -> Result<Option<PublishFailedMail>, StoreError> {
        let mut conn = self.db.acquire().await?;
        let post_id: Option<(PostId,)> = conn
            .conn()
            .fetch_optional(
                &Query::select()
                    .column(PostTargets::PostId)
                    .from(PostTargets::Table)
                    .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(PostTargets::Id).eq(target.0))
                    .to_owned(),
            )
            .await?;
        let Some((post_id,)) = post_id else {
            return Ok(None);
        };
        let post = load_post(&mut conn.conn(), scope, post_id).await?;
        let Some(failed) = post
            .target(target)
            .filter(|t| t.status == TargetStatus::Failed)
            .cloned()
        else {
            return Ok(None);
        };
        let may_publish = member_roles(&mut conn.conn(), scope)
            .await?
            .iter()
            .any(|(user, role)| *user == recipient && role.can_publish());
        drop(conn);
        if !may_publish {
            return Ok(None);
        }
        Ok(Some(PublishFailedMail {
            post,
            target: failed,
            recipient: self.user(recipient).await?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_jobs_round_trip_through_their_payload() {
        let job = MailJob::ApprovalRequest {
            post: PostId(3),
            version: 2,
            user: UserId(9),
        };
        let payload = serde_json::to_value(&job).unwrap_or_default();
        assert_eq!(payload["mail"], "approval_request");
        assert_eq!(MailJob::parse(&payload), Some(job));
        assert_eq!(MailJob::parse(&serde_json::json!({"mail": "nope"})), None);
    }
}
