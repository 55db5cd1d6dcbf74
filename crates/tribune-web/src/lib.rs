//! tribune's HTTP face: server-rendered pages, the REST API under `/api/v1`, health and metrics.
//! Handlers are thin: parse, authorise through the store's scopes, call the store, render.

mod api;
mod body_limit;
mod context;
mod csrf;
mod dates;
mod error;
mod forms;
pub mod i18n;
mod inbox;
mod links;
mod mail;
mod metrics;
mod nul;
mod pages;
mod passwords;
mod preflight;
mod prose;
mod routes;
pub mod spell;
mod static_files;

use std::sync::Arc;
use tribune_channels::ChannelService;
use tribune_domain::security::secret_box::SecretBox;
use tribune_media::MediaService;
use tribune_store::Store;

pub use error::AppError;
pub use routes::router;

/// Settings the web layer needs, resolved by the binary from flags, file and environment.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The address users reach tribune at; `https://` turns on `Secure` cookies.
    pub public_url: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Failed logins per e-mail address in [`WebConfig::login_window_secs`] before refusing.
    pub login_max_failures: i64,
    /// Failed logins per client IP address in the window before refusing.
    pub login_max_failures_per_ip: i64,
    /// Failed logins per account from all addresses in the window before the account is
    /// locked for everyone (and its owner told): a softer ceiling than the per-address limit,
    /// so one attacker cannot lock a person out from everywhere with a few tries.
    pub login_max_failures_per_account: i64,
    pub login_window_secs: i64,
    /// Behind a reverse proxy: take the client address from the last `X-Forwarded-For` entry
    /// (the one the proxy added) instead of the connection's peer.
    pub trust_forwarded_for: bool,
    /// When set, `/metrics` requires `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// Sends invitations, password resets and notices; `None` when no SMTP server is set up
    /// (links are then shown to copy, and password resets go through an admin).
    pub mailer: Option<tribune_mail::Mailer>,
    /// Networks may be reached over plain `http:` (tests, local instances): the channels page
    /// then lets its forms send the browser to an `http:` instance's consent page.
    pub allow_http_networks: bool,
    /// Where the composer's spell check looks for Hunspell dictionaries, in order.
    pub dictionary_dirs: Vec<std::path::PathBuf>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: "http://127.0.0.1:8080".to_owned(),
            max_body_bytes: 1024 * 1024,
            login_max_failures: 5,
            login_max_failures_per_ip: 50,
            login_max_failures_per_account: 50,
            login_window_secs: 15 * 60,
            trust_forwarded_for: false,
            metrics_token: None,
            mailer: None,
            allow_http_networks: false,
            dictionary_dirs: spell::DEFAULT_DICTIONARY_DIRS
                .iter()
                .map(std::path::PathBuf::from)
                .collect(),
        }
    }
}

impl WebConfig {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Shared by every request. Nothing in it is per-node state that matters: sessions, rate limits
/// and data live in the database, so several nodes can serve one database.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<StateInner>,
}

struct StateInner {
    store: Store,
    secrets: SecretBox,
    config: WebConfig,
    i18n: i18n::I18n,
    metrics: metrics::Metrics,
    saved_mailer: tribune_jobs::mail::SavedMailer,
    channels: ChannelService,
    media: MediaService,
    spelling: spell::Spelling,
    /// Wakes the embedded job runner when a request enqueued work (SQLite has no
    /// notifications; on PostgreSQL the runner also listens).
    jobs_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// `channels` must share `store` and `secrets`; it carries the HTTP client and connector
    /// factory the binary chose. `media` holds the media library's files.
    pub fn new(
        store: Store,
        secrets: SecretBox,
        config: WebConfig,
        channels: ChannelService,
        media: MediaService,
    ) -> AppState {
        let spelling = spell::Spelling::new(config.dictionary_dirs.clone());
        let saved_mailer = tribune_jobs::mail::SavedMailer::new(store.clone(), secrets.clone());
        AppState {
            inner: Arc::new(StateInner {
                spelling,
                store,
                secrets,
                config,
                i18n: i18n::I18n::load(),
                metrics: metrics::Metrics::new(),
                saved_mailer,
                channels,
                media,
                jobs_wake: Arc::new(tokio::sync::Notify::new()),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn secrets(&self) -> &SecretBox {
        &self.inner.secrets
    }

    pub(crate) fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub(crate) fn saved_mailer(&self) -> &tribune_jobs::mail::SavedMailer {
        &self.inner.saved_mailer
    }

    pub(crate) fn i18n(&self) -> &i18n::I18n {
        &self.inner.i18n
    }

    pub(crate) fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    pub fn channels(&self) -> &ChannelService {
        &self.inner.channels
    }

    pub fn media(&self) -> &MediaService {
        &self.inner.media
    }

    /// The composer's spell check dictionaries.
    pub fn spelling(&self) -> &spell::Spelling {
        &self.inner.spelling
    }

    /// What the embedded job runner waits on besides its timer; handed to it at start.
    pub fn job_waker(&self) -> Arc<tokio::sync::Notify> {
        self.inner.jobs_wake.clone()
    }

    /// Tells the embedded runner that work was enqueued.
    pub fn wake_jobs(&self) {
        self.inner.jobs_wake.notify_one();
    }
}
