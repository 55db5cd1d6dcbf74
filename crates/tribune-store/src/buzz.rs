//! Bad-buzz alerts: the detection pass (every minute, with the inbox scheduler) counts each
//! workspace's negative or toxic messages of the last hour against the week before
//! (`tribune_domain::buzz`), opens an alert when a wave starts, telling the owners and
//! managers by e-mail (and the workspace's chat webhook, if set) in the same transaction, follows its peak, and closes it when the wave is
//! over. The pages show the open alert with the messages that caused it.

use crate::buzz_settings::{all_settings, enqueue_webhook};
use crate::db::Conn;
use crate::inbox::{Item, ItemRow, items_with_labels, select_items};
use crate::mail_jobs::{MailJob, member_roles};
use crate::schema::{InboxAlerts as A, InboxItems as I};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use serde::Serialize;
use std::collections::HashMap;
use tribune_domain::buzz::{BASELINE_SECS, Thresholds, WINDOW_SECS, hourly};
use tribune_domain::inbox::{FLAG_THRESHOLD, Tone};
use tribune_domain::{InboxAlertId, Role, WorkspaceId};

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Alert {
    pub id: InboxAlertId,
    pub workspace_id: WorkspaceId,
    pub started_at: i64,
    /// Negative or toxic messages in the hour before it started.
    pub count: i64,
    /// Their usual hourly number (the week before).
    pub baseline: f64,
    pub peak: i64,
    pub updated_at: i64,
    pub resolved_at: Option<i64>,
}

/// What a detection pass changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuzzReport {
    pub opened: Vec<Alert>,
    pub resolved: usize,
}

/// Negative or toxic.
fn troubling() -> Cond {
    Cond::any()
        .add(Expr::col((I::Table, I::Sentiment)).eq(Tone::Negative.as_str()))
        .add(Expr::col((I::Table, I::Toxicity)).gte(FLAG_THRESHOLD))
}

/// Troubling messages received in `[from, to)`, by workspace (only `workspaces` when given).
async fn counts(
    conn: &mut Conn<'_>,
    from: i64,
    to: i64,
    workspaces: Option<&[i64]>,
) -> Result<HashMap<i64, i64>, StoreError> {
    let mut select = Query::select();
    select
        .column((I::Table, I::WorkspaceId))
        .expr(Expr::col((I::Table, I::Id)).count())
        .from(I::Table)
        .and_where(Expr::col((I::Table, I::ReceivedAt)).gte(from))
        .and_where(Expr::col((I::Table, I::ReceivedAt)).lt(to))
        .cond_where(troubling())
        .group_by_col((I::Table, I::WorkspaceId));
    if let Some(list) = workspaces {
        select.and_where(crate::db::in_list((I::Table, I::WorkspaceId), list));
    }
    Ok(conn
        .fetch_all::<(i64, i64), _>(&select)
        .await?
        .into_iter()
        .collect())
}

const COLUMNS: [A; 8] = [
    A::Id,
    A::WorkspaceId,
    A::StartedAt,
    A::Count,
    A::Baseline,
    A::Peak,
    A::UpdatedAt,
    A::ResolvedAt,
];

fn select_alerts() -> sea_query::SelectStatement {
    Query::select().columns(COLUMNS).from(A::Table).to_owned()
}

