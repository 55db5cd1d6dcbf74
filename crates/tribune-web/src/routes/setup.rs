//! First run: the first visitor creates the owner account. Only once, on any node.

use crate::AppState;
use crate::context::{RequestCtx, SESSION_COOKIE, set_cookie, with_cookies};
use crate::error::{AppError, Refused};
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::ValidationError;
use tribune_domain::user::UserNew;
use tribune_store::sessions::SESSION_TTL_SECS;
use tribune_store::{Refusal, unix_now};

#[derive(Template)]
#[template(path = "setup.html")]
pub struct SetupPage {
    c: Chrome,
    name: String,
    email: String,
    errors: ValidationError,
}

impl SetupPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|key| self.c.tr.t(key))
    }
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn form(State(state): State<AppState>, ctx: RequestCtx) -> Result<Response, AppError> {
    if state.store().is_set_up().await? {
        return Ok(see_other("/login"));
    }
    let page = SetupPage {
        c: Chrome::bare(&state, &ctx),
        name: String::new(),
        email: String::new(),
        errors: ValidationError::default(),
    };
    Ok(render(&page))
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Form(form): Form<SetupForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    if store.is_set_up().await? {
        return Err(AppError::Refused(Refused::Store(Refusal::SetupDone)));
    }
    let new = match UserNew::validate(&form.email, &form.name, &form.password) {
        Ok(new) => new,
        Err(errors) => {
            let page = SetupPage {
                c: Chrome::bare(&state, &ctx),
                name: form.name,
                email: form.email,
                errors,
            };
            let mut response = render(&page);
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    };
    let owner = store.create_first_owner(&new).await?;
    store.set_locale(owner.user_id(), Some(ctx.lang)).await?;
    let (token, _) = store
        .create_session(owner.user_id(), false, &ctx.client, unix_now())
        .await?;
    let cookie = set_cookie(
        SESSION_COOKIE,
        &token,
        SESSION_TTL_SECS,
        state.config().secure_cookies(),
    );
    Ok(with_cookies(
        see_other("/workspaces?flash=flash-welcome"),
        vec![cookie],
    ))
}
