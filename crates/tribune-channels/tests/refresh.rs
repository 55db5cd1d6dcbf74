//! The background token refresh against a real Bluesky PDS (`scripts/peers/start.sh`), on
//! SQLite and PostgreSQL: a session about to expire is renewed and stored; credentials the
//! network refuses break the channel once, with a notification.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use tribune_channels::{ChannelService, RefreshReport};
use tribune_connectors::http::{HttpClient, HttpConfig};
use tribune_connectors::testing::{bluesky_account, peer};
use tribune_connectors::{Credentials, Secret};
use tribune_domain::ChannelId;
use tribune_domain::security::secret_box::SecretBox;
use tribune_domain::user::UserNew;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::channels::ChannelState;
use tribune_store::testing::TestDb;
use tribune_store::{Store, unix_now};

/// Rewrites a channel's stored credentials, as time (or a revocation) would.
async fn tamper(
    service: &ChannelService,
    scope: &tribune_store::WorkspaceScope,
    id: ChannelId,
    change: impl Fn(&mut Credentials),
    expires_at: i64,
) {
    let store = service.store();
    let sealed = store.channel_credentials(scope, id).await.unwrap();
    let json = service
        .secrets()
        .open(sealed.credentials.as_deref().unwrap())
        .unwrap();
    let mut credentials: Credentials = serde_json::from_str(&json).unwrap();
    change(&mut credentials);
    let sealed_again = service
        .secrets()
        .seal(&serde_json::to_string(&credentials).unwrap());
    store
        .update_channel_credentials(
            sealed.key(),
            sealed.credentials.as_deref().unwrap(),
            &sealed_again,
            Some(expires_at),
            unix_now(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn expiring_sessions_are_renewed_and_refused_credentials_break_the_channel() {
    let (Some(pds), Some(control)) = (
        peer("TRIBUNE_TEST_BSKY_PDS"),
        peer("TRIBUNE_TEST_BSKY_CONTROL"),
    ) else {
        return;
    };
    tribune_connectors::http::install_tls_provider();
    for db in TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let http = HttpClient::new(HttpConfig {
            allow_http: true,
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
            name: "Fleuriste".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let scope = store
            .create_workspace(user.user_id(), &profile)
            .await
            .unwrap();
        let (handle, app_password) = bluesky_account(&pds, &control, "rf").await;
        let channel = service
            .connect(
                &scope,
                Credentials::Bluesky {
                    service: pds.clone(),
                    identifier: handle,
                    app_password: Secret(app_password),
                    session: None,
                },
                unix_now(),
            )
            .await
            .unwrap();
        let id = channel.id;
        assert!(
            channel.token_expires_at.unwrap() > unix_now(),
            "{}",
            db.backend_name()
        );

        // Nothing is due yet.
        assert_eq!(
            service.refresh_expiring(unix_now()).await.unwrap(),
            RefreshReport::default()
        );

        // The access token is about to expire: the refresh renews it with the refresh token.
        let soon = unix_now() + 60;
        tamper(
            &service,
            &scope,
            id,
            |c| {
                if let Credentials::Bluesky {
                    session: Some(s), ..
                } = c
                {
                    s.access_expires_at = soon;
                }
            },
            soon,
        )
        .await;
        let report = service.refresh_expiring(unix_now()).await.unwrap();
        assert_eq!(report.refreshed, 1, "{}: {report:?}", db.backend_name());
        let renewed = store.channel(&scope, id).await.unwrap();
        assert!(renewed.token_expires_at.unwrap() > soon + 600);
        assert_eq!(renewed.state, ChannelState::Active);

        // The session and the app password were revoked: the channel breaks, once.
        tamper(
            &service,
            &scope,
            id,
            |c| {
                if let Credentials::Bluesky {
                    session: Some(s),
                    app_password,
                    ..
                } = c
                {
                    s.access_expires_at = soon;
                    s.refresh_jwt = Secret("revoked".into());
                    *app_password = Secret("aaaa-bbbb-cccc-dddd".into());
                }
            },
            soon,
        )
        .await;
        let report = service.refresh_expiring(unix_now()).await.unwrap();
        assert_eq!(report.broken, 1, "{}: {report:?}", db.backend_name());
        let broken = store.channel(&scope, id).await.unwrap();
        assert_eq!(broken.state, ChannelState::Broken);
        // The network's own words, not tribune's.
        assert!(
            broken
                .state_message
                .starts_with("Invalid identifier or password"),
            "{}",
            broken.state_message
        );
        assert_eq!(store.open_notifications(&scope).await.unwrap().len(), 1);
        // A broken channel is no longer refreshed.
        assert_eq!(
            service.refresh_expiring(unix_now()).await.unwrap(),
            RefreshReport::default()
        );
        store.close().await;
    }
}
