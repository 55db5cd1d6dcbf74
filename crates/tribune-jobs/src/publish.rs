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
//!
//! Under load, the attempts that start (and the results that arrive) while one transaction
//! commits are written together in the next ([`crate::batch::Coalescer`]): one commit for many
//! posts, same rules for each.
//!
//! Media: each image is sent as a metadata-free copy re-encoded to fit the network's byte
//! limit (see `tribune_media::picture::fit`), with its alt text. A video is sent as it was
//! uploaded (tribune does not transcode), with its description, size and duration; whether
//! the channel takes it is asked of the connector itself at the time of sending (not of the
//! capabilities stored when the channel was connected, which a check refreshes later), and a
//! connector that cannot send it refuses the post as `unsupported` rather than publishing it
//! without its video. The network's limits (type, size, duration, alt text) are checked once
//! more on the media's stored facts before anything is read from storage.

use crate::batch::Coalescer;
use crate::runner::{Handler, Outcome};
use async_trait::async_trait;
use std::future::Future;
use std::str::FromStr;
use tribune_channels::{ChannelError, ChannelService};
use tribune_compose::{
    ComposeNetwork, Draft, MediaInfo, MediaKind as ComposeMediaKind, Options, ProblemCode,
};
use tribune_connectors::{Capability, ErrorKind, ImageInput, PostRequest, VideoInput};
use tribune_domain::PostTargetId;
use tribune_domain::media::MediaKind;
use tribune_domain::publishing::{MAX_PUBLISH_ATTEMPTS, retry_delay_secs};
use tribune_media::{Format, MediaError, MediaService, StorageKey};
use tribune_store::channels::Channel;
use tribune_store::jobs::Job;
use tribune_store::posts::{NotNow, PUBLISH_JOB, Post, PublishAttempt, PublishOutcome};
use tribune_store::publish::Finish;
use tribune_store::{Store, WorkspaceScope, unix_now};

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
    /// An attached media could not be made into what the network takes (its file is missing
    /// or damaged, or it cannot be made small enough).
    pub const MEDIA_UNUSABLE: &str = "media_unusable";
    /// tribune could not do its part (database, stored credentials); retried.
    pub const INTERNAL: &str = "internal";
    /// The last check before sending found the post unfit for the network (too long, media
    /// missing…); the message lists the problems' codes (`tribune_compose::ProblemCode`).
    pub const PREFLIGHT: &str = "preflight";

    pub const ALL: [&str; 10] = [
        MEDIA_UNUSABLE,
        CHANNEL_REFUSED,
        CHANNEL_NOT_ACTIVE,
        NETWORK_REFUSED,
        UNREACHABLE,
        RATE_LIMITED,
        UNSUPPORTED,
        UNCERTAIN,
        INTERNAL,
        PREFLIGHT,
    ];
}

/// Waits before looking again at a busy channel (at most; shorter with a short attempt lease,
/// which frees a channel sooner) or a paused workspace.
const BUSY_DELAY_SECS: i64 = 5;
const PAUSED_DELAY_SECS: i64 = 30;

/// Attempts started, or results recorded, in one transaction at most.
const BATCH: usize = 64;

type Begun = Result<Result<PublishAttempt, NotNow>, String>;

pub struct Publisher {
    channels: ChannelService,
    media: MediaService,
    attempt_lease_secs: i64,
    begins: Coalescer<(WorkspaceScope, PostTargetId), Begun>,
    finishes: Coalescer<Finish, Result<bool, String>>,
}

impl Publisher {
    pub fn new(channels: ChannelService, media: MediaService) -> Self {
        let lease = tribune_store::posts::ATTEMPT_LEASE_SECS;
        let store = channels.store().clone();
        Publisher {
            channels,
            media,
            attempt_lease_secs: lease,
            begins: begins(store.clone(), lease),
            finishes: finishes(store),
        }
    }

