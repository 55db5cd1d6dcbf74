//! Media in the composer and the media library page, driven through their forms as a person
//! would without JavaScript (the browser test does it with the script): a file uploaded from
//! the composer with everything typed kept, media attached to new and edited posts, alt texts
//! edited in place with their warning, another workspace's media refused, bad files explained.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, csrf_in, each_backend, location};
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use std::io::Cursor;
use tribune_domain::{ChannelId, MediaId};
use tribune_store::WorkspaceScope;

const ALT_MISSING: &str = "Pas de texte alternatif\u{a0}: les personnes qui utilisent un lecteur d’écran ne sauront pas ce qu’il montre.";
const ALT_PROBLEM: &str = "Une image n’a pas de texte alternatif";

/// The whole library (a default filter lists one).
fn all() -> tribune_store::media::MediaFilter {
    tribune_store::media::MediaFilter {
        before_id: None,
        limit: 100,
        name_contains: None,
    }
}

fn picture(w: u32, h: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| {
        Rgb([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8])
    }));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn channel(app: &TestApp, scope: &WorkspaceScope, network: &str, name: &str) -> ChannelId {
    common::stored_channel(
        app,
        scope,
        network,
        name,
        &format!("@{name}"),
        "publish_text,publish_image",
    )
    .await
}

/// Sends the composer's form with a file, as its "upload and attach" button does.
async fn compose_upload(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(Vec<u8>, &str)>,
) -> (StatusCode, String) {
    let csrf = app.csrf(client, "/no-such-page").await;
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some((bytes, name)) = file {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_owned()));
    }
    let separator = if path.contains('?') { '&' } else { '?' };
    let response = client
        .post(format!("{}{path}{separator}_csrf={csrf}", app.url))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The id of the media the picker shows ticked, in order.
fn ticked(html: &str) -> Vec<i64> {
    html.split("name=\"media\" value=\"")
        .skip(1)
        .filter_map(|rest| {
            let (id, after) = rest.split_once('"')?;
            let tag_end = after.find('>')?;
            after[..tag_end]
                .contains("checked")
                .then(|| id.parse().ok())
                .flatten()
        })
        .collect()
}

/// Whether the picker shows the missing-alt warning of `id` (it is `hidden` once filled).
fn alt_warning_shown(html: &str, id: i64) -> bool {
    let marker = format!("data-alt-warning=\"{id}\"");
    let at = html.find(&marker).expect("the image's alt warning");
    let tag_end = html[at..].find('>').unwrap();
    !html[at..at + tag_end].contains("hidden")
}

