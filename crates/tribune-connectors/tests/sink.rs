//! The counting sink: a repeat of a key answers the first post and is counted, each URL path is
//! its own account, and no person is ever offered the sink.
#![cfg(feature = "sink")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use tribune_connectors::http::{HttpClient, HttpConfig};
use tribune_connectors::sink::server::{SinkServer, fetch_counts};
use tribune_connectors::{ConnectorContext, Credentials, Network, PostRequest, build};

fn connector(url: &str) -> Box<dyn tribune_connectors::Connector> {
    let ctx = ConnectorContext {
        http: HttpClient::new(HttpConfig {
            allow_http: true,
            ..HttpConfig::default()
        })
        .unwrap(),
        rate_limited_until: None,
    };
    build(&Credentials::Sink { url: url.into() }, &ctx).unwrap()
}

fn post(key: &str) -> PostRequest {
    PostRequest {
        idempotency_key: key.into(),
        created_at: 0,
        title: None,
        text: "hello".into(),
        images: Vec::new(),
        videos: Vec::new(),
        link: None,
        reply_to: None,
        private: false,
        earlier_attempt_at: None,
    }
}

#[tokio::test]
async fn a_repeated_key_answers_the_first_post_and_is_counted() {
    let sink = SinkServer::start("127.0.0.1:0".parse().unwrap(), Duration::ZERO)
        .await
        .unwrap();
    let first = connector(&sink.url);
    let second = connector(&format!("{}/other", sink.url));
    assert_eq!(first.network(), Network::Sink);
    let a = first.verify().await.unwrap();
    let b = second.verify().await.unwrap();
    assert_ne!(a.remote_id, b.remote_id, "each path is its own account");

    let once = first.publish(&post("k1")).await.unwrap();
    let again = second.publish(&post("k1")).await.unwrap();
    first.publish(&post("k2")).await.unwrap();
    assert_eq!(once.remote_ref, again.remote_ref);

    let counts = fetch_counts(&sink.url).await.unwrap();
    assert_eq!(counts, sink.counts());
    assert_eq!(counts.calls, 3);
    assert_eq!(counts.keys["k1"].calls, 2);
    assert_eq!(counts.keys["k1"].created, 1);
    assert_eq!(counts.keys["k2"].calls, 1);
    assert_eq!(counts.repeated_calls(), 1);
    assert_eq!(counts.overlapping_calls(), 0);
}

#[test]
fn no_person_is_offered_the_sink() {
    assert!(!Network::ALL.contains(&Network::Sink));
    assert_eq!("sink".parse::<Network>(), Ok(Network::Sink));
}
