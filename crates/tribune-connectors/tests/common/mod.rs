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

fn mp4_box(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(content.len() + 8)
        .unwrap()
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(content);
    out
}

/// A small MP4 container (`ftyp` isom, an `mdat`, then `moov` with a 12.5 s `mvhd` and a
/// 640×360 track): not playable, but what servers recognise as `video/mp4` by its content,
/// which is all an upload checks.
pub fn tiny_mp4() -> Vec<u8> {
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&12_500u32.to_be_bytes());
    let mut tkhd = vec![0u8; 84];
    tkhd[76..80].copy_from_slice(&(640u32 << 16).to_be_bytes());
    tkhd[80..84].copy_from_slice(&(360u32 << 16).to_be_bytes());
    let mut moov = mp4_box(b"mvhd", &mvhd);
    moov.extend(mp4_box(b"trak", &mp4_box(b"tkhd", &tkhd)));
    let mut file = mp4_box(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
    file.extend(mp4_box(b"mdat", &[0u8; 4096]));
    file.extend(mp4_box(b"moov", &moov));
    file
}

/// [`tiny_mp4`] as a video to attach.
pub fn video(alt: &str) -> tribune_connectors::VideoInput {
    tribune_connectors::VideoInput {
        bytes: tiny_mp4(),
        mime: "video/mp4".into(),
        alt: alt.into(),
        width: Some(640),
        height: Some(360),
        duration_ms: Some(12_500),
    }
}
