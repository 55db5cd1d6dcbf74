//! SMTP settings saved from the administration page, on SQLite and on PostgreSQL: one row,
//! the password kept when the form leaves it empty, every save audited without the secret.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_store::smtp_settings::{PasswordChange, SmtpSettingsSave};
use tribune_store::testing::{each_backend, user};

fn save(host: &str, password: PasswordChange) -> SmtpSettingsSave {
    SmtpSettingsSave {
        host: host.into(),
        port: 587,
        tls: "starttls".into(),
        username: Some("tribune".into()),
        password,
        from_address: "tribune <tribune@example.fr>".into(),
    }
}

#[tokio::test]
async fn saved_smtp_settings_keep_replace_or_clear_the_password_and_are_audited() {
    each_backend(|store, backend| async move {
        let owner = store
            .create_first_owner(&user("o@example.fr"))
            .await
            .unwrap();
        let admin = store.admin_scope(owner.user_id()).await.unwrap();
        assert!(store.smtp_settings().await.unwrap().is_none(), "{backend}");

        let first = store
            .save_smtp_settings(
                &admin,
                &save(
                    "smtp.example.fr",
                    PasswordChange::Replace("sealed-1".into()),
                ),
                100,
            )
            .await
            .unwrap();
        assert_eq!(
            first.password_sealed.as_deref(),
            Some("sealed-1"),
            "{backend}"
        );
        assert_eq!(store.smtp_settings().await.unwrap(), Some(first));

        // The form left the password empty: kept. Another host: one row still.
        let second = store
            .save_smtp_settings(&admin, &save("mail.example.fr", PasswordChange::Keep), 200)
            .await
            .unwrap();
        assert_eq!(second.host, "mail.example.fr", "{backend}");
        assert_eq!(
            second.password_sealed.as_deref(),
            Some("sealed-1"),
            "{backend}"
        );
        assert_eq!(second.updated_at, 200);
        let cleared = store
            .save_smtp_settings(&admin, &save("mail.example.fr", PasswordChange::Clear), 300)
            .await
            .unwrap();
        assert!(!cleared.has_password(), "{backend}");
        assert_eq!(store.smtp_settings().await.unwrap(), Some(cleared));

        // Each save is an admin action; the audit never holds the secret.
        let audit = store.instance_audit(&admin, 10).await.unwrap();
        let saves: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "mail.settings_changed")
            .collect();
        assert_eq!(saves.len(), 3, "{backend}");
        for entry in &saves {
            assert!(!entry.details.contains("sealed-1"), "{}", entry.details);
            assert_eq!(entry.actor_user_id, Some(owner.user_id()));
        }
        let details: Vec<serde_json::Value> = saves
            .iter()
            .map(|e| serde_json::from_str(&e.details).unwrap())
            .collect();
        let passwords: Vec<_> = details.iter().map(|d| d["password"].clone()).collect();
        assert!(
            passwords.contains(&serde_json::json!("replaced")),
            "{details:?}"
        );
        assert!(
            passwords.contains(&serde_json::json!("kept")),
            "{details:?}"
        );
        assert!(
            passwords.contains(&serde_json::json!("cleared")),
            "{details:?}"
        );
    })
    .await;
}
