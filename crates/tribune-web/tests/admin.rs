//! The instance's administration page: only instance admins reach it; they disable and enable
//! accounts, decide who may create workspaces, and every action is in the log.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{PASSWORD, TestApp, each_backend, location};
use reqwest::StatusCode;
use tribune_domain::{Role, UserId};
use tribune_store::unix_now;

const BROWSER_ROUTES: &str = include_str!("../src/routes/mod.rs");

/// The `/admin…` paths registered in the router's source, with `{…}` filled in.
fn admin_routes(id: UserId) -> Vec<(bool, String)> {
    BROWSER_ROUTES
        .split(".route(")
        .skip(1)
        .filter_map(|registration| {
            let path = registration.split('"').nth(1)?;
            path.starts_with("/admin").then(|| {
                (
                    registration.contains("post("),
                    path.replace("{id}", &id.to_string())
                        .replace("{action}", "disable"),
                )
            })
        })
        .collect()
}

#[tokio::test]
async fn only_instance_admins_reach_the_administration() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let (member, _) = app.member_with_workspace("bob@example.fr", "Bob Co").await;
        let owner_id = app.user_by_email("owner@example.fr").await.id;
        let routes = admin_routes(owner_id);
        assert!(routes.len() >= 2, "{routes:?}");
        for (post, path) in routes {
            let response = if post {
                app.post_form(&member, &path, &[]).await
            } else {
                app.get(&member, &path).await
            };
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{path} on {}",
                app.backend
            );
        }
        // The owner was not disabled by the attempt.
        let (_, login) = app.login("owner@example.fr", PASSWORD).await;
        assert_eq!(login.status(), StatusCode::SEE_OTHER);
        // No link to the administration for a non-admin.
        let (_, html) = app.get_text(&member, "/workspaces").await;
        assert!(!html.contains("href=\"/admin\""));
    })
    .await;
}

#[tokio::test]
async fn an_admin_disables_and_enables_an_account_and_it_is_logged() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner("owner@example.fr").await;
        let (bob, _) = app.member_with_workspace("bob@example.fr", "Bob Co").await;
        let bob_id = app.user_by_email("bob@example.fr").await.id;
        let (_, html) = app.get_text(&owner, "/admin").await;
        assert!(html.contains("bob@example.fr"), "{html}");

        let response = app
            .post_form(&owner, &format!("/admin/accounts/{bob_id}/disable"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        // Bob's session ended at once, and he cannot log in again.
        let page = app.get(&bob, "/workspaces").await;
        assert!(location(&page).starts_with("/login"), "{}", app.backend);
        let (_, login) = app.login("bob@example.fr", PASSWORD).await;
        assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
        // In French, the default language.
        assert!(
            login
                .text()
                .await
                .unwrap()
                .contains("Ce compte est désactivé")
        );

        app.post_form(&owner, &format!("/admin/accounts/{bob_id}/enable"), &[])
            .await;
        let (_, login) = app.login("bob@example.fr", PASSWORD).await;
        assert_eq!(login.status(), StatusCode::SEE_OTHER, "{}", app.backend);

        // The owner cannot disable themself.
        let owner_id = app.user_by_email("owner@example.fr").await.id;
        let refused = app
            .post_form(&owner, &format!("/admin/accounts/{owner_id}/disable"), &[])
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let (_, html) = app.get_text(&owner, "/admin").await;
        assert!(html.contains("a désactivé le compte"), "{html}");
        assert!(html.contains("a réactivé le compte"), "{html}");
    })
    .await;
}

#[tokio::test]
async fn invited_people_create_workspaces_only_once_allowed_and_clients_never() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner("owner@example.fr").await;
        let (_, scope) = app
            .member_with_workspace("agency@example.fr", "Agency")
            .await;
        let now = unix_now();
        let mut people = Vec::new();
        for (email, role) in [
            ("cm@example.fr", Role::Manager),
            ("brand@example.fr", Role::Client),
        ] {
            let (token, _) = app
                .store
                .create_invitation(&scope, email, role, now)
                .await
                .unwrap();
            let (user, _) = app
                .store
                .accept_invitation_as_new_user(&token, "Invited", PASSWORD, now)
                .await
                .unwrap();
            let (browser, _) = app.login(email, PASSWORD).await;
            people.push((user, browser));
        }
        for (user, browser) in &people {
            let (_, html) = app.get_text(browser, "/workspaces").await;
            assert!(!html.contains("action=\"/workspaces\""), "{}", user.email);
            let refused = app
                .post_form(
                    browser,
                    "/workspaces",
                    &[("name", "Mine"), ("lang_fr", "on")],
                )
                .await;
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
            app.post_form(
                &owner,
                &format!("/admin/accounts/{}/allow-workspaces", user.id),
                &[],
            )
            .await;
        }
        let (cm, cm_browser) = &people[0];
        let created = app
            .post_form(
                cm_browser,
                "/workspaces",
                &[("name", "Mine"), ("lang_fr", "on")],
            )
            .await;
        assert_eq!(
            created.status(),
            StatusCode::SEE_OTHER,
            "{} {}",
            cm.email,
            app.backend
        );
        // Someone who is only ever a client still cannot, even when allowed.
        let (_, brand_browser) = &people[1];
        let refused = app
            .post_form(
                brand_browser,
                "/workspaces",
                &[("name", "Mine"), ("lang_fr", "on")],
            )
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
    })
    .await;
}
