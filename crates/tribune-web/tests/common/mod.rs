//! `TestApp`: the real router on a random port over a fresh SQLite or PostgreSQL database,
//! driven over HTTP like a browser or an API client would.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]
#![expect(
    clippy::expect_used,
    reason = "test harness: a failed set-up step must stop the test"
)]

pub mod mail;

use reqwest::{Client, Response, StatusCode};
use std::net::SocketAddr;
use tribune_channels::ChannelService;
use tribune_connectors::http::{HttpClient, HttpConfig};
use tribune_domain::security::secret_box::SecretBox;
use tribune_domain::user::UserNew;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::testing::TestDb;
use tribune_store::{Store, WorkspaceScope, unix_now};
use tribune_web::{AppState, WebConfig, router};

pub const PASSWORD: &str = "un mot de passe solide";

pub struct TestApp {
    pub url: String,
    pub store: Store,
    pub backend: &'static str,
    /// The job runner a server embeds, run on demand by [`TestApp::run_jobs`].
    pub jobs: tribune_jobs::Runner,
    /// The media library's directory (shared by a second node, as a cluster would share it).
    pub media_dir: std::path::PathBuf,
    key: String,
    _db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

/// A second server on the same database.
pub struct Node {
    pub url: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        let _ = std::fs::remove_dir_all(&self.media_dir);
    }
}

/// The media limits of test servers: small, so tests can go over them cheaply.
pub const TEST_MEDIA_LIMITS: tribune_media::Limits = tribune_media::Limits {
    max_image_bytes: 2_000_000,
    max_video_bytes: 5_000_000,
};

