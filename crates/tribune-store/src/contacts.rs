//! The people who write to a workspace: what one person wrote across the workspace's channels
//! of a network, the team's tags and note about them, and their data exported or erased on
//! request (GDPR articles 15 and 17), both audited without copying their data into the log.
//!
//! A person is known per network by the network's stable id when it gives one (a Bluesky DID,
//! a Mastodon account id), else by their handle. Their messages stay on the inbox's items; the
//! table `inbox_contacts` only holds what the team adds.

use crate::audit::AuditEvent;
use crate::db::Conn;
use crate::inbox::{Item, ItemRow, Note, Reply, items_with_labels, select_items};
use crate::schema::{Channels, InboxContacts as C, InboxItems as I, InboxOriginals as O};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Cond, Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use tribune_domain::inbox::{MAX_NAME_CHARS, bounded, labels};
use tribune_domain::{InboxItemId, Role, UserId, ValidationError};

/// Longest note about a person, in characters.
pub const MAX_NOTE_CHARS: usize = 5_000;
/// Messages a contact page lists, newest first.
pub const MAX_LISTED: u64 = 200;
/// Messages an export or an erasure handles at most per call (an erasure says when more are
/// left; run it again).
pub const MAX_EXPORTED: u64 = 5_000;

/// Who a person is on a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactKey {
    pub network: String,
    /// The network's id for them, when it gives one.
    pub remote_id: Option<String>,
    pub handle: String,
}

impl ContactKey {
    fn remote_key(&self) -> &str {
        self.remote_id.as_deref().unwrap_or(&self.handle)
    }
}

/// A person as the team sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub key: ContactKey,
    /// The name on their newest message.
    pub name: String,
    pub url: Option<String>,
    pub tags: Vec<String>,
    pub note: String,
    /// Messages of theirs in the workspace, under every identity linked to them.
    pub messages: i64,
    pub updated_at: Option<i64>,
    /// The same person on other networks (or under another name), as the team linked them.
    pub linked: Vec<LinkedIdentity>,
}

/// Another identity of a person, linked by the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkedIdentity {
    pub network: String,
    /// Their id on that network, or their handle when it gives none.
    pub remote_key: String,
    pub handle: String,
    pub name: String,
    /// Their newest message in the workspace under that identity, to open its page from.
    pub newest_item: Option<InboxItemId>,
}

/// Who wrote a message, as a condition on the items: the network's id, the handle of an author
/// without one, or (for a linked identity, stored as one key) either.
#[derive(Debug, Clone)]
enum Author {
    Id(String),
    Handle(String),
    Key(String),
}

/// One identity of a person: a network and who they are on it.
#[derive(Debug, Clone)]
struct Identity {
    network: String,
    author: Author,
}

impl From<&ContactKey> for Identity {
    fn from(key: &ContactKey) -> Self {
        Identity {
            network: key.network.clone(),
            author: match &key.remote_id {
                Some(id) => Author::Id(id.clone()),
                None => Author::Handle(key.handle.clone()),
            },
        }
    }
}

impl From<&LinkedIdentity> for Identity {
    fn from(linked: &LinkedIdentity) -> Self {
        Identity {
            network: linked.network.clone(),
            author: Author::Key(linked.remote_key.clone()),
        }
    }
}

/// Everything tribune holds about one person in a workspace, for an access request.
#[derive(Debug, Clone, Serialize)]
pub struct ContactExport {
    pub contact: Contact,
    pub messages: Vec<ExportedMessage>,
    /// Their posts that conversations in the inbox start from, as read from the network.
    pub originals: Vec<ExportedOriginal>,
    pub exported_at: i64,
}

/// A post of theirs kept as a conversation's start (also how the store reads a kept original).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExportedOriginal {
    pub remote_ref: Option<String>,
    pub author_handle: String,
    pub author_name: String,
    pub author_url: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub created_at: Option<i64>,
    pub fetched_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportedMessage {
    pub item: Item,
    /// The team's internal notes on it.
    pub notes: Vec<Note>,
    /// The replies sent to it from tribune.
    pub replies: Vec<Reply>,
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    tags: String,
    note: String,
    updated_at: i64,
}

