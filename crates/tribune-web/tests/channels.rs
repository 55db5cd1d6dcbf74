//! Channels through the UI and the API: connecting (OAuth, tokens, app passwords), the broken
//! state and its alerts, transient failures that must not break anything, isolation of roles.
//! Mastodon-shaped servers here are wiremock fixtures taken from the Mastodon API
//! documentation (docs.joinmastodon.org); the real local peers are used in `peers_*` tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, TestApp, each_backend, location};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = include_str!("../../tribune-connectors/tests/fixtures/mastodon/account.json");
const APP: &str = include_str!("../../tribune-connectors/tests/fixtures/mastodon/app.json");
const TOKEN: &str = include_str!("../../tribune-connectors/tests/fixtures/mastodon/token.json");

/// A 1×1 PNG, for avatars.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

fn account(server: &MockServer, display_name: &str) -> Value {
    let mut account: Value = serde_json::from_str(ACCOUNT).unwrap();
    account["display_name"] = json!(display_name);
    account["avatar"] = json!(format!("{}/avatar.png", server.uri()));
    account
}

/// An instance that knows `token` and describes the account as `display_name`.
async fn instance_accepting(server: &MockServer, token: &str, display_name: &str) {
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(account(server, display_name)))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/avatar.png"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(PNG))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(404))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/instance"))
        .respond_with(ResponseTemplate::new(404))
        .mount(server)
        .await;
}

async fn connect_token(
    app: &TestApp,
    api: &str,
    ws: i64,
    instance: &str,
    token: &str,
) -> reqwest::Response {
    app.api(api, Method::POST, &format!("/workspaces/{ws}/channels"))
        .json(&json!({"network": "mastodon", "instance": instance, "access_token": token}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_mastodon_account_connects_by_oauth_and_shows_its_capabilities() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/v1/apps"))
            .and(body_string_contains("scopes=read+write"))
            .respond_with(ResponseTemplate::new(200).set_body_string(APP))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_string_contains("code=the-code"))
            .and(body_string_contains("code_verifier="))
            .respond_with(ResponseTemplate::new(200).set_body_string(TOKEN))
            .mount(&server)
            .await;
        instance_accepting(
            &server,
            "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0",
            "La <b>Marque</b> & co",
        )
        .await;
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;

        // Start: tribune registers itself and sends the manager to the instance.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/connect/mastodon"),
                &[("instance", &server.uri())],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let authorize = url::Url::parse(&location(&response)).unwrap();
        assert_eq!(authorize.path(), "/oauth/authorize");
        let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
        assert_eq!(query["scope"], "read write");
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(
            query["redirect_uri"],
            format!("{}/oauth/mastodon/callback", app.url)
        );
        let state = query["state"].clone();

        // A second start reuses the registration (the apps endpoint expects one call).
        let again = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/connect/mastodon"),
                &[("instance", &server.uri())],
            )
            .await;
        assert_eq!(again.status(), StatusCode::SEE_OTHER);

        // Someone else cannot use this state.
        let (intruder, _) = app
            .member_with_workspace("intruder@example.fr", "Autre")
            .await;
        let stolen = app
            .get(
                &intruder,
                &format!("/oauth/mastodon/callback?code=the-code&state={state}"),
            )
            .await;
        assert_eq!(stolen.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The instance sends the manager back with a code. The intruder's attempt consumed
        // the state, so start again and come back properly.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/connect/mastodon"),
                &[("instance", &server.uri())],
            )
            .await;
        let authorize = url::Url::parse(&location(&response)).unwrap();
        let state = authorize
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let back = app
            .get(
                &cm,
                &format!("/oauth/mastodon/callback?code=the-code&state={state}"),
            )
            .await;
        assert_eq!(back.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&back),
            format!("/w/{ws}/channels?flash=flash-channel-connected")
        );

        // A replayed callback finds nothing.
        let replay = app
            .get(
                &cm,
                &format!("/oauth/mastodon/callback?code=the-code&state={state}"),
            )
            .await;
        assert_eq!(replay.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("La &#60;b&#62;Marque&#60;/b&#62; &#38; co"),
            "display name escaped: {html}"
        );
        assert!(html.contains("trwnh@"), "handle shown");
        assert!(html.contains("Répondre"), "capabilities in French");
        assert!(
            !html.contains("Masquer un commentaire"),
            "Mastodon cannot hide replies"
        );
        server.verify().await;
    })
    .await;
}

