//! One storage story, run on SQLite and on PostgreSQL: the same calls must give the same results.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_domain::workspace::WorkspaceInput;
use tribune_domain::{Role, WorkspaceId};
use tribune_store::sessions::ClientInfo;
use tribune_store::testing::{each_backend, profile, user};
use tribune_store::{Conflict, Refusal};
use tribune_store::{StoreError, unix_now};

#[tokio::test]
async fn first_owner_can_be_created_only_once() {
    each_backend(|store, backend| async move {
        assert!(!store.is_set_up().await.unwrap(), "{backend}");
        let owner = store
            .create_first_owner(&user("owner@example.fr"))
            .await
            .unwrap();
        assert!(owner.is_admin);
        assert!(store.is_set_up().await.unwrap());
        let second = store.create_first_owner(&user("intruder@example.fr")).await;
        assert!(
            matches!(second, Err(StoreError::Refused(Refusal::SetupDone))),
            "{backend}: {second:?}"
        );
        assert!(
            store
                .user_by_email("intruder@example.fr")
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        assert_eq!(store.count_users().await.unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn duplicate_emails_are_a_conflict() {
    each_backend(|store, backend| async move {
        store
            .create_user(&user("a@example.fr"), false)
            .await
            .unwrap();
        let again = store.create_user(&user("A@Example.fr"), false).await;
        assert!(
            matches!(again, Err(StoreError::Conflict(Conflict::EmailTaken))),
            "{backend}: {again:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn non_members_get_no_scope_and_members_get_their_role() {
    each_backend(|store, backend| async move {
        let alice = store
            .create_user(&user("alice@example.fr"), false)
            .await
            .unwrap();
        let bob = store
            .create_user(&user("bob@example.fr"), false)
            .await
            .unwrap();
        let scope = store
            .create_workspace(alice.user_id(), &profile("Boulangerie"))
            .await
            .unwrap();
        assert_eq!(scope.role(), Role::Owner);
        let denied = store.scope(bob.user_id(), scope.workspace()).await;
        assert!(matches!(denied, Err(StoreError::NotFound)), "{backend}");
        let missing = store.scope(alice.user_id(), WorkspaceId(999_999)).await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{backend}");
        let list = store.workspaces_of(alice.user_id()).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].role, "owner");
        assert!(store.workspaces_of(bob.user_id()).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn invitations_add_members_once_and_roles_are_enforced() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let alice = store
            .create_user(&user("alice@example.fr"), false)
            .await
            .unwrap();
        let owner = store
            .create_workspace(alice.user_id(), &profile("Telco"))
            .await
            .unwrap();
        let (token, _) = store
            .create_invitation(&owner, "carol@example.fr", Role::Contributor, now)
            .await
            .unwrap();
        assert_eq!(
            store.pending_invitations(&owner, now).await.unwrap().len(),
            1
        );
        let (carol, ws) = store
            .accept_invitation_as_new_user(&token, "Carol", "un mot de passe solide", now)
            .await
            .unwrap();
        assert_eq!(ws, owner.workspace());
        let again = store
            .accept_invitation_as_new_user(&token, "Eve", "un mot de passe solide", now)
            .await;
        assert!(
            matches!(again, Err(StoreError::Refused(Refusal::InvitationUsed))),
            "{backend}"
        );
        let carol_scope = store.scope(carol.user_id(), ws).await.unwrap();
        assert_eq!(carol_scope.role(), Role::Contributor);
        // A contributor can neither edit the profile nor invite.
        let edit = store
            .update_workspace(&carol_scope, &profile("Hacked"))
            .await;
        assert!(matches!(edit, Err(StoreError::Forbidden)), "{backend}");
        let invite = store
            .create_invitation(&carol_scope, "x@example.fr", Role::Owner, now)
            .await;
        assert!(matches!(invite, Err(StoreError::Forbidden)), "{backend}");
        assert_eq!(store.workspace(&owner).await.unwrap().name, "Telco");
        // Inviting someone who is already a member is a conflict.
        let dup = store
            .create_invitation(&owner, "carol@example.fr", Role::Client, now)
            .await;
        assert!(
            matches!(dup, Err(StoreError::Conflict(Conflict::AlreadyMember))),
            "{backend}"
        );
        assert_eq!(store.members(&owner).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn the_last_owner_cannot_leave_or_be_demoted() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let alice = store
            .create_user(&user("alice@example.fr"), false)
            .await
            .unwrap();
        let bob = store
            .create_user(&user("bob@example.fr"), false)
            .await
            .unwrap();
        let owner = store
            .create_workspace(alice.user_id(), &profile("Sneakers"))
            .await
            .unwrap();
        let leave = store.remove_member(&owner, alice.user_id()).await;
        assert!(
            matches!(leave, Err(StoreError::Refused(Refusal::LastOwner))),
            "{backend}"
        );
        let demote = store
            .set_member_role(&owner, alice.user_id(), Role::Manager)
            .await;
        assert!(
            matches!(demote, Err(StoreError::Refused(Refusal::LastOwner))),
            "{backend}"
        );
        let (token, _) = store
            .create_invitation(&owner, "bob@example.fr", Role::Manager, now)
            .await
            .unwrap();
        store.accept_invitation(&token, &bob, now).await.unwrap();
        let manager = store.scope(bob.user_id(), owner.workspace()).await.unwrap();
        // A manager cannot touch an owner, nor make anyone owner.
        let coup = store
            .set_member_role(&manager, alice.user_id(), Role::Client)
            .await;
        assert!(matches!(coup, Err(StoreError::Forbidden)), "{backend}");
        let promote = store
            .set_member_role(&manager, bob.user_id(), Role::Owner)
            .await;
        assert!(matches!(promote, Err(StoreError::Forbidden)), "{backend}");
        // The owner promotes bob, then may leave.
        store
            .set_member_role(&owner, bob.user_id(), Role::Owner)
            .await
            .unwrap();
        store.remove_member(&owner, alice.user_id()).await.unwrap();
        assert!(
            store
                .scope(alice.user_id(), owner.workspace())
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_tokens_and_rate_limits_round_trip() {
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
        let (token, first) = store
            .create_session(alice.user_id(), false, &client, now)
            .await
            .unwrap();
        let (_, second) = store
            .create_session(alice.user_id(), false, &client, now)
            .await
            .unwrap();
        let (found, found_user) = store.session_by_token(&token, now).await.unwrap().unwrap();
        assert_eq!(found.id, first.id);
        assert_eq!(found_user.email, "alice@example.fr");
        assert!(store.session_by_token("nope", now).await.unwrap().is_none());
        assert!(
            store
                .session_by_token(&token, now + 31 * 86_400)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        assert_eq!(
            store
                .delete_other_sessions(alice.user_id(), Some(first.session_id()))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store.sessions_of(alice.user_id(), now).await.unwrap().len(),
            1
        );
        let _ = second;

        let (api, _) = store
            .create_api_token(alice.user_id(), "ci", now)
            .await
            .unwrap();
        assert_eq!(
            store
                .user_by_api_token(&api, now)
                .await
                .unwrap()
                .unwrap()
                .id,
            alice.id
        );
        let listed = store.api_tokens_of(alice.user_id()).await.unwrap();
        store
            .revoke_api_token(alice.user_id(), listed[0].id)
            .await
            .unwrap();
        assert!(store.user_by_api_token(&api, now).await.unwrap().is_none());

        let limit = [tribune_store::rate_limit::AttemptLimit {
            key: "email:alice@example.fr".into(),
            max: 10,
        }];
        for _ in 0..3 {
            store
                .reserve_attempt(&limit, now - 60, now)
                .await
                .unwrap()
                .unwrap();
        }
        assert_eq!(
            store
                .login_failures_since("email:alice@example.fr", now - 60)
                .await
                .unwrap(),
            3
        );
        store
            .clear_login_failures("email:alice@example.fr")
            .await
            .unwrap();
        assert_eq!(
            store
                .login_failures_since("email:alice@example.fr", now - 60)
                .await
                .unwrap(),
            0
        );
    })
    .await;
}

#[tokio::test]
async fn profiles_logos_and_public_guidelines_persist() {
    each_backend(|store, backend| async move {
        let alice = store
            .create_user(&user("alice@example.fr"), false)
            .await
            .unwrap();
        let owner = store
            .create_workspace(alice.user_id(), &profile("Boulangerie"))
            .await
            .unwrap();
        let mut input = WorkspaceInput {
            name: "Boulangerie Dupont".into(),
            timezone: "America/Toronto".into(),
            languages: vec!["fr".into(), "en".into()],
            guidelines: "Soyez courtois.".into(),
            guidelines_public: true,
            words_to_avoid: vec!["pas cher".into()],
            ..Default::default()
        };
        let updated = store
            .update_workspace(&owner, &input.validate().unwrap())
            .await
            .unwrap();
        assert_eq!(updated.timezone, "America/Toronto", "{backend}");
        assert_eq!(updated.words_to_avoid, vec!["pas cher"]);
        let page = store
            .public_guidelines(&updated.public_slug)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(page.1, "Soyez courtois.");
        input.guidelines_public = false;
        store
            .update_workspace(&owner, &input.validate().unwrap())
            .await
            .unwrap();
        assert!(
            store
                .public_guidelines(&updated.public_slug)
                .await
                .unwrap()
                .is_none()
        );

        store
            .set_logo(&owner, Some((b"\x89PNG\r\n\x1a\nxx".to_vec(), "image/png")))
            .await
            .unwrap();
        let (bytes, media_type) = store.logo(&owner).await.unwrap().unwrap();
        assert_eq!((bytes.len(), media_type.as_str()), (10, "image/png"));
        store.delete_workspace(&owner).await.unwrap();
        assert!(
            store
                .scope(alice.user_id(), owner.workspace())
                .await
                .is_err()
        );
    })
    .await;
}
