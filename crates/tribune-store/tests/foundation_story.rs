//! The store's second-pass guarantees, on SQLite and PostgreSQL: rules that hold under
//! concurrency (owners, login attempts), transactions and the audit trail, instance roles, and
//! scopes for background work.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use std::sync::Arc;
use tribune_domain::{Role, UserId};
use tribune_store::Refusal;
use tribune_store::admin::AccountChange;
use tribune_store::audit::{Actor, AuditEvent};
use tribune_store::rate_limit::AttemptLimit;
use tribune_store::testing::{each_backend, profile, user};
use tribune_store::users::User;
use tribune_store::{Store, StoreError, WorkspaceScope, unix_now};

/// A workspace owned by `owners` (the first creates it, the others are invited and promoted).
async fn workspace_with_owners(store: &Store, name: &str, owners: &[&User]) -> WorkspaceScope {
    let now = unix_now();
    let first = store
        .create_workspace(owners[0].user_id(), &profile(name))
        .await
        .unwrap();
    for other in &owners[1..] {
        let (token, _) = store
            .create_invitation(&first, &other.email, Role::Owner, now)
            .await
            .unwrap();
        store.accept_invitation(&token, other, now).await.unwrap();
    }
    first
}

async fn owner_count(store: &Store, scope: &WorkspaceScope) -> usize {
    store
        .members(scope)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.role == Role::Owner.as_str())
        .count()
}

#[tokio::test]
async fn two_owners_leaving_at_once_leave_one_owner() {
    each_backend(|store, backend| async move {
        for round in 0..8 {
            let a = store
                .create_user(&user(&format!("a{round}@example.fr")), false)
                .await
                .unwrap();
            let b = store
                .create_user(&user(&format!("b{round}@example.fr")), false)
                .await
                .unwrap();
            let first = workspace_with_owners(&store, "Race", &[&a, &b]).await;
            let ws = first.workspace();
            let scope_a = store.scope(a.user_id(), ws).await.unwrap();
            let scope_b = store.scope(b.user_id(), ws).await.unwrap();
            let (a, b) = (a.user_id(), b.user_id());
            // Round by round: both leave, both demote themselves, or each demotes the other.
            let (left, right) = match round % 3 {
                0 => (
                    tokio::spawn({
                        let store = store.clone();
                        async move { store.remove_member(&scope_a, a).await }
                    }),
                    tokio::spawn({
                        let store = store.clone();
                        async move { store.remove_member(&scope_b, b).await }
                    }),
                ),
                1 => (
                    tokio::spawn({
                        let store = store.clone();
                        async move { store.set_member_role(&scope_a, a, Role::Manager).await }
                    }),
                    tokio::spawn({
                        let store = store.clone();
                        async move { store.set_member_role(&scope_b, b, Role::Manager).await }
                    }),
                ),
                _ => (
                    tokio::spawn({
                        let store = store.clone();
                        async move { store.set_member_role(&scope_a, b, Role::Client).await }
                    }),
                    tokio::spawn({
                        let store = store.clone();
                        async move { store.remove_member(&scope_b, a).await }
                    }),
                ),
            };
            let outcomes = [left.await.unwrap(), right.await.unwrap()];
            let refused = outcomes
                .iter()
                .filter(|o| matches!(o, Err(StoreError::Refused(Refusal::LastOwner))))
                .count();
            let survivor = match store.scope(a, ws).await {
                Ok(scope) => scope,
                Err(_) => store.scope(b, ws).await.unwrap(),
            };
            assert_eq!(
                owner_count(&store, &survivor).await,
                1,
                "{backend} round {round}: {outcomes:?}"
            );
            assert_eq!(refused, 1, "{backend} round {round}: {outcomes:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn login_attempts_are_counted_before_checking_under_any_concurrency() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let limits = Arc::new([AttemptLimit {
            key: "login:victim@example.fr|203.0.113.9".into(),
            max: 5,
        }]);
        let mut tasks = Vec::new();
        for _ in 0..60 {
            let store = store.clone();
            let limits = limits.clone();
            tasks.push(tokio::spawn(async move {
                store.reserve_attempt(&limits[..], now - 900, now).await
            }));
        }
        let mut granted = 0;
        for task in tasks {
            if task.await.unwrap().unwrap().is_ok() {
                granted += 1;
            }
        }
        // Every granted attempt stays (a failed password): never more than the limit.
        // Exactly the limit: never more, and a burst does not refuse the first ones either.
        assert_eq!(granted, 5, "{backend}: {granted} attempts got through");
        // Refused attempts cost nothing: the window holds only the granted ones.
        assert_eq!(
            store
                .login_failures_since(&limits[0].key, now - 900)
                .await
                .unwrap(),
            granted,
            "{backend}"
        );
        // A success releases its reservation.
        let other = [AttemptLimit {
            key: "login:someone@example.fr|203.0.113.9".into(),
            max: 5,
        }];
        let reservation = store
            .reserve_attempt(&other, now - 900, now)
            .await
            .unwrap()
            .unwrap();
        store.release_attempt(reservation).await.unwrap();
        assert_eq!(
            store
                .login_failures_since(&other[0].key, now - 900)
                .await
                .unwrap(),
            0,
            "{backend}"
        );
    })
    .await;
}

