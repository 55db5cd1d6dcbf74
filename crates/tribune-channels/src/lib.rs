//! The channel service: the one place where stored channels meet connectors.
//!
//! A connector knows a network, the store knows channels; this crate keeps them in step. Every
//! call to a channel's network goes through [`ChannelService::call`], which opens the sealed
//! credentials, builds the connector, runs the call, and then stores what the call changed:
//! refreshed tokens, the rate-limit gate, and — when the network refused the credentials — the
//! channel's broken state with a notification for the team. Transient failures (timeouts, 5xx,
//! 429) never break a channel.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tribune_connectors::http::HttpClient;
use tribune_connectors::mastodon::oauth;
use tribune_connectors::{
    Capabilities, Connector, ConnectorContext, ConnectorError, Credentials, ErrorKind, Network,
    Secret,
};
use tribune_domain::ChannelId;
use tribune_domain::security::secret_box::SecretBox;
use tribune_domain::security::token::random_token;
use tribune_store::channels::{Channel, ChannelLimits, ChannelNew, ChannelState, SealedChannel};
use tribune_store::oauth::OauthApp;
use tribune_store::{Store, StoreError, WorkspaceScope};

/// Builds a connector from credentials; `tribune_connectors::build` in production.
pub type ConnectorFactory = Arc<
    dyn Fn(&Credentials, &ConnectorContext) -> Result<Box<dyn Connector>, ConnectorError>
        + Send
        + Sync,
>;

/// A future borrowing the connector it runs on.
pub type ConnectorCall<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, ConnectorError>> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// The channel is broken or disconnected: it must be reconnected first.
    #[error("the channel is {0:?}")]
    NotActive(ChannelState),
    /// The stored credentials cannot be opened (the secret key changed).
    #[error("the channel's credentials cannot be decrypted")]
    Sealed,
    /// An OAuth callback whose state is unknown, expired, used, or someone else's.
    #[error("unknown or expired authorization")]
    OauthState,
}

/// What the `state_message` of a channel (and the message of the team's notification) once said
/// when its credentials could not be decrypted, before reasons were stored as codes: still read
/// as [`BrokenReason::CredentialsSealed`].
const LEGACY_SEALED_MESSAGE: &str =
    "the stored credentials cannot be decrypted (the secret key changed): reconnect the channel";

/// Starts a stored message that is one of tribune's own reasons. Network messages never contain
/// control characters (the connectors clean them, and [`ChannelService::persist`] again), so a
/// message starting with it is never the network's words.
const REASON_MARK: char = '\u{1}';

/// Why tribune itself (not the network) marked a channel broken. Stored as a code in the
/// channel's `state_message`, so pages translate it in the reader's language instead of showing
/// tribune's English as if the network had said it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokenReason {
    /// The stored credentials cannot be decrypted: the secret key changed.
    CredentialsSealed,
}

impl BrokenReason {
    /// A stable code, for the API and the catalogue keys.
    pub fn code(self) -> &'static str {
        match self {
            BrokenReason::CredentialsSealed => "credentials_sealed",
        }
    }

    /// The form kept in `state_message`.
    fn stored(self) -> String {
        format!("{REASON_MARK}{}", self.code())
    }
}

/// What a broken channel's stored `state_message` (or its notification's message) stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateMessage<'a> {
    /// Nothing was said.
    Empty,
    /// The network's own words, to be shown as such.
    Network(&'a str),
    /// One of tribune's reasons, to be translated.
    Tribune(BrokenReason),
}

impl<'a> StateMessage<'a> {
    pub fn parse(stored: &'a str) -> StateMessage<'a> {
        if let Some(code) = stored.strip_prefix(REASON_MARK) {
            return match code {
                "credentials_sealed" => StateMessage::Tribune(BrokenReason::CredentialsSealed),
                // A reason this version does not know (written by a newer one): say nothing
                // rather than show a code as the network's words.
                _ => StateMessage::Empty,
            };
        }
        match stored.trim() {
            "" => StateMessage::Empty,
            LEGACY_SEALED_MESSAGE => StateMessage::Tribune(BrokenReason::CredentialsSealed),
            _ => StateMessage::Network(stored),
        }
    }
}

/// The largest avatar kept.
const MAX_AVATAR_BYTES: usize = 512 * 1024;

/// How long before expiry tokens are renewed, by the background refresh and before each call.
pub const REFRESH_MARGIN_SECS: i64 = 15 * 60;

#[derive(Clone)]
pub struct ChannelService {
    store: Store,
    secrets: SecretBox,
    http: HttpClient,
    factory: ConnectorFactory,
}

/// What one pass of the background refresh did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RefreshReport {
    pub refreshed: usize,
    pub broken: usize,
    /// Transient failures: tried again on the next pass.
    pub failed: usize,
}

