//! Publishing through the API, end to end: a post is created for channels connected to the real
//! local peers (Bluesky PDS, the Mastodon API mock, WordPress), the job runner publishes it, and
//! the post is read back from the network. Without the peers' environment these tests are
//! skipped, except with `CI=true`, where that is a failure. The API's validation and approval
//! rules are tested without peers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, each_backend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tribune_connectors::testing::{bluesky_account, peer};
use tribune_domain::Role;

async fn connect(app: &TestApp, api: &str, ws: i64, body: Value) -> i64 {
    let response = app
        .api(api, Method::POST, &format!("/workspaces/{ws}/channels"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let channel: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{}: {channel}", app.backend);
    channel["id"].as_i64().unwrap()
}

async fn create_post(app: &TestApp, api: &str, ws: i64, body: Value) -> (StatusCode, Value) {
    let response = app
        .api(api, Method::POST, &format!("/workspaces/{ws}/posts"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn get_post(app: &TestApp, api: &str, ws: i64, id: i64) -> Value {
    let response = app
        .api(api, Method::GET, &format!("/workspaces/{ws}/posts/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The account's posts on the PDS whose text is `text`.
async fn bluesky_posts_with(pds: &str, did: &str, text: &str) -> usize {
    let records: Value = reqwest::Client::new()
        .get(format!("{pds}/xrpc/com.atproto.repo.listRecords"))
        .query(&[
            ("repo", did),
            ("collection", "app.bsky.feed.post"),
            ("limit", "100"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    records["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["value"]["text"] == text)
        .count()
}

#[tokio::test]
async fn a_post_published_now_goes_out_once_to_bluesky_mastodon_and_wordpress() {
    let (
        Some(pds),
        Some(control),
        Some(mastodon),
        Some(token),
        Some(site),
        Some(wp_user),
        Some(wp_password),
    ) = (
        peer("TRIBUNE_TEST_BSKY_PDS"),
        peer("TRIBUNE_TEST_BSKY_CONTROL"),
        peer("TRIBUNE_TEST_MASTODON_URL"),
        peer("TRIBUNE_TEST_MASTODON_TOKEN"),
        peer("TRIBUNE_TEST_WP_URL"),
        peer("TRIBUNE_TEST_WP_USER"),
        peer("TRIBUNE_TEST_WP_APP_PASSWORD"),
    )
    else {
        return;
    };
    each_backend(|app: TestApp| {
        let (pds, control, mastodon, token, site, wp_user, wp_password) = (
            pds.clone(),
            control.clone(),
            mastodon.clone(),
            token.clone(),
            site.clone(),
            wp_user.clone(),
            wp_password.clone(),
        );
        async move {
            tribune_connectors::http::install_tls_provider();
            let (_, scope) = app.member_with_workspace("cm@example.fr", "Fleuriste").await;
            let ws = scope.workspace().0;
            let api = app.api_token("cm@example.fr").await;
            let (handle, app_password) = bluesky_account(&pds, &control, "pub").await;
            let bluesky = connect(&app, &api, ws, json!({"network": "bluesky", "service": pds, "identifier": handle, "app_password": app_password})).await;
            let masto = connect(&app, &api, ws, json!({"network": "mastodon", "instance": mastodon, "access_token": token})).await;
            let wordpress = connect(&app, &api, ws, json!({"network": "wordpress", "site": site, "username": wp_user, "app_password": wp_password})).await;

            let nonce = format!("{}-{}", app.backend, tribune_store::unix_now());
            let text = format!("Les roses de Noël sont arrivées ! {nonce}");
            let bluesky_text = format!("Roses de Noël 🌹 {nonce}");
            let (status, created) = create_post(&app, &api, ws, json!({
                "channels": [bluesky, masto, wordpress],
                "title": "Roses de Noël",
                "text": text,
                "variants": {bluesky.to_string(): {"text": bluesky_text}},
                "publish_now": true,
            }))
            .await;
            assert_eq!(status, StatusCode::CREATED, "{}: {created}", app.backend);
            assert_eq!(created["status"], "scheduled");
            let id = created["id"].as_i64().unwrap();
            assert!(created["targets"].as_array().unwrap().iter().all(|t| t["status"] == "scheduled" && t["remote_id"].is_null() && t["error"].is_null()));

            let report = app.run_jobs().await;
            assert_eq!(report.done, 3, "{}: {report:?}", app.backend);
            let post = get_post(&app, &api, ws, id).await;
            assert_eq!(post["status"], "published", "{}: {post}", app.backend);
            for target in post["targets"].as_array().unwrap() {
                assert_eq!(target["status"], "published", "{target}");
                assert!(target["remote_id"].as_str().is_some_and(|r| !r.is_empty()), "{target}");
                assert!(target["published_at"].as_str().is_some());
            }
            let target = |channel: i64| {
                post["targets"].as_array().unwrap().iter().find(|t| t["channel_id"] == channel).unwrap().clone()
            };

            // Each network has the post, once.
            let did = {
                let info: Value = reqwest::Client::new()
                    .get(format!("{pds}/xrpc/com.atproto.identity.resolveHandle"))
                    .query(&[("handle", handle.trim_start_matches('@'))])
                    .send().await.unwrap().json().await.unwrap();
                info["did"].as_str().unwrap().to_owned()
            };
            assert_eq!(bluesky_posts_with(&pds, &did, &bluesky_text).await, 1, "{}", app.backend);
            let status: Value = reqwest::Client::new()
                .get(format!("{mastodon}/api/v1/statuses/{}", target(masto)["remote_id"].as_str().unwrap()))
                .bearer_auth(&token)
                .send().await.unwrap().json().await.unwrap();
            assert!(status["content"].as_str().unwrap().contains(&nonce), "{status}");
            // The blog's REST API has it (the permalink needs the web server's rewrites).
            let wp_id = target(wordpress)["remote_id"].as_str().unwrap().trim_start_matches("post:").to_owned();
            let blog: Value = reqwest::Client::new()
                .get(format!("{site}/wp-json/wp/v2/posts/{wp_id}"))
                .basic_auth(&wp_user, Some(&wp_password))
                .send().await.unwrap().json().await.unwrap();
            assert_eq!(blog["status"], "publish", "{blog}");
            assert!(blog["content"]["rendered"].as_str().unwrap().contains(&nonce), "{blog}");
            assert!(target(wordpress)["remote_url"].as_str().unwrap().starts_with(&site));

            // Running the jobs again publishes nothing more, and a published post is final.
            let again = app.run_jobs().await;
            assert_eq!(again.claimed, 0, "{again:?}");
            assert_eq!(bluesky_posts_with(&pds, &did, &bluesky_text).await, 1);
            let refused = app
                .api(&api, Method::DELETE, &format!("/workspaces/{ws}/posts/{id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

            // A post over Bluesky's 300 graphemes cannot be scheduled for it: the pre-flight
            // check names the channel and the figures. As a draft it is kept.
            let (status, problem) = create_post(&app, &api, ws, json!({"channels": [bluesky, masto], "text": "é".repeat(301), "publish_now": true})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
            assert_eq!(problem["code"], "error-preflight");
            let errors = problem["errors"].as_array().unwrap();
            assert_eq!(errors.len(), 1, "only Bluesky is over: {problem}");
            assert_eq!(errors[0]["channel_id"], bluesky);
            assert_eq!(errors[0]["code"], "text_too_long");
            assert_eq!(errors[0]["limit"], 300);
            assert_eq!(errors[0]["actual"], 301);
            let (status, _) = create_post(&app, &api, ws, json!({"channels": [bluesky], "text": "é".repeat(301)})).await;
            assert_eq!(status, StatusCode::CREATED);
        }
    })
    .await;
}

#[tokio::test]
async fn scheduled_posts_wait_for_their_time_and_bad_input_saves_nothing() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app.member_with_workspace("cm@example.fr", "Boulangerie").await;
        let ws = scope.workspace().0;
        let api = app.api_token("cm@example.fr").await;
        // A channel of the workspace, stored directly: nothing is published in this test.
        let channel = app
            .store
            .connect_channel(
                &scope,
                tribune_store::channels::ChannelNew {
                    network: "bluesky".into(),
                    remote_id: "did:plc:boulangerie".into(),
                    handle: "@boulangerie.test".into(),
                    display_name: "Boulangerie".into(),
                    avatar_url: None,
                    profile_url: None,
                    avatar: None,
                    capabilities: "publish_text".into(),
                    sealed_credentials: "sealed".into(),
                    token_expires_at: None,
                },
                tribune_store::unix_now(),
            )
            .await
            .unwrap()
            .id;
        let (_, other) = app.member_with_workspace("autre@example.fr", "Autre client").await;
        let foreign = app
            .store
            .connect_channel(
                &other,
                tribune_store::channels::ChannelNew {
                    network: "bluesky".into(),
                    remote_id: "did:plc:autre".into(),
                    handle: "@autre.test".into(),
                    display_name: "Autre".into(),
                    avatar_url: None,
                    profile_url: None,
                    avatar: None,
                    capabilities: "publish_text".into(),
                    sealed_credentials: "sealed".into(),
                    token_expires_at: None,
                },
                tribune_store::unix_now(),
            )
            .await
            .unwrap()
            .id;

        for (body, field) in [
            (json!({"channels": [channel], "text": "Hier", "scheduled_at": "2020-01-01T10:00:00+01:00"}), "scheduled_at"),
            (json!({"channels": [channel], "text": "Quand ?", "scheduled_at": "demain 10 h"}), "scheduled_at"),
            (json!({"channels": [foreign], "text": "Mauvais client"}), "channels"),
            (json!({"channels": [], "text": "Nulle part"}), "channels"),
            (json!({"channels": [channel], "text": "Avec image", "media": [1]}), "media"),
            (json!({"channels": [channel], "text": "Les deux", "publish_now": true, "scheduled_at": "2099-01-01T10:00:00Z"}), "scheduled_at"),
            (json!({"channels": [channel], "text": "x", "variants": {foreign.to_string(): {"text": "y"}}}), "variants"),
        ] {
            let (status, problem) = create_post(&app, &api, ws, body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {body} → {problem}", app.backend);
            assert!(problem.to_string().contains(field), "{body} → {problem}");
        }
        let response = app
            .api(&api, Method::GET, &format!("/workspaces/{ws}/posts"))
            .send()
            .await
            .unwrap();
        let listed: Value = response.json().await.unwrap();
        assert_eq!(listed, json!([]), "nothing half-saved");

        // Scheduled tomorrow: the runner leaves it alone today.
        let tomorrow = jiff::Timestamp::from_second(tribune_store::unix_now() + 86_400).unwrap();
        let (status, post) = create_post(&app, &api, ws, json!({"channels": [channel], "text": "Galette demain", "scheduled_at": tomorrow.to_string()})).await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        assert_eq!(post["scheduled_at"], tomorrow.to_string());
        assert_eq!(app.run_jobs().await.claimed, 0);
        let draft = create_post(&app, &api, ws, json!({"channels": [channel], "text": "Brouillon"})).await.1;
        assert_eq!(draft["status"], "draft");

        // Lists filter by status and period, and page with a Link header.
        let scheduled: Value = app
            .api(&api, Method::GET, &format!("/workspaces/{ws}/posts?status=scheduled"))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(scheduled.as_array().unwrap().len(), 1, "{scheduled}");
        let page = app
            .api(&api, Method::GET, &format!("/workspaces/{ws}/posts?limit=1"))
            .send().await.unwrap();
        let link = page.headers().get("link").unwrap().to_str().unwrap().to_owned();
        assert!(link.contains("cursor="), "{link}");
        let bad = app
            .api(&api, Method::GET, &format!("/workspaces/{ws}/posts?statut=scheduled"))
            .send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

        // Rescheduling moves the post; deleting it removes it.
        let id = post["id"].as_i64().unwrap();
        let later = jiff::Timestamp::from_second(tribune_store::unix_now() + 2 * 86_400).unwrap();
        let moved: Value = app
            .api(&api, Method::PATCH, &format!("/workspaces/{ws}/posts/{id}"))
            .json(&json!({"scheduled_at": later.to_string()}))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(moved["scheduled_at"], later.to_string(), "{moved}");
        assert_eq!(moved["status"], "scheduled");
        let deleted = app
            .api(&api, Method::DELETE, &format!("/workspaces/{ws}/posts/{id}"))
            .send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        let gone = app
            .api(&api, Method::GET, &format!("/workspaces/{ws}/posts/{id}"))
            .send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn under_client_approval_a_contributors_post_waits_for_the_client() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        app.store
            .set_approval_policy(&scope, tribune_domain::ApprovalPolicy::Client)
            .await
            .unwrap();
        let now = tribune_store::unix_now();
        for (email, role) in [
            ("redac@example.fr", Role::Contributor),
            ("client@example.fr", Role::Client),
        ] {
            let user = app.user(email).await;
            let (token, _) = app
                .store
                .create_invitation(&scope, email, role, now)
                .await
                .unwrap();
            app.store
                .accept_invitation(&token, &user, now)
                .await
                .unwrap();
        }
        let channel = app
            .store
            .connect_channel(
                &scope,
                tribune_store::channels::ChannelNew {
                    network: "mastodon".into(),
                    remote_id: "1".into(),
                    handle: "@boulangerie@example.social".into(),
                    display_name: "Boulangerie".into(),
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
        let redac = app.api_token("redac@example.fr").await;
        let client = app.api_token("client@example.fr").await;
        let cm = app.api_token("cm@example.fr").await;
        let at = jiff::Timestamp::from_second(now + 3600)
            .unwrap()
            .to_string();
        let (status, post) = create_post(
            &app,
            &redac,
            ws,
            json!({"channels": [channel], "text": "Atelier galettes samedi", "scheduled_at": at}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        assert_eq!(post["status"], "pending_approval", "{}", app.backend);
        let id = post["id"].as_i64().unwrap();

        // The contributor and the manager cannot approve; the client can.
        for token in [&redac, &cm] {
            let refused = app
                .api(
                    token,
                    Method::POST,
                    &format!("/workspaces/{ws}/posts/{id}/approve"),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let approved = app
            .api(
                &client,
                Method::POST,
                &format!("/workspaces/{ws}/posts/{id}/approve"),
            )
            .json(&json!({"comment": "Parfait, merci !"}))
            .send()
            .await
            .unwrap();
        assert_eq!(approved.status(), StatusCode::OK);
        let approved: Value = approved.json().await.unwrap();
        assert_eq!(approved["status"], "scheduled", "{approved}");
        assert!(approved["approved_at"].is_string());
        // The client cannot write posts.
        let (status, _) = create_post(
            &app,
            &client,
            ws,
            json!({"channels": [channel], "text": "Moi aussi"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    })
    .await;
}