/// The condition "written by this person" (under any of `who`) on the workspace's items.
fn by_author(scope: &WorkspaceScope, who: &[Identity]) -> Cond {
    author_in(
        scope,
        who,
        [
            (I::Table, I::WorkspaceId),
            (I::Table, I::ChannelId),
            (I::Table, I::AuthorRemoteId),
            (I::Table, I::AuthorHandle),
        ],
    )
}

/// The originals (conversations' first posts) the person wrote.
fn originals_by(scope: &WorkspaceScope, who: &[Identity]) -> Cond {
    author_in(
        scope,
        who,
        [
            (O::Table, O::WorkspaceId),
            (O::Table, O::ChannelId),
            (O::Table, O::AuthorRemoteId),
            (O::Table, O::AuthorHandle),
        ],
    )
}

/// The rows of a table with the person's messages or posts: in the workspace, on a channel of
/// one of their identities' network, by that identity's id (or, without one, their handle).
/// `columns` are the table's workspace, channel, author id and author handle.
fn author_in<T: sea_query::Iden + Copy + 'static>(
    scope: &WorkspaceScope,
    who: &[Identity],
    [workspace, channel, remote_id, handle]: [(T, T); 4],
) -> Cond {
    let mut any = Cond::any();
    for identity in who {
        let channels = network_channels(scope, &identity.network);
        let by_handle = |h: &str| {
            Cond::all()
                .add(Expr::col(remote_id).is_null())
                .add(Expr::col(handle).eq(h))
        };
        let author = match &identity.author {
            Author::Id(id) => Cond::all().add(Expr::col(remote_id).eq(id.as_str())),
            Author::Handle(h) => by_handle(h),
            Author::Key(k) => Cond::any()
                .add(Expr::col(remote_id).eq(k.as_str()))
                .add(by_handle(k)),
        };
        any = any.add(
            Cond::all()
                .add(Expr::col(channel).in_subquery(channels))
                .add(author),
        );
    }
    Cond::all()
        .add(Expr::col(workspace).eq(scope.workspace().0))
        .add(any)
}

/// The person's other identities, as the team linked them (without their newest message).
async fn linked_to(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    key: &ContactKey,
) -> Result<Vec<LinkedIdentity>, StoreError> {
    let person = person_of(scope, key);
    let rows: Vec<(String, String, String, String)> = conn
        .fetch_all(
            &Query::select()
                .columns([C::Network, C::RemoteKey, C::Handle, C::Name])
                .from(C::Table)
                .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(C::PersonId).in_subquery(person))
                .cond_where(
                    Cond::any()
                        .add(Expr::col(C::Network).ne(key.network.as_str()))
                        .add(Expr::col(C::RemoteKey).ne(key.remote_key())),
                )
                .order_by(C::Network, Order::Asc)
                .order_by(C::Handle, Order::Asc)
                .to_owned(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(network, remote_key, handle, name)| LinkedIdentity {
            network,
            remote_key,
            handle,
            name,
            newest_item: None,
        })
        .collect())
}

/// The identities to read a person's messages under: theirs, then those linked to it.
fn identities(key: &ContactKey, linked: &[LinkedIdentity]) -> Vec<Identity> {
    std::iter::once(Identity::from(key))
        .chain(linked.iter().map(Identity::from))
        .collect()
}

/// The workspace's channels on `network`.
fn network_channels(scope: &WorkspaceScope, network: &str) -> sea_query::SelectStatement {
    Query::select()
        .column(Channels::Id)
        .from(Channels::Table)
        .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
        .and_where(Expr::col(Channels::Network).eq(network))
        .to_owned()
}

/// The row of one identity in `inbox_contacts` (with the workspace's condition beside it).
fn row(network: &str, remote_key: &str) -> Cond {
    Cond::all()
        .add(Expr::col(C::Network).eq(network))
        .add(Expr::col(C::RemoteKey).eq(remote_key))
}

/// The person id of `key`'s row (none when it has no row or is linked to nobody).
fn person_of(scope: &WorkspaceScope, key: &ContactKey) -> sea_query::SelectStatement {
    Query::select()
        .column(C::PersonId)
        .from(C::Table)
        .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
        .cond_where(row(&key.network, key.remote_key()))
        .to_owned()
}

