//! XRPC calls to the account's PDS, signed in with the app password.
//!
//! We (de)serialise `atrium-api`'s lexicon types in requests of our own rather than plugging our
//! client into `atrium-xrpc`'s `HttpClient` trait: that trait hands over a bare `http::Request`
//! and expects a bare response back, so our per-channel [`RateGate`], the choice of which writes
//! may be repeated, the bounded bodies and the reading of XRPC error names (`ExpiredToken`, …)
//! would all have to be smuggled through it. atrium still gives us the lexicon shapes, checked by
//! the compiler; the few lines of request building are ours.

use crate::error::{ConnectorError, ErrorKind, Result};
use crate::http::{HttpClient, HttpResponse, now};
use crate::model::{BlueskySession, Secret};
use crate::rate::RateGate;
use atrium_api::com::atproto::server::{create_session, refresh_session};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use std::sync::Mutex;
use url::Url;

/// An access token expiring sooner than this is renewed before a call rather than failing it.
pub(super) const DEFAULT_MARGIN_SECS: i64 = 120;

/// When a token does not say when it expires, assume it lasts this long (PDS tokens last 2 h).
const UNKNOWN_EXPIRY_SECS: i64 = 15 * 60;

/// What a request sends.
pub(super) enum Body {
    None,
    Json(serde_json::Value),
    Bytes { bytes: Vec<u8>, mime: String },
}

/// A client for one account on one PDS, holding its session.
pub(super) struct Xrpc {
    pub(super) http: HttpClient,
    pub(super) service: Url,
    pub(super) gate: RateGate,
    identifier: String,
    app_password: Secret,
    session: Mutex<Option<BlueskySession>>,
    /// Refresh tokens rotate: two renewals at once would kill each other's token.
    renewing: tokio::sync::Mutex<()>,
}

/// An XRPC error body: `{"error": "ExpiredToken", "message": "Token has expired"}`.
#[derive(Debug, Deserialize, Default)]
struct XrpcError {
    error: Option<String>,
    message: Option<String>,
}

