//! The unified inbox: comments, replies and mentions fetched from a workspace's channels, the
//! team's triage on them (status, assignee, labels, notes), and the replies sent from tribune.
//!
//! Ingestion is exactly-once by construction: an item is unique per channel and network
//! reference, and the channel's cursor advances in the transaction that stores the items
//! ([`Store::ingest_inbox`]); a crash before the commit fetches the same page again, a crash
//! after finds the items stored and the cursor past them.
//!
//! Full-text search has one API ([`TextFilter`]) and one index per database: FTS5 on SQLite and
//! a `tsvector` on PostgreSQL, both over `search_text`, the words folded by the query language
//! before they reach the store. The filter is a pre-filter: it may let through items the query
//! does not match (the caller confirms with the matcher), never drop one it does.

use crate::audit::AuditEvent;
use crate::db::{Conn, in_list};
use crate::jobs::{JobNew, OnDuplicate};
use crate::schema::{
    Channels, InboxCursors, InboxFts, InboxItemLabels as Labels, InboxItems as I, InboxNotes,
    InboxReplies, Memberships, Users,
};
use crate::{Backend, Store, StoreError, WorkspaceScope};
use sea_query::{Cond, Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use serde::Serialize;
use tribune_domain::inbox::{
    ItemKind, ItemStatus, MAX_NAME_CHARS, MAX_NOTE_CHARS, MAX_REF_BYTES, MAX_REPLY_CHARS,
    MAX_TEXT_CHARS, MAX_URL_BYTES, Tone, bounded, message,
};
use tribune_domain::{
    ChannelId, InboxItemId, InboxNoteId, InboxReplyId, Role, UserId, ValidationError, WorkspaceId,
};

/// The job that sends a reply (payload `{"reply": id}`, dedup key `inbox.reply:{id}`).
pub const REPLY_JOB: &str = "inbox.reply";
/// The job that fetches one channel's inbox (payload `{"channel": id}`, dedup key
/// `inbox.fetch:{id}`), run by `tribune_jobs::inbox`.
pub const FETCH_JOB: &str = "inbox.fetch";

/// Whether a channel with these capabilities (as stored, comma-separated) has an inbox.
pub fn reads_inbox(capabilities: &str) -> bool {
    capabilities
        .split(',')
        .any(|c| matches!(c.trim(), "read_comments" | "read_mentions"))
}

/// The fetch job of a channel, due at `run_at`.
pub fn fetch_job(workspace: WorkspaceId, channel: ChannelId, run_at: i64) -> JobNew {
    JobNew {
        kind: FETCH_JOB,
        workspace: Some(workspace),
        payload: serde_json::json!({ "channel": channel.0 }),
        dedup_key: Some(format!("{FETCH_JOB}:{}", channel.0)),
        run_at,
    }
}
/// Bytes of a network payload kept with an item.
const MAX_RAW_BYTES: usize = 16 * 1024;
/// Links kept per item.
const MAX_LINKS: usize = 32;
/// Items of one conversation shown at most.
const MAX_THREAD: u64 = 200;
/// Characters of a fetch error kept on the cursor.
const MAX_ERROR_CHARS: usize = 500;

/// An item as a connector hands it over, classified, ready to store. The store bounds every
/// field again: it is the last line before the database.
#[derive(Debug, Clone)]
pub struct ItemNew {
    pub remote_ref: String,
    pub kind: ItemKind,
    pub in_reply_to: Option<String>,
    pub root_ref: Option<String>,
    pub author_remote_id: Option<String>,
    pub author_handle: String,
    pub author_name: String,
    pub author_url: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub links: Vec<String>,
    /// Pictures attached, by their address on the network (never loaded unless asked).
    pub images: Vec<Image>,
    /// The folded words of the text (see the module's text).
    pub search_text: String,
    pub created_at: i64,
    pub lang: String,
    pub tone: Tone,
    pub toxicity: f64,
    pub spam: f64,
    /// `visible`, `hidden`, `held`, `spam`, `trashed`.
    pub network_status: String,
    pub raw: String,
}

/// A picture attached to an item: its http(s) address on the network and its description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Image {
    pub url: String,
    pub alt: String,
}

/// Pictures kept per item at most, and characters of a description.
pub const MAX_IMAGES: usize = 4;
const MAX_ALT_CHARS: usize = 1_500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemAuthor {
    pub remote_id: Option<String>,
    pub handle: String,
    pub name: String,
    pub url: Option<String>,
}

/// A stored item, with its labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: InboxItemId,
    pub workspace: WorkspaceId,
    pub channel: ChannelId,
    pub remote_ref: String,
    pub kind: ItemKind,
    pub in_reply_to: Option<String>,
    pub root_ref: Option<String>,
    pub thread_ref: String,
    pub author: ItemAuthor,
    pub text: String,
    pub url: Option<String>,
    pub links: Vec<String>,
    pub images: Vec<Image>,
    pub created_at: i64,
    pub received_at: i64,
    pub lang: String,
    pub tone: Tone,
    pub toxicity: f64,
    pub spam: f64,
    pub network_status: String,
    /// The stored status; see [`Item::status_at`] for a snooze that has run out.
    pub status: ItemStatus,
    pub snoozed_until: Option<i64>,
    pub assignee: Option<UserId>,
    pub first_response_at: Option<i64>,
    pub done_at: Option<i64>,
    /// The deadline for a first answer, when the workspace had a response-time target.
    pub due_at: Option<i64>,
    pub labels: Vec<String>,
}

impl Item {
    /// Where its response-time clock stands at `now`; `None` without a deadline.
    pub fn clock(&self, warn_minutes: u32, now: i64) -> Option<tribune_domain::sla::Clock> {
        let stopped = self.first_response_at.or(match self.status {
            ItemStatus::Done => self.done_at,
            _ => None,
        });
        self.due_at
            .map(|due| tribune_domain::sla::Clock::at(due, stopped, warn_minutes, now))
    }

    /// The status as the team sees it at `now`: a snooze that has run out is new again.
    pub fn status_at(&self, now: i64) -> ItemStatus {
        match (self.status, self.snoozed_until) {
            (ItemStatus::Snoozed, Some(until)) if until <= now => ItemStatus::New,
            (status, _) => status,
        }
    }

    pub fn toxic(&self) -> bool {
        self.toxicity >= tribune_domain::inbox::FLAG_THRESHOLD
    }

    pub fn is_spam(&self) -> bool {
        self.spam >= tribune_domain::inbox::FLAG_THRESHOLD
    }
}

/// A full-text pre-filter: words (or word prefixes) combined with AND and OR. Words are what
/// the query language folds a term into; a word the index cannot look up is left out
/// ([`TextFilter::word`] gives `None`), which only widens the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextFilter {
    Word { word: String, prefix: bool },
    All(Vec<TextFilter>),
    Any(Vec<TextFilter>),
}

/// Longest word the index holds: longer words are cut to it (a prefix still finds them).
pub const MAX_INDEXED_WORD_CHARS: usize = 64;

