//! Mastodon, on any instance (and servers speaking its client API): publish statuses with
//! images and alt text, threads and replies, read mentions and replies, delete, read metrics.
//!
//! Credentials are the instance's address and an access token, obtained with [`oauth`] or
//! pasted by the CM (created in the instance's Preferences → Development, scopes `read write`).
//!
//! References: a [`RemoteRef`] is a status id as the instance gives it (`"110…"`); a
//! [`Cursor`] is the id of the newest notification already read. See
//! `docs/connectors/mastodon.md` for the decisions (idempotency, direct messages, errors).

mod api;
mod inbox;
mod limits;
pub mod oauth;
mod publish;

pub use limits::InstanceLimits;
pub use oauth::{AppRegistration, Pkce, authorize_url, exchange_code, register_app};

use crate::capability::{Capabilities, Capability};
use crate::connector::{Connector, ConnectorContext};
use crate::error::{ConnectorError, Result};
use crate::http::{HttpClient, HttpResponse};
use crate::model::{
    ChannelProfile, Credentials, Cursor, InboxPage, Metrics, Network, PostRequest, PublishedPost,
    RemotePost, RemoteRef, Secret, StatusLimits,
};
use crate::rate::RateGate;
use async_trait::async_trait;
use reqwest::{Method, RequestBuilder};
use std::sync::Mutex;
use std::time::Duration;
use url::Url;

/// What this connector does, and nothing more. Missing on purpose: hiding or deleting others'
/// replies (Mastodon only lets you block, mute or report their authors), native scheduling
/// (`scheduled_at` exists but tribune schedules itself). Direct messages are read and answered
/// as `direct` statuses (see [`inbox`]).
const CAPABILITIES: Capabilities = Capabilities::of(&[
    Capability::PublishText,
    Capability::PublishImage,
    Capability::PublishVideo,
    Capability::LinkPreview,
    Capability::PublishThread,
    Capability::DeletePost,
    Capability::ReadComments,
    Capability::ReadMentions,
    Capability::Reply,
    Capability::ReadMessages,
    Capability::PostMetrics,
    Capability::AccountMetrics,
]);

/// One Mastodon account on one instance.
pub struct MastodonConnector {
    http: HttpClient,
    gate: RateGate,
    credentials: Credentials,
    instance: Url,
    token: Secret,
    /// Read once from the instance, then kept for the connector's life.
    limits: Mutex<Option<InstanceLimits>>,
    /// The account's id, for telling replies to its statuses from other mentions.
    me: Mutex<Option<String>>,
    media_poll: MediaPoll,
    video_poll: MediaPoll,
}

/// How long to wait for the instance to process an uploaded image (`202 Accepted`).
#[derive(Debug, Clone, Copy)]
pub struct MediaPoll {
    pub attempts: u32,
    /// First wait; doubled each time up to 4 s.
    pub interval: Duration,
}

impl Default for MediaPoll {
    /// About 40 s in all: images are usually ready within a few seconds.
    fn default() -> Self {
        MediaPoll {
            attempts: 12,
            interval: Duration::from_millis(500),
        }
    }
}

impl MediaPoll {
    /// About three minutes (1, 2, 4, then 8 s between looks): a short clip is transcoded in
    /// seconds, a long one in a minute or two on a busy instance; beyond that the attempt ends
    /// as a transient error well inside the publisher's five-minute attempt lease.
    pub fn video() -> Self {
        MediaPoll {
            attempts: 24,
            interval: Duration::from_secs(1),
        }
    }
}

