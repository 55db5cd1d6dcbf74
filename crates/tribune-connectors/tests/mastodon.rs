//! The Mastodon connector: end to end against the local peer (mastodon-mock 0.6.1, started by
//! scripts/peers/start.sh), then wiremock cases built from the Mastodon API documentation's
//! examples (tests/fixtures/mastodon/) for what the mock cannot show.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tribune_connectors::http::{HttpClient, HttpConfig};
use tribune_connectors::mastodon::{
    AppRegistration, MastodonConnector, MediaPoll, Pkce, authorize_url, exchange_code, register_app,
};
use tribune_connectors::rate::RateGate;
use tribune_connectors::{
    Capability, Connector, ConnectorContext, Credentials, Cursor, ErrorKind, ImageInput, InboxKind,
    Metric, PostRequest, RemoteRef, Secret,
};
use url::Url;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PEER_URL: &str = "TRIBUNE_TEST_MASTODON_URL";
const PEER_TOKEN: &str = "TRIBUNE_TEST_MASTODON_TOKEN";
const PEER_OTHER_TOKEN: &str = "TRIBUNE_TEST_MASTODON_OTHER_TOKEN";

fn connector_with(http: HttpClient, instance: &str, token: &str) -> MastodonConnector {
    let credentials = Credentials::Mastodon {
        instance: instance.to_string(),
        access_token: Secret(token.to_string()),
    };
    let ctx = ConnectorContext {
        http,
        rate_limited_until: None,
    };
    MastodonConnector::new(&credentials, &ctx)
        .unwrap()
        .with_media_poll(MediaPoll {
            attempts: 4,
            interval: Duration::from_millis(10),
        })
}

fn connector(instance: &str, token: &str) -> MastodonConnector {
    connector_with(common::http(), instance, token)
}

fn post(key: &str, text: &str) -> PostRequest {
    PostRequest {
        idempotency_key: key.to_string(),
        created_at: 1_800_000_000,
        text: text.to_string(),
        ..PostRequest::default()
    }
}

fn png(alt: &str) -> ImageInput {
    ImageInput {
        bytes: common::PNG_1X1.to_vec(),
        mime: "image/png".into(),
        alt: alt.into(),
    }
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/mastodon/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Against the local peer.
// ---------------------------------------------------------------------------------------------

/// A raw authenticated GET on the peer, to check what the connector did from the outside.
async fn peer_get(base: &str, token: &str, p: &str) -> (u16, Value) {
    let http = common::http();
    let request = http
        .request(Method::GET, Url::parse(&format!("{base}{p}")).unwrap())
        .bearer_auth(token);
    let response = http
        .send_raw(request, &RateGate::default(), true)
        .await
        .unwrap();
    let body = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status.as_u16(), body)
}

/// Registers a fault on the mock (its `/api/v1/_mock/faults` control plane).
async fn inject_fault(base: &str, rule: Value) {
    let http = common::http();
    let request = http
        .request(
            Method::POST,
            Url::parse(&format!("{base}/api/v1/_mock/faults")).unwrap(),
        )
        .json(&rule);
    http.send(request, &RateGate::default()).await.unwrap();
}

