//! The posting queue (slots, add to queue, categories, recycling, engagement), run on SQLite and
//! on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use jiff::civil::Weekday;
use tribune_domain::publishing::TargetStatus;
use tribune_domain::queue::{WeeklySlot, parse_time};
use tribune_domain::{CategoryId, ChannelId, QueueSlotId, Role};
use tribune_store::channels::ChannelNew;
use tribune_store::posts::{Intent, PostFilter, PostNew, PublishOutcome};
use tribune_store::queue::{CategoryInput, Metrics};
use tribune_store::testing::{each_backend, profile, user};
use tribune_store::{Store, StoreError, WorkspaceScope, unix_now};

/// Friday 27 March 2026, 13:00 in Paris: two days before the spring change.
const FRIDAY: i64 = 1_774_612_800;

fn paris(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .unwrap()
        .to_zoned(jiff::tz::db().get("Europe/Paris").unwrap())
        .strftime("%a %Y-%m-%d %H:%M %:z")
        .to_string()
}

fn slot(weekday: Weekday, time: &str, category: Option<CategoryId>) -> WeeklySlot {
    WeeklySlot {
        weekday,
        time: parse_time(time).unwrap(),
        category,
    }
}

async fn workspace(store: &Store, prefix: &str) -> WorkspaceScope {
    let owner = store
        .create_user(&user(&format!("{prefix}-owner@example.fr")), false)
        .await
        .unwrap();
    store
        .create_workspace(owner.user_id(), &profile(&format!("{prefix} Fromagerie")))
        .await
        .unwrap()
}

