//! The media library's records: one row per uploaded image or video (the file itself is in the
//! media storage, named by `storage_key`), and the ordered list of a post's media. Every call is
//! scoped to a workspace, so a post can only ever carry its own workspace's media.

use crate::audit::AuditEvent;
use crate::db::Conn;
use crate::schema::{Media as M, PostMedia, PostTargets};
use crate::{Refusal, Store, StoreError, Transaction, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Func, LikeExpr, Order, Query};
use serde::Serialize;
use tribune_domain::media::{MAX_ALT_CHARS, MAX_MEDIA_PER_POST, MediaKind};
use tribune_domain::publishing::TargetStatus;
use tribune_domain::validation::optional_text;
use tribune_domain::{MediaId, PostId, Role, UserId, ValidationError, WorkspaceId};

/// A new media record, for a file already stored.
#[derive(Debug, Clone)]
pub struct MediaNew {
    pub kind: MediaKind,
    pub mime: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<i64>,
    pub alt: String,
    pub file_name: Option<String>,
    pub storage_key: String,
    pub thumbnail_key: Option<String>,
    pub sha256: String,
}

/// An image or video of the library.
#[derive(Debug, Clone, Serialize)]
pub struct Media {
    pub id: MediaId,
    pub workspace: WorkspaceId,
    pub kind: MediaKind,
    pub mime: String,
    pub bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<i64>,
    /// Empty when missing.
    pub alt: String,
    pub file_name: Option<String>,
    pub storage_key: String,
    pub thumbnail_key: Option<String>,
    pub sha256: String,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct MediaRow {
    id: i64,
    workspace_id: i64,
    kind: String,
    mime: String,
    bytes: i64,
    width: Option<i32>,
    height: Option<i32>,
    duration_ms: Option<i64>,
    alt: String,
    file_name: Option<String>,
    storage_key: String,
    thumbnail_key: Option<String>,
    sha256: String,
    created_by: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: [M; 16] = [
    M::Id,
    M::WorkspaceId,
    M::Kind,
    M::Mime,
    M::Bytes,
    M::Width,
    M::Height,
    M::DurationMs,
    M::Alt,
    M::FileName,
    M::StorageKey,
    M::ThumbnailKey,
    M::Sha256,
    M::CreatedBy,
    M::CreatedAt,
    M::UpdatedAt,
];

impl MediaRow {
    fn into_media(self) -> Result<Media, StoreError> {
        Ok(Media {
            id: MediaId(self.id),
            workspace: WorkspaceId(self.workspace_id),
            kind: MediaKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Internal(format!("media kind {}", self.kind)))?,
            mime: self.mime,
            bytes: u64::try_from(self.bytes).unwrap_or(0),
            width: self.width.and_then(|w| u32::try_from(w).ok()),
            height: self.height.and_then(|h| u32::try_from(h).ok()),
            duration_ms: self.duration_ms,
            alt: self.alt,
            file_name: self.file_name,
            storage_key: self.storage_key,
            thumbnail_key: self.thumbnail_key,
            sha256: self.sha256,
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn check_alt(alt: &str, errors: &mut ValidationError) -> String {
    optional_text(errors, "alt", alt, MAX_ALT_CHARS)
}

fn as_i32(n: Option<u32>) -> Option<i32> {
    n.and_then(|n| i32::try_from(n).ok())
}

/// Checks a post's media list: at most [`MAX_MEDIA_PER_POST`], each once, order kept.
pub(crate) fn check_media(media: &[MediaId], errors: &mut ValidationError) -> Vec<MediaId> {
    if media.len() > MAX_MEDIA_PER_POST {
        errors.push("media", "error-too-many");
    }
    let mut seen = std::collections::BTreeSet::new();
    media.iter().copied().filter(|m| seen.insert(*m)).collect()
}

/// A post's media, in order.
pub(crate) async fn post_media(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    posts: &[PostId],
) -> Result<Vec<(PostId, Media)>, StoreError> {
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        post_id: i64,
        #[sqlx(flatten)]
        media: MediaRow,
    }
    let rows: Vec<Row> = conn
        .fetch_all(
            &Query::select()
                .column((PostMedia::Table, PostMedia::PostId))
                .columns(COLUMNS.map(|c| (M::Table, c)))
                .from(PostMedia::Table)
                .inner_join(
                    M::Table,
                    Expr::col((M::Table, M::Id))
                        .equals((PostMedia::Table, PostMedia::MediaId))
                        .and(
                            Expr::col((M::Table, M::WorkspaceId))
                                .equals((PostMedia::Table, PostMedia::WorkspaceId)),
                        ),
                )
                .and_where(
                    Expr::col((PostMedia::Table, PostMedia::WorkspaceId)).eq(scope.workspace().0),
                )
                .and_where(crate::db::in_list(
                    (PostMedia::Table, PostMedia::PostId),
                    &posts.iter().map(|p| p.0).collect::<Vec<_>>(),
                ))
                .order_by((PostMedia::Table, PostMedia::PostId), Order::Asc)
                .order_by((PostMedia::Table, PostMedia::Position), Order::Asc)
                .to_owned(),
        )
        .await?;
    rows.into_iter()
        .map(|r| Ok((PostId(r.post_id), r.media.into_media()?)))
        .collect()
}

impl Transaction {
    /// Replaces a post's media with `media` (already checked), refusing any id that is not the
    /// workspace's own.
    pub(crate) async fn set_post_media(
        &mut self,
        scope: &WorkspaceScope,
        post: PostId,
        media: &[MediaId],
    ) -> Result<(), StoreError> {
        if !media.is_empty() {
            let (found,): (i64,) = self
                .conn()
                .fetch_one(
                    &Query::select()
                        .expr(Expr::col(M::Id).count())
                        .from(M::Table)
                        .and_where(Expr::col(M::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(M::Id).is_in(media.iter().map(|m| m.0)))
                        .to_owned(),
                )
                .await?;
            if usize::try_from(found).unwrap_or(0) != media.len() {
                return Err(ValidationError::single("media", "error-media-unknown").into());
            }
        }
        self.conn()
            .execute(
                &Query::delete()
                    .from_table(PostMedia::Table)
                    .and_where(Expr::col(PostMedia::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(PostMedia::PostId).eq(post.0))
                    .to_owned(),
            )
            .await?;
        for (position, id) in media.iter().enumerate() {
            self.conn()
                .execute(
                    &Query::insert()
                        .into_table(PostMedia::Table)
                        .columns([
                            PostMedia::WorkspaceId,
                            PostMedia::PostId,
                            PostMedia::MediaId,
                            PostMedia::Position,
                        ])
                        .values([
                            scope.workspace().0.into(),
                            post.0.into(),
                            id.0.into(),
                            i32::try_from(position).unwrap_or(i32::MAX).into(),
                        ])?
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// Which media to list: newest first, one page at a time.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    pub before_id: Option<MediaId>,
    pub limit: u64,
    /// Only media whose file name contains these words (case-insensitive for ASCII letters on
    /// both databases: SQLite's `lower` knows no other).
    pub name_contains: Option<String>,
}

impl Store {
    /// Records a file already stored in the media storage.
    pub async fn create_media(
        &self,
        scope: &WorkspaceScope,
        new: MediaNew,
        now: i64,
    ) -> Result<Media, StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut errors = ValidationError::default();
        let alt = check_alt(&new.alt, &mut errors);
        errors.into_result()?;
        let mut tx = self.begin().await?;
        let (id,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(M::Table)
                    .columns([
                        M::WorkspaceId,
                        M::Kind,
                        M::Mime,
                        M::Bytes,
                        M::Width,
                        M::Height,
                        M::DurationMs,
                        M::Alt,
                        M::FileName,
                        M::StorageKey,
                        M::ThumbnailKey,
                        M::Sha256,
                        M::CreatedBy,
                        M::CreatedAt,
                        M::UpdatedAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        new.kind.as_str().into(),
                        new.mime.into(),
                        i64::try_from(new.bytes).unwrap_or(i64::MAX).into(),
                        as_i32(new.width).into(),
                        as_i32(new.height).into(),
                        new.duration_ms.into(),
                        alt.into(),
                        new.file_name.into(),
                        new.storage_key.into(),
                        new.thumbnail_key.into(),
                        new.sha256.into(),
                        scope.user().map(|u| u.0).into(),
                        now.into(),
                        now.into(),
                    ])?
                    .returning(Query::returning().column(M::Id))
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new("media.uploaded", "media", id).with("kind", new.kind.as_str()),
        )
        .await?;
        let media = load(&mut tx.conn(), scope, MediaId(id)).await?;
        tx.commit().await?;
        Ok(media)
    }

    pub async fn media(&self, scope: &WorkspaceScope, id: MediaId) -> Result<Media, StoreError> {
        let mut conn = self.db.acquire().await?;
        load(&mut conn.conn(), scope, id).await
    }

    /// The media a signed link names, whatever its workspace: the link is the authorisation
    /// (see `tribune_domain::security::signed`). Never call this with an unverified id.
    pub async fn media_for_signed_link(&self, id: MediaId) -> Result<Media, StoreError> {
        let row: MediaRow = self
            .db
            .fetch_one(
                &Query::select()
                    .columns(COLUMNS)
                    .from(M::Table)
                    .and_where(Expr::col(M::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        row.into_media()
    }

    /// The library, newest first.
    pub async fn media_list(
        &self,
        scope: &WorkspaceScope,
        filter: &MediaFilter,
    ) -> Result<Vec<Media>, StoreError> {
        let mut select = Query::select();
        select
            .columns(COLUMNS)
            .from(M::Table)
            .and_where(Expr::col(M::WorkspaceId).eq(scope.workspace().0))
            .order_by(M::Id, Order::Desc)
            .limit(filter.limit.clamp(1, 500));
        if let Some(before) = filter.before_id {
            select.and_where(Expr::col(M::Id).lt(before.0));
        }
        if let Some(words) = filter
            .name_contains
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            // `%`, `_` and the escape character itself are literal in what was typed.
            let escaped: String = words
                .to_lowercase()
                .chars()
                .take(100)
                .flat_map(|c| match c {
                    '%' | '_' | '!' => vec!['!', c],
                    c => vec![c],
                })
                .collect();
            select.and_where(
                Expr::expr(Func::lower(Expr::col(M::FileName)))
                    .like(LikeExpr::new(format!("%{escaped}%")).escape('!')),
            );
        }
        let rows: Vec<MediaRow> = self.db.fetch_all(&select.to_owned()).await?;
        rows.into_iter().map(MediaRow::into_media).collect()
    }

    /// Changes a media's alternative text (empty removes it).
    pub async fn set_media_alt(
        &self,
        scope: &WorkspaceScope,
        id: MediaId,
        alt: &str,
        now: i64,
    ) -> Result<Media, StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut errors = ValidationError::default();
        let alt = check_alt(alt, &mut errors);
        errors.into_result()?;
        let mut tx = self.begin().await?;
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(M::Table)
                    .values([(M::Alt, alt.into()), (M::UpdatedAt, now.into())])
                    .and_where(Expr::col(M::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(M::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(scope, &AuditEvent::new("media.alt_changed", "media", id.0))
            .await?;
        let media = load(&mut tx.conn(), scope, id).await?;
        tx.commit().await?;
        Ok(media)
    }

    /// Deletes a media's record, unless a post that is scheduled or going out uses it (drafts
    /// and published posts simply lose it). Returns the record, so the caller removes its files
    /// once the deletion is committed.
    pub async fn delete_media(
        &self,
        scope: &WorkspaceScope,
        id: MediaId,
    ) -> Result<Media, StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut tx = self.begin().await?;
        let media = load(&mut tx.conn(), scope, id).await?;
        let users = Query::select()
            .column(PostMedia::PostId)
            .from(PostMedia::Table)
            .and_where(Expr::col(PostMedia::WorkspaceId).eq(scope.workspace().0))
            .and_where(Expr::col(PostMedia::MediaId).eq(id.0))
            .to_owned();
        let (busy,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(PostTargets::Id).count())
                    .from(PostTargets::Table)
                    .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(PostTargets::PostId).in_subquery(users))
                    .and_where(Expr::col(PostTargets::Status).is_in([
                        TargetStatus::Scheduled.as_str(),
                        TargetStatus::Publishing.as_str(),
                    ]))
                    .to_owned(),
            )
            .await?;
        if busy > 0 {
            return Err(StoreError::Refused(Refusal::MediaInUse));
        }
        tx.conn()
            .execute(
                &Query::delete()
                    .from_table(M::Table)
                    .and_where(Expr::col(M::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(M::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        tx.audit(scope, &AuditEvent::new("media.deleted", "media", id.0))
            .await?;
        tx.commit().await?;
        Ok(media)
    }
}

async fn load(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    id: MediaId,
) -> Result<Media, StoreError> {
    let row: MediaRow = conn
        .fetch_one(
            &Query::select()
                .columns(COLUMNS)
                .from(M::Table)
                .and_where(Expr::col(M::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(M::Id).eq(id.0))
                .to_owned(),
        )
        .await?;
    row.into_media()
}
