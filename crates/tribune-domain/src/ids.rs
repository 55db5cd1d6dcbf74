//! Newtype identifiers, so an id of one kind never goes where another belongs. With the `sqlx`
//! feature (the store's), each decodes from an integer column as its `i64` does, on SQLite and
//! PostgreSQL alike, so row structs carry typed ids.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

// The freelance back office (issue #15): a business and its clients belong to an account, not
// to a workspace.
id_type!(
    /// A freelancer's business (micro-entreprise): its profile, clients and, later, invoices.
    BusinessId,
    /// A client of a business (billing details), optionally linked to a workspace.
    BusinessClientId,
    /// An invoice or a credit note of a business (draft or issued).
    InvoiceId,
    /// A payment received against an invoice.
    InvoicePaymentId,
);

id_type!(
    /// An account.
    UserId,
    /// A workspace: one per client of the community manager.
    WorkspaceId,
    /// A browser session.
    SessionId,
    /// An invitation to join a workspace.
    InvitationId,
    /// A personal API token.
    ApiTokenId,
    /// A connected account on a network (a Bluesky handle, a Mastodon account, a WordPress site).
    ChannelId,
    /// An in-app notification for a workspace's team.
    NotificationId,
    /// A post: one text for one or several channels.
    PostId,
    /// A post on one channel, published (or not) on its own.
    PostTargetId,
    /// A job in the durable queue.
    JobId,
    /// One event of the audit trail.
    AuditEventId,
    /// An image or video in a workspace's media library.
    MediaId,
    /// A short link (`/l/{code}`) of a workspace.
    LinkId,
    /// A weekly time slot of a channel's posting queue.
    QueueSlotId,
    /// A content category of a workspace (promo, tips, behind the scenes…).
    CategoryId,
    /// A comment, reply or mention in a workspace's inbox.
    InboxItemId,
    /// An internal note on an inbox item.
    InboxNoteId,
    /// A reply written in tribune to an inbox item.
    InboxReplyId,
    /// A saved reply of a workspace's inbox, with variables.
    SavedReplyId,
    /// A moderation rule of a workspace's inbox.
    RuleId,
    /// A bad-buzz alert of a workspace's inbox.
    InboxAlertId,
);
