//! The WordPress connector: end to end against the local WordPress peer (scripts/peers/,
//! `TRIBUNE_TEST_WP_*`), and against wiremock for what a healthy peer never does (malformed or
//! hostile answers, rate limits, server errors, both REST base forms).
//!
//! The wiremock bodies follow the shapes in the WordPress REST API handbook
//! (developer.wordpress.org/rest-api/reference/) and what WordPress 6.1 answers on the peer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::Method;
use serde_json::{Value, json};
use tribune_connectors::rate::RateGate;
use tribune_connectors::wordpress::WordPressConnector;
use tribune_connectors::{
    Capability, CommentStatus, Connector, ConnectorContext, Credentials, Cursor, ErrorKind,
    ImageInput, Metric, Moderation, PostRequest, RemoteRef, Secret,
};
use wiremock::matchers::{basic_auth, body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn connector(site: &str, user: &str, password: &str) -> WordPressConnector {
    let credentials = Credentials::WordPress {
        site: site.to_string(),
        username: user.to_string(),
        app_password: Secret(password.to_string()),
    };
    let ctx = ConnectorContext {
        http: common::http(),
        rate_limited_until: None,
    };
    WordPressConnector::new(&credentials, &ctx).unwrap()
}

fn post(key: &str, text: &str) -> PostRequest {
    PostRequest {
        idempotency_key: key.to_string(),
        created_at: 1_800_000_000,
        text: text.to_string(),
        ..PostRequest::default()
    }
}

fn id_of(remote: &RemoteRef) -> u64 {
    remote.0.split_once(':').unwrap().1.parse().unwrap()
}

// ------------------------------------------------------------------ the real peer --

/// The local WordPress peer, reached directly (not through the connector) to check results
/// and to act as a visitor.
struct Peer {
    url: String,
    user: String,
    password: String,
}

impl Peer {
    fn from_env() -> Option<Peer> {
        Some(Peer {
            url: common::peer("TRIBUNE_TEST_WP_URL")?,
            user: common::peer("TRIBUNE_TEST_WP_USER")?,
            password: common::peer("TRIBUNE_TEST_WP_APP_PASSWORD")?,
        })
    }

    fn connector(&self) -> WordPressConnector {
        connector(&self.url, &self.user, &self.password)
    }

    /// Calls `/wp-json{route}`: as the admin when `auth`, else as an anonymous visitor.
    async fn call(&self, m: Method, route: &str, body: Option<Value>, auth: bool) -> (u16, Value) {
        let http = common::http();
        let url = url::Url::parse(&format!("{}/wp-json{route}", self.url)).unwrap();
        let mut request = http.request(m, url);
        if auth {
            request = request.basic_auth(&self.user, Some(&self.password));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = http
            .send_raw(request, &RateGate::default(), false)
            .await
            .unwrap();
        let value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        (response.status.as_u16(), value)
    }

    async fn get(&self, route: &str) -> Value {
        let (status, value) = self.call(Method::GET, route, None, true).await;
        assert_eq!(status, 200, "GET {route}: {value}");
        value
    }

    /// A visitor's comment, posted without logging in (the peer allows it).
    async fn visitor_comment(&self, post: u64, name: &str, url: &str, content: &str) -> u64 {
        let (status, value) = self
            .call(
                Method::POST,
                "/wp/v2/comments",
                Some(json!({
                    "post": post,
                    "author_name": name,
                    "author_email": format!("{}@visitors.example", common::unique("v")),
                    "author_url": url,
                    "content": content,
                })),
                false,
            )
            .await;
        assert_eq!(status, 201, "visitor comment: {value}");
        value["id"].as_u64().unwrap()
    }

    async fn comment_status(&self, id: u64) -> String {
        self.get(&format!("/wp/v2/comments/{id}?context=edit"))
            .await["status"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
async fn peer_connects_and_describes_the_site() {
    let Some(peer) = Peer::from_env() else { return };
    let wp = peer.connector();
    let profile = wp.verify().await.unwrap();
    let host = url::Url::parse(&peer.url).unwrap();
    assert!(
        profile
            .remote_id
            .starts_with(&format!("{}#", peer.url.trim_end_matches('/'))),
        "{profile:?}"
    );
    assert_eq!(
        profile.handle,
        format!("{}:{}", host.host_str().unwrap(), host.port().unwrap())
    );
    assert_eq!(profile.display_name, "Tribune test peer");
    assert_eq!(
        profile.profile_url.as_deref(),
        Some(peer.url.trim_end_matches('/'))
    );
    assert!(profile.avatar_url.is_some_and(|a| a.starts_with("http")));
}

#[tokio::test]
async fn peer_publishes_a_post_with_a_video_block_once_per_key() {
    let Some(peer) = Peer::from_env() else { return };
    let wp = peer.connector();
    let key = common::unique("wp-vid-");
    let mut request = post(&key, "Behind the scenes");
    request.videos = vec![common::video("The team sets up the stage")];
    let published = wp.publish(&request).await.unwrap();
    let id = id_of(&published.remote_ref);
    let stored = peer.get(&format!("/wp/v2/posts/{id}?context=edit")).await;
    assert_eq!(stored["status"], "publish");
    assert_eq!(
        stored["featured_media"], 0,
        "a video is not a featured image"
    );
    let uploads = peer
        .get(&format!("/wp/v2/media?search=tribune-{key}&context=edit"))
        .await;
    let uploads = uploads.as_array().unwrap();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(uploads[0]["mime_type"], "video/mp4");
    assert_eq!(uploads[0]["alt_text"], "The team sets up the stage");
    let src = uploads[0]["source_url"].as_str().unwrap();
    let content = stored["content"]["raw"].as_str().unwrap();
    assert!(
        content.contains(&format!(
            "<figure class=\"wp-block-video\"><video controls preload=\"metadata\" src=\"{src}\""
        )),
        "{content}"
    );
    assert!(content.contains("aria-label=\"The team sets up the stage\""));
    // The file WordPress serves is the one sent.
    let http = common::http();
    let served = http
        .send_raw(
            http.request(Method::GET, url::Url::parse(src).unwrap()),
            &RateGate::default(),
            true,
        )
        .await
        .unwrap();
    assert_eq!(served.body, common::tiny_mp4());

    // A retry finds the post and uploads nothing.
    assert_eq!(wp.publish(&request).await.unwrap(), published);
    let uploads = peer
        .get(&format!("/wp/v2/media?search=tribune-{key}&context=edit"))
        .await;
    assert_eq!(uploads.as_array().unwrap().len(), 1);
    assert!(wp.capabilities().contains(Capability::PublishVideo));
    wp.delete_post(&published.remote_ref).await.unwrap();
}

#[tokio::test]
async fn peer_publishes_a_post_with_an_image_and_alt_text_once_per_key() {
    let Some(peer) = Peer::from_env() else { return };
    let wp = peer.connector();
    let key = common::unique("wp-img-");
    let mut request = post(
        &key,
        "Hello from tribune <b>not bold</b>\n\nSecond paragraph.",
    );
    request.link = Some("https://example.org/page".into());
    request.images = vec![ImageInput {
        bytes: common::PNG_1X1.to_vec(),
        mime: "image/png".into(),
        alt: "A red dot".into(),
    }];
    let published = wp.publish(&request).await.unwrap();
    assert!(published.remote_ref.0.starts_with("post:"), "{published:?}");
    assert!(
        published
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with(&peer.url))
    );
    let id = id_of(&published.remote_ref);

    let stored = peer.get(&format!("/wp/v2/posts/{id}?context=edit")).await;
    assert_eq!(stored["status"], "publish");
    assert_eq!(
        stored["title"]["raw"],
        "Hello from tribune &lt;b&gt;not bold&lt;/b&gt;"
    );
    let content = stored["content"]["raw"].as_str().unwrap();
    assert!(
        content.contains("<p>https://example.org/page</p>"),
        "{content}"
    );
    assert!(content.contains("<figure><img src="), "{content}");
    assert!(content.contains("alt=\"A red dot\""), "{content}");
    let media_id = stored["featured_media"].as_u64().unwrap();
    assert_ne!(media_id, 0);
    let media = peer
        .get(&format!("/wp/v2/media/{media_id}?context=edit"))
        .await;
    assert_eq!(media["alt_text"], "A red dot");

    // A retry (after a lost answer, a crash…) finds the post and uploads nothing.
    let again = wp.publish(&request).await.unwrap();
    assert_eq!(again, published);
    let uploads = peer
        .get(&format!("/wp/v2/media?search=tribune-{key}&context=edit"))
        .await;
    assert_eq!(uploads.as_array().unwrap().len(), 1, "{uploads}");
    let posts = peer
        .get(&format!(
            "/wp/v2/posts?search=tribune:{key}&status=any&context=edit"
        ))
        .await;
    assert_eq!(posts.as_array().unwrap().len(), 1, "{posts}");

    wp.delete_post(&published.remote_ref).await.unwrap();
    let (status, _) = peer
        .call(Method::GET, &format!("/wp/v2/posts/{id}"), None, true)
        .await;
    assert_eq!(status, 404);
    // Deleting what is already gone succeeds.
    wp.delete_post(&published.remote_ref).await.unwrap();
}

#[tokio::test]
async fn peer_retry_finds_a_draft_or_pending_post_carrying_the_key() {
    let Some(peer) = Peer::from_env() else { return };
    let wp = peer.connector();
    let key = common::unique("wp-draft-");
    for status in ["draft", "pending"] {
        let key = format!("{key}-{status}");
        let (code, draft) = peer
            .call(
                Method::POST,
                "/wp/v2/posts",
                Some(json!({
                    "title": "Interrupted",
                    "content": format!("<p>Interrupted</p><!-- tribune:{key} -->"),
                    "status": status,
                })),
                true,
            )
            .await;
        assert_eq!(code, 201, "{draft}");
        let published = wp.publish(&post(&key, "Interrupted")).await.unwrap();
        assert_eq!(id_of(&published.remote_ref), draft["id"].as_u64().unwrap());
        wp.delete_post(&published.remote_ref).await.unwrap();
    }
}

#[tokio::test]
async fn peer_retry_reuses_an_image_uploaded_by_an_interrupted_attempt() {
    let Some(peer) = Peer::from_env() else { return };
    let key = common::unique("wp-orphan-");
    // An earlier attempt uploaded the image, then died before creating the post.
    let http = common::http();
    let url = url::Url::parse(&format!(
        "{}/wp-json/wp/v2/media?title=tribune-{key}-0",
        peer.url
    ))
    .unwrap();
    let upload = http
        .request(Method::POST, url)
        .basic_auth(&peer.user, Some(&peer.password))
        .header("content-type", "image/png")
        .header(
            "content-disposition",
            format!("attachment; filename=\"tribune-{key}-0.png\""),
        )
        .body(common::PNG_1X1.to_vec());
    let response = http.send(upload, &RateGate::default()).await.unwrap();
    let orphan: Value = serde_json::from_slice(&response.body).unwrap();
    let orphan_id = orphan["id"].as_u64().unwrap();

    let wp = peer.connector();
    let mut request = post(&key, "Second try");
    request.images = vec![ImageInput {
        bytes: common::PNG_1X1.to_vec(),
        mime: "image/png".into(),
        alt: "Reused".into(),
    }];
    let published = wp.publish(&request).await.unwrap();
    let stored = peer
        .get(&format!(
            "/wp/v2/posts/{}?context=edit",
            id_of(&published.remote_ref)
        ))
        .await;
    assert_eq!(stored["featured_media"], orphan_id);
    let media = peer
        .get(&format!("/wp/v2/media/{orphan_id}?context=edit"))
        .await;
    assert_eq!(media["alt_text"], "Reused");
    wp.delete_post(&published.remote_ref).await.unwrap();
}

#[tokio::test]
async fn peer_comments_reach_the_inbox_and_are_moderated_and_answered() {
    let Some(peer) = Peer::from_env() else { return };
    let wp = peer.connector();
    let me = wp.verify().await.unwrap();
    let published = wp
        .publish(&post(&common::unique("wp-inbox-"), "Talk to us"))
        .await
        .unwrap();
    let post_id = id_of(&published.remote_ref);
    let root = Some(published.remote_ref.clone());
    let start = wp.fetch_inbox(None).await.unwrap().cursor.unwrap();

    let alice = peer
        .visitor_comment(post_id, "Alice", "https://alice.example", "Lovely post!")
        .await;
    let mallory = peer
        .visitor_comment(
            post_id,
            "<script>alert(1)</script>Mallory",
            "http://mallory.example",
            "Hi <script>alert(1)</script><a href=\"javascript:alert(1)\">click</a>",
        )
        .await;
    // The admin may post raw HTML (unfiltered_html): this reaches tribune unsanitised.
    let (code, raw) = peer
        .call(
            Method::POST,
            "/wp/v2/comments",
            Some(json!({
                "post": post_id,
                "content": "<p>Admin <script>alert(2)</script><a href=\"javascript:alert(3)\">x</a><img src=x onerror=alert(4)></p>",
            })),
            true,
        )
        .await;
    assert_eq!(code, 201, "{raw}");
    let hostile_admin = raw["id"].as_u64().unwrap();

    let page = wp.fetch_inbox(Some(&start)).await.unwrap();
    let ours: Vec<_> = page.items.iter().filter(|i| i.root == root).collect();
    let ids: Vec<u64> = ours.iter().map(|i| id_of(&i.remote_ref)).collect();
    assert_eq!(ids, vec![alice, mallory, hostile_admin]);
    assert_eq!(
        ours[0].status,
        CommentStatus::Held,
        "first-time visitors wait"
    );
    assert_eq!(ours[0].author.display_name, "Alice");
    assert_eq!(
        ours[0].author.profile_url.as_deref(),
        Some("https://alice.example/")
    );
    assert_eq!(ours[0].in_reply_to, root);
    assert!(
        !ours[1].author.display_name.contains('<'),
        "{:?}",
        ours[1].author
    );
    assert!(ours[1].author.display_name.contains("Mallory"));
    assert_eq!(ours[2].status, CommentStatus::Visible);
    assert_eq!(
        ours[2].author.remote_id.as_deref(),
        Some(me.remote_id.as_str())
    );
    for item in &ours[1..] {
        let html = item.html.as_deref().unwrap();
        for bad in ["<script", "javascript:", "onerror", "<img"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(!item.text.contains("<script"), "{}", item.text);
    }

    // The next fetch brings only what is newer than the cursor.
    let cursor = page.cursor.clone().unwrap();
    let later = peer
        .visitor_comment(post_id, "Bob", "", "Another one")
        .await;
    let next = wp.fetch_inbox(Some(&cursor)).await.unwrap();
    let next_ids: Vec<u64> = next
        .items
        .iter()
        .filter(|i| i.root == root)
        .map(|i| id_of(&i.remote_ref))
        .collect();
    assert_eq!(next_ids, vec![later]);
    let cursor_id: u64 = cursor.0.parse().unwrap();
    assert!(next.items.iter().all(|i| id_of(&i.remote_ref) > cursor_id));

    // Moderation through every state, and again (setting a status twice is fine).
    let alice_ref = RemoteRef(format!("comment:{alice}"));
    for (action, expected) in [
        (Moderation::Approve, "approved"),
        (Moderation::Approve, "approved"),
        (Moderation::Hold, "hold"),
        (Moderation::Spam, "spam"),
        (Moderation::Trash, "trash"),
        (Moderation::Unhide, "approved"),
        (Moderation::Hide, "hold"),
        (Moderation::Hide, "hold"),
    ] {
        wp.moderate(&alice_ref, action).await.unwrap();
        assert_eq!(peer.comment_status(alice).await, expected, "{action:?}");
    }
    let spam_page = wp.fetch_inbox(Some(&start)).await.unwrap();
    assert!(
        spam_page
            .items
            .iter()
            .any(|i| i.remote_ref == alice_ref && i.status == CommentStatus::Held)
    );
    wp.moderate(&alice_ref, Moderation::Delete).await.unwrap();
    let (status, _) = peer
        .call(
            Method::GET,
            &format!("/wp/v2/comments/{alice}?context=edit"),
            None,
            true,
        )
        .await;
    assert_eq!(status, 404);
    wp.moderate(&alice_ref, Moderation::Delete).await.unwrap();

    // Replies as the site's user: to the post, to a comment, once per key.
    let to_post = wp
        .reply(
            &published.remote_ref,
            post(&common::unique("wp-re-"), "Thanks all"),
        )
        .await
        .unwrap();
    let reply_key = common::unique("wp-re-");
    let to_mallory = wp
        .reply(
            &RemoteRef(format!("comment:{mallory}")),
            post(&reply_key, "Nice try"),
        )
        .await
        .unwrap();
    let again = wp
        .reply(
            &RemoteRef(format!("comment:{mallory}")),
            post(&reply_key, "Nice try"),
        )
        .await
        .unwrap();
    assert_eq!(again, to_mallory);
    let stored = peer
        .get(&format!(
            "/wp/v2/comments/{}?context=edit",
            id_of(&to_mallory.remote_ref)
        ))
        .await;
    assert_eq!(stored["post"], post_id);
    assert_eq!(stored["parent"], mallory);
    assert_eq!(stored["status"], "approved");
    assert!(
        stored["content"]["raw"]
            .as_str()
            .unwrap()
            .contains("Nice try")
    );
    let stored = peer
        .get(&format!(
            "/wp/v2/comments/{}?context=edit",
            id_of(&to_post.remote_ref)
        ))
        .await;
    assert_eq!(stored["parent"], 0);

    // Approved comments on the post: the admin's and the two replies.
    let metrics = wp.post_metrics(&published.remote_ref).await.unwrap();
    assert_eq!(metrics.get(Metric::Comments), Some(3), "{metrics:?}");
    let account = wp.account_metrics().await.unwrap();
    assert!(
        account.get(Metric::Posts).is_some_and(|n| n >= 1),
        "{account:?}"
    );
    assert!(
        account.get(Metric::Comments).is_some_and(|n| n >= 3),
        "{account:?}"
    );

    wp.delete_post(&published.remote_ref).await.unwrap();
}

#[tokio::test]
async fn peer_a_wrong_application_password_is_an_auth_error() {
    let Some(peer) = Peer::from_env() else { return };
    let wp = connector(&peer.url, &peer.user, "abcd efgh ijkl mnop qrst uvwx");
    let err = wp.verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
    let err = wp
        .publish(&post(&common::unique("wp-auth-"), "nope"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
}

#[tokio::test]
async fn peer_a_user_who_cannot_publish_is_told_so() {
    let Some(peer) = Peer::from_env() else { return };
    let name = common::unique("sub");
    let (code, user) = peer
        .call(
            Method::POST,
            "/wp/v2/users",
            Some(json!({
                "username": name,
                "email": format!("{name}@example.com"),
                "password": "a-long-password-1234",
                "roles": ["subscriber"],
            })),
            true,
        )
        .await;
    assert_eq!(code, 201, "{user}");
    let user_id = user["id"].as_u64().unwrap();
    let (code, app) = peer
        .call(
            Method::POST,
            &format!("/wp/v2/users/{user_id}/application-passwords"),
            Some(json!({ "name": "tribune" })),
            true,
        )
        .await;
    assert_eq!(code, 201, "{app}");
    let wp = connector(&peer.url, &name, app["password"].as_str().unwrap());
    let err = wp.verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent, "{err:?}");
    assert!(err.message.contains("cannot publish"), "{err}");
    let err = wp
        .publish(&post(&common::unique("wp-sub-"), "nope"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent, "{err:?}");
    assert!(err.message.contains("cannot publish"), "{err}");
}

// ----------------------------------------------------------------------- wiremock --

const INDEX: &str = r#"{"name":"Mock <b>Blog</b> &amp; co","namespaces":["oembed/1.0","wp/v2"]}"#;

/// A site with pretty permalinks: the home page advertises `/wp-json/`.
async fn pretty_site() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200).insert_header(
            "link",
            format!("<{}/wp-json/>; rel=\"https://api.w.org/\"", server.uri()).as_str(),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wp-json/"))
        .respond_with(ResponseTemplate::new(200).set_body_string(INDEX))
        .mount(&server)
        .await;
    // Who the user is, unless a test says otherwise (lower priority than its own mocks).
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(me()))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

fn mock(server: &MockServer) -> WordPressConnector {
    connector(&server.uri(), "cm", "abcd efgh")
}

fn me() -> Value {
    json!({
        "id": 3, "name": "<script>alert(1)</script>CM",
        "avatar_urls": {"24": "https://gravatar.example/24", "96": "https://gravatar.example/96"},
        "capabilities": {"publish_posts": true, "moderate_comments": true}
    })
}

#[tokio::test]
async fn the_rest_base_is_discovered_from_the_link_header_and_credentials_sent() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/users/me"))
        .and(query_param("context", "edit"))
        .and(basic_auth("cm", "abcd efgh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(me()))
        .mount(&server)
        .await;
    let wp = mock(&server);
    let profile = wp.verify().await.unwrap();
    assert_eq!(profile.remote_id, format!("{}#3", server.uri()));
    assert_eq!(profile.display_name, "Mock Blog & co");
    assert_eq!(
        profile.avatar_url.as_deref(),
        Some("https://gravatar.example/96")
    );
    wp.verify().await.unwrap();
    // The base is discovered once for the connector's lifetime.
    let heads = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "HEAD")
        .count();
    assert_eq!(heads, 1);
}

/// A site without pretty permalinks: no Link header, `/wp-json/` is a 404 page, the API
/// answers at `/?rest_route=/` and every parameter follows the route with `&`.
async fn plain_site() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wp-json/"))
        .respond_with(
            ResponseTemplate::new(404).set_body_string("<html><body>Not found</body></html>"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("rest_route", "/"))
        .respond_with(ResponseTemplate::new(200).set_body_string(INDEX))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn sites_without_pretty_permalinks_are_reached_through_rest_route() {
    let server = plain_site().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("rest_route", "/wp/v2/users/me"))
        .and(query_param("context", "edit"))
        .respond_with(ResponseTemplate::new(200).set_body_json(me()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("rest_route", "/wp/v2/posts"))
        .and(query_param("status", "any"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/"))
        .and(query_param("rest_route", "/wp/v2/posts"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 41, "link": format!("{}/?p=41", server.uri())})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/"))
        .and(query_param("rest_route", "/wp/v2/posts/41"))
        .and(query_param("force", "true"))
        .respond_with(ResponseTemplate::new(404).set_body_string(
            r#"{"code":"rest_post_invalid_id","message":"Invalid post ID.","data":{"status":404}}"#,
        ))
        .mount(&server)
        .await;
    let wp = mock(&server);
    wp.verify().await.unwrap();
    let published = wp.publish(&post("k1", "Hello")).await.unwrap();
    assert_eq!(published.remote_ref.0, "post:41");
    // Already gone counts as deleted.
    wp.delete_post(&published.remote_ref).await.unwrap();
}

#[tokio::test]
async fn a_post_found_by_its_marker_is_not_created_again() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/posts"))
        .and(query_param("search", "tribune:k2"))
        .and(query_param("status", "any"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            // A prefix match that is another key, then the real one (a draft).
            {"id": 7, "link": "https://x.example/?p=7", "content": {"raw": "<!-- tribune:k22 -->"}},
            {"id": 8, "link": "https://x.example/?p=8", "content": {"raw": "<p>a</p><!-- tribune:k2 -->"}}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let found = mock(&server).publish(&post("k2", "Hello")).await.unwrap();
    assert_eq!(found.remote_ref.0, "post:8");
    assert_eq!(found.url.as_deref(), Some("https://x.example/?p=8"));
}

#[tokio::test]
async fn images_are_uploaded_raw_then_described_and_featured() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/posts"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    // The first image was uploaded by an earlier attempt: it is reused.
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/media"))
        .and(query_param("search", "tribune-k3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 20, "source_url": "https://x.example/up/tribune-k3-0.png", "alt_text": "", "title": {"raw": "tribune-k3-0"}}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/wp/v2/media"))
        .and(query_param("title", "tribune-k3-1"))
        .and(wiremock::matchers::header(
            "content-disposition",
            "attachment; filename=\"tribune-k3-1.jpg\"",
        ))
        .and(wiremock::matchers::header("content-type", "image/jpeg"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!(
            {"id": 21, "source_url": "https://x.example/up/tribune-k3-1.jpg", "alt_text": ""}
        )))
        .expect(1)
        .mount(&server)
        .await;
    for (id, alt) in [(20, "first"), (21, "second \"one\"")] {
        Mock::given(method("POST"))
            .and(path(format!("/wp-json/wp/v2/media/{id}")))
            .and(body_partial_json(json!({ "alt_text": alt })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id})))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/wp-json/wp/v2/posts"))
        .and(body_partial_json(
            json!({"featured_media": 20, "status": "publish"}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 50, "link": "https://x.example/p50"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut request = post("k3", "Two pictures");
    request.images = vec![
        ImageInput {
            bytes: common::PNG_1X1.to_vec(),
            mime: "image/png".into(),
            alt: "first".into(),
        },
        ImageInput {
            bytes: vec![0xff, 0xd8, 0xff],
            mime: "image/jpeg".into(),
            alt: "second \"one\"".into(),
        },
    ];
    let published = mock(&server).publish(&request).await.unwrap();
    assert_eq!(published.remote_ref.0, "post:50");
    let requests = server.received_requests().await.unwrap();
    let create = requests
        .iter()
        .find(|r| r.method.as_str() == "POST" && r.url.path() == "/wp-json/wp/v2/posts")
        .unwrap();
    let body: Value = serde_json::from_slice(&create.body).unwrap();
    let content = body["content"].as_str().unwrap();
    assert!(
        content.contains("alt=\"second &quot;one&quot;\""),
        "{content}"
    );
    assert!(content.ends_with("<!-- tribune:k3 -->"), "{content}");
}

/// A video upload that failed after WordPress created the attachment (the local Debian peer
/// did exactly this, a 500 from a missing getID3, until its links were repaired): the attempt
/// is transient, posts nothing, and the next one reuses the attachment instead of uploading
/// the file again.
#[tokio::test]
async fn a_video_upload_lost_after_it_was_made_is_reused_by_the_next_attempt() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/posts"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    // First attempt: nothing uploaded yet, and the upload answers 500.
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/media"))
        .and(query_param("search", "tribune-kv"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/wp/v2/media"))
        .and(query_param("title", "tribune-kv-0"))
        .and(wiremock::matchers::header(
            "content-disposition",
            "attachment; filename=\"tribune-kv-0.mp4\"",
        ))
        .and(wiremock::matchers::header("content-type", "video/mp4"))
        .respond_with(ResponseTemplate::new(500).set_body_string("<html>critical error</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = post("kv", "Our new clip");
    request.videos = vec![common::video("A cat jumps onto a table")];
    let wp = mock(&server);
    let err = wp.publish(&request).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err:?}");

    // Second attempt: the attachment is there under its title; described, then embedded.
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/media"))
        .and(query_param("search", "tribune-kv"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 30, "source_url": "https://x.example/up/tribune-kv-0.mp4", "alt_text": "", "title": {"raw": "tribune-kv-0"}}
        ])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/wp/v2/media/30"))
        .and(body_partial_json(
            json!({ "alt_text": "A cat jumps onto a table" }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 30})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/wp/v2/posts"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 51, "link": "https://x.example/p51"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let published = wp.publish(&request).await.unwrap();
    assert_eq!(published.remote_ref.0, "post:51");
    let requests = server.received_requests().await.unwrap();
    let create = requests
        .iter()
        .find(|r| r.method.as_str() == "POST" && r.url.path() == "/wp-json/wp/v2/posts")
        .unwrap();
    let body: Value = serde_json::from_slice(&create.body).unwrap();
    let content = body["content"].as_str().unwrap();
    assert!(
        content.contains("<video controls preload=\"metadata\" src=\"https://x.example/up/tribune-kv-0.mp4\" aria-label=\"A cat jumps onto a table\">"),
        "{content}"
    );
    // A video is never the featured image.
    assert!(body.get("featured_media").is_none(), "{body}");
    server.verify().await;
}

fn comment(id: u64, extra: Value) -> Value {
    let mut c = json!({
        "id": id, "post": 5, "parent": 0, "author": 0, "author_name": format!("Visitor {id}"),
        "author_url": "", "author_avatar_urls": {}, "date_gmt": "2026-11-25T03:08:33",
        "content": {"rendered": format!("<p>Comment {id}</p>")},
        "link": format!("https://x.example/p5/#comment-{id}"), "status": "approved"
    });
    if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
        c.extend(extra.clone());
    }
    c
}

fn comments_page(page: &str, total_pages: &str, items: Vec<Value>) -> Mock {
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/comments"))
        .and(query_param("status", "any"))
        .and(query_param("orderby", "id"))
        .and(query_param("order", "desc"))
        .and(query_param("page", page))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-wp-totalpages", total_pages)
                .set_body_json(Value::Array(items)),
        )
}

#[tokio::test]
async fn the_inbox_pages_back_to_the_cursor_and_no_further() {
    let server = pretty_site().await;
    comments_page(
        "1",
        "4",
        vec![
            comment(9, json!({})),
            comment(8, json!({"status": "hold"})),
            comment(7, json!({"status": "spam"})),
        ],
    )
    .expect(1)
    .mount(&server)
    .await;
    comments_page(
        "2",
        "4",
        vec![
            comment(6, json!({"status": "trash", "parent": 2})),
            comment(5, json!({})),
            comment(4, json!({})),
        ],
    )
    .expect(1)
    .mount(&server)
    .await;
    comments_page("3", "4", vec![])
        .expect(0)
        .mount(&server)
        .await;
    let page = mock(&server)
        .fetch_inbox(Some(&Cursor("5".into())))
        .await
        .unwrap();
    let refs: Vec<&str> = page.items.iter().map(|i| i.remote_ref.0.as_str()).collect();
    assert_eq!(refs, ["comment:6", "comment:7", "comment:8", "comment:9"]);
    let statuses: Vec<CommentStatus> = page.items.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses,
        [
            CommentStatus::Trashed,
            CommentStatus::Spam,
            CommentStatus::Held,
            CommentStatus::Visible
        ]
    );
    assert_eq!(
        page.items[0].in_reply_to,
        Some(RemoteRef("comment:2".into()))
    );
    assert_eq!(page.items[1].in_reply_to, Some(RemoteRef("post:5".into())));
    assert_eq!(page.cursor, Some(Cursor("9".into())));
}

#[tokio::test]
async fn nothing_new_keeps_the_cursor_and_garbage_cursors_are_refused() {
    let server = pretty_site().await;
    comments_page("1", "1", vec![comment(5, json!({}))])
        .mount(&server)
        .await;
    let wp = mock(&server);
    let page = wp.fetch_inbox(Some(&Cursor("5".into()))).await.unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.cursor, Some(Cursor("5".into())));
    let err = wp
        .fetch_inbox(Some(&Cursor("yesterday".into())))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn hostile_names_and_texts_come_out_plain_and_sanitised() {
    let server = pretty_site().await;
    comments_page(
        "1",
        "1",
        vec![comment(
            12,
            json!({
                "author_name": "<img src=x onerror=alert(1)>Eve\u{1b}[31m",
                "author_url": "javascript:alert(1)",
                "author_avatar_urls": {"96": "data:image/png;base64,AAAA"},
                "link": "javascript:alert(2)",
                "date_gmt": "not a date",
                "content": {"rendered": "<p onclick=\"x()\">Hi<script>alert(1)</script><iframe src=\"https://evil.example\"></iframe><a href=\"javascript:alert(1)\">me</a></p>"}
            }),
        )],
    )
    .mount(&server)
    .await;
    let page = mock(&server).fetch_inbox(None).await.unwrap();
    let item = &page.items[0];
    assert_eq!(item.author.display_name, "Eve[31m");
    assert_eq!(item.author.profile_url, None);
    assert_eq!(item.author.avatar_url, None);
    assert_eq!(item.url, None);
    assert_eq!(item.text, "Hime");
    let html = item.html.as_deref().unwrap();
    for bad in ["script", "onclick", "iframe", "javascript"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(item.raw.len() <= tribune_connectors::MAX_RAW_BYTES);
}

#[tokio::test]
async fn malformed_json_html_pages_and_php_errors_are_invalid_responses() {
    for (body, expected) in [
        (r#"{"id": 3, "name": "#, "unexpected answer"),
        (
            "<!DOCTYPE html><html><body>Cached page</body></html>",
            "web page",
        ),
        (
            "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function foo()",
            "PHP error",
        ),
    ] {
        let server = pretty_site().await;
        Mock::given(method("GET"))
            .and(path("/wp-json/wp/v2/users/me"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        let err = mock(&server).verify().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidResponse, "{body}: {err:?}");
        assert!(err.message.contains(expected), "{err}");
    }
}

#[tokio::test]
async fn a_huge_answer_is_refused() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/comments"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(format!("[{}]", " ".repeat(5 * 1024 * 1024))),
        )
        .mount(&server)
        .await;
    let err = mock(&server).fetch_inbox(None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidResponse, "{err:?}");
}

#[tokio::test]
async fn a_429_closes_the_gate_without_further_calls() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/users/me"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let wp = mock(&server);
    let err = wp.verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited, "{err:?}");
    assert!(err.retry_after.is_some_and(|d| d.as_secs() > 60), "{err:?}");
    let err = wp.verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::RateLimited);
    assert!(
        wp.rate_gate()
            .closed_until(jiff::Timestamp::now().as_second())
            .is_some()
    );
    server.verify().await;
}

#[tokio::test]
async fn server_errors_are_transient_never_auth() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/users/me"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/wp/v2/comments/4"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/comments/4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 4, "status": "hold"})))
        .mount(&server)
        .await;
    let wp = mock(&server);
    let err = wp.verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err:?}");
    assert!(!err.breaks_channel());
    let err = wp
        .moderate(&RemoteRef("comment:4".into()), Moderation::Approve)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient, "{err:?}");
}

#[tokio::test]
async fn on_verify_any_refusal_of_who_the_user_is_but_429_is_auth() {
    // WordPress says 401; security plugins and hosts' firewalls say 400, 403, 404 or 422.
    for status in [400, 401, 403, 404, 422] {
        let server = pretty_site().await;
        Mock::given(method("GET"))
            .and(path("/wp-json/wp/v2/users/me"))
            .respond_with(ResponseTemplate::new(status).set_body_json(
                json!({"code": "blocked", "message": "Login refused by policy", "data": {"status": status}}),
            ))
            .mount(&server)
            .await;
        let err = mock(&server).verify().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{status}: {err:?}");
        assert_eq!(
            err.network_message.as_deref(),
            Some("Login refused by policy"),
            "{status}"
        );
    }
    for (status, kind) in [(429, ErrorKind::RateLimited), (503, ErrorKind::Transient)] {
        let server = pretty_site().await;
        Mock::given(method("GET"))
            .and(path("/wp-json/wp/v2/users/me"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let err = mock(&server).verify().await.unwrap_err();
        assert_eq!(err.kind, kind, "{status}: {err:?}");
        assert!(!err.breaks_channel());
    }
}

#[tokio::test]
async fn discovery_tries_every_address_and_a_refusal_at_all_of_them_is_auth() {
    // `/wp-json/` refused, `?rest_route=` fine: connected.
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wp-json/"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("rest_route", "/"))
        .respond_with(ResponseTemplate::new(200).set_body_string(INDEX))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("rest_route", "/wp/v2/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(me()))
        .mount(&server)
        .await;
    mock(&server).verify().await.unwrap();

    // Refused everywhere it was asked: the credentials were.
    let server = MockServer::start().await;
    Mock::given(method("HEAD"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"code": "forbidden", "message": "Application passwords are not allowed"}),
        ))
        .mount(&server)
        .await;
    let err = mock(&server).verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
    assert_eq!(
        err.network_message.as_deref(),
        Some("Application passwords are not allowed")
    );

    // Not found anywhere (404: not the API's address) is no refusal.
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let err = mock(&server).verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent, "{err:?}");
}

#[tokio::test]
async fn refused_credentials_are_auth() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/users/me"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            r#"{"code":"incorrect_password","message":"The provided password is an invalid application password.","data":{"status":401}}"#,
        ))
        .mount(&server)
        .await;
    let wp = mock(&server);
    let err = wp.verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
    assert!(err.breaks_channel());
    assert!(
        err.message.contains("invalid application password"),
        "{err}"
    );
    let err = wp.fetch_inbox(None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
}

#[tokio::test]
async fn a_refused_action_is_permanent_with_wordpress_message() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/wp/v2/comments"))
        .respond_with(ResponseTemplate::new(403).set_body_string(
            r#"{"code":"rest_cannot_create","message":"Sorry, you are not allowed to create comments <b>here</b>.","data":{"status":403}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = mock(&server)
        .reply(&RemoteRef("post:5".into()), post("k4", "Hi"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent, "{err:?}");
    assert!(
        err.message.contains("not allowed to create comments here"),
        "{err}"
    );
    assert!(err.message.contains("rest_cannot_create"), "{err}");
}

#[tokio::test]
async fn a_user_without_publish_rights_cannot_connect() {
    let server = pretty_site().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/users/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": 4, "name": "Sub", "capabilities": {"read": true, "publish_posts": false}}),
        ))
        .mount(&server)
        .await;
    let err = mock(&server).verify().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Permanent);
    assert!(err.message.contains("cannot publish"), "{err}");
}