/// How many of the account's statuses contain `marker`.
async fn statuses_containing(base: &str, token: &str, account_id: &str, marker: &str) -> usize {
    let (_, list) = peer_get(
        base,
        token,
        &format!("/api/v1/accounts/{account_id}/statuses?limit=40"),
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .filter(|s| s["content"].as_str().unwrap_or("").contains(marker))
        .count()
}

#[tokio::test]
async fn end_to_end_against_the_local_mastodon_peer() {
    let Some(base) = common::peer(PEER_URL) else {
        return;
    };
    let token = common::peer(PEER_TOKEN).unwrap();
    let friend_token = common::peer(PEER_OTHER_TOKEN).unwrap();
    let masto = connector(&base, &token);
    let friend = connector(&base, &friend_token);

    // Connect.
    let profile = masto.verify().await.unwrap();
    assert!(profile.handle.starts_with("testuser@"), "{profile:?}");
    let my_id = profile.remote_id.split('@').next().unwrap().to_string();
    let host = Url::parse(&base).unwrap().host_str().unwrap().to_string();
    assert!(
        profile.remote_id.ends_with(&format!("@{host}")),
        "{profile:?}"
    );
    assert!(masto.capabilities().contains(Capability::PublishImage));
    let limits = masto.limits().await.unwrap();
    assert_eq!(limits.max_characters, 500);

    // Start the inbox from now: whatever earlier runs left is behind the cursor.
    let start = masto.fetch_inbox(None).await.unwrap();

    // Publish text, with a link appended for the preview card.
    let tag = common::unique("m");
    let mut first = post(&format!("{tag}-1"), &format!("Hello from tribune {tag}"));
    first.link = Some("https://example.org/article".into());
    let published = masto.publish(&first).await.unwrap();
    assert!(published.url.is_some());
    let (_, status) = peer_get(
        &base,
        &token,
        &format!("/api/v1/statuses/{}", published.remote_ref.0),
    )
    .await;
    assert!(
        status["content"]
            .as_str()
            .unwrap()
            .contains("https://example.org/article"),
        "{status}"
    );

    // Same key again: the instance answers with the same status, nothing new is posted.
    let again = masto.publish(&first).await.unwrap();
    assert_eq!(again.remote_ref, published.remote_ref);
    assert_eq!(
        statuses_containing(&base, &token, &my_id, &format!("tribune {tag}")).await,
        1
    );

    // An image with its alt text.
    let mut with_image = post(&format!("{tag}-2"), &format!("A picture {tag}"));
    with_image.images = vec![png("A single red pixel")];
    let image_post = masto.publish(&with_image).await.unwrap();
    let (_, status) = peer_get(
        &base,
        &token,
        &format!("/api/v1/statuses/{}", image_post.remote_ref.0),
    )
    .await;
    assert_eq!(
        status["media_attachments"][0]["description"], "A single red pixel",
        "{status}"
    );

    // A video with its description (the mock answers 200 at once, like Pleroma or
    // GoToSocial; the 202-and-poll path of Mastodon is the wiremock test below).
    let mut with_video = post(&format!("{tag}-v"), &format!("A clip {tag}"));
    with_video.videos = vec![common::video("A cat jumps onto a table")];
    let video_post = masto.publish(&with_video).await.unwrap();
    let (_, status) = peer_get(
        &base,
        &token,
        &format!("/api/v1/statuses/{}", video_post.remote_ref.0),
    )
    .await;
    let attachment = &status["media_attachments"][0];
    assert_eq!(attachment["type"], "video", "{status}");
    assert_eq!(attachment["description"], "A cat jumps onto a table");
    // The mock lists video/mp4 only: a MOV is refused before anything is uploaded.
    let mut mov = post(&format!("{tag}-mov"), "mov");
    mov.videos = vec![tribune_connectors::VideoInput {
        mime: "video/quicktime".into(),
        ..common::video("")
    }];
    let err = masto.publish(&mov).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err:?}");
    assert!(err.message.contains("video/quicktime"), "{err:?}");

    // A thread: the account replies to its own post.
    let mut second = post(&format!("{tag}-3"), &format!("And a follow-up {tag}"));
    second.reply_to = Some(published.remote_ref.clone());
    let threaded = masto.publish(&second).await.unwrap();
    let (_, context) = peer_get(
        &base,
        &token,
        &format!("/api/v1/statuses/{}/context", published.remote_ref.0),
    )
    .await;
    let descendants: Vec<&str> = context["descendants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        descendants.contains(&threaded.remote_ref.0.as_str()),
        "{context}"
    );

    // Someone replies to the post, mentions the account elsewhere, and sends a DM.
    let mut reply = post(
        &format!("{tag}-r"),
        &format!("@testuser <script>alert(1)</script> Nice post {tag}"),
    );
    reply.reply_to = Some(published.remote_ref.clone());
    let reply = friend.publish(&reply).await.unwrap();
    let mention = friend
        .publish(&post(
            &format!("{tag}-m"),
            &format!("Look, @testuser is here {tag}"),
        ))
        .await
        .unwrap();
    let http = common::http();
    let dm = http
        .request(
            Method::POST,
            Url::parse(&format!("{base}/api/v1/statuses")).unwrap(),
        )
        .bearer_auth(&friend_token)
        .form(&[
            ("status", format!("@testuser just between us {tag}")),
            ("visibility", "direct".into()),
        ]);
    let dm: Value = http
        .send(dm, &RateGate::default())
        .await
        .unwrap()
        .json()
        .unwrap();
    let fetched = masto.fetch_inbox(start.cursor.as_ref()).await.unwrap();
    let mine: Vec<_> = fetched
        .items
        .iter()
        .filter(|i| i.text.contains(&tag))
        .collect();
    // The reply, the mention and the direct message.
    assert_eq!(mine.len(), 3, "{:#?}", fetched.items);
    let private = mine
        .iter()
        .find(|i| i.remote_ref.0 == dm["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(private.kind, InboxKind::Message, "{private:?}");
    let comment = mine
        .iter()
        .find(|i| i.remote_ref == reply.remote_ref)
        .unwrap();
    assert_eq!(comment.kind, InboxKind::Comment);
    assert_eq!(comment.in_reply_to.as_ref(), Some(&published.remote_ref));
    assert!(comment.author.handle.starts_with("friend@"), "{comment:?}");
    // The instance escaped the markup: it reads as text and stays inert in the HTML.
    assert!(
        comment.text.contains("<script>alert(1)</script> Nice post"),
        "{comment:?}"
    );
    assert!(
        !comment.html.as_deref().unwrap().contains("<script"),
        "{comment:?}"
    );
    let other = mine
        .iter()
        .find(|i| i.remote_ref == mention.remote_ref)
        .unwrap();
    assert_eq!(other.kind, InboxKind::Mention);
    // With the new cursor, nothing is new.
    let later = masto.fetch_inbox(fetched.cursor.as_ref()).await.unwrap();
    assert!(later.items.is_empty(), "{:#?}", later.items);
    assert_eq!(later.cursor, fetched.cursor);

    // Reply to the comment from the inbox.
    let answer = masto
        .reply(
            &comment.remote_ref,
            post(&format!("{tag}-a"), "@friend Thanks!"),
        )
        .await
        .unwrap();
    let (_, status) = peer_get(
        &base,
        &token,
        &format!("/api/v1/statuses/{}", answer.remote_ref.0),
    )
    .await;
    assert_eq!(status["in_reply_to_id"], comment.remote_ref.0.as_str());
    assert_eq!(status["visibility"], "public");

    // The direct message is answered privately: only the accounts named see the answer.
    let mut private_answer = post(&format!("{tag}-d"), "@friend Between us, yes.");
    private_answer.private = true;
    let answer = masto
        .reply(&private.remote_ref, private_answer)
        .await
        .unwrap();
    let (_, status) = peer_get(
        &base,
        &token,
        &format!("/api/v1/statuses/{}", answer.remote_ref.0),
    )
    .await;
    assert_eq!(status["visibility"], "direct", "{status}");
    assert_eq!(status["in_reply_to_id"], private.remote_ref.0.as_str());

    // Metrics: a like and the reply show up.
    let like = http
        .request(
            Method::POST,
            Url::parse(&format!(
                "{base}/api/v1/statuses/{}/favourite",
                published.remote_ref.0
            ))
            .unwrap(),
        )
        .bearer_auth(&friend_token);
    http.send(like, &RateGate::default()).await.unwrap();
    let metrics = masto.post_metrics(&published.remote_ref).await.unwrap();
    assert_eq!(metrics.get(Metric::Likes), Some(1));
    assert!(metrics.get(Metric::Replies).unwrap() >= 1, "{metrics:?}");
    assert_eq!(metrics.get(Metric::Reposts), Some(0));
    let account = masto.account_metrics().await.unwrap();
    assert!(account.get(Metric::Posts).unwrap() >= 4, "{account:?}");
    assert!(account.get(Metric::Followers).is_some());

    // A 503 on the status POST: the client retries with the same key, one status results.
    inject_fault(&base, json!({"match": {"methods": ["POST"], "path": "/api/v1/statuses"}, "effect": {"type": "status", "status": 503}, "count": 1})).await;
    let retried = masto
        .publish(&post(&format!("{tag}-5"), &format!("After a 503 {tag}")))
        .await
        .unwrap();
    assert_eq!(
        statuses_containing(&base, &token, &my_id, &format!("After a 503 {tag}")).await,
        1
    );
    assert!(!retried.remote_ref.0.is_empty());

    // A lost answer: the instance is slow, the client times out and retries while the first
    // request is still being handled. The key makes both land on one status.
    let impatient = connector_with(
        HttpClient::new(HttpConfig {
            allow_http: true,
            timeout: Duration::from_millis(700),
            backoff: Duration::from_millis(20),
            ..HttpConfig::default()
        })
        .unwrap(),
        &base,
        &token,
    );
    inject_fault(&base, json!({"match": {"methods": ["POST"], "path": "/api/v1/statuses"}, "effect": {"type": "latency", "delay_ms": 1200}, "count": 1})).await;
    let fault_at = Instant::now();
    let slow_text = format!("Slow instance {tag}");
    impatient
        .publish(&post(&format!("{tag}-6"), &slow_text))
        .await
        .unwrap();
    // The delayed first request lands ~1.2 s after the fault: watch until well past it.
    while fault_at.elapsed() < Duration::from_millis(2500) {
        assert!(statuses_containing(&base, &token, &my_id, &slow_text).await <= 1);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        statuses_containing(&base, &token, &my_id, &slow_text).await,
        1
    );

    // Rate limited: a 429 closes the gate; the next call does not reach the instance (the
    // fault fires once, so reaching it would succeed).
    let metrics_path = format!("/api/v1/statuses/{}", image_post.remote_ref.0);
    inject_fault(&base, json!({"match": {"methods": ["GET"], "path": metrics_path}, "effect": {"type": "ratelimit"}, "count": 1})).await;
    let limited = connector(&base, &token);
    let err = limited
        .post_metrics(&image_post.remote_ref)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err:?}");
    let err = limited
        .post_metrics(&image_post.remote_ref)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert!(
        limited
            .rate_gate()
            .closed_until(jiff::Timestamp::now().as_second())
            .is_some()
    );

    // Delete, and deleting again is fine.
    for r in [
        &answer.remote_ref,
        &threaded.remote_ref,
        &image_post.remote_ref,
        &published.remote_ref,
        &retried.remote_ref,
    ] {
        masto.delete_post(r).await.unwrap();
    }
    let (code, _) = peer_get(
        &base,
        &token,
        &format!("/api/v1/statuses/{}", published.remote_ref.0),
    )
    .await;
    assert_eq!(code, 404);
    masto.delete_post(&published.remote_ref).await.unwrap();
    let gone = masto.post_metrics(&published.remote_ref).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::Permanent);
}

