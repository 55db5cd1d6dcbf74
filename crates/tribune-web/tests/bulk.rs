//! Posts in bulk and out of tribune: the CSV import (row-by-row errors, nothing imported from a
//! file with errors until the person confirms the valid rows, all or nothing), the CSV export
//! that imports again, and the calendar's secret iCal feed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, each_backend, location};
use icalendar::{Calendar, Component};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use tribune_domain::publishing::TargetStatus;
use tribune_domain::{ChannelId, Role};
use tribune_store::WorkspaceScope;
use tribune_store::posts::{Intent, PostFilter, PostNew};
use tribune_store::unix_now;

async fn channel(app: &TestApp, scope: &WorkspaceScope, network: &str, name: &str) -> ChannelId {
    let handle = format!("@{}", name.to_lowercase().replace(' ', ""));
    common::stored_channel(app, scope, network, name, &handle, "publish_text").await
}

/// Sends a CSV file through the import form, as the browser does (multipart, CSRF in the query).
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    ws: i64,
    bytes: Vec<u8>,
    as_drafts: bool,
) -> reqwest::Response {
    let token = app.csrf(client, &format!("/w/{ws}/posts/import")).await;
    let mut form = Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name("posts.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    if as_drafts {
        form = form.text("as_drafts", "1");
    }
    client
        .post(format!("{}/w/{ws}/posts/import?_csrf={token}", app.url))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn all_posts(app: &TestApp, scope: &WorkspaceScope) -> Vec<tribune_store::posts::Post> {
    app.store
        .posts(
            scope,
            &PostFilter {
                limit: 1000,
                ..PostFilter::default()
            },
        )
        .await
        .unwrap()
}

/// The hidden copy of the file the confirmation form sends back.
fn hidden_csv(html: &str) -> String {
    let start = html
        .find("<textarea name=\"csv\" hidden>")
        .expect("csv field")
        + 28;
    let end = start + html[start..].find("</textarea>").unwrap();
    html[start..end]
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn a_csv_with_errors_imports_nothing_until_the_valid_rows_are_confirmed() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        channel(&app, &scope, "bluesky", "Boulangerie Bluesky").await;
        channel(&app, &scope, "mastodon", "Boulangerie Mastodon").await;

        // A French Excel file: semicolons, Windows-1252, dd/mm/yyyy and 9h30. Line 3 is too
        // long for Bluesky, line 4 names a channel that does not exist, line 5 is in the past,
        // line 6 has a multi-line text and is a draft (no date), line 7 has a bad time and a
        // script in its text (shown escaped).
        let long = "a".repeat(301);
        let csv = format!(
            "Canaux;Texte;Date;Heure;Lien\r\n\
             Boulangerie Bluesky | Boulangerie Mastodon;Galette des rois \u{e0} 12 \u{20ac};06/01/2099;9h30;https://boulangerie.example/galette\r\n\
             bluesky;{long};07/01/2099;10:00;\r\n\
             Instagram;Bonjour;08/01/2099;10:00;\r\n\
             mastodon;Trop tard;01/01/2001;10:00;\r\n\
             @boulangeriemastodon;\"Deux\r\nlignes\";;;\r\n\
             mastodon;<script>alert(1)</script>;09/01/2099;25h00;\r\n"
        );
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&csv);
        let response = upload(&app, &cm, ws, bytes.into_owned(), false).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("4 lignes comportent des erreurs. 2 lignes sont valides."), "{html}");
        assert!(html.contains("<td>3</td>"), "the long text is on line 3: {html}");
        assert!(html.contains("Cette date est passée"), "{html}");
        assert!(html.contains("Le texte est trop long"), "{html}");
        assert!(
            html.contains("Aucun canal de cet espace ne s’appelle «\u{a0}Instagram\u{a0}»"),
            "{html}"
        );
        assert!(html.contains("L’heure n’est pas comprise"), "{html}");
        assert!(!html.contains("<script>alert(1)"), "escaped");
        assert!(html.contains("Galette des rois à 12 €"), "Windows-1252 read: {html}");
        assert!(
            all_posts(&app, &scope).await.is_empty(),
            "nothing imported from a file with errors"
        );

        // Confirming imports the two valid rows (the galette, scheduled on both channels at
        // 9:30 Paris time, and the draft), and only them.
        let csv = hidden_csv(&html);
        assert!(csv.contains("<script>"), "the file goes back as it was");
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts/import/confirm"),
                &[("csv", &csv)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert!(location(&response).contains("flash=flash-posts-imported"));
        let posts = all_posts(&app, &scope).await;
        assert_eq!(posts.len(), 2, "{posts:?}");
        let galette = posts.iter().find(|p| p.text.starts_with("Galette")).unwrap();
        assert_eq!(galette.status, TargetStatus::Scheduled);
        assert_eq!(galette.targets.len(), 2);
        assert_eq!(
            galette.link.as_deref(),
            Some("https://boulangerie.example/galette")
        );
        // 2099-01-06 09:30 in Paris (UTC+1 in winter) is 08:30 UTC.
        let expected = jiff::civil::date(2099, 1, 6)
            .at(8, 30, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_second();
        assert_eq!(galette.scheduled_at, Some(expected));
        let draft = posts.iter().find(|p| p.text.starts_with("Deux")).unwrap();
        assert_eq!(draft.text, "Deux\nlignes");
        assert_eq!(draft.status, TargetStatus::Draft);
        assert_eq!(draft.scheduled_at, None);
    })
    .await;
}