async fn profile(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    key: &ContactKey,
) -> Result<Option<ProfileRow>, StoreError> {
    conn.fetch_optional(
        &Query::select()
            .columns([C::Tags, C::Note, C::UpdatedAt])
            .from(C::Table)
            .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
            .cond_where(row(&key.network, key.remote_key()))
            .to_owned(),
    )
    .await
}

async fn messages_of(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    who: &[Identity],
    limit: u64,
) -> Result<Vec<Item>, StoreError> {
    let rows: Vec<ItemRow> = conn
        .fetch_all(
            &select_items(scope)
                .cond_where(by_author(scope, who))
                .order_by((I::Table, I::Id), Order::Desc)
                .limit(limit)
                .to_owned(),
        )
        .await?;
    items_with_labels(conn, scope, rows).await
}

/// The insert of a person's row (what the team adds about them); the caller says what a
/// row already there becomes.
fn contact_row(
    scope: &WorkspaceScope,
    key: &ContactKey,
    name: &str,
    tags_json: &str,
    note: &str,
    now: i64,
) -> Result<sea_query::InsertStatement, StoreError> {
    Ok(Query::insert()
        .into_table(C::Table)
        .columns([
            C::WorkspaceId,
            C::Network,
            C::RemoteKey,
            C::Handle,
            C::Name,
            C::Tags,
            C::Note,
            C::UpdatedBy,
            C::UpdatedAt,
        ])
        .values([
            scope.workspace().0.into(),
            key.network.clone().into(),
            key.remote_key().to_owned().into(),
            bounded(&key.handle, MAX_NAME_CHARS).into(),
            bounded(name, MAX_NAME_CHARS).into(),
            tags_json.to_owned().into(),
            note.to_owned().into(),
            scope.user().map(|u: UserId| u.0).into(),
            now.into(),
        ])
        .map_err(StoreError::failed("contact"))?
        .to_owned())
}

/// Gives every identity linked to `key`'s person the tags and note `key` now has.
async fn share_with_person(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    key: &ContactKey,
    tags_json: &str,
    note: &str,
) -> Result<(), StoreError> {
    let person = person_of(scope, key);
    conn.execute(
        &Query::update()
            .table(C::Table)
            .values([(C::Tags, tags_json.into()), (C::Note, note.into())])
            .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
            .and_where(Expr::col(C::PersonId).in_subquery(person))
            .to_owned(),
    )
    .await?;
    Ok(())
}

