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
    tribune_with_env(data, database_url, args, stdin, &[])
}

fn tribune_with_env(
    data: &Path,
    database_url: Option<&str>,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(BIN);
    command.envs(env.iter().copied());
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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).unwrap()
}

/// The command failed with this English sentence, and no catalogue key reached the terminal.
fn assert_sentence(output: &Output, sentence: &str) {
    let text = stderr(output);
    assert!(text.contains(sentence), "{text}");
    assert!(
        !text.contains("error-"),
        "a catalogue key reached the terminal: {text}"
    );
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

    // The operator's lists, as tables and as JSON.
    let workspaces = json(&tribune(
        &data.0,
        database_url,
        &["workspace", "list", "--json"],
        None,
    ));
    assert_eq!(workspaces.as_array().unwrap().len(), 1, "{workspaces}");
    assert_eq!(workspaces[0]["name"], "Boulangerie Dupont");
    assert_eq!(workspaces[0]["members"], 1);
    let table = stdout(&tribune(
        &data.0,
        database_url,
        &["workspace", "list"],
        None,
    ));
    assert!(table.starts_with("ID  NAME"), "{table}");
    assert!(table.contains("Boulangerie Dupont  1"), "{table}");
    let users = json(&tribune(
        &data.0,
        database_url,
        &["user", "list", "--json"],
        None,
    ));
    assert_eq!(users[0]["email"], "me@example.fr");
    assert_eq!(users[0]["admin"], true);
    assert_eq!(users[0]["two_factor"], false);
    assert!(
        stdout(&tribune(&data.0, database_url, &["user", "list"], None)).contains("me@example.fr")
    );
    let tokens = json(&tribune(
        &data.0,
        database_url,
        &["token", "list", "--json", "--email", "me@example.fr"],
        None,
    ));
    assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
    assert_eq!(tokens[0]["email"], "me@example.fr");
    assert_eq!(tokens[0]["name"], "cli");
    assert!(
        tokens[0]["last_used_at"].is_string(),
        "the API call used it"
    );
    let listed = stdout(&tribune(&data.0, database_url, &["token", "list"], None));
    assert!(!listed.contains(&token), "a token is never shown again");
    let id = tokens[0]["id"].as_i64().unwrap().to_string();
    assert!(
        stdout(&tribune(
            &data.0,
            database_url,
            &["token", "revoke", &id],
            None
        ))
        .contains("revoked")
    );
    let revoked = client
        .get(format!("{}/api/v1/workspaces", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 401);
    let again = tribune(&data.0, database_url, &["token", "revoke", &id], None);
    assert!(!again.status.success());
    assert!(stderr(&again).contains(&format!("no token has the id {id}")));

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
    assert_sentence(&short, "The password must be at least 10 characters long.");
    let taken = tribune(
        &data.0,
        database_url,
        &[
            "user",
            "create",
            "--email",
            "ME@example.fr",
            "--password-stdin",
        ],
        Some("une phrase de passe\n"),
    );
    assert!(!taken.status.success());
    assert_sentence(&taken, "An account already exists with this address.");
    // A token made before the reset dies with the old password.
    let before = tribune(
        &data.0,
        database_url,
        &["token", "create", "--email", "me@example.fr"],
        None,
    );
    assert!(before.status.success());
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
    assert!(
        stdout(&reset).contains("1 API token(s) revoked"),
        "{}",
        stdout(&reset)
    );
    let tokens: serde_json::Value = serde_json::from_str(&stdout(&tribune(
        &data.0,
        database_url,
        &["token", "list", "--json", "--email", "me@example.fr"],
        None,
    )))
    .unwrap();
    assert_eq!(tokens.as_array().unwrap().len(), 0, "{tokens}");
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
    assert_eq!(kept_aside(&data.0).len(), 1);

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

/// Copies of the database that restores kept aside.
fn kept_aside(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("tribune.db.before-restore-") && !name.ends_with(".lock")
        })
        .collect();
    found.sort();
    found
}

