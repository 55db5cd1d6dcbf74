//! The user's own account: name and language, password, two-factor authentication, sessions,
//! personal API tokens.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::Authed;
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tribune_domain::security::totp;
use tribune_domain::user::validate_password;
use tribune_domain::validation::ValidationError;
use tribune_domain::{ApiTokenId, Lang, SessionId};
use tribune_store::api_tokens::ApiToken;
use tribune_store::sessions::Session;
use tribune_store::unix_now;

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    c: Chrome,
    sessions: Vec<Session>,
    current_session: i64,
    tokens: Vec<ApiToken>,
    /// A token just created, shown once.
    new_token: Option<String>,
    /// Setting up TOTP: the seed and the `otpauth://` link for the app.
    totp_setup: Option<(String, String)>,
    /// The link as a QR code (SVG markup generated here, no user text in it).
    totp_qr: Option<String>,
    errors: ValidationError,
    error: Option<String>,
}

impl AccountPage {
    fn field_error(&self, field: &str) -> Option<String> {
        self.errors.for_field(field).map(|key| self.c.tr.t(key))
    }

    fn short_agent(&self, agent: &str) -> String {
        describe_agent(agent)
    }
}

/// "Firefox · Windows" from a user-agent string; the raw string (shortened) when unknown.
fn describe_agent(agent: &str) -> String {
    const BROWSERS: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("reqwest", "reqwest"),
    ];
    const SYSTEMS: [(&str, &str); 6] = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| agent.contains(needle))
            .map(|(_, name)| *name)
    };
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} · {system}"),
        (Some(name), None) | (None, Some(name)) => name.to_owned(),
        (None, None) if agent.is_empty() => "—".to_owned(),
        (None, None) => agent.chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_agent;

    #[test]
    fn user_agents_are_summarised() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(describe_agent(chrome), "Chrome · Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_agent(iphone), "Safari · iOS");
        assert_eq!(describe_agent(""), "—");
        assert_eq!(describe_agent("curl/8.0"), "curl");
    }
}

#[derive(Default)]
struct Extras {
    new_token: Option<String>,
    totp_setup: Option<(String, String)>,
    errors: ValidationError,
    error: Option<&'static str>,
}

async fn page(state: &AppState, authed: &Authed, extras: Extras) -> Result<AccountPage, AppError> {
    let c = Chrome::load(state, &authed.ctx).await?;
    let store = state.store();
    let user = authed.user.user_id();
    let error = extras.error.map(|key| c.tr.t(key));
    Ok(AccountPage {
        sessions: store.sessions_of(user, unix_now()).await?,
        current_session: authed.ctx.session.as_ref().map_or(0, |s| s.id),
        tokens: store.api_tokens_of(user).await?,
        new_token: extras.new_token,
        totp_qr: extras.totp_setup.as_ref().and_then(|(_, url)| qr_svg(url)),
        totp_setup: extras.totp_setup,
        errors: extras.errors,
        error,
        c,
    })
}

/// An SVG QR code for an authenticator app to scan.
fn qr_svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

