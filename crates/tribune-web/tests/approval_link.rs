//! Approval by e-mail, through the web: the client's password-free link (`/a/{token}`), on
//! SQLite and PostgreSQL. The link's token is made here as the mail job makes it; the test that
//! reads it from a real e-mail is in `approval_mail.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{TestApp, each_backend, location};
use image::{DynamicImage, GenericImageView, ImageBuffer, ImageFormat, Rgb};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use std::io::Cursor;
use tribune_domain::publishing::{ApprovalPolicy, TargetStatus};
use tribune_domain::{ChannelId, MediaId, PostId, Role};
use tribune_store::approval_links::APPROVAL_LINK_TTL_SECS;
use tribune_store::posts::{Intent, PostNew, PostPatch};
use tribune_store::{WorkspaceScope, unix_now};

struct Setup {
    owner: WorkspaceScope,
    contributor: WorkspaceScope,
    client: WorkspaceScope,
    channel: ChannelId,
}

async fn join(app: &TestApp, owner: &WorkspaceScope, email: &str, role: Role) -> WorkspaceScope {
    let now = unix_now();
    let user = match app.store.user_by_email(email).await.unwrap() {
        Some(user) => user,
        None => app.user(email).await,
    };
    let (token, _) = app
        .store
        .create_invitation(owner, email, role, now)
        .await
        .unwrap();
    app.store
        .accept_invitation(&token, &user, now)
        .await
        .unwrap();
    app.store
        .scope(user.user_id(), owner.workspace())
        .await
        .unwrap()
}

