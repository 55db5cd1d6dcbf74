//! What a user does, end to end over HTTP, on SQLite and PostgreSQL.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{PASSWORD, TestApp, each_backend, location};
use reqwest::StatusCode;
use tribune_domain::security::totp;
use tribune_store::unix_now;

#[tokio::test]
async fn first_visit_creates_the_owner_then_setup_is_closed() {
    each_backend(|app: TestApp| async move {
        let visitor = app.browser();
        let response = app.get(&visitor, "/").await;
        assert_eq!(location(&response), "/setup", "{}", app.backend);
        let owner = app.setup_owner("owner@example.fr").await;
        let (status, html) = app.get_text(&owner, "/workspaces").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Owner"), "the owner is logged in");

        let late = app.browser();
        assert_eq!(location(&app.get(&late, "/setup").await), "/login");
        let again = app
            .post_form(
                &late,
                "/setup",
                &[
                    ("name", "X"),
                    ("email", "x@example.fr"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            again.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        assert!(
            app.store
                .user_by_email("x@example.fr")
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn setup_shows_field_errors_and_keeps_what_was_typed() {
    each_backend(|app: TestApp| async move {
        let visitor = app.browser();
        let response = app
            .post_form(
                &visitor,
                "/setup",
                &[
                    ("name", "Camille"),
                    ("email", "pas-un-email"),
                    ("password", "court"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("value=\"Camille\""));
        assert!(
            html.contains("Adresse e-mail invalide."),
            "French by default"
        );
        assert!(html.contains("au moins 10 caractères"));
        assert!(!app.store.is_set_up().await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn login_logout_and_redirect_back() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let visitor = app.browser();
        let response = app.get(&visitor, "/account").await;
        assert_eq!(location(&response), "/login?next=%2Faccount");
        let response = app
            .post_form(
                &visitor,
                "/login",
                &[
                    ("email", "OWNER@example.fr"),
                    ("password", PASSWORD),
                    ("next", "/account"),
                ],
            )
            .await;
        assert_eq!(location(&response), "/account", "{}", app.backend);
        assert_eq!(app.get(&visitor, "/account").await.status(), StatusCode::OK);
        let response = app.post_form(&visitor, "/logout", &[]).await;
        assert_eq!(location(&response), "/login");
        assert_eq!(
            app.get(&visitor, "/account").await.status(),
            StatusCode::SEE_OTHER
        );
    })
    .await;
}

#[tokio::test]
async fn workspaces_are_created_listed_and_edited() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner("owner@example.fr").await;
        let response = app
            .post_form(
                &owner,
                "/workspaces",
                &[("name", "Boulangerie Dupont"), ("lang_fr", "on")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let overview = location(&response);
        let id: i64 = overview
            .trim_start_matches("/w/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (status, html) = app.get_text(&owner, &overview).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Boulangerie Dupont") && html.contains("Europe/Paris"));

        let response = app
            .post_form(
                &owner,
                &format!("/w/{id}/settings"),
                &[
                    ("name", "Boulangerie Dupont & Fils"),
                    ("timezone", "America/Toronto"),
                    ("lang_fr", "on"),
                    ("lang_en", "on"),
                    ("brand_voice", "Chaleureux, on tutoie."),
                    ("words_to_avoid", "pas cher\nlow cost"),
                    ("guidelines", "Soyez courtois.\n\nPas d'insultes."),
                    ("guidelines_public", "on"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let (_, html) = app.get_text(&owner, &format!("/w/{id}")).await;
        assert!(html.contains("America/Toronto") && html.contains("low cost"));
        let slug = html
            .split("href=\"/g/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let (status, page) = app.get_text(&app.browser(), &format!("/g/{slug}")).await;
        assert_eq!(status, StatusCode::OK, "the guidelines page is public");
        assert!(
            page.contains("<p>Pas d'insultes.</p>"),
            "one paragraph each"
        );

        let bad = app
            .post_form(
                &owner,
                &format!("/w/{id}/settings"),
                &[("name", ""), ("timezone", "Mars/Olympus")],
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, html) = app.get_text(&owner, &format!("/w/{id}")).await;
        assert!(
            html.contains("America/Toronto"),
            "a refused form changes nothing"
        );
    })
    .await;
}

#[tokio::test]
async fn an_invited_person_signs_up_and_gets_their_role_only() {
    each_backend(|app: TestApp| async move {
        let (owner, scope) = app.member_with_workspace("owner@example.fr", "Telco").await;
        let ws = scope.workspace();
        let response = app
            .post_form(
                &owner,
                &format!("/w/{ws}/invitations"),
                &[("email", "client@brand.fr"), ("role", "client")],
            )
            .await;
        // Post/redirect/get: the link is on the page the form redirects to.
        assert_eq!(location(&response), format!("/w/{ws}/members"));
        let (_, html) = app.get_text(&owner, &location(&response)).await;
        let link = html
            .split("id=\"invite-link\" class=\"copy\" readonly value=\"")
            .nth(1)
            .unwrap();
        let link = link.split('"').next().unwrap().to_owned();
        let path = link.trim_start_matches(&app.url).to_owned();
        assert!(path.starts_with("/invite/"), "{link}");

        let guest = app.browser();
        let (status, page) = app.get_text(&guest, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Telco") && page.contains("client@brand.fr"));
        let response = app
            .post_form(&guest, &path, &[("name", "Claire"), ("password", PASSWORD)])
            .await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}?flash=flash-joined"),
            "{}",
            app.backend
        );
        assert_eq!(
            app.get(&guest, &format!("/w/{ws}")).await.status(),
            StatusCode::OK
        );
        // A client reads but does not change the brand profile or the team.
        assert_eq!(
            app.get(&guest, &format!("/w/{ws}/settings")).await.status(),
            StatusCode::FORBIDDEN
        );
        let invite = app
            .post_form(
                &guest,
                &format!("/w/{ws}/invitations"),
                &[("email", "x@brand.fr"), ("role", "owner")],
            )
            .await;
        assert_eq!(invite.status(), StatusCode::FORBIDDEN);
        // The link works once.
        let other = app.browser();
        let again = app
            .post_form(&other, &path, &[("name", "Eve"), ("password", PASSWORD)])
            .await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn members_change_roles_leave_and_are_removed() {
    each_backend(|app: TestApp| async move {
        let (owner, scope) = app
            .member_with_workspace("owner@example.fr", "Sneakers")
            .await;
        let ws = scope.workspace();
        let bob = app.user("bob@example.fr").await;
        let (token, _) = app
            .store
            .create_invitation(
                &scope,
                "bob@example.fr",
                tribune_domain::Role::Contributor,
                unix_now(),
            )
            .await
            .unwrap();
        app.store
            .accept_invitation(&token, &bob, unix_now())
            .await
            .unwrap();
        let response = app
            .post_form(
                &owner,
                &format!("/w/{ws}/members/{}/role", bob.id),
                &[("role", "manager")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.store.scope(bob.user_id(), ws).await.unwrap().role(),
            tribune_domain::Role::Manager
        );
        // The only owner cannot leave.
        let response = app
            .post_form(&owner, &format!("/w/{ws}/leave"), &[("confirm", "on")])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let response = app
            .post_form(
                &owner,
                &format!("/w/{ws}/members/{}/remove", bob.id),
                &[("confirm", "on")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(app.store.scope(bob.user_id(), ws).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn two_factor_login_asks_for_a_code() {
    each_backend(|app: TestApp| async move {
        let owner = app.setup_owner("owner@example.fr").await;
        let start = app.post_form(&owner, "/account/totp/start", &[]).await;
        assert_eq!(location(&start), "/account/totp", "Post/Redirect/Get");
        let html = app.get_text(&owner, "/account/totp").await.1;
        assert!(html.contains("<svg"), "a QR code to scan");
        let secret = html
            .split("id=\"totp-secret\" class=\"copy\" readonly value=\"")
            .nth(1)
            .unwrap();
        let secret = secret.split('"').next().unwrap().to_owned();
        let wrong = app
            .post_form(&owner, "/account/totp/enable", &[("code", "000000")])
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let code = totp::code_at(&secret, unix_now() as u64).unwrap();
        let response = app
            .post_form(&owner, "/account/totp/enable", &[("code", &code)])
            .await;
        assert_eq!(
            location(&response),
            "/account?flash=flash-totp-enabled",
            "{}",
            app.backend
        );

        let (client, response) = app.login("owner@example.fr", PASSWORD).await;
        assert!(location(&response).starts_with("/login/totp"));
        // The password alone opens nothing.
        assert_eq!(
            app.get(&client, "/workspaces").await.status(),
            StatusCode::SEE_OTHER
        );
        let bad = app
            .post_form(&client, "/login/totp", &[("code", "123456")])
            .await;
        assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
        // The code used to turn 2FA on cannot be used again: log in with the next one (one
        // step of clock drift is accepted).
        let (used, next) = (
            code,
            totp::code_at(&secret, unix_now() as u64 + 30).unwrap(),
        );
        let replay = app
            .post_form(&client, "/login/totp", &[("code", &used)])
            .await;
        assert_eq!(
            replay.status(),
            StatusCode::UNAUTHORIZED,
            "a used code is refused"
        );
        let ok = app
            .post_form(&client, "/login/totp", &[("code", &next)])
            .await;
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        let (again, _) = app.login("owner@example.fr", PASSWORD).await;
        let replay = app
            .post_form(&again, "/login/totp", &[("code", &next)])
            .await;
        assert_eq!(
            replay.status(),
            StatusCode::UNAUTHORIZED,
            "nor on a second login"
        );
        assert_eq!(
            app.get(&client, "/workspaces").await.status(),
            StatusCode::OK
        );
        // The seed is stored encrypted.
        let credentials = app
            .store
            .credentials_by_email("owner@example.fr")
            .await
            .unwrap()
            .unwrap();
        assert!(!credentials.totp_secret.unwrap().contains(&secret));
    })
    .await;
}

#[tokio::test]
async fn logging_out_other_sessions_and_changing_password() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let (laptop, _) = app.login("owner@example.fr", PASSWORD).await;
        let (phone, _) = app.login("owner@example.fr", PASSWORD).await;
        let (_, html) = app.get_text(&laptop, "/account").await;
        assert!(
            html.matches("/revoke\"").count() >= 2,
            "other sessions are listed"
        );
        app.post_form(
            &laptop,
            "/account/sessions/revoke-others",
            &[("confirm", "on")],
        )
        .await;
        assert_eq!(
            app.get(&phone, "/account").await.status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(app.get(&laptop, "/account").await.status(), StatusCode::OK);

        let wrong = app
            .post_form(
                &laptop,
                "/account/password",
                &[
                    ("current", "nope"),
                    ("password", "nouveau mot de passe"),
                    ("confirm", "nouveau mot de passe"),
                ],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let ok = app
            .post_form(
                &laptop,
                "/account/password",
                &[
                    ("current", PASSWORD),
                    ("password", "nouveau mot de passe"),
                    ("confirm", "nouveau mot de passe"),
                ],
            )
            .await;
        assert_eq!(ok.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let (_, response) = app.login("owner@example.fr", "nouveau mot de passe").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn language_follows_the_browser_then_the_user_choice() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let client = app.browser();
        let html = client
            .get(format!("{}/login", app.url))
            .header("accept-language", "en-GB,en;q=0.9")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<html lang=\"en\">"));
        let (owner, _) = app.login("owner@example.fr", PASSWORD).await;
        app.post_form(&owner, "/lang", &[("lang", "en"), ("next", "/workspaces")])
            .await;
        let html = owner
            .get(format!("{}/workspaces", app.url))
            .header("accept-language", "fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Your client workspaces"),
            "the preference beats the browser"
        );
        let user = app
            .store
            .user_by_email("owner@example.fr")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.locale.as_deref(), Some("en"));
    })
    .await;
}

#[tokio::test]
async fn logo_upload_checks_the_image_and_serves_it_to_members() {
    each_backend(|app: TestApp| async move {
        let (owner, scope) = app
            .member_with_workspace("owner@example.fr", "Logo Co")
            .await;
        let ws = scope.workspace();
        let token = app.csrf(&owner, &format!("/w/{ws}/settings")).await;
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
        let upload = |bytes: Vec<u8>, csrf: String| {
            let form = reqwest::multipart::Form::new().part(
                "logo",
                reqwest::multipart::Part::bytes(bytes).file_name("logo.png"),
            );
            owner
                .post(format!("{}/w/{ws}/logo?_csrf={csrf}", app.url))
                .multipart(form)
                .send()
        };
        let svg = upload(b"<svg onload=alert(1)>".to_vec(), token.clone())
            .await
            .unwrap();
        assert_eq!(svg.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let no_csrf = upload(png.clone(), "wrong".into()).await.unwrap();
        assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
        let ok = upload(png.clone(), token).await.unwrap();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let logo = app.get(&owner, &format!("/w/{ws}/logo")).await;
        assert_eq!(logo.headers()["content-type"], "image/png");
        assert_eq!(logo.bytes().await.unwrap().as_ref(), png.as_slice());
        let (stranger, _) = app.member_with_workspace("other@example.fr", "Other").await;
        assert_eq!(
            app.get(&stranger, &format!("/w/{ws}/logo")).await.status(),
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn health_and_metrics_answer() {
    each_backend(|app: TestApp| async move {
        let client = app.browser();
        let (status, body) = app.get_text(&client, "/healthz").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
        let (status, body) = app.get_text(&client, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("tribune_http_requests_total"), "{body}");
        assert!(body.contains("route=\"/healthz\""));
    })
    .await;
}

#[tokio::test]
async fn removing_leaving_and_revoking_need_the_confirmation_box() {
    each_backend(|app: TestApp| async move {
        let (owner, scope) = app
            .member_with_workspace("owner@example.fr", "Sneakers")
            .await;
        let ws = scope.workspace();
        let bob = app.user("bob@example.fr").await;
        let (token, _) = app
            .store
            .create_invitation(
                &scope,
                "bob@example.fr",
                tribune_domain::Role::Contributor,
                unix_now(),
            )
            .await
            .unwrap();
        app.store
            .accept_invitation(&token, &bob, unix_now())
            .await
            .unwrap();
        let (bob_browser, _) = app.login("bob@example.fr", PASSWORD).await;
        let owner_user = app
            .store
            .user_by_email("owner@example.fr")
            .await
            .unwrap()
            .unwrap()
            .user_id();
        app.api_token("owner@example.fr").await;
        let (_phone, _) = app.login("owner@example.fr", PASSWORD).await;
        let refused =
            "Cochez «\u{202f}J’ai compris\u{202f}» pour confirmer\u{202f}: rien n’a été fait.";

        // Each form says what will be lost and carries the box.
        let (_, members) = app.get_text(&owner, &format!("/w/{ws}/members")).await;
        assert!(members.contains("Cette personne perdra l’accès à l’espace"));
        let (_, account) = app.get_text(&owner, "/account").await;
        assert!(account.contains("Les scripts et applications qui utilisent ce jeton"));
        assert!(account.contains("Tous vos autres appareils devront se reconnecter"));
        assert!(
            account.matches("name=\"confirm\" required").count() >= 3,
            "token, one session, the other sessions"
        );

        // Without the box: 400, and nothing is lost.
        let token_id = app.store.api_tokens_of(owner_user).await.unwrap()[0].id;
        let sessions = app.store.sessions_of(owner_user, unix_now()).await.unwrap();
        let other_session = sessions.iter().map(|s| s.id).max().unwrap();
        for (who, path) in [
            (&owner, format!("/w/{ws}/members/{}/remove", bob.id)),
            (&bob_browser, format!("/w/{ws}/leave")),
            (&owner, format!("/account/tokens/{token_id}/revoke")),
            (&owner, format!("/account/sessions/{other_session}/revoke")),
            (&owner, "/account/sessions/revoke-others".to_owned()),
        ] {
            for fields in [&[][..], &[("confirm", "")][..]] {
                let response = app.post_form(who, &path, fields).await;
                assert_eq!(
                    response.status(),
                    StatusCode::BAD_REQUEST,
                    "{path} on {}",
                    app.backend
                );
                assert!(response.text().await.unwrap().contains(refused), "{path}");
            }
        }
        assert!(app.store.scope(bob.user_id(), ws).await.is_ok());
        assert_eq!(app.store.api_tokens_of(owner_user).await.unwrap().len(), 1);
        assert_eq!(
            app.store
                .sessions_of(owner_user, unix_now())
                .await
                .unwrap()
                .len(),
            sessions.len()
        );

        // With it, done.
        let response = app
            .post_form(
                &owner,
                &format!("/account/tokens/{token_id}/revoke"),
                &[("confirm", "on")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(
            app.store
                .api_tokens_of(owner_user)
                .await
                .unwrap()
                .is_empty()
        );
        let response = app
            .post_form(
                &bob_browser,
                &format!("/w/{ws}/leave"),
                &[("confirm", "on")],
            )
            .await;
        assert_eq!(location(&response), "/workspaces?flash=flash-left");
        assert!(app.store.scope(bob.user_id(), ws).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn revoking_an_invitation_says_what_is_lost_and_needs_the_confirmation_box() {
    each_backend(|app: TestApp| async move {
        let (owner, scope) = app
            .member_with_workspace("owner@example.fr", "Sneakers")
            .await;
        let ws = scope.workspace();
        let (token, invitation) = app
            .store
            .create_invitation(
                &scope,
                "client@example.fr",
                tribune_domain::Role::Client,
                unix_now(),
            )
            .await
            .unwrap();
        let (_, members) = app.get_text(&owner, &format!("/w/{ws}/members")).await;
        assert!(
            members.contains("Le lien envoyé à cette adresse ne fonctionnera plus"),
            "the box says what is lost"
        );
        let path = format!("/w/{ws}/invitations/{}/revoke", invitation.id);
        assert!(members.contains(&format!("action=\"{path}\"")));

        // Without the box: 400, and the invitation still stands.
        for fields in [&[][..], &[("confirm", "")][..]] {
            let response = app.post_form(&owner, &path, fields).await;
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "{}",
                app.backend
            );
            assert!(
                response
                    .text()
                    .await
                    .unwrap()
                    .contains("Cochez «\u{202f}J’ai compris\u{202f}» pour confirmer")
            );
        }
        let pending = app
            .store
            .pending_invitations(&scope, unix_now())
            .await
            .unwrap();
        assert_eq!(pending.len(), 1, "{}", app.backend);
        assert!(
            app.store
                .invitation_by_token(&token)
                .await
                .unwrap()
                .is_some()
        );

        // With it: revoked, and its link leads nowhere.
        let response = app.post_form(&owner, &path, &[("confirm", "on")]).await;
        assert_eq!(
            location(&response),
            format!("/w/{ws}/members?flash=flash-invitation-revoked")
        );
        assert!(
            app.store
                .pending_invitations(&scope, unix_now())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            app.store
                .invitation_by_token(&token)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}
