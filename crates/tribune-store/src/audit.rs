//! One audit trail for the instance: who or what did what to which object, when, and what
//! changed. Admin actions write to it now; approvals, publishing and moderation will too. Events
//! are written in the same transaction as the change they describe, so the trail never claims
//! a change that was rolled back, nor misses one that was committed.

use crate::db::Conn;
use crate::schema::{AuditEvents, Users};
use crate::{Store, StoreError, WorkspaceScope, unix_now};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::{AuditEventId, Role, UserId, WorkspaceId};

/// Who acts: a person, or tribune's own background work (named by its task, e.g.
/// `channel-check`), which has no account and no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    System(&'static str),
}

impl Actor {
    pub fn user(&self) -> Option<UserId> {
        match self {
            Actor::User(id) => Some(*id),
            Actor::System(_) => None,
        }
    }

    /// The stored label: `user:<id>` or `system:<task>`.
    pub(crate) fn label(&self) -> String {
        match self {
            Actor::User(id) => format!("user:{}", id.0),
            Actor::System(task) => format!("system:{task}"),
        }
    }
}

/// Every action recorded so far; each has a catalogue key `audit-<action with - for .>` (a test
/// checks), so the log can be shown in the reader's language.
pub const ACTIONS: &[&str] = &[
    "account.disabled",
    "account.enabled",
    "account.workspaces_allowed",
    "account.workspaces_disallowed",
    "account.admin_granted",
    "account.admin_revoked",
    "account.reset_sent",
    "mail.test_sent",
    "mail.settings_changed",
    "recovery_code.used",
    "recovery_codes.regenerated",
    "member.role_changed",
    "member.removed",
    "member.left",
    "post.approved",
    "post.changes_requested",
    "post.deleted",
    "post.published",
    "post.failed",
    "publishing.paused",
    "publishing.resumed",
    "buzz.thresholds",
    "buzz.webhook_set",
    "buzz.webhook_removed",
    "workspace.approval_policy",
    "calendar_feed.reset",
    "calendar_feed.revoked",
    "channel.broken",
    "link.created",
    "business.created",
    "business.updated",
    "business.client_created",
    "business.rates_changed",
    "invoice.created",
    "invoice.draft_updated",
    "invoice.draft_deleted",
    "invoice.credit_note_created",
    "invoice.issued",
    "invoice.credited",
    "invoice.payment_recorded",
    "post.queued",
    "post.recycled",
    "queue.slot_added",
    "queue.slot_removed",
    "category.created",
    "category.updated",
    "category.deleted",
    "link.updated",
    "link.deleted",
    "queue.shuffled",
    "inbox.update",
    "inbox.note",
    "inbox.reply",
    "inbox.reply_sent",
    "inbox.reply_failed",
    "inbox.moderate",
    "saved_reply.create",
    "saved_reply.update",
    "saved_reply.delete",
    "rule.create",
    "rule.update",
    "rule.delete",
    "rule.move",
    "sla.update",
    "sla.delete",
    "contact.update",
    "contact.export",
    "contact.erase",
];

/// What happened, to be recorded. `action` is a stable dotted name (`member.role_changed`),
/// also the suffix of its catalogue key (`audit-member-role_changed`).
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: &'static str,
    pub object_kind: &'static str,
    pub object_id: String,
    /// What changed, as a small JSON object (`{"from": "owner", "to": "manager"}`).
    pub details: serde_json::Value,
}

impl AuditEvent {
    pub fn new(action: &'static str, object_kind: &'static str, object_id: impl ToString) -> Self {
        AuditEvent {
            action,
            object_kind,
            object_id: object_id.to_string(),
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        if let serde_json::Value::Object(map) = &mut self.details {
            map.insert(key.to_owned(), value.into());
        }
        self
    }
}

/// One recorded event, with the actor's current name and e-mail when the account still exists.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: AuditEventId,
    pub workspace_id: Option<WorkspaceId>,
    pub at: i64,
    pub actor: String,
    pub actor_user_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    pub details: String,
}

/// Writes one event on a connection (inside the caller's transaction).
pub(crate) async fn record(
    conn: &mut Conn<'_>,
    workspace: Option<WorkspaceId>,
    actor: Actor,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    record_all(conn, &[(workspace, actor, event)]).await
}

