//! Password-reset links and invitations (one pending per address, void once the inviter is
//! gone), on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_domain::Role;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::Refusal;
use tribune_store::password_resets::PASSWORD_RESET_TTL_SECS;
use tribune_store::sessions::ClientInfo;
use tribune_store::testing::{each_backend, user};
use tribune_store::{StoreError, unix_now};
const NEW_PASSWORD: &str = "un tout nouveau mot de passe";

#[tokio::test]
async fn a_reset_link_works_once_and_ends_sessions_and_api_tokens() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let alice = store
            .create_user(&user("alice@example.fr"), false)
            .await
            .unwrap();
        let client = ClientInfo {
            user_agent: "test".into(),
            ip: "127.0.0.1".into(),
        };
        let (session, _) = store
            .create_session(alice.user_id(), false, &client, now)
            .await
            .unwrap();
        let (api_token, _) = store
            .create_api_token(alice.user_id(), "script", now)
            .await
            .unwrap();

        let token = store
            .create_password_reset(alice.user_id(), now)
            .await
            .unwrap();
        let found = store
            .password_reset_user(&token, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, alice.id, "{backend}");

        let short = store.complete_password_reset(&token, "court", now).await;
        assert!(matches!(short, Err(StoreError::Invalid(_))), "{backend}");
        store
            .complete_password_reset(&token, NEW_PASSWORD, now)
            .await
            .unwrap();

        let credentials = store.credentials_by_id(alice.user_id()).await.unwrap();
        assert!(tribune_domain::security::password::verify_password(
            NEW_PASSWORD,
            &credentials.password_hash
        ));
        assert!(
            store
                .session_by_token(&session, now)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        assert!(
            store
                .user_by_api_token(&api_token, now)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );

        let again = store
            .complete_password_reset(&token, NEW_PASSWORD, now)
            .await;
        assert!(
            matches!(again, Err(StoreError::Refused(Refusal::ResetLinkInvalid))),
            "{backend}: {again:?}"
        );
        assert!(
            store
                .password_reset_user(&token, now)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn reset_links_expire_and_a_newer_request_voids_the_older_link() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let bob = store
            .create_user(&user("bob@example.fr"), false)
            .await
            .unwrap();
        let old = store
            .create_password_reset(bob.user_id(), now)
            .await
            .unwrap();
        let new = store
            .create_password_reset(bob.user_id(), now)
            .await
            .unwrap();
        assert!(
            store
                .password_reset_user(&old, now)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        let later = now + PASSWORD_RESET_TTL_SECS + 1;
        assert!(
            store
                .password_reset_user(&new, later)
                .await
                .unwrap()
                .is_none()
        );
        let expired = store
            .complete_password_reset(&new, NEW_PASSWORD, later)
            .await;
        assert!(matches!(expired, Err(StoreError::Refused(_))), "{backend}");
        assert!(
            store
                .password_reset_user(&new, now)
                .await
                .unwrap()
                .is_some()
        );
    })
    .await;
}

#[tokio::test]
async fn reset_requests_are_counted_per_key_within_the_window() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        for expected in 1..=3 {
            let n = store
                .count_reset_request("email:x@example.fr", now, now - 3600)
                .await
                .unwrap();
            assert_eq!(n, expected, "{backend}");
        }
        let other = store
            .count_reset_request("email:y@example.fr", now, now - 3600)
            .await
            .unwrap();
        assert_eq!(other, 1);
        let next_hour = now + 3601;
        let n = store
            .count_reset_request("email:x@example.fr", next_hour, next_hour - 3600)
            .await
            .unwrap();
        assert_eq!(n, 1, "{backend}: old requests leave the window");
    })
    .await;
}

#[tokio::test]
async fn re_inviting_an_address_refreshes_its_one_pending_invitation() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let owner = store
            .create_user(&user("owner@example.fr"), false)
            .await
            .unwrap();
        let profile = WorkspaceInput {
            name: "Boulangerie".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let scope = store
            .create_workspace(owner.user_id(), &profile)
            .await
            .unwrap();
        let (first, _) = store
            .create_invitation(&scope, "carol@example.fr", Role::Contributor, now)
            .await
            .unwrap();
        let (second, invitation) = store
            .create_invitation(&scope, "Carol@Example.fr", Role::Client, now + 10)
            .await
            .unwrap();
        let pending = store.pending_invitations(&scope, now + 10).await.unwrap();
        assert_eq!(pending.len(), 1, "{backend}");
        assert_eq!(pending[0].id, invitation.id);
        assert_eq!(pending[0].role, "client");
        assert!(
            store.invitation_by_token(&first).await.unwrap().is_none(),
            "{backend}"
        );
        assert!(store.invitation_by_token(&second).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn an_invitation_from_a_removed_member_is_void() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let owner = store
            .create_user(&user("owner@example.fr"), false)
            .await
            .unwrap();
        let manager = store
            .create_user(&user("manager@example.fr"), false)
            .await
            .unwrap();
        let guest = store
            .create_user(&user("guest@example.fr"), false)
            .await
            .unwrap();
        let profile = WorkspaceInput {
            name: "Boulangerie".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let owner_scope = store
            .create_workspace(owner.user_id(), &profile)
            .await
            .unwrap();
        let (manager_token, _) = store
            .create_invitation(&owner_scope, "manager@example.fr", Role::Manager, now)
            .await
            .unwrap();
        store
            .accept_invitation(&manager_token, &manager, now)
            .await
            .unwrap();
        let manager_scope = store
            .scope(manager.user_id(), owner_scope.workspace())
            .await
            .unwrap();
        let (token, _) = store
            .create_invitation(&manager_scope, "guest@example.fr", Role::Contributor, now)
            .await
            .unwrap();
        store
            .remove_member(&owner_scope, manager.user_id())
            .await
            .unwrap();

        let view = store.invitation_by_token(&token).await.unwrap().unwrap();
        assert_eq!(
            view.unusable_reason(now),
            Some(Refusal::InvitationVoid),
            "{backend}"
        );
        assert!(
            store
                .pending_invitations(&owner_scope, now)
                .await
                .unwrap()
                .is_empty()
        );
        let accepted = store.accept_invitation(&token, &guest, now).await;
        assert!(
            matches!(accepted, Err(StoreError::Refused(Refusal::InvitationVoid))),
            "{backend}: {accepted:?}"
        );
        assert!(
            store
                .scope(guest.user_id(), owner_scope.workspace())
                .await
                .is_err()
        );
    })
    .await;
}
