//! Response-time targets of a workspace's inbox and the messages' deadlines.
//!
//! Each message gets its deadline when it is stored (from the target of that moment, in the
//! workspace's time zone); changing the target gives the messages still waiting, received in the
//! last 30 days, a new one in the same transaction. The breach check (a system pass, every
//! minute) marks the messages that have passed their deadline once each and tells the team by
//! e-mail: the assignee, or the owners and managers when nobody is assigned.

use crate::audit::AuditEvent;
use crate::db::{Conn, in_list};
use crate::mail_jobs::{MailJob, member_roles};
use crate::schema::{InboxItems as I, InboxSla as S, Workspaces};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use std::collections::BTreeMap;
use tribune_domain::inbox::ItemStatus;
use tribune_domain::sla::{Hours, Sla};
use tribune_domain::{InboxItemId, Role, UserId, WorkspaceId};

/// Messages received this long before a change of target get a new deadline.
pub const RECOMPUTE_DAYS: i64 = 30;
/// Messages the breach check reads per pass at most (the next pass reads the rest).
pub const BREACH_BATCH: u64 = 500;

#[derive(sqlx::FromRow)]
struct SlaRow {
    target_minutes: i64,
    warn_minutes: i64,
    hours: String,
    french_holidays: bool,
}

impl SlaRow {
    fn into_sla(self) -> Result<Sla, StoreError> {
        let hours: [Option<Hours>; 7] = serde_json::from_str(&self.hours)
            .map_err(StoreError::failed("stored opening hours"))?;
        Ok(Sla {
            target_minutes: u32::try_from(self.target_minutes).unwrap_or(0),
            warn_minutes: u32::try_from(self.warn_minutes).unwrap_or(0),
            hours,
            french_holidays: self.french_holidays,
        })
    }
}

/// The workspace's target and time zone, read inside a transaction or a connection.
pub(crate) async fn sla_of(
    conn: &mut Conn<'_>,
    workspace: WorkspaceId,
) -> Result<Option<(Sla, jiff::tz::TimeZone)>, StoreError> {
    let row: Option<SlaRow> = conn
        .fetch_optional(
            &Query::select()
                .columns([
                    S::TargetMinutes,
                    S::WarnMinutes,
                    S::Hours,
                    S::FrenchHolidays,
                ])
                .from(S::Table)
                .and_where(Expr::col(S::WorkspaceId).eq(workspace.0))
                .to_owned(),
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let tz = workspace_zone(conn, workspace).await?;
    Ok(Some((row.into_sla()?, tz)))
}

/// The workspace's time zone (UTC if the stored name is unknown to the zone database).
pub(crate) async fn workspace_zone(
    conn: &mut Conn<'_>,
    workspace: WorkspaceId,
) -> Result<jiff::tz::TimeZone, StoreError> {
    let (zone,): (String,) = conn
        .fetch_one(
            &Query::select()
                .column(Workspaces::Timezone)
                .from(Workspaces::Table)
                .and_where(Expr::col(Workspaces::Id).eq(workspace.0))
                .to_owned(),
        )
        .await?;
    Ok(jiff::tz::db().get(&zone).unwrap_or(jiff::tz::TimeZone::UTC))
}

/// A message past its deadline, as the breach check found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub workspace: WorkspaceId,
    pub item: InboxItemId,
    pub assignee: Option<UserId>,
}

impl Store {
    /// The workspace's response-time target, if it has one.
    pub async fn inbox_sla(&self, scope: &WorkspaceScope) -> Result<Option<Sla>, StoreError> {
        let mut conn = self.db.acquire().await?;
        Ok(sla_of(&mut conn.conn(), scope.workspace())
            .await?
            .map(|(sla, _)| sla))
    }