/// What one pass of the background credentials check found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CheckReport {
    pub ok: usize,
    pub refused: usize,
    /// Unreachable, rate limited or failed otherwise: the channel stays as it was.
    pub failed: usize,
}

/// How a credentials check ended, as stored on the channel; `None` when no call was made.
fn check_result<T>(outcome: &Result<T, ChannelError>) -> Option<&'static str> {
    match outcome {
        Ok(_) => Some("ok"),
        Err(ChannelError::Connector(e)) => Some(match e.kind {
            ErrorKind::Auth => "refused",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Transient | ErrorKind::InvalidResponse => "unreachable",
            ErrorKind::Permanent | ErrorKind::InvalidInput | ErrorKind::Unsupported => "error",
        }),
        Err(ChannelError::NotActive(ChannelState::Broken)) => Some("refused"),
        Err(_) => None,
    }
}

/// The post limits the channel's server announces, to store with the channel; `None` when the
/// network has none of its own or they could not be read this time (the stored ones stay).
async fn announced_limits(connector: &dyn Connector) -> Option<ChannelLimits> {
    match connector.status_limits().await {
        Ok(limits) => limits.map(|l| ChannelLimits {
            max_characters: l.max_characters,
            characters_reserved_per_url: l.characters_reserved_per_url,
            max_media_attachments: l.max_media_attachments,
        }),
        Err(error) => {
            tracing::info!(%error, "the server's post limits were not read");
            None
        }
    }
}

/// What the network said, as stored: control characters other than line breaks removed.
fn network_words(said: Option<&str>) -> String {
    said.unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect()
}