impl Xrpc {
    pub(super) fn new(
        http: HttpClient,
        service: Url,
        gate: RateGate,
        identifier: String,
        app_password: Secret,
        session: Option<BlueskySession>,
    ) -> Self {
        Xrpc {
            http,
            service,
            gate,
            identifier,
            app_password,
            session: Mutex::new(session),
            renewing: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) fn session(&self) -> Option<BlueskySession> {
        self.session.lock().ok().and_then(|s| s.clone())
    }

    fn store(&self, session: BlueskySession) {
        if let Ok(mut guard) = self.session.lock() {
            *guard = Some(session);
        }
    }

    pub(super) fn url(&self, nsid: &str) -> Result<Url> {
        let base = self.service.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/xrpc/{nsid}"))
            .map_err(|_| ConnectorError::invalid_input("the PDS address cannot be used"))
    }

    /// A session whose access token is good for at least `margin_secs`, signing in or
    /// refreshing as needed.
    pub(super) async fn signed_in(&self, margin_secs: i64) -> Result<BlueskySession> {
        if let Some(s) = self.session()
            && s.access_expires_at > now() + margin_secs
        {
            return Ok(s);
        }
        self.renew(margin_secs, None).await
    }

    /// Renews the session: refresh it, or sign in again if the refresh token is dead. `stale`
    /// is an access token the PDS just refused, which must not be handed out again.
    async fn renew(&self, margin_secs: i64, stale: Option<&str>) -> Result<BlueskySession> {
        let _one_at_a_time = self.renewing.lock().await;
        if let Some(current) = self.session() {
            let refused = stale.is_some_and(|jwt| jwt == current.access_jwt.expose());
            if !refused && current.access_expires_at > now() + margin_secs {
                // Someone renewed it while we waited for the lock.
                return Ok(current);
            }
            match self.refresh(&current).await {
                Ok(renewed) => {
                    self.store(renewed.clone());
                    return Ok(renewed);
                }
                Err(e) if e.kind == ErrorKind::Auth => {
                    tracing::info!("bluesky refresh token refused, signing in again");
                }
                Err(e) => return Err(e),
            }
        }
        let created = self.create_session().await?;
        self.store(created.clone());
        Ok(created)
    }

    async fn refresh(&self, current: &BlueskySession) -> Result<BlueskySession> {
        let request = self
            .http
            .request(Method::POST, self.url(refresh_session::NSID)?)
            .bearer_auth(current.refresh_jwt.expose());
        // Not repeated: a refresh whose answer was lost has already spent the token.
        let response = self.http.send_raw(request, &self.gate, false).await?;
        if !response.status.is_success() {
            // Any refusal of the refresh token sends us to sign in again.
            return Err(xrpc_error(&response).on_credentials_check());
        }
        let out: refresh_session::Output = response.json()?;
        Ok(session_from(
            out.data.did.as_str(),
            out.data.handle.as_str(),
            out.data.access_jwt,
            out.data.refresh_jwt,
        ))
    }

    async fn create_session(&self) -> Result<BlueskySession> {
        let input = serde_json::json!({
            "identifier": self.identifier,
            "password": self.app_password.expose(),
        });
        let request = self
            .http
            .request(Method::POST, self.url(create_session::NSID)?)
            .json(&input);
        // Signing in twice is harmless.
        let response = self.http.send_raw(request, &self.gate, true).await?;
        if !response.status.is_success() {
            let e = xrpc_error(&response).on_credentials_check();
            return Err(if e.kind == ErrorKind::Auth {
                ConnectorError {
                    message: format!("Bluesky refused the handle or app password ({})", e.message),
                    ..e
                }
            } else {
                e
            });
        }
        let out: create_session::Output = response.json()?;
        Ok(session_from(
            out.data.did.as_str(),
            out.data.handle.as_str(),
            out.data.access_jwt,
            out.data.refresh_jwt,
        ))
    }

    /// Calls `nsid` signed in, renewing the session once if the PDS says the token expired, and
    /// returns the successful response or the classified error.
    pub(super) async fn call(
        &self,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        body: &Body,
        idempotent: bool,
    ) -> Result<HttpResponse> {
        let response = self.call_raw(method, nsid, query, body, idempotent).await?;
        if response.status.is_success() {
            Ok(response)
        } else {
            Err(xrpc_error(&response))
        }
    }

    /// Like [`Xrpc::call`] but hands back error responses too, for callers that read them.
    pub(super) async fn call_raw(
        &self,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        body: &Body,
        idempotent: bool,
    ) -> Result<HttpResponse> {
        self.call_through(None, method, nsid, query, body, idempotent)
            .await
    }

    /// Like [`Xrpc::call`], asking the PDS to forward the call to the service `proxy` names
    /// (`did#service`, the `atproto-proxy` header), signed for that service by the PDS.
    pub(super) async fn call_proxied(
        &self,
        proxy: &str,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        body: &Body,
        idempotent: bool,
    ) -> Result<HttpResponse> {
        let response = self
            .call_through(Some(proxy), method, nsid, query, body, idempotent)
            .await?;
        if response.status.is_success() {
            return Ok(response);
        }
        let error = xrpc_error(&response);
        // The session was renewed on the way if it had to be: a refusal now is the other
        // service's, about this one feature, not the account's credentials.
        Err(if error.kind == ErrorKind::Auth {
            ConnectorError {
                kind: ErrorKind::Permanent,
                ..error
            }
        } else {
            error
        })
    }

    async fn call_through(
        &self,
        proxy: Option<&str>,
        method: Method,
        nsid: &str,
        query: &[(&str, &str)],
        body: &Body,
        idempotent: bool,
    ) -> Result<HttpResponse> {
        let session = self.signed_in(DEFAULT_MARGIN_SECS).await?;
        let build = |jwt: &str| -> Result<RequestBuilder> {
            let mut request = self
                .http
                .request(method.clone(), self.url(nsid)?)
                .bearer_auth(jwt);
            if let Some(proxy) = proxy {
                request = request.header("atproto-proxy", proxy);
            }
            if !query.is_empty() {
                request = request.query(query);
            }
            Ok(match body {
                Body::None => request,
                Body::Json(value) => request.json(value),
                Body::Bytes { bytes, mime } => request
                    .header(reqwest::header::CONTENT_TYPE, mime.as_str())
                    .body(bytes.clone()),
            })
        };
        let jwt = session.access_jwt.expose().to_string();
        let response = self
            .http
            .send_raw(build(&jwt)?, &self.gate, idempotent)
            .await?;
        if !token_expired(&response) {
            return Ok(response);
        }
        let renewed = self.renew(DEFAULT_MARGIN_SECS, Some(&jwt)).await?;
        self.http
            .send_raw(build(renewed.access_jwt.expose())?, &self.gate, idempotent)
            .await
    }
}

fn session_from(did: &str, handle: &str, access: String, refresh: String) -> BlueskySession {
    BlueskySession {
        did: did.to_string(),
        handle: handle.to_string(),
        access_expires_at: jwt_expiry(&access).unwrap_or_else(|| now() + UNKNOWN_EXPIRY_SECS),
        access_jwt: Secret(access),
        refresh_jwt: Secret(refresh),
    }
}

/// The claims of an access token we read. The signature is not checked: the PDS checks it, we
/// only want to know when to renew and what the token may do.
#[derive(Deserialize)]
struct Claims {
    exp: Option<i64>,
    scope: Option<String>,
}

fn claims(jwt: &str) -> Option<Claims> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Claims>(&bytes).ok()
}

