//! Tenant isolation, CSRF, login rate limiting and escaping. The route tables are checked
//! against the router's source, so a new route without a case here fails the suite.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

mod common;

use common::{PASSWORD, TestApp, csrf_in, each_backend};
use reqwest::{Method, StatusCode};
use tribune_domain::{ChannelId, InvitationId, Role, UserId, WorkspaceId};
use tribune_store::unix_now;

/// Every `.route("…")` path in a source file, with whether the line registers a POST handler.
fn routes_in(source: &str) -> Vec<(String, bool)> {
    let mut routes = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find(".route(") {
        let after = &rest[start + 7..];
        let open = after.find('"').unwrap_or(0);
        let path_start = &after[open + 1..];
        let close = path_start.find('"').unwrap_or(0);
        let end = after.find(".route(").unwrap_or(after.len());
        let registration = &after[..end];
        routes.push((
            path_start[..close].to_owned(),
            registration.contains("post("),
        ));
        rest = after;
    }
    routes
}

const BROWSER_ROUTES: &str = include_str!("../src/routes/mod.rs");
const API_ROUTES: &str = include_str!("../src/api/mod.rs");

type Fields = &'static [(&'static str, &'static str)];

/// Browser routes inside a workspace: (method, path, form fields).
const WORKSPACE_CASES: &[(&str, &str, Fields)] = &[
    ("GET", "/w/{ws}", &[]),
    ("GET", "/w/{ws}/settings", &[]),
    ("POST", "/w/{ws}/settings", &[("name", "Pwned")]),
    ("GET", "/w/{ws}/logo", &[]),
    ("POST", "/w/{ws}/logo", &[]),
    ("POST", "/w/{ws}/logo/delete", &[]),
    ("POST", "/w/{ws}/delete", &[("confirm_name", "Victim")]),
    ("GET", "/w/{ws}/posts", &[]),
    (
        "POST",
        "/w/{ws}/posts",
        &[("channel", "1"), ("text", "Pwned"), ("intent", "schedule")],
    ),
    ("GET", "/w/{ws}/posts/new", &[]),
    ("GET", "/w/{ws}/posts/import", &[]),
    ("POST", "/w/{ws}/posts/import", &[]),
    (
        "POST",
        "/w/{ws}/posts/import/confirm",
        &[("csv", "channels,text\n1,Pwned\n")],
    ),
    ("GET", "/w/{ws}/posts/export.csv", &[]),
    ("GET", "/w/{ws}/posts/{id}", &[]),
    ("GET", "/w/{ws}/posts/{id}/edit", &[]),
    ("POST", "/w/{ws}/posts/{id}/edit", &[("text", "Pwned")]),
    ("POST", "/w/{ws}/posts/{id}/approve", &[]),
    (
        "POST",
        "/w/{ws}/posts/{id}/request-changes",
        &[("comment", "x")],
    ),
    ("POST", "/w/{ws}/posts/{id}/schedule", &[]),
    ("POST", "/w/{ws}/posts/{id}/delete", &[("confirm", "on")]),
    ("POST", "/w/{ws}/posts/{id}/move", &[("date", "2099-01-01")]),
    ("POST", "/w/{ws}/compose/check", &[("text", "x")]),
    (
        "POST",
        "/w/{ws}/compose/shorten",
        &[("text", "https://pwned.example/")],
    ),
    ("POST", "/w/{ws}/compose/upload", &[("text", "Pwned")]),
    ("GET", "/w/{ws}/media", &[]),
    ("POST", "/w/{ws}/media", &[]),
    ("POST", "/w/{ws}/media/{media}/alt", &[("alt", "Pwned")]),
    ("POST", "/w/{ws}/media/{media}/delete", &[]),
    (
        "POST",
        "/w/{ws}/media/{media}/copy",
        &[("preset", "square")],
    ),
    ("GET", "/w/{ws}/media/{media}/thumbnail", &[]),
    ("GET", "/w/{ws}/links", &[]),
    (
        "POST",
        "/w/{ws}/links",
        &[("target", "https://pwned.example/")],
    ),
    ("GET", "/w/{ws}/links/{link}", &[]),
    (
        "POST",
        "/w/{ws}/links/{link}",
        &[("target", "https://pwned.example/")],
    ),
    ("POST", "/w/{ws}/links/{link}/delete", &[("confirm", "on")]),
    ("GET", "/w/{ws}/inbox", &[]),
    (
        "POST",
        "/w/{ws}/inbox/bulk",
        &[("item", "1"), ("action", "done")],
    ),
    ("GET", "/w/{ws}/inbox/{item}", &[]),
    ("POST", "/w/{ws}/inbox/{item}", &[("status", "done")]),
    ("POST", "/w/{ws}/inbox/{item}/reply", &[("text", "Pwned")]),
    ("POST", "/w/{ws}/inbox/{item}/notes", &[("text", "Pwned")]),
    (
        "POST",
        "/w/{ws}/inbox/{item}/moderate",
        &[("action", "hide")],
    ),
    ("GET", "/w/{ws}/replies", &[]),
    (
        "POST",
        "/w/{ws}/replies",
        &[("title", "Pwned"), ("body", "Pwned")],
    ),
    (
        "POST",
        "/w/{ws}/replies/{reply}",
        &[("title", "Pwned"), ("body", "Pwned")],
    ),
    ("POST", "/w/{ws}/replies/{reply}/delete", &[]),
    ("GET", "/w/{ws}/inbox/alerts/{alert}", &[]),
    ("GET", "/w/{ws}/inbox/alerts", &[]),
    (
        "POST",
        "/w/{ws}/inbox/alerts/thresholds",
        &[("min_count", "3"), ("factor", "1.5")],
    ),
    (
        "POST",
        "/w/{ws}/inbox/alerts/webhook",
        &[("webhook_url", "https://pwned.example/hook")],
    ),
    ("POST", "/w/{ws}/inbox/alerts/webhook/test", &[]),
    ("POST", "/w/{ws}/inbox/alerts/webhook/delete", &[]),
    ("GET", "/w/{ws}/inbox/{item}/author", &[]),
    ("GET", "/w/{ws}/inbox/{item}/images/{n}", &[]),
    (
        "POST",
        "/w/{ws}/inbox/{item}/author",
        &[("tags", "pwned"), ("note", "pwned")],
    ),
    ("POST", "/w/{ws}/inbox/{item}/author/export", &[]),
    (
        "POST",
        "/w/{ws}/inbox/{item}/author/link",
        &[("network", "mastodon"), ("handle", "someone")],
    ),
    (
        "POST",
        "/w/{ws}/inbox/{item}/author/unlink",
        &[("network", "mastodon"), ("remote_key", "someone")],
    ),
    (
        "POST",
        "/w/{ws}/inbox/{item}/author/erase",
        &[("confirm", "on")],
    ),
    ("GET", "/w/{ws}/response-time", &[]),
    (
        "POST",
        "/w/{ws}/response-time",
        &[
            ("enabled", "on"),
            ("target_hours", "1"),
            ("open_1", "on"),
            ("start_1", "00:00"),
            ("end_1", "00:00"),
        ],
    ),
    ("GET", "/w/{ws}/rules", &[]),
    (
        "POST",
        "/w/{ws}/rules",
        &[("name", "Pwned"), ("query", "x"), ("labels", "pwned")],
    ),
    (
        "POST",
        "/w/{ws}/rules/{rule}",
        &[("name", "Pwned"), ("query", "x"), ("labels", "pwned")],
    ),
    ("POST", "/w/{ws}/rules/{rule}/move", &[("to", "later")]),
    ("POST", "/w/{ws}/rules/{rule}/delete", &[]),
    ("GET", "/w/{ws}/rules/{rule}/dry-run", &[]),
    ("GET", "/w/{ws}/calendar", &[]),
    ("POST", "/w/{ws}/calendar/feed", &[]),
    ("POST", "/w/{ws}/calendar/feed/revoke", &[]),
    ("POST", "/w/{ws}/publishing/pause", &[]),
    ("POST", "/w/{ws}/publishing/resume", &[]),
    ("GET", "/w/{ws}/members", &[]),
    ("POST", "/w/{ws}/members/{user}/role", &[("role", "client")]),
    (
        "POST",
        "/w/{ws}/members/{user}/remove",
        &[("confirm", "on")],
    ),
    ("POST", "/w/{ws}/leave", &[("confirm", "on")]),
    (
        "POST",
        "/w/{ws}/invitations",
        &[("email", "spy@example.fr"), ("role", "owner")],
    ),
    (
        "POST",
        "/w/{ws}/invitations/{id}/revoke",
        &[("confirm", "on")],
    ),
    ("GET", "/w/{ws}/channels", &[]),
    (
        "POST",
        "/w/{ws}/channels/connect/bluesky",
        &[("identifier", "spy.test"), ("app_password", "x")],
    ),
    (
        "POST",
        "/w/{ws}/channels/connect/mastodon",
        &[("instance", "mastodon.invalid")],
    ),
    (
        "POST",
        "/w/{ws}/channels/connect/mastodon-token",
        &[("instance", "mastodon.invalid"), ("access_token", "x")],
    ),
    (
        "POST",
        "/w/{ws}/channels/connect/wordpress",
        &[
            ("site", "blog.invalid"),
            ("username", "spy"),
            ("app_password", "x"),
        ],
    ),
    ("POST", "/w/{ws}/channels/{id}/check", &[]),
    ("GET", "/w/{ws}/channels/{id}/avatar", &[]),
    (
        "POST",
        "/w/{ws}/channels/{id}/disconnect",
        &[("confirm", "on")],
    ),
    ("GET", "/w/{ws}/channels/{id}/queue", &[]),
    (
        "POST",
        "/w/{ws}/channels/{id}/queue/shuffle",
        &[("confirm", "on")],
    ),
    (
        "POST",
        "/w/{ws}/channels/{id}/queue/slots",
        &[("weekday", "1"), ("time", "10:00")],
    ),
    (
        "POST",
        "/w/{ws}/channels/{id}/queue/slots/{slot}/delete",
        &[],
    ),
    ("GET", "/w/{ws}/categories", &[]),
    (
        "POST",
        "/w/{ws}/categories",
        &[
            ("name", "Pwned"),
            ("colour", "#000000"),
            ("recycle_after_days", "9"),
        ],
    ),
    (
        "POST",
        "/w/{ws}/categories/{id}",
        &[
            ("name", "Pwned"),
            ("colour", "#000000"),
            ("recycle_after_days", "9"),
        ],
    ),
    ("POST", "/w/{ws}/categories/{id}/delete", &[]),
];