/// The files a restore works with and must not leave behind when it fails.
fn assert_no_leftovers(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.contains("restoring") && !name.contains("before-restore"),
            "a failed restore left {name}"
        );
    }
}

fn create_user(data: &Path, email: &str, owner: bool) {
    let mut args = vec!["user", "create", "--email", email, "--password-stdin"];
    if owner {
        args.push("--owner");
    }
    stdout(&tribune(data, None, &args, Some("une phrase de passe\n")));
}

fn emails(data: &Path, database_url: Option<&str>) -> Vec<String> {
    json(&tribune(
        data,
        database_url,
        &["user", "list", "--json"],
        None,
    ))
    .as_array()
    .unwrap()
    .iter()
    .map(|u| u["email"].as_str().unwrap().to_owned())
    .collect()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// An instance with `a` in a backup and `b` created after it.
fn instance_with_backup() -> (DataDir, PathBuf) {
    let data = DataDir::new();
    create_user(&data.0, "a@example.fr", true);
    let backup = data.0.join("backup.db");
    stdout(&tribune(
        &data.0,
        None,
        &["backup", backup.to_str().unwrap()],
        None,
    ));
    create_user(&data.0, "b@example.fr", false);
    (data, backup)
}

async fn sqlite(path: &Path) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

fn restore(data: &Path, backup: &Path) -> Output {
    tribune(
        data,
        None,
        &["restore", backup.to_str().unwrap(), "--yes"],
        None,
    )
}

#[test]
fn restore_is_refused_while_a_server_uses_the_database() {
    let (data, backup) = instance_with_backup();
    let server = serve(&data.0, None);
    let refused = restore(&data.0, &backup);
    assert!(!refused.status.success());
    assert_sentence(&refused, "stop it before restoring");
    // Commands still run beside the server; the database was not touched.
    assert_eq!(emails(&data.0, None), ["a@example.fr", "b@example.fr"]);
    assert_no_leftovers(&data.0);
    drop(server);
    stdout(&restore(&data.0, &backup));
    assert_eq!(emails(&data.0, None), ["a@example.fr"]);
}

#[test]
fn nothing_opens_the_database_while_a_restore_holds_it() {
    let data = DataDir::new();
    create_user(&data.0, "a@example.fr", true);
    let lock = std::fs::File::open(data.0.join("tribune.db.lock")).unwrap();
    lock.try_lock().unwrap();
    let refused = tribune(&data.0, None, &["user", "list"], None);
    assert!(!refused.status.success());
    assert_sentence(&refused, "is being restored");
    lock.unlock().unwrap();
    assert_eq!(emails(&data.0, None), ["a@example.fr"]);
}

#[tokio::test]
async fn restore_is_refused_while_another_program_has_the_database_open() {
    use sqlx::Connection;
    let (data, backup) = instance_with_backup();
    // A program that does not know tribune's lock file: SQLite's own lock stops the restore.
    let mut other = sqlite(&data.0.join("tribune.db")).await;
    sqlx::query("SELECT COUNT(*) FROM users")
        .execute(&mut other)
        .await
        .unwrap();
    let refused = restore(&data.0, &backup);
    assert!(!refused.status.success());
    assert_sentence(&refused, "another program has the database open");
    assert_no_leftovers(&data.0);
    other.close().await.unwrap();
    assert_eq!(emails(&data.0, None), ["a@example.fr", "b@example.fr"]);
}

#[test]
fn a_damaged_backup_is_refused_and_the_database_kept() {
    let (data, backup) = instance_with_backup();
    let mut bytes = std::fs::read(&backup).unwrap();
    let half = bytes.len() / 2;
    for byte in &mut bytes[half..] {
        *byte = 0x55;
    }
    let damaged = data.0.join("damaged.db");
    std::fs::write(&damaged, &bytes).unwrap();
    let refused = restore(&data.0, &damaged);
    assert!(!refused.status.success());
    assert_sentence(&refused, "cannot be restored: it is damaged");
    assert!(stderr(&refused).contains("nothing was changed"));
    assert_no_leftovers(&data.0);
    assert_eq!(emails(&data.0, None), ["a@example.fr", "b@example.fr"]);
}

#[tokio::test]
async fn a_backup_from_a_newer_tribune_is_refused() {
    use sqlx::Connection;
    let (data, backup) = instance_with_backup();
    let mut conn = sqlite(&backup).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', TRUE, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let refused = restore(&data.0, &backup);
    assert!(!refused.status.success());
    assert_sentence(&refused, "it comes from a newer tribune");
    assert!(stderr(&refused).contains("schema version 99990101000000"));
    assert_no_leftovers(&data.0);
    assert_eq!(emails(&data.0, None), ["a@example.fr", "b@example.fr"]);
}

#[tokio::test]
async fn a_restore_failing_midway_leaves_the_database_in_place() {
    use sqlx::Connection;
    let (data, backup) = instance_with_backup();
    // Sound and from this tribune, but its schema cannot be brought up to date: the failure
    // comes after the backup was copied beside the database and checked.
    let mut conn = sqlite(&backup).await;
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let refused = restore(&data.0, &backup);
    assert!(!refused.status.success());
    assert_sentence(&refused, "its schema cannot be brought up to date");
    assert_no_leftovers(&data.0);
    assert_eq!(emails(&data.0, None), ["a@example.fr", "b@example.fr"]);
}

#[tokio::test]
async fn data_still_in_the_write_ahead_log_is_kept_aside() {
    let data = DataDir::new();
    create_user(&data.0, "a@example.fr", true);
    let token = stdout(&tribune(
        &data.0,
        None,
        &["token", "create", "--email", "a@example.fr"],
        None,
    ));
    let backup = data.0.join("backup.db");
    stdout(&tribune(
        &data.0,
        None,
        &["backup", backup.to_str().unwrap()],
        None,
    ));
    #[cfg(unix)]
    assert_eq!(
        mode(&backup),
        0o600,
        "a backup is readable by its owner only"
    );

    // A workspace created by a server that then dies: it is only in the write-ahead log.
    let server = serve(&data.0, None);
    tribune_connectors::http::install_tls_provider();
    let created = reqwest::Client::new()
        .post(format!("{}/api/v1/workspaces", server.url))
        .bearer_auth(token.trim())
        .json(&serde_json::json!({"name": "Boulangerie Dupont"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    drop(server); // SIGKILL: no checkpoint on the way out.
    let wal = data.0.join("tribune.db-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the workspace is in the write-ahead log"
    );

    stdout(&restore(&data.0, &backup));
    let aside = kept_aside(&data.0);
    assert_eq!(aside.len(), 1);
    #[cfg(unix)]
    assert_eq!(mode(&aside[0]), 0o600, "the copy kept aside is private too");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
    let restored = json(&tribune(
        &data.0,
        None,
        &["workspace", "list", "--json"],
        None,
    ));
    assert_eq!(restored.as_array().unwrap().len(), 0, "{restored}");
    let kept_url = format!("sqlite://{}", aside[0].display());
    let kept = json(&tribune(
        &data.0,
        Some(&kept_url),
        &["workspace", "list", "--json"],
        None,
    ));
    assert_eq!(kept[0]["name"], "Boulangerie Dupont", "{kept}");
}

#[test]
fn config_show_prints_resolved_values_and_where_they_came_from() {
    let data = DataDir::new();
    let file = data.0.join("tribune.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9999\"\nsecret_key = \"file-secret-value\"\n\
         [compose]\ndictionaries = [\"/opt/dictionaries\"]\n",
    )
    .unwrap();
    let shown = stdout(&tribune_with_env(
        &data.0,
        None,
        &["--config", file.to_str().unwrap(), "config", "show"],
        None,
        &[
            ("TRIBUNE_TRUST_PROXY", "true"),
            ("TRIBUNE_SECRET_KEY", "env-secret-value"),
            ("TRIBUNE_LOGIN_MAX_FAILURES", ""),
            ("TRIBUNE_JOBS_POLL_MS", "250"),
        ],
    ));
    let line = |key: &str| {
        shown
            .lines()
            .find(|l| l.starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no {key} in {shown}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("listen"), "listen = \"127.0.0.1:9999\" # file");
    assert_eq!(line("trust_proxy"), "trust_proxy = true # environment");
    assert_eq!(
        line("login_max_failures"),
        "login_max_failures = 5 # default"
    );
    assert_eq!(
        line("secret_key"),
        "secret_key = \"<redacted>\" # environment"
    );
    assert!(line("data_dir").ends_with("# command line"));
    assert_eq!(
        line("compose.dictionaries"),
        "compose.dictionaries = [\"/opt/dictionaries\"] # file"
    );
    assert_eq!(line("jobs.poll_ms"), "jobs.poll_ms = 250 # environment");
    assert!(line("jobs.lease_secs").starts_with("jobs.lease_secs = "));
    assert!(!shown.contains("secret-value"), "{shown}");
    let uncommented: String = shown
        .lines()
        .map(|l| l.split(" #").next().unwrap())
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        uncommented.parse::<toml::Table>().is_ok(),
        "the output is a configuration file: {uncommented}"
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
        vec!["token", "list", "--help"],
        vec!["token", "revoke", "--help"],
        vec!["user", "list", "--help"],
        vec!["workspace", "list", "--help"],
        vec!["config", "show", "--help"],
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

#[test]
fn text_match_skips_a_broken_query_line_unless_strict() {
    let data = DataDir::new();
    let queries = data.0.join("queries.tsv");
    std::fs::write(
        &queries,
        "late\t(livraison OR colis) NEAR/3 (retard OR perdu)\n\
         broken\t(livraison OR\n\
         acme\turl:acme.com\n",
    )
    .unwrap();
    let posts = "{\"text\":\"Mon colis a encore du retard\"}\n\
                 {\"text\":\"Promo https://t.co/x\",\"urls\":[\"https://shop.acme.com/p\"]}\n";
    let q = queries.to_str().unwrap();
    let out = tribune_with_env(
        &data.0,
        None,
        &["text", "match", "--queries", q],
        Some(posts),
        &[("LANG", "en_US.UTF-8")],
    );
    assert_eq!(stdout(&out), "[\"late\"]\n[\"acme\"]\n");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(":2: query broken: Column 14: the query ends too early"),
        "{err}"
    );
    assert!(err.contains("1 of 3 query lines skipped"), "{err}");
    let strict = tribune(
        &data.0,
        None,
        &[
            "text",
            "match",
            "--strict",
            "--lang-ui",
            "fr",
            "--queries",
            q,
        ],
        Some(posts),
    );
    assert!(!strict.status.success());
    assert!(strict.stdout.is_empty());
    let err = String::from_utf8(strict.stderr).unwrap();
    assert!(err.contains(":2 : requête broken : Colonne 14"), "{err}");
    assert!(err.contains("rien n'a été comparé (--strict)"), "{err}");
    let negated = stdout(&tribune(
        &data.0,
        None,
        &["text", "parse", "-(colis OR livraison) PRES/2 perdu"],
        None,
    ));
    assert!(
        negated.starts_with("NOT ((colis OR livraison) NEAR/2 perdu)\n"),
        "{negated}"
    );
    let help = stdout(&tribune(&data.0, None, &["text", "parse", "--help"], None));
    for form in [
        "(a OR b) NEAR/3 (c OR \"d e\")",
        "-a NEAR/3 b",
        "url:acme.com",
    ] {
        assert!(help.contains(form), "{form} missing from:\n{help}");
    }
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
