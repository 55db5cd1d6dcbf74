//! The pre-flight check: everything [`crate::validate`] says about the draft on the channel's
//! network, plus what depends on the channel and the slot — the channel must be connected, its
//! token must outlive the slot, and the slot must not be past. Run when a post is scheduled
//! (problems shown in the composer, errors block) and again just before publishing (errors fail
//! the target with the problems, instead of a network's refusal at 3 a.m.).

use crate::problem::{Field, Problem, ProblemCode};
use crate::{ComposeNetwork, Draft, Options, validate};

/// What the check needs to know about the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelFacts {
    pub network: ComposeNetwork,
    /// Connected and its credentials not refused.
    pub active: bool,
    /// When its token expires, for tokens that tribune cannot renew by itself (`None` when it
    /// does not expire or renews itself).
    pub token_expires_at: Option<i64>,
}

/// A slot may lie this far in the past (the form took a moment to send, the worker a moment
/// to claim).
pub const SLOT_GRACE_SECS: i64 = 120;

/// The problems of `draft` on this channel at `slot` (`None`: as soon as possible).
pub fn preflight(
    draft: &Draft,
    options: &Options,
    channel: &ChannelFacts,
    slot: Option<i64>,
    now: i64,
) -> Vec<Problem> {
    let mut problems = validate(channel.network, draft, options);
    if !channel.active {
        problems.push(Problem::new(ProblemCode::ChannelNotActive, Field::Channel));
    }
    let when = slot.unwrap_or(now);
    if let Some(expires) = channel.token_expires_at
        && expires <= when
    {
        problems.push(Problem::new(
            ProblemCode::TokenExpiresBeforeSlot,
            Field::Channel,
        ));
    }
    if let Some(slot) = slot
        && slot < now - SLOT_GRACE_SECS
    {
        problems.push(Problem::new(ProblemCode::SlotInPast, Field::Schedule));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(active: bool, token_expires_at: Option<i64>) -> ChannelFacts {
        ChannelFacts {
            network: ComposeNetwork::Bluesky,
            active,
            token_expires_at,
        }
    }

    fn draft(text: &str) -> Draft {
        Draft {
            text: text.into(),
            ..Draft::default()
        }
    }

    #[test]
    fn a_healthy_channel_and_a_future_slot_pass() {
        let problems = preflight(
            &draft("Bonjour"),
            &Options::default(),
            &facts(true, None),
            Some(2_000),
            1_000,
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_broken_channel_a_dying_token_and_a_past_slot_are_reported() {
        let problems = preflight(
            &draft("Bonjour"),
            &Options::default(),
            &facts(false, Some(1_500)),
            Some(2_000),
            1_000,
        );
        let codes: Vec<ProblemCode> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                ProblemCode::ChannelNotActive,
                ProblemCode::TokenExpiresBeforeSlot
            ]
        );
        let past = preflight(
            &draft("Bonjour"),
            &Options::default(),
            &facts(true, None),
            Some(100),
            1_000,
        );
        assert_eq!(past[0].code, ProblemCode::SlotInPast);
        assert!(past[0].is_error());
    }

    #[test]
    fn the_network_rules_are_part_of_it() {
        let long = "é".repeat(301);
        let problems = preflight(
            &draft(&long),
            &Options::default(),
            &facts(true, None),
            None,
            1_000,
        );
        assert_eq!(problems[0].code, ProblemCode::TextTooLong);
    }
}
