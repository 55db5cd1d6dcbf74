//! Channels connected end to end against the real local peers started by
//! `scripts/peers/start.sh` (WordPress, a Bluesky PDS + AppView, the Mastodon API mock). Without
//! their environment the tests are skipped, except with `CI=true`, where that is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, each_backend, location};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tribune_connectors::testing::{bluesky_account, peer};

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}{}{:x}",
        std::process::id() % 10_000,
        nanos % 0xfffff
    )
}

/// A WordPress application password of its own, so that revoking it breaks only this test.
struct WpPassword {
    uuid: String,
    password: String,
}

async fn wp_application_password(site: &str, user: &str, admin_password: &str) -> WpPassword {
    let created: Value = reqwest::Client::new()
        .post(format!(
            "{site}/wp-json/wp/v2/users/me/application-passwords"
        ))
        .basic_auth(user, Some(admin_password))
        .json(&json!({"name": unique("tribune-test-")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    WpPassword {
        uuid: created["uuid"].as_str().unwrap().to_string(),
        password: created["password"].as_str().unwrap().to_string(),
    }
}

#[tokio::test]
async fn a_wordpress_site_connects_breaks_when_its_password_is_revoked_and_reconnects() {
    let (Some(site), Some(user), Some(admin)) = (
        peer("TRIBUNE_TEST_WP_URL"),
        peer("TRIBUNE_TEST_WP_USER"),
        peer("TRIBUNE_TEST_WP_APP_PASSWORD"),
    ) else {
        return;
    };
    each_backend(|app: TestApp| {
        let (site, user, admin) = (site.clone(), user.clone(), admin.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let (cm, scope) = app.member_with_workspace("cm@example.fr", "Boulangerie").await;
            let ws = scope.workspace().0;
            let first = wp_application_password(&site, &user, &admin).await;

            // Connect through the form, as a person would.
            let response = app
                .post_form(
                    &cm,
                    &format!("/w/{ws}/channels/connect/wordpress"),
                    &[("site", &site), ("username", &user), ("app_password", &first.password)],
                )
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
            assert_eq!(location(&response), format!("/w/{ws}/channels?flash=flash-channel-connected"));
            let (_, html) = app.get_text(&cm, &location(&response)).await;
            assert!(html.contains("Canal connecté."));
            assert!(html.contains("File de modération"), "WordPress moderates comments");
            assert!(html.contains("Tribune test peer"), "the site's name");

            let api = app.api_token("cm@example.fr").await;
            let list: Value = app
                .api(&api, Method::GET, &format!("/workspaces/{ws}/channels"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let channel = &list[0];
            let id = channel["id"].as_i64().unwrap();
            assert_eq!(channel["network"], "wordpress");
            let caps = channel["capabilities"].as_array().unwrap();
            for cap in ["publish_text", "publish_image", "moderate_comment", "hide_comment", "reply"] {
                assert!(caps.contains(&json!(cap)), "{cap} in {caps:?}");
            }

            // The site's owner revokes the application password.
            let revoked = reqwest::Client::new()
                .delete(format!(
                    "{site}/wp-json/wp/v2/users/me/application-passwords/{}",
                    first.uuid
                ))
                .basic_auth(&user, Some(&admin))
                .send()
                .await
                .unwrap();
            assert!(revoked.status().is_success());
            let check = app
                .api(&api, Method::POST, &format!("/workspaces/{ws}/channels/{id}/check"))
                .send()
                .await
                .unwrap();
            assert_eq!(check.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let problem: Value = check.json().await.unwrap();
            assert_eq!(problem["code"], "error-channel-auth");
            let (_, overview) = app.get_text(&cm, &format!("/w/{ws}")).await;
            assert!(overview.contains("Un canal ne fonctionne plus"), "banner");
            assert_eq!(app.store.open_notifications(&scope).await.unwrap().len(), 1);

            // Reconnecting with a new password keeps the channel.
            let second = wp_application_password(&site, &user, &admin).await;
            let response = app
                .api(&api, Method::POST, &format!("/workspaces/{ws}/channels"))
                .json(&json!({"network": "wordpress", "site": site, "username": user, "app_password": second.password}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let healed: Value = response.json().await.unwrap();
            assert_eq!(healed["id"].as_i64(), Some(id));
            assert_eq!(healed["state"], "active");
            assert!(app.store.open_notifications(&scope).await.unwrap().is_empty());
        }
    })
    .await;
}

#[tokio::test]
async fn bluesky_and_mastodon_accounts_connect_through_the_api() {
    let (Some(pds), Some(control), Some(mastodon), Some(token)) = (
        peer("TRIBUNE_TEST_BSKY_PDS"),
        peer("TRIBUNE_TEST_BSKY_CONTROL"),
        peer("TRIBUNE_TEST_MASTODON_URL"),
        peer("TRIBUNE_TEST_MASTODON_TOKEN"),
    ) else {
        return;
    };
    each_backend(|app: TestApp| {
        let (pds, control, mastodon, token) =
            (pds.clone(), control.clone(), mastodon.clone(), token.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let (_, scope) = app.member_with_workspace("cm@example.fr", "Fleuriste").await;
            let ws = scope.workspace().0;
            let api = app.api_token("cm@example.fr").await;
            let (handle, app_password) = bluesky_account(&pds, &control, "cm").await;

            let response = app
                .api(&api, Method::POST, &format!("/workspaces/{ws}/channels"))
                .json(&json!({"network": "bluesky", "service": pds, "identifier": format!("@{handle}"), "app_password": app_password}))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let bluesky: Value = response.json().await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{}: {bluesky}", app.backend);
            assert_eq!(bluesky["handle"], format!("@{handle}"));
            assert!(bluesky["remote_id"].as_str().unwrap().starts_with("did:"));
            assert!(bluesky["token_expires_at"].as_i64().unwrap() > tribune_store::unix_now());
            assert!(bluesky["capabilities"].as_array().unwrap().contains(&json!("publish_thread")));

            // A wrong app password is refused and stores nothing more.
            let refused = app
                .api(&api, Method::POST, &format!("/workspaces/{ws}/channels"))
                .json(&json!({"network": "bluesky", "service": pds, "identifier": handle, "app_password": "aaaa-bbbb-cccc-dddd"}))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

            let response = app
                .api(&api, Method::POST, &format!("/workspaces/{ws}/channels"))
                .json(&json!({"network": "mastodon", "instance": mastodon, "access_token": token}))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let masto: Value = response.json().await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{masto}");
            assert!(masto["handle"].as_str().unwrap().contains('@'));

            // Checking the Bluesky channel signs in with its stored session.
            let id = bluesky["id"].as_i64().unwrap();
            let checked = app
                .api(&api, Method::POST, &format!("/workspaces/{ws}/channels/{id}/check"))
                .send()
                .await
                .unwrap();
            assert_eq!(checked.status(), StatusCode::OK);

            let list: Value = app
                .api(&api, Method::GET, &format!("/workspaces/{ws}/channels"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(list.as_array().unwrap().len(), 2);
            assert!(list.as_array().unwrap().iter().all(|c| c["state"] == "active"));
        }
    })
    .await;
}
