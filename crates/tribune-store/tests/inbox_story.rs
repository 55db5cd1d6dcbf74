//! The inbox's storage, run on SQLite and on PostgreSQL: exactly-once ingestion with the
//! cursor, the full-text pre-filter, triage, notes and replies, each kept to its workspace.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use tribune_domain::inbox::{ItemKind, ItemStatus, Tone};
use tribune_domain::{ChannelId, Role};
use tribune_store::channels::ChannelNew;
use tribune_store::inbox::{
    AssigneeFilter, InboxFilter, ItemChange, ItemNew, REPLY_JOB, TextFilter, search_words,
};
use tribune_store::testing::{each_backend, profile, user};
use tribune_store::{Store, StoreError, WorkspaceScope};

const NOW: i64 = 1_800_000_000;

async fn workspace(store: &Store, email: &str, name: &str) -> WorkspaceScope {
    let owner = store.create_user(&user(email), false).await.unwrap();
    store
        .create_workspace(owner.user_id(), &profile(name))
        .await
        .unwrap()
}

async fn member(store: &Store, owner: &WorkspaceScope, email: &str, role: Role) -> WorkspaceScope {
    let account = store.create_user(&user(email), false).await.unwrap();
    let (token, _) = store
        .create_invitation(owner, email, role, NOW)
        .await
        .unwrap();
    store
        .accept_invitation(&token, &account, NOW)
        .await
        .unwrap();
    store
        .scope(account.user_id(), owner.workspace())
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
                capabilities: "read_comments,reply".into(),
                sealed_credentials: "sealed".into(),
                token_expires_at: None,
            },
            NOW,
        )
        .await
        .unwrap()
        .id
}

/// An item as ingestion would prepare it (the words folded by hand here).
fn item(remote: &str, text: &str, created_at: i64) -> ItemNew {
    // Accents folded as the query language folds them (enough for these texts).
    let folded: String = text
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' => 'e',
            'à' => 'a',
            'ù' => 'u',
            'ç' => 'c',
            'ô' => 'o',
            other => other,
        })
        .collect();
    ItemNew {
        remote_ref: remote.into(),
        kind: ItemKind::Comment,
        in_reply_to: Some("post-1".into()),
        root_ref: Some("post-1".into()),
        author_remote_id: Some("did:plc:alice".into()),
        author_handle: "alice.test".into(),
        author_name: "Alice".into(),
        author_url: Some("https://bsky.app/profile/alice.test".into()),
        text: text.into(),
        url: Some(format!("https://bsky.app/post/{remote}")),
        links: vec!["https://example.fr/a".into(), "javascript:alert(1)".into()],
        images: vec![
            tribune_store::inbox::Image {
                url: "https://media.example/a.png".into(),
                alt: "Une galette".into(),
            },
            tribune_store::inbox::Image {
                url: "javascript:alert(1)".into(),
                alt: "x".into(),
            },
        ],
        search_text: search_words(folded.split(|c: char| !c.is_alphanumeric())),
        created_at,
        lang: "fr".into(),
        tone: Tone::Neutral,
        toxicity: 0.1,
        spam: 0.0,
        network_status: "visible".into(),
        raw: "{}".into(),
    }
}

fn all() -> InboxFilter {
    InboxFilter {
        limit: 100,
        ..InboxFilter::default()
    }
}

fn texts(items: &[tribune_store::inbox::Item]) -> Vec<&str> {
    items.iter().map(|i| i.text.as_str()).collect()
}

#[tokio::test]
async fn ingestion_stores_each_item_once_with_its_cursor() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let ch = channel(&store, &a, "did:plc:brand").await;
        assert_eq!(store.inbox_cursor(&a, ch).await.unwrap(), None);

        let page = [
            item("r1", "Livraison en retard", 10),
            item("r2", "Merci pour la galette", 20),
        ];
        let stored = store
            .ingest_inbox(&a, ch, &page, Some("c1"), NOW)
            .await
            .unwrap();
        assert_eq!(stored.len(), 2, "{backend}");
        let cursor = store.inbox_cursor(&a, ch).await.unwrap().unwrap();
        assert_eq!(cursor.cursor.as_deref(), Some("c1"));
        assert_eq!(cursor.idle_fetches, 0);

        // The same page again (a crash after the network answered, before the job ended):
        // nothing doubles, and the cursor stays where the network put it.
        let again = store
            .ingest_inbox(&a, ch, &page, None, NOW + 60)
            .await
            .unwrap();
        assert!(again.is_empty(), "{backend}");
        let cursor = store.inbox_cursor(&a, ch).await.unwrap().unwrap();
        assert_eq!(cursor.cursor.as_deref(), Some("c1"));
        assert_eq!(cursor.idle_fetches, 1);
        let items = store.inbox_items(&a, &all(), NOW).await.unwrap();
        assert_eq!(
            texts(&items),
            ["Merci pour la galette", "Livraison en retard"]
        );
        let first = &items[1];
        assert_eq!(first.status, ItemStatus::New);
        assert_eq!(first.thread_ref, "post-1");
        // Only web links are kept.
        assert_eq!(first.links, ["https://example.fr/a"]);
        // The upkeep's statistics refresh runs on either database.
        store.refresh_statistics().await.unwrap();
        assert_eq!(
            first.images,
            [tribune_store::inbox::Image {
                url: "https://media.example/a.png".into(),
                alt: "Une galette".into(),
            }],
            "only http(s) pictures are kept"
        );

        // A failed fetch is recorded; the cursor does not move.
        store
            .record_inbox_error(&a, ch, "unreachable", NOW + 120)
            .await
            .unwrap();
        let cursor = store.inbox_cursor(&a, ch).await.unwrap().unwrap();
        assert_eq!(cursor.cursor.as_deref(), Some("c1"));
        assert_eq!(cursor.last_error.as_deref(), Some("unreachable"));

        // Another workspace can neither ingest into this channel nor read its items.
        assert!(matches!(
            store.ingest_inbox(&b, ch, &page, None, NOW).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.inbox_items(&b, &all(), NOW).await.unwrap().is_empty());
        assert!(matches!(
            store.inbox_item(&b, first.id).await,
            Err(StoreError::NotFound)
        ));

        // Oversized fields are cut, an oversized reference is refused.
        let mut big = item("r3", &"é".repeat(20_000), 30);
        big.author_name = "n".repeat(1_000);
        let mut bad_ref = item(&"x".repeat(2_000), "trop long", 40);
        bad_ref.url = Some(format!("https://example.fr/{}", "a".repeat(5_000)));
        let stored = store
            .ingest_inbox(&a, ch, &[big, bad_ref], None, NOW)
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        let big = store.inbox_item(&a, stored[0]).await.unwrap();
        assert_eq!(big.text.chars().count(), 10_000);
        assert_eq!(big.author.name.chars().count(), 200);
    })
    .await;
}

#[tokio::test]
async fn the_full_text_prefilter_finds_words_and_prefixes_on_both_databases() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let ch = channel(&store, &a, "did:plc:brand").await;
        let other = channel(&store, &b, "did:plc:other").await;
        store
            .ingest_inbox(
                &a,
                ch,
                &[
                    item("r1", "Je veux être remboursé, livraison en retard", 10),
                    item("r2", "Le colis est perdu", 20),
                    item("r3", "Merci, la galette était parfaite", 30),
                ],
                None,
                NOW,
            )
            .await
            .unwrap();
        store
            .ingest_inbox(&b, other, &[item("o1", "colis perdu aussi", 10)], None, NOW)
            .await
            .unwrap();
        let find = |text: Option<TextFilter>| {
            let store = store.clone();
            async move {
                let filter = InboxFilter { text, ..all() };
                let items = store.inbox_items(&a, &filter, NOW).await.unwrap();
                items.into_iter().map(|i| i.remote_ref).collect::<Vec<_>>()
            }
        };
        assert_eq!(
            find(TextFilter::word("colis", false)).await,
            ["r2"],
            "{backend}"
        );
        assert_eq!(find(TextFilter::word("rembours", true)).await, ["r1"]);
        assert_eq!(
            find(TextFilter::word("rembours", false)).await,
            Vec::<String>::new()
        );
        assert_eq!(
            find(TextFilter::any([
                TextFilter::word("colis", false),
                TextFilter::word("galette", false)
            ]))
            .await,
            ["r3", "r2"]
        );
        assert_eq!(
            find(TextFilter::all([
                TextFilter::word("livraison", false),
                TextFilter::word("retard", false)
            ]))
            .await,
            ["r1"]
        );
        // Words the index cannot hold filter nothing; neither can a quote or an operator
        // smuggled into a word.
        assert_eq!(TextFilter::word("l'été", false), None);
        assert_eq!(TextFilter::word("a\" OR \"b", false), None);
        assert_eq!(TextFilter::word("доставка", false), None);
    })
    .await;
}

