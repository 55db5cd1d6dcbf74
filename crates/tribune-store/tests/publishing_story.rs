//! Posts, approval and the job queue, run on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use std::collections::BTreeMap;
use tribune_domain::publishing::{ApprovalPolicy, TargetStatus};
use tribune_domain::{ChannelId, Role};
use tribune_store::channels::ChannelNew;
use tribune_store::jobs::{JobNew, OnDuplicate};
use tribune_store::posts::{
    Intent, NotNow, PUBLISH_JOB, PostFilter, PostNew, PostPatch, PublishOutcome, publish_job_key,
};
use tribune_store::testing::{TestDb, each_backend, profile, user};
use tribune_store::{Refusal, Store, StoreError, WorkspaceScope, unix_now};

struct Team {
    manager: WorkspaceScope,
    contributor: WorkspaceScope,
    client: WorkspaceScope,
    channel: ChannelId,
}

async fn member(store: &Store, owner: &WorkspaceScope, email: &str, role: Role) -> WorkspaceScope {
    let now = unix_now();
    let account = store.create_user(&user(email), false).await.unwrap();
    let (token, _) = store
        .create_invitation(owner, email, role, now)
        .await
        .unwrap();
    store
        .accept_invitation(&token, &account, now)
        .await
        .unwrap();
    store
        .scope(account.user_id(), owner.workspace())
        .await
        .unwrap()
}

async fn channel(store: &Store, scope: &WorkspaceScope, remote_id: &str) -> ChannelId {
    let channel = store
        .connect_channel(
            scope,
            ChannelNew {
                network: "bluesky".into(),
                remote_id: remote_id.into(),
                handle: "brand.test".into(),
                display_name: "Brand".into(),
                avatar_url: None,
                profile_url: None,
                avatar: None,
                capabilities: "publish_text".into(),
                sealed_credentials: "sealed".into(),
                token_expires_at: None,
            },
            unix_now(),
        )
        .await
        .unwrap();
    channel.id
}

async fn team(store: &Store, prefix: &str) -> Team {
    let owner = store
        .create_user(&user(&format!("{prefix}-owner@example.fr")), false)
        .await
        .unwrap();
    let manager = store
        .create_workspace(owner.user_id(), &profile(&format!("{prefix} Boulangerie")))
        .await
        .unwrap();
    let contributor = member(
        store,
        &manager,
        &format!("{prefix}-redac@example.fr"),
        Role::Contributor,
    )
    .await;
    let client = member(
        store,
        &manager,
        &format!("{prefix}-client@example.fr"),
        Role::Client,
    )
    .await;
    let channel = channel(store, &manager, &format!("did:plc:{prefix}")).await;
    Team {
        manager,
        contributor,
        client,
        channel,
    }
}

fn post(channel: ChannelId, at: Option<i64>) -> PostNew {
    PostNew {
        text: "Nouveau : la galette des rois est arrivée !".into(),
        targets: vec![(channel, None)],
        scheduled_at: at,
        ..PostNew::default()
    }
}

