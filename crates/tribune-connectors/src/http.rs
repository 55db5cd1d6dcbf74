//! The one HTTP client every connector uses: timeouts, bounded responses, retries for
//! idempotent requests only, rate-limit bookkeeping and one user agent.

use crate::error::{ConnectorError, ErrorKind, Result};
use crate::rate::RateGate;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

#[derive(Debug, Clone)]
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
        }
    }
}

/// reqwest is built without a default TLS crypto provider (so that ring, quicker to build than
/// aws-lc, is the one); every `reqwest::Client` in the process needs it installed first.
/// Installing twice is harmless: the first one stays.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Cheap to clone: one connection pool shared by every connector.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    config: Arc<HttpConfig>,
}

/// A response whose body was read within the size limit.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl HttpClient {
    pub fn new(config: HttpConfig) -> Result<Self> {
        install_tls_provider();
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(redirect_policy(config.allow_http));
        if !config.allow_http {
            builder = builder.dns_resolver(Arc::new(PublicAddressesOnly));
        }
        let inner = builder
            .build()
            .map_err(|e| ConnectorError::new(ErrorKind::InvalidInput, e.to_string()))?;
        Ok(HttpClient {
            inner,
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
            return Err(ConnectorError::invalid_input(
                "a local or private address: tribune only calls public servers",
            ));
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

    async fn attempt(&self, request: RequestBuilder, gate: &RateGate) -> Result<HttpResponse> {
        self.read(request, gate, self.config.max_response_bytes)
            .await
    }

    async fn read(
        &self,
        request: RequestBuilder,
        gate: &RateGate,
        limit: usize,
    ) -> Result<HttpResponse> {
        let mut response = request.send().await.map_err(transport_error)?;
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
    /// network's message when the body has one in a usual place.
    pub fn error(&self) -> ConnectorError {
        let status = self.status.as_u16();
        let kind = match status {
            401 => ErrorKind::Auth,
            408 | 425 | 500..=599 => ErrorKind::Transient,
            429 => ErrorKind::RateLimited,
            _ => ErrorKind::Permanent,
        };
        let message = self
            .network_message()
            .unwrap_or_else(|| format!("the network answered HTTP {status}"));
        let retry_after = crate::rate::closed_until_from(status, &self.headers, now())
            .map(|until| Duration::from_secs((until - now()).max(1) as u64));
        ConnectorError::new(kind, message)
            .with_status(status)
            .with_retry_after(retry_after)
    }

    /// The human message in an error body: `message`, `error_description`, `error`, or
    /// `error.message`, as the networks put it.
    pub fn network_message(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        let pick = |v: &serde_json::Value| -> Option<String> {
            ["message", "error_description", "error"]
                .iter()
                .find_map(|k| v.get(*k).and_then(|m| m.as_str()).map(str::to_string))
        };
        pick(&value).or_else(|| value.get("error").and_then(pick))
    }
}

/// A host that names the machine itself or a private network, as written in a URL.
fn is_private(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            // Single-label names (`redis`, `consul`) only make sense on a private network.
            !name.contains('.')
                || name == "localhost"
                || name.ends_with(".localhost")
                || name.ends_with(".internal")
        }
        url::Host::Ipv4(ip) => is_private_ip(IpAddr::V4(*ip)),
        url::Host::Ipv6(ip) => is_private_ip(IpAddr::V6(*ip)),
    }
}

/// Loopback, private (RFC 1918, CGNAT, unique local), link-local, benchmarking and other
/// special-purpose addresses: nothing a public network's server lives on.
fn is_private_ip(ip: IpAddr) -> bool {
    let v4 = |ip: Ipv4Addr| {
        let [a, b, c, _] = ip.octets();
        ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || a == 0
            || (a == 100 && (64..128).contains(&b))
            || (a == 198 && (b == 18 || b == 19))
            || (a == 192 && b == 0 && c == 0)
    };
    match ip {
        IpAddr::V4(ip) => v4(ip),
        IpAddr::V6(ip) => {
            let s = ip.segments();
            ip.is_loopback()
                || ip.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || ip.to_ipv4_mapped().is_some_and(v4)
                // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
                || (s[0] == 0x64
                    && s[1] == 0xff9b
                    && s[2..6] == [0, 0, 0, 0]
                    && v4(Ipv4Addr::new(
                        (s[6] >> 8) as u8,
                        s[6] as u8,
                        (s[7] >> 8) as u8,
                        s[7] as u8,
                    )))
        }
    }
}

/// Resolves names as the system does, then drops private and loopback addresses, so a public
/// name pointing into the server's own network leads nowhere.
struct PublicAddressesOnly;

impl reqwest::dns::Resolve for PublicAddressesOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| !is_private_ip(addr.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// Redirects are checked like the first address: https (or http when allowed), no private
/// address, at most three; a 307/308 (which resends the body, credentials included) is only
/// followed on the same host.
fn redirect_policy(allow_http: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        let url = attempt.url();
        let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
        let private = !allow_http && url.host().is_some_and(|host| is_private(&host));
        let resends_body = matches!(attempt.status().as_u16(), 307 | 308);
        let same_host = attempt
            .previous()
            .last()
            .is_some_and(|previous| previous.host_str() == url.host_str());
        if attempt.previous().len() > 3 {
            attempt.error("too many redirects")
        } else if !scheme_ok || private || (resends_body && !same_host) {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
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

fn transport_error(e: reqwest::Error) -> ConnectorError {
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
