//! One typed configuration: defaults, then an optional TOML file, then `TRIBUNE_*` environment
//! variables, then command-line flags (each wins over the one before). Unknown keys in the file
//! are refused; the secret key never appears in `Debug` output or logs.

use anyhow::{Context, bail};
use clap::Args;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tribune_domain::security::secret_box::SecretBox;

/// Options every command takes.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// TOML configuration file (see `tribune config example`).
    #[arg(long, global = true, env = "TRIBUNE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where tribune keeps its SQLite database and secret key.
    #[arg(long, global = true, env = "TRIBUNE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// `postgres://user@host/db` to use PostgreSQL instead of the embedded SQLite database.
    #[arg(long, global = true, env = "TRIBUNE_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Log format: `text` or `json`. Verbosity follows RUST_LOG (default: info).
    #[arg(long, global = true, env = "TRIBUNE_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
}

#[derive(Clone, Copy, Debug, Deserialize, clap::ValueEnum, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    fn name(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

/// The TOML file's shape.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<String>,
    public_url: Option<String>,
    secret_key: Option<String>,
    log_format: Option<LogFormat>,
    login_max_failures: Option<i64>,
    trust_proxy: Option<bool>,
    allow_http_networks: Option<bool>,
    metrics_token: Option<String>,
    network_proxy: Option<String>,
    media_dir: Option<PathBuf>,
    media_max_image_mb: Option<u64>,
    media_max_video_mb: Option<u64>,
    smtp: Option<SmtpFile>,
    jobs: Option<JobsFile>,
    compose: Option<ComposeFile>,
}

/// The `[compose]` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComposeFile {
    dictionaries: Option<Vec<PathBuf>>,
}

/// The `[jobs]` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobsFile {
    lease_secs: Option<i64>,
    poll_ms: Option<u64>,
    attempt_lease_secs: Option<i64>,
}

/// How workers (`tribune worker` and the one `tribune serve` embeds) share the job queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobsSettings {
    /// How long a claim holds a job; a worker that dies releases its jobs after this.
    pub lease_secs: i64,
    /// The longest sleep between two looks at the queue when no notification comes.
    pub poll_ms: u64,
    /// How long an unfinished publish attempt keeps its channel busy and its post from being
    /// sent again.
    pub attempt_lease_secs: i64,
}

impl Default for JobsSettings {
    fn default() -> Self {
        JobsSettings {
            lease_secs: 120,
            poll_ms: 5_000,
            attempt_lease_secs: tribune_store::posts::ATTEMPT_LEASE_SECS,
        }
    }
}

/// The `[smtp]` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SmtpFile {
    host: Option<String>,
    port: Option<u16>,
    tls: Option<tribune_mail::TlsMode>,
    user: Option<String>,
    password: Option<String>,
    from: Option<String>,
    timeout_secs: Option<u64>,
}

pub const EXAMPLE: &str = r#"# tribune configuration. Every key is optional; environment variables (TRIBUNE_DATA_DIR,
# TRIBUNE_DATABASE_URL, TRIBUNE_LISTEN, TRIBUNE_PUBLIC_URL, TRIBUNE_SECRET_KEY, TRIBUNE_LOG_FORMAT,
# TRIBUNE_LOGIN_MAX_FAILURES, TRIBUNE_TRUST_PROXY, TRIBUNE_ALLOW_HTTP_NETWORKS,
# TRIBUNE_METRICS_TOKEN, TRIBUNE_NETWORK_PROXY, TRIBUNE_MEDIA_DIR, TRIBUNE_MEDIA_MAX_IMAGE_MB,
# TRIBUNE_MEDIA_MAX_VIDEO_MB)
# override this file, and command-line flags override both.

# Where the SQLite database and the generated secret key live.
# data_dir = "/var/lib/tribune"

# Use PostgreSQL instead of the embedded SQLite database (several nodes can share it).
# database_url = "postgres://tribune@127.0.0.1:5432/tribune"

# Address the web server listens on.
# listen = "127.0.0.1:8080"

# The address users reach tribune at. With https://, cookies are marked Secure.
# public_url = "https://tribune.example.fr"

# 32 random bytes, base64, that encrypt stored secrets (OAuth tokens, 2FA seeds). Generated into
# the data directory on first run when not given; every node of one installation needs the same.
# secret_key = "…"

