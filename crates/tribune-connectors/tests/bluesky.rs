//! The Bluesky connector end to end against a real local network (`@atproto/dev-env`
//! TestNetwork: PDS + AppView, see scripts/peers/), plus wiremock for what a healthy PDS never
//! does (malformed answers, rate limits, outages, expired tokens).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Value, json};
use tribune_connectors::bluesky::BlueskyConnector;
use tribune_connectors::{
    BlueskySession, Capability, Connector, ConnectorContext, Credentials, ErrorKind, ImageInput,
    InboxItem, InboxKind, Metric, PostRequest, RemoteRef, Secret,
};

fn connector(service: &str, identifier: &str, password: &str) -> BlueskyConnector {
    connector_with(service, identifier, password, None)
}

fn connector_with(
    service: &str,
    identifier: &str,
    password: &str,
    session: Option<BlueskySession>,
) -> BlueskyConnector {
    let credentials = Credentials::Bluesky {
        service: service.into(),
        identifier: identifier.into(),
        app_password: Secret(password.into()),
        session,
    };
    let ctx = ConnectorContext {
        http: common::http(),
        rate_limited_until: None,
    };
    BlueskyConnector::new(&credentials, &ctx).unwrap()
}

fn post(key: &str, text: &str) -> PostRequest {
    PostRequest {
        idempotency_key: key.into(),
        created_at: jiff::Timestamp::now().as_second(),
        text: text.into(),
        ..PostRequest::default()
    }
}

fn split_ref(r: &RemoteRef) -> (String, String) {
    let (uri, cid) = r.0.split_once('#').unwrap();
    (uri.to_string(), cid.to_string())
}

mod peer {
    //! Against the local dev-env network.
    use super::*;

    pub struct Account {
        pub did: String,
        pub handle: String,
        pub jwt: String,
        pub app_password: String,
    }

    pub struct Net {
        pub pds: String,
        control: String,
        http: reqwest::Client,
    }

    impl Net {
        pub fn new() -> Option<Net> {
            let _ = rustls::crypto::ring::default_provider().install_default();
            Some(Net {
                pds: common::peer("TRIBUNE_TEST_BSKY_PDS")?,
                control: common::peer("TRIBUNE_TEST_BSKY_CONTROL")?,
                http: reqwest::Client::new(),
            })
        }