#[tokio::test]
async fn a_clean_csv_is_imported_at_once_and_an_export_imports_again() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fromagerie")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Fromagerie").await;
        // Two channels share a name: the export names them by number.
        let twin_a = channel(&app, &scope, "mastodon", "Jumeau").await;
        let twin_b = channel(&app, &scope, "wordpress", "Jumeau").await;

        let csv = "channels,text,date,time,title\n\
                   Fromagerie,\"@amis = fromage, -20 % !\",2099-03-01,12:00,\n\
                   Fromagerie,Comté 24 mois,,,\n";
        let response = upload(&app, &cm, ws, csv.as_bytes().to_vec(), true).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let posts = all_posts(&app, &scope).await;
        assert_eq!(posts.len(), 2);
        assert!(
            posts.iter().all(|p| p.status == TargetStatus::Draft),
            "asked for drafts"
        );
        app.store
            .create_post(
                &scope,
                PostNew {
                    text: "=HYPERLINK(\"http://evil.example\")".into(),
                    targets: vec![(twin_a, None), (twin_b, None)],
                    ..PostNew::default()
                },
                Intent::Draft,
                unix_now(),
            )
            .await
            .unwrap();

        let response = app.get(&cm, &format!("/w/{ws}/posts/export.csv")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xef\xbb\xbf"), "a BOM for Excel");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("id;status;date;time;channels"), "{text}");
        assert!(text.contains("'=HYPERLINK"), "formulas are guarded: {text}");
        assert!(text.contains("'@amis"), "{text}");
        assert!(
            text.contains(&format!("{twin_a} | {twin_b}"))
                || text.contains(&format!("{twin_b} | {twin_a}")),
            "{text}"
        );
        assert!(text.contains("2099-03-01;12:00;Fromagerie"), "{text}");

        // Another workspace imports the export: the same posts, with the formula and the
        // mention restored, on that workspace's own channels of the same names.
        let (other, other_scope) = app.member_with_workspace("autre@example.fr", "Autre").await;
        let other_ws = other_scope.workspace().0;
        channel(&app, &other_scope, "bluesky", "Fromagerie").await;
        let only_named = text
            .lines()
            .filter(|l| !l.contains("HYPERLINK"))
            .collect::<Vec<_>>()
            .join("\n");
        let response = upload(&app, &other, other_ws, only_named.into_bytes(), false).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let imported = all_posts(&app, &other_scope).await;
        assert_eq!(imported.len(), 2);
        let dated = imported.iter().find(|p| p.scheduled_at.is_some()).unwrap();
        assert_eq!(dated.text, "@amis = fromage, -20 % !");
        assert_eq!(dated.status, TargetStatus::Scheduled);
        assert_ne!(dated.targets[0].channel_id, bluesky, "its own channel");

        // The first workspace's channels are not the other's: by number, they are refused.
        let foreign = format!("channels,text\n{bluesky},Coucou\n");
        let response = upload(&app, &other, other_ws, foreign.into_bytes(), false).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(all_posts(&app, &other_scope).await.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn unreadable_files_and_readers_are_refused_with_a_clear_message() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        channel(&app, &scope, "bluesky", "Boulangerie").await;
        for (csv, message) in [
            ("".to_owned(), "ne contient aucune publication"),
            (
                "date;heure\n2099-01-01;10:00\n".to_owned(),
                "au moins les colonnes",
            ),
            (
                format!("channels,text\n{}", "Boulangerie,x\n".repeat(501)),
                "trop de lignes",
            ),
            (
                format!("channels,text\nBoulangerie,{}\n", "x".repeat(300 * 1024)),
                "trop lourd",
            ),
        ] {
            let response = upload(&app, &cm, ws, csv.into_bytes(), false).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let html = response.text().await.unwrap();
            assert!(html.contains(message), "{message}: {html}");
        }
        assert!(all_posts(&app, &scope).await.is_empty());

        // A client reads the calendar but cannot import.
        let now = unix_now();
        let client_user = app.user("client@example.fr").await;
        let (token, _) = app
            .store
            .create_invitation(&scope, "client@example.fr", Role::Client, now)
            .await
            .unwrap();
        app.store
            .accept_invitation(&token, &client_user, now)
            .await
            .unwrap();
        let (client, _) = app.login("client@example.fr", common::PASSWORD).await;
        let (status, _) = app
            .get_text(&client, &format!("/w/{ws}/posts/import"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let response = upload(
            &app,
            &client,
            ws,
            b"channels,text\nBoulangerie,x\n".to_vec(),
            false,
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(all_posts(&app, &scope).await.is_empty());

        // Without the CSRF token, nothing.
        let response = cm
            .post(format!("{}/w/{ws}/posts/import", app.url))
            .multipart(Form::new().part(
                "file",
                Part::bytes(b"channels,text\nBoulangerie,x\n".to_vec()).file_name("a.csv"),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(all_posts(&app, &scope).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_ical_feed_shows_the_members_posts_until_it_is_reset_or_they_leave() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Boulangerie").await;
        let at = unix_now() + 86_400;
        let post = app
            .store
            .create_post(
                &scope,
                PostNew {
                    text: "Galette, brioche; pain\nsecond line".into(),
                    targets: vec![(bluesky, None)],
                    scheduled_at: Some(at),
                    ..PostNew::default()
                },
                Intent::Schedule,
                unix_now(),
            )
            .await
            .unwrap();
        // An undated draft is not an event.
        app.store
            .create_post(
                &scope,
                PostNew {
                    text: "Sans date".into(),
                    targets: vec![(bluesky, None)],
                    ..PostNew::default()
                },
                Intent::Draft,
                unix_now(),
            )
            .await
            .unwrap();

        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/calendar")).await;
        assert!(
            html.contains("<button type=\"submit\">Créer mon adresse iCal</button>"),
            "{html}"
        );
        let response = app
            .post_form(&cm, &format!("/w/{ws}/calendar/feed"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let html = response.text().await.unwrap();
        let start = html.find("/ical/").expect("address shown");
        let end = start + html[start..].find(".ics").unwrap() + 4;
        let path = html[start..end].to_owned();
        let (_, calendar_page) = app.get_text(&cm, &format!("/w/{ws}/calendar")).await;
        assert!(
            !calendar_page.contains(&path),
            "the address is shown once only"
        );

        // Read without any session, as a calendar application does.
        let anonymous = reqwest::Client::new();
        let response = app.get(&anonymous, &path).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", app.backend);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let body = response.text().await.unwrap();
        let parsed: Calendar = body.parse().expect("RFC 5545");
        let events: Vec<_> = parsed.events().collect();
        assert_eq!(events.len(), 1, "{body}");
        let event = events[0];
        assert_eq!(
            event.get_description().unwrap(),
            "Galette, brioche; pain\nsecond line\n\nBoulangerie (bluesky)"
        );
        assert!(
            event
                .get_summary()
                .unwrap()
                .contains("Galette, brioche; pain")
        );
        assert!(
            event
                .get_url()
                .unwrap()
                .ends_with(&format!("/w/{ws}/posts/{}", post.id))
        );
        assert!(body.contains(&format!(
            "DTSTART:{}",
            jiff::Timestamp::from_second(at)
                .unwrap()
                .strftime("%Y%m%dT%H%M%SZ")
        )));

        // Reset: the old address stops working; a made-up one never worked.
        let response = app
            .post_form(&cm, &format!("/w/{ws}/calendar/feed"), &[])
            .await;
        let html = response.text().await.unwrap();
        assert!(!html.contains(&path));
        assert_eq!(
            app.get(&anonymous, &path).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&anonymous, "/ical/not-a-token.ics").await.status(),
            StatusCode::NOT_FOUND
        );
        let start = html.find("/ical/").unwrap();
        let end = start + html[start..].find(".ics").unwrap() + 4;
        let path = html[start..end].to_owned();
        assert_eq!(app.get(&anonymous, &path).await.status(), StatusCode::OK);

        // A member who leaves the workspace takes their feed with them.
        let now = unix_now();
        let user = app.user("redac@example.fr").await;
        let (token, _) = app
            .store
            .create_invitation(&scope, "redac@example.fr", Role::Contributor, now)
            .await
            .unwrap();
        app.store
            .accept_invitation(&token, &user, now)
            .await
            .unwrap();
        let (redac, _) = app.login("redac@example.fr", common::PASSWORD).await;
        let html = app
            .post_form(&redac, &format!("/w/{ws}/calendar/feed"), &[])
            .await
            .text()
            .await
            .unwrap();
        let start = html.find("/ical/").unwrap();
        let end = start + html[start..].find(".ics").unwrap() + 4;
        let redac_path = html[start..end].to_owned();
        assert_eq!(
            app.get(&anonymous, &redac_path).await.status(),
            StatusCode::OK
        );
        app.store
            .remove_member(&scope, user.user_id())
            .await
            .unwrap();
        assert_eq!(
            app.get(&anonymous, &redac_path).await.status(),
            StatusCode::NOT_FOUND
        );

        // Revoking stops the owner's feed too.
        let response = app
            .post_form(&cm, &format!("/w/{ws}/calendar/feed/revoke"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.get(&anonymous, &path).await.status(),
            StatusCode::NOT_FOUND
        );
    })
    .await;
}