# text or json
# log_format = "text"

# Failed logins per account and address within 15 minutes before further attempts from that
# address are refused. An account is locked for everyone after ten times as many.
# login_max_failures = 5

# Behind a reverse proxy, take the client's address from the last X-Forwarded-For entry (used
# for login rate limiting and the session list). Only turn on when a proxy sets that header.
# trust_proxy = false

# Allow channels on plain-http servers and on local or private addresses (a PDS, an instance or
# a WordPress site on 127.0.0.1 or 192.168.…). Off by default: credentials would travel
# unencrypted, and addresses typed into tribune could reach its own network. For test servers.
# allow_http_networks = false

# Protect /metrics: when set, Prometheus must send "Authorization: Bearer <token>".
# metrics_token = "…"

# Send channel traffic (calls to the networks) through this HTTP(S) proxy. Without it, proxy
# environment variables are ignored for channel traffic, so they cannot bypass the checks that
# keep tribune from calling local or private addresses. With it, those checks apply to the
# addresses as written, not to what the proxy resolves.
# network_proxy = "http://proxy.internal:3128"

# The media library's files (uploaded images and videos, their thumbnails): a directory, by
# default "media" in the data directory. Several nodes must share it (or wait for S3 storage).
# media_dir = "/var/lib/tribune/media"

# The largest upload accepted, in megabytes (10^6 bytes), for images and for videos. Only the
# upload route takes bodies this large.
# media_max_image_mb = 20
# media_max_video_mb = 200

# E-mail (invitations, password resets, security notices). Without a host, tribune sends no
# e-mail: invitation links are shown to copy, and password resets go through an admin
# (`tribune user reset-password`). Environment: TRIBUNE_SMTP_HOST, TRIBUNE_SMTP_PORT,
# TRIBUNE_SMTP_TLS, TRIBUNE_SMTP_USER, TRIBUNE_SMTP_PASSWORD, TRIBUNE_SMTP_FROM,
# TRIBUNE_SMTP_TIMEOUT_SECS.
# [smtp]
# host = "smtp.example.fr"
# tls = "starttls"          # starttls (port 587), tls (port 465) or none (a local relay only)
# port = 587                # default: the usual port of the tls mode
# user = "tribune@example.fr"
# password = "…"
# from = "tribune <tribune@example.fr>"
# timeout_secs = 30

# The job queue (publishing, upkeep). Environment: TRIBUNE_JOBS_LEASE_SECS,
# TRIBUNE_JOBS_POLL_MS, TRIBUNE_JOBS_ATTEMPT_LEASE_SECS. Both leases must outlast the slowest
# call to a network (30 s of HTTP timeout, retries included): shorter, a live worker's job or
# post could be taken over while it is still being sent.
# [jobs]
# lease_secs = 120          # a worker that dies releases its jobs after this
# poll_ms = 5000            # longest sleep between two looks at the queue
# attempt_lease_secs = 300  # an interrupted publish attempt is resumed after this

# The composer. Spell check reads Hunspell dictionaries (fr_FR.aff/.dic or fr.aff/.dic,
# en_US.aff/.dic) from these directories, in order: on Debian and Ubuntu, install
# hunspell-fr and hunspell-en-us. A language without a dictionary is not checked. Environment:
# TRIBUNE_COMPOSE_DICTIONARIES (directories separated by ':').
# [compose]
# dictionaries = ["/usr/share/hunspell", "/usr/share/myspell/dicts"]
"#;

/// The resolved configuration.
#[derive(Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: Option<String>,
    pub public_url: Option<String>,
    secret_key: Option<String>,
    pub log_format: LogFormat,
    pub login_max_failures: i64,
    pub trust_proxy: bool,
    pub allow_http_networks: bool,
    /// When set, `/metrics` answers only requests bearing this token.
    pub metrics_token: Option<String>,
    /// The proxy channel traffic goes through, if any (never taken from the environment's
    /// proxy variables).
    pub network_proxy: Option<String>,
    /// `None`: e-mail is off.
    pub smtp: Option<tribune_mail::SmtpConfig>,
    /// Where the media library's files live.
    pub media_dir: PathBuf,
    pub media_limits: tribune_media::Limits,
    pub jobs: JobsSettings,
    /// Where the composer's spell check looks for Hunspell dictionaries, in order.
    pub dictionaries: Vec<PathBuf>,
    sources: Sources,
}