/// Whether the full-text index can look `word` up as it is: ASCII letters and digits only, not
/// longer than [`MAX_INDEXED_WORD_CHARS`]. Both databases' tokenisers read such a word as one
/// token whatever their locale; other words are left to the matcher.
pub fn indexable(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= MAX_INDEXED_WORD_CHARS
        && word.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The `search_text` of an item from its folded tokens: each token cut into its runs of ASCII
/// letters and digits, each run cut to [`MAX_INDEXED_WORD_CHARS`], space-separated, each once.
///
/// Whatever a query word `w` matches, the index finds: an exact `w` that is [`indexable`]
/// matches only a token equal to it, which is indexed whole; a prefix `w*` matches tokens
/// starting with `w`, whose first run starts with `w`.
pub fn search_words<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for token in tokens {
        for run in token.split(|c: char| !c.is_ascii_alphanumeric()) {
            let run = &run[..run.len().min(MAX_INDEXED_WORD_CHARS)];
            if !run.is_empty() && seen.insert(run) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(run);
            }
        }
    }
    out
}

impl TextFilter {
    /// One word, or `None` when the index cannot look it up.
    pub fn word(word: &str, prefix: bool) -> Option<TextFilter> {
        indexable(word).then(|| TextFilter::Word {
            word: word.to_owned(),
            prefix,
        })
    }

    /// All of `parts`; the parts that cannot filter are dropped (they accept everything).
    pub fn all(parts: impl IntoIterator<Item = Option<TextFilter>>) -> Option<TextFilter> {
        let parts: Vec<TextFilter> = parts.into_iter().flatten().collect();
        match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(TextFilter::All(parts)),
        }
    }

    /// Any of `parts`; if one part cannot filter, neither can the whole.
    pub fn any(parts: impl IntoIterator<Item = Option<TextFilter>>) -> Option<TextFilter> {
        let parts: Option<Vec<TextFilter>> = parts.into_iter().collect();
        let parts = parts?;
        match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(TextFilter::Any(parts)),
        }
    }

    /// FTS5's query syntax.
    fn fts5(&self) -> String {
        match self {
            TextFilter::Word { word, prefix } => {
                format!("\"{word}\"{}", if *prefix { "*" } else { "" })
            }
            TextFilter::All(parts) => join(parts, " AND ", TextFilter::fts5),
            TextFilter::Any(parts) => join(parts, " OR ", TextFilter::fts5),
        }
    }

    /// PostgreSQL's `tsquery` syntax.
    fn tsquery(&self) -> String {
        match self {
            TextFilter::Word { word, prefix } => {
                format!("'{word}'{}", if *prefix { ":*" } else { "" })
            }
            TextFilter::All(parts) => join(parts, " & ", TextFilter::tsquery),
            TextFilter::Any(parts) => join(parts, " | ", TextFilter::tsquery),
        }
    }

    /// The condition on PostgreSQL's `tsvector` (SQLite pages through FTS5 instead, see
    /// `fts5_page`).
    fn pg_condition(&self) -> Expr {
        Expr::cust_with_values(
            "\"inbox_items\".\"search\" @@ to_tsquery('simple', $1)",
            [self.tsquery()],
        )
    }
}

fn join(parts: &[TextFilter], sep: &str, each: fn(&TextFilter) -> String) -> String {
    let inner: Vec<String> = parts.iter().map(each).collect();
    format!("({})", inner.join(sep))
}

/// Whose items to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Nobody,
    User(UserId),
}

/// Which items to list: newest first, one page at a time.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub status: Option<ItemStatus>,
    pub channel: Option<ChannelId>,
    pub kind: Option<ItemKind>,
    pub tone: Option<Tone>,
    pub assignee: Option<AssigneeFilter>,
    pub label: Option<String>,
    /// Only items flagged toxic or spam.
    pub flagged: bool,
    /// Received at or after / before (Unix seconds).
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub text: Option<TextFilter>,
    /// Only messages waiting for a first answer whose deadline is at or before this instant
    /// (the "near breach" view: now plus the warning).
    pub due_before: Option<i64>,
    /// Items older than this one (the page's cursor).
    pub before: Option<InboxItemId>,
    pub limit: u64,
}

/// Most items one call lists.
pub const MAX_PAGE: u64 = 500;

/// Where a channel's ingestion stands.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboxCursor {
    pub cursor: Option<String>,
    pub fetched_at: i64,
    pub idle_fetches: i64,
    pub last_error: Option<String>,
}

/// What to change on items; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ItemChange {
    pub status: Option<ItemStatus>,
    /// Required with [`ItemStatus::Snoozed`], in the future.
    pub snoozed_until: Option<i64>,
    /// `Some(None)` unassigns.
    pub assignee: Option<Option<UserId>>,
    /// Replaces the labels (checked by [`tribune_domain::inbox::labels`]).
    pub labels: Option<Vec<String>>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    /// Why, for the audit trail (the rule that made the change).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: InboxNoteId,
    pub item_id: InboxItemId,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: i64,
}

/// A reply written in tribune: `pending` until the job sends it, then `sent` or `failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Reply {
    pub id: InboxReplyId,
    pub item_id: InboxItemId,
    pub channel_id: ChannelId,
    pub author_id: Option<UserId>,
    pub text: String,
    pub state: String,
    pub attempt_started_at: Option<i64>,
    pub remote_ref: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// What the network recognises the reply by on a retry (random; `None` on replies written
    /// before migration 0024, which use their id).
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

impl Reply {
    /// The key sent with the reply to the network.
    pub fn network_key(&self) -> String {
        self.idempotency_key
            .clone()
            .unwrap_or_else(|| format!("tribune-inbox-reply-{}", self.id.0))
    }
}

