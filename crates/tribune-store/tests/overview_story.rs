//! What every page reads first (the session with the user's workspaces) and the workspace
//! overview's single query, run on SQLite and on PostgreSQL: they must say what the separate
//! queries they replace said.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_domain::Role;
use tribune_store::channels::{ChannelNew, ChannelState};
use tribune_store::overview::ChannelCounts;
use tribune_store::sessions::ClientInfo;
use tribune_store::testing::{each_backend, profile, user};
use tribune_store::{Store, StoreError, WorkspaceScope, unix_now};

fn account(remote_id: &str) -> ChannelNew {
    ChannelNew {
        network: "bluesky".into(),
        remote_id: remote_id.into(),
        handle: format!("{remote_id}.test"),
        display_name: "Brand".into(),
        avatar_url: None,
        profile_url: None,
        avatar: None,
        capabilities: "publish_text".into(),
        sealed_credentials: format!("sealed-{remote_id}"),
        token_expires_at: None,
    }
}

/// A member joins `scope`'s workspace with `role` through an invitation, as in the product.
async fn join(store: &Store, scope: &WorkspaceScope, email: &str, name: &str, role: Role) {
    let now = unix_now();
    let new =
        tribune_domain::user::UserNew::validate(email, name, "un mot de passe solide").unwrap();
    let member = store.create_user(&new, false).await.unwrap();
    let (token, _) = store
        .create_invitation(scope, email, role, now)
        .await
        .unwrap();
    store.accept_invitation(&token, &member, now).await.unwrap();
}

