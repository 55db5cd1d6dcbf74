//! A workspace's channels: list them with their state and capabilities, connect (Bluesky with an
//! app password, Mastodon by OAuth or with a pasted token, WordPress with an application
//! password), check, reconnect and disconnect.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::{Authed, Member};
use crate::dates::{self, TimeHtml};
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::response::Response;
use serde::Deserialize;
use tribune_channels::{BrokenReason, ChannelError, ChannelService, StateMessage};
use tribune_connectors::{Capability, ConnectorError, Credentials, ErrorKind, Network, Secret};
use tribune_domain::{ChannelId, WorkspaceId};
use tribune_store::channels::{Channel, ChannelState};
use tribune_store::notifications::Notification;
use tribune_store::unix_now;

/// One channel as the page shows it.
pub struct ChannelView {
    pub channel: Channel,
    pub network_name: &'static str,
    pub capabilities: Vec<Capability>,
    /// For reconnect forms: the account's server (PDS, instance or site) and login, if known.
    pub server: String,
    pub login: String,
}

impl ChannelView {
    pub fn is_active(&self) -> bool {
        self.channel.state == ChannelState::Active
    }

    pub fn is_broken(&self) -> bool {
        self.channel.state == ChannelState::Broken
    }

    /// The badge: the channel's state, and for an active channel that the last check could not
    /// reach, « injoignable » (it stays active: nothing is wrong with its credentials).
    pub fn state_key(&self) -> &'static str {
        match self.channel.state {
            ChannelState::Active if self.last_check() == Some("unreachable") => {
                "channel-state-unreachable"
            }
            ChannelState::Active => "channel-state-active",
            ChannelState::Broken => "channel-state-broken",
            ChannelState::Disconnected => "channel-state-disconnected",
        }
    }

    /// The badge's class: `active`, `broken`, `disconnected` or `unreachable`.
    pub fn state_class(&self) -> &'static str {
        match self.state_key() {
            "channel-state-unreachable" => "unreachable",
            _ => self.channel.state.as_str(),
        }
    }

    fn last_check(&self) -> Option<&str> {
        self.channel.last_check_result.as_deref()
    }

    /// How the last credentials check ended, as a catalogue key.
    pub fn check_result_key(&self) -> Option<&'static str> {
        Some(match self.last_check()? {
            "ok" => "channel-check-result-ok",
            "refused" => "channel-check-result-refused",
            "unreachable" => "channel-check-result-unreachable",
            "rate_limited" => "channel-check-result-rate-limited",
            _ => "channel-check-result-error",
        })
    }

    /// Initials for the avatar placeholder.
    pub fn initials(&self) -> String {
        self.channel
            .display_name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect::<String>()
            .to_uppercase()
    }

    pub fn profile_link(&self) -> Option<&str> {
        self.channel
            .profile_url
            .as_deref()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    }
}

#[derive(Template)]
#[template(path = "channels.html")]
pub struct ChannelsPage {
    c: Chrome,
    ws_id: WorkspaceId,
    channels: Vec<ChannelView>,
    notifications: Vec<Notification>,
    can_manage: bool,
    error: Option<String>,
    /// Which connect form the error belongs to, so it opens with the error.
    error_form: Option<&'static str>,
    /// What the manager typed in the failed form (never the secret), to fix and send again.
    typed: Typed,
    now: i64,
}

/// The non-secret fields of a connect form that failed.
#[derive(Default)]
pub struct Typed {
    pub server: String,
    pub login: String,
}

impl ChannelsPage {
    fn channel_name(&self, id: &Option<ChannelId>) -> String {
        id.and_then(|id| self.channels.iter().find(|v| v.channel.id == id))
            .map(|v| format!("{} · {}", v.network_name, v.channel.handle))
            .unwrap_or_default()
    }

    /// Why a channel broke, for a card or an alert: the network's words as such, tribune's own
    /// reasons translated; `None` when nothing was said.
    fn state_note(&self, stored: &str) -> Option<String> {
        match StateMessage::parse(stored) {
            StateMessage::Empty => None,
            StateMessage::Network(said) => {
                Some(self.c.tr.t1("channel-network-said", "message", said))
            }
            StateMessage::Tribune(BrokenReason::CredentialsSealed) => {
                Some(self.c.tr.t("channel-reason-credentials-sealed"))
            }
        }
    }

    /// "Last checked on …: refused", when the channel was ever checked.
    fn last_check_line(&self, v: &ChannelView) -> Option<TimeHtml> {
        let at = v.channel.last_checked_at?;
        let Some(key) = v.check_result_key() else {
            return Some(self.c.date_t1("channel-checked-at", "time", &at));
        };
        let time = dates::time_element(self.c.tr.i18n(), self.c.tr.lang, &self.c.tz, at, None);
        Some(dates::message_with_time_and(
            self.c.tr.i18n(),
            self.c.tr.lang,
            "channel-last-check",
            "time",
            &time,
            &[("result", &self.c.tr.t(key))],
        ))
    }

