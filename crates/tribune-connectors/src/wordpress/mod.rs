//! WordPress (self-hosted, core REST API, no plugin): posts with images, comments with their
//! moderation queue, replies as the site's user, counts as metrics.
//!
//! Authentication is HTTP Basic with an application password. References are `post:<id>` and
//! `comment:<id>`; the inbox cursor is the highest comment id seen. Idempotency: a marker
//! (`<!-- tribune:<key> -->`) is written into every post and reply and looked up before
//! creating; uploaded images carry the key in their title and are reused. See
//! `docs/connectors/wordpress.md`.

mod content;
mod inbox;
mod publish;
mod rest;

use self::inbox::{Ref, largest_avatar};
use self::rest::{RestBase, api_links, bounded_text, error_of, json, total_header};
use crate::capability::{Capabilities, Capability};
use crate::connector::{Connector, ConnectorContext};
use crate::error::{ConnectorError, ErrorKind, Result};
use crate::html;
use crate::http::{HttpClient, HttpResponse};
use crate::model::{
    ChannelProfile, Credentials, Cursor, InboxPage, Metric, Metrics, Moderation, Network,
    PostRequest, PublishedPost, RemotePost, RemoteRef, Secret,
};
use crate::rate::RateGate;
use async_trait::async_trait;
use reqwest::header::LINK;
use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Mutex;
use url::Url;

/// What the connector does; `docs/connectors/wordpress.md` says what is left out and why.
const CAPABILITIES: Capabilities = Capabilities::of(&[
    Capability::PublishText,
    Capability::PublishImage,
    Capability::PublishVideo,
    Capability::DeletePost,
    Capability::ReadComments,
    Capability::Reply,
    Capability::HideComment,
    Capability::DeleteComment,
    Capability::ModerateComment,
    Capability::PostMetrics,
    Capability::AccountMetrics,
]);

/// The longest site name kept for display.
const MAX_SITE_NAME_CHARS: usize = 100;

/// Comments per page (WordPress's maximum).
const PAGE_SIZE: u64 = 100;

/// Pages read per inbox fetch: at most this many × [`PAGE_SIZE`] new comments per call.
const MAX_INBOX_PAGES: u64 = 5;

/// One WordPress site, as one of its users.
pub struct WordPressConnector {
    http: HttpClient,
    gate: RateGate,
    /// The site's address as typed, normalised (no trailing slash).
    site: Url,
    username: String,
    app_password: Secret,
    /// As given: handed back unchanged by [`Connector::credentials`].
    credentials: Credentials,
    /// Where the REST API answers and the site's name, found on first use and kept.
    api: Mutex<Option<Api>>,
}

#[derive(Debug, Clone)]
struct Api {
    base: RestBase,
    site_name: Option<String>,
    me: Me,
}

/// The REST index, as far as discovery reads it.
#[derive(Debug, Deserialize)]
struct Index {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespaces: Vec<String>,
}

/// `GET /wp/v2/users/me?context=edit`, the fields read.
#[derive(Debug, Clone, Deserialize)]
struct Me {
    id: u64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    avatar_urls: BTreeMap<String, String>,
    #[serde(default)]
    capabilities: BTreeMap<String, serde_json::Value>,
}

impl Me {
    /// Whether WordPress grants the user `capability` (`capabilities` in `context=edit`).
    fn can(&self, capability: &str) -> bool {
        self.capabilities
            .get(capability)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }
}

/// Said when the connected user lacks `publish_posts`.
const CANNOT_PUBLISH: &str =
    "this WordPress user cannot publish posts: give it the Author role or higher";