#[tokio::test]
async fn a_file_uploaded_from_the_composer_is_attached_with_what_was_typed_and_saved_with_its_alt()
{
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Fleuriste Bluesky")
            .await
            .to_string();
        let text = "Les pivoines sont arrivées";
        let fields = [
            ("channel", bluesky.as_str()),
            ("text", text),
            ("when", "at"),
            ("date", "2099-05-02"),
            ("time", "10:15"),
        ];

        // Without the CSRF token, nothing is stored.
        let response = cm
            .post(format!("{}/w/{ws}/compose/upload", app.url))
            .multipart(Form::new().part("file", Part::bytes(picture(64, 48)).file_name("a.png")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{}", app.backend);

        let (status, html) = compose_upload(
            &app,
            &cm,
            &format!("/w/{ws}/compose/upload"),
            &fields,
            Some((picture(320, 200), "pivoines.png")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {html}", app.backend);
        let library = app.store.media_list(&scope, &all()).await.unwrap();
        assert_eq!(library.len(), 1, "the file is in the library");
        let media = library[0].id.0;
        assert_eq!(ticked(&html), vec![media], "and attached");
        assert!(html.contains(text) && html.contains("2099-05-02") && html.contains("10:15"));
        assert!(html.contains("pivoines.png"));
        assert!(html.contains(&format!("/w/{ws}/media/{media}/thumbnail")));
        assert!(
            alt_warning_shown(&html, media),
            "no alt text yet: a warning"
        );

        // The thumbnail is served to members, as a JPEG.
        let response = app
            .get(&cm, &format!("/w/{ws}/media/{media}/thumbnail"))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/jpeg");

        // The live check warns on each channel, and stops once the alt text is typed.
        let media_s = media.to_string();
        let alt_field = format!("alt_{media}");
        let check = |alt: &'static str| {
            let (bluesky, media_s, alt_field) =
                (bluesky.clone(), media_s.clone(), alt_field.clone());
            let app = &app;
            let cm = &cm;
            async move {
                app.post_form(
                    cm,
                    &format!("/w/{ws}/compose/check"),
                    &[
                        ("channel", &bluesky),
                        ("text", text),
                        ("media", &media_s),
                        (&alt_field, alt),
                    ],
                )
                .await
                .json::<serde_json::Value>()
                .await
                .unwrap()
            }
        };
        let result = check("").await;
        let problems = result["channels"][0]["problems"].to_string();
        assert!(problems.contains(ALT_PROBLEM), "{result}");
        assert!(
            problems.contains("\"error\":false"),
            "a warning, not an error: {result}"
        );
        let result = check("Un bouquet de pivoines roses").await;
        assert!(
            !result["channels"][0]["problems"]
                .to_string()
                .contains(ALT_PROBLEM),
            "{result}"
        );

        // Scheduling with the alt missing goes (a warning does not block)…
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &bluesky),
                    ("text", text),
                    ("media", &media_s),
                    (&alt_field, ""),
                    ("when", "at"),
                    ("date", "2099-05-02"),
                    ("time", "10:15"),
                    ("intent", "schedule"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let post_page = location(&response);
        let post_id: i64 = post_page
            .split("/posts/")
            .nth(1)
            .and_then(|rest| rest.split('?').next())
            .unwrap()
            .parse()
            .unwrap();
        let post = app
            .store
            .post(&scope, tribune_domain::PostId(post_id))
            .await
            .unwrap();
        assert_eq!(
            post.media.iter().map(|m| m.id.0).collect::<Vec<_>>(),
            vec![media]
        );

        // …and the edit page shows the warning, until the alt text is saved from it.
        let (_, html) = app
            .get_text(&cm, &format!("/w/{ws}/posts/{post_id}/edit"))
            .await;
        assert_eq!(ticked(&html), vec![media]);
        assert!(alt_warning_shown(&html, media));
        assert!(html.contains(ALT_MISSING));
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts/{post_id}/edit"),
                &[
                    ("channel", &bluesky),
                    ("text", text),
                    ("media", &media_s),
                    (&alt_field, "Un bouquet de pivoines roses"),
                    ("when", "at"),
                    ("date", "2099-05-02"),
                    ("time", "10:15"),
                    ("intent", "schedule"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let stored = app.store.media(&scope, MediaId(media)).await.unwrap();
        assert_eq!(stored.alt, "Un bouquet de pivoines roses");
        let (_, html) = app
            .get_text(&cm, &format!("/w/{ws}/posts/{post_id}/edit"))
            .await;
        assert!(
            !alt_warning_shown(&html, media),
            "filled: the warning is gone"
        );
    })
    .await;
}

#[tokio::test]
async fn an_edited_post_takes_new_media_in_the_order_given_and_can_drop_them() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let mastodon = channel(&app, &scope, "mastodon", "Fleuriste Mastodon")
            .await
            .to_string();
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &mastodon),
                    ("text", "Bientôt la fête des mères"),
                    ("intent", "draft"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let post = app.store.posts(&scope, &Default::default()).await.unwrap()[0].clone();
        assert!(post.media.is_empty());

        // Two uploads from the edited post's composer: the second keeps the first attached.
        let edit = format!("/w/{ws}/compose/upload?post={}", post.id);
        let (status, html) = compose_upload(
            &app,
            &cm,
            &edit,
            &[
                ("channel", &mastodon),
                ("text", "Bientôt la fête des mères"),
            ],
            Some((picture(100, 100), "un.png")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let first = ticked(&html)[0];
        assert!(html.contains(&format!("action=\"/w/{ws}/posts/{}/edit\"", post.id)));
        let first_s = first.to_string();
        let (status, html) = compose_upload(
            &app,
            &cm,
            &edit,
            &[
                ("channel", &mastodon),
                ("text", "Bientôt la fête des mères"),
                ("media", &first_s),
            ],
            Some((picture(120, 90), "deux.png")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let both = ticked(&html);
        assert_eq!(both.len(), 2);
        assert_eq!(both[0], first);
        let second_s = both[1].to_string();

        // Saved with the second first, by the positions typed.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts/{}/edit", post.id),
                &[
                    ("channel", &mastodon),
                    ("text", "Bientôt la fête des mères"),
                    ("media", &first_s),
                    (&format!("order_{first}"), "2"),
                    ("media", &second_s),
                    (&format!("order_{}", both[1]), "1"),
                    ("intent", "draft"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let saved = app.store.post(&scope, post.id).await.unwrap();
        assert_eq!(
            saved.media.iter().map(|m| m.id.0).collect::<Vec<_>>(),
            vec![both[1], first]
        );

        // Unticked, they leave the post (and stay in the library).
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts/{}/edit", post.id),
                &[
                    ("channel", &mastodon),
                    ("text", "Bientôt la fête des mères"),
                    ("intent", "draft"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(
            app.store
                .post(&scope, post.id)
                .await
                .unwrap()
                .media
                .is_empty()
        );
        assert_eq!(app.store.media_list(&scope, &all()).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn another_workspaces_media_is_refused_and_nothing_is_saved() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Fleuriste Bluesky")
            .await
            .to_string();
        let (other, other_scope) = app
            .member_with_workspace("voisin@example.fr", "Voisin")
            .await;
        let (status, html) = compose_upload(
            &app,
            &other,
            &format!("/w/{}/compose/upload", other_scope.workspace().0),
            &[("text", "Chez le voisin")],
            Some((picture(50, 50), "secret.png")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let foreign = app.store.media_list(&other_scope, &all()).await.unwrap()[0].id;
        let foreign_s = foreign.to_string();

        // Neither its thumbnail nor its use in a post.
        let response = app
            .get(&cm, &format!("/w/{ws}/media/{foreign}/thumbnail"))
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        for intent in ["draft", "schedule"] {
            let response = app
                .post_form(
                    &cm,
                    &format!("/w/{ws}/posts"),
                    &[
                        ("channel", &bluesky),
                        ("text", "Avec l’image du voisin"),
                        ("media", &foreign_s),
                        (&format!("alt_{foreign}"), "volée"),
                        ("intent", intent),
                    ],
                )
                .await;
            assert_eq!(
                response.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                app.backend
            );
            let html = response.text().await.unwrap();
            assert!(
                html.contains("Ce média n’est pas dans la médiathèque"),
                "{html}"
            );
            assert!(!html.contains("secret.png"), "nothing of it shown");
        }
        assert!(
            app.store
                .posts(&scope, &Default::default())
                .await
                .unwrap()
                .is_empty()
        );
        let untouched = app.store.media(&other_scope, foreign).await.unwrap();
        assert_eq!(untouched.alt, "", "its alt text is not changed");
        // Nor its alt text through the library page.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/media/{foreign}/alt"),
                &[("alt", "volée")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = app
            .post_form(&cm, &format!("/w/{ws}/media/{foreign}/delete"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(app.store.media(&other_scope, foreign).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn a_wrong_or_oversized_file_is_explained_and_what_was_typed_stays() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let fields = [("text", "Un texte à garder"), ("date", "2099-01-02")];
        let (status, html) = compose_upload(
            &app,
            &cm,
            &format!("/w/{ws}/compose/upload"),
            &fields,
            Some((b"#!/bin/sh\necho not an image\n".to_vec(), "photo.png")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", app.backend);
        assert!(
            html.contains("Ce fichier n’est ni une image ni une vidéo que tribune accepte"),
            "{html}"
        );
        assert!(html.contains("Un texte à garder") && html.contains("2099-01-02"));

        // Over the library's image limit (2 MB in tests): noise, so PNG cannot shrink it.
        let mut noise = picture(8, 8);
        noise.extend((0..2_100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let (status, html) = compose_upload(
            &app,
            &cm,
            &format!("/w/{ws}/compose/upload"),
            &fields,
            Some((noise, "grande.png")),
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", app.backend);
        assert!(
            html.contains("Ce fichier dépasse la taille permise par la médiathèque."),
            "{html}"
        );
        assert!(html.contains("Un texte à garder") && html.contains("2099-01-02"));

        // No file chosen.
        let (status, html) =
            compose_upload(&app, &cm, &format!("/w/{ws}/compose/upload"), &fields, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Choisissez un fichier à envoyer."));
        assert!(
            app.store
                .media_list(&scope, &all())
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn the_library_page_uploads_describes_and_deletes_after_confirmation() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/media")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Médiathèque") && html.contains("Aucun média pour l’instant."));
        let csrf = csrf_in(&html).unwrap();
        let form = Form::new().text("alt", "").part(
            "file",
            Part::bytes(picture(200, 100)).file_name("vitrine.png"),
        );
        let response = cm
            .post(format!("{}/w/{ws}/media?_csrf={csrf}", app.url))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert!(location(&response).contains("flash-media-uploaded"));
        let media = app.store.media_list(&scope, &all()).await.unwrap()[0].id;

        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/media")).await;
        assert!(html.contains("vitrine.png") && html.contains("200 × 100"));
        assert!(html.contains(ALT_MISSING));
        assert!(html.contains(&format!("/w/{ws}/media/{media}/delete")));

        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/media/{media}/alt"),
                &[("alt", "La vitrine au printemps")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/media")).await;
        assert!(!html.contains(ALT_MISSING) && html.contains("La vitrine au printemps"));

        // A wrong file on the library page: the page again, with the reason.
        let form = Form::new().part(
            "file",
            Part::bytes(b"GIF89a nope".to_vec()).file_name("x.gif"),
        );
        let response = cm
            .post(format!("{}/w/{ws}/media?_csrf={csrf}", app.url))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("role=\"alert\""));

        let response = app
            .post_form(&cm, &format!("/w/{ws}/media/{media}/delete"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(
            app.store
                .media_list(&scope, &all())
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn the_network_media_rules_run_on_the_attached_media_in_the_composer_and_the_api() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Fleuriste Bluesky")
            .await
            .to_string();
        let mut ids = Vec::new();
        for n in 0..5u32 {
            let (status, html) = compose_upload(
                &app,
                &cm,
                &format!("/w/{ws}/compose/upload"),
                &[],
                Some((picture(40 + n, 30), "bouquet.png")),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{html}");
        }
        for media in app.store.media_list(&scope, &all()).await.unwrap() {
            ids.push(media.id.to_string());
        }
        assert_eq!(ids.len(), 5);
        let mut fields: Vec<(String, String)> = vec![
            ("channel".into(), bluesky.clone()),
            ("text".into(), "Cinq bouquets".into()),
        ];
        for id in &ids {
            fields.push(("media".into(), id.clone()));
            fields.push((format!("alt_{id}"), "Un bouquet".into()));
        }
        let borrowed = |extra: &[(&'static str, &'static str)]| {
            let mut all: Vec<(String, String)> = fields.clone();
            all.extend(
                extra
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
            all
        };
        let send = |pairs: Vec<(String, String)>, path: String| {
            let app = &app;
            let cm = &cm;
            async move {
                let refs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                app.post_form(cm, &path, &refs).await
            }
        };

        // The live check shows it, as an error on Bluesky (4 images at most)…
        let result: serde_json::Value = send(borrowed(&[]), format!("/w/{ws}/compose/check"))
            .await
            .json()
            .await
            .unwrap();
        let problems = result["channels"][0]["problems"].to_string();
        assert!(problems.contains("5 pour 4 au plus"), "{result}");
        assert!(problems.contains("\"error\":true"), "{result}");

        // …scheduling is refused with everything kept…
        let response = send(
            borrowed(&[("intent", "schedule")]),
            format!("/w/{ws}/posts"),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("5 pour 4 au plus"), "{html}");
        assert_eq!(ticked(&html).len(), 5, "the media stay attached");
        assert!(
            app.store
                .posts(&scope, &Default::default())
                .await
                .unwrap()
                .is_empty()
        );

        // …and so is the API's.
        let token = app.api_token("cm@example.fr").await;
        let media: Vec<i64> = ids.iter().map(|id| id.parse().unwrap()).collect();
        let response = app
            .api(
                &token,
                reqwest::Method::POST,
                &format!("/workspaces/{ws}/posts"),
            )
            .json(&serde_json::json!({
                "channels": [bluesky.parse::<i64>().unwrap()],
                "text": "Cinq bouquets",
                "media": media,
                "publish_now": true,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "error-preflight", "{problem}");
        assert!(
            problem["errors"].to_string().contains("too_many"),
            "{problem}"
        );

        // Four go.
        let four: Vec<(String, String)> = fields
            .iter()
            .filter(|(k, v)| !(k == "media" && *v == ids[4]))
            .cloned()
            .chain([("intent".to_owned(), "schedule".to_owned())])
            .collect();
        let response = send(four, format!("/w/{ws}/posts")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
    })
    .await;
}

/// Every media id the picker shows, in order.
fn shown(html: &str) -> Vec<i64> {
    html.split("name=\"media\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"')?.0.parse().ok())
        .collect()
}

#[tokio::test]
async fn the_picker_pages_the_library_and_finds_media_by_name_keeping_what_is_attached() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let mut ids = Vec::new();
        for n in 0..52 {
            let name = match n {
                0 => "Galette_des_rois.png".to_owned(),
                1 => "remise 100%.png".to_owned(),
                n => format!("photo-{n:02}.png"),
            };
            let media = app
                .store
                .create_media(
                    &scope,
                    tribune_store::media::MediaNew {
                        kind: tribune_domain::media::MediaKind::Image,
                        mime: "image/png".into(),
                        bytes: 100,
                        width: Some(10),
                        height: Some(10),
                        duration_ms: None,
                        alt: String::new(),
                        file_name: Some(name),
                        storage_key: format!("key-{n}"),
                        thumbnail_key: None,
                        sha256: format!("{n:064}"),
                    },
                    tribune_store::unix_now(),
                )
                .await
                .unwrap();
            ids.push(media.id.0);
        }
        let newest: Vec<i64> = ids.iter().rev().copied().collect();

        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/posts/new")).await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert_eq!(
            shown(&html),
            newest[..48].to_vec(),
            "one page, newest first"
        );
        let older = format!("media-before-{}", newest[47]);
        assert!(html.contains(&format!("value=\"{older}\"")), "{html}");

        // The next page, with the oldest media ticked on the way: the typed text stays, the
        // ticked one stays attached (listed first), and the page shows the four older ones.
        let csrf = app.csrf(&cm, "/no-such-page").await;
        let attached = ids[0].to_string();
        let response = cm
            .post(format!("{}/w/{ws}/posts", app.url))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("text", "Bientôt l’Épiphanie"),
                ("media", attached.as_str()),
                ("intent", older.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        assert!(html.contains("Bientôt l’Épiphanie"));
        assert_eq!(ticked(&html), vec![ids[0]]);
        assert_eq!(shown(&html), vec![ids[0], ids[3], ids[2], ids[1]], "{html}");
        assert!(!html.contains("value=\"media-before-"), "the last page");
        let posts = app
            .store
            .posts(
                &scope,
                &tribune_store::posts::PostFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(posts.is_empty(), "nothing saved");

        // A search by name, whatever the case; `%` is a character like any other.
        for (words, found) in [
            ("GALETTE", vec![ids[0]]),
            ("100%", vec![ids[1]]),
            ("%", vec![ids[1]]),
            ("zzz", vec![]),
        ] {
            let response = cm
                .post(format!("{}/w/{ws}/posts", app.url))
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("text", "x"),
                    ("media_q", words),
                    ("intent", "media"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let html = response.text().await.unwrap();
            assert_eq!(shown(&html), found, "{words}");
            if found.is_empty() {
                assert!(html.contains("Aucun média de la médiathèque ne correspond."));
            }
        }
    })
    .await;
}
