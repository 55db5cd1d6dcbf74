//! Periodic work as deduplicated jobs: one row per task (`periodic:<task>`), which every node
//! enqueues at start (a no-op when it exists) and which moves itself to its next run when done.
//! However many nodes run, each task runs once per period, on whichever node claims it.

use crate::runner::{Handler, Outcome};
use async_trait::async_trait;
use tribune_channels::{ChannelService, CheckReport, RefreshReport};
use tribune_store::jobs::{Job, JobNew, OnDuplicate};
use tribune_store::{Store, StoreError, unix_now};

/// Renews channel tokens before they expire and checks credentials not checked in the last
/// hour, so a dead token turns the channel red before a scheduled post fails.
pub const CHANNEL_UPKEEP: &str = "channel-upkeep";
/// Purges expired sessions and old login attempts.
pub const STORE_UPKEEP: &str = "store-upkeep";
/// Refills the empty slots of evergreen categories with recycling on (new posts copied from
/// published ones; see [`Store::recycle_evergreen`]).
pub const QUEUE_RECYCLE: &str = "queue-recycle";

const CHANNEL_UPKEEP_EVERY: i64 = 5 * 60;
const STORE_UPKEEP_EVERY: i64 = 10 * 60;
const QUEUE_RECYCLE_EVERY: i64 = 15 * 60;
/// How often each channel's credentials are checked, and how many checks one run makes at most
/// (the oldest checked first).
const CHECK_EVERY_SECS: i64 = 60 * 60;
const CHECKS_PER_RUN: u64 = 50;

/// Makes sure each periodic task has its job; run by every node at start.
pub async fn ensure_scheduled(store: &Store) -> Result<(), StoreError> {
    let now = unix_now();
    for kind in [
        CHANNEL_UPKEEP,
        STORE_UPKEEP,
        QUEUE_RECYCLE,
        crate::inbox::INBOX_SCHEDULE,
    ] {
        store
            .enqueue(
                &JobNew {
                    kind,
                    workspace: None,
                    payload: serde_json::json!({}),
                    dedup_key: Some(format!("periodic:{kind}")),
                    run_at: now,
                },
                OnDuplicate::Keep,
                now,
            )
            .await?;
    }
    Ok(())
}

pub struct ChannelUpkeep {
    channels: ChannelService,
}

impl ChannelUpkeep {
    pub fn new(channels: ChannelService) -> Self {
        ChannelUpkeep { channels }
    }
}

#[async_trait]
impl Handler for ChannelUpkeep {
    fn kind(&self) -> &'static str {
        CHANNEL_UPKEEP
    }

    async fn run(&self, _job: &Job) -> Outcome {
        let now = unix_now();
        match self.channels.refresh_expiring(now).await {
            Ok(report) if report != RefreshReport::default() => {
                tracing::info!(?report, "channel tokens refreshed");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "token refresh failed"),
        }
        match self
            .channels
            .check_due(now, CHECK_EVERY_SECS, CHECKS_PER_RUN)
            .await
        {
            Ok(report) if report != CheckReport::default() => {
                tracing::info!(?report, "channel credentials checked");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "channel check failed"),
        }
        Outcome::Later {
            at: now + CHANNEL_UPKEEP_EVERY,
        }
    }
}

pub struct StoreUpkeep {
    store: Store,
}

impl StoreUpkeep {
    pub fn new(store: Store) -> Self {
        StoreUpkeep { store }
    }
}

#[async_trait]
impl Handler for StoreUpkeep {
    fn kind(&self) -> &'static str {
        STORE_UPKEEP
    }

    async fn run(&self, _job: &Job) -> Outcome {
        let now = unix_now();
        match self.store.purge_expired(now).await {
            Ok(purged) if purged > 0 => tracing::info!(purged, "expired sessions purged"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "store upkeep failed"),
        }
        if let Err(error) = self.store.refresh_statistics().await {
            tracing::warn!(%error, "the planner's statistics were not refreshed");
        }
        Outcome::Later {
            at: now + STORE_UPKEEP_EVERY,
        }
    }
}

pub struct QueueRecycle {
    store: Store,
}

impl QueueRecycle {
    pub fn new(store: Store) -> Self {
        QueueRecycle { store }
    }
}

#[async_trait]
impl Handler for QueueRecycle {
    fn kind(&self) -> &'static str {
        QUEUE_RECYCLE
    }

    async fn run(&self, _job: &Job) -> Outcome {
        let now = unix_now();
        match self.store.recycle_evergreen(now).await {
            Ok(report) if report.created > 0 => {
                tracing::info!(created = report.created, "evergreen posts recycled");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "evergreen recycling failed"),
        }
        Outcome::Later {
            at: now + QUEUE_RECYCLE_EVERY,
        }
    }
}