#[tokio::test]
async fn triage_changes_status_assignee_and_labels_and_is_audited() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let colleague = member(&store, &a, "c@example.fr", Role::Contributor).await;
        let client = member(&store, &a, "client@example.fr", Role::Client).await;
        let ch = channel(&store, &a, "did:plc:brand").await;
        let mut toxic = item("r2", "Vous êtes des escrocs", 20);
        toxic.toxicity = 0.9;
        toxic.tone = Tone::Negative;
        let ids = store
            .ingest_inbox(&a, ch, &[item("r1", "Bonjour", 10), toxic], None, NOW)
            .await
            .unwrap();

        let changed = store
            .update_inbox_items(
                &colleague,
                &ids,
                &ItemChange {
                    status: Some(ItemStatus::InProgress),
                    assignee: Some(colleague.user()),
                    add_labels: vec!["SAV".into(), "urgent".into()],
                    ..ItemChange::default()
                },
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(changed.len(), 2, "{backend}");
        assert!(changed.iter().all(|i| i.labels == ["sav", "urgent"]));
        assert!(changed.iter().all(|i| i.assignee == colleague.user()));

        store
            .update_inbox_items(
                &a,
                &ids[..1],
                &ItemChange {
                    remove_labels: vec!["urgent".into()],
                    ..ItemChange::default()
                },
                NOW,
            )
            .await
            .unwrap();
        let filter = |f: InboxFilter| {
            let store = store.clone();
            async move {
                let items = store.inbox_items(&a, &f, NOW).await.unwrap();
                items.into_iter().map(|i| i.remote_ref).collect::<Vec<_>>()
            }
        };
        assert_eq!(
            filter(InboxFilter {
                label: Some("urgent".into()),
                ..all()
            })
            .await,
            ["r2"]
        );
        assert_eq!(
            filter(InboxFilter {
                flagged: true,
                ..all()
            })
            .await,
            ["r2"]
        );
        assert_eq!(
            filter(InboxFilter {
                tone: Some(Tone::Negative),
                ..all()
            })
            .await,
            ["r2"]
        );
        assert_eq!(
            filter(InboxFilter {
                assignee: Some(AssigneeFilter::Nobody),
                ..all()
            })
            .await,
            Vec::<String>::new()
        );

        // Snoozed until an hour from now: out of "new" until then, back after.
        store
            .update_inbox_items(
                &a,
                &ids[..1],
                &ItemChange {
                    status: Some(ItemStatus::Snoozed),
                    snoozed_until: Some(NOW + 3600),
                    ..ItemChange::default()
                },
                NOW,
            )
            .await
            .unwrap();
        let new_at = |now: i64| {
            let store = store.clone();
            async move {
                let f = InboxFilter {
                    status: Some(ItemStatus::New),
                    ..all()
                };
                let items = store.inbox_items(&a, &f, now).await.unwrap();
                items.into_iter().map(|i| i.remote_ref).collect::<Vec<_>>()
            }
        };
        assert!(new_at(NOW).await.is_empty());
        assert_eq!(new_at(NOW + 3601).await, ["r1"]);
        // A snooze needs a time to come back.
        assert!(matches!(
            store
                .update_inbox_items(
                    &a,
                    &ids[..1],
                    &ItemChange {
                        status: Some(ItemStatus::Snoozed),
                        snoozed_until: Some(NOW - 1),
                        ..ItemChange::default()
                    },
                    NOW,
                )
                .await,
            Err(StoreError::Invalid(_))
        ));

        // Only members can be assigned; clients read but do not triage; another workspace's
        // items are not found, and a batch with one of them changes nothing.
        let stranger = member(&store, &b, "s@example.fr", Role::Manager).await;
        let assign = |to| ItemChange {
            assignee: Some(to),
            ..ItemChange::default()
        };
        assert!(matches!(
            store
                .update_inbox_items(&a, &ids, &assign(stranger.user()), NOW)
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store
                .update_inbox_items(&client, &ids, &assign(None), NOW)
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.update_inbox_items(&b, &ids, &assign(None), NOW).await,
            Err(StoreError::NotFound)
        ));
        let other_ch = channel(&store, &b, "did:plc:other").await;
        let theirs = store
            .ingest_inbox(&b, other_ch, &[item("o1", "x", 1)], None, NOW)
            .await
            .unwrap();
        let mixed = [ids[0], theirs[0]];
        assert!(matches!(
            store
                .update_inbox_items(&a, &mixed, &assign(None), NOW)
                .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.inbox_item(&a, ids[0]).await.unwrap().assignee,
            colleague.user()
        );

        // A fetch's rules: their changes in one transaction, in order; one refused (an assignee
        // who is not a member) is skipped and the others apply.
        let label = |l: &str| ItemChange {
            add_labels: vec![l.into()],
            reason: Some("rule 1: Tri".into()),
            ..ItemChange::default()
        };
        let before = store.inbox_item(&a, ids[1]).await.unwrap().assignee;
        let done = store
            .triage_inbox_items(
                &a,
                &[
                    (&ids[..], label("tri")),
                    (&ids[1..], assign(stranger.user())),
                    (&mixed[..], label("jamais")),
                    (&ids[1..], label("escroc")),
                ],
                NOW,
            )
            .await
            .unwrap();
        assert!(matches!(done[0], Ok(2)), "{backend}: {done:?}");
        assert!(matches!(done[1], Err(StoreError::Invalid(_))));
        assert!(matches!(done[2], Err(StoreError::NotFound)));
        assert!(matches!(done[3], Ok(1)));
        let now_labels = |i: usize| {
            let store = store.clone();
            let (a, id) = (a, ids[i]);
            async move { store.inbox_item(&a, id).await.unwrap().labels }
        };
        assert!(now_labels(0).await.contains(&"tri".to_owned()));
        let second = now_labels(1).await;
        assert!(second.contains(&"tri".to_owned()) && second.contains(&"escroc".to_owned()));
        assert!(!second.contains(&"jamais".to_owned()), "{second:?}");
        assert_eq!(
            store.inbox_item(&a, ids[1]).await.unwrap().assignee,
            before,
            "the refused change wrote nothing"
        );
        assert!(matches!(
            store
                .triage_inbox_items(&client, &[(&ids[..], label("x"))], NOW)
                .await
                .unwrap()[..],
            [Err(StoreError::Forbidden)]
        ));
        // A change refused after its first write (the status is set, then the labels would be
        // too many) is undone whole; the next change still applies.
        let full: Vec<String> = (0..tribune_domain::inbox::MAX_LABELS)
            .map(|i| format!("l{i}"))
            .collect();
        store
            .update_inbox_items(
                &a,
                &ids[..1],
                &ItemChange {
                    labels: Some(full),
                    ..ItemChange::default()
                },
                NOW,
            )
            .await
            .unwrap();
        let status_before = store.inbox_item(&a, ids[0]).await.unwrap().status;
        let done = store
            .triage_inbox_items(
                &a,
                &[
                    (
                        &ids[..1],
                        ItemChange {
                            status: Some(ItemStatus::InProgress),
                            add_labels: vec!["one-too-many".into()],
                            ..ItemChange::default()
                        },
                    ),
                    (&ids[1..], label("après")),
                ],
                NOW,
            )
            .await
            .unwrap();
        assert!(
            matches!(done[..], [Err(StoreError::Invalid(_)), Ok(1)]),
            "{backend}: {done:?}"
        );
        let first = store.inbox_item(&a, ids[0]).await.unwrap();
        assert_ne!(status_before, ItemStatus::InProgress);
        assert_eq!(
            first.status, status_before,
            "{backend}: the refused change's status undone"
        );
        assert!(!first.labels.contains(&"one-too-many".to_owned()));
        assert!(now_labels(1).await.contains(&"après".to_owned()));

        let trail = store.workspace_audit(&a, 100).await.unwrap();
        assert!(
            trail.iter().filter(|e| e.action == "inbox.update").count() >= 4,
            "{trail:?}"
        );
        assert_eq!(
            trail
                .iter()
                .filter(|e| e.action == "inbox.update" && e.details.contains("rule 1: Tri"))
                .count(),
            4,
            "each item of each applied change audited with its rule (two, one, then one)"
        );
    })
    .await;
}

