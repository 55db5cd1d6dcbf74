//! Link cards. Bluesky does not build previews: the client puts an `app.bsky.embed.external`
//! in the post, so we read the page's Open Graph tags (or its `<title>`) ourselves. A page that
//! cannot be fetched or read gives a post without a card, never an error.
//!
//! The page and its image are fetched with a client of their own (small body limit, short
//! timeout, no retries) and a rate gate of their own, so a slow or rate-limiting website never
//! closes the Bluesky channel. Only http(s) pages on public hosts are fetched (https only in
//! production); a host name that resolves to a private address is not caught here.

use super::media::{self, MAX_IMAGE_BYTES};
use crate::http::HttpClient;
use crate::rate::RateGate;
use reqwest::Method;
use std::net::IpAddr;
use url::Url;

/// The most of a page we read looking for its tags.
const MAX_SCAN_BYTES: usize = 256 * 1024;
const MAX_TITLE_CHARS: usize = 300;
const MAX_DESCRIPTION_CHARS: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Card {
    pub uri: String,
    pub title: String,
    pub description: String,
    pub image: Option<Url>,
}

/// The card for `link`, or `None` if the page cannot be had.
pub(super) async fn fetch(http: &HttpClient, gate: &RateGate, link: &str) -> Option<Card> {
    let url = Url::parse(link).ok()?;
    if !fetchable(&url, http.config().allow_http) {
        return None;
    }
    let response = http
        .send(http.request(Method::GET, url.clone()), gate)
        .await
        .map_err(|e| tracing::info!(link, error = %e, "no link card: page not fetched"))
        .ok()?;
    let is_html = response
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.contains("html"));
    if !is_html {
        return None;
    }
    let body = &response.body[..response.body.len().min(MAX_SCAN_BYTES)];
    Some(parse(&String::from_utf8_lossy(body), &url))
}

/// The card's image, if it is a picture Bluesky accepts: its bytes and type.
pub(super) async fn fetch_image(
    http: &HttpClient,
    gate: &RateGate,
    url: &Url,
) -> Option<(Vec<u8>, &'static str)> {
    if !fetchable(url, http.config().allow_http) {
        return None;
    }
    let response = http
        .send(http.request(Method::GET, url.clone()), gate)
        .await
        .map_err(|e| tracing::info!(%url, error = %e, "link card without image"))
        .ok()?;
    if response.body.len() > MAX_IMAGE_BYTES {
        return None;
    }
    let mime = media::sniff_mime(&response.body)?;
    Some((response.body, mime))
}

/// http(s) on a named or public host. Local servers are allowed only when the client allows
/// plain http, which only tests do.
fn fetchable(url: &Url, allow_http: bool) -> bool {
    match url.scheme() {
        "https" => {}
        "http" if allow_http => {}
        _ => return false,
    }
    if allow_http {
        return url.host_str().is_some();
    }
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.to_ascii_lowercase();
            d != "localhost" && !d.ends_with(".localhost") && !d.ends_with(".local")
        }
        Some(url::Host::Ipv4(ip)) => public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => public(IpAddr::V6(ip)),
        None => false,
    }
}

fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// Reads the Open Graph title, description and image of a page, falling back to `<title>` and
/// the description meta tag; everything as plain, bounded text.
pub(super) fn parse(html: &str, page: &Url) -> Card {
    let mut og_title = None;
    let mut og_description = None;
    let mut description = None;
    let mut image = None;
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<meta") {
        let start = from + at + 5;
        let end = tag_end(&lower, start);
        let attrs = attributes(&html[start..end]);
        let get = |name: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let key = get("property")
            .or_else(|| get("name"))
            .unwrap_or("")
            .to_ascii_lowercase();
        if let Some(content) = get("content") {
            let slot = match key.as_str() {
                "og:title" | "twitter:title" => &mut og_title,
                "og:description" | "twitter:description" => &mut og_description,
                "description" => &mut description,
                "og:image" | "og:image:url" | "og:image:secure_url" | "twitter:image" => &mut image,
                _ => {
                    from = end;
                    continue;
                }
            };
            if slot.is_none() {
                *slot = Some(content.to_string());
            }
        }
        from = end;
    }
    let title_tag = lower.find("<title").and_then(|t| {
        let open = t + lower[t..].find('>')? + 1;
        let close = open + lower[open..].find("</title")?;
        Some(html[open..close].to_string())
    });
    let title = og_title.or(title_tag).unwrap_or_default();
    let description = og_description.or(description).unwrap_or_default();
    Card {
        uri: page.to_string(),
        title: plain(&title, MAX_TITLE_CHARS),
        description: plain(&description, MAX_DESCRIPTION_CHARS),
        image: image
            .and_then(|src| page.join(src.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https")),
    }
}

/// Where the tag starting at `start` ends: the first `>` outside a quoted attribute value.
fn tag_end(html: &str, start: usize) -> usize {
    let mut quote = None;
    for (i, b) in html.as_bytes()[start..].iter().enumerate() {
        match (quote, *b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return start + i,
            _ => {}
        }
    }
    html.len()
}

/// Text as a person reads it: tags dropped, entities decoded, cut at `max` characters.
fn plain(raw: &str, max: usize) -> String {
    let text = crate::html::to_text(raw).replace('\n', " ");
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(max).collect();
    if text.chars().count() > max {
        out.pop();
        out.push('…');
    }
    out
}

/// The attributes of a tag, names lower-cased, values unquoted (entities are decoded later).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.trim_start_matches('/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() || out.len() > 32 {
            return out;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, tail) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let close = inner.find(q).unwrap_or(inner.len());
                    (&inner[..close], inner.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = tail;
            value.to_string()
        } else {
            String::new()
        };
        if name.is_empty() {
            // A stray character: skip it so the loop always moves.
            let mut chars = rest.chars();
            chars.next();
            rest = chars.as_str();
            continue;
        }
        out.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_graph_tags_are_read_and_made_plain() {
        let page = Url::parse("https://shop.example/p/1").unwrap();
        let html = r#"<html><head><title>Fallback</title>
            <META property="og:title" content="Caf&eacute; &amp; <b>cr&#232;me</b> &#233;">
            <meta name='description' content='plain desc'>
            <meta content="Gr&#xE9;at <script>alert(1)</script> deal" property=og:description />
            <meta property="og:image" content="/img/card.png"></head></html>"#;
        let card = parse(html, &page);
        assert!(card.title.starts_with("Caf"), "{card:?}");
        assert!(card.title.contains("& crème é"), "{card:?}");
        assert!(!card.description.contains('<'), "{card:?}");
        assert!(card.description.starts_with("Gréat"), "{card:?}");
        assert_eq!(
            card.image.unwrap().as_str(),
            "https://shop.example/img/card.png"
        );
    }

    #[test]
    fn a_page_without_tags_falls_back_to_its_title_and_garbage_does_not_panic() {
        let page = Url::parse("https://x.example").unwrap();
        let card = parse("<title>  Hello\n world </title>", &page);
        assert_eq!(card.title, "Hello world");
        for junk in [
            "<meta",
            "<meta =\"",
            "<meta property=\"og:title\" content=\"",
            "<title>",
            "<meta ''''>",
        ] {
            let _ = parse(junk, &page);
        }
        let long = format!("<title>{}</title>", "é".repeat(5_000));
        assert!(parse(&long, &page).title.chars().count() <= MAX_TITLE_CHARS);
    }

    #[test]
    fn private_and_odd_addresses_are_not_fetched() {
        for bad in [
            "http://example.com",
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest",
            "https://[::1]/",
            "https://localhost/",
            "file:///etc/passwd",
        ] {
            assert!(!fetchable(&Url::parse(bad).unwrap(), false), "{bad}");
        }
        assert!(fetchable(
            &Url::parse("https://example.com/a").unwrap(),
            false
        ));
    }
}
