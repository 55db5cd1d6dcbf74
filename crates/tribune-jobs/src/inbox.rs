//! The inbox's background work: each active channel with an inbox is fetched by a job of its
//! own (`inbox.fetch:{channel}`), which moves itself to its next run (sooner after a fetch
//! that brought something, at most a minute later otherwise); a periodic task makes sure every
//! such channel has its job; replies are sent by `inbox.reply` jobs, queued with the reply.

use crate::runner::{Handler, Outcome};
use async_trait::async_trait;
use tribune_channels::{ChannelError, ChannelService};
use tribune_connectors::ErrorKind;
use tribune_domain::{ChannelId, InboxReplyId};
use tribune_inbox::ReplyOutcome;
use tribune_store::jobs::{Job, OnDuplicate};
use tribune_store::{Store, StoreError, unix_now};

/// Fetches one channel's inbox (payload `{"channel": id}`); queued by the scheduler and when a
/// channel is connected.
pub const INBOX_FETCH: &str = tribune_store::inbox::FETCH_JOB;
/// Makes sure every active channel with an inbox has its fetch job.
pub const INBOX_SCHEDULE: &str = "inbox.schedule";

/// Seconds to the next fetch after one that stored something, and after one that did not:
/// an item reaches the inbox within a minute of the network showing it.
const BUSY_EVERY: i64 = 20;
const IDLE_EVERY: i64 = 60;
/// After a failed fetch (the network unreachable, or slowing us down).
const FAILED_EVERY: i64 = 120;
const SCHEDULE_EVERY: i64 = 60;
/// Channels read per statement by the scheduler.
const SCHEDULE_BATCH: u64 = 500;

pub struct InboxFetch {
    channels: ChannelService,
    /// tribune's public address, for the guidelines page a rule's saved reply may name.
    public_url: Option<String>,
}

impl InboxFetch {
    pub fn new(channels: ChannelService, public_url: Option<String>) -> Self {
        InboxFetch {
            channels,
            public_url,
        }
    }
}

#[async_trait]
impl Handler for InboxFetch {
    fn kind(&self) -> &'static str {
        INBOX_FETCH
    }

    async fn run(&self, job: &Job) -> Outcome {
        let (Some(scope), Some(channel)) = (job.scope(), job.payload["channel"].as_i64()) else {
            return Outcome::Fail("an inbox fetch needs a workspace and a channel".into());
        };
        let now = unix_now();
        match tribune_inbox::ingest(
            &self.channels,
            scope,
            ChannelId(channel),
            self.public_url.as_deref(),
            now,
        )
        .await
        {
            Ok(report) => {
                if !report.stored.is_empty() {
                    tracing::info!(channel, stored = report.stored.len(), "inbox items stored");
                }
                Outcome::Later {
                    at: now
                        + if report.stored.is_empty() {
                            IDLE_EVERY
                        } else {
                            BUSY_EVERY
                        },
                }
            }
            // Broken, disconnected or gone: the scheduler queues the job again once the channel
            // is active.
            Err(
                ChannelError::NotActive(_)
                | ChannelError::Sealed
                | ChannelError::Store(StoreError::NotFound),
            ) => Outcome::Done,
            Err(ChannelError::Connector(e)) if e.kind == ErrorKind::Unsupported => Outcome::Done,
            Err(ChannelError::Connector(e)) => {
                let wait = e
                    .retry_after
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(FAILED_EVERY)
                    .clamp(IDLE_EVERY, 3600);
                tracing::warn!(channel, error = %e, "inbox fetch failed");
                Outcome::Later { at: now + wait }
            }
            Err(e) => Outcome::Retry {
                at: now + FAILED_EVERY,
                error: e.to_string(),
            },
        }
    }
}

/// Queues the fetch job of every active channel that has an inbox (a no-op for those that
/// have one).
pub async fn schedule_fetches(store: &Store, now: i64) -> Result<usize, StoreError> {
    let mut after = ChannelId(0);
    let mut queued = 0;
    loop {
        let batch = store.inbox_channels(after, SCHEDULE_BATCH).await?;
        let Some(&(_, last, _)) = batch.last() else {
            return Ok(queued);
        };
        for (workspace, channel, capabilities) in &batch {
            if !tribune_store::inbox::reads_inbox(capabilities) {
                continue;
            }
            store
                .enqueue(
                    &tribune_store::inbox::fetch_job(*workspace, *channel, now),
                    OnDuplicate::Keep,
                    now,
                )
                .await?;
            queued += 1;
        }
        if (batch.len() as u64) < SCHEDULE_BATCH {
            return Ok(queued);
        }
        after = last;
    }
}

pub struct InboxSchedule {
    store: Store,
}

impl InboxSchedule {
    pub fn new(store: Store) -> Self {
        InboxSchedule { store }
    }
}

#[async_trait]
impl Handler for InboxSchedule {
    fn kind(&self) -> &'static str {
        INBOX_SCHEDULE
    }

    async fn run(&self, _job: &Job) -> Outcome {
        let now = unix_now();
        if let Err(error) = schedule_fetches(&self.store, now).await {
            tracing::warn!(%error, "inbox fetches could not be scheduled");
        }
        match self.store.check_sla_breaches(now).await {
            Ok(breaches) if !breaches.is_empty() => {
                tracing::info!(
                    messages = breaches.len(),
                    "inbox messages passed their response-time deadline"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the response-time check failed"),
        }
        match self.store.check_buzz(now).await {
            Ok(report) => {
                for alert in &report.opened {
                    tracing::warn!(
                        workspace = alert.workspace_id.0,
                        count = alert.count,
                        baseline = alert.baseline,
                        "a wave of negative messages: alert opened"
                    );
                }
            }
            Err(error) => tracing::warn!(%error, "the bad-buzz check failed"),
        }
        Outcome::Later {
            at: now + SCHEDULE_EVERY,
        }
    }
}

/// Sends one reply (payload `{"reply": id}`).
pub struct InboxReplySender {
    channels: ChannelService,
}

impl InboxReplySender {
    pub fn new(channels: ChannelService) -> Self {
        InboxReplySender { channels }
    }
}

const REPLY_ATTEMPTS: u32 = 10;

#[async_trait]
impl Handler for InboxReplySender {
    fn kind(&self) -> &'static str {
        tribune_store::inbox::REPLY_JOB
    }

    fn max_attempts(&self) -> u32 {
        REPLY_ATTEMPTS + 1
    }

    async fn run(&self, job: &Job) -> Outcome {
        let (Some(scope), Some(reply)) = (job.scope(), job.payload["reply"].as_i64()) else {
            return Outcome::Fail("a reply job needs a workspace and a reply".into());
        };
        let now = unix_now();
        let last_try = job.attempts + 1 >= REPLY_ATTEMPTS;
        match tribune_inbox::send_reply(&self.channels, scope, InboxReplyId(reply), now, last_try)
            .await
        {
            Ok(ReplyOutcome::Sent(_) | ReplyOutcome::Finished | ReplyOutcome::Failed(_)) => {
                Outcome::Done
            }
            Ok(ReplyOutcome::Retry { after_secs, error }) => Outcome::Retry {
                at: now + after_secs,
                error,
            },
            Err(StoreError::NotFound) => Outcome::Done,
            Err(e) => Outcome::Retry {
                at: now + 60,
                error: e.to_string(),
            },
        }
    }
}