    /// How long an unfinished attempt keeps its post and its channel before another worker
    /// takes over; it must outlast the slowest network call.
    pub fn with_attempt_lease(mut self, secs: i64) -> Self {
        self.attempt_lease_secs = secs.max(1);
        self.begins = begins(self.channels.store().clone(), self.attempt_lease_secs);
        self
    }

    fn busy_delay_secs(&self) -> i64 {
        (self.attempt_lease_secs / 2).clamp(1, BUSY_DELAY_SECS)
    }

    /// The post's images as the target's network takes them and its videos as uploaded, or
    /// why it cannot have them.
    async fn media(
        &self,
        channel: &Channel,
        attempt: &PublishAttempt,
        now: i64,
    ) -> Result<(Vec<ImageInput>, Vec<VideoInput>), PublishOutcome> {
        let post = &attempt.post;
        if post.media.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let internal = |error: String| {
            tracing::warn!(target = attempt.target.id.0, %error, "media could not be prepared");
            internal_outcome(attempt, now)
        };
        let can = |capability: Capability| {
            channel
                .capabilities
                .split(',')
                .any(|c| Capability::from_str(c.trim()) == Ok(capability))
        };
        let unsupported = |what: &str| PublishOutcome::Failed {
            code: codes::UNSUPPORTED,
            message: Some(what.to_owned()),
        };
        let has_images = post.media.iter().any(|m| m.kind == MediaKind::Image);
        if has_images && !can(Capability::PublishImage) {
            return Err(unsupported(
                "this network does not take images through tribune",
            ));
        }
        let max_bytes = ComposeNetwork::from_str(&channel.network)
            .ok()
            .and_then(|n| {
                tribune_compose::rules(n, &Options::default())
                    .media
                    .image
                    .max_bytes
            })
            .unwrap_or(self.media.limits().max_image_bytes);
        let mut images = Vec::with_capacity(post.media.len());
        let mut videos = Vec::new();
        for media in &post.media {
            let name = || {
                media
                    .file_name
                    .clone()
                    .unwrap_or_else(|| media.id.to_string())
            };
            let unusable = |why: String| PublishOutcome::Failed {
                code: codes::MEDIA_UNUSABLE,
                message: Some(why),
            };
            let key = StorageKey::parse(media.workspace, &media.storage_key)
                .ok_or_else(|| internal(format!("bad storage key of media {}", media.id)))?;
            let format = Format::from_mime(&media.mime)
                .ok_or_else(|| internal(format!("media {} of type {}", media.id, media.mime)))?;
            if media.kind == MediaKind::Video {
                // Sent as uploaded: read whole (bounded by the library's video limit).
                let bytes = match self.media.storage().get(&key).await {
                    Ok(bytes) if bytes.is_empty() => {
                        return Err(unusable(format!("{}: {}", name(), MediaError::Empty)));
                    }
                    Ok(bytes) => bytes,
                    Err(e @ MediaError::NotFound) => {
                        return Err(unusable(format!("{}: {e}", name())));
                    }
                    Err(e) => return Err(internal(e.to_string())),
                };
                videos.push(VideoInput {
                    bytes,
                    mime: format.mime().to_owned(),
                    alt: media.alt.clone(),
                    width: media.width,
                    height: media.height,
                    duration_ms: media.duration_ms,
                });
                continue;
            }
            let fitted = match self.media.fitted(&key, format, max_bytes).await {
                Ok(fitted) => fitted,
                Err(
                    e @ (MediaError::NotFound
                    | MediaError::Unreadable
                    | MediaError::TooManyPixels
                    | MediaError::TooLarge { .. }
                    | MediaError::Unsupported
                    | MediaError::Empty),
                ) => {
                    return Err(unusable(format!("{}: {e}", name())));
                }
                Err(e) => return Err(internal(e.to_string())),
            };
            images.push(ImageInput {
                bytes: fitted.bytes,
                mime: fitted.mime.to_owned(),
                alt: media.alt.clone(),
            });
        }
        Ok((images, videos))
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
        let begun = match self.begins.call((*scope, target)).await {
            Some(begun) => begun,
            // The batch task is gone (the runtime is shutting down): start it alone.
            None => store
                .begin_publish_with_lease(scope, target, now, self.attempt_lease_secs)
                .await
                .map_err(|e| e.to_string()),
        };
        let attempt = match begun {
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
                    error,
                };
            }
        };
        let outcome = self.attempt(&attempt, now).await;
        let finish = Finish {
            scope: *scope,
            started_at: attempt.target.attempt_started_at.unwrap_or(now),
            target: attempt.target,
            outcome,
            job: job.locked_by.clone().map(|worker| (job.id, worker)),
        };
        let outcome = finish.outcome.clone();
        let recorded = match self.finishes.call(finish.clone()).await {
            Some(recorded) => recorded,
            None => store
                .finish_one(&finish, unix_now())
                .await
                .map_err(|e| e.to_string()),
        };
        let recorded = match recorded {
            Ok(recorded) => recorded,
            Err(error) => {
                // The target stays `publishing`; the retry below reconciles it.
                return Outcome::Retry {
                    at: unix_now() + retry_delay_secs(job.attempts),
                    error,
                };
            }
        };
        match outcome {
            PublishOutcome::Retry { at, code, .. } if code == codes::RATE_LIMITED => {
                Outcome::Later { at }
            }
            PublishOutcome::Retry { at, code, .. } => Outcome::Retry {
                at,
                error: code.to_string(),
            },
            // Recorded with a job: `finish_publishes` deleted it in the same transaction.
            PublishOutcome::Published { .. } | PublishOutcome::Failed { .. }
                if recorded && finish.job.is_some() =>
            {
                Outcome::Completed
            }
            PublishOutcome::Published { .. } | PublishOutcome::Failed { .. } => Outcome::Done,
        }
    }

    /// Makes (or, after a crash, completes) one attempt and says how it ended.
    async fn attempt(&self, attempt: &PublishAttempt, now: i64) -> PublishOutcome {
        let post = &attempt.post;
        let target = &attempt.target;
        let channel = &attempt.channel;
        // The network's rules first, on the media's stored facts: nothing is read from
        // storage (a video can be large) for a post that cannot go out.
        let text = post.text_for(target);
        if let Some(problems) = preflight(channel, post, &text) {
            return PublishOutcome::Failed {
                code: codes::PREFLIGHT,
                message: Some(problems),
            };
        }
        let (images, videos) = match self.media(channel, attempt, now).await {
            Ok(media) => media,
            Err(outcome) => return outcome,
        };
        let request = PostRequest {
            idempotency_key: target.idempotency_key.clone(),
            created_at: post.created_at,
            title: post.title.clone(),
            text,
            images,
            videos,
            link: post.link.clone(),
            reply_to: None,
            private: false,
            earlier_attempt_at: attempt.unfinished_since,
        };
        let unfinished_since = attempt.unfinished_since;
        let result = self
            .channels
            .call_with(channel, attempt.sealed.clone(), now, move |connector| {
                Box::pin(async move {
                    if let (Some(since), Some(window)) =
                        (unfinished_since, connector.idempotency_window_secs())
                        && now - since > window
                    {
                        return Ok(None);
                    }
                    if !request.videos.is_empty()
                        && !connector.capabilities().contains(Capability::PublishVideo)
                    {
                        return Err(tribune_connectors::ConnectorError::unsupported(
                            "this network does not take videos through tribune",
                        ));
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

/// The network's rules, checked once more just before sending: the codes of the errors found
/// (comma-separated), or `None` when the post may go.
///
/// The media are checked on their stored facts (type, bytes, size, duration, alt text), as the
/// composer checked them; an image over the network's byte limit is not a problem here (the
/// publisher sends a copy made to fit), a video over it is.
fn preflight(channel: &Channel, post: &Post, text: &str) -> Option<String> {
    let network = channel.network.parse::<ComposeNetwork>().ok()?;
    let media = post
        .media
        .iter()
        .map(|m| MediaInfo {
            kind: match m.kind {
                MediaKind::Image => ComposeMediaKind::Image,
                MediaKind::Video => ComposeMediaKind::Video,
            },
            mime: m.mime.clone(),
            bytes: m.bytes,
            width: m.width,
            height: m.height,
            duration_secs: m.duration_ms.map(|ms| ms as f64 / 1000.0),
            alt: m.alt.clone(),
        })
        .collect();
    let draft = Draft {
        title: post.title.clone(),
        text: text.to_owned(),
        media,
        link: post.link.clone(),
        first_comment: None,
    };
    // The limits the channel's server announced (a Mastodon instance's own), as the composer
    // counted with them.
    let limits = channel.limits;
    let options = Options {
        mastodon: tribune_compose::MastodonInstance {
            max_characters: limits.max_characters,
            characters_reserved_per_url: limits.characters_reserved_per_url,
            max_media_attachments: limits.max_media_attachments,
            ..Default::default()
        },
        ..Options::default()
    };
    let errors: Vec<&str> = tribune_compose::validate(network, &draft, &options)
        .into_iter()
        .filter(|p| p.is_error() && p.code != ProblemCode::ImageTooBig)
        .map(|p| p.code.as_str())
        .collect();
    (!errors.is_empty()).then(|| errors.join(","))
}

/// tribune could not do its part (the database, a stored file): retried, until the target's
/// attempts run out.
fn internal_outcome(attempt: &PublishAttempt, now: i64) -> PublishOutcome {
    let attempts = attempt.target.attempts;
    if attempts < MAX_PUBLISH_ATTEMPTS {
        PublishOutcome::Retry {
            at: now + retry_delay_secs(attempts),
            code: codes::INTERNAL,
            message: None,
        }
    } else {
        PublishOutcome::Failed {
            code: codes::INTERNAL,
            message: None,
        }
    }
}

/// Answers a batch with `all` (one transaction); should that fail, answers each request with
/// `one` (one request's trouble then holds back no other).
async fn all_or_each<Req, Resp, All, One, Fut>(
    what: &'static str,
    batch: &[Req],
    all: All,
    one: One,
) -> Vec<Result<Resp, String>>
where
    All: Future<Output = Result<Vec<Resp>, tribune_store::StoreError>>,
    One: Fn(&Req) -> Fut,
    Fut: Future<Output = Result<Resp, tribune_store::StoreError>>,
{
    match all.await {
        Ok(answers) => answers.into_iter().map(Ok).collect(),
        Err(error) if batch.len() == 1 => vec![Err(error.to_string())],
        Err(error) => {
            tracing::warn!(%error, size = batch.len(), "a batch of {what} failed; one at a time");
            let mut answers = Vec::with_capacity(batch.len());
            for request in batch {
                answers.push(one(request).await.map_err(|e| e.to_string()));
            }
            answers
        }
    }
}

/// Starts the attempts asked for together in one transaction.
fn begins(store: Store, lease_secs: i64) -> Coalescer<(WorkspaceScope, PostTargetId), Begun> {
    Coalescer::new(BATCH, move |batch: Vec<(WorkspaceScope, PostTargetId)>| {
        let store = store.clone();
        async move {
            let now = unix_now();
            all_or_each(
                "publish attempts",
                &batch,
                store.begin_publishes(&batch, now, lease_secs),
                |&(scope, target)| {
                    let store = store.clone();
                    async move {
                        store
                            .begin_publish_with_lease(&scope, target, now, lease_secs)
                            .await
                    }
                },
            )
            .await
        }
    })
}

/// Records the results that arrived together in one transaction.
fn finishes(store: Store) -> Coalescer<Finish, Result<bool, String>> {
    Coalescer::new(BATCH, move |batch: Vec<Finish>| {
        let store = store.clone();
        async move {
            let now = unix_now();
            all_or_each(
                "publish results",
                &batch,
                store.finish_publishes(&batch, now),
                |finish| {
                    let (store, finish) = (store.clone(), finish.clone());
                    async move { store.finish_one(&finish, now).await }
                },
            )
            .await
        }
    })
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
