//! How many SQL statements a page costs, counted by the store (the counter `/metrics` shows as
//! `tribune_db_statements_total`). The workspace overview is the page the benchmark measures:
//! the session with the user's workspaces is one statement, the overview one more. One test in
//! this binary, so no other test's statements are counted with it.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed set-up step must stop the test"
)]

mod common;

use common::{TestApp, each_backend};
use reqwest::StatusCode;
use tribune_store::statements_run;

/// The statements `path` ran, and its status.
async fn statements_for(app: &TestApp, client: &reqwest::Client, path: &str) -> (u64, String) {
    let before = statements_run();
    let (status, html) = app.get_text(client, path).await;
    assert_eq!(status, StatusCode::OK, "{path} on {}", app.backend);
    (statements_run() - before, html)
}

#[tokio::test]
async fn workspace_pages_take_their_scope_and_switcher_from_the_session_query() {
    each_backend(|app: TestApp| async move {
        let (owner, scope) = app.member_with_workspace("owner@example.fr", "Acme").await;
        let ws = scope.workspace();
        // A second workspace, so the switcher has something to list.
        let other = tribune_domain::workspace::WorkspaceInput {
            name: "Boulangerie".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let owner_id = scope.user().unwrap();
        app.store.create_workspace(owner_id, &other).await.unwrap();

        let (count, html) = statements_for(&app, &owner, &format!("/w/{ws}")).await;
        assert_eq!(count, 2, "overview on {}: session + overview", app.backend);
        assert!(html.contains("Boulangerie"), "the switcher lists both");
        assert!(
            html.contains("Pour bien démarrer"),
            "the next steps are there"
        );
        // Again: both reads come from the store's read cache.
        let (count, _) = statements_for(&app, &owner, &format!("/w/{ws}")).await;
        assert_eq!(count, 0, "overview again on {}: cached", app.backend);
        // A change shows on the next page, which reads both again.
        let renamed = tribune_domain::workspace::WorkspaceInput {
            name: "Acme Rive Gauche".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        app.store.update_workspace(&scope, &renamed).await.unwrap();
        let (count, html) = statements_for(&app, &owner, &format!("/w/{ws}")).await;
        assert_eq!(count, 2, "overview after a change on {}", app.backend);
        assert!(
            html.contains("Acme Rive Gauche"),
            "the new name shows at once"
        );

        // Outside a workspace, the switcher also comes with the session.
        let (count, html) = statements_for(&app, &owner, "/workspaces").await;
        // The session with the list from the cache (no write since the page above), then
        // whether this (non-admin) account may create one (three statements).
        assert_eq!(count, 3, "workspaces on {}", app.backend);
        assert!(html.contains("Acme") && html.contains("Boulangerie"));

        // A non-member is refused from the list read with the session, without another query.
        let (stranger, _) = app.member_with_workspace("x@example.fr", "Ailleurs").await;
        let before = statements_run();
        let response = app.get(&stranger, &format!("/w/{ws}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{}", app.backend);
        assert_eq!(statements_run() - before, 1, "{}", app.backend);

        // The counters are on `/metrics`.
        let (_, metrics) = app.get_text(&app.browser(), "/metrics").await;
        for name in [
            "tribune_db_statements_total",
            "tribune_template_renders_total",
            "tribune_template_render_seconds_total",
        ] {
            assert!(metrics.contains(name), "{name} in {metrics}");
        }

        // A script's token comes with its user's workspaces from the read cache too: an inbox
        // list is then its own statement only (no message here, so no labels to read).
        let token = app.api_token("owner@example.fr").await;
        let list = |token: String| {
            let request = app.api(
                &token,
                reqwest::Method::GET,
                &format!("/workspaces/{ws}/inbox?status=new"),
            );
            async move {
                let before = statements_run();
                let status = request.send().await.unwrap().status();
                (status, statements_run() - before)
            }
        };
        let (status, _) = list(token.clone()).await;
        assert_eq!(status, StatusCode::OK);
        let (status, count) = list(token.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(count, 1, "API inbox list again on {}", app.backend);
        // Revoked: refused at once, not served from the cache.
        app.store.revoke_all_api_tokens(owner_id).await.unwrap();
        let (status, _) = list(token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", app.backend);
    })
    .await;
}