/// What the reply job needs: the reply, the item's reference on the network, and when an
/// earlier attempt started (`None` on the first).
#[derive(Debug, Clone)]
pub struct ReplyAttempt {
    pub reply: Reply,
    pub to: String,
    /// The item is a direct message: the answer is sent privately, to its author.
    pub private: bool,
    pub previous_attempt: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ItemRow {
    id: i64,
    workspace_id: i64,
    channel_id: i64,
    remote_ref: String,
    kind: String,
    in_reply_to: Option<String>,
    root_ref: Option<String>,
    thread_ref: String,
    author_remote_id: Option<String>,
    author_handle: String,
    author_name: String,
    author_url: Option<String>,
    text: String,
    url: Option<String>,
    links: String,
    images: String,
    created_at: i64,
    received_at: i64,
    lang: String,
    sentiment: String,
    toxicity: f64,
    spam: f64,
    network_status: String,
    status: String,
    snoozed_until: Option<i64>,
    assignee_id: Option<i64>,
    first_response_at: Option<i64>,
    done_at: Option<i64>,
    due_at: Option<i64>,
}

const COLUMNS: [I; 29] = [
    I::Id,
    I::WorkspaceId,
    I::ChannelId,
    I::RemoteRef,
    I::Kind,
    I::InReplyTo,
    I::RootRef,
    I::ThreadRef,
    I::AuthorRemoteId,
    I::AuthorHandle,
    I::AuthorName,
    I::AuthorUrl,
    I::Text,
    I::Url,
    I::Links,
    I::Images,
    I::CreatedAt,
    I::ReceivedAt,
    I::Lang,
    I::Sentiment,
    I::Toxicity,
    I::Spam,
    I::NetworkStatus,
    I::Status,
    I::SnoozedUntil,
    I::AssigneeId,
    I::FirstResponseAt,
    I::DoneAt,
    I::DueAt,
];

impl ItemRow {
    fn into_item(self, labels: Vec<String>) -> Item {
        Item {
            id: InboxItemId(self.id),
            workspace: WorkspaceId(self.workspace_id),
            channel: ChannelId(self.channel_id),
            remote_ref: self.remote_ref,
            // A kind this build does not know is taken as private: its answer is never public.
            kind: ItemKind::parse(&self.kind).unwrap_or(ItemKind::Message),
            in_reply_to: self.in_reply_to,
            root_ref: self.root_ref,
            thread_ref: self.thread_ref,
            author: ItemAuthor {
                remote_id: self.author_remote_id,
                handle: self.author_handle,
                name: self.author_name,
                url: self.author_url,
            },
            text: self.text,
            url: self.url,
            links: serde_json::from_str(&self.links).unwrap_or_default(),
            images: serde_json::from_str(&self.images).unwrap_or_default(),
            created_at: self.created_at,
            received_at: self.received_at,
            lang: self.lang,
            tone: Tone::parse(&self.sentiment).unwrap_or(Tone::Neutral),
            toxicity: self.toxicity,
            spam: self.spam,
            network_status: self.network_status,
            status: ItemStatus::parse(&self.status).unwrap_or(ItemStatus::New),
            snoozed_until: self.snoozed_until,
            assignee: self.assignee_id.map(UserId),
            first_response_at: self.first_response_at,
            done_at: self.done_at,
            due_at: self.due_at,
            labels,
        }
    }
}

/// An address kept only when it is http(s) and not too long.
pub(crate) fn bounded_url(url: Option<&str>) -> Option<String> {
    url.filter(|u| {
        u.len() <= MAX_URL_BYTES && (u.starts_with("https://") || u.starts_with("http://"))
    })
    .map(str::to_owned)
}

fn bounded_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The labels of `items`, by item.
async fn labels_of(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    items: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>, StoreError> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
    if items.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, String)> = conn
        .fetch_all(
            &Query::select()
                .columns([Labels::ItemId, Labels::Label])
                .from(Labels::Table)
                .and_where(Expr::col(Labels::WorkspaceId).eq(scope.workspace().0))
                .and_where(in_list(Labels::ItemId, items))
                .order_by(Labels::Label, Order::Asc)
                .to_owned(),
        )
        .await?;
    for (item, label) in rows {
        out.entry(item).or_default().push(label);
    }
    Ok(out)
}

pub(crate) async fn items_with_labels(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    rows: Vec<ItemRow>,
) -> Result<Vec<Item>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut labels = labels_of(conn, scope, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let l = labels.remove(&row.id).unwrap_or_default();
            row.into_item(l)
        })
        .collect())
}

pub(crate) fn select_items(scope: &WorkspaceScope) -> SelectStatement {
    Query::select()
        .columns(COLUMNS.map(|c| (I::Table, c)))
        .from(I::Table)
        .and_where(Expr::col((I::Table, I::WorkspaceId)).eq(scope.workspace().0))
        .to_owned()
}

