//! Inbox statistics over a period, for the reports: how many messages arrived each local day,
//! how fast the first answers came (in plain and in business time), how many met the
//! response-time target, and what each member answered.
//!
//! Read from the items and replies as stored: nothing is kept twice. Days are the workspace's
//! local dates, computed in Rust (SQLite has no time zones) from counts per quarter of an hour,
//! which every zone's offset divides.

use crate::schema::{InboxItems as I, InboxReplies as R};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use std::collections::BTreeMap;
use tribune_domain::UserId;
use tribune_domain::inbox::ItemStatus;

/// Seconds per bucket of the daily counts: every UTC offset in use is a multiple of 15 minutes.
const BUCKET: i64 = 900;
/// First answers read at most to compute the medians (the newest ones).
pub const MAX_ANSWERED: u64 = 50_000;
/// Longest period, in days.
pub const MAX_DAYS: i64 = 400;

/// What the inbox did over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxStats {
    /// Messages received each local day (`YYYY-MM-DD`), days without any left out.
    pub received_by_day: BTreeMap<String, i64>,
    pub received: i64,
    /// Of those, answered from tribune (a first reply sent).
    pub answered: i64,
    /// Of those, marked done (answered or not).
    pub done: i64,
    /// Median and mean seconds from arrival to the first reply, over the answered ones.
    pub first_response_median_secs: Option<i64>,
    pub first_response_mean_secs: Option<i64>,
    /// The same in business time, when the workspace has a response-time target.
    pub first_response_business_median_secs: Option<i64>,
    /// Messages with a deadline: answered or done in time, late, still waiting past it.
    pub sla_met: i64,
    pub sla_missed: i64,
    pub sla_breached: i64,
    /// Replies sent from tribune in the period, by member (who wrote them).
    pub replies_by_member: BTreeMap<UserId, i64>,
}

fn median(sorted: &[i64]) -> Option<i64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[n / 2]),
        n => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

impl Store {
    /// The inbox's statistics for messages received in `[from, to)` (Unix seconds; at most
    /// [`MAX_DAYS`] days), replies counted by when they were sent in that period.
    pub async fn inbox_stats(
        &self,
        scope: &WorkspaceScope,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<InboxStats, StoreError> {
        let to = std::cmp::min(to, from + MAX_DAYS * 86_400);
        let ws = scope.workspace().0;
        let mut conn = self.db.acquire().await?;
        let in_period = |select: &mut sea_query::SelectStatement| {
            select
                .and_where(Expr::col(I::WorkspaceId).eq(ws))
                .and_where(Expr::col(I::ReceivedAt).gte(from))
                .and_where(Expr::col(I::ReceivedAt).lt(to));
        };

        let mut buckets = Query::select();
        // Grouped by the column's alias: PostgreSQL would see two expressions with their own
        // bound parameters as different.
        buckets
            .expr_as(Expr::col(I::ReceivedAt).div(BUCKET), "bucket")
            .expr(Expr::col(I::Id).count())
            .from(I::Table);
        in_period(&mut buckets);
        buckets.add_group_by([Expr::col("bucket")]);
        let buckets: Vec<(i64, i64)> = conn.conn().fetch_all(&buckets).await?;
        let sla = crate::sla::sla_of(&mut conn.conn(), scope.workspace()).await?;
        let zone = match &sla {
            Some((_, tz)) => tz.clone(),
            None => crate::sla::workspace_zone(&mut conn.conn(), scope.workspace()).await?,
        };
        let mut stats = InboxStats {
            received_by_day: BTreeMap::new(),
            received: 0,
            answered: 0,
            done: 0,
            first_response_median_secs: None,
            first_response_mean_secs: None,
            first_response_business_median_secs: None,
            sla_met: 0,
            sla_missed: 0,
            sla_breached: 0,
            replies_by_member: BTreeMap::new(),
        };
        for (bucket, count) in buckets {
            let day = jiff::Timestamp::from_second(bucket * BUCKET)
                .map(|t| t.to_zoned(zone.clone()).date().to_string())
                .unwrap_or_default();
            *stats.received_by_day.entry(day).or_default() += count;
            stats.received += count;
        }

        // Each item's clock, in one pass over the items with a deadline or an answer.
        let mut clocks = Query::select();
        clocks
            .columns([
                I::ReceivedAt,
                I::FirstResponseAt,
                I::DueAt,
                I::Status,
                I::DoneAt,
            ])
            .from(I::Table)
            .cond_where(
                sea_query::Cond::any()
                    .add(Expr::col(I::FirstResponseAt).is_not_null())
                    .add(Expr::col(I::DueAt).is_not_null())
                    .add(Expr::col(I::Status).eq(ItemStatus::Done.as_str())),
            )
            .order_by(I::Id, Order::Desc)
            .limit(MAX_ANSWERED);
        in_period(&mut clocks);
        type ClockRow = (i64, Option<i64>, Option<i64>, String, Option<i64>);
        let rows: Vec<ClockRow> = conn.conn().fetch_all(&clocks).await?;
        let mut waits = Vec::new();
        let mut business = Vec::new();
        for (received, first, due, status, done_at) in rows {
            let done = status == ItemStatus::Done.as_str();
            if done {
                stats.done += 1;
            }
            if let Some(first) = first {
                stats.answered += 1;
                waits.push(std::cmp::max(first - received, 0));
                if let Some((sla, tz)) = &sla {
                    business.push(sla.business_seconds(received, first, tz));
                }
            }
            let stopped = first.or(if done { done_at } else { None });
            if let Some(due) = due {
                match tribune_domain::sla::Clock::at(due, stopped, 0, now) {
                    tribune_domain::sla::Clock::Met => stats.sla_met += 1,
                    tribune_domain::sla::Clock::Missed => stats.sla_missed += 1,
                    tribune_domain::sla::Clock::Breached => stats.sla_breached += 1,
                    _ => {}
                }
            }
        }
        waits.sort_unstable();
        business.sort_unstable();
        stats.first_response_median_secs = median(&waits);
        stats.first_response_mean_secs =
            (!waits.is_empty()).then(|| waits.iter().sum::<i64>() / waits.len() as i64);
        stats.first_response_business_median_secs = median(&business);

        let replies: Vec<(Option<i64>, i64)> = conn
            .conn()
            .fetch_all(
                &Query::select()
                    .column(R::AuthorId)
                    .expr(Expr::col(R::Id).count())
                    .from(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(ws))
                    .and_where(Expr::col(R::State).eq("sent"))
                    .and_where(Expr::col(R::SentAt).gte(from))
                    .and_where(Expr::col(R::SentAt).lt(to))
                    .and_where(Expr::col(R::AuthorId).is_not_null())
                    .group_by_col(R::AuthorId)
                    .to_owned(),
            )
            .await?;
        stats.replies_by_member = replies
            .into_iter()
            .filter_map(|(author, count)| author.map(|a| (UserId(a), count)))
            .collect();
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 3, 10]), Some(3));
        assert_eq!(median(&[1, 3, 10, 20]), Some(6));
    }
}
