//! Security e-mails and the administration's e-mail actions, against the real SMTP sink: a
//! login from a new device is told to the account's owner, an account locked by too many wrong
//! passwords is too, and an admin sends a test e-mail and password resets.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::mail::{Sink, unique_email};
use common::{PASSWORD, TestApp};
use reqwest::StatusCode;
use tribune_store::testing::TestDb;

async fn login_from(
    app: &TestApp,
    email: &str,
    password: &str,
    ip: &str,
    agent: &str,
) -> StatusCode {
    let client = app.browser();
    let token = app.csrf(&client, "/no-such-page").await;
    client
        .post(format!("{}/login", app.url))
        .header("x-forwarded-for", ip)
        .header("user-agent", agent)
        .form(&[
            ("_csrf", token.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn owners_are_told_of_logins_from_new_devices_and_of_locked_accounts() {
    let Some(sink) = Sink::from_env() else { return };
    for db in TestDb::all().await {
        let config = tribune_web::WebConfig {
            trust_forwarded_for: true,
            login_max_failures: 3,
            login_max_failures_per_account: 4,
            ..sink.web_config()
        };
        let app = TestApp::spawn_with(db, config).await;
        app.setup_owner(&unique_email("owner")).await;
        let email = unique_email("alice");
        app.user(&email).await;
        // The first login ever tells nothing; the same device again neither.
        assert_eq!(
            login_from(&app, &email, PASSWORD, "203.0.113.1", "Firefox").await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            login_from(&app, &email, PASSWORD, "203.0.113.1", "Firefox").await,
            StatusCode::SEE_OTHER
        );
        // Another device and address: one notice, naming the address.
        assert_eq!(
            login_from(&app, &email, PASSWORD, "198.51.100.9", "Safari").await,
            StatusCode::SEE_OTHER
        );
        let mails = sink.wait_for(&email, 1).await;
        assert_eq!(mails.len(), 1, "{}: {mails:?}", app.backend);
        assert!(mails[0].text.contains("198.51.100.9"), "{}", mails[0].text);

        // Wrong passwords from several addresses fill the account's ceiling: one notice.
        for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"] {
            assert_eq!(
                login_from(&app, &email, "mauvais", ip, "bot").await,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            login_from(&app, &email, PASSWORD, "192.0.2.5", "Firefox").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        let mails = sink.wait_for(&email, 2).await;
        assert_eq!(mails.len(), 2, "{}", app.backend);
        assert!(mails[1].text.contains("192.0.2.4"), "{}", mails[1].text);
        assert!(
            mails[1].text.contains("/password/forgot"),
            "{}",
            mails[1].text
        );
    }
}

#[tokio::test]
async fn an_admin_sends_a_test_email_and_a_password_reset() {
    let Some(sink) = Sink::from_env() else { return };
    for db in TestDb::all().await {
        let app = TestApp::spawn_with(db, sink.web_config()).await;
        let admin_email = unique_email("admin");
        let admin = app.setup_owner(&admin_email).await;
        let (_, html) = app.get_text(&admin, "/admin").await;
        assert!(html.contains("127.0.0.1"), "{html}");
        let response = app.post_form(&admin, "/admin/mail/test", &[]).await;
        assert_eq!(
            common::location(&response),
            "/admin?flash=flash-mail-test-sent",
            "{}",
            app.backend
        );
        assert_eq!(sink.wait_for(&admin_email, 1).await.len(), 1);

        let email = unique_email("bob");
        let bob = app.user(&email).await;
        app.post_form(
            &admin,
            &format!("/admin/accounts/{}/send-reset", bob.id),
            &[],
        )
        .await;
        let mails = sink.wait_for(&email, 1).await;
        let link = mails[0].link("http");
        assert!(link.contains("/password/reset/"), "{link}");
        let (_, html) = app.get_text(&admin, "/admin").await;
        assert!(html.contains("a envoyé un e-mail de test"), "{html}");
        assert!(html.contains("a envoyé une réinitialisation"), "{html}");
    }
}