fn unprocessable(page: &AccountPage) -> Response {
    let mut response = render(page);
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

pub async fn show(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let mut page = page(&state, &authed, Extras::default()).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    lang: String,
}

pub async fn profile(
    State(state): State<AppState>,
    authed: Authed,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let mut errors = ValidationError::default();
    let name = tribune_domain::user::validate_name(&mut errors, &form.name);
    if !errors.violations.is_empty() {
        return Ok(unprocessable(
            &page(
                &state,
                &authed,
                Extras {
                    errors,
                    ..Default::default()
                },
            )
            .await?,
        ));
    }
    let store = state.store();
    store.set_name(authed.user.user_id(), &name).await?;
    store
        .set_locale(authed.user.user_id(), Lang::from_tag(&form.lang))
        .await?;
    Ok(see_other("/account?flash=flash-saved"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Changing the password also ends every other session.
pub async fn password(
    State(state): State<AppState>,
    authed: Authed,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let credentials = store.credentials_by_id(authed.user.user_id()).await?;
    let mut errors = ValidationError::default();
    if !crate::passwords::verify(&form.current, &credentials.password_hash).await {
        errors.push("current", "error-password-wrong");
    }
    if let Err(invalid) = validate_password(&form.password) {
        errors.violations.extend(invalid.violations);
    } else if form.password != form.confirm {
        errors.push("confirm", "error-password-mismatch");
    }
    if !errors.violations.is_empty() {
        return Ok(unprocessable(
            &page(
                &state,
                &authed,
                Extras {
                    errors,
                    ..Default::default()
                },
            )
            .await?,
        ));
    }
    store
        .set_password(authed.user.user_id(), &form.password)
        .await?;
    let current = authed.ctx.session.as_ref().map(Session::session_id);
    store
        .delete_other_sessions(authed.user.user_id(), current)
        .await?;
    Ok(see_other("/account?flash=flash-password-changed"))
}

pub async fn totp_start(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Response, AppError> {
    if authed.user.totp_enabled {
        return Ok(see_other("/account"));
    }
    let secret = totp::generate_secret();
    state
        .store()
        .set_pending_totp(authed.user.user_id(), &state.secrets().seal(&secret))
        .await?;
    let url = totp::provisioning_url(&secret, &authed.user.email).unwrap_or_default();
    let extras = Extras {
        totp_setup: Some((secret, url)),
        ..Default::default()
    };
    Ok(render(&page(&state, &authed, extras).await?))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn totp_enable(
    State(state): State<AppState>,
    authed: Authed,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let credentials = store.credentials_by_id(authed.user.user_id()).await?;
    let secret = credentials
        .totp_secret
        .as_deref()
        .and_then(|s| state.secrets().open(s).ok());
    let Some(secret) = secret else {
        return Ok(see_other("/account"));
    };
    let user = authed.user.user_id();
    if !super::auth::totp_code_is_fresh(&state, user, &secret, &form.code, unix_now()).await? {
        let url = totp::provisioning_url(&secret, &authed.user.email).unwrap_or_default();
        let extras = Extras {
            totp_setup: Some((secret, url)),
            error: Some("error-totp-wrong"),
            ..Default::default()
        };
        return Ok(unprocessable(&page(&state, &authed, extras).await?));
    }
    store.enable_totp(authed.user.user_id()).await?;
    Ok(see_other("/account?flash=flash-totp-enabled"))
}

#[derive(Deserialize)]
pub struct ConfirmPasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn totp_disable(
    State(state): State<AppState>,
    authed: Authed,
    Form(form): Form<ConfirmPasswordForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let credentials = store.credentials_by_id(authed.user.user_id()).await?;
    if !crate::passwords::verify(&form.password, &credentials.password_hash).await {
        let extras = Extras {
            error: Some("error-password-wrong"),
            ..Default::default()
        };
        return Ok(unprocessable(&page(&state, &authed, extras).await?));
    }
    store.disable_totp(authed.user.user_id()).await?;
    Ok(see_other("/account?flash=flash-totp-disabled"))
}

/// Ends one of the user's other sessions; only with the box ticked.
pub async fn revoke_session(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .delete_session(authed.user.user_id(), SessionId(id))
        .await?;
    Ok(see_other("/account?flash=flash-session-ended"))
}

/// Ends every session but this one; only with the box ticked.
pub async fn revoke_other_sessions(
    State(state): State<AppState>,
    authed: Authed,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    let current = authed.ctx.session.as_ref().map(Session::session_id);
    state
        .store()
        .delete_other_sessions(authed.user.user_id(), current)
        .await?;
    Ok(see_other("/account?flash=flash-sessions-ended"))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    authed: Authed,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let (token, _) = state
        .store()
        .create_api_token(authed.user.user_id(), &form.name, unix_now())
        .await?;
    let extras = Extras {
        new_token: Some(token),
        ..Default::default()
    };
    Ok(render(&page(&state, &authed, extras).await?))
}

/// Revokes an API token; only with the box ticked.
pub async fn revoke_token(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .revoke_api_token(authed.user.user_id(), ApiTokenId(id))
        .await?;
    Ok(see_other("/account?flash=flash-token-revoked"))
}