#[tokio::test]
async fn contributor_cannot_publish_without_approval_and_the_client_approves() {
    each_backend(|store, backend| async move {
        let t = team(&store, "a").await;
        let now = unix_now();
        store
            .set_approval_policy(&t.manager, ApprovalPolicy::Client)
            .await
            .unwrap();
        let at = now + 3600;
        let submitted = store
            .create_post(
                &t.contributor,
                post(t.channel, Some(at)),
                Intent::Schedule,
                now,
            )
            .await
            .unwrap();
        assert_eq!(submitted.status, TargetStatus::PendingApproval, "{backend}");
        let key = publish_job_key(submitted.targets[0].id);
        assert!(
            store.job_by_key(&key).await.unwrap().is_none(),
            "{backend}: no job before approval"
        );

        // Under client approval, neither the contributor nor the manager approves.
        for scope in [&t.contributor, &t.manager] {
            let refused = store.approve_post(scope, submitted.id, "", now).await;
            assert!(
                matches!(refused, Err(StoreError::Refused(Refusal::NotApprover))),
                "{backend}: {refused:?}"
            );
        }
        let approved = store
            .approve_post(&t.client, submitted.id, "Parfait", now)
            .await
            .unwrap();
        assert_eq!(approved.status, TargetStatus::Scheduled, "{backend}");
        let job = store.job_by_key(&key).await.unwrap().unwrap();
        assert_eq!(
            job.run_at, at,
            "{backend}: the job runs at the scheduled time"
        );
        assert_eq!(job.kind, PUBLISH_JOB);

        let history: Vec<String> = store
            .post_history(&t.manager, submitted.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(history, ["created", "submitted", "approved"], "{backend}");
        let audit = store.workspace_audit(&t.manager, 50).await.unwrap();
        assert!(
            audit.iter().any(|e| e.action == "post.approved"),
            "{backend}"
        );

        // Approving twice is refused, and changes can only be requested on a pending post.
        assert!(matches!(
            store.approve_post(&t.client, submitted.id, "", now).await,
            Err(StoreError::Refused(Refusal::PostNotPending))
        ));
    })
    .await;
}

#[tokio::test]
async fn changes_requested_send_the_post_back_and_an_edit_resubmits_it() {
    each_backend(|store, backend| async move {
        let t = team(&store, "b").await;
        let now = unix_now();
        store
            .set_approval_policy(&t.manager, ApprovalPolicy::Team)
            .await
            .unwrap();
        let submitted = store
            .create_post(
                &t.contributor,
                post(t.channel, Some(now + 600)),
                Intent::Schedule,
                now,
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .request_changes(&t.manager, submitted.id, "  ", now)
                .await,
            Err(StoreError::Invalid(_))
        ));
        let back = store
            .request_changes(&t.manager, submitted.id, "Ajoute le prix", now)
            .await
            .unwrap();
        assert_eq!(back.status, TargetStatus::Draft, "{backend}");
        // The contributor's draft stays a draft when edited, until submitted again.
        let edited = store
            .update_post(
                &t.contributor,
                submitted.id,
                PostPatch {
                    text: Some("La galette : 12 €".into()),
                    ..PostPatch::default()
                },
                now,
            )
            .await
            .unwrap();
        assert_eq!(edited.status, TargetStatus::Draft);
        let again = store
            .schedule_post(&t.contributor, submitted.id, now)
            .await
            .unwrap();
        assert_eq!(again.status, TargetStatus::PendingApproval, "{backend}");
    })
    .await;
}