async fn contributor(store: &Store, owner: &WorkspaceScope, email: &str) -> WorkspaceScope {
    let now = unix_now();
    let account = store.create_user(&user(email), false).await.unwrap();
    let (token, _) = store
        .create_invitation(owner, email, Role::Contributor, now)
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
    store
        .connect_channel(
            scope,
            ChannelNew {
                network: "mastodon".into(),
                remote_id: remote_id.into(),
                handle: format!("{remote_id}@example.social"),
                display_name: "Fromagerie".into(),
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
        .id
}

fn text(text: &str, channels: &[ChannelId]) -> PostNew {
    PostNew {
        text: text.into(),
        targets: channels.iter().map(|c| (*c, None)).collect(),
        ..PostNew::default()
    }
}

fn invalid(error: StoreError) -> (&'static str, &'static str) {
    match error {
        StoreError::Invalid(e) => (e.violations[0].field, e.violations[0].message_key),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn slots_are_added_listed_and_removed_within_their_workspace_only() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "a").await;
        let other = workspace(&store, "b").await;
        let ch = channel(&store, &scope, "a1").await;
        let theirs = channel(&store, &other, "b1").await;

        let added = store
            .add_queue_slot(&scope, ch, slot(Weekday::Tuesday, "09:30", None))
            .await
            .unwrap();
        assert_eq!((added.weekday, added.local_time.as_str()), (2, "09:30"));
        store
            .add_queue_slots(
                &scope,
                ch,
                &[
                    slot(Weekday::Monday, "18:00", None),
                    slot(Weekday::Monday, "08:15", None),
                ],
            )
            .await
            .unwrap();
        let listed: Vec<(i8, String)> = store
            .queue_slots(&scope, ch)
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.weekday, s.local_time))
            .collect();
        assert_eq!(
            listed,
            [
                (1, "08:15".into()),
                (1, "18:00".into()),
                (2, "09:30".into())
            ],
            "{backend}"
        );

        // The same time twice is refused, and a batch with one bad slot saves none.
        let error = store
            .add_queue_slots(
                &scope,
                ch,
                &[
                    slot(Weekday::Friday, "12:00", None),
                    slot(Weekday::Tuesday, "09:30", None),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(invalid(error), ("time", "error-queue-slot-taken"));
        assert_eq!(store.queue_slots(&scope, ch).await.unwrap().len(), 3);

        // Another workspace's channel does not exist from here, either way.
        assert!(matches!(
            store.queue_slots(&scope, theirs).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .add_queue_slot(&scope, theirs, slot(Weekday::Monday, "10:00", None))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_queue_slot(&other, ch, added.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .delete_queue_slot(&scope, ch, QueueSlotId(i64::MAX))
                .await,
            Err(StoreError::NotFound)
        ));
        // A contributor writes posts but does not set the queue.
        let writer = contributor(&store, &scope, "a-redac@example.fr").await;
        assert!(matches!(
            store
                .add_queue_slot(&writer, ch, slot(Weekday::Monday, "10:00", None))
                .await,
            Err(StoreError::Forbidden)
        ));

        store.delete_queue_slot(&scope, ch, added.id).await.unwrap();
        assert_eq!(store.queue_slots(&scope, ch).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn add_to_queue_takes_each_channels_next_free_slot_in_local_time() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "q").await;
        let a = channel(&store, &scope, "qa").await;
        let b = channel(&store, &scope, "qb").await;
        let bare = channel(&store, &scope, "qc").await;
        store
            .add_queue_slots(
                &scope,
                a,
                &[
                    slot(Weekday::Monday, "09:00", None),
                    slot(Weekday::Sunday, "02:30", None),
                ],
            )
            .await
            .unwrap();
        store
            .add_queue_slot(&scope, b, slot(Weekday::Wednesday, "12:00", None))
            .await
            .unwrap();

        // No slots: a clear error, and nothing saved (not even for the channel that has slots).
        let error = store
            .queue_post(&scope, text("Nouveau comté", &[a, bare]), FRIDAY)
            .await
            .unwrap_err();
        assert_eq!(invalid(error), ("channels", "error-queue-no-slots"));
        let all = PostFilter {
            limit: 100,
            ..PostFilter::default()
        };
        assert!(
            store.posts(&scope, &all).await.unwrap().is_empty(),
            "{backend}"
        );

        // One post per channel, each at its own channel's next slot; the spring gap's 02:30
        // is 03:00 that Sunday.
        let posts = store
            .queue_post(&scope, text("Le brie est là", &[a, b]), FRIDAY)
            .await
            .unwrap();
        let got: Vec<(ChannelId, String, TargetStatus)> = posts
            .iter()
            .map(|p| {
                assert_eq!(p.targets.len(), 1);
                (
                    p.targets[0].channel_id,
                    paris(p.scheduled_at.unwrap()),
                    p.status,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    a,
                    "Sun 2026-03-29 03:00 +02:00".into(),
                    TargetStatus::Scheduled
                ),
                (
                    b,
                    "Wed 2026-04-01 12:00 +02:00".into(),
                    TargetStatus::Scheduled
                ),
            ],
            "{backend}"
        );
        let next: Vec<String> = queue_times(&store, &scope, a, 3).await;
        assert_eq!(
            next,
            [
                "Mon 2026-03-30 09:00 +02:00",
                "Sun 2026-04-05 02:30 +02:00",
                "Mon 2026-04-06 09:00 +02:00"
            ],
            "{backend}"
        );

        // A draft at a slot's time does not hold it; deleting a queued post frees its slot.
        let monday = store
            .posts(&scope, &all)
            .await
            .unwrap()
            .into_iter()
            .find(|p| {
                p.scheduled_at
                    .is_some_and(|at| paris(at).starts_with("Mon 2026-03-30"))
            })
            .unwrap();
        store.delete_post(&scope, monday.id, FRIDAY).await.unwrap();
        store
            .create_post(
                &scope,
                PostNew {
                    scheduled_at: monday.scheduled_at,
                    ..text("brouillon", &[a])
                },
                Intent::Draft,
                FRIDAY,
            )
            .await
            .unwrap();
        let again = store
            .queue_post(&scope, text("Reblochon", &[a]), FRIDAY)
            .await
            .unwrap();
        assert_eq!(again[0].scheduled_at, monday.scheduled_at, "{backend}");

        // The upcoming queue shows filled and empty slots.
        let upcoming = store.upcoming_queue(&scope, a, FRIDAY, 5).await.unwrap();
        let filled: Vec<(String, bool)> = upcoming
            .iter()
            .map(|e| (paris(e.at), e.post.is_some()))
            .collect();
        assert_eq!(
            filled,
            [
                ("Sun 2026-03-29 03:00 +02:00".into(), true),
                ("Mon 2026-03-30 09:00 +02:00".into(), true),
                ("Sun 2026-04-05 02:30 +02:00".into(), true),
                ("Mon 2026-04-06 09:00 +02:00".into(), true),
                ("Sun 2026-04-12 02:30 +02:00".into(), false),
            ],
            "{backend}"
        );
        assert_eq!(upcoming[0].local_time, "02:30");

        // A post with a time is not queued; the two are exclusive.
        let error = store
            .queue_post(
                &scope,
                PostNew {
                    scheduled_at: Some(FRIDAY + 3600),
                    ..text("x", &[a])
                },
                FRIDAY,
            )
            .await
            .unwrap_err();
        assert_eq!(invalid(error), ("scheduled_at", "error-queue-and-time"));
    })
    .await;
}

/// Queues three posts and returns their times in Paris.
async fn queue_times(
    store: &Store,
    scope: &WorkspaceScope,
    channel: ChannelId,
    count: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..count {
        let posts = store
            .queue_post(scope, text(&format!("Post {i}"), &[channel]), FRIDAY)
            .await
            .unwrap();
        out.push(paris(posts[0].scheduled_at.unwrap()));
    }
    out
}

#[tokio::test]
async fn concurrent_add_to_queue_never_gives_the_same_slot_twice() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "c").await;
        let ch = channel(&store, &scope, "c1").await;
        store
            .add_queue_slots(
                &scope,
                ch,
                &[
                    slot(Weekday::Monday, "09:00", None),
                    slot(Weekday::Thursday, "17:45", None),
                ],
            )
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .queue_post(&scope, text(&format!("Concurrent {i}"), &[ch]), FRIDAY)
                    .await
            }));
        }
        let mut times = Vec::new();
        for task in tasks {
            let posts = task.await.unwrap().unwrap();
            times.push(posts[0].scheduled_at.unwrap());
        }
        times.sort_unstable();
        let distinct: std::collections::BTreeSet<i64> = times.iter().copied().collect();
        assert_eq!(distinct.len(), 8, "{backend}: {times:?}");
        // And they are the first eight slots, none skipped.
        assert_eq!(paris(times[0]), "Mon 2026-03-30 09:00 +02:00");
        assert_eq!(paris(times[7]), "Thu 2026-04-23 17:45 +02:00");
    })
    .await;
}