#[tokio::test]
async fn the_peer_announces_its_status_limits() {
    let (Some(base), Some(token)) = (common::peer(PEER_URL), common::peer(PEER_TOKEN)) else {
        return;
    };
    let connector = connector(&base, &token);
    connector.verify().await.unwrap();
    let limits = connector.status_limits().await.unwrap().unwrap();
    // mastodon-mock answers v2 with Mastodon's own figures.
    assert_eq!(limits.max_characters, Some(500));
    assert_eq!(limits.characters_reserved_per_url, Some(23));
    assert_eq!(limits.max_media_attachments, Some(4));
}

#[tokio::test]
async fn a_wrong_token_on_the_peer_is_an_auth_error() {
    let Some(base) = common::peer(PEER_URL) else {
        return;
    };
    let err = connector(&base, "not-a-token").verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
    assert!(err.breaks_channel());
}

#[tokio::test]
async fn the_oauth_flow_connects_an_account_on_the_peer() {
    let Some(base) = common::peer(PEER_URL) else {
        return;
    };
    let http = common::http();
    let instance = http.base_url(&base).unwrap();
    let redirect = "http://tribune.test/channels/mastodon/callback";
    let app = register_app(
        &http,
        &instance,
        redirect,
        "tribune tests",
        Some("https://tribune.test"),
    )
    .await
    .unwrap();
    let pkce = Pkce::generate();
    let url = authorize_url(&instance, &app, redirect, "state-123", &pkce.challenge).unwrap();
    assert_eq!(url.path(), "/oauth/authorize");

    // The CM picks their account on the mock's authorize page; it redirects with the code.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(url.clone()).send().await.unwrap();
    assert!(page.status().is_success());
    let answer = browser
        .post(format!("{base}/oauth/authorize"))
        .form(&[
            ("username", "testuser"),
            ("redirect_uri", redirect),
            ("client_id", app.client_id.as_str()),
            ("state", "state-123"),
        ])
        .send()
        .await
        .unwrap();
    let location = Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "state-123");

    let token = exchange_code(&http, &instance, &app, &q["code"], redirect, &pkce.verifier)
        .await
        .unwrap();
    let profile = connector(&base, token.expose()).verify().await.unwrap();
    assert!(profile.handle.starts_with("testuser@"));

    let err = exchange_code(&http, &instance, &app, "bogus", redirect, &pkce.verifier)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// wiremock, with fixtures from the Mastodon API documentation.
// ---------------------------------------------------------------------------------------------

async fn mock_instance(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("instance_v2.json")))
        .mount(server)
        .await;
}

async fn mock_me(server: &MockServer, account: Value) {
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(account))
        .mount(server)
        .await;
}

