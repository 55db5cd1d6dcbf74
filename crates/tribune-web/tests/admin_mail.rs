//! SMTP settings saved on the administration page: used when the file and the environment set
//! none (they win, and the page says so), the password never shown back, the save audited, and
//! the test e-mail sent through the saved server. Needs the peers' SMTP sink for the sending
//! part (`scripts/peers/start.sh smtp`).
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::TestApp;
use common::mail::{Sink, unique_email, unreachable_mail_config};
use reqwest::StatusCode;
use tribune_domain::Role;
use tribune_domain::publishing::ApprovalPolicy;
use tribune_store::posts::{Intent, PostNew};
use tribune_store::testing::TestDb;
use tribune_store::unix_now;

fn smtp_form<'a>(host: &'a str, port: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("host", host),
        ("port", port),
        ("tls", "none"),
        ("username", ""),
        ("password", password),
        ("from", "tribune <tribune@tribune.test>"),
    ]
}

#[tokio::test]
async fn an_admin_saves_smtp_settings_then_sends_a_test_email_through_them() {
    let Some(sink) = Sink::from_env() else { return };
    let port = sink.port().to_string();
    for db in TestDb::all().await {
        let app = TestApp::spawn(db).await;
        {
            let owner_email = unique_email("admin");
            let admin = app.setup_owner(&owner_email).await;
            let (_, page) = app.get_text(&admin, "/admin").await;
            assert!(
                page.contains("L’envoi d’e-mails est désactivé"),
                "{}",
                app.backend
            );
            assert!(page.contains("Aucun mot de passe n’est enregistré"));

            // Bad fields: 422, each said where it is, nothing saved.
            let mut bad = smtp_form("smtp example", "99999", "");
            bad[5] = ("from", "not an address");
            let response = app.post_form(&admin, "/admin/mail", &bad).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let html = response.text().await.unwrap();
            for error in [
                "Indiquez le nom ou l’adresse du serveur SMTP",
                "Le port est un nombre de 1 à 65535.",
                "Indiquez l’expéditeur par une adresse",
            ] {
                assert!(html.contains(error), "{error}");
            }
            assert!(app.store.smtp_settings().await.unwrap().is_none());

            // Saved with a password: sealed in the database, never on the page.
            let response = app
                .post_form(
                    &admin,
                    "/admin/mail",
                    &smtp_form("127.0.0.1", &port, "s3cret-pw"),
                )
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
            let stored = app.store.smtp_settings().await.unwrap().unwrap();
            let sealed = stored.password_sealed.clone().unwrap();
            assert!(!sealed.contains("s3cret-pw"));
            let (_, page) = app
                .get_text(&admin, "/admin?flash=flash-mail-settings-saved")
                .await;
            assert!(page.contains("Réglages SMTP enregistrés."));
            assert!(page.contains(&format!("Les e-mails partent par 127.0.0.1:{port} (none)")));
            assert!(page.contains("Ces réglages ont été enregistrés sur cette page."));
            assert!(page.contains("Un mot de passe est enregistré"));
            assert!(!page.contains("s3cret-pw"));
            assert!(page.contains("a modifié les réglages SMTP"), "audited");

            // Saved again with the field empty: the password is kept (the sink ignores it).
            let response = app
                .post_form(&admin, "/admin/mail", &smtp_form("127.0.0.1", &port, ""))
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let kept = app.store.smtp_settings().await.unwrap().unwrap();
            assert_eq!(kept.password_sealed, Some(sealed));

            // The test e-mail goes through the saved server.
            let response = app.post_form(&admin, "/admin/mail/test", &[]).await;
            assert_eq!(
                common::location(&response),
                "/admin?flash=flash-mail-test-sent",
                "{}",
                app.backend
            );
            let messages = sink.wait_for(&owner_email, 1).await;
            assert_eq!(messages.len(), 1);

            // The job runner, started before the settings were saved, sends the outbox's
            // e-mail through them too: no restart needed.
            let owner = app
                .store
                .user_by_email(&owner_email)
                .await
                .unwrap()
                .unwrap();
            let workspace = app
                .store
                .create_workspace(
                    owner.user_id(),
                    &tribune_domain::workspace::WorkspaceInput {
                        name: "Boulangerie".into(),
                        ..Default::default()
                    }
                    .validate()
                    .unwrap(),
                )
                .await
                .unwrap();
            app.store
                .set_approval_policy(&workspace, ApprovalPolicy::Team)
                .await
                .unwrap();
            let redac = app
                .join(&workspace, &unique_email("redac"), Role::Contributor)
                .await;
            let channel = common::channel(&app, &workspace, "mastodon", "Fournil").await;
            app.store
                .create_post(
                    &redac,
                    PostNew {
                        text: "Galettes samedi".into(),
                        targets: vec![(channel, None)],
                        scheduled_at: Some(unix_now() + 86_400),
                        ..PostNew::default()
                    },
                    Intent::Schedule,
                    unix_now(),
                )
                .await
                .unwrap();
            let report = app.run_jobs().await;
            assert!(report.done >= 1, "{}: {report:?}", app.backend);
            let messages = sink.wait_for(&owner_email, 2).await;
            assert_eq!(messages.len(), 2, "{}", app.backend);
        }
    }
}

#[tokio::test]
async fn settings_from_the_file_or_the_environment_win_and_the_page_says_so() {
    for db in TestDb::all().await {
        let app = TestApp::spawn_with(db, unreachable_mail_config()).await;
        let admin = app.setup_owner("owner@example.fr").await;
        let response = app
            .post_form(
                &admin,
                "/admin/mail",
                &smtp_form("smtp.example.fr", "587", ""),
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let (_, page) = app.get_text(&admin, "/admin").await;
        assert!(
            page.contains("Les e-mails partent par 127.0.0.1:1 (none)"),
            "{}",
            app.backend
        );
        assert!(page.contains("viennent du fichier de configuration ou de l’environnement"));
        assert!(page.contains("Inutilisés\u{a0}: le fichier de configuration"));
        assert!(
            page.contains("value=\"smtp.example.fr\""),
            "the saved ones are still shown"
        );
    }
}