    fn capability_label(&self, capability: &Capability) -> String {
        self.c.tr.t(&format!("capability-{}", capability.as_str()))
    }

    fn form_open(&self, form: &str) -> bool {
        self.error_form == Some(form)
    }

    /// A failed form's server field, for the form it belongs to.
    fn typed_server(&self, form: &str) -> &str {
        if self.form_open(form) {
            &self.typed.server
        } else {
            ""
        }
    }

    fn typed_login(&self, form: &str) -> &str {
        if self.form_open(form) {
            &self.typed.login
        } else {
            ""
        }
    }
}

pub fn view(channel: Channel, login: Option<(String, String)>) -> ChannelView {
    let network = channel.network.parse::<Network>().ok();
    let (server, login) = login.unwrap_or_default();
    ChannelView {
        network_name: network.map(Network::display_name).unwrap_or("?"),
        capabilities: ChannelService::capabilities(&channel).iter().collect(),
        channel,
        server,
        login,
    }
}

/// The server and login a reconnect form is pre-filled with; never a secret.
fn login_of(credentials: &Credentials) -> (String, String) {
    match credentials {
        Credentials::Bluesky {
            service,
            identifier,
            ..
        } => (service.clone(), identifier.clone()),
        Credentials::Mastodon { instance, .. } => (instance.clone(), String::new()),
        Credentials::WordPress { site, username, .. } => (site.clone(), username.clone()),
        // The test sink (tribune-connectors' `sink` feature) is never shown to a person.
        _ => (String::new(), String::new()),
    }
}

async fn page(
    state: &AppState,
    member: &Member,
    error: Option<(&'static str, String)>,
) -> Result<ChannelsPage, AppError> {
    let (c, _) = Chrome::for_member(state, member).await?;
    let store = state.store();
    let can_manage = member.scope.role().can_manage_channels();
    let mut channels = Vec::new();
    for channel in store.channels(&member.scope).await? {
        // Only the reconnect form, shown for channels that are not active, needs them.
        let login = if can_manage && channel.state != ChannelState::Active {
            state
                .channels()
                .login_hint(&member.scope, channel.id)
                .await
                .map(|c| login_of(&c))
        } else {
            None
        };
        channels.push(view(channel, login));
    }
    let (error_form, error) = match error {
        Some((form, message)) => (Some(form), Some(message)),
        None => (None, None),
    };
    Ok(ChannelsPage {
        c,
        ws_id: member.scope.workspace(),
        channels,
        notifications: store.open_notifications(&member.scope).await?,
        can_manage,
        error,
        error_form,
        typed: Typed::default(),
        now: unix_now(),
    })
}

pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let mut page = page(&state, &member, None).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    Ok(show(&state, &page))
}

/// The page's forms may redirect to a Mastodon instance's consent page: on `https:`, or also on
/// `http:` when networks may be reached that way.
fn show(state: &AppState, page: &ChannelsPage) -> Response {
    let mut response = render(page);
    let policy = if state.config().allow_http_networks {
        super::CSP_OAUTH_FORMS_HTTP
    } else {
        super::CSP_OAUTH_FORMS
    };
    response
        .headers_mut()
        .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    response
}

/// Where a Mastodon instance sends the manager back.
fn redirect_uri(state: &AppState) -> String {
    format!(
        "{}/oauth/mastodon/callback",
        state.config().public_url.trim_end_matches('/')
    )
}

#[derive(Deserialize)]
pub struct MastodonForm {
    #[serde(default)]
    instance: String,
}