#[tokio::test]
async fn verify_describes_the_account_with_its_instance_domain() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    mock_me(&server, fixture("account.json")).await;
    let profile = connector(&server.uri(), "t").verify().await.unwrap();
    assert_eq!(profile.remote_id, "14715@127.0.0.1");
    // `acct` of a local account has no host: the instance's domain completes it.
    assert_eq!(profile.handle, "trwnh@mastodon.social");
    assert_eq!(profile.display_name, "infinite love ⴳ");
    assert!(
        profile
            .avatar_url
            .unwrap()
            .starts_with("https://files.mastodon.social/")
    );
}

#[tokio::test]
async fn hostile_names_stay_plain_bounded_text_and_bad_urls_are_dropped() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    let mut account = fixture("account.json");
    account["display_name"] = json!(format!(
        "<script>alert(1)</script>\u{1b}[31m{}",
        "x".repeat(10_000)
    ));
    account["avatar"] = json!("javascript:alert(1)");
    account["url"] = json!("data:text/html,<script>alert(1)</script>");
    mock_me(&server, account).await;
    let profile = connector(&server.uri(), "t").verify().await.unwrap();
    assert!(profile.display_name.chars().count() <= 200);
    assert!(
        profile.display_name.starts_with("<script>"),
        "kept as text, escaped when shown"
    );
    assert!(!profile.display_name.contains('\u{1b}'));
    assert_eq!(profile.avatar_url, None);
    assert_eq!(profile.profile_url, None);
}

#[tokio::test]
async fn instance_limits_come_from_v2_then_v1_then_mastodon_defaults() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"uri": "old.example", "configuration": {"statuses": {"max_characters": 5000, "max_media_attachments": 6}}})))
        .mount(&server)
        .await;
    let limits = connector(&server.uri(), "t").limits().await.unwrap();
    assert_eq!(
        (limits.max_characters, limits.max_media_attachments),
        (5000, 6)
    );
    assert_eq!(limits.domain.as_deref(), Some("old.example"));

    let bare = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&bare)
        .await;
    let limits = connector(&bare.uri(), "t").limits().await.unwrap();
    assert_eq!(
        (limits.max_characters, limits.max_media_attachments),
        (500, 4)
    );
}

/// An instance answering `v2` and `v1` (`None`: 404) to the instance description.
async fn instance_answering(
    v2: Option<ResponseTemplate>,
    v1: Option<ResponseTemplate>,
) -> MockServer {
    let server = MockServer::start().await;
    for (version, answer) in [("v2", v2), ("v1", v1)] {
        Mock::given(method("GET"))
            .and(path(format!("/api/{version}/instance")))
            .respond_with(answer.unwrap_or_else(|| ResponseTemplate::new(404)))
            .mount(&server)
            .await;
    }
    mock_me(&server, fixture("account.json")).await;
    server
}

/// What connecting would store: the limits read when the account is verified.
async fn announced(server: &MockServer) -> tribune_connectors::StatusLimits {
    let connector = connector(&server.uri(), "t");
    connector.verify().await.unwrap();
    connector.status_limits().await.unwrap().unwrap()
}

#[tokio::test]
async fn status_limits_are_read_from_v2() {
    let mut v2 = fixture("instance_v2.json");
    v2["configuration"]["statuses"] = json!({"max_characters": 5000, "characters_reserved_per_url": 30, "max_media_attachments": 8});
    let server = instance_answering(Some(ResponseTemplate::new(200).set_body_json(v2)), None).await;
    let limits = announced(&server).await;
    assert_eq!(limits.max_characters, Some(5000));
    assert_eq!(limits.characters_reserved_per_url, Some(30));
    assert_eq!(limits.max_media_attachments, Some(8));
    // Read once: verify and the question after it made one request to v2, none to v1.
    let requests = server.received_requests().await.unwrap();
    let instance_calls: Vec<String> = requests
        .iter()
        .map(|r| r.url.path().to_string())
        .filter(|p| p.ends_with("/instance"))
        .collect();
    assert_eq!(instance_calls, ["/api/v2/instance"]);
}

#[tokio::test]
async fn status_limits_fall_back_to_v1_when_v2_is_missing_or_says_nothing() {
    let v1 = json!({"uri": "old.example", "configuration": {"statuses": {"max_characters": 1000, "max_media_attachments": 4, "characters_reserved_per_url": 23}}});
    let only_v1 = instance_answering(
        None,
        Some(ResponseTemplate::new(200).set_body_json(v1.clone())),
    )
    .await;
    assert_eq!(announced(&only_v1).await.max_characters, Some(1000));
    let empty_v2 = instance_answering(
        Some(ResponseTemplate::new(200).set_body_json(json!({"domain": "new.example"}))),
        Some(ResponseTemplate::new(200).set_body_json(v1)),
    )
    .await;
    let connector = connector(&empty_v2.uri(), "t");
    let limits = connector.limits().await.unwrap();
    assert_eq!(limits.max_characters, 1000);
    assert_eq!(limits.domain.as_deref(), Some("old.example"));
}

#[tokio::test]
async fn pleroma_max_toot_chars_is_read_from_v1() {
    let pleroma =
        json!({"uri": "https://pleroma.example", "max_toot_chars": 5000, "configuration": null});
    let server = instance_answering(
        None,
        Some(ResponseTemplate::new(200).set_body_json(pleroma)),
    )
    .await;
    let limits = announced(&server).await;
    assert_eq!(limits.max_characters, Some(5000));
    assert_eq!(limits.max_media_attachments, None);
}

#[tokio::test]
async fn garbage_instance_descriptions_give_no_limits_and_keep_the_channel() {
    let cases = [
        ResponseTemplate::new(200).set_body_string("<html>not json</html>"),
        ResponseTemplate::new(200).set_body_json(json!([1, 2, 3])),
        ResponseTemplate::new(200).set_body_json(json!({"configuration": {"statuses": {
            "max_characters": -1, "characters_reserved_per_url": "lots", "max_media_attachments": 1e9
        }}, "max_toot_chars": 999_999_999})),
        ResponseTemplate::new(200).set_body_json(json!({"configuration": {"statuses": {"max_characters": 100_001}}})),
    ];
    for answer in cases {
        let server = instance_answering(Some(answer.clone()), Some(answer)).await;
        let connector = connector(&server.uri(), "t");
        assert_eq!(connector.verify().await.unwrap().handle, "trwnh@127.0.0.1");
        assert_eq!(
            connector.status_limits().await.unwrap(),
            Some(tribune_connectors::StatusLimits::default())
        );
        assert_eq!(connector.limits().await.unwrap().max_characters, 500);
    }
}

