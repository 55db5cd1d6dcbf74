//! Short links: the API's contract, the public redirect (tags appended, the target's query kept,
//! robots and `HEAD` not counted, clicks by referring network), isolation between workspaces,
//! the links page and the composer's "shorten links", with and without its script.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, channel, each_backend, location};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tribune_domain::LinkId;
use tribune_store::unix_now;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

async fn create(app: &TestApp, token: &str, ws: i64, body: Value) -> (StatusCode, Value, String) {
    let response = app
        .api(token, Method::POST, &format!("/workspaces/{ws}/links"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = location(&response);
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        location,
    )
}

/// A client that does not follow redirects, with a browser's user agent.
fn visitor() -> reqwest::Client {
    tribune_connectors::http::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn clicks(app: &TestApp, token: &str, ws: i64, id: i64) -> i64 {
    let link: Value = app
        .api(token, Method::GET, &format!("/workspaces/{ws}/links/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    link["clicks"].as_i64().unwrap()
}

#[tokio::test]
async fn the_api_creates_and_shows_links_in_its_documented_shape() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;

        let (status, link, location) = create(
            &app,
            &token,
            ws,
            json!({
                "target": "https://boulangerie.example/galette?ref=menu#prix",
                "utm_source": "bluesky",
                "utm_medium": " social ",
                "utm_campaign": "Épiphanie 2027",
            }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{link} on {}", app.backend);
        let id = link["id"].as_i64().unwrap();
        assert_eq!(location, format!("/api/v1/workspaces/{ws}/links/{id}"));
        let code = link["code"].as_str().unwrap();
        assert_eq!(code.len(), 7);
        assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(link["short_url"], format!("{}/l/{code}", app.url));
        assert_eq!(link["clicks"], 0);
        assert_eq!(link["utm_medium"], "social");
        assert_eq!(
            link["destination"],
            "https://boulangerie.example/galette?ref=menu&utm_source=bluesky&utm_medium=social\
             &utm_campaign=%C3%89piphanie+2027#prix"
        );

        let shown = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/links/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(shown.status(), StatusCode::OK);
        let shown: Value = shown.json().await.unwrap();
        for field in ["id", "code", "short_url", "clicks", "target", "destination"] {
            assert_eq!(shown[field], link[field], "{field}");
        }

        let listed = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/links?limit=10"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), StatusCode::OK);
        let listed: Value = listed.json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["code"], code);

        let unknown = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/links/999999"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn bad_targets_and_tags_are_refused_by_field() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;
        let own = format!("{}/l/AbCdEf1", app.url);
        let long = format!("https://site.example/{}", "a".repeat(2100));
        for (body, field, code) in [
            (
                json!({"target": "javascript:alert(1)"}),
                "target",
                "error-link-target-invalid",
            ),
            (
                json!({"target": "ftp://files.example/x"}),
                "target",
                "error-link-target-invalid",
            ),
            (
                json!({"target": "pas une adresse"}),
                "target",
                "error-link-target-invalid",
            ),
            (
                json!({"target": "https://moi:secret@site.example/"}),
                "target",
                "error-link-target-credentials",
            ),
            (json!({"target": own}), "target", "error-link-target-loop"),
            (json!({"target": long}), "target", "error-too-long"),
            (json!({"target": "  "}), "target", "error-required"),
            (
                json!({"target": "https://site.example/", "utm_campaign": "c".repeat(201)}),
                "utm_campaign",
                "error-too-long",
            ),
            (
                json!({"target": "https://site.example/", "post_id": 999999}),
                "post_id",
                "error-link-post-unknown",
            ),
        ] {
            let (status, problem, _) = create(&app, &token, ws, body.clone()).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body} on {}",
                app.backend
            );
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
            assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
        }
        let (status, _, _) = create(&app, &token, ws, json!({"utm_source": "x"})).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "target is required"
        );
        let (status, _, _) = create(
            &app,
            &token,
            ws,
            json!({"target": "https://site.example/", "code": "mine"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no chosen codes");
        let listed: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/links"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(listed.as_array().unwrap().is_empty(), "nothing half-saved");
    })
    .await;
}

#[tokio::test]
async fn another_workspace_s_link_is_not_found() {
    each_backend(|app: TestApp| async move {
        let (_, a) = app
            .member_with_workspace("a@example.fr", "Boulangerie")
            .await;
        let (_, b) = app.member_with_workspace("b@example.fr", "Fleuriste").await;
        let token_a = app.api_token("a@example.fr").await;
        let token_b = app.api_token("b@example.fr").await;
        let (_, link, _) = create(
            &app,
            &token_a,
            a.workspace().0,
            json!({"target": "https://boulangerie.example/"}),
        )
        .await;
        let id = link["id"].as_i64().unwrap();
        // Through B's own workspace, and through A's workspace B is not a member of.
        for (ws, label) in [(b.workspace().0, "own"), (a.workspace().0, "foreign")] {
            let response = app
                .api(
                    &token_b,
                    Method::GET,
                    &format!("/workspaces/{ws}/links/{id}"),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{label} on {}",
                app.backend
            );
        }
        let listed: Value = app
            .api(
                &token_b,
                Method::GET,
                &format!("/workspaces/{}/links", b.workspace().0),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(listed.as_array().unwrap().is_empty());
        // B's channel cannot be named by A's link.
        let b_channel = channel(&app, &b, "bluesky", "Fleuriste").await;
        let (status, problem, _) = create(
            &app,
            &token_a,
            a.workspace().0,
            json!({"target": "https://boulangerie.example/", "channel_id": b_channel.0}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["code"], "error-link-channel-unknown");
    })
    .await;
}

#[tokio::test]
async fn the_redirect_appends_the_tags_and_counts_people_but_not_robots_or_head() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;
        let (_, link, _) = create(
            &app,
            &token,
            ws,
            json!({
                "target": "https://boulangerie.example/agenda?jour=lundi&utm_source=old",
                "utm_source": "mastodon",
                "utm_medium": "social",
            }),
        )
        .await;
        let id = link["id"].as_i64().unwrap();
        let short = link["short_url"].as_str().unwrap().to_owned();
        let client = visitor();

        let followed = client
            .get(&short)
            .header("user-agent", FIREFOX)
            .header("referer", "https://bsky.app/profile/boulangerie.example")
            .send()
            .await
            .unwrap();
        assert_eq!(followed.status(), StatusCode::FOUND, "{}", app.backend);
        assert_eq!(
            location(&followed),
            "https://boulangerie.example/agenda?jour=lundi&utm_source=mastodon&utm_medium=social"
        );
        assert_eq!(followed.headers()["cache-control"], "no-store");
        assert_eq!(followed.headers()["referrer-policy"], "no-referrer");
        assert!(
            followed.headers().get("set-cookie").is_none(),
            "no cookie is set on a visitor"
        );
        assert_eq!(clicks(&app, &token, ws, id).await, 1);

        // Link previews of the networks, scripts and robots are sent on, not counted.
        for robot in [
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
            "http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/)",
            "Twitterbot/1.0",
            "curl/8.5.0",
            "",
        ] {
            let response = client
                .get(&short)
                .header("user-agent", robot)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FOUND, "{robot}");
        }
        assert_eq!(
            clicks(&app, &token, ws, id).await,
            1,
            "robots are not counted"
        );

        let head = client
            .head(&short)
            .header("user-agent", FIREFOX)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::FOUND);
        assert_eq!(clicks(&app, &token, ws, id).await, 1, "HEAD is not counted");

        for referer in [Some("https://t.co/abc"), None] {
            let mut request = client.get(&short).header("user-agent", FIREFOX);
            if let Some(referer) = referer {
                request = request.header("referer", referer);
            }
            assert_eq!(request.send().await.unwrap().status(), StatusCode::FOUND);
        }
        assert_eq!(clicks(&app, &token, ws, id).await, 3);
        let by_network: Vec<(String, i64)> = app
            .store
            .link_clicks(&scope, LinkId(id))
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.network, c.clicks))
            .collect();
        let mut by_network = by_network;
        by_network.sort();
        assert_eq!(
            by_network,
            [
                ("bluesky".to_owned(), 1),
                ("direct".to_owned(), 1),
                ("x".to_owned(), 1)
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn an_unknown_code_is_a_not_found_page_in_the_visitor_s_language() {
    each_backend(|app: TestApp| async move {
        let client = visitor();
        for (code, lang, words) in [
            ("NoSuch1", "en-GB,en;q=0.8", "Page not found"),
            ("NoSuch1", "fr-FR,fr;q=0.9", "Page introuvable"),
            ("..%2Fetc", "en", "Page not found"),
            (&"a".repeat(300) as &str, "en", "Page not found"),
        ] {
            let response = client
                .get(format!("{}/l/{code}", app.url))
                .header("accept-language", lang)
                .header("user-agent", FIREFOX)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{code}");
            let html = response.text().await.unwrap();
            assert!(html.contains(words), "{lang}: {html}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_links_page_lists_links_escaped_and_its_form_needs_the_csrf_token() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;

        let refused = cm
            .post(format!("{}/w/{ws}/links", app.url))
            .form(&[("target", "https://site.example/")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "no CSRF token");

        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/links"),
                &[
                    (
                        "target",
                        "https://site.example/?q=<script>alert(1)</script>",
                    ),
                    ("utm_campaign", "<b>soldes</b>"),
                    ("utm_source", "newsletter"),
                    ("utm_medium", "email"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(
            location(&response),
            format!("/w/{ws}/links?flash=flash-link-created")
        );
        let (status, html) = app.get_text(&cm, &location(&response)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Lien court créé."), "{html}");
        assert!(html.contains(&format!("{}/l/", app.url)));
        assert!(!html.contains("<b>soldes</b>"), "tags are escaped");
        assert!(html.contains("b&#62;soldes&#60;/b"), "{html}");
        assert!(!html.contains("<script>alert"), "targets are escaped");

        let bad = app
            .post_form(
                &cm,
                &format!("/w/{ws}/links"),
                &[("target", "javascript:alert(1)")],
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(html.contains("qui commence par http ou https"), "{html}");
    })
    .await;
}

#[tokio::test]
async fn the_composer_shortens_the_links_of_each_text_with_its_network() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Boulangerie Bluesky").await;
        let mastodon = channel(&app, &scope, "mastodon", "Boulangerie Mastodon").await;
        let own_short = format!("{}/l/Already1", app.url);
        let text = format!(
            "La galette est là : https://boulangerie.example/galette?taille=6. \
             Et encore https://boulangerie.example/galette?taille=6 ; déjà court : {own_short}"
        );

        // Without the script: the composer's form, with the "shorten links" button.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &bluesky.to_string()),
                    ("channel", &mastodon.to_string()),
                    ("text", &text),
                    (
                        &format!("variant_{mastodon}"),
                        "Sur Mastodon : https://boulangerie.example/mastodon",
                    ),
                    ("campaign", "epiphanie"),
                    ("when", "now"),
                    ("intent", "shorten"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{}", app.backend);
        let html = response.text().await.unwrap();
        assert!(html.contains("sont devenus des liens courts"), "{html}");
        assert!(
            !html.contains("https://boulangerie.example/galette"),
            "{html}"
        );
        assert!(html.contains(&own_short), "tribune's own short links stay");
        assert!(html.contains("epiphanie"), "the campaign stays in the form");
        assert!(
            app.store
                .posts(&scope, &Default::default())
                .await
                .unwrap()
                .is_empty(),
            "shortening saves no post"
        );

        let links = app
            .store
            .links(
                &scope,
                &tribune_store::links::LinkFilter {
                    before_id: None,
                    limit: 50,
                },
            )
            .await
            .unwrap();
        assert_eq!(links.len(), 2, "one link per address and text");
        let shared = links
            .iter()
            .find(|l| l.target.as_str().contains("galette"))
            .unwrap();
        // The shared text goes to Bluesky only: Mastodon has its own text.
        assert_eq!(shared.utm.source.as_deref(), Some("bluesky"));
        assert_eq!(shared.utm.medium.as_deref(), Some("social"));
        assert_eq!(shared.utm.campaign.as_deref(), Some("epiphanie"));
        assert_eq!(shared.channel, Some(bluesky));
        let own = links
            .iter()
            .find(|l| l.target.as_str().contains("mastodon"))
            .unwrap();
        assert_eq!(own.utm.source.as_deref(), Some("mastodon"));
        assert_eq!(own.channel, Some(mastodon));
        let shared_short = format!("{}/l/{}", app.url, shared.code);
        let editor = html
            .split("<textarea id=\"text\"")
            .nth(1)
            .and_then(|rest| rest.split("</textarea>").next())
            .unwrap();
        assert_eq!(editor.matches(&shared_short).count(), 2, "{editor}");
        assert!(
            editor.contains(&format!("{shared_short}. Et encore")),
            "punctuation kept"
        );

        // Saved, the post is tied to the links made before it existed.
        let shortened_text = editor
            .split_once('>')
            .map(|(_, text)| text.replace("&#39;", "'"))
            .unwrap();
        assert!(!shortened_text.contains('&'), "{shortened_text}");
        let saved = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &bluesky.to_string()),
                    ("text", &shortened_text),
                    ("when", "now"),
                    ("intent", "draft"),
                ],
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let filter = tribune_store::posts::PostFilter {
            limit: 10,
            ..Default::default()
        };
        let saved_post = app.store.posts(&scope, &filter).await.unwrap();
        assert_eq!(saved_post.len(), 1);
        assert_eq!(
            app.store.link(&scope, shared.id).await.unwrap().post,
            Some(saved_post[0].id)
        );

        // With the script: the same through the JSON route, for a post being edited.
        let post = app
            .store
            .create_post(
                &scope,
                tribune_store::posts::PostNew {
                    text: "Brouillon".into(),
                    targets: vec![(bluesky, None), (mastodon, None)],
                    ..Default::default()
                },
                tribune_store::posts::Intent::Draft,
                unix_now(),
            )
            .await
            .unwrap();
        let token = app
            .csrf(&cm, &format!("/w/{ws}/posts/{}/edit", post.id))
            .await;
        let response = cm
            .post(format!(
                "{}/w/{ws}/compose/shorten?post={}",
                app.url, post.id
            ))
            .header("x-csrf-token", &token)
            .form(&[
                ("channel", bluesky.to_string().as_str()),
                ("channel", mastodon.to_string().as_str()),
                ("text", "Programme : https://boulangerie.example/programme"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let answer: Value = response.json().await.unwrap();
        let shortened = answer["text"].as_str().unwrap();
        assert!(
            shortened.starts_with(&format!("Programme : {}/l/", app.url)),
            "{answer}"
        );
        let code = shortened.rsplit('/').next().unwrap();
        let made = app.store.link_for_redirect(code).await.unwrap().unwrap();
        let made = app.store.link(&scope, made.link).await.unwrap();
        assert_eq!(made.post, Some(post.id));
        assert_eq!(made.channel, None, "two channels share the text");
        assert_eq!(made.utm.source.as_deref(), Some("tribune"));

        let without_token = cm
            .post(format!("{}/w/{ws}/compose/shorten", app.url))
            .form(&[("text", "https://boulangerie.example/")])
            .send()
            .await
            .unwrap();
        assert_eq!(without_token.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

async fn visit(short: &str, referer: Option<&str>) -> reqwest::Response {
    let mut request = visitor().get(short).header("user-agent", FIREFOX);
    if let Some(referer) = referer {
        request = request.header("referer", referer);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_api_edits_a_link_and_shows_its_clicks_by_day_and_network() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;
        let (_, link, _) = create(
            &app,
            &token,
            ws,
            json!({"target": "https://boulangerie.example/galette", "utm_source": "bluesky",
                   "utm_campaign": "epiphanie"}),
        )
        .await;
        let id = link["id"].as_i64().unwrap();
        let short = link["short_url"].as_str().unwrap().to_owned();
        for referer in [
            Some("https://bsky.app/x"),
            Some("https://t.co/a"),
            Some("https://bsky.app/y"),
            None,
        ] {
            assert_eq!(visit(&short, referer).await.status(), StatusCode::FOUND);
        }

        let patched = app
            .api(
                &token,
                Method::PATCH,
                &format!("/workspaces/{ws}/links/{id}"),
            )
            .json(
                &json!({"target": "https://boulangerie.example/buche", "utm_campaign": null,
                          "utm_term": "noel"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(patched.status(), StatusCode::OK, "{}", app.backend);
        let patched: Value = patched.json().await.unwrap();
        for field in ["id", "code", "short_url"] {
            assert_eq!(patched[field], link[field], "{field} stays");
        }
        assert_eq!(patched["clicks"], 4, "the clicks stay");
        assert_eq!(patched["utm_source"], "bluesky", "a missing field is kept");
        assert_eq!(patched["utm_campaign"], Value::Null, "null removes a tag");
        assert_eq!(
            patched["destination"],
            "https://boulangerie.example/buche?utm_source=bluesky&utm_term=noel"
        );
        let followed = visit(&short, None).await;
        assert_eq!(
            location(&followed),
            patched["destination"].as_str().unwrap()
        );

        let shown: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/links/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shown["clicks"], 5);
        let day = shown["clicks_by_day"].as_array().unwrap();
        assert_eq!(day.len(), 1, "{shown}");
        assert_eq!(day[0]["clicks"], 5);
        assert_eq!(day[0]["day"].as_str().unwrap().len(), 10);
        assert_eq!(
            shown["clicks_by_network"],
            json!([{"network": "bluesky", "clicks": 2}, {"network": "direct", "clicks": 2},
                   {"network": "x", "clicks": 1}])
        );

        for (body, field) in [
            (json!({"target": "javascript:alert(1)"}), "target"),
            (json!({"utm_term": "x".repeat(201)}), "utm_term"),
        ] {
            let refused = app
                .api(
                    &token,
                    Method::PATCH,
                    &format!("/workspaces/{ws}/links/{id}"),
                )
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let problem: Value = refused.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
        let unknown_field = app
            .api(
                &token,
                Method::PATCH,
                &format!("/workspaces/{ws}/links/{id}"),
            )
            .json(&json!({"code": "AAAAAAA"}))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown_field.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn a_deleted_link_answers_link_removed_not_an_error_and_is_gone_from_the_api() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;
        let (_, link, _) = create(
            &app,
            &token,
            ws,
            json!({"target": "https://boulangerie.example/"}),
        )
        .await;
        let id = link["id"].as_i64().unwrap();
        let short = link["short_url"].as_str().unwrap().to_owned();

        let deleted = app
            .api(
                &token,
                Method::DELETE,
                &format!("/workspaces/{ws}/links/{id}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT, "{}", app.backend);
        for method in [Method::GET, Method::DELETE] {
            let gone = app
                .api(
                    &token,
                    method.clone(),
                    &format!("/workspaces/{ws}/links/{id}"),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(gone.status(), StatusCode::NOT_FOUND, "{method}");
        }
        let listed: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/links"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed, json!([]));

        for (lang, words) in [("fr-FR,fr;q=0.9", "Lien supprimé"), ("en", "Link removed")] {
            let response = visitor()
                .get(&short)
                .header("user-agent", FIREFOX)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::GONE, "{lang}");
            assert!(response.headers().get("location").is_none());
            assert_eq!(response.headers()["cache-control"], "no-store");
            let html = response.text().await.unwrap();
            assert!(html.contains(words), "{lang}: {html}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_link_page_shows_the_breakdown_edits_and_deletes_with_confirmation() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;
        let (_, link, _) = create(
            &app,
            &token,
            ws,
            json!({"target": "https://boulangerie.example/galette", "utm_source": "bluesky"}),
        )
        .await;
        let id = link["id"].as_i64().unwrap();
        let short = link["short_url"].as_str().unwrap().to_owned();
        visit(&short, Some("https://lnkd.in/abc")).await;
        visit(&short, None).await;

        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/links")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("/w/{ws}/links/{id}")), "{html}");
        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/links/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(html.contains("2 clics"), "{html}");
        assert!(html.contains("LinkedIn"), "{html}");
        assert!(html.contains("Accès direct"), "{html}");

        let bad = app
            .post_form(
                &cm,
                &format!("/w/{ws}/links/{id}"),
                &[
                    ("target", "ftp://boulangerie.example/"),
                    ("utm_source", "bluesky"),
                ],
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(
            html.contains("ftp://boulangerie.example/"),
            "the form keeps what was typed"
        );
        assert!(html.contains("qui commence par http ou https"), "{html}");

        let saved = app
            .post_form(
                &cm,
                &format!("/w/{ws}/links/{id}"),
                &[
                    ("target", "https://boulangerie.example/buche"),
                    ("utm_source", "bluesky"),
                    ("utm_medium", ""),
                    ("utm_campaign", "noel"),
                    ("utm_term", ""),
                    ("utm_content", ""),
                ],
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&saved),
            format!("/w/{ws}/links/{id}?flash=flash-link-updated")
        );
        assert_eq!(
            location(&visit(&short, None).await),
            "https://boulangerie.example/buche?utm_source=bluesky&utm_campaign=noel"
        );

        let unconfirmed = app
            .post_form(&cm, &format!("/w/{ws}/links/{id}/delete"), &[])
            .await;
        assert_eq!(unconfirmed.status(), StatusCode::BAD_REQUEST);
        assert_eq!(visit(&short, None).await.status(), StatusCode::FOUND);

        let deleted = app
            .post_form(
                &cm,
                &format!("/w/{ws}/links/{id}/delete"),
                &[("confirm", "on")],
            )
            .await;
        assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&deleted),
            format!("/w/{ws}/links?flash=flash-link-deleted")
        );
        assert_eq!(visit(&short, None).await.status(), StatusCode::GONE);
        let (status, _) = app.get_text(&cm, &format!("/w/{ws}/links/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}
