//! Channels, notifications and OAuth state, run on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_domain::Role;
use tribune_domain::user::UserNew;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::channels::{ChannelLimits, ChannelNew, ChannelState};
use tribune_store::testing::each_backend;
use tribune_store::{Store, StoreError, WorkspaceScope};

async fn workspace(store: &Store, email: &str, name: &str) -> WorkspaceScope {
    let user = store
        .create_user(
            &UserNew::validate(email, "Test", "un mot de passe solide").unwrap(),
            false,
        )
        .await
        .unwrap();
    let profile = WorkspaceInput {
        name: name.into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    store
        .create_workspace(user.user_id(), &profile)
        .await
        .unwrap()
}

fn account(remote_id: &str, sealed: &str) -> ChannelNew {
    ChannelNew {
        network: "bluesky".into(),
        remote_id: remote_id.into(),
        handle: "brand.test".into(),
        display_name: "Brand".into(),
        avatar_url: None,
        profile_url: None,
        avatar: Some((b"\x89PNG\r\n\x1a\n".to_vec(), "image/png".into())),
        capabilities: "publish_text,reply".into(),
        sealed_credentials: sealed.into(),
        token_expires_at: Some(1_000),
    }
}

#[tokio::test]
async fn reconnecting_an_account_keeps_its_channel_and_resolves_its_alert() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "cm@example.fr", "Boulangerie").await;
        let first = store
            .connect_channel(&scope, account("did:plc:brand", "sealed-1"), 10)
            .await
            .unwrap();
        assert_eq!(first.state, ChannelState::Active, "{backend}");

        // The token dies: the channel breaks once, with one notification.
        assert!(
            store
                .mark_channel_broken(first.key(), "sealed-1", "Token has been revoked", 20)
                .await
                .unwrap()
        );
        assert!(
            !store
                .mark_channel_broken(first.key(), "sealed-1", "again", 21)
                .await
                .unwrap()
        );
        assert_eq!(
            store
                .workspace_with_broken_channels(&scope)
                .await
                .unwrap()
                .1,
            1
        );
        // The audit says it, once, as tribune's background check.
        let audit = store.workspace_audit(&scope, 50).await.unwrap();
        let broken: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "channel.broken")
            .collect();
        assert_eq!(broken.len(), 1, "{backend}");
        assert_eq!(broken[0].actor, "system:channel-check");
        assert!(broken[0].details.contains("Token has been revoked"));
        let alerts = store.open_notifications(&scope).await.unwrap();
        assert_eq!(alerts.len(), 1, "{backend}");
        assert_eq!(alerts[0].message, "Token has been revoked");
        assert_eq!(alerts[0].channel_id, Some(first.id));

        // Reconnecting the same account: same channel id, active, alert resolved.
        let again = store
            .connect_channel(&scope, account("did:plc:brand", "sealed-2"), 30)
            .await
            .unwrap();
        assert_eq!(again.id, first.id, "{backend}");
        assert_eq!(again.state, ChannelState::Active);
        assert_eq!(again.created_at, 10);
        // A reconnection without an avatar keeps the one we had.
        let mut no_avatar = account("did:plc:brand", "sealed-2");
        no_avatar.avatar = None;
        let kept = store.connect_channel(&scope, no_avatar, 31).await.unwrap();
        assert!(kept.has_avatar, "{backend}");
        assert!(store.open_notifications(&scope).await.unwrap().is_empty());
        let sealed = store.channel_credentials(&scope, first.id).await.unwrap();
        assert_eq!(sealed.credentials.as_deref(), Some("sealed-2"));

        // Another account is another channel.
        let other = store
            .connect_channel(&scope, account("did:plc:other", "sealed-3"), 40)
            .await
            .unwrap();
        assert_ne!(other.id, first.id);
        assert_eq!(store.channels(&scope).await.unwrap().len(), 2);
        assert!(again.has_avatar);
        let (bytes, media_type) = store
            .channel_avatar(&scope, first.id)
            .await
            .unwrap()
            .unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        assert_eq!(media_type, "image/png");
    })
    .await;
}

