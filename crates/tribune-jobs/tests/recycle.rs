//! The evergreen recycling job: one deduplicated periodic row, which fills a category's empty
//! slots with new posts copied from published ones and moves itself to its next run.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use jiff::civil::Weekday;
use std::sync::Arc;
use tribune_domain::publishing::TargetStatus;
use tribune_domain::queue::{WeeklySlot, parse_time};
use tribune_jobs::periodic::{self, QUEUE_RECYCLE, QueueRecycle};
use tribune_jobs::{Handler, Runner, RunnerConfig};
use tribune_store::channels::ChannelNew;
use tribune_store::posts::{Intent, PostFilter, PostNew, PublishOutcome};
use tribune_store::queue::CategoryInput;
use tribune_store::testing::{each_backend, profile, user};
use tribune_store::unix_now;

#[tokio::test]
async fn the_recycling_job_runs_once_per_period_and_copies_published_evergreen_posts() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let owner = store
            .create_user(&user("recycle@example.fr"), false)
            .await
            .unwrap();
        let scope = store
            .create_workspace(owner.user_id(), &profile("Cave à vins"))
            .await
            .unwrap();
        let channel = store
            .connect_channel(
                &scope,
                ChannelNew {
                    network: "mastodon".into(),
                    remote_id: "cave".into(),
                    handle: "cave@example.social".into(),
                    display_name: "Cave".into(),
                    avatar_url: None,
                    profile_url: None,
                    avatar: None,
                    capabilities: "publish_text".into(),
                    sealed_credentials: "sealed".into(),
                    token_expires_at: None,
                },
                now,
            )
            .await
            .unwrap()
            .id;
        let category = store
            .create_category(
                &scope,
                &CategoryInput {
                    name: "Accords".into(),
                    colour: "#6a1b9a".into(),
                    evergreen: true,
                    recycle: true,
                    recycle_after_days: 30,
                },
                now,
            )
            .await
            .unwrap();
        let days = [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ];
        let slots: Vec<WeeklySlot> = days
            .iter()
            .map(|d| WeeklySlot {
                weekday: *d,
                time: parse_time("11:00").unwrap(),
                category: Some(category.id),
            })
            .collect();
        store
            .add_queue_slots(&scope, channel, &slots)
            .await
            .unwrap();
        // Two pairings published long ago.
        for (ago, words) in [(60, "Comté et vin jaune"), (45, "Chèvre et sancerre")] {
            let at = now - ago * 86_400;
            let post = store
                .create_post(
                    &scope,
                    PostNew {
                        text: words.into(),
                        targets: vec![(channel, None)],
                        scheduled_at: Some(at),
                        category: Some(category.id),
                        ..PostNew::default()
                    },
                    Intent::Schedule,
                    at,
                )
                .await
                .unwrap();
            let attempt = store
                .begin_publish(&scope, post.targets[0].id, at)
                .await
                .unwrap()
                .unwrap();
            store
                .finish_publish(
                    &scope,
                    &attempt.target,
                    at,
                    &PublishOutcome::Published {
                        remote_ref: words.into(),
                        remote_url: None,
                    },
                    at,
                )
                .await
                .unwrap();
        }

        // Every node enqueues the periodic tasks at start: one row per task all the same.
        periodic::ensure_scheduled(&store).await.unwrap();
        periodic::ensure_scheduled(&store).await.unwrap();
        let job = store
            .job_by_key(&format!("periodic:{QUEUE_RECYCLE}"))
            .await
            .unwrap()
            .unwrap();
        let handlers: Vec<Arc<dyn Handler>> = vec![Arc::new(QueueRecycle::new(store.clone()))];
        let runner = Runner::new(store.clone(), RunnerConfig::new("test"), handlers);
        let pass = runner.run_pass().await.unwrap();
        assert_eq!(pass.claimed, 1, "{backend}: {pass:?}");

        let posts = store
            .posts(
                &scope,
                &PostFilter {
                    limit: 100,
                    ..PostFilter::default()
                },
            )
            .await
            .unwrap();
        let copies: Vec<_> = posts.iter().filter(|p| p.recycled_from.is_some()).collect();
        // Each pairing once: after its copy, a pairing waits its 30 days again.
        assert_eq!(copies.len(), 2, "{backend}");
        for copy in &copies {
            assert_eq!(copy.status, TargetStatus::Scheduled);
            assert!(copy.scheduled_at.unwrap() > now);
        }
        assert_ne!(copies[0].recycled_from, copies[1].recycled_from);

        // The job moved itself to its next run instead of running again now.
        let moved = store
            .job_by_key(&format!("periodic:{QUEUE_RECYCLE}"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.id, job.id);
        assert!(moved.run_at > now, "{backend}");
        assert_eq!(runner.run_pass().await.unwrap().claimed, 0);
    })
    .await;
}