#[tokio::test]
async fn publish_waits_for_image_processing_and_sends_the_idempotency_key() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v2/media"))
        // Multipart with binary image bytes: matched on bytes, not as a UTF-8 string.
        .and(|r: &wiremock::Request| {
            let has = |needle: &[u8]| r.body.windows(needle.len()).any(|w| w == needle);
            has(b"name=\"description\"") && has(b"A red pixel, alt text") && has(b"name=\"file\"")
        })
        .respond_with(ResponseTemplate::new(202).set_body_json(fixture("media_processing.json")))
        .expect(1)
        .mount(&server)
        .await;
    // Still processing once (206), then ready.
    Mock::given(method("GET"))
        .and(path("/api/v1/media/22348641"))
        .respond_with(ResponseTemplate::new(206).set_body_json(fixture("media_processing.json")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/media/22348641"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("media.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(header("Idempotency-Key", "post-42"))
        .and(header("authorization", "Bearer tok"))
        .and(body_string_contains("media_ids%5B%5D=22348641"))
        .and(body_string_contains("in_reply_to_id=103186075217296344"))
        .and(body_string_contains("visibility=public"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("status.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = post("post-42", "Hello");
    request.images = vec![png("A red pixel, alt text")];
    request.reply_to = Some(RemoteRef("103186075217296344".into()));
    let published = connector(&server.uri(), "tok")
        .publish(&request)
        .await
        .unwrap();
    assert_eq!(published.remote_ref.0, "103270115826048975");
    assert_eq!(
        published.url.as_deref(),
        Some("https://mastodon.social/@Gargron/103270115826048975")
    );
    server.verify().await;
}

#[tokio::test]
async fn an_image_never_processed_is_a_transient_error() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v2/media"))
        .respond_with(ResponseTemplate::new(202).set_body_json(fixture("media_processing.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/media/22348641"))
        .respond_with(ResponseTemplate::new(206).set_body_json(fixture("media_processing.json")))
        .expect(4)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let mut request = post("k", "x");
    request.images = vec![png("alt")];
    let err = connector(&server.uri(), "t")
        .publish(&request)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err:?}");
    server.verify().await;
}

/// Mastodon transcodes a video: `202` without a `url`, `206` while processing, then `200`.
/// The status waits for it, carries its id and the post's key.
#[tokio::test]
async fn a_video_is_waited_for_then_posted_with_the_key() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v2/media"))
        .respond_with(ResponseTemplate::new(202).set_body_json(fixture("video_processing.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/media/22348642"))
        .respond_with(ResponseTemplate::new(206).set_body_json(fixture("video_processing.json")))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/media/22348642"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("video.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(header("Idempotency-Key", "video-1"))
        .and(body_string_contains("media_ids%5B%5D=22348642"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("status.json")))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = post("video-1", "Watch");
    request.videos = vec![common::video("A cat jumps onto a table")];
    let published = connector(&server.uri(), "tok")
        .with_video_poll(MediaPoll {
            attempts: 5,
            interval: Duration::from_millis(10),
        })
        .publish(&request)
        .await
        .unwrap();
    assert_eq!(published.remote_ref.0, "103270115826048975");
    server.verify().await;
    // The upload is the file as given, typed, with its description.
    let requests = server.received_requests().await.unwrap();
    let upload = requests
        .iter()
        .find(|r| r.url.path() == "/api/v2/media")
        .unwrap();
    let has = |needle: &[u8]| upload.body.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"Content-Type: video/mp4"));
    assert!(has(b"filename=\"video.mp4\""));
    assert!(has(b"A cat jumps onto a table"));
    assert!(has(&common::tiny_mp4()));
}

/// A video the instance could not process (`422` on the media) is refused for good; one still
/// processing when the wait ends is transient. Neither posts a status without its video.
#[tokio::test]
async fn a_video_that_fails_or_never_finishes_processing_posts_nothing() {
    for (status, kind) in [(422, ErrorKind::Permanent), (206, ErrorKind::Transient)] {
        let server = MockServer::start().await;
        mock_instance(&server).await;
        Mock::given(method("POST"))
            .and(path("/api/v2/media"))
            .respond_with(
                ResponseTemplate::new(202).set_body_json(fixture("video_processing.json")),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/media/22348642"))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(fixture("video_processing.json")),
            )
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/v1/statuses"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let mut request = post("k", "x");
        request.videos = vec![common::video("alt")];
        let err = connector(&server.uri(), "t")
            .with_video_poll(MediaPoll {
                attempts: 3,
                interval: Duration::from_millis(10),
            })
            .publish(&request)
            .await
            .unwrap_err();
        assert_eq!(err.kind, kind, "{status}: {err:?}");
        server.verify().await;
    }
}

/// A video over the instance's announced `video_size_limit` is refused before any upload.
#[tokio::test]
async fn a_video_over_the_instance_limit_is_refused_before_uploading() {
    let server = MockServer::start().await;
    let mut instance = fixture("instance_v2.json");
    instance["configuration"]["media_attachments"]["video_size_limit"] = json!(1000);
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(instance))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/media"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let mut request = post("k", "x");
    request.videos = vec![common::video("alt")];
    let err = connector(&server.uri(), "t")
        .publish(&request)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err:?}");
    server.verify().await;
}

#[tokio::test]
async fn instances_without_media_v2_get_v1() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v2/media"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/media"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("media.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("status.json")))
        .mount(&server)
        .await;
    let mut request = post("k", "x");
    request.images = vec![png("alt")];
    connector(&server.uri(), "t")
        .publish(&request)
        .await
        .unwrap();
    server.verify().await;
}