    /// Sets (or with `None` removes) the workspace's target; the messages still waiting that
    /// were received in the last 30 days get their new deadline (none without a target).
    /// Returns how many messages were given one.
    pub async fn set_inbox_sla(
        &self,
        scope: &WorkspaceScope,
        sla: Option<Sla>,
        now: i64,
    ) -> Result<usize, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let sla = sla.map(Sla::checked).transpose()?;
        let ws = scope.workspace().0;
        let mut tx = self.begin().await?;
        match &sla {
            Some(sla) => {
                let hours =
                    serde_json::to_string(&sla.hours).map_err(StoreError::failed("hours"))?;
                tx.conn()
                    .execute(
                        &Query::insert()
                            .into_table(S::Table)
                            .columns([
                                S::WorkspaceId,
                                S::TargetMinutes,
                                S::WarnMinutes,
                                S::Hours,
                                S::FrenchHolidays,
                                S::UpdatedAt,
                            ])
                            .values([
                                ws.into(),
                                i64::from(sla.target_minutes).into(),
                                i64::from(sla.warn_minutes).into(),
                                hours.into(),
                                sla.french_holidays.into(),
                                now.into(),
                            ])
                            .map_err(StoreError::failed("target"))?
                            .on_conflict(
                                OnConflict::column(S::WorkspaceId)
                                    .update_columns([
                                        S::TargetMinutes,
                                        S::WarnMinutes,
                                        S::Hours,
                                        S::FrenchHolidays,
                                        S::UpdatedAt,
                                    ])
                                    .to_owned(),
                            )
                            .to_owned(),
                    )
                    .await?;
            }
            None => {
                tx.conn()
                    .execute(
                        &Query::delete()
                            .from_table(S::Table)
                            .and_where(Expr::col(S::WorkspaceId).eq(ws))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        let target = sla_of(&mut tx.conn(), scope.workspace()).await?;
        let waiting: Vec<(i64, i64)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .columns([I::Id, I::ReceivedAt])
                    .from(I::Table)
                    .and_where(Expr::col(I::WorkspaceId).eq(ws))
                    .and_where(Expr::col(I::ReceivedAt).gte(now - RECOMPUTE_DAYS * 86_400))
                    .and_where(Expr::col(I::FirstResponseAt).is_null())
                    .and_where(Expr::col(I::Status).ne(ItemStatus::Done.as_str()))
                    .to_owned(),
            )
            .await?;
        for (id, received_at) in &waiting {
            let due = target
                .as_ref()
                .map(|(sla, tz)| sla.deadline(*received_at, tz));
            tx.conn()
                .execute(
                    &Query::update()
                        .table(I::Table)
                        .values([
                            (I::DueAt, due.into()),
                            (I::BreachCheckedAt, None::<i64>.into()),
                        ])
                        .and_where(Expr::col(I::WorkspaceId).eq(ws))
                        .and_where(Expr::col(I::Id).eq(*id))
                        .to_owned(),
                )
                .await?;
        }
        let event = match &sla {
            Some(sla) => AuditEvent::new("sla.update", "workspace", scope.workspace())
                .with("target_minutes", i64::from(sla.target_minutes)),
            None => AuditEvent::new("sla.delete", "workspace", scope.workspace()),
        };
        tx.audit(scope, &event).await?;
        tx.commit().await?;
        Ok(waiting.len())
    }

    /// How many of the workspace's messages wait past their deadline at `now`.
    pub async fn inbox_breached_count(
        &self,
        scope: &WorkspaceScope,
        now: i64,
    ) -> Result<i64, StoreError> {
        let (count,): (i64,) = self
            .db
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(I::Id).count())
                    .from(I::Table)
                    .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(I::DueAt).lte(now))
                    .and_where(Expr::col(I::FirstResponseAt).is_null())
                    .and_where(Expr::col(I::Status).ne(ItemStatus::Done.as_str()))
                    .to_owned(),
            )
            .await?;
        Ok(count)
    }

    /// The breach check, for every workspace: the messages whose deadline has passed, not yet
    /// seen by this check, still waiting, are marked and returned, and an e-mail is queued for
    /// each person to tell (one per person and pass, listing their messages), in one
    /// transaction. A message answered or done before the check is only marked.
    pub async fn check_sla_breaches(&self, now: i64) -> Result<Vec<Breach>, StoreError> {
        let mut tx = self.begin().await?;
        let rows: Vec<(i64, i64, String, Option<i64>)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .columns([I::Id, I::WorkspaceId, I::Status, I::AssigneeId])
                    .from(I::Table)
                    .and_where(Expr::col(I::DueAt).is_not_null())
                    .and_where(Expr::col(I::BreachCheckedAt).is_null())
                    .and_where(Expr::col(I::FirstResponseAt).is_null())
                    .and_where(Expr::col(I::DueAt).lte(now))
                    .order_by(I::DueAt, Order::Asc)
                    .limit(BREACH_BATCH)
                    .to_owned(),
            )
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        tx.conn()
            .execute(
                &Query::update()
                    .table(I::Table)
                    .value(I::BreachCheckedAt, now)
                    .and_where(in_list(I::Id, &ids))
                    .to_owned(),
            )
            .await?;
        let breaches: Vec<Breach> = rows
            .into_iter()
            .filter(|(_, _, status, _)| status != ItemStatus::Done.as_str())
            .map(|(id, ws, _, assignee)| Breach {
                workspace: WorkspaceId(ws),
                item: InboxItemId(id),
                assignee: assignee.map(UserId),
            })
            .collect();
        let mut by_workspace: BTreeMap<WorkspaceId, Vec<&Breach>> = BTreeMap::new();
        for breach in &breaches {
            by_workspace
                .entry(breach.workspace)
                .or_default()
                .push(breach);
        }
        for (workspace, list) in by_workspace {
            let scope = WorkspaceScope::system(workspace, "inbox.sla");
            let members = member_roles(&mut tx.conn(), &scope).await?;
            let managers: Vec<UserId> = members
                .iter()
                .filter(|(_, role)| role.can_edit_workspace())
                .map(|(user, _)| *user)
                .collect();
            let mut to_tell: BTreeMap<UserId, Vec<InboxItemId>> = BTreeMap::new();
            for breach in list {
                let assignee = breach
                    .assignee
                    .filter(|a| members.iter().any(|(user, _)| user == a));
                match assignee {
                    Some(user) => to_tell.entry(user).or_default().push(breach.item),
                    None => {
                        for user in &managers {
                            to_tell.entry(*user).or_default().push(breach.item);
                        }
                    }
                }
            }
            for (user, items) in to_tell {
                let mail = MailJob::SlaBreached { user, items };
                tx.enqueue_mail(&scope, &mail, None, now).await?;
            }
        }
        tx.commit().await?;
        Ok(breaches)
    }
}