#[tokio::test]
async fn a_post_never_targets_a_channel_of_another_workspace_and_bad_input_saves_nothing() {
    each_backend(|store, backend| async move {
        let ours = team(&store, "c").await;
        let theirs = team(&store, "d").await;
        let now = unix_now();
        let wrong = store
            .create_post(
                &ours.manager,
                post(theirs.channel, None),
                Intent::Schedule,
                now,
            )
            .await;
        assert!(
            matches!(wrong, Err(StoreError::Invalid(_))),
            "{backend}: {wrong:?}"
        );
        let past = store
            .create_post(
                &ours.manager,
                post(ours.channel, Some(now - 3600)),
                Intent::Schedule,
                now,
            )
            .await;
        assert!(
            matches!(past, Err(StoreError::Invalid(e)) if e.for_field("scheduled_at").is_some())
        );
        let mut bad_link = post(ours.channel, None);
        bad_link.link = Some("javascript:alert(1)".into());
        assert!(matches!(
            store
                .create_post(&ours.manager, bad_link, Intent::Draft, now)
                .await,
            Err(StoreError::Invalid(_))
        ));
        let none = store
            .posts(
                &ours.manager,
                &PostFilter {
                    limit: 50,
                    ..PostFilter::default()
                },
            )
            .await
            .unwrap();
        assert!(none.is_empty(), "{backend}: nothing half-saved");
        // Clients read posts but do not write them.
        assert!(matches!(
            store
                .create_post(&ours.client, post(ours.channel, None), Intent::Draft, now)
                .await,
            Err(StoreError::Forbidden)
        ));
        // Another workspace's post is not found, never shown.
        let mine = store
            .create_post(&ours.manager, post(ours.channel, None), Intent::Draft, now)
            .await
            .unwrap();
        assert!(matches!(
            store.post(&theirs.manager, mine.id).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn concurrent_workers_claim_each_job_once_and_a_dead_workers_lease_runs_out() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        for i in 0..40 {
            store
                .enqueue(
                    &JobNew {
                        kind: "noop",
                        workspace: None,
                        payload: serde_json::json!({ "i": i }),
                        dedup_key: Some(format!("noop:{i}")),
                        run_at: now - 1,
                    },
                    OnDuplicate::Keep,
                    now,
                )
                .await
                .unwrap();
        }
        // A duplicate key does not make a second job.
        store
            .enqueue(
                &JobNew {
                    kind: "noop",
                    workspace: None,
                    payload: serde_json::json!({}),
                    dedup_key: Some("noop:0".into()),
                    run_at: now,
                },
                OnDuplicate::Keep,
                now,
            )
            .await
            .unwrap();
        let mut claimers = tokio::task::JoinSet::new();
        for w in 0..4 {
            let store = store.clone();
            claimers.spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let jobs = store
                        .claim_jobs(&format!("w{w}"), &["noop"], now, 60, 3)
                        .await
                        .unwrap();
                    if jobs.is_empty() {
                        return mine;
                    }
                    mine.extend(jobs.into_iter().map(|j| j.id));
                }
            });
        }
        let mut claimed: BTreeMap<i64, usize> = BTreeMap::new();
        while let Some(mine) = claimers.join_next().await {
            for id in mine.unwrap() {
                *claimed.entry(id.0).or_default() += 1;
            }
        }
        assert_eq!(claimed.len(), 40, "{backend}");
        assert!(claimed.values().all(|n| *n == 1), "{backend}: {claimed:?}");

        // Nobody finished: after the lease, the jobs are claimed again, by someone else.
        let again = store
            .claim_jobs("w9", &["noop"], now + 61, 60, 100)
            .await
            .unwrap();
        assert_eq!(again.len(), 40, "{backend}");
        assert!(again.iter().all(|j| j.attempts == 2));
        // The first worker lost its lease: its late "done" is not recorded.
        assert!(!store.complete_job(again[0].id, "w0").await.unwrap());
        assert!(store.complete_job(again[0].id, "w9").await.unwrap());
        let stats = store.queue_stats(now + 61).await.unwrap();
        assert_eq!(stats.running, 39, "{backend}: {stats:?}");
    })
    .await;
}

#[tokio::test]
async fn one_attempt_at_a_time_and_a_crashed_attempt_is_taken_over_after_its_lease() {
    each_backend(|store, backend| async move {
        let t = team(&store, "e").await;
        let now = unix_now();
        let a = store
            .create_post(&t.manager, post(t.channel, None), Intent::Schedule, now)
            .await
            .unwrap();
        let b = store
            .create_post(&t.manager, post(t.channel, None), Intent::Schedule, now)
            .await
            .unwrap();
        let jobs = store
            .claim_jobs("w1", &[PUBLISH_JOB], now, 60, 10)
            .await
            .unwrap();
        assert_eq!(jobs.len(), 2, "{backend}");
        let scope = *jobs[0].scope().unwrap();
        assert_eq!(scope.workspace(), t.manager.workspace());
        assert_eq!(scope.user(), None, "background work acts as the system");

        let first = store
            .begin_publish(&scope, a.targets[0].id, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.unfinished_since, None);
        // The same channel is busy; the same target is in flight.
        assert_eq!(
            store
                .begin_publish(&scope, b.targets[0].id, now)
                .await
                .unwrap()
                .unwrap_err(),
            NotNow::ChannelBusy,
            "{backend}"
        );
        assert_eq!(
            store
                .begin_publish(&scope, a.targets[0].id, now)
                .await
                .unwrap()
                .unwrap_err(),
            NotNow::InFlight
        );
        // The worker dies. After the attempt's lease, another takes over and is told.
        let later = now + tribune_store::posts::ATTEMPT_LEASE_SECS + 1;
        let second = store
            .begin_publish(&scope, a.targets[0].id, later)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.unfinished_since, Some(now), "{backend}");
        assert_eq!(second.target.attempts, 2);
        // The first attempt's late answer is not recorded: the second owns the target.
        let outcome = PublishOutcome::Published {
            remote_ref: "at://x/1".into(),
            remote_url: None,
        };
        assert!(
            !store
                .finish_publish(&scope, &first.target, now, &outcome, later)
                .await
                .unwrap()
        );
        assert!(
            store
                .finish_publish(&scope, &second.target, later, &outcome, later)
                .await
                .unwrap()
        );
        let done = store.post(&t.manager, a.id).await.unwrap();
        assert_eq!(done.status, TargetStatus::Published, "{backend}");
        assert_eq!(done.targets[0].remote_ref.as_deref(), Some("at://x/1"));
        // Published is final: no second attempt, no edit, no delete.
        assert_eq!(
            store
                .begin_publish(&scope, a.targets[0].id, later)
                .await
                .unwrap()
                .unwrap_err(),
            NotNow::Nothing
        );
        assert!(matches!(
            store.delete_post(&t.manager, a.id, later).await,
            Err(StoreError::Refused(Refusal::PostNotEditable))
        ));
        // Now the channel is free for the other post.
        assert!(
            store
                .begin_publish(&scope, b.targets[0].id, later)
                .await
                .unwrap()
                .is_ok()
        );
    })
    .await;
}

