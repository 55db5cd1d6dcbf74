//! Following an invitation link: join with one's account, or create one (the only sign-up).
//! The page never says whether an account exists for the invited address, and refuses
//! invitations that were used, expired, or made void by their author's removal.

use crate::AppState;
use crate::context::{RequestCtx, SESSION_COOKIE, set_cookie, with_cookies};
use crate::error::{AppError, Conflict};
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::ValidationError;
use tribune_store::invitations::InvitationView;
use tribune_store::sessions::SESSION_TTL_SECS;
use tribune_store::{StoreError, unix_now};

#[derive(Template)]
#[template(path = "invite.html")]
pub struct InvitePage {
    c: Chrome,
    invitation: InvitationView,
    token: String,
    name: String,
    errors: ValidationError,
    problem: Option<String>,
}

impl InvitePage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|key| self.c.tr.t(key))
    }
}

async fn page(
    state: &AppState,
    ctx: &RequestCtx,
    token: String,
    name: String,
    errors: ValidationError,
) -> Result<InvitePage, AppError> {
    let store = state.store();
    let invitation = store
        .invitation_by_token(&token)
        .await?
        .ok_or(AppError::NotFound)?;
    // Whether an account exists for the address is not shown: the page offers both ways in.
    let c = Chrome::load(state, ctx).await?;
    let problem = invitation
        .unusable_reason(unix_now())
        .map(|reason| c.tr.t(reason.key()));
    Ok(InvitePage {
        c,
        invitation,
        token,
        name,
        errors,
        problem,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    Ok(render(
        &page(
            &state,
            &ctx,
            token,
            String::new(),
            ValidationError::default(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

pub async fn accept(
    State(state): State<AppState>,
    ctx: RequestCtx,
    Path(token): Path<String>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let now = unix_now();
    if let Some(user) = &ctx.user {
        let workspace = store.accept_invitation(&token, user, now).await?;
        return Ok(see_other(&format!("/w/{workspace}?flash=flash-joined")));
    }
    match store
        .accept_invitation_as_new_user(&token, &form.name, &form.password, now)
        .await
    {
        Ok((user, workspace)) => {
            store.set_locale(user.user_id(), Some(ctx.lang)).await?;
            let (session, _) = store
                .create_session(user.user_id(), false, &ctx.client, now)
                .await?;
            let cookie = set_cookie(
                SESSION_COOKIE,
                &session,
                SESSION_TTL_SECS,
                state.config().secure_cookies(),
            );
            Ok(with_cookies(
                see_other(&format!("/w/{workspace}?flash=flash-joined")),
                vec![cookie],
            ))
        }
        Err(StoreError::Invalid(errors)) => {
            let mut response = render(&page(&state, &ctx, token, form.name, errors).await?);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(StoreError::Conflict(tribune_store::Conflict::EmailTaken)) => {
            Err(AppError::Conflict(Conflict::EmailTakenLogin))
        }
        Err(other) => Err(other.into()),
    }
}
