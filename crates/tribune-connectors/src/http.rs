//! The one HTTP client every connector uses: timeouts, bounded responses, retries for
//! idempotent requests only, rate-limit bookkeeping and one user agent.

use crate::address::{PublicAddressesOnly, is_private};
use crate::error::{ConnectorError, ErrorKind, Result};
use crate::rate::RateGate;
use reqwest::header::{AUTHORIZATION, COOKIE, HeaderMap, PROXY_AUTHORIZATION};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

#[derive(Clone)]
pub struct HttpConfig {
    /// Time allowed for a whole request, body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Responses larger than this are refused (JSON from a network is never this large).
    pub max_response_bytes: usize,
    /// Extra attempts for idempotent requests that failed transiently.
    pub retries: u32,
    /// First wait between attempts; doubled each time.
    pub backoff: Duration,
    /// A `Retry-After` up to this long is waited out in place; longer ones are returned to the
    /// caller as [`ErrorKind::RateLimited`].
    pub max_inline_wait: Duration,
    /// Allow `http://` and local or private addresses (loopback, RFC 1918, link-local). Off by
    /// default, so that a URL typed into tribune cannot reach the server's own network; tests
    /// against local servers turn it on.
    pub allow_http: bool,
    pub user_agent: String,
    /// The outgoing proxy for every call to a network (`http://host:port`, credentials in the
    /// URL if it needs them). Without one, tribune connects directly and ignores the
    /// `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` variables: a proxy resolves names itself, so
    /// tribune's check of resolved addresses would not apply. With one, private addresses
    /// are refused only as written in the URL (and on redirects), not after resolution.
    pub proxy: Option<String>,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .field("max_inline_wait", &self.max_inline_wait)
            .field("allow_http", &self.allow_http)
            .field("user_agent", &self.user_agent)
            // The URL may hold the proxy's password.
            .field("proxy", &self.proxy.as_ref().map(|_| "[set]"))
            .finish()
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 4 * 1024 * 1024,
            retries: 2,
            backoff: Duration::from_millis(500),
            max_inline_wait: Duration::from_secs(5),
            allow_http: false,
            user_agent: format!(
                "tribune/{} (self-hosted community management)",
                env!("CARGO_PKG_VERSION")
            ),
            proxy: None,
        }
    }
}

/// reqwest is built without a default TLS crypto provider (so that ring, quicker to build than
/// aws-lc, is the one); every `reqwest::Client` in the process needs it installed first.
/// Installing twice is harmless: the first one stays.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Cheap to clone: connection pools shared by every connector.
#[derive(Debug, Clone)]
pub struct HttpClient {
    /// Sends requests without credentials; follows (checked) redirects to other origins.
    inner: reqwest::Client,
    /// Sends requests with credentials; follows redirects on the request's origin only.
    with_credentials: reqwest::Client,
    config: Arc<HttpConfig>,
}

/// A response whose body was read within the size limit.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The answer came from another origin than the one asked, after redirects: its body is
    /// not the network's words and is never quoted in an error.
    pub answered_elsewhere: bool,
}

