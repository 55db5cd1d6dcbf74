//! Several `tribune serve` processes on one database: nothing that matters lives in a node.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{PASSWORD, TestApp, each_backend};
use reqwest::StatusCode;

#[tokio::test]
async fn a_session_opened_on_one_node_works_on_another() {
    each_backend(|app: TestApp| async move {
        let (browser, scope) = app
            .member_with_workspace("alice@example.fr", "Alice Co")
            .await;
        let node = app.second_node().await;
        let ws = scope.workspace();
        // The cookie jar is per host: both nodes are 127.0.0.1, so it follows the user.
        let page = browser
            .get(format!("{}/w/{ws}", node.url))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{}", app.backend);
        // A form rendered by one node is accepted by the other (CSRF lives with the session).
        let token = app.csrf(&browser, "/workspaces").await;
        let response = browser
            .post(format!("{}/w/{ws}/settings", node.url))
            .form(&[
                ("_csrf", token.as_str()),
                ("name", "Renamed on node 2"),
                ("timezone", "Europe/Paris"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get_text(&browser, &format!("/w/{ws}")).await;
        assert!(html.contains("Renamed on node 2"));
    })
    .await;
}

#[tokio::test]
async fn login_failures_count_across_nodes() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let node = app.second_node().await;
        for attempt in 0..5 {
            let url = if attempt % 2 == 0 {
                &app.url
            } else {
                &node.url
            };
            let client = app.browser();
            let token = app.csrf(&client, "/no-such-page").await;
            let response = client
                .post(format!("{url}/login"))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("email", "owner@example.fr"),
                    ("password", "mauvais"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let client = app.browser();
        let token = app.csrf(&client, "/no-such-page").await;
        let response = client
            .post(format!("{}/login", node.url))
            .form(&[
                ("_csrf", token.as_str()),
                ("email", "owner@example.fr"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            app.backend
        );
    })
    .await;
}

/// Static files, `/healthz` and `/metrics` are served without a session lookup: with the
/// database gone, a logged-in browser still gets the stylesheet (a page would fail).
#[tokio::test]
async fn static_files_and_probes_do_not_look_up_the_session() {
    let app = TestApp::spawn(tribune_store::testing::TestDb::sqlite()).await;
    let browser = app.setup_owner("owner@example.fr").await;
    app.store.close().await;
    let page = app.get(&browser, "/").await;
    assert!(page.status().is_server_error(), "{}", page.status());
    let css = app.get(&browser, "/static/app.css").await;
    assert_eq!(css.status(), reqwest::StatusCode::OK);
    let metrics = app.get(&browser, "/metrics").await;
    assert_eq!(metrics.status(), reqwest::StatusCode::OK);
}