impl Store {
    /// The detection pass over every workspace, at `now`.
    pub async fn check_buzz(&self, now: i64) -> Result<BuzzReport, StoreError> {
        let mut report = BuzzReport::default();
        let mut tx = self.begin().await?;
        let open: Vec<Alert> = tx
            .conn()
            .fetch_all(
                &select_alerts()
                    .and_where(Expr::col(A::ResolvedAt).is_null())
                    .to_owned(),
            )
            .await?;
        let recent = counts(&mut tx.conn(), now - WINDOW_SECS, now + 1, None).await?;
        let settings = all_settings(&mut tx.conn()).await?;
        let thresholds = |ws: i64| settings.get(&ws).map(|s| s.thresholds).unwrap_or_default();
        // The baseline only for the workspaces that could have a wave or have one open.
        let mut candidates: Vec<i64> = recent
            .iter()
            .filter(|(ws, count)| thresholds(**ws).is_wave(**count, 0.0))
            .map(|(ws, _)| *ws)
            .chain(open.iter().map(|a| a.workspace_id.0))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        if candidates.is_empty() {
            return Ok(report);
        }
        let before = counts(
            &mut tx.conn(),
            now - WINDOW_SECS - BASELINE_SECS,
            now - WINDOW_SECS,
            Some(&candidates),
        )
        .await?;
        for ws in candidates {
            let count = recent.get(&ws).copied().unwrap_or(0);
            let baseline = hourly(before.get(&ws).copied().unwrap_or(0));
            let thresholds: Thresholds = thresholds(ws);
            match open.iter().find(|a| a.workspace_id.0 == ws) {
                Some(alert) if thresholds.is_over(count, alert.baseline) => {
                    tx.conn()
                        .execute(
                            &Query::update()
                                .table(A::Table)
                                .values([(A::ResolvedAt, now.into()), (A::UpdatedAt, now.into())])
                                .and_where(Expr::col(A::Id).eq(alert.id.0))
                                .to_owned(),
                        )
                        .await?;
                    report.resolved += 1;
                }
                Some(alert) => {
                    tx.conn()
                        .execute(
                            &Query::update()
                                .table(A::Table)
                                .values([
                                    (A::Peak, std::cmp::max(alert.peak, count).into()),
                                    (A::UpdatedAt, now.into()),
                                ])
                                .and_where(Expr::col(A::Id).eq(alert.id.0))
                                .to_owned(),
                        )
                        .await?;
                }
                None if thresholds.is_wave(count, baseline) => {
                    let (id,): (i64,) = tx
                        .conn()
                        .fetch_one(
                            &Query::insert()
                                .into_table(A::Table)
                                .columns([
                                    A::WorkspaceId,
                                    A::StartedAt,
                                    A::Count,
                                    A::Baseline,
                                    A::Peak,
                                    A::UpdatedAt,
                                ])
                                .values([
                                    ws.into(),
                                    now.into(),
                                    count.into(),
                                    baseline.into(),
                                    count.into(),
                                    now.into(),
                                ])
                                .map_err(StoreError::failed("alert"))?
                                .returning_col(A::Id)
                                .to_owned(),
                        )
                        .await?;
                    let scope = WorkspaceScope::system(WorkspaceId(ws), "inbox.buzz");
                    for (user, role) in member_roles(&mut tx.conn(), &scope).await? {
                        if role.can_edit_workspace() {
                            let mail = MailJob::BuzzAlert {
                                user,
                                alert: InboxAlertId(id),
                            };
                            tx.enqueue_mail(&scope, &mail, None, now).await?;
                        }
                    }
                    if settings.get(&ws).is_some_and(|s| s.webhook.is_some()) {
                        enqueue_webhook(&mut tx, WorkspaceId(ws), Some(InboxAlertId(id)), now)
                            .await?;
                    }
                    report.opened.push(Alert {
                        id: InboxAlertId(id),
                        workspace_id: WorkspaceId(ws),
                        started_at: now,
                        count,
                        baseline,
                        peak: count,
                        updated_at: now,
                        resolved_at: None,
                    });
                }
                None => {}
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// The workspace's open alert, if a wave is going on.
    pub async fn open_buzz_alert(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<Option<Alert>, StoreError> {
        self.db
            .fetch_optional(
                &select_alerts()
                    .and_where(Expr::col(A::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(A::ResolvedAt).is_null())
                    .to_owned(),
            )
            .await
    }

    /// The workspace's alerts, newest first (at most 100).
    pub async fn buzz_alerts(&self, scope: &WorkspaceScope) -> Result<Vec<Alert>, StoreError> {
        self.db
            .fetch_all(
                &select_alerts()
                    .and_where(Expr::col(A::WorkspaceId).eq(scope.workspace().0))
                    .order_by(A::Id, Order::Desc)
                    .limit(100)
                    .to_owned(),
            )
            .await
    }

    pub async fn buzz_alert(
        &self,
        scope: &WorkspaceScope,
        id: InboxAlertId,
    ) -> Result<Alert, StoreError> {
        self.db
            .fetch_one(
                &select_alerts()
                    .and_where(Expr::col(A::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(A::Id).eq(id.0))
                    .to_owned(),
            )
            .await
    }

    /// The negative or toxic messages of an alert: received from the hour before it started
    /// until it ended (or now), newest first, at most `limit`.
    pub async fn buzz_alert_items(
        &self,
        scope: &WorkspaceScope,
        alert: &Alert,
        now: i64,
        limit: u64,
    ) -> Result<Vec<Item>, StoreError> {
        let mut conn = self.db.acquire().await?;
        let rows: Vec<ItemRow> = conn
            .conn()
            .fetch_all(
                &select_items(scope)
                    .and_where(
                        Expr::col((I::Table, I::ReceivedAt)).gte(alert.started_at - WINDOW_SECS),
                    )
                    .and_where(
                        Expr::col((I::Table, I::ReceivedAt)).lte(alert.resolved_at.unwrap_or(now)),
                    )
                    .cond_where(troubling())
                    .order_by((I::Table, I::Id), Order::Desc)
                    .limit(limit)
                    .to_owned(),
            )
            .await?;
        items_with_labels(&mut conn.conn(), scope, rows).await
    }

    /// For the `mail` job: the recipient (while an owner or manager), the alert while it is
    /// open, and its newest messages (at most 20). `None` when it no longer applies.
    pub async fn prepare_buzz_mail(
        &self,
        scope: &WorkspaceScope,
        recipient: tribune_domain::UserId,
        alert: InboxAlertId,
        now: i64,
    ) -> Result<Option<(crate::users::User, Alert, Vec<Item>)>, StoreError> {
        let role = self.role_of(scope, recipient).await?;
        if !role.is_some_and(Role::can_edit_workspace) {
            return Ok(None);
        }
        let alert = match self.buzz_alert(scope, alert).await {
            Ok(alert) if alert.resolved_at.is_none() => alert,
            Ok(_) | Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other),
        };
        let items = self.buzz_alert_items(scope, &alert, now, 20).await?;
        Ok(Some((self.user(recipient).await?, alert, items)))
    }
}
