//! The composer's previews (a card per network, rendered with the page and sent again by the live
//! check) and the Mastodon instance's own limits, used by the counters, the previews and the
//! pre-flight check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, channel, csrf_in, each_backend, location};
use reqwest::StatusCode;
use serde_json::Value;
use tribune_store::channels::ChannelLimits;

/// The markup of one preview card (from its opening tag to its end) in a page or a fragment.
fn card<'a>(html: &'a str, network: &str) -> &'a str {
    let start = html
        .find(&format!("<article class=\"pv pv-{network}\""))
        .unwrap_or_else(|| panic!("no {network} preview in {html}"));
    let end = html[start..].find("</article>").unwrap() + start;
    &html[start..end]
}

async fn check(app: &TestApp, client: &reqwest::Client, ws: i64, form: &[(&str, &str)]) -> Value {
    let token = app.csrf(client, &format!("/w/{ws}/posts/new")).await;
    client
        .post(format!("{}/w/{ws}/compose/check", app.url))
        .header("x-csrf-token", token)
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn previews_show_each_network_s_highlights_escaped_without_javascript() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "<b>Fournil</b>")
            .await
            .to_string();
        let mastodon = channel(&app, &scope, "mastodon", "Fournil Mastodon")
            .await
            .to_string();
        let text = "Galette <img src=x onerror=alert(1)> https://boulangerie.example/galette \
                    @fournil.bsky.social @marie@piaille.fr #Galette";
        // "Update the previews": the form again, with the cards, nothing saved.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", &bluesky),
                    ("channel", &mastodon),
                    ("text", text),
                    ("preview_network", "linkedin"),
                    ("intent", "preview"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{}", app.backend);
        let html = response.text().await.unwrap();
        assert!(
            app.store
                .posts(&scope, &Default::default())
                .await
                .unwrap()
                .is_empty(),
            "nothing saved"
        );
        assert!(!html.contains("<img src=x"), "the text is escaped");
        assert!(
            !html.contains("<b>Fournil</b>"),
            "the channel's name is escaped"
        );

        let sky = card(&html, "bluesky");
        assert!(sky.contains("&#60;b&#62;Fournil&#60;/b&#62;"), "{sky}");
        assert!(
            sky.contains("<span class=\"pv-avatar\" aria-hidden=\"true\">B</span>"),
            "{sky}"
        );
        assert!(
            sky.contains("Galette &#60;img src=x onerror=alert(1)&#62; "),
            "{sky}"
        );
        assert!(
            sky.contains("<span class=\"pv-link\">boulangerie.example/galette</span>"),
            "Bluesky shows a link without its scheme: {sky}"
        );
        assert!(sky.contains("<span class=\"pv-mention\">@fournil.bsky.social</span>"));
        assert!(sky.contains("<span class=\"pv-tag\">#Galette</span>"));
        // The link card of the text's link is not Bluesky's: it takes the link field.
        assert!(!sky.contains("pv-card"), "{sky}");

        let toot = card(&html, "mastodon");
        assert!(
            toot.contains("<span class=\"pv-mention\">@marie@piaille.fr</span>"),
            "{toot}"
        );
        assert!(toot.contains("<span class=\"pv-link\">boulangerie.example/galette</span>"));
        assert!(
            toot.contains("<span class=\"pv-card-host\">boulangerie.example</span>"),
            "Mastodon makes a card of the first link: {toot}"
        );
        assert!(!toot.contains("<img src=x"));

        // A network tribune cannot publish to yet, as the workspace.
        let linkedin = card(&html, "linkedin");
        assert!(linkedin.contains("Boulangerie"), "{linkedin}");
        assert!(
            !linkedin.contains("pv-mention"),
            "LinkedIn links no typed mention"
        );
        assert!(html.contains("name=\"preview_network\" value=\"linkedin\" checked"));
    })
    .await;
}

#[tokio::test]
async fn the_live_check_sends_the_previews_cut_where_each_network_cuts() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let bluesky = channel(&app, &scope, "bluesky", "Fournil")
            .await
            .to_string();
        let wordpress = channel(&app, &scope, "wordpress", "Blog").await.to_string();
        let long = format!("{}{}", "é".repeat(300), "&<>");
        let result = check(
            &app,
            &cm,
            ws,
            &[
                ("channel", &bluesky),
                ("channel", &wordpress),
                ("title", "Pain <au> levain"),
                ("text", &long),
                ("preview_network", "x"),
                ("preview_network", "instagram"),
            ],
        )
        .await;
        let previews = result["previews"].as_str().unwrap();
        let sky = card(previews, "bluesky");
        assert!(
            sky.contains(&format!(
                "<p class=\"pv-text\">{}<span class=\"pv-overflow\">&#38;&#60;&#62;</span>",
                "é".repeat(300)
            )),
            "past 300 graphemes is marked, escaped: {sky}"
        );
        assert!(sky.contains("pv-overflow-note"));
        let article = card(previews, "wordpress");
        assert!(article.contains("Pain &#60;au&#62; levain"), "{article}");
        assert!(article.contains("pv-excerpt"));
        // X: past 280, "Show more" (here, past the limit too).
        let x = card(previews, "x");
        assert!(x.contains("<summary>Afficher plus</summary>"), "{x}");
        // Instagram folds its caption after about 125 characters.
        let instagram = card(previews, "instagram");
        assert!(instagram.contains("<summary>plus</summary>"), "{instagram}");
        // Order: channels, then the networks picked.
        let order: Vec<usize> = ["bluesky", "wordpress", "x", "instagram"]
            .iter()
            .map(|n| previews.find(&format!("pv pv-{n}\"")).unwrap())
            .collect();
        assert!(order.is_sorted(), "{order:?}");
    })
    .await;
}

