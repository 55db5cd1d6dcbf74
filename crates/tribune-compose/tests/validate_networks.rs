//! One table of edge cases per network: exactly at each limit passes, one over fails, with the
//! network's own way of counting. These are the cases where a composer and a network disagree in
//! practice (combining accents, t.co links, emoji sequences, remote mentions, byte limits).

use tribune_compose::{
    ComposeNetwork, Draft, Field, MastodonInstance, MediaInfo, MediaKind, Options, ProblemCode,
    Severity, composed_text, length, title_length, validate,
};

fn codes(network: ComposeNetwork, draft: &Draft) -> Vec<ProblemCode> {
    validate(network, draft, &Options::default())
        .into_iter()
        .map(|p| p.code)
        .collect()
}

fn text(text: &str) -> Draft {
    Draft {
        text: text.to_owned(),
        ..Draft::default()
    }
}

fn image(mime: &str, bytes: u64) -> MediaInfo {
    MediaInfo {
        kind: MediaKind::Image,
        mime: mime.to_owned(),
        bytes,
        width: Some(1080),
        height: Some(1350),
        duration_secs: None,
        alt: "Une affiche colorée".to_owned(),
    }
}

fn video(mime: &str, bytes: u64, secs: f64) -> MediaInfo {
    MediaInfo {
        kind: MediaKind::Video,
        mime: mime.to_owned(),
        bytes,
        width: Some(1080),
        height: Some(1920),
        duration_secs: Some(secs),
        alt: "Visite de l’atelier".to_owned(),
    }
}

fn with_media(text: &str, media: Vec<MediaInfo>) -> Draft {
    Draft {
        text: text.to_owned(),
        media,
        ..Draft::default()
    }
}

/// A URL of exactly 60 characters.
const URL_60: &str = "https://www.exemple-boutique.fr/collections/printemps-2026-x";

#[test]
fn url_fixture_is_sixty_characters() {
    assert_eq!(URL_60.chars().count(), 60);
}

#[test]
fn bluesky_counts_graphemes() {
    let b = ComposeNetwork::Bluesky;
    // "é" as e + combining acute: 600 code points, 300 graphemes.
    let decomposed = "e\u{301}".repeat(300);
    assert_eq!(length(b, &decomposed, &Options::default()).used, 300);
    assert!(codes(b, &text(&decomposed)).is_empty());
    assert_eq!(
        codes(b, &text(&format!("{decomposed}!"))),
        [ProblemCode::TextTooLong]
    );
    let family = "👨‍👩‍👧‍👦".repeat(300);
    assert!(codes(b, &text(&family)).is_empty());
    // Links count as written on Bluesky.
    assert_eq!(length(b, URL_60, &Options::default()).used, 60);

    let over = validate(b, &text(&"a".repeat(301)), &Options::default());
    assert_eq!(over[0].limit, Some(300));
    assert_eq!(over[0].actual, Some(301));
    assert_eq!(over[0].field, Field::Text);
}

#[test]
fn bluesky_media() {
    let b = ComposeNetwork::Bluesky;
    let four = vec![image("image/jpeg", 1_000_000); 4];
    assert!(codes(b, &with_media("", four.clone())).is_empty());
    let mut five = four.clone();
    five.push(image("image/png", 10));
    assert_eq!(
        codes(b, &with_media("", five)),
        [ProblemCode::TooManyMedia, ProblemCode::TooManyImages]
    );
    let big = validate(
        b,
        &with_media("Photo", vec![image("image/jpeg", 1_000_001)]),
        &Options::default(),
    );
    assert_eq!(big.len(), 1);
    assert_eq!(big[0].code, ProblemCode::ImageTooBig);
    assert_eq!(big[0].media_index, Some(0));
    assert_eq!(
        (big[0].limit, big[0].actual),
        (Some(1_000_000), Some(1_000_001))
    );

    assert_eq!(
        codes(
            b,
            &with_media(
                "",
                vec![image("image/jpeg", 10), video("video/mp4", 10, 30.0)]
            )
        ),
        [ProblemCode::MixedMedia]
    );
    assert!(codes(b, &with_media("", vec![video("video/mp4", 10, 180.0)])).is_empty());
    assert_eq!(
        codes(b, &with_media("", vec![video("video/mp4", 10, 180.2)])),
        [ProblemCode::VideoTooLong]
    );
    let mut no_alt = image("image/jpeg", 10);
    no_alt.alt = "  ".to_owned();
    let problems = validate(
        b,
        &with_media("", vec![no_alt.clone()]),
        &Options::default(),
    );
    assert_eq!(problems[0].code, ProblemCode::AltTextMissing);
    assert_eq!(problems[0].severity, Severity::Warning);
    no_alt.alt = "é".repeat(2_000);
    assert!(codes(b, &with_media("", vec![no_alt.clone()])).is_empty());
    no_alt.alt.push('x');
    assert_eq!(
        codes(b, &with_media("", vec![no_alt])),
        [ProblemCode::AltTextTooLong]
    );
}

