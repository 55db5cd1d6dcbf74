//! Account security: two-factor recovery codes (single-use, even under concurrency, across
//! nodes), API tokens (last use shown, revoked with a password change when asked, created by
//! Post/Redirect/Get and shown once), `Cache-Control: no-store` on pages with secrets, and HSTS
//! only behind an https public URL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{PASSWORD, TestApp, csrf_in, each_backend, location};
use reqwest::{Client, Method, Response, StatusCode};
use tribune_domain::security::totp;
use tribune_store::testing::TestDb;
use tribune_store::unix_now;
use tribune_web::WebConfig;

const OWNER: &str = "owner@example.fr";

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The recovery codes shown on a page, if any.
fn recovery_codes_in(html: &str) -> Option<Vec<String>> {
    let start = html.find("<pre id=\"recovery-codes\" class=\"codes\">")?;
    let body = &html[start..];
    let body = &body[body.find('>')? + 1..body.find("</pre>")?];
    Some(body.lines().map(str::to_owned).collect())
}

/// Turns two-factor authentication on for the logged-in `client`, through the pages; returns
/// the TOTP seed and the recovery codes shown once afterwards.
async fn enable_two_factor(app: &TestApp, client: &Client) -> (String, Vec<String>) {
    let start = app.post_form(client, "/account/totp/start", &[]).await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&start), "/account/totp");
    let setup = app.get(client, "/account/totp").await;
    assert_eq!(
        header(&setup, "cache-control").as_deref(),
        Some("no-store"),
        "the TOTP seed page"
    );
    let html = setup.text().await.unwrap();
    let secret = html
        .split("id=\"totp-secret\" class=\"copy\" readonly value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    // A reload shows the same seed: the one in the app keeps working.
    assert!(
        app.get_text(client, "/account/totp")
            .await
            .1
            .contains(&secret)
    );
    let code = totp::code_at(&secret, unix_now() as u64).unwrap();
    let enabled = app
        .post_form(client, "/account/totp/enable", &[("code", &code)])
        .await;
    assert_eq!(location(&enabled), "/account?flash=flash-totp-enabled");
    let shown = app.get(client, "/account?flash=flash-totp-enabled").await;
    assert_eq!(
        header(&shown, "cache-control").as_deref(),
        Some("no-store"),
        "the recovery codes page"
    );
    let codes = recovery_codes_in(&shown.text().await.unwrap()).expect("codes shown once");
    assert_eq!(codes.len(), 10);
    assert!(
        recovery_codes_in(&app.get_text(client, "/account").await.1).is_none(),
        "and only once"
    );
    (secret, codes)
}

/// Logs in with the password: a browser waiting for its second factor.
async fn pending_login(app: &TestApp) -> Client {
    let (client, response) = app.login(OWNER, PASSWORD).await;
    assert!(
        location(&response).starts_with("/login/totp"),
        "{}",
        app.backend
    );
    client
}

async fn user_id(app: &TestApp) -> tribune_domain::UserId {
    app.store
        .user_by_email(OWNER)
        .await
        .unwrap()
        .unwrap()
        .user_id()
}

#[tokio::test]
async fn a_recovery_code_logs_in_once_then_is_refused() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner(OWNER).await;
        let (_, codes) = enable_two_factor(&app, &owner).await;
        let user = user_id(&app).await;
        assert_eq!(app.store.recovery_codes_left(user).await.unwrap(), 10);

        let client = pending_login(&app).await;
        let used = app
            .post_form(&client, "/login/totp", &[("recovery", &codes[0])])
            .await;
        assert_eq!(used.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(
            app.get(&client, "/workspaces").await.status(),
            StatusCode::OK
        );
        assert_eq!(app.store.recovery_codes_left(user).await.unwrap(), 9);
        let account = app.get_text(&client, "/account").await.1;
        assert!(
            account.contains(">9 "),
            "the account page says how many are left"
        );

        let again = pending_login(&app).await;
        let replay = app
            .post_form(&again, "/login/totp", &[("recovery", &codes[0])])
            .await;
        assert_eq!(replay.status(), StatusCode::UNAUTHORIZED, "a used code");
        assert_eq!(
            app.get(&again, "/workspaces").await.status(),
            StatusCode::SEE_OTHER,
            "opens nothing"
        );
        // Typed loosely (upper case, no dashes) in the code field, another one works.
        let loose = codes[1].replace('-', "").to_uppercase();
        let typed = app
            .post_form(&again, "/login/totp", &[("code", &loose)])
            .await;
        assert_eq!(typed.status(), StatusCode::SEE_OTHER);
        let made_up = pending_login(&app).await;
        let wrong = app
            .post_form(&made_up, "/login/totp", &[("recovery", "abcd-efgh-jkmn")])
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        // Both uses are in the instance's audit trail.
        let admin = app.store.admin_scope(user).await.unwrap();
        let trail = app.store.instance_audit(&admin, 100).await.unwrap();
        let uses = trail
            .iter()
            .filter(|e| e.action == "recovery_code.used" && e.workspace_id.is_none())
            .count();
        assert_eq!(uses, 2);
    })
    .await;
}

