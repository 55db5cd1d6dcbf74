//! Proxy variables in tribune's environment do not carry channel traffic: a proxy resolves
//! names itself, past tribune's check of resolved addresses. Environment variables are
//! process-wide, so the client runs in a child process of this test binary, started with them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::Method;
use std::process::Command;
use tribune_connectors::rate::RateGate;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Where the child calls; set only in the child.
const TARGET: &str = "TRIBUNE_TEST_PROXY_TARGET";

#[tokio::test]
async fn proxy_variables_from_the_environment_are_ignored() {
    let proxy = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&proxy)
        .await;
    let target = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&target)
        .await;
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", "child_calls_the_target", "--nocapture"])
        .env(TARGET, format!("{}/ping", target.uri()))
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        child.env(var, proxy.uri());
    }
    let output = tokio::task::spawn_blocking(move || child.output())
        .await
        .unwrap()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the child failed:\n{said}");
    // The child really ran the call (a filtered-out test would also succeed).
    assert!(said.contains("1 passed"), "{said}");
    assert!(
        proxy.received_requests().await.unwrap().is_empty(),
        "a call went through the environment's proxy"
    );
    target.verify().await;
}

/// Runs only in the child started above.
#[tokio::test]
async fn child_calls_the_target() {
    let Ok(target) = std::env::var(TARGET) else {
        return;
    };
    let http = common::http();
    let response = http
        .send(
            http.request(Method::GET, Url::parse(&target).unwrap()),
            &RateGate::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 200);
}
