//! The publisher: the `publish` job sends one post target to its channel, exactly once.
//!
//! 1. [`Store::begin_publish`] moves the target to `publishing` and records the attempt's start
//!    *before* the network is called (one attempt per channel at a time, none while the
//!    workspace is paused).
//! 2. The connector publishes with the target's idempotency key, which never changes: Bluesky
//!    derives the record key from it, WordPress looks for its marker before creating, Mastodon
//!    sends it as `Idempotency-Key`. A repeat after a crash therefore finds the post the lost
//!    attempt made instead of making a second one.
//! 3. Where the network only remembers the key for a while (Mastodon: an hour), an attempt
//!    found unfinished after that window is not repeated: the target fails as `uncertain`, and
//!    a person checks the channel.
//! 4. The result is recorded only if the target is still in the attempt this run started
//!    (a later run that took over owns it then).

use crate::runner::{Handler, Outcome};
use async_trait::async_trait;
use tribune_channels::{ChannelError, ChannelService};
use tribune_connectors::{ErrorKind, PostRequest};
use tribune_domain::PostTargetId;
use tribune_domain::publishing::{MAX_PUBLISH_ATTEMPTS, retry_delay_secs};
use tribune_store::jobs::Job;
use tribune_store::posts::{NotNow, PUBLISH_JOB, PublishAttempt, PublishOutcome};
use tribune_store::unix_now;

/// Why a target failed or waits, as stored in `error_code` (the web translates each as
/// `publish-error-<code>` and says what to do).
pub mod codes {
    /// The network refused the channel's credentials: reconnect it.
    pub const CHANNEL_REFUSED: &str = "channel_refused";
    /// The channel is broken or disconnected in tribune: reconnect it, then retry.
    pub const CHANNEL_NOT_ACTIVE: &str = "channel_not_active";
    /// The network refused the post itself (too long, bad media…).
    pub const NETWORK_REFUSED: &str = "network_refused";
    /// The network could not be reached, every retry included.
    pub const UNREACHABLE: &str = "unreachable";
    /// The network asked to slow down; the post waits.
    pub const RATE_LIMITED: &str = "rate_limited";
    /// The network cannot do what the post asks (e.g. images on a text-only channel).
    pub const UNSUPPORTED: &str = "unsupported";
    /// An attempt was interrupted longer ago than the network remembers: check the channel
    /// before retrying, the post may be out.
    pub const UNCERTAIN: &str = "uncertain";
    /// tribune could not do its part (database, stored credentials); retried.
    pub const INTERNAL: &str = "internal";

    pub const ALL: [&str; 8] = [
        CHANNEL_REFUSED,
        CHANNEL_NOT_ACTIVE,
        NETWORK_REFUSED,
        UNREACHABLE,
        RATE_LIMITED,
        UNSUPPORTED,
        UNCERTAIN,
        INTERNAL,
    ];
}

/// Waits before looking again at a busy channel (at most; shorter with a short attempt lease,
/// which frees a channel sooner) or a paused workspace.
const BUSY_DELAY_SECS: i64 = 5;
const PAUSED_DELAY_SECS: i64 = 30;

pub struct Publisher {
    channels: ChannelService,
    attempt_lease_secs: i64,
}

impl Publisher {
    pub fn new(channels: ChannelService) -> Self {
        Publisher {
            channels,
            attempt_lease_secs: tribune_store::posts::ATTEMPT_LEASE_SECS,
        }
    }

    /// How long an unfinished attempt keeps its post and its channel before another worker
    /// takes over; it must outlast the slowest network call.
    pub fn with_attempt_lease(mut self, secs: i64) -> Self {
        self.attempt_lease_secs = secs.max(1);
        self
    }

    fn busy_delay_secs(&self) -> i64 {
        (self.attempt_lease_secs / 2).clamp(1, BUSY_DELAY_SECS)
    }