impl ChannelService {
    pub fn new(
        store: Store,
        secrets: SecretBox,
        http: HttpClient,
        factory: ConnectorFactory,
    ) -> Self {
        ChannelService {
            store,
            secrets,
            http,
            factory,
        }
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn secrets(&self) -> &SecretBox {
        &self.secrets
    }

    /// The capabilities a channel's network offers, from its stored declaration.
    pub fn capabilities(channel: &Channel) -> Capabilities {
        Capabilities::from_csv(&channel.capabilities)
    }

    /// Connects an account from its credentials: the connector signs in and describes the
    /// account, then the channel is stored (or, for an account this workspace had before,
    /// reconnected with its history). Nothing is stored if the network refuses.
    pub async fn connect(
        &self,
        scope: &WorkspaceScope,
        credentials: Credentials,
        now: i64,
    ) -> Result<Channel, ChannelError> {
        scope.require(tribune_domain::Role::can_manage_channels)?;
        let connector = self.build(&credentials, None)?;
        let profile = connector.verify().await?;
        let avatar = self.fetch_avatar(profile.avatar_url.as_deref()).await;
        let sealed = self.seal(&connector.credentials())?;
        let channel = self
            .store
            .connect_channel(
                scope,
                ChannelNew {
                    network: connector.network().as_str().to_string(),
                    remote_id: profile.remote_id,
                    handle: profile.handle,
                    display_name: profile.display_name,
                    avatar_url: profile.avatar_url,
                    profile_url: profile.profile_url,
                    avatar,
                    capabilities: connector.capabilities().to_csv(),
                    sealed_credentials: sealed,
                    token_expires_at: connector.credentials_expire_at(),
                },
                now,
            )
            .await?;
        // Connecting checked the credentials: a reconnected channel must not keep showing the
        // refusal of its last check.
        self.store
            .record_channel_check(channel.key(), "ok", now)
            .await?;
        if let Some(limits) = announced_limits(connector.as_ref()).await {
            self.store
                .set_channel_limits(channel.key(), limits, now)
                .await?;
        }
        let channel = self.store.channel(scope, channel.id).await?;
        tracing::info!(channel = channel.id.0, network = %channel.network, "channel connected");
        Ok(channel)
    }

    /// Checks a channel's credentials now and refreshes its profile; an active channel whose
    /// credentials are refused becomes broken.
    pub async fn check(
        &self,
        scope: &WorkspaceScope,
        id: ChannelId,
        now: i64,
    ) -> Result<Channel, ChannelError> {
        scope.require(tribune_domain::Role::can_manage_channels)?;
        let verified = self
            .call(scope, id, now, |connector| {
                Box::pin(async move {
                    let profile = connector.verify().await?;
                    let capabilities = connector.capabilities().to_csv();
                    Ok((profile, announced_limits(connector).await, capabilities))
                })
            })
            .await;
        let channel = self.store.channel(scope, id).await?;
        if let Some(result) = check_result(&verified) {
            self.store
                .record_channel_check(channel.key(), result, now)
                .await?;
        }
        let (profile, limits, capabilities) = verified?;
        if let Some(limits) = limits {
            self.store
                .set_channel_limits(channel.key(), limits, now)
                .await?;
        }
        if capabilities != channel.capabilities {
            self.store
                .set_channel_capabilities(channel.key(), &capabilities, now)
                .await?;
        }
        let avatar = self.fetch_avatar(profile.avatar_url.as_deref()).await;
        self.store
            .update_channel_profile(
                channel.key(),
                &profile.handle,
                &profile.display_name,
                profile.avatar_url.as_deref(),
                avatar,
                now,
            )
            .await?;
        Ok(self.store.channel(scope, id).await?)
    }

    /// A copy of the account's avatar, so pages show it without asking a third party (no
    /// tracking, no broken image when the network's CDN moves). Best effort: anything that is
    /// not a small PNG, JPEG, WebP or GIF is ignored.
    async fn fetch_avatar(&self, url: Option<&str>) -> Option<(Vec<u8>, String)> {
        let url = self.http.checked_url(url?).ok()?;
        match self.http.get_small(url, MAX_AVATAR_BYTES).await {
            Ok(response) => {
                let media_type = tribune_domain::workspace::logo_media_type(&response.body).ok()?;
                Some((response.body, media_type.to_string()))
            }
            Err(e) => {
                tracing::info!(error = %e, "avatar not fetched");
                None
            }
        }
    }

    /// Starts connecting a Mastodon account by OAuth: registers tribune on the instance (once
    /// per instance, kept sealed), remembers a PKCE verifier under a random state for fifteen
    /// minutes, and returns the instance's consent page to send the manager to.
    pub async fn start_mastodon_oauth(
        &self,
        scope: &WorkspaceScope,
        instance: &str,
        redirect_uri: &str,
        now: i64,
    ) -> Result<url::Url, ChannelError> {
        scope.require(tribune_domain::Role::can_manage_channels)?;
        let instance = self.http.base_url(instance)?;
        let server = instance.as_str().trim_end_matches('/').to_string();
        let app = self
            .mastodon_app(&instance, &server, redirect_uri, now)
            .await?;
        let pkce = oauth::Pkce::generate();
        let state = random_token();
        self.store
            .begin_oauth(
                scope,
                &state,
                Network::Mastodon.as_str(),
                &server,
                &self.secrets.seal(pkce.verifier.expose()),
                now,
            )
            .await?;
        Ok(oauth::authorize_url(
            &instance,
            &app,
            redirect_uri,
            &state,
            &pkce.challenge,
        )?)
    }

    /// Finishes an OAuth connection when the manager comes back with a code: the state must be
    /// theirs and fresh; the code is exchanged for a token and the account connected.
    pub async fn finish_mastodon_oauth(
        &self,
        user: tribune_domain::UserId,
        state: &str,
        code: &str,
        redirect_uri: &str,
        now: i64,
    ) -> Result<Channel, ChannelError> {
        let pending = self
            .store
            .take_oauth_state(state, now)
            .await?
            .filter(|p| p.user() == user && p.network == Network::Mastodon.as_str())
            .ok_or(ChannelError::OauthState)?;
        let scope = self.store.scope(user, pending.workspace()).await?;
        let instance = self.http.base_url(&pending.server)?;
        let app = self
            .mastodon_app(&instance, &pending.server, redirect_uri, now)
            .await?;
        let verifier = self
            .secrets
            .open(&pending.verifier)
            .map_err(|_| ChannelError::Sealed)?;
        let token = match oauth::exchange_code(
            &self.http,
            &instance,
            &app,
            code,
            redirect_uri,
            &Secret(verifier),
        )
        .await
        {
            Ok(token) => token,
            Err(e) => {
                if e.breaks_channel() {
                    // Refused: perhaps the instance no longer knows tribune's registration
                    // (`invalid_client`). Registering again on the next attempt costs little.
                    self.store
                        .forget_oauth_app(Network::Mastodon.as_str(), &pending.server, redirect_uri)
                        .await?;
                }
                return Err(e.into());
            }
        };
        self.connect(
            &scope,
            Credentials::Mastodon {
                instance: pending.server,
                access_token: token,
            },
            now,
        )
        .await
    }

    /// Forgets a pending authorisation the manager declined, returning its workspace.
    pub async fn abandon_oauth(
        &self,
        user: tribune_domain::UserId,
        state: &str,
        now: i64,
    ) -> Result<tribune_domain::WorkspaceId, ChannelError> {
        self.store
            .take_oauth_state(state, now)
            .await?
            .filter(|p| p.user() == user)
            .map(|p| p.workspace())
            .ok_or(ChannelError::OauthState)
    }

    async fn mastodon_app(
        &self,
        instance: &url::Url,
        server: &str,
        redirect_uri: &str,
        now: i64,
    ) -> Result<oauth::AppRegistration, ChannelError> {
        let network = Network::Mastodon.as_str();
        if let Some(app) = self.store.oauth_app(network, server, redirect_uri).await? {
            match self.secrets.open(&app.client_secret) {
                Ok(secret) => {
                    return Ok(oauth::AppRegistration {
                        client_id: app.client_id,
                        client_secret: Secret(secret),
                    });
                }
                // Sealed under an older secret key: register again.
                Err(_) => {
                    self.store
                        .forget_oauth_app(network, server, redirect_uri)
                        .await?;
                }
            }
        }
        let app = oauth::register_app(&self.http, instance, redirect_uri, "tribune", None).await?;
        let stored = OauthApp {
            client_id: app.client_id.clone(),
            client_secret: self.secrets.seal(app.client_secret.expose()),
        };
        self.store
            .save_oauth_app(network, server, redirect_uri, &stored, now)
            .await?;
        // Another node may have registered first; everyone uses the one stored.
        match self.store.oauth_app(network, server, redirect_uri).await? {
            Some(kept) if kept.client_id != app.client_id => {
                let secret = self
                    .secrets
                    .open(&kept.client_secret)
                    .map_err(|_| ChannelError::Sealed)?;
                Ok(oauth::AppRegistration {
                    client_id: kept.client_id,
                    client_secret: Secret(secret),
                })
            }
            _ => Ok(app),
        }
    }

    /// The stored credentials of a channel, to pre-fill a reconnect form with its server and
    /// login (callers must not show the secrets). `None` once disconnected.
    pub async fn login_hint(&self, scope: &WorkspaceScope, id: ChannelId) -> Option<Credentials> {
        let sealed = self.store.channel_credentials(scope, id).await.ok()?;
        let json = self.secrets.open(sealed.credentials.as_deref()?).ok()?;
        serde_json::from_str(&json).ok()
    }

    /// Runs one call on an active channel's connector, then stores what changed: refreshed
    /// credentials, the rate-limit gate, and the broken state if the credentials were refused.
    /// Callers check the member's role for what the call does; this checks the channel.
    pub async fn call<T, F>(
        &self,
        scope: &WorkspaceScope,
        id: ChannelId,
        now: i64,
        op: F,
    ) -> Result<T, ChannelError>
    where
        F: for<'a> FnOnce(&'a dyn Connector) -> ConnectorCall<'a, T>,
    {
        let channel = self.store.channel(scope, id).await?;
        let sealed = self.store.channel_credentials(scope, id).await?;
        self.call_with(&channel, sealed, now, op).await
    }