#[tokio::test]
async fn categories_reserve_slots_and_are_checked() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "k").await;
        let other = workspace(&store, "l").await;
        let ch = channel(&store, &scope, "k1").await;
        let input = |name: &str| CategoryInput {
            name: name.into(),
            colour: "#2E7D32".into(),
            evergreen: true,
            recycle: false,
            recycle_after_days: 60,
        };
        let tips = store
            .create_category(&scope, &input("Astuces"), FRIDAY)
            .await
            .unwrap();
        assert_eq!(tips.colour, "#2e7d32");
        assert!(tips.evergreen && !tips.recycle);
        let error = store
            .create_category(&scope, &input("Astuces"), FRIDAY)
            .await
            .unwrap_err();
        assert_eq!(invalid(error), ("name", "error-category-name-taken"));
        let error = store
            .create_category(
                &scope,
                &CategoryInput {
                    colour: "red".into(),
                    ..input("Promo")
                },
                FRIDAY,
            )
            .await
            .unwrap_err();
        assert_eq!(invalid(error), ("colour", "error-category-colour-invalid"));
        let error = store
            .create_category(
                &scope,
                &CategoryInput {
                    evergreen: false,
                    recycle: true,
                    ..input("Promo")
                },
                FRIDAY,
            )
            .await
            .unwrap_err();
        assert_eq!(
            invalid(error),
            ("recycle", "error-category-recycle-needs-evergreen")
        );
        // The same name is fine in another workspace, which cannot see or use this one.
        store
            .create_category(&other, &input("Astuces"), FRIDAY)
            .await
            .unwrap();
        assert_eq!(store.categories(&other).await.unwrap().len(), 1);
        assert!(matches!(
            store.delete_category(&other, tips.id).await,
            Err(StoreError::NotFound)
        ));
        let foreign_ch = channel(&store, &other, "l1").await;
        let error = store
            .add_queue_slot(
                &other,
                foreign_ch,
                slot(Weekday::Monday, "09:00", Some(tips.id)),
            )
            .await
            .unwrap_err();
        assert_eq!(invalid(error), ("category", "error-category-unknown"));

        // A tips slot on Monday, an open one on Tuesday: an uncategorised post skips Monday,
        // a tips post takes it.
        store
            .add_queue_slots(
                &scope,
                ch,
                &[
                    slot(Weekday::Monday, "09:00", Some(tips.id)),
                    slot(Weekday::Tuesday, "09:00", None),
                ],
            )
            .await
            .unwrap();
        let plain = store
            .queue_post(&scope, text("Ouvert lundi", &[ch]), FRIDAY)
            .await
            .unwrap();
        assert_eq!(
            paris(plain[0].scheduled_at.unwrap()),
            "Tue 2026-03-31 09:00 +02:00",
            "{backend}"
        );
        let tip = store
            .queue_post(
                &scope,
                PostNew {
                    category: Some(tips.id),
                    ..text("Conserver un fromage", &[ch])
                },
                FRIDAY,
            )
            .await
            .unwrap();
        assert_eq!(
            paris(tip[0].scheduled_at.unwrap()),
            "Mon 2026-03-30 09:00 +02:00"
        );
        assert_eq!(tip[0].category, Some(tips.id));

        let updated = store
            .update_category(
                &scope,
                tips.id,
                &CategoryInput {
                    recycle: true,
                    ..input("Conseils")
                },
            )
            .await
            .unwrap();
        assert!(updated.recycle);
        assert_eq!(updated.name, "Conseils");
        store.delete_category(&scope, tips.id).await.unwrap();
        // Its post and slot stay, without a category.
        let post = store.post(&scope, tip[0].id).await.unwrap();
        assert_eq!(post.category, None);
        assert!(
            store
                .queue_slots(&scope, ch)
                .await
                .unwrap()
                .iter()
                .all(|s| s.category.is_none())
        );
    })
    .await;
}