impl Store {
    /// Who wrote `item`.
    pub async fn inbox_contact_key(
        &self,
        scope: &WorkspaceScope,
        item: InboxItemId,
    ) -> Result<ContactKey, StoreError> {
        let item = self.inbox_item(scope, item).await?;
        let (network,): (String,) = self
            .db
            .fetch_one(
                &Query::select()
                    .column(Channels::Network)
                    .from(Channels::Table)
                    .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Channels::Id).eq(item.channel.0))
                    .to_owned(),
            )
            .await?;
        Ok(ContactKey {
            network,
            remote_id: item.author.remote_id.filter(|r| !r.is_empty()),
            handle: item.author.handle,
        })
    }

    /// The person, with the team's tags and note and their newest messages (at most
    /// [`MAX_LISTED`]).
    pub async fn inbox_contact(
        &self,
        scope: &WorkspaceScope,
        key: &ContactKey,
    ) -> Result<(Contact, Vec<Item>), StoreError> {
        let mut conn = self.db.acquire().await?;
        let mut linked = linked_to(&mut conn.conn(), scope, key).await?;
        for identity in &mut linked {
            let (newest,): (Option<i64>,) = conn
                .conn()
                .fetch_one(
                    &Query::select()
                        .expr(Expr::col((I::Table, I::Id)).max())
                        .from(I::Table)
                        .cond_where(by_author(scope, &[Identity::from(&*identity)]))
                        .to_owned(),
                )
                .await?;
            identity.newest_item = newest.map(InboxItemId);
        }
        // Their own newest message names them (a linked identity's may be newer).
        let own = messages_of(&mut conn.conn(), scope, &[Identity::from(key)], 1).await?;
        let Some(newest) = own.first() else {
            return Err(StoreError::NotFound);
        };
        let who = identities(key, &linked);
        let items = messages_of(&mut conn.conn(), scope, &who, MAX_LISTED).await?;
        let (messages,): (i64,) = conn
            .conn()
            .fetch_one(
                &Query::select()
                    .expr(Expr::col((I::Table, I::Id)).count())
                    .from(I::Table)
                    .cond_where(by_author(scope, &who))
                    .to_owned(),
            )
            .await?;
        let profile = profile(&mut conn.conn(), scope, key).await?;
        let contact = Contact {
            key: key.clone(),
            name: newest.author.name.clone(),
            url: newest.author.url.clone(),
            tags: profile
                .as_ref()
                .and_then(|p| serde_json::from_str(&p.tags).ok())
                .unwrap_or_default(),
            note: profile.as_ref().map(|p| p.note.clone()).unwrap_or_default(),
            messages,
            updated_at: profile.map(|p| p.updated_at),
            linked,
        };
        Ok((contact, items))
    }

    /// Replaces the team's tags and note about a person who wrote to the workspace.
    pub async fn set_inbox_contact(
        &self,
        scope: &WorkspaceScope,
        key: &ContactKey,
        tags: &[String],
        note: &str,
        now: i64,
    ) -> Result<Contact, StoreError> {
        scope.require(Role::can_answer)?;
        let tags =
            labels(tags).map_err(|_| ValidationError::single("tags", "error-contact-tags"))?;
        let note = note.trim();
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(ValidationError::single("note", "error-contact-note").into());
        }
        // Their own name on that network (the newest message may be another account's).
        let (contact, _) = self.inbox_contact(scope, key).await?;
        let name = bounded(&contact.name, MAX_NAME_CHARS);
        let tags_json = serde_json::to_string(&tags).map_err(StoreError::failed("tags"))?;
        let mut tx = self.begin().await?;
        tx.conn()
            .execute(
                &contact_row(scope, key, &name, &tags_json, note, now)?
                    .on_conflict(
                        OnConflict::columns([C::WorkspaceId, C::Network, C::RemoteKey])
                            .update_columns([
                                C::Handle,
                                C::Name,
                                C::Tags,
                                C::Note,
                                C::UpdatedBy,
                                C::UpdatedAt,
                            ])
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        // Linked identities are one person: they share the team's tags and note.
        share_with_person(&mut tx.conn(), scope, key, &tags_json, note).await?;
        tx.audit(
            scope,
            &AuditEvent::new("contact.update", "contact", key.network.as_str())
                .with("tags", tags.len() as i64),
        )
        .await?;
        tx.commit().await?;
        Ok(self.inbox_contact(scope, key).await?.0)
    }

    /// Everything held about a person (their messages with the notes and replies on them, the
    /// team's tags and note), for an access request; audited. Owners and managers only.
    pub async fn export_inbox_contact(
        &self,
        scope: &WorkspaceScope,
        key: &ContactKey,
        now: i64,
    ) -> Result<ContactExport, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let (contact, _) = self.inbox_contact(scope, key).await?;
        let who = identities(key, &contact.linked);
        let (items, originals) = {
            let mut conn = self.db.acquire().await?;
            let items = messages_of(&mut conn.conn(), scope, &who, MAX_EXPORTED).await?;
            let originals: Vec<ExportedOriginal> = conn
                .conn()
                .fetch_all(
                    &Query::select()
                        .columns(crate::inbox_originals::ORIGINAL_COLUMNS)
                        .from(O::Table)
                        .cond_where(originals_by(scope, &who))
                        .and_where(Expr::col((O::Table, O::Error)).is_null())
                        .limit(MAX_EXPORTED)
                        .to_owned(),
                )
                .await?;
            (items, originals)
        };
        let mut messages = Vec::with_capacity(items.len());
        for item in items {
            messages.push(ExportedMessage {
                notes: self.inbox_notes(scope, item.id).await?,
                replies: self.inbox_replies(scope, item.id).await?,
                item,
            });
        }
        let mut tx = self.begin().await?;
        tx.audit(
            scope,
            &AuditEvent::new("contact.export", "contact", key.network.as_str())
                .with("messages", messages.len() as i64)
                .with("originals", originals.len() as i64),
        )
        .await?;
        tx.commit().await?;
        Ok(ContactExport {
            contact,
            messages,
            originals,
            exported_at: now,
        })
    }

    /// Erases a person's messages (with the notes, labels and replies on them), the posts of
    /// theirs that conversations start from, and the team's tags and note, in one
    /// transaction; audited with the count only. Returns how many messages were erased and
    /// whether more are left (past [`MAX_EXPORTED`]). Owners and managers only. Their messages on the network are theirs: moderation removes those.
    pub async fn erase_inbox_contact(
        &self,
        scope: &WorkspaceScope,
        key: &ContactKey,
    ) -> Result<(u64, bool), StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let mut tx = self.begin().await?;
        let linked = linked_to(&mut tx.conn(), scope, key).await?;
        let who = identities(key, &linked);
        let ids: Vec<(i64,)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .column((I::Table, I::Id))
                    .from(I::Table)
                    .cond_where(by_author(scope, &who))
                    .limit(MAX_EXPORTED + 1)
                    .to_owned(),
            )
            .await?;
        let more = ids.len() as u64 > MAX_EXPORTED;
        let ids: Vec<i64> = ids
            .into_iter()
            .take(MAX_EXPORTED as usize)
            .map(|(id,)| id)
            .collect();
        let mut erased = 0;
        for chunk in ids.chunks(500) {
            erased += tx
                .conn()
                .execute(
                    &Query::delete()
                        .from_table(I::Table)
                        .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                        .and_where(crate::db::in_list(I::Id, chunk))
                        .to_owned(),
                )
                .await?;
        }
        // The conversations' first posts read from the network that are theirs: emptied and
        // kept as erased, so the next message in the conversation does not read them again.
        tx.conn()
            .execute(
                &Query::update()
                    .table(O::Table)
                    .values([
                        (O::RemoteRef, Option::<String>::None.into()),
                        (O::AuthorRemoteId, Option::<String>::None.into()),
                        (O::AuthorHandle, "".into()),
                        (O::AuthorName, "".into()),
                        (O::AuthorUrl, Option::<String>::None.into()),
                        (O::Text, "".into()),
                        (O::Url, Option::<String>::None.into()),
                        (O::CreatedAt, Option::<i64>::None.into()),
                        (O::Error, crate::inbox_originals::ERASED.into()),
                    ])
                    .cond_where(originals_by(scope, &who))
                    .to_owned(),
            )
            .await?;
        if !more {
            // The team's tags and note, under every identity of theirs.
            let mut rows = Cond::any().add(row(&key.network, key.remote_key()));
            for other in &linked {
                rows = rows.add(row(&other.network, &other.remote_key));
            }
            tx.conn()
                .execute(
                    &Query::delete()
                        .from_table(C::Table)
                        .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                        .cond_where(rows)
                        .to_owned(),
                )
                .await?;
        }
        tx.audit(
            scope,
            &AuditEvent::new("contact.erase", "contact", key.network.as_str())
                .with("messages", erased as i64),
        )
        .await?;
        tx.commit().await?;
        Ok((erased, more))
    }
}