/// Where a resolved value came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    #[default]
    Default,
    File,
    Environment,
    Flag,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File => "file",
            Source::Environment => "environment",
            Source::Flag => "command line",
        }
    }
}

/// One [`Source`] per setting, for `tribune config show`.
#[derive(Clone, Debug, Default)]
struct Sources {
    data_dir: Source,
    database_url: Source,
    listen: Source,
    public_url: Source,
    secret_key: Source,
    log_format: Source,
    login_max_failures: Source,
    trust_proxy: Source,
    allow_http_networks: Source,
    metrics_token: Source,
    network_proxy: Source,
    media_dir: Source,
    media_limits: Source,
    dictionaries: Source,
    jobs: Source,
}

/// The address `tribune serve` listens on when none is configured.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// For options clap reads from a flag or its environment variable: which one gave `value`.
fn flag_or_env(given: bool, variable: &str, value: &str) -> Option<Source> {
    if !given {
        return None;
    }
    let from_env = std::env::var(variable).is_ok_and(|v| !v.is_empty() && v == value);
    Some(if from_env {
        Source::Environment
    } else {
        Source::Flag
    })
}

/// For options read from the environment or the file.
fn env_or_file(env: bool, file: bool) -> Source {
    if env {
        Source::Environment
    } else if file {
        Source::File
    } else {
        Source::Default
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("log_format", &self.log_format)
            .field("login_max_failures", &self.login_max_failures)
            .field("trust_proxy", &self.trust_proxy)
            .field("allow_http_networks", &self.allow_http_networks)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "network_proxy",
                &self.network_proxy.as_deref().map(redact_url),
            )
            .field("smtp", &self.smtp)
            .field("media_dir", &self.media_dir)
            .field("media_limits", &self.media_limits)
            .field("jobs", &self.jobs)
            .field("dictionaries", &self.dictionaries)
            .finish()
    }
}

/// Hides a password in a database URL, given before the host or as a `password=` parameter.
pub fn redact_url(url: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut redacted = redact_credentials(url);
    if let Some(query) = query {
        let parameters: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                    format!("{key}=<redacted>")
                }
                _ => pair.to_owned(),
            })
            .collect();
        redacted.push('?');
        redacted.push_str(&parameters.join("&"));
    }
    redacted
}