/// Publishes `post`'s only target at `at` as the network would confirm it.
async fn publish(store: &Store, scope: &WorkspaceScope, post: tribune_domain::PostId, at: i64) {
    let post = store.post(scope, post).await.unwrap();
    let attempt = store
        .begin_publish(scope, post.targets[0].id, at)
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .finish_publish(
                scope,
                &attempt.target,
                at,
                &PublishOutcome::Published {
                    remote_ref: format!("remote-{}", post.id),
                    remote_url: None,
                },
                at,
            )
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn evergreen_posts_are_recycled_as_new_posts_into_their_categorys_empty_slots() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "r").await;
        let ch = channel(&store, &scope, "r1").await;
        let evergreen = store
            .create_category(
                &scope,
                &CategoryInput {
                    name: "Astuces".into(),
                    colour: "#1565c0".into(),
                    evergreen: true,
                    recycle: false,
                    recycle_after_days: 30,
                },
                FRIDAY,
            )
            .await
            .unwrap();
        store
            .add_queue_slot(
                &scope,
                ch,
                slot(Weekday::Tuesday, "10:00", Some(evergreen.id)),
            )
            .await
            .unwrap();
        // Two tips published 40 and 35 days ago, one 10 days ago.
        let mut originals = Vec::new();
        for (days, words) in [
            (40, "Le comté se garde"),
            (35, "Sortir le brie"),
            (10, "Le bleu"),
        ] {
            let at = FRIDAY - days * 86_400;
            let post = store
                .create_post(
                    &scope,
                    PostNew {
                        category: Some(evergreen.id),
                        scheduled_at: Some(at),
                        ..text(words, &[ch])
                    },
                    Intent::Schedule,
                    at,
                )
                .await
                .unwrap();
            publish(&store, &scope, post.id, at).await;
            originals.push(post.id);
        }

        // Recycling is off by default: nothing happens.
        assert_eq!(store.recycle_evergreen(FRIDAY).await.unwrap().created, 0);

        store
            .update_category(
                &scope,
                evergreen.id,
                &CategoryInput {
                    name: "Astuces".into(),
                    colour: "#1565c0".into(),
                    evergreen: true,
                    recycle: true,
                    recycle_after_days: 30,
                },
            )
            .await
            .unwrap();
        let report = store.recycle_evergreen(FRIDAY).await.unwrap();
        // One Tuesday within the week ahead: one copy, of the least recently used tip.
        assert_eq!(report.created, 1, "{backend}");
        let all = store
            .posts(
                &scope,
                &PostFilter {
                    limit: 100,
                    ..PostFilter::default()
                },
            )
            .await
            .unwrap();
        let copies: Vec<_> = all.iter().filter(|p| p.recycled_from.is_some()).collect();
        assert_eq!(copies.len(), 1);
        let copy = copies[0];
        assert_eq!(copy.recycled_from, Some(originals[0]));
        assert_eq!(copy.text, "Le comté se garde");
        assert_eq!(copy.category, Some(evergreen.id));
        assert_eq!(copy.status, TargetStatus::Scheduled);
        assert_eq!(
            paris(copy.scheduled_at.unwrap()),
            "Tue 2026-03-31 10:00 +02:00"
        );
        // A new row with a new target and key: the original stays published once.
        let original = store.post(&scope, originals[0]).await.unwrap();
        assert_ne!(copy.targets[0].id, original.targets[0].id);
        assert_ne!(
            copy.targets[0].idempotency_key,
            original.targets[0].idempotency_key
        );
        assert_eq!(original.targets[0].status, TargetStatus::Published);

        // Running again (another node, the next period) finds the slot filled.
        assert_eq!(store.recycle_evergreen(FRIDAY).await.unwrap().created, 0);
        // A week later, the next Tuesday gets the other old tip, not the copied one again.
        let later = FRIDAY + 7 * 86_400;
        assert_eq!(store.recycle_evergreen(later).await.unwrap().created, 1);
        let all = store
            .posts(
                &scope,
                &PostFilter {
                    limit: 100,
                    ..PostFilter::default()
                },
            )
            .await
            .unwrap();
        let sources: Vec<_> = all.iter().filter_map(|p| p.recycled_from).collect();
        assert_eq!(sources.len(), 2);
        assert!(sources.contains(&originals[1]), "{sources:?}");
        assert!(!sources.contains(&originals[2]));
    })
    .await;
}