#[tokio::test]
async fn a_retried_status_post_carries_the_same_key() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(header("Idempotency-Key", "same"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .and(header("Idempotency-Key", "same"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("status.json")))
        .expect(1)
        .mount(&server)
        .await;
    connector(&server.uri(), "t")
        .publish(&post("same", "x"))
        .await
        .unwrap();
    server.verify().await;
}

#[tokio::test]
async fn posts_the_instance_would_refuse_are_refused_before_any_upload() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let masto = connector(&server.uri(), "t");
    let mut long = post("k", &"x".repeat(501));
    long.images = vec![png("alt")];
    let err = masto.publish(&long).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("500"), "{err}");
    let mut many = post("k", "x");
    many.images = vec![png("a"); 5];
    assert_eq!(
        masto.publish(&many).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    // A long link counts as 23 characters, as on Mastodon.
    assert!(
        masto
            .limits()
            .await
            .unwrap()
            .check(
                &format!(
                    "{} https://example.org/{}",
                    "x".repeat(470),
                    "y".repeat(200)
                ),
                &[],
                &[]
            )
            .is_ok()
    );
    assert_eq!(
        masto.publish(&post("", "x")).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    server.verify().await;
}

#[tokio::test]
async fn validation_errors_are_permanent_with_the_instances_message() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(422).set_body_json(fixture("error_validation.json")))
        .mount(&server)
        .await;
    let err = connector(&server.uri(), "t")
        .publish(&post("k", "x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent);
    assert_eq!(
        err.message,
        "Validation failed: Text character limit of 500 exceeded"
    );
}

#[tokio::test]
async fn a_token_without_the_write_scope_needs_a_reconnect() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/statuses"))
        .respond_with(ResponseTemplate::new(403).set_body_json(fixture("error_scope.json")))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": "This action is not allowed"})),
        )
        .mount(&server)
        .await;
    let masto = connector(&server.uri(), "t");
    let err = masto.publish(&post("k", "x")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
    assert!(err.message.contains("outside the authorized scopes"));
    // Any other 403 is a refusal of this action, not of the credentials.
    let err = masto.delete_post(&RemoteRef("1".into())).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent);
}

/// An instance whose `verify_credentials` answers `status`, as servers other than Mastodon
/// answer a revoked token.
async fn refusing_instance(status: u16) -> MockServer {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(
            ResponseTemplate::new(status).set_body_json(json!({"error": "Invalid token"})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn on_verify_a_revoked_token_is_auth_whatever_4xx_the_server_answers() {
    // Mastodon 401; Pleroma and Akkoma 403; GoToSocial and others 400 or 422.
    for status in [400, 401, 403, 404, 422] {
        let err = connector(&refusing_instance(status).await.uri(), "t")
            .verify()
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{status}: {err:?}");
        assert!(err.breaks_channel());
        assert_eq!(
            err.network_message.as_deref(),
            Some("Invalid token"),
            "{status}"
        );
    }
    let err = connector(&refusing_instance(429).await.uri(), "t")
        .verify()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err:?}");
    let err = connector(&refusing_instance(503).await.uri(), "t")
        .verify()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err:?}");
    assert!(!err.breaks_channel());
}

#[tokio::test]
async fn on_verify_a_missing_instance_description_is_no_refusal_but_a_refused_one_is() {
    let server = MockServer::start().await;
    mock_me(&server, fixture("account.json")).await;
    for version in ["v2", "v1"] {
        Mock::given(method("GET"))
            .and(path(format!("/api/{version}/instance")))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
    }
    let profile = connector(&server.uri(), "t").verify().await.unwrap();
    // No instance description: the API host completes the handle.
    assert!(profile.handle.ends_with("@127.0.0.1"), "{}", profile.handle);

    let server = MockServer::start().await;
    mock_me(&server, fixture("account.json")).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"error": "Token revoked"})))
        .mount(&server)
        .await;
    let err = connector(&server.uri(), "t").verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
}

#[tokio::test]
async fn an_invalid_token_is_auth_and_5xx_is_transient_never_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(ResponseTemplate::new(401).set_body_json(fixture("error_invalid_token.json")))
        .mount(&server)
        .await;
    let err = connector(&server.uri(), "t").verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.message, "The access token is invalid");

    let down = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>Mastodon is down</html>"))
        .expect(3)
        .mount(&down)
        .await;
    let err = connector(&down.uri(), "t")
        .account_metrics()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient);
    assert!(!err.breaks_channel());
    down.verify().await;
}

#[tokio::test]
async fn a_429_closes_the_gate_and_later_calls_stay_off_the_network() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "600")
                .insert_header("x-ratelimit-limit", "300")
                .insert_header("x-ratelimit-remaining", "0")
                .set_body_json(json!({"error": "Too many requests"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let masto = connector(&server.uri(), "t");
    let err = masto.verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert!(err.retry_after.unwrap() > Duration::from_secs(500));
    for _ in 0..3 {
        let err = masto.fetch_inbox(None).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::RateLimited);
    }
    server.verify().await;
}

#[tokio::test]
async fn an_exhausted_window_with_an_iso_reset_closes_the_gate() {
    let server = MockServer::start().await;
    let reset = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(300);
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("account.json"))
                .insert_header("x-ratelimit-limit", "300")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let masto = connector(&server.uri(), "t");
    masto.account_metrics().await.unwrap();
    let err = masto.account_metrics().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    let until = masto
        .rate_gate()
        .closed_until(jiff::Timestamp::now().as_second())
        .unwrap();
    assert!((until - reset.as_second()).abs() <= 1);
    server.verify().await;
}

