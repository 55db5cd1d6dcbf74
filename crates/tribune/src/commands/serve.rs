//! `tribune serve`: the web UI, the API and a job runner (publishing, upkeep) in one process. Several
//! processes can serve one PostgreSQL database: all shared state lives there.

use super::open_store;
use crate::config::Settings;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;
use tribune_channels::ChannelService;
use tribune_connectors::http::{HttpClient, HttpConfig};
use tribune_jobs::mail::MailSettings;
use tribune_jobs::runner::default_worker_id;
use tribune_jobs::{Runner, RunnerConfig};
use tribune_web::{AppState, WebConfig, router};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on [env: TRIBUNE_LISTEN] [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// The address users reach tribune at [env: TRIBUNE_PUBLIC_URL] [default: http://ADDR].
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Open the web UI in the default browser once the server is ready.
    #[arg(long)]
    open: bool,
}

pub async fn run(settings: Settings, args: ServeArgs) -> anyhow::Result<()> {
    let secrets = settings.secret_box()?;
    let (store, _lock) = open_store(&settings).await?;
    let listen = args
        .listen
        .or_else(|| settings.listen.clone())
        .unwrap_or_else(|| crate::config::DEFAULT_LISTEN.to_owned());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let local = listener.local_addr()?;
    let public_url = args
        .public_url
        .or_else(|| settings.public_url.clone())
        .unwrap_or_else(|| {
            let host = if local.ip().is_unspecified() {
                "127.0.0.1".to_owned()
            } else {
                local.ip().to_string()
            };
            format!("http://{host}:{}", local.port())
        });
    // The web and the job runner both read saved SMTP settings at each e-mail: a change on the
    // administration page reaches them at once.
    let mailer = settings.mailer()?;
    let job_mailer = settings.mailer_source(&store, &secrets)?;
    let config = WebConfig {
        public_url: public_url.clone(),
        login_max_failures: settings.login_max_failures,
        login_max_failures_per_account: settings.login_max_failures * 10,
        metrics_token: settings.metrics_token.clone(),
        trust_forwarded_for: settings.trust_proxy,
        mailer: mailer.clone(),
        allow_http_networks: settings.allow_http_networks,
        dictionary_dirs: settings.dictionaries.clone(),
        ..WebConfig::default()
    };
    let channels = channel_service(&settings, store.clone(), secrets.clone())?;
    let media = settings.media();
    let state = AppState::new(
        store.clone(),
        secrets,
        config,
        channels.clone(),
        media.clone(),
    );
    let waker = state.job_waker();
    let app = router(state);

    // The embedded worker: the only one on SQLite; beside `tribune worker` processes on
    // PostgreSQL.
    tribune_jobs::periodic::ensure_scheduled(&store).await?;
    let mut config = runner_config(&settings);
    config.mail = Some(MailSettings {
        mailer: job_mailer,
        public_url: public_url.clone(),
    });
    let handlers = tribune_jobs::handlers_with(&channels, &media, &config);
    let streams = tribune_jobs::stream::InboxStreams::new(
        channels.clone(),
        waker.clone(),
        config.worker_id.clone(),
        tribune_jobs::stream::StreamConfig::default(),
    );
    let runner = Runner::new(store.clone(), config, handlers).with_waker(waker);
    let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let jobs = tokio::spawn(runner.run(async {
        let _ = jobs_stopped.await;
    }));
    // The networks' push streams of inbox activity, which wake the inbox's fetch jobs.
    let (stop_streams, streams_stopped) = tokio::sync::oneshot::channel::<()>();
    let streams = tokio::spawn(streams.run(async {
        let _ = streams_stopped.await;
    }));
    tracing::info!(%public_url, backend = ?store.backend(), "tribune is ready");
    println!("tribune is ready at {public_url}");
    if args.open {
        open_browser(&public_url);
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server stopped with an error")?;
    // Jobs in flight finish (their results are recorded) before the store closes.
    let _ = stop_streams.send(());
    let _ = streams.await;
    let _ = stop_jobs.send(());
    let _ = jobs.await;
    store.close().await;
    tracing::info!("tribune stopped");
    Ok(())
}

/// The runner's settings from the configuration's `[jobs]` section.
pub fn runner_config(settings: &Settings) -> RunnerConfig {
    let mut config = RunnerConfig::new(default_worker_id());
    config.lease_secs = settings.jobs.lease_secs;
    config.poll = std::time::Duration::from_millis(settings.jobs.poll_ms);
    config.attempt_lease_secs = settings.jobs.attempt_lease_secs;
    config
}

/// The channel service with the shared HTTP client and every connector tribune has.
pub fn channel_service(
    settings: &Settings,
    store: tribune_store::Store,
    secrets: tribune_domain::security::secret_box::SecretBox,
) -> anyhow::Result<ChannelService> {
    let http = HttpClient::new(HttpConfig {
        allow_http: settings.allow_http_networks,
        proxy: settings.network_proxy.clone(),
        ..HttpConfig::default()
    })
    .context("cannot set up the HTTP client")?;
    Ok(ChannelService::new(
        store,
        secrets,
        http,
        Arc::new(tribune_connectors::build),
    ))
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(error) = std::process::Command::new(opener).arg(url).spawn() {
        tracing::warn!(%error, "could not open a browser; visit {url}");
    }
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
