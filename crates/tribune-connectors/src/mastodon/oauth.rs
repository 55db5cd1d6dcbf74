//! Connecting a Mastodon account with OAuth 2 (authorization code + PKCE), for the web UI:
//! [`register_app`] once per instance, [`authorize_url`] to send the CM to their instance,
//! [`exchange_code`] when they come back. A token pasted by the user skips all of this.
//!
//! Plain requests rather than the `oauth2` crate: the flow is two form POSTs and one URL, PKCE
//! is a SHA-256 and a base64 (crates we already have), while `oauth2` 5 would need an adapter
//! from its `http`-crate requests onto our [`HttpClient`] (to keep its timeouts, body limits
//! and error classification) and brings its own dependency tree for no gain here.
//!
//! Mastodon supports PKCE (S256) since 4.3; older instances ignore the extra parameters and
//! the flow still works with the client secret.

use super::api::plain;
use crate::error::{ConnectorError, ErrorKind, Result};
use crate::http::{HttpClient, HttpResponse};
use crate::model::Secret;
use crate::rate::RateGate;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

/// The scopes tribune asks for: read (timeline, notifications, metrics) and write (statuses,
/// media, deletions). Nothing more (no `follow`, no `push`, no admin).
pub const SCOPES: &str = "read write";

/// Longest client id or secret accepted from an instance (Mastodon's are 43 characters).
const MAX_CREDENTIAL_LEN: usize = 512;

/// tribune's client registration on one instance. Registering is cheap but not free (each
/// registration is a row on the instance): keep one per instance and redirect URI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRegistration {
    pub client_id: String,
    pub client_secret: Secret,
}

/// A PKCE pair: the challenge goes in the authorize URL, the verifier stays on the server
/// (in the CM's session) until the code comes back.
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: Secret,
    /// `BASE64URL(SHA256(verifier))`, sent with `code_challenge_method=S256`.
    pub challenge: String,
}

impl Pkce {
    /// A fresh pair from 32 random bytes (a 43-character verifier, as RFC 7636 recommends).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self::from_verifier(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn from_verifier(verifier: String) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier: Secret(verifier),
            challenge,
        }
    }
}

/// `POST /api/v1/apps`: registers tribune on the instance. `instance` comes from
/// [`HttpClient::base_url`] (the address the CM typed, checked).
pub async fn register_app(
    http: &HttpClient,
    instance: &Url,
    redirect_uri: &str,
    app_name: &str,
    website: Option<&str>,
) -> Result<AppRegistration> {
    #[derive(Deserialize)]
    struct App {
        client_id: String,
        client_secret: String,
    }
    let mut form = vec![
        ("client_name", app_name),
        ("redirect_uris", redirect_uri),
        ("scopes", SCOPES),
    ];
    if let Some(website) = website {
        form.push(("website", website));
    }
    let request = http
        .request(Method::POST, endpoint(instance, &["api", "v1", "apps"])?)
        .form(&form);
    // Not retried: a retry after a lost answer would only register a second, unused app.
    let response = http.send_raw(request, &RateGate::default(), false).await?;
    let app: App = success(response)?.json()?;
    let valid = |s: &str| !s.is_empty() && s.len() <= MAX_CREDENTIAL_LEN;
    if !valid(&app.client_id) || !valid(&app.client_secret) {
        return Err(ConnectorError::invalid_response(
            "the instance returned an unusable client registration",
        ));
    }
    Ok(AppRegistration {
        client_id: app.client_id,
        client_secret: Secret(app.client_secret),
    })
}

/// The page on the instance where the CM approves tribune. `state` is an unguessable value
/// tied to the CM's session, checked when they come back (CSRF).
pub fn authorize_url(
    instance: &Url,
    app: &AppRegistration,
    redirect_uri: &str,
    state: &str,
    pkce_challenge: &str,
) -> Result<Url> {
    let mut url = endpoint(instance, &["oauth", "authorize"])?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", SCOPES)
        .append_pair("state", state)
        .append_pair("code_challenge", pkce_challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(url)
}

/// `POST /oauth/token` with the code the instance sent back: the access token to store in
/// [`crate::Credentials::Mastodon`]. Mastodon's tokens do not expire; they last until revoked.
pub async fn exchange_code(
    http: &HttpClient,
    instance: &Url,
    app: &AppRegistration,
    code: &str,
    redirect_uri: &str,
    pkce_verifier: &Secret,
) -> Result<Secret> {
    #[derive(Deserialize)]
    struct Token {
        access_token: String,
    }
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", &app.client_id),
        ("client_secret", app.client_secret.expose()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", pkce_verifier.expose()),
        ("scope", SCOPES),
    ];
    let request = http
        .request(Method::POST, endpoint(instance, &["oauth", "token"])?)
        .form(&form);
    // Not retried: a code is single-use, a second try could only fail with `invalid_grant`.
    let response = http.send_raw(request, &RateGate::default(), false).await?;
    let token: Token = success(response)?.json()?;
    let token = token.access_token;
    if token.is_empty()
        || token.len() > MAX_CREDENTIAL_LEN
        || !token.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ConnectorError::invalid_response(
            "the instance returned an unusable access token",
        ));
    }
    Ok(Secret(token))
}

fn endpoint(instance: &Url, segments: &[&str]) -> Result<Url> {
    let mut url = instance.clone();
    url.path_segments_mut()
        .map_err(|_| ConnectorError::invalid_input("not a valid instance address"))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// OAuth errors (`{"error": "invalid_grant", "error_description": "…"}`): a refused client or
/// grant means the CM must start the connection again, so it is an [`ErrorKind::Auth`].
fn success(response: HttpResponse) -> Result<HttpResponse> {
    if response.status.is_success() {
        return Ok(response);
    }
    let error = response.error();
    let code = serde_json::from_slice::<serde_json::Value>(response.error_body())
        .ok()
        .and_then(|v| v.get("error")?.as_str().map(plain));
    let refused = matches!(
        code.as_deref(),
        Some("invalid_grant" | "invalid_client" | "unauthorized_client" | "access_denied")
    );
    if refused && error.kind == ErrorKind::Permanent {
        return Err(ConnectorError {
            kind: ErrorKind::Auth,
            ..error
        });
    }
    Err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_the_rfc_7636_example() {
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(
            pkce.challenge,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_verifiers_are_long_random_and_url_safe() {
        let (a, b) = (Pkce::generate(), Pkce::generate());
        assert_ne!(a.verifier, b.verifier);
        assert_eq!(a.verifier.expose().len(), 43);
        assert!(
            a.verifier
                .expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn the_authorize_url_carries_state_scopes_and_the_challenge() {
        let app = AppRegistration {
            client_id: "cid".into(),
            client_secret: Secret("sec".into()),
        };
        let instance = Url::parse("https://m.example").unwrap();
        let url = authorize_url(
            &instance,
            &app,
            "https://tribune.example/cb",
            "st&te",
            "chal",
        )
        .unwrap();
        assert_eq!(url.path(), "/oauth/authorize");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["scope"], "read write");
        assert_eq!(q["state"], "st&te");
        assert_eq!(q["code_challenge"], "chal");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["redirect_uri"], "https://tribune.example/cb");
        assert!(!url.as_str().contains("sec"));
    }
}