#[tokio::test]
async fn regenerating_recovery_codes_invalidates_the_old_ones() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner(OWNER).await;
        let (_, old) = enable_two_factor(&app, &owner).await;
        let user = user_id(&app).await;

        let refused = app
            .post_form(
                &owner,
                "/account/recovery-codes",
                &[("password", "pas le bon mot de passe")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(recovery_codes_in(&refused.text().await.unwrap()).is_none());

        let regenerated = app
            .post_form(&owner, "/account/recovery-codes", &[("password", PASSWORD)])
            .await;
        assert_eq!(
            regenerated.status(),
            StatusCode::SEE_OTHER,
            "{}",
            app.backend
        );
        let html = app.get_text(&owner, &location(&regenerated)).await.1;
        let new = recovery_codes_in(&html).expect("new codes shown");
        assert_eq!(new.len(), 10);
        assert!(new.iter().all(|code| !old.contains(code)));

        let client = pending_login(&app).await;
        let stale = app
            .post_form(&client, "/login/totp", &[("recovery", &old[3])])
            .await;
        assert_eq!(stale.status(), StatusCode::UNAUTHORIZED, "an old code");
        let fresh = app
            .post_form(&client, "/login/totp", &[("recovery", &new[3])])
            .await;
        assert_eq!(fresh.status(), StatusCode::SEE_OTHER, "a new one");

        // Turning two-factor authentication off deletes the codes.
        let off = app
            .post_form(&owner, "/account/totp/disable", &[("password", PASSWORD)])
            .await;
        assert_eq!(off.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.store.recovery_codes_left(user).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn two_concurrent_uses_of_one_recovery_code_complete_only_one_session() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner(OWNER).await;
        let (_, codes) = enable_two_factor(&app, &owner).await;
        let node = app.second_node().await;
        // A few rounds, each with the same code sent at once by two browsers on two nodes.
        for code in &codes[..3] {
            let (first, second) = (pending_login(&app).await, pending_login(&app).await);
            let form = |client: &Client, base: String| {
                let csrf = client.get(format!("{base}/login/totp")).send();
                let client = client.clone();
                let code = code.clone();
                async move {
                    let html = csrf.await.unwrap().text().await.unwrap();
                    let token = csrf_in(&html).unwrap();
                    client
                        .post(format!("{base}/login/totp"))
                        .form(&[("_csrf", token.as_str()), ("recovery", code.as_str())])
                        .send()
                        .await
                        .unwrap()
                        .status()
                }
            };
            let (a, b) = tokio::join!(
                form(&first, app.url.clone()),
                form(&second, node.url.clone())
            );
            let mut statuses = [a, b];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::SEE_OTHER, StatusCode::UNAUTHORIZED],
                "exactly one login completes on {}",
                app.backend
            );
            let complete = [
                app.get(&first, "/workspaces").await.status(),
                app.get(&second, "/workspaces").await.status(),
            ];
            assert_eq!(
                complete.iter().filter(|s| **s == StatusCode::OK).count(),
                1,
                "one full session"
            );
        }
        assert_eq!(
            app.store
                .recovery_codes_left(user_id(&app).await)
                .await
                .unwrap(),
            7
        );
    })
    .await;
}

#[tokio::test]
async fn the_tokens_list_shows_when_each_token_was_last_used() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner(OWNER).await;
        let token = app.api_token(OWNER).await;
        let cell = |html: &str| {
            let start = html.find("class=\"token-last-used\">").unwrap();
            html[start..start + html[start..].find("</td>").unwrap()].to_owned()
        };
        let before = cell(&app.get_text(&owner, "/account").await.1);
        assert!(before.contains("class=\"muted\""), "never used: {before}");
        let used = app.api(&token, Method::GET, "/me").send().await.unwrap();
        assert_eq!(used.status(), StatusCode::OK);
        let after = cell(&app.get_text(&owner, "/account").await.1);
        assert!(!after.contains("class=\"muted\""), "a date: {after}");
        let listed = app.store.api_tokens_of(user_id(&app).await).await.unwrap();
        assert!(listed[0].last_used_at.is_some(), "{}", app.backend);
    })
    .await;
}