#[tokio::test]
async fn a_paused_workspace_publishes_nothing_until_resumed_and_failures_notify_the_team() {
    each_backend(|store, backend| async move {
        let t = team(&store, "f").await;
        let now = unix_now();
        let p = store
            .create_post(&t.manager, post(t.channel, None), Intent::Schedule, now)
            .await
            .unwrap();
        store
            .set_publishing_paused(&t.manager, true, now)
            .await
            .unwrap();
        assert!(matches!(
            store
                .set_publishing_paused(&t.contributor, false, now)
                .await,
            Err(StoreError::Forbidden)
        ));
        let jobs = store
            .claim_jobs("w", &[PUBLISH_JOB], now, 60, 10)
            .await
            .unwrap();
        let scope = *jobs[0].scope().unwrap();
        assert_eq!(
            store
                .begin_publish(&scope, p.targets[0].id, now)
                .await
                .unwrap()
                .unwrap_err(),
            NotNow::Paused,
            "{backend}"
        );
        store
            .set_publishing_paused(&t.manager, false, now)
            .await
            .unwrap();
        let attempt = store
            .begin_publish(&scope, p.targets[0].id, now)
            .await
            .unwrap()
            .unwrap();
        let failed = PublishOutcome::Failed {
            code: "network_refused",
            message: Some("Record too long".into()),
        };
        assert!(
            store
                .finish_publish(&scope, &attempt.target, now, &failed, now)
                .await
                .unwrap()
        );
        let p = store.post(&t.manager, p.id).await.unwrap();
        assert_eq!(p.status, TargetStatus::Failed);
        assert_eq!(
            p.targets[0].error_message.as_deref(),
            Some("Record too long")
        );
        let notes = store.open_notifications(&t.manager).await.unwrap();
        assert!(notes.iter().any(|n| n.kind == "post_failed"), "{backend}");
        // A failed post can be scheduled again by hand.
        let retried = store.schedule_post(&t.manager, p.id, now).await.unwrap();
        assert_eq!(retried.status, TargetStatus::Scheduled, "{backend}");
    })
    .await;
}

