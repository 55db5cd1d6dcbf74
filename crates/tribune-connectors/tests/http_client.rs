//! The shared HTTP client against a wiremock server: retries, limits, rate-limit gate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use reqwest::Method;
use tribune_connectors::ErrorKind;
use tribune_connectors::rate::RateGate;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn url(server: &MockServer, p: &str) -> Url {
    Url::parse(&format!("{}{p}", server.uri())).unwrap()
}

#[tokio::test]
async fn idempotent_requests_are_retried_after_a_5xx() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/flaky"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let http = common::http();
    let response = http
        .send(
            http.request(Method::GET, url(&server, "/flaky")),
            &RateGate::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 200);
}

#[tokio::test]
async fn a_post_is_never_retried_unless_marked_idempotent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/create"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let http = common::http();
    let err = http
        .send(
            http.request(Method::POST, url(&server, "/create")),
            &RateGate::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transient);
    server.verify().await;
}

#[tokio::test]
async fn an_oversized_answer_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(5 * 1024 * 1024)))
        .mount(&server)
        .await;
    let http = common::http();
    let err = http
        .send(
            http.request(Method::GET, url(&server, "/big")),
            &RateGate::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn a_long_retry_after_closes_the_gate_and_later_calls_do_not_reach_the_network() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "600"))
        .expect(1)
        .mount(&server)
        .await;
    let http = common::http();
    let gate = RateGate::default();
    let first = http
        .send(http.request(Method::GET, url(&server, "/a")), &gate)
        .await
        .unwrap_err();
    assert_eq!(first.kind, ErrorKind::RateLimited);
    assert!(first.retry_after.unwrap().as_secs() > 500);
    let second = http
        .send(http.request(Method::GET, url(&server, "/a")), &gate)
        .await
        .unwrap_err();
    assert_eq!(second.kind, ErrorKind::RateLimited);
    server.verify().await;
}

#[tokio::test]
async fn error_bodies_give_the_networks_message_and_401_means_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"error": "The access token is invalid"})),
        )
        .mount(&server)
        .await;
    let http = common::http();
    let err = http
        .send(
            http.request(Method::GET, url(&server, "/me")),
            &RateGate::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
    assert_eq!(err.message, "The access token is invalid");
}