    /// [`ChannelService::call`] on a channel and its sealed credentials the caller has just
    /// read through the workspace's scope (the publisher reads them with the attempt it
    /// starts): no query before the call.
    pub async fn call_with<T, F>(
        &self,
        channel: &Channel,
        sealed: SealedChannel,
        now: i64,
        op: F,
    ) -> Result<T, ChannelError>
    where
        F: for<'a> FnOnce(&'a dyn Connector) -> ConnectorCall<'a, T>,
    {
        if channel.state != ChannelState::Active {
            return Err(ChannelError::NotActive(channel.state));
        }
        let connector = match self.open(&sealed) {
            Err(ChannelError::Sealed) => {
                self.break_undecryptable(&sealed, now).await;
                return Err(ChannelError::NotActive(ChannelState::Broken));
            }
            other => other?,
        };
        let result = match connector.refresh_credentials(REFRESH_MARGIN_SECS).await {
            Ok(()) => op(connector.as_ref()).await,
            Err(e) => Err(e),
        };
        let outcome = result.as_ref().map(|_| ()).map_err(Clone::clone);
        if let Err(e) = self
            .persist(&sealed, connector.as_ref(), &outcome, now)
            .await
        {
            // The network did what it did (a post may be out): say so, whatever the database.
            tracing::error!(channel = sealed.id().0, error = %e, "cannot store a channel's state after a call");
        }
        Ok(result?)
    }

    /// Renews the tokens that expire within the margin, across all workspaces. Run regularly by
    /// `tribune serve` (and later the worker) so a token never dies before a scheduled post.
    /// One channel's failure never stops the others.
    pub async fn refresh_expiring(&self, now: i64) -> Result<RefreshReport, ChannelError> {
        let mut report = RefreshReport::default();
        let due = self
            .store
            .channels_with_tokens_expiring(now + REFRESH_MARGIN_SECS, 100)
            .await?;
        for sealed in due {
            let connector = match self.open(&sealed) {
                Ok(connector) => connector,
                Err(ChannelError::Sealed) => {
                    self.break_undecryptable(&sealed, now).await;
                    report.broken += 1;
                    continue;
                }
                Err(e) => {
                    tracing::warn!(channel = sealed.id().0, error = %e, "cannot open a channel to refresh it");
                    report.failed += 1;
                    continue;
                }
            };
            let result = connector.refresh_credentials(REFRESH_MARGIN_SECS).await;
            match &result {
                Ok(()) => report.refreshed += 1,
                Err(e) if e.breaks_channel() => report.broken += 1,
                Err(_) => report.failed += 1,
            }
            if let Err(e) = self
                .persist(&sealed, connector.as_ref(), &result, now)
                .await
            {
                tracing::error!(channel = sealed.id().0, error = %e, "cannot store a refreshed channel");
                report.failed += 1;
            }
        }
        Ok(report)
    }

    /// Checks the credentials of every active channel not checked in the last `every` seconds
    /// (at most `limit` per pass), as the system: a dead token turns the channel red (and the
    /// team is told) before a scheduled post fails. Each check's time and result is recorded,
    /// failed ones too. Several nodes may run it: each channel is claimed by one.
    pub async fn check_due(
        &self,
        now: i64,
        every: i64,
        limit: u64,
    ) -> Result<CheckReport, ChannelError> {
        let mut report = CheckReport::default();
        for (scope, id) in self
            .store
            .claim_channels_due_for_check(now, every, limit)
            .await?
        {
            match self.check(&scope, id, now).await {
                Ok(_) => report.ok += 1,
                Err(ChannelError::Connector(e)) if e.breaks_channel() => report.refused += 1,
                Err(ChannelError::NotActive(_)) => report.refused += 1,
                Err(error) => {
                    tracing::info!(channel = id.0, %error, "channel check did not complete");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// The secret key changed since these credentials were sealed: only reconnecting can help,
    /// so the channel is marked broken and the team told.
    async fn break_undecryptable(&self, sealed: &SealedChannel, now: i64) {
        let used = sealed.credentials.as_deref().unwrap_or_default();
        let broke = self
            .store
            .mark_channel_broken(
                sealed.key(),
                used,
                &BrokenReason::CredentialsSealed.stored(),
                now,
            )
            .await;
        tracing::warn!(
            channel = sealed.id().0,
            ?broke,
            "channel credentials cannot be decrypted"
        );
    }

    /// Stores what a call changed, each write conditional on the channel still holding the
    /// credentials the call started from, so a call that overlaps a reconnection or a
    /// disconnection cannot undo it.
    async fn persist(
        &self,
        sealed: &SealedChannel,
        connector: &dyn Connector,
        outcome: &Result<(), ConnectorError>,
        now: i64,
    ) -> Result<(), ChannelError> {
        let key = sealed.key();
        let Some(mut current) = sealed.credentials.clone() else {
            return Ok(());
        };
        let after = self.seal_if_changed(&current, &connector.credentials())?;
        if let Some(new) = after {
            if self
                .store
                .update_channel_credentials(
                    key,
                    &current,
                    &new,
                    connector.credentials_expire_at(),
                    now,
                )
                .await?
            {
                current = new;
            } else {
                tracing::info!(
                    channel = key.id().0,
                    "channel changed during a call; its result is not stored"
                );
                return Ok(());
            }
        }
        let gate = connector.rate_gate().closed_until(now);
        if gate != sealed.rate_limited_until {
            self.store.set_channel_rate_limit(key, gate, now).await?;
        }
        if let Err(e) = outcome {
            if e.breaks_channel() {
                if self
                    .store
                    // Shown as the network's words: only what the network said, without
                    // control characters (so it can never pass for one of tribune's reasons).
                    .mark_channel_broken(
                        key,
                        &current,
                        &network_words(e.network_message.as_deref()),
                        now,
                    )
                    .await?
                {
                    tracing::warn!(channel = key.id().0, message = %e.message, "channel broken: the network refused its credentials");
                }
            } else if e.kind != ErrorKind::Unsupported {
                tracing::info!(channel = key.id().0, kind = ?e.kind, message = %e.message, "connector call failed");
            }
        }
        Ok(())
    }

    /// The sealed form of `credentials` if they differ from what `stored` holds.
    fn seal_if_changed(
        &self,
        stored: &str,
        credentials: &Credentials,
    ) -> Result<Option<String>, ChannelError> {
        let before: Credentials = self
            .secrets
            .open(stored)
            .ok()
            .and_then(|json| serde_json::from_str(&json).ok())
            .ok_or(ChannelError::Sealed)?;
        if &before == credentials {
            Ok(None)
        } else {
            Ok(Some(self.seal(credentials)?))
        }
    }

    fn open(&self, sealed: &SealedChannel) -> Result<Box<dyn Connector>, ChannelError> {
        let text = sealed
            .credentials
            .as_deref()
            .ok_or(ChannelError::NotActive(ChannelState::Disconnected))?;
        let json = self.secrets.open(text).map_err(|_| ChannelError::Sealed)?;
        let credentials: Credentials =
            serde_json::from_str(&json).map_err(|_| ChannelError::Sealed)?;
        self.build(&credentials, sealed.rate_limited_until)
    }

    fn build(
        &self,
        credentials: &Credentials,
        rate_limited_until: Option<i64>,
    ) -> Result<Box<dyn Connector>, ChannelError> {
        let ctx = ConnectorContext {
            http: self.http.clone(),
            rate_limited_until,
        };
        Ok((self.factory)(credentials, &ctx)?)
    }

    fn seal(&self, credentials: &Credentials) -> Result<String, ChannelError> {
        let json = serde_json::to_string(credentials).map_err(|_| ChannelError::Sealed)?;
        Ok(self.secrets.seal(&json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tribune_reasons_are_told_apart_from_the_networks_words() {
        let stored = BrokenReason::CredentialsSealed.stored();
        assert_eq!(
            StateMessage::parse(&stored),
            StateMessage::Tribune(BrokenReason::CredentialsSealed)
        );
        // What older versions stored is read the same way.
        assert_eq!(
            StateMessage::parse(LEGACY_SEALED_MESSAGE),
            StateMessage::Tribune(BrokenReason::CredentialsSealed)
        );
        assert_eq!(
            StateMessage::parse("The access token is invalid"),
            StateMessage::Network("The access token is invalid")
        );
        assert_eq!(StateMessage::parse("  "), StateMessage::Empty);
        assert_eq!(
            StateMessage::parse("\u{1}from_the_future"),
            StateMessage::Empty
        );
    }

    #[test]
    fn a_network_cannot_pass_its_words_off_as_a_reason_of_tribune() {
        let said = network_words(Some("\u{1}credentials_sealed"));
        assert_eq!(
            StateMessage::parse(&said),
            StateMessage::Network("credentials_sealed")
        );
        assert_eq!(network_words(Some("a\u{7}b\nc")), "ab\nc");
        assert_eq!(network_words(None), "");
    }
}
