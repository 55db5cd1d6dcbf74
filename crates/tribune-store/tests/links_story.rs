//! Short links and their clicks, run on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_domain::links::{LinkTarget, Utm};
use tribune_domain::{ChannelId, Role};
use tribune_store::channels::ChannelNew;
use tribune_store::links::{ClickBreakdown, ClickCount, LinkFilter, LinkNew};
use tribune_store::posts::{Intent, PostNew};
use tribune_store::testing::{each_backend, profile, user};
use tribune_store::{Store, StoreError, WorkspaceScope, unix_now};

const OWN: &str = "https://tribune.example.fr";

async fn workspace(store: &Store, email: &str, name: &str) -> WorkspaceScope {
    let owner = store.create_user(&user(email), false).await.unwrap();
    store
        .create_workspace(owner.user_id(), &profile(name))
        .await
        .unwrap()
}

async fn channel(store: &Store, scope: &WorkspaceScope, remote_id: &str) -> ChannelId {
    store
        .connect_channel(
            scope,
            ChannelNew {
                network: "bluesky".into(),
                remote_id: remote_id.into(),
                handle: "brand.test".into(),
                display_name: "Brand".into(),
                avatar_url: None,
                profile_url: None,
                avatar: None,
                capabilities: "publish_text".into(),
                sealed_credentials: "sealed".into(),
                token_expires_at: None,
            },
            unix_now(),
        )
        .await
        .unwrap()
        .id
}

fn new_link(target: &str) -> LinkNew {
    LinkNew {
        target: LinkTarget::parse(target, OWN).unwrap(),
        utm: Utm {
            source: Some("bluesky".into()),
            medium: Some("social".into()),
            campaign: Some("galette".into()),
            ..Utm::default()
        },
        post: None,
        channel: None,
    }
}