#[tokio::test]
async fn malformed_or_huge_answers_are_invalid_responses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/verify_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": \"1\", \"acct\": "))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/statuses/1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            "{{\"id\":\"1\",\"content\":\"{}\"}}",
            "a".repeat(5 * 1024 * 1024)
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/statuses/2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "../../../admin", "favourites_count": 1})),
        )
        .mount(&server)
        .await;
    let masto = connector(&server.uri(), "t");
    assert_eq!(
        masto.verify().await.unwrap_err().kind,
        ErrorKind::InvalidResponse
    );
    assert_eq!(
        masto
            .post_metrics(&RemoteRef("1".into()))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidResponse
    );
    assert_eq!(
        masto
            .post_metrics(&RemoteRef("2".into()))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidResponse
    );
    // References that are not status ids never reach a URL.
    assert_eq!(
        masto
            .delete_post(&RemoteRef("1/../../admin".into()))
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn the_inbox_sorts_replies_mentions_and_direct_messages_and_reads_on_from_its_cursor() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    mock_me(&server, fixture("account.json")).await;
    // The first read has no cursor; the next one asks for what is newer than the cursor.
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("min_id", "34975861"))
        .and(query_param("types[]", "mention"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("types[]", "mention"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("notifications.json")))
        .mount(&server)
        .await;
    let masto = connector(&server.uri(), "t");
    let page = masto.fetch_inbox(None).await.unwrap();
    assert_eq!(page.cursor, Some(Cursor("34975861".into())));
    assert_eq!(page.items.len(), 3, "{:#?}", page.items);
    // Oldest first.
    let (direct, mention, comment) = (&page.items[0], &page.items[1], &page.items[2]);
    assert_eq!(direct.kind, InboxKind::Message);
    assert_eq!(direct.remote_ref, RemoteRef("103186000000000000".into()));
    assert_eq!(comment.kind, InboxKind::Comment);
    assert_eq!(
        comment.in_reply_to,
        Some(RemoteRef("103186075217296344".into()))
    );
    assert_eq!(comment.text, "@trwnh sup!");
    assert_eq!(comment.author.handle, "zsc@mastodon.social");
    assert_eq!(comment.author.display_name, "zsc@mastodon.social");
    assert_eq!(mention.kind, InboxKind::Mention);
    assert_eq!(mention.author.handle, "Gargron@mastodon.social");
    assert_eq!(
        mention.created_at,
        "2019-11-23T07:29:18.783Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second()
    );
    assert!(mention.raw.contains("have you seen this"));

    let next = masto.fetch_inbox(page.cursor.as_ref()).await.unwrap();
    assert!(next.items.is_empty());
    assert_eq!(next.cursor, page.cursor);
    server.verify().await;
}

#[tokio::test]
async fn hostile_html_in_mentions_is_sanitised_and_odd_entries_skipped() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    mock_me(&server, fixture("account.json")).await;
    let mut notifications = fixture("notifications.json");
    notifications[0]["status"]["content"] = json!(
        r#"<p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">click</a> <img src=x onerror=alert(1)></p>"#
    );
    notifications[0]["status"]["spoiler_text"] = json!("<b>spoilers</b>");
    notifications[1]["status"]["id"] = json!({"not": "an id"});
    let extra = json!({"id": "34975999", "type": "mention", "status": null});
    notifications.as_array_mut().unwrap().insert(0, extra);
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .respond_with(ResponseTemplate::new(200).set_body_json(notifications))
        .mount(&server)
        .await;
    let page = connector(&server.uri(), "t")
        .fetch_inbox(None)
        .await
        .unwrap();
    // The hostile reply and the direct message; the others are unreadable.
    assert_eq!(page.items.len(), 2, "{:#?}", page.items);
    let item = &page.items[1];
    assert_eq!(item.kind, InboxKind::Comment);
    let html = item.html.as_deref().unwrap();
    for bad in ["script", "onclick", "javascript", "onerror", "<img"] {
        assert!(!html.contains(bad), "{bad} in {html}");
        assert!(!item.text.contains("alert(1)</"), "{}", item.text);
    }
    assert!(
        item.text.starts_with("[CW: <b>spoilers</b>]\nHi"),
        "{}",
        item.text
    );
    // The cursor moves past every entry, readable or not.
    assert_eq!(page.cursor, Some(Cursor("34975999".into())));
}

#[tokio::test]
async fn a_cursor_that_is_not_an_id_is_refused() {
    let server = MockServer::start().await;
    let err = connector(&server.uri(), "t")
        .fetch_inbox(Some(&Cursor("1&limit=9999".into())))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn deleting_a_status_already_gone_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/statuses/103270115826048975"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error": "Record not found"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    connector(&server.uri(), "t")
        .delete_post(&RemoteRef("103270115826048975".into()))
        .await
        .unwrap();
    server.verify().await;
}

#[tokio::test]
async fn metrics_come_from_the_status_and_the_account() {
    let server = MockServer::start().await;
    mock_me(&server, fixture("account.json")).await;
    Mock::given(method("GET"))
        .and(path("/api/v1/statuses/103270115826048975"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("status.json")))
        .mount(&server)
        .await;
    let masto = connector(&server.uri(), "t");
    let post = masto
        .post_metrics(&RemoteRef("103270115826048975".into()))
        .await
        .unwrap();
    assert_eq!(
        (
            post.get(Metric::Likes),
            post.get(Metric::Reposts),
            post.get(Metric::Replies)
        ),
        (Some(11), Some(6), Some(5))
    );
    let account = masto.account_metrics().await.unwrap();
    assert_eq!(
        (
            account.get(Metric::Followers),
            account.get(Metric::Following),
            account.get(Metric::Posts)
        ),
        (Some(821), Some(178), Some(33120))
    );
}

