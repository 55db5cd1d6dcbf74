//! The media library through the API: uploads checked by their content, thumbnails served
//! safely, media kept to their workspace, signed links that expire, and an image with its alt
//! text published to the local Bluesky PDS (skipped without the peers' environment, except
//! with `CI=true`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TEST_MEDIA_LIMITS, TestApp, each_backend};
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::io::Cursor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tribune_connectors::testing::{bluesky_account, peer};
use tribune_domain::MediaId;

/// A real picture, encoded by the `image` crate.
fn picture(format: ImageFormat, w: u32, h: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| {
        Rgb([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8])
    }));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

async fn upload(
    app: &TestApp,
    token: &str,
    ws: i64,
    bytes: Vec<u8>,
    name: &str,
    claimed: &str,
    alt: Option<&str>,
) -> (StatusCode, Value, String) {
    let mut form = Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(claimed)
            .unwrap(),
    );
    if let Some(alt) = alt {
        form = form.text("alt", alt.to_owned());
    }
    let response = app
        .api(token, Method::POST, &format!("/workspaces/{ws}/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        location,
    )
}

#[tokio::test]
async fn images_are_uploaded_measured_thumbnailed_described_and_deleted() {
    each_backend(|app: TestApp| async move {
        let (owner, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;

        let png = picture(ImageFormat::Png, 640, 480);
        let (status, media, location) = upload(
            &app,
            &token,
            ws,
            png.clone(),
            "../../bouquet été.png",
            "application/octet-stream",
            Some("Un bouquet de roses"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {media}", app.backend);
        let id = media["id"].as_i64().unwrap();
        assert_eq!(location, format!("/api/v1/workspaces/{ws}/media/{id}"));
        assert_eq!(media["kind"], "image");
        assert_eq!(
            media["mime"], "image/png",
            "from the content, not the claim"
        );
        assert_eq!(
            (media["width"].as_u64(), media["height"].as_u64()),
            (Some(640), Some(480))
        );
        assert_eq!(media["bytes"].as_u64(), Some(png.len() as u64));
        assert_eq!(media["alt"], "Un bouquet de roses");
        assert_eq!(media["alt_missing"], false);
        assert_eq!(media["file_name"], "bouquet été.png");

        let jpeg = picture(ImageFormat::Jpeg, 300, 200);
        let (status, photo, _) =
            upload(&app, &token, ws, jpeg, "photo.png", "image/png", None).await;
        assert_eq!(status, StatusCode::CREATED, "{photo}");
        assert_eq!(photo["mime"], "image/jpeg");
        assert_eq!(photo["alt_missing"], true, "the composer warns");

        // The library lists both, newest first, paginated like every list.
        let response = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/media?limit=1"),
            )
            .send()
            .await
            .unwrap();
        assert!(response.headers().get("link").is_some());
        let page: Value = response.json().await.unwrap();
        assert_eq!(page[0]["id"], photo["id"]);

        // The thumbnail is a small JPEG that a browser may not read as anything else.
        let response = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/media/{id}/thumbnail"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let thumb = response.bytes().await.unwrap();
        let decoded = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (320, 240));

        // Alt text is changed through PATCH.
        let changed: Value = app
            .api(
                &token,
                Method::PATCH,
                &format!("/workspaces/{ws}/media/{}", photo["id"]),
            )
            .json(&json!({"alt": "Une vitrine de Noël"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(changed["alt"], "Une vitrine de Noël");
        assert_eq!(changed["alt_missing"], false);

        // Deleting removes the record and the files.
        let files = |dir: &std::path::Path| {
            std::fs::read_dir(dir.join(ws.to_string()))
                .map(|d| d.count())
                .unwrap_or(0)
        };
        assert_eq!(files(&app.media_dir), 4, "two files and their thumbnails");
        let response = app
            .api(
                &token,
                Method::DELETE,
                &format!("/workspaces/{ws}/media/{}", photo["id"]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(files(&app.media_dir), 2);
        let response = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/media/{}", photo["id"]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);

        // Deleting the workspace takes its remaining files with it.
        let response = app
            .post_form(
                &owner,
                &format!("/w/{ws}/delete"),
                &[("confirm_name", "Fleuriste")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert!(
            !app.media_dir.join(ws.to_string()).exists(),
            "no file of a deleted workspace is left"
        );
    })
    .await;
}

#[tokio::test]
async fn files_lying_about_their_type_or_too_large_are_refused() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app.member_with_workspace("cm@example.fr", "Fleuriste").await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;

        let html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec();
        let (status, problem, _) = upload(&app, &token, ws, html, "photo.jpg", "image/jpeg", None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["code"], "error-media-unsupported", "{problem}");
        assert_eq!(problem["errors"][0]["field"], "file");

        // An image over the image limit (under the video one) is cut off while it streams.
        let mut big = picture(ImageFormat::Jpeg, 16, 16);
        big.resize(TEST_MEDIA_LIMITS.max_image_bytes as usize + 10, 0);
        let (status, problem, _) = upload(&app, &token, ws, big, "big.jpg", "image/jpeg", None).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");

        // A body that announces more than any upload may be is refused before it is sent: the
        // server answers after reading the headers alone.
        let address = app.url.trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /api/v1/workspaces/{ws}/media HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 1000000000\r\n\r\n--x\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 4096];
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
            .await
            .expect("answered without the body")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

        // No spool file or stored file is left behind by the refusals.
        let leftovers = std::fs::read_dir(app.media_dir.join(".spool")).map(|d| d.count()).unwrap_or(0);
        assert_eq!(leftovers, 0);
        assert!(!app.media_dir.join(ws.to_string()).exists());

        // Not multipart at all.
        let response = app.api(&token, Method::POST, &format!("/workspaces/{ws}/media")).json(&json!({"file": "x"})).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn posts_carry_their_workspaces_media_in_order_and_keep_them_while_scheduled() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app.member_with_workspace("cm@example.fr", "Fleuriste").await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;
        let (_, other_scope) = app.member_with_workspace("autre@example.fr", "Boulangerie").await;
        let other_ws = other_scope.workspace().0;
        let other_token = app.api_token("autre@example.fr").await;

        let (_, a, _) = upload(&app, &token, ws, picture(ImageFormat::Png, 20, 20), "a.png", "image/png", Some("A")).await;
        let (_, b, _) = upload(&app, &token, ws, picture(ImageFormat::Jpeg, 20, 20), "b.jpg", "image/jpeg", None).await;
        let (_, theirs, _) = upload(&app, &other_token, other_ws, picture(ImageFormat::Png, 20, 20), "c.png", "image/png", None).await;
        // A channel of the workspace, stored directly: nothing is published in this test.
        let channel = app
            .store
            .connect_channel(
                &scope,
                tribune_store::channels::ChannelNew {
                    network: "bluesky".into(),
                    remote_id: "did:plc:fleuriste".into(),
                    handle: "@fleuriste.test".into(),
                    display_name: "Fleuriste".into(),
                    avatar_url: None,
                    profile_url: None,
                    avatar: None,
                    capabilities: "publish_text,publish_image".into(),
                    sealed_credentials: "sealed".into(),
                    token_expires_at: None,
                },
                tribune_store::unix_now(),
            )
            .await
            .unwrap()
            .id;

        // Another workspace's media is refused, and its id says nothing more than an unknown one.
        let response = app.api(&token, Method::POST, &format!("/workspaces/{ws}/posts"))
            .json(&json!({"channels": [channel], "text": "Bonjour", "media": [a["id"], theirs["id"]]}))
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["code"], "error-media-unknown", "{problem}");
        // And its thumbnail cannot be read through this workspace.
        let response = app.api(&token, Method::GET, &format!("/workspaces/{other_ws}/media/{}/thumbnail", theirs["id"])).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);

        // Order is kept.
        let response = app.api(&token, Method::POST, &format!("/workspaces/{ws}/posts"))
            .json(&json!({"channels": [channel], "text": "Bonjour", "media": [b["id"], a["id"]], "scheduled_at": "2099-01-01T10:00:00Z"}))
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let post: Value = response.json().await.unwrap();
        assert_eq!(post["media"][0]["id"], b["id"]);
        assert_eq!(post["media"][1]["id"], a["id"]);
        assert_eq!(post["media"][1]["alt"], "A");
        assert_eq!(post["media"][0]["kind"], "image");

        // A scheduled post holds on to its media.
        let response = app.api(&token, Method::DELETE, &format!("/workspaces/{ws}/media/{}", a["id"])).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "error-media-in-use");

        // Changing the list replaces it.
        let response = app.api(&token, Method::PATCH, &format!("/workspaces/{ws}/posts/{}", post["id"]))
            .json(&json!({"media": []})).send().await.unwrap();
        let post: Value = response.json().await.unwrap();
        assert_eq!(post["media"], json!([]), "{post}");
        let response = app.api(&token, Method::DELETE, &format!("/workspaces/{ws}/media/{}", a["id"])).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    })
    .await;
}

#[tokio::test]
async fn a_signed_media_link_works_expires_and_cannot_be_forged() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;
        let (_, media, _) = upload(
            &app,
            &token,
            ws,
            picture(ImageFormat::Jpeg, 64, 48),
            "p.jpg",
            "image/jpeg",
            None,
        )
        .await;
        let id = MediaId(media["id"].as_i64().unwrap());
        let now = tribune_store::unix_now();
        let secrets = app.secrets();
        let client = reqwest::Client::new();

        let url = tribune_media::signed_url(&app.url, &secrets, id, now + 600);
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 64);

        // Expired.
        let expired = tribune_media::signed_url(&app.url, &secrets, id, now - 1);
        assert_eq!(
            client.get(&expired).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        // Signed with another key, or for another media.
        let other = tribune_domain::security::secret_box::SecretBox::from_base64_key(
            &tribune_domain::security::secret_box::SecretBox::generate_key(),
        )
        .unwrap();
        let forged = tribune_media::signed_url(&app.url, &other, id, now + 600);
        assert_eq!(
            client.get(&forged).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let token_part = url.rsplit('/').next().unwrap();
        let swapped = if token_part.as_bytes()[5] == b'A' {
            'B'
        } else {
            'A'
        };
        let tampered = format!(
            "{}/m/{}{swapped}{}",
            app.url,
            &token_part[..5],
            &token_part[6..]
        );
        assert_eq!(
            client.get(&tampered).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let missing =
            tribune_media::signed_url(&app.url, &secrets, MediaId(id.0 + 1000), now + 600);
        assert_eq!(
            client.get(&missing).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn an_image_and_its_alt_text_are_published_to_bluesky() {
    let (Some(pds), Some(control)) = (
        peer("TRIBUNE_TEST_BSKY_PDS"),
        peer("TRIBUNE_TEST_BSKY_CONTROL"),
    ) else {
        return;
    };
    each_backend(|app: TestApp| {
        let (pds, control) = (pds.clone(), control.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let (_, scope) = app.member_with_workspace("cm@example.fr", "Fleuriste").await;
            let ws = scope.workspace().0;
            let token = app.api_token("cm@example.fr").await;
            let (handle, app_password) = bluesky_account(&pds, &control, "media").await;
            let response = app.api(&token, Method::POST, &format!("/workspaces/{ws}/channels"))
                .json(&json!({"network": "bluesky", "service": pds, "identifier": handle, "app_password": app_password}))
                .send().await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let channel: Value = response.json().await.unwrap();

            // Larger than Bluesky's 1,000,000 bytes: it goes out re-encoded to fit.
            let noisy = DynamicImage::ImageRgb8(ImageBuffer::from_fn(900, 700, |x, y| {
                let h = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).wrapping_mul(2_246_822_519);
                let [r, g, b, _] = h.to_be_bytes();
                Rgb([r, g, b])
            }));
            let mut png = Cursor::new(Vec::new());
            noisy.write_to(&mut png, ImageFormat::Png).unwrap();
            let png = png.into_inner();
            assert!(png.len() > 1_000_000 && png.len() < TEST_MEDIA_LIMITS.max_image_bytes as usize);
            let alt = "Des roses rouges en vitrine, décembre";
            let (status, media, _) = upload(&app, &token, ws, png, "vitrine.png", "image/png", Some(alt)).await;
            assert_eq!(status, StatusCode::CREATED, "{media}");

            let text = format!("Nouvelle vitrine {} {}", app.backend, tribune_store::unix_now());
            let response = app.api(&token, Method::POST, &format!("/workspaces/{ws}/posts"))
                .json(&json!({"channels": [channel["id"]], "text": text, "media": [media["id"]], "publish_now": true}))
                .send().await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let post: Value = response.json().await.unwrap();
            let report = app.run_jobs().await;
            assert_eq!(report.done, 1, "{}: {report:?}", app.backend);
            let post: Value = app.api(&token, Method::GET, &format!("/workspaces/{ws}/posts/{}", post["id"]))
                .send().await.unwrap().json().await.unwrap();
            assert_eq!(post["status"], "published", "{post}");

            let did: Value = reqwest::Client::new()
                .get(format!("{pds}/xrpc/com.atproto.identity.resolveHandle"))
                .query(&[("handle", handle.trim_start_matches('@'))])
                .send().await.unwrap().json().await.unwrap();
            let records: Value = reqwest::Client::new()
                .get(format!("{pds}/xrpc/com.atproto.repo.listRecords"))
                .query(&[("repo", did["did"].as_str().unwrap()), ("collection", "app.bsky.feed.post"), ("limit", "100")])
                .send().await.unwrap().json().await.unwrap();
            let record = records["records"].as_array().unwrap().iter()
                .find(|r| r["value"]["text"] == text.as_str()).expect("the post is on the PDS");
            let image = &record["value"]["embed"]["images"][0];
            assert_eq!(image["alt"], alt, "{record}");
            assert_eq!(image["image"]["mimeType"], "image/jpeg", "{record}");
            assert!(image["image"]["size"].as_u64().unwrap() <= 1_000_000, "{record}");
        }
    })
    .await;
}

/// A small MP4 container (`ftyp` isom, `mdat`, `moov` with a 12.5 s `mvhd` and a 640×360
/// track): what the library and the PDS recognise as a video by its content.
fn tiny_mp4() -> Vec<u8> {
    fn boxed(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(content.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(content);
        out
    }
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&12_500u32.to_be_bytes());
    let mut tkhd = vec![0u8; 84];
    tkhd[76..80].copy_from_slice(&(640u32 << 16).to_be_bytes());
    tkhd[80..84].copy_from_slice(&(360u32 << 16).to_be_bytes());
    let mut moov = boxed(b"mvhd", &mvhd);
    moov.extend(boxed(b"trak", &boxed(b"tkhd", &tkhd)));
    let mut file = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
    file.extend(boxed(b"mdat", &[0u8; 4096]));
    file.extend(boxed(b"moov", &moov));
    file
}

/// The library page makes a network-sized copy of an image: a media of its own, cut to the
/// shape around the point given, with the original's alt text, offered by the API like any
/// other; a video, an unknown shape or a point outside the picture are refused with the
/// reason, and leave nothing behind.
#[tokio::test]
async fn an_image_is_copied_to_a_networks_shape_as_a_media_of_its_own() {
    each_backend(|app: TestApp| async move {
        let (browser, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let token = app.api_token("cm@example.fr").await;
        let (status, photo, _) = upload(
            &app,
            &token,
            ws,
            picture(ImageFormat::Jpeg, 1600, 900),
            "fournil.jpg",
            "image/jpeg",
            Some("Le fournil au petit matin"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{photo}");
        let response = app
            .post_form(
                &browser,
                &format!("/w/{ws}/media/{}/copy", photo["id"]),
                &[("preset", "portrait"), ("focus_x", "20"), ("focus_y", "")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert!(common::location(&response).contains("flash=flash-media-copied"));
        let list: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/media"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 2, "{list:?}");
        let copy = list.iter().find(|m| m["id"] != photo["id"]).unwrap();
        assert_eq!(copy["kind"], "image");
        assert_eq!(copy["mime"], "image/jpeg");
        // 900 high, so 720 × 900 (4:5), under the 1080 × 1350 target: not enlarged.
        assert_eq!(
            (copy["width"].as_u64(), copy["height"].as_u64()),
            (Some(720), Some(900))
        );
        assert_eq!(copy["alt"], "Le fournil au petit matin");
        assert_eq!(copy["file_name"], "fournil (Portrait 4:5).jpg");
        assert!(copy["thumbnail_url"].is_string());
        let page = app.get_text(&browser, &format!("/w/{ws}/media")).await.1;
        assert!(
            page.contains("fournil (Portrait 4:5).jpg"),
            "{}",
            app.backend
        );
        // The form is offered for images (the member's language is French here).
        assert!(page.contains("Faire une copie pour un réseau"));
        assert!(page.contains(&format!("/media/{}/copy", photo["id"])));

        // Refusals: a video, an unknown shape, a point outside the picture.
        let (status, video, _) =
            upload(&app, &token, ws, tiny_mp4(), "clip.mp4", "video/mp4", None).await;
        assert_eq!(status, StatusCode::CREATED, "{video}");
        for (id, fields, message) in [
            (
                &video["id"],
                vec![("preset", "square")],
                "Seules les images peuvent",
            ),
            (
                &photo["id"],
                vec![("preset", "panorama")],
                "Choisissez l’une des formes",
            ),
            (
                &photo["id"],
                vec![("preset", "square"), ("focus_x", "120")],
                "deux nombres de 0 à 100",
            ),
        ] {
            let response = app
                .post_form(&browser, &format!("/w/{ws}/media/{id}/copy"), &fields)
                .await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                response.text().await.unwrap().contains(message),
                "{message}"
            );
        }
        let after: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/media"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(after.as_array().unwrap().len(), 3, "nothing half-made");
    })
    .await;
}

/// A post with a video goes through the publisher to the local Bluesky PDS: the record
/// embeds the very file, with its description and aspect ratio.
#[tokio::test]
async fn a_video_and_its_description_are_published_to_bluesky() {
    let (Some(pds), Some(control)) = (
        peer("TRIBUNE_TEST_BSKY_PDS"),
        peer("TRIBUNE_TEST_BSKY_CONTROL"),
    ) else {
        return;
    };
    each_backend(|app: TestApp| {
        let (pds, control) = (pds.clone(), control.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let (_, scope) = app.member_with_workspace("cm@example.fr", "Théâtre").await;
            let ws = scope.workspace().0;
            let token = app.api_token("cm@example.fr").await;
            let (handle, app_password) = bluesky_account(&pds, &control, "video").await;
            let response = app.api(&token, Method::POST, &format!("/workspaces/{ws}/channels"))
                .json(&json!({"network": "bluesky", "service": pds, "identifier": handle, "app_password": app_password}))
                .send().await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let channel: Value = response.json().await.unwrap();
            let alt = "La troupe répète la scène finale";
            let (status, media, _) =
                upload(&app, &token, ws, tiny_mp4(), "repetition.mp4", "video/mp4", Some(alt)).await;
            assert_eq!(status, StatusCode::CREATED, "{media}");
            assert_eq!(media["duration_secs"], 12.5);

            let text = format!("Répétition {} {}", app.backend, tribune_store::unix_now());
            let response = app.api(&token, Method::POST, &format!("/workspaces/{ws}/posts"))
                .json(&json!({"channels": [channel["id"]], "text": text, "media": [media["id"]], "publish_now": true}))
                .send().await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let post: Value = response.json().await.unwrap();
            let report = app.run_jobs().await;
            assert_eq!(report.done, 1, "{}: {report:?}", app.backend);
            let post: Value = app.api(&token, Method::GET, &format!("/workspaces/{ws}/posts/{}", post["id"]))
                .send().await.unwrap().json().await.unwrap();
            assert_eq!(post["status"], "published", "{post}");

            let did: Value = reqwest::Client::new()
                .get(format!("{pds}/xrpc/com.atproto.identity.resolveHandle"))
                .query(&[("handle", handle.trim_start_matches('@'))])
                .send().await.unwrap().json().await.unwrap();
            let records: Value = reqwest::Client::new()
                .get(format!("{pds}/xrpc/com.atproto.repo.listRecords"))
                .query(&[("repo", did["did"].as_str().unwrap()), ("collection", "app.bsky.feed.post"), ("limit", "100")])
                .send().await.unwrap().json().await.unwrap();
            let record = records["records"].as_array().unwrap().iter()
                .find(|r| r["value"]["text"] == text.as_str()).expect("the post is on the PDS");
            let embed = &record["value"]["embed"];
            assert_eq!(embed["$type"], "app.bsky.embed.video", "{record}");
            assert_eq!(embed["alt"], alt);
            assert_eq!(embed["aspectRatio"], json!({"width": 640, "height": 360}));
            assert_eq!(embed["video"]["size"], tiny_mp4().len());
        }
    })
    .await;
}
