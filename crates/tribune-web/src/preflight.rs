//! The pre-flight check as the composer and the API run it when a post is scheduled: for each
//! target channel, the network's rules on the text the channel will publish, the channel's state
//! and the slot ([`tribune_compose::preflight`]). Errors stop the scheduling; warnings (a missing
//! alt text) are shown and let it go.

use crate::AppState;
use crate::error::AppError;
use fluent_bundle::FluentArgs;
use tribune_compose::{ChannelFacts, ComposeNetwork, Draft, Options, Problem, ProblemCode};
use tribune_domain::{ChannelId, Lang};
use tribune_store::WorkspaceScope;
use tribune_store::channels::{Channel, ChannelState};

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
    let mut found = Vec::new();
    for (channel_id, variant) in planned.targets {
        let Some(facts) = channels
            .iter()
            .find(|c| c.id == *channel_id)
            .and_then(facts)
        else {
            continue;
        };
        let draft = Draft {
            title: planned.title.map(str::to_owned),
            text: variant.clone().unwrap_or_else(|| planned.text.to_owned()),
            media: Vec::new(),
            link: planned.link.map(str::to_owned),
            first_comment: None,
        };
        let problems =
            tribune_compose::preflight(&draft, &Options::default(), &facts, planned.slot, now);
        // A past slot is the post's, not a channel's: the store refuses it on `scheduled_at`.
        for problem in problems
            .into_iter()
            .filter(|p| p.code != ProblemCode::SlotInPast)
        {
            found.push(ChannelProblem {
                channel_id: *channel_id,
                problem,
            });
        }
    }
    Ok(found)
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
