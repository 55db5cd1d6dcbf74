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
        assert!(page.contains(">Refusé<"));

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

/// Adds a member with `role` to the workspace and logs them in.
async fn member_with_role(
    app: &TestApp,
    scope: &tribune_store::WorkspaceScope,
    email: &str,
    role: tribune_domain::Role,
) -> reqwest::Client {
    let user = app.user(email).await;
    let (token, _) = app
        .store
        .create_invitation(scope, email, role, tribune_store::unix_now())
        .await
        .unwrap();
    app.store
        .accept_invitation(&token, &user, tribune_store::unix_now())
        .await
        .unwrap();
    app.login(email, PASSWORD).await.0
}

/// The red banner of a page, if there is one.
fn banner(html: &str) -> Option<&str> {
    let start = html.find("<p class=\"banner\"")?;
    let end = html[start..].find("</p>")?;
    Some(&html[start..start + end])
}

/// One channel's card on the channels page.
fn card(html: &str, id: impl std::fmt::Display) -> &str {
    let start = html
        .find(&format!("id=\"channel-{id}\""))
        .expect("the channel's card");
    // Up to the next card, or the end of the page.
    let end = html[start..]
        .find("<li class=\"card channel")
        .unwrap_or(html.len() - start);
    &html[start..start + end]
}

/// Refuses every call: the instance revoked the token.
async fn instance_refusing(server: &MockServer) {
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": "The access token is invalid"})),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn each_check_shows_when_and_how_it_ended_failed_ones_too() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        instance_accepting(&server, "good", "Marque").await;
        let (cm, scope) = app
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
        let check_path = format!("/w/{ws}/channels/{id}/check");
        let check = || app.post_form(&cm, &check_path, &[]);

        let response = check().await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/channels?flash=flash-channel-ok"),
            "{}",
            app.backend
        );
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        assert!(
            card(&html, id).contains("Dernière vérification le ")
                && card(&html, id).contains("\u{202f}: identifiants acceptés"),
            "{}",
            card(&html, id)
        );

        // The instance is down: the check failed, which the card says; the channel stays active.
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let response = check().await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/channels?flash=flash-warn-channel-unreachable")
        );
        let (_, html) = app
            .get_text(
                &cm,
                &format!("/w/{ws}/channels?flash=flash-warn-channel-unreachable"),
            )
            .await;
        assert!(html.contains("Réseau injoignable\u{202f}: la vérification n’a pas abouti."));
        let shown = card(&html, id);
        assert!(shown.contains("\u{202f}: injoignable"), "{shown}");
        assert!(shown.contains("class=\"badge state unreachable\">Injoignable<"));
        assert_eq!(
            app.store
                .channel(&scope, tribune_domain::ChannelId(id))
                .await
                .unwrap()
                .last_check_result
                .as_deref(),
            Some("unreachable")
        );
        assert!(banner(&html).is_none(), "unreachable is not broken");

        // The token was revoked: refused, the same word on the badge, the result and the flash.
        instance_refusing(&server).await;
        let response = check().await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/channels?flash=flash-warn-channel-broken")
        );
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        let shown = card(&html, id);
        assert!(shown.contains("\u{202f}: refusé"), "{shown}");
        assert!(
            shown.contains("class=\"badge state broken\">Refusé<"),
            "{shown}"
        );
        assert!(shown.contains(
            "Le réseau a répondu\u{202f}: «\u{202f}The access token is invalid\u{202f}»"
        ));
        assert!(html.contains("Identifiants refusés par le réseau\u{202f}: Mastodon"));

        // In English, the same vocabulary.
        app.post_form(&cm, "/lang", &[("lang", "en"), ("next", "/")])
            .await;
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        let shown = card(&html, id);
        assert!(shown.contains("Last checked "), "{shown}");
        assert!(shown.contains(": refused"), "{shown}");
        assert!(shown.contains(">Refused<"), "{shown}");
    })
    .await;
}

