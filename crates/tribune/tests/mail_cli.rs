//! `tribune mail test`: the SMTP settings from the environment, checked against the local sink
//! (`scripts/peers/start.sh smtp`; skipped without it, except with `CI=true`).
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_tribune");

fn mail_test(address: &str, smtp: &[(&str, &str)]) -> Output {
    let data = std::env::temp_dir().join(format!(
        "tribune-mail-cli-{}",
        tribune_domain::security::token::random_token()
    ));
    let mut command = Command::new(BIN);
    command
        .arg("--data-dir")
        .arg(&data)
        .args(["mail", "test", address, "--lang", "en"]);
    for name in [
        "HOST",
        "PORT",
        "TLS",
        "USER",
        "PASSWORD",
        "FROM",
        "TIMEOUT_SECS",
    ] {
        command.env_remove(format!("TRIBUNE_SMTP_{name}"));
    }
    command.envs(smtp.iter().copied());
    let output = command.output().unwrap();
    let _ = std::fs::remove_dir_all(&data);
    output
}

#[test]
fn without_smtp_the_test_email_explains_how_to_turn_it_on() {
    let output = mail_test("someone@example.fr", &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("e-mail is off") && stderr.contains("TRIBUNE_SMTP_HOST"),
        "{stderr}"
    );
}

#[test]
fn the_test_email_reaches_the_smtp_server() {
    let (Ok(port), Ok(dir)) = (
        std::env::var("TRIBUNE_TEST_SMTP_PORT"),
        std::env::var("TRIBUNE_TEST_SMTP_DIR"),
    ) else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI must run the SMTP sink (scripts/peers/start.sh smtp)"
        );
        eprintln!("skipped: no SMTP sink (scripts/peers/start.sh smtp)");
        return;
    };
    let address = format!(
        "cli.{}@example.fr",
        tribune_domain::security::token::random_token().to_lowercase()
    );
    let output = mail_test(
        &address,
        &[
            ("TRIBUNE_SMTP_HOST", "127.0.0.1"),
            ("TRIBUNE_SMTP_PORT", &port),
            ("TRIBUNE_SMTP_TLS", "none"),
            ("TRIBUNE_SMTP_FROM", "tribune <tribune@tribune.test>"),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The command waited for the server's answer, so the message is already there.
    let arrived = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| std::fs::read_to_string(entry.unwrap().path()).ok())
        .any(|eml| {
            eml.contains(&format!("X-Sink-Rcpt-To: {address}"))
                && eml.contains("tribune test e-mail")
        });
    assert!(arrived, "no test e-mail for {address}");

    // A server that refuses the connection is reported, not hidden.
    let output = mail_test(
        &address,
        &[
            ("TRIBUNE_SMTP_HOST", "127.0.0.1"),
            ("TRIBUNE_SMTP_PORT", "1"),
            ("TRIBUNE_SMTP_TLS", "none"),
            ("TRIBUNE_SMTP_FROM", "tribune@tribune.test"),
        ],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("was not sent"));
}
