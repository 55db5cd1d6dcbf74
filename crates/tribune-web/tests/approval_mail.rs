//! The outbox's e-mail against a real SMTP server (the sink from `scripts/peers/start.sh
//! smtp`), on SQLite and PostgreSQL: a submitted post reaches the client with a password-free
//! link that approves it, and the team with a link to the post; a post that failed for good
//! reaches those who can publish with the network's words and what to do.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::mail::{Sink, unique_email};
use common::{TestApp, location};
use reqwest::StatusCode;
use tribune_domain::publishing::{ApprovalPolicy, TargetStatus};
use tribune_domain::{ChannelId, Lang, Role};
use tribune_store::posts::{Intent, PostNew, PublishOutcome};
use tribune_store::testing::TestDb;
use tribune_store::{WorkspaceScope, unix_now};

async fn channel(app: &TestApp, owner: &WorkspaceScope) -> ChannelId {
    app.store
        .connect_channel(
            owner,
            tribune_store::channels::ChannelNew {
                network: "mastodon".into(),
                remote_id: "1".into(),
                handle: "@boulangerie@example.social".into(),
                display_name: "Boulangerie Dupont".into(),
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

#[tokio::test]
async fn a_submitted_post_is_mailed_to_the_client_whose_link_approves_it() {
    let Some(sink) = Sink::from_env() else { return };
    for db in TestDb::all().await {
        let app = TestApp::spawn_with(db, sink.web_config()).await;
        let owner_email = unique_email("cm");
        let (_, owner) = app.member_with_workspace(&owner_email, "Boulangerie").await;
        app.store
            .set_approval_policy(&owner, ApprovalPolicy::Client)
            .await
            .unwrap();
        let redac = app
            .join(&owner, &unique_email("redac"), Role::Contributor)
            .await;
        let client_email = unique_email("client");
        let client = app.join(&owner, &client_email, Role::Client).await;
        app.store
            .set_locale(client.user().unwrap(), Some(Lang::En))
            .await
            .unwrap();
        let channel = channel(&app, &owner).await;
        let post = app
            .store
            .create_post(
                &redac,
                PostNew {
                    text: "Atelier galettes samedi <3".into(),
                    targets: vec![(channel, Some("Sur Mastodon : atelier samedi".into()))],
                    scheduled_at: Some(unix_now() + 86_400),
                    ..PostNew::default()
                },
                Intent::Schedule,
                unix_now(),
            )
            .await
            .unwrap();
        assert_eq!(post.status, TargetStatus::PendingApproval);

        // The request answered; the runner sends.
        let report = app.run_jobs().await;
        assert!(report.done >= 1, "{}: {report:?}", app.backend);
        let mail = sink.wait_for(&client_email, 1).await.remove(0);
        assert!(
            mail.subject.contains("awaits your approval"),
            "in the client's language: {}",
            mail.subject
        );
        assert!(
            mail.text.contains("Sur Mastodon : atelier samedi"),
            "{}",
            mail.text
        );
        assert!(
            mail.text.contains("Boulangerie Dupont (Mastodon)"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("(Europe/Paris)"), "{}", mail.text);
        assert!(mail.html.contains("&#60;3") || !mail.html.contains("<3"));
        let link = mail.link(&format!("{}/a/", app.url));
        assert!(mail.html.contains(&link), "the HTML part has the link too");
        // The owner is not asked under the client policy, and nothing else is sent.
        assert!(sink.messages_to(&owner_email).is_empty());

        let path = link.trim_start_matches(&app.url).to_owned();
        let visitor = app.browser();
        let (code, page) = app.get_text(&visitor, &path).await;
        assert_eq!(code, StatusCode::OK, "{}", app.backend);
        assert!(page.contains("Sur Mastodon : atelier samedi"), "{page}");
        let response = app
            .post_form(&visitor, &path, &[("decision", "approve")])
            .await;
        assert_eq!(location(&response), format!("{path}?done=approved"));
        let approved = app.store.post(&owner, post.id).await.unwrap();
        assert_eq!(approved.status, TargetStatus::Scheduled, "{}", app.backend);
        assert_eq!(approved.approved_by, client.user());
    }
}

#[tokio::test]
async fn under_the_team_policy_managers_get_a_link_to_the_post_not_a_password_free_one() {
    let Some(sink) = Sink::from_env() else { return };
    for db in TestDb::all().await {
        let app = TestApp::spawn_with(db, sink.web_config()).await;
        let (_, owner) = app
            .member_with_workspace(&unique_email("owner"), "Fromagerie")
            .await;
        app.store
            .set_approval_policy(&owner, ApprovalPolicy::Team)
            .await
            .unwrap();
        let manager_email = unique_email("manager");
        app.join(&owner, &manager_email, Role::Manager).await;
        let redac = app
            .join(&owner, &unique_email("redac"), Role::Contributor)
            .await;
        let channel = channel(&app, &owner).await;
        let post = app
            .store
            .create_post(
                &redac,
                PostNew {
                    text: "Le comté de 24 mois est là".into(),
                    targets: vec![(channel, None)],
                    ..PostNew::default()
                },
                Intent::Schedule,
                unix_now(),
            )
            .await
            .unwrap();
        app.run_jobs().await;
        let mail = sink.wait_for(&manager_email, 1).await.remove(0);
        assert!(
            mail.subject.contains("attend votre validation"),
            "{}",
            mail.subject
        );
        assert!(mail.text.contains("Le comté de 24 mois est là"));
        let expected = format!("{}/w/{}/posts/{}", app.url, owner.workspace(), post.id);
        assert_eq!(mail.link(&format!("{}/w/", app.url)), expected);
        assert!(!mail.text.contains("/a/"), "{}", mail.text);
    }
}

#[tokio::test]
async fn a_post_failed_for_good_is_mailed_to_those_who_can_publish() {
    let Some(sink) = Sink::from_env() else { return };
    for db in TestDb::all().await {
        let app = TestApp::spawn_with(db, sink.web_config()).await;
        let owner_email = unique_email("owner");
        let (_, owner) = app.member_with_workspace(&owner_email, "Crêperie").await;
        let client_email = unique_email("client");
        app.join(&owner, &client_email, Role::Client).await;
        let channel = channel(&app, &owner).await;
        // Far enough ahead that the runner does not publish it itself.
        let at = unix_now() + 86_400;
        let post = app
            .store
            .create_post(
                &owner,
                PostNew {
                    text: "Crêpes à volonté".into(),
                    targets: vec![(channel, None)],
                    scheduled_at: Some(at),
                    ..PostNew::default()
                },
                Intent::Schedule,
                unix_now(),
            )
            .await
            .unwrap();
        let attempt = app
            .store
            .begin_publish(&owner, post.targets[0].id, at)
            .await
            .unwrap()
            .unwrap();
        app.store
            .finish_publish(
                &owner,
                &attempt.target,
                at,
                &PublishOutcome::Failed {
                    code: "network_refused",
                    message: Some("Text is too long (500 max)".into()),
                },
                unix_now(),
            )
            .await
            .unwrap();
        app.run_jobs().await;
        let mail = sink.wait_for(&owner_email, 1).await.remove(0);
        assert!(
            mail.subject.contains("n’a pas pu partir"),
            "{}",
            mail.subject
        );
        assert!(
            mail.text.contains("Text is too long (500 max)"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("Que faire"), "{}", mail.text);
        let expected = format!("{}/w/{}/posts/{}", app.url, owner.workspace(), post.id);
        assert_eq!(mail.link(&format!("{}/w/", app.url)), expected);
        assert!(
            sink.messages_to(&client_email).is_empty(),
            "{}",
            app.backend
        );
    }
}

#[tokio::test]
async fn the_approval_mail_lists_the_posts_media_and_says_which_lack_alt_text() {
    let Some(sink) = Sink::from_env() else { return };
    for db in TestDb::all().await {
        let app = TestApp::spawn_with(db, sink.web_config()).await;
        let owner_email = unique_email("cm");
        let (_, owner) = app.member_with_workspace(&owner_email, "Boulangerie").await;
        app.store
            .set_approval_policy(&owner, ApprovalPolicy::Client)
            .await
            .unwrap();
        let client_email = unique_email("client");
        app.join(&owner, &client_email, Role::Client).await;
        let channel = channel(&app, &owner).await;
        let mut media = Vec::new();
        for (n, (name, alt)) in [("vitrine.png", "La vitrine <décorée>"), ("four.png", "")]
            .into_iter()
            .enumerate()
        {
            let row = app
                .store
                .create_media(
                    &owner,
                    tribune_store::media::MediaNew {
                        kind: tribune_domain::media::MediaKind::Image,
                        mime: "image/png".into(),
                        bytes: 100,
                        width: Some(10),
                        height: Some(10),
                        duration_ms: None,
                        alt: alt.into(),
                        file_name: Some(name.into()),
                        storage_key: format!("mail-media-{n}"),
                        thumbnail_key: None,
                        sha256: format!("{n:064}"),
                    },
                    unix_now(),
                )
                .await
                .unwrap();
            media.push(row.id);
        }
        app.store
            .create_post(
                &owner,
                PostNew {
                    text: "La vitrine de l’Épiphanie".into(),
                    targets: vec![(channel, None)],
                    scheduled_at: Some(unix_now() + 86_400),
                    media,
                    ..PostNew::default()
                },
                Intent::Schedule,
                unix_now(),
            )
            .await
            .unwrap();
        app.run_jobs().await;
        let mail = sink.wait_for(&client_email, 1).await.remove(0);
        for body in [&mail.text, &mail.html] {
            assert!(
                body.contains("2\u{a0}médias sont joints\u{a0}:"),
                "{}: {body}",
                app.backend
            );
            assert!(
                body.contains("2. four.png\u{a0}: pas de texte alternatif"),
                "{body}"
            );
        }
        assert!(
            mail.text.contains(
                "1. vitrine.png, texte alternatif\u{a0}: «\u{a0}La vitrine <décorée>\u{a0}»"
            ),
            "{}",
            mail.text
        );
        assert!(
            mail.html.contains("La vitrine &#60;décorée&#62;"),
            "{}",
            mail.html
        );
    }
}
