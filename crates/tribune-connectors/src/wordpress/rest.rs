//! The WordPress REST API as a transport: where it lives on a site (pretty permalinks or
//! `?rest_route=`), how endpoint URLs are built for either form, and how WordPress's answers
//! are read and classified.

use crate::error::{ConnectorError, ErrorKind, Result};
use crate::html;
use crate::http::HttpResponse;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

/// Where a site's REST API answers. Every endpoint URL is built from it, so both forms work
/// everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RestBase {
    /// `https://site/wp-json/` (or `/index.php/wp-json/`): routes are appended to the path.
    Path(Url),
    /// `https://site/?rest_route=/`: the route goes in the `rest_route` query parameter and
    /// every other parameter follows it with `&`. The URL is kept without `rest_route`.
    Query(Url),
}

impl RestBase {
    /// Reads an API root as WordPress advertises it (`Link: <…>; rel="https://api.w.org/"`).
    pub(super) fn from_root(root: &Url) -> Option<Self> {
        if !matches!(root.scheme(), "http" | "https") {
            return None;
        }
        if root.query_pairs().any(|(k, _)| k == "rest_route") {
            let mut base = root.clone();
            let others: Vec<(String, String)> = root
                .query_pairs()
                .filter(|(k, _)| k != "rest_route")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            base.set_query(None);
            if !others.is_empty() {
                base.query_pairs_mut().extend_pairs(others);
            }
            base.set_fragment(None);
            return Some(RestBase::Query(base));
        }
        let mut base = root.clone();
        base.set_query(None);
        base.set_fragment(None);
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Some(RestBase::Path(base))
    }

    /// The URL of `route` (e.g. `/wp/v2/posts/12`) with `query` parameters, encoded.
    pub(super) fn url(&self, route: &str, query: &[(&str, &str)]) -> Url {
        let route = route.trim_start_matches('/');
        let mut url = match self {
            RestBase::Path(base) => {
                let mut url = base.clone();
                let path = format!("{}{route}", base.path());
                url.set_path(&path);
                url
            }
            RestBase::Query(base) => {
                let mut url = base.clone();
                url.query_pairs_mut()
                    .append_pair("rest_route", &format!("/{route}"));
                url
            }
        };
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Same scheme (or an upgrade to https), host (give or take `www.`) and port as the site:
    /// the credentials are only ever sent to the site the user typed.
    pub(super) fn same_site(root: &Url, site: &Url) -> bool {
        let scheme_ok =
            root.scheme() == site.scheme() || (site.scheme() == "http" && root.scheme() == "https");
        let host = |u: &Url| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
        };
        let port_ok = root.port_or_known_default() == site.port_or_known_default()
            || (root.port().is_none() && site.port().is_none());
        scheme_ok && host(root).is_some() && host(root) == host(site) && port_ok
    }
}

/// The API roots advertised with `rel="https://api.w.org/"` in `Link` header values.
pub(super) fn api_links<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut found = Vec::new();
    for value in values.take(20) {
        let mut rest = value;
        // `<url>; param="…", <url>; …`: URLs are inside angle brackets, params run to the
        // next `<`.
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('>') else { break };
            let target = &after[..close];
            let params_end = after[close..].find('<').map_or(after.len(), |i| close + i);
            let params = &after[close + 1..params_end];
            let is_api = params.split(';').any(|p| {
                let mut kv = p.splitn(2, '=');
                let key = kv.next().map(str::trim);
                let val = kv.next().map(|v| v.trim().trim_matches('"'));
                key.is_some_and(|k| k.eq_ignore_ascii_case("rel"))
                    && val.is_some_and(|v| v.split_whitespace().any(|r| r == "https://api.w.org/"))
            });
            if is_api && target.len() <= 2048 {
                found.push(target.to_string());
            }
            rest = &after[params_end..];
        }
    }
    found
}

/// WordPress's error body: `{code, message, data: {status}}`.
#[derive(Debug, Deserialize)]
struct WpError {
    code: Option<String>,
    message: Option<String>,
}

/// The longest network message kept in an error, before [`ConnectorError`]'s own cut.
const MAX_ERROR_CHARS: usize = 300;

