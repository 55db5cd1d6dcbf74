//! Who is asking, in which language, with which CSRF token: resolved once per request by
//! [`resolve_request`] and read by handlers through extractors.

use crate::error::{AppError, render_error};
use crate::{AppState, csrf};
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE, SET_COOKIE, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use tribune_domain::security::token::random_token;
use tribune_domain::{Lang, UserId, WorkspaceId};
use tribune_store::sessions::{ClientInfo, Session};
use tribune_store::users::User;
use tribune_store::workspaces::UserWorkspaces;
use tribune_store::{WorkspaceScope, unix_now};

pub const SESSION_COOKIE: &str = "tribune_session";
pub const CSRF_COOKIE: &str = "tribune_csrf";
pub const LANG_COOKIE: &str = "tribune_lang";

/// Everything known about the request before the handler runs.
#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub lang: Lang,
    /// The logged-in user (API: the token's owner). `None` while a second factor is pending.
    pub user: Option<User>,
    pub session: Option<Session>,
    /// The user's workspaces, read with the session or the API token (both kept in the store's
    /// read cache).
    pub workspaces: Option<Arc<UserWorkspaces>>,
    /// Logged in with a password, waiting for the TOTP code.
    pub pending_totp: Option<User>,
    /// The token every form on the page must send back.
    pub csrf: String,
    pub is_api: bool,
    pub client: ClientInfo,
    pub path: String,
}