impl HttpClient {
    pub fn new(config: HttpConfig) -> Result<Self> {
        install_tls_provider();
        let proxy = config.proxy.as_deref().map(proxy).transpose()?;
        Ok(HttpClient {
            inner: client(&config, proxy.as_ref(), false)?,
            with_credentials: client(&config, proxy.as_ref(), true)?,
            config: Arc::new(config),
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Checks a base URL typed by a user (a PDS, an instance, a site) and normalises it: http(s)
    /// only (https unless [`HttpConfig::allow_http`]), a host, no credentials, no query or
    /// fragment, no trailing slash.
    pub fn base_url(&self, raw: &str) -> Result<Url> {
        let mut url = self.checked_url(raw)?;
        url.set_query(None);
        url.set_fragment(None);
        let path = url.path().trim_end_matches('/').to_string();
        url.set_path(&path);
        Ok(url)
    }

    /// Checks a full URL from a user or a network (an avatar, a link): http(s) only (https
    /// unless [`HttpConfig::allow_http`]), a host, no credentials, at most 2 KiB. A bare host
    /// gets `https://`.
    pub fn checked_url(&self, raw: &str) -> Result<Url> {
        let raw = raw.trim();
        let with_scheme = if raw.contains("://") {
            raw.to_string()
        } else {
            format!("https://{raw}")
        };
        let invalid = || ConnectorError::invalid_input("not a valid web address (https://…)");
        if raw.is_empty() || raw.len() > 2048 {
            return Err(invalid());
        }
        let url = Url::parse(&with_scheme).map_err(|_| invalid())?;
        match url.scheme() {
            "https" => {}
            "http" if self.config.allow_http => {}
            "http" => {
                return Err(ConnectorError::invalid_input(
                    "the address must start with https://",
                ));
            }
            _ => return Err(invalid()),
        }
        if url.host_str().is_none_or(str::is_empty)
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(invalid());
        }
        if !self.config.allow_http && url.host().is_some_and(|host| is_private(&host)) {
            return Err(private_address());
        }
        Ok(url)
    }

    pub fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.inner.request(method, url)
    }

    /// Sends a request; retries it only if its method is idempotent.
    pub async fn send(&self, request: RequestBuilder, gate: &RateGate) -> Result<HttpResponse> {
        self.send_with(request, gate, false).await
    }

    /// Sends a request the caller knows is safe to repeat although its method is not idempotent
    /// (a POST carrying an `Idempotency-Key`, a write under a deterministic record key).
    pub async fn send_idempotent(
        &self,
        request: RequestBuilder,
        gate: &RateGate,
    ) -> Result<HttpResponse> {
        self.send_with(request, gate, true).await
    }

    /// Sends and returns the response whatever its status, for connectors that read their
    /// network's error bodies themselves. Transport failures and rate limits are still errors.
    pub async fn send_raw(
        &self,
        request: RequestBuilder,
        gate: &RateGate,
        idempotent: bool,
    ) -> Result<HttpResponse> {
        let retryable = idempotent || is_idempotent(&request);
        let mut attempt = 0;
        loop {
            if let Some(wait) = gate.wait(now()) {
                return Err(ConnectorError::rate_limited(Some(wait)));
            }
            let Some(this_try) = request.try_clone() else {
                // A streamed body cannot be replayed: one attempt only.
                return self.attempt(request, gate).await;
            };
            let outcome = self.attempt(this_try, gate).await;
            let wait = match &outcome {
                Ok(response) if is_transient_status(response.status) => {
                    retry_after_or_backoff(response, &self.config, attempt)
                }
                Err(e) if e.kind == ErrorKind::Transient => Some(backoff(&self.config, attempt)),
                _ => None,
            };
            match wait {
                Some(wait) if retryable && attempt < self.config.retries => {
                    // The gate may have closed on a 429: wait it out only if it is short.
                    gate.reopen_if_within(self.config.max_inline_wait, now());
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => return outcome,
            }
        }
    }

    async fn send_with(
        &self,
        request: RequestBuilder,
        gate: &RateGate,
        idempotent: bool,
    ) -> Result<HttpResponse> {
        let response = self.send_raw(request, gate, idempotent).await?;
        if response.status.is_success() {
            Ok(response)
        } else {
            Err(response.error())
        }
    }

    /// One GET of something small and optional (an avatar, a page's preview): no retry, no
    /// rate-limit bookkeeping for the channel, at most `max_bytes`.
    pub async fn get_small(&self, url: Url, max_bytes: usize) -> Result<HttpResponse> {
        let response = self
            .read(
                self.request(Method::GET, url),
                &RateGate::default(),
                max_bytes,
            )
            .await?;
        if response.status.is_success() {
            Ok(response)
        } else {
            Err(response.error())
        }
    }

    /// One POST of JSON to an address a person gave (a chat webhook): never retried here (the
    /// caller's queue retries), no rate-limit bookkeeping, the answer's status checked.
    pub async fn post_json(&self, url: Url, body: &serde_json::Value) -> Result<HttpResponse> {
        self.send(
            self.request(Method::POST, url).json(body),
            &RateGate::default(),
        )
        .await
    }

    /// Holds a long-lived response open (a server-sent event stream) for at most `for_at_most`,
    /// handing each line to `on_line` (without its end of line) until it returns `false`, the
    /// server ends the stream, or the time is up (`Ok` in all three cases). A non-success status
    /// is the network's error; a line longer than `max_line` bytes ends the stream as an invalid
    /// response. Addresses are checked as for any call.
    pub async fn stream_lines(
        &self,
        request: RequestBuilder,
        for_at_most: Duration,
        max_line: usize,
        mut on_line: impl FnMut(&str) -> bool + Send,
    ) -> Result<()> {
        let (client, request) = self.checked(request.timeout(for_at_most))?;
        let mut response = client.execute(request).await.map_err(transport_error)?;
        let status = response.status();
        if !status.is_success() {
            let headers = response.headers().clone();
            let mut body = Vec::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                if body.len() + chunk.len() > 64 * 1024 {
                    break;
                }
                body.extend_from_slice(&chunk);
            }
            return Err(HttpResponse {
                status,
                headers,
                body,
                answered_elsewhere: false,
            }
            .error());
        }
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => return Ok(()),
                // The time allowed is up: the caller opens a new stream.
                Err(e) if e.is_timeout() => return Ok(()),
                Err(e) => return Err(transport_error(e)),
            };
            pending.extend_from_slice(&chunk);
            while let Some(end) = pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                let line = String::from_utf8_lossy(&line[..end]);
                if !on_line(line.trim_end_matches('\r')) {
                    return Ok(());
                }
            }
            if pending.len() > max_line {
                return Err(too_big(max_line));
            }
        }
    }

    async fn attempt(&self, request: RequestBuilder, gate: &RateGate) -> Result<HttpResponse> {
        self.read(request, gate, self.config.max_response_bytes)
            .await
    }

    /// Builds a request and checks its address, with the client that sends it: the one that
    /// keeps credentials on their origin when it carries any.
    fn checked(&self, request: RequestBuilder) -> Result<(&reqwest::Client, reqwest::Request)> {
        let (_, request) = request.build_split();
        let request = request.map_err(|e| {
            tracing::warn!(error = %e, "a request to a network could not be built");
            ConnectorError::invalid_input("the request could not be built")
        })?;
        // An address written as an IP bypasses the resolver's check: checked here, whoever
        // built the URL.
        if !self.config.allow_http && request.url().host().is_some_and(|h| is_private(&h)) {
            return Err(private_address());
        }
        let client = if carries_credentials(request.headers()) {
            &self.with_credentials
        } else {
            &self.inner
        };
        Ok((client, request))
    }

    async fn read(
        &self,
        request: RequestBuilder,
        gate: &RateGate,
        limit: usize,
    ) -> Result<HttpResponse> {
        let (client, request) = self.checked(request)?;
        let asked = request.url().origin();
        let mut response = client.execute(request).await.map_err(transport_error)?;
        let answered_elsewhere = response.url().origin() != asked;
        let status = response.status();
        let headers = response.headers().clone();
        gate.observe(status.as_u16(), &headers, now());
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(too_big(limit));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > limit {
                return Err(too_big(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
            answered_elsewhere,
        })
    }
}

