//! "Mot de passe oublié": ask for a link by e-mail, then choose a new password with it.
//!
//! The answer to a request is the same whether an account exists for the address or not, and
//! requests are limited per address and per client before anything is looked up. Using a link
//! ends every session and revokes every API token of the account. Without SMTP settings the
//! form says to ask an administrator instead.

use crate::AppState;
use crate::context::RequestCtx;
use crate::error::{AppError, with_status};
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::ValidationError;
use tribune_mail::PasswordReset;
use tribune_store::password_resets::PASSWORD_RESET_TTL_SECS;
use tribune_store::{StoreError, unix_now};

/// Requests per address, and per client address, in [`REQUEST_WINDOW_SECS`].
pub const MAX_REQUESTS_PER_EMAIL: i64 = 3;
pub const MAX_REQUESTS_PER_CLIENT: i64 = 20;
pub const REQUEST_WINDOW_SECS: i64 = 3600;

#[derive(Template)]
#[template(path = "password_forgot.html")]
pub struct ForgotPage {
    c: Chrome,
    /// E-mail is set up: the form can be used.
    available: bool,
    /// The request was taken (shown whatever the address).
    sent: bool,
}

#[derive(Template)]
#[template(path = "password_reset.html")]
pub struct ResetPage {
    c: Chrome,
    token: String,
    /// The link is unknown, used or expired.
    invalid: bool,
    errors: ValidationError,
}

impl ResetPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|key| self.c.tr.t(key))
    }
}

#[derive(Template)]
#[template(path = "password_changed.html")]
pub struct ChangedPage {
    c: Chrome,
}

/// Pages with a reset link in their address or form are kept out of every cache.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize)]
pub struct ForgotQuery {
    sent: Option<String>,
}

pub async fn forgot_form(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Query(query): Query<ForgotQuery>,
) -> Result<Response, AppError> {
    Ok(render(&ForgotPage {
        c: Chrome::bare(&state, &ctx),
        available: state.mailer().await?.is_some(),
        sent: query.sent.is_some(),
    }))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let Some(mailer) = state.mailer().await? else {
        return Ok(render(&ForgotPage {
            c: Chrome::bare(&state, &ctx),
            available: false,
            sent: false,
        }));
    };
    let store = state.store();
    let now = unix_now();
    let since = now - REQUEST_WINDOW_SECS;
    let email = form.email.trim().to_lowercase();
    // Counted before the address is looked up: the limit is the same for every address.
    let client_count = store
        .count_reset_request(&format!("ip:{}", ctx.client.ip), now, since)
        .await?;
    let email_count = store
        .count_reset_request(&format!("email:{email}"), now, since)
        .await?;
    if client_count > MAX_REQUESTS_PER_CLIENT || email_count > MAX_REQUESTS_PER_EMAIL {
        return Err(AppError::TooManyRequests {
            retry_after_secs: REQUEST_WINDOW_SECS,
        });
    }
    let user = match tribune_domain::user::normalize_email(&email) {
        Ok(email) => store.user_by_email(&email).await?,
        Err(_) => None,
    };
    if let Some(user) = user {
        let token = store.create_password_reset(user.user_id(), now).await?;
        let link = format!(
            "{}/password/reset/{token}",
            state.config().public_url.trim_end_matches('/')
        );
        let message = PasswordReset {
            link,
            valid_minutes: PASSWORD_RESET_TTL_SECS / 60,
        };
        mailer.send_in_background(&user.email, user.lang().unwrap_or(ctx.lang), &message);
    }
    Ok(see_other("/password/forgot?sent=1"))
}

pub async fn reset_form(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let invalid = state
        .store()
        .password_reset_user(&token, unix_now())
        .await?
        .is_none();
    let page = ResetPage {
        c: Chrome::bare(&state, &ctx),
        token,
        invalid,
        errors: ValidationError::default(),
    };
    let response = render(&page);
    Ok(no_store(if invalid {
        with_status(response, StatusCode::GONE)
    } else {
        response
    }))
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let result = state
        .store()
        .complete_password_reset(&token, &form.password, unix_now())
        .await;
    let (invalid, errors, status) = match result {
        Ok(_) => return Ok(see_other("/password/changed")),
        Err(StoreError::Invalid(errors)) => (false, errors, StatusCode::UNPROCESSABLE_ENTITY),
        Err(StoreError::Refused(tribune_store::Refusal::ResetLinkInvalid)) => {
            (true, ValidationError::default(), StatusCode::GONE)
        }
        Err(other) => return Err(other.into()),
    };
    let page = ResetPage {
        c: Chrome::bare(&state, &ctx),
        token,
        invalid,
        errors,
    };
    Ok(no_store(with_status(render(&page), status)))
}

pub async fn changed(State(state): State<AppState>, ctx: RequestCtx) -> Response {
    render(&ChangedPage {
        c: Chrome::bare(&state, &ctx),
    })
}
