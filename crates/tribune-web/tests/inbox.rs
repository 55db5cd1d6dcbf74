//! The inbox through the pages and the API, on SQLite and PostgreSQL: items as ingestion
//! stores them (classified, hostile text included), filters, the query language, triage singly
//! and in bulk, notes and replies. The networks' side is in `inbox_peers.rs`.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{TestApp, each_backend, location, stored_channel};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tribune_connectors::{Author, CommentStatus, InboxItem, InboxKind, RemoteRef};
use tribune_domain::{ChannelId, Role};
use tribune_store::{WorkspaceScope, unix_now};

fn comment(remote: &str, author: &str, text: &str, links: &[&str]) -> InboxItem {
    InboxItem {
        remote_ref: RemoteRef(remote.into()),
        kind: InboxKind::Comment,
        in_reply_to: Some(RemoteRef("post-1".into())),
        root: Some(RemoteRef("post-1".into())),
        author: Author {
            remote_id: Some(format!("id-{author}")),
            handle: author.to_lowercase(),
            display_name: author.into(),
            avatar_url: Some("https://cdn.example/avatar.png".into()),
            profile_url: Some(format!("https://social.example/@{author}")),
        },
        text: text.into(),
        html: None,
        url: Some(format!("https://social.example/{remote}")),
        links: links.iter().map(|l| (*l).to_owned()).collect(),
        images: Vec::new(),
        created_at: unix_now() - 60,
        status: CommentStatus::Visible,
        raw: "{}".into(),
    }
}

/// Stores items as the fetch job would (classified by `tribune_inbox::prepare`).
async fn ingest(app: &TestApp, scope: &WorkspaceScope, channel: ChannelId, items: &[InboxItem]) {
    let prepared: Vec<_> = items.iter().map(tribune_inbox::prepare).collect();
    app.store
        .ingest_inbox(scope, channel, &prepared, None, unix_now())
        .await
        .unwrap();
}

/// A community manager's desk: their browser, workspace, API token and a Mastodon channel that
/// can do `capabilities`.
struct Desk {
    cm: reqwest::Client,
    scope: WorkspaceScope,
    ws: i64,
    token: String,
    channel: ChannelId,
}

async fn desk(app: &TestApp, capabilities: &str) -> Desk {
    let (cm, scope) = app
        .member_with_workspace("cm@example.fr", "Boulangerie")
        .await;
    let token = app.api_token("cm@example.fr").await;
    let channel = stored_channel(
        app,
        &scope,
        "mastodon",
        "boulangerie",
        "@boulangerie@mastodon.example",
        capabilities,
    )
    .await;
    Desk {
        cm,
        ws: scope.workspace().0,
        scope,
        token,
        channel,
    }
}