impl HttpResponse {
    /// Parses the body as JSON into `T`; anything else is an invalid response, never a panic.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            // Position only: the serde message can quote the body, which is not ours to show.
            ConnectorError::invalid_response(format!(
                "unexpected answer from the network (line {}, column {})",
                e.line(),
                e.column()
            ))
            .with_status(self.status.as_u16())
        })
    }

    /// The body as text, lossily decoded.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The error this non-success response stands for, classified by status, with the
    /// network's message when the body has one in a usual place. A redirect that was not
    /// followed (see [`redirect_policy`]) is a permanent error.
    pub fn error(&self) -> ConnectorError {
        let status = self.status.as_u16();
        let kind = match status {
            401 => ErrorKind::Auth,
            408 | 425 | 500..=599 => ErrorKind::Transient,
            429 => ErrorKind::RateLimited,
            _ => ErrorKind::Permanent,
        };
        let said = self.network_message();
        let message = match &said {
            Some(said) => said.clone(),
            None if self.status.is_redirection() => format!(
                "the network redirected the request (HTTP {status}) to an address tribune does \
                 not follow: another site, or another site's credentials"
            ),
            None => format!("the network answered HTTP {status}"),
        };
        let retry_after = crate::rate::closed_until_from(status, &self.headers, now())
            .map(|until| Duration::from_secs((until - now()).max(1) as u64));
        ConnectorError::new(kind, message)
            .with_network_message(said)
            .with_status(status)
            .with_retry_after(retry_after)
    }

    /// The body as the network's own words: empty when the answer came from another origin
    /// (a redirect tribune followed), whose words are not the network's to show, or is a
    /// redirect tribune did not follow.
    pub fn error_body(&self) -> &[u8] {
        if self.answered_elsewhere || self.status.is_redirection() {
            &[]
        } else {
            &self.body
        }
    }

    /// The human message in an error body: `message`, `error_description`, `error`, or
    /// `error.message`, as the networks put it.
    pub fn network_message(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_slice(self.error_body()).ok()?;
        let pick = |v: &serde_json::Value| -> Option<String> {
            ["message", "error_description", "error"]
                .iter()
                .find_map(|k| v.get(*k).and_then(|m| m.as_str()).map(str::to_string))
        };
        pick(&value).or_else(|| value.get("error").and_then(pick))
    }
}

