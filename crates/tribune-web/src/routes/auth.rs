//! Logging in (password, then a TOTP code or a single-use recovery code when two-factor
//! authentication is on), with failures rate-limited in the database.

use crate::AppState;
use crate::context::{RequestCtx, SESSION_COOKIE, set_cookie, with_cookies};
use crate::error::AppError;
use crate::error::with_status;
use crate::forms::{safe_next, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::security::password::dummy_hash;
use tribune_domain::security::totp;
use tribune_mail::{AccountLocked, NewDeviceLogin};
use tribune_store::rate_limit::{AttemptLimit, AttemptReservation};
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
    /// A recovery code, typed instead of the app's code.
    #[serde(default)]
    recovery: String,
    next: Option<String>,
}

impl TotpForm {
    /// The recovery code, when one was given: in its own field, or pasted into the code field
    /// (an app's code is digits only).
    fn recovery_code(&self) -> Option<&str> {
        let recovery = self.recovery.trim();
        let code = self.code.trim();
        if !recovery.is_empty() {
            Some(recovery)
        } else if code.chars().any(|c| c.is_ascii_alphabetic()) {
            Some(code)
        } else {
            None
        }
    }
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

/// Reserves an attempt against `limits` before any slow check; `TooManyRequests` when one of
/// them is full.
async fn reserve(
    state: &AppState,
    limits: &[AttemptLimit],
    now: i64,
) -> Result<AttemptReservation, AppError> {
    let window = state.config().login_window_secs;
    state
        .store()
        .reserve_attempt(limits, now - window, now)
        .await?
        .map_err(|_| AppError::TooManyRequests {
            retry_after_secs: window,
        })
}

/// Index of the per-account ceiling in the login limits.
const ACCOUNT_LIMIT: usize = 1;

pub async fn login(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let config = state.config();
    let now = unix_now();
    let email = form.email.trim().to_lowercase();
    // Failures are counted per (account, address): someone guessing from one place is stopped
    // after a few tries without locking the account's owner out elsewhere. The account as a
    // whole has a softer ceiling, and each address one across accounts.
    let limits = [
        AttemptLimit {
            key: format!("login:{email}|{}", ctx.client.ip),
            max: config.login_max_failures,
        },
        AttemptLimit {
            key: format!("email:{email}"),
            max: config.login_max_failures_per_account,
        },
        AttemptLimit {
            key: format!("ip:{}", ctx.client.ip),
            max: config.login_max_failures_per_ip,
        },
    ];
    let reservation = reserve(&state, &limits, now).await?;

    let credentials = if email.len() <= 254 {
        store.credentials_by_email(&email).await?
    } else {
        None
    };
    let hash = credentials
        .as_ref()
        .map_or(dummy_hash(), |c| c.password_hash.as_str());
    let password_ok =
        form.password.len() <= 1024 && crate::passwords::verify(&form.password, hash).await;
    let Some(credentials) = credentials.filter(|_| password_ok) else {
        // The reservation stays: it is the recorded failure. The attempt that fills the
        // account's ceiling locks it for everyone until the window passes: its owner is told.
        if reservation.counts.get(ACCOUNT_LIMIT) == Some(&config.login_max_failures_per_account) {
            tracing::warn!("an account reached its failed-login ceiling and is locked");
            notify_locked(&state, &ctx, &email).await?;
        }
        return Ok(login_refused(&state, &ctx, &form, "error-login-failed"));
    };
    store.release_attempt(reservation).await?;
    if credentials.disabled_at.is_some() {
        return Ok(login_refused(&state, &ctx, &form, "error-account-disabled"));
    }
    store.clear_login_failures(&limits[0].key).await?;
    let user = credentials.id;
    notify_if_new_device(&state, &ctx, user, now).await?;
    store.touch_last_login(user, now).await?;
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

/// Tells an account's owner that it is locked after too many wrong passwords (when e-mail is
/// on and the account exists).
async fn notify_locked(state: &AppState, ctx: &RequestCtx, email: &str) -> Result<(), AppError> {
    let (Some(mailer), Some(user)) = (
        state.mailer().await?,
        state.store().user_by_email(email).await?,
    ) else {
        return Ok(());
    };
    let public = state.config().public_url.trim_end_matches('/').to_owned();
    let message = AccountLocked {
        ip: ctx.client.ip.clone(),
        minutes: state.config().login_window_secs / 60,
        reset_url: Some(format!("{public}/password/forgot")),
    };
    mailer.send_in_background(&user.email, user.lang().unwrap_or(ctx.lang), &message);
    Ok(())
}

/// Tells the owner of an account about a login from a device and address that none of its
/// live sessions has, unless it is the account's first login.
async fn notify_if_new_device(
    state: &AppState,
    ctx: &RequestCtx,
    user: tribune_domain::UserId,
    now: i64,
) -> Result<(), AppError> {
    let Some(mailer) = state.mailer().await? else {
        return Ok(());
    };
    let store = state.store();
    if store.last_login(user).await?.is_none() {
        return Ok(());
    }
    let agent: String = ctx.client.user_agent.chars().take(300).collect();
    let known = store
        .sessions_of(user, now)
        .await?
        .iter()
        .any(|s| s.ip == ctx.client.ip && s.user_agent == agent);
    if known {
        return Ok(());
    }
    let account = store.user(user).await?;
    let message = NewDeviceLogin {
        at: now,
        ip: ctx.client.ip.clone(),
        device: ctx.client.user_agent.chars().take(120).collect(),
        account_url: format!(
            "{}/account",
            state.config().public_url.trim_end_matches('/')
        ),
    };
    mailer.send_in_background(&account.email, account.lang().unwrap_or(ctx.lang), &message);
    Ok(())
}

/// The login page again, with `error` and what was typed (never the password), as a 401.
fn login_refused(state: &AppState, ctx: &RequestCtx, form: &LoginForm, error: &str) -> Response {
    let c = Chrome::bare(state, ctx);
    let page = LoginPage {
        error: Some(c.tr.t(error)),
        c,
        email: form.email.chars().take(254).collect(),
        next: safe_next(form.next.as_deref()),
    };
    with_status(render(&page), StatusCode::UNAUTHORIZED)
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
    let limits = [AttemptLimit {
        key: key.clone(),
        max: state.config().login_max_failures,
    }];
    let reservation = reserve(&state, &limits, now).await?;
    let accepted = match form.recovery_code() {
        // Claimed atomically: of two logins racing with one code, one gets in.
        Some(code) => store.claim_recovery_code(user.user_id(), code, now).await?,
        None => {
            let credentials = store.credentials_by_id(user.user_id()).await?;
            let secret = credentials
                .totp_secret
                .as_deref()
                .and_then(|sealed| state.secrets().open(sealed).ok())
                .ok_or_else(|| AppError::Internal("TOTP secret unreadable".into()))?;
            totp_code_is_fresh(&state, user.user_id(), &secret, &form.code, now).await?
        }
    };
    if !accepted {
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
    store.release_attempt(reservation).await?;
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
