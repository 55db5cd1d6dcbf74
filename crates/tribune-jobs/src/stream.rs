//! Following the networks' push streams of inbox activity, beside the polling fetch jobs, so a
//! message reaches the inbox seconds after the network shows it rather than at the next poll.
//!
//! [`InboxStreams`] runs in `tribune serve` and `tribune worker`. Every pass (30 s) it lists
//! the active channels whose network has a stream, takes a lease in the database on those no
//! one follows (so each stream is followed by one process of a cluster), and follows each in a
//! task of its own, renewing the lease as it goes. An event only moves the channel's fetch job
//! to now and wakes the local runner: the job and its cursor still store every message exactly
//! once, so a lost or doubled event costs a fetch, never a message, and polling goes on as
//! before when a stream is down. A server that offers no stream (another Mastodon-compatible
//! server, a refusal), or one that keeps failing or closing at once, is left to polling for an
//! hour before the next try, by every process: the lease is kept for that hour.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tribune_channels::{ChannelError, ChannelService};
use tribune_connectors::{ErrorKind, Network};
use tribune_domain::ChannelId;
use tribune_store::{StoreError, WorkspaceScope, unix_now};

/// Timings of the streams; [`StreamConfig::default`] in production, shorter in tests.
#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// Between two passes over the channels.
    pub pass_every: Duration,
    /// A lease lasts this long; it is renewed three times as often.
    pub lease: Duration,
    /// One connection is held at most this long, then opened again.
    pub hold_for: Duration,
    /// After a server refused to stream, or failed several times in a row.
    pub backoff: Duration,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            pass_every: Duration::from_secs(30),
            lease: Duration::from_secs(90),
            hold_for: Duration::from_secs(300),
            backoff: Duration::from_secs(3_600),
        }
    }
}

/// Transient failures in a row before a stream is left to polling for a while.
const FAILURES_BEFORE_BACKOFF: u32 = 5;
/// After an event that found the fetch running (or already due), the fetch is woken once more
/// this much later.
const WAKE_AGAIN: Duration = Duration::from_secs(3);
/// A stream that ends sooner than this counts as a failure.
const MIN_HOLD: Duration = Duration::from_secs(5);
/// Channels read per statement by a pass.
const PASS_BATCH: u64 = 500;

pub struct InboxStreams {
    channels: ChannelService,
    /// Wakes the local runner when a fetch job was moved to now.
    runner: Arc<Notify>,
    holder: String,
    config: StreamConfig,
}

/// Why a channel's follower stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stopped {
    /// Another process holds the lease, or the channel is gone or not active: try again at
    /// the next pass.
    Lease,
    /// The server has no stream for us, or keeps failing: poll only, for a while.
    Backoff,
}

impl InboxStreams {
    pub fn new(
        channels: ChannelService,
        runner: Arc<Notify>,
        holder: impl Into<String>,
        config: StreamConfig,
    ) -> Self {
        InboxStreams {
            channels,
            runner,
            holder: holder.into(),
            config,
        }
    }