/// Runs `story` once per backend (PostgreSQL only when reachable, or always under CI=true).
pub async fn each_backend<F, Fut>(story: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await {
        story(TestApp::spawn(db).await).await;
    }
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> TestApp {
        Self::spawn_with(db, WebConfig::default()).await
    }

    pub async fn spawn_with(db: TestDb, config: WebConfig) -> TestApp {
        let key = SecretBox::generate_key();
        let media_dir = std::env::temp_dir().join(format!(
            "tribune-test-media-{}",
            tribune_domain::security::token::random_token()
        ));
        let (url, store, server, jobs) = Self::serve(&db.url, &key, &media_dir, config).await;
        let backend = db.backend_name();
        TestApp {
            url,
            store,
            backend,
            jobs,
            media_dir,
            key,
            _db: db,
            server,
        }
    }

    /// Another node serving the same database with the same secret key, as in a cluster.
    pub async fn second_node(&self) -> Node {
        let (url, _, server, _) = Self::serve(
            &self._db.url,
            &self.key,
            &self.media_dir,
            WebConfig::default(),
        )
        .await;
        Node { url, server }
    }

    async fn serve(
        db_url: &str,
        key: &str,
        media_dir: &std::path::Path,
        mut config: WebConfig,
    ) -> (
        String,
        Store,
        tokio::task::JoinHandle<()>,
        tribune_jobs::Runner,
    ) {
        let store = Store::open(db_url).await.expect("open store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        // An https public URL stays (a test of a deployment behind a TLS proxy); otherwise
        // links point at this server.
        if !config.secure_cookies() {
            config.public_url = url.clone();
        }
        let secrets = SecretBox::from_base64_key(key).expect("key");
        let http = HttpClient::new(HttpConfig {
            allow_http: true,
            backoff: std::time::Duration::from_millis(20),
            max_inline_wait: std::time::Duration::from_secs(1),
            ..HttpConfig::default()
        })
        .expect("http client");
        let channels = ChannelService::new(
            store.clone(),
            secrets.clone(),
            http,
            std::sync::Arc::new(tribune_connectors::build),
        );
        let media = tribune_media::MediaService::filesystem(media_dir, TEST_MEDIA_LIMITS);
        // The runner sends the outbox's e-mail with the server's mailer, as `tribune serve`'s.
        let mut runner_config = tribune_jobs::RunnerConfig::new("test-worker");
        // Without one, the settings saved on the administration page, read at each message.
        runner_config.mail = Some(tribune_jobs::mail::MailSettings {
            mailer: match config.mailer.clone() {
                Some(mailer) => tribune_jobs::mail::MailerSource::Fixed(mailer),
                None => tribune_jobs::mail::MailerSource::saved(store.clone(), secrets.clone()),
            },
            public_url: config.public_url.clone(),
        });
        let handlers = tribune_jobs::handlers_with(&channels, &media, &runner_config);
        let jobs = tribune_jobs::Runner::new(store.clone(), runner_config, handlers);
        let app = router(AppState::new(
            store.clone(),
            secrets,
            config,
            channels,
            media,
        ));
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        (url, store, server, jobs)
    }

    /// The instance's secret key, as the server holds it (to sign media links in tests).
    pub fn secrets(&self) -> SecretBox {
        SecretBox::from_base64_key(&self.key).expect("key")
    }

    /// Runs every job due now, as the embedded worker would, until none is left.
    pub async fn run_jobs(&self) -> tribune_jobs::runner::PassReport {
        self.jobs.drain().await.expect("run jobs")
    }

    /// A browser: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> Client {
        tribune_connectors::http::install_tls_provider();
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_text(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let response = self.get(client, path).await;
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// The CSRF token the page at `path` gives its forms.
    pub async fn csrf(&self, client: &Client, path: &str) -> String {
        let (_, html) = self.get_text(client, path).await;
        csrf_in(&html).unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    /// Posts a form as a browser would, with the CSRF token its pages carry (every page has
    /// one in the layout's language switch, even the not-found page used here).
    pub async fn post_form(
        &self,
        client: &Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.csrf(client, "/no-such-page").await;
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        client
            .post(format!("{}{path}", self.url))
            .form(&form)
            .send()
            .await
            .expect("POST")
    }

    pub async fn post_form_raw(
        &self,
        client: &Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        client
            .post(format!("{}{path}", self.url))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// An existing account, looked up in the store.
    pub async fn user_by_email(&self, email: &str) -> tribune_store::users::User {
        self.store
            .user_by_email(email)
            .await
            .expect("lookup")
            .expect("user")
    }

    /// Creates an account directly in the store.
    pub async fn user(&self, email: &str) -> tribune_store::users::User {
        let new = UserNew::validate(email, email.split('@').next().unwrap_or("x"), PASSWORD)
            .expect("user");
        self.store
            .create_user(&new, false)
            .await
            .expect("create user")
    }

    /// First-run owner, through the setup page; returns the logged-in browser.
    pub async fn setup_owner(&self, email: &str) -> Client {
        let client = self.browser();
        let response = self
            .post_form(
                &client,
                "/setup",
                &[("name", "Owner"), ("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "setup on {}",
            self.backend
        );
        client
    }

    pub async fn login(&self, email: &str, password: &str) -> (Client, Response) {
        let client = self.browser();
        let response = self
            .post_form(
                &client,
                "/login",
                &[("email", email), ("password", password)],
            )
            .await;
        (client, response)
    }

    /// A user with a workspace of their own, logged in.
    pub async fn member_with_workspace(
        &self,
        email: &str,
        workspace: &str,
    ) -> (Client, WorkspaceScope) {
        let user = self.user(email).await;
        let profile = WorkspaceInput {
            name: workspace.into(),
            ..Default::default()
        }
        .validate()
        .expect("profile");
        let scope = self
            .store
            .create_workspace(user.user_id(), &profile)
            .await
            .expect("workspace");
        let (client, response) = self.login(email, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "login on {}",
            self.backend
        );
        (client, scope)
    }

    /// `email` joins the owner's workspace with `role` (an invitation made and accepted).
    pub async fn join(
        &self,
        owner: &WorkspaceScope,
        email: &str,
        role: tribune_domain::Role,
    ) -> WorkspaceScope {
        let now = unix_now();
        let user = self.user(email).await;
        let (token, _) = self
            .store
            .create_invitation(owner, email, role, now)
            .await
            .expect("invitation");
        self.store
            .accept_invitation(&token, &user, now)
            .await
            .expect("accepted");
        self.store
            .scope(user.user_id(), owner.workspace())
            .await
            .expect("member")
    }

    pub async fn api_token(&self, email: &str) -> String {
        let user = self
            .store
            .user_by_email(email)
            .await
            .expect("lookup")
            .expect("user");
        self.store
            .create_api_token(user.user_id(), "test", unix_now())
            .await
            .expect("token")
            .0
    }

    pub fn api(&self, token: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        tribune_connectors::http::install_tls_provider();
        Client::new()
            .request(method, format!("{}/api/v1{path}", self.url))
            .bearer_auth(token)
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A channel written straight into the store (no network behind it), for pages and rules that
/// only read channels: `@handle`, the network's id `network:name`, the given capabilities.
pub async fn stored_channel(
    app: &TestApp,
    scope: &WorkspaceScope,
    network: &str,
    name: &str,
    handle: &str,
    capabilities: &str,
) -> tribune_domain::ChannelId {
    app.store
        .connect_channel(
            scope,
            tribune_store::channels::ChannelNew {
                network: network.into(),
                remote_id: format!("{network}:{name}"),
                handle: handle.into(),
                display_name: name.into(),
                avatar_url: None,
                profile_url: None,
                avatar: None,
                capabilities: capabilities.into(),
                sealed_credentials: "sealed".into(),
                token_expires_at: None,
            },
            unix_now(),
        )
        .await
        .expect("channel")
        .id
}

/// [`stored_channel`] that publishes text, with the handle `@name`.
pub async fn channel(
    app: &TestApp,
    scope: &WorkspaceScope,
    network: &str,
    name: &str,
) -> tribune_domain::ChannelId {
    stored_channel(
        app,
        scope,
        network,
        name,
        &format!("@{name}"),
        "publish_text",
    )
    .await
}