#[test]
fn bluesky_needs_something_to_post_and_warns_about_hidden_cards() {
    let b = ComposeNetwork::Bluesky;
    assert_eq!(codes(b, &text("  ")), [ProblemCode::TextRequired]);
    let card_only = Draft {
        link: Some("https://tribune.fr/".to_owned()),
        ..Draft::default()
    };
    assert!(codes(b, &card_only).is_empty());
    let card_and_image = Draft {
        media: vec![image("image/jpeg", 10)],
        ..card_only.clone()
    };
    assert_eq!(codes(b, &card_and_image), [ProblemCode::LinkPreviewHidden]);
    // The card is an embed: the link is not added to the text.
    assert_eq!(composed_text(b, &card_only), "");
}

#[test]
fn mastodon_counts_links_as_23_and_remote_mentions_as_local() {
    let m = ComposeNetwork::Mastodon;
    let options = Options::default();
    assert_eq!(length(m, URL_60, &options).used, 23);
    assert_eq!(
        length(m, "@marie@piaille.fr", &options).used,
        "@marie".len()
    );
    // A link without a scheme counts as typed on Mastodon.
    assert_eq!(length(m, "tribune.fr", &options).used, 10);

    let at_limit = format!("{URL_60} {}", "é".repeat(500 - 24));
    assert_eq!(length(m, &at_limit, &options).used, 500);
    assert!(codes(m, &text(&at_limit)).is_empty());
    assert_eq!(
        codes(m, &text(&format!("{at_limit}!"))),
        [ProblemCode::TextTooLong]
    );
}

#[test]
fn mastodon_follows_the_instance_configuration() {
    let m = ComposeNetwork::Mastodon;
    let options = Options {
        mastodon: MastodonInstance {
            max_characters: Some(1_000),
            characters_reserved_per_url: Some(30),
            description_limit: Some(10),
            ..MastodonInstance::default()
        },
        ..Options::default()
    };
    assert_eq!(length(m, URL_60, &options).used, 30);
    let long = text(&"a".repeat(1_000));
    assert!(validate(m, &long, &options).is_empty());
    assert_eq!(validate(m, &long, &Options::default())[0].limit, Some(500));
    let mut described = image("image/jpeg", 10);
    described.alt = "onze lettres".to_owned();
    let problems = validate(m, &with_media("", vec![described]), &options);
    assert_eq!(problems[0].code, ProblemCode::AltTextTooLong);
}

#[test]
fn mastodon_media() {
    let m = ComposeNetwork::Mastodon;
    assert!(
        codes(
            m,
            &with_media("", vec![image("image/webp", 16 * 1024 * 1024)])
        )
        .is_empty()
    );
    assert_eq!(
        codes(
            m,
            &with_media("", vec![image("image/webp", 16 * 1024 * 1024 + 1)])
        ),
        [ProblemCode::ImageTooBig]
    );
    assert_eq!(
        codes(m, &with_media("", vec![image("image/tiff", 10)])),
        [ProblemCode::UnsupportedFormat]
    );
    assert_eq!(
        codes(m, &with_media("", vec![video("video/mp4", 10, 5.0); 2])),
        [ProblemCode::TooManyVideos]
    );
}

