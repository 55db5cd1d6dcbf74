//! The composer, the posts pages and the calendar, driven through their forms as a person would
//! (the browser test does the same in Chromium, with the script).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, channel, each_backend, location};
use reqwest::StatusCode;
use serde_json::Value;
use tribune_domain::Role;
use tribune_store::unix_now;

#[tokio::test]
async fn a_post_too_long_for_bluesky_is_shown_with_its_problem_then_saved_and_scheduled() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Boulangerie Bluesky")
            .await
            .to_string();
        let mastodon = channel(&app, &scope, "mastodon", "Boulangerie Mastodon")
            .await
            .to_string();

        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/posts/new")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Nouvelle publication") && html.contains("Boulangerie Bluesky"));

        let long = "é".repeat(301);
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &bluesky),
                    ("channel", &mastodon),
                    ("text", &long),
                    ("when", "now"),
                    ("intent", "schedule"),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let html = response.text().await.unwrap();
        assert!(
            html.contains("Le texte est trop long\u{a0}: 301 pour 300 au plus."),
            "{html}"
        );
        assert!(html.contains(&long), "what was typed is kept");
        assert!(
            app.store
                .posts(&scope, &Default::default())
                .await
                .unwrap()
                .is_empty(),
            "nothing saved"
        );

        // A French typo and a word the brand avoids are pointed out, without blocking.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &bluesky),
                    ("channel", &mastodon),
                    ("text", "Galette : 12 € ! C'est l'Épiphanie"),
                    ("link", "https://boulangerie.example/galette"),
                    ("when", "at"),
                    ("date", "2099-01-06"),
                    ("time", "09:30"),
                    ("intent", "draft"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let post_page = location(&response);
        assert!(post_page.contains("flash=flash-post-saved"), "{post_page}");
        let (_, html) = app.get_text(&cm, &post_page).await;
        assert!(html.contains("Brouillon enregistré.") && html.contains("Galette"));

        // The draft is on the calendar of January 2099, at 9:30 Paris time.
        let (status, html) = app
            .get_text(&cm, &format!("/w/{ws}/calendar?month=2099-01"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("janvier 2099"), "{html}");
        assert!(html.contains("data-date=\"2099-01-06\""));
        assert!(html.contains("<span class=\"time\">09:30</span>"), "{html}");

        // Scheduled from its page; the list shows it among the scheduled posts.
        let id = post_page
            .trim_start_matches(&format!("/w/{ws}/posts/"))
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let response = app
            .post_form(&cm, &format!("/w/{ws}/posts/{id}/schedule"), &[])
            .await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/posts/{id}?flash=flash-post-scheduled")
        );
        let (_, html) = app
            .get_text(&cm, &format!("/w/{ws}/posts?status=scheduled"))
            .await;
        assert!(html.contains("Galette"), "{html}");
        let job = app.store.posts(&scope, &Default::default()).await.unwrap()[0].clone();
        assert_eq!(
            job.scheduled_at,
            Some(4_071_371_400),
            "2099-01-06 09:30 in Paris is 08:30 UTC"
        );

        // Dragged to the 8th on the calendar: same time of day.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts/{id}/move"),
                &[("date", "2099-01-08")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let moved = app.store.posts(&scope, &Default::default()).await.unwrap()[0].clone();
        assert_eq!(moved.scheduled_at, Some(4_071_371_400 + 2 * 86_400));

        // The live check counts in each network's own way.
        let token = app.csrf(&cm, &format!("/w/{ws}/posts/new")).await;
        let check: Value = cm
            .post(format!("{}/w/{ws}/compose/check", app.url))
            .header("x-csrf-token", token)
            .form(&[
                ("channel", bluesky.as_str()),
                ("channel", mastodon.as_str()),
                (
                    "text",
                    "Voir https://boulangerie.example/une/tres/longue/adresse/de/page !",
                ),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let channels = check["channels"].as_array().unwrap();
        assert_eq!(channels[1]["limit"], 500);
        assert_eq!(
            channels[1]["used"],
            5 + 23 + 2,
            "Mastodon counts a link as 23: {check}"
        );
        let notes = check["notes"].as_array().unwrap();
        assert!(
            notes.iter().any(|n| n["replacement"]
                .as_str()
                .unwrap()
                .ends_with("page\u{202f}!")
                && n["excerpt"].as_str().unwrap().ends_with("page !")),
            "{:?}",
            notes
                .iter()
                .map(|n| n["replacement"]
                    .as_str()
                    .unwrap()
                    .escape_debug()
                    .to_string())
                .collect::<Vec<_>>()
        );
    })
    .await;
}

#[tokio::test]
async fn a_contributors_post_is_approved_from_its_page_and_publishing_can_be_paused() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Fleuriste")
            .await
            .to_string();
        let now = unix_now();
        let redac_user = app.user("redac@example.fr").await;
        let (token, _) = app
            .store
            .create_invitation(&scope, "redac@example.fr", Role::Contributor, now)
            .await
            .unwrap();
        app.store
            .accept_invitation(&token, &redac_user, now)
            .await
            .unwrap();
        let (redac, _) = app.login("redac@example.fr", common::PASSWORD).await;

        let (_, html) = app.get_text(&redac, &format!("/w/{ws}/posts/new")).await;
        assert!(
            html.contains("Soumettre à validation"),
            "contributors submit"
        );
        let response = app
            .post_form(
                &redac,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &bluesky),
                    ("text", "Bouquets de Noël"),
                    ("when", "at"),
                    ("date", "2099-12-20"),
                    ("time", "10:00"),
                    ("intent", "schedule"),
                ],
            )
            .await;
        let page = location(&response);
        // This server has no SMTP settings: the flash says nobody was told by e-mail.
        assert!(
            page.ends_with("flash=flash-warn-post-submitted-no-mail"),
            "{page}"
        );
        let id = page
            .trim_start_matches(&format!("/w/{ws}/posts/"))
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let (_, html) = app.get_text(&redac, &page).await;
        assert!(!html.contains("/approve"), "the contributor cannot approve");
        let (_, html) = app.get_text(&cm, &page).await;
        assert!(
            html.contains("En attente de validation") && html.contains("/approve"),
            "{html}"
        );

        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts/{id}/approve"),
                &[("comment", "Très bien")],
            )
            .await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/posts/{id}?flash=flash-post-approved")
        );
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/posts/{id}")).await;
        assert!(
            html.contains("Programmée") && html.contains("Très bien"),
            "{html}"
        );

        // A crisis: everything pauses in one click, and resumes.
        let response = app
            .post_form(&cm, &format!("/w/{ws}/publishing/pause"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/posts")).await;
        assert!(html.contains("Les publications sont en pause"), "{html}");
        let (_, paused) = app.store.publishing_rules(&scope).await.unwrap();
        assert!(paused);
        app.post_form(&cm, &format!("/w/{ws}/publishing/resume"), &[])
            .await;
        assert!(!app.store.publishing_rules(&scope).await.unwrap().1);
        // Contributors cannot pause.
        let response = app
            .post_form(&redac, &format!("/w/{ws}/publishing/pause"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_week_view_shows_seven_days_across_a_month_and_moves_by_week() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Boulangerie Bluesky").await;
        // Wednesday 1 December 2099, 18:00 in Paris (17:00 UTC).
        let at = jiff::civil::date(2099, 12, 1)
            .at(17, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_second();
        app.store
            .create_post(
                &scope,
                tribune_store::posts::PostNew {
                    text: "Calendrier de l’avent".into(),
                    targets: vec![(bluesky, None)],
                    scheduled_at: Some(at),
                    ..Default::default()
                },
                tribune_store::posts::Intent::Draft,
                unix_now(),
            )
            .await
            .unwrap();
        // A draft too long for Bluesky is marked: the pre-flight check would stop it.
        app.store
            .create_post(
                &scope,
                tribune_store::posts::PostNew {
                    text: format!("Trop long {}", "é".repeat(300)),
                    targets: vec![(bluesky, None)],
                    scheduled_at: Some(at + 3600),
                    ..Default::default()
                },
                tribune_store::posts::Intent::Draft,
                unix_now(),
            )
            .await
            .unwrap();
        let (status, html) = app
            .get_text(&cm, &format!("/w/{ws}/calendar?view=week&date=2099-12-03"))
            .await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(
            html.contains("Semaine du 30 novembre au 6 décembre 2099"),
            "{html}"
        );
        assert_eq!(html.matches("data-date=\"").count(), 7);
        assert!(html.contains("data-date=\"2099-11-30\""));
        assert!(html.contains("data-date=\"2099-12-06\""));
        assert!(html.contains("<span class=\"time\">18:00</span> Calendrier de l’avent"));
        assert_eq!(
            html.matches("Un problème empêcherait cette publication de partir")
                .count(),
            1,
            "only the long draft is marked: {html}"
        );
        assert!(html.contains("calendar?date=2099-11-23"), "{html}");
        assert!(html.contains("calendar?date=2099-12-07"));
        assert!(
            html.contains("calendar?month=2099-12\""),
            "the week of Thursday 3 December is December's"
        );
        // The following week has nothing; a bad date is a clear 400.
        let (_, next) = app
            .get_text(&cm, &format!("/w/{ws}/calendar?view=week&date=2099-12-07"))
            .await;
        assert!(!next.contains("Calendrier de l’avent"));
        let (status, _) = app
            .get_text(&cm, &format!("/w/{ws}/calendar?view=week&date=demain"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn the_calendar_can_be_coloured_by_category_with_a_legend() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Boulangerie Bluesky").await;
        let promo = app
            .store
            .create_category(
                &scope,
                &tribune_store::queue::CategoryInput {
                    name: "Promo <soldes>".into(),
                    colour: "#ffeb3b".into(),
                    evergreen: false,
                    recycle: false,
                    recycle_after_days: 90,
                },
                unix_now(),
            )
            .await
            .unwrap();
        let at = jiff::civil::date(2099, 12, 1)
            .at(17, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_second();
        for (text, category) in [
            ("Galette en promo", Some(promo.id)),
            ("Sans catégorie", None),
        ] {
            app.store
                .create_post(
                    &scope,
                    tribune_store::posts::PostNew {
                        text: text.into(),
                        targets: vec![(bluesky, None)],
                        scheduled_at: Some(at),
                        category,
                        ..Default::default()
                    },
                    tribune_store::posts::Intent::Draft,
                    unix_now(),
                )
                .await
                .unwrap();
        }
        let (status, by_status) = app
            .get_text(&cm, &format!("/w/{ws}/calendar?month=2099-12"))
            .await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(by_status.contains("cal-post status-draft"));
        assert!(!by_status.contains("by-category"));

        let (status, html) = app
            .get_text(
                &cm,
                &format!("/w/{ws}/calendar?month=2099-12&colour=category"),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("cal-post status-draft"), "{html}");
        assert_eq!(
            html.matches("<li class=\"cal-post by-category\" draggable")
                .count(),
            2,
            "{html}"
        );
        // The category's swatch (a light colour gets a dark ring) and its name for screen
        // readers; the legend names the category, escaped, and "no category".
        assert!(
            html.contains("fill=%22%23ffeb3b%22 stroke=%22%23000000%22"),
            "{html}"
        );
        assert!(html.contains("Promo &#60;soldes&#62;"), "{html}");
        assert!(html.contains(&format!("data-category=\"{}\"", promo.id)));
        assert!(html.contains("Sans catégorie</li>"));
        // Moving to another month keeps the colouring.
        assert!(html.contains("colour=category\" rel=\"next\""), "{html}");
        let (status, _) = app
            .get_text(&cm, &format!("/w/{ws}/calendar?colour=rainbow"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
    .await;
}