impl WordPressConnector {
    /// Checks the credentials' shape (a WordPress site address, a username, a password);
    /// nothing is sent until the first call.
    pub fn new(credentials: &Credentials, ctx: &ConnectorContext) -> Result<Self> {
        let Credentials::WordPress {
            site,
            username,
            app_password,
        } = credentials
        else {
            return Err(ConnectorError::invalid_input(
                "these credentials are not for WordPress",
            ));
        };
        let mut site = ctx.http.base_url(site)?;
        // People paste the admin or API address; the site is what lies before it.
        for suffix in ["/wp-admin", "/wp-json", "/wp-login.php", "/index.php"] {
            if let Some(stripped) = site.path().strip_suffix(suffix) {
                let stripped = stripped.to_string();
                site.set_path(&stripped);
            }
        }
        let username = username.trim().to_string();
        if username.is_empty() || username.len() > 200 {
            return Err(ConnectorError::invalid_input(
                "the WordPress username is missing",
            ));
        }
        if app_password.expose().trim().is_empty() {
            return Err(ConnectorError::invalid_input(
                "the WordPress application password is missing",
            ));
        }
        Ok(WordPressConnector {
            http: ctx.http.clone(),
            gate: RateGate::closed_until_unix(ctx.rate_limited_until),
            site,
            username,
            app_password: app_password.clone(),
            credentials: credentials.clone(),
            api: Mutex::new(None),
        })
    }

    /// The site's address without a trailing slash, as used in remote ids.
    fn site_id(&self) -> String {
        self.site.as_str().trim_end_matches('/').to_string()
    }

    /// The site as the channel's handle: host, port if any, path (`blog.example/news`).
    fn handle(&self) -> String {
        let host = self.site.host_str().unwrap_or_default();
        match self.site.port() {
            Some(port) => format!("{host}:{port}{}", self.site.path().trim_end_matches('/')),
            None => format!("{host}{}", self.site.path().trim_end_matches('/')),
        }
    }

    /// The home page: the site's address with a trailing slash.
    fn home(&self) -> Url {
        let mut home = self.site.clone();
        if !home.path().ends_with('/') {
            let path = format!("{}/", home.path());
            home.set_path(&path);
        }
        home
    }

    /// The REST base, the site's name and the connected user, found on first use. Asking who
    /// the user is right away matters: WordPress treats a wrong application password as no
    /// password at all, so later calls would fail as an anonymous visitor's, not as a 401.
    async fn api(&self) -> Result<Api> {
        if let Some(api) = self.api.lock().ok().and_then(|guard| guard.clone()) {
            return Ok(api);
        }
        let (base, site_name) = self.discover().await?;
        let me = self.fetch_me(&base).await?;
        let api = Api {
            base,
            site_name,
            me,
        };
        if let Ok(mut guard) = self.api.lock() {
            *guard = Some(api.clone());
        }
        Ok(api)
    }

    /// Who the credentials belong to: the credentials check itself, so any refusal (a 4xx but
    /// 429) is a refusal of the credentials, whatever a security plugin answers instead of
    /// WordPress's 401.
    async fn fetch_me(&self, base: &RestBase) -> Result<Me> {
        let url = base.url("/wp/v2/users/me", &[("context", "edit")]);
        let response = self
            .send(self.request(Method::GET, url), false)
            .await
            .map_err(ConnectorError::on_credentials_check)?;
        json(&response)
    }