impl MastodonConnector {
    pub fn new(credentials: &Credentials, ctx: &ConnectorContext) -> Result<Self> {
        let Credentials::Mastodon {
            instance,
            access_token,
        } = credentials
        else {
            return Err(ConnectorError::invalid_input(
                "these credentials are not for Mastodon",
            ));
        };
        let instance_url = ctx.http.base_url(instance)?;
        let token = access_token.expose().trim();
        if token.is_empty() || token.len() > 1024 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConnectorError::invalid_input(
                "the access token is empty or malformed",
            ));
        }
        Ok(MastodonConnector {
            http: ctx.http.clone(),
            gate: RateGate::closed_until_unix(ctx.rate_limited_until),
            credentials: credentials.clone(),
            instance: instance_url,
            token: Secret(token.to_string()),
            limits: Mutex::new(None),
            me: Mutex::new(None),
            media_poll: MediaPoll::default(),
            video_poll: MediaPoll::video(),
        })
    }

    /// Changes how long image processing is waited for (tests shorten it).
    pub fn with_media_poll(mut self, poll: MediaPoll) -> Self {
        self.media_poll = poll;
        self
    }

    /// Changes how long video processing is waited for (tests shorten it).
    pub fn with_video_poll(mut self, poll: MediaPoll) -> Self {
        self.video_poll = poll;
        self
    }

    /// The instance's limits (characters, images, alt text), read once: from
    /// `/api/v2/instance`, else from `/api/v1/instance` (older servers, Pleroma and Akkoma's
    /// `max_toot_chars`) when v2 is missing or announces no character limit. An instance that
    /// publishes none gets Mastodon's defaults; an instance that cannot be reached is an error
    /// (defaults could wrongly refuse a long post on an instance that allows it).
    pub async fn limits(&self) -> Result<InstanceLimits> {
        if let Some(limits) = self.limits.lock().ok().and_then(|l| l.clone()) {
            return Ok(limits);
        }
        let mut found: Option<InstanceLimits> = None;
        for version in ["v2", "v1"] {
            let url = self.url(&["api", version, "instance"])?;
            let response = self
                .http
                .send_raw(self.authed(Method::GET, url), &self.gate, true)
                .await?;
            if response.status.is_success() {
                let read = match response.json::<api::Instance>() {
                    Ok(instance) => InstanceLimits::from_instance(&instance),
                    Err(e) => {
                        tracing::warn!(error = %e, version, "unreadable Mastodon instance description");
                        InstanceLimits::default()
                    }
                };
                let complete = read.announced.max_characters.is_some();
                found = Some(match found {
                    // v2 said too little: v1's figures if it has them, with v2's domain if
                    // v1 has none.
                    Some(v2) if complete => InstanceLimits {
                        domain: read.domain.clone().or(v2.domain),
                        streaming: read.streaming.clone().or(v2.streaming),
                        ..read
                    },
                    Some(v2) => v2,
                    None => read,
                });
                if complete {
                    break;
                }
            } else if found.is_some() {
                // v1 is only a second chance: what v2 said stands.
                break;
            } else if !matches!(response.status.as_u16(), 404 | 410) {
                return Err(classify(&response));
            }
        }
        let limits = found.unwrap_or_default();
        if let Ok(mut cached) = self.limits.lock() {
            *cached = Some(limits.clone());
        }
        Ok(limits)
    }

    fn url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.instance.clone();
        url.path_segments_mut()
            .map_err(|_| ConnectorError::invalid_input("not a valid instance address"))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    fn authed(&self, method: Method, url: Url) -> RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(self.token.expose())
    }

    /// Sends through the channel's rate gate and turns a refusal into a classified error.
    async fn send(&self, request: RequestBuilder, idempotent: bool) -> Result<HttpResponse> {
        let response = self.http.send_raw(request, &self.gate, idempotent).await?;
        if response.status.is_success() {
            Ok(response)
        } else {
            Err(classify(&response))
        }
    }

    async fn verify_credentials(&self) -> Result<api::Account> {
        let url = self.url(&["api", "v1", "accounts", "verify_credentials"])?;
        let account: api::Account = self
            .send(self.authed(Method::GET, url), true)
            .await?
            .json()?;
        if let Ok(mut me) = self.me.lock() {
            *me = Some(account.id.clone());
        }
        Ok(account)
    }

    async fn my_id(&self) -> Result<String> {
        if let Some(id) = self.me.lock().ok().and_then(|me| me.clone()) {
            return Ok(id);
        }
        Ok(self.verify_credentials().await?.id)
    }

    /// The domain of local handles: the instance's own word, else the API host.
    fn domain(&self, limits: Option<&InstanceLimits>) -> String {
        limits
            .and_then(|l| l.domain.clone())
            .unwrap_or_else(|| self.host())
    }

    fn host(&self) -> String {
        self.instance.host_str().unwrap_or_default().to_string()
    }
}

/// A status id from a [`RemoteRef`], checked before it goes into a URL.
fn status_id(remote: &RemoteRef) -> Result<&str> {
    if api::is_valid_id(&remote.0) {
        Ok(&remote.0)
    } else {
        Err(ConnectorError::invalid_input(
            "not a Mastodon status reference",
        ))
    }
}

