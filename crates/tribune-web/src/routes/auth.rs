//! Logging in (password, then TOTP when enabled), with failures rate-limited in the database.

use crate::AppState;
use crate::context::{RequestCtx, SESSION_COOKIE, set_cookie, with_cookies};
use crate::error::AppError;
use crate::forms::{safe_next, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::security::password::{dummy_hash, verify_password};
use tribune_domain::security::totp;
use tribune_store::sessions::SESSION_TTL_SECS;
use tribune_store::unix_now;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    c: Chrome,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "totp.html")]
pub struct TotpPage {
    c: Chrome,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    if !state.store().is_set_up().await? {
        return Ok(see_other("/setup"));
    }
    if ctx.user.is_some() {
        return Ok(see_other(&safe_next(query.next.as_deref())));
    }
    let next = safe_next(query.next.as_deref());
    Ok(render(&LoginPage {
        c: Chrome::bare(&state, &ctx),
        email: String::new(),
        next,
        error: None,
    }))
}

/// Refuses when `key` has failed too often lately.
async fn check_rate(state: &AppState, key: &str, max: i64, now: i64) -> Result<(), AppError> {
    let window = state.config().login_window_secs;
    if state
        .store()
        .login_failures_since(key, now - window)
        .await?
        >= max
    {
        return Err(AppError::TooManyRequests {
            retry_after_secs: window,
        });
    }
    Ok(())
}

pub async fn login(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let config = state.config();
    let now = unix_now();
    let email = form.email.trim().to_lowercase();
    let email_key = format!("email:{email}");
    let ip_key = format!("ip:{}", ctx.client.ip);
    check_rate(&state, &email_key, config.login_max_failures, now).await?;
    check_rate(&state, &ip_key, config.login_max_failures_per_ip, now).await?;

    let credentials = if email.len() <= 254 {
        store.credentials_by_email(&email).await?
    } else {
        None
    };
    let hash = credentials
        .as_ref()
        .map_or(dummy_hash(), |c| c.password_hash.as_str());
    let password_ok = form.password.len() <= 1024 && verify_password(&form.password, hash);
    let Some(credentials) = credentials.filter(|_| password_ok) else {
        store.record_login_failure(&email_key, now).await?;
        store.record_login_failure(&ip_key, now).await?;
        let c = Chrome::bare(&state, &ctx);
        let page = LoginPage {
            error: Some(c.tr.t("error-login-failed")),
            c,
            email: form.email.chars().take(254).collect(),
            next: safe_next(form.next.as_deref()),
        };
        let mut response = render(&page);
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(response);
    };
    store.clear_login_failures(&email_key).await?;
    let user = tribune_domain::UserId(credentials.id);
    let (token, _) = store
        .create_session(user, credentials.totp_enabled, &ctx.client, now)
        .await?;
    let cookie = set_cookie(
        SESSION_COOKIE,
        &token,
        SESSION_TTL_SECS,
        config.secure_cookies(),
    );
    let next = safe_next(form.next.as_deref());
    let location = if credentials.totp_enabled {
        format!("/login/totp?next={}", crate::error::url_encode(&next))
    } else {
        next
    };
    Ok(with_cookies(see_other(&location), vec![cookie]))
}

pub async fn totp_form(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    if ctx.pending_totp.is_none() {
        return Ok(see_other("/login"));
    }
    let next = safe_next(query.next.as_deref());
    Ok(render(&TotpPage {
        c: Chrome::bare(&state, &ctx),
        next,
        error: None,
    }))
}

pub async fn totp(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Form(form): Form<TotpForm>,
) -> Result<Response, AppError> {
    let (Some(user), Some(session)) = (&ctx.pending_totp, &ctx.session) else {
        return Ok(see_other("/login"));
    };
    let store = state.store();
    let now = unix_now();
    let key = format!("totp:{}", user.id);
    check_rate(&state, &key, state.config().login_max_failures, now).await?;
    let credentials = store.credentials_by_id(user.user_id()).await?;
    let secret = credentials
        .totp_secret
        .as_deref()
        .and_then(|sealed| state.secrets().open(sealed).ok())
        .ok_or_else(|| AppError::Internal("TOTP secret unreadable".into()))?;
    if !totp_code_is_fresh(&state, user.user_id(), &secret, &form.code, now).await? {
        store.record_login_failure(&key, now).await?;
        let c = Chrome::bare(&state, &ctx);
        let page = TotpPage {
            error: Some(c.tr.t("error-totp-wrong")),
            c,
            next: safe_next(form.next.as_deref()),
        };
        let mut response = render(&page);
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(response);
    }
    store.clear_login_failures(&key).await?;
    store.complete_totp(session.session_id()).await?;
    Ok(see_other(&safe_next(form.next.as_deref())))
}

/// Whether `code` is valid for `secret` now and was not used before; a valid code is marked
/// used, so it cannot be replayed (on any node).
pub(super) async fn totp_code_is_fresh(
    state: &AppState,
    user: tribune_domain::UserId,
    secret: &str,
    code: &str,
    now: i64,
) -> Result<bool, AppError> {
    match totp::verify_step(secret, code, now as u64) {
        Some(step) => Ok(state.store().claim_totp_step(user, step).await?),
        None => Ok(false),
    }
}

pub async fn logout(State(state): State<AppState>, ctx: RequestCtx) -> Result<Response, AppError> {
    if let (Some(session), Some(user)) = (
        &ctx.session,
        ctx.user.as_ref().or(ctx.pending_totp.as_ref()),
    ) {
        state
            .store()
            .delete_session(user.user_id(), session.session_id())
            .await?;
    }
    let cookie = set_cookie(SESSION_COOKIE, "", 0, state.config().secure_cookies());
    Ok(with_cookies(see_other("/login"), vec![cookie]))
}