/// The error a non-success answer stands for. Only a 401 is `Auth` (WordPress answers 401
/// exactly when it did not accept the credentials); a PHP fatal error is `InvalidResponse`,
/// other 5xx `Transient`, 429 `RateLimited`, the rest `Permanent` with WordPress's message.
pub(super) fn error_of(response: &HttpResponse) -> ConnectorError {
    let base = response.error();
    let status = response.status.as_u16();
    if let Some(fatal) = php_failure(response) {
        return ConnectorError::invalid_response(fatal)
            .with_status(status)
            .with_retry_after(base.retry_after);
    }
    let wp: Option<WpError> = serde_json::from_slice(response.error_body()).ok();
    let code = wp.as_ref().and_then(|e| e.code.as_deref()).unwrap_or("");
    let detail = wp
        .as_ref()
        .and_then(|e| e.message.as_deref())
        .map(|m| bounded_text(&html::to_text(m), MAX_ERROR_CHARS))
        .filter(|m| !m.is_empty());
    let detail_said = detail.clone();
    let message = match (base.kind, detail) {
        (ErrorKind::Auth, detail) => {
            let hint = if code == "rest_not_logged_in" {
                " (the site did not accept or did not receive the credentials; some servers \
                 strip the Authorization header)"
            } else {
                ""
            };
            format!(
                "WordPress refused the username or application password: {}{hint}",
                detail.unwrap_or_else(|| format!("HTTP {status}"))
            )
        }
        (ErrorKind::RateLimited, _) => base.message.clone(),
        (_, Some(detail)) if !code.is_empty() => format!("WordPress: {detail} [{code}]"),
        (_, Some(detail)) => format!("WordPress: {detail}"),
        (_, None) if looks_like_html(&response.body) => format!(
            "the site answered HTTP {status} with a web page instead of the WordPress REST API"
        ),
        (_, None) => format!("the site answered HTTP {status}"),
    };
    ConnectorError::new(base.kind, message)
        .with_network_message(detail_said)
        .with_status(status)
        .with_retry_after(base.retry_after)
}

/// Parses a success body as `T`. An HTML page (a cache, a security plugin, a maintenance page,
/// PHP's own error output) is named as such rather than reported as a JSON syntax error.
pub(super) fn json<T: DeserializeOwned>(response: &HttpResponse) -> Result<T> {
    serde_json::from_slice(&response.body).map_err(|e| {
        let status = response.status.as_u16();
        let message = if let Some(fatal) = php_failure(response) {
            fatal
        } else if looks_like_html(&response.body) {
            "the site answered with a web page where the WordPress REST API should answer JSON \
             (a cache, a security plugin or a maintenance page may be in the way)"
                .to_string()
        } else {
            // Position only: serde's message can quote the body, which is not ours to show.
            format!(
                "unexpected answer from WordPress (line {}, column {})",
                e.line(),
                e.column()
            )
        };
        ConnectorError::invalid_response(message).with_status(status)
    })
}

/// `X-WP-Total` / `X-WP-TotalPages`, read defensively: a short decimal number or nothing.
pub(super) fn total_header(response: &HttpResponse, name: &str) -> Option<u64> {
    let value = response.headers.get(name)?.to_str().ok()?.trim();
    if value.is_empty() || value.len() > 19 {
        return None;
    }
    value.parse().ok()
}

/// A message for PHP errors printed instead of (or before) the JSON: WordPress's "critical
/// error" page or JSON body, or PHP's own `Fatal error` output.
fn php_failure(response: &HttpResponse) -> Option<String> {
    let head = &response.body[..response.body.len().min(8 * 1024)];
    let text = String::from_utf8_lossy(head);
    let wp_critical = text.contains("There has been a critical error on this website")
        || text.contains("\"code\":\"internal_server_error\"");
    let php = ["Fatal error", "Parse error", "PHP Fatal", "Uncaught Error"]
        .iter()
        .any(|m| text.contains(m))
        && !text.trim_start().starts_with(['{', '[']);
    (wp_critical || php).then(|| {
        format!(
            "the WordPress site hit a PHP error (HTTP {}); its error log says why",
            response.status.as_u16()
        )
    })
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start();
    head.starts_with('<') || head.contains("<html") || head.contains("<br")
}

/// Plain text cut to `max` characters at a word boundary when one is near, with `…`.
pub(super) fn bounded_text(text: &str, max: usize) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    let clean = clean.trim();
    if clean.chars().count() <= max {
        return clean.to_string();
    }
    let cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > cut.len() / 2 => cut[..i].trim_end().to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

