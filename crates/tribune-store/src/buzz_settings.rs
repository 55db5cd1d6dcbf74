//! A workspace's own bad-buzz settings: what makes a wave there, and the chat webhook
//! (Slack, Mattermost or any JSON receiver) told when one starts.
//!
//! The webhook's address carries its token, so the store only ever holds it sealed: the caller
//! seals it with the instance's key and the delivery job opens it. Its host is kept in clear to
//! show which service it is; the last delivery's time and error show whether it works. Changes
//! are audited without the address.

use crate::audit::AuditEvent;
use crate::db::Conn;
use crate::jobs::{JobNew, OnDuplicate};
use crate::schema::InboxBuzzSettings as B;
use crate::{Store, StoreError, Transaction, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use std::collections::HashMap;
use tribune_domain::buzz::Thresholds;
use tribune_domain::{InboxAlertId, Role, WorkspaceId};

/// The job that posts an alert (or a test message) to the workspace's webhook.
pub const WEBHOOK_JOB: &str = "buzz-webhook";

/// A workspace's settings as stored (the defaults without a row).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BuzzSettings {
    pub thresholds: Thresholds,
    /// The webhook, if one is set.
    pub webhook: Option<Webhook>,
}

/// A webhook as shown: never its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub host: String,
    /// The last delivery, and its error if it failed.
    pub delivered_at: Option<i64>,
    pub delivery_error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    workspace_id: i64,
    min_count: i64,
    factor: f64,
    webhook_host: Option<String>,
    delivered_at: Option<i64>,
    delivery_error: Option<String>,
}

impl From<Row> for BuzzSettings {
    fn from(row: Row) -> BuzzSettings {
        BuzzSettings {
            thresholds: Thresholds {
                min_count: row.min_count,
                factor: row.factor,
            },
            webhook: row.webhook_host.map(|host| Webhook {
                host,
                delivered_at: row.delivered_at,
                delivery_error: row.delivery_error,
            }),
        }
    }
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            B::WorkspaceId,
            B::MinCount,
            B::Factor,
            B::WebhookHost,
            B::DeliveredAt,
            B::DeliveryError,
        ])
        .from(B::Table)
        .to_owned()
}

/// The settings of the workspaces that have a row (the others use the defaults).
pub(crate) async fn all_settings(
    conn: &mut Conn<'_>,
) -> Result<HashMap<i64, BuzzSettings>, StoreError> {
    let rows: Vec<Row> = conn.fetch_all(&select()).await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.workspace_id, BuzzSettings::from(row)))
        .collect())
}

/// Enqueues the webhook's message for an alert that just opened (or a test without one).
pub(crate) async fn enqueue_webhook(
    tx: &mut Transaction,
    workspace: WorkspaceId,
    alert: Option<InboxAlertId>,
    now: i64,
) -> Result<(), StoreError> {
    // A test asked again while one waits or failed replaces it.
    let (key, on_duplicate) = match alert {
        Some(alert) => (
            format!("{WEBHOOK_JOB}:{}:{}", workspace.0, alert.0),
            OnDuplicate::Keep,
        ),
        None => (
            format!("{WEBHOOK_JOB}:{}:test", workspace.0),
            OnDuplicate::Replace,
        ),
    };
    tx.enqueue(
        &JobNew {
            kind: WEBHOOK_JOB,
            workspace: Some(workspace),
            payload: serde_json::json!({ "alert": alert }),
            dedup_key: Some(key),
            run_at: now,
        },
        on_duplicate,
        now,
    )
    .await
}

/// Makes sure the workspace has a row (with the default thresholds) before one column changes.
async fn ensure_row(
    conn: &mut Conn<'_>,
    workspace: WorkspaceId,
    now: i64,
) -> Result<(), StoreError> {
    let defaults = Thresholds::default();
    conn.execute(
        &Query::insert()
            .into_table(B::Table)
            .columns([B::WorkspaceId, B::MinCount, B::Factor, B::UpdatedAt])
            .values([
                workspace.0.into(),
                defaults.min_count.into(),
                defaults.factor.into(),
                now.into(),
            ])
            .map_err(StoreError::failed("buzz settings"))?
            .on_conflict(OnConflict::column(B::WorkspaceId).do_nothing().to_owned())
            .to_owned(),
    )
    .await?;
    Ok(())
}

