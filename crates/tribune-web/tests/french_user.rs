//! What a French user sees: dates in the right zone and language, the time-zone picker, the
//! workspace overview's next steps, and the public charter page.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed set-up step must stop the test"
)]

mod common;

use common::{TestApp, each_backend};
use reqwest::StatusCode;
use tribune_domain::workspace::WorkspaceProfile;
use tribune_store::WorkspaceScope;

/// Stores a zone as an older version could have, bypassing today's validation.
async fn store_zone(app: &TestApp, scope: &WorkspaceScope, zone: &str) {
    let ws = app.store.workspace(scope).await.unwrap();
    let profile = WorkspaceProfile {
        name: ws.name,
        timezone: zone.to_owned(),
        languages: ws.languages,
        brand_voice: ws.brand_voice,
        words_to_avoid: ws.words_to_avoid,
        guidelines: ws.guidelines,
        guidelines_public: ws.guidelines_public,
    };
    app.store.update_workspace(scope, &profile).await.unwrap();
}

#[tokio::test]
async fn dates_are_time_elements_in_the_zone_of_the_workspace_never_raw_utc() {
    each_backend(|app: TestApp| async move {
        let (client, scope) = app
            .member_with_workspace("owner@example.fr", "Nouméa Surf")
            .await;
        store_zone(&app, &scope, "Pacific/Noumea").await;
        let ws = scope.workspace();
        let invited = app
            .post_form(
                &client,
                &format!("/w/{ws}/invitations"),
                &[("email", "client@example.fr"), ("role", "client")],
            )
            .await;
        assert!(invited.status().is_success() || invited.status().is_redirection());

        // A workspace page: the invitation's expiry, in Nouméa time (UTC+11), in full.
        let (_, html) = app.get_text(&client, &format!("/w/{ws}/members")).await;
        assert!(
            html.contains("expire le <time datetime=\""),
            "{}",
            app.backend
        );
        let datetime = html
            .split("<time datetime=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        assert!(datetime.ends_with("+11:00"), "{datetime}");
        assert!(
            !html.contains(" UTC<") && !html.contains("&lt;time"),
            "{}",
            app.backend
        );

        // Outside a workspace (the account page): the first workspace's zone, and the
        // session seen just now is told relatively, with the full date on hover.
        let (_, html) = app.get_text(&client, "/account").await;
        let element = html
            .split("<time ")
            .nth(1)
            .and_then(|s| s.split("</time>").next())
            .unwrap();
        assert!(element.contains("+11:00\""), "{element}");
        assert!(element.contains(" title=\""), "{element}");
        assert!(element.ends_with(">à l’instant"), "{element}");
        assert!(!html.contains(" UTC<"), "{}", app.backend);
    })
    .await;
}

#[tokio::test]
async fn the_zone_picker_offers_common_zones_first_and_canonical_names_only() {
    each_backend(|app: TestApp| async move {
        let (client, scope) = app.member_with_workspace("owner@example.fr", "Acme").await;
        let ws = scope.workspace();
        let (_, html) = app.get_text(&client, &format!("/w/{ws}/settings")).await;
        let select = html
            .split("<select id=\"timezone\"")
            .nth(1)
            .and_then(|s| s.split("</select>").next())
            .unwrap();
        let values: Vec<&str> = select
            .split("<option value=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect();
        assert_eq!(
            &values[..3],
            ["Europe/Paris", "Europe/Brussels", "Europe/Zurich"]
        );
        assert!(values.contains(&"Indian/Reunion") && values.contains(&"Europe/Kyiv"));
        for alias in [
            "US/Eastern",
            "Etc/GMT+5",
            "Europe/Kiev",
            "America/Montreal",
            "CET",
        ] {
            assert!(!values.contains(&alias), "{alias} is offered");
        }
        assert!(values.len() > 400);
        assert_eq!(select.matches(" selected").count(), 1, "Paris, once");

        let refused = app
            .post_form(
                &client,
                &format!("/w/{ws}/settings"),
                &[("name", "Acme"), ("timezone", "US/Eastern")],
            )
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let saved = app
            .post_form(
                &client,
                &format!("/w/{ws}/settings"),
                &[("name", "Acme"), ("timezone", "America/Toronto")],
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.store.workspace(&scope).await.unwrap().timezone,
            "America/Toronto"
        );
    })
    .await;
}

#[tokio::test]
async fn a_zone_stored_before_aliases_were_refused_keeps_working() {
    each_backend(|app: TestApp| async move {
        let (client, scope) = app.member_with_workspace("owner@example.fr", "Acme").await;
        store_zone(&app, &scope, "America/Montreal").await;
        let ws = scope.workspace();
        let (_, html) = app.get_text(&client, &format!("/w/{ws}/settings")).await;
        assert!(
            html.contains("<option value=\"America/Montreal\" selected>"),
            "the stored zone stays selected"
        );
        let saved = app
            .post_form(
                &client,
                &format!("/w/{ws}/settings"),
                &[("name", "Acme renamed"), ("timezone", "America/Montreal")],
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let ws_row = app.store.workspace(&scope).await.unwrap();
        assert_eq!(
            (ws_row.name.as_str(), ws_row.timezone.as_str()),
            ("Acme renamed", "America/Montreal")
        );

        // The API's partial update keeps it too, and refuses a new alias.
        let token = app.api_token("owner@example.fr").await;
        let patched = app
            .api(&token, reqwest::Method::PATCH, &format!("/workspaces/{ws}"))
            .json(&serde_json::json!({"name": "Acme again"}))
            .send()
            .await
            .unwrap();
        assert_eq!(patched.status(), StatusCode::OK, "{}", app.backend);
        let refused = app
            .api(&token, reqwest::Method::PATCH, &format!("/workspaces/{ws}"))
            .json(&serde_json::json!({"timezone": "US/Pacific"}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

/// Publishes `guidelines` for the workspace, in the given languages.
async fn publish(
    app: &TestApp,
    scope: &WorkspaceScope,
    guidelines: &str,
    languages: Vec<tribune_domain::Lang>,
) -> String {
    let ws = app.store.workspace(scope).await.unwrap();
    let profile = WorkspaceProfile {
        name: ws.name,
        timezone: ws.timezone,
        languages,
        brand_voice: ws.brand_voice,
        words_to_avoid: ws.words_to_avoid,
        guidelines: guidelines.to_owned(),
        guidelines_public: true,
    };
    app.store
        .update_workspace(scope, &profile)
        .await
        .unwrap()
        .public_slug
}

#[tokio::test]
async fn the_public_charter_speaks_the_workspace_language_with_its_logo_and_formatting() {
    use tribune_domain::Lang;
    each_backend(|app: TestApp| async move {
        let (_, scope) = app.member_with_workspace("owner@example.fr", "Brasserie Nord").await;
        let slug = publish(
            &app,
            &scope,
            "Soyez **courtois** : pas d’*insultes* !\n\n- Un avis par personne\n- Voir [la FAQ](https://exemple.fr/faq?a=1)\n\nRéponse avant 10:30 ? « Oui ».",
            vec![Lang::Fr, Lang::En],
        )
        .await;
        app.store
            .set_logo(&scope, Some((b"\x89PNG\r\n\x1a\nlogo".to_vec(), "image/png")))
            .await
            .unwrap();
        // A visitor whose browser asks for English still gets the workspace's first language.
        let visitor = app.browser();
        let response = visitor
            .get(format!("{}/g/{slug}", app.url))
            .header("accept-language", "en-US")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{}", app.backend);
        let html = response.text().await.unwrap();
        assert!(html.contains("<html lang=\"fr\">"), "{html}");
        assert!(html.contains("<title>Charte de bonne conduite · Brasserie Nord</title>"));
        assert!(html.contains(&format!("<img class=\"public-logo\" src=\"/g/{slug}/logo\"")));
        assert!(html.contains("<strong>courtois</strong>&nbsp;: pas d’<em>insultes</em>\u{202f}!"), "{html}");
        assert!(html.contains("<li>Un avis par personne</li>"));
        assert!(html.contains("href=\"https://exemple.fr/faq?a=1\" rel=\"nofollow noopener\""));
        assert!(html.contains("avant 10:30\u{202f}? «&nbsp;Oui&nbsp;»."), "{html}");

        let logo = app.get(&visitor, &format!("/g/{slug}/logo")).await;
        assert_eq!(logo.status(), StatusCode::OK);
        assert_eq!(logo.headers()["content-type"], "image/png");
        assert!(logo.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));

        // In English: no French spacing, English page.
        publish(&app, &scope, "Be **kind**: no insults!", vec![Lang::En]).await;
        let (_, html) = app.get_text(&visitor, &format!("/g/{slug}")).await;
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("<title>Community guidelines · Brasserie Nord</title>"), "{html}");
        assert!(html.contains("<strong>kind</strong>: no insults!"), "{html}");

        // Unpublished: neither the page nor the logo.
        let ws = app.store.workspace(&scope).await.unwrap();
        let profile = WorkspaceProfile {
            name: ws.name,
            timezone: ws.timezone,
            languages: ws.languages,
            brand_voice: ws.brand_voice,
            words_to_avoid: ws.words_to_avoid,
            guidelines: ws.guidelines,
            guidelines_public: false,
        };
        app.store.update_workspace(&scope, &profile).await.unwrap();
        assert_eq!(app.get(&visitor, &format!("/g/{slug}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.get(&visitor, &format!("/g/{slug}/logo")).await.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn script_and_html_in_the_charter_are_neutralised() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app.member_with_workspace("owner@example.fr", "Acme").await;
        let slug = publish(
            &app,
            &scope,
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) <a href=\"javascript:alert(4)\" onclick=\"alert(5)\">y</a>\n\n<iframe src=\"https://evil.example\"></iframe> <style>body{}</style>",
            vec![tribune_domain::Lang::Fr],
        )
        .await;
        let (status, html) = app.get_text(&app.browser(), &format!("/g/{slug}")).await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        let body = html.split("<article").nth(1).unwrap();
        for raw in ["<script", "<img", "<iframe", "<style", "<a href=\"javascript",
            "onclick=\"alert(5)\">",] {
            assert!(!body.contains(raw), "{raw} survived: {body}");
        }
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "shown as text: {body}");
    })
    .await;
}

async fn connect(
    app: &TestApp,
    scope: &WorkspaceScope,
    remote_id: &str,
) -> tribune_store::channels::Channel {
    app.store
        .connect_channel(
            scope,
            tribune_store::channels::ChannelNew {
                network: "mastodon".into(),
                remote_id: remote_id.into(),
                handle: format!("acct{remote_id}@mastodon.invalid"),
                display_name: "Acme".into(),
                avatar_url: None,
                profile_url: None,
                avatar: None,
                capabilities: "publish_text".into(),
                sealed_credentials: "sealed".into(),
                token_expires_at: None,
            },
            tribune_store::unix_now(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn the_overview_says_what_to_do_next_until_it_is_done_and_counts_channels() {
    each_backend(|app: TestApp| async move {
        let (owner, scope) = app.member_with_workspace("owner@example.fr", "Acme").await;
        let ws = scope.workspace();
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}")).await;
        assert!(html.contains("Pour bien démarrer"), "{}", app.backend);
        assert!(html.contains(&format!(
            "<a href=\"/w/{ws}/channels\">Connecter un canal</a>"
        )));
        assert!(html.contains(&format!(
            "<a href=\"/w/{ws}/members#invite-email\">Inviter le client</a>"
        )));
        assert!(html.contains(&format!(
            "<a href=\"/w/{ws}/settings#guidelines\">Publier la charte de bonne conduite</a>"
        )));
        assert!(html.contains("Aucun canal connecté pour l’instant."));

        // Two channels, one of them disconnected; a client invited; the charter published.
        connect(&app, &scope, "1").await;
        let gone = connect(&app, &scope, "2").await;
        app.store
            .disconnect_channel(&scope, gone.id, tribune_store::unix_now())
            .await
            .unwrap();
        app.post_form(
            &owner,
            &format!("/w/{ws}/invitations"),
            &[("email", "client@example.fr"), ("role", "client")],
        )
        .await;
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}")).await;
        assert!(!html.contains("Connecter un canal") && !html.contains("Inviter le client"));
        assert!(html.contains("Publier la charte"), "not done yet");
        let counts = html
            .split("channel-counts")
            .nth(1)
            .unwrap()
            .split("</ul>")
            .next()
            .unwrap();
        assert!(counts.contains("Actif</span> 1\u{a0}canal"), "{counts}");
        assert!(
            counts.contains("Déconnecté</span> 1\u{a0}canal"),
            "{counts}"
        );
        assert!(!counts.contains("À reconnecter"), "{counts}");

        publish(
            &app,
            &scope,
            "Soyez courtois.",
            vec![tribune_domain::Lang::Fr],
        )
        .await;
        let (_, html) = app.get_text(&owner, &format!("/w/{ws}")).await;
        assert!(!html.contains("Pour bien démarrer"), "everything is done");
    })
    .await;
}

#[tokio::test]
async fn next_steps_are_offered_only_to_who_can_take_them() {
    each_backend(|app: TestApp| async move {
        let (_, scope) = app.member_with_workspace("owner@example.fr", "Acme").await;
        let client = app.user("client@example.fr").await;
        let (token, _) = app
            .store
            .create_invitation(
                &scope,
                "client@example.fr",
                tribune_domain::Role::Client,
                tribune_store::unix_now(),
            )
            .await
            .unwrap();
        app.store
            .accept_invitation(&token, &client, tribune_store::unix_now())
            .await
            .unwrap();
        let (browser, _) = app.login("client@example.fr", common::PASSWORD).await;
        let (status, html) = app
            .get_text(&browser, &format!("/w/{}", scope.workspace()))
            .await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        assert!(
            !html.contains("Pour bien démarrer"),
            "a client has nothing to set up"
        );
        assert!(
            html.contains("Aucun canal connecté"),
            "but sees the channels' state"
        );
    })
    .await;
}
