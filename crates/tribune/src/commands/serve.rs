//! `tribune serve`: the web UI, the API and background maintenance in one process. Several
//! processes can serve one PostgreSQL database: all shared state lives there.

use super::open_store;
use crate::config::Settings;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tribune_channels::{ChannelService, RefreshReport};
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
    let store = open_store(&settings).await?;
    let listen = args
        .listen
        .or_else(|| settings.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
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
        trust_forwarded_for: settings.trust_proxy,
        mailer: settings.mailer()?,
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

/// Renews channel tokens before they expire, every five minutes, so a token never dies before
/// a scheduled post. Several nodes may run it: a refresh is idempotent, at worst done twice.
async fn refresh_tokens(channels: ChannelService) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        match channels.refresh_expiring(tribune_store::unix_now()).await {
            Ok(report) if report != RefreshReport::default() => {
                tracing::info!(?report, "channel tokens refreshed");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "token refresh failed"),
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