/// Redirects are checked like the first address: https (or http when allowed), no private
/// address, at most three. Every hop is compared with the first URL of the chain (its origin:
/// scheme, host and port), never only with the hop before:
/// - a request carrying credentials ([`carries_credentials`]) follows redirects on that origin
///   only. reqwest strips `Authorization` when a hop changes origin, but each hop starts again
///   from the original headers and compares with the previous hop alone, so A → B → B would
///   hand A's credentials to B on the second hop;
/// - a 307/308 (which resends the body, a password or a form with a secret perhaps) is only
///   followed on that origin.
fn redirect_policy(allow_http: bool, credentials: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        let url = attempt.url();
        let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
        let private = !allow_http && url.host().is_some_and(|host| is_private(&host));
        let resends_body = matches!(attempt.status().as_u16(), 307 | 308);
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|original| original.origin() == url.origin());
        if attempt.previous().len() > 3 {
            attempt.error("too many redirects")
        } else if !scheme_ok || private || ((resends_body || credentials) && !same_origin) {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// Headers that identify the account: they go only to the origin the request was made for.
fn carries_credentials(headers: &HeaderMap) -> bool {
    [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE]
        .iter()
        .any(|name| headers.contains_key(name))
}

fn is_idempotent(request: &RequestBuilder) -> bool {
    request
        .try_clone()
        .and_then(|r| r.build().ok())
        .is_some_and(|r| {
            matches!(
                *r.method(),
                Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
            )
        })
}

fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 425 | 429 | 500 | 502 | 503 | 504)
}

fn retry_after_or_backoff(
    response: &HttpResponse,
    config: &HttpConfig,
    attempt: u32,
) -> Option<Duration> {
    let now = now();
    match crate::rate::closed_until_from(response.status.as_u16(), &response.headers, now) {
        Some(until) => {
            let wait = Duration::from_secs((until - now).max(0) as u64);
            (wait <= config.max_inline_wait).then_some(wait)
        }
        None => Some(backoff(config, attempt)),
    }
}

fn backoff(config: &HttpConfig, attempt: u32) -> Duration {
    config.backoff.saturating_mul(2u32.saturating_pow(attempt))
}

/// One reqwest client with tribune's rules; `credentials` chooses the redirect rule.
fn client(
    config: &HttpConfig,
    proxy: Option<&(reqwest::Proxy, String)>,
    credentials: bool,
) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.connect_timeout)
        .user_agent(config.user_agent.clone())
        .redirect(redirect_policy(config.allow_http, credentials));
    builder = match proxy {
        Some((proxy, _)) => builder.proxy(proxy.clone()),
        None => builder.no_proxy(),
    };
    if !config.allow_http {
        builder = builder.dns_resolver(Arc::new(PublicAddressesOnly {
            trusted: proxy.map(|(_, host)| host.clone()),
        }));
    }
    builder.build().map_err(|e| {
        tracing::error!(error = %e, "the HTTP client for networks could not be built");
        ConnectorError::invalid_input("the HTTP client could not be set up")
    })
}

/// The configured outgoing proxy, and its host name (resolved without the public-address
/// filter: a proxy usually lives on the private network).
fn proxy(raw: &str) -> Result<(reqwest::Proxy, String)> {
    let invalid = || ConnectorError::invalid_input("the outgoing proxy's address is not valid");
    let url = Url::parse(raw.trim()).map_err(|_| invalid())?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(invalid)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid());
    }
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let proxy = reqwest::Proxy::all(url.as_str()).map_err(|_| invalid())?;
    Ok((proxy, host))
}

fn private_address() -> ConnectorError {
    ConnectorError::invalid_input("a local or private address: tribune only calls public servers")
}

fn transport_error(e: reqwest::Error) -> ConnectorError {
    if e.is_redirect() {
        return ConnectorError::permanent("the network redirected too many times");
    }
    let what = if e.is_timeout() {
        "the network did not answer in time"
    } else if e.is_connect() {
        "could not reach the network"
    } else {
        "the connection to the network failed"
    };
    ConnectorError::transient(what)
}

fn too_big(limit: usize) -> ConnectorError {
    ConnectorError::invalid_response(format!(
        "the network's answer is larger than {} KiB",
        limit / 1024
    ))
}

pub(crate) fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}