/// Everything a breach e-mail needs: the recipient and the messages still waiting.
#[derive(Debug, Clone)]
pub struct SlaBreachMail {
    pub recipient: crate::users::User,
    pub items: Vec<crate::inbox::Item>,
    /// The recipient is their assignee.
    pub assigned: bool,
}

impl Store {
    /// For the `mail` job: the messages of `items` still waiting for a first answer, and the
    /// recipient while still a member. `None` when nothing is left to tell.
    pub async fn prepare_sla_breach_mail(
        &self,
        scope: &WorkspaceScope,
        recipient: UserId,
        items: &[InboxItemId],
    ) -> Result<Option<SlaBreachMail>, StoreError> {
        if self.role_of(scope, recipient).await?.is_none() {
            return Ok(None);
        }
        let waiting: Vec<crate::inbox::Item> = self
            .inbox_items_by_ids(scope, items)
            .await?
            .into_iter()
            .filter(|i| i.first_response_at.is_none() && i.status != ItemStatus::Done)
            .collect();
        if waiting.is_empty() {
            return Ok(None);
        }
        let assigned = waiting.iter().all(|i| i.assignee == Some(recipient));
        Ok(Some(SlaBreachMail {
            recipient: self.user(recipient).await?,
            items: waiting,
            assigned,
        }))
    }
}
