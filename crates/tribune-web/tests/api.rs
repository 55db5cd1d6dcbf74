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

const PAGE: &str = include_str!("../src/api/page.rs");

#[test]
fn the_openapi_document_describes_pagination_location_and_problems() {
    let doc: Value = serde_json::from_str(OPENAPI).expect("valid JSON");
    let lists: Vec<&str> = PAGE
        .split("pub const LIST_ROUTES")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("LIST_ROUTES")
        .split('"')
        .skip(1)
        .step_by(2)
        .collect();
    assert_eq!(lists.len(), 7, "{lists:?}");
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let params: Vec<&str> = operation["parameters"]
                .as_array()
                .map(|p| p.iter().filter_map(|p| p["$ref"].as_str()).collect())
                .unwrap_or_default();
            let paginated = params.contains(&"#/components/parameters/Limit");
            let is_list = method == "get" && lists.contains(&path.as_str());
            assert_eq!(
                paginated, is_list,
                "{method} {path}: pagination documented iff it is a list"
            );
            assert_eq!(params.contains(&"#/components/parameters/Cursor"), is_list);
            let responses = &operation["responses"];
            if is_list {
                assert!(
                    responses["200"]["headers"]["Link"].is_object(),
                    "{method} {path}"
                );
            }
            if let Some(created) = responses.get("201") {
                assert!(
                    created["headers"]["Location"].is_object(),
                    "{method} {path}"
                );
            }
            for status in ["400", "401", "404"] {
                assert_eq!(
                    responses[status]["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
        }
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
        assert_eq!(fr["title"], "Ressource introuvable");
        assert_eq!(en["title"], "Resource not found");
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

/// A user with a token, speaking `lang`, and a workspace of their own.
async fn scripter(app: &TestApp, email: &str, lang: tribune_domain::Lang) -> (String, i64) {
    let (_, scope) = app.member_with_workspace(email, "Agence Lumière").await;
    let user = app.store.user_by_email(email).await.unwrap().unwrap();
    app.store
        .set_locale(user.user_id(), Some(lang))
        .await
        .unwrap();
    (app.api_token(email).await, scope.workspace().0)
}

fn assert_problem(response: &reqwest::Response, status: StatusCode, backend: &str) {
    assert_eq!(response.status(), status, "{backend}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{backend}"
    );
}

#[tokio::test]
async fn without_accept_language_problems_speak_the_users_language() {
    each_backend(|app: TestApp| async move {
        let (en, _) = scripter(&app, "en@example.org", tribune_domain::Lang::En).await;
        let (fr, _) = scripter(&app, "fr@example.fr", tribune_domain::Lang::Fr).await;
        for (token, title) in [(&en, "Resource not found"), (&fr, "Ressource introuvable")] {
            let response = app
                .api(token, Method::GET, "/workspaces/999")
                .send()
                .await
                .unwrap();
            assert_problem(&response, StatusCode::NOT_FOUND, app.backend);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["title"], title, "{}", app.backend);
        }
        // An explicit header still wins.
        let body: Value = app
            .api(&en, Method::GET, "/workspaces/999")
            .header("accept-language", "fr-FR,fr;q=0.9")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["title"], "Ressource introuvable");
        // A header naming only languages tribune lacks counts as no header.
        let body: Value = app
            .api(&en, Method::GET, "/workspaces/999")
            .header("accept-language", "de-DE,de;q=0.9")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["title"], "Resource not found");
    })
    .await;
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_json_problems() {
    each_backend(|app: TestApp| async move {
        let (token, ws) = scripter(&app, "en@example.org", tribune_domain::Lang::En).await;
        for (method, path, status) in [
            (Method::GET, "/nope".to_owned(), StatusCode::NOT_FOUND),
            (
                Method::GET,
                "/workspaces/1/nope/2".to_owned(),
                StatusCode::NOT_FOUND,
            ),
            (
                Method::PUT,
                "/workspaces".to_owned(),
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            (
                Method::POST,
                format!("/workspaces/{ws}/members"),
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            (
                Method::GET,
                format!("/workspaces/{ws}/channels/abc"),
                StatusCode::NOT_FOUND,
            ),
            (
                Method::GET,
                "/workspaces/abc".to_owned(),
                StatusCode::NOT_FOUND,
            ),
        ] {
            let response = app.api(&token, method.clone(), &path).send().await.unwrap();
            assert_problem(&response, status, app.backend);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["status"], status.as_u16());
            let title = body["title"].as_str().unwrap();
            assert!(
                !title.contains("Page"),
                "{method} {path}: an HTML page title: {title}"
            );
            assert!(
                body.get("detail")
                    .is_none_or(|d| !d.as_str().unwrap().contains("parse")),
                "{body}"
            );
        }
        // Without a token an unknown path is still a JSON problem, not a login redirect.
        let response = reqwest::get(format!("{}/api/v1/nope", app.url))
            .await
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    })
    .await;
}

#[tokio::test]
async fn malformed_json_is_explained_in_the_users_language_without_parser_english() {
    each_backend(|app: TestApp| async move {
        let (token, ws) = scripter(&app, "fr@example.fr", tribune_domain::Lang::Fr).await;
        let send = |method: Method, path: String, body: &'static str| {
            app.api(&token, method, &path)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let cases = [
            (
                Method::POST,
                "/workspaces".to_owned(),
                r#"{"name": 12}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-field",
                Some("name"),
            ),
            (
                Method::POST,
                "/workspaces".to_owned(),
                r#"{"name": "A", "colour": "red"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-unknown-field",
                Some("colour"),
            ),
            (
                Method::POST,
                format!("/workspaces/{ws}/invitations"),
                r#"{"role": "contributor"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-missing-field",
                Some("email"),
            ),
            (
                Method::POST,
                format!("/workspaces/{ws}/invitations"),
                r#"{"email": "a@b.fr", "role": "king"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-field",
                Some("role"),
            ),
            (
                Method::PATCH,
                format!("/workspaces/{ws}"),
                r#"{"languages": ["fr", 3]}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-field",
                Some("languages[1]"),
            ),
            (
                Method::POST,
                "/workspaces".to_owned(),
                r#"{"name": "#,
                StatusCode::BAD_REQUEST,
                "error-json-syntax",
                None,
            ),
            (
                Method::POST,
                "/workspaces".to_owned(),
                "[1, 2]",
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-json-shape",
                None,
            ),
        ];
        for (method, path, body, status, code, field) in cases {
            let response = send(method, path.clone(), body).await.unwrap();
            assert_problem(&response, status, app.backend);
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["code"], code, "{path} {body}: {problem}");
            let detail = problem["detail"].as_str().unwrap_or_default();
            for english in [
                "invalid type",
                "expected",
                "unknown field",
                "missing field",
                "EOF",
                "Failed to",
            ] {
                assert!(
                    !detail.contains(english),
                    "{body}: parser English in {detail}"
                );
            }
            if let Some(field) = field {
                assert!(
                    detail.contains(&format!("«\u{a0}{field}\u{a0}»")),
                    "{body}: {detail}"
                );
                assert_eq!(problem["errors"][0]["field"], field, "{problem}");
            }
        }
        // Without a JSON content type: 415, in French too.
        let response = app
            .api(&token, Method::POST, "/workspaces")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_problem(&response, StatusCode::UNSUPPORTED_MEDIA_TYPE, app.backend);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["title"], "Type de contenu non pris en charge");
        assert!(problem.get("detail").is_none(), "{problem}");
    })
    .await;
}

