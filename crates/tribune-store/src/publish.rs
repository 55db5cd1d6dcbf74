//! The publisher's side of the store: starting attempts on post targets and recording how they
//! ended, one target at a time or many in one transaction. A busy publisher records a batch of
//! attempts with one commit instead of one each: commits, not statements, bound how many posts
//! a database lets out per second (docs/BENCHMARKS.md, "Job queue").
//!
//! The rules are the same whatever the batch: an attempt is recorded *before* the network is
//! called; one attempt at a time per channel, across workers and nodes (a transaction-scoped
//! lock per channel, taken in sorted order); none while the workspace is paused; a result is
//! recorded only if the target is still in the attempt that produced it.

use crate::audit::{self, AuditEvent};
use crate::channels::{Channel, SealedChannel, channels_for_publish};
use crate::db::in_list;
use crate::posts::{
    NewEvent, NotNow, Post, PostTarget, PublishAttempt, PublishOutcome, load_posts,
};
use crate::schema::{PostTargets, Workspaces};
use crate::{Store, StoreError, Transaction, WorkspaceScope};
use sea_query::{CaseStatement, Expr, ExprTrait, Query};
use std::collections::{BTreeMap, HashMap, HashSet};
use tribune_domain::publishing::TargetStatus;
use tribune_domain::{ChannelId, JobId, PostId, PostTargetId};

use crate::posts::ATTEMPT_LEASE_SECS;

/// One attempt's end, to record (see [`Store::finish_publishes`]).
#[derive(Debug, Clone)]
pub struct Finish {
    pub scope: WorkspaceScope,
    pub target: PostTarget,
    /// The start of the attempt that produced `outcome`.
    pub started_at: i64,
    pub outcome: PublishOutcome,
    /// The job that made the attempt, as its worker holds it: deleted in the same transaction
    /// when the result is recorded and ends the target's publishing (published or failed), so
    /// the result and the job's end are one step.
    pub job: Option<(JobId, String)>,
}

/// Where a target is: its workspace, post and channel.
#[derive(sqlx::FromRow)]
struct Located {
    id: i64,
    workspace_id: i64,
    post_id: i64,
    channel_id: i64,
}

impl Store {
    /// Starts an attempt on a target: it becomes `publishing` *before* the network is called,
    /// with the attempt's start time, in a transaction that also checks no other attempt is in
    /// flight on the same channel. Called by the publisher with the scope of its job.
    pub async fn begin_publish(
        &self,
        scope: &WorkspaceScope,
        target: PostTargetId,
        now: i64,
    ) -> Result<Result<PublishAttempt, NotNow>, StoreError> {
        self.begin_publish_with_lease(scope, target, now, ATTEMPT_LEASE_SECS)
            .await
    }