async fn list(app: &TestApp, token: &str, ws: i64, query: &str) -> (StatusCode, Value) {
    let response = app
        .api(
            token,
            Method::GET,
            &format!("/workspaces/{ws}/inbox?{query}"),
        )
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

fn texts(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_inbox_lists_searches_and_triages_what_channels_bring() {
    each_backend(|app: TestApp| async move {
        let Desk {
            cm,
            scope,
            ws,
            token,
            channel,
        } = desk(&app, "read_comments,reply,hide_comment").await;
        ingest(
            &app,
            &scope,
            channel,
            &[
                comment("c1", "Alice", "Ma livraison est en retard, je veux être remboursée !", &[]),
                comment("c2", "Bruno", "Le colis est arrivé, merci beaucoup, parfait", &[]),
                comment(
                    "c3",
                    "<img src=x onerror=alert(1)>",
                    "<script>alert('x')</script> gagnez un iPhone gratuit ici",
                    &["javascript:alert(1)", "https://phish.example/login"],
                ),
                comment("c4", "Dmitri", "доставка опоздала", &[]),
            ],
        )
        .await;

        // The API lists newest first, with the contract's fields.
        let (status, page) = list(&app, &token, ws, "").await;
        assert_eq!(status, StatusCode::OK, "{}: {page}", app.backend);
        assert_eq!(page["items"].as_array().unwrap().len(), 4);
        assert!(page["next_cursor"].is_null());
        let first = &page["items"][3];
        for field in [
            "id", "channel_id", "kind", "text", "author", "url", "received_at", "lang",
            "sentiment", "toxicity", "spam", "status", "assignee", "labels",
        ] {
            assert!(first.get(field).is_some(), "{field} in {first}");
        }
        assert_eq!(first["author"]["handle"], "alice");
        assert_eq!(first["kind"], "comment");
        assert_eq!(first["status"], "new");
        assert_eq!(first["lang"], "fr");
        assert_eq!(first["sentiment"], "neg", "a late parcel is a complaint");
        // Only web links are kept from what the network gave.
        let hostile = &page["items"][1];
        assert_eq!(hostile["links"], json!(["https://phish.example/login"]));

        // The query language: words, OR, prefixes over folded accents, negation, other scripts.
        let search = |q: &str| {
            let q = q.to_owned();
            let app = &app;
            let token = token.clone();
            async move {
                let query = serde_urlencoded::to_string([("q", q.as_str())]).unwrap();
                let (status, page) = list(app, &token, ws, &query).await;
                assert_eq!(status, StatusCode::OK, "{q}: {page}");
                texts(&page)
            }
        };
        assert_eq!(search("livraison OR colis").await.len(), 2);
        assert_eq!(search("rembours*").await.len(), 1, "remboursée is found by its stem");
        assert_eq!(search("colis -merci").await.len(), 0);
        assert_eq!(search("NOT retard").await.len(), 3);
        assert_eq!(search("доставка").await, ["доставка опоздала"]);
        assert_eq!(search("url:phish.example").await.len(), 1);
        assert_eq!(search("from:bruno").await.len(), 1);

        // A search that does not parse says where, in the reader's language.
        let (status, problem) = list(&app, &token, ws, "q=%28colis").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(problem["code"], "error-search-syntax");
        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/inbox?q=%28colis")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(html.contains("au caractère"), "{html}");
        // Filters refuse what they cannot use, by name.
        let (status, problem) = list(&app, &token, ws, "sentiment=angry").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(problem["errors"][0]["field"], "sentiment");
        let (status, _) = list(&app, &token, ws, "colour=red").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // Pages follow each other without repeating.
        let (_, one) = list(&app, &token, ws, "limit=3").await;
        assert_eq!(one["items"].as_array().unwrap().len(), 3);
        let cursor = one["next_cursor"].as_str().unwrap().to_owned();
        let (_, two) = list(&app, &token, ws, &format!("limit=3&cursor={cursor}")).await;
        assert_eq!(texts(&two), ["Ma livraison est en retard, je veux être remboursée !"]);
        assert!(two["next_cursor"].is_null());

        // The page escapes everything a stranger wrote, and shows links by their real domain.
        let (status, html) = app.get_text(&cm, &format!("/w/{ws}/inbox")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("<script>alert"), "raw script on the inbox page");
        assert!(!html.contains("<img src=x"), "raw image tag on the inbox page");
        assert!(html.contains("Boîte de réception"));
        let hostile_id = hostile["id"].as_i64().unwrap();
        let (status, html) = app
            .get_text(&cm, &format!("/w/{ws}/inbox/{hostile_id}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("<script>alert") && !html.contains("<img src=x"));
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains(
            r#"<a href="https://phish.example/login" rel="noopener noreferrer ugc" target="_blank">phish.example</a>"#
        ));
        assert!(!html.contains("cdn.example"), "no remote image is loaded");

        // Triage one item through the API, then several through the page's bulk form.
        let alice = first["id"].as_i64().unwrap();
        let response = app
            .api(&token, Method::PATCH, &format!("/workspaces/{ws}/inbox/{alice}"))
            .json(&json!({"status": "in_progress", "assignee": scope.user().unwrap().0, "labels": ["SAV", "Livraison"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let patched: Value = response.json().await.unwrap();
        assert_eq!(patched["status"], "in_progress");
        assert_eq!(patched["labels"], json!(["livraison", "sav"]));
        let (_, mine) = list(&app, &token, ws, "assignee=me&label=sav").await;
        assert_eq!(texts(&mine).len(), 1);
        let response = app
            .api(&token, Method::PATCH, &format!("/workspaces/{ws}/inbox/{alice}"))
            .json(&json!({"status": "snoozed", "snoozed_until": "2000-01-01T00:00:00Z"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let others: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["id"].as_i64() != Some(alice))
            .map(|i| i["id"].to_string())
            .collect();
        let mut fields: Vec<(&str, &str)> = others.iter().map(|id| ("item", id.as_str())).collect();
        fields.push(("action", "done"));
        fields.push(("back", "/w/0/elsewhere"));
        let response = app
            .post_form(&cm, &format!("/w/{ws}/inbox/bulk"), &fields)
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&response),
            format!("/w/{ws}/inbox?flash=flash-inbox-updated"),
            "the way back stays in the workspace's inbox"
        );
        let (_, fresh) = list(&app, &token, ws, "status=new").await;
        assert!(texts(&fresh).is_empty(), "{fresh}");
        let (_, done) = list(&app, &token, ws, "status=done").await;
        assert_eq!(texts(&done).len(), 3);

        // Notes stay inside; replies are queued as jobs, sent once by the worker.
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/inbox/{alice}/notes"))
            .json(&json!({"body": "Cliente fidèle"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/inbox/{alice}/reply"))
            .json(&json!({"text": "Bonjour Alice, nous regardons tout de suite."}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["state"], "pending");
        let job = app
            .store
            .job_by_key(&format!("inbox.reply:{}", reply["id"]))
            .await
            .unwrap();
        assert!(job.is_some(), "the reply's job is queued with it");
        let detail: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/inbox/{alice}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(detail["notes"][0]["body"], "Cliente fidèle");
        assert_eq!(detail["replies"][0]["text"], "Bonjour Alice, nous regardons tout de suite.");
        assert_eq!(detail["thread"].as_array().unwrap().len(), 4, "one conversation");

        // A saved reply fills the reply form with the author's first name and the brand.
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/saved-replies"))
            .json(&json!({"title": "Merci", "body": "Merci {prenom}, l'équipe {marque} vous répond !"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let saved: Value = response.json().await.unwrap();
        let saved_id = saved["id"].as_i64().unwrap();
        let (status, html) = app
            .get_text(&cm, &format!("/w/{ws}/inbox/{alice}?saved={saved_id}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Merci Alice, l&#39;équipe Boulangerie vous répond !")
                || html.contains("Merci Alice, l&#x27;équipe Boulangerie vous répond !"),
            "{html}"
        );
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/inbox/{alice}/reply"))
            .json(&json!({"saved_reply_id": saved_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let from_saved: Value = response.json().await.unwrap();
        assert_eq!(from_saved["text"], "Merci Alice, l'équipe Boulangerie vous répond !");
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/inbox/{alice}/reply"))
            .json(&json!({"text": "x", "saved_reply_id": saved_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "one or the other");

        // A client reads the inbox but does not triage it.
        app.join(&scope, "client@example.fr", Role::Client).await;
        let client = app.api_token("client@example.fr").await;
        let (status, _) = list(&app, &client, ws, "").await;
        assert_eq!(status, StatusCode::OK);
        let response = app
            .api(&client, Method::PATCH, &format!("/workspaces/{ws}/inbox/{alice}"))
            .json(&json!({"status": "done"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = app
            .api(&client, Method::POST, &format!("/workspaces/{ws}/inbox/{alice}/moderate"))
            .json(&json!({"action": "hide"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn moderation_rules_are_kept_and_tried_on_the_last_30_days_through_the_api() {
    each_backend(|app: TestApp| async move {
        let Desk {
            cm: _,
            scope,
            ws,
            token,
            channel,
        } = desk(&app, "read_comments,reply,hide_comment").await;
        ingest(
            &app,
            &scope,
            channel,
            &[
                comment("c1", "Alice", "Bravo pour la galette, elle est parfaite", &[]),
                comment("c2", "Troll", "Bande d'escrocs, vous êtes des voleurs et des menteurs", &[]),
                comment("c3", "Spam", "Gagnez un iPhone gratuit ici https://gagne-vite.example", &["https://gagne-vite.example/"]),
            ],
        )
        .await;
        let post_rule = |body: Value| {
            let app = &app;
            let token = token.clone();
            async move {
                let response = app
                    .api(&token, Method::POST, &format!("/workspaces/{ws}/rules"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        };
        // A query that does not parse says where; a rule that would match everything is refused.
        let (status, problem) = post_rule(json!({"name": "Cassée", "query": "(escroc", "actions": [{"type": "label", "label": "x"}]})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {problem}", app.backend);
        assert_eq!(problem["code"], "error-search-syntax");
        assert_eq!(problem["errors"][0]["field"], "query");
        let (status, problem) = post_rule(json!({"name": "Tout", "actions": [{"type": "moderate", "action": "delete"}]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, problem) = post_rule(json!({"name": "Bannir", "query": "x", "actions": [{"type": "ban"}]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

        let (status, rule) = post_rule(json!({
            "name": "Insultes",
            "conditions": {"toxic": true},
            "actions": [{"type": "moderate", "action": "hide"}, {"type": "label", "label": "insulte"}],
        }))
        .await;
        assert_eq!(status, StatusCode::CREATED, "{rule}");
        assert!(rule["broken"].is_null());
        let (_, spam_rule) = post_rule(json!({
            "name": "Liens douteux",
            "query": "url:gagne-vite.example",
            "actions": [{"type": "status", "status": "done"}],
        }))
        .await;
        let listed: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/rules"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = listed["rules"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Insultes", "Liens douteux"]);

        // The dry run: what the rule would have done, without doing it.
        let dry = |id: i64| {
            let app = &app;
            let token = token.clone();
            async move {
                let response = app
                    .api(&token, Method::POST, &format!("/workspaces/{ws}/rules/{id}/dry-run"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                response.json::<Value>().await.unwrap()
            }
        };
        let insults = dry(rule["id"].as_i64().unwrap()).await;
        assert_eq!(insults["scanned"], 3, "{insults}");
        assert_eq!(insults["matched"], 1, "{insults}");
        assert_eq!(insults["items"][0]["author"]["name"], "Troll");
        let links = dry(spam_rule["id"].as_i64().unwrap()).await;
        assert_eq!(links["matched"], 1, "{links}");
        let troll: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/inbox/{}", insults["items"][0]["id"]))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(troll["network_status"], "visible", "a dry run acts on nothing");
        assert!(troll["labels"].as_array().unwrap().is_empty());

        // Changed, disabled, deleted; a contributor cannot.
        let id = rule["id"].as_i64().unwrap();
        let response = app
            .api(&token, Method::PATCH, &format!("/workspaces/{ws}/rules/{id}"))
            .json(&json!({"enabled": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let patched: Value = response.json().await.unwrap();
        assert_eq!(patched["enabled"], false);
        assert_eq!(patched["conditions"]["toxic"], true, "fields left out keep their value");
        app.join(&scope, "redac@example.fr", Role::Contributor).await;
        let redac = app.api_token("redac@example.fr").await;
        let response = app
            .api(&redac, Method::DELETE, &format!("/workspaces/{ws}/rules/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = app
            .api(&token, Method::DELETE, &format!("/workspaces/{ws}/rules/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    })
    .await;
}

#[tokio::test]
async fn moderation_rules_are_kept_ordered_and_tried_through_the_pages() {
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie")
            .await;
        let ws = scope.workspace().0;
        let channel = stored_channel(
            &app,
            &scope,
            "mastodon",
            "boulangerie",
            "@boulangerie@mastodon.example",
            "read_comments,reply,hide_comment",
        )
        .await;
        ingest(
            &app,
            &scope,
            channel,
            &[
                comment(
                    "c1",
                    "Alice",
                    "Bravo pour la galette, elle est parfaite",
                    &[],
                ),
                comment(
                    "c2",
                    "Troll",
                    "Bande d'escrocs, vous êtes des voleurs et des menteurs",
                    &[],
                ),
                comment(
                    "c3",
                    "Spam",
                    "Gagnez un iPhone gratuit ici https://gagne-vite.example",
                    &["https://gagne-vite.example/"],
                ),
            ],
        )
        .await;
        let rules = format!("/w/{ws}/rules");

        // A search that does not parse is refused with where it stops; what was typed stays.
        let response = app
            .post_form(
                &cm,
                &rules,
                &[("name", "Cassée"), ("query", "(escroc"), ("labels", "x")],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("au caractère 8 : la requête"), "{html}");
        assert!(html.contains(r#"value="(escroc""#));
        // A rule that would act on every message, or without an action, is refused.
        let response = app
            .post_form(&cm, &rules, &[("name", "Tout"), ("moderate", "delete")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = app
            .post_form(&cm, &rules, &[("name", "Rien"), ("query", "escroc*")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // A value the form never offers is refused, not dropped.
        let response = app
            .post_form(
                &cm,
                &rules,
                &[("name", "Bannir"), ("query", "x"), ("moderate", "ban")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let response = app
            .post_form(
                &cm,
                &rules,
                &[
                    ("name", "Insultes <b>"),
                    ("enabled", "on"),
                    ("toxic", "on"),
                    ("labels", "insulte, urgent"),
                    ("moderate", "hide"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&response),
            format!("{rules}?flash=flash-rule-saved")
        );
        let response = app
            .post_form(
                &cm,
                &rules,
                &[
                    ("name", "Liens douteux"),
                    ("enabled", "on"),
                    ("query", "url:gagne-vite.example"),
                    ("status", "done"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let stored = app.store.inbox_rules(&scope).await.unwrap();
        let (insults, links) = (stored[0].clone(), stored[1].clone());
        assert_eq!(insults.name, "Insultes <b>");
        assert!(insults.conditions.toxic && insults.enabled);
        assert_eq!(insults.actions.len(), 3, "two labels and the moderation");

        let (status, html) = app.get_text(&cm, &rules).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Insultes &#60;b&#62;") && !html.contains("Insultes <b>"),
            "{html}"
        );
        assert!(
            html.contains("étiquette « insulte »") && html.contains("sur le réseau : Masquer"),
            "{html}"
        );
        assert!(html.find("Insultes").unwrap() < html.find("Liens douteux").unwrap());

        // Moved one place earlier: it now runs first.
        let response = app
            .post_form(
                &cm,
                &format!("{rules}/{}/move", links.id),
                &[("to", "earlier")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let order: Vec<String> = app
            .store
            .inbox_rules(&scope)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(order, ["Liens douteux", "Insultes <b>"]);

        // The dry run lists what it would have acted on and does nothing.
        let (status, html) = app
            .get_text(&cm, &format!("{rules}/{}/dry-run", insults.id))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("aurait agi : 1, sur 3 lus"), "{html}");
        assert!(
            html.contains("Bande d&#39;escrocs") || html.contains("Bande d&#x27;escrocs"),
            "{html}"
        );
        assert!(!html.contains("Bravo pour la galette"));
        let troll = app
            .store
            .inbox_items(
                &scope,
                &tribune_store::inbox::InboxFilter {
                    limit: 10,
                    ..Default::default()
                },
                unix_now(),
            )
            .await
            .unwrap();
        assert!(
            troll
                .iter()
                .all(|i| i.labels.is_empty() && i.network_status == "visible")
        );

        // Changed through its form: disabled, and shown so.
        let response = app
            .post_form(
                &cm,
                &format!("{rules}/{}", insults.id),
                &[
                    ("name", "Insultes"),
                    ("toxic", "on"),
                    ("labels", "insulte"),
                    ("moderate", "hold"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let changed = app.store.inbox_rule(&scope, insults.id).await.unwrap();
        assert!(!changed.enabled);
        assert_eq!(changed.actions.len(), 2);

        // A rule whose search no longer parses is shown as broken; its dry run says why.
        let mut input = tribune_store::rules::RuleInput {
            name: links.name.clone(),
            enabled: true,
            query: "(gagne".into(),
            conditions: links.conditions.clone(),
            actions: links.actions.clone(),
        };
        app.store
            .update_inbox_rule(&scope, links.id, &input, unix_now())
            .await
            .unwrap();
        let (_, html) = app.get_text(&cm, &rules).await;
        assert!(
            html.contains("rule broken") && html.contains(">cassée<"),
            "{html}"
        );
        let (status, html) = app
            .get_text(&cm, &format!("{rules}/{}/dry-run", links.id))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Corrigez d’abord la recherche"));
        input.query = "url:gagne-vite.example".into();
        app.store
            .update_inbox_rule(&scope, links.id, &input, unix_now())
            .await
            .unwrap();

        // Contributors see the rules but cannot change them; other workspaces see nothing.
        app.join(&scope, "redac@example.fr", Role::Contributor)
            .await;
        let (redac, _) = app.login("redac@example.fr", common::PASSWORD).await;
        let (status, html) = app.get_text(&redac, &rules).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains(r#"id="new-rule""#));
        let response = app
            .post_form(&redac, &format!("{rules}/{}/delete", links.id), &[])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = app
            .post_form(&cm, &format!("{rules}/{}/delete", links.id), &[])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.store.inbox_rules(&scope).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_response_time_target_gives_each_message_a_deadline_seen_on_pages_and_api() {
    each_backend(|app: TestApp| async move {
        let Desk {
            cm,
            scope,
            ws,
            token,
            channel,
        } = desk(&app, "read_comments,reply").await;
        // No target: no clock, no filter.
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/inbox")).await;
        assert!(!html.contains(r#"id="sla""#));

        // A form that is not a target is refused with its field, as typed.
        let path = format!("/w/{ws}/response-time");
        let response = app
            .post_form(
                &cm,
                &path,
                &[("enabled", "on"), ("target_hours", "2"), ("open_1", "on"), ("start_1", "18:00"), ("end_1", "09:00")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", app.backend);
        let html = response.text().await.unwrap();
        assert!(html.contains("heure d’ouverture avant"), "{html}");
        assert!(html.contains(r#"value="18:00""#));

        // Every day, all day, one minute: a message received now is due in a minute.
        let mut form = vec![("enabled", "on"), ("target_hours", "0"), ("target_minutes", "1"), ("warn_minutes", "1")];
        let days: Vec<(String, String, String)> = (1..=7)
            .map(|d| (format!("open_{d}"), format!("start_{d}"), format!("end_{d}")))
            .collect();
        for (open, start, end) in &days {
            form.push((open.as_str(), "on"));
            form.push((start.as_str(), "00:00"));
            form.push((end.as_str(), "00:00"));
        }
        let response = app.post_form(&cm, &path, &form).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (status, html) = app.get_text(&cm, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Europe/Paris"), "the zone is said");

        ingest(&app, &scope, channel, &[comment("c1", "Alice", "Livrez-vous le dimanche ?", &[])]).await;
        let (_, listed) = list(&app, &token, ws, "").await;
        let item = &listed["items"][0];
        assert_eq!(item["clock"], "running", "{listed}");
        assert!(item["due_at"].is_string());
        let (_, html) = app.get_text(&cm, &format!("/w/{ws}/inbox")).await;
        assert!(html.contains("clock-near") && html.contains("À répondre avant le"), "{html}");
        assert!(html.contains(r#"id="sla""#));

        // The API reads and sets the same target; a day that is not one is refused.
        let response = app.api(&token, Method::GET, &format!("/workspaces/{ws}/sla")).send().await.unwrap();
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["sla"]["target_minutes"], 1, "{answer}");
        assert_eq!(answer["sla"]["hours"]["sunday"], json!({"start": "00:00", "end": "24:00"}));
        assert_eq!(answer["timezone"], "Europe/Paris");
        let response = app
            .api(&token, Method::PUT, &format!("/workspaces/{ws}/sla"))
            .json(&json!({"target_minutes": 60, "hours": {"someday": {"start": "09:00", "end": "18:00"}}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "error-json-unknown-field", "{problem}");
        let response = app
            .api(&token, Method::PUT, &format!("/workspaces/{ws}/sla"))
            .json(&json!({"target_minutes": 60, "hours": {}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "closed every day");

        // Past its deadline: the banner, the view, and one e-mail job for the owner.
        let later = unix_now() + 120;
        let breaches = app.store.check_sla_breaches(later).await.unwrap();
        assert_eq!(breaches.len(), 1);
        let breached = app.store.inbox_breached_count(&scope, later).await.unwrap();
        assert_eq!(breached, 1);
        let (_, near) = list(&app, &token, ws, "sla=near").await;
        assert_eq!(near["items"].as_array().unwrap().len(), 1, "{near}");
        let (status, _) = list(&app, &token, ws, "sla=soon").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // Answered: off the near view; removed: no deadline any more.
        let id = item["id"].as_i64().unwrap();
        let response = app
            .api(&token, Method::PATCH, &format!("/workspaces/{ws}/inbox/{id}"))
            .json(&json!({"status": "done"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let (_, near) = list(&app, &token, ws, "sla=near").await;
        assert!(near["items"].as_array().unwrap().is_empty());
        let (_, all) = list(&app, &token, ws, "status=all").await;
        assert_eq!(all["items"][0]["clock"], "met", "{all}");
        // The period's statistics, by local day: one message, done in time.
        let stats: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/inbox/stats"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(stats["received"], 1, "{stats}");
        assert_eq!(stats["done"], 1);
        assert_eq!(stats["sla"]["met"], 1, "{stats}");
        assert_eq!(stats["received_by_day"].as_array().unwrap().len(), 1);
        assert_eq!(stats["timezone"], "Europe/Paris");
        for bad in ["from=2026-13-01", "from=2026-12-01&to=2026-11-01", "from=2020-01-01&to=2026-01-01", "since=2026-01-01"] {
            let response = app
                .api(&token, Method::GET, &format!("/workspaces/{ws}/inbox/stats?{bad}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        let response = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/inbox/stats?from=2020-01-01&to=2020-01-31"))
            .send()
            .await
            .unwrap();
        let old: Value = response.json().await.unwrap();
        assert_eq!(old["received"], 0, "{old}");
        let (_, html) = app.get_text(&cm, &path).await;
        assert!(html.contains("Messages reçus\u{a0}: 1"), "{html}");
        assert!(html.contains("Dans les délais\u{a0}: 1"), "{html}");

        let response = app.api(&token, Method::DELETE, &format!("/workspaces/{ws}/sla")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.store.inbox_sla(&scope).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn a_person_is_tagged_exported_and_erased_through_the_pages_and_the_api() {
    each_backend(|app: TestApp| async move {
        let Desk {
            cm: owner,
            scope,
            ws,
            token,
            channel,
        } = desk(&app, "read_comments,reply").await;
        ingest(
            &app,
            &scope,
            channel,
            &[
                comment("c1", "Troll", "Vous êtes des <b>escrocs</b>", &[]),
                comment("c2", "Troll", "Je le redis : escrocs", &[]),
                comment("c3", "Alice", "Merci pour la galette", &[]),
            ],
        )
        .await;
        let (_, listed) = list(&app, &token, ws, "").await;
        let troll = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["text"] == "Vous êtes des <b>escrocs</b>")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let page = format!("/w/{ws}/inbox/{troll}/author");

        // The page lists what they wrote, escaped, and not what others wrote.
        let (status, html) = app.get_text(&owner, &page).await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(
            html.contains("Je le redis") && html.contains("&#60;b&#62;escrocs"),
            "{html}"
        );
        assert!(!html.contains("Merci pour la galette"));
        assert!(html.contains("2 messages dans cet espace"));

        // Tags and a note, refused when a tag cannot be one.
        let response = app
            .post_form(
                &owner,
                &page,
                &[
                    ("tags", "troll, bloqué"),
                    ("note", "Insulte chaque semaine."),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let response = app
            .post_form(&owner, &page, &[("tags", &"x".repeat(41)), ("note", "")])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let author: Value = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/inbox/{troll}/author"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(author["tags"], json!(["bloqué", "troll"]), "{author}");
        assert_eq!(author["note"], "Insulte chaque semaine.");
        assert_eq!(author["messages"], 2);
        let response = app
            .api(
                &token,
                Method::PATCH,
                &format!("/workspaces/{ws}/inbox/{troll}/author"),
            )
            .json(&json!({"note": "Bloqué le 1er décembre."}))
            .send()
            .await
            .unwrap();
        let patched: Value = response.json().await.unwrap();
        assert_eq!(
            patched["tags"],
            json!(["bloqué", "troll"]),
            "tags left out stay"
        );
        assert_eq!(patched["note"], "Bloqué le 1er décembre.");

        // A rule on the team's tags: it would act on both of their messages, not on Alice's.
        let response = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/rules"))
            .json(&json!({"name": "Trolls", "conditions": {"author_tags": ["troll"]}, "actions": [{"type": "moderate", "action": "hide"}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let rule: Value = response.json().await.unwrap();
        let dry: Value = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/rules/{}/dry-run", rule["id"]))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(dry["matched"], 2, "{dry}");
        assert_eq!(dry["scanned"], 3);
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}/rules")).await;
        assert!(html.contains("auteur étiqueté troll"), "{html}");
        assert!(html.contains(r#"name="author_tags" maxlength="400" value="troll""#), "the form keeps it");

        // A contributor tags but neither exports nor erases.
        app.join(&scope, "redac@example.fr", Role::Contributor)
            .await;
        let (redac, _) = app.login("redac@example.fr", common::PASSWORD).await;
        let response = app.post_form(&redac, &format!("{page}/export"), &[]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = app
            .post_form(&redac, &format!("{page}/erase"), &[("confirm", "on")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        // Export: a JSON file with both messages.
        let response = app.post_form(&owner, &format!("{page}/export"), &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()[reqwest::header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment; filename=\"tribune-contact-mastodon-")
        );
        let export: Value = response.json().await.unwrap();
        assert_eq!(export["messages"].as_array().unwrap().len(), 2, "{export}");

        // Erasure needs the box ticked; then their messages are gone, Alice's stay.
        let response = app.post_form(&owner, &format!("{page}/erase"), &[]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let response = app
            .post_form(&owner, &format!("{page}/erase"), &[("confirm", "on")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&response),
            format!("/w/{ws}/inbox?flash=flash-contact-erased")
        );
        let (_, after) = list(&app, &token, ws, "status=all").await;
        let texts: Vec<&str> = after["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["Merci pour la galette"]);
        let (status, _) = app.get_text(&owner, &page).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_wave_of_negative_messages_shows_its_alert_with_the_pause_button() {
    each_backend(|app: TestApp| async move {
        let Desk {
            cm: owner,
            scope,
            ws,
            token,
            channel,
        } = desk(&app, "read_comments,reply").await;
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}/inbox")).await;
        assert!(!html.contains("buzz-alert"));
        let wave: Vec<InboxItem> = (0..12)
            .map(|i| {
                comment(
                    &format!("w{i}"),
                    &format!("Client{i}"),
                    "Scandaleux, intoxication alimentaire, honte à vous, arnaque",
                    &[],
                )
            })
            .collect();
        ingest(&app, &scope, channel, &wave).await;
        let opened = app.store.check_buzz(unix_now()).await.unwrap().opened;
        assert_eq!(
            opened.len(),
            1,
            "{}: the classifier calls them negative",
            app.backend
        );
        let alert = opened[0].id;

        // The inbox says so, with the way to the messages and the pause button.
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}/inbox")).await;
        assert!(html.contains("Vague de messages négatifs"), "{html}");
        assert!(html.contains(&format!("/w/{ws}/inbox/alerts/{alert}")));
        assert!(html.contains(&format!(r#"action="/w/{ws}/publishing/pause""#)));
        let (status, page) = app
            .get_text(&owner, &format!("/w/{ws}/inbox/alerts/{alert}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            page.matches("intoxication alimentaire").count(),
            12,
            "{page}"
        );

        // One click pauses publishing; the banner then says it is paused.
        let response = app
            .post_form(&owner, &format!("/w/{ws}/publishing/pause"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}/inbox")).await;
        assert!(html.contains("La publication est en pause."), "{html}");

        // The API lists it, and gives its messages.
        let listed: Value = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/inbox/alerts"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed["alerts"][0]["id"], alert.0, "{listed}");
        assert!(listed["alerts"][0]["resolved_at"].is_null());
        let detail: Value = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/inbox/alerts/{alert}"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(detail["items"].as_array().unwrap().len(), 12);
        assert_eq!(detail["count"], 12);
    })
    .await;
}

/// A chat server's incoming webhook on 127.0.0.1: keeps each JSON body it receives and answers
/// with the status set in `status`.
struct Receiver {
    url: String,
    bodies: std::sync::Arc<std::sync::Mutex<Vec<Value>>>,
    status: std::sync::Arc<std::sync::atomic::AtomicU16>,
}

async fn receiver() -> Receiver {
    use std::sync::atomic::Ordering;
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let status = std::sync::Arc::new(std::sync::atomic::AtomicU16::new(200));
    let (kept, answer) = (bodies.clone(), status.clone());
    let app = axum::Router::new().route(
        "/hooks/{secret}",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let (kept, answer) = (kept.clone(), answer.clone());
            async move {
                kept.lock().unwrap().push(body);
                axum::http::StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hooks/T0K3N-secret",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver {
        url,
        bodies,
        status,
    }
}

#[tokio::test]
async fn the_team_sets_its_thresholds_and_its_chat_hears_of_a_wave_without_the_messages_markup() {
    use std::sync::atomic::Ordering;
    each_backend(|app: TestApp| async move {
        let Desk {
            cm: owner,
            scope,
            ws,
            token,
            channel,
        } = desk(&app, "read_comments,reply").await;
        let hook = receiver().await;
        let (status, html) = app.get_text(&owner, &format!("/w/{ws}/inbox/alerts")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Aucun webhook"), "{html}");
        assert!(html.contains("Aucune vague pour l’instant"), "{html}");

        // Thresholds as a French manager types them; absurd ones are refused by field.
        let refused = app
            .post_form(
                &owner,
                &format!("/w/{ws}/inbox/alerts/thresholds"),
                &[("min_count", "1"), ("factor", "2,5")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("entre 3 et 100"));
        let saved = app
            .post_form(
                &owner,
                &format!("/w/{ws}/inbox/alerts/thresholds"),
                &[("min_count", "5"), ("factor", "2,5")],
            )
            .await;
        assert_eq!(
            location(&saved),
            format!("/w/{ws}/inbox/alerts?flash=flash-buzz-saved")
        );

        // A webhook address that is not one is refused; the real one gets a test message.
        let refused = app
            .post_form(
                &owner,
                &format!("/w/{ws}/inbox/alerts/webhook"),
                &[("webhook_url", "javascript:alert(1)")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let saved = app
            .post_form(
                &owner,
                &format!("/w/{ws}/inbox/alerts/webhook"),
                &[("webhook_url", &hook.url)],
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        app.run_jobs().await;
        {
            let bodies = hook.bodies.lock().unwrap();
            assert_eq!(bodies.len(), 1, "{}", app.backend);
            assert_eq!(bodies[0]["event"], "buzz.test");
            assert!(bodies[0]["text"].as_str().unwrap().contains("Boulangerie"));
        }
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}/inbox/alerts")).await;
        assert!(
            html.contains("Les alertes sont envoyées à 127.0.0.1"),
            "{html}"
        );
        assert!(html.contains("Dernier message remis le"), "{html}");
        assert!(
            !html.contains("T0K3N"),
            "the address's secret is never shown"
        );

        // Six angry messages, one with markup and a mention meant for the team's chat.
        let wave: Vec<InboxItem> = (0..6)
            .map(|i| {
                comment(
                    &format!("w{i}"),
                    &format!("Client{i}"),
                    "Scandaleux, intoxication alimentaire, honte à vous, arnaque @channel <!here>",
                    &[],
                )
            })
            .collect();
        ingest(&app, &scope, channel, &wave).await;
        let opened = app.store.check_buzz(unix_now()).await.unwrap().opened;
        assert_eq!(opened.len(), 1, "{}: six is a wave here", app.backend);
        let alert = opened[0].id;
        app.run_jobs().await;
        {
            let bodies = hook.bodies.lock().unwrap();
            assert_eq!(bodies.len(), 2, "{}", app.backend);
            let body = &bodies[1];
            assert_eq!(body["event"], "buzz.alert");
            assert_eq!(body["alert"]["id"], alert.0);
            assert_eq!(body["alert"]["count"], 6);
            let text = body["text"].as_str().unwrap();
            assert!(text.contains("6 messages négatifs"), "{text}");
            assert!(
                text.contains(&format!("/w/{ws}/inbox/alerts/{alert}")),
                "{text}"
            );
            assert!(
                !text.contains("@channel") && !text.contains("<!here>"),
                "{text}"
            );
            assert_eq!(body["items"].as_array().unwrap().len(), 6);
            assert!(
                body["items"][0]["text"]
                    .as_str()
                    .unwrap()
                    .contains("<!here>")
            );
        }

        // The chat server now refuses: the page says so, in words, with the status.
        hook.status.store(404, Ordering::SeqCst);
        let tested = app
            .post_form(&owner, &format!("/w/{ws}/inbox/alerts/webhook/test"), &[])
            .await;
        assert_eq!(tested.status(), StatusCode::SEE_OTHER);
        app.run_jobs().await;
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}/inbox/alerts")).await;
        assert!(html.contains("le serveur a refusé le message"), "{html}");
        assert!(html.contains("(HTTP 404)"), "{html}");
        // Fixed on the chat's side: the next test goes through.
        hook.status.store(200, Ordering::SeqCst);
        app.post_form(&owner, &format!("/w/{ws}/inbox/alerts/webhook/test"), &[])
            .await;
        app.run_jobs().await;
        assert_eq!(hook.bodies.lock().unwrap().len(), 4, "{}", app.backend);
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}/inbox/alerts")).await;
        assert!(html.contains("Dernier message remis le"), "{html}");
        hook.status.store(404, Ordering::SeqCst);
        app.post_form(&owner, &format!("/w/{ws}/inbox/alerts/webhook/test"), &[])
            .await;
        app.run_jobs().await;

        // The API reads and changes the same settings; a null address removes the webhook.
        let read: Value = app
            .api(&token, Method::GET, &format!("/workspaces/{ws}/buzz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(read["min_count"], 5, "{read}");
        assert_eq!(read["factor"], 2.5);
        assert_eq!(read["webhook"]["host"], "127.0.0.1");
        assert_eq!(read["webhook"]["delivery_error"], "refused:404");
        assert!(!read.to_string().contains("T0K3N"));
        let bad = app
            .api(&token, Method::PUT, &format!("/workspaces/{ws}/buzz"))
            .json(&json!({"factor": 0.5}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let changed: Value = app
            .api(&token, Method::PUT, &format!("/workspaces/{ws}/buzz"))
            .json(&json!({"min_count": 20, "webhook_url": null}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(changed["min_count"], 20, "{changed}");
        assert_eq!(changed["factor"], 2.5);
        assert!(changed["webhook"].is_null());
        let test = app
            .api(&token, Method::POST, &format!("/workspaces/{ws}/buzz/test"))
            .send()
            .await
            .unwrap();
        assert_eq!(test.status(), StatusCode::NOT_FOUND);
        let reset = app
            .api(&token, Method::DELETE, &format!("/workspaces/{ws}/buzz"))
            .send()
            .await
            .unwrap();
        assert_eq!(reset.status(), StatusCode::NO_CONTENT);
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}/inbox/alerts")).await;
        assert!(html.contains("Réglages par défaut de tribune"), "{html}");
        assert!(html.contains(&format!("/w/{ws}/inbox/alerts/{alert}")));
    })
    .await;
}

#[tokio::test]
async fn one_person_on_two_networks_is_linked_from_their_page_and_through_the_api() {
    each_backend(|app: TestApp| async move {
        let Desk {
            cm,
            scope,
            ws,
            token,
            channel,
        } = desk(&app, "read_comments,reply").await;
        let bsky = stored_channel(
            &app,
            &scope,
            "bluesky",
            "boulangerie-bsky",
            "boulangerie.bsky.social",
            "read_comments,reply",
        )
        .await;
        ingest(
            &app,
            &scope,
            channel,
            &[comment("m1", "Lea", "Commande pas arrivée", &[])],
        )
        .await;
        let mut on_bsky = comment("b1", "Lea", "Bravo <i>pour</i> la galette", &[]);
        on_bsky.author.remote_id = Some("did:plc:lea".into());
        on_bsky.author.handle = "@lea.bsky.social".into();
        ingest(&app, &scope, bsky, &[on_bsky]).await;
        let (_, listed) = list(&app, &token, ws, "").await;
        let id_of = |text: &str| {
            listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["text"] == text)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let on_masto = id_of("Commande pas arrivée");
        let on_bsky = id_of("Bravo <i>pour</i> la galette");
        let page = format!("/w/{ws}/inbox/{on_masto}/author");
        let (_, html) = app.get_text(&cm, &page).await;
        assert!(html.contains("La même personne ailleurs"), "{html}");
        assert!(html.contains("Liée à aucun autre compte"));
        assert!(!html.contains("Bravo"));

        // A handle nobody wrote under on that network: said next to the field, kept as typed.
        let response = app
            .post_form(
                &cm,
                &format!("{page}/link"),
                &[("network", "bluesky"), ("handle", "inconnue.bsky.social")],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("Personne avec cet identifiant"), "{html}");
        assert!(html.contains(r#"value="inconnue.bsky.social""#));

        let response = app
            .post_form(
                &cm,
                &format!("{page}/link"),
                &[("network", "bluesky"), ("handle", "@lea.bsky.social")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = app
            .get_text(&cm, &format!("{page}?flash=flash-contact-linked"))
            .await;
        assert!(html.contains("Comptes liés"), "{html}");
        assert!(html.contains("2 messages dans cet espace"), "{html}");
        assert!(html.contains("&#60;i&#62;pour"), "escaped: {html}");
        assert!(html.contains(&format!("/w/{ws}/inbox/{on_bsky}/author")));
        assert!(html.contains("Délier @lea.bsky.social"));

        // The same person from the other side, through the API.
        let author: Value = app
            .api(
                &token,
                Method::GET,
                &format!("/workspaces/{ws}/inbox/{on_bsky}/author"),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(author["messages"], 2, "{author}");
        assert_eq!(author["linked"][0]["network"], "mastodon");
        assert_eq!(author["linked"][0]["remote_key"], "id-Lea");
        assert_eq!(author["linked"][0]["newest_item"], on_masto);
        let response = app
            .api(
                &token,
                Method::POST,
                &format!("/workspaces/{ws}/inbox/{on_bsky}/author/unlink"),
            )
            .json(&json!({"network": "mastodon", "remote_key": "id-Lea"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let alone: Value = response.json().await.unwrap();
        assert_eq!(alone["linked"], json!([]));
        assert_eq!(alone["messages"], 1);
        let response = app
            .api(
                &token,
                Method::POST,
                &format!("/workspaces/{ws}/inbox/{on_bsky}/author/links"),
            )
            .json(&json!({"network": "mastodon", "handle": "nobody"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = app
            .api(
                &token,
                Method::POST,
                &format!("/workspaces/{ws}/inbox/{on_bsky}/author/links"),
            )
            .json(&json!({"network": "mastodon", "handle": "lea"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let linked: Value = response.json().await.unwrap();
        assert_eq!(linked["messages"], 2, "{linked}");
    })
    .await;
}

#[tokio::test]
async fn the_inbox_is_filtered_by_the_days_messages_arrived_in_the_workspaces_time_zone() {
    each_backend(|app: TestApp| async move {
        let Desk {
            cm,
            scope,
            ws,
            token,
            channel,
        } = desk(&app, "read_comments,reply").await;
        let workspace = app.store.workspace(&scope).await.unwrap();
        let tz = jiff::tz::TimeZone::get(&workspace.timezone).unwrap();
        let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
        let day_before = today.yesterday().unwrap().yesterday().unwrap();
        // Received at noon, local time, two days ago and today.
        let noon = |day: jiff::civil::Date| {
            day.at(12, 0, 0, 0)
                .to_zoned(tz.clone())
                .unwrap()
                .timestamp()
                .as_second()
        };
        for (remote, text, day) in [
            ("d1", "Arrivé avant-hier", day_before),
            ("d2", "Arrivé aujourd'hui", today),
        ] {
            let prepared = [tribune_inbox::prepare(&comment(remote, "Lea", text, &[]))];
            app.store
                .ingest_inbox(&scope, channel, &prepared, None, noon(day))
                .await
                .unwrap();
        }
        let (status, page) = list(&app, &token, ws, &format!("from={today}&status=all")).await;
        assert_eq!(status, StatusCode::OK, "{}: {page}", app.backend);
        assert_eq!(texts(&page), ["Arrivé aujourd'hui"]);
        let (_, page) = list(&app, &token, ws, &format!("to={day_before}&status=all")).await;
        assert_eq!(texts(&page), ["Arrivé avant-hier"]);
        let (_, page) = list(
            &app,
            &token,
            ws,
            &format!("from={day_before}&to={day_before}&status=all"),
        )
        .await;
        assert_eq!(texts(&page), ["Arrivé avant-hier"]);
        for bad in [
            "from=2026-13-01",
            &format!("from={today}&to={day_before}"),
            "to=hier",
        ] {
            let (status, problem) = list(&app, &token, ws, bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {problem}");
        }
        // The page's form has both days, and keeps them.
        let (status, html) = app
            .get_text(&cm, &format!("/w/{ws}/inbox?status=all&from={today}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Reçus à partir du"), "{html}");
        assert!(html.contains(&format!(r#"name="from" type="date" value="{today}""#)));
        assert!(
            html.contains("Arrivé aujourd&#39;hui") && !html.contains("avant-hier"),
            "{html}"
        );
    })
    .await;
}
