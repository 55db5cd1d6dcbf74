//! For the test suites of this and other crates (feature `testing`): where the local peers of
//! `scripts/peers/start.sh` are, and accounts on them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failed set-up step must stop the test"
)]

use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The value of a peer's environment variable, written by `scripts/peers/start.sh` into
/// `target/peers/env`. Without it the test is skipped with a message — except with `CI=true`,
/// where a missing peer is a failure.
pub fn peer(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Some(value),
        _ => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "{var} is not set: CI must run the local peers (scripts/peers/start.sh)"
            );
            eprintln!(
                "skipped: {var} is not set (run scripts/peers/start.sh and source target/peers/env)"
            );
            None
        }
    }
}

/// A new account on the dev PDS, with an app password, once the AppView knows it: its handle
/// and app password.
pub async fn bluesky_account(pds: &str, control: &str, prefix: &str) -> (String, String) {
    crate::http::install_tls_provider();
    let http = reqwest::Client::new();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let handle = format!(
        "{prefix}{}{:x}.test",
        std::process::id() % 10_000,
        nanos % 0xfffff
    );
    let created: Value = http
        .post(format!("{pds}/xrpc/com.atproto.server.createAccount"))
        .json(&json!({"handle": handle, "email": format!("{handle}@example.com"), "password": "main-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwt = created["accessJwt"].as_str().unwrap();
    let app: Value = http
        .post(format!("{pds}/xrpc/com.atproto.server.createAppPassword"))
        .bearer_auth(jwt)
        .json(&json!({"name": "tribune"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The AppView learns of new accounts in the background: wait until it knows this one.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        http.post(format!("{control}/process-all"))
            .send()
            .await
            .unwrap();
        let profile = http
            .get(format!(
                "{pds}/xrpc/app.bsky.actor.getProfile?actor={handle}"
            ))
            .bearer_auth(jwt)
            .send()
            .await
            .unwrap();
        if profile.status().is_success() || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (handle, app["password"].as_str().unwrap().to_string())
}