async fn load(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    id: InboxItemId,
) -> Result<Item, StoreError> {
    let row: ItemRow = conn
        .fetch_one(
            &select_items(scope)
                .and_where(Expr::col((I::Table, I::Id)).eq(id.0))
                .to_owned(),
        )
        .await?;
    items_with_labels(conn, scope, vec![row])
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// Whether `channel` is one of the scope's workspace's.
pub(crate) async fn own_channel(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    channel: ChannelId,
) -> Result<bool, StoreError> {
    crate::links::owned(
        conn,
        scope,
        Channels::Table,
        Channels::Id,
        Channels::WorkspaceId,
        channel.0,
    )
    .await
}

fn status_condition(status: ItemStatus, now: i64) -> Cond {
    let col = |c: I| Expr::col((I::Table, c));
    match status {
        // A snooze that has run out is new again.
        ItemStatus::New => Cond::any()
            .add(col(I::Status).eq(ItemStatus::New.as_str()))
            .add(
                Cond::all()
                    .add(col(I::Status).eq(ItemStatus::Snoozed.as_str()))
                    .add(col(I::SnoozedUntil).lte(now)),
            ),
        ItemStatus::Snoozed => Cond::all()
            .add(col(I::Status).eq(ItemStatus::Snoozed.as_str()))
            .add(col(I::SnoozedUntil).gt(now)),
        other => Cond::all().add(col(I::Status).eq(other.as_str())),
    }
}

/// The items of the scope's workspace that pass `filter`'s conditions, except its text and its
/// cursor (the callers add them, each in its way).
fn filtered(scope: &WorkspaceScope, filter: &InboxFilter, now: i64) -> SelectStatement {
    let mut select = select_items(scope);
    let col = |c: I| Expr::col((I::Table, c));
    if let Some(status) = filter.status {
        select.cond_where(status_condition(status, now));
    }
    if let Some(channel) = filter.channel {
        select.and_where(col(I::ChannelId).eq(channel.0));
    }
    if let Some(kind) = filter.kind {
        select.and_where(col(I::Kind).eq(kind.as_str()));
    }
    if let Some(tone) = filter.tone {
        select.and_where(col(I::Sentiment).eq(tone.as_str()));
    }
    match filter.assignee {
        Some(AssigneeFilter::Nobody) => {
            select.and_where(col(I::AssigneeId).is_null());
        }
        Some(AssigneeFilter::User(user)) => {
            select.and_where(col(I::AssigneeId).eq(user.0));
        }
        None => {}
    }
    if let Some(label) = &filter.label {
        select.and_where(
            col(I::Id).in_subquery(
                Query::select()
                    .column(Labels::ItemId)
                    .from(Labels::Table)
                    .and_where(Expr::col(Labels::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Labels::Label).eq(label.trim().to_lowercase()))
                    .to_owned(),
            ),
        );
    }
    if filter.flagged {
        let threshold = tribune_domain::inbox::FLAG_THRESHOLD;
        select.cond_where(
            Cond::any()
                .add(col(I::Toxicity).gte(threshold))
                .add(col(I::Spam).gte(threshold)),
        );
    }
    if let Some(due) = filter.due_before {
        select
            .and_where(col(I::DueAt).lte(due))
            .and_where(col(I::FirstResponseAt).is_null())
            .and_where(col(I::Status).ne(ItemStatus::Done.as_str()));
    }
    if let Some(since) = filter.since {
        select.and_where(col(I::ReceivedAt).gte(since));
    }
    if let Some(until) = filter.until {
        select.and_where(col(I::ReceivedAt).lt(until));
    }
    select
}

/// A page of a full-text search on SQLite: FTS5 walks the workspace's matches newest first, a
/// chunk at a time (`ORDER BY rowid DESC LIMIT`, which it answers without reading the other
/// matches), and the chunk's rows that pass the other conditions fill the page. The first chunk
/// is the page's size (a common word fills the page at once); each next one is four times
/// larger, up to [`FTS_CHUNK_MAX`] (rare matches among many filtered out).
async fn fts5_page(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    filter: &InboxFilter,
    text: &TextFilter,
    limit: u64,
    now: i64,
) -> Result<Vec<ItemRow>, StoreError> {
    let mut chunk = std::cmp::max(limit, FTS_CHUNK_MIN);
    let query = format!(
        "workspace : \"w{}\" AND search_text : {}",
        scope.workspace().0,
        text.fts5()
    );
    let mut upper = filter.before.map(|b| b.0);
    let mut rows: Vec<ItemRow> = Vec::new();
    loop {
        let mut matches = Query::select();
        matches
            .column(InboxFts::Rowid)
            .from(InboxFts::Table)
            .and_where(Expr::cust_with_values("inbox_fts MATCH ?", [query.clone()]))
            .order_by(InboxFts::Rowid, Order::Desc)
            .limit(chunk);
        if let Some(upper) = upper {
            matches.and_where(Expr::col(InboxFts::Rowid).lt(upper));
        }
        let ids: Vec<i64> = conn
            .fetch_all::<(i64,), _>(&matches)
            .await?
            .into_iter()
            .map(|(id,)| id)
            .collect();
        let Some(&lowest) = ids.last() else {
            return Ok(rows);
        };
        let mut page = filtered(scope, filter, now);
        page.and_where(in_list((I::Table, I::Id), &ids))
            .order_by((I::Table, I::Id), Order::Desc)
            .limit(limit - rows.len() as u64);
        rows.extend(conn.fetch_all::<ItemRow, _>(&page).await?);
        if rows.len() as u64 >= limit || (ids.len() as u64) < chunk {
            return Ok(rows);
        }
        upper = Some(lowest);
        chunk = std::cmp::min(chunk * 4, FTS_CHUNK_MAX);
    }
}

/// The workspace's items of `ids`, with their labels, in id order.
async fn items_by_ids(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    ids: &[i64],
    order: Order,
) -> Result<Vec<Item>, StoreError> {
    let rows: Vec<ItemRow> = conn
        .fetch_all(
            &select_items(scope)
                .and_where(in_list((I::Table, I::Id), ids))
                .order_by((I::Table, I::Id), order)
                .to_owned(),
        )
        .await?;
    items_with_labels(conn, scope, rows).await
}

/// Matches read in the first round of a SQLite full-text page, at least, and in any round at most.
const FTS_CHUNK_MIN: u64 = 50;
const FTS_CHUNK_MAX: u64 = 3_200;

/// Rows per multi-row insert of a batch: 26 values each, well under both databases' limits
/// on a statement's parameters.
const INSERT_CHUNK: usize = 100;

const INSERT_COLUMNS: [I; 26] = [
    I::WorkspaceId,
    I::ChannelId,
    I::RemoteRef,
    I::Kind,
    I::InReplyTo,
    I::RootRef,
    I::ThreadRef,
    I::AuthorRemoteId,
    I::AuthorHandle,
    I::AuthorName,
    I::AuthorUrl,
    I::Text,
    I::Url,
    I::Links,
    I::Images,
    I::SearchText,
    I::CreatedAt,
    I::ReceivedAt,
    I::Lang,
    I::Sentiment,
    I::Toxicity,
    I::Spam,
    I::NetworkStatus,
    I::Status,
    I::Raw,
    I::DueAt,
];

/// An item's values for [`INSERT_COLUMNS`], every field bounded.
fn item_row(
    scope: &WorkspaceScope,
    channel: ChannelId,
    item: &ItemNew,
    now: i64,
    due_at: Option<i64>,
) -> Result<Vec<sea_query::SimpleExpr>, StoreError> {
    let bounded_ref = |r: &Option<String>| {
        r.as_deref()
            .filter(|r| !r.is_empty() && r.len() <= MAX_REF_BYTES)
            .map(str::to_owned)
    };
    let in_reply_to = bounded_ref(&item.in_reply_to);
    let root_ref = bounded_ref(&item.root_ref);
    let thread_ref = root_ref
        .clone()
        .or_else(|| in_reply_to.clone())
        .unwrap_or_else(|| item.remote_ref.clone());
    let links: Vec<String> = item
        .links
        .iter()
        .filter_map(|l| bounded_url(Some(l)))
        .take(MAX_LINKS)
        .collect();
    let links = serde_json::to_string(&links).map_err(StoreError::failed("inbox links"))?;
    let images: Vec<Image> = item
        .images
        .iter()
        .filter_map(|i| {
            Some(Image {
                url: bounded_url(Some(&i.url))?,
                alt: bounded(&i.alt, MAX_ALT_CHARS),
            })
        })
        .take(MAX_IMAGES)
        .collect();
    let images = serde_json::to_string(&images).map_err(StoreError::failed("inbox images"))?;
    Ok(vec![
        scope.workspace().0.into(),
        channel.0.into(),
        item.remote_ref.clone().into(),
        item.kind.as_str().into(),
        in_reply_to.into(),
        root_ref.into(),
        thread_ref.into(),
        bounded_ref(&item.author_remote_id).into(),
        bounded(&item.author_handle, MAX_NAME_CHARS).into(),
        bounded(&item.author_name, MAX_NAME_CHARS).into(),
        bounded_url(item.author_url.as_deref()).into(),
        bounded(&item.text, MAX_TEXT_CHARS).into(),
        bounded_url(item.url.as_deref()).into(),
        links.into(),
        images.into(),
        bounded_bytes(&item.search_text, 4 * MAX_TEXT_CHARS).into(),
        item.created_at.into(),
        now.into(),
        bounded(&item.lang, 8).into(),
        item.tone.as_str().into(),
        item.toxicity.clamp(0.0, 1.0).into(),
        item.spam.clamp(0.0, 1.0).into(),
        bounded(&item.network_status, 16).into(),
        ItemStatus::New.as_str().into(),
        bounded_bytes(&item.raw, MAX_RAW_BYTES).into(),
        due_at.into(),
    ])
}

/// The work of [`Store::update_inbox_items`] in `tx`: checked, applied set-based and audited.
/// Returns the items' ids without repeats.
async fn change_items(
    tx: &mut crate::Transaction,
    scope: &WorkspaceScope,
    ids: &[InboxItemId],
    change: &ItemChange,
    now: i64,
) -> Result<Vec<i64>, StoreError> {
    scope.require(Role::can_answer)?;
    if ids.is_empty() || ids.len() > MAX_PAGE as usize {
        return Err(ValidationError::single("items", "error-inbox-items-count").into());
    }
    let replace = change
        .labels
        .as_deref()
        .map(tribune_domain::inbox::labels)
        .transpose()?;
    let add = tribune_domain::inbox::labels(&change.add_labels)?;
    let remove = tribune_domain::inbox::labels(&change.remove_labels)?;
    let mut values: Vec<(I, Expr)> = Vec::new();
    if let Some(status) = change.status {
        values.push((I::Status, Expr::val(status.as_str())));
        match status {
            ItemStatus::Snoozed => match change.snoozed_until {
                Some(until) if until > now => values.push((I::SnoozedUntil, Expr::val(until))),
                _ => {
                    return Err(ValidationError::single(
                        "snoozed_until",
                        "error-inbox-snooze-past",
                    )
                    .into());
                }
            },
            _ => values.push((I::SnoozedUntil, Expr::val(Option::<i64>::None))),
        }
        if status == ItemStatus::Done {
            values.push((I::DoneAt, Expr::val(now)));
        }
    }
    if let Some(Some(user)) = change.assignee {
        let member: Option<(i64,)> = tx
            .conn()
            .fetch_optional(
                &Query::select()
                    .column(Memberships::UserId)
                    .from(Memberships::Table)
                    .and_where(Expr::col(Memberships::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Memberships::UserId).eq(user.0))
                    .to_owned(),
            )
            .await?;
        if member.is_none() {
            return Err(ValidationError::single("assignee", "error-inbox-assignee-unknown").into());
        }
    }
    if let Some(assignee) = change.assignee {
        values.push((I::AssigneeId, Expr::val(assignee.map(|u| u.0))));
    }
    let raw_ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    let (found,): (i64,) = tx
        .conn()
        .fetch_one(
            &Query::select()
                .expr(Expr::col(I::Id).count())
                .from(I::Table)
                .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                .and_where(in_list(I::Id, &raw_ids))
                .to_owned(),
        )
        .await?;
    let mut unique = raw_ids.clone();
    unique.sort_unstable();
    unique.dedup();
    if found != unique.len() as i64 {
        return Err(StoreError::NotFound);
    }
    if !values.is_empty() {
        tx.conn()
            .execute(
                &Query::update()
                    .table(I::Table)
                    .values(values)
                    .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                    .and_where(in_list(I::Id, &unique))
                    .to_owned(),
            )
            .await?;
    }
    let relabel = replace.is_some() || !add.is_empty() || !remove.is_empty();
    if relabel {
        set_labels(
            &mut tx.conn(),
            scope,
            &unique,
            replace.as_deref(),
            &add,
            &remove,
        )
        .await?;
    }
    // Set-based: a rule acting on a fetch's items, or a bulk action, is a handful of
    // statements, not a handful per item.
    let mut events = Vec::with_capacity(unique.len());
    for &id in &unique {
        let mut event = audit_item("inbox.update", InboxItemId(id));
        if let Some(status) = change.status {
            event = event.with("status", status.as_str());
        }
        if let Some(assignee) = change.assignee {
            event = event.with("assignee", assignee.map(|u| u.0));
        }
        if relabel {
            event = event
                .with("labels", replace.clone())
                .with("add_labels", add.clone())
                .with("remove_labels", remove.clone());
        }
        if let Some(reason) = &change.reason {
            event = event.with("reason", bounded(reason, MAX_ERROR_CHARS));
        }
        events.push(event);
    }
    let recorded: Vec<_> = events
        .iter()
        .map(|event| (Some(scope.workspace()), scope.actor(), event))
        .collect();
    crate::audit::record_all(&mut tx.conn(), &recorded).await?;
    Ok(unique)
}

fn audit_item(action: &'static str, id: InboxItemId) -> AuditEvent {
    AuditEvent::new(action, "inbox_item", id)
}

impl Store {
    /// Stores the items fetched from a channel (those already stored are skipped) and moves the
    /// channel's cursor to `cursor` (kept as it was when `None`), in one transaction. Returns
    /// the ids of the items stored now, oldest first, for the rules to run on.
    pub async fn ingest_inbox(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        items: &[ItemNew],
        cursor: Option<&str>,
        now: i64,
    ) -> Result<Vec<InboxItemId>, StoreError> {
        let mut tx = self.begin().await?;
        if !own_channel(&mut tx.conn(), scope, channel).await? {
            return Err(StoreError::NotFound);
        }
        // Every item of the batch is received now: one deadline for all.
        let due_at = crate::sla::sla_of(&mut tx.conn(), scope.workspace())
            .await?
            .map(|(sla, tz)| sla.deadline(now, &tz));
        // Rows of the batch, bounded; a multi-row insert per chunk (one statement, not one
        // per item: most of a batch's cost was the statements' round trips).
        let mut rows: Vec<Vec<sea_query::SimpleExpr>> = Vec::with_capacity(items.len());
        for item in items {
            if item.remote_ref.is_empty() || item.remote_ref.len() > MAX_REF_BYTES {
                tracing::warn!(
                    channel = channel.0,
                    bytes = item.remote_ref.len(),
                    "inbox item skipped: its network reference is empty or too long"
                );
                continue;
            }
            rows.push(item_row(scope, channel, item, now, due_at)?);
        }
        let mut stored = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(INSERT_CHUNK) {
            let mut insert = Query::insert();
            insert.into_table(I::Table).columns(INSERT_COLUMNS);
            for row in chunk {
                insert
                    .values(row.iter().cloned())
                    .map_err(StoreError::failed("inbox insert"))?;
            }
            insert
                .on_conflict(
                    OnConflict::columns([I::ChannelId, I::RemoteRef])
                        .do_nothing()
                        .to_owned(),
                )
                .returning_col(I::Id);
            let ids: Vec<(i64,)> = tx.conn().fetch_all(&insert).await?;
            stored.extend(ids.into_iter().map(|(id,)| InboxItemId(id)));
        }
        // Ids follow the batch's order (oldest first); RETURNING's own order is unspecified.
        stored.sort_unstable_by_key(|id| id.0);
        let before = cursor_row(&mut tx.conn(), scope, channel).await?;
        let kept_cursor = match cursor {
            Some(c) => Some(c.to_owned()),
            None => before.as_ref().and_then(|b| b.cursor.clone()),
        };
        let idle = if stored.is_empty() {
            before.as_ref().map_or(0, |b| b.idle_fetches) + 1
        } else {
            0
        };
        upsert_cursor(&mut tx.conn(), scope, channel, kept_cursor, now, idle, None).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Records that fetching a channel's inbox failed (the cursor stays where it was).
    pub async fn record_inbox_error(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        if !own_channel(&mut tx.conn(), scope, channel).await? {
            return Err(StoreError::NotFound);
        }
        let before = cursor_row(&mut tx.conn(), scope, channel).await?;
        upsert_cursor(
            &mut tx.conn(),
            scope,
            channel,
            before.as_ref().and_then(|b| b.cursor.clone()),
            now,
            before.as_ref().map_or(0, |b| b.idle_fetches),
            Some(bounded(error, MAX_ERROR_CHARS)),
        )
        .await?;
        tx.commit().await
    }

    /// Where a channel's ingestion stands; `None` before its first fetch.
    pub async fn inbox_cursor(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
    ) -> Result<Option<InboxCursor>, StoreError> {
        let mut conn = self.db.acquire().await?;
        cursor_row(&mut conn.conn(), scope, channel).await
    }

    /// The workspace's items matching `filter`, newest first. With a text filter the result
    /// is a superset of what the query matches (see the module's text). Fewer items than
    /// `filter.limit` means there are no more.
    pub async fn inbox_items(
        &self,
        scope: &WorkspaceScope,
        filter: &InboxFilter,
        now: i64,
    ) -> Result<Vec<Item>, StoreError> {
        let limit = filter.limit.clamp(1, MAX_PAGE);
        let mut conn = self.db.acquire().await?;
        let rows: Vec<ItemRow> = match (&filter.text, self.backend()) {
            (Some(text), Backend::Sqlite) => {
                fts5_page(&mut conn.conn(), scope, filter, text, limit, now).await?
            }
            (text, _) => {
                let mut select = filtered(scope, filter, now);
                if let Some(text) = text {
                    select.and_where(text.pg_condition());
                }
                if let Some(before) = filter.before {
                    select.and_where(Expr::col((I::Table, I::Id)).lt(before.0));
                }
                select.order_by((I::Table, I::Id), Order::Desc).limit(limit);
                conn.conn().fetch_all(&select).await?
            }
        };
        items_with_labels(&mut conn.conn(), scope, rows).await
    }

    /// Items of the workspace by id (those of another workspace are left out), newest first.
    pub async fn inbox_items_by_ids(
        &self,
        scope: &WorkspaceScope,
        ids: &[InboxItemId],
    ) -> Result<Vec<Item>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let raw: Vec<i64> = ids.iter().map(|i| i.0).collect();
        let mut conn = self.db.acquire().await?;
        items_by_ids(&mut conn.conn(), scope, &raw, Order::Desc).await
    }

    pub async fn inbox_item(
        &self,
        scope: &WorkspaceScope,
        id: InboxItemId,
    ) -> Result<Item, StoreError> {
        let mut conn = self.db.acquire().await?;
        load(&mut conn.conn(), scope, id).await
    }

    /// The conversation an item belongs to, oldest first (at most 200 items).
    pub async fn inbox_thread(
        &self,
        scope: &WorkspaceScope,
        item: &Item,
    ) -> Result<Vec<Item>, StoreError> {
        let mut conn = self.db.acquire().await?;
        let rows: Vec<ItemRow> = conn
            .conn()
            .fetch_all(
                &select_items(scope)
                    .and_where(Expr::col((I::Table, I::ThreadRef)).eq(item.thread_ref.as_str()))
                    .and_where(Expr::col((I::Table, I::ChannelId)).eq(item.channel.0))
                    .order_by((I::Table, I::CreatedAt), Order::Asc)
                    .order_by((I::Table, I::Id), Order::Asc)
                    .limit(MAX_THREAD)
                    .to_owned(),
            )
            .await?;
        items_with_labels(&mut conn.conn(), scope, rows).await
    }

    /// Changes the status, assignee or labels of items of the workspace, each change audited,
    /// and returns the items as they are now. All of `ids` must be the workspace's, or nothing
    /// changes.
    pub async fn update_inbox_items(
        &self,
        scope: &WorkspaceScope,
        ids: &[InboxItemId],
        change: &ItemChange,
        now: i64,
    ) -> Result<Vec<Item>, StoreError> {
        let mut tx = self.begin().await?;
        let unique = change_items(&mut tx, scope, ids, change, now).await?;
        let items = items_by_ids(&mut tx.conn(), scope, &unique, Order::Asc).await?;
        tx.commit().await?;
        Ok(items)
    }

    /// Several changes of [`Store::update_inbox_items`] in one transaction, in order, without
    /// reading the items back: what a fetch's moderation rules do to its items (one commit for
    /// all of them). A change that does not pass its checks (an assignee who left, an item of
    /// another workspace, too many labels) is undone alone (a savepoint each) and reported with
    /// its error, and the others apply; a database failure undoes them all. Returns, per
    /// change, how many items it changed.
    pub async fn triage_inbox_items(
        &self,
        scope: &WorkspaceScope,
        changes: &[(&[InboxItemId], ItemChange)],
        now: i64,
    ) -> Result<Vec<Result<usize, StoreError>>, StoreError> {
        let mut tx = self.begin().await?;
        let mut done = Vec::with_capacity(changes.len());
        for (ids, change) in changes {
            // Each change behind a savepoint: one refused after its first write (too many
            // labels on an item) is undone alone, and PostgreSQL's transaction stays usable.
            tx.conn().run_fixed("SAVEPOINT triage_change").await?;
            match change_items(&mut tx, scope, ids, change, now).await {
                Ok(unique) => {
                    tx.conn()
                        .run_fixed("RELEASE SAVEPOINT triage_change")
                        .await?;
                    done.push(Ok(unique.len()));
                }
                Err(
                    e @ (StoreError::Invalid(_) | StoreError::NotFound | StoreError::Forbidden),
                ) => {
                    tx.conn()
                        .run_fixed("ROLLBACK TO SAVEPOINT triage_change")
                        .await?;
                    tx.conn()
                        .run_fixed("RELEASE SAVEPOINT triage_change")
                        .await?;
                    done.push(Err(e));
                }
                Err(e) => return Err(e),
            }
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Adds an internal note to an item (never sent to the network).
    pub async fn add_inbox_note(
        &self,
        scope: &WorkspaceScope,
        item: InboxItemId,
        body: &str,
        now: i64,
    ) -> Result<Note, StoreError> {
        scope.require(Role::can_answer)?;
        let body = message(body, MAX_NOTE_CHARS, "body")?;
        let mut tx = self.begin().await?;
        load(&mut tx.conn(), scope, item).await?;
        let (id,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(InboxNotes::Table)
                    .columns([
                        InboxNotes::WorkspaceId,
                        InboxNotes::ItemId,
                        InboxNotes::AuthorId,
                        InboxNotes::Body,
                        InboxNotes::CreatedAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        item.0.into(),
                        scope.user().map(|u| u.0).into(),
                        body.clone().into(),
                        now.into(),
                    ])
                    .map_err(StoreError::failed("inbox note"))?
                    .returning_col(InboxNotes::Id)
                    .to_owned(),
            )
            .await?;
        tx.audit(scope, &audit_item("inbox.note", item).with("note", id))
            .await?;
        tx.commit().await?;
        Ok(Note {
            id: InboxNoteId(id),
            item_id: item,
            author_id: scope.user(),
            author_name: None,
            body,
            created_at: now,
        })
    }

    /// An item's notes, oldest first, with their authors' names.
    pub async fn inbox_notes(
        &self,
        scope: &WorkspaceScope,
        item: InboxItemId,
    ) -> Result<Vec<Note>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .expr_as(Expr::col((InboxNotes::Table, InboxNotes::Id)), "id")
                    .column((InboxNotes::Table, InboxNotes::ItemId))
                    .column((InboxNotes::Table, InboxNotes::AuthorId))
                    .expr_as(Expr::col((Users::Table, Users::Name)), "author_name")
                    .column((InboxNotes::Table, InboxNotes::Body))
                    .column((InboxNotes::Table, InboxNotes::CreatedAt))
                    .from(InboxNotes::Table)
                    .left_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((InboxNotes::Table, InboxNotes::AuthorId)),
                    )
                    .and_where(
                        Expr::col((InboxNotes::Table, InboxNotes::WorkspaceId))
                            .eq(scope.workspace().0),
                    )
                    .and_where(Expr::col((InboxNotes::Table, InboxNotes::ItemId)).eq(item.0))
                    .order_by((InboxNotes::Table, InboxNotes::Id), Order::Asc)
                    .to_owned(),
            )
            .await
    }

    /// Writes a reply to an item and queues the job that sends it through the item's channel,
    /// in one transaction. The reply's id is its idempotency key on the network.
    pub async fn create_inbox_reply(
        &self,
        scope: &WorkspaceScope,
        item: InboxItemId,
        text: &str,
        now: i64,
    ) -> Result<Reply, StoreError> {
        scope.require(Role::can_answer)?;
        let text = message(text, MAX_REPLY_CHARS, "text")?;
        let mut tx = self.begin().await?;
        let target = load(&mut tx.conn(), scope, item).await?;
        let (id,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(InboxReplies::Table)
                    .columns([
                        InboxReplies::WorkspaceId,
                        InboxReplies::ItemId,
                        InboxReplies::ChannelId,
                        InboxReplies::AuthorId,
                        InboxReplies::Text,
                        InboxReplies::State,
                        InboxReplies::CreatedAt,
                        InboxReplies::IdempotencyKey,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        item.0.into(),
                        target.channel.0.into(),
                        scope.user().map(|u| u.0).into(),
                        text.clone().into(),
                        "pending".into(),
                        now.into(),
                        crate::posts::idempotency_key().into(),
                    ])
                    .map_err(StoreError::failed("inbox reply"))?
                    .returning_col(InboxReplies::Id)
                    .to_owned(),
            )
            .await?;
        tx.enqueue(
            &JobNew {
                kind: REPLY_JOB,
                workspace: Some(scope.workspace()),
                payload: serde_json::json!({ "reply": id }),
                dedup_key: Some(format!("{REPLY_JOB}:{id}")),
                run_at: now,
            },
            OnDuplicate::Keep,
            now,
        )
        .await?;
        tx.audit(scope, &audit_item("inbox.reply", item).with("reply", id))
            .await?;
        let reply = load_reply(&mut tx.conn(), scope, InboxReplyId(id)).await?;
        tx.commit().await?;
        Ok(reply)
    }

    /// An item's replies written in tribune, oldest first.
    pub async fn inbox_replies(
        &self,
        scope: &WorkspaceScope,
        item: InboxItemId,
    ) -> Result<Vec<Reply>, StoreError> {
        self.db
            .fetch_all(
                &select_replies(scope)
                    .and_where(Expr::col(InboxReplies::ItemId).eq(item.0))
                    .order_by(InboxReplies::Id, Order::Asc)
                    .to_owned(),
            )
            .await
    }

    /// Starts (or resumes) sending a pending reply: records the attempt's start and returns
    /// what the job needs, with the start of an earlier attempt if there was one. `None` when
    /// the reply is no longer pending (sent or failed already).
    pub async fn begin_inbox_reply(
        &self,
        scope: &WorkspaceScope,
        reply: InboxReplyId,
        now: i64,
    ) -> Result<Option<ReplyAttempt>, StoreError> {
        let mut tx = self.begin().await?;
        let row = load_reply(&mut tx.conn(), scope, reply).await?;
        if row.state != "pending" {
            return Ok(None);
        }
        let item = load(&mut tx.conn(), scope, row.item_id).await?;
        let previous_attempt = row.attempt_started_at;
        if previous_attempt.is_none() {
            tx.conn()
                .execute(
                    &Query::update()
                        .table(InboxReplies::Table)
                        .value(InboxReplies::AttemptStartedAt, now)
                        .and_where(Expr::col(InboxReplies::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(InboxReplies::Id).eq(reply.0))
                        .to_owned(),
                )
                .await?;
        }
        tx.commit().await?;
        Ok(Some(ReplyAttempt {
            reply: row,
            // Anything but a known public kind is answered privately.
            private: !matches!(item.kind, ItemKind::Comment | ItemKind::Mention),
            to: item.remote_ref,
            previous_attempt,
        }))
    }

    /// Records how sending a reply ended. A sent reply marks its item answered: the first
    /// response time is kept, and the item is done.
    pub async fn finish_inbox_reply(
        &self,
        scope: &WorkspaceScope,
        reply: InboxReplyId,
        outcome: Result<(String, Option<String>), String>,
        now: i64,
    ) -> Result<Reply, StoreError> {
        let mut tx = self.begin().await?;
        let row = load_reply(&mut tx.conn(), scope, reply).await?;
        if row.state == "pending" {
            let mut update = Query::update();
            update
                .table(InboxReplies::Table)
                .and_where(Expr::col(InboxReplies::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(InboxReplies::Id).eq(reply.0));
            match &outcome {
                Ok((remote_ref, url)) => {
                    update.values([
                        (InboxReplies::State, "sent".into()),
                        (
                            InboxReplies::RemoteRef,
                            bounded_bytes(remote_ref, MAX_REF_BYTES).into(),
                        ),
                        (InboxReplies::Url, bounded_url(url.as_deref()).into()),
                        (InboxReplies::SentAt, now.into()),
                    ]);
                }
                Err(error) => {
                    update.values([
                        (InboxReplies::State, "failed".into()),
                        (InboxReplies::Error, bounded(error, MAX_ERROR_CHARS).into()),
                    ]);
                }
            }
            tx.conn().execute(&update.to_owned()).await?;
            if outcome.is_ok() {
                tx.conn()
                    .execute(
                        &Query::update()
                            .table(I::Table)
                            .value(I::FirstResponseAt, now)
                            .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                            .and_where(Expr::col(I::Id).eq(row.item_id.0))
                            .and_where(Expr::col(I::FirstResponseAt).is_null())
                            .to_owned(),
                    )
                    .await?;
                tx.conn()
                    .execute(
                        &Query::update()
                            .table(I::Table)
                            .value(I::Status, ItemStatus::Done.as_str())
                            .value(I::SnoozedUntil, Option::<i64>::None)
                            .value(I::DoneAt, now)
                            .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                            .and_where(Expr::col(I::Id).eq(row.item_id.0))
                            .to_owned(),
                    )
                    .await?;
            }
            let event = audit_item(
                if outcome.is_ok() {
                    "inbox.reply_sent"
                } else {
                    "inbox.reply_failed"
                },
                row.item_id,
            )
            .with("reply", reply.0);
            tx.audit(scope, &event).await?;
        }
        let reply = load_reply(&mut tx.conn(), scope, reply).await?;
        tx.commit().await?;
        Ok(reply)
    }

    /// Records a moderation action done on the network (hide, delete…): the item's state there
    /// and an audit event naming who (or which rule) and why.
    pub async fn record_inbox_moderation(
        &self,
        scope: &WorkspaceScope,
        item: InboxItemId,
        action: &str,
        network_status: &str,
        reason: Option<&str>,
    ) -> Result<Item, StoreError> {
        let mut tx = self.begin().await?;
        load(&mut tx.conn(), scope, item).await?;
        tx.conn()
            .execute(
                &Query::update()
                    .table(I::Table)
                    .value(I::NetworkStatus, network_status)
                    .and_where(Expr::col(I::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(I::Id).eq(item.0))
                    .to_owned(),
            )
            .await?;
        let mut event = audit_item("inbox.moderate", item)
            .with("action", action)
            .with("network_status", network_status);
        if let Some(reason) = reason {
            event = event.with("reason", bounded(reason, MAX_ERROR_CHARS));
        }
        tx.audit(scope, &event).await?;
        let item = load(&mut tx.conn(), scope, item).await?;
        tx.commit().await?;
        Ok(item)
    }

    /// Active channels of every workspace, for the ingestion scheduler: (workspace, channel,
    /// capabilities), after `after` by channel id, at most `limit`.
    pub async fn inbox_channels(
        &self,
        after: ChannelId,
        limit: u64,
    ) -> Result<Vec<(WorkspaceId, ChannelId, String)>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns([Channels::WorkspaceId, Channels::Id, Channels::Capabilities])
                    .from(Channels::Table)
                    .and_where(Expr::col(Channels::State).eq("active"))
                    .and_where(Expr::col(Channels::Id).gt(after.0))
                    .order_by(Channels::Id, Order::Asc)
                    .limit(limit)
                    .to_owned(),
            )
            .await
    }
}

fn select_replies(scope: &WorkspaceScope) -> SelectStatement {
    Query::select()
        .columns([
            InboxReplies::Id,
            InboxReplies::ItemId,
            InboxReplies::ChannelId,
            InboxReplies::AuthorId,
            InboxReplies::Text,
            InboxReplies::State,
            InboxReplies::AttemptStartedAt,
            InboxReplies::RemoteRef,
            InboxReplies::Url,
            InboxReplies::Error,
            InboxReplies::CreatedAt,
            InboxReplies::SentAt,
            InboxReplies::IdempotencyKey,
        ])
        .from(InboxReplies::Table)
        .and_where(Expr::col(InboxReplies::WorkspaceId).eq(scope.workspace().0))
        .to_owned()
}

async fn load_reply(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    id: InboxReplyId,
) -> Result<Reply, StoreError> {
    conn.fetch_one(
        &select_replies(scope)
            .and_where(Expr::col(InboxReplies::Id).eq(id.0))
            .to_owned(),
    )
    .await
}

async fn cursor_row(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    channel: ChannelId,
) -> Result<Option<InboxCursor>, StoreError> {
    conn.fetch_optional(
        &Query::select()
            .columns([
                InboxCursors::Cursor,
                InboxCursors::FetchedAt,
                InboxCursors::IdleFetches,
                InboxCursors::LastError,
            ])
            .from(InboxCursors::Table)
            .and_where(Expr::col(InboxCursors::WorkspaceId).eq(scope.workspace().0))
            .and_where(Expr::col(InboxCursors::ChannelId).eq(channel.0))
            .to_owned(),
    )
    .await
}

async fn upsert_cursor(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    channel: ChannelId,
    cursor: Option<String>,
    now: i64,
    idle_fetches: i64,
    error: Option<String>,
) -> Result<(), StoreError> {
    conn.execute(
        &Query::insert()
            .into_table(InboxCursors::Table)
            .columns([
                InboxCursors::ChannelId,
                InboxCursors::WorkspaceId,
                InboxCursors::Cursor,
                InboxCursors::FetchedAt,
                InboxCursors::IdleFetches,
                InboxCursors::LastError,
            ])
            .values([
                channel.0.into(),
                scope.workspace().0.into(),
                cursor.into(),
                now.into(),
                idle_fetches.into(),
                error.into(),
            ])
            .map_err(StoreError::failed("inbox cursor"))?
            .on_conflict(
                OnConflict::column(InboxCursors::ChannelId)
                    .update_columns([
                        InboxCursors::Cursor,
                        InboxCursors::FetchedAt,
                        InboxCursors::IdleFetches,
                        InboxCursors::LastError,
                    ])
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Replaces, or adds to and removes from, one item's labels.
/// Sets the labels of `items` (replaced, plus `add`, minus `remove`) in three statements
/// whatever their number: read them all, delete those of the items that change, insert theirs.
async fn set_labels(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    items: &[i64],
    replace: Option<&[String]>,
    add: &[String],
    remove: &[String],
) -> Result<(), StoreError> {
    let current: Vec<(i64, String)> = conn
        .fetch_all(
            &Query::select()
                .columns([Labels::ItemId, Labels::Label])
                .from(Labels::Table)
                .and_where(Expr::col(Labels::WorkspaceId).eq(scope.workspace().0))
                .and_where(in_list(Labels::ItemId, items))
                .to_owned(),
        )
        .await?;
    let mut before: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for (item, label) in current {
        before.entry(item).or_default().push(label);
    }
    let mut changed = Vec::new();
    let mut rows: Vec<(i64, String)> = Vec::new();
    for &item in items {
        let had = before.remove(&item).unwrap_or_default();
        let mut labels: Vec<String> = match replace {
            Some(r) => r.to_vec(),
            None => had.clone(),
        };
        for label in add {
            if !labels.contains(label) {
                labels.push(label.clone());
            }
        }
        labels.retain(|l| !remove.contains(l));
        if labels.len() > tribune_domain::inbox::MAX_LABELS {
            return Err(ValidationError::single("labels", "error-inbox-labels-many").into());
        }
        if labels != had {
            changed.push(item);
            rows.extend(labels.into_iter().map(|label| (item, label)));
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    conn.execute(
        &Query::delete()
            .from_table(Labels::Table)
            .and_where(Expr::col(Labels::WorkspaceId).eq(scope.workspace().0))
            .and_where(in_list(Labels::ItemId, &changed))
            .to_owned(),
    )
    .await?;
    // Well under either database's limit of bound values per statement.
    for chunk in rows.chunks(1_000) {
        let mut insert = Query::insert();
        insert.into_table(Labels::Table).columns([
            Labels::WorkspaceId,
            Labels::ItemId,
            Labels::Label,
        ]);
        for (item, label) in chunk {
            insert
                .values([
                    scope.workspace().0.into(),
                    (*item).into(),
                    label.clone().into(),
                ])
                .map_err(StoreError::failed("inbox label"))?;
        }
        conn.execute(&insert).await?;
    }
    Ok(())
}