    /// Follows the streams until `shutdown` completes, then gives the leases back.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send) {
        let this = Arc::new(self);
        let mut followed: HashMap<ChannelId, JoinHandle<Stopped>> = HashMap::new();
        let mut resting: HashMap<ChannelId, tokio::time::Instant> = HashMap::new();
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = this.pass(&mut followed, &mut resting).await {
                tracing::warn!(%error, "the inbox streams could not be listed");
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(this.config.pass_every) => {}
            }
        }
        for (channel, task) in followed {
            // Ended before its lease is given back, so a renewal in flight cannot take it again.
            task.abort();
            let _ = task.await;
            let _ = this
                .channels
                .store()
                .release_stream_lease(channel, &this.holder)
                .await;
        }
    }

    async fn pass(
        self: &Arc<Self>,
        followed: &mut HashMap<ChannelId, JoinHandle<Stopped>>,
        resting: &mut HashMap<ChannelId, tokio::time::Instant>,
    ) -> Result<(), StoreError> {
        // Followers that stopped: rest after a refusal, else free for the next try.
        let ended: Vec<ChannelId> = followed
            .iter()
            .filter(|(_, task)| task.is_finished())
            .map(|(id, _)| *id)
            .collect();
        for channel in ended {
            if let Some(task) = followed.remove(&channel)
                && let Ok(Stopped::Backoff) = task.await
            {
                resting.insert(channel, tokio::time::Instant::now() + self.config.backoff);
            }
        }
        resting.retain(|_, until| *until > tokio::time::Instant::now());
        let networks: Vec<&str> = Network::WITH_INBOX_STREAM
            .iter()
            .map(|n| n.as_str())
            .collect();
        let mut after = ChannelId(0);
        loop {
            let batch = self
                .channels
                .store()
                .inbox_stream_channels(&networks, after, PASS_BATCH)
                .await?;
            let Some((_, last)) = batch.last() else {
                return Ok(());
            };
            after = *last;
            let full = batch.len() as u64 == PASS_BATCH;
            for (scope, channel) in batch {
                if followed.contains_key(&channel) || resting.contains_key(&channel) {
                    continue;
                }
                let now = unix_now();
                let lease = self.config.lease.as_secs() as i64;
                if self
                    .channels
                    .store()
                    .take_stream_lease(channel, &self.holder, now, lease)
                    .await?
                {
                    let this = self.clone();
                    followed.insert(
                        channel,
                        tokio::spawn(async move { this.follow(scope, channel).await }),
                    );
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// Follows one channel's stream while this process holds its lease. A stream the server
    /// refused keeps its lease until the rest is over, so no other process tries it either;
    /// otherwise the lease is given back.
    async fn follow(&self, scope: WorkspaceScope, channel: ChannelId) -> Stopped {
        let stopped = self.follow_leased(&scope, channel).await;
        let store = self.channels.store();
        let kept = match stopped {
            Stopped::Backoff => store
                .take_stream_lease(
                    channel,
                    &self.holder,
                    unix_now(),
                    self.config.backoff.as_secs() as i64,
                )
                .await
                .unwrap_or(false),
            Stopped::Lease => false,
        };
        if !kept && let Err(error) = store.release_stream_lease(channel, &self.holder).await {
            tracing::warn!(channel = channel.0, %error, "a stream lease was not given back");
        }
        stopped
    }

    /// Moves the channel's fetch to now and wakes the runner; when a fetch is running, asks to
    /// be called again a little later.
    async fn wake(&self, channel: ChannelId) -> Option<tokio::time::Instant> {
        match self
            .channels
            .store()
            .wake_inbox_fetch(channel, unix_now())
            .await
        {
            Ok(true) => {
                self.runner.notify_one();
                None
            }
            Ok(false) => Some(tokio::time::Instant::now() + WAKE_AGAIN),
            Err(error) => {
                tracing::warn!(channel = channel.0, %error, "an inbox fetch could not be woken");
                None
            }
        }
    }

    async fn follow_leased(&self, scope: &WorkspaceScope, channel: ChannelId) -> Stopped {
        let store = self.channels.store();
        let lease = self.config.lease.as_secs() as i64;
        let renew_lease = || async {
            store
                .take_stream_lease(channel, &self.holder, unix_now(), lease)
                .await
                .unwrap_or_else(|error| {
                    tracing::warn!(channel = channel.0, %error, "a stream lease could not be renewed");
                    false
                })
        };
        // One timer for every connection: the lease is renewed on time however often the
        // stream is opened again.
        let mut renew = tokio::time::interval(self.config.lease / 3);
        renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        renew.tick().await;
        let mut failures = 0;
        loop {
            let activity = Arc::new(Notify::new());
            let signal = activity.clone();
            let hold_for = self.config.hold_for;
            let opened = tokio::time::Instant::now();
            let watch = self
                .channels
                .call(scope, channel, unix_now(), move |connector| {
                    Box::pin(async move {
                        let on_activity = move || signal.notify_one();
                        connector.watch_inbox(&on_activity, hold_for).await
                    })
                });
            tokio::pin!(watch);
            // An event while the fetch runs may come after that fetch read the network: the
            // fetch is woken again once it is over.
            let mut again: Option<tokio::time::Instant> = None;
            let ended = loop {
                let wake_again = async {
                    match again {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    ended = &mut watch => break ended,
                    () = activity.notified() => {
                        again = self.wake(channel).await;
                    }
                    () = wake_again => {
                        // Once only: a fetch still running then has read what the event said.
                        self.wake(channel).await;
                        again = None;
                    }
                    _ = renew.tick() => {
                        // Lost (this process was too slow to renew): another follows it.
                        if !renew_lease().await {
                            return Stopped::Lease;
                        }
                    }
                }
            };
            // A stream that ends at once (a page that is not a stream, a proxy that does not
            // hold connections) is a failure, or it would be opened again in a tight loop.
            let short = opened.elapsed() < MIN_HOLD;
            let failure = match ended {
                Ok(()) if !short => None,
                Ok(()) => Some(None),
                Err(ChannelError::Connector(e))
                    if matches!(e.kind, ErrorKind::Transient | ErrorKind::RateLimited) =>
                {
                    Some(e.retry_after)
                }
                Err(ChannelError::Connector(e)) => {
                    tracing::info!(channel = channel.0, error = %e, "no inbox stream: polling only for now");
                    return Stopped::Backoff;
                }
                // Broken, disconnected or gone: the pass will not pick it again while so.
                Err(other) => {
                    tracing::info!(channel = channel.0, error = %other, "an inbox stream stopped");
                    return Stopped::Lease;
                }
            };
            match failure {
                None => failures = 0,
                Some(retry_after) => {
                    failures += 1;
                    if failures >= FAILURES_BEFORE_BACKOFF {
                        tracing::info!(
                            channel = channel.0,
                            "an inbox stream keeps failing: polling only for now"
                        );
                        return Stopped::Backoff;
                    }
                    let wait = retry_after.unwrap_or(Duration::from_secs(5 << failures.min(4)));
                    tokio::time::sleep(wait.min(self.config.lease / 3)).await;
                }
            }
            if !renew_lease().await {
                return Stopped::Lease;
            }
        }
    }
}
