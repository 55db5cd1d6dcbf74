//! The front door, and the language switch.

use crate::AppState;
use crate::context::{LANG_COOKIE, RequestCtx, set_cookie, with_cookies};
use crate::error::AppError;
use crate::forms::{safe_next, see_other};
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::Lang;

/// First run goes to setup, visitors to the login page, members to their workspaces.
pub async fn index(State(state): State<AppState>, ctx: RequestCtx) -> Result<Response, AppError> {
    if !state.store().is_set_up().await? {
        return Ok(see_other("/setup"));
    }
    Ok(see_other(if ctx.user.is_some() {
        "/workspaces"
    } else {
        "/login"
    }))
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    next: Option<String>,
}

/// Remembers the language in a cookie, and as the user's preference when logged in.
pub async fn switch_language(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Form(form): Form<LanguageForm>,
) -> Result<Response, AppError> {
    let lang = Lang::from_tag(&form.lang)
        .ok_or(AppError::BadRequest(crate::error::BadRequest::Language))?;
    if let Some(user) = ctx.user_id() {
        state.store().set_locale(user, Some(lang)).await?;
    }
    let cookie = set_cookie(
        LANG_COOKIE,
        lang.code(),
        86_400 * 365,
        state.config().secure_cookies(),
    );
    Ok(with_cookies(
        see_other(&safe_next(form.next.as_deref())),
        vec![cookie],
    ))
}
