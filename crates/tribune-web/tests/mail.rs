//! E-mail flows against a real SMTP server (the sink from `scripts/peers/start.sh smtp`):
//! password reset by e-mail and invitations sent by e-mail, on SQLite and PostgreSQL. The
//! tests that need no delivered message run without the sink.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::mail::{Sink, unique_email, unreachable_mail_config};
use common::{PASSWORD, TestApp, location};
use reqwest::StatusCode;
use tribune_domain::Role;
use tribune_store::password_resets::PASSWORD_RESET_TTL_SECS;
use tribune_store::testing::TestDb;
use tribune_store::unix_now;
use tribune_web::WebConfig;

const NEW_PASSWORD: &str = "une nouvelle phrase de passe";

/// Runs `story` on each backend with the web config `config` gives.
async fn each_backend_with<F, Fut>(config: impl Fn() -> WebConfig, story: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await {
        story(TestApp::spawn_with(db, config()).await).await;
    }
}

#[tokio::test]
async fn a_password_reset_by_email_ends_sessions_and_api_tokens_and_the_link_works_once() {
    let Some(sink) = Sink::from_env() else { return };
    let sink = &sink;
    each_backend_with(
        || sink.web_config(),
        |app: TestApp| async move {
            app.setup_owner(&unique_email("owner")).await;
            let email = unique_email("alice");
            app.user(&email).await;
            let (old_session, response) = app.login(&email, PASSWORD).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let api_token = app.api_token(&email).await;

            // The login page leads to the form.
            let visitor = app.browser();
            let (_, login) = app.get_text(&visitor, "/login").await;
            assert!(login.contains("href=\"/password/forgot\""));
            let response = app
                .post_form(
                    &visitor,
                    "/password/forgot",
                    &[("email", &email.to_uppercase())],
                )
                .await;
            assert_eq!(
                location(&response),
                "/password/forgot?sent=1",
                "{}",
                app.backend
            );

            let mail = sink.wait_for(&email, 1).await.remove(0);
            assert_eq!(mail.content_type, "multipart/alternative");
            assert!(!mail.html.is_empty());
            let link = mail.link(&format!("{}/password/reset/", app.url));
            assert!(mail.html.contains(&link), "the HTML part has the link too");
            let path = link.trim_start_matches(&app.url).to_owned();

            let page = app.get(&visitor, &path).await;
            assert_eq!(page.status(), StatusCode::OK, "{}", app.backend);
            assert_eq!(page.headers()["cache-control"], "no-store");
            let response = app
                .post_form(&visitor, &path, &[("password", NEW_PASSWORD)])
                .await;
            assert_eq!(location(&response), "/password/changed", "{}", app.backend);

            // Every old session and API token is gone.
            let account = app.get(&old_session, "/account").await;
            assert_eq!(account.status(), StatusCode::SEE_OTHER, "{}", app.backend);
            let me = app
                .api(&api_token, reqwest::Method::GET, "/me")
                .send()
                .await
                .unwrap();
            assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "{}", app.backend);
            // The new password logs in, the old one no longer does.
            let (_, response) = app.login(&email, NEW_PASSWORD).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let (_, response) = app.login(&email, PASSWORD).await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

            // The link works once.
            assert_eq!(app.get(&visitor, &path).await.status(), StatusCode::GONE);
            let again = app
                .post_form(
                    &visitor,
                    &path,
                    &[("password", "encore un autre mot de passe")],
                )
                .await;
            assert_eq!(again.status(), StatusCode::GONE, "{}", app.backend);
            let (_, response) = app.login(&email, NEW_PASSWORD).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
        },
    )
    .await;
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_and_no_mail() {
    let Some(sink) = Sink::from_env() else { return };
    let sink = &sink;
    each_backend_with(
        || sink.web_config(),
        |app: TestApp| async move {
            let known = unique_email("known");
            let unknown = unique_email("unknown");
            app.user(&known).await;
            let visitor = app.browser();
            let for_unknown = app
                .post_form(&visitor, "/password/forgot", &[("email", &unknown)])
                .await;
            let for_known = app
                .post_form(&visitor, "/password/forgot", &[("email", &known)])
                .await;
            assert_eq!(for_unknown.status(), for_known.status());
            assert_eq!(location(&for_unknown), location(&for_known));
            let (status, page) = app.get_text(&visitor, &location(&for_unknown)).await;
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains("Si un compte existe"), "{page}");

            // The known address's mail arrives; by then nothing went to the unknown one,
            // which was asked for first.
            sink.wait_for(&known, 1).await;
            assert!(sink.messages_to(&unknown).is_empty(), "{}", app.backend);
        },
    )
    .await;
}