#[tokio::test]
async fn metrics_are_read_from_total_headers() {
    let server = pretty_site().await;
    let total = |n: &str| {
        ResponseTemplate::new(200)
            .insert_header("x-wp-total", n)
            .set_body_string("[]")
    };
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/comments"))
        .and(query_param("post", "5"))
        .respond_with(total("7"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/posts"))
        .and(query_param("status", "publish"))
        .respond_with(total("12"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wp/v2/comments"))
        .respond_with(total("99999999999999999999999"))
        .mount(&server)
        .await;
    let wp = mock(&server);
    let post = wp.post_metrics(&RemoteRef("post:5".into())).await.unwrap();
    assert_eq!(post.get(Metric::Comments), Some(7));
    assert_eq!(post.get(Metric::Views), None);
    // A number that does not fit is not believed.
    let err = wp.account_metrics().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidResponse, "{err:?}");
}

#[tokio::test]
async fn capabilities_match_what_the_connector_does() {
    let wp = connector("https://blog.example", "cm", "x");
    let caps = wp.capabilities();
    for c in [
        Capability::PublishText,
        Capability::PublishImage,
        Capability::PublishVideo,
        Capability::DeletePost,
        Capability::ReadComments,
        Capability::Reply,
        Capability::ModerateComment,
        Capability::HideComment,
        Capability::DeleteComment,
        Capability::PostMetrics,
        Capability::AccountMetrics,
    ] {
        assert!(caps.contains(c), "{c}");
    }
    for c in [
        Capability::LinkPreview,
        Capability::PublishThread,
        Capability::ReadMentions,
        Capability::ReadMessages,
        Capability::ScheduleNatively,
    ] {
        assert!(!caps.contains(c), "{c}");
    }
}

#[test]
fn credentials_of_another_network_or_a_bad_address_are_refused() {
    let ctx = ConnectorContext {
        http: tribune_connectors::http::HttpClient::new(Default::default()).unwrap(),
        rate_limited_until: None,
    };
    let mastodon = Credentials::Mastodon {
        instance: "https://m.example".into(),
        access_token: Secret("t".into()),
    };
    let err = WordPressConnector::new(&mastodon, &ctx).err().unwrap();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    for site in [
        "http://blog.example",
        "javascript:alert(1)",
        "",
        "https://u:p@blog.example",
    ] {
        let creds = Credentials::WordPress {
            site: site.into(),
            username: "cm".into(),
            app_password: Secret("x".into()),
        };
        let err = WordPressConnector::new(&creds, &ctx).err().unwrap();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{site}");
    }
}

#[tokio::test]
async fn a_private_answer_is_refused_rather_than_published_as_a_public_comment() {
    let server = MockServer::start().await;
    let mut answer = post("k5", "Entre nous");
    answer.private = true;
    let err = mock(&server)
        .reply(&RemoteRef("comment:5".into()), answer)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported, "{err:?}");
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "nothing reached the site"
    );
}