        pub async fn xrpc(&self, jwt: Option<&str>, nsid: &str, body: Value) -> Value {
            let mut request = self
                .http
                .post(format!("{}/xrpc/{nsid}", self.pds))
                .json(&body);
            if let Some(jwt) = jwt {
                request = request.bearer_auth(jwt);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let value: Value = response.json().await.unwrap_or(Value::Null);
            assert!(status.is_success(), "{nsid}: {status} {value}");
            value
        }

        pub async fn get(&self, jwt: &str, nsid: &str, query: &[(&str, &str)]) -> (u16, Value) {
            let response = self
                .http
                .get(format!("{}/xrpc/{nsid}", self.pds))
                .query(query)
                .bearer_auth(jwt)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }

        /// A fresh account with an app password, as a CM would set it up.
        pub async fn account(&self, prefix: &str) -> Account {
            let handle = format!("{}.test", common::unique(prefix));
            let created = self
                .xrpc(
                    None,
                    "com.atproto.server.createAccount",
                    json!({"handle": handle, "email": format!("{handle}@example.com"), "password": "main-password"}),
                )
                .await;
            let jwt = created["accessJwt"].as_str().unwrap().to_string();
            let app = self
                .xrpc(
                    Some(&jwt),
                    "com.atproto.server.createAppPassword",
                    json!({"name": "tribune"}),
                )
                .await;
            let account = Account {
                did: created["did"].as_str().unwrap().to_string(),
                handle,
                jwt,
                app_password: app["password"].as_str().unwrap().to_string(),
            };
            // The AppView learns of new accounts in the background: wait until it knows it.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            loop {
                self.process_all().await;
                let (status, _) = self
                    .get(
                        &account.jwt,
                        "app.bsky.actor.getProfile",
                        &[("actor", &account.did)],
                    )
                    .await;
                if status == 200 {
                    return account;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "the AppView never indexed {}",
                    account.handle
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }

        /// Makes the AppView index everything written so far.
        pub async fn process_all(&self) {
            let response = self
                .http
                .post(format!("{}/process-all", self.control))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "process-all failed");
        }

        pub async fn record(&self, jwt: &str, uri: &str) -> (u16, Value) {
            let rest = uri.strip_prefix("at://").unwrap();
            let mut parts = rest.split('/');
            let (repo, collection, rkey) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            self.get(
                jwt,
                "com.atproto.repo.getRecord",
                &[("repo", repo), ("collection", collection), ("rkey", rkey)],
            )
            .await
        }

        /// Indexes pending writes and calls `read` until `done` holds (the AppView indexes some
        /// things, like notifications, in the background), or fails after a deadline.
        pub async fn until<
            T: std::fmt::Debug,
            F: std::future::Future<Output = tribune_connectors::error::Result<T>>,
        >(
            &self,
            read: impl Fn() -> F,
            done: impl Fn(&T) -> bool,
        ) -> T {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            loop {
                self.process_all().await;
                let value = read().await.unwrap();
                if done(&value) {
                    return value;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "never happened: {value:?}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }

        /// A post written by `author` directly, as another client would.
        pub async fn write_post(&self, author: &Account, record: Value) -> (String, String) {
            let out = self
                .xrpc(
                    Some(&author.jwt),
                    "com.atproto.repo.createRecord",
                    json!({"repo": author.did, "collection": "app.bsky.feed.post", "record": record}),
                )
                .await;
            (
                out["uri"].as_str().unwrap().to_string(),
                out["cid"].as_str().unwrap().to_string(),
            )
        }
    }

    fn now() -> String {
        jiff::Timestamp::now().to_string()
    }

    /// The local PDS takes a video blob directly (the documented "simple method"; dev-env has
    /// no video service), and the record refers to it with its alt text and aspect ratio. A
    /// repeat with the same key finds the same post.
    #[tokio::test]
    async fn a_video_goes_out_once_as_an_embed_with_its_alt_text_on_a_real_pds() {
        let Some(net) = Net::new() else { return };
        let brand = net.account("video").await;
        let bsky = connector(&net.pds, &brand.handle, &brand.app_password);
        let mut request = post(&common::unique("k"), "Les coulisses en vidéo");
        request.videos = vec![common::video("Une équipe prépare le plateau")];
        let published = bsky.publish(&request).await.unwrap();
        let again = bsky.publish(&request).await.unwrap();
        assert_eq!(again.remote_ref, published.remote_ref, "published once");
        let (_, stored) = net
            .record(&brand.jwt, &split_ref(&published.remote_ref).0)
            .await;
        let embed = &stored["value"]["embed"];
        assert_eq!(embed["$type"], "app.bsky.embed.video");
        assert_eq!(embed["alt"], "Une équipe prépare le plateau");
        assert_eq!(embed["aspectRatio"], json!({"width": 640, "height": 360}));
        assert_eq!(embed["video"]["mimeType"], "video/mp4");
        assert_eq!(embed["video"]["size"], common::tiny_mp4().len());
        // The blob is on the PDS, byte for byte.
        let cid = embed["video"]["ref"]["$link"].as_str().unwrap();
        let blob = reqwest::Client::new()
            .get(format!("{}/xrpc/com.atproto.sync.getBlob", net.pds))
            .query(&[("did", brand.did.as_str()), ("cid", cid)])
            .send()
            .await
            .unwrap();
        assert!(blob.status().is_success());
        assert_eq!(blob.bytes().await.unwrap().as_ref(), common::tiny_mp4());

        // A MOV, a video beside an image, a video over three minutes: refused before any call.
        let mut mov = post(&common::unique("k"), "mov");
        mov.videos = vec![tribune_connectors::VideoInput {
            mime: "video/quicktime".into(),
            ..common::video("")
        }];
        assert_eq!(
            bsky.publish(&mov).await.unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        let mut mixed = post(&common::unique("k"), "mixed");
        mixed.videos = vec![common::video("")];
        mixed.images = vec![ImageInput {
            bytes: common::PNG_1X1.to_vec(),
            mime: "image/png".into(),
            alt: String::new(),
        }];
        assert_eq!(
            bsky.publish(&mixed).await.unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        let mut long = post(&common::unique("k"), "long");
        long.videos = vec![tribune_connectors::VideoInput {
            duration_ms: Some(181_000),
            ..common::video("")
        }];
        assert_eq!(
            bsky.publish(&long).await.unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        assert!(bsky.capabilities().contains(Capability::PublishVideo));
    }

    #[tokio::test]
    async fn a_brand_publishes_replies_reads_its_inbox_and_deletes_on_a_real_network() {
        let Some(net) = Net::new() else { return };
        let brand = net.account("brand").await;
        let fan = net.account("fan").await;
        let bsky = connector(&net.pds, &brand.handle, &brand.app_password);

        // Connect.
        let profile = bsky.verify().await.unwrap();
        assert_eq!(profile.remote_id, brand.did);
        assert_eq!(profile.handle, format!("@{}", brand.handle));
        assert_eq!(
            profile.profile_url.as_deref(),
            Some(format!("https://bsky.app/profile/{}", brand.handle).as_str())
        );
        let Credentials::Bluesky {
            session: Some(session),
            ..
        } = bsky.credentials()
        else {
            panic!("no session after verify")
        };
        assert_eq!(session.did, brand.did);
        assert!(bsky.credentials_expire_at().unwrap() > jiff::Timestamp::now().as_second());

        // Publish text with a mention, a hashtag and a link.
        let text = format!(
            "Bonjour @{} ! #tribune https://example.com/launch",
            fan.handle
        );
        let first = bsky
            .publish(&post(&common::unique("k"), &text))
            .await
            .unwrap();
        let (first_uri, first_cid) = split_ref(&first.remote_ref);
        assert!(first_uri.starts_with(&format!("at://{}/app.bsky.feed.post/", brand.did)));
        let rkey = first_uri.rsplit('/').next().unwrap();
        assert_eq!(
            first.url.as_deref(),
            Some(format!("https://bsky.app/profile/{}/post/{rkey}", brand.handle).as_str())
        );
        let (status, stored) = net.record(&brand.jwt, &first_uri).await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(stored["cid"], first_cid.as_str());
        let facets = stored["value"]["facets"].as_array().unwrap();
        let kinds: Vec<&str> = facets
            .iter()
            .map(|f| f["features"][0]["$type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "app.bsky.richtext.facet#mention",
                "app.bsky.richtext.facet#tag",
                "app.bsky.richtext.facet#link"
            ]
        );
        assert_eq!(facets[0]["features"][0]["did"], fan.did.as_str());
        let mention_at = text.find('@').unwrap();
        assert_eq!(facets[0]["index"]["byteStart"], mention_at);

        // An image with alt text.
        let mut with_image = post(&common::unique("k"), "Notre nouveau logo");
        with_image.images = vec![ImageInput {
            bytes: common::PNG_1X1.to_vec(),
            mime: "image/png".into(),
            alt: "Un carré rouge".into(),
        }];
        let image_post = bsky.publish(&with_image).await.unwrap();
        let (_, stored) = net
            .record(&brand.jwt, &split_ref(&image_post.remote_ref).0)
            .await;
        let image = &stored["value"]["embed"]["images"][0];
        assert_eq!(stored["value"]["embed"]["$type"], "app.bsky.embed.images");
        assert_eq!(image["alt"], "Un carré rouge");
        assert_eq!(image["aspectRatio"], json!({"width": 1, "height": 1}));
        assert_eq!(image["image"]["mimeType"], "image/png");

        // A thread: the second post answers the first, the third the second (root stays).
        let mut second = post(&common::unique("k"), "2/ suite du fil");
        second.reply_to = Some(first.remote_ref.clone());
        let second = bsky.publish(&second).await.unwrap();
        let mut third = post(&common::unique("k"), "3/ fin du fil");
        third.reply_to = Some(second.remote_ref.clone());
        let third = bsky.publish(&third).await.unwrap();
        let (_, stored) = net
            .record(&brand.jwt, &split_ref(&third.remote_ref).0)
            .await;
        assert_eq!(stored["value"]["reply"]["root"]["uri"], first_uri.as_str());
        assert_eq!(stored["value"]["reply"]["root"]["cid"], first_cid.as_str());
        assert_eq!(
            stored["value"]["reply"]["parent"]["uri"],
            split_ref(&second.remote_ref).0.as_str()
        );

        // The fan replies with hostile facets, and mentions the brand elsewhere. The AppView
        // indexes repos in parallel: it must have seen the brand's post before the reply, or it
        // cannot tell whom to notify (on the real network, replies come later anyway).
        net.process_all().await;
        let reply_text = "click here or javascript <b>bold</b>";
        let (reply_uri, _) = net
            .write_post(
                &fan,
                json!({
                    "$type": "app.bsky.feed.post",
                    "text": reply_text,
                    "createdAt": now(),
                    "reply": {
                        "root": {"uri": first_uri, "cid": first_cid},
                        "parent": {"uri": first_uri, "cid": first_cid},
                    },
                    "facets": [
                        {"index": {"byteStart": 6, "byteEnd": 10},
                         "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://evil.example/phish"}]},
                        {"index": {"byteStart": 14, "byteEnd": 24},
                         "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "javascript:alert(document.cookie)"}]},
                    ],
                }),
            )
            .await;
        let mention_text = format!("Merci @{} pour tout", brand.handle);
        let at = mention_text.find('@').unwrap();
        let (mention_uri, _) = net
            .write_post(
                &fan,
                json!({
                    "$type": "app.bsky.feed.post",
                    "text": mention_text,
                    "createdAt": now(),
                    "facets": [{"index": {"byteStart": at, "byteEnd": at + 1 + brand.handle.len()},
                                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand.did}]}],
                }),
            )
            .await;
        let page = net
            .until(|| bsky.fetch_inbox(None), |p| p.items.len() >= 2)
            .await;
        let reply = page
            .items
            .iter()
            .find(|i| i.remote_ref.0.starts_with(&reply_uri))
            .expect("the fan's reply is in the inbox");
        assert_eq!(reply.kind, InboxKind::Comment);
        assert_eq!(reply.in_reply_to.as_ref(), Some(&first.remote_ref));
        assert_eq!(reply.root.as_ref(), Some(&first.remote_ref));
        assert_eq!(reply.text, reply_text);
        assert_eq!(reply.author.remote_id.as_deref(), Some(fan.did.as_str()));
        let html = reply.html.as_deref().unwrap();
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains(">https://evil.example/phish</a>"), "{html}");
        let mention = page
            .items
            .iter()
            .find(|i| i.remote_ref.0.starts_with(&mention_uri))
            .expect("the mention is in the inbox");
        assert_eq!(mention.kind, InboxKind::Mention);
        let cursor = page.cursor.clone().unwrap();

        // After the cursor: nothing new, only what the overlap before it reads again (the
        // inbox's store keeps each item once), and the cursor stays.
        let again = bsky.fetch_inbox(Some(&cursor)).await.unwrap();
        assert!(
            again
                .items
                .iter()
                .all(|i| page.items.iter().any(|p| p.remote_ref == i.remote_ref)),
            "{:?}",
            again.items
        );
        assert_eq!(again.cursor.as_ref(), Some(&cursor));
        let (newer_uri, _) = net
            .write_post(
                &fan,
                json!({
                    "$type": "app.bsky.feed.post",
                    "text": format!("@{} encore !", brand.handle),
                    "createdAt": now(),
                    "facets": [{"index": {"byteStart": 0, "byteEnd": 1 + brand.handle.len()},
                                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand.did}]}],
                }),
            )
            .await;
        let is_newer = |i: &InboxItem| i.remote_ref.0.starts_with(&newer_uri);
        let newer = net
            .until(
                || bsky.fetch_inbox(Some(&cursor)),
                |p| p.items.iter().any(is_newer),
            )
            .await;
        assert_eq!(newer.items.iter().filter(|i| is_newer(i)).count(), 1);
        assert_ne!(newer.cursor.as_ref(), Some(&cursor));

        // The brand answers the fan's reply: root is still the brand's post.
        let answer = bsky
            .reply(&reply.remote_ref, post(&common::unique("k"), "Merci !"))
            .await
            .unwrap();
        let (_, stored) = net
            .record(&brand.jwt, &split_ref(&answer.remote_ref).0)
            .await;
        assert_eq!(stored["value"]["reply"]["root"]["uri"], first_uri.as_str());
        assert_eq!(
            stored["value"]["reply"]["parent"]["uri"],
            reply_uri.as_str()
        );

        // Metrics: the fan likes the first post.
        net.xrpc(
            Some(&fan.jwt),
            "com.atproto.repo.createRecord",
            json!({"repo": fan.did, "collection": "app.bsky.feed.like",
                   "record": {"$type": "app.bsky.feed.like", "createdAt": now(),
                              "subject": {"uri": first_uri, "cid": first_cid}}}),
        )
        .await;
        net.process_all().await;
        let metrics = bsky.post_metrics(&first.remote_ref).await.unwrap();
        assert_eq!(metrics.get(Metric::Likes), Some(1));
        assert_eq!(metrics.get(Metric::Replies), Some(2));
        assert_eq!(metrics.get(Metric::Reposts), Some(0));
        assert_eq!(metrics.get(Metric::Quotes), Some(0));
        let account = bsky.account_metrics().await.unwrap();
        assert_eq!(account.get(Metric::Posts), Some(5));
        assert_eq!(account.get(Metric::Followers), Some(0));

        // Delete, twice.
        bsky.delete_post(&image_post.remote_ref).await.unwrap();
        let (status, _) = net
            .record(&brand.jwt, &split_ref(&image_post.remote_ref).0)
            .await;
        assert_eq!(status, 400, "the record is gone");
        bsky.delete_post(&image_post.remote_ref).await.unwrap();
        // Someone else's post is not ours to delete.
        let err = bsky
            .delete_post(&RemoteRef(mention_uri.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Permanent);
    }

    #[tokio::test]
    async fn publishing_again_with_the_same_key_returns_the_same_post() {
        let Some(net) = Net::new() else { return };
        let brand = net.account("idem").await;
        let request = post(&common::unique("key"), "Une seule fois, même si on insiste");
        let bsky = connector(&net.pds, &brand.handle, &brand.app_password);
        let once = bsky.publish(&request).await.unwrap();
        let twice = bsky.publish(&request).await.unwrap();
        assert_eq!(once, twice);
        // A retry after a crash: a new connector from the stored credentials, same request.
        let after_crash = connector_with(
            &net.pds,
            &brand.handle,
            &brand.app_password,
            match bsky.credentials() {
                Credentials::Bluesky { session, .. } => session,
                _ => unreachable!(),
            },
        );
        assert_eq!(after_crash.publish(&request).await.unwrap(), once);
        // A different key in the same second is a different post.
        let mut other = request.clone();
        other.idempotency_key = common::unique("key");
        assert_ne!(bsky.publish(&other).await.unwrap(), once);
        let (_, listed) = net
            .get(
                &brand.jwt,
                "com.atproto.repo.listRecords",
                &[("repo", &brand.did), ("collection", "app.bsky.feed.post")],
            )
            .await;
        assert_eq!(listed["records"].as_array().unwrap().len(), 2, "{listed}");
    }

    #[tokio::test]
    async fn a_wrong_app_password_is_an_auth_error() {
        let Some(net) = Net::new() else { return };
        let brand = net.account("auth").await;
        let bsky = connector(&net.pds, &brand.handle, "wron-gwro-ngwr-ongw");
        let err = bsky.verify().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");
        let nobody = connector(&net.pds, "nobody.test", "aaaa-bbbb-cccc-dddd");
        assert_eq!(nobody.verify().await.unwrap_err().kind, ErrorKind::Auth);
    }

    #[tokio::test]
    async fn dead_tokens_are_renewed_from_the_refresh_token_or_the_app_password() {
        let Some(net) = Net::new() else { return };
        let brand = net.account("renew").await;
        let bsky = connector(&net.pds, &brand.handle, &brand.app_password);
        bsky.verify().await.unwrap();
        let Credentials::Bluesky {
            session: Some(good),
            ..
        } = bsky.credentials()
        else {
            panic!()
        };
        // The access token looks expired: refreshed before the call.
        let stale = BlueskySession {
            access_expires_at: 0,
            ..good.clone()
        };
        let bsky = connector_with(&net.pds, &brand.handle, &brand.app_password, Some(stale));
        bsky.refresh_credentials(60).await.unwrap();
        let Credentials::Bluesky {
            session: Some(refreshed),
            ..
        } = bsky.credentials()
        else {
            panic!()
        };
        assert_ne!(refreshed.refresh_jwt, good.refresh_jwt);
        bsky.verify().await.unwrap();
        // Both tokens are garbage: a new session from the app password.
        let garbage = BlueskySession {
            access_jwt: Secret("garbage".into()),
            refresh_jwt: Secret("garbage".into()),
            access_expires_at: i64::MAX / 2,
            ..good
        };
        let bsky = connector_with(&net.pds, &brand.handle, &brand.app_password, Some(garbage));
        assert_eq!(bsky.verify().await.unwrap().remote_id, brand.did);
    }

    #[tokio::test]
    async fn a_link_card_is_built_from_the_page_on_a_real_network() {
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let Some(net) = Net::new() else { return };
        let site = MockServer::start().await;
        let page = format!(
            r#"<html><head><title>ignored</title>
            <meta property="og:title" content="Lancement &amp; <script>alert(1)</script>fête">
            <meta property="og:description" content="Tout sur le lancement">
            <meta property="og:image" content="{}/card.png"></head></html>"#,
            site.uri()
        );
        Mock::given(method("GET"))
            .and(path("/launch"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html"))
            .mount(&site)
            .await;
        Mock::given(method("GET"))
            .and(path("/card.png"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(common::PNG_1X1, "image/png"))
            .mount(&site)
            .await;
        let brand = net.account("card").await;
        let bsky = connector(&net.pds, &brand.handle, &brand.app_password);
        let mut request = post(&common::unique("k"), "Le lancement, c'est aujourd'hui");
        request.link = Some(format!("{}/launch", site.uri()));
        let published = bsky.publish(&request).await.unwrap();
        let (_, stored) = net
            .record(&brand.jwt, &split_ref(&published.remote_ref).0)
            .await;
        let external = &stored["value"]["embed"]["external"];
        assert_eq!(stored["value"]["embed"]["$type"], "app.bsky.embed.external");
        assert_eq!(external["title"], "Lancement & fête");
        assert_eq!(external["description"], "Tout sur le lancement");
        assert_eq!(external["thumb"]["mimeType"], "image/png");
        // An unreachable page: the post goes out without a card.
        let mut request = post(&common::unique("k"), "Sans carte");
        request.link = Some("http://127.0.0.1:9/nothing".into());
        let published = bsky.publish(&request).await.unwrap();
        let (_, stored) = net
            .record(&brand.jwt, &split_ref(&published.remote_ref).0)
            .await;
        assert!(stored["value"].get("embed").is_none(), "{stored}");
    }

    #[tokio::test]
    async fn unresolvable_mentions_stay_plain_text_and_long_posts_are_refused() {
        let Some(net) = Net::new() else { return };
        let brand = net.account("text").await;
        let bsky = connector(&net.pds, &brand.handle, &brand.app_password);
        let published = bsky
            .publish(&post(&common::unique("k"), "Coucou @nobody-here.test"))
            .await
            .unwrap();
        let (_, stored) = net
            .record(&brand.jwt, &split_ref(&published.remote_ref).0)
            .await;
        assert!(stored["value"].get("facets").is_none(), "{stored}");
        let err = bsky
            .publish(&post(&common::unique("k"), &"a".repeat(301)))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("300"), "{}", err.message);
    }
}

mod mock {
    //! What a healthy PDS never does, on wiremock.
    use super::*;
    use base64::Engine;
    use std::time::Duration;
    use wiremock::matchers::{body_partial_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn jwt(exp: i64, id: &str) -> String {
        let enc = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.sig",
            enc(r#"{"alg":"HS256"}"#),
            enc(&format!(r#"{{"exp":{exp},"jti":"{id}"}}"#))
        )
    }

    fn session_body(id: &str) -> Value {
        json!({
            "did": "did:plc:brand",
            "handle": "brand.example.com",
            "accessJwt": jwt(jiff::Timestamp::now().as_second() + 7200, id),
            "refreshJwt": format!("refresh-{id}"),
        })
    }

    async fn pds() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.createSession"))
            .respond_with(ResponseTemplate::new(200).set_body_json(session_body("first")))
            .mount(&server)
            .await;
        server
    }

    fn bsky(server: &MockServer) -> BlueskyConnector {
        connector(&server.uri(), "brand.example.com", "app-pass-word")
    }

    fn profile(display_name: &str) -> Value {
        json!({
            "did": "did:plc:brand",
            "handle": "brand.example.com",
            "displayName": display_name,
            "avatar": "https://cdn.example/avatar.jpg",
            "followersCount": 12, "followsCount": 3, "postsCount": 40,
        })
    }

    async fn on_get(server: &MockServer, nsid: &str, response: ResponseTemplate) {
        Mock::given(method("GET"))
            .and(path(format!("/xrpc/{nsid}")))
            .respond_with(response)
            .mount(server)
            .await;
    }

    #[tokio::test]
    async fn credentials_of_another_network_or_a_bad_address_are_refused() {
        let ctx = ConnectorContext {
            http: common::http(),
            rate_limited_until: None,
        };
        let mastodon = Credentials::Mastodon {
            instance: "https://m.example".into(),
            access_token: Secret("t".into()),
        };
        let err = BlueskyConnector::new(&mastodon, &ctx).err().unwrap();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        for (service, id) in [
            ("ftp://pds.example", "a.example"),
            ("https://pds.example", " "),
        ] {
            let creds = Credentials::Bluesky {
                service: service.into(),
                identifier: id.into(),
                app_password: Secret("x".into()),
                session: None,
            };
            let err = BlueskyConnector::new(&creds, &ctx).err().unwrap();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{service} {id}");
        }
    }

    #[tokio::test]
    async fn hostile_profiles_give_plain_bounded_names_and_safe_urls() {
        let server = pds().await;
        let mut hostile = profile(&format!(
            "<script>alert(1)</script>\u{1b}[31m{}",
            "é".repeat(5_000)
        ));
        hostile["avatar"] = json!("javascript:alert(1)");
        on_get(
            &server,
            "app.bsky.actor.getProfile",
            ResponseTemplate::new(200).set_body_json(hostile),
        )
        .await;
        let p = bsky(&server).verify().await.unwrap();
        assert!(p.display_name.chars().count() <= 200);
        assert!(!p.display_name.contains('\u{1b}'));
        assert_eq!(p.avatar_url, None);
        assert_eq!(p.remote_id, "did:plc:brand");
    }

    #[tokio::test]
    async fn malformed_or_huge_answers_are_invalid_responses() {
        let server = pds().await;
        on_get(
            &server,
            "app.bsky.actor.getProfile",
            ResponseTemplate::new(200).set_body_string("{\"did\": "),
        )
        .await;
        on_get(
            &server,
            "app.bsky.notification.listNotifications",
            ResponseTemplate::new(200).set_body_string("x".repeat(5 * 1024 * 1024)),
        )
        .await;
        let bsky = bsky(&server);
        assert_eq!(
            bsky.verify().await.unwrap_err().kind,
            ErrorKind::InvalidResponse
        );
        assert_eq!(
            bsky.fetch_inbox(None).await.unwrap_err().kind,
            ErrorKind::InvalidResponse
        );
    }

    #[tokio::test]
    async fn a_429_closes_the_gate_and_later_calls_stay_off_the_network() {
        let server = pds().await;
        Mock::given(method("GET"))
            .and(path("/xrpc/app.bsky.actor.getProfile"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("retry-after", "600")
                    .insert_header("ratelimit-limit", "3000")
                    .insert_header("ratelimit-remaining", "0")
                    .insert_header("ratelimit-policy", "3000;w=300"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let bsky = bsky(&server);
        let err = bsky.verify().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::RateLimited);
        assert!(err.retry_after.unwrap() > Duration::from_secs(500));
        assert!(
            bsky.rate_gate()
                .closed_until(jiff::Timestamp::now().as_second())
                .is_some()
        );
        assert_eq!(
            bsky.account_metrics().await.unwrap_err().kind,
            ErrorKind::RateLimited
        );
        server.verify().await;
    }

    #[tokio::test]
    async fn outages_are_transient_and_a_refused_password_is_auth() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.createSession"))
            .respond_with(ResponseTemplate::new(503).set_body_string("<html>down</html>"))
            .mount(&server)
            .await;
        let err = bsky(&server).verify().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Transient);
        assert!(!err.breaks_channel());

        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.createSession"))
            .respond_with(ResponseTemplate::new(401).set_body_json(
                json!({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
            ))
            .mount(&server)
            .await;
        let err = bsky(&server).verify().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth);
        assert!(
            err.message.contains("Invalid identifier or password"),
            "{}",
            err.message
        );

        // A 5xx on a signed-in call is transient too, never Auth.
        let server = pds().await;
        on_get(
            &server,
            "app.bsky.actor.getProfile",
            ResponseTemplate::new(502),
        )
        .await;
        assert_eq!(
            bsky(&server).verify().await.unwrap_err().kind,
            ErrorKind::Transient
        );
    }

    /// A PDS (or a server claiming to be one) answering `status` to the sign-in.
    async fn sign_in_answers(status: u16) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.createSession"))
            .respond_with(ResponseTemplate::new(status).set_body_json(
                json!({"error": "SomeRefusal", "message": "Not with these credentials"}),
            ))
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn on_verify_any_refusal_of_the_sign_in_but_429_is_auth() {
        for status in [400, 401, 403, 404, 422] {
            let err = bsky(&sign_in_answers(status).await)
                .verify()
                .await
                .unwrap_err();
            assert_eq!(err.kind, ErrorKind::Auth, "{status}: {err:?}");
            assert_eq!(
                err.network_message.as_deref(),
                Some("Not with these credentials (SomeRefusal)"),
                "{status}"
            );
        }
        let err = bsky(&sign_in_answers(429).await)
            .verify()
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::RateLimited, "{err:?}");
        let err = bsky(&sign_in_answers(503).await)
            .verify()
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Transient, "{err:?}");
        assert_eq!(
            err.network_message.as_deref(),
            Some("Not with these credentials (SomeRefusal)")
        );
    }

    #[tokio::test]
    async fn on_verify_a_refused_profile_is_auth() {
        for status in [400, 403, 422] {
            let server = pds().await;
            on_get(
                &server,
                "app.bsky.actor.getProfile",
                ResponseTemplate::new(status)
                    .set_body_json(json!({"error": "AccountSuspended", "message": "Suspended"})),
            )
            .await;
            let err = bsky(&server).verify().await.unwrap_err();
            assert_eq!(err.kind, ErrorKind::Auth, "{status}: {err:?}");
        }
    }

    #[tokio::test]
    async fn a_refresh_token_refused_with_any_4xx_signs_in_again() {
        for status in [400, 403, 422] {
            let server = pds().await;
            Mock::given(method("POST"))
                .and(path("/xrpc/com.atproto.server.refreshSession"))
                .respond_with(
                    ResponseTemplate::new(status)
                        .set_body_json(json!({"error": "InvalidRequest", "message": "Revoked"})),
                )
                .expect(1)
                .mount(&server)
                .await;
            let stale = BlueskySession {
                did: "did:plc:brand".into(),
                handle: "brand.example.com".into(),
                access_jwt: Secret(jwt(1, "old")),
                refresh_jwt: Secret("refresh-old".into()),
                access_expires_at: 1,
            };
            let bsky = connector_with(&server.uri(), "brand.example.com", "pw", Some(stale));
            bsky.refresh_credentials(300).await.unwrap();
            assert_eq!(bsky.credentials_expire_at().map(|t| t > 1), Some(true));
            server.verify().await;
        }
    }

    #[tokio::test]
    async fn a_refresh_and_a_sign_in_both_refused_is_auth_and_a_429_is_not() {
        let stale = || BlueskySession {
            did: "did:plc:brand".into(),
            handle: "brand.example.com".into(),
            access_jwt: Secret(jwt(1, "old")),
            refresh_jwt: Secret("refresh-old".into()),
            access_expires_at: 1,
        };
        let server = sign_in_answers(403).await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.refreshSession"))
            .respond_with(ResponseTemplate::new(403))
            .mount(&server)
            .await;
        let err = connector_with(&server.uri(), "brand.example.com", "pw", Some(stale()))
            .refresh_credentials(300)
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Auth, "{err:?}");

        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.refreshSession"))
            .respond_with(ResponseTemplate::new(429))
            .mount(&server)
            .await;
        let err = connector_with(&server.uri(), "brand.example.com", "pw", Some(stale()))
            .refresh_credentials(300)
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::RateLimited, "{err:?}");
    }

    #[tokio::test]
    async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
        let server = pds().await;
        Mock::given(method("GET"))
            .and(path("/xrpc/app.bsky.actor.getProfile"))
            .respond_with(
                ResponseTemplate::new(400).set_body_json(
                    json!({"error": "ExpiredToken", "message": "Token has expired"}),
                ),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        on_get(
            &server,
            "app.bsky.actor.getProfile",
            ResponseTemplate::new(200).set_body_json(profile("Brand")),
        )
        .await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.refreshSession"))
            .and(header("authorization", "Bearer refresh-first"))
            .respond_with(ResponseTemplate::new(200).set_body_json(session_body("second")))
            .expect(1)
            .mount(&server)
            .await;
        let bsky = bsky(&server);
        assert_eq!(bsky.verify().await.unwrap().display_name, "Brand");
        let Credentials::Bluesky {
            session: Some(s), ..
        } = bsky.credentials()
        else {
            panic!()
        };
        assert_eq!(s.refresh_jwt.expose(), "refresh-second");
        server.verify().await;
    }

    #[tokio::test]
    async fn a_dead_refresh_token_signs_in_again_with_the_app_password() {
        let server = pds().await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.refreshSession"))
            .respond_with(
                ResponseTemplate::new(400).set_body_json(
                    json!({"error": "ExpiredToken", "message": "Token has expired"}),
                ),
            )
            .expect(1)
            .mount(&server)
            .await;
        let stale = BlueskySession {
            did: "did:plc:brand".into(),
            handle: "brand.example.com".into(),
            access_jwt: Secret(jwt(1, "old")),
            refresh_jwt: Secret("refresh-old".into()),
            access_expires_at: 1,
        };
        let bsky = connector_with(&server.uri(), "brand.example.com", "pw", Some(stale));
        bsky.refresh_credentials(300).await.unwrap();
        let Credentials::Bluesky {
            session: Some(s), ..
        } = bsky.credentials()
        else {
            panic!()
        };
        assert_eq!(s.refresh_jwt.expose(), "refresh-first");
        assert!(bsky.credentials_expire_at().unwrap() > jiff::Timestamp::now().as_second() + 3600);
        server.verify().await;
    }

    #[tokio::test]
    async fn a_write_whose_answer_was_lost_is_found_instead_of_written_twice() {
        let server = pds().await;
        let uri = "at://did:plc:brand/app.bsky.feed.post/3lzzzzzzzzzzz";
        let cid = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
        // Before the write: not there. After the failed write: there.
        Mock::given(method("GET"))
            .and(path("/xrpc/com.atproto.repo.getRecord"))
            .respond_with(ResponseTemplate::new(400).set_body_json(
                json!({"error": "RecordNotFound", "message": "Could not locate record"}),
            ))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        on_get(
            &server,
            "com.atproto.repo.getRecord",
            ResponseTemplate::new(200)
                .set_body_json(json!({"uri": uri, "cid": cid, "value": {"text": "hi"}})),
        )
        .await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.repo.createRecord"))
            .and(body_partial_json(
                json!({"collection": "app.bsky.feed.post"}),
            ))
            .respond_with(ResponseTemplate::new(500).set_body_json(
                json!({"error": "InternalServerError", "message": "Internal Server Error"}),
            ))
            .mount(&server)
            .await;
        let published = bsky(&server).publish(&post("k-1", "hi")).await.unwrap();
        assert_eq!(published.remote_ref.0, format!("{uri}#{cid}"));
        assert_eq!(
            published.url.as_deref(),
            Some("https://bsky.app/profile/brand.example.com/post/3lzzzzzzzzzzz")
        );
    }

    #[tokio::test]
    async fn too_long_texts_and_big_images_are_refused_before_any_call() {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        let bsky = bsky(&server);
        let err = bsky
            .publish(&post("k", &"x".repeat(301)))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        let mut big = post("k", "photo");
        big.images = vec![ImageInput {
            bytes: vec![0; 1_000_001],
            mime: "image/jpeg".into(),
            alt: String::new(),
        }];
        assert_eq!(
            bsky.publish(&big).await.unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        server.verify().await;
    }

    #[tokio::test]
    async fn hostile_notifications_become_plain_text_and_safe_html() {
        // tests/fixtures/bluesky/README.md says where this comes from.
        let fixture: Value =
            serde_json::from_str(include_str!("fixtures/bluesky/list_notifications.json")).unwrap();
        let server = pds().await;
        on_get(
            &server,
            "app.bsky.notification.listNotifications",
            ResponseTemplate::new(200).set_body_json(fixture),
        )
        .await;
        let page = bsky(&server).fetch_inbox(None).await.unwrap();
        // The like is not for the inbox, the unreadable one is skipped.
        assert_eq!(page.items.len(), 2, "{:?}", page.items);
        let quote = &page.items[0];
        assert_eq!(quote.kind, InboxKind::Mention);
        let reply = &page.items[1];
        assert_eq!(reply.kind, InboxKind::Comment);
        assert_eq!(reply.text, "click here <script>alert(1)</script> and there");
        let html = reply.html.as_deref().unwrap();
        for bad in ["<script", "javascript:", "onerror", "out-of-range"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(
            html.contains(r#"href="https://evil.example/phish""#),
            "{html}"
        );
        assert!(html.contains(">https://evil.example/phish</a>"), "{html}");
        assert!(!reply.author.display_name.contains('\u{7}'));
        assert_eq!(reply.author.avatar_url, None);
        assert_eq!(reply.author.handle, "@fan.example.com");
        assert_eq!(
            reply.in_reply_to.as_ref().unwrap().0,
            "at://did:plc:brand/app.bsky.feed.post/3lbrand22222#bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
        );
        assert_eq!(page.cursor.unwrap().0, "2026-11-20T10:00:01.000Z");
    }

    #[tokio::test]
    async fn paging_stops_at_the_stored_cursor() {
        let server = pds().await;
        let fixture: Value =
            serde_json::from_str(include_str!("fixtures/bluesky/list_notifications.json")).unwrap();
        // The first page ends before the cursor's overlap, so the next page is read; there the
        // overlap's start is reached and paging stops (the mock would loop forever otherwise).
        Mock::given(method("GET"))
            .and(path("/xrpc/app.bsky.notification.listNotifications"))
            .and(wiremock::matchers::query_param(
                "cursor",
                "2026-11-20T09:59:00.000Z",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "cursor": "older",
                "notifications": [fixture["notifications"][2].clone()],
            })))
            .expect(1)
            .mount(&server)
            .await;
        let mut first_page = fixture.clone();
        first_page["notifications"] = json!([fixture["notifications"][0].clone()]);
        on_get(
            &server,
            "app.bsky.notification.listNotifications",
            ResponseTemplate::new(200).set_body_json(first_page),
        )
        .await;
        // A cursor 15 minutes after the oldest notification: reading goes back to it (the
        // overlap) and stops there; the newest notification, older than the cursor, is read
        // again, and the cursor does not move back.
        let since = tribune_connectors::Cursor("2026-11-20T10:14:00.500Z".into());
        let page = bsky(&server).fetch_inbox(Some(&since)).await.unwrap();
        assert_eq!(page.items.len(), 1, "{:?}", page.items);
        assert_eq!(page.cursor.unwrap(), since);
        server.verify().await;
        let err = bsky(&server)
            .fetch_inbox(Some(&tribune_connectors::Cursor("garbage".into())))
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
    }

    /// An access token with `scope`: an app password with or without access to direct
    /// messages, or a full sign-in.
    fn scoped_jwt(scope: &str) -> String {
        let enc = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let exp = jiff::Timestamp::now().as_second() + 7200;
        format!(
            "{}.{}.sig",
            enc(r#"{"alg":"HS256"}"#),
            enc(&format!(r#"{{"exp":{exp},"scope":"{scope}"}}"#))
        )
    }

    /// A PDS whose sign-in gives a token with `scope`, and no notifications.
    async fn pds_with_scope(scope: &str) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.createSession"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "did": "did:plc:brand", "handle": "brand.example.com",
                "accessJwt": scoped_jwt(scope), "refreshJwt": "refresh",
            })))
            .mount(&server)
            .await;
        on_get(
            &server,
            "app.bsky.notification.listNotifications",
            ResponseTemplate::new(200).set_body_json(json!({"notifications": []})),
        )
        .await;
        server
    }

    const CHAT: &str = "did:web:api.bsky.chat#bsky_chat";

    /// A chat call, forwarded by the PDS to Bluesky's chat service.
    fn chat_call(verb: &str, nsid: &str) -> wiremock::MockBuilder {
        Mock::given(method(verb))
            .and(path(format!("/xrpc/{nsid}")))
            .and(header("atproto-proxy", CHAT))
    }

    fn fan_convo() -> Value {
        json!({"convo": {"id": "3lconvofan01", "rev": "3lchatrev0003", "muted": false, "unreadCount": 1,
        "members": [
            {"did": "did:plc:brand", "handle": "brand.example.com"},
            {"did": "did:plc:fan", "handle": "fan.example.com", "displayName": "Léa \u{7}Fan",
             "avatar": "javascript:alert(3)"}
        ]}})
    }

    #[tokio::test]
    async fn direct_messages_arrive_as_plain_text_from_the_chat_log_and_its_position_is_kept() {
        let server = pds_with_scope("com.atproto.appPassPrivileged").await;
        let fixture: Value =
            serde_json::from_str(include_str!("fixtures/bluesky/chat_get_log.json")).unwrap();
        chat_call("GET", "chat.bsky.convo.getLog")
            .and(wiremock::matchers::query_param("cursor", "3lchatrev0004"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"logs": [], "cursor": "3lchatrev0004"})),
            )
            .expect(1)
            .with_priority(1)
            .mount(&server)
            .await;
        chat_call("GET", "chat.bsky.convo.getLog")
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture))
            .expect(1)
            .mount(&server)
            .await;
        chat_call("GET", "chat.bsky.convo.getConvo")
            .and(wiremock::matchers::query_param("convoId", "3lconvofan01"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fan_convo()))
            .expect(1)
            .mount(&server)
            .await;
        let bsky = bsky(&server);
        let page = bsky.fetch_inbox(None).await.unwrap();
        assert!(bsky.capabilities().contains(Capability::ReadMessages));
        // The account's own message, the deletion and the unreadable event are not items.
        assert_eq!(page.items.len(), 1, "{:?}", page.items);
        let dm = &page.items[0];
        assert_eq!(dm.kind, InboxKind::Message);
        assert_eq!(dm.remote_ref.0, "chat:3lconvofan01/3lmsgfan0001");
        assert_eq!(dm.root.as_ref().unwrap().0, "chat:3lconvofan01");
        assert_eq!(dm.in_reply_to, None);
        assert_eq!(dm.author.handle, "@fan.example.com");
        assert_eq!(dm.author.remote_id.as_deref(), Some("did:plc:fan"));
        assert!(!dm.author.display_name.contains('\u{7}'));
        assert_eq!(dm.author.avatar_url, None, "not an http(s) address");
        assert!(
            dm.text.contains("<script>alert(1)</script>"),
            "kept as text"
        );
        let html = dm.html.as_deref().unwrap();
        for bad in ["<script", "javascript:"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(
            html.contains(r#"href="https://evil.example/phish""#),
            "{html}"
        );
        assert_eq!(dm.links, vec!["https://evil.example/phish".to_string()]);
        assert_eq!(
            dm.url.as_deref(),
            Some("https://bsky.app/messages/3lconvofan01")
        );
        let cursor = page.cursor.unwrap();
        assert_eq!(
            cursor.0, "|3lchatrev0004",
            "no notification yet, the log's position"
        );
        // Next time the log is read from that position: nothing new, nothing moves.
        let again = bsky.fetch_inbox(Some(&cursor)).await.unwrap();
        assert!(again.items.is_empty());
        assert_eq!(again.cursor, Some(cursor));
        server.verify().await;
    }

    #[tokio::test]
    async fn a_direct_message_is_answered_in_its_conversation_once() {
        let server = pds_with_scope("com.atproto.appPassPrivileged").await;
        let written = jiff::Timestamp::now().as_second();
        // On another PDS, an earlier attempt's answer was lost: the message is there already.
        let earlier = pds_with_scope("com.atproto.appPassPrivileged").await;
        chat_call("GET", "chat.bsky.convo.getMessages")
            .and(wiremock::matchers::query_param("convoId", "3lconvofan01"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"messages": [
                    {"$type": "chat.bsky.convo.defs#messageView", "id": "3lmsgsent001", "rev": "9",
                     "text": "Nous regardons, merci !", "sender": {"did": "did:plc:brand"},
                     "sentAt": jiff::Timestamp::from_second(written + 2).unwrap().to_string()}
                ]})),
            )
            .mount(&earlier)
            .await;
        chat_call("GET", "chat.bsky.convo.getMessages")
            .and(wiremock::matchers::query_param("convoId", "3lconvofan01"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messages": []})))
            .mount(&server)
            .await;
        let send = |times: u64| {
            chat_call("POST", "chat.bsky.convo.sendMessage")
                .and(body_partial_json(json!({
                    "convoId": "3lconvofan01",
                    "message": {"text": "Nous regardons, merci !"},
                })))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "id": "3lmsgsent001", "rev": "9", "text": "Nous regardons, merci !",
                    "sender": {"did": "did:plc:brand"}, "sentAt": "2026-11-30T10:00:00.000Z"
                })))
                .expect(times)
        };
        send(1).mount(&server).await;
        send(0).mount(&earlier).await;
        let answer = || PostRequest {
            idempotency_key: "reply-7".into(),
            created_at: written,
            text: "Nous regardons, merci !".into(),
            private: true,
            ..PostRequest::default()
        };
        let to = RemoteRef("chat:3lconvofan01/3lmsgfan0001".into());
        let sent = bsky(&server).reply(&to, answer()).await.unwrap();
        assert_eq!(sent.remote_ref.0, "chat:3lconvofan01/3lmsgsent001");
        // The retry of an attempt that began just before (its answer lost) finds that message.
        let retry = PostRequest {
            earlier_attempt_at: Some(written),
            ..answer()
        };
        let found = bsky(&earlier).reply(&to, retry).await.unwrap();
        assert_eq!(found, sent, "found, not sent again");
        server.verify().await;
        earlier.verify().await;
        // Too long for a message: refused before any call.
        let long = PostRequest {
            text: "a".repeat(1_001),
            ..answer()
        };
        let err = bsky(&server).reply(&to, long).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
    }

    #[tokio::test]
    async fn a_plain_app_password_reads_notifications_only_and_cannot_answer_privately() {
        let server = pds_with_scope("com.atproto.appPass").await;
        chat_call("GET", "chat.bsky.convo.getLog")
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .mount(&server)
            .await;
        let bsky = bsky(&server);
        let page = bsky.fetch_inbox(None).await.unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.cursor, None);
        assert!(!bsky.capabilities().contains(Capability::ReadMessages));
        let to = RemoteRef("chat:3lconvofan01/3lmsgfan0001".into());
        let err = bsky.reply(&to, post("k-dm", "Bonjour")).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        let private = PostRequest {
            private: true,
            ..post("k-private", "Bonjour")
        };
        let post_ref = RemoteRef(
            "at://did:plc:fan/app.bsky.feed.post/3lfan11111#bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm".into(),
        );
        let err = bsky.reply(&post_ref, private).await.unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::Unsupported,
            "a post has no private answer"
        );
        server.verify().await;
    }

    #[tokio::test]
    async fn a_failing_chat_service_does_not_hold_back_comments_or_lose_its_position() {
        let server = pds_with_scope("com.atproto.access").await;
        chat_call("GET", "chat.bsky.convo.getLog")
            .respond_with(ResponseTemplate::new(502))
            .mount(&server)
            .await;
        let since = tribune_connectors::Cursor("2026-11-20T10:14:00.500Z|3lchatrev0004".into());
        let page = bsky(&server).fetch_inbox(Some(&since)).await.unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.cursor, Some(since));
        for bad in ["2026-11-20T10:14:00.500Z|../x", "nope|3lchatrev0004"] {
            let err = bsky(&server)
                .fetch_inbox(Some(&tribune_connectors::Cursor(bad.into())))
                .await
                .unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad}");
        }
    }

    #[tokio::test]
    async fn chat_refusals_are_not_the_accounts_and_a_refused_position_is_dropped() {
        let server = pds_with_scope("com.atproto.appPassPrivileged").await;
        chat_call("GET", "chat.bsky.convo.getLog")
            .respond_with(
                ResponseTemplate::new(400)
                    .set_body_json(json!({"error": "InvalidRequest", "message": "invalid cursor"})),
            )
            .mount(&server)
            .await;
        chat_call("POST", "chat.bsky.convo.sendMessage")
            .respond_with(
                ResponseTemplate::new(401)
                    .set_body_json(json!({"error": "AuthRequired", "message": "Bad token scope"})),
            )
            .mount(&server)
            .await;
        let since = tribune_connectors::Cursor("2026-11-20T10:14:00.500Z|3lchatrev0004".into());
        let page = bsky(&server).fetch_inbox(Some(&since)).await.unwrap();
        assert_eq!(
            page.cursor.unwrap().0,
            "2026-11-20T10:14:00.500Z",
            "the refused position is dropped, the notifications' kept"
        );
        let err = bsky(&server)
            .reply(
                &RemoteRef("chat:3lconvofan01/3lmsgfan0001".into()),
                post("k-refused", "Bonjour"),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Permanent, "{err:?}");
    }
}