#[tokio::test]
async fn engagement_is_recorded_for_published_targets_of_the_workspace_only() {
    each_backend(|store, _backend| async move {
        let scope = workspace(&store, "m").await;
        let other = workspace(&store, "n").await;
        let ch = channel(&store, &scope, "m1").await;
        let at = FRIDAY - 86_400;
        let post = store
            .create_post(
                &scope,
                PostNew {
                    scheduled_at: Some(at),
                    ..text("Mesuré", &[ch])
                },
                Intent::Schedule,
                at,
            )
            .await
            .unwrap();
        let target = post.targets[0].id;
        let metrics = Metrics {
            likes: 10,
            replies: 2,
            reposts: 3,
            clicks: 0,
        };
        let error = store
            .record_post_metrics(&scope, target, metrics, FRIDAY)
            .await
            .unwrap_err();
        assert_eq!(invalid(error), ("target", "error-metrics-not-published"));
        publish(&store, &scope, post.id, at).await;
        assert!(matches!(
            store
                .record_post_metrics(&other, target, metrics, FRIDAY)
                .await,
            Err(StoreError::NotFound)
        ));
        store
            .record_post_metrics(&scope, target, metrics, FRIDAY)
            .await
            .unwrap();
        // Collected again later: replaced, not added.
        store
            .record_post_metrics(
                &scope,
                target,
                Metrics {
                    likes: 20,
                    ..metrics
                },
                FRIDAY + 60,
            )
            .await
            .unwrap();
        let seen = store.engagement(&scope, ch).await.unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].engagement, 25);
        assert_eq!(seen[0].at.as_second(), at);
    })
    .await;
}