    /// [`Store::begin_publish`] with the attempt lease: an attempt unfinished after
    /// `lease_secs` is taken over (and stops keeping its channel busy). It must outlast the
    /// slowest network call, or a live attempt could be repeated.
    pub async fn begin_publish_with_lease(
        &self,
        scope: &WorkspaceScope,
        target: PostTargetId,
        now: i64,
        lease_secs: i64,
    ) -> Result<Result<PublishAttempt, NotNow>, StoreError> {
        self.begin_publishes(&[(*scope, target)], now, lease_secs)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Internal("no answer for a publish attempt".into()))
    }

    /// [`Store::begin_publish_with_lease`] for several targets in one transaction: one answer
    /// per request, in order. Two targets of the same channel in one batch: the first (by
    /// request order) starts, the other finds the channel busy. A target outside its request's
    /// workspace is answered [`NotNow::Nothing`], like one that does not exist.
    pub async fn begin_publishes(
        &self,
        requests: &[(WorkspaceScope, PostTargetId)],
        now: i64,
        lease_secs: i64,
    ) -> Result<Vec<Result<PublishAttempt, NotNow>>, StoreError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let located: Vec<Located> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .columns([
                        PostTargets::Id,
                        PostTargets::WorkspaceId,
                        PostTargets::PostId,
                        PostTargets::ChannelId,
                    ])
                    .from(PostTargets::Table)
                    .and_where(in_list(
                        PostTargets::Id,
                        &requests.iter().map(|(_, t)| t.0).collect::<Vec<_>>(),
                    ))
                    .to_owned(),
            )
            .await?;
        let located: HashMap<i64, Located> = located.into_iter().map(|l| (l.id, l)).collect();
        // Each request's target, if it is in the request's own workspace.
        let mine: Vec<Option<&Located>> = requests
            .iter()
            .map(|(scope, target)| {
                located
                    .get(&target.0)
                    .filter(|l| l.workspace_id == scope.workspace().0)
            })
            .collect();
        let channels: Vec<i64> = mine.iter().flatten().map(|l| l.channel_id).collect();
        if channels.is_empty() {
            return Ok(requests.iter().map(|_| Err(NotNow::Nothing)).collect());
        }
        // One attempt at a time per channel, across workers and nodes.
        let keys: Vec<String> = channels
            .iter()
            .map(|c| format!("channel-publish:{c}"))
            .collect();
        tx.tx_mut().lock_keys(&keys).await?;

        // The posts, read after the locks, per workspace (a scope reads only its own).
        let mut posts: HashMap<PostId, Post> = HashMap::new();
        let mut by_workspace: BTreeMap<i64, (&WorkspaceScope, Vec<PostId>)> = BTreeMap::new();
        for ((scope, _), found) in requests.iter().zip(&mine) {
            if let Some(found) = found {
                by_workspace
                    .entry(found.workspace_id)
                    .or_insert_with(|| (scope, Vec::new()))
                    .1
                    .push(PostId(found.post_id));
            }
        }
        for (scope, ids) in by_workspace.values_mut() {
            ids.sort_unstable();
            ids.dedup();
            for post in load_posts(&mut tx.conn(), scope, ids).await? {
                posts.insert(post.id, post);
            }
        }
        let paused = paused_workspaces(&mut tx, by_workspace.keys().copied()).await?;
        // Attempts in flight on these channels, other than the requested targets' own.
        let busy: Vec<(i64, i64)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .columns([PostTargets::ChannelId, PostTargets::Id])
                    .from(PostTargets::Table)
                    .and_where(in_list(
                        PostTargets::WorkspaceId,
                        &by_workspace.keys().copied().collect::<Vec<_>>(),
                    ))
                    .and_where(in_list(PostTargets::ChannelId, &channels))
                    .and_where(Expr::col(PostTargets::Status).eq(TargetStatus::Publishing.as_str()))
                    .and_where(Expr::col(PostTargets::AttemptStartedAt).gt(now - lease_secs))
                    .to_owned(),
            )
            .await?;

        // Decide each request in order; a channel taken by an earlier one is busy for the rest.
        let mut taken: HashSet<i64> = HashSet::new();
        let mut answers: Vec<Result<(PostTarget, Option<i64>), NotNow>> = Vec::new();
        for ((_, target), found) in requests.iter().zip(&mine) {
            let answer = (|| {
                let found = found.ok_or(NotNow::Nothing)?;
                let post = posts.get(&PostId(found.post_id)).ok_or(NotNow::Nothing)?;
                let current = post.target(*target).ok_or(NotNow::Nothing)?;
                let unfinished_since = match current.status {
                    TargetStatus::Scheduled => {
                        if let Some(at) = post.scheduled_at
                            && at > now
                        {
                            return Err(NotNow::NotYet(at));
                        }
                        None
                    }
                    TargetStatus::Publishing => {
                        let started = current.attempt_started_at.unwrap_or(0);
                        if started > now - lease_secs {
                            return Err(NotNow::InFlight);
                        }
                        Some(started)
                    }
                    _ => return Err(NotNow::Nothing),
                };
                if paused.contains(&found.workspace_id) && unfinished_since.is_none() {
                    return Err(NotNow::Paused);
                }
                let others_busy = busy
                    .iter()
                    .any(|(channel, id)| *channel == found.channel_id && *id != target.0);
                if others_busy || taken.contains(&found.channel_id) {
                    return Err(
                        if taken.contains(&found.channel_id) && answers_have(&answers, *target) {
                            NotNow::InFlight
                        } else {
                            NotNow::ChannelBusy
                        },
                    );
                }
                taken.insert(found.channel_id);
                Ok((current.clone(), unfinished_since))
            })();
            answers.push(answer);
        }

        // Move the chosen targets, each only from the status it was read in.
        let mut moved: HashSet<i64> = HashSet::new();
        for from in [TargetStatus::Scheduled, TargetStatus::Publishing] {
            let ids: Vec<i64> = answers
                .iter()
                .flatten()
                .filter(|(t, _)| t.status == from)
                .map(|(t, _)| t.id.0)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let rows: Vec<(i64,)> = tx
                .conn()
                .fetch_all(
                    &Query::update()
                        .table(PostTargets::Table)
                        .values([
                            (
                                PostTargets::Status,
                                TargetStatus::Publishing.as_str().into(),
                            ),
                            (
                                PostTargets::Attempts,
                                Expr::col(PostTargets::Attempts).add(1),
                            ),
                            (PostTargets::AttemptStartedAt, now.into()),
                            (PostTargets::UpdatedAt, now.into()),
                        ])
                        .and_where(in_list(PostTargets::Id, &ids))
                        .and_where(Expr::col(PostTargets::Status).eq(from.as_str()))
                        .returning(Query::returning().column(PostTargets::Id))
                        .to_owned(),
                )
                .await?;
            moved.extend(rows.into_iter().map(|(id,)| id));
        }
        let mut events = Vec::new();
        for ((scope, _), answer) in requests.iter().zip(&answers) {
            if let Ok((target, unfinished_since)) = answer
                && moved.contains(&target.id.0)
            {
                events.push(NewEvent {
                    scope,
                    post: target.post_id,
                    target: Some(target.id),
                    action: if unfinished_since.is_some() {
                        "attempt_resumed"
                    } else {
                        "attempt_started"
                    },
                    comment: "",
                });
            }
        }
        tx.post_events(&events, now).await?;
        let started_channels: Vec<i64> = answers
            .iter()
            .flatten()
            .filter(|(t, _)| moved.contains(&t.id.0))
            .map(|(t, _)| t.channel_id.0)
            .collect();
        let workspaces: Vec<i64> = by_workspace.keys().copied().collect();
        let mut channels: HashMap<ChannelId, (Channel, SealedChannel)> =
            channels_for_publish(&mut tx.conn(), &workspaces, &started_channels)
                .await?
                .into_iter()
                .map(|(channel, sealed)| (channel.id, (channel, sealed)))
                .collect();
        tx.commit().await?;

        Ok(answers
            .into_iter()
            .map(|answer| {
                let (target, unfinished_since) = answer?;
                if !moved.contains(&target.id.0) {
                    return Err(NotNow::InFlight);
                }
                let mut post = posts.get(&target.post_id).cloned().ok_or(NotNow::Nothing)?;
                let started = post.started(target.id, now);
                // One started target per channel: each channel is taken once.
                let (channel, sealed) =
                    channels.remove(&target.channel_id).ok_or(NotNow::Nothing)?;
                Ok(PublishAttempt {
                    target: started.ok_or(NotNow::Nothing)?,
                    post,
                    channel,
                    sealed,
                    unfinished_since,
                })
            })
            .collect())
    }

    /// Records how an attempt ended, if the target is still in the attempt `started_at` began
    /// (a later attempt that took over owns the result then). Returns whether it was recorded.
    pub async fn finish_publish(
        &self,
        scope: &WorkspaceScope,
        target: &PostTarget,
        started_at: i64,
        outcome: &PublishOutcome,
        now: i64,
    ) -> Result<bool, StoreError> {
        let finish = Finish {
            scope: *scope,
            target: target.clone(),
            started_at,
            outcome: outcome.clone(),
            job: None,
        };
        self.finish_one(&finish, now).await
    }

    /// [`Store::finish_publishes`] for one attempt: whether its result was recorded.
    pub async fn finish_one(&self, finish: &Finish, now: i64) -> Result<bool, StoreError> {
        Ok(self
            .finish_publishes(std::slice::from_ref(finish), now)
            .await?
            .first()
            .copied()
            .unwrap_or(false))
    }

    /// [`Store::finish_publish`] for several attempts in one transaction: whether each was
    /// recorded, in order. A recorded result that ends the target's publishing also deletes
    /// its job ([`Finish::job`]) if its worker still holds it.
    pub async fn finish_publishes(
        &self,
        finishes: &[Finish],
        now: i64,
    ) -> Result<Vec<bool>, StoreError> {
        if finishes.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        // Each target's first result in one statement; a target twice in the batch (a stale
        // attempt's answer and the current one's) has its others recorded one by one after.
        let mut seen = HashSet::new();
        let (firsts, repeats): (Vec<usize>, Vec<usize>) =
            (0..finishes.len()).partition(|&i| seen.insert(finishes[i].target.id));
        let mut recorded = vec![false; finishes.len()];
        let firsts: Vec<&Finish> = firsts.iter().map(|&i| &finishes[i]).collect();
        let ended = record_ends(&mut tx, &firsts, now).await?;
        for (i, finish) in finishes.iter().enumerate() {
            if !repeats.contains(&i) {
                recorded[i] = ended.contains(&finish.target.id.0);
            }
        }
        for i in repeats {
            recorded[i] = !record_ends(&mut tx, &[&finishes[i]], now).await?.is_empty();
        }
        let comments: Vec<String> = finishes
            .iter()
            .map(|f| match &f.outcome {
                PublishOutcome::Published { remote_url, .. } => {
                    remote_url.clone().unwrap_or_default()
                }
                PublishOutcome::Retry { code, .. } | PublishOutcome::Failed { code, .. } => {
                    (*code).to_owned()
                }
            })
            .collect();
        let mut events = Vec::new();
        let mut audits = Vec::new();
        for ((finish, comment), done) in finishes.iter().zip(&comments).zip(&recorded) {
            if !done {
                continue;
            }
            let target = &finish.target;
            let action = match &finish.outcome {
                PublishOutcome::Published { .. } => "published",
                PublishOutcome::Retry { .. } => "retry_planned",
                PublishOutcome::Failed { .. } => "failed",
            };
            events.push(NewEvent {
                scope: &finish.scope,
                post: target.post_id,
                target: Some(target.id),
                action,
                comment,
            });
            let audit = match &finish.outcome {
                PublishOutcome::Published { .. } => {
                    AuditEvent::new("post.published", "post_target", target.id.0)
                        .with("channel", target.channel_id.0)
                }
                PublishOutcome::Failed { code, .. } => {
                    AuditEvent::new("post.failed", "post_target", target.id.0)
                        .with("channel", target.channel_id.0)
                        .with("code", *code)
                }
                PublishOutcome::Retry { .. } => continue,
            };
            audits.push((finish.scope.workspace(), finish.scope.actor(), audit));
        }
        tx.post_events(&events, now).await?;
        let audits: Vec<_> = audits
            .iter()
            .map(|(workspace, actor, event)| (Some(*workspace), *actor, event))
            .collect();
        audit::record_all(&mut tx.conn(), &audits).await?;
        for (finish, done) in finishes.iter().zip(&recorded) {
            if let (true, PublishOutcome::Failed { code, message }) = (*done, &finish.outcome) {
                let target = &finish.target;
                crate::notifications::notify_post_failed(
                    tx.tx_mut(),
                    finish.scope.workspace(),
                    target.channel_id,
                    message.as_deref().unwrap_or(code),
                    now,
                )
                .await?;
                tx.enqueue_publish_failed(&finish.scope, target.id, now)
                    .await?;
            }
        }
        // The jobs whose work is over, by the worker holding them.
        let mut ended_jobs: BTreeMap<&str, Vec<JobId>> = BTreeMap::new();
        for (finish, done) in finishes.iter().zip(&recorded) {
            if let (true, Some((job, worker))) = (*done, &finish.job)
                && !matches!(finish.outcome, PublishOutcome::Retry { .. })
            {
                ended_jobs.entry(worker.as_str()).or_default().push(*job);
            }
        }
        for (worker, jobs) in ended_jobs {
            tx.conn()
                .execute(&crate::jobs::delete_leased(&jobs, worker))
                .await?;
        }
        tx.commit().await?;
        Ok(recorded)
    }
}

