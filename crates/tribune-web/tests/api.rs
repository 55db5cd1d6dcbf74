//! The REST API with personal tokens, and its OpenAPI description.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{PASSWORD, TestApp, each_backend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const API_ROUTES: &str = include_str!("../src/api/mod.rs");
const OPENAPI: &str = include_str!("../src/api/openapi.json");

#[test]
fn the_openapi_document_describes_every_api_route() {
    let doc: Value = serde_json::from_str(OPENAPI).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut routes = Vec::new();
    for chunk in API_ROUTES.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).expect("path");
        routes.push(path.to_owned());
        if path != "/openapi.json" {
            assert!(paths.contains_key(path), "{path} is not in openapi.json");
        }
    }
    for path in paths.keys() {
        assert!(
            routes.contains(path),
            "openapi.json describes {path}, which has no route"
        );
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_problems() {
    each_backend(|app: TestApp| async move {
        let response = reqwest::get(format!("{}/api/v1/workspaces", app.url))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "error-login-required");
        let response = app
            .api("trb_forged", Method::GET, "/me")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        // A session cookie does not open the API (it would bypass CSRF protection).
        let owner = app.setup_owner("owner@example.fr").await;
        let response = owner
            .get(format!("{}/api/v1/me", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{}",
            app.backend
        );
    })
    .await;
}

#[tokio::test]
async fn a_script_manages_workspaces_members_and_invitations() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let token = app.api_token("owner@example.fr").await;
        let me: Value = app.api(&token, Method::GET, "/me").send().await.unwrap().json().await.unwrap();
        assert_eq!(me["email"], "owner@example.fr");

        let response = app
            .api(&token, Method::POST, "/workspaces")
            .json(&json!({"name": "Agence Lumière", "languages": ["fr", "en"], "words_to_avoid": ["gratuit"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{}", app.backend);
        let ws: Value = response.json().await.unwrap();
        assert_eq!(ws["timezone"], "Europe/Paris");
        assert_eq!(ws["languages"], json!(["fr", "en"]));
        let id = ws["id"].as_i64().unwrap();

        let patched: Value = app
            .api(&token, Method::PATCH, &format!("/workspaces/{id}"))
            .json(&json!({"timezone": "Europe/Brussels", "guidelines": "Restez courtois."}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(patched["timezone"], "Europe/Brussels");
        assert_eq!(patched["name"], "Agence Lumière", "fields left out keep their value");
        assert_eq!(patched["words_to_avoid"], json!(["gratuit"]));

        let list: Value = app.api(&token, Method::GET, "/workspaces").send().await.unwrap().json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);

        let created: Value = app
            .api(&token, Method::POST, &format!("/workspaces/{id}/invitations"))
            .json(&json!({"email": "cm@agence.fr", "role": "contributor"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = created["url"].as_str().unwrap();
        assert!(url.starts_with(&format!("{}/invite/", app.url)));
        let pending: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{id}/invitations"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(pending[0]["email"], "cm@agence.fr");

        let guest = app.browser();
        let path = url.trim_start_matches(&app.url);
        app.post_form(&guest, path, &[("name", "Camille"), ("password", PASSWORD)]).await;
        let members: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{id}/members"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(members.as_array().unwrap().len(), 2, "{}", app.backend);
        let camille = members.as_array().unwrap().iter().find(|m| m["email"] == "cm@agence.fr").unwrap();
        let camille_id = camille["user_id"].as_i64().unwrap();

        // The contributor's own token cannot change the profile.
        let theirs = app.api_token("cm@agence.fr").await;
        let refused = app
            .api(&theirs, Method::PATCH, &format!("/workspaces/{id}"))
            .json(&json!({"name": "Hacked"}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);

        let promoted = app
            .api(&token, Method::PATCH, &format!("/workspaces/{id}/members/{camille_id}"))
            .json(&json!({"role": "manager"}))
            .send()
            .await
            .unwrap();
        assert_eq!(promoted.status(), StatusCode::NO_CONTENT);
        let removed = app
            .api(&token, Method::DELETE, &format!("/workspaces/{id}/members/{camille_id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        let last_owner = app
            .api(&token, Method::DELETE, &format!("/workspaces/{id}/members/{}", me["id"]))
            .send()
            .await
            .unwrap();
        assert_eq!(last_owner.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = last_owner.json().await.unwrap();
        assert_eq!(body["code"], "error-last-owner");

        let deleted = app.api(&token, Method::DELETE, &format!("/workspaces/{id}")).send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        let gone = app.api(&token, Method::GET, &format!("/workspaces/{id}")).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn problems_are_translated_by_accept_language() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let token = app.api_token("owner@example.fr").await;
        let fr: Value = app
            .api(&token, Method::GET, "/workspaces/999")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let en: Value = app
            .api(&token, Method::GET, "/workspaces/999")
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (fr["code"].as_str(), en["code"].as_str()),
            (Some("error-not-found"), Some("error-not-found"))
        );
        assert_eq!(fr["title"], "Page introuvable");
        assert_eq!(en["title"], "Page not found");
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    each_backend(|app: TestApp| async move {
        let response = reqwest::get(format!("{}/api/v1/openapi.json", app.url))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let doc: Value = response.json().await.unwrap();
        assert!(doc["paths"]["/workspaces/{ws}/members"].is_object());
    })
    .await;
}