impl Store {
    /// Links another identity of the person `key` names — the author of the newest message
    /// on a channel of `network` whose id or handle is `who` — so that they are one person:
    /// their page lists what they wrote under both, the team's tags and notes are merged and
    /// shared, an export or an erasure covers both. Audited.
    pub async fn link_inbox_contact(
        &self,
        scope: &WorkspaceScope,
        key: &ContactKey,
        network: &str,
        who: &str,
        now: i64,
    ) -> Result<Contact, StoreError> {
        scope.require(Role::can_answer)?;
        let unknown = || ValidationError::single("handle", "error-contact-link-unknown");
        let who = who.trim().trim_start_matches('@');
        if who.is_empty() || who.chars().count() > MAX_NAME_CHARS {
            return Err(unknown().into());
        }
        let (me, _) = self.inbox_contact(scope, key).await?;
        let channels = network_channels(scope, network);
        let found: Option<(Option<String>, String, String)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .columns([I::AuthorRemoteId, I::AuthorHandle, I::AuthorName])
                    .from(I::Table)
                    .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(I::ChannelId).in_subquery(channels))
                    .cond_where(
                        Cond::any()
                            .add(Expr::col(I::AuthorRemoteId).eq(who))
                            .add(Expr::col(I::AuthorHandle).eq(who))
                            .add(Expr::col(I::AuthorHandle).eq(format!("@{who}"))),
                    )
                    .order_by(I::Id, Order::Desc)
                    .limit(1)
                    .to_owned(),
            )
            .await?;
        let Some((remote_id, handle, name)) = found else {
            return Err(unknown().into());
        };
        let other = ContactKey {
            network: network.to_owned(),
            remote_id: remote_id.filter(|r| !r.is_empty()),
            handle,
        };
        if other.network == key.network && other.remote_key() == key.remote_key() {
            return Err(ValidationError::single("handle", "error-contact-link-self").into());
        }
        let both = Cond::any()
            .add(row(&key.network, key.remote_key()))
            .add(row(&other.network, other.remote_key()));
        let mut tx = self.begin().await?;
        for (k, name) in [(key, me.name.as_str()), (&other, name.as_str())] {
            tx.conn()
                .execute(
                    &contact_row(scope, k, name, "[]", "", now)?
                        .on_conflict(
                            OnConflict::columns([C::WorkspaceId, C::Network, C::RemoteKey])
                                .do_nothing()
                                .to_owned(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        // The two rows, and every identity already linked to either.
        let pair: Vec<(i64, Option<i64>)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .columns([C::Id, C::PersonId])
                    .from(C::Table)
                    .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                    .cond_where(both)
                    .to_owned(),
            )
            .await?;
        let persons: Vec<i64> = pair.iter().filter_map(|(_, p)| *p).collect();
        let pair_ids: Vec<i64> = pair.iter().map(|(id, _)| *id).collect();
        let group: Vec<(i64, String, String)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .columns([C::Id, C::Tags, C::Note])
                    .from(C::Table)
                    .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                    .cond_where(
                        Cond::any()
                            .add(crate::db::in_list(C::Id, &pair_ids))
                            .add(crate::db::in_list(C::PersonId, &persons)),
                    )
                    .order_by(C::Id, Order::Asc)
                    .to_owned(),
            )
            .await?;
        let Some(person) = group.iter().map(|(id, _, _)| *id).min() else {
            return Err(StoreError::NotFound);
        };
        let mut tags: Vec<String> = Vec::new();
        let mut notes: Vec<&str> = Vec::new();
        for (_, row_tags, note) in &group {
            for tag in serde_json::from_str::<Vec<String>>(row_tags).unwrap_or_default() {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            let note = note.trim();
            if !note.is_empty() && !notes.contains(&note) {
                notes.push(note);
            }
        }
        // Merged, tags and notes must still fit: nothing is cut without a word.
        let tags = labels(&tags)
            .map_err(|_| ValidationError::single("handle", "error-contact-link-tags"))?;
        let tags_json = serde_json::to_string(&tags).map_err(StoreError::failed("tags"))?;
        let note = notes.join("\n\n");
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(ValidationError::single("handle", "error-contact-link-note").into());
        }
        let ids: Vec<i64> = group.iter().map(|(id, _, _)| *id).collect();
        tx.conn()
            .execute(
                &Query::update()
                    .table(C::Table)
                    .values([
                        (C::PersonId, person.into()),
                        (C::Tags, tags_json.into()),
                        (C::Note, note.into()),
                    ])
                    .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                    .and_where(crate::db::in_list(C::Id, &ids))
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new("contact.link", "contact", key.network.as_str())
                .with("other_network", other.network.as_str())
                .with("identities", ids.len() as i64),
        )
        .await?;
        tx.commit().await?;
        Ok(self.inbox_contact(scope, key).await?.0)
    }

    /// Unlinks one of the identities linked to `key`'s person: it leaves with no tags and no
    /// note (those it holds are the person's, merged when linking). Audited.
    pub async fn unlink_inbox_contact(
        &self,
        scope: &WorkspaceScope,
        key: &ContactKey,
        network: &str,
        remote_key: &str,
    ) -> Result<Contact, StoreError> {
        scope.require(Role::can_answer)?;
        let mut tx = self.begin().await?;
        let linked = linked_to(&mut tx.conn(), scope, key).await?;
        if !linked
            .iter()
            .any(|l| l.network == network && l.remote_key == remote_key)
        {
            return Err(StoreError::NotFound);
        }
        let person: Option<(Option<i64>,)> =
            tx.conn().fetch_optional(&person_of(scope, key)).await?;
        let Some((Some(person),)) = person else {
            return Err(StoreError::NotFound);
        };
        // The account leaves with nothing of the person's: the tags and note it holds are
        // theirs (merged when linking), and an erasure of theirs would no longer reach it.
        tx.conn()
            .execute(
                &Query::update()
                    .table(C::Table)
                    .values([
                        (C::PersonId, Option::<i64>::None.into()),
                        (C::Tags, "[]".into()),
                        (C::Note, "".into()),
                    ])
                    .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                    .cond_where(row(network, remote_key))
                    .to_owned(),
            )
            .await?;
        // The group is known by its smallest row: if that was the one leaving, a later link
        // to it must not find the others. Renumbered, or dissolved when one is left.
        let rest: Vec<(i64,)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .column(C::Id)
                    .from(C::Table)
                    .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(C::PersonId).eq(person))
                    .to_owned(),
            )
            .await?;
        let regroup = match rest.iter().map(|(id,)| *id).min() {
            Some(smallest) if rest.len() > 1 => Some(smallest),
            _ => None,
        };
        tx.conn()
            .execute(
                &Query::update()
                    .table(C::Table)
                    .value(C::PersonId, regroup)
                    .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(C::PersonId).eq(person))
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new("contact.unlink", "contact", key.network.as_str())
                .with("other_network", network),
        )
        .await?;
        tx.commit().await?;
        Ok(self.inbox_contact(scope, key).await?.0)
    }
}

