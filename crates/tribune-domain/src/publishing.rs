//! The rules of a post's life: who must approve it, and the state machine each of its targets
//! (one per channel) follows from draft to published. The store applies these rules in its
//! conditional updates; keeping them here means they are tested without a database.
//!
//! ```text
//!   draft ──submit──▶ pending_approval ──approve──▶ scheduled ──claim──▶ publishing ──▶ published
//!     ▲                    │ request changes            ▲   ▲                │
//!     └────────────────────┘                            │   └── retry ───────┤ (transient)
//!                                                       └── retry by hand ── failed (permanent)
//! ```
//!
//! `publishing` is entered *before* the network is called. A target found in `publishing` by a
//! later attempt (its worker crashed, or lost its lease) is reconciled against the network
//! before anything is sent again.

use crate::Role;
use serde::{Deserialize, Serialize};

/// Who must approve a post before it can be scheduled, per workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalPolicy {
    /// Owners and managers schedule directly; contributors still submit (they cannot publish).
    #[default]
    None,
    /// One owner or manager approves every post, whoever wrote it.
    Team,
    /// The client approves every post (owners and managers may approve on the client's behalf
    /// only when the workspace has no client member).
    Client,
}

impl ApprovalPolicy {
    pub const ALL: [ApprovalPolicy; 3] = [
        ApprovalPolicy::None,
        ApprovalPolicy::Team,
        ApprovalPolicy::Client,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalPolicy::None => "none",
            ApprovalPolicy::Team => "team",
            ApprovalPolicy::Client => "client",
        }
    }

    pub fn parse(s: &str) -> Option<ApprovalPolicy> {
        ApprovalPolicy::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether a post written by `author` must be approved before it is scheduled.
    pub fn needs_approval(self, author: Role) -> bool {
        match self {
            ApprovalPolicy::None => !author.can_publish(),
            ApprovalPolicy::Team | ApprovalPolicy::Client => true,
        }
    }

    /// Whether `role` may approve under this policy. `workspace_has_client` says whether a
    /// client member exists: without one, client approval falls to the owners and managers.
    pub fn may_approve(self, role: Role, workspace_has_client: bool) -> bool {
        match self {
            ApprovalPolicy::None | ApprovalPolicy::Team => role.can_publish(),
            ApprovalPolicy::Client if workspace_has_client => role == Role::Client,
            ApprovalPolicy::Client => role.can_publish(),
        }
    }
}

/// Where one target (a post on one channel) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Draft,
    PendingApproval,
    Scheduled,
    Publishing,
    Published,
    Failed,
}

impl TargetStatus {
    pub const ALL: [TargetStatus; 6] = [
        TargetStatus::Draft,
        TargetStatus::PendingApproval,
        TargetStatus::Scheduled,
        TargetStatus::Publishing,
        TargetStatus::Published,
        TargetStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Draft => "draft",
            TargetStatus::PendingApproval => "pending_approval",
            TargetStatus::Scheduled => "scheduled",
            TargetStatus::Publishing => "publishing",
            TargetStatus::Published => "published",
            TargetStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<TargetStatus> {
        TargetStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The statuses a target may move to from this one.
    pub fn next(self) -> &'static [TargetStatus] {
        use TargetStatus::*;
        match self {
            Draft => &[PendingApproval, Scheduled],
            PendingApproval => &[Draft, Scheduled],
            // Back to draft when the post is unscheduled or edited into a new approval round.
            Scheduled => &[Publishing, Draft, PendingApproval],
            // Publishing → publishing: a later attempt takes over a crashed one.
            Publishing => &[Published, Failed, Scheduled, Publishing],
            Published => &[],
            Failed => &[Scheduled, Draft],
        }
    }

    pub fn can_become(self, to: TargetStatus) -> bool {
        self.next().contains(&to)
    }

    /// Whether the post may still be edited or deleted: nothing has gone out, nor is going.
    pub fn is_editable(self) -> bool {
        !matches!(self, TargetStatus::Publishing | TargetStatus::Published)
    }
}

/// A post's status as a whole, derived from its targets: the API's `status` field.
pub fn post_status(targets: &[TargetStatus]) -> TargetStatus {
    use TargetStatus::*;
    if targets.is_empty() {
        return Draft;
    }
    if targets.contains(&Publishing) {
        return Publishing;
    }
    if targets.contains(&Failed) {
        return Failed;
    }
    if targets.iter().all(|t| *t == Published) {
        return Published;
    }
    // Some published, the rest still waiting: the post is still going out.
    if targets.contains(&Published) {
        return Publishing;
    }
    // Otherwise all targets move together through the workflow; report the least advanced.
    for status in [Draft, PendingApproval, Scheduled] {
        if targets.contains(&status) {
            return status;
        }
    }
    Draft
}

/// How long to wait before the `attempt`-th retry (1-based) of a transient failure: 30 s,
/// doubling, at most an hour — so the first retries stay within the hour in which networks
/// such as Mastodon remember an idempotency key.
pub fn retry_delay_secs(attempt: u32) -> i64 {
    let exp = attempt.saturating_sub(1).min(7);
    (30_i64 << exp).min(3600)
}

/// Transient failures retried before a target is marked failed.
pub const MAX_PUBLISH_ATTEMPTS: u32 = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use TargetStatus::*;

    #[test]
    fn published_is_final_and_publishing_cannot_go_back_to_draft() {
        for to in TargetStatus::ALL {
            assert!(!Published.can_become(to));
        }
        assert!(!Publishing.can_become(Draft));
        assert!(Publishing.can_become(Publishing));
        assert!(!Draft.can_become(Publishing), "a draft is never sent");
        assert!(
            !PendingApproval.can_become(Publishing),
            "nor an unapproved post"
        );
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in TargetStatus::ALL {
            assert_eq!(TargetStatus::parse(s.as_str()), Some(s));
        }
        for p in ApprovalPolicy::ALL {
            assert_eq!(ApprovalPolicy::parse(p.as_str()), Some(p));
        }
        assert_eq!(TargetStatus::parse("sent"), None);
    }

    #[test]
    fn contributors_always_need_approval_and_clients_approve_under_client_policy() {
        assert!(ApprovalPolicy::None.needs_approval(Role::Contributor));
        assert!(!ApprovalPolicy::None.needs_approval(Role::Manager));
        assert!(ApprovalPolicy::Team.needs_approval(Role::Owner));
        assert!(ApprovalPolicy::Client.may_approve(Role::Client, true));
        assert!(!ApprovalPolicy::Client.may_approve(Role::Manager, true));
        assert!(ApprovalPolicy::Client.may_approve(Role::Manager, false));
        assert!(!ApprovalPolicy::Team.may_approve(Role::Contributor, false));
        assert!(!ApprovalPolicy::Team.may_approve(Role::Client, true));
    }

    #[test]
    fn a_post_reports_its_least_finished_target() {
        assert_eq!(post_status(&[Published, Published]), Published);
        assert_eq!(post_status(&[Published, Scheduled]), Publishing);
        assert_eq!(post_status(&[Published, Failed]), Failed);
        assert_eq!(post_status(&[Scheduled, PendingApproval]), PendingApproval);
        assert_eq!(post_status(&[]), Draft);
    }

    #[test]
    fn retries_back_off_and_stay_bounded() {
        assert_eq!(retry_delay_secs(1), 30);
        assert_eq!(retry_delay_secs(2), 60);
        assert_eq!(retry_delay_secs(100), 3600);
        let first_retries: i64 = (1..=5).map(retry_delay_secs).sum();
        assert!(
            first_retries < 3600,
            "the first retries stay within the hour"
        );
    }
}