#[tokio::test]
async fn the_broken_channel_banner_tells_each_role_what_it_can_do() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        instance_accepting(&server, "good", "Marque").await;
        let (owner, scope) = app
            .member_with_workspace("owner@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let api = app.api_token("owner@example.fr").await;
        let channel: Value = connect_token(&app, &api, ws, &server.uri(), "good")
            .await
            .json()
            .await
            .unwrap();
        let id = channel["id"].as_i64().unwrap();
        let client = member_with_role(
            &app,
            &scope,
            "client@example.fr",
            tribune_domain::Role::Client,
        )
        .await;
        let contributor = member_with_role(
            &app,
            &scope,
            "writer@example.fr",
            tribune_domain::Role::Contributor,
        )
        .await;
        let manager = member_with_role(
            &app,
            &scope,
            "manager@example.fr",
            tribune_domain::Role::Manager,
        )
        .await;
        instance_refusing(&server).await;
        app.post_form(&owner, &format!("/w/{ws}/channels/{id}/check"), &[])
            .await;

        let reconnect_link = format!("<a href=\"/w/{ws}/channels\">Reconnecter</a>");
        for who in [&client, &contributor, &manager, &owner] {
            for page in [format!("/w/{ws}"), format!("/w/{ws}/channels")] {
                let (status, html) = app.get_text(who, &page).await;
                assert_eq!(status, StatusCode::OK, "{}", app.backend);
                let banner = banner(&html).expect("a banner");
                assert!(
                    banner.contains(
                        "Un canal ne fonctionne plus\u{202f}: le réseau a refusé ses identifiants."
                    ),
                    "{banner}"
                );
            }
        }
        let banner_of = |who| {
            let app = &app;
            async move {
                let (_, html) = app.get_text(who, &format!("/w/{ws}")).await;
                banner(&html).unwrap().to_owned()
            }
        };
        let seen = banner_of(&client).await;
        assert!(seen.contains("Votre agence a été prévenue."), "{seen}");
        assert!(!seen.contains("<a "), "no link a client cannot use: {seen}");
        let seen = banner_of(&contributor).await;
        assert!(
            seen.contains("Un responsable doit le reconnecter."),
            "{seen}"
        );
        assert!(!seen.contains("<a "), "{seen}");
        for who in [&manager, &owner] {
            let seen = banner_of(who).await;
            assert!(seen.contains(&reconnect_link), "{seen}");
            assert!(!seen.contains("agence"), "{seen}");
        }

        // In English too.
        app.post_form(&client, "/lang", &[("lang", "en"), ("next", "/")])
            .await;
        let seen = banner_of(&client).await;
        assert!(seen.contains("Your agency has been told."), "{seen}");
        assert!(!seen.contains("<a "), "{seen}");
        // Nor is the reconnect form on the client's channels page.
        let (_, html) = app.get_text(&client, &format!("/w/{ws}/channels")).await;
        assert!(!html.contains("details class=\"reconnect\""));
    })
    .await;
}

#[tokio::test]
async fn a_channel_connected_by_pasted_token_is_reconnected_by_pasted_token() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        instance_accepting(&server, "good", "Marque").await;
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/connect/mastodon-token"),
                &[("instance", &server.uri()), ("access_token", "good")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let id = app.store.channels(&scope).await.unwrap()[0].id;
        instance_refusing(&server).await;
        app.post_form(&cm, &format!("/w/{ws}/channels/{id}/check"), &[])
            .await;

        // The broken card offers a pasted token, on the same instance, as well as OAuth.
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        let shown = card(&html, id);
        let reconnect = &shown[shown
            .find("details class=\"reconnect\"")
            .expect("reconnect")..];
        let reconnect = &reconnect[..reconnect.find("</details>").expect("end of the box")];
        assert!(reconnect.contains(&format!("action=\"/w/{ws}/channels/connect/mastodon\"")));
        let token_form = &reconnect[reconnect
            .find(&format!(
                "action=\"/w/{ws}/channels/connect/mastodon-token\""
            ))
            .expect("a token form in the reconnect box")..];
        let instance = server.uri();
        assert!(
            token_form.contains(&format!(
                "<input type=\"hidden\" name=\"instance\" value=\"{instance}\">"
            )),
            "{token_form}"
        );
        assert!(token_form.contains("name=\"access_token\" type=\"password\" required"));

        // Sent as that form sends it: the same channel, active again.
        server.reset().await;
        instance_accepting(&server, "renewed", "Marque").await;
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/connect/mastodon-token"),
                &[("instance", &instance), ("access_token", "renewed")],
            )
            .await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/channels?flash=flash-channel-connected")
        );
        let channels = app.store.channels(&scope).await.unwrap();
        assert_eq!(channels.len(), 1);
        assert_eq!(channels[0].id, id);
        assert_eq!(
            channels[0].state,
            tribune_store::channels::ChannelState::Active
        );
        // The card no longer shows the refusal of the check before.
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        let shown = card(&html, id);
        assert!(shown.contains("\u{202f}: identifiants acceptés"), "{shown}");
        assert!(!shown.contains("refusé"), "{shown}");
    })
    .await;
}

#[tokio::test]
async fn the_channels_page_allows_http_consent_pages_only_when_http_networks_are_allowed() {
    for allow_http_networks in [false, true] {
        for db in tribune_store::testing::TestDb::all().await {
            let config = tribune_web::WebConfig {
                allow_http_networks,
                ..Default::default()
            };
            let app = TestApp::spawn_with(db, config).await;
            let (cm, scope) = app
                .member_with_workspace("cm@example.fr", "Boulangerie")
                .await;
            let ws = scope.workspace().0;
            let response = app.get(&cm, &format!("/w/{ws}/channels")).await;
            assert_eq!(response.status(), StatusCode::OK);
            let csp = response.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_owned();
            let form_action = csp
                .split(';')
                .map(str::trim)
                .find(|d| d.starts_with("form-action"))
                .unwrap()
                .to_owned();
            let sources: Vec<&str> = form_action.split_whitespace().skip(1).collect();
            assert!(sources.contains(&"https:"), "{csp}");
            assert_eq!(
                sources.contains(&"http:"),
                allow_http_networks,
                "{}: {csp}",
                app.backend
            );
            // Other pages never send forms off the site.
            let overview = app.get(&cm, &format!("/w/{ws}")).await;
            let csp = overview.headers()["content-security-policy"]
                .to_str()
                .unwrap();
            assert!(csp.contains("form-action 'self';"), "{csp}");
        }
    }
}