#[tokio::test]
async fn a_refused_token_breaks_the_channel_once_alerts_the_team_and_reconnecting_heals_it() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        instance_accepting(&server, "good", "Marque").await;
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let api = app.api_token("cm@example.fr").await;

        let response = connect_token(&app, &api, ws, &server.uri(), "good").await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{}: {body}", app.backend);
        let response: Value = serde_json::from_str(&body).unwrap();
        let channel = response;
        let id = channel["id"].as_i64().unwrap();
        assert_eq!(channel["state"], "active");
        assert!(
            channel["capabilities"]
                .as_array()
                .unwrap()
                .contains(&json!("reply"))
        );
        assert!(channel.get("credentials").is_none());

        // The CM revoked tribune on the instance.
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(401)
                    .set_body_json(json!({"error": "The access token is invalid"})),
            )
            .mount(&server)
            .await;
        let check = app
            .api(
                &api,
                Method::POST,
                &format!("/workspaces/{ws}/channels/{id}/check"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(check.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = check.json().await.unwrap();
        assert_eq!(problem["code"], "error-channel-auth");
        assert_eq!(problem["detail"], "The access token is invalid");

        let channel: Value = app
            .api(
                &api,
                Method::GET,
                &format!("/workspaces/{ws}/channels/{id}"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(channel["state"], "broken");
        assert_eq!(channel["state_message"], "The access token is invalid");

        // A broken channel is not called again, and the team was told once.
        let again = app
            .api(
                &api,
                Method::POST,
                &format!("/workspaces/{ws}/channels/{id}/check"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = again.json().await.unwrap();
        assert_eq!(problem["code"], "error-channel-not-active");
        let notified = app.store.open_notifications(&scope).await.unwrap();
        assert_eq!(notified.len(), 1);

        // Every page of the workspace shows the red banner; the channels page the alert.
        let (_, overview) = app.get_text(&cm, &format!("/w/{ws}")).await;
        assert!(
            overview.contains("class=\"banner\""),
            "banner on the overview"
        );
        let (_, page) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        assert!(page.contains("The access token is invalid"));
        assert!(page.contains("À reconnecter"));

        // Reconnecting with a new token: same channel, active, alert resolved, no banner.
        server.reset().await;
        instance_accepting(&server, "renewed", "Marque").await;
        let response = connect_token(&app, &api, ws, &server.uri(), "renewed").await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let healed: Value = response.json().await.unwrap();
        assert_eq!(healed["id"].as_i64(), Some(id));
        assert_eq!(healed["state"], "active");
        assert!(
            app.store
                .open_notifications(&scope)
                .await
                .unwrap()
                .is_empty()
        );
        let (_, overview) = app.get_text(&cm, &format!("/w/{ws}")).await;
        assert!(!overview.contains("class=\"banner\""));
    })
    .await;
}

#[tokio::test]
async fn timeouts_5xx_and_rate_limits_never_break_a_channel() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        instance_accepting(&server, "good", "Marque").await;
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let api = app.api_token("cm@example.fr").await;
        let channel: Value = connect_token(&app, &api, ws, &server.uri(), "good")
            .await
            .json()
            .await
            .unwrap();
        let id = channel["id"].as_i64().unwrap();
        let check = || {
            app.api(
                &api,
                Method::POST,
                &format!("/workspaces/{ws}/channels/{id}/check"),
            )
            .send()
        };

        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503).set_body_string("<html>maintenance</html>"))
            .mount(&server)
            .await;
        let response = check().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::BAD_GATEWAY,
            "{}",
            app.backend
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "error-channel-unreachable");

        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "600"))
            .expect(1)
            .mount(&server)
            .await;
        let response = check().await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().get("retry-after").is_some());
        // The gate is stored: the next call does not reach the instance (expect(1) above).
        let response = check().await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        server.verify().await;

        let channel: Value = app
            .api(
                &api,
                Method::GET,
                &format!("/workspaces/{ws}/channels/{id}"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(channel["state"], "active");
        assert!(channel["rate_limited_until"].as_i64().unwrap() > tribune_store::unix_now() + 500);
        assert!(
            app.store
                .open_notifications(&scope)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn refused_or_hostile_answers_store_nothing_and_say_why() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/api/v1/accounts/verify_credentials"))
            .and(header("authorization", "Bearer wrong"))
            .respond_with(
                ResponseTemplate::new(401)
                    .set_body_json(json!({"error": "The access token is invalid"})),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/accounts/verify_credentials"))
            .and(header("authorization", "Bearer garbage"))
            .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": [1, 2"))
            .mount(&server)
            .await;
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let api = app.api_token("cm@example.fr").await;

        let response = connect_token(&app, &api, ws, &server.uri(), "wrong").await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "error-channel-auth");

        let response = connect_token(&app, &api, ws, &server.uri(), "garbage").await;
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "error-channel-response");

        let response = connect_token(&app, &api, ws, "ftp://nope", "x").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let unknown = app
            .api(&api, Method::POST, &format!("/workspaces/{ws}/channels"))
            .json(&json!({"network": "myspace", "token": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Through the form: the page comes back with the reason, in French.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/connect/mastodon-token"),
                &[("instance", &server.uri()), ("access_token", "wrong")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("Le réseau a refusé ces identifiants."),
            "{html}"
        );
        assert!(html.contains("The access token is invalid"));

        assert!(app.store.channels(&scope).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn only_managers_connect_and_disconnect_but_every_member_sees_channels() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        instance_accepting(&server, "good", "Marque").await;
        let (_, scope) = app
            .member_with_workspace("owner@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let owner_api = app.api_token("owner@example.fr").await;
        let channel: Value = connect_token(&app, &owner_api, ws, &server.uri(), "good")
            .await
            .json()
            .await
            .unwrap();
        let id = channel["id"].as_i64().unwrap();

        let client = app.user("client@example.fr").await;
        let (token, _) = app
            .store
            .create_invitation(
                &scope,
                "client@example.fr",
                tribune_domain::Role::Client,
                tribune_store::unix_now(),
            )
            .await
            .unwrap();
        app.store
            .accept_invitation(&token, &client, tribune_store::unix_now())
            .await
            .unwrap();
        let (browser, _) = app.login("client@example.fr", PASSWORD).await;
        let (status, html) = app.get_text(&browser, &format!("/w/{ws}/channels")).await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(html.contains("trwnh@"));
        assert!(
            !html.contains("/channels/connect/"),
            "no connect forms for a client"
        );
        assert!(!html.contains("/disconnect"), "no disconnect for a client");

        let api = app.api_token("client@example.fr").await;
        assert_eq!(
            connect_token(&app, &api, ws, &server.uri(), "good")
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        let response = app
            .api(
                &api,
                Method::DELETE,
                &format!("/workspaces/{ws}/channels/{id}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        // The owner disconnects: history stays, the channel shows as disconnected.
        let response = app
            .api(
                &owner_api,
                Method::DELETE,
                &format!("/workspaces/{ws}/channels/{id}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let list: Value = app
            .api(
                &owner_api,
                Method::GET,
                &format!("/workspaces/{ws}/channels"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list[0]["state"], "disconnected");
    })
    .await;
}
