//! `tribune worker`: runs background jobs (publishing, channel upkeep) without the web server.
//! Start as many as the work needs, on as many nodes: jobs are claimed with a lease in the
//! database, so each runs on one worker at a time, and a worker that dies leaves its jobs to
//! the others once their lease runs out.

use super::open_store;
use super::serve::{channel_service, shutdown_signal};
use crate::config::Settings;
use clap::Args;
use tribune_jobs::Runner;

#[derive(Args)]
pub struct WorkerArgs {
    /// Jobs run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// Jobs claimed ahead of free slots, so one claim serves several waves (default: twice
    /// the concurrency).
    #[arg(long, value_parser = clap::value_parser!(u16).range(0..=1024))]
    prefetch: Option<u16>,
    /// Threads running the jobs' async work. One is enough for network-bound work (what
    /// jobs do; image processing has threads of its own) and spares the thread handoffs that
    /// cost more than the work on a small machine: start more worker processes to use more
    /// cores. 0 uses one thread per core.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(0..=256))]
    threads: u16,
    /// Run the jobs due now, then exit (instead of waiting for more).
    #[arg(long)]
    once: bool,
}

impl WorkerArgs {
    /// The runtime's async threads: `None` for one per core.
    pub fn threads(&self) -> Option<usize> {
        (self.threads > 0).then_some(usize::from(self.threads))
    }
}

pub async fn run(settings: Settings, args: WorkerArgs) -> anyhow::Result<()> {
    let secrets = settings.secret_box()?;
    let (store, _lock) = open_store(&settings).await?;
    let mailer = settings.mailer_source(&store, &secrets)?;
    let channels = channel_service(&settings, store.clone(), secrets)?;
    let mut config = super::serve::runner_config(&settings);
    config.concurrency = usize::from(args.concurrency);
    config.prefetch = args.prefetch.map_or(config.concurrency * 2, usize::from);
    // Links in e-mails point at the web server; without `public_url` the worker can only
    // guess the address `tribune serve` listens on by default.
    let public_url = settings.public_url.clone().unwrap_or_else(|| {
        tracing::warn!("public_url is not set: links in e-mails point at the default address");
        format!(
            "http://{}",
            settings
                .listen
                .clone()
                .unwrap_or_else(|| crate::config::DEFAULT_LISTEN.to_owned())
        )
    });
    config.mail = Some(tribune_jobs::mail::MailSettings { mailer, public_url });
    let handlers = tribune_jobs::handlers_with(&channels, &settings.media(), &config);
    let holder = config.worker_id.clone();
    let runner = Runner::new(store.clone(), config, handlers);
    if args.once {
        let report = runner.drain().await?;
        println!(
            "{} jobs run: {} done, {} retried later, {} moved, {} failed",
            report.claimed, report.done, report.retried, report.moved, report.failed
        );
    } else {
        tribune_jobs::periodic::ensure_scheduled(&store).await?;
        tracing::info!(backend = ?store.backend(), "worker started");
        // The networks' push streams of inbox activity wake this worker's fetch jobs.
        let streams = tribune_jobs::stream::InboxStreams::new(
            channels.clone(),
            runner.waker(),
            holder,
            tribune_jobs::stream::StreamConfig::default(),
        );
        let (stop_streams, streams_stopped) = tokio::sync::oneshot::channel::<()>();
        let streams = tokio::spawn(streams.run(async {
            let _ = streams_stopped.await;
        }));
        runner.run(shutdown_signal()).await;
        let _ = stop_streams.send(());
        let _ = streams.await;
        tracing::info!("worker stopped");
    }
    store.close().await;
    Ok(())
}
