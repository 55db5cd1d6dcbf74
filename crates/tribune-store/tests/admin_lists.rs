//! The operator's instance-wide lists (`tribune user list`, `token list|revoke`,
//! `workspace list`), on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_domain::Role;
use tribune_domain::user::UserNew;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::testing::TestDb;
use tribune_store::{Store, StoreError, unix_now};

async fn user(store: &Store, email: &str) -> tribune_store::users::User {
    store
        .create_user(
            &UserNew::validate(email, "Test", "un mot de passe solide").unwrap(),
            false,
        )
        .await
        .unwrap()
}

async fn lists_cover_the_whole_instance(store: Store) {
    let alice = user(&store, "alice@example.fr").await;
    let bob = user(&store, "bob@example.fr").await;
    let profile = |name: &str| {
        WorkspaceInput {
            name: name.into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let bakery = store
        .create_workspace(alice.user_id(), &profile("Boulangerie Dupont"))
        .await
        .unwrap();
    store
        .create_workspace(bob.user_id(), &profile("Garage Martin"))
        .await
        .unwrap();
    let (invitation, _) = store
        .create_invitation(&bakery, "carol@example.fr", Role::Client, unix_now())
        .await
        .unwrap();
    store
        .accept_invitation_as_new_user(&invitation, "Carol", "un mot de passe solide", unix_now())
        .await
        .unwrap();

    let workspaces = store.list_workspaces().await.unwrap();
    let counts: Vec<(&str, i64)> = workspaces
        .iter()
        .map(|w| (w.name.as_str(), w.members))
        .collect();
    assert_eq!(counts, [("Boulangerie Dupont", 2), ("Garage Martin", 1)]);

    let emails: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(
        emails,
        ["alice@example.fr", "bob@example.fr", "carol@example.fr"]
    );

    let (_, bobs) = store
        .create_api_token(bob.user_id(), "deploy", 100)
        .await
        .unwrap();
    store
        .create_api_token(alice.user_id(), "ci", 200)
        .await
        .unwrap();
    let all = store.list_api_tokens(None).await.unwrap();
    let owners: Vec<(&str, &str)> = all
        .iter()
        .map(|t| (t.email.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        owners,
        [("alice@example.fr", "ci"), ("bob@example.fr", "deploy")]
    );
    let only_bob = store
        .list_api_tokens(Some(" Bob@Example.fr "))
        .await
        .unwrap();
    assert_eq!(only_bob.len(), 1);
    assert_eq!(only_bob[0].id, bobs.id);
    assert_eq!(only_bob[0].user_id, bob.id);

    store.revoke_any_api_token(bobs.id).await.unwrap();
    assert!(matches!(
        store.revoke_any_api_token(bobs.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.list_api_tokens(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn lists_cover_the_whole_instance_on_both_databases() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap();
        lists_cover_the_whole_instance(store.clone()).await;
        store.close().await;
    }
}