#[tokio::test]
async fn a_password_change_revokes_api_tokens_only_when_asked() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner(OWNER).await;
        let html = app.get_text(&owner, "/account").await.1;
        assert!(
            html.contains("name=\"revoke_tokens\" value=\"1\" checked"),
            "ticked by default"
        );
        let kept = "un autre mot de passe solide";
        let token = app.api_token(OWNER).await;
        let changed = app
            .post_form(
                &owner,
                "/account/password",
                &[
                    ("current", PASSWORD),
                    ("password", kept),
                    ("confirm", kept),
                    ("revoke_tokens", "1"),
                ],
            )
            .await;
        assert_eq!(
            location(&changed),
            "/account?flash=flash-password-changed-tokens-revoked"
        );
        let revoked = app.api(&token, Method::GET, "/me").send().await.unwrap();
        assert_eq!(
            revoked.status(),
            StatusCode::UNAUTHORIZED,
            "{}",
            app.backend
        );

        let token = app.api_token(OWNER).await;
        let changed = app
            .post_form(
                &owner,
                "/account/password",
                &[
                    ("current", kept),
                    ("password", PASSWORD),
                    ("confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(location(&changed), "/account?flash=flash-password-changed");
        let still = app.api(&token, Method::GET, "/me").send().await.unwrap();
        assert_eq!(still.status(), StatusCode::OK, "unticked: the token stays");
    })
    .await;
}

#[tokio::test]
async fn token_creation_redirects_and_shows_the_token_once() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner(OWNER).await;
        let user = user_id(&app).await;
        let created = app
            .post_form(&owner, "/account/tokens", &[("name", "ci")])
            .await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(location(&created), "/account");
        let once = header(&created, "set-cookie").unwrap();
        assert!(once.starts_with("tribune_once="), "{once}");
        assert!(once.contains("Path=/account") && once.contains("HttpOnly"));

        let page = app.get(&owner, "/account").await;
        assert_eq!(header(&page, "cache-control").as_deref(), Some("no-store"));
        let html = page.text().await.unwrap();
        let token = html
            .split("id=\"new-token\" class=\"copy\" readonly value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the token, shown")
            .to_owned();
        assert!(token.starts_with("trb_"));
        assert_eq!(html.matches(&token).count(), 1);
        assert!(!once.contains(&token), "the cookie holds it sealed");
        assert!(!location(&created).contains(&token), "never in the URL");
        let works = app.api(&token, Method::GET, "/me").send().await.unwrap();
        assert_eq!(works.status(), StatusCode::OK);

        let reload = app.get_text(&owner, "/account").await.1;
        assert!(!reload.contains("trb_"), "a reload shows nothing new");
        assert_eq!(app.store.api_tokens_of(user).await.unwrap().len(), 1);

        // The sealed value is bound to its session: another session shown it sees nothing.
        app.post_form(&owner, "/account/tokens", &[("name", "other")])
            .await;
        let stolen = app
            .post_form(&owner, "/account/tokens", &[("name", "third")])
            .await;
        let value = header(&stolen, "set-cookie").unwrap();
        let value = value.split(';').next().unwrap().to_owned();
        let bob = app.user("bob@example.fr").await;
        let (session, _) = app
            .store
            .create_session(bob.user_id(), false, &Default::default(), unix_now())
            .await
            .unwrap();
        let foreign = Client::new()
            .get(format!("{}/account", app.url))
            .header("cookie", format!("tribune_session={session}; {value}"))
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), StatusCode::OK);
        assert!(!foreign.text().await.unwrap().contains("trb_"));
    })
    .await;
}

#[tokio::test]
async fn pages_with_secrets_are_not_stored_but_static_files_are_cached() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner(OWNER).await;
        for path in ["/account", "/login", "/workspaces"] {
            let response = app.get(&owner, path).await;
            assert_eq!(
                header(&response, "cache-control").as_deref(),
                Some("no-store"),
                "{path}"
            );
        }
        let api = app
            .api(&app.api_token(OWNER).await, Method::GET, "/me")
            .send()
            .await
            .unwrap();
        assert_eq!(header(&api, "cache-control").as_deref(), Some("no-store"));
        let html = app.get_text(&owner, "/account").await.1;
        let script = html
            .split("<script src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let asset = app.get(&owner, &script).await;
        assert!(
            header(&asset, "cache-control")
                .unwrap()
                .contains("immutable"),
            "a handler's own Cache-Control stays"
        );
    })
    .await;
}

#[tokio::test]
async fn hsts_is_sent_only_when_the_public_url_is_https() {
    let https = TestApp::spawn_with(
        TestDb::sqlite(),
        WebConfig {
            public_url: "https://tribune.example".to_owned(),
            ..WebConfig::default()
        },
    )
    .await;
    let response = https.get(&https.browser(), "/login").await;
    assert_eq!(
        header(&response, "strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
    let http = TestApp::spawn(TestDb::sqlite()).await;
    let response = http.get(&http.browser(), "/login").await;
    assert_eq!(header(&response, "strict-transport-security"), None);
}