    /// Finds the REST API: the `Link: <…>; rel="https://api.w.org/"` header of the home page,
    /// then `/wp-json/`, then `/?rest_route=/` (which works without pretty permalinks). The
    /// probes carry the credentials: if none finds the API and one was refused (a 4xx other
    /// than 404, 410 and 429 — an address that is not the API answers 404), the credentials
    /// were.
    async fn discover(&self) -> Result<(RestBase, Option<String>)> {
        let home = self.home();
        let mut candidates = Vec::new();
        let head = self
            .http
            .send_raw(
                self.http.request(Method::HEAD, home.clone()),
                &self.gate,
                true,
            )
            .await;
        match head {
            Ok(response) => {
                let values = response
                    .headers
                    .get_all(LINK)
                    .iter()
                    .filter_map(|v| v.to_str().ok());
                for link in api_links(values) {
                    if let Ok(root) = home.join(&link)
                        && RestBase::same_site(&root, &self.site)
                        && let Some(base) = RestBase::from_root(&root)
                    {
                        candidates.push(base);
                    }
                }
            }
            Err(e) if e.kind == ErrorKind::RateLimited => return Err(e),
            // The fallbacks below will say whether the site is reachable at all.
            Err(_) => {}
        }
        if let Ok(path) = home.join("wp-json/") {
            candidates.push(RestBase::Path(path));
        }
        candidates.push(RestBase::Query(home.clone()));
        candidates.dedup();

        let mut failure: Option<ConnectorError> = None;
        let mut refused: Option<ConnectorError> = None;
        for base in candidates {
            match self.probe(&base).await {
                Ok(index) => {
                    let site_name = index
                        .name
                        .map(|n| bounded_text(&html::to_text(&n), MAX_SITE_NAME_CHARS))
                        .filter(|n| !n.is_empty());
                    return Ok((base, site_name));
                }
                Err(e) if matches!(e.kind, ErrorKind::Auth | ErrorKind::RateLimited) => {
                    return Err(e);
                }
                Err(e) if !matches!(e.status, Some(404 | 410)) && refused.is_none() => {
                    let checked = e.clone().on_credentials_check();
                    if checked.kind == ErrorKind::Auth {
                        refused = Some(checked);
                    } else if failure
                        .as_ref()
                        .is_none_or(|f| f.kind != ErrorKind::Transient)
                    {
                        failure = Some(e);
                    }
                }
                Err(e) => {
                    if failure
                        .as_ref()
                        .is_none_or(|f| f.kind != ErrorKind::Transient)
                    {
                        failure = Some(e);
                    }
                }
            }
        }
        Err(match (refused, failure) {
            (_, Some(e)) if e.kind == ErrorKind::Transient => e,
            (Some(refused), _) => refused,
            (None, other) => ConnectorError::permanent(format!(
                "no WordPress REST API found at {} ({})",
                self.site_id(),
                other
                    .as_ref()
                    .map_or("nothing answered", |e| e.message.as_str())
            ))
            .with_network_message(other.and_then(|e| e.network_message)),
        })
    }

    async fn probe(&self, base: &RestBase) -> Result<Index> {
        let url = base.url("/", &[("_fields", "name,namespaces")]);
        let response = self.send(self.request(Method::GET, url), false).await?;
        let index: Index = json(&response)?;
        if !index.namespaces.iter().any(|n| n == "wp/v2") {
            return Err(ConnectorError::permanent(
                "the site's REST API has no wp/v2 routes (turned off by a plugin?)",
            ));
        }
        Ok(index)
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.http
            .request(method, url)
            .basic_auth(&self.username, Some(self.app_password.expose().trim()))
    }

    /// Sends through the shared client and this channel's gate; a non-success answer becomes
    /// a classified error. `idempotent` allows retries of a POST that only sets values.
    async fn send(&self, request: RequestBuilder, idempotent: bool) -> Result<HttpResponse> {
        let response = self.http.send_raw(request, &self.gate, idempotent).await?;
        if response.status.is_success() {
            Ok(response)
        } else {
            Err(error_of(&response))
        }
    }

    /// `GET route?query`, authenticated.
    async fn get(&self, route: &str, query: &[(&str, &str)]) -> Result<HttpResponse> {
        let url = self.api().await?.base.url(route, query);
        self.send(self.request(Method::GET, url), false).await
    }

    /// `POST route` with a JSON body; `idempotent` when repeating it cannot create anything.
    async fn post_json(
        &self,
        route: &str,
        body: &serde_json::Value,
        idempotent: bool,
    ) -> Result<HttpResponse> {
        let url = self.api().await?.base.url(route, &[]);
        self.send(self.request(Method::POST, url).json(body), idempotent)
            .await
    }