#[test]
fn mastodon_appends_the_link_to_the_text() {
    let m = ComposeNetwork::Mastodon;
    let draft = Draft {
        text: "Notre agenda".to_owned(),
        link: Some(URL_60.to_owned()),
        ..Draft::default()
    };
    assert_eq!(
        composed_text(m, &draft),
        format!("Notre agenda\n\n{URL_60}")
    );
    let already = Draft {
        text: format!("Notre agenda : {URL_60}"),
        ..draft.clone()
    };
    assert_eq!(composed_text(m, &already), already.text);
    // 477 + 2 newlines + 23 = 502.
    let long = Draft {
        text: "a".repeat(477),
        ..draft
    };
    let problems = validate(m, &long, &Options::default());
    assert_eq!(problems[0].code, ProblemCode::TextTooLong);
    assert_eq!(problems[0].actual, Some(502));
}

#[test]
fn x_weighted_length() {
    let x = ComposeNetwork::X;
    let options = Options::default();
    assert_eq!(length(x, URL_60, &options).used, 23);
    assert_eq!(length(x, "tribune.fr", &options).used, 23);
    // A family is one emoji sequence of 7 code points: weight 2.
    assert_eq!(length(x, "👨‍👩‍👧‍👦", &options).used, 2);
    assert_eq!(length(x, "🇫🇷", &options).used, 2);
    // CJK weighs 2, Latin with accents 1; "e" + combining accent is NFC-normalised to 1.
    assert_eq!(length(x, "日本", &options).used, 4);
    assert_eq!(length(x, "e\u{301}", &options).used, 1);

    let at_limit = format!("{} {URL_60}", "é".repeat(256));
    assert_eq!(length(x, &at_limit, &options).used, 280);
    assert!(codes(x, &text(&at_limit)).is_empty());
    assert_eq!(
        codes(x, &text(&format!("é{at_limit}"))),
        [ProblemCode::TextTooLong]
    );
    let emoji_limit = "👨‍👩‍👧‍👦".repeat(140);
    assert!(codes(x, &text(&emoji_limit)).is_empty());
    assert_eq!(
        codes(x, &text(&format!("{emoji_limit}a"))),
        [ProblemCode::TextTooLong]
    );
}

#[test]
fn x_media() {
    let x = ComposeNetwork::X;
    assert!(codes(x, &with_media("", vec![image("image/gif", 15_000_000)])).is_empty());
    assert_eq!(
        codes(x, &with_media("", vec![image("image/png", 5_000_001)])),
        [ProblemCode::ImageTooBig]
    );
    assert_eq!(
        codes(x, &with_media("", vec![video("video/mp4", 10, 140.5)])),
        [ProblemCode::VideoTooLong]
    );
    assert_eq!(
        codes(x, &with_media("", vec![video("video/mp4", 10, 0.2)])),
        [ProblemCode::VideoTooShort]
    );
    let mut alt = image("image/jpeg", 10);
    alt.alt = "a".repeat(1_001);
    assert_eq!(
        codes(x, &with_media("", vec![alt])),
        [ProblemCode::AltTextTooLong]
    );
}

#[test]
fn wordpress_requires_title_and_body() {
    let w = ComposeNetwork::Wordpress;
    assert_eq!(
        codes(w, &Draft::default()),
        [ProblemCode::TitleRequired, ProblemCode::TextRequired]
    );
    let post = Draft {
        title: Some("t".repeat(200)),
        text: "a".repeat(100_000),
        ..Draft::default()
    };
    assert!(codes(w, &post).is_empty());
    let long_title = Draft {
        title: Some("t".repeat(201)),
        ..post
    };
    assert_eq!(codes(w, &long_title), [ProblemCode::TitleTooLong]);
    assert_eq!(length(w, "abc", &Options::default()).limit, None);
    assert_eq!(
        title_length(w, "Été", &Options::default()).map(|l| l.used),
        Some(3)
    );
}

#[test]
fn linkedin_limits() {
    let l = ComposeNetwork::Linkedin;
    assert!(codes(l, &text(&"é".repeat(3_000))).is_empty());
    assert_eq!(
        codes(l, &text(&"é".repeat(3_001))),
        [ProblemCode::TextTooLong]
    );
    let comment = Draft {
        text: "Post".to_owned(),
        first_comment: Some("c".repeat(1_251)),
        ..Draft::default()
    };
    assert_eq!(codes(l, &comment), [ProblemCode::FirstCommentTooLong]);
    assert!(codes(l, &with_media("", vec![image("image/jpeg", 10); 20])).is_empty());
    assert_eq!(
        codes(l, &with_media("", vec![image("image/jpeg", 10); 21])),
        [ProblemCode::TooManyMedia, ProblemCode::TooManyImages]
    );
}