/// Mastodon's refusals, classified. On top of the shared rules (401 → Auth, 429 → rate
/// limited, 5xx → transient, other 4xx → permanent with the instance's message):
/// a 403 "This action is outside the authorized scopes" means the token lacks a scope tribune
/// needs (a token pasted with `read` only, say) and a 403 "Your login is currently disabled"
/// an account the instance turned off: either way only reconnecting the account helps, so
/// both are `Auth`, whichever call notices.
fn classify(response: &HttpResponse) -> ConnectorError {
    let error = response.error();
    let needs_reconnect = [
        "outside the authorized scopes",
        "login is currently disabled",
    ]
    .iter()
    .any(|m| error.message.contains(m));
    if response.status.as_u16() == 403 && needs_reconnect {
        return ConnectorError {
            kind: crate::ErrorKind::Auth,
            message: format!("{} — reconnect the account", error.message),
            ..error
        };
    }
    error
}

#[async_trait]
impl Connector for MastodonConnector {
    fn network(&self) -> Network {
        Network::Mastodon
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// Mastodon remembers an `Idempotency-Key` for one hour; keep a margin for clock skew.
    fn idempotency_window_secs(&self) -> Option<i64> {
        Some(50 * 60)
    }

    /// `verify_credentials`, then the instance's description. Servers speaking Mastodon's API
    /// refuse a revoked token with 401 (Mastodon), 403 or 422 (Pleroma, Akkoma, GoToSocial):
    /// any 4xx but 429 is a refusal of the credentials. A missing instance description (404,
    /// 410: an optional endpoint) is not; [`MastodonConnector::limits`] falls back.
    async fn verify(&self) -> Result<ChannelProfile> {
        let account = self
            .verify_credentials()
            .await
            .map_err(ConnectorError::on_credentials_check)?;
        // Best effort: the domain makes local handles complete; the host is a fine fallback.
        let limits = match self
            .limits()
            .await
            .map_err(ConnectorError::on_credentials_check)
        {
            Ok(limits) => Some(limits),
            Err(e) if e.breaks_channel() => return Err(e),
            Err(_) => None,
        };
        Ok(account.profile(&self.host(), &self.domain(limits.as_ref())))
    }

    async fn publish(&self, post: &PostRequest) -> Result<PublishedPost> {
        self.publish_status(post).await
    }

    async fn status_limits(&self) -> Result<Option<StatusLimits>> {
        Ok(Some(self.limits().await?.announced))
    }

    async fn delete_post(&self, post: &RemoteRef) -> Result<()> {
        let url = self.url(&["api", "v1", "statuses", status_id(post)?])?;
        match self.send(self.authed(Method::DELETE, url), true).await {
            Ok(_) => Ok(()),
            Err(e) if e.status == Some(404) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn fetch_inbox(&self, since: Option<&Cursor>) -> Result<InboxPage> {
        self.inbox(since).await
    }

    async fn watch_inbox(
        &self,
        on_activity: &(dyn Fn() + Send + Sync),
        for_at_most: Duration,
    ) -> Result<()> {
        self.watch(on_activity, for_at_most).await
    }

    /// `GET /api/v1/statuses/:id`; when it answers another status, the first of the ancestors
    /// `GET …/:id/context` lists (the instance shows those it knows and may show the account).
    async fn original_post(&self, of: &RemoteRef) -> Result<RemotePost> {
        let url = self.url(&["api", "v1", "statuses", status_id(of)?])?;
        let mut status: api::Status = self
            .send(self.authed(Method::GET, url), true)
            .await?
            .json()?;
        if status.in_reply_to_id.is_some() {
            let url = self.url(&["api", "v1", "statuses", &status.id, "context"])?;
            let context: api::Context = self
                .send(self.authed(Method::GET, url), true)
                .await?
                .json()?;
            if let Some(first) = context.ancestors.into_iter().next() {
                status = first;
            }
        }
        let limits = self.limits().await.ok();
        let domain = self.domain(limits.as_ref());
        let account = status.account.as_ref().ok_or_else(|| {
            ConnectorError::invalid_response("the instance sent a status without its author")
        })?;
        Ok(RemotePost {
            remote_ref: RemoteRef(status.id.clone()),
            author: account.author(&domain),
            text: status.text(),
            url: status.web_url(),
            created_at: status.created_at_unix(),
        })
    }

    async fn post_metrics(&self, post: &RemoteRef) -> Result<Metrics> {
        let url = self.url(&["api", "v1", "statuses", status_id(post)?])?;
        let status: api::Status = self
            .send(self.authed(Method::GET, url), true)
            .await?
            .json()?;
        Ok(status.metrics())
    }

    async fn account_metrics(&self) -> Result<Metrics> {
        Ok(self.verify_credentials().await?.metrics())
    }

    fn credentials(&self) -> Credentials {
        self.credentials.clone()
    }

    fn rate_gate(&self) -> &RateGate {
        &self.gate
    }
}
