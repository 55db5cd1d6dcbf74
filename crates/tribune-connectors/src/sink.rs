//! The counting sink (feature `sink`, off by default): a connector for tests and benchmarks
//! that publishes to a local HTTP server ([`server::SinkServer`]) which counts every publish
//! call per idempotency key. The sink behaves like a network that honours idempotency keys (a
//! repeat of a key answers the post the first call made), but it also counts the repeats and
//! notices two calls for the same key in flight at once, so a duplicate is visible even where
//! a network would have hidden it.
//!
//! No person ever sees it: [`crate::Network::ALL`] (the lists the UI and the API offer) leaves
//! it out, and the API's channel connection has no way to ask for it.
//!
//! The protocol: `GET /` answers 200 (the credentials check); `POST /publish` takes
//! `{"key": …, "text": …}` and answers `{"id": …, "created": bool}`; `GET /counts` answers the
//! [`server::SinkCounts`]. The URL is the account: `<sink>/<name>` is another channel of the
//! same sink (the same URL connected twice is the same channel), counted with the others.

use crate::capability::{Capabilities, Capability};
use crate::connector::{Connector, ConnectorContext};
use crate::error::{ConnectorError, Result};
use crate::http::HttpClient;
use crate::model::{
    ChannelProfile, Credentials, Cursor, InboxPage, Metrics, Network, PostRequest, PublishedPost,
    RemoteRef,
};
use crate::rate::RateGate;
use async_trait::async_trait;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use url::Url;

pub mod server;

const CAPABILITIES: Capabilities =
    Capabilities::of(&[Capability::PublishText, Capability::DeletePost]);

/// What `POST /publish` takes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SinkPublish {
    pub key: String,
    pub text: String,
}

/// What `POST /publish` answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SinkPublished {
    /// The same for every call with the same key.
    pub id: String,
    /// Whether this call made the post (`false`: a repeat of the key).
    pub created: bool,
}

pub struct SinkConnector {
    http: HttpClient,
    gate: RateGate,
    url: Url,
    credentials: Credentials,
}

impl SinkConnector {
    pub fn new(credentials: &Credentials, ctx: &ConnectorContext) -> Result<Self> {
        let Credentials::Sink { url } = credentials else {
            return Err(ConnectorError::invalid_input(
                "these credentials are not for the sink",
            ));
        };
        Ok(SinkConnector {
            http: ctx.http.clone(),
            gate: RateGate::closed_until_unix(ctx.rate_limited_until),
            url: ctx.http.base_url(url)?,
            credentials: credentials.clone(),
        })
    }

    fn endpoint(&self, path: &str) -> Result<Url> {
        self.url
            .join(&format!("{}/{path}", self.url.path().trim_end_matches('/')))
            .map_err(|_| ConnectorError::invalid_input("not a valid sink address"))
    }
}

#[async_trait]
impl Connector for SinkConnector {
    fn network(&self) -> Network {
        Network::Sink
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn verify(&self) -> Result<ChannelProfile> {
        let url = self.url.clone();
        self.http
            .send(self.http.request(Method::GET, url), &self.gate)
            .await
            .map_err(ConnectorError::on_credentials_check)?;
        let host = self.url.host_str().unwrap_or("sink");
        let handle = match self.url.port() {
            Some(port) => format!("sink@{host}:{port}"),
            None => format!("sink@{host}"),
        };
        Ok(ChannelProfile {
            remote_id: self.url.to_string(),
            display_name: handle.clone(),
            handle,
            avatar_url: None,
            profile_url: None,
        })
    }

    /// Idempotent on the key: the sink answers a repeat with the first call's post.
    async fn publish(&self, post: &PostRequest) -> Result<PublishedPost> {
        // Text only: a post with media must not "go out" without them.
        if !post.images.is_empty() || !post.videos.is_empty() {
            return Err(ConnectorError::unsupported("the sink takes text only"));
        }
        let url = self.endpoint("publish")?;
        let body = SinkPublish {
            key: post.idempotency_key.clone(),
            text: post.text.clone(),
        };
        let published: SinkPublished = self
            .http
            .send_idempotent(self.http.request(Method::POST, url).json(&body), &self.gate)
            .await?
            .json()?;
        Ok(PublishedPost {
            remote_ref: RemoteRef(published.id),
            url: None,
        })
    }

    async fn delete_post(&self, _post: &RemoteRef) -> Result<()> {
        Ok(())
    }

    async fn fetch_inbox(&self, _since: Option<&Cursor>) -> Result<InboxPage> {
        Ok(InboxPage {
            items: Vec::new(),
            cursor: None,
        })
    }

    async fn post_metrics(&self, _post: &RemoteRef) -> Result<Metrics> {
        Ok(Metrics::default())
    }

    async fn account_metrics(&self) -> Result<Metrics> {
        Ok(Metrics::default())
    }

    fn credentials(&self) -> Credentials {
        self.credentials.clone()
    }

    fn rate_gate(&self) -> &RateGate {
        &self.gate
    }
}