#[tokio::test]
async fn the_session_brings_the_users_workspaces_and_their_scopes() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let owner = store
            .create_user(&user("o@example.fr"), false)
            .await
            .unwrap();
        let (token, _) = store
            .create_session(owner.user_id(), false, &ClientInfo::default(), now)
            .await
            .unwrap();

        // No workspace yet: the session is found, with an empty list.
        let found = store
            .session_with_workspaces(&token, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.user.user_id(), owner.user_id(), "{backend}");
        assert!(found.workspaces.list().is_empty(), "{backend}");

        let zebra = store
            .create_workspace(owner.user_id(), &profile("Zèbre"))
            .await
            .unwrap();
        let acme = store
            .create_workspace(owner.user_id(), &profile("Acme"))
            .await
            .unwrap();
        let other = store
            .create_user(&user("x@example.fr"), false)
            .await
            .unwrap();
        let foreign = store
            .create_workspace(other.user_id(), &profile("Ailleurs"))
            .await
            .unwrap();

        let found = store
            .session_with_workspaces(&token, now)
            .await
            .unwrap()
            .unwrap();
        let names: Vec<_> = found
            .workspaces
            .list()
            .iter()
            .map(|w| w.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["Acme", "Zèbre"],
            "{backend}: by name, own workspaces only"
        );
        let listed: Vec<_> = found.workspaces.list().iter().map(|w| w.id).collect();
        let separately: Vec<_> = store
            .workspaces_of(owner.user_id())
            .await
            .unwrap()
            .iter()
            .map(|w| w.id)
            .collect();
        assert_eq!(listed, separately, "{backend}");
        assert_eq!(
            found.workspaces.scope(zebra.workspace()).unwrap(),
            store
                .scope(owner.user_id(), zebra.workspace())
                .await
                .unwrap(),
            "{backend}"
        );
        assert_eq!(
            found.workspaces.scope(acme.workspace()).unwrap().role(),
            Role::Owner
        );
        assert!(
            matches!(
                found.workspaces.scope(foreign.workspace()),
                Err(StoreError::NotFound)
            ),
            "{backend}: another's workspace is not found"
        );

        // The list is read with each session lookup: a departure shows at the next request.
        join(&store, &acme, "m@example.fr", "Manon", Role::Manager).await;
        let manon = store.user_by_email("m@example.fr").await.unwrap().unwrap();
        let (manon_token, _) = store
            .create_session(manon.user_id(), false, &ClientInfo::default(), now)
            .await
            .unwrap();
        let found = store
            .session_with_workspaces(&manon_token, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            found.workspaces.scope(acme.workspace()).unwrap().role(),
            Role::Manager,
            "{backend}"
        );
        store.remove_member(&acme, manon.user_id()).await.unwrap();
        let found = store
            .session_with_workspaces(&manon_token, now)
            .await
            .unwrap()
            .unwrap();
        assert!(found.workspaces.list().is_empty(), "{backend}");
        assert!(
            found.workspaces.scope(acme.workspace()).is_err(),
            "{backend}"
        );

        // Expired, unknown and oversized tokens find nothing, as `session_by_token`.
        assert!(
            store
                .session_with_workspaces(&token, now + 31 * 86_400)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .session_with_workspaces("nope", now)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .session_with_workspaces(&"a".repeat(200), now)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn the_overview_counts_channels_by_state_lists_members_and_sees_a_usable_client_invitation() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let owner = store
            .create_user(&user("o@example.fr"), false)
            .await
            .unwrap();
        let scope = store
            .create_workspace(owner.user_id(), &profile("Acme"))
            .await
            .unwrap();
        let overview = store.overview(&scope, now).await.unwrap();
        assert_eq!(overview.workspace.name, "Acme", "{backend}");
        assert_eq!(overview.channels, ChannelCounts::default(), "{backend}");
        assert!(!overview.client_invited && !overview.has_client());
        assert!(!overview.workspace.has_guidelines && !overview.workspace.has_logo);
        assert_eq!(overview.members.len(), 1);
        assert_eq!(overview.members[0].role, "owner");

        // Channels in each state; another workspace's channel does not count.
        let a = store
            .connect_channel(&scope, account("a"), now)
            .await
            .unwrap();
        let b = store
            .connect_channel(&scope, account("b"), now)
            .await
            .unwrap();
        let c = store
            .connect_channel(&scope, account("c"), now)
            .await
            .unwrap();
        store
            .connect_channel(&scope, account("d"), now)
            .await
            .unwrap();
        assert!(
            store
                .mark_channel_broken(b.key(), "sealed-b", "revoked", now)
                .await
                .unwrap()
        );
        store.disconnect_channel(&scope, c.id, now).await.unwrap();
        let other = store
            .create_user(&user("x@example.fr"), false)
            .await
            .unwrap();
        let elsewhere = store
            .create_workspace(other.user_id(), &profile("Ailleurs"))
            .await
            .unwrap();
        store
            .connect_channel(&elsewhere, account("e"), now)
            .await
            .unwrap();
        assert_eq!(a.state, ChannelState::Active);
        let overview = store.overview(&scope, now).await.unwrap();
        assert_eq!(
            overview.channels,
            ChannelCounts {
                active: 2,
                broken: 1,
                disconnected: 1
            },
            "{backend}"
        );
        let (_, broken) = store.workspace_with_broken_channels(&scope).await.unwrap();
        assert_eq!(
            overview.channels.broken, broken,
            "{backend}: as the banner counts"
        );

        // Members by name, with their roles; a manager invites a client.
        join(&store, &scope, "m@example.fr", "Zoé", Role::Manager).await;
        join(&store, &scope, "c@example.fr", "Bruno", Role::Contributor).await;
        let overview = store.overview(&scope, now).await.unwrap();
        let members: Vec<_> = overview
            .members
            .iter()
            .map(|m| (m.name.as_str(), m.role.as_str()))
            .collect();
        assert_eq!(
            members,
            [
                ("Bruno", "contributor"),
                ("Test User", "owner"),
                ("Zoé", "manager")
            ],
            "{backend}"
        );
        assert!(!overview.client_invited, "{backend}");

        let zoe = store.user_by_email("m@example.fr").await.unwrap().unwrap();
        let zoe_scope = store.scope(zoe.user_id(), scope.workspace()).await.unwrap();
        store
            .create_invitation(&zoe_scope, "client@example.fr", Role::Client, now)
            .await
            .unwrap();
        let overview = store.overview(&scope, now).await.unwrap();
        assert!(overview.client_invited, "{backend}");
        assert_eq!(
            overview.client_invited,
            store
                .pending_invitations(&scope, now)
                .await
                .unwrap()
                .iter()
                .any(|i| i.role == "client"),
            "{backend}: as the invitations list says"
        );
        // Expired: not pending any more.
        let later = now + 15 * 86_400;
        assert!(!store.overview(&scope, later).await.unwrap().client_invited);
        // Its author removed: the invitation is void.
        store.remove_member(&scope, zoe.user_id()).await.unwrap();
        let overview = store.overview(&scope, now).await.unwrap();
        assert!(!overview.client_invited, "{backend}: void invitation");
        assert!(
            store
                .pending_invitations(&scope, now)
                .await
                .unwrap()
                .is_empty()
        );

        // A client who joined is a client member.
        join(&store, &scope, "client@example.fr", "Cliente", Role::Client).await;
        let overview = store.overview(&scope, now).await.unwrap();
        assert!(
            overview.has_client() && !overview.client_invited,
            "{backend}"
        );
    })
    .await;
}
