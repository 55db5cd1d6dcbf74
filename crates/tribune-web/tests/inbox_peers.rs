//! The inbox end to end against the local peers of `scripts/peers/start.sh`: a fan's reply on
//! the local Bluesky network reaches the inbox through the fetch job and the community manager
//! answers from tribune; a visitor's comment on the WordPress site reaches the inbox and is held
//! from tribune. Without the peers' environment the tests are skipped, except with `CI=true`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, each_backend};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tribune_connectors::testing::{bluesky_account, peer};
use tribune_domain::{ChannelId, WorkspaceId};
use tribune_store::jobs::OnDuplicate;
use tribune_store::unix_now;

async fn connect(app: &TestApp, token: &str, ws: i64, body: Value) -> i64 {
    let response = app
        .api(token, Method::POST, &format!("/workspaces/{ws}/channels"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let channel: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    channel["id"].as_i64().unwrap()
}

/// Publishes `text` on `channel` through the API and the publishing job; the post's reference
/// on the network.
async fn publish(app: &TestApp, token: &str, ws: i64, channel: i64, text: &str) -> String {
    let response = app
        .api(token, Method::POST, &format!("/workspaces/{ws}/posts"))
        .json(&json!({"channels": [channel], "title": "Nouveautés", "text": text, "publish_now": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    app.run_jobs().await;
    let post: Value = app
        .api(
            token,
            Method::GET,
            &format!("/workspaces/{ws}/posts/{}", created["id"]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(post["status"], "published", "{post}");
    post["targets"][0]["remote_id"].as_str().unwrap().to_owned()
}

/// Makes the channel's fetch job due now and runs the queue, as the worker would when its time
/// comes.
async fn fetch_now(app: &TestApp, ws: i64, channel: i64) {
    let now = unix_now();
    app.store
        .enqueue(
            &tribune_store::inbox::fetch_job(WorkspaceId(ws), ChannelId(channel), now),
            OnDuplicate::Replace,
            now,
        )
        .await
        .unwrap();
    app.run_jobs().await;
}

async fn inbox(app: &TestApp, token: &str, ws: i64, query: &str) -> Vec<Value> {
    let page: Value = app
        .api(
            token,
            Method::GET,
            &format!("/workspaces/{ws}/inbox?{query}"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

/// Fetches until an item with `text` is in the inbox (a network indexes in the background).
async fn until_in_inbox(
    app: &TestApp,
    token: &str,
    ws: i64,
    channel: i64,
    text: &str,
    mut nudge: impl AsyncFnMut(),
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        nudge().await;
        fetch_now(app, ws, channel).await;
        let items = inbox(app, token, ws, "").await;
        if let Some(found) = items.iter().find(|i| i["text"] == text) {
            return found.clone();
        }
        assert!(
            Instant::now() < deadline,
            "{text:?} never reached the inbox: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Fetches until the search `q` finds something in the inbox (or 30 seconds have passed).
async fn until_found(app: &TestApp, token: &str, ws: i64, channel: i64, q: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        fetch_now(app, ws, channel).await;
        let items = inbox(app, token, ws, &format!("q={q}")).await;
        if !items.is_empty() || Instant::now() > deadline {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// A session on the local Bluesky network, as any Bluesky client opens one.
async fn bsky_session(
    http: &reqwest::Client,
    pds: &str,
    identifier: &str,
    password: &str,
) -> Value {
    http.post(format!("{pds}/xrpc/com.atproto.server.createSession"))
        .json(&json!({"identifier": identifier, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Posts `text` on the network directly (not through tribune), answering `reply_to` (its
/// uri and cid, the root of its thread too); the new post's uri and cid.
async fn bsky_post(
    http: &reqwest::Client,
    pds: &str,
    session: &Value,
    text: &str,
    reply_to: Option<(&str, &str)>,
) -> (String, String) {
    let mut record = json!({
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": jiff::Timestamp::now().to_string(),
    });
    if let Some((uri, cid)) = reply_to {
        record["reply"] =
            json!({"root": {"uri": uri, "cid": cid}, "parent": {"uri": uri, "cid": cid}});
    }
    let created: Value = http
        .post(format!("{pds}/xrpc/com.atproto.repo.createRecord"))
        .bearer_auth(session["accessJwt"].as_str().unwrap())
        .json(
            &json!({"repo": session["did"], "collection": "app.bsky.feed.post", "record": record}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        created["uri"].as_str().unwrap().to_owned(),
        created["cid"].as_str().unwrap().to_owned(),
    )
}

/// The Mastodon peer's address, the brand's token and a friend's, when the peers run.
fn mastodon_peer() -> Option<(String, String, String)> {
    Some((
        peer("TRIBUNE_TEST_MASTODON_URL")?,
        peer("TRIBUNE_TEST_MASTODON_TOKEN")?,
        peer("TRIBUNE_TEST_MASTODON_OTHER_TOKEN")?,
    ))
}

/// The local WordPress site and its owner's user name and application password.
fn wordpress_peer() -> Option<(String, String, String)> {
    Some((
        peer("TRIBUNE_TEST_WP_URL")?,
        peer("TRIBUNE_TEST_WP_USER")?,
        peer("TRIBUNE_TEST_WP_APP_PASSWORD")?,
    ))
}

/// A florist's community manager (their browser and scope), the workspace, an API token and a
/// channel connected with `body` (as `POST …/channels` takes it).
async fn desk(
    app: &TestApp,
    body: Value,
) -> (
    reqwest::Client,
    tribune_store::WorkspaceScope,
    i64,
    String,
    i64,
) {
    let (cm, scope) = app
        .member_with_workspace("cm@example.fr", "Fleuriste")
        .await;
    let ws = scope.workspace().0;
    let token = app.api_token("cm@example.fr").await;
    let channel = connect(app, &token, ws, body).await;
    (cm, scope, ws, token, channel)
}

/// [`desk`] with the local WordPress site.
async fn wordpress_desk(
    app: &TestApp,
    site: &str,
    user: &str,
    password: &str,
) -> (
    reqwest::Client,
    tribune_store::WorkspaceScope,
    i64,
    String,
    i64,
) {
    desk(
        app,
        json!({"network": "wordpress", "site": site, "username": user, "app_password": password}),
    )
    .await
}

/// [`desk`] with the brand's account on the Mastodon mock.
async fn mastodon_desk(
    app: &TestApp,
    server: &str,
    token_brand: &str,
) -> (
    reqwest::Client,
    tribune_store::WorkspaceScope,
    i64,
    String,
    i64,
) {
    desk(
        app,
        json!({"network": "mastodon", "instance": server, "access_token": token_brand}),
    )
    .await
}

#[tokio::test]
async fn a_reply_on_bluesky_reaches_the_inbox_and_the_answer_reaches_bluesky() {
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
            let http = reqwest::Client::new();
            let (cm, scope) = app.member_with_workspace("cm@example.fr", "Boulangerie").await;
            let ws = scope.workspace().0;
            let token = app.api_token("cm@example.fr").await;
            let (brand, brand_password) = bluesky_account(&pds, &control, "brand").await;
            let (fan, fan_password) = bluesky_account(&pds, &control, "fan").await;
            let channel = connect(&app, &token, ws, json!({"network": "bluesky", "service": pds, "identifier": brand, "app_password": brand_password})).await;

            let nonce = format!("{}-{}", app.backend, unix_now());
            let post_ref = publish(&app, &token, ws, channel, &format!("Galette des rois {nonce}")).await;
            let (post_uri, post_cid) = post_ref.split_once('#').unwrap();

            // The fan answers on the network, as any Bluesky client would.
            let session = bsky_session(&http, &pds, &fan, &fan_password).await;
            let process = || {
                let (http, control) = (http.clone(), control.clone());
                async move {
                    http.post(format!("{control}/process-all")).send().await.unwrap();
                }
            };
            process().await;
            let question = format!("Elle est à la frangipane ? {nonce}");
            let (question_uri, _) =
                bsky_post(&http, &pds, &session, &question, Some((post_uri, post_cid))).await;

            // The fetch job brings it, classified, with the post it answers.
            let item = until_in_inbox(&app, &token, ws, channel, &question, async || process().await).await;
            assert_eq!(item["kind"], "comment", "{}: {item}", app.backend);
            assert_eq!(item["lang"], "fr");
            assert_eq!(item["status"], "new");
            assert_eq!(item["author"]["handle"], format!("@{fan}"));
            let id = item["id"].as_i64().unwrap();
            let (status, html) = app.get_text(&cm, &format!("/w/{ws}/inbox/{id}")).await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains(&format!("Galette des rois {nonce}")), "the original post is shown");

            // Fetching again (a restart, a second node) neither misses nor doubles anything.
            fetch_now(&app, ws, channel).await;
            let all = inbox(&app, &token, ws, "").await;
            assert_eq!(all.iter().filter(|i| i["text"] == question.as_str()).count(), 1);

            // The community manager answers from tribune; the reply job sends it once.
            let answer = format!("Oui, frangipane maison ! {nonce}");
            let response = app
                .api(&token, Method::POST, &format!("/workspaces/{ws}/inbox/{id}/reply"))
                .json(&json!({"text": answer}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::ACCEPTED);
            app.run_jobs().await;
            let detail: Value = app
                .api(&token, Method::GET, &format!("/workspaces/{ws}/inbox/{id}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(detail["replies"][0]["state"], "sent", "{detail}");
            assert_eq!(detail["status"], "done", "answering closes the item");
            assert!(detail["first_response_at"].is_string());

            // On the network: one post by the brand answering the fan.
            let records: Value = http
                .get(format!("{pds}/xrpc/com.atproto.repo.listRecords"))
                .query(&[("repo", brand.as_str()), ("collection", "app.bsky.feed.post"), ("limit", "100")])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let answers: Vec<&Value> = records["records"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["value"]["text"] == answer.as_str())
                .collect();
            assert_eq!(answers.len(), 1, "{records}");
            assert_eq!(answers[0]["value"]["reply"]["parent"]["uri"], question_uri.as_str());
            assert_eq!(answers[0]["value"]["reply"]["root"]["uri"], post_uri);

            // Hidden from tribune: the brand's threadgate on its post lists the reply; shown
            // again: it no longer does.
            let gate = || {
                let (http, pds, brand) = (http.clone(), pds.clone(), brand.clone());
                let rkey = post_uri.rsplit('/').next().unwrap().to_owned();
                async move {
                    let found: Value = http
                        .get(format!("{pds}/xrpc/com.atproto.repo.getRecord"))
                        .query(&[("repo", brand.as_str()), ("collection", "app.bsky.feed.threadgate"), ("rkey", rkey.as_str())])
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    found["value"]["hiddenReplies"].clone()
                }
            };
            for (action, status, hidden) in [("hide", "hidden", json!([question_uri])), ("unhide", "visible", json!([]))] {
                let response = app
                    .api(&token, Method::POST, &format!("/workspaces/{ws}/inbox/{id}/moderate"))
                    .json(&json!({"action": action}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{}: {action}", app.backend);
                let moderated: Value = response.json().await.unwrap();
                assert_eq!(moderated["network_status"], status, "{moderated}");
                assert_eq!(gate().await, hidden, "{action}");
            }

            // A post the brand made in Bluesky's own app: its conversation shows it, read from
            // the network once; tribune's own post was never asked for.
            let brand_session = bsky_session(&http, &pds, &brand, &brand_password).await;
            let closing = format!("Fermeture exceptionnelle lundi {nonce}");
            let (closing_uri, closing_cid) =
                bsky_post(&http, &pds, &brand_session, &closing, None).await;
            process().await;
            let asked = format!("Et mardi, vous ouvrez ? {nonce}");
            bsky_post(&http, &pds, &session, &asked, Some((&closing_uri, &closing_cid))).await;
            let item = until_in_inbox(&app, &token, ws, channel, &asked, async || process().await).await;
            let (_, html) = app
                .get_text(&cm, &format!("/w/{ws}/inbox/{}", item["id"]))
                .await;
            let original = &html[html.find("inbox-original").expect(&html)..];
            assert!(
                original.contains("La publication à l’origine de la conversation")
                    && original.contains(&closing),
                "{}: {original}",
                app.backend
            );
            let channel_id = ChannelId(channel);
            let known = [post_ref.as_str(), &format!("{closing_uri}#{closing_cid}")];
            let unread = app
                .store
                .originals_to_fetch(&scope, channel_id, &known, unix_now())
                .await
                .unwrap();
            assert!(unread.is_empty(), "{unread:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_toxic_comment_on_wordpress_is_held_by_a_rule_and_approved_from_tribune() {
    let Some((site, user, password)) = wordpress_peer() else {
        return;
    };
    each_backend(|app: TestApp| {
        let (site, user, password) = (site.clone(), user.clone(), password.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let http = reqwest::Client::new();
            let (cm, scope, ws, token, channel) = wordpress_desk(&app, &site, &user, &password).await;
            let nonce = format!("{}-{}", app.backend, unix_now());
            let post_ref = publish(&app, &token, ws, channel, &format!("Roses de Noël {nonce}")).await;
            let post_id: u64 = post_ref.rsplit(':').next().unwrap().parse().unwrap();

            // The workspace holds toxic comments for review, by a rule.
            let response = app
                .api(&token, Method::POST, &format!("/workspaces/{ws}/rules"))
                .json(&json!({"name": "Insultes", "conditions": {"toxic": true}, "actions": [{"type": "moderate", "action": "hold"}, {"type": "label", "label": "insulte"}]}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);

            // A visitor insults the florist under the post.
            let insult = format!("Vous êtes des escrocs et des voleurs, honte à vous {nonce}");
            let response = http
                .post(format!("{site}/wp-json/wp/v2/comments"))
                .json(&json!({
                    "post": post_id,
                    "author_name": "Troll",
                    "author_email": format!("troll-{nonce}@visitors.example"),
                    "content": insult,
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let comment: Value = response.json().await.unwrap();
            let comment_id = comment["id"].as_u64().unwrap();
            // Approved by the site's owner first, so that holding it is a visible change.
            let approved = http
                .post(format!("{site}/wp-json/wp/v2/comments/{comment_id}"))
                .basic_auth(&user, Some(&password))
                .json(&json!({"status": "approved"}))
                .send()
                .await
                .unwrap();
            assert!(approved.status().is_success());

            let item = until_in_inbox(&app, &token, ws, channel, &insult, async || {}).await;
            assert_eq!(item["sentiment"], "neg", "{}: {item}", app.backend);
            assert!(item["toxicity"].as_f64().unwrap() >= 0.5, "{item}");
            // The workspace's rule held it on the site as it arrived, and said why.
            assert_eq!(item["network_status"], "held", "{item}");
            let status_on_site = |http: reqwest::Client| {
                let (site, user, password) = (site.clone(), user.clone(), password.clone());
                async move {
                    let on_site: Value = http
                        .get(format!("{site}/wp-json/wp/v2/comments/{comment_id}?context=edit"))
                        .basic_auth(&user, Some(&password))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    on_site["status"].as_str().unwrap_or_default().to_owned()
                }
            };
            assert_eq!(status_on_site(http.clone()).await, "hold");
            let trail = app.store.workspace_audit(&scope, 50).await.unwrap();
            let by_rule = trail.iter().find(|e| e.action == "inbox.moderate").unwrap();
            assert!(by_rule.details.contains("Insultes"), "{by_rule:?}");
            assert_eq!(by_rule.actor_email, None, "the system acted, not a member");

            // The community manager disagrees and approves it from tribune.
            let id = item["id"].as_i64().unwrap();
            let response = app
                .api(&token, Method::POST, &format!("/workspaces/{ws}/inbox/{id}/moderate"))
                .json(&json!({"action": "approve", "reason": "ironique"}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let approved: Value = response.json().await.unwrap();
            assert_eq!(approved["network_status"], "visible");
            assert_eq!(status_on_site(http.clone()).await, "approved");
            let trail = app.store.workspace_audit(&scope, 50).await.unwrap();
            let by_cm = trail
                .iter()
                .find(|e| e.action == "inbox.moderate" && e.details.contains("ironique"))
                .unwrap();
            assert_eq!(by_cm.actor_email.as_deref(), Some("cm@example.fr"));
            // The message's page tells the story: the rule held it, then the member approved it
            // with their reason, newest first.
            let (_, html) = app.get_text(&cm, &format!("/w/{ws}/inbox/{id}")).await;
            let history = &html[html.find("inbox-history").expect("a history")..];
            let approved_at = history.find("l’a approuvé sur le site").expect(&html);
            let held_at = history
                .find("l’a mis en attente de modération sur le site")
                .expect(&html);
            assert!(approved_at < held_at, "newest first: {history}");
            assert!(history.contains("(ironique)"), "{history}");
            assert!(history.contains("(règle «\u{a0}Insultes\u{a0}»)"), "{history}");

            // A post written in WordPress itself: a comment on it shows it, read from the site.
            let response = http
                .post(format!("{site}/wp-json/wp/v2/posts"))
                .basic_auth(&user, Some(&password))
                .json(&json!({"title": format!("Ateliers couronnes {nonce}"), "content": "<p>Inscriptions ouvertes.</p>", "status": "publish"}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let written: Value = response.json().await.unwrap();
            let question = format!("Quel tarif pour deux ? {nonce}");
            let response = http
                .post(format!("{site}/wp-json/wp/v2/comments"))
                .json(&json!({
                    "post": written["id"],
                    "author_name": "Camille",
                    "author_email": format!("camille-{nonce}@visitors.example"),
                    "content": question,
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            let item = until_in_inbox(&app, &token, ws, channel, &question, async || {}).await;
            let (_, html) = app
                .get_text(&cm, &format!("/w/{ws}/inbox/{}", item["id"]))
                .await;
            let original = &html[html.find("inbox-original").expect(&html)..];
            assert!(
                original.contains("La publication à l’origine de la conversation")
                    && original.contains(&format!("Ateliers couronnes {nonce}"))
                    && original.contains("Inscriptions ouvertes."),
                "{}: {original}",
                app.backend
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_mention_on_a_mastodon_server_reaches_the_inbox_as_text_and_is_answered() {
    let Some((server, token_brand, token_friend)) = mastodon_peer() else {
        return;
    };
    each_backend(|app: TestApp| {
        let (server, token_brand, token_friend) =
            (server.clone(), token_brand.clone(), token_friend.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let http = reqwest::Client::new();
            let (cm, scope, ws, token, channel) = mastodon_desk(&app, &server, &token_brand).await;
            // The server's status history is shared by every test: this run's words are unique.
            let nonce = format!("{}{}", app.backend, unix_now());
            let hostile =
                format!("@testuser <script>alert(1)</script> vos roses {nonce} sont fanées");
            let status: Value = http
                .post(format!("{server}/api/v1/statuses"))
                .bearer_auth(&token_friend)
                .form(&[("status", hostile.as_str())])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let status_id = status["id"].as_str().unwrap().to_owned();
            let items = until_found(&app, &token, ws, channel, &nonce).await;
            assert_eq!(items.len(), 1, "{}: {items:?}", app.backend);
            let item = &items[0];
            assert_eq!(item["kind"], "mention");
            assert!(
                item["text"]
                    .as_str()
                    .unwrap()
                    .contains("<script>alert(1)</script>"),
                "kept as text: {item}"
            );
            let id = item["id"].as_i64().unwrap();
            let (_, html) = app.get_text(&cm, &format!("/w/{ws}/inbox/{id}")).await;
            assert!(!html.contains("<script>alert(1)"), "escaped on the page");

            let answer = format!("@friend Merci, nous regardons {nonce}");
            let response = app
                .api(
                    &token,
                    Method::POST,
                    &format!("/workspaces/{ws}/inbox/{id}/reply"),
                )
                .json(&json!({"text": answer}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::ACCEPTED);
            app.run_jobs().await;
            let detail: Value = app
                .api(&token, Method::GET, &format!("/workspaces/{ws}/inbox/{id}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(detail["replies"][0]["state"], "sent", "{detail}");
            // On the server: the status tribune posted answers the mention.
            let replies = app
                .store
                .inbox_replies(&scope, tribune_domain::InboxItemId(id))
                .await
                .unwrap();
            assert_eq!(replies.len(), 1);
            let posted = replies[0].remote_ref.clone().unwrap();
            let answered = status_of(&http, &server, &token_brand, &posted).await;
            assert_eq!(answered["in_reply_to_id"], status_id.as_str(), "{answered}");
            assert!(
                answered["content"].as_str().unwrap().contains(&nonce),
                "{answered}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_direct_message_on_mastodon_is_answered_privately() {
    let Some((server, token_brand, token_friend)) = mastodon_peer() else {
        return;
    };
    each_backend(|app: TestApp| {
        let (server, token_brand, token_friend) =
            (server.clone(), token_brand.clone(), token_friend.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let http = reqwest::Client::new();
            let (cm, scope, ws, token, channel) = mastodon_desk(&app, &server, &token_brand).await;
            let nonce = format!("dm{}{}", app.backend, unix_now());
            let status: Value = http
                .post(format!("{server}/api/v1/statuses"))
                .bearer_auth(&token_friend)
                .form(&[
                    (
                        "status",
                        format!(
                            "@testuser ma commande {nonce} n'est pas arrivée, voici mon adresse"
                        ),
                    ),
                    ("visibility", "direct".to_owned()),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let status_id = status["id"].as_str().unwrap().to_owned();
            let items = until_found(&app, &token, ws, channel, &nonce).await;
            assert_eq!(items.len(), 1, "{}: {items:?}", app.backend);
            let item = &items[0];
            assert_eq!(item["kind"], "message", "{item}");
            assert_eq!(
                inbox(&app, &token, ws, &format!("kind=message&q={nonce}"))
                    .await
                    .len(),
                1
            );
            let id = item["id"].as_i64().unwrap();
            // The page says the answer is private, and to whom.
            let (_, html) = app.get_text(&cm, &format!("/w/{ws}/inbox/{id}")).await;
            assert!(html.contains("Message privé"), "{html}");
            assert!(html.contains("Réponse privée"), "{html}");

            // The CM answers without naming them: tribune names them, privately.
            let response = app
                .api(
                    &token,
                    Method::POST,
                    &format!("/workspaces/{ws}/inbox/{id}/reply"),
                )
                .json(&json!({"text": format!("Nous regardons tout de suite {nonce}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::ACCEPTED);
            app.run_jobs().await;
            let replies = app
                .store
                .inbox_replies(&scope, tribune_domain::InboxItemId(id))
                .await
                .unwrap();
            assert_eq!(replies.len(), 1);
            let posted = replies[0].remote_ref.clone().expect("sent");
            let answered = status_of(&http, &server, &token_brand, &posted).await;
            assert_eq!(answered["visibility"], "direct", "{answered}");
            assert_eq!(answered["in_reply_to_id"], status_id.as_str());
            let mentioned: Vec<&str> = answered["mentions"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|m| m["username"].as_str())
                .collect();
            // Direct, naming only them: only they can read it (the server enforces that).
            assert_eq!(mentioned, ["friend"], "{answered}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_mention_on_mastodon_is_fetched_as_soon_as_the_notification_stream_says_so() {
    use tribune_jobs::stream::{InboxStreams, StreamConfig};
    let Some((server, token_brand, token_friend)) = mastodon_peer() else {
        return;
    };
    each_backend(|app: TestApp| {
        let (server, token_brand, token_friend) =
            (server.clone(), token_brand.clone(), token_friend.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let http = reqwest::Client::new();
            let (_cm, _scope, ws, token, channel) =
                mastodon_desk(&app, &server, &token_brand).await;
            // The first fetch, as the channel is connected; then the next poll is put an hour
            // away: only the stream can bring what comes now.
            app.run_jobs().await;
            let later = unix_now() + 3_600;
            app.store
                .enqueue(
                    &tribune_store::inbox::fetch_job(WorkspaceId(ws), ChannelId(channel), later),
                    OnDuplicate::Replace,
                    unix_now(),
                )
                .await
                .unwrap();

            // This process follows the channel's notification stream.
            let channels = tribune_channels::ChannelService::new(
                app.store.clone(),
                app.secrets(),
                tribune_connectors::http::HttpClient::new(tribune_connectors::http::HttpConfig {
                    allow_http: true,
                    ..Default::default()
                })
                .unwrap(),
                std::sync::Arc::new(tribune_connectors::build),
            );
            let woken = std::sync::Arc::new(tokio::sync::Notify::new());
            let streams = InboxStreams::new(
                channels,
                woken.clone(),
                "test-node",
                StreamConfig {
                    pass_every: Duration::from_millis(200),
                    lease: Duration::from_secs(6),
                    hold_for: Duration::from_secs(30),
                    backoff: Duration::from_secs(60),
                },
            );
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let following = tokio::spawn(streams.run(async {
                let _ = stopped.await;
            }));
            // Another node cannot take the stream while this one follows it.
            let deadline = Instant::now() + Duration::from_secs(10);
            while app
                .store
                .take_stream_lease(ChannelId(channel), "other-node", unix_now(), 60)
                .await
                .unwrap()
            {
                app.store
                    .release_stream_lease(ChannelId(channel), "other-node")
                    .await
                    .unwrap();
                assert!(Instant::now() < deadline, "the stream is never followed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // Give the follower a moment to open the stream before the mention is posted.
            tokio::time::sleep(Duration::from_millis(500)).await;

            let nonce = format!("stream{}{}", app.backend, unix_now());
            http.post(format!("{server}/api/v1/statuses"))
                .bearer_auth(&token_friend)
                .form(&[("status", format!("@testuser vos pivoines {nonce} ?"))])
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap();
            // The stream moves the fetch job to now: it arrives long before the next poll.
            let deadline = Instant::now() + Duration::from_secs(20);
            let items = loop {
                app.run_jobs().await;
                let items = inbox(&app, &token, ws, &format!("q={nonce}")).await;
                if !items.is_empty() || Instant::now() > deadline {
                    break items;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            assert_eq!(
                items.len(),
                1,
                "{}: not fetched before the poll",
                app.backend
            );
            assert_eq!(items[0]["kind"], "mention");
            let _ = stop.send(());
            following.await.unwrap();
            // The lease is given back at shutdown.
            assert!(
                app.store
                    .take_stream_lease(ChannelId(channel), "other-node", unix_now(), 60)
                    .await
                    .unwrap()
            );
        }
    })
    .await;
}

/// Posts a status on the Mastodon peer as the token's account (answering `in_reply_to`); its id.
/// A status as the Mastodon server shows it to `token`'s account.
async fn status_of(http: &reqwest::Client, server: &str, token: &str, id: &str) -> Value {
    http.get(format!("{server}/api/v1/statuses/{id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn toot(
    http: &reqwest::Client,
    server: &str,
    token: &str,
    text: &str,
    in_reply_to: Option<&str>,
) -> String {
    let mut form = vec![("status", text)];
    form.extend(in_reply_to.map(|id| ("in_reply_to_id", id)));
    let status: Value = http
        .post(format!("{server}/api/v1/statuses"))
        .bearer_auth(token)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    status["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_conversation_started_on_mastodon_shows_its_first_post_from_the_server() {
    let Some((server, token_brand, token_friend)) = mastodon_peer() else {
        return;
    };
    each_backend(|app: TestApp| {
        let (server, token_brand, token_friend) =
            (server.clone(), token_brand.clone(), token_friend.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let http = reqwest::Client::new();
            let (cm, _scope, ws, token, channel) = mastodon_desk(&app, &server, &token_brand).await;
            let nonce = format!("orig{}{}", app.backend, unix_now());
            // The brand posts from its Mastodon app; a friend answers, then answers their own
            // answer: both messages start from the brand's post.
            let first = format!("Nos sapins arrivent samedi {nonce}");
            let first_id = toot(&http, &server, &token_brand, &first, None).await;
            let answer = toot(
                &http,
                &server,
                &token_friend,
                &format!("@testuser Génial {nonce}"),
                Some(&first_id),
            )
            .await;
            toot(
                &http,
                &server,
                &token_friend,
                &format!("@testuser Et des houx {nonce}"),
                Some(&answer),
            )
            .await;
            let deadline = Instant::now() + Duration::from_secs(30);
            let items = loop {
                let items = until_found(&app, &token, ws, channel, &nonce).await;
                if items.len() == 2 || Instant::now() > deadline {
                    break items;
                }
            };
            assert_eq!(items.len(), 2, "{}: {items:?}", app.backend);
            for item in &items {
                let (_, html) = app
                    .get_text(&cm, &format!("/w/{ws}/inbox/{}", item["id"]))
                    .await;
                let original = &html[html.find("inbox-original").expect(&html)..];
                assert!(
                    original.contains("La publication à l’origine de la conversation")
                        && original.contains(&first),
                    "{}: {item}: {original}",
                    app.backend
                );
            }
        }
    })
    .await;
}

/// A 1×1 PNG.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

#[tokio::test]
async fn a_messages_pictures_load_only_on_request_through_tribune_and_only_as_images() {
    let Some((server, token_brand, token_friend)) = mastodon_peer() else {
        return;
    };
    each_backend(|app: TestApp| {
        let (server, token_brand, token_friend) =
            (server.clone(), token_brand.clone(), token_friend.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let http = reqwest::Client::new();
            let (cm, _scope, ws, token, channel) = mastodon_desk(&app, &server, &token_brand).await;
            let nonce = format!("img{}{}", app.backend, unix_now());
            // A friend posts a photo, and a page of HTML that claims to be one.
            let upload = |bytes: &'static [u8], name: &'static str, alt: &'static str| {
                let (http, server, token) = (http.clone(), server.clone(), token_friend.clone());
                async move {
                    let form = reqwest::multipart::Form::new()
                        .text("description", alt)
                        .part(
                            "file",
                            reqwest::multipart::Part::bytes(bytes)
                                .file_name(name)
                                .mime_str("image/png")
                                .unwrap(),
                        );
                    let media: Value = http
                        .post(format!("{server}/api/v2/media"))
                        .bearer_auth(&token)
                        .multipart(form)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    media["id"].as_str().unwrap().to_owned()
                }
            };
            let photo = upload(PIXEL_PNG, "galette.png", "Une galette dorée").await;
            let fake = upload(
                b"<html><script>alert(1)</script></html>",
                "fake.png",
                "Pas une image",
            )
            .await;
            let response = http
                .post(format!("{server}/api/v1/statuses"))
                .bearer_auth(&token_friend)
                .form(&[
                    ("status", format!("@testuser regardez {nonce}")),
                    ("media_ids[]", photo),
                    ("media_ids[]", fake),
                ])
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success(),
                "{}",
                response.text().await.unwrap()
            );
            let items = until_found(&app, &token, ws, channel, &nonce).await;
            assert_eq!(items.len(), 1, "{}: {items:?}", app.backend);
            let page = format!("/w/{ws}/inbox/{}", items[0]["id"]);

            // Not loaded by default: said, with a button.
            let (_, html) = app.get_text(&cm, &page).await;
            assert!(html.contains("2 images"), "{html}");
            assert!(html.contains("Afficher les images"), "{html}");
            assert!(
                !html.contains(&format!("{page}/images/0")),
                "not loaded unasked"
            );
            assert!(
                !html.contains(&server),
                "the network's address is not on the page"
            );
            // Asked: through tribune, with their descriptions.
            let (_, html) = app.get_text(&cm, &format!("{page}?images=1")).await;
            assert!(
                html.contains(&format!(
                    "<img src=\"{page}/images/0\" alt=\"Une galette dorée\""
                )),
                "{html}"
            );
            let picture = app.get(&cm, &format!("{page}/images/0")).await;
            assert_eq!(picture.status(), StatusCode::OK);
            let headers = picture.headers().clone();
            assert_eq!(headers["content-type"], "image/png");
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert!(
                headers["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .contains("sandbox")
            );
            assert_eq!(picture.bytes().await.unwrap().as_ref(), PIXEL_PNG);
            // What is not an image is not served, whatever it claims; there is no third.
            let fake = app.get(&cm, &format!("{page}/images/1")).await;
            assert_eq!(fake.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
            assert!(
                !fake.text().await.unwrap().contains("alert(1)"),
                "not passed on"
            );
            assert_eq!(
                app.get(&cm, &format!("{page}/images/2")).await.status(),
                StatusCode::NOT_FOUND
            );
            // Someone of another workspace gets nothing.
            let (stranger, _) = app.member_with_workspace("autre@example.fr", "Autre").await;
            assert_eq!(
                app.get(&stranger, &format!("{page}/images/0"))
                    .await
                    .status(),
                StatusCode::NOT_FOUND
            );
        }
    })
    .await;
}

#[tokio::test]
async fn rules_assign_label_and_answer_a_mention_on_arrival_on_mastodon() {
    let Some((server, token_brand, token_friend)) = mastodon_peer() else {
        return;
    };
    each_backend(|app: TestApp| {
        let (server, token_brand, token_friend) =
            (server.clone(), token_brand.clone(), token_friend.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let http = reqwest::Client::new();
            let (_, scope, ws, token, channel) = mastodon_desk(&app, &server, &token_brand).await;
            let nonce = format!("rule{}{}", app.backend, unix_now());
            let saved: Value = app
                .api(&token, Method::POST, &format!("/workspaces/{ws}/saved-replies"))
                .json(&json!({"title": "Horaires", "body": "Bonjour {prenom}, nous ouvrons à 8 h. L'équipe {marque}"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let me = scope.user().unwrap().0;
            let response = app
                .api(&token, Method::POST, &format!("/workspaces/{ws}/rules"))
                .json(&json!({
                    "name": "Horaires",
                    "query": format!("horaires AND {nonce}"),
                    "actions": [
                        {"type": "label", "label": "horaires"},
                        {"type": "assign", "user": me},
                        {"type": "reply", "saved_reply_id": saved["id"]},
                    ],
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            // Fetched first once, so the mention below arrives as new.
            fetch_now(&app, ws, channel).await;
            let status: Value = http
                .post(format!("{server}/api/v1/statuses"))
                .bearer_auth(&token_friend)
                .form(&[("status", format!("@testuser quels sont vos horaires ? {nonce}"))])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let items = until_found(&app, &token, ws, channel, &nonce).await;
            assert_eq!(items.len(), 1, "{}: {items:?}", app.backend);
            let item = &items[0];
            assert_eq!(item["labels"], json!(["horaires"]), "{item}");
            assert_eq!(item["assignee"], me, "{item}");
            // The saved reply, its variables filled, sent by the reply job as an answer.
            app.run_jobs().await;
            let id = item["id"].as_i64().unwrap();
            let replies = app
                .store
                .inbox_replies(&scope, tribune_domain::InboxItemId(id))
                .await
                .unwrap();
            assert_eq!(replies.len(), 1, "{}: {replies:?}", app.backend);
            assert!(replies[0].text.starts_with("Bonjour "), "{:?}", replies[0].text);
            assert!(replies[0].text.ends_with("L'équipe Fleuriste"), "{:?}", replies[0].text);
            let posted = replies[0].remote_ref.clone().expect("sent");
            let answered = status_of(&http, &server, &token_brand, &posted).await;
            assert_eq!(answered["in_reply_to_id"], status["id"], "{answered}");
            // Each action is in the item's history with the rule as its reason.
            let audit = app.store.workspace_audit(&scope, 50).await.unwrap();
            assert!(
                audit.iter().any(|e| e.details.contains("Horaires")),
                "{audit:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn rules_file_spam_trash_and_delete_comments_on_the_wordpress_site_as_they_arrive() {
    let Some((site, user, password)) = wordpress_peer() else {
        return;
    };
    each_backend(|app: TestApp| {
        let (site, user, password) = (site.clone(), user.clone(), password.clone());
        async move {
            tribune_connectors::http::install_tls_provider();
            let http = reqwest::Client::new();
            let (_, scope, ws, token, channel) = wordpress_desk(&app, &site, &user, &password).await;
            let nonce = format!("{}{}", app.backend, unix_now());
            let post_ref = publish(&app, &token, ws, channel, &format!("Bouquets {nonce}")).await;
            let post_id: u64 = post_ref.rsplit(':').next().unwrap().parse().unwrap();
            for (name, word, action) in [("Pub", "promotion", "spam"), ("Hors sujet", "cryptomonnaie", "trash"), ("Adresse", "domicile", "delete")] {
                let response = app
                    .api(&token, Method::POST, &format!("/workspaces/{ws}/rules"))
                    .json(&json!({"name": name, "query": format!("{word} AND {nonce}"), "actions": [{"type": "moderate", "action": action}]}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
            }
            let mut comments = Vec::new();
            for (who, text) in [
                ("Promo", format!("Grosse promotion sur les fleurs {nonce}")),
                ("Bot", format!("Investissez en cryptomonnaie {nonce}")),
                ("Voisin", format!("Livrez à mon domicile, 3 rue des Lilas {nonce}")),
            ] {
                let response = http
                    .post(format!("{site}/wp-json/wp/v2/comments"))
                    .json(&json!({"post": post_id, "author_name": who, "author_email": format!("{}-{nonce}@visitors.example", who.to_lowercase()), "content": text}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                let created: Value = response.json().await.unwrap();
                comments.push((text, created["id"].as_u64().unwrap()));
            }
            for (text, _) in &comments {
                until_in_inbox(&app, &token, ws, channel, text, async || {}).await;
            }
            let on_site = |id: u64| {
                let (http, site, user, password) = (http.clone(), site.clone(), user.clone(), password.clone());
                async move {
                    let response = http
                        .get(format!("{site}/wp-json/wp/v2/comments/{id}?context=edit"))
                        .basic_auth(&user, Some(&password))
                        .send()
                        .await
                        .unwrap();
                    let status = response.status();
                    let body: Value = response.json().await.unwrap_or_default();
                    (status, body["status"].as_str().unwrap_or_default().to_owned())
                }
            };
            let items = inbox(&app, &token, ws, "status=all").await;
            let network_status = |text: &str| {
                items.iter().find(|i| i["text"] == text).unwrap()["network_status"].clone()
            };
            assert_eq!(network_status(&comments[0].0), "spam", "{}: {items:?}", app.backend);
            assert_eq!(on_site(comments[0].1).await.1, "spam");
            assert_eq!(network_status(&comments[1].0), "trashed");
            assert_eq!(on_site(comments[1].1).await.1, "trash");
            assert_eq!(network_status(&comments[2].0), "deleted");
            assert_eq!(on_site(comments[2].1).await.0, StatusCode::NOT_FOUND, "deleted for good");
            let trail = app.store.workspace_audit(&scope, 50).await.unwrap();
            for rule in ["Pub", "Hors sujet", "Adresse"] {
                assert!(
                    trail.iter().any(|e| e.action == "inbox.moderate" && e.details.contains(rule)),
                    "{rule}: {trail:?}"
                );
            }
        }
    })
    .await;
}

/// Bluesky's chat service has no local server (the test network runs none): a wiremock PDS
/// answers as the documentation describes it, forwarding nothing. The rest is tribune's own
/// path: connecting, the fetch job and its cursor, the inbox, the reply job.
mod bluesky_chat {
    use super::*;
    use base64::Engine;
    use wiremock::matchers::{body_partial_json, header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const CHAT: &str = "did:web:api.bsky.chat#bsky_chat";

    async fn pds(question: &str, answer: &str) -> MockServer {
        let enc = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let exp = unix_now() + 7200;
        let access = format!(
            "{}.{}.sig",
            enc(r#"{"alg":"HS256"}"#),
            enc(&format!(
                r#"{{"exp":{exp},"scope":"com.atproto.appPassPrivileged"}}"#
            ))
        );
        let server = MockServer::start().await;
        let get = |nsid: &str| Mock::given(method("GET")).and(path(format!("/xrpc/{nsid}")));
        Mock::given(method("POST"))
            .and(path("/xrpc/com.atproto.server.createSession"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "did": "did:plc:brand", "handle": "brand.example.com",
                "accessJwt": access, "refreshJwt": "refresh",
            })))
            .mount(&server)
            .await;
        get("app.bsky.actor.getProfile")
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "did": "did:plc:brand", "handle": "brand.example.com", "displayName": "Fournil",
            })))
            .mount(&server)
            .await;
        get("app.bsky.notification.listNotifications")
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"notifications": []})))
            .mount(&server)
            .await;
        // After the first read, the log has nothing new.
        get("chat.bsky.convo.getLog")
            .and(header("atproto-proxy", CHAT))
            .and(query_param("cursor", "3lchatrev0002"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"logs": [], "cursor": "3lchatrev0002"})),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        get("chat.bsky.convo.getLog")
            .and(header("atproto-proxy", CHAT))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "cursor": "3lchatrev0002",
                "logs": [{
                    "$type": "chat.bsky.convo.defs#logCreateMessage",
                    "rev": "3lchatrev0002", "convoId": "3lconvofan01",
                    "message": {
                        "$type": "chat.bsky.convo.defs#messageView",
                        "id": "3lmsgfan0001", "rev": "3lchatrev0002", "text": question,
                        "sender": {"did": "did:plc:fan"},
                        "sentAt": jiff::Timestamp::now().to_string(),
                    },
                    "relatedProfiles": [
                        {"did": "did:plc:fan", "handle": "fan.example.com", "displayName": "Léa"}
                    ]
                }]
            })))
            .mount(&server)
            .await;
        get("chat.bsky.convo.getMessages")
            .and(header("atproto-proxy", CHAT))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messages": []})))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/xrpc/chat.bsky.convo.sendMessage"))
            .and(header("atproto-proxy", CHAT))
            .and(body_partial_json(
                json!({"convoId": "3lconvofan01", "message": {"text": answer}}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "3lmsgbrand01", "rev": "3lchatrev0003", "text": answer,
                "sender": {"did": "did:plc:brand"}, "sentAt": jiff::Timestamp::now().to_string(),
            })))
            .expect(1)
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn a_bluesky_direct_message_reaches_the_inbox_and_is_answered_in_its_conversation() {
        each_backend(|app: TestApp| async move {
            tribune_connectors::http::install_tls_provider();
            let question = format!("Ma commande n'est pas arrivée ({})", app.backend);
            let answer = "Nous regardons tout de suite, merci !";
            let server = pds(&question, answer).await;
            let (cm, scope) = app.member_with_workspace("cm@example.fr", "Boulangerie").await;
            let ws = scope.workspace().0;
            let token = app.api_token("cm@example.fr").await;
            let channel = connect(&app, &token, ws, json!({"network": "bluesky", "service": server.uri(), "identifier": "brand.example.com", "app_password": "abcd-efgh-ijkl-mnop"})).await;
            let described: Value = app
                .api(&token, Method::GET, &format!("/workspaces/{ws}/channels/{channel}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(
                described["capabilities"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("read_messages")),
                "{described}"
            );

            fetch_now(&app, ws, channel).await;
            // Fetched again: the log is read from the stored position, nothing doubles.
            fetch_now(&app, ws, channel).await;
            let items = inbox(&app, &token, ws, "kind=message").await;
            assert_eq!(items.len(), 1, "{}: {items:?}", app.backend);
            let item = &items[0];
            assert_eq!(item["text"], question.as_str());
            assert_eq!(item["author"]["handle"], "@fan.example.com");
            assert_eq!(item["author"]["name"], "Léa");
            let id = item["id"].as_i64().unwrap();
            let (_, html) = app.get_text(&cm, &format!("/w/{ws}/inbox/{id}")).await;
            assert!(html.contains("Message privé"), "{html}");
            assert!(html.contains("Réponse privée"), "{html}");

            let response = app
                .api(&token, Method::POST, &format!("/workspaces/{ws}/inbox/{id}/reply"))
                .json(&json!({"text": answer}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::ACCEPTED);
            app.run_jobs().await;
            let replies = app
                .store
                .inbox_replies(&scope, tribune_domain::InboxItemId(id))
                .await
                .unwrap();
            assert_eq!(replies.len(), 1);
            assert_eq!(
                replies[0].remote_ref.as_deref(),
                Some("chat:3lconvofan01/3lmsgbrand01")
            );
            let log_reads = server
                .received_requests()
                .await
                .unwrap()
                .iter()
                .filter(|r| r.url.path() == "/xrpc/chat.bsky.convo.getLog")
                .map(|r| r.url.query().unwrap_or_default().to_owned())
                .collect::<Vec<_>>();
            assert!(
                log_reads.iter().skip(1).all(|q| q == "cursor=3lchatrev0002"),
                "{log_reads:?}"
            );
            server.verify().await;
        })
        .await;
    }
}
