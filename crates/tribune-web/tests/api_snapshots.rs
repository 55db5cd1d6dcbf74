//! The JSON of every API endpoint, and the OpenAPI document, as `insta` snapshots (under
//! `tests/snapshots/`). Ids, times, slugs and addresses are redacted; everything else must stay
//! as committed, on SQLite and PostgreSQL alike. A change shows as a diff to review
//! (`cargo insta review`); under `CI=true` nothing is written and a mismatch fails.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{PASSWORD, TestApp, each_backend};
use insta::{assert_json_snapshot, dynamic_redaction};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const OPENAPI: &str = include_str!("../src/api/openapi.json");
const ACCOUNT: &str = include_str!("../../tribune-connectors/tests/fixtures/mastodon/account.json");

/// Ids, times (when set), slugs and addresses vary from run to run.
fn redacted() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for id in [".**.id", ".**.user_id"] {
        settings.add_redaction(id, "[id]");
    }
    for time in [
        "created_at",
        "updated_at",
        "joined_at",
        "expires_at",
        "state_changed_at",
        "last_checked_at",
        "token_expires_at",
        "rate_limited_until",
    ] {
        settings.add_redaction(
            &format!(".**.{time}"),
            dynamic_redaction(|value, _| {
                if value.is_nil() {
                    value
                } else {
                    "[time]".into()
                }
            }),
        );
    }
    for address in [
        ".**.public_slug",
        ".**.url",
        ".**.avatar_url",
        ".**.profile_url",
    ] {
        settings.add_redaction(address, "[redacted]");
    }
    settings
}

/// A Mastodon instance that accepts `token`.
async fn mastodon(token: &str) -> MockServer {
    let server = MockServer::start().await;
    let mut account: Value = serde_json::from_str(ACCOUNT).unwrap();
    account["avatar"] = json!(format!("{}/avatar.png", server.uri()));
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(account))
        .mount(&server)
        .await;
    for missing in ["/avatar.png", "/api/v2/instance", "/api/v1/instance"] {
        Mock::given(method("GET"))
            .and(path(missing))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
    }
    server
}

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.api(token, method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_endpoint_answers_the_committed_json() {
    let _settings = redacted().bind_to_scope();
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let token = app.api_token("owner@example.fr").await;
        let (_, me) = call(&app, &token, Method::GET, "/me", None).await;
        assert_json_snapshot!("me", me);

        let (status, ws) = call(
            &app,
            &token,
            Method::POST,
            "/workspaces",
            Some(json!({"name": "Agence Lumière", "languages": ["fr", "en"], "words_to_avoid": ["gratuit"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{}", app.backend);
        assert_json_snapshot!("workspace_created", ws);
        let id = ws["id"].as_i64().unwrap();
        let (_, list) = call(&app, &token, Method::GET, "/workspaces", None).await;
        assert_json_snapshot!("workspace_list", list);
        let (_, shown) = call(&app, &token, Method::GET, &format!("/workspaces/{id}"), None).await;
        assert_json_snapshot!("workspace_show", shown);
        let (_, patched) = call(
            &app,
            &token,
            Method::PATCH,
            &format!("/workspaces/{id}"),
            Some(json!({"timezone": "Europe/Brussels", "guidelines_public": true})),
        )
        .await;
        assert_json_snapshot!("workspace_patched", patched);

        let (status, invited) = call(
            &app,
            &token,
            Method::POST,
            &format!("/workspaces/{id}/invitations"),
            Some(json!({"email": "cm@agence.fr", "role": "contributor"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_json_snapshot!("invitation_created", invited);
        let (_, pending) =
            call(&app, &token, Method::GET, &format!("/workspaces/{id}/invitations"), None).await;
        assert_json_snapshot!("invitation_list", pending);
        let guest = app.browser();
        let link = invited["url"].as_str().unwrap().trim_start_matches(&app.url).to_owned();
        app.post_form(&guest, &link, &[("name", "Camille"), ("password", PASSWORD)])
            .await;
        let (_, members) =
            call(&app, &token, Method::GET, &format!("/workspaces/{id}/members"), None).await;
        assert_json_snapshot!("member_list", members);

        let server = mastodon("jeton-valide").await;
        let (status, channel) = call(
            &app,
            &token,
            Method::POST,
            &format!("/workspaces/{id}/channels"),
            Some(json!({"network": "mastodon", "instance": server.uri(), "access_token": "jeton-valide"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        assert_json_snapshot!("channel_connected", channel);
        let channel_id = channel["id"].as_i64().unwrap();
        let (_, channels) =
            call(&app, &token, Method::GET, &format!("/workspaces/{id}/channels"), None).await;
        assert_json_snapshot!("channel_list", channels);
        let (_, shown) = call(
            &app,
            &token,
            Method::GET,
            &format!("/workspaces/{id}/channels/{channel_id}"),
            None,
        )
        .await;
        assert_json_snapshot!("channel_show", shown);
        let (_, checked) = call(
            &app,
            &token,
            Method::POST,
            &format!("/workspaces/{id}/channels/{channel_id}/check"),
            None,
        )
        .await;
        assert_json_snapshot!("channel_checked", checked);

        let (status, link) = call(
            &app,
            &token,
            Method::POST,
            &format!("/workspaces/{id}/links"),
            Some(json!({
                "target": "https://agence-lumiere.example/offres?ref=reseaux",
                "utm_source": "mastodon",
                "utm_medium": "social",
                "utm_campaign": "rentrée",
                "channel_id": channel_id,
            })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{link}");
        // Codes are random; the short address holds one (and the test server's port).
        assert_json_snapshot!("link_created", link, {".code" => "[code]", ".short_url" => "[redacted]"});
        let link_id = link["id"].as_i64().unwrap();
        let (_, shown) =
            call(&app, &token, Method::GET, &format!("/workspaces/{id}/links/{link_id}"), None).await;
        assert_json_snapshot!("link_show", shown, {".code" => "[code]", ".short_url" => "[redacted]"});
        let (_, links) =
            call(&app, &token, Method::GET, &format!("/workspaces/{id}/links"), None).await;
        assert_json_snapshot!("link_list", links, {"[].code" => "[code]", "[].short_url" => "[redacted]"});

        // Problems: French (the owner's language), each naming what is wrong.
        let problems = [
            (Method::GET, format!("/workspaces/{id}/channels/999999"), None, "problem_not_found"),
            (Method::GET, "/nope".to_owned(), None, "problem_unknown_path"),
            (Method::PUT, "/workspaces".to_owned(), None, "problem_method"),
            (Method::GET, "/workspaces?limt=10".to_owned(), None, "problem_unknown_query"),
            (Method::GET, "/workspaces?limit=500".to_owned(), None, "problem_invalid_limit"),
            (Method::POST, "/workspaces".to_owned(), Some(json!({"name": "A", "colour": "red"})), "problem_json_unknown_field"),
            (Method::PATCH, format!("/workspaces/{id}"), Some(json!({"languages": ["fr", 3]})), "problem_json_field"),
            (Method::POST, format!("/workspaces/{id}/invitations"), Some(json!({"role": "owner"})), "problem_json_missing_field"),
            (Method::POST, "/workspaces".to_owned(), Some(json!({"name": "", "timezone": "Mars/Olympus"})), "problem_invalid"),
        ];
        for (method, path, body, name) in problems {
            let (status, problem) = call(&app, &token, method, &path, body).await;
            assert!(status.is_client_error(), "{path}: {status}");
            assert_json_snapshot!(name, problem);
        }
    })
    .await;
}

#[test]
fn the_openapi_document_is_as_committed() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    assert_json_snapshot!("openapi", doc);
}
