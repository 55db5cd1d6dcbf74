//! The Bluesky connector end to end against a real local network (`@atproto/dev-env`
//! TestNetwork: PDS + AppView, see scripts/peers/), plus wiremock for what a healthy PDS never
//! does (malformed answers, rate limits, outages, expired tokens).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Value, json};
use tribune_connectors::bluesky::BlueskyConnector;
use tribune_connectors::{
    BlueskySession, Connector, ConnectorContext, Credentials, ErrorKind, ImageInput, InboxKind,
    Metric, PostRequest, RemoteRef, Secret,
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
            Account {
                did: created["did"].as_str().unwrap().to_string(),
                handle,
                jwt,
                app_password: app["password"].as_str().unwrap().to_string(),
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

        // The fan replies with hostile facets, and mentions the brand elsewhere.
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
        net.process_all().await;

        let page = bsky.fetch_inbox(None).await.unwrap();
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

        // Only newer items after the cursor.
        let again = bsky.fetch_inbox(Some(&cursor)).await.unwrap();
        assert!(again.items.is_empty(), "{:?}", again.items);
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
        net.process_all().await;
        let newer = bsky.fetch_inbox(Some(&cursor)).await.unwrap();
        assert_eq!(newer.items.len(), 1, "{:?}", newer.items);
        assert!(newer.items[0].remote_ref.0.starts_with(&newer_uri));
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