impl Store {
    /// The team's tags on the authors of `items` (those with none are left out), for the
    /// moderation rules that look at them.
    pub async fn author_tags(
        &self,
        scope: &WorkspaceScope,
        items: &[Item],
    ) -> Result<std::collections::HashMap<InboxItemId, Vec<String>>, StoreError> {
        let mut out = std::collections::HashMap::new();
        if items.is_empty() {
            return Ok(out);
        }
        let mut conn = self.db.acquire().await?;
        let channel_ids: Vec<i64> = {
            let mut ids: Vec<i64> = items.iter().map(|i| i.channel.0).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let networks: std::collections::HashMap<i64, String> = conn
            .conn()
            .fetch_all::<(i64, String), _>(
                &Query::select()
                    .columns([Channels::Id, Channels::Network])
                    .from(Channels::Table)
                    .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                    .and_where(crate::db::in_list(Channels::Id, &channel_ids))
                    .to_owned(),
            )
            .await?
            .into_iter()
            .collect();
        let key_of = |item: &Item| {
            let remote = item
                .author
                .remote_id
                .as_deref()
                .filter(|r| !r.is_empty())
                .unwrap_or(&item.author.handle)
                .to_owned();
            networks.get(&item.channel.0).map(|n| (n.clone(), remote))
        };
        let mut keys: Vec<String> = items.iter().filter_map(key_of).map(|(_, k)| k).collect();
        keys.sort_unstable();
        keys.dedup();
        let rows: Vec<(String, String, String)> = conn
            .conn()
            .fetch_all(
                &Query::select()
                    .columns([C::Network, C::RemoteKey, C::Tags])
                    .from(C::Table)
                    .and_where(Expr::col(C::WorkspaceId).eq(scope.workspace().0))
                    .and_where(crate::db::in_list(C::RemoteKey, &keys))
                    .to_owned(),
            )
            .await?;
        let tags: std::collections::HashMap<(String, String), Vec<String>> = rows
            .into_iter()
            .filter_map(|(network, key, tags)| {
                let tags: Vec<String> = serde_json::from_str(&tags).ok()?;
                (!tags.is_empty()).then_some(((network, key), tags))
            })
            .collect();
        for item in items {
            if let Some(found) = key_of(item).and_then(|k| tags.get(&k)) {
                out.insert(item.id, found.clone());
            }
        }
        Ok(out)
    }
}
