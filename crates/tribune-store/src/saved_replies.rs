//! Saved replies of a workspace's inbox: titles and texts with variables, kept per workspace.
//! Owners and managers keep the list; everyone who answers uses it.

use crate::audit::AuditEvent;
use crate::schema::SavedReplies as R;
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::inbox::{MAX_SAVED_REPLIES, saved_reply};
use tribune_domain::{Role, SavedReplyId, UserId, ValidationError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SavedReply {
    pub id: SavedReplyId,
    pub title: String,
    pub body: String,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: [R; 6] = [
    R::Id,
    R::Title,
    R::Body,
    R::CreatedBy,
    R::CreatedAt,
    R::UpdatedAt,
];

impl Store {
    /// The workspace's saved replies, by title.
    pub async fn saved_replies(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<Vec<SavedReply>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns(COLUMNS)
                    .from(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .order_by(R::Title, Order::Asc)
                    .order_by(R::Id, Order::Asc)
                    .to_owned(),
            )
            .await
    }

    pub async fn saved_reply(
        &self,
        scope: &WorkspaceScope,
        id: SavedReplyId,
    ) -> Result<SavedReply, StoreError> {
        self.db
            .fetch_one(
                &Query::select()
                    .columns(COLUMNS)
                    .from(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(R::Id).eq(id.0))
                    .to_owned(),
            )
            .await
    }

    pub async fn create_saved_reply(
        &self,
        scope: &WorkspaceScope,
        title: &str,
        body: &str,
        now: i64,
    ) -> Result<SavedReply, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let (title, body) = saved_reply(title, body)?;
        let mut tx = self.begin().await?;
        let (count,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(R::Id).count())
                    .from(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .to_owned(),
            )
            .await?;
        if count >= MAX_SAVED_REPLIES as i64 {
            return Err(ValidationError::single("title", "error-saved-replies-many").into());
        }
        let (id,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(R::Table)
                    .columns([
                        R::WorkspaceId,
                        R::Title,
                        R::Body,
                        R::CreatedBy,
                        R::CreatedAt,
                        R::UpdatedAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        title.into(),
                        body.into(),
                        scope.user().map(|u| u.0).into(),
                        now.into(),
                        now.into(),
                    ])
                    .map_err(StoreError::failed("saved reply"))?
                    .returning_col(R::Id)
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new("saved_reply.create", "saved_reply", id),
        )
        .await?;
        tx.commit().await?;
        self.saved_reply(scope, SavedReplyId(id)).await
    }

    pub async fn update_saved_reply(
        &self,
        scope: &WorkspaceScope,
        id: SavedReplyId,
        title: &str,
        body: &str,
        now: i64,
    ) -> Result<SavedReply, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let (title, body) = saved_reply(title, body)?;
        let mut tx = self.begin().await?;
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(R::Table)
                    .values([
                        (R::Title, title.into()),
                        (R::Body, body.into()),
                        (R::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(R::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            scope,
            &AuditEvent::new("saved_reply.update", "saved_reply", id),
        )
        .await?;
        tx.commit().await?;
        self.saved_reply(scope, id).await
    }

    pub async fn delete_saved_reply(
        &self,
        scope: &WorkspaceScope,
        id: SavedReplyId,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let mut tx = self.begin().await?;
        let deleted = tx
            .conn()
            .execute(
                &Query::delete()
                    .from_table(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(R::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            scope,
            &AuditEvent::new("saved_reply.delete", "saved_reply", id),
        )
        .await?;
        tx.commit().await
    }
}
