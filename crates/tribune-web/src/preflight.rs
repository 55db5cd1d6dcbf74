//! The pre-flight check as the composer and the API run it when a post is scheduled: for each
//! target channel, the network's rules on the text the channel will publish, the channel's state
//! and the slot ([`tribune_compose::preflight`]). Errors stop the scheduling; warnings (a missing
//! alt text) are shown and let it go.

use crate::AppState;
use crate::error::AppError;
use fluent_bundle::FluentArgs;
use tribune_compose::{
    ChannelFacts, ComposeNetwork, Draft, MastodonInstance, MediaInfo,
    MediaKind as ComposeMediaKind, Options, Problem, ProblemCode,
};
use tribune_domain::media::MediaKind;
use tribune_domain::{ChannelId, Lang, MediaId};
use tribune_store::channels::{Channel, ChannelState};
use tribune_store::media::Media;
use tribune_store::{StoreError, WorkspaceScope};

/// One problem of the post on one of its channels.
#[derive(Debug, Clone)]
pub struct ChannelProblem {
    pub channel_id: ChannelId,
    pub problem: Problem,
}

impl ChannelProblem {
    /// The problem in the reader's language, with the network's figures.
    pub fn message(&self, state: &AppState, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        if let Some(limit) = self.problem.limit {
            args.set("limit", limit);
        }
        if let Some(actual) = self.problem.actual {
            args.set("actual", actual);
        }
        state
            .i18n()
            .message(lang, self.problem.code.key(), Some(&args))
    }
}

/// The post as the check reads it: its text, and each channel with its own text if any.
pub struct Planned<'a> {
    pub title: Option<&'a str>,
    pub text: &'a str,
    pub link: Option<&'a str>,
    pub targets: &'a [(ChannelId, Option<String>)],
    /// `None`: as soon as possible.
    pub slot: Option<i64>,
    /// The attached media, in order (see [`media_facts`]).
    pub media: &'a [MediaInfo],
}

/// What the network rules read of a library media.
pub fn media_info(media: &Media) -> MediaInfo {
    MediaInfo {
        kind: match media.kind {
            MediaKind::Image => ComposeMediaKind::Image,
            MediaKind::Video => ComposeMediaKind::Video,
        },
        mime: media.mime.clone(),
        bytes: media.bytes,
        width: media.width,
        height: media.height,
        duration_secs: media.duration_ms.map(|ms| ms as f64 / 1000.0),
        alt: media.alt.clone(),
    }
}

/// The facts of the workspace's media `ids`, in order, each alt text replaced by the one being
/// typed when `alts` has it. Ids that are not the workspace's are left out: the store refuses
/// them when the post is saved.
pub async fn media_facts(
    state: &AppState,
    scope: &WorkspaceScope,
    ids: &[MediaId],
    alts: &[(MediaId, String)],
) -> Result<Vec<MediaInfo>, AppError> {
    let mut facts = Vec::with_capacity(ids.len());
    for id in ids {
        let media = match state.store().media(scope, *id).await {
            Ok(media) => media,
            Err(StoreError::NotFound) => continue,
            Err(other) => return Err(other.into()),
        };
        let mut info = media_info(&media);
        if let Some((_, alt)) = alts.iter().find(|(a, _)| a == id) {
            alt.clone_into(&mut info.alt);
        }
        facts.push(info);
    }
    Ok(facts)
}

/// The network's rules as they apply to `channel`: with the limits its server announced (a
/// Mastodon instance's characters, link length and attachments), read when it was connected or
/// last checked. The composer's counters, this check and the publisher's agree on them.
pub fn options(channel: &Channel) -> Options {
    let limits = channel.limits;
    Options {
        mastodon: MastodonInstance {
            max_characters: limits.max_characters,
            characters_reserved_per_url: limits.characters_reserved_per_url,
            max_media_attachments: limits.max_media_attachments,
            ..MastodonInstance::default()
        },
        ..Options::default()
    }
}

fn facts(channel: &Channel) -> Option<ChannelFacts> {
    let network = channel.network.parse::<ComposeNetwork>().ok()?;
    Some(ChannelFacts {
        network,
        active: channel.state == ChannelState::Active,
        // Bluesky renews its tokens by itself; the other networks connected so far have tokens
        // that do not expire.
        token_expires_at: match network {
            ComposeNetwork::Bluesky => None,
            _ => channel.token_expires_at,
        },
    })
}

/// Every problem of the planned post, channel by channel, in the order of its targets. Channels
/// that are not the workspace's are left to the store, which refuses them.
pub async fn check(
    state: &AppState,
    scope: &WorkspaceScope,
    planned: &Planned<'_>,
    now: i64,
) -> Result<Vec<ChannelProblem>, AppError> {
    let channels = state.store().channels(scope).await?;
    Ok(check_with(&channels, planned, now))
}

/// [`check`] against the workspace's channels already loaded (the calendar checks many posts
/// with one read of the channels).
pub fn check_with(channels: &[Channel], planned: &Planned<'_>, now: i64) -> Vec<ChannelProblem> {
    let mut found = Vec::new();
    for (channel_id, variant) in planned.targets {
        let Some((channel, facts)) = channels
            .iter()
            .find(|c| c.id == *channel_id)
            .and_then(|c| Some((c, facts(c)?)))
        else {
            continue;
        };
        let draft = Draft {
            title: planned.title.map(str::to_owned),
            text: variant.clone().unwrap_or_else(|| planned.text.to_owned()),
            media: planned.media.to_vec(),
            link: planned.link.map(str::to_owned),
            first_comment: None,
        };
        let problems =
            tribune_compose::preflight(&draft, &options(channel), &facts, planned.slot, now);
        // A past slot is the post's, not a channel's: the store refuses it on `scheduled_at`.
        // An image over the network's byte limit is no problem: the publisher sends a copy
        // re-encoded to fit (`tribune_media::picture::fit`).
        for problem in problems
            .into_iter()
            .filter(|p| !matches!(p.code, ProblemCode::SlotInPast | ProblemCode::ImageTooBig))
        {
            found.push(ChannelProblem {
                channel_id: *channel_id,
                problem,
            });
        }
    }
    found
}

/// Refuses the scheduling when the check found errors (422 `error-preflight`, each problem in
/// `errors` with its channel).
pub fn refuse_errors(problems: &[ChannelProblem]) -> Result<(), AppError> {
    let errors: Vec<ChannelProblem> = problems
        .iter()
        .filter(|p| p.problem.is_error())
        .cloned()
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Preflight(errors))
    }
}
