//! Push streams of inbox activity (Mastodon's notification stream): which channels have one,
//! which process follows each (a lease in the database, so one node at a time on a cluster),
//! and the wake-up a stream event causes: the channel's fetch job is moved to now. The stream
//! never stores a message itself; the fetch job and its cursor do, exactly once.

use crate::inbox::{FETCH_JOB, reads_inbox};
use crate::schema::{Channels, InboxStreamLeases as L, Jobs};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use tribune_domain::{ChannelId, WorkspaceId};

impl Store {
    /// Active channels of `networks` that read an inbox, after `after` in id order (at most
    /// `limit`), each with a system scope for the stream's work.
    pub async fn inbox_stream_channels(
        &self,
        networks: &[&str],
        after: ChannelId,
        limit: u64,
    ) -> Result<Vec<(WorkspaceScope, ChannelId)>, StoreError> {
        if networks.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(WorkspaceId, ChannelId, String)> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns([Channels::WorkspaceId, Channels::Id, Channels::Capabilities])
                    .from(Channels::Table)
                    .and_where(Expr::col(Channels::State).eq("active"))
                    .and_where(Expr::col(Channels::Network).is_in(networks.iter().copied()))
                    .and_where(Expr::col(Channels::Id).gt(after.0))
                    .order_by(Channels::Id, Order::Asc)
                    .limit(limit)
                    .to_owned(),
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter(|(_, _, capabilities)| reads_inbox(capabilities))
            .map(|(ws, channel, _)| (WorkspaceScope::system(ws, "inbox.stream"), channel))
            .collect())
    }

    /// Takes (or renews) the lease on following a channel's stream until `now + secs`: `true`
    /// when `holder` has it, `false` when another holder's lease is still running.
    pub async fn take_stream_lease(
        &self,
        channel: ChannelId,
        holder: &str,
        now: i64,
        secs: i64,
    ) -> Result<bool, StoreError> {
        let taken = self
            .db
            .execute(
                &Query::insert()
                    .into_table(L::Table)
                    .columns([L::ChannelId, L::Holder, L::ExpiresAt])
                    .values([channel.0.into(), holder.into(), (now + secs).into()])
                    .map_err(StoreError::failed("stream lease"))?
                    .on_conflict(
                        OnConflict::column(L::ChannelId)
                            .update_columns([L::Holder, L::ExpiresAt])
                            .action_and_where(
                                Expr::col((L::Table, L::ExpiresAt)).lt(now).or(Expr::col((
                                    L::Table,
                                    L::Holder,
                                ))
                                .eq(holder)),
                            )
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(taken == 1)
    }

    /// Gives the lease back (the process stops following the stream).
    pub async fn release_stream_lease(
        &self,
        channel: ChannelId,
        holder: &str,
    ) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::delete()
                    .from_table(L::Table)
                    .and_where(Expr::col(L::ChannelId).eq(channel.0))
                    .and_where(Expr::col(L::Holder).eq(holder))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// Moves the channel's fetch job to now, unless it is due already or a worker is running
    /// it (the caller tries again once that fetch is over). Returns whether it moved.
    pub async fn wake_inbox_fetch(&self, channel: ChannelId, now: i64) -> Result<bool, StoreError> {
        let moved = self
            .db
            .execute(
                &Query::update()
                    .table(Jobs::Table)
                    .values([(Jobs::RunAt, now.into())])
                    .and_where(Expr::col(Jobs::DedupKey).eq(format!("{FETCH_JOB}:{}", channel.0)))
                    .and_where(Expr::col(Jobs::RunAt).gt(now))
                    .and_where(Expr::col(Jobs::FailedAt).is_null())
                    .and_where(
                        Expr::col(Jobs::LockedUntil)
                            .is_null()
                            .or(Expr::col(Jobs::LockedUntil).lt(now)),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(moved > 0)
    }
}
