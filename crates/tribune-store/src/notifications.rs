//! What the team of a workspace should know about (a channel the network disconnected), shown
//! until it is resolved.

use crate::db::Tx;
use crate::schema::Notifications;
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::{ChannelId, NotificationId, WorkspaceId};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: String,
    pub channel_id: Option<ChannelId>,
    pub message: String,
    pub created_at: i64,
}

pub const NOTIFICATION_CHANNEL_BROKEN: &str = "channel_broken";
/// A post could not be published on a channel; resolved when it is retried or deleted.
pub const NOTIFICATION_POST_FAILED: &str = "post_failed";

impl Store {
    /// Notifications not yet resolved, newest first.
    pub async fn open_notifications(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<Vec<Notification>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns([
                        Notifications::Id,
                        Notifications::Kind,
                        Notifications::ChannelId,
                        Notifications::Message,
                        Notifications::CreatedAt,
                    ])
                    .from(Notifications::Table)
                    .and_where(Expr::col(Notifications::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Notifications::ResolvedAt).is_null())
                    .order_by(Notifications::CreatedAt, Order::Desc)
                    .order_by(Notifications::Id, Order::Desc)
                    .limit(200)
                    .to_owned(),
            )
            .await
    }
}

/// Tells the team a channel broke, in the transaction that broke it.
pub(crate) async fn notify_channel_broken(
    tx: &mut Tx,
    workspace: WorkspaceId,
    channel: ChannelId,
    message: &str,
    now: i64,
) -> Result<(), StoreError> {
    notify(
        tx,
        workspace,
        NOTIFICATION_CHANNEL_BROKEN,
        channel,
        message,
        now,
    )
    .await
}

/// Tells the team a post failed on a channel, in the transaction that records the failure.
pub(crate) async fn notify_post_failed(
    tx: &mut Tx,
    workspace: WorkspaceId,
    channel: ChannelId,
    message: &str,
    now: i64,
) -> Result<(), StoreError> {
    notify(
        tx,
        workspace,
        NOTIFICATION_POST_FAILED,
        channel,
        message,
        now,
    )
    .await
}

async fn notify(
    tx: &mut Tx,
    workspace: WorkspaceId,
    kind: &'static str,
    channel: ChannelId,
    message: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.conn()
        .execute(
            &Query::insert()
                .into_table(Notifications::Table)
                .columns([
                    Notifications::WorkspaceId,
                    Notifications::Kind,
                    Notifications::ChannelId,
                    Notifications::Message,
                    Notifications::CreatedAt,
                ])
                .values([
                    workspace.0.into(),
                    kind.into(),
                    channel.0.into(),
                    message.into(),
                    now.into(),
                ])?
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A reconnected or disconnected channel needs no more attention.
pub(crate) async fn resolve_channel_notifications(
    tx: &mut Tx,
    workspace: WorkspaceId,
    channel: ChannelId,
    now: i64,
) -> Result<(), StoreError> {
    tx.conn()
        .execute(
            &Query::update()
                .table(Notifications::Table)
                .value(Notifications::ResolvedAt, now)
                .and_where(Expr::col(Notifications::WorkspaceId).eq(workspace.0))
                .and_where(Expr::col(Notifications::ChannelId).eq(channel.0))
                .and_where(Expr::col(Notifications::ResolvedAt).is_null())
                .to_owned(),
        )
        .await?;
    Ok(())
}