#[tokio::test]
async fn links_are_created_read_listed_and_kept_to_their_workspace() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;

        let link = store
            .create_link(&a, new_link("https://boulangerie.example/galette?x=1"), now)
            .await
            .unwrap();
        assert_eq!(link.code.len(), 7, "{backend}");
        assert!(link.code.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(link.clicks, 0);
        assert_eq!(link.workspace, a.workspace());
        assert_eq!(link.created_by, a.user());
        assert_eq!(
            link.destination(),
            "https://boulangerie.example/galette?x=1&utm_source=bluesky&utm_medium=social\
             &utm_campaign=galette"
        );
        let read = store.link(&a, link.id).await.unwrap();
        assert_eq!(read.code, link.code);
        assert_eq!(read.utm, link.utm);

        // Another workspace sees nothing of it, by id or in its list.
        assert!(matches!(
            store.link(&b, link.id).await,
            Err(StoreError::NotFound)
        ));
        let listed = store
            .links(
                &b,
                &LinkFilter {
                    before_id: None,
                    limit: 50,
                },
            )
            .await
            .unwrap();
        assert!(listed.is_empty(), "{backend}");
        assert!(store.link_clicks(&b, link.id).await.unwrap().is_empty());

        // Pages go newest first, by id.
        let second = store
            .create_link(&a, new_link("https://boulangerie.example/pain"), now)
            .await
            .unwrap();
        let first_page = store
            .links(
                &a,
                &LinkFilter {
                    before_id: None,
                    limit: 1,
                },
            )
            .await
            .unwrap();
        assert_eq!(first_page.len(), 1);
        assert_eq!(first_page[0].id, second.id);
        let next = store
            .links(
                &a,
                &LinkFilter {
                    before_id: Some(second.id),
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(next.iter().map(|l| l.id).collect::<Vec<_>>(), [link.id]);

        // The audit trail has both creations.
        let audit = store.workspace_audit(&a, 50).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "link.created").count(),
            2,
            "{backend}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_link_can_only_name_its_own_workspace_s_post_and_channel() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let channel = store
            .connect_channel(
                &b,
                ChannelNew {
                    network: "bluesky".into(),
                    remote_id: "did:plc:fleuriste".into(),
                    handle: "fleuriste.test".into(),
                    display_name: "Fleuriste".into(),
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
        let post = store
            .create_post(
                &b,
                PostNew {
                    text: "Bouquets".into(),
                    targets: vec![(channel.id, None)],
                    ..PostNew::default()
                },
                Intent::Draft,
                now,
            )
            .await
            .unwrap();

        let mut foreign = new_link("https://boulangerie.example/");
        foreign.post = Some(post.id);
        foreign.channel = Some(channel.id);
        match store.create_link(&a, foreign, now).await {
            Err(StoreError::Invalid(invalid)) => {
                assert_eq!(
                    invalid.for_field("post_id"),
                    Some("error-link-post-unknown")
                );
                assert_eq!(
                    invalid.for_field("channel_id"),
                    Some("error-link-channel-unknown")
                );
            }
            other => panic!("{backend}: {other:?}"),
        }
        assert!(
            store
                .links(
                    &a,
                    &LinkFilter {
                        before_id: None,
                        limit: 50
                    }
                )
                .await
                .unwrap()
                .is_empty()
        );

        let mut own = new_link("https://fleuriste.example/");
        own.post = Some(post.id);
        own.channel = Some(channel.id);
        let link = store.create_link(&b, own, now).await.unwrap();
        assert_eq!(link.post, Some(post.id));
        assert_eq!(link.channel, Some(channel.id));
    })
    .await;
}

#[tokio::test]
async fn a_client_cannot_create_links() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let owner = workspace(&store, "a@example.fr", "Boulangerie").await;
        let account = store
            .create_user(&user("client@example.fr"), false)
            .await
            .unwrap();
        let (token, _) = store
            .create_invitation(&owner, "client@example.fr", Role::Client, now)
            .await
            .unwrap();
        store
            .accept_invitation(&token, &account, now)
            .await
            .unwrap();
        let client = store
            .scope(account.user_id(), owner.workspace())
            .await
            .unwrap();
        assert!(
            matches!(
                store
                    .create_link(&client, new_link("https://site.example/"), now)
                    .await,
                Err(StoreError::Forbidden)
            ),
            "{backend}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_taken_code_is_skipped_for_a_fresh_one() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let mut fixed = || "Taken01".to_owned();
        let taken = store
            .create_link_with_codes(&a, new_link("https://one.example/"), now, &mut fixed)
            .await
            .unwrap();
        assert_eq!(taken.code, "Taken01");

        // Codes are unique across the instance: another workspace collides too, and gets the
        // next code.
        let mut codes = ["Taken01", "Taken01", "Fresh02"]
            .into_iter()
            .map(str::to_owned);
        let mut next = move || codes.next().unwrap_or_default();
        let fresh = store
            .create_link_with_codes(&b, new_link("https://two.example/"), now, &mut next)
            .await
            .unwrap();
        assert_eq!(fresh.code, "Fresh02", "{backend}");

        // When every try collides, nothing is half-saved.
        let mut always = || "Taken01".to_owned();
        let failed = store
            .create_link_with_codes(&b, new_link("https://three.example/"), now, &mut always)
            .await;
        assert!(matches!(failed, Err(StoreError::Internal(_))), "{failed:?}");
        let listed = store
            .links(
                &b,
                &LinkFilter {
                    before_id: None,
                    limit: 50,
                },
            )
            .await
            .unwrap();
        assert_eq!(listed.len(), 1, "{backend}");
        let audit = store.workspace_audit(&b, 50).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "link.created").count(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_clicks_are_all_counted_by_day_and_network() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let link = store
            .create_link(&a, new_link("https://boulangerie.example/"), now)
            .await
            .unwrap();
        let found = store.link_for_redirect(&link.code).await.unwrap().unwrap();
        assert_eq!(found.link, link.id);
        assert_eq!(found.workspace, a.workspace());
        assert_eq!(found.timezone, "Europe/Paris");
        assert_eq!(found.destination(), link.destination());
        assert!(store.link_for_redirect("NoSuch1").await.unwrap().is_none());
        assert!(store.link_for_redirect("../etc").await.unwrap().is_none());

        let mut clicks = Vec::new();
        for n in 0..50 {
            let store = store.clone();
            let found = found.clone();
            clicks.push(tokio::spawn(async move {
                let network = if n % 5 == 0 { "x" } else { "bluesky" };
                store.count_click(&found, "2026-12-14", network).await
            }));
        }
        for click in clicks {
            click.await.unwrap().unwrap();
        }
        store
            .count_click(&found, "2026-12-15", "direct")
            .await
            .unwrap();
        assert_eq!(
            store.link(&a, link.id).await.unwrap().clicks,
            51,
            "{backend}"
        );
        assert_eq!(
            store.link_clicks(&a, link.id).await.unwrap(),
            [
                ClickCount {
                    day: "2026-12-15".into(),
                    network: "direct".into(),
                    clicks: 1
                },
                ClickCount {
                    day: "2026-12-14".into(),
                    network: "bluesky".into(),
                    clicks: 40
                },
                ClickCount {
                    day: "2026-12-14".into(),
                    network: "x".into(),
                    clicks: 10
                },
            ]
        );
        let listed = store
            .links(
                &a,
                &LinkFilter {
                    before_id: None,
                    limit: 50,
                },
            )
            .await
            .unwrap();
        assert_eq!(listed[0].clicks, 51);
    })
    .await;
}