#[tokio::test]
async fn a_batch_of_attempts_follows_the_rules_of_one_and_records_each_result() {
    each_backend(|store, backend| async move {
        let t = team(&store, "g").await;
        let other = team(&store, "h").await;
        let second_channel = channel(&store, &t.manager, "did:plc:g2").await;
        let now = unix_now();
        let later = now + 3600;
        let mut posts = Vec::new();
        for (scope, channel, at) in [
            (&t.manager, t.channel, None),
            (&t.manager, t.channel, None),
            (&t.manager, second_channel, None),
            (&other.manager, other.channel, None),
            (&t.manager, second_channel, Some(later)),
        ] {
            let created = store
                .create_post(scope, post(channel, at), Intent::Schedule, now)
                .await
                .unwrap();
            posts.push(created.targets[0].clone());
        }
        let [a, b, c, x, d] = <[_; 5]>::try_from(posts).unwrap();
        let jobs = store
            .claim_jobs("w", &[PUBLISH_JOB], now, 60, 20)
            .await
            .unwrap();
        let scope_of = |workspace| {
            *jobs
                .iter()
                .find(|j| j.workspace == Some(workspace))
                .and_then(|j| j.scope())
                .unwrap()
        };
        let mine = scope_of(t.manager.workspace());
        let theirs = scope_of(other.manager.workspace());

        let answers = store
            .begin_publishes(
                &[
                    (mine, a.id),
                    (mine, b.id),
                    (mine, c.id),
                    (mine, a.id),
                    (mine, x.id),
                    (theirs, x.id),
                    (mine, d.id),
                ],
                now,
                tribune_store::posts::ATTEMPT_LEASE_SECS,
            )
            .await
            .unwrap();
        let summary: Vec<Result<i64, NotNow>> = answers
            .iter()
            .map(|a| {
                a.as_ref()
                    .map(|started| started.target.id.0)
                    .map_err(Clone::clone)
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                Ok(a.id.0),
                // The first of the channel's targets goes; the other waits for it.
                Err(NotNow::ChannelBusy),
                Ok(c.id.0),
                // The same target asked twice starts once.
                Err(NotNow::InFlight),
                // Another workspace's target is out of this scope's reach.
                Err(NotNow::Nothing),
                Ok(x.id.0),
                Err(NotNow::NotYet(later)),
            ],
            "{backend}"
        );
        let started: Vec<_> = answers.into_iter().flatten().collect();
        for attempt in &started {
            assert_eq!(attempt.target.status, TargetStatus::Publishing);
            assert_eq!(attempt.target.attempts, 1);
            assert_eq!(attempt.target.attempt_started_at, Some(now));
            assert_eq!(attempt.post.status, TargetStatus::Publishing);
        }
        // Nothing else may start on those channels while the batch's attempts are in flight.
        assert_eq!(
            store
                .begin_publish(&mine, b.id, now)
                .await
                .unwrap()
                .unwrap_err(),
            NotNow::ChannelBusy,
            "{backend}"
        );

        let published = |r: &str| PublishOutcome::Published {
            remote_ref: r.into(),
            remote_url: Some(format!("https://bsky.test/{r}")),
        };
        // Each target's job, as the worker "w" holds it.
        let job_of = |target: &tribune_store::posts::PostTarget, worker: &str| {
            jobs.iter()
                .find(|j| j.payload["target"].as_i64() == Some(target.id.0))
                .map(|j| (j.id, worker.to_owned()))
        };
        let finishes = vec![
            tribune_store::publish::Finish {
                scope: mine,
                target: started[0].target.clone(),
                started_at: now,
                outcome: published("a"),
                job: job_of(&started[0].target, "w"),
            },
            // A worker that does not hold the job: the result is recorded, the job kept.
            tribune_store::publish::Finish {
                scope: mine,
                target: started[1].target.clone(),
                started_at: now,
                outcome: PublishOutcome::Failed {
                    code: "network_refused",
                    message: Some("Too long".into()),
                },
                job: job_of(&started[1].target, "not-w"),
            },
            tribune_store::publish::Finish {
                scope: theirs,
                target: started[2].target.clone(),
                started_at: now,
                outcome: published("x"),
                job: job_of(&started[2].target, "w"),
            },
            // A stale answer from an attempt that no longer owns the target.
            tribune_store::publish::Finish {
                scope: mine,
                target: started[0].target.clone(),
                started_at: now - 1,
                outcome: published("stale"),
                job: None,
            },
        ];
        assert!(finishes.iter().take(3).all(|f| f.job.is_some()));
        assert_eq!(
            store.finish_publishes(&finishes, now + 1).await.unwrap(),
            vec![true, true, true, false],
            "{backend}"
        );
        // The recorded ends took their jobs with them, where the worker held them.
        let left = store
            .claim_jobs("w2", &[PUBLISH_JOB], now + 61, 60, 20)
            .await
            .unwrap();
        let left: Vec<Option<i64>> = left.iter().map(|j| j.payload["target"].as_i64()).collect();
        assert!(!left.contains(&Some(a.id.0)), "{backend}: {left:?}");
        assert!(!left.contains(&Some(x.id.0)), "{backend}: {left:?}");
        assert!(left.contains(&Some(c.id.0)), "{backend}: {left:?}");
        let post_a = store.post(&t.manager, a.post_id).await.unwrap();
        assert_eq!(post_a.status, TargetStatus::Published, "{backend}");
        assert_eq!(post_a.targets[0].remote_ref.as_deref(), Some("a"));
        let post_c = store.post(&t.manager, c.post_id).await.unwrap();
        assert_eq!(post_c.status, TargetStatus::Failed);
        assert_eq!(
            post_c.targets[0].error_code.as_deref(),
            Some("network_refused")
        );
        let post_x = store.post(&other.manager, x.post_id).await.unwrap();
        assert_eq!(post_x.targets[0].remote_ref.as_deref(), Some("x"));
        let history: Vec<String> = store
            .post_history(&t.manager, a.post_id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            history.ends_with(&["attempt_started".to_owned(), "published".to_owned()]),
            "{backend}: {history:?}"
        );
        // Each result is in its own workspace's trail.
        let trail = |scope| {
            let store = store.clone();
            async move {
                let mut actions: Vec<String> = store
                    .workspace_audit(&scope, 50)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.action)
                    .filter(|a| a.starts_with("post."))
                    .collect();
                actions.sort();
                actions
            }
        };
        assert_eq!(
            trail(t.manager).await,
            vec!["post.failed", "post.published"],
            "{backend}"
        );
        assert_eq!(trail(other.manager).await, vec!["post.published"]);
        // The channel is free again: the waiting post starts.
        assert!(
            store
                .begin_publish(&mine, b.id, now + 1)
                .await
                .unwrap()
                .is_ok()
        );
    })
    .await;
}

