//! Background work on the durable queue of [`tribune_store::jobs`]: the [`runner::Runner`]
//! (claim with a lease, run, retry with backoff) that `tribune worker` runs and `tribune serve`
//! embeds, and the jobs it runs: the exactly-once [`publish::Publisher`], periodic upkeep, and
//! the outbox's e-mail ([`mail::MailSender`]).
//!
//! The queue is tribune's own rather than a crate's: apalis and graphile-worker keep their jobs
//! in their own tables and transactions, while tribune needs a job written in the same
//! transaction as the post that causes it (an outbox), with the workspace on the row for
//! isolation, on both SQLite and PostgreSQL. See docs/ARCHITECTURE.md.

pub mod batch;
pub mod inbox;
pub mod mail;
pub mod publish;
pub mod runner;
pub mod stream;
pub mod webhook;

pub use publish::Publisher;
pub use runner::{Handler, Outcome, Runner, RunnerConfig};

pub mod periodic;

use std::sync::Arc;
use tribune_channels::ChannelService;
use tribune_media::MediaService;

/// Every handler tribune runs, with the default settings (tests).
pub fn handlers(channels: &ChannelService, media: &MediaService) -> Vec<Arc<dyn Handler>> {
    handlers_with(channels, media, &RunnerConfig::new(""))
}

/// Every handler tribune runs, for `tribune worker` and the runner `tribune serve` embeds, with
/// the runner's settings.
pub fn handlers_with(
    channels: &ChannelService,
    media: &MediaService,
    config: &RunnerConfig,
) -> Vec<Arc<dyn Handler>> {
    vec![
        Arc::new(
            Publisher::new(channels.clone(), media.clone())
                .with_attempt_lease(config.attempt_lease_secs),
        ),
        Arc::new(periodic::ChannelUpkeep::new(channels.clone())),
        Arc::new(periodic::StoreUpkeep::new(channels.store().clone())),
        Arc::new(mail::MailSender::new(
            channels.store().clone(),
            config.mail.clone(),
        )),
        Arc::new(periodic::QueueRecycle::new(channels.store().clone())),
        Arc::new(inbox::InboxFetch::new(
            channels.clone(),
            config.mail.as_ref().map(|m| m.public_url.clone()),
        )),
        Arc::new(inbox::InboxSchedule::new(channels.store().clone())),
        Arc::new(inbox::InboxReplySender::new(channels.clone())),
        Arc::new(webhook::BuzzWebhook::new(
            channels.clone(),
            config.mail.as_ref().map(|m| m.public_url.clone()),
        )),
    ]
}
