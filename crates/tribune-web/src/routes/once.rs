//! Secrets shown once after a redirect. Creating an API token or recovery codes answers
//! `303 See Other` (Post/Redirect/Get: a reload cannot create a second one), and the secret
//! reaches the next page in a one-time cookie: sealed with the instance's key (the browser
//! holds ciphertext only), `HttpOnly`, `SameSite=Strict`, limited to `/account`, valid five
//! minutes, bound to the session that created it, and cleared by the page that shows it.
//!
//! A cookie rather than a table keyed by session: nothing readable is written to the database,
//! nothing needs cleaning up, and any node (they share the key) can show it. The secret never
//! goes into a URL, where logs, history and `Referer` would keep it.

use crate::AppState;
use crate::context::cookie;
use axum::http::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use tribune_domain::SessionId;

pub const ONCE_COOKIE: &str = "tribune_once";
/// The only pages that show such secrets.
const COOKIE_PATH: &str = "/account";
const TTL_SECS: i64 = 300;
/// Larger values are not ours (ten recovery codes seal to about 500 bytes).
const MAX_COOKIE_LEN: usize = 2048;

/// What is shown once.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Revealed {
    ApiToken(String),
    RecoveryCodes(Vec<String>),
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    session: SessionId,
    expires_at: i64,
    secret: Revealed,
}

/// The `Set-Cookie` value that carries `secret` to the next page of `session`.
pub fn cookie_for(state: &AppState, session: SessionId, secret: Revealed, now: i64) -> HeaderValue {
    let sealed = Sealed {
        session,
        expires_at: now + TTL_SECS,
        secret,
    };
    let value = serde_json::to_string(&sealed)
        .map(|json| state.secrets().seal(&json))
        .unwrap_or_default();
    header(state, &value, TTL_SECS)
}

/// The secret carried to this page, if it is for `session` and still fresh, and the
/// `Set-Cookie` value that clears the cookie (present whenever the request had one).
pub fn take(
    state: &AppState,
    headers: &HeaderMap,
    session: SessionId,
    now: i64,
) -> (Option<Revealed>, Option<HeaderValue>) {
    let Some(value) = cookie(headers, ONCE_COOKIE) else {
        return (None, None);
    };
    let clear = Some(header(state, "", 0));
    if value.len() > MAX_COOKIE_LEN {
        return (None, clear);
    }
    let sealed = state
        .secrets()
        .open(value)
        .ok()
        .and_then(|json| serde_json::from_str::<Sealed>(&json).ok())
        .filter(|sealed| sealed.session == session && sealed.expires_at > now);
    (sealed.map(|sealed| sealed.secret), clear)
}

fn header(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config().secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{ONCE_COOKIE}={value}; Path={COOKIE_PATH}; HttpOnly; SameSite=Strict; \
         Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("tribune_once=; Path=/account; Max-Age=0"))
}
