//! The post an inbox conversation starts from. When tribune published it, it is the post's
//! own text; otherwise (a post made on the network's own app, someone else's post the account
//! was mentioned under) the fetch job reads it from the network once per conversation and
//! keeps it here, bounded like any item. A failed read is kept with its error and tried again
//! after [`ORIGINAL_RETRY_SECS`].

use crate::db::{Conn, in_list};
use crate::inbox::{Item, bounded_url};
use crate::schema::{InboxItems as I, InboxOriginals as O, PostTargets, Posts};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use std::collections::HashSet;
use tribune_domain::inbox::{ItemKind, MAX_NAME_CHARS, MAX_REF_BYTES, MAX_TEXT_CHARS, bounded};
use tribune_domain::{ChannelId, PostId};

/// How long a failed read of an original waits before it is tried again, in seconds.
pub const ORIGINAL_RETRY_SECS: i64 = 86_400;
/// The columns of a kept original, as [`crate::contacts::ExportedOriginal`] reads them.
pub(crate) const ORIGINAL_COLUMNS: [O; 8] = [
    O::RemoteRef,
    O::AuthorHandle,
    O::AuthorName,
    O::AuthorUrl,
    O::Text,
    O::Url,
    O::CreatedAt,
    O::FetchedAt,
];

/// The error of an original erased on request (GDPR): never read again from the network.
pub const ERASED: &str = "erased on request";
/// Longest error message kept.
const MAX_ERROR_CHARS: usize = 300;

/// The reference an item's conversation is known by: its root, else what it answers.
pub fn conversation_ref<'a>(
    root: Option<&'a str>,
    in_reply_to: Option<&'a str>,
) -> Option<&'a str> {
    root.or(in_reply_to)
        .filter(|r| !r.is_empty() && r.len() <= MAX_REF_BYTES)
}

/// An original post as read from the network, to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginalNew {
    pub remote_ref: String,
    pub author_remote_id: Option<String>,
    pub author_handle: String,
    pub author_name: String,
    pub author_url: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub created_at: i64,
}

/// The post a conversation starts from, as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Original {
    /// Published by tribune: the post's text as sent to this channel.
    Published { post: PostId, text: String },
    /// Read from the network.
    Network {
        author_handle: String,
        author_name: String,
        author_url: Option<String>,
        text: String,
        url: Option<String>,
        created_at: Option<i64>,
    },
}