/// Writes several events in one statement (the publisher records a batch of results at once).
pub(crate) async fn record_all(
    conn: &mut Conn<'_>,
    events: &[(Option<WorkspaceId>, Actor, &AuditEvent)],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let now = unix_now();
    let mut insert = Query::insert();
    insert.into_table(AuditEvents::Table).columns([
        AuditEvents::WorkspaceId,
        AuditEvents::At,
        AuditEvents::ActorUserId,
        AuditEvents::Actor,
        AuditEvents::Action,
        AuditEvents::ObjectKind,
        AuditEvents::ObjectId,
        AuditEvents::Details,
    ]);
    for (workspace, actor, event) in events {
        insert.values([
            workspace.map(|w| w.0).into(),
            now.into(),
            actor.user().map(|u| u.0).into(),
            actor.label().into(),
            event.action.into(),
            event.object_kind.into(),
            event.object_id.chars().take(200).collect::<String>().into(),
            bounded_details(&event.details).into(),
        ])?;
    }
    conn.execute(&insert).await?;
    Ok(())
}

/// Details are small by design; a runaway value is cut rather than stored whole.
fn bounded_details(details: &serde_json::Value) -> String {
    let text = details.to_string();
    if text.len() <= 4096 {
        text
    } else {
        serde_json::json!({ "truncated": true }).to_string()
    }
}

fn entries_query(limit: u64) -> sea_query::SelectStatement {
    Query::select()
        .column((AuditEvents::Table, AuditEvents::Id))
        .column((AuditEvents::Table, AuditEvents::WorkspaceId))
        .column((AuditEvents::Table, AuditEvents::At))
        .column((AuditEvents::Table, AuditEvents::Actor))
        .column((AuditEvents::Table, AuditEvents::ActorUserId))
        .expr_as(Expr::col((Users::Table, Users::Name)), "actor_name")
        .expr_as(Expr::col((Users::Table, Users::Email)), "actor_email")
        .column((AuditEvents::Table, AuditEvents::Action))
        .column((AuditEvents::Table, AuditEvents::ObjectKind))
        .column((AuditEvents::Table, AuditEvents::ObjectId))
        .column((AuditEvents::Table, AuditEvents::Details))
        .from(AuditEvents::Table)
        .left_join(
            Users::Table,
            Expr::col((Users::Table, Users::Id))
                .equals((AuditEvents::Table, AuditEvents::ActorUserId)),
        )
        .order_by((AuditEvents::Table, AuditEvents::Id), Order::Desc)
        .limit(limit.clamp(1, 500))
        .to_owned()
}

impl Store {
    /// A workspace's audit trail, newest first; owners and managers only.
    pub async fn workspace_audit(
        &self,
        scope: &WorkspaceScope,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        scope.require(Role::can_manage_members)?;
        self.db
            .fetch_all(
                &entries_query(limit)
                    .and_where(
                        Expr::col((AuditEvents::Table, AuditEvents::WorkspaceId))
                            .eq(scope.workspace().0),
                    )
                    .to_owned(),
            )
            .await
    }

    /// What was done to one object of the workspace (an inbox message: triage, notes, replies,
    /// moderation by a member or a rule), newest first, at most `limit`; any member who sees
    /// the object may read it.
    pub async fn object_history(
        &self,
        scope: &WorkspaceScope,
        object_kind: &str,
        object_id: &str,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.db
            .fetch_all(
                &entries_query(limit)
                    .and_where(
                        Expr::col((AuditEvents::Table, AuditEvents::WorkspaceId))
                            .eq(scope.workspace().0),
                    )
                    .and_where(
                        Expr::col((AuditEvents::Table, AuditEvents::ObjectKind)).eq(object_kind),
                    )
                    .and_where(Expr::col((AuditEvents::Table, AuditEvents::ObjectId)).eq(object_id))
                    .to_owned(),
            )
            .await
    }

    /// Instance-level events (accounts, instance settings), newest first; instance admins only.
    pub async fn instance_audit(
        &self,
        admin: &crate::admin::AdminScope,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let _ = admin;
        self.db
            .fetch_all(
                &entries_query(limit)
                    .and_where(Expr::col((AuditEvents::Table, AuditEvents::WorkspaceId)).is_null())
                    .to_owned(),
            )
            .await
    }
}
