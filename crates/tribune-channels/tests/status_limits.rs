//! A Mastodon channel keeps its instance's post limits: read when it is connected and again at
//! each check, on SQLite and PostgreSQL, against a mock instance (wiremock, answers from the
//! Mastodon API documentation's shapes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use std::sync::Arc;
use tribune_channels::ChannelService;
use tribune_connectors::http::{HttpClient, HttpConfig};
use tribune_connectors::{Credentials, Secret};
use tribune_domain::security::secret_box::SecretBox;
use tribune_domain::user::UserNew;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::channels::ChannelLimits;
use tribune_store::testing::TestDb;
use tribune_store::{Store, unix_now};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn instance(server: &MockServer, v2: ResponseTemplate) {
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "42", "username": "cm", "acct": "cm", "display_name": "CM",
            "url": "https://example.org/@cm"
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(v2)
        .mount(server)
        .await;
}

fn v2(statuses: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "domain": "example.org",
        "configuration": {"statuses": statuses}
    }))
}

#[tokio::test]
async fn a_mastodon_channel_keeps_its_instance_limits_from_connection_and_checks() {
    let server = MockServer::start().await;
    for db in TestDb::all().await {
        let backend = db.backend_name();
        let store = Store::open(&db.url).await.unwrap();
        let http = HttpClient::new(HttpConfig {
            allow_http: true,
            backoff: std::time::Duration::from_millis(20),
            max_inline_wait: std::time::Duration::from_secs(2),
            ..HttpConfig::default()
        })
        .unwrap();
        let secrets = SecretBox::from_base64_key(&SecretBox::generate_key()).unwrap();
        let service = ChannelService::new(
            store.clone(),
            secrets,
            http,
            Arc::new(tribune_connectors::build),
        );
        let user = store
            .create_user(
                &UserNew::validate("cm@example.fr", "CM", "un mot de passe solide").unwrap(),
                false,
            )
            .await
            .unwrap();
        let profile = WorkspaceInput {
            name: "Librairie".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let scope = store
            .create_workspace(user.user_id(), &profile)
            .await
            .unwrap();

        instance(
            &server,
            v2(json!({"max_characters": 5000, "characters_reserved_per_url": 23, "max_media_attachments": 6})),
        )
        .await;
        let channel = service
            .connect(
                &scope,
                Credentials::Mastodon {
                    instance: server.uri(),
                    access_token: Secret("token".into()),
                },
                unix_now(),
            )
            .await
            .unwrap();
        assert_eq!(
            channel.limits,
            ChannelLimits {
                max_characters: Some(5000),
                characters_reserved_per_url: Some(23),
                max_media_attachments: Some(6),
            },
            "{backend}"
        );

        // The admin lowers the limit: the next check reads it.
        instance(&server, v2(json!({"max_characters": 800}))).await;
        let checked = service.check(&scope, channel.id, unix_now()).await.unwrap();
        assert_eq!(checked.limits.max_characters, Some(800), "{backend}");
        assert_eq!(checked.limits.max_media_attachments, None, "{backend}");

        // The instance cannot be reached for its description: the limits read before stay.
        instance(&server, ResponseTemplate::new(503)).await;
        let kept = service.check(&scope, channel.id, unix_now()).await.unwrap();
        assert_eq!(kept.limits.max_characters, Some(800), "{backend}");

        // Garbage: nothing sane announced, so Mastodon's defaults apply again.
        instance(
            &server,
            v2(json!({"max_characters": -5, "max_media_attachments": "many"})),
        )
        .await;
        let cleared = service.check(&scope, channel.id, unix_now()).await.unwrap();
        assert_eq!(cleared.limits, ChannelLimits::default(), "{backend}");
    }
}