#[tokio::test]
async fn an_expired_or_replaced_reset_link_is_refused() {
    each_backend_with(unreachable_mail_config, |app: TestApp| async move {
        let email = unique_email("bob");
        let bob = app.user(&email).await;
        let past = unix_now() - PASSWORD_RESET_TTL_SECS - 1;
        let expired = app
            .store
            .create_password_reset(bob.user_id(), past)
            .await
            .unwrap();
        let visitor = app.browser();
        let path = format!("/password/reset/{expired}");
        let (status, page) = app.get_text(&visitor, &path).await;
        assert_eq!(status, StatusCode::GONE, "{}", app.backend);
        assert!(page.contains("n’est plus valable"), "{page}");
        let response = app
            .post_form(&visitor, &path, &[("password", NEW_PASSWORD)])
            .await;
        assert_eq!(response.status(), StatusCode::GONE);

        let older = app
            .store
            .create_password_reset(bob.user_id(), unix_now())
            .await
            .unwrap();
        let newer = app
            .store
            .create_password_reset(bob.user_id(), unix_now())
            .await
            .unwrap();
        let response = app
            .post_form(
                &visitor,
                &format!("/password/reset/{older}"),
                &[("password", NEW_PASSWORD)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::GONE, "{}", app.backend);
        let (_, response) = app.login(&email, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "the password is unchanged"
        );
        let short = app
            .post_form(
                &visitor,
                &format!("/password/reset/{newer}"),
                &[("password", "court")],
            )
            .await;
        assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn reset_requests_are_limited_per_address() {
    each_backend_with(unreachable_mail_config, |app: TestApp| async move {
        let email = unique_email("nobody");
        let visitor = app.browser();
        for _ in 0..3 {
            let response = app
                .post_form(&visitor, "/password/forgot", &[("email", &email)])
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        }
        let response = app
            .post_form(&visitor, "/password/forgot", &[("email", &email)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            app.backend
        );
        // Another address is not held back by this one.
        let other = app
            .post_form(
                &visitor,
                "/password/forgot",
                &[("email", &unique_email("x"))],
            )
            .await;
        assert_eq!(other.status(), StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn without_smtp_the_reset_form_says_to_ask_an_admin() {
    common::each_backend(|app: TestApp| async move {
        let email = unique_email("carol");
        app.user(&email).await;
        let visitor = app.browser();
        let (status, page) = app.get_text(&visitor, "/password/forgot").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("tribune user reset-password"), "{page}");
        assert!(!page.contains("name=\"email\""));
        let response = app
            .post_form(&visitor, "/password/forgot", &[("email", &email)])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("tribune user reset-password")
        );
    })
    .await;
}

#[tokio::test]
async fn an_invitation_is_sent_by_email_and_re_inviting_keeps_one_pending_invitation() {
    let Some(sink) = Sink::from_env() else { return };
    let sink = &sink;
    each_backend_with(
        || sink.web_config(),
        |app: TestApp| async move {
            let (owner, scope) = app
                .member_with_workspace(&unique_email("owner"), "Boulangerie <Dupont>")
                .await;
            let ws = scope.workspace();
            let guest_email = unique_email("guest");
            for role in ["contributor", "client"] {
                let response = app
                    .post_form(
                        &owner,
                        &format!("/w/{ws}/invitations"),
                        &[("email", &guest_email), ("role", role)],
                    )
                    .await;
                // Post/redirect/get: reloading the page invites nobody again.
                assert_eq!(
                    location(&response),
                    format!("/w/{ws}/members"),
                    "{}",
                    app.backend
                );
            }
            let (_, page) = app.get_text(&owner, &format!("/w/{ws}/members")).await;
            assert!(page.contains("envoyée par e-mail"), "{page}");
            assert!(page.contains("id=\"invite-link\""));
            let (_, reloaded) = app.get_text(&owner, &format!("/w/{ws}/members")).await;
            assert!(
                !reloaded.contains("id=\"invite-link\""),
                "the link is shown once"
            );
            let pending = app
                .store
                .pending_invitations(&scope, unix_now())
                .await
                .unwrap();
            assert_eq!(pending.len(), 1, "{}", app.backend);
            assert_eq!(pending[0].role, "client");

            // Both were sent; only the newer link works. The two messages leave from two
            // background sends, so they may arrive in either order: the role tells them apart.
            let mut mails = sink.wait_for(&guest_email, 2).await;
            mails.sort_by_key(|m| m.text.contains("client·e"));
            assert!(
                mails[0].text.contains("contributeur·rice"),
                "{}",
                mails[0].text
            );
            assert!(
                mails[0].subject.contains("Boulangerie <Dupont>"),
                "{}",
                mails[0].subject
            );
            assert!(mails[1].html.contains("Boulangerie &#60;Dupont&#62;"));
            let links: Vec<String> = mails
                .iter()
                .map(|m| m.link(&format!("{}/invite/", app.url)))
                .collect();
            let guest = app.browser();
            let old = links[0].trim_start_matches(&app.url);
            assert_eq!(app.get(&guest, old).await.status(), StatusCode::NOT_FOUND);
            let path = links[1].trim_start_matches(&app.url).to_owned();
            let (status, invite) = app.get_text(&guest, &path).await;
            assert_eq!(status, StatusCode::OK, "{}", app.backend);
            assert!(invite.contains(&guest_email));
            let response = app
                .post_form(&guest, &path, &[("name", "Gaëlle"), ("password", PASSWORD)])
                .await;
            assert_eq!(location(&response), format!("/w/{ws}?flash=flash-joined"));
            let guest_user = app
                .store
                .user_by_email(&guest_email)
                .await
                .unwrap()
                .unwrap();
            let joined = app.store.scope(guest_user.user_id(), ws).await.unwrap();
            assert_eq!(joined.role(), Role::Client);
        },
    )
    .await;
}

#[tokio::test]
async fn an_invitation_from_a_removed_member_is_refused() {
    common::each_backend(|app: TestApp| async move {
        let (_, owner_scope) = app
            .member_with_workspace(&unique_email("owner"), "Fromagerie")
            .await;
        let ws = owner_scope.workspace();
        let manager = app.user(&unique_email("manager")).await;
        let (token, _) = app
            .store
            .create_invitation(&owner_scope, &manager.email, Role::Manager, unix_now())
            .await
            .unwrap();
        app.store
            .accept_invitation(&token, &manager, unix_now())
            .await
            .unwrap();
        let manager_scope = app.store.scope(manager.user_id(), ws).await.unwrap();
        let guest_email = unique_email("guest");
        let (token, _) = app
            .store
            .create_invitation(&manager_scope, &guest_email, Role::Contributor, unix_now())
            .await
            .unwrap();
        app.store
            .remove_member(&owner_scope, manager.user_id())
            .await
            .unwrap();

        let guest = app.browser();
        let path = format!("/invite/{token}");
        let (_, page) = app.get_text(&guest, &path).await;
        assert!(page.contains("n’est plus valable"), "{page}");
        assert!(!page.contains("name=\"password\""));
        let response = app
            .post_form(&guest, &path, &[("name", "Guest"), ("password", PASSWORD)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        assert!(
            app.store
                .user_by_email(&guest_email)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn the_invitation_page_does_not_tell_whether_the_address_has_an_account() {
    common::each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace(&unique_email("owner"), "Épicerie")
            .await;
        let existing = app.user(&unique_email("existing")).await.email;
        let newcomer = unique_email("newcomer");
        let mut pages = Vec::new();
        for email in [&existing, &newcomer] {
            let (token, _) = app
                .store
                .create_invitation(&scope, email, Role::Contributor, unix_now())
                .await
                .unwrap();
            let (status, page) = app
                .get_text(&app.browser(), &format!("/invite/{token}"))
                .await;
            assert_eq!(status, StatusCode::OK);
            let csrf = common::csrf_in(&page).unwrap();
            pages.push(
                page.replace(&token, "TOKEN")
                    .replace(email.as_str(), "EMAIL")
                    .replace(&csrf, "CSRF"),
            );
        }
        assert_eq!(pages[0], pages[1], "{}", app.backend);
    })
    .await;
}

#[tokio::test]
async fn deceptive_addresses_are_refused_and_mixed_alphabets_flagged() {
    common::each_backend(|app: TestApp| async move {
        let (owner, scope) = app
            .member_with_workspace(&unique_email("owner"), "Librairie")
            .await;
        let ws = scope.workspace();
        let path = format!("/w/{ws}/invitations");
        let response = app
            .post_form(
                &owner,
                &path,
                &[("email", "ali\u{202E}ce@example.fr"), ("role", "client")],
            )
            .await;
        let page = response.text().await.unwrap();
        assert!(page.contains("inversent le sens de lecture"), "{page}");
        assert!(
            app.store
                .pending_invitations(&scope, unix_now())
                .await
                .unwrap()
                .is_empty()
        );

        // A Cyrillic а (U+0430) among Latin letters: invited, with a warning.
        let response = app
            .post_form(
                &owner,
                &path,
                &[("email", "\u{0430}lice@example.fr"), ("role", "client")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let (_, page) = app.get_text(&owner, &location(&response)).await;
        assert!(page.contains("mélange plusieurs alphabets"), "{page}");

        let response = app
            .post_form(
                &owner,
                &path,
                &[("email", "plain@example.fr"), ("role", "client")],
            )
            .await;
        let (_, page) = app.get_text(&owner, &location(&response)).await;
        assert!(!page.contains("mélange plusieurs alphabets"));
    })
    .await;
}

#[tokio::test]
async fn an_invitation_made_through_the_api_is_sent_by_email_too() {
    let Some(sink) = Sink::from_env() else { return };
    let sink = &sink;
    each_backend_with(
        || sink.web_config(),
        |app: TestApp| async move {
            let owner_email = unique_email("owner");
            let (_, scope) = app.member_with_workspace(&owner_email, "Atelier").await;
            let token = app.api_token(&owner_email).await;
            let guest_email = unique_email("api-guest");
            let response = app
                .api(
                    &token,
                    reqwest::Method::POST,
                    &format!("/workspaces/{}/invitations", scope.workspace()),
                )
                .json(&serde_json::json!({ "email": guest_email, "role": "client" }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED, "{}", app.backend);
            let body: serde_json::Value = response.json().await.unwrap();
            let mail = sink.wait_for(&guest_email, 1).await.remove(0);
            assert_eq!(mail.link(&format!("{}/invite/", app.url)), body["url"]);
        },
    )
    .await;
}
