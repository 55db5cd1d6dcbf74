//! The user's own account: name and language, password, two-factor authentication and its
//! recovery codes, sessions, personal API tokens. Forms that create a secret redirect
//! (Post/Redirect/Get) and the secret is shown once on the next page (see [`super::once`]).

use super::once::{self, Revealed};
use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::{Authed, with_cookies};
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
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
    current_session: SessionId,
    tokens: Vec<ApiToken>,
    /// A token just created, shown once.
    new_token: Option<String>,
    /// Recovery codes just generated, one a line, shown once.
    new_recovery_codes: Option<String>,
    /// Unused recovery codes (when two-factor authentication is on).
    recovery_codes_left: i64,
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
    revealed: Option<Revealed>,
    totp_setup: Option<(String, String)>,
    errors: ValidationError,
    error: Option<&'static str>,
}

async fn page(state: &AppState, authed: &Authed, extras: Extras) -> Result<AccountPage, AppError> {
    let c = Chrome::load(state, &authed.ctx).await?;
    let store = state.store();
    let user = authed.user.user_id();
    let error = extras.error.map(|key| c.tr.t(key));
    let (new_token, new_recovery_codes) = match extras.revealed {
        Some(Revealed::ApiToken(token)) => (Some(token), None),
        Some(Revealed::RecoveryCodes(codes)) => (None, Some(codes.join("\n"))),
        None => (None, None),
    };
    Ok(AccountPage {
        sessions: store.sessions_of(user, unix_now()).await?,
        current_session: current_session(authed),
        tokens: store.api_tokens_of(user).await?,
        new_token,
        new_recovery_codes,
        recovery_codes_left: if authed.user.totp_enabled {
            store.recovery_codes_left(user).await?
        } else {
            0
        },
        totp_qr: extras.totp_setup.as_ref().and_then(|(_, url)| qr_svg(url)),
        totp_setup: extras.totp_setup,
        errors: extras.errors,
        error,
        c,
    })
}

/// The session of this request; without one (an API token), an id no session has.
fn current_session(authed: &Authed) -> SessionId {
    authed.ctx.session.as_ref().map_or(SessionId(0), |s| s.id)
}

/// A redirect to `location` that carries `secret` to that page, once.
fn see_other_revealing(
    state: &AppState,
    authed: &Authed,
    location: &str,
    secret: Revealed,
) -> Response {
    let cookie = once::cookie_for(state, current_session(authed), secret, unix_now());
    with_cookies(see_other(location), vec![cookie])
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

/// The account page; shows, once, a secret the previous form created.
pub async fn show(
    State(state): State<AppState>,
    authed: Authed,
    headers: HeaderMap,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let (revealed, clear) = once::take(&state, &headers, current_session(&authed), unix_now());
    let extras = Extras {
        revealed,
        ..Default::default()
    };
    let mut page = page(&state, &authed, extras).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    Ok(with_cookies(render(&page), clear.into_iter().collect()))
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
    /// The "also revoke my API tokens" checkbox (ticked by default): present when ticked.
    revoke_tokens: Option<String>,
}

/// Changing the password also ends every other session and, when asked, revokes the
/// account's API tokens (someone who learnt the old password may have made one).
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
    if form.revoke_tokens.is_some() {
        store.revoke_all_api_tokens(authed.user.user_id()).await?;
        return Ok(see_other(
            "/account?flash=flash-password-changed-tokens-revoked",
        ));
    }
    Ok(see_other("/account?flash=flash-password-changed"))
}

/// Draws a new TOTP seed, kept sealed in the account until a code confirms it, and redirects
/// to the page that shows it (a reload shows the same seed rather than drawing another).
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
    Ok(see_other("/account/totp"))
}

/// The seed awaiting confirmation, as a QR code, a key and a link.
pub async fn totp_setup(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Response, AppError> {
    if authed.user.totp_enabled {
        return Ok(see_other("/account"));
    }
    let Some(secret) = pending_secret(&state, &authed).await? else {
        return Ok(see_other("/account"));
    };
    let url = totp::provisioning_url(&secret, &authed.user.email).unwrap_or_default();
    let extras = Extras {
        totp_setup: Some((secret, url)),
        ..Default::default()
    };
    Ok(render(&page(&state, &authed, extras).await?))
}

async fn pending_secret(state: &AppState, authed: &Authed) -> Result<Option<String>, AppError> {
    let credentials = state
        .store()
        .credentials_by_id(authed.user.user_id())
        .await?;
    Ok(credentials
        .totp_secret
        .as_deref()
        .and_then(|s| state.secrets().open(s).ok()))
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
    if authed.user.totp_enabled {
        return Ok(see_other("/account"));
    }
    let Some(secret) = pending_secret(&state, &authed).await? else {
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
    store.enable_totp(user).await?;
    let codes = store.replace_recovery_codes(user, unix_now()).await?;
    Ok(see_other_revealing(
        &state,
        &authed,
        "/account?flash=flash-totp-enabled",
        Revealed::RecoveryCodes(codes),
    ))
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

/// New recovery codes, after the password: the old ones stop working.
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    authed: Authed,
    Form(form): Form<ConfirmPasswordForm>,
) -> Result<Response, AppError> {
    if !authed.user.totp_enabled {
        return Ok(see_other("/account"));
    }
    let store = state.store();
    let credentials = store.credentials_by_id(authed.user.user_id()).await?;
    if !crate::passwords::verify(&form.password, &credentials.password_hash).await {
        let extras = Extras {
            error: Some("error-password-wrong"),
            ..Default::default()
        };
        return Ok(unprocessable(&page(&state, &authed, extras).await?));
    }
    let codes = store
        .replace_recovery_codes(authed.user.user_id(), unix_now())
        .await?;
    Ok(see_other_revealing(
        &state,
        &authed,
        "/account?flash=flash-recovery-codes-regenerated",
        Revealed::RecoveryCodes(codes),
    ))
}

/// Ends one of the user's other sessions; only with the box ticked.
pub async fn revoke_session(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<SessionId>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .delete_session(authed.user.user_id(), id)
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
    Ok(see_other_revealing(
        &state,
        &authed,
        "/account",
        Revealed::ApiToken(token),
    ))
}

/// Revokes an API token; only with the box ticked.
pub async fn revoke_token(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ApiTokenId>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .revoke_api_token(authed.user.user_id(), id)
        .await?;
    Ok(see_other("/account?flash=flash-token-revoked"))
}