impl Store {
    /// The workspace's bad-buzz settings.
    pub async fn buzz_settings(&self, scope: &WorkspaceScope) -> Result<BuzzSettings, StoreError> {
        let row: Option<Row> = self
            .db
            .fetch_optional(
                &select()
                    .and_where(Expr::col(B::WorkspaceId).eq(scope.workspace().0))
                    .to_owned(),
            )
            .await?;
        Ok(row.map(BuzzSettings::from).unwrap_or_default())
    }

    /// Sets what makes a wave in the workspace (`None`: tribune's defaults). Owners and
    /// managers; audited.
    pub async fn set_buzz_thresholds(
        &self,
        scope: &WorkspaceScope,
        thresholds: Option<Thresholds>,
        now: i64,
    ) -> Result<BuzzSettings, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let thresholds = thresholds
            .map(Thresholds::checked)
            .transpose()?
            .unwrap_or_default();
        let ws = scope.workspace();
        let mut tx = self.begin().await?;
        ensure_row(&mut tx.conn(), ws, now).await?;
        tx.conn()
            .execute(
                &Query::update()
                    .table(B::Table)
                    .values([
                        (B::MinCount, thresholds.min_count.into()),
                        (B::Factor, thresholds.factor.into()),
                        (B::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(B::WorkspaceId).eq(ws.0))
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new("buzz.thresholds", "workspace", ws.0)
                .with("min_count", thresholds.min_count)
                .with("factor", thresholds.factor),
        )
        .await?;
        tx.commit().await?;
        self.buzz_settings(scope).await
    }

    /// Sets the webhook, `sealed` with the instance's key, showing `host`; or removes it with
    /// `None`. Forgets the last delivery. Owners and managers; audited with the host only.
    pub async fn set_buzz_webhook(
        &self,
        scope: &WorkspaceScope,
        webhook: Option<(String, String)>,
        now: i64,
    ) -> Result<BuzzSettings, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let ws = scope.workspace();
        let mut tx = self.begin().await?;
        ensure_row(&mut tx.conn(), ws, now).await?;
        let (sealed, host) = match &webhook {
            Some((sealed, host)) => (Some(sealed.clone()), Some(host.clone())),
            None => (None, None),
        };
        tx.conn()
            .execute(
                &Query::update()
                    .table(B::Table)
                    .values([
                        (B::WebhookSealed, sealed.into()),
                        (B::WebhookHost, host.clone().into()),
                        (B::DeliveredAt, None::<i64>.into()),
                        (B::DeliveryError, None::<String>.into()),
                        (B::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(B::WorkspaceId).eq(ws.0))
                    .to_owned(),
            )
            .await?;
        let event = match host {
            Some(host) => AuditEvent::new("buzz.webhook_set", "workspace", ws.0).with("host", host),
            None => AuditEvent::new("buzz.webhook_removed", "workspace", ws.0),
        };
        tx.audit(scope, &event).await?;
        tx.commit().await?;
        self.buzz_settings(scope).await
    }

    /// Sends a test message to the webhook (through the delivery job). Owners and managers.
    pub async fn test_buzz_webhook(
        &self,
        scope: &WorkspaceScope,
        now: i64,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_edit_workspace)?;
        if self.buzz_settings(scope).await?.webhook.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin().await?;
        enqueue_webhook(&mut tx, scope.workspace(), None, now).await?;
        tx.commit().await
    }

    /// For the delivery job: the sealed address, if a webhook is set.
    pub async fn buzz_webhook_sealed(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column(B::WebhookSealed)
                    .from(B::Table)
                    .and_where(Expr::col(B::WorkspaceId).eq(scope.workspace().0))
                    .to_owned(),
            )
            .await?;
        Ok(row.and_then(|(sealed,)| sealed))
    }

    /// For the delivery job: how the last delivery to the webhook `sealed` went (`error` is
    /// `None` when it went through), shown beside the webhook; nothing when the webhook was
    /// changed or removed since.
    pub async fn record_buzz_delivery(
        &self,
        scope: &WorkspaceScope,
        sealed: &str,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        let error = error.map(|e| e.chars().take(300).collect::<String>());
        self.db
            .execute(
                &Query::update()
                    .table(B::Table)
                    .values([
                        (B::DeliveredAt, now.into()),
                        (B::DeliveryError, error.into()),
                    ])
                    .and_where(Expr::col(B::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(B::WebhookSealed).eq(sealed))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