#[test]
fn instagram_caption_hashtags_and_media() {
    let i = ComposeNetwork::Instagram;
    let photo = || vec![image("image/jpeg", 10)];
    let tags = |n: usize| {
        (1..=n)
            .map(|k| format!("#tag{k}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(codes(i, &with_media(&tags(30), photo())).is_empty());
    let problems = validate(i, &with_media(&tags(31), photo()), &Options::default());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ProblemCode::TooManyHashtags);
    assert_eq!(
        (problems[0].limit, problems[0].actual),
        (Some(30), Some(31))
    );

    assert!(codes(i, &with_media(&"a".repeat(2_200), photo())).is_empty());
    assert_eq!(
        codes(i, &with_media(&"a".repeat(2_201), photo())),
        [ProblemCode::TextTooLong]
    );
    assert_eq!(codes(i, &text("Sans photo")), [ProblemCode::MediaRequired]);
    assert_eq!(
        codes(i, &with_media("", vec![image("image/png", 10)])),
        [ProblemCode::UnsupportedFormat]
    );
    let mut carousel = vec![image("image/jpeg", 10); 9];
    carousel.push(video("video/mp4", 10, 30.0));
    assert!(codes(i, &with_media("", carousel.clone())).is_empty());
    carousel.push(image("image/jpeg", 10));
    assert_eq!(
        codes(i, &with_media("", carousel)),
        [ProblemCode::TooManyMedia]
    );
    let link = Draft {
        link: Some("https://tribune.fr".to_owned()),
        ..with_media("", photo())
    };
    assert_eq!(codes(i, &link), [ProblemCode::LinkIgnored]);
}

#[test]
fn facebook_limits() {
    let f = ComposeNetwork::Facebook;
    assert!(codes(f, &text(&"a".repeat(63_206))).is_empty());
    assert_eq!(
        codes(f, &text(&"a".repeat(63_207))),
        [ProblemCode::TextTooLong]
    );
    assert!(codes(f, &with_media("", vec![image("image/jpeg", 4_000_000); 30])).is_empty());
    assert_eq!(
        codes(f, &with_media("", vec![image("image/jpeg", 4_000_001)])),
        [ProblemCode::ImageTooBig]
    );
}

#[test]
fn threads_counts_emoji_as_bytes() {
    let t = ComposeNetwork::Threads;
    let options = Options::default();
    // 496 letters + one 4-byte emoji = 500.
    let at_limit = format!("{}🎉", "a".repeat(496));
    assert_eq!(length(t, &at_limit, &options).used, 500);
    assert!(codes(t, &text(&at_limit)).is_empty());
    assert_eq!(
        codes(t, &text(&format!("a{at_limit}"))),
        [ProblemCode::TextTooLong]
    );
    assert_eq!(length(t, &"é".repeat(500), &options).used, 500);
}

#[test]
fn tiktok_requires_a_video() {
    let t = ComposeNetwork::Tiktok;
    assert_eq!(codes(t, &text("Caption")), [ProblemCode::VideoRequired]);
    assert_eq!(
        codes(t, &with_media("", vec![image("image/jpeg", 10)])),
        [ProblemCode::VideoRequired, ProblemCode::TooManyImages]
    );
    let clip = || vec![video("video/mp4", 10, 600.0)];
    assert!(codes(t, &with_media(&"a".repeat(2_200), clip())).is_empty());
    assert_eq!(
        codes(t, &with_media(&"a".repeat(2_201), clip())),
        [ProblemCode::TextTooLong]
    );
    let creator = Options {
        tiktok_max_video_secs: Some(180),
        ..Options::default()
    };
    let problems = validate(t, &with_media("", clip()), &creator);
    assert_eq!(problems[0].code, ProblemCode::VideoTooLong);
    assert_eq!(
        (problems[0].limit, problems[0].actual),
        (Some(180), Some(600))
    );
    let comment = Draft {
        first_comment: Some("Lien en bio".to_owned()),
        ..with_media("", clip())
    };
    let problems = validate(t, &comment, &Options::default());
    assert_eq!(problems[0].code, ProblemCode::FirstCommentUnsupported);
    assert_eq!(problems[0].severity, Severity::Warning);
}

#[test]
fn youtube_title_description_and_video() {
    let y = ComposeNetwork::Youtube;
    let clip = || vec![video("video/x-matroska", 10, 60.0)];
    let ok = Draft {
        title: Some("é".repeat(100)),
        // 2,500 two-byte letters = 5,000 bytes.
        text: "é".repeat(2_500),
        media: clip(),
        ..Draft::default()
    };
    assert!(codes(y, &ok).is_empty());
    let over = Draft {
        title: Some("é".repeat(101)),
        text: format!("{}a", "é".repeat(2_500)),
        ..ok.clone()
    };
    assert_eq!(
        codes(y, &over),
        [ProblemCode::TitleTooLong, ProblemCode::TextTooLong]
    );
    let brackets = Draft {
        title: Some("<Nouveau>".to_owned()),
        text: "a > b".to_owned(),
        ..ok
    };
    assert_eq!(
        codes(y, &brackets),
        [
            ProblemCode::ForbiddenCharacter,
            ProblemCode::ForbiddenCharacter
        ]
    );
    assert_eq!(
        codes(y, &Draft::default()),
        [ProblemCode::TitleRequired, ProblemCode::VideoRequired]
    );
}

#[test]
fn pinterest_needs_an_image_and_a_link() {
    let p = ComposeNetwork::Pinterest;
    assert_eq!(
        codes(p, &text("Idée déco")),
        [ProblemCode::ImageRequired, ProblemCode::LinkRequired]
    );
    let pin = Draft {
        title: Some("t".repeat(100)),
        text: "d".repeat(500),
        media: vec![image("image/png", 20_000_000)],
        link: Some("https://boutique.fr/vase".to_owned()),
        ..Draft::default()
    };
    assert!(codes(p, &pin).is_empty());
    let over = Draft {
        title: Some("t".repeat(101)),
        text: "d".repeat(501),
        link: Some("boutique.fr/vase".to_owned()),
        ..pin
    };
    assert_eq!(
        codes(p, &over),
        [
            ProblemCode::TitleTooLong,
            ProblemCode::TextTooLong,
            ProblemCode::LinkInvalid
        ]
    );
}

#[test]
fn first_comments_by_network() {
    let draft = Draft {
        text: "Post".to_owned(),
        media: vec![image("image/jpeg", 10), video("video/mp4", 10, 10.0)],
        first_comment: Some("Le lien : https://tribune.fr".to_owned()),
        ..Draft::default()
    };
    for network in [ComposeNetwork::Bluesky, ComposeNetwork::Mastodon] {
        let problems = validate(network, &draft, &Options::default());
        assert!(
            problems.iter().all(|p| p.field != Field::FirstComment),
            "{network}"
        );
    }
    let self_reply = Draft {
        first_comment: Some("a".repeat(301)),
        ..text("Post")
    };
    assert_eq!(
        codes(ComposeNetwork::Bluesky, &self_reply),
        [ProblemCode::FirstCommentTooLong]
    );
}

#[test]
fn every_network_accepts_a_plausible_post() {
    let mut draft = Draft {
        title: Some("Nouveautés du printemps".to_owned()),
        text: "Découvrez notre collection de printemps ! #printemps".to_owned(),
        link: Some("https://boutique.fr/printemps".to_owned()),
        ..Draft::default()
    };
    for network in ComposeNetwork::ALL {
        draft.media = match network {
            ComposeNetwork::Tiktok | ComposeNetwork::Youtube => {
                vec![video("video/mp4", 10_000_000, 45.0)]
            }
            _ => vec![image("image/jpeg", 500_000)],
        };
        let errors: Vec<_> = validate(network, &draft, &Options::default())
            .into_iter()
            .filter(|p| p.is_error())
            .collect();
        assert!(errors.is_empty(), "{network}: {errors:?}");
    }
}