    async fn publish(&self, job: &Job) -> Outcome {
        let Some(scope) = job.scope() else {
            return Outcome::Fail("a publish job without a workspace".into());
        };
        let Some(target) = job
            .payload
            .get("target")
            .and_then(serde_json::Value::as_i64)
            .map(PostTargetId)
        else {
            return Outcome::Fail("a publish job without a target".into());
        };
        let store = self.channels.store();
        let now = unix_now();
        let attempt = match store
            .begin_publish_with_lease(scope, target, now, self.attempt_lease_secs)
            .await
        {
            Ok(Ok(attempt)) => attempt,
            Ok(Err(NotNow::Nothing)) => return Outcome::Done,
            Ok(Err(NotNow::NotYet(at))) => return Outcome::Later { at },
            Ok(Err(NotNow::Paused)) => {
                return Outcome::Later {
                    at: now + PAUSED_DELAY_SECS,
                };
            }
            Ok(Err(NotNow::ChannelBusy | NotNow::InFlight)) => {
                return Outcome::Later {
                    at: now + self.busy_delay_secs(),
                };
            }
            Err(error) => {
                return Outcome::Retry {
                    at: now + retry_delay_secs(job.attempts),
                    error: error.to_string(),
                };
            }
        };
        let outcome = self.attempt(scope, &attempt, now).await;
        let started = attempt.target.attempt_started_at.unwrap_or(now);
        match store
            .finish_publish(scope, &attempt.target, started, &outcome, unix_now())
            .await
        {
            Ok(_) => {}
            Err(error) => {
                // The target stays `publishing`; the retry below reconciles it.
                return Outcome::Retry {
                    at: unix_now() + retry_delay_secs(job.attempts),
                    error: error.to_string(),
                };
            }
        }
        match outcome {
            PublishOutcome::Retry { at, code, .. } if code == codes::RATE_LIMITED => {
                Outcome::Later { at }
            }
            PublishOutcome::Retry { at, code, .. } => Outcome::Retry {
                at,
                error: code.to_string(),
            },
            PublishOutcome::Published { .. } | PublishOutcome::Failed { .. } => Outcome::Done,
        }
    }

    /// Makes (or, after a crash, completes) one attempt and says how it ended.
    async fn attempt(
        &self,
        scope: &tribune_store::WorkspaceScope,
        attempt: &PublishAttempt,
        now: i64,
    ) -> PublishOutcome {
        let post = &attempt.post;
        let target = &attempt.target;
        let request = PostRequest {
            idempotency_key: target.idempotency_key.clone(),
            created_at: post.created_at,
            title: post.title.clone(),
            text: post.text_for(target),
            images: Vec::new(),
            link: post.link.clone(),
            reply_to: None,
        };
        let unfinished_since = attempt.unfinished_since;
        let result = self
            .channels
            .call(scope, target.channel_id, now, move |connector| {
                Box::pin(async move {
                    if let (Some(since), Some(window)) =
                        (unfinished_since, connector.idempotency_window_secs())
                        && now - since > window
                    {
                        return Ok(None);
                    }
                    connector.publish(&request).await.map(Some)
                })
            })
            .await;
        let attempts = target.attempts;
        match result {
            Ok(Some(published)) => PublishOutcome::Published {
                remote_ref: published.remote_ref.0,
                remote_url: published.url,
            },
            Ok(None) => PublishOutcome::Failed {
                code: codes::UNCERTAIN,
                message: None,
            },
            Err(ChannelError::Connector(e)) => match e.kind {
                ErrorKind::RateLimited => PublishOutcome::Retry {
                    at: now
                        + e.retry_after
                            .map(|d| d.as_secs() as i64)
                            .unwrap_or(60)
                            .clamp(1, 24 * 3600),
                    code: codes::RATE_LIMITED,
                    message: e.network_message,
                },
                ErrorKind::Transient | ErrorKind::InvalidResponse
                    if attempts < MAX_PUBLISH_ATTEMPTS =>
                {
                    PublishOutcome::Retry {
                        at: now + retry_delay_secs(attempts),
                        code: codes::UNREACHABLE,
                        message: e.network_message,
                    }
                }
                ErrorKind::Transient | ErrorKind::InvalidResponse => PublishOutcome::Failed {
                    code: codes::UNREACHABLE,
                    message: e.network_message,
                },
                ErrorKind::Auth => PublishOutcome::Failed {
                    code: codes::CHANNEL_REFUSED,
                    message: e.network_message,
                },
                ErrorKind::Permanent | ErrorKind::InvalidInput => PublishOutcome::Failed {
                    code: codes::NETWORK_REFUSED,
                    message: e.network_message.or(Some(e.message)),
                },
                ErrorKind::Unsupported => PublishOutcome::Failed {
                    code: codes::UNSUPPORTED,
                    message: None,
                },
            },
            Err(ChannelError::NotActive(_) | ChannelError::Sealed) => PublishOutcome::Failed {
                code: codes::CHANNEL_NOT_ACTIVE,
                message: None,
            },
            Err(error) if attempts < MAX_PUBLISH_ATTEMPTS => {
                tracing::warn!(target = target.id.0, %error, "publish attempt could not run");
                PublishOutcome::Retry {
                    at: now + retry_delay_secs(attempts),
                    code: codes::INTERNAL,
                    message: None,
                }
            }
            Err(error) => {
                tracing::error!(target = target.id.0, %error, "publish attempt could not run");
                PublishOutcome::Failed {
                    code: codes::INTERNAL,
                    message: None,
                }
            }
        }
    }
}

#[async_trait]
impl Handler for Publisher {
    fn kind(&self) -> &'static str {
        PUBLISH_JOB
    }

    async fn run(&self, job: &Job) -> Outcome {
        self.publish(job).await
    }

    /// Attempts are counted on the target (the network's failures); the job's own count only
    /// guards against a handler that keeps crashing.
    fn max_attempts(&self) -> u32 {
        50
    }
}