#[tokio::test]
async fn created_resources_answer_201_with_their_location() {
    each_backend(|app: TestApp| async move {
        let (token, _) = scripter(&app, "fr@example.fr", tribune_domain::Lang::Fr).await;
        let response = app
            .api(&token, Method::POST, "/workspaces")
            .json(&json!({"name": "Boulangerie"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let location = common::location(&response);
        let ws: Value = response.json().await.unwrap();
        assert_eq!(location, format!("/api/v1/workspaces/{}", ws["id"]));
        let fetched: Value = app
            .api(&token, Method::GET, location.trim_start_matches("/api/v1"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(fetched, ws, "the Location names the created workspace");

        let response = app
            .api(
                &token,
                Method::POST,
                &format!("/workspaces/{}/invitations", ws["id"]),
            )
            .json(&json!({"email": "cm@agence.fr", "role": "contributor"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let location = common::location(&response);
        let created: Value = response.json().await.unwrap();
        assert_eq!(
            location,
            format!(
                "/api/v1/workspaces/{}/invitations/{}",
                ws["id"], created["invitation"]["id"]
            )
        );
        let revoked = app
            .api(
                &token,
                Method::DELETE,
                location.trim_start_matches("/api/v1"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    })
    .await;
}

/// The `rel="next"` target of a `Link` header, if any.
fn next_link(response: &reqwest::Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().unwrap().to_owned();
    let target = link.strip_prefix('<')?.split_once(">; rel=\"next\"")?.0;
    Some(target.to_owned())
}

#[tokio::test]
async fn lists_are_paginated_by_cursor_and_limit_with_a_next_link() {
    each_backend(|app: TestApp| async move {
        let (token, _) = scripter(&app, "fr@example.fr", tribune_domain::Lang::Fr).await;
        let user = app
            .store
            .user_by_email("fr@example.fr")
            .await
            .unwrap()
            .unwrap();
        for n in 1..120 {
            let profile = tribune_domain::workspace::WorkspaceInput {
                // Equal names on purpose: the order must still be total.
                name: format!("Client {:03}", n % 40),
                ..Default::default()
            }
            .validate()
            .unwrap();
            app.store
                .create_workspace(user.user_id(), &profile)
                .await
                .unwrap();
        }
        // The default page is 50 items long.
        let response = app
            .api(&token, Method::GET, "/workspaces")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(next_link(&response).unwrap().contains("limit=50"));
        assert_eq!(
            response
                .json::<Value>()
                .await
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            50
        );

        let mut seen = Vec::new();
        let mut pages = 0;
        let mut next = Some("/api/v1/workspaces?limit=45".to_owned());
        while let Some(target) = next {
            let response = app
                .api(&token, Method::GET, target.trim_start_matches("/api/v1"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{target}");
            next = next_link(&response);
            let page: Value = response.json().await.unwrap();
            let page = page.as_array().unwrap();
            assert!(page.len() <= 45);
            seen.extend(page.iter().map(|w| {
                (
                    w["name"].as_str().unwrap().to_owned(),
                    w["id"].as_i64().unwrap(),
                )
            }));
            pages += 1;
            assert!(pages <= 3, "the walk does not end");
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 120, "{}", app.backend);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen, "every workspace once, in name order");

        for bad in [
            "limit=0",
            "limit=201",
            "limit=ten",
            "cursor=garbage",
            "cursor=",
        ] {
            let response = app
                .api(&token, Method::GET, &format!("/workspaces?{bad}"))
                .send()
                .await
                .unwrap();
            assert_problem(&response, StatusCode::BAD_REQUEST, app.backend);
            let problem: Value = response.json().await.unwrap();
            assert_eq!(
                problem["errors"][0]["field"],
                bad.split('=').next().unwrap(),
                "{bad}: {problem}"
            );
        }
        let all: Value = app
            .api(&token, Method::GET, "/workspaces?limit=200")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(all.as_array().unwrap().len(), 120);
    })
    .await;
}

#[tokio::test]
async fn unknown_query_parameters_are_refused_by_name() {
    each_backend(|app: TestApp| async move {
        let (token, ws) = scripter(&app, "fr@example.fr", tribune_domain::Lang::Fr).await;
        for path in [
            "/me?verbose=1".to_owned(),
            "/workspaces?sort=name".to_owned(),
            format!("/workspaces/{ws}?sort=name"),
            format!("/workspaces/{ws}/members?limit=5&sort=name"),
            format!("/workspaces/{ws}/channels?sort=name"),
        ] {
            let response = app.api(&token, Method::GET, &path).send().await.unwrap();
            assert_problem(&response, StatusCode::BAD_REQUEST, app.backend);
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["code"], "error-query-unknown", "{path}");
            let name = if path.contains("verbose") {
                "verbose"
            } else {
                "sort"
            };
            assert_eq!(problem["errors"][0]["field"], name);
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("«\u{a0}{name}\u{a0}»")),
                "{problem}"
            );
        }
        // A parameter that pagination does not take on a single resource is unknown there too.
        let response = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}?limit=5"))
            .send()
            .await
            .unwrap();
        assert_problem(&response, StatusCode::BAD_REQUEST, app.backend);
        let response = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/members?limit=5"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let response = app
            .api(&token, Method::HEAD, "/workspaces?limit=5")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    })
    .await;
}