#[tokio::test]
async fn undecryptable_credentials_are_explained_in_the_readers_language_not_as_the_networks() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        instance_accepting(&server, "good", "Marque").await;
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let api = app.api_token("cm@example.fr").await;
        let channel: Value = connect_token(&app, &api, ws, &server.uri(), "good")
            .await
            .json()
            .await
            .unwrap();
        let id = tribune_domain::ChannelId(channel["id"].as_i64().unwrap());
        // Credentials sealed under a key this installation no longer has.
        let sealed = app.store.channel_credentials(&scope, id).await.unwrap();
        let other_key = tribune_domain::security::secret_box::SecretBox::from_base64_key(
            &tribune_domain::security::secret_box::SecretBox::generate_key(),
        )
        .unwrap();
        assert!(
            app.store
                .update_channel_credentials(
                    sealed.key(),
                    sealed.credentials.as_deref().unwrap(),
                    &other_key.seal("{}"),
                    None,
                    tribune_store::unix_now(),
                )
                .await
                .unwrap()
        );
        let response = app
            .post_form(&cm, &format!("/w/{ws}/channels/{}/check", id.0), &[])
            .await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/channels?flash=flash-warn-channel-not-active"),
            "{}",
            app.backend
        );

        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        let shown = card(&html, id);
        assert!(shown.contains("Les identifiants enregistrés ne peuvent plus être déchiffrés (la clé secrète de cette installation a changé)\u{202f}: reconnectez le canal."), "{shown}");
        assert!(!html.contains("Le réseau a répondu"), "tribune's words are not the network's");
        assert!(!html.contains("cannot be decrypted"), "nor in English");
        let alerts = &html[html.find("id=\"alerts-title\"").expect("alerts")..];
        assert!(alerts.contains("Les identifiants enregistrés ne peuvent plus être déchiffrés"));

        app.post_form(&cm, "/lang", &[("lang", "en"), ("next", "/")])
            .await;
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        assert!(html.contains("The stored credentials can no longer be decrypted (this installation's secret key changed): reconnect the channel.") || html.contains("The stored credentials can no longer be decrypted (this installation&#39;s secret key changed): reconnect the channel."), "{html}");
        assert!(!html.contains("The network said"), "{html}");

        // The API gives the reason as a code, and no text as the network's.
        let channel: Value = app
            .api(&api, Method::GET, &format!("/workspaces/{ws}/channels/{}", id.0))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(channel["state"], "broken");
        assert_eq!(channel["state_reason"], "credentials_sealed");
        assert_eq!(channel["state_message"], "");
    })
    .await;
}

#[tokio::test]
async fn a_redirect_tribune_refuses_to_follow_has_its_own_message() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/api/v1/accounts/verify_credentials"))
            .respond_with(ResponseTemplate::new(302).insert_header(
                "location",
                "https://elsewhere.invalid/api/v1/accounts/verify_credentials",
            ))
            .mount(&server)
            .await;
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/connect/mastodon-token"),
                &[("instance", &server.uri()), ("access_token", "good")],
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
            html.contains("Le réseau a renvoyé vers une adresse que tribune ne suit pas"),
            "{html}"
        );
        assert!(
            !html.contains("Le réseau a refusé"),
            "a redirect is not a refusal"
        );
        assert!(app.store.channels(&scope).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn disconnecting_asks_for_confirmation_and_says_what_is_lost() {
    each_backend(|app: TestApp| async move {
        let server = MockServer::start().await;
        instance_accepting(&server, "good", "Marque").await;
        let (cm, scope) = app
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

        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/channels")).await;
        let shown = card(&html, id);
        assert!(shown.contains("Les identifiants de ce canal seront effacés de tribune"));
        assert!(shown.contains("<input type=\"checkbox\" name=\"confirm\" required> J’ai compris"));

        // A misclick or a script that skips the box: refused, nothing lost.
        let response = app
            .post_form(&cm, &format!("/w/{ws}/channels/{id}/disconnect"), &[])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{}",
            app.backend
        );
        let body = response.text().await.unwrap();
        assert!(
            body.contains(
                "Cochez «\u{202f}J’ai compris\u{202f}» pour confirmer\u{202f}: rien n’a été fait."
            ),
            "{body}"
        );
        let kept = app
            .store
            .channel(&scope, tribune_domain::ChannelId(id))
            .await
            .unwrap();
        assert_eq!(kept.state, tribune_store::channels::ChannelState::Active);

        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/channels/{id}/disconnect"),
                &[("confirm", "on")],
            )
            .await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/channels?flash=flash-channel-disconnected")
        );
        let gone = app
            .store
            .channel(&scope, tribune_domain::ChannelId(id))
            .await
            .unwrap();
        assert_eq!(
            gone.state,
            tribune_store::channels::ChannelState::Disconnected
        );
    })
    .await;
}
