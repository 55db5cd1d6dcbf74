//! Secret iCal feeds of the editorial calendar. A member creates one per workspace and gets its
//! address once; only the token's digest is kept. A calendar application reads the feed without
//! a session, as that member: the feed stops answering when the member leaves the workspace,
//! when the account is disabled, or when the member resets or revokes it.

use crate::audit::AuditEvent;
use crate::schema::{CalendarFeeds, Memberships, Users};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use tribune_domain::security::token::{random_token, token_digest};
use tribune_domain::{Role, UserId, WorkspaceId};

/// `last_used_at` is written at most this often (calendar applications poll).
const TOUCH_EVERY_SECS: i64 = 3600;

/// Feed tokens are 43 characters (256 bits, URL-safe base64); anything longer is not one.
const MAX_TOKEN_CHARS: usize = 64;

/// What the member sees of their feed: whether it exists, and since when.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarFeed {
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl Store {
    /// Creates the member's feed of this workspace, or replaces it (the old address stops
    /// working), and returns the new token in clear, once.
    pub async fn reset_calendar_feed(
        &self,
        scope: &WorkspaceScope,
        now: i64,
    ) -> Result<String, StoreError> {
        let user = scope.user().ok_or(StoreError::NotFound)?;
        let token = random_token();
        let mut tx = self.begin().await?;
        tx.conn()
            .execute(
                &Query::insert()
                    .into_table(CalendarFeeds::Table)
                    .columns([
                        CalendarFeeds::WorkspaceId,
                        CalendarFeeds::UserId,
                        CalendarFeeds::TokenHash,
                        CalendarFeeds::CreatedAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        user.0.into(),
                        token_digest(&token).into(),
                        now.into(),
                    ])?
                    .on_conflict(
                        OnConflict::columns([CalendarFeeds::WorkspaceId, CalendarFeeds::UserId])
                            .update_columns([
                                CalendarFeeds::TokenHash,
                                CalendarFeeds::CreatedAt,
                                CalendarFeeds::LastUsedAt,
                            ])
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        // A replaced feed has not been read yet.
        tx.conn()
            .execute(
                &Query::update()
                    .table(CalendarFeeds::Table)
                    .value(CalendarFeeds::LastUsedAt, Option::<i64>::None)
                    .and_where(Expr::col(CalendarFeeds::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(CalendarFeeds::UserId).eq(user.0))
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new("calendar_feed.reset", "user", user.0),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The member's feed of this workspace, if they made one.
    pub async fn calendar_feed(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let Some(user) = scope.user() else {
            return Ok(None);
        };
        self.db
            .fetch_optional(
                &Query::select()
                    .columns([CalendarFeeds::CreatedAt, CalendarFeeds::LastUsedAt])
                    .from(CalendarFeeds::Table)
                    .and_where(Expr::col(CalendarFeeds::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(CalendarFeeds::UserId).eq(user.0))
                    .to_owned(),
            )
            .await
    }

    /// Deletes the member's feed of this workspace; its address stops working.
    pub async fn revoke_calendar_feed(&self, scope: &WorkspaceScope) -> Result<(), StoreError> {
        let user = scope.user().ok_or(StoreError::NotFound)?;
        let mut tx = self.begin().await?;
        let deleted = tx
            .conn()
            .execute(
                &Query::delete()
                    .from_table(CalendarFeeds::Table)
                    .and_where(Expr::col(CalendarFeeds::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(CalendarFeeds::UserId).eq(user.0))
                    .to_owned(),
            )
            .await?;
        if deleted > 0 {
            tx.audit(
                scope,
                &AuditEvent::new("calendar_feed.revoked", "user", user.0),
            )
            .await?;
        }
        tx.commit().await
    }

    /// The scope a feed token reads with: its member's, while they still belong to the
    /// workspace and their account is enabled. `None` for any other token.
    pub async fn scope_by_calendar_feed(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<WorkspaceScope>, StoreError> {
        if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
            return Ok(None);
        }
        let row: Option<(i64, WorkspaceId, UserId, String, Option<i64>)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column((CalendarFeeds::Table, CalendarFeeds::Id))
                    .column((CalendarFeeds::Table, CalendarFeeds::WorkspaceId))
                    .column((CalendarFeeds::Table, CalendarFeeds::UserId))
                    .column((Memberships::Table, Memberships::Role))
                    .column((CalendarFeeds::Table, CalendarFeeds::LastUsedAt))
                    .from(CalendarFeeds::Table)
                    .inner_join(
                        Memberships::Table,
                        Expr::col((Memberships::Table, Memberships::WorkspaceId))
                            .equals((CalendarFeeds::Table, CalendarFeeds::WorkspaceId))
                            .and(
                                Expr::col((Memberships::Table, Memberships::UserId))
                                    .equals((CalendarFeeds::Table, CalendarFeeds::UserId)),
                            ),
                    )
                    .inner_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((CalendarFeeds::Table, CalendarFeeds::UserId)),
                    )
                    .and_where(
                        Expr::col((CalendarFeeds::Table, CalendarFeeds::TokenHash))
                            .eq(token_digest(token)),
                    )
                    .and_where(Expr::col((Users::Table, Users::DisabledAt)).is_null())
                    .to_owned(),
            )
            .await?;
        let Some((id, workspace, user, role, last_used)) = row else {
            return Ok(None);
        };
        let Some(role) = Role::parse(&role) else {
            return Ok(None);
        };
        if last_used.is_none_or(|t| now - t > TOUCH_EVERY_SECS) {
            self.db
                .execute(
                    &Query::update()
                        .table(CalendarFeeds::Table)
                        .value(CalendarFeeds::LastUsedAt, now)
                        .and_where(Expr::col(CalendarFeeds::Id).eq(id))
                        .to_owned(),
                )
                .await?;
        }
        Ok(Some(WorkspaceScope::of_member(workspace, user, role)))
    }
}
