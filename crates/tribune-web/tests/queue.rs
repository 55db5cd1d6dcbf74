//! The posting queue through the pages and the API: a channel's slots (with their validation and
//! isolation), "add to queue" from the composer and from `POST /posts`, the best-time map, and
//! the categories page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, each_backend, location};
use jiff::civil::Weekday;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tribune_domain::ChannelId;
use tribune_domain::queue::{WeeklySlot, parse_time};
use tribune_store::WorkspaceScope;
use tribune_store::channels::ChannelNew;
use tribune_store::unix_now;

async fn channel(app: &TestApp, scope: &WorkspaceScope, name: &str) -> ChannelId {
    app.store
        .connect_channel(
            scope,
            ChannelNew {
                network: "mastodon".into(),
                remote_id: format!("mastodon:{name}"),
                handle: format!("@{name}@example.social"),
                display_name: name.into(),
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

/// Slots every day at 10:00 and 16:00.
async fn daily_slots(app: &TestApp, scope: &WorkspaceScope, channel: ChannelId) {
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
        .flat_map(|d| {
            ["10:00", "16:00"].map(|t| WeeklySlot {
                weekday: *d,
                time: parse_time(t).unwrap(),
                category: None,
            })
        })
        .collect();
    app.store
        .add_queue_slots(scope, channel, &slots)
        .await
        .unwrap();
}

fn paris_time(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .unwrap()
        .to_zoned(jiff::tz::db().get("Europe/Paris").unwrap())
        .strftime("%H:%M")
        .to_string()
}

fn rfc3339_secs(value: &Value) -> i64 {
    value
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second()
}

#[tokio::test]
async fn slots_are_set_on_the_queue_page_with_clear_errors_and_only_on_ones_own_channels() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fromagerie")
            .await;
        let ws = scope.workspace().0;
        let ch = channel(&app, &scope, "Fromagerie").await;
        let queue = format!("/w/{ws}/channels/{ch}/queue");

        let (status, html) = app.get_text(&cm, &queue).await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(html.contains("File d’attente de Fromagerie"), "{html}");
        assert!(html.contains("Pas encore de créneau"));
        // The best-time map is a table with its values, on the usual peaks without history.
        assert!(html.contains("<table class=\"heatmap\">"));
        assert!(html.contains("<th scope=\"row\">lundi</th>"));
        assert!(html.contains("Aucun engagement n’a encore été relevé"));
        assert!(html.contains("name=\"slot\" value=\"1@09:00\""), "{html}");
        // The channels page links to it.
        let (_, channels) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        assert!(channels.contains(&format!("href=\"{queue}\"")));

        // A bad day and a bad time: both said, nothing saved.
        let response = app
            .post_form(
                &cm,
                &format!("{queue}/slots"),
                &[("weekday", "8"), ("time", "25:00")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("Choisissez un jour de la semaine"), "{html}");
        assert!(html.contains("Indiquez une heure sur 24"), "{html}");
        assert!(app.store.queue_slots(&scope, ch).await.unwrap().is_empty());

        let response = app
            .post_form(
                &cm,
                &format!("{queue}/slots"),
                &[("weekday", "2"), ("time", "09:30"), ("category", "")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&response),
            format!("{queue}?flash=flash-queue-slot-added")
        );
        let (_, html) = app.get_text(&cm, &queue).await;
        assert!(html.contains("Retirer mardi 09:30"), "{html}");
        assert!(html.contains("Créneau libre"));

        // The same slot again is refused with its reason.
        let response = app
            .post_form(
                &cm,
                &format!("{queue}/slots"),
                &[("weekday", "2"), ("time", "09:30")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Ce canal a déjà un créneau ce jour-là à cette heure.")
        );

        // "Suggest slots" adds the suggested ones at once.
        let response = app
            .post_form(
                &cm,
                &format!("{queue}/slots"),
                &[("slot", "1@09:00"), ("slot", "3@12:00")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let slots = app.store.queue_slots(&scope, ch).await.unwrap();
        assert_eq!(slots.len(), 3);
        let response = app
            .post_form(&cm, &format!("{queue}/slots/{}/delete", slots[0].id), &[])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.store.queue_slots(&scope, ch).await.unwrap().len(), 2);

        // Another workspace's channel is not found from this one, nor its workspace at all.
        let (other, theirs_scope) = app
            .member_with_workspace("autre@example.fr", "Concurrent")
            .await;
        let theirs = channel(&app, &theirs_scope, "Concurrent").await;
        let (status, _) = app
            .get_text(&cm, &format!("/w/{ws}/channels/{theirs}/queue"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/{theirs}/queue/slots"),
                &[("weekday", "1"), ("time", "10:00")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = app
            .post_form(
                &other,
                &format!("{queue}/slots/{}/delete", slots[1].id),
                &[],
            )
            .await;
        assert!(
            matches!(
                response.status(),
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
            ),
            "{}",
            response.status()
        );
        assert!(
            app.store
                .queue_slots(&theirs_scope, theirs)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(app.store.queue_slots(&scope, ch).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn add_to_queue_from_the_composer_and_the_api_gives_each_channel_its_next_free_slot() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fromagerie")
            .await;
        let ws = scope.workspace().0;
        let a = channel(&app, &scope, "Fromagerie Mastodon").await;
        let b = channel(&app, &scope, "Fromagerie Blog").await;
        let bare = channel(&app, &scope, "Sans créneau").await;
        daily_slots(&app, &scope, a).await;
        daily_slots(&app, &scope, b).await;

        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/posts/new")).await;
        assert!(
            html.contains("name=\"intent\" value=\"queue\"")
                && html.contains("Ajouter à la file d’attente"),
            "{html}"
        );

        // Without slots: the composer says what to do, and nothing is saved.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &a.to_string()),
                    ("channel", &bare.to_string()),
                    ("text", "Arrivage de comté"),
                    ("intent", "queue"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("aucun créneau de file d’attente"), "{html}");
        let all = tribune_store::posts::PostFilter {
            limit: 100,
            ..Default::default()
        };
        assert!(app.store.posts(&scope, &all).await.unwrap().is_empty());

        // With slots: the post takes the channel's next slot (10:00 or 16:00 in Paris).
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &a.to_string()),
                    ("text", "Arrivage de comté"),
                    ("when", "at"),
                    ("date", "not a date"),
                    ("intent", "queue"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert!(location(&response).ends_with("?flash=flash-post-queued"));
        let posts = app.store.posts(&scope, &all).await.unwrap();
        assert_eq!(posts.len(), 1);
        let first = posts[0].scheduled_at.unwrap();
        assert!(first > unix_now());
        assert!(["10:00", "16:00"].contains(&paris_time(first).as_str()));

        // The API: one post per channel, each at its own channel's next free slot.
        let token = app.api_token("cm@example.fr").await;
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/posts"))
            .json(&json!({"channels": [a, b], "text": "Le brie est là", "queue": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let location = location(&response);
        let body: Value = response.json().await.unwrap();
        let queued = body["posts"].as_array().unwrap();
        assert_eq!(queued.len(), 2);
        assert!(location.ends_with(&format!("/posts/{}", queued[0]["id"])));
        let on_a = rfc3339_secs(&queued[0]["scheduled_at"]);
        let on_b = rfc3339_secs(&queued[1]["scheduled_at"]);
        assert_eq!(queued[0]["targets"][0]["channel_id"], json!(a));
        assert_eq!(queued[1]["targets"][0]["channel_id"], json!(b));
        assert_eq!(queued[0]["status"], "scheduled");
        // Channel a's first slot was taken by the composer's post; b's was free.
        assert!(on_a > first, "{on_a} {first}");
        assert_eq!(on_b, first);

        // The existing contract stands: with a time, no queue.
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/posts"))
            .json(&json!({
                "channels": [a], "text": "x", "queue": true,
                "scheduled_at": "2030-01-01T10:00:00+01:00"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["code"], "error-queue-and-time");
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/posts"))
            .json(&json!({"channels": [bare], "text": "x", "queue": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["code"], "error-queue-no-slots");
        assert_eq!(problem["errors"][0]["field"], "channels");
        // Nothing half-saved by the refusals.
        assert_eq!(app.store.posts(&scope, &all).await.unwrap().len(), 3);

        // The queue page shows the filled slots with their posts.
        let (_, html) = app
            .get_text(&cm, &format!("/w/{ws}/channels/{a}/queue"))
            .await;
        assert!(html.contains("Arrivage de comté") && html.contains("Le brie est là"));
    })
    .await;
}

#[tokio::test]
async fn categories_are_managed_on_their_page_with_clear_errors() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fromagerie")
            .await;
        let ws = scope.workspace().0;
        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/categories")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Pas encore de catégorie"));

        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/categories"),
                &[
                    ("name", "Astuces"),
                    ("colour", "rouge"),
                    ("recycle", "on"),
                    ("recycle_after_days", "30"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("Choisissez une couleur"), "{html}");
        assert!(html.contains("Seul un contenu intemporel peut être recyclé"));
        assert!(app.store.categories(&scope).await.unwrap().is_empty());

        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/categories"),
                &[
                    ("name", "Astuces"),
                    ("colour", "#2e7d32"),
                    ("evergreen", "on"),
                    ("recycle", "on"),
                    ("recycle_after_days", "30"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let categories = app.store.categories(&scope).await.unwrap();
        assert_eq!(categories.len(), 1);
        assert!(categories[0].evergreen && categories[0].recycle);
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/categories")).await;
        assert!(html.contains("Recyclé au bout de 30 jours"), "{html}");
        // The composer offers it.
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/posts/new")).await;
        assert!(html.contains(&format!("<option value=\"{}\"", categories[0].id)));

        // A post of the category shows it on its page.
        let ch = channel(&app, &scope, "Fromagerie").await;
        let post = app
            .store
            .create_post(
                &scope,
                tribune_store::posts::PostNew {
                    text: "Garder le comté au frais".into(),
                    targets: vec![(ch, None)],
                    category: Some(categories[0].id),
                    ..Default::default()
                },
                tribune_store::posts::Intent::Draft,
                unix_now(),
            )
            .await
            .unwrap();
        let (_, html) = app
            .get_text(&cm, &format!("/w/{ws}/posts/{}", post.id))
            .await;
        assert!(html.contains("class=\"chip category\""), "{html}");
        assert!(html.contains("Astuces"));

        // Turning recycling off; then deleting.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/categories/{}", categories[0].id),
                &[
                    ("name", "Astuces"),
                    ("colour", "#2e7d32"),
                    ("evergreen", "on"),
                    ("recycle_after_days", "30"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(!app.store.categories(&scope).await.unwrap()[0].recycle);
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/categories/{}/delete", categories[0].id),
                &[],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(app.store.categories(&scope).await.unwrap().is_empty());
    })
    .await;
}

/// Publishes a post on `channel` at `at` (as the network would confirm) and records its
/// engagement.
async fn published(app: &TestApp, scope: &WorkspaceScope, channel: ChannelId, at: i64, likes: u64) {
    let post = app
        .store
        .create_post(
            scope,
            tribune_store::posts::PostNew {
                text: format!("Publié à {at}"),
                targets: vec![(channel, None)],
                scheduled_at: Some(at),
                ..Default::default()
            },
            tribune_store::posts::Intent::Schedule,
            at,
        )
        .await
        .unwrap();
    let attempt = app
        .store
        .begin_publish(scope, post.targets[0].id, at)
        .await
        .unwrap()
        .unwrap();
    assert!(
        app.store
            .finish_publish(
                scope,
                &attempt.target,
                at,
                &tribune_store::posts::PublishOutcome::Published {
                    remote_ref: format!("r{at}"),
                    remote_url: None,
                },
                at,
            )
            .await
            .unwrap()
    );
    app.store
        .record_post_metrics(
            scope,
            attempt.target.id,
            tribune_store::queue::Metrics {
                likes,
                ..Default::default()
            },
            unix_now(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_best_time_map_learns_from_the_channels_own_engagement() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fromagerie")
            .await;
        let ws = scope.workspace().0;
        let ch = channel(&app, &scope, "Fromagerie").await;
        // Sunday evenings at 21:00 (Paris) do well; Monday mornings at 09:00 get nothing.
        let paris = jiff::tz::db().get("Europe/Paris").unwrap();
        for day in ["2026-03-01", "2026-03-08", "2026-03-15"] {
            let sunday = format!("{day}T21:00")
                .parse::<jiff::civil::DateTime>()
                .unwrap()
                .to_zoned(paris.clone())
                .unwrap()
                .timestamp()
                .as_second();
            published(&app, &scope, ch, sunday, 120).await;
            published(&app, &scope, ch, sunday + 12 * 3600, 0).await;
        }
        let (status, html) = app
            .get_text(&cm, &format!("/w/{ws}/channels/{ch}/queue"))
            .await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(
            html.contains("Appris de l’engagement de 6 publications parues"),
            "{html}"
        );
        // The best hour is now Sunday 21:00: first suggestion, and 100 on the map.
        let first = html.split("name=\"slot\" value=\"").nth(1).unwrap();
        assert!(first.starts_with("7@21:00\""), "{first}");
        let sunday_row = html
            .split("<th scope=\"row\">dimanche</th>")
            .nth(1)
            .unwrap();
        let cells: Vec<&str> = sunday_row
            .split("</tr>")
            .next()
            .unwrap()
            .split("\">")
            .skip(1)
            .map(|c| c.split('<').next().unwrap())
            .collect();
        assert_eq!(cells.len(), 24);
        assert_eq!(cells[21], "100", "{cells:?}");
    })
    .await;
}

#[tokio::test]
async fn the_api_reads_adds_and_removes_a_channels_slots() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Fromagerie")
            .await;
        let ws = scope.workspace().0;
        let ch = channel(&app, &scope, "Fromagerie").await;
        let token = app.api_token("cm@example.fr").await;
        let slots = format!("/workspaces/{ws}/channels/{ch}/queue/slots");

        let response = app
            .api(&token, Method::POST, &slots)
            .json(&json!({"weekday": "friday", "time": "18:05"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{}", app.backend);
        let location = location(&response);
        let slot: Value = response.json().await.unwrap();
        assert_eq!(slot["weekday"], "friday");
        assert_eq!(slot["time"], "18:05");
        assert!(location.ends_with(&format!("/queue/slots/{}", slot["id"])));

        let response = app
            .api(&token, Method::POST, &slots)
            .json(&json!({"weekday": "funday", "time": "7:5"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        let codes: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            ["error-queue-weekday-invalid", "error-queue-time-invalid"]
        );

        let queue: Value = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/channels/{ch}/queue"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(queue["timezone"], "Europe/Paris");
        assert_eq!(queue["slots"].as_array().unwrap().len(), 1);
        let upcoming = queue["upcoming"].as_array().unwrap();
        assert!(!upcoming.is_empty());
        assert_eq!(upcoming[0]["post_id"], Value::Null);
        assert_eq!(
            paris_time(rfc3339_secs(&upcoming[0]["at"])),
            "18:05",
            "{queue}"
        );

        let response = app
            .api(&token, Method::DELETE, &format!("{slots}/{}", slot["id"]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(app.store.queue_slots(&scope, ch).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_queue_page_shuffles_queued_posts_after_confirmation() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fromagerie")
            .await;
        let ws = scope.workspace();
        let ch = channel(&app, &scope, "fromages").await;
        daily_slots(&app, &scope, ch).await;
        let mut posts = Vec::new();
        for words in ["Comté", "Brie", "Morbier", "Salers", "Cantal", "Reblochon"] {
            let queued = app
                .store
                .queue_post(
                    &scope,
                    tribune_store::posts::PostNew {
                        text: words.into(),
                        targets: vec![(ch, None)],
                        ..Default::default()
                    },
                    unix_now(),
                )
                .await
                .unwrap();
            posts.push(queued[0].id);
        }
        let instants = |app: &TestApp, scope: &WorkspaceScope| {
            let store = app.store.clone();
            let scope = *scope;
            let posts = posts.clone();
            async move {
                let mut out = Vec::new();
                for id in posts {
                    out.push(store.post(&scope, id).await.unwrap().scheduled_at.unwrap());
                }
                out
            }
        };
        let before = instants(&app, &scope).await;

        let (status, html) = app
            .get_text(&cm, &format!("/w/{ws}/channels/{ch}/queue"))
            .await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(html.contains("Mélanger la file"), "{html}");
        assert!(html.contains(&format!("/w/{ws}/channels/{ch}/queue/shuffle")));

        let unconfirmed = app
            .post_form(&cm, &format!("/w/{ws}/channels/{ch}/queue/shuffle"), &[])
            .await;
        assert_eq!(unconfirmed.status(), StatusCode::BAD_REQUEST);
        assert_eq!(instants(&app, &scope).await, before, "nothing moved");

        // Shuffle until the order changes (one order in 720 is the same as before).
        let mut changed = false;
        for _ in 0..5 {
            let shuffled = app
                .post_form(
                    &cm,
                    &format!("/w/{ws}/channels/{ch}/queue/shuffle"),
                    &[("confirm", "on")],
                )
                .await;
            assert_eq!(shuffled.status(), StatusCode::SEE_OTHER);
            assert!(location(&shuffled).starts_with(&format!(
                "/w/{ws}/channels/{ch}/queue?flash=flash-queue-shuffled"
            )));
            let after = instants(&app, &scope).await;
            let (mut a, mut b) = (after.clone(), before.clone());
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "the same slots, each taken once");
            if after != before {
                changed = true;
                break;
            }
        }
        assert!(changed, "the posts changed slots");
        let (_, html) = app
            .get_text(
                &cm,
                &format!("/w/{ws}/channels/{ch}/queue?flash=flash-queue-shuffled"),
            )
            .await;
        assert!(html.contains("File mélangée"), "{html}");
    })
    .await;
}