/// Sends the manager to their instance to authorise tribune.
pub async fn connect_mastodon(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<MastodonForm>,
) -> Result<Response, AppError> {
    let started = state
        .channels()
        .start_mastodon_oauth(
            &member.scope,
            &form.instance,
            &redirect_uri(&state),
            unix_now(),
        )
        .await;
    match started {
        Ok(url) => Ok(see_other(url.as_str())),
        Err(ChannelError::Connector(e)) => {
            let typed = Typed {
                server: form.instance,
                login: String::new(),
            };
            connect_failed(&state, &member, &e, "mastodon", typed).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The instance sends the manager back here with a code (or an error if they declined).
pub async fn mastodon_callback(
    State(state): State<AppState>,
    Authed { user, .. }: Authed,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let oauth_state = query.state.unwrap_or_default();
    let now = unix_now();
    let code = match query.code {
        Some(code) if query.error.is_none() && !code.is_empty() && code.len() <= 512 => code,
        _ => {
            let ws = state
                .channels()
                .abandon_oauth(user.user_id(), &oauth_state, now)
                .await?;
            return Ok(see_other(&format!(
                "/w/{ws}/channels?flash=flash-warn-channel-oauth-denied"
            )));
        }
    };
    let channel = state
        .channels()
        .finish_mastodon_oauth(
            user.user_id(),
            &oauth_state,
            &code,
            &redirect_uri(&state),
            now,
        )
        .await?;
    Ok(see_other(&format!(
        "/w/{}/channels?flash=flash-channel-connected",
        channel.workspace()
    )))
}

#[derive(Deserialize)]
pub struct BlueskyForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    app_password: String,
}

pub async fn connect_bluesky(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<BlueskyForm>,
) -> Result<Response, AppError> {
    // The connector fills in the default server and cleans up the handle.
    let credentials = Credentials::Bluesky {
        service: form.service,
        identifier: form.identifier,
        app_password: Secret(form.app_password.trim().to_string()),
        session: None,
    };
    connect(&state, &member, credentials, "bluesky").await
}

#[derive(Deserialize)]
pub struct MastodonTokenForm {
    #[serde(default)]
    instance: String,
    #[serde(default)]
    access_token: String,
}

pub async fn connect_mastodon_token(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<MastodonTokenForm>,
) -> Result<Response, AppError> {
    let credentials = Credentials::Mastodon {
        instance: form.instance.trim().to_string(),
        access_token: Secret(form.access_token.trim().to_string()),
    };
    connect(&state, &member, credentials, "mastodon-token").await
}

#[derive(Deserialize)]
pub struct WordPressForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    app_password: String,
}

pub async fn connect_wordpress(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<WordPressForm>,
) -> Result<Response, AppError> {
    let credentials = Credentials::WordPress {
        site: form.site.trim().to_string(),
        username: form.username.trim().to_string(),
        app_password: Secret(form.app_password.trim().to_string()),
    };
    connect(&state, &member, credentials, "wordpress").await
}

async fn connect(
    state: &AppState,
    member: &Member,
    credentials: Credentials,
    form: &'static str,
) -> Result<Response, AppError> {
    member
        .scope
        .require(tribune_domain::Role::can_manage_channels)?;
    let credentials_typed = credentials.clone();
    match state
        .channels()
        .connect(&member.scope, credentials, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/w/{}/channels?flash=flash-channel-connected",
            member.scope.workspace()
        ))),
        Err(ChannelError::Connector(e)) => {
            let (server, login) = login_of(&credentials_typed);
            connect_failed(state, member, &e, form, Typed { server, login }).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The channels page again, with the network's refusal above the form that caused it.
async fn connect_failed(
    state: &AppState,
    member: &Member,
    error: &ConnectorError,
    form: &'static str,
    typed: Typed,
) -> Result<Response, AppError> {
    let tr = crate::i18n::Tr::new(state, member.ctx.lang);
    let message = crate::error::connector_message(&tr, error);
    let mut page = page(state, member, Some((form, message))).await?;
    page.c.path = format!("/w/{}/channels", member.scope.workspace());
    page.typed = typed;
    Ok(crate::error::with_status(
        show(state, &page),
        crate::error::connector_status(error),
    ))
}

pub async fn check(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, ChannelId)>,
) -> Result<Response, AppError> {
    let result = state.channels().check(&member.scope, id, unix_now()).await;
    // The same words as the result the card shows (refused, unreachable, …).
    let flash = match result {
        Ok(_) => "flash-channel-ok",
        Err(ChannelError::Connector(e)) => match e.kind {
            ErrorKind::Auth => "flash-warn-channel-broken",
            ErrorKind::Transient | ErrorKind::InvalidResponse => "flash-warn-channel-unreachable",
            ErrorKind::RateLimited => "flash-warn-channel-rate-limited",
            ErrorKind::Permanent | ErrorKind::InvalidInput | ErrorKind::Unsupported => {
                "flash-warn-channel-check-failed"
            }
        },
        Err(ChannelError::NotActive(_)) => "flash-warn-channel-not-active",
        Err(other) => return Err(other.into()),
    };
    Ok(see_other(&format!(
        "/w/{}/channels?flash={flash}",
        member.scope.workspace()
    )))
}

/// The copy of the channel's avatar tribune keeps; served so that a browser never runs it.
pub async fn avatar(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, ChannelId)>,
) -> Result<Response, AppError> {
    let (bytes, media_type) = state
        .store()
        .channel_avatar(&member.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(super::settings::private_image(bytes, media_type))
}

/// Erases the channel's credentials (its history stays); only with the box ticked.
pub async fn disconnect(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, ChannelId)>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    state
        .store()
        .disconnect_channel(&member.scope, id, unix_now())
        .await?;
    Ok(see_other(&format!(
        "/w/{}/channels?flash=flash-channel-disconnected",
        member.scope.workspace()
    )))
}