/// API routes inside a workspace: (method, path, JSON body).
const API_CASES: &[(&str, &str, &str)] = &[
    ("GET", "/workspaces/{ws}", ""),
    ("PATCH", "/workspaces/{ws}", r#"{"name":"Pwned"}"#),
    ("DELETE", "/workspaces/{ws}", ""),
    ("GET", "/workspaces/{ws}/members", ""),
    (
        "PATCH",
        "/workspaces/{ws}/members/{user}",
        r#"{"role":"client"}"#,
    ),
    ("DELETE", "/workspaces/{ws}/members/{user}", ""),
    ("GET", "/workspaces/{ws}/invitations", ""),
    (
        "POST",
        "/workspaces/{ws}/invitations",
        r#"{"email":"spy@example.fr","role":"owner"}"#,
    ),
    ("DELETE", "/workspaces/{ws}/invitations/{id}", ""),
    ("GET", "/workspaces/{ws}/channels", ""),
    (
        "POST",
        "/workspaces/{ws}/channels",
        r#"{"network":"mastodon","instance":"mastodon.invalid","access_token":"x"}"#,
    ),
    ("GET", "/workspaces/{ws}/channels/{id}", ""),
    ("DELETE", "/workspaces/{ws}/channels/{id}", ""),
    ("POST", "/workspaces/{ws}/channels/{id}/check", ""),
    ("GET", "/workspaces/{ws}/channels/{id}/queue", ""),
    (
        "POST",
        "/workspaces/{ws}/channels/{id}/queue/slots",
        r#"{"weekday":"monday","time":"10:00"}"#,
    ),
    (
        "DELETE",
        "/workspaces/{ws}/channels/{id}/queue/slots/{slot}",
        "",
    ),
    ("GET", "/workspaces/{ws}/posts", ""),
    (
        "POST",
        "/workspaces/{ws}/posts",
        r#"{"channels":[1],"text":"x"}"#,
    ),
    ("GET", "/workspaces/{ws}/posts/{post}", ""),
    ("PATCH", "/workspaces/{ws}/posts/{post}", r#"{"text":"x"}"#),
    ("DELETE", "/workspaces/{ws}/posts/{post}", ""),
    ("POST", "/workspaces/{ws}/posts/{post}/approve", ""),
    (
        "POST",
        "/workspaces/{ws}/posts/{post}/request-changes",
        r#"{"comment":"x"}"#,
    ),
    ("GET", "/workspaces/{ws}/media", ""),
    ("POST", "/workspaces/{ws}/media", ""),
    ("GET", "/workspaces/{ws}/media/{media}", ""),
    ("PATCH", "/workspaces/{ws}/media/{media}", r#"{"alt":"x"}"#),
    ("DELETE", "/workspaces/{ws}/media/{media}", ""),
    ("GET", "/workspaces/{ws}/media/{media}/thumbnail", ""),
    ("GET", "/workspaces/{ws}/links", ""),
    (
        "POST",
        "/workspaces/{ws}/links",
        r#"{"target":"https://pwned.example/"}"#,
    ),
    ("GET", "/workspaces/{ws}/links/{link}", ""),
    (
        "PATCH",
        "/workspaces/{ws}/links/{link}",
        r#"{"target":"https://pwned.example/"}"#,
    ),
    ("DELETE", "/workspaces/{ws}/links/{link}", ""),
    ("GET", "/workspaces/{ws}/inbox", ""),
    (
        "PATCH",
        "/workspaces/{ws}/inbox",
        r#"{"ids":[1],"status":"done"}"#,
    ),
    ("GET", "/workspaces/{ws}/inbox/{item}", ""),
    (
        "PATCH",
        "/workspaces/{ws}/inbox/{item}",
        r#"{"status":"done"}"#,
    ),
    (
        "POST",
        "/workspaces/{ws}/inbox/{item}/reply",
        r#"{"text":"x"}"#,
    ),
    (
        "POST",
        "/workspaces/{ws}/inbox/{item}/notes",
        r#"{"body":"x"}"#,
    ),
    (
        "POST",
        "/workspaces/{ws}/inbox/{item}/moderate",
        r#"{"action":"hide"}"#,
    ),
    ("GET", "/workspaces/{ws}/saved-replies", ""),
    (
        "POST",
        "/workspaces/{ws}/saved-replies",
        r#"{"title":"x","body":"x"}"#,
    ),
    ("GET", "/workspaces/{ws}/saved-replies/{reply}", ""),
    (
        "PATCH",
        "/workspaces/{ws}/saved-replies/{reply}",
        r#"{"title":"Pwned"}"#,
    ),
    ("DELETE", "/workspaces/{ws}/saved-replies/{reply}", ""),
    ("GET", "/workspaces/{ws}/rules", ""),
    (
        "POST",
        "/workspaces/{ws}/rules",
        r#"{"name":"x","query":"x","actions":[{"type":"moderate","action":"delete"}]}"#,
    ),
    ("GET", "/workspaces/{ws}/rules/{rule}", ""),
    (
        "PATCH",
        "/workspaces/{ws}/rules/{rule}",
        r#"{"enabled":false}"#,
    ),
    ("DELETE", "/workspaces/{ws}/rules/{rule}", ""),
    ("POST", "/workspaces/{ws}/rules/{rule}/dry-run", ""),
    ("GET", "/workspaces/{ws}/inbox/stats", ""),
    ("GET", "/workspaces/{ws}/inbox/alerts", ""),
    ("GET", "/workspaces/{ws}/inbox/alerts/{alert}", ""),
    ("GET", "/workspaces/{ws}/buzz", ""),
    (
        "PUT",
        "/workspaces/{ws}/buzz",
        r#"{"min_count":3,"webhook_url":"https://pwned.example/hook"}"#,
    ),
    ("DELETE", "/workspaces/{ws}/buzz", ""),
    ("POST", "/workspaces/{ws}/buzz/test", ""),
    ("GET", "/workspaces/{ws}/inbox/{item}/author", ""),
    (
        "PATCH",
        "/workspaces/{ws}/inbox/{item}/author",
        r#"{"tags":["pwned"]}"#,
    ),
    ("POST", "/workspaces/{ws}/inbox/{item}/author/export", ""),
    ("POST", "/workspaces/{ws}/inbox/{item}/author/erase", ""),
    (
        "POST",
        "/workspaces/{ws}/inbox/{item}/author/links",
        r#"{"network":"mastodon","handle":"someone"}"#,
    ),
    (
        "POST",
        "/workspaces/{ws}/inbox/{item}/author/unlink",
        r#"{"network":"mastodon","remote_key":"someone"}"#,
    ),
    ("GET", "/workspaces/{ws}/sla", ""),
    (
        "PUT",
        "/workspaces/{ws}/sla",
        r#"{"target_minutes":1,"hours":{"monday":{"start":"00:00","end":"24:00"}}}"#,
    ),
    ("DELETE", "/workspaces/{ws}/sla", ""),
];

#[test]
fn every_workspace_route_has_an_isolation_case() {
    for (path, _) in routes_in(BROWSER_ROUTES) {
        if path.contains("{ws}") {
            assert!(
                WORKSPACE_CASES.iter().any(|(_, p, _)| *p == path),
                "no isolation case for {path}"
            );
        }
    }
    for (path, _) in routes_in(API_ROUTES) {
        if path.contains("{ws}") {
            assert!(
                API_CASES.iter().any(|(_, p, _)| *p == path),
                "no isolation case for /api/v1{path}"
            );
        }
    }
}

struct Victim {
    ws: WorkspaceId,
    member: UserId,
    invitation: InvitationId,
    channel: ChannelId,
    item: tribune_domain::InboxItemId,
    reply: tribune_domain::SavedReplyId,
    rule: tribune_domain::RuleId,
    alert: tribune_domain::InboxAlertId,
}

/// Workspace B ("Victim") with a member, a pending invitation, a logo and public guidelines.
async fn victim(app: &TestApp) -> Victim {
    let bob = app.user("bob@example.fr").await;
    let profile = tribune_domain::workspace::WorkspaceInput {
        name: "Victim".into(),
        guidelines: "Soyez courtois.".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let scope = app
        .store
        .create_workspace(bob.user_id(), &profile)
        .await
        .unwrap();
    let carol = app.user("carol@example.fr").await;
    let (token, _) = app
        .store
        .create_invitation(&scope, "carol@example.fr", Role::Manager, unix_now())
        .await
        .unwrap();
    app.store
        .accept_invitation(&token, &carol, unix_now())
        .await
        .unwrap();
    let (_, invitation) = app
        .store
        .create_invitation(&scope, "dave@example.fr", Role::Client, unix_now())
        .await
        .unwrap();
    app.store
        .set_logo(&scope, Some((b"\x89PNG\r\n\x1a\nzz".to_vec(), "image/png")))
        .await
        .unwrap();
    let channel = app
        .store
        .connect_channel(
            &scope,
            tribune_store::channels::ChannelNew {
                network: "mastodon".into(),
                remote_id: "42".into(),
                handle: "victim@mastodon.invalid".into(),
                display_name: "Victim".into(),
                avatar_url: None,
                profile_url: None,
                avatar: Some((b"\x89PNG\r\n\x1a\nzz".to_vec(), "image/png".into())),
                capabilities: "publish_text".into(),
                sealed_credentials: "sealed".into(),
                token_expires_at: None,
            },
            unix_now(),
        )
        .await
        .unwrap();
    let complaint = |remote: String| tribune_store::inbox::ItemNew {
        remote_ref: remote,
        kind: tribune_domain::inbox::ItemKind::Comment,
        in_reply_to: None,
        root_ref: None,
        author_remote_id: None,
        author_handle: "fan".into(),
        author_name: "Fan".into(),
        author_url: None,
        text: "Secret complaint".into(),
        url: None,
        links: Vec::new(),
        images: Vec::new(),
        search_text: "secret complaint".into(),
        created_at: unix_now(),
        lang: "en".into(),
        tone: tribune_domain::inbox::Tone::Negative,
        toxicity: 0.0,
        spam: 0.0,
        network_status: "visible".into(),
        raw: "{}".into(),
    };
    // A wave of complaints: the victim has a bad-buzz alert.
    let wave: Vec<_> = (0..12)
        .map(|i| complaint(format!("victim-wave-{i}")))
        .collect();
    app.store
        .ingest_inbox(&scope, channel.id, &wave, None, unix_now())
        .await
        .unwrap();
    let alert = app.store.check_buzz(unix_now()).await.unwrap().opened[0].id;
    let item = app
        .store
        .ingest_inbox(
            &scope,
            channel.id,
            &[complaint("victim-comment".into())],
            None,
            unix_now(),
        )
        .await
        .unwrap()[0];
    let reply = app
        .store
        .create_saved_reply(&scope, "Merci", "Merci {prenom} !", unix_now())
        .await
        .unwrap()
        .id;
    let rule = app
        .store
        .create_inbox_rule(
            &scope,
            &tribune_store::rules::RuleInput {
                name: "Insultes".into(),
                enabled: true,
                query: String::new(),
                conditions: tribune_domain::inbox::RuleConditions {
                    toxic: true,
                    ..Default::default()
                },
                actions: vec![tribune_domain::inbox::RuleAction::Label {
                    label: "insulte".into(),
                }],
            },
            unix_now(),
        )
        .await
        .unwrap()
        .id;
    Victim {
        ws: scope.workspace(),
        member: carol.id,
        invitation: invitation.id,
        channel: channel.id,
        item,
        alert,
        reply,
        rule,
    }
}

async fn assert_victim_untouched(app: &TestApp, victim: &Victim) {
    let bob = app
        .store
        .user_by_email("bob@example.fr")
        .await
        .unwrap()
        .unwrap();
    let scope = app.store.scope(bob.user_id(), victim.ws).await.unwrap();
    let ws = app.store.workspace(&scope).await.unwrap();
    assert_eq!(ws.name, "Victim", "{}", app.backend);
    let members = app.store.members(&scope).await.unwrap();
    assert_eq!(members.len(), 2);
    assert!(
        members
            .iter()
            .any(|m| m.user_id == victim.member && m.role == "manager")
    );
    let pending = app
        .store
        .pending_invitations(&scope, unix_now())
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert!(pending.iter().all(|i| i.email != "spy@example.fr"));
    assert!(app.store.logo(&scope).await.unwrap().is_some());
    let links = app
        .store
        .links(&scope, &tribune_store::links::LinkFilter::default())
        .await
        .unwrap();
    assert!(links.is_empty(), "no link made in the victim's workspace");
    let channels = app.store.channels(&scope).await.unwrap();
    assert_eq!(channels.len(), 1);
    assert!(app.store.categories(&scope).await.unwrap().is_empty());
    assert!(
        app.store
            .queue_slots(&scope, channels[0].id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        channels[0].state,
        tribune_store::channels::ChannelState::Active
    );
    let item = app.store.inbox_item(&scope, victim.item).await.unwrap();
    assert_eq!(item.status, tribune_domain::inbox::ItemStatus::New);
    assert_eq!(item.network_status, "visible");
    assert!(item.labels.is_empty() && item.assignee.is_none());
    assert!(
        app.store
            .inbox_notes(&scope, victim.item)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .inbox_replies(&scope, victim.item)
            .await
            .unwrap()
            .is_empty()
    );
    let saved = app.store.saved_replies(&scope).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(
        (saved[0].title.as_str(), saved[0].body.as_str()),
        ("Merci", "Merci {prenom} !")
    );
    assert_eq!(app.store.inbox_sla(&scope).await.unwrap(), None);
    let author = app
        .store
        .inbox_contact_key(&scope, victim.item)
        .await
        .unwrap();
    let (contact, _) = app.store.inbox_contact(&scope, &author).await.unwrap();
    assert!(contact.tags.is_empty() && contact.note.is_empty());
    let rules = app.store.inbox_rules(&scope).await.unwrap();
    assert_eq!(rules.len(), 1);
    assert!(rules[0].enabled && rules[0].name == "Insultes");
}

fn fill(path: &str, victim: &Victim) -> String {
    let id = if path.contains("/channels/") {
        victim.channel.to_string()
    } else {
        victim.invitation.to_string()
    };
    path.replace("{ws}", &victim.ws.to_string())
        .replace("{user}", &victim.member.to_string())
        .replace("{id}", &id)
        // Ids that may exist in the victim's workspace: the workspace check must refuse first.
        .replace("{post}", "1")
        .replace("{media}", "1")
        .replace("{link}", "1")
        .replace("{slot}", "1")
        .replace("{n}", "0")
        .replace("{item}", &victim.item.to_string())
        .replace("{reply}", &victim.reply.to_string())
        .replace("{rule}", &victim.rule.to_string())
        .replace("{alert}", &victim.alert.to_string())
}

#[tokio::test]
async fn a_member_of_one_workspace_cannot_reach_another_through_the_ui() {
    each_backend(|app: TestApp| async move {
        let victim = victim(&app).await;
        let (alice, _) = app
            .member_with_workspace("alice@example.fr", "Alice Co")
            .await;
        for (method, path, fields) in WORKSPACE_CASES {
            let url = format!("{}{}", app.url, fill(path, &victim));
            let response = if *method == "GET" {
                alice.get(&url).send().await.unwrap()
            } else {
                let token = app.csrf(&alice, "/workspaces").await;
                let mut form = vec![("_csrf", token.as_str())];
                form.extend_from_slice(fields);
                alice.post(&url).form(&form).send().await.unwrap()
            };
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{method} {path} on {}",
                app.backend
            );
            let body = response.text().await.unwrap();
            assert!(
                !body.contains("Victim"),
                "{method} {path} leaks the workspace name"
            );
        }
        assert_victim_untouched(&app, &victim).await;
        let (_, html) = app.get_text(&alice, "/workspaces").await;
        assert!(
            !html.contains("Victim"),
            "the switcher lists only one's own workspaces"
        );
    })
    .await;
}

#[tokio::test]
async fn a_member_of_one_workspace_cannot_reach_another_through_the_api() {
    each_backend(|app: TestApp| async move {
        let victim = victim(&app).await;
        app.member_with_workspace("alice@example.fr", "Alice Co")
            .await;
        let token = app.api_token("alice@example.fr").await;
        for (method, path, body) in API_CASES {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let mut request = app.api(&token, method.clone(), &fill(path, &victim));
            if !body.is_empty() {
                request = request
                    .header("content-type", "application/json")
                    .body(*body);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{method} {path} on {}",
                app.backend
            );
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
        }
        let list: serde_json::Value = app
            .api(&token, Method::GET, "/workspaces")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(!list.to_string().contains("Victim"));
        assert_victim_untouched(&app, &victim).await;
    })
    .await;
}

#[tokio::test]
async fn account_routes_only_touch_ones_own_sessions_and_tokens() {
    each_backend(|app: TestApp| async move {
        app.member_with_workspace("bob@example.fr", "Bob Co").await;
        let bob = app
            .store
            .user_by_email("bob@example.fr")
            .await
            .unwrap()
            .unwrap();
        let bob_sessions = app
            .store
            .sessions_of(bob.user_id(), unix_now())
            .await
            .unwrap();
        app.api_token("bob@example.fr").await;
        let bob_tokens = app.store.api_tokens_of(bob.user_id()).await.unwrap();
        let (alice, _) = app
            .member_with_workspace("alice@example.fr", "Alice Co")
            .await;
        let session = app
            .post_form(
                &alice,
                &format!("/account/sessions/{}/revoke", bob_sessions[0].id),
                &[("confirm", "on")],
            )
            .await;
        assert!(session.status().is_redirection() || session.status() == StatusCode::NOT_FOUND);
        let token = app
            .post_form(
                &alice,
                &format!("/account/tokens/{}/revoke", bob_tokens[0].id),
                &[("confirm", "on")],
            )
            .await;
        assert_eq!(token.status(), StatusCode::NOT_FOUND, "{}", app.backend);
        assert_eq!(
            app.store
                .sessions_of(bob.user_id(), unix_now())
                .await
                .unwrap()
                .len(),
            bob_sessions.len()
        );
        assert_eq!(
            app.store.api_tokens_of(bob.user_id()).await.unwrap().len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn every_form_post_without_the_csrf_token_is_refused() {
    each_backend(|app: TestApp| async move {
        let (alice, scope) = app
            .member_with_workspace("alice@example.fr", "Alice Co")
            .await;
        let ws = scope.workspace().0;
        let me = app
            .store
            .user_by_email("alice@example.fr")
            .await
            .unwrap()
            .unwrap()
            .id;
        let other_token = csrf_in(&app.get_text(&app.browser(), "/no-such-page").await.1).unwrap();
        let posts: Vec<String> = routes_in(BROWSER_ROUTES)
            .into_iter()
            .filter(|(_, post)| *post)
            .map(|(path, _)| {
                path.replace("{ws}", &ws.to_string())
                    .replace("{user}", &me.to_string())
                    .replace("{id}", "1")
                    .replace("{token}", "x")
            })
            .collect();
        assert!(
            posts.len() >= 20,
            "the table found the routes ({})",
            posts.len()
        );
        for path in &posts {
            let url = format!("{}{path}", app.url);
            let missing = alice
                .post(&url)
                .form(&[("name", "x")])
                .send()
                .await
                .unwrap();
            assert_eq!(
                missing.status(),
                StatusCode::FORBIDDEN,
                "POST {path} without token on {}",
                app.backend
            );
            let foreign = alice
                .post(&url)
                .form(&[("_csrf", other_token.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(
                foreign.status(),
                StatusCode::FORBIDDEN,
                "POST {path} with another's token"
            );
            let json = alice
                .post(&url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(json.status(), StatusCode::FORBIDDEN, "POST {path} as JSON");
        }
        assert_eq!(app.store.workspace(&scope).await.unwrap().name, "Alice Co");
        assert!(app.store.scope(me, scope.workspace()).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn wrong_passwords_are_rate_limited_even_for_the_right_one_after() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        for attempt in 0..5 {
            let (_, response) = app.login("owner@example.fr", "mauvais mot de passe").await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "attempt {attempt}"
            );
        }
        let (_, response) = app.login("owner@example.fr", PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            app.backend
        );
        assert!(response.headers().contains_key("retry-after"));
        // Another account from the same address is not locked by this one's failures.
        app.user("other@example.fr").await;
        let (_, response) = app.login("other@example.fr", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn unknown_accounts_fail_like_wrong_passwords() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let (_, unknown) = app.login("nobody@example.fr", PASSWORD).await;
        let (_, wrong) = app.login("owner@example.fr", "mauvais mot de passe").await;
        assert_eq!(unknown.status(), wrong.status());
        let (a, b) = (unknown.text().await.unwrap(), wrong.text().await.unwrap());
        assert!(
            a.contains("E-mail ou mot de passe incorrect.")
                && b.contains("E-mail ou mot de passe incorrect.")
        );
    })
    .await;
}

#[tokio::test]
async fn hostile_text_is_escaped_everywhere_it_is_shown() {
    each_backend(|app: TestApp| async move {
        let (alice, scope) = app.member_with_workspace("alice@example.fr", "Alice").await;
        let ws = scope.workspace().0;
        let script = "<script>alert('x')</script>";
        let image = "\"><img src=x onerror=alert(1)>";
        let response = app
            .post_form(
                &alice,
                &format!("/w/{ws}/settings"),
                &[
                    ("name", script),
                    ("brand_voice", image),
                    ("words_to_avoid", image),
                    ("guidelines", image),
                    ("guidelines_public", "on"),
                    ("lang_fr", "on"),
                    ("timezone", "Europe/Paris"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        app.post_form(
            &alice,
            "/account/profile",
            &[("name", script), ("lang", "fr")],
        )
        .await;
        let slug = app.store.workspace(&scope).await.unwrap().public_slug;
        for path in [
            format!("/w/{ws}"),
            format!("/w/{ws}/settings"),
            format!("/w/{ws}/members"),
            "/workspaces".to_owned(),
            "/account".to_owned(),
            format!("/g/{slug}"),
        ] {
            let (status, html) = app.get_text(&alice, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(!html.contains("<script>alert"), "{path} shows a raw script");
            assert!(!html.contains("<img src=x"), "{path} shows a raw image tag");
            assert!(
                html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
                "{path}"
            );
        }
        let response = app.get(&alice, &format!("/w/{ws}")).await;
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("script-src 'self'"),
            "inline scripts are blocked as a second line"
        );
    })
    .await;
}

#[tokio::test]
async fn login_does_not_redirect_to_other_sites() {
    each_backend(|app: TestApp| async move {
        app.setup_owner("owner@example.fr").await;
        let client = app.browser();
        let response = app
            .post_form(
                &client,
                "/login",
                &[
                    ("email", "owner@example.fr"),
                    ("password", PASSWORD),
                    ("next", "//evil.example/"),
                ],
            )
            .await;
        assert_eq!(common::location(&response), "/");
    })
    .await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_limit() {
    for db in tribune_store::testing::TestDb::all().await {
        let config = tribune_web::WebConfig {
            trust_forwarded_for: true,
            login_max_failures_per_ip: 2,
            ..Default::default()
        };
        let app = TestApp::spawn_with(db, config).await;
        app.setup_owner("owner@example.fr").await;
        let attempt = |from: &'static str, email: &'static str| {
            let app = &app;
            async move {
                let client = app.browser();
                let token = app.csrf(&client, "/no-such-page").await;
                client
                    .post(format!("{}/login", app.url))
                    .header("x-forwarded-for", format!("198.51.100.7, {from}"))
                    .form(&[
                        ("_csrf", token.as_str()),
                        ("email", email),
                        ("password", "mauvais"),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(
            attempt("203.0.113.1", "a@example.fr").await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            attempt("203.0.113.1", "b@example.fr").await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            attempt("203.0.113.1", "c@example.fr").await,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            app.backend
        );
        // Another client behind the same proxy is not locked out.
        assert_eq!(
            attempt("203.0.113.2", "c@example.fr").await,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// 100 wrong passwords sent at once for one account from one address: only the limit's worth
/// are checked (401), the rest refused before hashing (429). And one attacker's address does
/// not lock the account's owner out from another address.
#[tokio::test]
async fn the_login_limit_holds_under_concurrency_and_is_per_address() {
    for db in tribune_store::testing::TestDb::all().await {
        let config = tribune_web::WebConfig {
            trust_forwarded_for: true,
            login_max_failures: 5,
            login_max_failures_per_ip: 1000,
            login_max_failures_per_account: 1000,
            ..Default::default()
        };
        let app = TestApp::spawn_with(db, config).await;
        app.setup_owner("owner@example.fr").await;
        let attempt = |from: &'static str, password: &'static str| {
            let app = &app;
            async move {
                let client = app.browser();
                let token = app.csrf(&client, "/no-such-page").await;
                client
                    .post(format!("{}/login", app.url))
                    .header("x-forwarded-for", from)
                    .form(&[
                        ("_csrf", token.as_str()),
                        ("email", "owner@example.fr"),
                        ("password", password),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        let statuses = futures_join_all((0..100).map(|_| attempt("203.0.113.66", "mauvais"))).await;
        let checked = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(checked, 5, "{}: {statuses:?}", app.backend);
        assert_eq!(refused, 95, "{}", app.backend);
        // The right password from the attacker's address is refused too, for the window...
        assert_eq!(
            attempt("203.0.113.66", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // ...but the owner, elsewhere, still logs in.
        assert_eq!(
            attempt("198.51.100.1", PASSWORD).await,
            StatusCode::SEE_OTHER
        );
    }
}

/// Runs futures concurrently on the test's runtime and collects their outputs in order.
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for future in futures {
        set.push(Box::pin(future));
    }
    let mut outputs = Vec::with_capacity(set.len());
    // Poll every pending future on each wake-up until all are ready.
    let mut pending: Vec<_> = set.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (slot, result) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(output) => {
                        *result = Some(output);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.extend(results.into_iter().flatten());
    outputs
}

/// `/metrics` labels: invented methods fold into one label, so they cannot grow memory; with
/// a token configured, `/metrics` needs it.
#[tokio::test]
async fn metrics_labels_are_bounded_and_metrics_can_require_a_token() {
    let db = tribune_store::testing::TestDb::sqlite();
    let config = tribune_web::WebConfig {
        metrics_token: Some("s3cret-metrics".into()),
        ..Default::default()
    };
    let app = TestApp::spawn_with(db, config).await;
    let client = app.browser();
    for i in 0..50 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        client
            .request(method, format!("{}/healthz", app.url))
            .send()
            .await
            .unwrap();
    }
    let refused = client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let wrong = client
        .get(format!("{}/metrics", app.url))
        .bearer_auth("s3cret-metricz")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let text = client
        .get(format!("{}/metrics", app.url))
        .bearer_auth("s3cret-metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("INVENTED"), "{text}");
    assert!(text.contains("method=\"other\""), "{text}");
}