#[tokio::test]
async fn the_autumn_fold_gives_a_slot_once_and_a_post_waiting_for_approval_holds_its_slot() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "f").await;
        let writer = contributor(&store, &scope, "f-redac@example.fr").await;
        let ch = channel(&store, &scope, "f1").await;
        store
            .add_queue_slot(&scope, ch, slot(Weekday::Sunday, "02:30", None))
            .await
            .unwrap();
        // Friday 23 October 2026, 12:00 UTC: two days before the clocks go back.
        let friday = FRIDAY + 210 * 86_400;
        assert_eq!(paris(friday), "Fri 2026-10-23 14:00 +02:00");
        // A contributor's post waits for approval, and holds the first 02:30 of the night.
        let waiting = store
            .queue_post(&writer, text("Brouillon à valider", &[ch]), friday)
            .await
            .unwrap();
        assert_eq!(
            waiting[0].status,
            TargetStatus::PendingApproval,
            "{backend}"
        );
        assert_eq!(
            paris(waiting[0].scheduled_at.unwrap()),
            "Sun 2026-10-25 02:30 +02:00"
        );
        // The second 02:30 of that night (an hour later) is not another slot: next Sunday.
        let next = store
            .queue_post(&scope, text("La suite", &[ch]), friday)
            .await
            .unwrap();
        assert_eq!(
            paris(next[0].scheduled_at.unwrap()),
            "Sun 2026-11-01 02:30 +01:00",
            "{backend}"
        );
    })
    .await;
}