#[tokio::test]
async fn changes_and_their_audit_events_commit_or_roll_back_together() {
    each_backend(|store, backend| async move {
        let alice = store
            .create_user(&user("alice@example.fr"), false)
            .await
            .unwrap();
        let bob = store
            .create_user(&user("bob@example.fr"), false)
            .await
            .unwrap();
        let owner = workspace_with_owners(&store, "Audit", &[&alice, &bob]).await;
        store
            .set_member_role(&owner, bob.user_id(), Role::Manager)
            .await
            .unwrap();
        let trail = store.workspace_audit(&owner, 50).await.unwrap();
        let event = trail
            .iter()
            .find(|e| e.action == "member.role_changed")
            .unwrap_or_else(|| panic!("{backend}: {trail:?}"));
        assert_eq!(event.actor_user_id, Some(alice.id), "{backend}");
        assert_eq!(event.actor_email.as_deref(), Some("alice@example.fr"));
        assert_eq!(event.object_id, bob.id.to_string());
        assert!(event.details.contains("\"to\":\"manager\""), "{event:?}");

        // A refused change writes no event.
        let before = store.workspace_audit(&owner, 50).await.unwrap().len();
        let leave = store.remove_member(&owner, alice.user_id()).await;
        assert!(matches!(leave, Err(StoreError::Refused(_))), "{backend}");
        assert_eq!(
            store.workspace_audit(&owner, 50).await.unwrap().len(),
            before
        );

        // A transaction dropped without commit leaves nothing; committed, it records.
        let mut tx = store.begin().await.unwrap();
        tx.audit(&owner, &AuditEvent::new("test.dropped", "test", 1))
            .await
            .unwrap();
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        tx.audit(
            &owner,
            &AuditEvent::new("test.kept", "test", 2).with("n", 2),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let actions: Vec<String> = store
            .workspace_audit(&owner, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"test.kept".to_owned()), "{backend}");
        assert!(!actions.contains(&"test.dropped".to_owned()), "{backend}");

        // Only managers and owners read the trail.
        let now = unix_now();
        let carol = store
            .create_user(&user("carol@example.fr"), false)
            .await
            .unwrap();
        let (token, _) = store
            .create_invitation(&owner, "carol@example.fr", Role::Client, now)
            .await
            .unwrap();
        store.accept_invitation(&token, &carol, now).await.unwrap();
        let client = store
            .scope(carol.user_id(), owner.workspace())
            .await
            .unwrap();
        assert!(matches!(
            store.workspace_audit(&client, 50).await,
            Err(StoreError::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn instance_admins_decide_who_creates_workspaces_and_who_may_log_in() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let root = store
            .create_first_owner(&user("root@example.fr"))
            .await
            .unwrap();
        let admin = store.admin_scope(root.user_id()).await.unwrap();
        assert!(admin.is_owner());
        let staff = store
            .create_user(&user("staff@example.fr"), false)
            .await
            .unwrap();
        assert!(matches!(
            store.admin_scope(staff.user_id()).await,
            Err(StoreError::Forbidden)
        ));
        let ws = store
            .create_workspace(staff.user_id(), &profile("Brand"))
            .await
            .unwrap();

        // Someone invited as a client never creates workspaces, even when allowed.
        let (token, _) = store
            .create_invitation(&ws, "brand@example.fr", Role::Client, now)
            .await
            .unwrap();
        let (brand, _) = store
            .accept_invitation_as_new_user(&token, "Brand", "un mot de passe solide", now)
            .await
            .unwrap();
        let refused = store
            .create_workspace(brand.user_id(), &profile("Mine"))
            .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Refused(Refusal::CannotCreateWorkspace))
            ),
            "{backend}: {refused:?}"
        );
        store
            .change_account(
                &admin,
                brand.user_id(),
                AccountChange::AllowWorkspaces(true),
            )
            .await
            .unwrap();
        assert!(!store.may_create_workspaces(brand.user_id()).await.unwrap());

        // A disabled account's sessions end; it cannot be used until enabled again.
        let client = tribune_store::sessions::ClientInfo {
            ip: "203.0.113.1".into(),
            user_agent: "test".into(),
        };
        let (cookie, _) = store
            .create_session(staff.user_id(), false, &client, now)
            .await
            .unwrap();
        let (api_token, _) = store
            .create_api_token(staff.user_id(), "script", now)
            .await
            .unwrap();
        store
            .change_account(&admin, staff.user_id(), AccountChange::Disable)
            .await
            .unwrap();
        assert!(
            store
                .session_by_token(&cookie, now)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .user_by_api_token(&api_token, now)
                .await
                .unwrap()
                .is_none()
        );
        assert!(!store.may_create_workspaces(staff.user_id()).await.unwrap());
        store
            .change_account(&admin, staff.user_id(), AccountChange::Enable)
            .await
            .unwrap();
        assert!(
            store
                .user_by_api_token(&api_token, now)
                .await
                .unwrap()
                .is_some()
        );

        // The owner cannot be disabled, nobody disables themself, only the owner names admins.
        for target in [root.user_id(), admin.user()] {
            let refused = store
                .change_account(&admin, target, AccountChange::Disable)
                .await;
            assert!(matches!(refused, Err(StoreError::Refused(_))), "{backend}");
        }
        store
            .change_account(&admin, staff.user_id(), AccountChange::Admin(true))
            .await
            .unwrap();
        let staff_admin = store.admin_scope(staff.user_id()).await.unwrap();
        let refused = store
            .change_account(&staff_admin, brand.user_id(), AccountChange::Admin(true))
            .await;
        assert!(matches!(refused, Err(StoreError::Forbidden)), "{backend}");

        // Every change is in the instance audit, with who did it.
        let trail = store.instance_audit(&admin, 50).await.unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        for action in [
            "account.workspaces_allowed",
            "account.disabled",
            "account.enabled",
            "account.admin_granted",
        ] {
            assert!(actions.contains(&action), "{backend}: {actions:?}");
        }
        assert!(trail.iter().all(|e| e.actor_user_id == Some(root.id)));
        let accounts = store.accounts(&admin).await.unwrap();
        assert_eq!(accounts.len(), 3);
        assert!(
            accounts
                .iter()
                .any(|a| a.is_owner && a.email == "root@example.fr")
        );
    })
    .await;
}