#[tokio::test]
async fn registering_the_app_and_exchanging_the_code_follow_the_documented_exchange() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps"))
        .and(body_string_contains("client_name=tribune"))
        .and(body_string_contains("scopes=read+write"))
        .and(body_string_contains(
            "redirect_uris=https%3A%2F%2Ftribune.example%2Fcb",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("app.json")))
        .expect(1)
        .mount(&server)
        .await;
    let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=the-code"))
        .and(body_string_contains(
            "code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        ))
        .and(body_string_contains(
            "client_secret=ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("token.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(fixture("error_invalid_grant.json")))
        .mount(&server)
        .await;
    let http = common::http();
    let instance = http.base_url(&server.uri()).unwrap();
    let app: AppRegistration = register_app(
        &http,
        &instance,
        "https://tribune.example/cb",
        "tribune",
        None,
    )
    .await
    .unwrap();
    assert_eq!(app.client_id, "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM");
    let token = exchange_code(
        &http,
        &instance,
        &app,
        "the-code",
        "https://tribune.example/cb",
        &pkce.verifier,
    )
    .await
    .unwrap();
    assert_eq!(
        token.expose(),
        "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
    );
    let err = exchange_code(
        &http,
        &instance,
        &app,
        "stale",
        "https://tribune.example/cb",
        &pkce.verifier,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert!(
        err.message
            .starts_with("The provided authorization grant is invalid"),
        "{err}"
    );
    server.verify().await;
}

#[tokio::test]
async fn an_app_registration_refused_by_the_instance_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps"))
        .respond_with(ResponseTemplate::new(422).set_body_json(
            json!({"error": "Validation failed: Redirect URI must be an absolute URI."}),
        ))
        .mount(&server)
        .await;
    let http = common::http();
    let instance = http.base_url(&server.uri()).unwrap();
    let err = register_app(&http, &instance, "not a uri", "tribune", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent);
    assert!(err.message.contains("Redirect URI"));
}

#[test]
fn credentials_of_another_network_or_a_bad_address_are_refused() {
    let ctx = ConnectorContext {
        http: HttpClient::new(HttpConfig::default()).unwrap(),
        rate_limited_until: None,
    };
    let wp = Credentials::WordPress {
        site: "https://blog.example".into(),
        username: "u".into(),
        app_password: Secret("p".into()),
    };
    for creds in [
        wp,
        Credentials::Mastodon {
            instance: "http://plain.example".into(),
            access_token: Secret("t".into()),
        },
        Credentials::Mastodon {
            instance: "https://m.example".into(),
            access_token: Secret("bad token\n".into()),
        },
        Credentials::Mastodon {
            instance: "https://m.example".into(),
            access_token: Secret(String::new()),
        },
    ] {
        let err = MastodonConnector::new(&creds, &ctx).err().unwrap();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{creds:?}");
    }
    let ok = Credentials::Mastodon {
        instance: "mastodon.social".into(),
        access_token: Secret("t".into()),
    };
    let masto = MastodonConnector::new(&ok, &ctx).unwrap();
    assert_eq!(masto.credentials(), ok);
    assert!(!masto.capabilities().contains(Capability::HideComment));
    assert!(!masto.capabilities().contains(Capability::DeleteComment));
}

#[tokio::test]
async fn a_busy_inbox_is_read_page_by_page_from_the_cursor() {
    let server = MockServer::start().await;
    mock_instance(&server).await;
    mock_me(&server, fixture("account.json")).await;
    // A full page (40, Mastodon's maximum), newest first as Mastodon sends it, then the rest.
    let full: Vec<Value> = (101..=140)
        .rev()
        .map(|id| json!({"id": id.to_string(), "type": "mention", "status": null}))
        .collect();
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("min_id", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(full))
        .expect(1)
        .mount(&server)
        .await;
    let mut last = fixture("notifications.json")[1].clone();
    last["id"] = json!("141");
    Mock::given(method("GET"))
        .and(path("/api/v1/notifications"))
        .and(query_param("min_id", "140"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([last])))
        .expect(1)
        .mount(&server)
        .await;
    let page = connector(&server.uri(), "t")
        .fetch_inbox(Some(&Cursor("100".into())))
        .await
        .unwrap();
    assert_eq!(page.cursor, Some(Cursor("141".into())));
    assert_eq!(page.items.len(), 1);
    server.verify().await;
}

#[tokio::test]
async fn the_notification_stream_signals_mentions_only_from_the_announced_streaming_host() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // The API on one server, the streaming host it announces on another.
    let api = MockServer::start().await;
    let streaming = MockServer::start().await;
    let mut instance = fixture("instance_v2.json");
    instance["configuration"]["urls"] = json!({
        "streaming": streaming.uri().replacen("http://", "ws://", 1)
    });
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(instance))
        .mount(&api)
        .await;
    let events = concat!(
        ":connected\n\n",
        "event: notification\n",
        "data: {\"id\":\"1\",\"type\":\"mention\",\"status\":{\"id\":\"9\"}}\n\n",
        "event: notification\r\n",
        "data: {\"id\":\"2\",\"type\":\"favourite\"}\r\n\r\n",
        ":thump\n\n",
        "event: update\n",
        "data: {\"type\":\"mention\"}\n\n",
        "event: notification\n",
        "data: not json\n\n",
        "event: notification\n",
        "data: {\"id\":\"3\",\"type\":\"mention\"}\n\n",
    );
    Mock::given(method("GET"))
        .and(path("/api/v1/streaming/user/notification"))
        .and(header("authorization", "Bearer t"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(events),
        )
        .expect(1)
        .mount(&streaming)
        .await;
    let seen = AtomicUsize::new(0);
    let on_activity = || {
        seen.fetch_add(1, Ordering::SeqCst);
    };
    connector(&api.uri(), "t")
        .watch_inbox(&on_activity, Duration::from_secs(10))
        .await
        .unwrap();
    // Two mentions: not the favourite, the timeline update, the comments or the bad line.
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    streaming.verify().await;

    // A server without the stream refuses: the caller polls only.
    let bare = MockServer::start().await;
    let mut instance = fixture("instance_v2.json");
    instance["configuration"]
        .as_object_mut()
        .unwrap()
        .remove("urls");
    Mock::given(method("GET"))
        .and(path("/api/v2/instance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(instance))
        .mount(&bare)
        .await;
    let err = connector(&bare.uri(), "t")
        .watch_inbox(&on_activity, Duration::from_secs(10))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent, "{err:?}");
}