    /// `DELETE route?force=true`; what is already gone (404, 410) counts as deleted.
    async fn delete(&self, route: &str) -> Result<()> {
        let url = self.api().await?.base.url(route, &[("force", "true")]);
        match self.send(self.request(Method::DELETE, url), true).await {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.status, Some(404 | 410)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `X-WP-Total` of a one-item listing: how many items match `query`.
    async fn count(&self, route: &str, query: &[(&str, &str)]) -> Result<u64> {
        let mut query = query.to_vec();
        query.extend([("per_page", "1"), ("_fields", "id")]);
        let response = self.get(route, &query).await?;
        total_header(&response, "x-wp-total").ok_or_else(|| {
            ConnectorError::invalid_response("WordPress did not say how many items there are")
        })
    }
}

#[async_trait]
impl Connector for WordPressConnector {
    fn network(&self) -> Network {
        Network::WordPress
    }

    /// No link previews (WordPress embeds only the URLs of known oEmbed providers), no native
    /// scheduling, videos, threads, mentions or messages: the connector does not do them.
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn verify(&self) -> Result<ChannelProfile> {
        let api = self.api().await?;
        // Asked again: a verify checks the credentials as they are now.
        let me = self.fetch_me(&api.base).await?;
        if !me.can("publish_posts") {
            return Err(ConnectorError::permanent(CANNOT_PUBLISH));
        }
        let user_name = bounded_text(&html::to_text(&me.name), MAX_SITE_NAME_CHARS);
        let handle = self.handle();
        Ok(ChannelProfile {
            remote_id: format!("{}#{}", self.site_id(), me.id),
            display_name: api.site_name.filter(|n| !n.is_empty()).unwrap_or(
                if user_name.is_empty() {
                    handle.clone()
                } else {
                    user_name
                },
            ),
            handle,
            avatar_url: largest_avatar(&me.avatar_urls),
            profile_url: Some(self.site_id()),
        })
    }

    async fn publish(&self, post: &PostRequest) -> Result<PublishedPost> {
        match &post.reply_to {
            Some(to) => self.publish_reply(Ref::parse(to)?, post).await,
            None => self.publish_post(post).await,
        }
    }

    async fn delete_post(&self, post: &RemoteRef) -> Result<()> {
        match Ref::parse(post)? {
            Ref::Post(id) => self.delete(&format!("/wp/v2/posts/{id}")).await,
            // A reply tribune published is a comment.
            Ref::Comment(id) => self.delete(&format!("/wp/v2/comments/{id}")).await,
        }
    }

    /// Newest comments first, back to the cursor; see [`WordPressConnector::comments_since`].
    async fn fetch_inbox(&self, since: Option<&Cursor>) -> Result<InboxPage> {
        self.comments_since(since).await
    }

    async fn moderate(&self, item: &RemoteRef, action: Moderation) -> Result<()> {
        self.moderate_comment(item, action).await
    }

    async fn original_post(&self, of: &RemoteRef) -> Result<RemotePost> {
        self.post_of(of).await
    }

    /// Approved comments on the post: WordPress core counts no views or likes.
    async fn post_metrics(&self, post: &RemoteRef) -> Result<Metrics> {
        let Ref::Post(id) = Ref::parse(post)? else {
            return Err(ConnectorError::invalid_input(
                "metrics exist for posts, not comments",
            ));
        };
        let id = id.to_string();
        let mut metrics = Metrics::default();
        let comments = self.count("/wp/v2/comments", &[("post", &id)]).await?;
        metrics.set(Metric::Comments, Some(comments));
        Ok(metrics)
    }

    /// Published posts and approved comments on the whole site.
    async fn account_metrics(&self) -> Result<Metrics> {
        let mut metrics = Metrics::default();
        let posts = self.count("/wp/v2/posts", &[("status", "publish")]).await?;
        metrics.set(Metric::Posts, Some(posts));
        let comments = self.count("/wp/v2/comments", &[]).await?;
        metrics.set(Metric::Comments, Some(comments));
        Ok(metrics)
    }

    fn credentials(&self) -> Credentials {
        self.credentials.clone()
    }

    fn rate_gate(&self) -> &RateGate {
        &self.gate
    }
}