#[tokio::test]
async fn background_checks_get_a_system_scope_in_the_channel_workspace_once() {
    use tribune_store::channels::ChannelNew;
    each_backend(|store, backend| async move {
        let now = unix_now();
        let alice = store
            .create_user(&user("alice@example.fr"), false)
            .await
            .unwrap();
        let ws = store
            .create_workspace(alice.user_id(), &profile("Checks"))
            .await
            .unwrap();
        let channel = store
            .connect_channel(
                &ws,
                ChannelNew {
                    network: "bluesky".into(),
                    remote_id: "did:plc:checks".into(),
                    handle: "checks.test".into(),
                    display_name: "Checks".into(),
                    avatar_url: None,
                    profile_url: None,
                    avatar: None,
                    capabilities: "publish_text".into(),
                    sealed_credentials: "sealed".into(),
                    token_expires_at: None,
                },
                now,
            )
            .await
            .unwrap();
        // Just connected (checked now): not due for an hour.
        assert!(
            store
                .claim_channels_due_for_check(now, 3600, 10)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        let later = now + 3601;
        let claimed = store
            .claim_channels_due_for_check(later, 3600, 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "{backend}");
        let (scope, id) = claimed[0];
        assert_eq!(id, channel.id);
        assert_eq!(scope.workspace(), ws.workspace());
        assert_eq!(scope.actor(), Actor::System("channel-check"));
        assert_eq!(scope.user(), None::<UserId>);
        // Background work acts for nobody: it cannot invite.
        assert!(matches!(
            store
                .create_invitation(&scope, "x@example.fr", Role::Manager, later)
                .await,
            Err(StoreError::Forbidden)
        ));
        // A second node finds nothing left to claim.
        assert!(
            store
                .claim_channels_due_for_check(later, 3600, 10)
                .await
                .unwrap()
                .is_empty()
        );
        store
            .record_channel_check(channel.key(), "refused", later)
            .await
            .unwrap();
        let seen = store.channel(&ws, id).await.unwrap();
        assert_eq!(seen.last_check_result.as_deref(), Some("refused"));
        assert_eq!(seen.last_checked_at, Some(later));
    })
    .await;
}