/// Runs one statement on the test database behind the store's back; its error, as text.
async fn raw(url: &str, sql: String) -> Result<(), String> {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql);
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query("PRAGMA foreign_keys = ON")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut conn).await.map(|_| ())
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut conn).await.map(|_| ())
    }
    .map_err(|e| e.to_string())
}

/// A count read behind the store's back.
async fn count(url: &str, sql: String) -> i64 {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql);
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    }
}

#[tokio::test]
async fn a_history_row_belongs_to_its_posts_workspace_and_goes_with_it() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let ours = team(&store, "h").await;
        let theirs = team(&store, "i").await;
        let now = unix_now();
        let post = store
            .create_post(&ours.manager, post(ours.channel, None), Intent::Draft, now)
            .await
            .unwrap();
        let event = |workspace: i64| {
            format!(
                "INSERT INTO post_events (workspace_id, post_id, at, actor, action) \
                 VALUES ({workspace}, {}, {now}, 'system:test', 'created')",
                post.id.0
            )
        };
        // The database itself refuses a history row that names another workspace.
        let refused = raw(&db.url, event(theirs.manager.workspace().0)).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_lowercase().contains("foreign")),
            "{}: {refused:?}",
            db.url
        );
        raw(&db.url, event(ours.manager.workspace().0))
            .await
            .unwrap();
        let history = store.post_history(&ours.manager, post.id).await.unwrap();
        assert!(history.len() >= 2, "{history:?}");
        // Deleting the workspace deletes its posts' history with them.
        store.delete_workspace(&ours.manager).await.unwrap();
        let left = count(
            &db.url,
            format!(
                "SELECT count(*) FROM post_events WHERE workspace_id = {}",
                ours.manager.workspace().0
            ),
        )
        .await;
        assert_eq!(left, 0, "{}", db.url);
        store.close().await;
    }
}