#[tokio::test]
async fn notes_and_replies_stay_with_their_item() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let ch = channel(&store, &a, "did:plc:brand").await;
        let ids = store
            .ingest_inbox(
                &a,
                ch,
                &[
                    item("r1", "Où est ma commande ?", 10),
                    item("r2", "Pareil pour moi", 20),
                ],
                None,
                NOW,
            )
            .await
            .unwrap();
        let first = store.inbox_item(&a, ids[0]).await.unwrap();
        let thread = store.inbox_thread(&a, &first).await.unwrap();
        assert_eq!(texts(&thread), ["Où est ma commande ?", "Pareil pour moi"]);

        let note = store
            .add_inbox_note(&a, ids[0], "  Client fidèle, répondre vite  ", NOW)
            .await
            .unwrap();
        assert_eq!(note.body, "Client fidèle, répondre vite");
        assert!(matches!(
            store.add_inbox_note(&a, ids[0], "   ", NOW).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.add_inbox_note(&b, ids[0], "x", NOW).await,
            Err(StoreError::NotFound)
        ));
        let notes = store.inbox_notes(&a, ids[0]).await.unwrap();
        assert_eq!(notes.len(), 1, "{backend}");
        assert!(notes[0].author_name.is_some());
        assert!(store.inbox_notes(&b, ids[0]).await.unwrap().is_empty());

        let reply = store
            .create_inbox_reply(&a, ids[0], "Bonjour, nous regardons !", NOW)
            .await
            .unwrap();
        assert_eq!(reply.state, "pending");
        // Its key on the network is random: another database's reply number 1 is not it.
        let key = reply.network_key();
        assert!(key.starts_with("tribune-") && key.len() > 30, "{key}");
        assert_ne!(key, format!("tribune-inbox-reply-{}", reply.id.0));
        let job = store
            .job_by_key(&format!("{REPLY_JOB}:{}", reply.id.0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.workspace, Some(a.workspace()));

        let attempt = store
            .begin_inbox_reply(&a, reply.id, NOW + 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(attempt.to, "r1");
        assert_eq!(attempt.previous_attempt, None);
        // A second run of the job (the worker died) sees when the first attempt started.
        let again = store
            .begin_inbox_reply(&a, reply.id, NOW + 30)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.previous_attempt, Some(NOW + 1));
        assert!(matches!(
            store.begin_inbox_reply(&b, reply.id, NOW).await,
            Err(StoreError::NotFound)
        ));

        let sent = store
            .finish_inbox_reply(
                &a,
                reply.id,
                Ok(("at://reply".into(), Some("https://bsky.app/x".into()))),
                NOW + 40,
            )
            .await
            .unwrap();
        assert_eq!(sent.state, "sent");
        let answered = store.inbox_item(&a, ids[0]).await.unwrap();
        assert_eq!(answered.first_response_at, Some(NOW + 40));
        assert_eq!(answered.status, ItemStatus::Done);
        // Sent once: a late run of the job finds nothing to do.
        assert!(
            store
                .begin_inbox_reply(&a, reply.id, NOW + 50)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(store.inbox_replies(&a, ids[0]).await.unwrap().len(), 1);
        assert!(store.inbox_replies(&b, ids[0]).await.unwrap().is_empty());

        let moderated = store
            .record_inbox_moderation(&a, ids[1], "hide", "hidden", Some("insult"))
            .await
            .unwrap();
        assert_eq!(moderated.network_status, "hidden");
        assert!(matches!(
            store
                .record_inbox_moderation(&b, ids[1], "hide", "hidden", None)
                .await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_channel_with_an_inbox_is_fetched_as_soon_as_it_is_connected() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let ch = channel(&store, &a, "did:plc:brand").await;
        let job = store
            .job_by_key(&format!("inbox.fetch:{}", ch.0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.workspace, Some(a.workspace()), "{backend}");
        assert_eq!(job.payload["channel"], ch.0);
        // A channel that only publishes has no inbox to fetch.
        let publish_only = store
            .connect_channel(
                &a,
                ChannelNew {
                    network: "wordpress".into(),
                    remote_id: "site".into(),
                    handle: "blog".into(),
                    display_name: "Blog".into(),
                    avatar_url: None,
                    profile_url: None,
                    avatar: None,
                    capabilities: "publish_text".into(),
                    sealed_credentials: "sealed".into(),
                    token_expires_at: None,
                },
                NOW,
            )
            .await
            .unwrap();
        assert!(
            store
                .job_by_key(&format!("inbox.fetch:{}", publish_only.id.0))
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn saved_replies_are_kept_by_managers_for_their_workspace() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let contributor = member(&store, &a, "c@example.fr", Role::Contributor).await;
        let merci = store
            .create_saved_reply(&a, " Merci ", "Merci {prenom} !", NOW)
            .await
            .unwrap();
        assert_eq!(merci.title, "Merci", "{backend}");
        store
            .create_saved_reply(&a, "Délai", "Comptez 48 h, {prenom}.", NOW)
            .await
            .unwrap();
        let titles: Vec<String> = store
            .saved_replies(&a)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.title)
            .collect();
        assert_eq!(titles, ["Délai", "Merci"]);
        // Contributors use them but do not change them; another workspace sees none.
        assert_eq!(store.saved_replies(&contributor).await.unwrap().len(), 2);
        assert!(matches!(
            store.create_saved_reply(&contributor, "x", "y", NOW).await,
            Err(StoreError::Forbidden)
        ));
        assert!(store.saved_replies(&b).await.unwrap().is_empty());
        assert!(matches!(
            store
                .update_saved_reply(&b, merci.id, "Pwned", "Pwned", NOW)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_saved_reply(&b, merci.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.create_saved_reply(&a, "", "y", NOW).await,
            Err(StoreError::Invalid(_))
        ));
        let changed = store
            .update_saved_reply(&a, merci.id, "Merci !", "Merci beaucoup {prenom}", NOW + 1)
            .await
            .unwrap();
        assert_eq!(changed.body, "Merci beaucoup {prenom}");
        assert_eq!(changed.updated_at, NOW + 1);
        store.delete_saved_reply(&a, merci.id).await.unwrap();
        assert_eq!(store.saved_replies(&a).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_search_finds_an_old_match_past_many_newer_ones() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let ch = channel(&store, &a, "did:plc:brand").await;
        let other = channel(&store, &b, "did:plc:other").await;
        // The oldest match is the only new one; 450 newer matches are done, and another
        // workspace has as many matches, interleaved.
        let mut items = vec![item("old", "colis perdu, toujours rien", 1)];
        items.extend((0..450).map(|i| item(&format!("r{i}"), "colis arrivé", 10 + i)));
        let ids = store.ingest_inbox(&a, ch, &items, None, NOW).await.unwrap();
        let theirs: Vec<ItemNew> = (0..450)
            .map(|i| item(&format!("o{i}"), "colis", 10 + i))
            .collect();
        store
            .ingest_inbox(&b, other, &theirs, None, NOW)
            .await
            .unwrap();
        for chunk in ids[1..].chunks(100) {
            store
                .update_inbox_items(
                    &a,
                    chunk,
                    &ItemChange {
                        status: Some(ItemStatus::Done),
                        ..ItemChange::default()
                    },
                    NOW,
                )
                .await
                .unwrap();
        }
        let found = store
            .inbox_items(
                &a,
                &InboxFilter {
                    status: Some(ItemStatus::New),
                    text: TextFilter::word("colis", false),
                    limit: 10,
                    ..InboxFilter::default()
                },
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(
            found
                .iter()
                .map(|i| i.remote_ref.as_str())
                .collect::<Vec<_>>(),
            ["old"],
            "{backend}"
        );
        // Paging with a cursor: the next page after the newest match starts below it.
        let page = store
            .inbox_items(
                &a,
                &InboxFilter {
                    text: TextFilter::word("colis", false),
                    before: Some(ids[450]),
                    limit: 3,
                    ..InboxFilter::default()
                },
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(
            page.iter().map(|i| i.id).collect::<Vec<_>>(),
            [ids[449], ids[448], ids[447]]
        );
    })
    .await;
}

#[tokio::test]
async fn rules_are_kept_in_order_by_managers_for_their_workspace() {
    use tribune_domain::inbox::{RuleAction, RuleConditions};
    use tribune_store::rules::RuleInput;
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let contributor = member(&store, &a, "c@example.fr", Role::Contributor).await;
        let input = |name: &str| RuleInput {
            name: name.into(),
            enabled: true,
            query: "arnaque OR escroc*".into(),
            conditions: RuleConditions {
                sentiment: vec![Tone::Negative],
                ..RuleConditions::default()
            },
            actions: vec![
                RuleAction::Label {
                    label: "alerte".into(),
                },
                RuleAction::Moderate {
                    action: "hide".into(),
                },
            ],
        };
        let first = store
            .create_inbox_rule(&a, &input("Arnaques"), NOW)
            .await
            .unwrap();
        let second = store
            .create_inbox_rule(&a, &input("Escrocs"), NOW)
            .await
            .unwrap();
        assert!(first.position < second.position, "{backend}");
        let rules = store.inbox_rules(&a).await.unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].actions, input("x").actions, "actions round-trip");
        assert_eq!(rules[0].conditions.sentiment, [Tone::Negative]);
        // Contributors and other workspaces cannot touch them.
        assert!(matches!(
            store
                .create_inbox_rule(&contributor, &input("x"), NOW)
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(store.inbox_rules(&b).await.unwrap().is_empty());
        assert!(matches!(
            store
                .update_inbox_rule(&b, first.id, &input("x"), NOW)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_inbox_rule(&b, first.id).await,
            Err(StoreError::NotFound)
        ));
        // A rule that would match everything is refused.
        let mut everything = input("Tout");
        everything.query = String::new();
        everything.conditions = RuleConditions::default();
        assert!(matches!(
            store.create_inbox_rule(&a, &everything, NOW).await,
            Err(StoreError::Invalid(_))
        ));
        let mut off = input("Arnaques");
        off.enabled = false;
        let changed = store
            .update_inbox_rule(&a, first.id, &off, NOW + 1)
            .await
            .unwrap();
        assert!(!changed.enabled);
        assert_eq!(changed.position, first.position);
        // Moving: one place at a time, nothing past either end, never another workspace's.
        let third = store
            .create_inbox_rule(&a, &input("Liens"), NOW)
            .await
            .unwrap();
        let names = |rules: Vec<tribune_store::rules::Rule>| {
            rules.into_iter().map(|r| r.name).collect::<Vec<_>>()
        };
        store.move_inbox_rule(&a, third.id, true).await.unwrap();
        assert_eq!(
            names(store.inbox_rules(&a).await.unwrap()),
            ["Arnaques", "Liens", "Escrocs"],
            "{backend}"
        );
        store.move_inbox_rule(&a, third.id, true).await.unwrap();
        store.move_inbox_rule(&a, third.id, true).await.unwrap();
        store.move_inbox_rule(&a, second.id, false).await.unwrap();
        let moved = store.inbox_rules(&a).await.unwrap();
        assert_eq!(
            moved.iter().map(|r| r.position).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(names(moved), ["Liens", "Arnaques", "Escrocs"]);
        assert!(matches!(
            store.move_inbox_rule(&b, third.id, false).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.move_inbox_rule(&contributor, third.id, false).await,
            Err(StoreError::Forbidden)
        ));
        // The "notify" action: the member asked for, else the owners and managers; a second
        // run for the same item and rule queues nothing more.
        let ch = channel(&store, &a, "did:plc:notify").await;
        let ids = store
            .ingest_inbox(&a, ch, &[item("n1", "Arnaque", NOW)], None, NOW)
            .await
            .unwrap();
        let told = store
            .enqueue_rule_notice(&a, first.id, ids[0], contributor.user(), NOW)
            .await
            .unwrap();
        assert_eq!(told, 1);
        let managers = store
            .enqueue_rule_notice(&a, second.id, ids[0], None, NOW)
            .await
            .unwrap();
        assert_eq!(managers, 1, "{backend}: the owner");
        store
            .enqueue_rule_notice(&a, second.id, ids[0], None, NOW)
            .await
            .unwrap();
        let mails = claim_mail(&store, NOW).await;
        assert_eq!(mails.len(), 2, "{backend}: {mails:?}");
        let (owner_mail, _, name) = store
            .prepare_rule_notice_mail(&a, a.user().unwrap(), ids[0], second.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(owner_mail.user_id(), a.user().unwrap());
        assert_eq!(name.as_deref(), Some("Escrocs"));
        store.delete_inbox_rule(&a, third.id).await.unwrap();
        store.delete_inbox_rule(&a, second.id).await.unwrap();
        let (_, _, gone) = store
            .prepare_rule_notice_mail(&a, a.user().unwrap(), ids[0], second.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(gone, None, "a deleted rule is said so");
        assert_eq!(store.inbox_rules(&a).await.unwrap().len(), 1);
    })
    .await;
}

/// The mail jobs waiting, claimed (so each is seen once).
async fn claim_mail(store: &Store, now: i64) -> Vec<tribune_store::mail_jobs::MailJob> {
    store
        .claim_jobs("test", &[tribune_store::mail_jobs::MAIL_JOB], now, 60, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|job| tribune_store::mail_jobs::MailJob::parse(&job.payload).unwrap())
        .collect()
}

#[tokio::test]
async fn messages_get_a_deadline_and_each_breach_is_told_once() {
    use tribune_domain::sla::Sla;
    use tribune_store::mail_jobs::MailJob;
    each_backend(|store, backend| async move {
        // NOW is Friday 15 January 2027, 9:00 in Paris (the workspaces' zone).
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let cm = member(&store, &a, "cm@example.fr", Role::Contributor).await;
        let ch = channel(&store, &a, "did:plc:a").await;
        // Without a target, no deadline.
        store
            .ingest_inbox(
                &a,
                ch,
                &[item("before", "Bonjour", NOW - 60)],
                None,
                NOW - 30,
            )
            .await
            .unwrap();
        assert_eq!(store.inbox_sla(&a).await.unwrap(), None);
        assert!(matches!(
            store.set_inbox_sla(&cm, Some(Sla::office()), NOW).await,
            Err(StoreError::Forbidden)
        ));
        let refused = Sla {
            target_minutes: 0,
            ..Sla::office()
        };
        assert!(matches!(
            store.set_inbox_sla(&a, Some(refused), NOW).await,
            Err(StoreError::Invalid(_))
        ));
        // Setting one gives the waiting message a deadline: two business hours.
        assert_eq!(
            store
                .set_inbox_sla(&a, Some(Sla::office()), NOW)
                .await
                .unwrap(),
            1,
            "{backend}"
        );
        assert_eq!(store.inbox_sla(&a).await.unwrap(), Some(Sla::office()));
        assert_eq!(store.inbox_sla(&b).await.unwrap(), None);
        let ids = store
            .ingest_inbox(
                &a,
                ch,
                &[
                    item("q1", "Livrez-vous le samedi ?", NOW - 10),
                    item("q2", "Colis perdu depuis lundi", NOW - 5),
                    item("q3", "Merci pour tout", NOW - 1),
                ],
                None,
                NOW,
            )
            .await
            .unwrap();
        let listed = store.inbox_items(&a, &all(), NOW).await.unwrap();
        assert!(
            listed.iter().all(|i| i.due_at == Some(NOW + 2 * 3600)),
            "{backend}"
        );
        let first = &listed[0];
        assert_eq!(
            first.clock(30, NOW).unwrap(),
            tribune_domain::sla::Clock::Running
        );
        assert_eq!(
            first.clock(30, NOW + 2 * 3600 - 60).unwrap(),
            tribune_domain::sla::Clock::Near
        );

        // One is answered in time, one marked done, one assigned to the member: at 11:00 only
        // the last one and the one from before are past their deadline.
        let reply = store
            .create_inbox_reply(&a, ids[0], "Oui, le samedi matin.", NOW + 600)
            .await
            .unwrap();
        store
            .begin_inbox_reply(&a, reply.id, NOW + 650)
            .await
            .unwrap()
            .unwrap();
        store
            .finish_inbox_reply(&a, reply.id, Ok(("at://reply".into(), None)), NOW + 700)
            .await
            .unwrap();
        store
            .update_inbox_items(
                &a,
                &[ids[2]],
                &ItemChange {
                    status: Some(ItemStatus::Done),
                    ..ItemChange::default()
                },
                NOW + 800,
            )
            .await
            .unwrap();
        store
            .update_inbox_items(
                &a,
                &[ids[1]],
                &ItemChange {
                    assignee: Some(cm.user()),
                    ..ItemChange::default()
                },
                NOW + 900,
            )
            .await
            .unwrap();
        let due = NOW + 2 * 3600;
        assert_eq!(store.inbox_breached_count(&a, due - 1).await.unwrap(), 0);
        assert!(store.check_sla_breaches(due - 1).await.unwrap().is_empty());
        let near = InboxFilter {
            due_before: Some(due),
            ..all()
        };
        assert_eq!(
            texts(&store.inbox_items(&a, &near, NOW).await.unwrap()),
            ["Colis perdu depuis lundi", "Bonjour"],
            "{backend}"
        );
        let breaches = store.check_sla_breaches(due).await.unwrap();
        assert_eq!(breaches.len(), 2, "{backend}");
        assert_eq!(store.inbox_breached_count(&a, due).await.unwrap(), 2);
        // Told once: the assignee for theirs, the owner for the unassigned one.
        let mut told: Vec<(tribune_domain::UserId, usize)> = claim_mail(&store, due)
            .await
            .into_iter()
            .filter_map(|m| match m {
                MailJob::SlaBreached { user, items } => Some((user, items.len())),
                _ => None,
            })
            .collect();
        told.sort();
        let mut expected = vec![(a.user().unwrap(), 1), (cm.user().unwrap(), 1)];
        expected.sort();
        assert_eq!(told, expected, "{backend}");
        assert!(store.check_sla_breaches(due + 60).await.unwrap().is_empty());
        let mail = store
            .prepare_sla_breach_mail(&a, cm.user().unwrap(), &[ids[1]])
            .await
            .unwrap()
            .unwrap();
        assert!(mail.assigned);
        assert_eq!(mail.items.len(), 1);
        // Answered since: nothing left to tell.
        store
            .update_inbox_items(
                &a,
                &[ids[1]],
                &ItemChange {
                    status: Some(ItemStatus::Done),
                    ..ItemChange::default()
                },
                due + 120,
            )
            .await
            .unwrap();
        assert!(
            store
                .prepare_sla_breach_mail(&a, cm.user().unwrap(), &[ids[1]])
                .await
                .unwrap()
                .is_none()
        );
        // Another workspace sees none of it; removing the target removes the deadlines.
        assert_eq!(store.inbox_breached_count(&b, due).await.unwrap(), 0);
        store.set_inbox_sla(&a, None, due + 180).await.unwrap();
        assert_eq!(store.inbox_breached_count(&a, due + 180).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn inbox_statistics_count_local_days_first_answers_and_members() {
    use tribune_domain::sla::Sla;
    each_backend(|store, backend| async move {
        // NOW is Friday 15 January 2027, 9:00 in Paris; NOW + 15 h is Saturday 0:00 there
        // (still Friday in UTC).
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let ch = channel(&store, &a, "did:plc:a").await;
        store
            .set_inbox_sla(&a, Some(Sla::office()), NOW - 60)
            .await
            .unwrap();
        let ids = store
            .ingest_inbox(
                &a,
                ch,
                &[
                    item("q1", "Livrez-vous le samedi ?", NOW - 10),
                    item("q2", "Merci !", NOW - 5),
                ],
                None,
                NOW,
            )
            .await
            .unwrap();
        store
            .ingest_inbox(
                &a,
                ch,
                &[item("q3", "Ouvert dimanche ?", NOW)],
                None,
                NOW + 15 * 3600,
            )
            .await
            .unwrap();
        let reply = store
            .create_inbox_reply(&a, ids[0], "Oui, le samedi matin.", NOW + 300)
            .await
            .unwrap();
        store
            .begin_inbox_reply(&a, reply.id, NOW + 500)
            .await
            .unwrap()
            .unwrap();
        store
            .finish_inbox_reply(&a, reply.id, Ok(("at://reply".into(), None)), NOW + 600)
            .await
            .unwrap();
        store
            .update_inbox_items(
                &a,
                &[ids[1]],
                &ItemChange {
                    status: Some(ItemStatus::Done),
                    ..ItemChange::default()
                },
                NOW + 900,
            )
            .await
            .unwrap();
        let stats = store
            .inbox_stats(&a, NOW - 86_400, NOW + 2 * 86_400, NOW + 86_400)
            .await
            .unwrap();
        assert_eq!(stats.received, 3, "{backend}");
        assert_eq!(
            stats.received_by_day.into_iter().collect::<Vec<_>>(),
            [("2027-01-15".to_owned(), 2), ("2027-01-16".to_owned(), 1)],
            "{backend}: days are Paris days"
        );
        assert_eq!(stats.answered, 1);
        assert_eq!(stats.done, 2, "answered and done, done only");
        assert_eq!(stats.first_response_median_secs, Some(600));
        assert_eq!(stats.first_response_mean_secs, Some(600));
        assert_eq!(stats.first_response_business_median_secs, Some(600));
        assert_eq!(
            (stats.sla_met, stats.sla_missed, stats.sla_breached),
            (2, 0, 0)
        );
        assert_eq!(
            stats.replies_by_member.into_iter().collect::<Vec<_>>(),
            [(a.user().unwrap(), 1)]
        );
        // Another workspace, or another period, sees none of it.
        let other = store
            .inbox_stats(&b, NOW - 86_400, NOW + 2 * 86_400, NOW)
            .await
            .unwrap();
        assert_eq!((other.received, other.answered), (0, 0));
        let before = store
            .inbox_stats(&a, NOW - 2 * 86_400, NOW - 86_400, NOW)
            .await
            .unwrap();
        assert_eq!(before.received, 0);
        assert!(before.replies_by_member.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_person_is_known_across_channels_tagged_exported_and_erased() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let client = member(&store, &a, "client@example.fr", Role::Client).await;
        let one = channel(&store, &a, "did:plc:one").await;
        let two = channel(&store, &a, "did:plc:two").await;
        let other = channel(&store, &b, "did:plc:b").await;
        let by = |remote: &str, did: &str, handle: &str, text: &str| {
            let mut it = item(remote, text, NOW);
            it.author_remote_id = Some(did.into());
            it.author_handle = handle.into();
            it
        };
        // The same person on both of the workspace's Bluesky accounts, under a new handle on
        // the second; someone else; and the same person in another workspace.
        let ids = store
            .ingest_inbox(
                &a,
                one,
                &[
                    by("m1", "did:plc:troll", "troll.test", "Arnaque !"),
                    by("m2", "did:plc:fan", "fan.test", "Bravo"),
                ],
                None,
                NOW,
            )
            .await
            .unwrap();
        store
            .ingest_inbox(
                &a,
                two,
                &[by(
                    "m3",
                    "did:plc:troll",
                    "troll2.test",
                    "Encore une arnaque",
                )],
                None,
                NOW + 1,
            )
            .await
            .unwrap();
        store
            .ingest_inbox(
                &b,
                other,
                &[by("m4", "did:plc:troll", "troll.test", "Ailleurs")],
                None,
                NOW,
            )
            .await
            .unwrap();
        let key = store.inbox_contact_key(&a, ids[0]).await.unwrap();
        assert_eq!(key.remote_id.as_deref(), Some("did:plc:troll"));
        let (contact, items) = store.inbox_contact(&a, &key).await.unwrap();
        assert_eq!(contact.messages, 2, "{backend}");
        assert_eq!(texts(&items), ["Encore une arnaque", "Arnaque !"]);
        assert!(contact.tags.is_empty() && contact.note.is_empty());
        // Another workspace does not know them through this key.
        assert!(matches!(
            store.inbox_contact(&b, &key).await.map(|(c, _)| c.messages),
            Ok(1)
        ));

        let tagged = store
            .set_inbox_contact(
                &a,
                &key,
                &["Troll".into(), "bloqué".into()],
                "Insulte depuis 2025.",
                NOW + 10,
            )
            .await
            .unwrap();
        assert_eq!(tagged.tags, ["bloqué", "troll"], "kept sorted, lower-case");
        assert_eq!(tagged.note, "Insulte depuis 2025.");
        assert!(matches!(
            store
                .set_inbox_contact(&a, &key, &["a,b".into()], "", NOW)
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store
                .set_inbox_contact(&client, &key, &["fan".into()], "", NOW)
                .await,
            Err(StoreError::Forbidden)
        ));
        store
            .add_inbox_note(&a, ids[0], "Signalé au client", NOW + 20)
            .await
            .unwrap();

        // Export: everything, with the notes; the client may not.
        assert!(matches!(
            store.export_inbox_contact(&client, &key, NOW).await,
            Err(StoreError::Forbidden)
        ));
        let export = store
            .export_inbox_contact(&a, &key, NOW + 30)
            .await
            .unwrap();
        assert_eq!(export.messages.len(), 2);
        assert_eq!(export.contact.tags, ["bloqué", "troll"]);
        let noted = export
            .messages
            .iter()
            .find(|m| m.item.id == ids[0])
            .unwrap();
        assert_eq!(noted.notes.len(), 1);

        // Erasure: their messages, the notes on them and the profile go; the fan and the other
        // workspace stay; the audit says how many, not what.
        let (erased, more) = store.erase_inbox_contact(&a, &key).await.unwrap();
        assert_eq!((erased, more), (2, false), "{backend}");
        assert!(matches!(
            store.inbox_contact(&a, &key).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.inbox_notes(&a, ids[0]).await.map(|n| n.len()),
            Ok(0) | Err(StoreError::NotFound)
        ));
        assert_eq!(
            texts(&store.inbox_items(&a, &all(), NOW).await.unwrap()),
            ["Bravo"]
        );
        let arnaque = InboxFilter {
            text: TextFilter::word("arnaque", false),
            ..all()
        };
        assert!(
            store
                .inbox_items(&a, &arnaque, NOW)
                .await
                .unwrap()
                .is_empty(),
            "{backend}: out of the index too"
        );
        assert_eq!(store.inbox_contact(&b, &key).await.unwrap().0.messages, 1);
        let audit = store.workspace_audit(&a, 50).await.unwrap();
        let erase = audit.iter().find(|e| e.action == "contact.erase").unwrap();
        assert!(
            !erase.details.contains("troll") && !erase.object_id.contains("troll"),
            "{erase:?}"
        );
        assert!(audit.iter().any(|e| e.action == "contact.export"));
    })
    .await;
}

#[tokio::test]
async fn a_wave_of_negative_messages_opens_one_alert_that_closes_when_it_is_over() {
    use tribune_store::mail_jobs::MailJob;
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        member(&store, &a, "redac@example.fr", Role::Contributor).await;
        let ch = channel(&store, &a, "did:plc:a").await;
        let other = channel(&store, &b, "did:plc:b").await;
        let angry = |n: usize, prefix: &str| {
            (0..n)
                .map(|i| {
                    let mut it = item(&format!("{prefix}{i}"), "Honteux, plus jamais", NOW);
                    it.tone = Tone::Negative;
                    it
                })
                .collect::<Vec<_>>()
        };
        // A usual week for A: 14 negative messages (under one an hour).
        store
            .ingest_inbox(&a, ch, &angry(14, "old"), None, NOW - 3 * 86_400)
            .await
            .unwrap();
        // Nine in the last hour: not yet a wave; a neutral flood is none either.
        store
            .ingest_inbox(&a, ch, &angry(9, "w"), None, NOW - 600)
            .await
            .unwrap();
        let calm: Vec<ItemNew> = (0..30)
            .map(|i| item(&format!("n{i}"), "Merci", NOW))
            .collect();
        store
            .ingest_inbox(&b, other, &calm, None, NOW - 600)
            .await
            .unwrap();
        assert!(
            store.check_buzz(NOW).await.unwrap().opened.is_empty(),
            "{backend}"
        );
        // Three more, one toxic but neutral: a wave for A only.
        let mut more = angry(2, "x");
        let mut toxic = item("t", "Bande de nuls", NOW);
        toxic.toxicity = 0.9;
        more.push(toxic);
        store
            .ingest_inbox(&a, ch, &more, None, NOW - 60)
            .await
            .unwrap();
        let report = store.check_buzz(NOW).await.unwrap();
        assert_eq!(report.opened.len(), 1, "{backend}");
        let alert = &report.opened[0];
        assert_eq!((alert.workspace_id, alert.count), (a.workspace(), 12));
        assert!(alert.baseline > 0.0 && alert.baseline < 1.0);
        // The owner is told (the contributor is not); the open alert is the workspace's only.
        let mails: Vec<MailJob> = claim_mail(&store, NOW).await;
        assert_eq!(
            mails,
            [MailJob::BuzzAlert {
                user: a.user().unwrap(),
                alert: alert.id
            }]
        );
        assert_eq!(
            store.open_buzz_alert(&a).await.unwrap().unwrap().id,
            alert.id
        );
        assert_eq!(store.open_buzz_alert(&b).await.unwrap(), None);
        let items = store.buzz_alert_items(&a, alert, NOW, 100).await.unwrap();
        assert_eq!(
            items.len(),
            12,
            "the messages that caused it, not last week's"
        );
        // Still going a minute later: no second alert, no second e-mail.
        assert!(store.check_buzz(NOW + 60).await.unwrap().opened.is_empty());
        assert!(claim_mail(&store, NOW + 60).await.is_empty());
        // Two hours later the hour is quiet: closed.
        let later = store.check_buzz(NOW + 7_200).await.unwrap();
        assert_eq!(later.resolved, 1, "{backend}");
        assert_eq!(store.open_buzz_alert(&a).await.unwrap(), None);
        let history = store.buzz_alerts(&a).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].resolved_at, Some(NOW + 7_200));
        assert!(store.buzz_alerts(&b).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn each_workspace_sets_what_makes_a_wave_and_its_webhook_hears_of_it() {
    use tribune_domain::buzz::Thresholds;
    use tribune_store::buzz_settings::WEBHOOK_JOB;
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let cm = member(&store, &b, "cm@example.fr", Role::Contributor).await;
        let ch_a = channel(&store, &a, "did:plc:a").await;
        let ch_b = channel(&store, &b, "did:plc:b").await;
        let angry = |n: usize, prefix: &str| {
            (0..n)
                .map(|i| {
                    let mut it = item(&format!("{prefix}{i}"), "Honteux", NOW);
                    it.tone = Tone::Negative;
                    it
                })
                .collect::<Vec<_>>()
        };
        // Nothing set: tribune's defaults, no webhook; a test has nowhere to go.
        let settings = store.buzz_settings(&b).await.unwrap();
        assert_eq!(settings.thresholds, Thresholds::default());
        assert_eq!(settings.webhook, None);
        assert!(matches!(
            store.test_buzz_webhook(&b, NOW).await,
            Err(StoreError::NotFound)
        ));
        // A contributor cannot change them; out-of-bounds thresholds are refused.
        let small = Thresholds {
            min_count: 5,
            factor: 2.0,
        };
        assert!(
            store
                .set_buzz_thresholds(&cm, Some(small), NOW)
                .await
                .is_err()
        );
        assert!(
            store
                .set_buzz_webhook(&cm, Some(("sealed".into(), "hooks.example".into())), NOW)
                .await
                .is_err()
        );
        let absurd = Thresholds {
            min_count: 1,
            factor: 2.0,
        };
        assert!(matches!(
            store.set_buzz_thresholds(&b, Some(absurd), NOW).await,
            Err(StoreError::Invalid(_))
        ));
        // B, a small florist, wants to hear of six angry messages; it has a webhook.
        let saved = store
            .set_buzz_thresholds(&b, Some(small), NOW)
            .await
            .unwrap();
        assert_eq!(saved.thresholds, small, "{backend}");
        let saved = store
            .set_buzz_webhook(&b, Some(("v1:sealed".into(), "hooks.example".into())), NOW)
            .await
            .unwrap();
        assert_eq!(saved.webhook.as_ref().unwrap().host, "hooks.example");
        assert_eq!(
            store.buzz_webhook_sealed(&b).await.unwrap().as_deref(),
            Some("v1:sealed")
        );
        assert_eq!(store.buzz_webhook_sealed(&a).await.unwrap(), None);
        // Six angry messages in each workspace: a wave for B only.
        store
            .ingest_inbox(&a, ch_a, &angry(6, "a"), None, NOW - 60)
            .await
            .unwrap();
        store
            .ingest_inbox(&b, ch_b, &angry(6, "b"), None, NOW - 60)
            .await
            .unwrap();
        let report = store.check_buzz(NOW).await.unwrap();
        assert_eq!(report.opened.len(), 1, "{backend}");
        let alert = &report.opened[0];
        assert_eq!(alert.workspace_id, b.workspace());
        // The webhook's job is queued with the alert, for B.
        let jobs = store
            .claim_jobs("test", &[WEBHOOK_JOB], NOW, 60, 10)
            .await
            .unwrap();
        assert_eq!(jobs.len(), 1, "{backend}");
        assert_eq!(jobs[0].workspace, Some(b.workspace()));
        assert_eq!(jobs[0].payload["alert"], serde_json::json!(alert.id.0));
        // A test is one more job; how deliveries went is kept for the page.
        store.test_buzz_webhook(&b, NOW).await.unwrap();
        store
            .record_buzz_delivery(&b, "v1:sealed", Some("refused:404"), NOW + 5)
            .await
            .unwrap();
        let webhook = store.buzz_settings(&b).await.unwrap().webhook.unwrap();
        assert_eq!(webhook.delivered_at, Some(NOW + 5));
        assert_eq!(webhook.delivery_error.as_deref(), Some("refused:404"));
        store
            .record_buzz_delivery(&b, "v1:sealed", None, NOW + 9)
            .await
            .unwrap();
        // A delivery to an address replaced since says nothing of the new one.
        store
            .record_buzz_delivery(&b, "v1:old", Some("unreachable"), NOW + 10)
            .await
            .unwrap();
        let webhook = store.buzz_settings(&b).await.unwrap().webhook.unwrap();
        assert_eq!(
            (webhook.delivered_at, webhook.delivery_error),
            (Some(NOW + 9), None)
        );
        // Removed: nothing kept of the address; back to the defaults.
        let removed = store.set_buzz_webhook(&b, None, NOW).await.unwrap();
        assert_eq!(removed.webhook, None);
        assert_eq!(store.buzz_webhook_sealed(&b).await.unwrap(), None);
        let reset = store.set_buzz_thresholds(&b, None, NOW).await.unwrap();
        assert_eq!(reset.thresholds, Thresholds::default());
        // Audited, without the address.
        let audit = store.workspace_audit(&b, 50).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        for action in [
            "buzz.thresholds",
            "buzz.webhook_set",
            "buzz.webhook_removed",
        ] {
            assert!(actions.contains(&action), "{backend}: {actions:?}");
        }
        assert!(audit.iter().all(|e| !e.details.contains("sealed")));
    })
    .await;
}

#[tokio::test]
async fn one_process_follows_a_channels_stream_and_its_events_move_the_fetch_to_now() {
    use tribune_store::inbox::fetch_job;
    use tribune_store::jobs::OnDuplicate;
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let ch = channel(&store, &a, "did:plc:a").await;
        // The helper's channels are Bluesky's: no stream; a Mastodon one is listed.
        assert!(
            store
                .inbox_stream_channels(&["mastodon"], ChannelId(0), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let listed = store
            .inbox_stream_channels(&["bluesky"], ChannelId(0), 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1, "{backend}");
        assert_eq!((listed[0].0.workspace(), listed[0].1), (a.workspace(), ch));

        // One holder at a time; renewed by its holder; taken over once it ran out.
        assert!(
            store
                .take_stream_lease(ch, "node-1", NOW, 90)
                .await
                .unwrap()
        );
        assert!(
            !store
                .take_stream_lease(ch, "node-2", NOW + 10, 90)
                .await
                .unwrap()
        );
        assert!(
            store
                .take_stream_lease(ch, "node-1", NOW + 60, 90)
                .await
                .unwrap()
        );
        assert!(
            !store
                .take_stream_lease(ch, "node-2", NOW + 120, 90)
                .await
                .unwrap()
        );
        assert!(
            store
                .take_stream_lease(ch, "node-2", NOW + 151, 90)
                .await
                .unwrap()
        );
        // Given back by its holder only.
        store.release_stream_lease(ch, "node-1").await.unwrap();
        assert!(
            !store
                .take_stream_lease(ch, "node-1", NOW + 160, 90)
                .await
                .unwrap()
        );
        store.release_stream_lease(ch, "node-2").await.unwrap();
        assert!(
            store
                .take_stream_lease(ch, "node-1", NOW + 160, 90)
                .await
                .unwrap()
        );

        // An event moves the waiting fetch job to now, once; not a running one.
        store
            .enqueue(
                &fetch_job(a.workspace(), ch, NOW + 60),
                OnDuplicate::Replace,
                NOW,
            )
            .await
            .unwrap();
        assert!(store.wake_inbox_fetch(ch, NOW).await.unwrap(), "{backend}");
        assert!(
            !store.wake_inbox_fetch(ch, NOW).await.unwrap(),
            "already due"
        );
        let job = store
            .job_by_key(&format!("inbox.fetch:{}", ch.0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.run_at, NOW);
        let claimed = store
            .claim_jobs("worker", &["inbox.fetch"], NOW, 60, 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        store
            .enqueue(
                &fetch_job(a.workspace(), ch, NOW + 60),
                OnDuplicate::Keep,
                NOW,
            )
            .await
            .unwrap();
        assert!(
            !store.wake_inbox_fetch(ch, NOW + 1).await.unwrap(),
            "running"
        );
    })
    .await;
}

#[tokio::test]
async fn a_conversations_original_post_is_read_once_kept_bounded_and_erased_with_its_author() {
    use tribune_store::inbox_originals::{ORIGINAL_RETRY_SECS, Original, OriginalNew};
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let one = channel(&store, &a, "did:plc:one").await;
        let other = channel(&store, &b, "did:plc:b").await;
        let mut on_two = item("c2", "Et la brioche ?", NOW);
        on_two.root_ref = Some("post-2".into());
        let mut mention = item("c3", "Vu chez @brand", NOW);
        (mention.root_ref, mention.in_reply_to) = (None, None);
        let ids = store
            .ingest_inbox(
                &a,
                one,
                &[
                    item("c1", "Elle est à la frangipane ?", NOW),
                    on_two,
                    mention,
                ],
                None,
                NOW,
            )
            .await
            .unwrap();

        // Each conversation once, in order; nothing to read for a message that starts none.
        let to_read = store
            .originals_to_fetch(&a, one, &["post-1", "post-2", "post-1", ""], NOW)
            .await
            .unwrap();
        assert_eq!(to_read, ["post-1", "post-2"], "{backend}");

        // Read: kept bounded (an address that is not http(s) is dropped); gone: kept as an error.
        let read = OriginalNew {
            remote_ref: "at://did:plc:troll/app.bsky.feed.post/1".into(),
            author_remote_id: Some("did:plc:troll".into()),
            author_handle: "@troll.test".into(),
            author_name: "Troll".into(),
            author_url: Some("javascript:alert(1)".into()),
            text: "x".repeat(20_000),
            url: Some("https://bsky.app/profile/troll.test/post/1".into()),
            created_at: NOW - 60,
        };
        store
            .save_inbox_original(&a, one, "post-1", Ok(&read), NOW)
            .await
            .unwrap();
        store
            .save_inbox_original(
                &a,
                one,
                "post-2",
                Err("Bluesky does not know this post"),
                NOW,
            )
            .await
            .unwrap();
        // Not on another workspace's channel.
        assert!(matches!(
            store
                .save_inbox_original(&b, one, "post-3", Ok(&read), NOW)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .originals_to_fetch(&a, one, &["post-1", "post-2"], NOW + 60)
                .await
                .unwrap()
                .is_empty(),
            "read once"
        );
        assert_eq!(
            store
                .originals_to_fetch(
                    &a,
                    one,
                    &["post-1", "post-2"],
                    NOW + ORIGINAL_RETRY_SECS + 1
                )
                .await
                .unwrap(),
            ["post-2"],
            "a failed read is tried again a day later"
        );

        let items = store.inbox_items_by_ids(&a, &ids).await.unwrap();
        let by_ref = |r: &str| items.iter().find(|i| i.remote_ref == r).unwrap();
        let Some(Original::Network {
            author_handle,
            author_url,
            text,
            url,
            created_at,
            ..
        }) = store.inbox_original(&a, by_ref("c1")).await.unwrap()
        else {
            panic!("{backend}: the original is shown");
        };
        assert_eq!(author_handle, "@troll.test");
        assert_eq!(author_url, None);
        assert_eq!(text.chars().count(), tribune_domain::inbox::MAX_TEXT_CHARS);
        assert_eq!(
            url.as_deref(),
            Some("https://bsky.app/profile/troll.test/post/1")
        );
        assert_eq!(created_at, Some(NOW - 60));
        assert_eq!(
            store.inbox_original(&a, by_ref("c2")).await.unwrap(),
            None,
            "failed"
        );
        assert_eq!(
            store.inbox_original(&a, by_ref("c3")).await.unwrap(),
            None,
            "none"
        );
        // Another workspace's channel with the same reference sees nothing of it.
        store
            .ingest_inbox(&b, other, &[item("c1", "Bonjour", NOW)], None, NOW)
            .await
            .unwrap();
        let theirs = store.inbox_items(&b, &all(), NOW).await.unwrap();
        assert_eq!(store.inbox_original(&b, &theirs[0]).await.unwrap(), None);

        // Erasing the person who wrote it erases it too.
        let mut theirs = item("c9", "Arnaque", NOW);
        theirs.author_remote_id = Some("did:plc:troll".into());
        let troll = store
            .ingest_inbox(&a, one, &[theirs], None, NOW)
            .await
            .unwrap();
        let key = store.inbox_contact_key(&a, troll[0]).await.unwrap();
        let export = store.export_inbox_contact(&a, &key, NOW).await.unwrap();
        assert_eq!(
            export.originals.len(),
            1,
            "{backend}: their post is in their export"
        );
        assert_eq!(export.originals[0].author_handle, "@troll.test");
        store.erase_inbox_contact(&a, &key).await.unwrap();
        assert_eq!(
            store.inbox_original(&a, by_ref("c1")).await.unwrap(),
            None,
            "{backend}"
        );
        assert!(
            store
                .originals_to_fetch(&a, one, &["post-1"], NOW + 10 * ORIGINAL_RETRY_SECS)
                .await
                .unwrap()
                .is_empty(),
            "an erased original is never read again"
        );
    })
    .await;
}

#[tokio::test]
async fn one_person_on_two_networks_is_linked_by_the_team_and_handled_as_one() {
    each_backend(|store, backend| async move {
        let a = workspace(&store, "a@example.fr", "Boulangerie").await;
        let b = workspace(&store, "b@example.fr", "Fleuriste").await;
        let client = member(&store, &a, "client@example.fr", Role::Client).await;
        let bsky = channel(&store, &a, "did:plc:brand").await;
        let masto = store
            .connect_channel(
                &a,
                ChannelNew {
                    network: "mastodon".into(),
                    remote_id: "1".into(),
                    handle: "fournil@mastodon.test".into(),
                    display_name: "Fournil".into(),
                    avatar_url: None,
                    profile_url: None,
                    avatar: None,
                    capabilities: "read_comments,reply".into(),
                    sealed_credentials: "sealed".into(),
                    token_expires_at: None,
                },
                NOW,
            )
            .await
            .unwrap()
            .id;
        let elsewhere = channel(&store, &b, "did:plc:b").await;
        let by = |remote: &str, id: Option<&str>, handle: &str, text: &str| {
            let mut it = item(remote, text, NOW);
            it.author_remote_id = id.map(str::to_owned);
            it.author_handle = handle.into();
            it
        };
        let on_bsky = store
            .ingest_inbox(
                &a,
                bsky,
                &[by(
                    "b1",
                    Some("did:plc:lea"),
                    "@lea.test",
                    "Bravo pour la galette",
                )],
                None,
                NOW,
            )
            .await
            .unwrap();
        store
            .ingest_inbox(
                &a,
                masto,
                &[by(
                    "m1",
                    Some("109"),
                    "@lea@piaille.test",
                    "Commande pas arrivée",
                )],
                None,
                NOW + 1,
            )
            .await
            .unwrap();
        store
            .ingest_inbox(
                &b,
                elsewhere,
                &[by("x1", Some("did:plc:other"), "@other.test", "Ailleurs")],
                None,
                NOW,
            )
            .await
            .unwrap();
        let lea = store.inbox_contact_key(&a, on_bsky[0]).await.unwrap();
        store
            .set_inbox_contact(&a, &lea, &["fan".into()], "Vient le samedi.", NOW)
            .await
            .unwrap();

        // Unknown on that network, herself, a client, another workspace's author: refused.
        for (network, who) in [
            ("mastodon", "nobody@piaille.test"),
            ("wordpress", "lea@piaille.test"),
            ("bluesky", "lea.test"),
            ("bluesky", "other.test"),
        ] {
            assert!(
                matches!(
                    store.link_inbox_contact(&a, &lea, network, who, NOW).await,
                    Err(StoreError::Invalid(_))
                ),
                "{backend}: {network} {who}"
            );
        }
        assert!(matches!(
            store
                .link_inbox_contact(&client, &lea, "mastodon", "lea@piaille.test", NOW)
                .await,
            Err(StoreError::Forbidden)
        ));

        // Linked by her Mastodon handle (with or without the leading @).
        let linked = store
            .link_inbox_contact(&a, &lea, "mastodon", "@lea@piaille.test", NOW)
            .await
            .unwrap();
        assert_eq!(linked.messages, 2, "{backend}");
        assert_eq!(linked.linked.len(), 1);
        assert_eq!(linked.linked[0].network, "mastodon");
        assert_eq!(linked.linked[0].remote_key, "109");
        assert!(linked.linked[0].newest_item.is_some());
        let (_, items) = store.inbox_contact(&a, &lea).await.unwrap();
        assert_eq!(
            texts(&items),
            ["Commande pas arrivée", "Bravo pour la galette"]
        );

        // From her Mastodon side: the same person, the same tags and note.
        let masto_item = linked.linked[0].newest_item.unwrap();
        let lea_masto = store.inbox_contact_key(&a, masto_item).await.unwrap();
        let (seen, _) = store.inbox_contact(&a, &lea_masto).await.unwrap();
        assert_eq!(seen.tags, ["fan"]);
        assert_eq!(seen.note, "Vient le samedi.");
        assert_eq!(seen.linked[0].network, "bluesky");
        assert_eq!(seen.messages, 2);
        // Tags set on one side are the person's; rules see them on either network.
        store
            .set_inbox_contact(&a, &lea_masto, &["client".into()], "Cliente fidèle.", NOW)
            .await
            .unwrap();
        assert_eq!(
            store.inbox_contact(&a, &lea).await.unwrap().0.tags,
            ["client"]
        );
        let both = store.inbox_items(&a, &all(), NOW).await.unwrap();
        let tags = store.author_tags(&a, &both).await.unwrap();
        assert_eq!(tags.len(), 2, "{backend}: {tags:?}");

        // An export covers both identities; so does an erasure, which the audit tells without
        // naming her.
        let export = store.export_inbox_contact(&a, &lea, NOW).await.unwrap();
        assert_eq!(export.messages.len(), 2);
        // Unlinked, each identity is on its own again (and keeps the tags it had).
        let alone = store
            .unlink_inbox_contact(&a, &lea, "mastodon", "109")
            .await
            .unwrap();
        assert!(alone.linked.is_empty());
        assert_eq!(alone.messages, 1);
        assert!(matches!(
            store
                .unlink_inbox_contact(&a, &lea, "mastodon", "109")
                .await,
            Err(StoreError::NotFound)
        ));
        // It left with nothing of hers.
        let (masto_alone, _) = store.inbox_contact(&a, &lea_masto).await.unwrap();
        assert!(
            masto_alone.tags.is_empty() && masto_alone.note.is_empty(),
            "{backend}"
        );
        // Linked again, then unlinked from the other side (the row the group is known by
        // leaves): a later link of the one who left does not bring the other back.
        store
            .link_inbox_contact(&a, &lea, "mastodon", "109", NOW)
            .await
            .unwrap();
        store
            .unlink_inbox_contact(&a, &lea_masto, "bluesky", "did:plc:lea")
            .await
            .unwrap();
        let mut third = by("b2", Some("did:plc:max"), "@max.test", "Moi aussi");
        third.created_at = NOW + 2;
        store
            .ingest_inbox(&a, bsky, &[third], None, NOW)
            .await
            .unwrap();
        let with_max = store
            .link_inbox_contact(&a, &lea, "bluesky", "max.test", NOW)
            .await
            .unwrap();
        assert_eq!(with_max.linked.len(), 1, "{backend}: {:?}", with_max.linked);
        assert_eq!(with_max.linked[0].remote_key, "did:plc:max");
        let (masto_side, _) = store.inbox_contact(&a, &lea_masto).await.unwrap();
        assert!(
            masto_side.linked.is_empty(),
            "{backend}: {:?}",
            masto_side.linked
        );
        store
            .unlink_inbox_contact(&a, &lea, "bluesky", "did:plc:max")
            .await
            .unwrap();
        store
            .link_inbox_contact(&a, &lea, "mastodon", "109", NOW)
            .await
            .unwrap();
        let (erased, more) = store.erase_inbox_contact(&a, &lea).await.unwrap();
        assert_eq!((erased, more), (2, false), "{backend}");
        let left = store.inbox_items(&a, &all(), NOW).await.unwrap();
        assert_eq!(texts(&left), ["Moi aussi"], "{backend}: only Max's is left");
        assert_eq!(store.inbox_items(&b, &all(), NOW).await.unwrap().len(), 1);
        let audit = store.workspace_audit(&a, 50).await.unwrap();
        let link = audit.iter().find(|e| e.action == "contact.link").unwrap();
        assert!(
            !link.details.contains("lea") && !link.object_id.contains("lea"),
            "{link:?}"
        );
        assert!(audit.iter().any(|e| e.action == "contact.unlink"));
    })
    .await;
}
