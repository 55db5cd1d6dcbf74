//! Bad input gets a clear 4xx, and nothing is half-written.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{TestApp, each_backend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn workspace_count(app: &TestApp, token: &str) -> usize {
    let list: Value = app
        .api(token, Method::GET, "/workspaces")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array().unwrap().len()
}

#[tokio::test]
async fn malformed_and_invalid_json_is_refused_with_a_problem_body() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let token = app.api_token("owner@example.fr").await;
        let cases: &[(&str, StatusCode, &str)] = &[
            ("{\"name\": ", StatusCode::BAD_REQUEST, "error-json-syntax"),
            (
                "[1, 2, 3]",
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-shape",
            ),
            (
                r#"{"name": "X", "admin": true}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-unknown-field",
            ),
            (
                r#"{"name": 42}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-field",
            ),
            (
                r#"{"name": "X", "timezone": "Mars/Olympus"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-invalid",
            ),
            (
                r#"{"name": "   "}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-invalid",
            ),
            (
                r#"{"name": "a\u0000b"}"#,
                StatusCode::BAD_REQUEST,
                "error-nul-character",
            ),
            (
                r#"{"name": "X", "languages": ["klingon"]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-invalid",
            ),
        ];
        for (body, status, code) in cases {
            let response = app
                .api(&token, Method::POST, "/workspaces")
                .header("content-type", "application/json")
                .body(*body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), *status, "{body} on {}", app.backend);
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["code"], *code, "{body}");
        }
        let long_name = json!({"name": "x".repeat(101)});
        let response = app
            .api(&token, Method::POST, "/workspaces")
            .json(&long_name)
            .send()
            .await
            .unwrap();
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "name");
        assert_eq!(problem["errors"][0]["code"], "error-too-long");
        let wrong_type = app
            .api(&token, Method::POST, "/workspaces")
            .body("name=x")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            workspace_count(&app, &token).await,
            0,
            "nothing was created"
        );
    })
    .await;
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner("owner@example.fr").await;
        let token = app.api_token("owner@example.fr").await;
        let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
        let response = app
            .api(&token, Method::POST, "/workspaces")
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            app.backend
        );
        let csrf = app.csrf(&owner, "/workspaces").await;
        let form = app
            .post_form_raw(
                &owner,
                "/workspaces",
                &[("_csrf", &csrf), ("name", &"x".repeat(2 * 1024 * 1024))],
            )
            .await;
        assert_eq!(form.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(workspace_count(&app, &token).await, 0);
        // Within the limit, an over-long name is a validation error shown on the form.
        let form = app
            .post_form(&owner, "/workspaces", &[("name", &"x".repeat(5000))])
            .await;
        assert_eq!(form.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            form.text()
                .await
                .unwrap()
                .contains("Ce texte est trop long.")
        );
        assert_eq!(workspace_count(&app, &token).await, 0);
    })
    .await;
}

#[tokio::test]
async fn unknown_ids_and_routes_are_404s() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner("owner@example.fr").await;
        let token = app.api_token("owner@example.fr").await;
        for path in [
            "/w/999999",
            "/w/abc",
            "/w/-1/settings",
            "/w/99999999999999999999999",
            "/nowhere",
            "/g/unknown",
            "/invite/unknown",
            "/static/../Cargo.toml",
        ] {
            let (status, html) = app.get_text(&owner, path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} on {}", app.backend);
            assert!(
                html.contains("Page introuvable"),
                "{path} gets the translated page"
            );
        }
        for path in ["/workspaces/999999", "/workspaces/abc/members", "/nowhere"] {
            let response = app.api(&token, Method::GET, path).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
        }
        let method = app
            .api(&token, Method::PUT, "/workspaces")
            .send()
            .await
            .unwrap();
        assert_eq!(method.status(), StatusCode::METHOD_NOT_ALLOWED);
    })
    .await;
}

#[tokio::test]
async fn malformed_forms_get_a_clear_error() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner("owner@example.fr").await;
        let token = app.csrf(&owner, "/workspaces").await;
        let response = owner
            .post(format!("{}/workspaces", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={token}&lang_fr=on&name"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let role = app
            .post_form(&owner, "/workspaces/0/invitations", &[("role", "emperor")])
            .await;
        assert_eq!(role.status(), StatusCode::NOT_FOUND);
        let ws = app
            .post_form(&owner, "/workspaces", &[("name", "Valide")])
            .await;
        let path = common::location(&ws);
        let id = path
            .trim_start_matches("/w/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let bad_role = app
            .post_form(
                &owner,
                &format!("/w/{id}/invitations"),
                &[("email", "a@b.fr"), ("role", "emperor")],
            )
            .await;
        assert_eq!(bad_role.status(), StatusCode::BAD_REQUEST);
        assert!(bad_role.text().await.unwrap().contains("Rôle inconnu."));
    })
    .await;
}

/// In a workspace the user belongs to, an id segment that is not an id (letters, a number too
/// large) is a translated 400 page, never a server error; the workspace segment itself is a 404
/// (`unknown_ids_and_routes_are_404s`).
#[tokio::test]
async fn malformed_ids_in_page_paths_are_a_clear_400() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let (member, scope) = app.member_with_workspace("bob@example.fr", "Bob Co").await;
        let ws = scope.workspace();
        for id in ["abc", "99999999999999999999"] {
            let (status, html) = app
                .get_text(&member, &format!("/w/{ws}/channels/{id}/avatar"))
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{id} on {}", app.backend);
            assert!(html.contains("Requête invalide"), "{id}: {html}");
            for path in [
                format!("/w/{ws}/members/{id}/remove"),
                format!("/w/{ws}/invitations/{id}/revoke"),
                format!("/account/tokens/{id}/revoke"),
                format!("/account/sessions/{id}/revoke"),
            ] {
                let response = app.post_form(&member, &path, &[("confirm", "on")]).await;
                assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
                assert!(
                    response.text().await.unwrap().contains("Requête invalide"),
                    "{path}"
                );
            }
        }
    })
    .await;
}

/// NUL characters: PostgreSQL cannot store them and SQLite would, so both answer 400 with a
/// clear message, in forms, JSON bodies and query strings, whatever the field.
#[tokio::test]
async fn nul_characters_are_a_clear_400_on_both_databases() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner("owner@example.fr").await;
        let token = app.api_token("owner@example.fr").await;
        let workspaces = workspace_count(&app, &token).await;
        // A field with no rule against control characters (brand voice) and one with (name).
        let bodies = [
            json!({ "name": "Brand", "brand_voice": "ok\u{0}then" }),
            json!({ "name": "ok\u{0}then" }),
        ];
        for body in bodies {
            let response = app
                .api(&token, Method::POST, "/workspaces")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "{body} on {}",
                app.backend
            );
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["code"], "error-nul-character");
            assert!(
                problem["title"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("NUL"),
                "{problem}"
            );
        }
        let response = app
            .post_form(
                &owner,
                "/workspaces",
                &[("name", "Brand\0"), ("timezone", "Europe/Paris")],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "form on {}",
            app.backend
        );
        let response = app
            .api(&token, Method::GET, "/workspaces?x=%00")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "query on {}",
            app.backend
        );
        // Nothing was created, and the escaped text "\u0000" itself is fine.
        assert_eq!(workspace_count(&app, &token).await, workspaces);
        let response = app
            .api(&token, Method::POST, "/workspaces")
            .header("content-type", "application/json")
            .body(r#"{"name": "Brand", "brand_voice": "literal \\u0000 text"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{}", app.backend);
    })
    .await;
}
