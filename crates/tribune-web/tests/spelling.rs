//! The composer's spell check, through its live check endpoint and its pages, with the system's
//! Hunspell dictionaries (Debian's `hunspell-fr` and `hunspell-en-us`). Without them the tests
//! that need them are skipped with a message, except with `CI=true`, where they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestApp, each_backend, location};
use reqwest::StatusCode;
use serde_json::Value;
use tribune_store::channels::ChannelNew;
use tribune_store::testing::TestDb;
use tribune_store::unix_now;
use tribune_web::WebConfig;

/// Whether Debian's French and English dictionaries are installed (they are under CI).
fn dictionaries_installed() -> bool {
    let installed = ["fr.aff", "fr.dic", "en_US.aff", "en_US.dic"]
        .iter()
        .all(|f| {
            std::path::Path::new("/usr/share/hunspell")
                .join(f)
                .is_file()
        });
    if !installed {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "the Hunspell dictionaries are required with CI=true (apt-get install hunspell-fr hunspell-en-us)"
            );
        }
        eprintln!(
            "skipped: no Hunspell dictionaries in /usr/share/hunspell (apt-get install hunspell-fr hunspell-en-us)"
        );
    }
    installed
}

async fn check(app: &TestApp, client: &reqwest::Client, ws: i64, text: &str) -> Vec<Value> {
    let token = app.csrf(client, &format!("/w/{ws}/posts/new")).await;
    let response = client
        .post(format!("{}/w/{ws}/compose/check", app.url))
        .header("x-csrf-token", token)
        .form(&[("text", text)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["notes"].as_array().unwrap().clone()
}

fn spelling(notes: &[Value]) -> Vec<&Value> {
    notes
        .iter()
        .filter(|n| n["message"].as_str().unwrap().starts_with("Orthographe"))
        .collect()
}

#[tokio::test]
async fn a_french_typo_is_a_note_with_its_correction_and_never_blocks_saving() {
    if !dictionaries_installed() {
        return;
    }
    each_backend(|app: TestApp| async move {
        let (cm, scope) = app
            .member_with_workspace("cm@example.fr", "Boulangerie Dupnt")
            .await;
        let ws = scope.workspace().0;
        let channel = app
            .store
            .connect_channel(
                &scope,
                ChannelNew {
                    network: "mastodon".into(),
                    remote_id: "mastodon:fournil".into(),
                    handle: "@fournilmarcl".into(),
                    display_name: "Le Fournil de Marcl".into(),
                    avatar_url: None,
                    profile_url: None,
                    avatar: None,
                    capabilities: "publish_text".into(),
                    sealed_credentials: "sealed".into(),
                    token_expires_at: None,
                },
                unix_now(),
            )
            .await
            .unwrap()
            .id
            .to_string();

        // The typo, with its suggestion; the workspace's and channel's own words are left alone,
        // as are links, mentions, hashtags and elisions.
        let text = "La galette des rois de dupnt et marcl arrive bientot pour l’Épiphanie ! \
                    @fournilmarcl #galete https://dupnt.example/galete";
        let notes = check(&app, &cm, ws, text).await;
        let found = spelling(&notes);
        assert_eq!(found.len(), 1, "{} {notes:?}", app.backend);
        let message = found[0]["message"].as_str().unwrap();
        assert!(message.contains("«\u{a0}bientot\u{a0}»"), "{message}");
        assert!(message.contains("bientôt"), "{message}");
        assert!(found[0]["excerpt"].as_str().unwrap().contains("bientot"));
        assert!(
            found[0]["replacement"]
                .as_str()
                .unwrap()
                .contains("arrive bientôt pour")
        );

        // Fixed: the note is gone.
        let fixed = text.replace("bientot", "bientôt");
        assert!(spelling(&check(&app, &cm, ws, &fixed).await).is_empty());

        // An English sentence in this French workspace is checked in English, not word by word.
        let english = "The king cake is here this morning and it is delicious";
        assert!(spelling(&check(&app, &cm, ws, english).await).is_empty());
        let notes = check(&app, &cm, ws, "You will recieve the king cake this morning").await;
        let found = spelling(&notes);
        assert_eq!(found.len(), 1, "{notes:?}");
        assert!(found[0]["message"].as_str().unwrap().contains("(anglais)"));
        assert!(found[0]["message"].as_str().unwrap().contains("receive"));

        // The typo never blocks saving; the saved draft's composer shows the note without the
        // script.
        let response = app
            .post_form(
                &cm,
                &format!("/w/{ws}/posts"),
                &[
                    ("channel", channel.as_str()),
                    ("text", text),
                    ("when", "now"),
                    ("intent", "draft"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let post_page = location(&response);
        let edit = post_page.split('?').next().unwrap().to_owned() + "/edit";
        let (status, html) = app.get_text(&cm, &edit).await;
        assert_eq!(status, StatusCode::OK, "{edit}");
        assert!(html.contains("«\u{a0}bientot\u{a0}»"), "{html}");
    })
    .await;
}

#[tokio::test]
async fn without_a_dictionary_the_composer_says_so_once_and_checks_the_rest() {
    let empty = std::env::temp_dir().join(format!(
        "tribune-test-no-dictionaries-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&empty).unwrap();
    let app = TestApp::spawn_with(
        TestDb::sqlite(),
        WebConfig {
            dictionary_dirs: vec![empty],
            ..WebConfig::default()
        },
    )
    .await;
    let (cm, scope) = app
        .member_with_workspace("cm@example.fr", "Boulangerie")
        .await;
    let ws = scope.workspace().0;
    let notes = check(&app, &cm, ws, "La galette arrive bientot : elle est bonne").await;
    let unavailable: Vec<&Value> = notes
        .iter()
        .filter(|n| {
            n["message"]
                .as_str()
                .unwrap()
                .contains("n’est pas disponible")
        })
        .collect();
    assert_eq!(unavailable.len(), 1, "{notes:?}");
    assert_eq!(
        unavailable[0]["message"],
        "La vérification orthographique en français n’est pas disponible sur ce serveur (aucun dictionnaire installé)."
    );
    assert_eq!(unavailable[0]["excerpt"], "");
    // The typography hint is still there.
    assert!(
        notes.iter().any(|n| n["replacement"]
            .as_str()
            .unwrap()
            .contains("bientot\u{202f}:")
            || n["replacement"]
                .as_str()
                .unwrap()
                .contains("bientot\u{a0}:")),
        "{notes:?}"
    );
}