#[tokio::test]
async fn disconnecting_erases_credentials_but_keeps_the_channel() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "cm@example.fr", "Fleuriste").await;
        let channel = store
            .connect_channel(&scope, account("did:plc:x", "sealed"), 10)
            .await
            .unwrap();
        store
            .disconnect_channel(&scope, channel.id, 20)
            .await
            .unwrap();
        let after = store.channel(&scope, channel.id).await.unwrap();
        assert_eq!(after.state, ChannelState::Disconnected, "{backend}");
        let sealed = store.channel_credentials(&scope, channel.id).await.unwrap();
        assert_eq!(sealed.credentials, None);
        // A disconnected channel is not "broken" and is not refreshed.
        assert!(
            !store
                .mark_channel_broken(after.key(), "sealed", "x", 30)
                .await
                .unwrap()
        );
        assert!(
            store
                .channels_with_tokens_expiring(i64::MAX, 10)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn channels_of_one_workspace_are_invisible_from_another() {
    each_backend(|store, backend| async move {
        let mine = workspace(&store, "a@example.fr", "A").await;
        let theirs = workspace(&store, "b@example.fr", "B").await;
        let channel = store
            .connect_channel(&mine, account("did:plc:a", "s"), 10)
            .await
            .unwrap();
        let id = channel.id;
        assert!(
            store.channels(&theirs).await.unwrap().is_empty(),
            "{backend}"
        );
        assert!(matches!(
            store.channel(&theirs, id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.channel_credentials(&theirs, id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.disconnect_channel(&theirs, id, 20).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.channel(&mine, id).await.unwrap().state,
            ChannelState::Active
        );
    })
    .await;
}

#[tokio::test]
async fn only_managers_and_owners_manage_channels() {
    each_backend(|store, backend| async move {
        let owner_scope = workspace(&store, "owner@example.fr", "C").await;
        let (token, _) = store
            .create_invitation(&owner_scope, "contrib@example.fr", Role::Contributor, 1)
            .await
            .unwrap();
        let (contributor, _) = store
            .accept_invitation_as_new_user(&token, "C", "un mot de passe solide", 2)
            .await
            .unwrap();
        let scope = store
            .scope(contributor.user_id(), owner_scope.workspace())
            .await
            .unwrap();
        let refused = store
            .connect_channel(&scope, account("did:plc:c", "s"), 10)
            .await;
        assert!(matches!(refused, Err(StoreError::Forbidden)), "{backend}");
    })
    .await;
}

#[tokio::test]
async fn expiring_tokens_and_bookkeeping_round_trip() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "cm@example.fr", "D").await;
        let channel = store
            .connect_channel(&scope, account("did:plc:d", "s1"), 10)
            .await
            .unwrap();
        let due = store
            .channels_with_tokens_expiring(2_000, 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 1, "{backend}");
        assert_eq!(due[0].key(), channel.key());
        assert!(
            store
                .update_channel_credentials(channel.key(), "s1", "s2", Some(5_000), 20)
                .await
                .unwrap()
        );
        // A call that started from older credentials changes nothing.
        assert!(
            !store
                .update_channel_credentials(channel.key(), "s1", "s3", Some(9_000), 21)
                .await
                .unwrap()
        );
        assert!(
            !store
                .mark_channel_broken(channel.key(), "s1", "stale call", 21)
                .await
                .unwrap()
        );
        assert!(
            store
                .channels_with_tokens_expiring(2_000, 10)
                .await
                .unwrap()
                .is_empty()
        );
        store
            .set_channel_rate_limit(channel.key(), Some(99), 21)
            .await
            .unwrap();
        let after = store.channel(&scope, channel.id).await.unwrap();
        assert_eq!(after.rate_limited_until, Some(99));
        assert_eq!(after.token_expires_at, Some(5_000));
    })
    .await;
}

#[tokio::test]
async fn announced_limits_are_kept_with_the_channel_and_replaced_at_each_check() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "cm@example.fr", "E").await;
        let channel = store
            .connect_channel(&scope, account("acct-e", "s1"), 10)
            .await
            .unwrap();
        assert_eq!(channel.limits, ChannelLimits::default(), "{backend}");
        let announced = ChannelLimits {
            max_characters: Some(5_000),
            characters_reserved_per_url: Some(23),
            max_media_attachments: None,
        };
        store
            .set_channel_limits(channel.key(), announced, 20)
            .await
            .unwrap();
        let read = store.channel(&scope, channel.id).await.unwrap();
        assert_eq!(read.limits, announced, "{backend}");
        assert_eq!(store.channels(&scope).await.unwrap()[0].limits, announced);
        // Reconnecting keeps them until the next read of the server replaces them.
        let again = store
            .connect_channel(&scope, account("acct-e", "s2"), 30)
            .await
            .unwrap();
        assert_eq!(again.limits, announced, "{backend}");
        store
            .set_channel_limits(channel.key(), ChannelLimits::default(), 40)
            .await
            .unwrap();
        let cleared = store.channel(&scope, channel.id).await.unwrap();
        assert_eq!(cleared.limits, ChannelLimits::default(), "{backend}");
    })
    .await;
}

#[tokio::test]
async fn an_oauth_state_is_taken_once_and_expires() {
    each_backend(|store, backend| async move {
        let scope = workspace(&store, "cm@example.fr", "E").await;
        store
            .begin_oauth(&scope, "state-1", "mastodon", "https://m.example", "v", 100)
            .await
            .unwrap();
        let taken = store
            .take_oauth_state("state-1", 110)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(taken.workspace(), scope.workspace(), "{backend}");
        assert_eq!(taken.server, "https://m.example");
        assert!(
            store
                .take_oauth_state("state-1", 111)
                .await
                .unwrap()
                .is_none()
        );
        store
            .begin_oauth(&scope, "state-2", "mastodon", "https://m.example", "v", 100)
            .await
            .unwrap();
        assert!(
            store
                .take_oauth_state("state-2", 100 + 16 * 60)
                .await
                .unwrap()
                .is_none()
        );
        // App registrations are kept once per server.
        let app = tribune_store::oauth::OauthApp {
            client_id: "id-1".into(),
            client_secret: "sealed".into(),
        };
        store
            .save_oauth_app("mastodon", "https://m.example", "https://t/cb", &app, 1)
            .await
            .unwrap();
        let other = tribune_store::oauth::OauthApp {
            client_id: "id-2".into(),
            client_secret: "sealed".into(),
        };
        store
            .save_oauth_app("mastodon", "https://m.example", "https://t/cb", &other, 2)
            .await
            .unwrap();
        let kept = store
            .oauth_app("mastodon", "https://m.example", "https://t/cb")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.client_id, "id-1");
    })
    .await;
}