fn redact_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:<redacted>{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn default_data_dir() -> PathBuf {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("tribune");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/tribune"),
        None => PathBuf::from("tribune-data"),
    }
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> anyhow::Result<Settings> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("invalid configuration in {}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let sources = Sources {
            data_dir: flag_or_env(
                args.data_dir.is_some(),
                "TRIBUNE_DATA_DIR",
                &args
                    .data_dir
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            )
            .unwrap_or(env_or_file(false, file.data_dir.is_some())),
            database_url: flag_or_env(
                args.database_url.is_some(),
                "TRIBUNE_DATABASE_URL",
                args.database_url.as_deref().unwrap_or_default(),
            )
            .unwrap_or(env_or_file(false, file.database_url.is_some())),
            listen: env_or_file(env("TRIBUNE_LISTEN").is_some(), file.listen.is_some()),
            public_url: env_or_file(
                env("TRIBUNE_PUBLIC_URL").is_some(),
                file.public_url.is_some(),
            ),
            secret_key: env_or_file(
                env("TRIBUNE_SECRET_KEY").is_some(),
                file.secret_key.is_some(),
            ),
            log_format: flag_or_env(
                args.log_format.is_some(),
                "TRIBUNE_LOG_FORMAT",
                args.log_format.map(LogFormat::name).unwrap_or_default(),
            )
            .unwrap_or(env_or_file(false, file.log_format.is_some())),
            login_max_failures: env_or_file(
                env("TRIBUNE_LOGIN_MAX_FAILURES").is_some(),
                file.login_max_failures.is_some(),
            ),
            trust_proxy: env_or_file(
                env("TRIBUNE_TRUST_PROXY").is_some(),
                file.trust_proxy.is_some(),
            ),
            allow_http_networks: env_or_file(
                env("TRIBUNE_ALLOW_HTTP_NETWORKS").is_some(),
                file.allow_http_networks.is_some(),
            ),
            metrics_token: env_or_file(
                env("TRIBUNE_METRICS_TOKEN").is_some(),
                file.metrics_token.is_some(),
            ),
            network_proxy: env_or_file(
                env("TRIBUNE_NETWORK_PROXY").is_some(),
                file.network_proxy.is_some(),
            ),
            media_dir: env_or_file(env("TRIBUNE_MEDIA_DIR").is_some(), file.media_dir.is_some()),
            media_limits: env_or_file(
                env("TRIBUNE_MEDIA_MAX_IMAGE_MB").is_some()
                    || env("TRIBUNE_MEDIA_MAX_VIDEO_MB").is_some(),
                file.media_max_image_mb.is_some() || file.media_max_video_mb.is_some(),
            ),
            jobs: env_or_file(
                [
                    "TRIBUNE_JOBS_LEASE_SECS",
                    "TRIBUNE_JOBS_POLL_MS",
                    "TRIBUNE_JOBS_ATTEMPT_LEASE_SECS",
                ]
                .iter()
                .any(|v| env(v).is_some()),
                file.jobs.as_ref().is_some_and(|j| {
                    j.lease_secs.is_some() || j.poll_ms.is_some() || j.attempt_lease_secs.is_some()
                }),
            ),
            dictionaries: env_or_file(
                env("TRIBUNE_COMPOSE_DICTIONARIES").is_some(),
                file.compose
                    .as_ref()
                    .is_some_and(|c| c.dictionaries.is_some()),
            ),
        };
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(default_data_dir);
        let database_url = args
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("tribune.db").display()));
        let login_max_failures = match env("TRIBUNE_LOGIN_MAX_FAILURES") {
            Some(v) => v
                .parse()
                .context("TRIBUNE_LOGIN_MAX_FAILURES must be a number")?,
            None => file.login_max_failures.unwrap_or(5),
        };
        let trust_proxy = match env("TRIBUNE_TRUST_PROXY") {
            Some(v) => v
                .parse()
                .context("TRIBUNE_TRUST_PROXY must be true or false")?,
            None => file.trust_proxy.unwrap_or(false),
        };
        let allow_http_networks = match env("TRIBUNE_ALLOW_HTTP_NETWORKS") {
            Some(v) => v
                .parse()
                .context("TRIBUNE_ALLOW_HTTP_NETWORKS must be true or false")?,
            None => file.allow_http_networks.unwrap_or(false),
        };
        let megabytes = |variable: &str, from_file: Option<u64>, default: u64| {
            let mb = match env(variable) {
                Some(v) => v
                    .parse::<u64>()
                    .with_context(|| format!("{variable} must be a number of megabytes"))?,
                None => from_file.unwrap_or(default),
            };
            if !(1..=100_000).contains(&mb) {
                bail!("{variable} must be between 1 and 100000 megabytes");
            }
            Ok(mb * 1_000_000)
        };
        let media_limits = tribune_media::Limits {
            max_image_bytes: megabytes("TRIBUNE_MEDIA_MAX_IMAGE_MB", file.media_max_image_mb, 20)?,
            max_video_bytes: megabytes("TRIBUNE_MEDIA_MAX_VIDEO_MB", file.media_max_video_mb, 200)?,
        };
        let media_dir = env("TRIBUNE_MEDIA_DIR")
            .map(PathBuf::from)
            .or(file.media_dir)
            .unwrap_or_else(|| data_dir.join("media"));
        let smtp = resolve_smtp(file.smtp.unwrap_or_default(), &env)?;
        let jobs = resolve_jobs(file.jobs.unwrap_or_default(), &env)?;
        let dictionaries = match env("TRIBUNE_COMPOSE_DICTIONARIES") {
            Some(dirs) => std::env::split_paths(&dirs).collect(),
            None => file
                .compose
                .and_then(|c| c.dictionaries)
                .unwrap_or_else(|| {
                    tribune_web::spell::DEFAULT_DICTIONARY_DIRS
                        .iter()
                        .map(PathBuf::from)
                        .collect()
                }),
        };
        if login_max_failures < 1 {
            bail!("login_max_failures must be at least 1");
        }
        Ok(Settings {
            data_dir,
            database_url,
            listen: env("TRIBUNE_LISTEN").or(file.listen),
            public_url: env("TRIBUNE_PUBLIC_URL").or(file.public_url),
            secret_key: env("TRIBUNE_SECRET_KEY").or(file.secret_key),
            log_format: args
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            login_max_failures,
            trust_proxy,
            allow_http_networks,
            metrics_token: env("TRIBUNE_METRICS_TOKEN")
                .or(file.metrics_token)
                .filter(|t| !t.is_empty()),
            network_proxy: env("TRIBUNE_NETWORK_PROXY")
                .or(file.network_proxy)
                .filter(|t| !t.is_empty()),
            sources,
            smtp,
            media_dir,
            media_limits,
            jobs,
            dictionaries,
        })
    }

    /// The resolved configuration as a TOML file, each value followed by where it came from,
    /// secrets redacted. Printed by `tribune config show`.
    pub fn show(&self) -> String {
        fn quoted(text: &str) -> String {
            toml::Value::String(text.to_owned()).to_string()
        }
        let s = &self.sources;
        let mut lines: Vec<(String, Source)> = vec![
            (
                format!(
                    "data_dir = {}",
                    quoted(&self.data_dir.display().to_string())
                ),
                s.data_dir,
            ),
            (
                format!("database_url = {}", quoted(&redact_url(&self.database_url))),
                s.database_url,
            ),
            (
                format!(
                    "listen = {}",
                    quoted(self.listen.as_deref().unwrap_or(DEFAULT_LISTEN))
                ),
                s.listen,
            ),
        ];
        lines.push(match &self.public_url {
            Some(url) => (format!("public_url = {}", quoted(url)), s.public_url),
            None => (
                "# public_url: not set, http:// and the address tribune listens on".to_owned(),
                Source::Default,
            ),
        });
        lines.push(match &self.secret_key {
            Some(_) => (
                format!("secret_key = {}", quoted("<redacted>")),
                s.secret_key,
            ),
            None => (
                format!(
                    "# secret_key: not set, read from {} (generated on first run)",
                    self.data_dir.join("secret.key").display()
                ),
                Source::Default,
            ),
        });
        lines.extend([
            (
                format!("log_format = {}", quoted(self.log_format.name())),
                s.log_format,
            ),
            (
                format!("login_max_failures = {}", self.login_max_failures),
                s.login_max_failures,
            ),
            (format!("trust_proxy = {}", self.trust_proxy), s.trust_proxy),
            (
                format!("allow_http_networks = {}", self.allow_http_networks),
                s.allow_http_networks,
            ),
        ]);
        lines.push(match &self.metrics_token {
            Some(_) => (
                format!("metrics_token = {}", quoted("<redacted>")),
                s.metrics_token,
            ),
            None => (
                "# metrics_token: not set, /metrics is open".to_owned(),
                Source::Default,
            ),
        });
        lines.push(match &self.network_proxy {
            Some(proxy) => (
                format!("network_proxy = {}", quoted(&redact_url(proxy))),
                s.network_proxy,
            ),
            None => (
                "# network_proxy: not set, channel traffic goes direct".to_owned(),
                Source::Default,
            ),
        });
        lines.extend([
            (
                format!(
                    "media_dir = {}",
                    quoted(&self.media_dir.display().to_string())
                ),
                s.media_dir,
            ),
            (
                format!(
                    "media_max_image_mb = {}",
                    self.media_limits.max_image_bytes / 1_000_000
                ),
                s.media_limits,
            ),
            (
                format!(
                    "media_max_video_mb = {}",
                    self.media_limits.max_video_bytes / 1_000_000
                ),
                s.media_limits,
            ),
            (
                format!(
                    "compose.dictionaries = [{}]",
                    self.dictionaries
                        .iter()
                        .map(|d| quoted(&d.display().to_string()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                s.dictionaries,
            ),
            (
                format!("jobs.lease_secs = {}", self.jobs.lease_secs),
                s.jobs,
            ),
            (format!("jobs.poll_ms = {}", self.jobs.poll_ms), s.jobs),
            (
                format!("jobs.attempt_lease_secs = {}", self.jobs.attempt_lease_secs),
                s.jobs,
            ),
        ]);
        let width = lines
            .iter()
            .filter(|(line, _)| !line.starts_with('#'))
            .map(|(line, _)| line.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::from(
            "# tribune's resolved configuration: defaults, then the file, then the environment,\n\
             # then command-line flags. Secrets are redacted.\n",
        );
        for (line, source) in lines {
            if line.starts_with('#') {
                out.push_str(&line);
            } else {
                out.push_str(&format!("{line:<width$}  # {}", source.name()));
            }
            out.push('\n');
        }
        out
    }

    /// The media library's storage (a directory) and limits.
    pub fn media(&self) -> tribune_media::MediaService {
        tribune_media::MediaService::filesystem(&self.media_dir, self.media_limits)
    }

    /// The mailer for these settings, `None` when e-mail is off.
    pub fn mailer(&self) -> anyhow::Result<Option<tribune_mail::Mailer>> {
        self.smtp
            .clone()
            .map(tribune_mail::Mailer::new)
            .transpose()
            .context("invalid SMTP settings")
    }

    /// Where background work finds its mailer: these settings' (the file and the environment
    /// win), else the ones saved on the administration page, read again at each message.
    pub fn mailer_source(
        &self,
        store: &tribune_store::Store,
        secrets: &SecretBox,
    ) -> anyhow::Result<tribune_jobs::mail::MailerSource> {
        Ok(match self.mailer()? {
            Some(mailer) => tribune_jobs::mail::MailerSource::Fixed(mailer),
            None => tribune_jobs::mail::MailerSource::saved(store.clone(), secrets.clone()),
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The SQLite database file named by the URL.
    pub fn sqlite_path(&self) -> anyhow::Result<PathBuf> {
        tribune_store::maintenance::sqlite_path(&self.database_url)
            .context("cannot tell where the SQLite database is")
    }

    /// Creates the data directory (private to the user) when SQLite lives there.
    pub fn ensure_data_dir(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create {}", self.data_dir.display()))?;
        restrict_permissions(&self.data_dir, 0o700);
        Ok(())
    }

    /// The key that encrypts secrets at rest: given, or read from (or first written to) the
    /// data directory.
    pub fn secret_box(&self) -> anyhow::Result<SecretBox> {
        if let Some(key) = &self.secret_key {
            return SecretBox::from_base64_key(key).context("TRIBUNE_SECRET_KEY is invalid");
        }
        self.ensure_data_dir()?;
        let path = self.data_dir.join("secret.key");
        let key = match std::fs::read_to_string(&path) {
            Ok(key) => key,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretBox::generate_key();
                write_private(&path, &key)?;
                tracing::info!(path = %path.display(), "generated a new secret key");
                key
            }
            Err(error) => return Err(error).context(format!("cannot read {}", path.display())),
        };
        SecretBox::from_base64_key(&key).with_context(|| format!("{} is invalid", path.display()))
    }
}

/// The `[jobs]` section overridden by `TRIBUNE_JOBS_*`.
fn resolve_jobs(
    file: JobsFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<JobsSettings> {
    let default = JobsSettings::default();
    let lease_secs = match env("TRIBUNE_JOBS_LEASE_SECS") {
        Some(v) => v
            .parse()
            .context("TRIBUNE_JOBS_LEASE_SECS must be a number of seconds")?,
        None => file.lease_secs.unwrap_or(default.lease_secs),
    };
    let poll_ms = match env("TRIBUNE_JOBS_POLL_MS") {
        Some(v) => v
            .parse()
            .context("TRIBUNE_JOBS_POLL_MS must be a number of milliseconds")?,
        None => file.poll_ms.unwrap_or(default.poll_ms),
    };
    let attempt_lease_secs = match env("TRIBUNE_JOBS_ATTEMPT_LEASE_SECS") {
        Some(v) => v
            .parse()
            .context("TRIBUNE_JOBS_ATTEMPT_LEASE_SECS must be a number of seconds")?,
        None => file
            .attempt_lease_secs
            .unwrap_or(default.attempt_lease_secs),
    };
    if lease_secs < 1 || attempt_lease_secs < 1 {
        bail!("jobs.lease_secs and jobs.attempt_lease_secs must be at least 1");
    }
    if poll_ms < 10 {
        bail!("jobs.poll_ms must be at least 10");
    }
    Ok(JobsSettings {
        lease_secs,
        poll_ms,
        attempt_lease_secs,
    })
}

/// The `[smtp]` section overridden by `TRIBUNE_SMTP_*`; no host means no e-mail.
fn resolve_smtp(
    file: SmtpFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<tribune_mail::SmtpConfig>> {
    let Some(host) = env("TRIBUNE_SMTP_HOST").or(file.host) else {
        return Ok(None);
    };
    let tls = match env("TRIBUNE_SMTP_TLS") {
        Some(v) => tribune_mail::TlsMode::parse(&v)
            .context("TRIBUNE_SMTP_TLS must be starttls, tls or none")?,
        None => file.tls.unwrap_or(tribune_mail::TlsMode::Starttls),
    };
    let port = match env("TRIBUNE_SMTP_PORT") {
        Some(v) => v
            .parse()
            .context("TRIBUNE_SMTP_PORT must be a port number")?,
        None => file.port.unwrap_or(tls.default_port()),
    };
    let timeout_secs = match env("TRIBUNE_SMTP_TIMEOUT_SECS") {
        Some(v) => v
            .parse()
            .context("TRIBUNE_SMTP_TIMEOUT_SECS must be a number of seconds")?,
        None => file
            .timeout_secs
            .unwrap_or(tribune_mail::SmtpConfig::DEFAULT_TIMEOUT.as_secs()),
    };
    let Some(from) = env("TRIBUNE_SMTP_FROM").or(file.from) else {
        bail!("an SMTP host is set but no sender: set smtp.from or TRIBUNE_SMTP_FROM");
    };
    let user = env("TRIBUNE_SMTP_USER").or(file.user);
    let password = env("TRIBUNE_SMTP_PASSWORD").or(file.password);
    if user.is_some() != password.is_some() {
        bail!("the SMTP user and password go together: set both or neither");
    }
    if !(1..=600).contains(&timeout_secs) {
        bail!("the SMTP timeout must be between 1 and 600 seconds");
    }
    Ok(Some(tribune_mail::SmtpConfig {
        host,
        port,
        tls,
        user,
        password,
        from,
        timeout: std::time::Duration::from_secs(timeout_secs),
    }))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

fn restrict_permissions(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

pub fn init_logging(settings: &Settings) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match settings.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:<redacted>@h/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
        assert_eq!(
            redact_url("postgres://u@h/db?sslmode=require&password=secret"),
            "postgres://u@h/db?sslmode=require&password=<redacted>"
        );
    }

    #[test]
    fn smtp_comes_from_the_file_and_the_environment_wins() {
        let file: FileConfig = toml::from_str(
            "[smtp]\nhost = \"smtp.example.fr\"\ntls = \"tls\"\nuser = \"u\"\npassword = \"file-secret\"\nfrom = \"t@example.fr\"",
        )
        .unwrap();
        let none = |_: &str| None;
        let smtp = resolve_smtp(file.smtp.unwrap(), &none).unwrap().unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port), ("smtp.example.fr", 465));
        assert!(!format!("{smtp:?}").contains("file-secret"));

        let env = |name: &str| match name {
            "TRIBUNE_SMTP_HOST" => Some("127.0.0.1".to_owned()),
            "TRIBUNE_SMTP_PORT" => Some("2525".to_owned()),
            "TRIBUNE_SMTP_TLS" => Some("none".to_owned()),
            "TRIBUNE_SMTP_FROM" => Some("tribune@localhost.test".to_owned()),
            _ => None,
        };
        let smtp = resolve_smtp(SmtpFile::default(), &env).unwrap().unwrap();
        assert_eq!(smtp.port, 2525);
        assert_eq!(smtp.tls, tribune_mail::TlsMode::None);
    }

    #[test]
    fn without_a_host_there_is_no_email_and_a_host_needs_a_sender() {
        let none = |_: &str| None;
        assert!(resolve_smtp(SmtpFile::default(), &none).unwrap().is_none());
        let no_from = SmtpFile {
            host: Some("smtp.example.fr".into()),
            ..SmtpFile::default()
        };
        assert!(resolve_smtp(no_from, &none).is_err());
        assert!(toml::from_str::<FileConfig>("[smtp]\nhots = \"x\"").is_err());
    }

    #[test]
    fn the_example_file_parses_and_unknown_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>(EXAMPLE).is_ok());
        assert!(toml::from_str::<FileConfig>("listen = \"0.0.0.0:80\"\nlisten_port = 1").is_err());
    }
}
