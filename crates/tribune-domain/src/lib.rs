//! tribune's domain: identifiers, roles, the rules a workspace or an account must follow, and the
//! security primitives (password hashing, tokens, TOTP, encryption at rest). No I/O lives here, so
//! every rule can be tested without a database or a server.

pub mod best_time;
pub mod buzz;
pub mod ids;
pub mod inbox;
pub mod links;
pub mod locale;
pub mod media;
pub mod publishing;
pub mod queue;
pub mod role;
pub mod security;
pub mod sla;
pub mod text_safety;
pub mod timezone;
pub mod user;
pub mod validation;
pub mod workspace;

pub use ids::{
    ApiTokenId, AuditEventId, CategoryId, ChannelId, InboxAlertId, InboxItemId, InboxNoteId,
    InboxReplyId, InvitationId, JobId, LinkId, MediaId, NotificationId, PostId, PostTargetId,
    QueueSlotId, RuleId, SavedReplyId, SessionId, UserId, WorkspaceId,
};
pub use locale::Lang;
pub use publishing::{ApprovalPolicy, TargetStatus};
pub use role::Role;
pub use validation::{ValidationError, Violation};