#[tokio::test]
async fn a_mastodon_instance_s_own_limit_is_used_by_the_counter_the_preview_and_the_preflight() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let id = channel(&app, &scope, "mastodon", "Fournil").await;
        let mastodon = id.to_string();
        let text = "a".repeat(600);

        // Mastodon's default: 500.
        let result = check(&app, &cm, ws, &[("channel", &mastodon), ("text", &text)]).await;
        assert_eq!(result["channels"][0]["limit"], 500);
        assert!(card(result["previews"].as_str().unwrap(), "mastodon").contains("pv-overflow"));
        let schedule = [
            ("channel", mastodon.as_str()),
            ("text", text.as_str()),
            ("when", "at"),
            ("date", "2099-01-06"),
            ("time", "09:30"),
            ("intent", "schedule"),
        ];
        let refused = app
            .post_form(&cm, &format!("/w/{ws}/posts"), &schedule)
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The instance announced 1,000 characters and 40 per link.
        let key = app.store.channel(&scope, id).await.unwrap().key();
        app.store
            .set_channel_limits(
                key,
                ChannelLimits {
                    max_characters: Some(1_000),
                    characters_reserved_per_url: Some(40),
                    max_media_attachments: None,
                },
                tribune_store::unix_now(),
            )
            .await
            .unwrap();
        // Scripts see the same figures on the channel (null: the network's default).
        let token = app.api_token("cm@example.fr").await;
        let shown: Value = app
            .api(
                &token,
                reqwest::Method::GET,
                &format!("/workspaces/{ws}/channels/{id}"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shown["limits"]["max_characters"], 1_000, "{shown}");
        assert_eq!(shown["limits"]["characters_reserved_per_url"], 40);
        assert!(shown["limits"]["max_media_attachments"].is_null());
        let with_link = format!("{text} https://boulangerie.example/");
        let result = check(
            &app,
            &cm,
            ws,
            &[("channel", &mastodon), ("text", &with_link)],
        )
        .await;
        assert_eq!(result["channels"][0]["limit"], 1_000);
        assert_eq!(result["channels"][0]["used"], 600 + 1 + 40);
        assert!(
            result["channels"][0]["problems"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert!(!card(result["previews"].as_str().unwrap(), "mastodon").contains("pv-overflow"));
        let scheduled = app
            .post_form(&cm, &format!("/w/{ws}/posts"), &schedule)
            .await;
        assert_eq!(scheduled.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        assert!(location(&scheduled).contains("flash=flash-post-scheduled"));
    })
    .await;
}

/// A small PNG.
fn picture() -> Vec<u8> {
    use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
    let image = DynamicImage::ImageRgb8(ImageBuffer::from_fn(60, 40, |x, y| {
        Rgb([(x * 4) as u8, (y * 6) as u8, 90])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn attached_images_show_in_the_grid_with_their_alt_text_escaped_and_no_card_beside_them() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Fleuriste")
            .await;
        let ws = scope.workspace().0;
        let mastodon = channel(&app, &scope, "mastodon", "Fleurs").await.to_string();
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/media")).await;
        let csrf = csrf_in(&html).unwrap();
        let mut ids = Vec::new();
        for name in ["a.png", "b.png"] {
            let form = reqwest::multipart::Form::new().text("alt", "").part(
                "file",
                reqwest::multipart::Part::bytes(picture()).file_name(name),
            );
            let response = cm
                .post(format!("{}/w/{ws}/media?_csrf={csrf}", app.url))
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        }
        let filter = tribune_store::media::MediaFilter {
            before_id: None,
            limit: 10,
            name_contains: None,
        };
        for media in app.store.media_list(&scope, &filter).await.unwrap() {
            ids.push(media.id.to_string());
        }
        let alt_name = format!("alt_{}", ids[0]);
        let result = check(
            &app,
            &cm,
            ws,
            &[
                ("channel", &mastodon),
                ("text", "Bouquets https://fleurs.example/bouquets"),
                ("media", &ids[0]),
                ("media", &ids[1]),
                (&alt_name, "Roses \"rouges\" <script>"),
            ],
        )
        .await;
        let toot = card(result["previews"].as_str().unwrap(), "mastodon");
        assert!(toot.contains("class=\"pv-media pv-media-2\""), "{toot}");
        assert!(
            toot.contains(&format!(
                "src=\"/w/{ws}/media/{}/thumbnail\" alt=\"Roses &#34;rouges&#34; &#60;script&#62;\"",
                ids[0]
            )),
            "the alt text typed is the image's alt, escaped: {toot}"
        );
        assert!(toot.contains(&format!("src=\"/w/{ws}/media/{}/thumbnail\" alt=\"\"", ids[1])));
        assert!(!toot.contains("pv-card"), "no link card beside media: {toot}");
    })
    .await;
}