/// A URL from the network that may be shown or linked: absolute http(s) only, bounded.
pub(super) fn web_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 2048 {
        return None;
    }
    let url = Url::parse(raw).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty()))
        .then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            answered_elsewhere: false,
        }
    }

    #[test]
    fn pretty_permalink_bases_append_routes_to_the_path() {
        let base =
            RestBase::from_root(&Url::parse("https://blog.example/wp-json/").unwrap()).unwrap();
        assert_eq!(
            base.url("/wp/v2/posts", &[("search", "a b&c"), ("status", "any")])
                .as_str(),
            "https://blog.example/wp-json/wp/v2/posts?search=a+b%26c&status=any"
        );
        let sub = RestBase::from_root(&Url::parse("https://ex.org/blog/wp-json").unwrap()).unwrap();
        assert_eq!(
            sub.url("wp/v2/users/me", &[]).as_str(),
            "https://ex.org/blog/wp-json/wp/v2/users/me"
        );
    }

    #[test]
    fn query_bases_put_the_route_first_and_parameters_after_an_ampersand() {
        let base =
            RestBase::from_root(&Url::parse("http://blog.example/?rest_route=/").unwrap()).unwrap();
        assert!(matches!(base, RestBase::Query(_)));
        assert_eq!(
            base.url("/wp/v2/posts/12", &[("force", "true")]).as_str(),
            "http://blog.example/?rest_route=%2Fwp%2Fv2%2Fposts%2F12&force=true"
        );
        assert_eq!(
            base.url("/", &[]).as_str(),
            "http://blog.example/?rest_route=%2F"
        );
        let lang = RestBase::from_root(
            &Url::parse("https://ex.org/index.php?lang=fr&rest_route=/").unwrap(),
        )
        .unwrap();
        assert_eq!(
            lang.url("/wp/v2/posts", &[("page", "2")]).as_str(),
            "https://ex.org/index.php?lang=fr&rest_route=%2Fwp%2Fv2%2Fposts&page=2"
        );
    }

    #[test]
    fn api_links_are_found_among_other_links() {
        let values = [
            r#"<https://ex.org/wp-json/wp/v2/pages/2>; rel="alternate"; type="application/json", <https://ex.org/wp-json/>; rel="https://api.w.org/""#,
            r#"<https://ex.org/?p=2>; rel=shortlink"#,
        ];
        assert_eq!(
            api_links(values.into_iter()),
            vec!["https://ex.org/wp-json/".to_string()]
        );
        assert!(api_links(["<broken; rel=\"https://api.w.org/\""].into_iter()).is_empty());
    }

    #[test]
    fn credentials_only_go_to_the_site_itself() {
        let site = Url::parse("http://www.blog.example").unwrap();
        let ok = Url::parse("https://blog.example/wp-json/").unwrap();
        let other = Url::parse("https://evil.example/wp-json/").unwrap();
        let port = Url::parse("http://blog.example:8080/wp-json/").unwrap();
        assert!(RestBase::same_site(&ok, &site));
        assert!(!RestBase::same_site(&other, &site));
        assert!(!RestBase::same_site(&port, &site));
        let https = Url::parse("https://blog.example").unwrap();
        let downgrade = Url::parse("http://blog.example/wp-json/").unwrap();
        assert!(!RestBase::same_site(&downgrade, &https));
    }

    #[test]
    fn wordpress_errors_are_classified_with_their_message() {
        let e = error_of(&response(
            401,
            r#"{"code":"incorrect_password","message":"The provided password is an invalid application password.","data":{"status":401}}"#,
        ));
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("invalid application password"), "{e}");
        let e = error_of(&response(
            403,
            r#"{"code":"rest_cannot_create","message":"Sorry, you are not allowed to create posts as this user.","data":{"status":403}}"#,
        ));
        assert_eq!(e.kind, ErrorKind::Permanent);
        assert!(e.message.contains("not allowed to create posts"), "{e}");
        let e = error_of(&response(
            503,
            "<html><body>Service Unavailable</body></html>",
        ));
        assert_eq!(e.kind, ErrorKind::Transient);
        let e = error_of(&response(
            500,
            r#"{"code":"internal_server_error","message":"<p>There has been a critical error on this website.</p>","data":{"status":500}}"#,
        ));
        assert_eq!(e.kind, ErrorKind::InvalidResponse);
        assert!(e.message.contains("PHP error"), "{e}");
    }

    #[test]
    fn html_or_php_output_where_json_belongs_is_named() {
        let e = json::<serde_json::Value>(&response(200, "<!DOCTYPE html><html>hi</html>"))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidResponse);
        assert!(e.message.contains("web page"), "{e}");
        let e = json::<serde_json::Value>(&response(
            200,
            "<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function",
        ))
        .unwrap_err();
        assert!(e.message.contains("PHP error"), "{e}");
        let e = json::<serde_json::Value>(&response(200, "{\"id\": ")).unwrap_err();
        assert!(e.message.contains("unexpected answer"), "{e}");
    }

    #[test]
    fn texts_are_cut_at_a_word_and_cleaned() {
        assert_eq!(bounded_text("  short \u{7} ", 10), "short");
        let cut = bounded_text("the quick brown fox jumps", 12);
        assert_eq!(cut, "the quick…");
        assert_eq!(web_url("javascript:alert(1)"), None);
        assert_eq!(
            web_url("https://ok.example/a").as_deref(),
            Some("https://ok.example/a")
        );
    }
}
