//! `tribune serve`: the web UI, the API and background maintenance in one process. Several
//! processes can serve one PostgreSQL database: all shared state lives there.

use super::open_store;
use crate::config::Settings;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tribune_channels::{ChannelService, CheckReport, RefreshReport};
use tribune_connectors::http::{HttpClient, HttpConfig};
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
    let config = WebConfig {
        public_url: public_url.clone(),
        login_max_failures: settings.login_max_failures,
        login_max_failures_per_account: settings.login_max_failures * 10,
        metrics_token: settings.metrics_token.clone(),
        trust_forwarded_for: settings.trust_proxy,
        mailer: settings.mailer()?,
        allow_http_networks: settings.allow_http_networks,
        ..WebConfig::default()
    };
    let channels = channel_service(&settings, store.clone(), secrets.clone())?;
    let app = router(AppState::new(
        store.clone(),
        secrets,
        config,
        channels.clone(),
    ));

    let maintenance = tokio::spawn(maintenance(store.clone()));
    let refresh = tokio::spawn(refresh_tokens(channels));
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
    maintenance.abort();
    refresh.abort();
    store.close().await;
    tracing::info!("tribune stopped");
    Ok(())
}

/// Purges expired sessions and old login attempts every ten minutes. Running it on every node
/// is harmless: the deletes are idempotent.
async fn maintenance(store: tribune_store::Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match store.purge_expired(tribune_store::unix_now()).await {
            Ok(purged) if purged > 0 => tracing::info!(purged, "expired sessions purged"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "maintenance failed"),
        }
    }
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

/// How often each channel's credentials are checked in the background, and how many checks one
/// five-minute pass makes at most (the oldest checked first).
const CHECK_EVERY_SECS: i64 = 60 * 60;
const CHECKS_PER_PASS: u64 = 50;

/// Every five minutes: renews channel tokens before they expire, so a token never dies before a
/// scheduled post, and checks the credentials of channels not checked in the last hour, so a
/// revoked token turns the channel red before a publish fails. Several nodes may run it: a
/// refresh is idempotent, and each channel check is claimed by one node.
async fn refresh_tokens(channels: ChannelService) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        let now = tribune_store::unix_now();
        match channels.refresh_expiring(now).await {
            Ok(report) if report != RefreshReport::default() => {
                tracing::info!(?report, "channel tokens refreshed");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "token refresh failed"),
        }
        match channels
            .check_due(now, CHECK_EVERY_SECS, CHECKS_PER_PASS)
            .await
        {
            Ok(report) if report != CheckReport::default() => {
                tracing::info!(?report, "channel credentials checked");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "channel check failed"),
        }
    }
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

async fn shutdown_signal() {
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