impl RequestCtx {
    pub fn user_id(&self) -> Option<UserId> {
        self.user.as_ref().map(User::user_id)
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value with the flags every tribune cookie carries.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The client's address: the connection's peer, or, behind a trusted proxy, the last
/// `X-Forwarded-For` entry (earlier entries are whatever the client claimed).
fn client_ip(parts: &Parts, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| parts.headers.get_all("x-forwarded-for").iter().next_back())
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
    match forwarded {
        Some(ip) => ip.to_string(),
        None => parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_default(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn is_token_shaped(value: &str) -> bool {
    (20..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Resolves the user, language and CSRF token, and refuses a state-changing browser request
/// whose CSRF token is missing or wrong. Every route goes through it, so a new form is covered
/// without anyone remembering to.
pub async fn resolve_request(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let now = unix_now();
    let path = parts.uri.path().to_owned();
    let is_api = path.starts_with("/api/");
    let headers = &parts.headers;
    let client = ClientInfo {
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        ip: client_ip(&parts, state.config().trust_forwarded_for),
    };

    // Static files, health checks and metrics belong to nobody: no session query for them
    // (they are most requests of a page load, and probes hit `/healthz` every few seconds).
    // Short links (`/l/…`) are followed by anyone: no session looked up, no cookie set on a
    // visitor, and a not-found page in the visitor's own language.
    if is_anonymous_path(&path) && matches!(parts.method, Method::GET | Method::HEAD) {
        let lang = cookie(headers, LANG_COOKIE)
            .and_then(Lang::from_tag)
            .or_else(|| {
                headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or_default();
        parts
            .extensions
            .insert(fallback_ctx(lang, false, path, client));
        return next.run(Request::from_parts(parts, body)).await;
    }

    let mut user = None;
    let mut session = None;
    let mut workspaces = None;
    let mut pending_totp = None;
    let store = state.store();
    // A browser's session, or a script's token, comes with the user's workspaces, so a
    // workspace route takes its scope from it without another round trip.
    let lookup = if is_api {
        match bearer(headers) {
            Some(token) => store
                .api_token_with_workspaces(token, now)
                .await
                .map(|found| found.map(|f| (None, f.user, Some(f.workspaces)))),
            None => Ok(None),
        }
    } else {
        match cookie(headers, SESSION_COOKIE) {
            Some(token) => store
                .session_with_workspaces(token, now)
                .await
                .map(|found| found.map(|f| (Some(f.session), f.user, Some(f.workspaces)))),
            None => Ok(None),
        }
    };
    match lookup {
        Ok(Some((Some(s), u, _))) if s.totp_pending => {
            pending_totp = Some(u);
            session = Some(s);
        }
        Ok(Some((s, u, w))) => {
            user = Some(u);
            session = s;
            workspaces = w.map(Arc::new);
        }
        Ok(None) => {}
        Err(error) => {
            // No user could be looked up: the client's header is all there is to go by.
            let lang = headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
                .unwrap_or_default();
            let ctx = fallback_ctx(lang, is_api, path, client);
            return render_error(&state, &ctx, AppError::from(error));
        }
    }

    let mut new_csrf_cookie = None;
    let csrf = match &session {
        Some(s) => s.csrf_token.clone(),
        None => match cookie(headers, CSRF_COOKIE).filter(|c| is_token_shaped(c)) {
            Some(token) => token.to_owned(),
            None => {
                let token = random_token();
                new_csrf_cookie = Some(token.clone());
                token
            }
        },
    };
    let browser = || {
        headers
            .get(ACCEPT_LANGUAGE)?
            .to_str()
            .ok()
            .and_then(Lang::from_accept_language)
    };
    let preference = || user.as_ref().and_then(User::lang);
    // Pages follow the user's choice, then the browser. For the API an explicit, understood
    // `Accept-Language` wins; without one (or with only languages tribune lacks) the problem
    // speaks the token owner's language.
    let lang = if is_api {
        browser().or_else(preference)
    } else {
        preference()
            .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::from_tag))
            .or_else(browser)
    }
    .unwrap_or_default();

    let ctx = RequestCtx {
        lang,
        user,
        session,
        workspaces,
        pending_totp,
        csrf,
        is_api,
        client,
        path,
    };
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if unsafe_method && !is_api {
        match csrf::verified_body(&parts, body, &ctx.csrf, state.config().max_body_bytes).await {
            Ok(body) => body,
            Err(error) => return render_error(&state, &ctx, error),
        }
    } else {
        body
    };
    parts.extensions.insert(ctx);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(token) = new_csrf_cookie {
        let secure = state.config().secure_cookies();
        response.headers_mut().append(
            SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, 86_400 * 365, secure),
        );
    }
    response
}

/// Paths served the same to everyone, without looking up a session.
fn is_anonymous_path(path: &str) -> bool {
    path.starts_with("/static/")
        || path.starts_with("/l/")
        || path == "/healthz"
        || path == "/metrics"
}

fn fallback_ctx(lang: Lang, is_api: bool, path: String, client: ClientInfo) -> RequestCtx {
    RequestCtx {
        lang,
        user: None,
        session: None,
        workspaces: None,
        pending_totp: None,
        csrf: String::new(),
        is_api,
        client,
        path,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

/// A logged-in user (full session, or a valid API token).
pub struct Authed {
    pub ctx: RequestCtx,
    pub user: User,
}

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestCtx::from_request_parts(parts, state).await?;
        match ctx.user.clone() {
            Some(user) => Ok(Authed { ctx, user }),
            None => Err(AppError::LoginRequired),
        }
    }
}

/// A member of the workspace named by the `{ws}` path segment, with their scope. Non-members
/// get the same 404 as for a workspace that does not exist.
pub struct Member {
    pub ctx: RequestCtx,
    pub user: User,
    pub scope: WorkspaceScope,
    /// The member's workspaces, loaded with the session (or with the scope), for the switcher.
    pub workspaces: Vec<tribune_store::workspaces::WorkspaceSummary>,
}

impl FromRequestParts<AppState> for Member {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Authed { ctx, user } = Authed::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let workspace = params
            .iter()
            .find(|(name, _)| *name == "ws")
            .and_then(|(_, value)| value.parse::<WorkspaceId>().ok())
            .ok_or(AppError::NotFound)?;
        let (scope, workspaces) = match &ctx.workspaces {
            Some(loaded) => (loaded.scope(workspace)?, loaded.list().to_vec()),
            None => {
                let (scope, all) = state
                    .store()
                    .scope_and_workspaces(user.user_id(), workspace)
                    .await?;
                (scope, all.list().to_vec())
            }
        };
        Ok(Member {
            ctx,
            user,
            scope,
            workspaces,
        })
    }
}

/// Adds `Set-Cookie` headers to a response.
pub fn with_cookies(response: impl IntoResponse, cookies: Vec<HeaderValue>) -> Response {
    let mut response = response.into_response();
    for value in cookies {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}
