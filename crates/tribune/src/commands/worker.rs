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
    /// Run the jobs due now, then exit (instead of waiting for more).
    #[arg(long)]
    once: bool,
}

pub async fn run(settings: Settings, args: WorkerArgs) -> anyhow::Result<()> {
    let secrets = settings.secret_box()?;
    let (store, _lock) = open_store(&settings).await?;
    let mailer = settings.mailer_or_saved(&store, &secrets).await?;
    let channels = channel_service(&settings, store.clone(), secrets)?;
    let mut config = super::serve::runner_config(&settings);
    config.concurrency = usize::from(args.concurrency);
    config.mail = mailer.map(|mailer| {
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
        tribune_jobs::mail::MailSettings { mailer, public_url }
    });
    let handlers = tribune_jobs::handlers_with(&channels, &settings.media(), &config);
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
        runner.run(shutdown_signal()).await;
        tracing::info!("worker stopped");
    }
    store.close().await;
    Ok(())
}