/// A workspace under the client policy, with a contributor, a client and a channel.
async fn setup(app: &TestApp, prefix: &str, name: &str) -> Setup {
    let (_, owner) = app
        .member_with_workspace(&format!("{prefix}-cm@example.fr"), name)
        .await;
    app.store
        .set_approval_policy(&owner, ApprovalPolicy::Client)
        .await
        .unwrap();
    let contributor = join(
        app,
        &owner,
        &format!("{prefix}-redac@example.fr"),
        Role::Contributor,
    )
    .await;
    let client = join(app, &owner, "client@example.fr", Role::Client).await;
    let channel = app
        .store
        .connect_channel(
            &owner,
            tribune_store::channels::ChannelNew {
                network: "mastodon".into(),
                remote_id: format!("{prefix}-1"),
                handle: "@boulangerie@example.social".into(),
                display_name: format!("{name} Mastodon"),
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
        .id;
    Setup {
        owner,
        contributor,
        client,
        channel,
    }
}

async fn submit(app: &TestApp, s: &Setup, text: &str) -> PostId {
    let post = app
        .store
        .create_post(
            &s.contributor,
            PostNew {
                text: text.into(),
                targets: vec![(s.channel, None)],
                scheduled_at: Some(unix_now() + 86_400),
                ..PostNew::default()
            },
            Intent::Schedule,
            unix_now(),
        )
        .await
        .unwrap();
    assert_eq!(post.status, TargetStatus::PendingApproval);
    post.id
}

/// The client's link for the post as it stands, made `made_at`, as the mail job makes it.
async fn link(app: &TestApp, s: &Setup, post: PostId, made_at: i64) -> String {
    let version = app.store.post_version(&s.owner, post).await.unwrap();
    let token = app
        .store
        .prepare_approval_mail(&s.owner, post, version, s.client.user().unwrap(), made_at)
        .await
        .unwrap()
        .expect("the request applies")
        .token
        .expect("a client's mail has a link");
    format!("/a/{token}")
}

async fn status(app: &TestApp, s: &Setup, post: PostId) -> TargetStatus {
    app.store.post(&s.owner, post).await.unwrap().status
}

async fn decisions(app: &TestApp, s: &Setup, post: PostId) -> usize {
    app.store
        .post_history(&s.owner, post)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "approved" || e.action == "changes_requested")
        .count()
}

#[tokio::test]
async fn opening_the_link_decides_nothing_and_its_form_approves_once_as_the_client() {
    each_backend(|app: TestApp| async move {
        let s = setup(&app, "a", "Boulangerie").await;
        let post = submit(&app, &s, "Atelier galettes <b>samedi</b>").await;
        let path = link(&app, &s, post, unix_now()).await;
        let visitor = app.browser();

        // Opened (as a mail scanner would, twice): shown, not decided.
        for _ in 0..2 {
            let response = app.get(&visitor, &path).await;
            assert_eq!(response.status(), StatusCode::OK, "{}", app.backend);
            assert_eq!(response.headers()["cache-control"], "no-store");
            assert_eq!(response.headers()["referrer-policy"], "no-referrer");
            let page = response.text().await.unwrap();
            assert!(
                page.contains("Atelier galettes &#60;b&#62;samedi&#60;/b&#62;"),
                "{page}"
            );
            assert!(page.contains("Boulangerie Mastodon"), "{page}");
            assert!(
                page.contains("<span class=\"muted\">Mastodon</span>"),
                "{page}"
            );
            assert!(page.contains("name=\"decision\" value=\"approve\""));
        }
        assert_eq!(status(&app, &s, post).await, TargetStatus::PendingApproval);

        // Without the CSRF token the form is refused.
        let forged = app
            .post_form_raw(&visitor, &path, &[("decision", "approve")])
            .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{}", app.backend);
        assert_eq!(status(&app, &s, post).await, TargetStatus::PendingApproval);

        let response = app
            .post_form(
                &visitor,
                &path,
                &[("decision", "approve"), ("comment", "Parfait")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(location(&response), format!("{path}?done=approved"));
        assert_eq!(status(&app, &s, post).await, TargetStatus::Scheduled);
        let history = app.store.post_history(&s.owner, post).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!(last.action, "approved");
        assert_eq!(last.actor_user_id, s.client.user().map(|u| u.0));
        assert_eq!(last.comment, "Parfait");
        let audit = app.store.workspace_audit(&s.owner, 5).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "post.approved" && e.actor_user_id == s.client.user())
        );
        // The job that publishes it is there.
        let post_now = app.store.post(&s.owner, post).await.unwrap();
        let key = tribune_store::posts::publish_job_key(post_now.targets[0].id);
        assert!(app.store.job_by_key(&key).await.unwrap().is_some());

        let (code, page) = app
            .get_text(&visitor, &format!("{path}?done=approved"))
            .await;
        assert_eq!(code, StatusCode::OK);
        assert!(
            page.contains("la publication est validée et programmée"),
            "{page}"
        );

        // Used: a second decision changes nothing.
        let again = app
            .post_form(
                &visitor,
                &path,
                &[("decision", "changes"), ("comment", "Finalement non")],
            )
            .await;
        assert_eq!(again.status(), StatusCode::GONE, "{}", app.backend);
        assert!(again.text().await.unwrap().contains("a déjà servi"));
        assert_eq!(status(&app, &s, post).await, TargetStatus::Scheduled);
        assert_eq!(decisions(&app, &s, post).await, 1);
        // A forged "done" on a used link claims nothing that did not happen.
        let (_, page) = app
            .get_text(&visitor, &format!("{path}?done=changes"))
            .await;
        assert!(!page.contains("renvoyée pour modification"), "{page}");
    })
    .await;
}

#[tokio::test]
async fn the_link_sends_a_post_back_with_a_comment_and_requires_one() {
    each_backend(|app: TestApp| async move {
        let s = setup(&app, "c", "Boulangerie").await;
        let post = submit(&app, &s, "Galettes").await;
        let path = link(&app, &s, post, unix_now()).await;
        let visitor = app.browser();
        let empty = app
            .post_form(
                &visitor,
                &path,
                &[("decision", "changes"), ("comment", " ")],
            )
            .await;
        assert_eq!(
            empty.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let page = empty.text().await.unwrap();
        assert!(page.contains("field-error"), "{page}");
        assert_eq!(status(&app, &s, post).await, TargetStatus::PendingApproval);

        let response = app
            .post_form(
                &visitor,
                &path,
                &[("decision", "changes"), ("comment", "Plutôt jeudi")],
            )
            .await;
        assert_eq!(location(&response), format!("{path}?done=changes"));
        assert_eq!(status(&app, &s, post).await, TargetStatus::Draft);
        let last = app.store.post_history(&s.owner, post).await.unwrap();
        let last = last.last().unwrap();
        assert_eq!(last.action, "changes_requested");
        assert_eq!(last.comment, "Plutôt jeudi");
        let (_, page) = app
            .get_text(&visitor, &format!("{path}?done=changes"))
            .await;
        assert!(page.contains("renvoyée pour modification"), "{page}");

        // An unknown decision is a bad form, and decides nothing.
        let post = submit(&app, &s, "Crêpes").await;
        let path = link(&app, &s, post, unix_now()).await;
        let odd = app
            .post_form(&visitor, &path, &[("decision", "publish")])
            .await;
        assert_eq!(odd.status(), StatusCode::BAD_REQUEST);
        assert_eq!(status(&app, &s, post).await, TargetStatus::PendingApproval);
    })
    .await;
}

#[tokio::test]
async fn expired_and_outdated_links_show_why_and_change_nothing() {
    each_backend(|app: TestApp| async move {
        let s = setup(&app, "e", "Boulangerie").await;
        let post = submit(&app, &s, "Galettes").await;
        let visitor = app.browser();

        let expired = link(&app, &s, post, unix_now() - APPROVAL_LINK_TTL_SECS - 60).await;
        let (code, page) = app.get_text(&visitor, &expired).await;
        assert_eq!(code, StatusCode::GONE, "{}", app.backend);
        assert!(page.contains("Ce lien a expiré"), "{page}");
        assert!(
            !page.contains("Galettes"),
            "an expired link shows no content"
        );
        let refused = app
            .post_form(&visitor, &expired, &[("decision", "approve")])
            .await;
        assert_eq!(refused.status(), StatusCode::GONE);
        assert_eq!(status(&app, &s, post).await, TargetStatus::PendingApproval);

        let before_edit = link(&app, &s, post, unix_now()).await;
        app.store
            .update_post(
                &s.contributor,
                post,
                PostPatch {
                    text: Some("Galettes, version 2".into()),
                    ..PostPatch::default()
                },
                unix_now(),
            )
            .await
            .unwrap();
        let (code, page) = app.get_text(&visitor, &before_edit).await;
        assert_eq!(code, StatusCode::GONE);
        assert!(
            page.contains("a été modifiée après l’envoi de ce lien"),
            "{page}"
        );
        let refused = app
            .post_form(&visitor, &before_edit, &[("decision", "approve")])
            .await;
        assert_eq!(refused.status(), StatusCode::GONE);
        assert_eq!(status(&app, &s, post).await, TargetStatus::PendingApproval);
        assert_eq!(decisions(&app, &s, post).await, 0);

        // Decided from the web page meanwhile: the newer link says so.
        let fresh = link(&app, &s, post, unix_now()).await;
        app.store
            .approve_post(&s.client, post, "", unix_now())
            .await
            .unwrap();
        let (code, page) = app.get_text(&visitor, &fresh).await;
        assert_eq!(code, StatusCode::GONE);
        assert!(page.contains("n’attend plus de validation"), "{page}");
    })
    .await;
}

#[tokio::test]
async fn wrong_tokens_are_refused_and_counted_per_client() {
    each_backend(|app: TestApp| async move {
        let s = setup(&app, "w", "Boulangerie").await;
        let post = submit(&app, &s, "Galettes").await;
        let good = link(&app, &s, post, unix_now()).await;
        let visitor = app.browser();
        let (code, page) = app.get_text(&visitor, "/a/not-a-real-token").await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{}", app.backend);
        assert!(page.contains("n’est pas valable"), "{page}");
        let refused = app
            .post_form(&visitor, "/a/not-a-real-token", &[("decision", "approve")])
            .await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        let long = format!("/a/{}", "x".repeat(5_000));
        assert_eq!(
            app.get(&visitor, &long).await.status(),
            StatusCode::NOT_FOUND
        );

        // A good link does not use the allowance; wrong ones do, up to the limit.
        for _ in 0..5 {
            assert_eq!(app.get(&visitor, &good).await.status(), StatusCode::OK);
        }
        let used = 3;
        let mut last = StatusCode::OK;
        for i in used..=tribune_web_limit() {
            last = app
                .get(&visitor, &format!("/a/wrong-token-{i}"))
                .await
                .status();
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "{}", app.backend);
        // Past the limit even a good link waits: guessing cannot go on.
        assert_eq!(
            app.get(&visitor, &good).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(status(&app, &s, post).await, TargetStatus::PendingApproval);
    })
    .await;
}

/// The number of wrong links a client address may try (`approval_link::MAX_WRONG_LINKS`).
fn tribune_web_limit() -> i64 {
    20
}

#[tokio::test]
async fn a_link_for_one_workspace_cannot_touch_another_workspaces_posts() {
    each_backend(|app: TestApp| async move {
        // The same client in two workspaces, a post waiting in each.
        let a = setup(&app, "wa", "Boulangerie").await;
        let b = setup(&app, "wb", "Fromagerie").await;
        assert_eq!(a.client.user(), b.client.user());
        let post_a = submit(&app, &a, "Galettes de la boulangerie").await;
        let post_b = submit(&app, &b, "Comté de la fromagerie").await;
        let path_a = link(&app, &a, post_a, unix_now()).await;
        let visitor = app.browser();

        let (_, page) = app.get_text(&visitor, &path_a).await;
        assert!(page.contains("Galettes de la boulangerie"));
        assert!(!page.contains("Comté"), "{page}");
        // Naming B's post or workspace in the form changes nothing: the link names its post.
        let post_b_id = post_b.0.to_string();
        let ws_b = b.owner.workspace().0.to_string();
        let response = app
            .post_form(
                &visitor,
                &path_a,
                &[
                    ("decision", "approve"),
                    ("post", &post_b_id),
                    ("post_id", &post_b_id),
                    ("workspace", &ws_b),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(status(&app, &a, post_a).await, TargetStatus::Scheduled);
        assert_eq!(
            status(&app, &b, post_b).await,
            TargetStatus::PendingApproval
        );
        assert_eq!(decisions(&app, &b, post_b).await, 0);
    })
    .await;
}

#[tokio::test]
async fn without_email_the_pages_say_nobody_was_told() {
    each_backend(|app: TestApp| async move {
        let s = setup(&app, "n", "Boulangerie").await;
        let draft = app
            .store
            .create_post(
                &s.contributor,
                PostNew {
                    text: "Galettes".into(),
                    targets: vec![(s.channel, None)],
                    scheduled_at: Some(unix_now() + 86_400),
                    ..PostNew::default()
                },
                Intent::Draft,
                unix_now(),
            )
            .await
            .unwrap();
        let (redac, _) = app.login("n-redac@example.fr", common::PASSWORD).await;
        let ws = s.owner.workspace();
        let response = app
            .post_form(&redac, &format!("/w/{ws}/posts/{}/schedule", draft.id), &[])
            .await;
        let to = location(&response);
        assert!(
            to.ends_with("flash=flash-warn-post-submitted-no-mail"),
            "{to}"
        );
        let (_, page) = app.get_text(&redac, &to).await;
        assert!(page.contains("aucun message n’est parti"), "{page}");
        assert!(
            page.contains("la validation se fait depuis cette page"),
            "{page}"
        );
        // The mail job exists (the outbox does not know about SMTP) and ends sending nothing.
        let report = app.run_jobs().await;
        assert!(report.done >= 1, "{report:?}");
    })
    .await;
}

/// A PNG of `w`×`h`, uploaded to the workspace of `owner_email` through the API.
async fn uploaded_image(
    app: &TestApp,
    owner_email: &str,
    ws: tribune_domain::WorkspaceId,
    (w, h): (u32, u32),
    alt: &str,
) -> MediaId {
    let image = DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| {
        Rgb([(x * 3) as u8, (y * 2) as u8, 160])
    }));
    let mut png = Cursor::new(Vec::new());
    image.write_to(&mut png, ImageFormat::Png).unwrap();
    let form = Form::new()
        .part(
            "file",
            Part::bytes(png.into_inner())
                .file_name("vitrine.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .text("alt", alt.to_owned());
    let token = app.api_token(owner_email).await;
    let response = app
        .api(&token, Method::POST, &format!("/workspaces/{ws}/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{}", app.backend);
    let media: serde_json::Value = response.json().await.unwrap();
    MediaId(media["id"].as_i64().unwrap())
}

/// A post submitted for the client's approval with the given media, on a channel that takes
/// images.
async fn submit_with_media(app: &TestApp, s: &Setup, text: &str, media: Vec<MediaId>) -> PostId {
    let channel = common::stored_channel(
        app,
        &s.owner,
        "bluesky",
        &format!("{text} Bluesky"),
        "@vitrine.test",
        "publish_text,publish_image",
    )
    .await;
    let post = app
        .store
        .create_post(
            &s.contributor,
            PostNew {
                text: text.into(),
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
    assert_eq!(post.status, TargetStatus::PendingApproval);
    post.id
}

#[tokio::test]
async fn the_link_shows_its_posts_images_with_their_alt_text_and_serves_no_other_media() {
    each_backend(|app: TestApp| async move {
        // The same client in two workspaces, each with a post waiting with an image.
        let a = setup(&app, "ma", "Boulangerie").await;
        let b = setup(&app, "mb", "Fromagerie").await;
        let (ws_a, ws_b) = (a.owner.workspace(), b.owner.workspace());
        let alt = "Des galettes dorées sur le comptoir, « fèves » comprises";
        let attached = uploaded_image(&app, "ma-cm@example.fr", ws_a, (640, 480), alt).await;
        let undescribed = uploaded_image(&app, "ma-cm@example.fr", ws_a, (60, 90), "").await;
        let not_attached = uploaded_image(&app, "ma-cm@example.fr", ws_a, (50, 50), "Rien").await;
        let elsewhere = uploaded_image(&app, "mb-cm@example.fr", ws_b, (50, 50), "Comté").await;
        let post_a = submit_with_media(&app, &a, "Galettes", vec![attached, undescribed]).await;
        let post_b = submit_with_media(&app, &b, "Comté", vec![elsewhere]).await;
        let path_a = link(&app, &a, post_a, unix_now()).await;
        let path_b = link(&app, &b, post_b, unix_now()).await;
        let visitor = app.browser();

        // The page shows each image from under its own token, described, in the thumbnail's
        // shape; an image without alt text says so.
        let (code, page) = app.get_text(&visitor, &path_a).await;
        assert_eq!(code, StatusCode::OK, "{}", app.backend);
        let escaped_alt = "Des galettes dorées sur le comptoir, « fèves » comprises";
        assert!(
            page.contains(&format!(
                "<img src=\"{path_a}/media/{attached}\" alt=\"{escaped_alt}\" width=\"320\" height=\"240\">"
            )),
            "{page}"
        );
        assert!(
            page.contains(&format!("<img src=\"{path_a}/media/{undescribed}\" alt=\"\" width=\"60\" height=\"90\">")),
            "{page}"
        );
        assert!(page.contains("Texte alternatif (lu par les lecteurs d’écran)"), "{page}");
        assert!(page.contains("Pas de texte alternatif."), "{page}");
        assert!(!page.contains(&format!("/media/{not_attached}")), "{page}");

        // The thumbnail, with no session, kept out of caches and of `Referer`.
        let response = app.get(&visitor, &format!("{path_a}/media/{attached}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", app.backend);
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let jpeg = response.bytes().await.unwrap();
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
        let (w, h) = image::load_from_memory(&jpeg).unwrap().dimensions();
        assert_eq!((w, h), (320, 240));

        // Another media of the same workspace, another workspace's media (even the one the
        // same client may see through its own link), a wrong token: one plain 404.
        for path in [
            format!("{path_a}/media/{not_attached}"),
            format!("{path_a}/media/{elsewhere}"),
            format!("{path_b}/media/{attached}"),
            format!("/a/not-a-real-token/media/{attached}"),
        ] {
            assert_eq!(
                app.get(&visitor, &path).await.status(),
                StatusCode::NOT_FOUND,
                "{path} on {}",
                app.backend
            );
        }
        assert_eq!(
            app.get(&visitor, &format!("{path_b}/media/{elsewhere}")).await.status(),
            StatusCode::OK
        );

        // Once the link has decided, it serves nothing more, and its page shows no picture.
        let response = app
            .post_form(&visitor, &path_a, &[("decision", "approve")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert_eq!(
            app.get(&visitor, &format!("{path_a}/media/{attached}")).await.status(),
            StatusCode::NOT_FOUND
        );
        let (_, page) = app
            .get_text(&visitor, &format!("{path_a}?done=approved"))
            .await;
        assert!(page.contains("la publication est validée"), "{page}");
        assert!(!page.contains("<img src=\"/a/"), "{page}");
        assert!(page.contains(escaped_alt), "the alt text is still shown: {page}");

        // A link made void by an edit serves nothing either.
        let before_edit = link(&app, &b, post_b, unix_now()).await;
        app.store
            .update_post(
                &b.contributor,
                post_b,
                PostPatch {
                    text: Some("Comté, version 2".into()),
                    ..PostPatch::default()
                },
                unix_now(),
            )
            .await
            .unwrap();
        assert_eq!(
            app.get(&visitor, &format!("{before_edit}/media/{elsewhere}")).await.status(),
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn a_client_approving_from_the_posts_page_sees_its_images_with_their_alt_text() {
    each_backend(|app: TestApp| async move {
        let s = setup(&app, "mp", "Boulangerie").await;
        let ws = s.owner.workspace();
        let alt = "Des galettes dorées sur le comptoir";
        let described = uploaded_image(&app, "mp-cm@example.fr", ws, (640, 480), alt).await;
        let undescribed = uploaded_image(&app, "mp-cm@example.fr", ws, (40, 40), "").await;
        let post = submit_with_media(&app, &s, "Galettes", vec![described, undescribed]).await;

        let (client, _) = app.login("client@example.fr", common::PASSWORD).await;
        let (code, page) = app.get_text(&client, &format!("/w/{ws}/posts/{post}")).await;
        assert_eq!(code, StatusCode::OK, "{}", app.backend);
        assert!(
            page.contains(&format!("/w/{ws}/posts/{post}/approve\"")),
            "the client may approve here: {page}"
        );
        assert!(
            page.contains(&format!(
                "<img src=\"/w/{ws}/media/{described}/thumbnail\" alt=\"{alt}\" width=\"320\" height=\"240\">"
            )),
            "{page}"
        );
        assert!(page.contains(&format!("/w/{ws}/media/{undescribed}/thumbnail\" alt=\"\"")), "{page}");
        assert!(page.contains("Pas de texte alternatif."), "{page}");
        let thumbnail = app
            .get(&client, &format!("/w/{ws}/media/{described}/thumbnail"))
            .await;
        assert_eq!(thumbnail.status(), StatusCode::OK, "{}", app.backend);
        assert_eq!(thumbnail.headers()["content-type"], "image/jpeg");

        // A post without media has no such section.
        let plain = submit(&app, &s, "Sans image").await;
        let (_, page) = app.get_text(&client, &format!("/w/{ws}/posts/{plain}")).await;
        assert!(!page.contains("Images et vidéos jointes"), "{page}");
    })
    .await;
}