#[tokio::test]
async fn shuffling_deals_queued_posts_over_the_same_slots_and_leaves_pinned_ones() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "s").await;
        let other = workspace(&store, "t").await;
        let ch = channel(&store, &scope, "s1").await;
        let second = channel(&store, &scope, "s2").await;
        let tips = store
            .create_category(
                &scope,
                &CategoryInput {
                    name: "Astuces".into(),
                    colour: "#2e7d32".into(),
                    evergreen: true,
                    recycle: false,
                    recycle_after_days: 60,
                },
                FRIDAY,
            )
            .await
            .unwrap();
        store
            .add_queue_slots(
                &scope,
                ch,
                &[
                    slot(Weekday::Monday, "09:00", Some(tips.id)),
                    slot(Weekday::Tuesday, "09:00", None),
                    slot(Weekday::Wednesday, "09:00", None),
                    slot(Weekday::Thursday, "09:00", None),
                ],
            )
            .await
            .unwrap();
        let queued = |words: &str, category| {
            let store = store.clone();
            let new = PostNew {
                category,
                ..text(words, &[ch])
            };
            async move {
                let mut posts = store.queue_post(&scope, new, FRIDAY).await.unwrap();
                posts.remove(0)
            }
        };
        let tip = queued("Astuce du lundi", Some(tips.id)).await;
        let tue = queued("Mardi", None).await;
        let wed = queued("Mercredi", None).await;
        let thu = queued("Jeudi", None).await;
        assert_eq!(
            paris(tip.scheduled_at.unwrap()),
            "Mon 2026-03-30 09:00 +02:00"
        );
        assert_eq!(
            paris(thu.scheduled_at.unwrap()),
            "Thu 2026-04-02 09:00 +02:00"
        );
        // A post at a time of its own, and one for two channels on a slot: both stay put.
        let pinned_at = FRIDAY + 3 * 86_400 + 3600 + 17 * 60;
        let pinned = store
            .create_post(
                &scope,
                PostNew {
                    scheduled_at: Some(pinned_at),
                    ..text("À heure fixe", &[ch])
                },
                Intent::Schedule,
                FRIDAY,
            )
            .await
            .unwrap();
        let shared_at = tue.scheduled_at.unwrap() + 7 * 86_400;
        let shared = store
            .create_post(
                &scope,
                PostNew {
                    scheduled_at: Some(shared_at),
                    ..text("Deux comptes", &[ch, second])
                },
                Intent::Schedule,
                FRIDAY,
            )
            .await
            .unwrap();

        // Another workspace cannot shuffle it; a contributor may not.
        assert!(matches!(
            store.shuffle_queue(&other, ch, FRIDAY).await,
            Err(StoreError::NotFound)
        ));
        let writer = contributor(&store, &scope, "s-writer@example.fr").await;
        assert!(matches!(
            store.shuffle_queue(&writer, ch, FRIDAY).await,
            Err(StoreError::Forbidden)
        ));

        let moved = store
            .shuffle_queue_with(&scope, ch, FRIDAY, &mut |posts| posts.reverse())
            .await
            .unwrap();
        assert_eq!(moved, 2, "{backend}");
        let at = |id| {
            let store = store.clone();
            async move { store.post(&scope, id).await.unwrap().scheduled_at.unwrap() }
        };
        assert_eq!(
            at(tip.id).await,
            tip.scheduled_at.unwrap(),
            "alone in its category's slot"
        );
        assert_eq!(at(tue.id).await, thu.scheduled_at.unwrap());
        assert_eq!(at(wed.id).await, wed.scheduled_at.unwrap());
        assert_eq!(at(thu.id).await, tue.scheduled_at.unwrap());
        assert_eq!(at(pinned.id).await, pinned_at);
        assert_eq!(at(shared.id).await, shared_at);
        // The publish jobs moved with their posts; the posts are still scheduled.
        let moved_post = store.post(&scope, thu.id).await.unwrap();
        assert_eq!(moved_post.status, TargetStatus::Scheduled);
        let job = store
            .job_by_key(&tribune_store::posts::publish_job_key(
                moved_post.targets[0].id,
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.run_at, tue.scheduled_at.unwrap());
        let history = store.post_history(&scope, thu.id).await.unwrap();
        assert!(history.iter().any(|e| e.action == "rescheduled"));
        let audit = store.workspace_audit(&scope, 50).await.unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "queue.shuffled")
                .count(),
            1
        );

        // A random shuffle keeps the same posts on the same instants.
        let mut before = std::collections::BTreeSet::new();
        for id in [tue.id, wed.id, thu.id] {
            before.insert(at(id).await);
        }
        store.shuffle_queue(&scope, ch, FRIDAY).await.unwrap();
        let mut after = std::collections::BTreeSet::new();
        for id in [tue.id, wed.id, thu.id] {
            after.insert(at(id).await);
        }
        assert_eq!(before, after);
        assert_eq!(at(pinned.id).await, pinned_at);
        assert_eq!(at(shared.id).await, shared_at);
        assert_eq!(at(tip.id).await, tip.scheduled_at.unwrap());
    })
    .await;
}