#[tokio::test]
async fn deleting_a_workspace_deletes_its_links_and_clicks() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let link = store
            .create_link(&a, new_link("https://boulangerie.example/"), now)
            .await
            .unwrap();
        let found = store.link_for_redirect(&link.code).await.unwrap().unwrap();
        store.count_click(&found, "2026-12-14", "x").await.unwrap();
        store.delete_workspace(&a).await.unwrap();
        assert!(
            store.link_for_redirect(&link.code).await.unwrap().is_none(),
            "{backend}"
        );
        // A click racing the deletion finds no link to count on: an error, never a stray row.
        assert!(store.count_click(&found, "2026-12-14", "x").await.is_err());
    })
    .await;
}

#[tokio::test]
async fn links_made_before_their_post_are_tied_to_it_once_saved() {
    each_backend(|store, backend| async move {
        let now = unix_now();
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let free = store
            .create_link(&a, new_link("https://boulangerie.example/"), now)
            .await
            .unwrap();
        let foreign = store
            .create_link(&b, new_link("https://fleuriste.example/"), now)
            .await
            .unwrap();
        let bluesky = channel(&store, &a, "did:plc:boulangerie").await;
        let post = store
            .create_post(
                &a,
                PostNew {
                    text: "Galette".into(),
                    targets: vec![(bluesky, None)],
                    ..PostNew::default()
                },
                Intent::Draft,
                now,
            )
            .await
            .unwrap();
        let other_post = store
            .create_post(
                &a,
                PostNew {
                    text: "Pain".into(),
                    targets: vec![(bluesky, None)],
                    ..PostNew::default()
                },
                Intent::Draft,
                now,
            )
            .await
            .unwrap();
        let codes = vec![free.code.clone(), foreign.code.clone(), "../x".to_owned()];
        assert_eq!(
            store
                .attach_links_to_post(&a, post.id, &codes)
                .await
                .unwrap(),
            1,
            "{backend}"
        );
        assert_eq!(store.link(&a, free.id).await.unwrap().post, Some(post.id));
        assert_eq!(store.link(&b, foreign.id).await.unwrap().post, None);
        // A link already made for a post stays with it.
        assert_eq!(
            store
                .attach_links_to_post(&a, other_post.id, &codes)
                .await
                .unwrap(),
            0
        );
        assert_eq!(store.link(&a, free.id).await.unwrap().post, Some(post.id));
        // Another workspace's post is not found.
        assert!(matches!(
            store.attach_links_to_post(&b, post.id, &codes).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn editing_a_link_keeps_its_code_and_clicks_and_changes_where_it_leads() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let link = store
            .create_link(
                &a,
                new_link("https://boulangerie.example/galette"),
                unix_now(),
            )
            .await
            .unwrap();
        let found = store.link_for_redirect(&link.code).await.unwrap().unwrap();
        store.count_click(&found, "2026-12-14", "x").await.unwrap();

        let target = LinkTarget::parse("https://boulangerie.example/buche", OWN).unwrap();
        let utm = Utm {
            source: Some("mastodon".into()),
            term: Some("noel".into()),
            ..Utm::default()
        };
        // Another workspace cannot change it, whatever its role.
        assert!(matches!(
            store.update_link(&b, link.id, &target, &utm).await,
            Err(StoreError::NotFound)
        ));
        let edited = store.update_link(&a, link.id, &target, &utm).await.unwrap();
        assert_eq!(edited.code, link.code, "{backend}");
        assert_eq!(edited.clicks, 1, "the clicks stay with the link");
        assert_eq!(
            edited.destination(),
            "https://boulangerie.example/buche?utm_source=mastodon&utm_term=noel"
        );
        let followed = store.link_for_redirect(&link.code).await.unwrap().unwrap();
        assert_eq!(followed.destination(), edited.destination());
        let audit = store.workspace_audit(&a, 50).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "link.updated").count(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn a_deleted_link_leaves_the_lists_loses_its_clicks_and_is_shown_as_removed() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let link = store
            .create_link(
                &a,
                new_link("https://boulangerie.example/galette"),
                unix_now(),
            )
            .await
            .unwrap();
        let found = store.link_for_redirect(&link.code).await.unwrap().unwrap();
        assert!(!found.removed);
        store.count_click(&found, "2026-12-14", "x").await.unwrap();

        assert!(matches!(
            store.delete_link(&b, link.id, unix_now()).await,
            Err(StoreError::NotFound)
        ));
        store.delete_link(&a, link.id, unix_now()).await.unwrap();
        assert!(matches!(
            store.delete_link(&a, link.id, unix_now()).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.link(&a, link.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .links(&a, &LinkFilter::default())
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        assert!(store.link_clicks(&a, link.id).await.unwrap().is_empty());
        let target = LinkTarget::parse("https://elsewhere.example/", OWN).unwrap();
        assert!(matches!(
            store
                .update_link(&a, link.id, &target, &Utm::default())
                .await,
            Err(StoreError::NotFound)
        ));

        // The code still answers, as removed, and counts nothing more.
        let removed = store.link_for_redirect(&link.code).await.unwrap().unwrap();
        assert!(removed.removed);
        store
            .count_click(&removed, "2026-12-15", "x")
            .await
            .unwrap();
        assert!(store.link_clicks(&a, link.id).await.unwrap().is_empty());

        // Its code is never drawn again for another link.
        let code = link.code.clone();
        let mut codes = vec![code.clone(), "Zz9Zz9Z".to_owned()].into_iter();
        let next = store
            .create_link_with_codes(
                &a,
                new_link("https://boulangerie.example/autre"),
                unix_now(),
                &mut move || codes.next().unwrap_or_default(),
            )
            .await
            .unwrap();
        assert_ne!(next.code, code);

        let audit = store.workspace_audit(&a, 50).await.unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "link.deleted").count(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn a_client_cannot_edit_or_delete_links() {
    each_backend(|store, _| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let link = store
            .create_link(
                &a,
                new_link("https://boulangerie.example/galette"),
                unix_now(),
            )
            .await
            .unwrap();
        let client = store
            .create_user(&user("client@example.fr"), false)
            .await
            .unwrap();
        let (token, _) = store
            .create_invitation(&a, "client@example.fr", Role::Client, unix_now())
            .await
            .unwrap();
        store
            .accept_invitation(&token, &client, unix_now())
            .await
            .unwrap();
        let scope = store.scope(client.user_id(), a.workspace()).await.unwrap();
        let target = LinkTarget::parse("https://elsewhere.example/", OWN).unwrap();
        assert!(matches!(
            store
                .update_link(&scope, link.id, &target, &Utm::default())
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.delete_link(&scope, link.id, unix_now()).await,
            Err(StoreError::Forbidden)
        ));
        assert!(store.link(&a, link.id).await.is_ok());
    })
    .await;
}

#[test]
fn clicks_add_up_by_day_and_by_network() {
    let count = |day: &str, network: &str, clicks| ClickCount {
        day: day.into(),
        network: network.into(),
        clicks,
    };
    let breakdown = ClickBreakdown::of(&[
        count("2026-12-15", "x", 2),
        count("2026-12-15", "direct", 1),
        count("2026-12-14", "x", 3),
        count("2026-12-14", "bluesky", 1),
        count("2026-12-14", "direct", 1),
    ]);
    assert_eq!(
        breakdown.by_day,
        vec![("2026-12-15".to_owned(), 3), ("2026-12-14".to_owned(), 5)]
    );
    assert_eq!(
        breakdown.by_network,
        vec![
            ("x".to_owned(), 5),
            ("direct".to_owned(), 2),
            ("bluesky".to_owned(), 1)
        ]
    );
    assert_eq!(ClickBreakdown::of(&[]), ClickBreakdown::default());
}