/// Whether an earlier request of the batch already started this very target.
fn answers_have(
    answers: &[Result<(PostTarget, Option<i64>), NotNow>],
    target: PostTargetId,
) -> bool {
    answers
        .iter()
        .flatten()
        .any(|(started, _)| started.id == target)
}

/// The workspaces among `ids` whose publishing is paused.
async fn paused_workspaces(
    tx: &mut Transaction,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashSet<i64>, StoreError> {
    let rows: Vec<(i64,)> = tx
        .conn()
        .fetch_all(
            &Query::select()
                .column(Workspaces::Id)
                .from(Workspaces::Table)
                .and_where(Expr::col(Workspaces::Id).is_in(ids))
                .and_where(Expr::col(Workspaces::PublishingPausedAt).is_not_null())
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Updates each target with its attempt's end, if it is still in that attempt, in one
/// statement (a `CASE` on the target's id per column); returns the ids updated. The targets
/// must be distinct.
async fn record_ends(
    tx: &mut Transaction,
    finishes: &[&Finish],
    now: i64,
) -> Result<HashSet<i64>, StoreError> {
    if finishes.is_empty() {
        return Ok(HashSet::new());
    }
    // Per target: its value for `column`, or the column as it is (not set at all when no
    // target of the batch changes it).
    let per_target = |column: PostTargets, value: &dyn Fn(&Finish) -> Option<sea_query::Value>| {
        let mut case = CaseStatement::new();
        let mut any = false;
        for finish in crate::db::padded(finishes) {
            if let Some(value) = value(finish) {
                case = case.case(Expr::col(PostTargets::Id).eq(finish.target.id.0), value);
                any = true;
            }
        }
        any.then(|| (column, case.finally(Expr::col(column)).into()))
    };
    let none = || Some(Option::<String>::None.into());
    let values = vec![
        per_target(PostTargets::Status, &|f| {
            Some(status_after(&f.outcome).as_str().into())
        }),
        per_target(PostTargets::RemoteRef, &|f| match &f.outcome {
            PublishOutcome::Published { remote_ref, .. } => Some(remote_ref.clone().into()),
            _ => None,
        }),
        per_target(PostTargets::RemoteUrl, &|f| match &f.outcome {
            PublishOutcome::Published { remote_url, .. } => Some(remote_url.clone().into()),
            _ => None,
        }),
        per_target(PostTargets::PublishedAt, &|f| match &f.outcome {
            PublishOutcome::Published { .. } => Some(now.into()),
            _ => None,
        }),
        per_target(PostTargets::ErrorCode, &|f| match &f.outcome {
            PublishOutcome::Published { .. } => none(),
            PublishOutcome::Retry { code, .. } | PublishOutcome::Failed { code, .. } => {
                Some((*code).into())
            }
        }),
        per_target(PostTargets::ErrorMessage, &|f| match &f.outcome {
            PublishOutcome::Published { .. } => none(),
            PublishOutcome::Retry { message, .. } | PublishOutcome::Failed { message, .. } => {
                Some(message.clone().into())
            }
        }),
        Some((PostTargets::UpdatedAt, Expr::val(now))),
    ];
    let values: Vec<(PostTargets, Expr)> = values.into_iter().flatten().collect();
    // Each target only in its own workspace, and only in the attempt that produced the result.
    let mut owned = CaseStatement::new();
    for finish in crate::db::padded(finishes) {
        owned = owned.case(
            Expr::col(PostTargets::Id).eq(finish.target.id.0),
            Expr::col(PostTargets::WorkspaceId)
                .eq(finish.scope.workspace().0)
                .and(Expr::col(PostTargets::AttemptStartedAt).eq(finish.started_at)),
        );
    }
    let owned: Expr = owned.finally(Expr::val(false)).into();
    let rows: Vec<(i64,)> = tx
        .conn()
        .fetch_all(
            &Query::update()
                .table(PostTargets::Table)
                .values(values)
                .and_where(in_list(
                    PostTargets::Id,
                    &finishes.iter().map(|f| f.target.id.0).collect::<Vec<_>>(),
                ))
                .and_where(Expr::col(PostTargets::Status).eq(TargetStatus::Publishing.as_str()))
                .and_where(owned)
                .returning(Query::returning().column(PostTargets::Id))
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The status a target ends an attempt in.
fn status_after(outcome: &PublishOutcome) -> TargetStatus {
    match outcome {
        PublishOutcome::Published { .. } => TargetStatus::Published,
        PublishOutcome::Retry { .. } => TargetStatus::Scheduled,
        PublishOutcome::Failed { .. } => TargetStatus::Failed,
    }
}

impl Post {
    /// The target as the attempt that starts now leaves it (the post's status follows).
    fn started(&mut self, id: PostTargetId, now: i64) -> Option<PostTarget> {
        let target = self.targets.iter_mut().find(|t| t.id == id)?;
        target.status = TargetStatus::Publishing;
        target.attempts += 1;
        target.attempt_started_at = Some(now);
        target.updated_at = now;
        let target = target.clone();
        let statuses: Vec<TargetStatus> = self.targets.iter().map(|t| t.status).collect();
        self.status = tribune_domain::publishing::post_status(&statuses);
        Some(target)
    }
}
