//! The trait every network implements.

use crate::capability::{Capabilities, Capability};
use crate::error::{ConnectorError, Result};
use crate::http::HttpClient;
use crate::model::{
    ChannelProfile, Credentials, Cursor, InboxPage, Metrics, Moderation, Network, PostRequest,
    PublishedPost, RemotePost, RemoteRef, StatusLimits,
};
use crate::rate::RateGate;
use async_trait::async_trait;

/// What a connector is built with besides its credentials.
#[derive(Debug, Clone)]
pub struct ConnectorContext {
    pub http: HttpClient,
    /// Until when the channel is rate limited, as persisted from an earlier call (Unix seconds).
    pub rate_limited_until: Option<i64>,
}

/// One connected account on one network.
///
/// Calls a channel cannot make (see [`Connector::capabilities`]) return
/// [`crate::ErrorKind::Unsupported`]. Every error is classified ([`crate::ErrorKind`]) so the
/// caller can retry transient ones, mark the channel broken on `Auth`, and report the rest.
#[async_trait]
pub trait Connector: Send + Sync {
    fn network(&self) -> Network;

    /// What this channel can do; the UI offers nothing else.
    fn capabilities(&self) -> Capabilities;

    /// Checks the credentials (signing in if needed) and describes the account.
    async fn verify(&self) -> Result<ChannelProfile>;

    /// Publishes a post, or a reply when `post.reply_to` is set. Idempotent on
    /// `post.idempotency_key`: calling again with the same key returns the same post.
    async fn publish(&self, post: &PostRequest) -> Result<PublishedPost>;

    /// How long after an attempt a repeat of [`Connector::publish`] with the same key is still
    /// recognised as the same post, in seconds; `None` when it always is (the connector looks
    /// the post up by a deterministic key or marker before creating it). A publisher that finds
    /// an attempt older than this unfinished cannot tell whether it went out, and must ask a
    /// person instead of sending again.
    fn idempotency_window_secs(&self) -> Option<i64> {
        None
    }

    /// The limits the account's server announces for a post, for networks where each server
    /// sets its own (Mastodon); `None` where the network's published rules apply. Called after
    /// [`Connector::verify`], so connectors that read them there answer without a new request.
    async fn status_limits(&self) -> Result<Option<StatusLimits>> {
        Ok(None)
    }

    /// Deletes a post this account published. Deleting what is already gone succeeds.
    async fn delete_post(&self, post: &RemoteRef) -> Result<()>;

    /// Comments, replies and mentions newer than `since` (the most recent ones when `None`),
    /// with the cursor to pass next time.
    async fn fetch_inbox(&self, since: Option<&Cursor>) -> Result<InboxPage>;

    /// Holds the network's push stream of new inbox activity open for at most `for_at_most`,
    /// calling `on_activity` whenever something new may be waiting; the caller then fetches
    /// with the cursor, which stays the one source of truth (a missed or doubled signal costs
    /// a fetch, never a message). `Unsupported` where the network or the server offers no such
    /// stream: the inbox is then polled only.
    async fn watch_inbox(
        &self,
        _on_activity: &(dyn Fn() + Send + Sync),
        _for_at_most: std::time::Duration,
    ) -> Result<()> {
        Err(ConnectorError::unsupported(
            "this network has no inbox stream",
        ))
    }

    /// The post at the start of the conversation `of` belongs to (`of` itself when it starts
    /// one), for an inbox thread tribune did not publish. `Unsupported` where the network has
    /// no such read; `Permanent` when the post is gone.
    async fn original_post(&self, of: &RemoteRef) -> Result<RemotePost> {
        let _ = of;
        Err(ConnectorError::unsupported(
            "this network cannot show the original post",
        ))
    }

    /// Applies a moderation action to a comment.
    async fn moderate(&self, item: &RemoteRef, action: Moderation) -> Result<()> {
        let _ = (item, action);
        Err(ConnectorError::unsupported(
            "this network has no comment moderation",
        ))
    }

    /// The figures the network exposes for one post.
    async fn post_metrics(&self, post: &RemoteRef) -> Result<Metrics>;

    /// The figures the network exposes for the account.
    async fn account_metrics(&self) -> Result<Metrics>;

    /// Renews short-lived tokens if they expire within `margin_secs`; a no-op for networks
    /// whose credentials do not expire.
    async fn refresh_credentials(&self, margin_secs: i64) -> Result<()> {
        let _ = margin_secs;
        Ok(())
    }

    /// The credentials as they are now (tokens may have been refreshed); the caller stores them.
    fn credentials(&self) -> Credentials;

    /// When the current token expires (Unix seconds), for networks whose tokens do.
    fn credentials_expire_at(&self) -> Option<i64> {
        None
    }

    /// The channel's rate-limit gate, which the caller persists between calls.
    fn rate_gate(&self) -> &RateGate;

    /// Replies to a comment, a mention, a post or (`reply.private`) a direct message.
    async fn reply(&self, to: &RemoteRef, mut reply: PostRequest) -> Result<PublishedPost> {
        if !self.capabilities().contains(Capability::Reply) {
            return Err(ConnectorError::unsupported("this network has no replies"));
        }
        // A private answer through a connector without direct messages would be public.
        if reply.private && !self.capabilities().contains(Capability::ReadMessages) {
            return Err(ConnectorError::unsupported(
                "this channel cannot answer privately",
            ));
        }
        reply.reply_to = Some(to.clone());
        self.publish(&reply).await
    }
}

/// Builds the connector for a channel's credentials: the one place that knows every network.
pub fn build(
    credentials: &Credentials,
    ctx: &ConnectorContext,
) -> Result<Box<dyn Connector>, ConnectorError> {
    Ok(match credentials.network() {
        Network::Bluesky => Box::new(crate::bluesky::BlueskyConnector::new(credentials, ctx)?),
        Network::Mastodon => Box::new(crate::mastodon::MastodonConnector::new(credentials, ctx)?),
        Network::WordPress => {
            Box::new(crate::wordpress::WordPressConnector::new(credentials, ctx)?)
        }
        #[cfg(feature = "sink")]
        Network::Sink => Box::new(crate::sink::SinkConnector::new(credentials, ctx)?),
    })
}