impl Store {
    /// The conversations of the channel's `limit` newest messages, newest first (direct
    /// messages left out: their conversation starts from no post), each once: those a fetch
    /// left for later, for [`Store::originals_to_fetch`] to sort out.
    pub async fn recent_conversations(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        limit: u64,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(Option<String>, Option<String>)> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns([I::RootRef, I::InReplyTo])
                    .from(I::Table)
                    .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(I::ChannelId).eq(channel.0))
                    .and_where(Expr::col(I::Kind).ne(ItemKind::Message.as_str()))
                    .order_by(I::Id, Order::Desc)
                    .limit(limit)
                    .to_owned(),
            )
            .await?;
        let mut seen = HashSet::new();
        Ok(rows
            .iter()
            .filter_map(|(root, to)| conversation_ref(root.as_deref(), to.as_deref()))
            .filter(|r| seen.insert(*r))
            .map(str::to_owned)
            .collect())
    }

    /// Of the conversations `refs` of a channel, those whose original is still to read: not
    /// published by tribune, not read yet, or read in vain longer than
    /// [`ORIGINAL_RETRY_SECS`] ago. In the order given, without repeats.
    pub async fn originals_to_fetch(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        refs: &[&str],
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut seen = HashSet::new();
        let wanted: Vec<&str> = refs
            .iter()
            .copied()
            .filter(|r| !r.is_empty() && r.len() <= MAX_REF_BYTES && seen.insert(*r))
            .collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.db.acquire().await?;
        let mut known: HashSet<String> = HashSet::new();
        for chunk in wanted.chunks(500) {
            let published: Vec<(String,)> = conn
                .conn()
                .fetch_all(
                    &Query::select()
                        .column(PostTargets::RemoteRef)
                        .from(PostTargets::Table)
                        .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(PostTargets::ChannelId).eq(channel.0))
                        .and_where(in_list(PostTargets::RemoteRef, chunk))
                        .to_owned(),
                )
                .await?;
            known.extend(published.into_iter().map(|(r,)| r));
            let kept: Vec<(String,)> = conn
                .conn()
                .fetch_all(
                    &Query::select()
                        .column(O::AskedRef)
                        .from(O::Table)
                        .and_where(Expr::col(O::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(O::ChannelId).eq(channel.0))
                        .and_where(in_list(O::AskedRef, chunk))
                        .and_where(
                            Expr::col(O::Error)
                                .is_null()
                                .or(Expr::col(O::Error).eq(ERASED))
                                .or(Expr::col(O::FetchedAt).gt(now - ORIGINAL_RETRY_SECS)),
                        )
                        .to_owned(),
                )
                .await?;
            known.extend(kept.into_iter().map(|(r,)| r));
        }
        Ok(wanted
            .into_iter()
            .filter(|r| !known.contains(*r))
            .map(str::to_owned)
            .collect())
    }

    /// Keeps what reading a conversation's original gave: the post, or the error.
    pub async fn save_inbox_original(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        asked_ref: &str,
        found: Result<&OriginalNew, &str>,
        now: i64,
    ) -> Result<(), StoreError> {
        if asked_ref.is_empty() || asked_ref.len() > MAX_REF_BYTES {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.acquire().await?;
        if !crate::inbox::own_channel(&mut conn.conn(), scope, channel).await? {
            return Err(StoreError::NotFound);
        }
        let (post, error) = match found {
            Ok(post) => (Some(post), None),
            Err(error) => (None, Some(bounded(error, MAX_ERROR_CHARS))),
        };
        let text = |f: fn(&OriginalNew) -> &str, max: usize| {
            post.map(|p| bounded(f(p), max)).unwrap_or_default()
        };
        let optional = |f: fn(&OriginalNew) -> Option<&str>| post.and_then(f);
        let values = [
            scope.workspace().0.into(),
            channel.0.into(),
            asked_ref.into(),
            post.map(|p| p.remote_ref.as_str())
                .filter(|r| !r.is_empty() && r.len() <= MAX_REF_BYTES)
                .map(str::to_owned)
                .into(),
            optional(|p| p.author_remote_id.as_deref())
                .filter(|r| r.len() <= MAX_REF_BYTES)
                .map(str::to_owned)
                .into(),
            text(|p| &p.author_handle, MAX_NAME_CHARS).into(),
            text(|p| &p.author_name, MAX_NAME_CHARS).into(),
            bounded_url(optional(|p| p.author_url.as_deref())).into(),
            text(|p| &p.text, MAX_TEXT_CHARS).into(),
            bounded_url(optional(|p| p.url.as_deref())).into(),
            post.map(|p| p.created_at).filter(|t| *t > 0).into(),
            error.into(),
            now.into(),
        ];
        let columns = [
            O::WorkspaceId,
            O::ChannelId,
            O::AskedRef,
            O::RemoteRef,
            O::AuthorRemoteId,
            O::AuthorHandle,
            O::AuthorName,
            O::AuthorUrl,
            O::Text,
            O::Url,
            O::CreatedAt,
            O::Error,
            O::FetchedAt,
        ];
        conn.conn()
            .execute(
                &Query::insert()
                    .into_table(O::Table)
                    .columns(columns)
                    .values(values)
                    .map_err(StoreError::failed("inbox original"))?
                    .on_conflict(
                        OnConflict::columns([O::ChannelId, O::AskedRef])
                            .update_columns(columns.into_iter().skip(3))
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// The post `item`'s conversation starts from, when known: tribune's own, else the one
    /// read from the network.
    pub async fn inbox_original(
        &self,
        scope: &WorkspaceScope,
        item: &Item,
    ) -> Result<Option<Original>, StoreError> {
        let Some(root) = conversation_ref(item.root_ref.as_deref(), item.in_reply_to.as_deref())
        else {
            return Ok(None);
        };
        let mut conn = self.db.acquire().await?;
        if let Some((post, text)) = published(&mut conn.conn(), scope, item.channel, root).await? {
            return Ok(Some(Original::Published { post, text }));
        }
        let row: Option<crate::contacts::ExportedOriginal> = conn
            .conn()
            .fetch_optional(
                &Query::select()
                    .columns(ORIGINAL_COLUMNS)
                    .from(O::Table)
                    .and_where(Expr::col(O::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(O::ChannelId).eq(item.channel.0))
                    .and_where(Expr::col(O::AskedRef).eq(root))
                    .and_where(Expr::col(O::Error).is_null())
                    .to_owned(),
            )
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        // Where the network names only the parent (Mastodon), the root it led to may be
        // tribune's own post after all.
        if let Some(own) = row.remote_ref.as_deref()
            && let Some((post, text)) =
                published(&mut conn.conn(), scope, item.channel, own).await?
        {
            return Ok(Some(Original::Published { post, text }));
        }
        Ok(Some(Original::Network {
            author_handle: row.author_handle,
            author_name: row.author_name,
            author_url: row.author_url,
            text: row.text,
            url: row.url,
            created_at: row.created_at,
        }))
    }
}

/// The workspace's post published to `channel` as `remote_ref`, with the text it was sent with.
async fn published(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    channel: ChannelId,
    remote_ref: &str,
) -> Result<Option<(PostId, String)>, StoreError> {
    let row: Option<(i64, String, Option<String>)> = conn
        .fetch_optional(
            &Query::select()
                .column((Posts::Table, Posts::Id))
                .column((Posts::Table, Posts::Text))
                .column((PostTargets::Table, PostTargets::Text))
                .from(PostTargets::Table)
                .inner_join(
                    Posts::Table,
                    Expr::col((Posts::Table, Posts::Id))
                        .equals((PostTargets::Table, PostTargets::PostId)),
                )
                .and_where(
                    Expr::col((PostTargets::Table, PostTargets::WorkspaceId))
                        .eq(scope.workspace().0),
                )
                .and_where(Expr::col((PostTargets::Table, PostTargets::ChannelId)).eq(channel.0))
                .and_where(Expr::col((PostTargets::Table, PostTargets::RemoteRef)).eq(remote_ref))
                .limit(1)
                .to_owned(),
        )
        .await?;
    Ok(row.map(|(id, text, own)| (PostId(id), own.unwrap_or(text))))
}
