//! Approval by e-mail, in the store, on SQLite and on PostgreSQL: the outbox's mail jobs, the
//! single-use link bound to one version of a post, and the decision it runs.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_domain::publishing::{ApprovalPolicy, TargetStatus};
use tribune_domain::{ChannelId, PostId, Role, UserId};
use tribune_store::approval_links::{APPROVAL_LINK_TTL_SECS, LinkDecision, LinkProblem};
use tribune_store::channels::ChannelNew;
use tribune_store::jobs::Job;
use tribune_store::mail_jobs::{MAIL_JOB, MailJob};
use tribune_store::posts::{Intent, PostNew, PostPatch, PublishOutcome};
use tribune_store::testing::{each_backend, profile, user};
use tribune_store::{Store, WorkspaceScope, unix_now};

struct Team {
    owner: WorkspaceScope,
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

async fn team(store: &Store, prefix: &str, policy: ApprovalPolicy) -> Team {
    let account = store
        .create_user(&user(&format!("{prefix}-owner@example.fr")), false)
        .await
        .unwrap();
    let owner = store
        .create_workspace(
            account.user_id(),
            &profile(&format!("{prefix} Boulangerie")),
        )
        .await
        .unwrap();
    let manager = member(
        store,
        &owner,
        &format!("{prefix}-manager@example.fr"),
        Role::Manager,
    )
    .await;
    let contributor = member(
        store,
        &owner,
        &format!("{prefix}-redac@example.fr"),
        Role::Contributor,
    )
    .await;
    let client = member(
        store,
        &owner,
        &format!("{prefix}-client@example.fr"),
        Role::Client,
    )
    .await;
    let channel = store
        .connect_channel(
            &owner,
            ChannelNew {
                network: "bluesky".into(),
                remote_id: format!("did:plc:{prefix}"),
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
        .unwrap()
        .id;
    store.set_approval_policy(&owner, policy).await.unwrap();
    Team {
        owner,
        manager,
        contributor,
        client,
        channel,
    }
}

async fn submit(store: &Store, t: &Team, text: &str) -> PostId {
    let post = store
        .create_post(
            &t.contributor,
            PostNew {
                text: text.into(),
                targets: vec![(t.channel, None)],
                scheduled_at: Some(unix_now() + 3600),
                ..PostNew::default()
            },
            Intent::Schedule,
            unix_now(),
        )
        .await
        .unwrap();
    assert_eq!(post.status, TargetStatus::PendingApproval);
    post.id
}

/// The mail jobs waiting, as a runner would claim them (claimed, so each is seen once).
async fn claim_mail(store: &Store) -> Vec<(Job, MailJob)> {
    store
        .claim_jobs("test", &[MAIL_JOB], unix_now(), 60, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|job| {
            let mail = MailJob::parse(&job.payload).unwrap();
            (job, mail)
        })
        .collect()
}

/// A fresh link for the team's client, as the mail job makes it.
async fn link(store: &Store, t: &Team, post: PostId, now: i64) -> String {
    let version = store.post_version(&t.owner, post).await.unwrap();
    store
        .prepare_approval_mail(&t.owner, post, version, t.client.user().unwrap(), now)
        .await
        .unwrap()
        .unwrap()
        .token
        .unwrap()
}

fn recipients(mails: &[(Job, MailJob)]) -> Vec<UserId> {
    let mut users: Vec<UserId> = mails
        .iter()
        .map(|(_, mail)| match mail {
            MailJob::ApprovalRequest { user, .. }
            | MailJob::PublishFailed { user, .. }
            | MailJob::SlaBreached { user, .. }
            | MailJob::RuleMatched { user, .. }
            | MailJob::BuzzAlert { user, .. } => *user,
        })
        .collect();
    users.sort();
    users
}

#[tokio::test]
async fn submitting_enqueues_one_mail_per_approver_in_the_same_transaction() {
    each_backend(|store, backend| async move {
        // Client policy: the client only.
        let t = team(&store, "m", ApprovalPolicy::Client).await;
        let post = submit(&store, &t, "Galettes").await;
        let mails = claim_mail(&store).await;
        assert_eq!(
            recipients(&mails),
            vec![t.client.user().unwrap()],
            "{backend}"
        );
        let version = store.post_version(&t.owner, post).await.unwrap();
        assert_eq!(
            mails[0].1,
            MailJob::ApprovalRequest {
                post,
                version,
                user: t.client.user().unwrap()
            }
        );
        assert_eq!(mails[0].0.workspace, Some(t.owner.workspace()));
        // The owner's and manager's mail under the team policy is a link to the page, and
        // nobody gets a token but the client.
        let prepared = store
            .prepare_approval_mail(
                &t.owner,
                post,
                version,
                t.manager.user().unwrap(),
                unix_now(),
            )
            .await
            .unwrap();
        assert!(
            prepared.is_none(),
            "a manager may not approve under the client policy"
        );

        // Team policy: owner and manager, never the author.
        let t = team(&store, "n", ApprovalPolicy::Team).await;
        let post = submit(&store, &t, "Galettes").await;
        let mails = claim_mail(&store).await;
        let mut expected = vec![t.owner.user().unwrap(), t.manager.user().unwrap()];
        expected.sort();
        assert_eq!(recipients(&mails), expected, "{backend}");
        let version = store.post_version(&t.owner, post).await.unwrap();
        let prepared = store
            .prepare_approval_mail(
                &t.owner,
                post,
                version,
                t.manager.user().unwrap(),
                unix_now(),
            )
            .await
            .unwrap()
            .unwrap();
        assert!(prepared.token.is_none(), "the team decides from the page");

        // A post refused by validation enqueues nothing.
        let refused = store
            .create_post(
                &t.contributor,
                PostNew {
                    text: String::new(),
                    targets: vec![(t.channel, None)],
                    ..PostNew::default()
                },
                Intent::Schedule,
                unix_now(),
            )
            .await;
        assert!(refused.is_err());
        assert!(claim_mail(&store).await.is_empty(), "{backend}");
    })
    .await;
}

#[tokio::test]
async fn a_link_approves_once_as_the_client_with_history_and_audit() {
    each_backend(|store, backend| async move {
        let t = team(&store, "a", ApprovalPolicy::Client).await;
        let post = submit(&store, &t, "Galettes").await;
        let now = unix_now();
        let token = link(&store, &t, post, now).await;

        // Looking at it decides nothing.
        let seen = store.approval_link(&token, now).await.unwrap().unwrap();
        assert_eq!(seen.problem, None);
        assert_eq!(seen.post.id, post);
        assert_eq!(seen.scope.user(), t.client.user());
        assert_eq!(
            store.post(&t.owner, post).await.unwrap().status,
            TargetStatus::PendingApproval
        );

        let approved = store
            .decide_by_link(&token, LinkDecision::Approve { comment: "Parfait" }, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(approved.status, TargetStatus::Scheduled, "{backend}");
        assert_eq!(approved.approved_by, t.client.user());
        let history = store.post_history(&t.owner, post).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!(last.action, "approved");
        assert_eq!(last.actor_user_id, t.client.user().map(|u| u.0));
        assert_eq!(last.comment, "Parfait");
        let audit = store.workspace_audit(&t.owner, 10).await.unwrap();
        let entry = audit.iter().find(|e| e.action == "post.approved").unwrap();
        assert_eq!(entry.actor_user_id, t.client.user());
        assert!(entry.details.contains("email_link"), "{}", entry.details);

        // A second use changes nothing.
        let again = store
            .decide_by_link(&token, LinkDecision::Approve { comment: "" }, now)
            .await
            .unwrap();
        assert_eq!(again.unwrap_err(), LinkProblem::Used);
        let seen = store.approval_link(&token, now).await.unwrap().unwrap();
        assert_eq!(seen.problem, Some(LinkProblem::Used));
        assert_eq!(
            store.post_history(&t.owner, post).await.unwrap().len(),
            history.len()
        );
    })
    .await;
}

#[tokio::test]
async fn two_concurrent_uses_of_a_link_decide_exactly_once() {
    each_backend(|store, backend| async move {
        let t = team(&store, "c", ApprovalPolicy::Client).await;
        for round in 0..3 {
            let post = submit(&store, &t, &format!("Galettes {round}")).await;
            let now = unix_now();
            let token = link(&store, &t, post, now).await;
            let (first, second) = tokio::join!(
                store.decide_by_link(&token, LinkDecision::Approve { comment: "" }, now),
                store.decide_by_link(
                    &token,
                    LinkDecision::RequestChanges {
                        comment: "Plutôt jeudi"
                    },
                    now
                ),
            );
            let outcomes = [first.unwrap(), second.unwrap()];
            let decided = outcomes.iter().filter(|o| o.is_ok()).count();
            assert_eq!(decided, 1, "{backend}: {outcomes:?}");
            let events = store.post_history(&t.owner, post).await.unwrap();
            let decisions = events
                .iter()
                .filter(|e| e.action == "approved" || e.action == "changes_requested")
                .count();
            assert_eq!(decisions, 1, "{backend}");
        }
    })
    .await;
}

#[tokio::test]
async fn expired_edited_and_decided_posts_refuse_their_links() {
    each_backend(|store, backend| async move {
        let t = team(&store, "e", ApprovalPolicy::Client).await;
        let now = unix_now();

        // Expired: made eight days ago.
        let post = submit(&store, &t, "Galettes").await;
        let old = link(&store, &t, post, now - APPROVAL_LINK_TTL_SECS - 86_400).await;
        let refused = store
            .decide_by_link(&old, LinkDecision::Approve { comment: "" }, now)
            .await
            .unwrap();
        assert_eq!(refused.unwrap_err(), LinkProblem::Expired, "{backend}");
        assert_eq!(
            store.post(&t.owner, post).await.unwrap().status,
            TargetStatus::PendingApproval
        );

        // Edited: the old link is outdated, the new version's link works.
        let before = link(&store, &t, post, now).await;
        store
            .update_post(
                &t.contributor,
                post,
                PostPatch {
                    text: Some("Galettes, version 2".into()),
                    ..PostPatch::default()
                },
                now,
            )
            .await
            .unwrap();
        let refused = store
            .decide_by_link(&before, LinkDecision::Approve { comment: "" }, now)
            .await
            .unwrap();
        assert_eq!(refused.unwrap_err(), LinkProblem::Outdated, "{backend}");
        let seen = store.approval_link(&before, now).await.unwrap().unwrap();
        assert_eq!(seen.problem, Some(LinkProblem::Outdated));
        let after = link(&store, &t, post, now).await;

        // Decided from the web page: the link decides nothing more.
        store
            .request_changes(&t.client, post, "Plutôt jeudi", now)
            .await
            .unwrap();
        let refused = store
            .decide_by_link(&after, LinkDecision::Approve { comment: "" }, now)
            .await
            .unwrap();
        assert_eq!(refused.unwrap_err(), LinkProblem::Decided, "{backend}");
        assert_eq!(
            store.post(&t.owner, post).await.unwrap().status,
            TargetStatus::Draft
        );

        // Sending back needs a comment; refused, it leaves the link usable.
        let post = submit(&store, &t, "Crêpes").await;
        let token = link(&store, &t, post, now).await;
        assert!(
            store
                .decide_by_link(&token, LinkDecision::RequestChanges { comment: "  " }, now)
                .await
                .is_err()
        );
        let sent_back = store
            .decide_by_link(
                &token,
                LinkDecision::RequestChanges {
                    comment: "Moins de sucre",
                },
                now,
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sent_back.status, TargetStatus::Draft);

        // Unknown and absurd tokens.
        for wrong in ["", "nope", &"x".repeat(10_000)] {
            assert!(store.approval_link(wrong, now).await.unwrap().is_none());
            assert_eq!(
                store
                    .decide_by_link(wrong, LinkDecision::Approve { comment: "" }, now)
                    .await
                    .unwrap()
                    .unwrap_err(),
                LinkProblem::Unknown
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_client_who_left_cannot_use_their_link() {
    each_backend(|store, backend| async move {
        let t = team(&store, "l", ApprovalPolicy::Client).await;
        let post = submit(&store, &t, "Galettes").await;
        let now = unix_now();
        let token = link(&store, &t, post, now).await;
        store
            .remove_member(&t.owner, t.client.user().unwrap())
            .await
            .unwrap();
        assert!(
            store.approval_link(&token, now).await.unwrap().is_none(),
            "{backend}"
        );
        let refused = store
            .decide_by_link(&token, LinkDecision::Approve { comment: "" }, now)
            .await
            .unwrap();
        assert_eq!(refused.unwrap_err(), LinkProblem::Unknown);
        assert_eq!(
            store.post(&t.owner, post).await.unwrap().status,
            TargetStatus::PendingApproval
        );
    })
    .await;
}

#[tokio::test]
async fn a_permanent_failure_mails_those_who_can_publish() {
    each_backend(|store, backend| async move {
        let t = team(&store, "f", ApprovalPolicy::None).await;
        let now = unix_now();
        let post = store
            .create_post(
                &t.manager,
                PostNew {
                    text: "Galettes".into(),
                    targets: vec![(t.channel, None)],
                    ..PostNew::default()
                },
                Intent::Schedule,
                now,
            )
            .await
            .unwrap();
        let target = post.targets[0].id;
        let attempt = store
            .begin_publish(&t.owner, target, now)
            .await
            .unwrap()
            .unwrap();
        let recorded = store
            .finish_publish(
                &t.owner,
                &attempt.target,
                attempt.target.attempt_started_at.unwrap(),
                &PublishOutcome::Failed {
                    code: "network_refused",
                    message: Some("Text too long".into()),
                },
                now,
            )
            .await
            .unwrap();
        assert!(recorded);
        let mails = claim_mail(&store).await;
        let mut expected = vec![t.owner.user().unwrap(), t.manager.user().unwrap()];
        expected.sort();
        assert_eq!(recipients(&mails), expected, "{backend}");
        let prepared = store
            .prepare_publish_failed_mail(&t.owner, target, t.manager.user().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            prepared.target.error_message.as_deref(),
            Some("Text too long")
        );
        assert_eq!(prepared.recipient.user_id(), t.manager.user().unwrap());
        // Neither the contributor nor the client is told (they cannot retry).
        assert!(
            store
                .prepare_publish_failed_mail(&t.owner, target, t.client.user().unwrap())
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}