/// The `exp` claim of a JWT.
pub(super) fn jwt_expiry(jwt: &str) -> Option<i64> {
    claims(jwt)?.exp
}

/// Whether an access token may reach the account's direct messages: a full sign-in
/// (`com.atproto.access`) or an app password created with access to them
/// (`com.atproto.appPassPrivileged`); a plain app password (`com.atproto.appPass`) may not.
pub(super) fn may_read_messages(jwt: &str) -> bool {
    claims(jwt).and_then(|c| c.scope).is_some_and(|s| {
        matches!(
            s.as_str(),
            "com.atproto.access" | "com.atproto.appPassPrivileged"
        )
    })
}

fn error_body(response: &HttpResponse) -> XrpcError {
    serde_json::from_slice(response.error_body()).unwrap_or_default()
}

/// The PDS's way of saying "renew your token": `400 ExpiredToken`, or any 401 (a revoked or
/// otherwise refused token: renewing it signs in again, and only that refusal is final).
fn token_expired(response: &HttpResponse) -> bool {
    match response.status.as_u16() {
        401 => true,
        400 => matches!(
            error_body(response).error.as_deref(),
            Some("ExpiredToken" | "InvalidToken")
        ),
        _ => false,
    }
}

/// The XRPC error name of a response, e.g. `RecordNotFound`.
pub(super) fn error_name(response: &HttpResponse) -> Option<String> {
    error_body(response).error
}

/// The classified error for a failed XRPC response. Only a refused token is `Auth`; 5xx and 429
/// keep the shared client's classification (transient, rate limited).
pub(super) fn xrpc_error(response: &HttpResponse) -> ConnectorError {
    let base = response.error();
    let body = error_body(response);
    let kind = match (response.status.as_u16(), body.error.as_deref()) {
        (
            400 | 401,
            Some("ExpiredToken" | "InvalidToken" | "AccountTakedown" | "AccountDeactivated"),
        ) => ErrorKind::Auth,
        _ => base.kind,
    };
    let said = match (body.error, body.message) {
        (Some(name), Some(message)) => Some(format!("{message} ({name})")),
        (None, Some(message)) => Some(message),
        (Some(name), None) => Some(name),
        (None, None) => None,
    };
    let message = match &said {
        Some(said) => format!("Bluesky: {said}"),
        None => base.message.clone(),
    };
    ConnectorError::new(kind, message)
        .with_network_message(said.or(base.network_message))
        .with_status(response.status.as_u16())
        .with_retry_after(base.retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_is_read_from_the_token_payload() {
        let payload =
            URL_SAFE_NO_PAD.encode(br#"{"scope":"com.atproto.appPass","exp":1800000000}"#);
        assert_eq!(
            jwt_expiry(&format!("e30.{payload}.sig")),
            Some(1_800_000_000)
        );
        assert_eq!(jwt_expiry("not a jwt"), None);
        assert_eq!(jwt_expiry("a.%%%.c"), None);
    }

    #[test]
    fn only_a_full_sign_in_or_a_privileged_app_password_reaches_direct_messages() {
        let token = |scope: &str| {
            let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"scope":"{scope}","exp":1}}"#));
            format!("e30.{payload}.sig")
        };
        assert!(may_read_messages(&token("com.atproto.appPassPrivileged")));
        assert!(may_read_messages(&token("com.atproto.access")));
        assert!(!may_read_messages(&token("com.atproto.appPass")));
        assert!(!may_read_messages(&token("com.atproto.refresh")));
        assert!(!may_read_messages("e30.e30.sig"));
        assert!(!may_read_messages("garbage"));
    }
}