#[test]
fn base_urls_typed_by_users_are_checked_and_normalised() {
    let http = tribune_connectors::http::HttpClient::new(Default::default()).unwrap();
    assert_eq!(
        http.base_url(" mastodon.social/ ").unwrap().as_str(),
        "https://mastodon.social/"
    );
    assert_eq!(
        http.base_url("https://blog.example/wp/?x=1#y")
            .unwrap()
            .as_str(),
        "https://blog.example/wp"
    );
    for bad in [
        "",
        "http://plain.example",
        "ftp://x",
        "https://user:pw@x.example",
        "https://",
    ] {
        assert!(http.base_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn local_and_private_addresses_are_refused_unless_allowed() {
    let public = tribune_connectors::http::HttpClient::new(Default::default()).unwrap();
    for private in [
        "https://localhost:8080",
        "https://127.0.0.1",
        "https://10.1.2.3",
        "https://192.168.1.10/wp",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1",
        "https://[::1]",
        "https://[fd00::1]",
        "https://[::ffff:10.0.0.1]",
        "https://metadata.google.internal",
        "https://redis:6379",
        "https://198.18.0.1",
        "https://[64:ff9b::a00:1]",
        "https://[::127.0.0.1]",
        "https://[::ffff:127.0.0.1]",
        "https://[::ffff:0:10.0.0.1]",
        "https://[2002:7f00:1::]",
        "https://[2002:c0a8:101::1]",
        "https://[64:ff9b::7f00:1]",
        "https://[64:ff9b:1::808:808]",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
        "https://[ff02::1]",
        "https://224.0.0.1",
    ] {
        let err = public.checked_url(private).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{private}");
        assert!(public.base_url(private).is_err(), "{private}");
    }
    for fine in [
        "https://bsky.social",
        "https://8.8.8.8",
        "https://[2001:db8::1]",
        "https://[2002:808:808::1]",
        "https://[64:ff9b::808:808]",
    ] {
        assert!(public.checked_url(fine).is_ok(), "{fine}");
    }
    // Tests against local servers allow them.
    assert!(common::http().checked_url("http://127.0.0.1:3900").is_ok());
}

#[tokio::test]
async fn a_redirect_that_would_resend_credentials_to_another_host_is_not_followed() {
    let site = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let elsewhere_url = elsewhere.uri().replace("127.0.0.1", "localhost");
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{elsewhere_url}/steal")),
        )
        .mount(&site)
        .await;
    Mock::given(method("GET"))
        .and(path("/moved"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{elsewhere_url}/page")),
        )
        .mount(&site)
        .await;
    Mock::given(method("GET"))
        .and(path("/page"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&elsewhere)
        .await;
    Mock::given(path("/steal"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let http = common::http();
    let gate = RateGate::default();
    let refused = http
        .send(
            http.request(Method::POST, url(&site, "/login"))
                .body("password=secret"),
            &gate,
        )
        .await
        .unwrap_err();
    assert_eq!(refused.status, Some(307));
    let followed = http
        .send(http.request(Method::GET, url(&site, "/moved")), &gate)
        .await
        .unwrap();
    assert_eq!(followed.status.as_u16(), 200);
    elsewhere.verify().await;
}

/// Two mock servers on two ports: two origins, for reqwest as for tribune. `typed` sends every
/// request to `other`, which redirects once more on itself before answering.
async fn two_hop_redirect() -> (MockServer, MockServer) {
    let typed = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(path("/start"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{}/first", other.uri())),
        )
        .mount(&typed)
        .await;
    Mock::given(path("/first"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{}/second", other.uri())),
        )
        .mount(&other)
        .await;
    Mock::given(path("/second"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&other)
        .await;
    (typed, other)
}

#[tokio::test]
async fn credentials_never_reach_another_host_even_after_a_second_redirect_there() {
    for (header, value) in [
        ("authorization", "Bearer channel-token"),
        ("cookie", "session=channel-cookie"),
        ("proxy-authorization", "Basic cHJveHk6c2VjcmV0"),
    ] {
        let (typed, other) = two_hop_redirect().await;
        let http = common::http();
        let outcome = http
            .send(
                http.request(Method::GET, url(&typed, "/start"))
                    .header(header, value),
                &RateGate::default(),
            )
            .await;
        let leaked: Vec<String> = other
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.headers.contains_key(header))
            .map(|r| r.url.path().to_string())
            .collect();
        assert!(leaked.is_empty(), "{header} reached {leaked:?}");
        let err = outcome.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Permanent, "{header}: {err:?}");
        assert_eq!(err.status, Some(302), "{header}");
    }
}

#[tokio::test]
async fn a_request_without_credentials_follows_redirects_to_another_host() {
    let (typed, other) = two_hop_redirect().await;
    let http = common::http();
    let response = http
        .send(
            http.request(Method::GET, url(&typed, "/start")),
            &RateGate::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(other.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_ip_written_in_a_url_is_checked_before_every_request() {
    // A URL a connector built itself, never passed through `checked_url`.
    let public = tribune_connectors::http::HttpClient::new(Default::default()).unwrap();
    for private in [
        "https://127.0.0.1:9/",
        "https://[::127.0.0.1]:9/",
        "https://[2002:7f00:1::]:9/",
    ] {
        let err = public
            .send(
                public.request(Method::GET, Url::parse(private).unwrap()),
                &RateGate::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{private}: {err:?}");
    }
}

#[tokio::test]
async fn what_another_host_answers_after_a_redirect_is_never_quoted() {
    let typed = MockServer::start().await;
    let other = MockServer::start().await;
    Mock::given(path("/start"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{}/admin", other.uri())),
        )
        .mount(&typed)
        .await;
    Mock::given(path("/admin"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(serde_json::json!({"message": "internal: db password is hunter2"})),
        )
        .mount(&other)
        .await;
    let http = common::http();
    let err = http
        .send(
            http.request(Method::GET, url(&typed, "/start")),
            &RateGate::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(403));
    assert_eq!(err.network_message, None);
    assert!(!err.message.contains("hunter2"), "{}", err.message);
}

#[tokio::test]
async fn the_networks_own_words_are_kept_apart_from_tribunes() {
    let server = MockServer::start().await;
    Mock::given(path("/said"))
        .respond_with(
            ResponseTemplate::new(422)
                .set_body_json(serde_json::json!({"error": "Validation failed"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/silent"))
        .respond_with(ResponseTemplate::new(422).set_body_string("<html>oops</html>"))
        .mount(&server)
        .await;
    let http = common::http();
    let gate = RateGate::default();
    let said = http
        .send(http.request(Method::GET, url(&server, "/said")), &gate)
        .await
        .unwrap_err();
    assert_eq!(said.network_message.as_deref(), Some("Validation failed"));
    let silent = http
        .send(http.request(Method::GET, url(&server, "/silent")), &gate)
        .await
        .unwrap_err();
    assert_eq!(silent.network_message, None);
    assert!(!silent.message.contains("oops"));
}

#[tokio::test]
async fn a_configured_proxy_carries_the_calls() {
    let proxy = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&proxy)
        .await;
    let http = tribune_connectors::http::HttpClient::new(tribune_connectors::http::HttpConfig {
        allow_http: true,
        proxy: Some(proxy.uri()),
        ..Default::default()
    })
    .unwrap();
    // The name is never resolved by tribune: the proxy resolves it.
    let response = http
        .send(
            http.request(
                Method::GET,
                Url::parse("http://network.invalid/ping").unwrap(),
            ),
            &RateGate::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 200);
    proxy.verify().await;
}

#[test]
fn a_proxy_that_is_not_an_http_url_is_refused() {
    for bad in ["", "proxy:3128", "ftp://proxy:21", "http://"] {
        let err = tribune_connectors::http::HttpClient::new(tribune_connectors::http::HttpConfig {
            proxy: Some(bad.to_string()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad}");
    }
}
