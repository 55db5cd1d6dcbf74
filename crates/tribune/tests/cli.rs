//! The binary as an operator scripts it: accounts and tokens from the shell, the server on a
//! random port, backup and restore, configuration, and the text tools.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use tribune_store::testing::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_tribune");

struct DataDir(PathBuf);

impl DataDir {
    fn new() -> DataDir {
        let dir = std::env::temp_dir().join(format!(
            "tribune-cli-{}",
            tribune_domain::security::token::random_token()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        DataDir(dir)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tribune(data: &Path, database_url: Option<&str>, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(BIN);
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("TRIBUNE_DATABASE_URL");
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path, database_url: Option<&str>) -> Server {
    let mut command = Command::new(BIN);
    command
        .arg("--data-dir")
        .arg(data)
        .env_remove("TRIBUNE_DATABASE_URL");
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    Server { child, url }
}

async fn scripted_instance(database_url: Option<&str>) {
    let data = DataDir::new();
    let created = tribune(
        &data.0,
        database_url,
        &[
            "user",
            "create",
            "--email",
            "Me@Example.fr",
            "--password-stdin",
            "--owner",
        ],
        Some("une phrase de passe\n"),
    );
    assert!(stdout(&created).contains("me@example.fr"));
    let token = stdout(&tribune(
        &data.0,
        database_url,
        &["token", "create", "--email", "me@example.fr"],
        None,
    ));
    let token = token.trim().to_owned();
    assert!(token.starts_with("trb_"));

    let server = serve(&data.0, database_url);
    tribune_connectors::http::install_tls_provider();
    let client = reqwest::Client::new();
    let created = client
        .post(format!("{}/api/v1/workspaces", server.url))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Boulangerie Dupont"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let login = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let page = login.get(format!("{}/", server.url)).send().await.unwrap();
    assert!(
        page.url().path().ends_with("/login"),
        "setup is done: {}",
        page.url()
    );

    // The owner created from the shell can log in with the password given on stdin.
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let workspaces = login
        .post(format!("{}/login", server.url))
        .form(&[
            ("_csrf", csrf),
            ("email", "me@example.fr"),
            ("password", "une phrase de passe"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        workspaces
            .text()
            .await
            .unwrap()
            .contains("Boulangerie Dupont")
    );

    // A second --owner does not take over the instance's setup, and short passwords are refused.
    let short = tribune(
        &data.0,
        database_url,
        &[
            "user",
            "create",
            "--email",
            "x@example.fr",
            "--password-stdin",
        ],
        Some("court\n"),
    );
    assert!(!short.status.success());
    let reset = tribune(
        &data.0,
        database_url,
        &[
            "user",
            "reset-password",
            "--email",
            "me@example.fr",
            "--password-stdin",
        ],
        Some("une autre phrase de passe\n"),
    );
    assert!(stdout(&reset).contains("logged out"));
    let disabled = tribune(
        &data.0,
        database_url,
        &["user", "disable-2fa", "--email", "me@example.fr"],
        None,
    );
    assert!(stdout(&disabled).contains("turned off"));
    let unknown = tribune(
        &data.0,
        database_url,
        &["user", "disable-2fa", "--email", "nobody@example.fr"],
        None,
    );
    assert!(!unknown.status.success());
}

#[tokio::test]
async fn a_fresh_sqlite_instance_can_be_scripted_end_to_end() {
    scripted_instance(None).await;
}

#[tokio::test]
async fn a_fresh_postgres_instance_can_be_scripted_end_to_end() {
    if let Some(db) = TestDb::postgres().await {
        scripted_instance(Some(&db.url)).await;
    }
}

#[tokio::test]
async fn backup_while_serving_then_restore() {
    let data = DataDir::new();
    tribune(
        &data.0,
        None,
        &[
            "user",
            "create",
            "--email",
            "a@example.fr",
            "--password-stdin",
            "--owner",
        ],
        Some("une phrase de passe\n"),
    );
    let server = serve(&data.0, None);
    let backup = data.0.join("backup.db");
    let out = tribune(&data.0, None, &["backup", backup.to_str().unwrap()], None);
    assert!(stdout(&out).contains("backup written"));
    drop(server);
    let again = tribune(&data.0, None, &["backup", backup.to_str().unwrap()], None);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    tribune(
        &data.0,
        None,
        &[
            "user",
            "create",
            "--email",
            "b@example.fr",
            "--password-stdin",
        ],
        Some("une phrase de passe\n"),
    );
    let refused = tribune(&data.0, None, &["restore", backup.to_str().unwrap()], None);
    assert!(!refused.status.success(), "restore asks for --yes");
    let restored = tribune(
        &data.0,
        None,
        &["restore", backup.to_str().unwrap(), "--yes"],
        None,
    );
    assert!(stdout(&restored).contains("restored"));
    let token = tribune(
        &data.0,
        None,
        &["token", "create", "--email", "b@example.fr"],
        None,
    );
    assert!(!token.status.success(), "b was created after the backup");
    assert!(data.0.join("tribune.db.before-restore").exists());

    let garbage = data.0.join("garbage.db");
    std::fs::write(&garbage, b"not a database").unwrap();
    let bad = tribune(
        &data.0,
        None,
        &["restore", garbage.to_str().unwrap(), "--yes"],
        None,
    );
    assert!(!bad.status.success());
    assert!(
        tribune(
            &data.0,
            None,
            &["token", "create", "--email", "a@example.fr"],
            None
        )
        .status
        .success()
    );
}

#[test]
fn the_secret_key_is_generated_once_and_kept_private() {
    let data = DataDir::new();
    stdout(&tribune(&data.0, None, &["migrate"], None));
    let server = serve(&data.0, None);
    drop(server);
    let key = data.0.join("secret.key");
    let first = std::fs::read_to_string(&key).unwrap();
    let _server = serve(&data.0, None);
    assert_eq!(std::fs::read_to_string(&key).unwrap(), first);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let shown = stdout(&tribune(&data.0, None, &["config", "show"], None));
    assert!(!shown.contains(first.trim()), "the key is never printed");
}

#[test]
fn configuration_files_with_unknown_keys_are_refused() {
    let data = DataDir::new();
    let file = data.0.join("tribune.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9999\"\nlisten_port = 1\n").unwrap();
    let out = tribune(
        &data.0,
        None,
        &["--config", file.to_str().unwrap(), "config", "show"],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid configuration"));
    let example = stdout(&tribune(&data.0, None, &["config", "example"], None));
    std::fs::write(&file, example).unwrap();
    assert!(
        tribune(
            &data.0,
            None,
            &["--config", file.to_str().unwrap(), "config", "show"],
            None
        )
        .status
        .success()
    );
}

#[test]
fn every_command_has_help() {
    let data = DataDir::new();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["user", "create", "--help"],
        vec!["user", "reset-password", "--help"],
        vec!["token", "create", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["migrate", "--help"],
        vec!["mail", "test", "--help"],
        vec!["text", "--help"],
    ] {
        let out = stdout(&tribune(&data.0, None, &args, None));
        assert!(out.contains("Usage:"), "{args:?}");
    }
}

#[test]
fn the_text_tools_run_from_the_binary() {
    let data = DataDir::new();
    let parsed = stdout(&tribune(
        &data.0,
        None,
        &["text", "parse", "rembours* OR \"prix abusif\"~5"],
        None,
    ));
    assert!(parsed.contains("OR"));
    let bad = tribune(&data.0, None, &["text", "parse", "(panne"], None);
    assert!(!bad.status.success());
    let classified = stdout(&tribune(
        &data.0,
        None,
        &["text", "classify", "--json"],
        Some("Service client nul, je suis furieux\n"),
    ));
    let line: serde_json::Value = serde_json::from_str(classified.lines().next().unwrap()).unwrap();
    assert_eq!(line["lang"], "fr");
    assert_eq!(line["sentiment"], "neg");
}

#[tokio::test]
async fn the_access_log_names_routes_not_secret_paths() {
    let data = DataDir::new();
    let log = data.0.join("server.log");
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data.0)
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "info,tower_http=info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    tribune_connectors::http::install_tls_provider();
    let response = reqwest::get(format!("{url}/invite/SecretInvitationToken42"))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    // Wait for the access-log line (written after the response) with a deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut logged = String::new();
    while std::time::Instant::now() < deadline && !logged.contains("/invite/{token}") {
        tokio::task::yield_now().await;
        logged = std::fs::read_to_string(&log).unwrap();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(logged.contains("\"route\":\"/invite/{token}\""), "{logged}");
    assert!(
        !logged.contains("SecretInvitationToken42"),
        "a secret reached the log"
    );
}
