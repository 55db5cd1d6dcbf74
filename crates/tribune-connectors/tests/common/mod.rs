//! Shared by the connector test suites: where the local peers are, and a client for them.
#![allow(dead_code)]

use std::time::Duration;
use tribune_connectors::http::{HttpClient, HttpConfig};

#[allow(unused_imports, reason = "not every test binary reaches a peer")]
pub use tribune_connectors::testing::peer;

/// A client for local peers: plain http allowed, short backoff so retried tests stay quick.
pub fn http() -> HttpClient {
    HttpClient::new(HttpConfig {
        allow_http: true,
        backoff: Duration::from_millis(20),
        max_inline_wait: Duration::from_secs(2),
        ..HttpConfig::default()
    })
    .unwrap()
}

/// A unique suffix so tests sharing one peer never collide.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}{}{:x}{}",
        std::process::id() % 10_000,
        nanos % 0xffff,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A small valid PNG (1×1, red) for image uploads.
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];
