//! The posting queue: weekly slots per channel (on the workspace's wall clock), "add to queue"
//! (a post takes its channel's next free slot), content categories with evergreen recycling,
//! and the engagement of published targets that "best time to post" learns from.
//!
//! Filling a slot is serialised per channel: the transaction takes the channel's queue lock
//! (`queue:<channel>`, an advisory lock on PostgreSQL; SQLite's write lock, taken when the
//! transaction opens, already serialises writers), reads the instants already taken and
//! inserts the post before letting go, so two concurrent "add to queue" never get the same slot.

use crate::audit::AuditEvent;
use crate::db::Conn;
use crate::posts::{
    Checked, Post, PostNew, check_category_belongs, check_channels_belong, check_new, insert_post,
    load_post, submit_or_schedule, workspace_rules,
};
use crate::schema::{
    Categories, Channels, PostMetrics, PostTargets, Posts, QueueSlots, Workspaces,
};
use crate::{Store, StoreError, Transaction, WorkspaceScope};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use tribune_domain::best_time::Observation;
use tribune_domain::publishing::TargetStatus;
use tribune_domain::queue::{self, WeeklySlot};
use tribune_domain::validation::required_line;
use tribune_domain::{
    CategoryId, ChannelId, PostId, PostTargetId, QueueSlotId, Role, ValidationError,
};

/// A queued post never takes a slot closer than this (the author is still looking at it).
pub const QUEUE_MIN_LEAD_SECS: i64 = 60;
/// How far ahead recycling fills a category's empty slots.
pub const RECYCLE_HORIZON_DAYS: i32 = 7;
/// Categories one workspace may have.
pub const MAX_CATEGORIES: usize = 50;
pub const MAX_CATEGORY_NAME_CHARS: usize = 60;
/// The longest wait between two recyclings of a post that can be asked for (ten years).
pub const MAX_RECYCLE_AFTER_DAYS: i64 = 3650;

/// Statuses in which a post holds its instant on a channel.
const HOLDING: [TargetStatus; 3] = [
    TargetStatus::Scheduled,
    TargetStatus::PendingApproval,
    TargetStatus::Publishing,
];

/// A weekly slot of a channel.
#[derive(Debug, Clone, Serialize)]
pub struct QueueSlot {
    pub id: QueueSlotId,
    pub channel_id: ChannelId,
    /// ISO day: 1 Monday … 7 Sunday.
    pub weekday: i8,
    /// `HH:MM` on the workspace's wall clock.
    pub local_time: String,
    pub category: Option<CategoryId>,
}

impl QueueSlot {
    /// The slot as the domain reads it; `None` for a row that does not parse (never written so).
    pub fn weekly(&self) -> Option<WeeklySlot> {
        queue::validate_slot(&self.weekday.to_string(), &self.local_time, self.category).ok()
    }
}

#[derive(sqlx::FromRow)]
struct SlotRow {
    id: i64,
    channel_id: i64,
    weekday: i32,
    local_time: String,
    category_id: Option<i64>,
}

impl From<SlotRow> for QueueSlot {
    fn from(row: SlotRow) -> Self {
        QueueSlot {
            id: QueueSlotId(row.id),
            channel_id: ChannelId(row.channel_id),
            weekday: i8::try_from(row.weekday).unwrap_or(0),
            local_time: row.local_time,
            category: row.category_id.map(CategoryId),
        }
    }
}

const SLOT_COLUMNS: [QueueSlots; 5] = [
    QueueSlots::Id,
    QueueSlots::ChannelId,
    QueueSlots::Weekday,
    QueueSlots::LocalTime,
    QueueSlots::CategoryId,
];

/// A content category of the workspace.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    pub evergreen: bool,
    /// Whether the queue refills this category's empty slots from its published posts.
    pub recycle: bool,
    pub recycle_after_days: i32,
    pub created_at: i64,
}

const CATEGORY_COLUMNS: [Categories; 7] = [
    Categories::Id,
    Categories::Name,
    Categories::Colour,
    Categories::Evergreen,
    Categories::Recycle,
    Categories::RecycleAfterDays,
    Categories::CreatedAt,
];

/// A category as typed in a form or sent to the API.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    pub name: String,
    pub colour: String,
    pub evergreen: bool,
    pub recycle: bool,
    pub recycle_after_days: i64,
}

impl CategoryInput {
    fn validate(&self) -> Result<(String, String, i32), ValidationError> {
        let mut errors = ValidationError::default();
        let name = required_line(&mut errors, "name", &self.name, MAX_CATEGORY_NAME_CHARS);
        let colour = self.colour.trim().to_ascii_lowercase();
        let colour_ok = colour.len() == 7
            && colour.starts_with('#')
            && colour[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if !colour_ok {
            errors.push("colour", "error-category-colour-invalid");
        }
        if !(1..=MAX_RECYCLE_AFTER_DAYS).contains(&self.recycle_after_days) {
            errors.push("recycle_after_days", "error-category-days-invalid");
        }
        if self.recycle && !self.evergreen {
            errors.push("recycle", "error-category-recycle-needs-evergreen");
        }
        errors.into_result()?;
        Ok((
            name,
            colour,
            i32::try_from(self.recycle_after_days).unwrap_or(90),
        ))
    }
}

/// Engagement of one published target, as collected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    pub likes: u64,
    pub replies: u64,
    pub reposts: u64,
    pub clicks: u64,
}

impl Metrics {
    fn total(self) -> u64 {
        self.likes
            .saturating_add(self.replies)
            .saturating_add(self.reposts)
            .saturating_add(self.clicks)
    }
}

/// One upcoming occurrence of a channel's slots, and the post holding it if any.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub at: i64,
    pub weekday: i8,
    pub local_time: String,
    pub category: Option<CategoryId>,
    pub post: Option<Post>,
}

/// What one recycling run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecycleReport {
    /// New posts copied from published evergreen ones.
    pub created: usize,
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The workspace's time zone (Europe/Paris if the stored name is unknown).
async fn workspace_zone(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
) -> Result<TimeZone, StoreError> {
    let (name,): (String,) = conn
        .fetch_one(
            &Query::select()
                .column(Workspaces::Timezone)
                .from(Workspaces::Table)
                .and_where(Expr::col(Workspaces::Id).eq(scope.workspace().0))
                .to_owned(),
        )
        .await?;
    Ok(jiff::tz::db()
        .get(&name)
        .or_else(|_| jiff::tz::db().get(tribune_domain::timezone::DEFAULT))
        .unwrap_or(TimeZone::UTC))
}

/// Refuses a channel that is not the workspace's own (a 404, as for any other id).
async fn check_channel(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    channel: ChannelId,
) -> Result<(), StoreError> {
    let found: Option<(i64,)> = conn
        .fetch_optional(
            &Query::select()
                .column(Channels::Id)
                .from(Channels::Table)
                .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(Channels::Id).eq(channel.0))
                .to_owned(),
        )
        .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

async fn load_slots(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    channel: ChannelId,
) -> Result<Vec<QueueSlot>, StoreError> {
    let rows: Vec<SlotRow> = conn
        .fetch_all(
            &Query::select()
                .columns(SLOT_COLUMNS)
                .from(QueueSlots::Table)
                .and_where(Expr::col(QueueSlots::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(QueueSlots::ChannelId).eq(channel.0))
                .order_by(QueueSlots::Weekday, Order::Asc)
                .order_by(QueueSlots::LocalTime, Order::Asc)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The slots a post of `category` may take: its category's and the open ones for a
/// categorised post, the open ones only for a post without a category.
fn usable(slots: &[QueueSlot], category: Option<CategoryId>) -> Vec<WeeklySlot> {
    slots
        .iter()
        .filter(|s| s.category.is_none() || (category.is_some() && s.category == category))
        .filter_map(QueueSlot::weekly)
        .collect()
}

/// Instants at which a post already holds the channel (scheduled, waiting for approval or
/// going out), from `from` on.
async fn taken_instants(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    channel: ChannelId,
    from: i64,
) -> Result<BTreeSet<Timestamp>, StoreError> {
    let rows: Vec<(Option<i64>,)> = conn
        .fetch_all(
            &Query::select()
                .column((Posts::Table, Posts::ScheduledAt))
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
                .and_where(Expr::col((Posts::Table, Posts::WorkspaceId)).eq(scope.workspace().0))
                .and_where(Expr::col((PostTargets::Table, PostTargets::ChannelId)).eq(channel.0))
                .and_where(
                    Expr::col((PostTargets::Table, PostTargets::Status))
                        .is_in(HOLDING.iter().map(|s| s.as_str())),
                )
                .and_where(Expr::col((Posts::Table, Posts::ScheduledAt)).gte(from))
                .to_owned(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(at,)| at.and_then(|at| Timestamp::from_second(at).ok()))
        .collect())
}

impl Store {
    /// The channel's weekly slots, by day and time.
    pub async fn queue_slots(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
    ) -> Result<Vec<QueueSlot>, StoreError> {
        let mut conn = self.db.acquire().await?;
        check_channel(&mut conn.conn(), scope, channel).await?;
        load_slots(&mut conn.conn(), scope, channel).await
    }

    /// Adds a weekly slot to a channel's queue.
    pub async fn add_queue_slot(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        slot: WeeklySlot,
    ) -> Result<QueueSlot, StoreError> {
        self.add_queue_slots(scope, channel, &[slot])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Internal("slot vanished".into()))
    }

    /// Adds several slots at once ("suggest slots"): all or none. A slot the channel already
    /// has is refused, as is going over [`queue::MAX_SLOTS_PER_CHANNEL`].
    pub async fn add_queue_slots(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        slots: &[WeeklySlot],
    ) -> Result<Vec<QueueSlot>, StoreError> {
        scope.require(Role::can_publish)?;
        let mut tx = self.begin().await?;
        tx.tx_mut()
            .lock_key(&format!("queue:{}", channel.0))
            .await?;
        check_channel(&mut tx.conn(), scope, channel).await?;
        let existing = load_slots(&mut tx.conn(), scope, channel).await?;
        let mut seen: BTreeSet<(i8, String)> = existing
            .iter()
            .map(|s| (s.weekday, s.local_time.clone()))
            .collect();
        for slot in slots {
            if !seen.insert((slot.weekday_number(), slot.time_text())) {
                return Err(ValidationError::single("time", "error-queue-slot-taken").into());
            }
            check_category_belongs(&mut tx.conn(), scope, slot.category).await?;
        }
        if seen.len() > queue::MAX_SLOTS_PER_CHANNEL {
            return Err(ValidationError::single("time", "error-queue-too-many-slots").into());
        }
        let now = crate::unix_now();
        let mut ids = Vec::new();
        for slot in slots {
            let (id,): (i64,) = tx
                .conn()
                .fetch_one(
                    &Query::insert()
                        .into_table(QueueSlots::Table)
                        .columns([
                            QueueSlots::WorkspaceId,
                            QueueSlots::ChannelId,
                            QueueSlots::Weekday,
                            QueueSlots::LocalTime,
                            QueueSlots::CategoryId,
                            QueueSlots::CreatedAt,
                        ])
                        .values([
                            scope.workspace().0.into(),
                            channel.0.into(),
                            i32::from(slot.weekday_number()).into(),
                            slot.time_text().into(),
                            slot.category.map(|c| c.0).into(),
                            now.into(),
                        ])?
                        .returning(Query::returning().column(QueueSlots::Id))
                        .to_owned(),
                )
                .await?;
            tx.audit(
                scope,
                &AuditEvent::new("queue.slot_added", "channel", channel.0)
                    .with("weekday", i64::from(slot.weekday_number()))
                    .with("time", slot.time_text()),
            )
            .await?;
            ids.push(id);
        }
        let all = load_slots(&mut tx.conn(), scope, channel).await?;
        tx.commit().await?;
        Ok(all.into_iter().filter(|s| ids.contains(&s.id.0)).collect())
    }

    /// Removes a slot; posts already queued in it keep their time.
    pub async fn delete_queue_slot(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        id: QueueSlotId,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_publish)?;
        let mut tx = self.begin().await?;
        let deleted = tx
            .conn()
            .execute(
                &Query::delete()
                    .from_table(QueueSlots::Table)
                    .and_where(Expr::col(QueueSlots::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(QueueSlots::ChannelId).eq(channel.0))
                    .and_where(Expr::col(QueueSlots::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if deleted != 1 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            scope,
            &AuditEvent::new("queue.slot_removed", "channel", channel.0).with("slot", id.0),
        )
        .await?;
        tx.commit().await
    }

    /// "Add to queue": like [`Store::create_post`] with [`crate::posts::Intent::Schedule`],
    /// but each channel gets its own post at its own next free slot (as Buffer does: every
    /// channel's queue stays full, and a channel with sparse slots does not hold back the
    /// others). All the posts are created, or none. A channel without a usable slot is refused
    /// with `error-queue-no-slots`.
    pub async fn queue_post(
        &self,
        scope: &WorkspaceScope,
        new: PostNew,
        now: i64,
    ) -> Result<Vec<Post>, StoreError> {
        scope.require(Role::can_write_posts)?;
        if new.scheduled_at.is_some() {
            return Err(ValidationError::single("scheduled_at", "error-queue-and-time").into());
        }
        let checked = check_new(&new, now)?;
        let mut tx = self.begin().await?;
        check_channels_belong(&mut tx.conn(), scope, &checked.targets).await?;
        check_category_belongs(&mut tx.conn(), scope, checked.category).await?;
        let (policy, _, _) = workspace_rules(&mut tx.conn(), scope).await?;
        let tz = workspace_zone(&mut tx.conn(), scope).await?;
        // Locks in id order, so two requests on overlapping channels cannot deadlock.
        let mut channels: Vec<ChannelId> = checked.targets.iter().map(|(c, _)| *c).collect();
        channels.sort_unstable();
        for channel in &channels {
            tx.tx_mut()
                .lock_key(&format!("queue:{}", channel.0))
                .await?;
        }
        let after = Timestamp::from_second(now + QUEUE_MIN_LEAD_SECS)
            .map_err(StoreError::failed("the queue's first usable instant"))?;
        let mut posts = Vec::new();
        for (channel, variant) in &checked.targets {
            let slots = load_slots(&mut tx.conn(), scope, *channel).await?;
            let slots = usable(&slots, checked.category);
            if slots.is_empty() {
                return Err(ValidationError::single("channels", "error-queue-no-slots").into());
            }
            let taken = taken_instants(&mut tx.conn(), scope, *channel, now).await?;
            let Some(at) = queue::next_free_slots(&slots, &tz, after, &taken, 1)
                .first()
                .copied()
            else {
                return Err(ValidationError::single("channels", "error-queue-full").into());
            };
            let one = Checked {
                title: checked.title.clone(),
                text: checked.text.clone(),
                link: checked.link.clone(),
                targets: vec![(*channel, variant.clone())],
                media: checked.media.clone(),
                category: checked.category,
                recycled_from: None,
            };
            let id = insert_post(&mut tx, scope, &one, Some(at.as_second()), now).await?;
            let post = load_post(&mut tx.conn(), scope, id).await?;
            submit_or_schedule(&mut tx, scope, &post, policy, now).await?;
            tx.audit(
                scope,
                &AuditEvent::new("post.queued", "post", id.0)
                    .with("channel", channel.0)
                    .with("at", at.as_second()),
            )
            .await?;
            posts.push(load_post(&mut tx.conn(), scope, id).await?);
        }
        tx.commit().await?;
        Ok(posts)
    }

    /// "Shuffle the queue": the posts waiting in the channel's upcoming slots are dealt again
    /// over the same instants in random order, in one transaction under the channel's queue
    /// lock. See [`Store::shuffle_queue_with`] for which posts move.
    pub async fn shuffle_queue(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        now: i64,
    ) -> Result<usize, StoreError> {
        self.shuffle_queue_with(scope, channel, now, &mut queue::random_order::<PostId>)
            .await
    }

    /// [`Store::shuffle_queue`] with the order chosen by `permute` (tests pass a fixed one).
    ///
    /// A post moves when it is queued on this channel alone (a post for several channels is
    /// on other queues too), is scheduled or waiting for approval, sits exactly on one of the
    /// channel's slot occurrences (a post at a time of its own is pinned there), and is more
    /// than [`QUEUE_MIN_LEAD_SECS`] away. Posts are dealt within their group of slots (open, or
    /// reserved for one category: `tribune_domain::queue::deal_seats`). Approval is not asked
    /// again (the content did not change); a scheduled post's publish job moves with it. Each
    /// moved post gets a `rescheduled` history line, and the shuffle one audit event. Returns
    /// how many posts moved.
    pub async fn shuffle_queue_with(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        now: i64,
        permute: &mut (dyn FnMut(&mut [PostId]) + Send),
    ) -> Result<usize, StoreError> {
        scope.require(Role::can_publish)?;
        let mut tx = self.begin().await?;
        check_channel(&mut tx.conn(), scope, channel).await?;
        tx.tx_mut()
            .lock_key(&format!("queue:{}", channel.0))
            .await?;
        let slots = load_slots(&mut tx.conn(), scope, channel).await?;
        let tz = workspace_zone(&mut tx.conn(), scope).await?;
        let from = now + QUEUE_MIN_LEAD_SECS;

        #[derive(sqlx::FromRow)]
        struct Waiting {
            post_id: i64,
            target_id: i64,
            status: String,
            scheduled_at: i64,
        }
        let waiting: Vec<Waiting> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .column((PostTargets::Table, PostTargets::PostId))
                    .expr_as(
                        Expr::col((PostTargets::Table, PostTargets::Id)),
                        "target_id",
                    )
                    .column((PostTargets::Table, PostTargets::Status))
                    .column((Posts::Table, Posts::ScheduledAt))
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
                    .and_where(
                        Expr::col((Posts::Table, Posts::WorkspaceId)).eq(scope.workspace().0),
                    )
                    .and_where(
                        Expr::col((PostTargets::Table, PostTargets::ChannelId)).eq(channel.0),
                    )
                    .and_where(Expr::col((PostTargets::Table, PostTargets::Status)).is_in([
                        TargetStatus::Scheduled.as_str(),
                        TargetStatus::PendingApproval.as_str(),
                    ]))
                    .and_where(Expr::col((Posts::Table, Posts::ScheduledAt)).gt(from))
                    .order_by((Posts::Table, Posts::ScheduledAt), Order::Asc)
                    .limit(crate::posts::MAX_LISTED)
                    .to_owned(),
            )
            .await?;
        // Posts with a target on another channel stay where they are.
        let ids: Vec<i64> = waiting.iter().map(|w| w.post_id).collect();
        let shared: BTreeSet<i64> = if ids.is_empty() {
            BTreeSet::new()
        } else {
            let rows: Vec<(i64,)> = tx
                .conn()
                .fetch_all(
                    &Query::select()
                        .column(PostTargets::PostId)
                        .from(PostTargets::Table)
                        .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(PostTargets::PostId).is_in(ids.iter().copied()))
                        .and_where(Expr::col(PostTargets::ChannelId).ne(channel.0))
                        .to_owned(),
                )
                .await?;
            rows.into_iter().map(|(id,)| id).collect()
        };
        let waiting: Vec<Waiting> = waiting
            .into_iter()
            .filter(|w| !shared.contains(&w.post_id))
            .collect();
        let Some(last) = waiting.last().map(|w| w.scheduled_at) else {
            return Ok(0);
        };
        // The slots' occurrences up to the last waiting post: a post on one of them is queued.
        let weekly: Vec<WeeklySlot> = slots.iter().filter_map(QueueSlot::weekly).collect();
        let after =
            Timestamp::from_second(from).map_err(|e| StoreError::Internal(e.to_string()))?;
        let days = i32::try_from((last - from) / 86_400 + 2).unwrap_or(i32::MAX);
        let occurrences: BTreeMap<i64, Option<CategoryId>> =
            queue::occurrences(&weekly, &tz, after, days, usize::MAX, |o| {
                o.at.as_second() <= last
            })
            .into_iter()
            .map(|o| (o.at.as_second(), o.slot.category))
            .collect();
        let mut seats = Vec::new();
        let mut seen = BTreeSet::new();
        for w in &waiting {
            if let Some(category) = occurrences.get(&w.scheduled_at)
                && seen.insert(w.scheduled_at)
            {
                seats.push(queue::Seat {
                    post: PostId(w.post_id),
                    at: w.scheduled_at,
                    slot_category: *category,
                });
            }
        }
        let moves = queue::deal_seats(&seats, permute);
        for (post, _, to) in &moves {
            tx.conn()
                .execute(
                    &Query::update()
                        .table(Posts::Table)
                        .values([
                            (Posts::ScheduledAt, (*to).into()),
                            (Posts::UpdatedAt, now.into()),
                        ])
                        .and_where(Expr::col(Posts::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(Posts::Id).eq(post.0))
                        .to_owned(),
                )
                .await?;
            for w in waiting.iter().filter(|w| w.post_id == post.0) {
                if w.status == TargetStatus::Scheduled.as_str() {
                    tx.enqueue(
                        &crate::posts::publish_job(scope, PostTargetId(w.target_id), *to),
                        crate::jobs::OnDuplicate::Replace,
                        now,
                    )
                    .await?;
                }
            }
            tx.post_event(scope, *post, None, "rescheduled", "", now)
                .await?;
        }
        if !moves.is_empty() {
            tx.audit(
                scope,
                &AuditEvent::new("queue.shuffled", "channel", channel.0).with("moved", moves.len()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(moves.len())
    }

    /// The channel's next `count` slot occurrences (within eight weeks), each with the post
    /// holding it, if any.
    pub async fn upcoming_queue(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
        now: i64,
        count: usize,
    ) -> Result<Vec<QueueEntry>, StoreError> {
        let mut conn = self.db.acquire().await?;
        check_channel(&mut conn.conn(), scope, channel).await?;
        let slots = load_slots(&mut conn.conn(), scope, channel).await?;
        let tz = workspace_zone(&mut conn.conn(), scope).await?;
        drop(conn);
        let weekly: Vec<WeeklySlot> = slots.iter().filter_map(QueueSlot::weekly).collect();
        let after =
            Timestamp::from_second(now).map_err(StoreError::failed("the queue's next slots"))?;
        let occurrences = queue::occurrences(&weekly, &tz, after, 56, count, |_| true);
        let (Some(first), Some(last)) = (occurrences.first(), occurrences.last()) else {
            return Ok(Vec::new());
        };
        let posts = self
            .posts(
                scope,
                &crate::posts::PostFilter {
                    from: Some(first.at.as_second()),
                    to: Some(last.at.as_second() + 1),
                    channel: Some(channel),
                    by_schedule: true,
                    limit: crate::posts::MAX_LISTED,
                    ..Default::default()
                },
            )
            .await?;
        let mut by_time: BTreeMap<i64, Post> = BTreeMap::new();
        for post in posts {
            let holds = post
                .targets
                .iter()
                .any(|t| t.channel_id == channel && HOLDING.contains(&t.status))
                || post
                    .targets
                    .iter()
                    .any(|t| t.channel_id == channel && t.status == TargetStatus::Published);
            if let (true, Some(at)) = (holds, post.scheduled_at) {
                by_time.entry(at).or_insert(post);
            }
        }
        Ok(occurrences
            .into_iter()
            .map(|o| QueueEntry {
                at: o.at.as_second(),
                weekday: o.slot.weekday_number(),
                local_time: o.slot.time_text(),
                category: o.slot.category,
                post: by_time.remove(&o.at.as_second()),
            })
            .collect())
    }

    /// The workspace's categories, by name.
    pub async fn categories(&self, scope: &WorkspaceScope) -> Result<Vec<Category>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns(CATEGORY_COLUMNS)
                    .from(Categories::Table)
                    .and_where(Expr::col(Categories::WorkspaceId).eq(scope.workspace().0))
                    .order_by(Categories::Name, Order::Asc)
                    .to_owned(),
            )
            .await
    }

    async fn name_taken(
        tx: &mut Transaction,
        scope: &WorkspaceScope,
        name: &str,
        except: Option<CategoryId>,
    ) -> Result<bool, StoreError> {
        let mut select = Query::select();
        select
            .column(Categories::Id)
            .from(Categories::Table)
            .and_where(Expr::col(Categories::WorkspaceId).eq(scope.workspace().0))
            .and_where(Expr::col(Categories::Name).eq(name));
        if let Some(except) = except {
            select.and_where(Expr::col(Categories::Id).ne(except.0));
        }
        let found: Option<(i64,)> = tx.conn().fetch_optional(&select.to_owned()).await?;
        Ok(found.is_some())
    }

    pub async fn create_category(
        &self,
        scope: &WorkspaceScope,
        input: &CategoryInput,
        now: i64,
    ) -> Result<Category, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let (name, colour, days) = input.validate()?;
        let mut tx = self.begin().await?;
        tx.tx_mut()
            .lock_key(&format!("categories:{}", scope.workspace().0))
            .await?;
        if Self::name_taken(&mut tx, scope, &name, None).await? {
            return Err(ValidationError::single("name", "error-category-name-taken").into());
        }
        let (count,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(Categories::Id).count())
                    .from(Categories::Table)
                    .and_where(Expr::col(Categories::WorkspaceId).eq(scope.workspace().0))
                    .to_owned(),
            )
            .await?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_CATEGORIES {
            return Err(ValidationError::single("name", "error-too-many").into());
        }
        let (id,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(Categories::Table)
                    .columns([
                        Categories::WorkspaceId,
                        Categories::Name,
                        Categories::Colour,
                        Categories::Evergreen,
                        Categories::Recycle,
                        Categories::RecycleAfterDays,
                        Categories::CreatedAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        name.clone().into(),
                        colour.into(),
                        input.evergreen.into(),
                        input.recycle.into(),
                        days.into(),
                        now.into(),
                    ])?
                    .returning(Query::returning().column(Categories::Id))
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new("category.created", "category", id).with("name", name),
        )
        .await?;
        let category = self.category_in(&mut tx, scope, CategoryId(id)).await?;
        tx.commit().await?;
        Ok(category)
    }

    async fn category_in(
        &self,
        tx: &mut Transaction,
        scope: &WorkspaceScope,
        id: CategoryId,
    ) -> Result<Category, StoreError> {
        tx.conn()
            .fetch_one(
                &Query::select()
                    .columns(CATEGORY_COLUMNS)
                    .from(Categories::Table)
                    .and_where(Expr::col(Categories::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Categories::Id).eq(id.0))
                    .to_owned(),
            )
            .await
    }

    pub async fn update_category(
        &self,
        scope: &WorkspaceScope,
        id: CategoryId,
        input: &CategoryInput,
    ) -> Result<Category, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let (name, colour, days) = input.validate()?;
        let mut tx = self.begin().await?;
        tx.tx_mut()
            .lock_key(&format!("categories:{}", scope.workspace().0))
            .await?;
        self.category_in(&mut tx, scope, id).await?;
        if Self::name_taken(&mut tx, scope, &name, Some(id)).await? {
            return Err(ValidationError::single("name", "error-category-name-taken").into());
        }
        tx.conn()
            .execute(
                &Query::update()
                    .table(Categories::Table)
                    .values([
                        (Categories::Name, name.into()),
                        (Categories::Colour, colour.into()),
                        (Categories::Evergreen, input.evergreen.into()),
                        (Categories::Recycle, input.recycle.into()),
                        (Categories::RecycleAfterDays, days.into()),
                    ])
                    .and_where(Expr::col(Categories::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Categories::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        tx.audit(
            scope,
            &AuditEvent::new("category.updated", "category", id.0).with("recycle", input.recycle),
        )
        .await?;
        let category = self.category_in(&mut tx, scope, id).await?;
        tx.commit().await?;
        Ok(category)
    }

    /// Deletes a category; its posts and slots keep going, without a category.
    pub async fn delete_category(
        &self,
        scope: &WorkspaceScope,
        id: CategoryId,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let mut tx = self.begin().await?;
        let deleted = tx
            .conn()
            .execute(
                &Query::delete()
                    .from_table(Categories::Table)
                    .and_where(Expr::col(Categories::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Categories::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if deleted != 1 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            scope,
            &AuditEvent::new("category.deleted", "category", id.0),
        )
        .await?;
        tx.commit().await
    }

    /// Records (or replaces) the engagement a published target got. The reports will collect
    /// it from the networks; the API takes it today.
    pub async fn record_post_metrics(
        &self,
        scope: &WorkspaceScope,
        target: PostTargetId,
        metrics: Metrics,
        now: i64,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_publish)?;
        let mut tx = self.begin().await?;
        let row: Option<(i64, String, Option<i64>)> = tx
            .conn()
            .fetch_optional(
                &Query::select()
                    .columns([
                        PostTargets::ChannelId,
                        PostTargets::Status,
                        PostTargets::PublishedAt,
                    ])
                    .from(PostTargets::Table)
                    .and_where(Expr::col(PostTargets::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(PostTargets::Id).eq(target.0))
                    .to_owned(),
            )
            .await?;
        let Some((channel, status, published_at)) = row else {
            return Err(StoreError::NotFound);
        };
        let Some(published_at) =
            published_at.filter(|_| status == TargetStatus::Published.as_str())
        else {
            return Err(ValidationError::single("target", "error-metrics-not-published").into());
        };
        tx.conn()
            .execute(
                &Query::delete()
                    .from_table(PostMetrics::Table)
                    .and_where(Expr::col(PostMetrics::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(PostMetrics::TargetId).eq(target.0))
                    .to_owned(),
            )
            .await?;
        tx.conn()
            .execute(
                &Query::insert()
                    .into_table(PostMetrics::Table)
                    .columns([
                        PostMetrics::WorkspaceId,
                        PostMetrics::TargetId,
                        PostMetrics::ChannelId,
                        PostMetrics::PublishedAt,
                        PostMetrics::Likes,
                        PostMetrics::Replies,
                        PostMetrics::Reposts,
                        PostMetrics::Clicks,
                        PostMetrics::CollectedAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        target.0.into(),
                        channel.into(),
                        published_at.into(),
                        to_i64(metrics.likes).into(),
                        to_i64(metrics.replies).into(),
                        to_i64(metrics.reposts).into(),
                        to_i64(metrics.clicks).into(),
                        now.into(),
                    ])?
                    .to_owned(),
            )
            .await?;
        tx.commit().await
    }

    /// The engagement of the channel's published targets (the newest 2,000), for best time
    /// to post.
    pub async fn engagement(
        &self,
        scope: &WorkspaceScope,
        channel: ChannelId,
    ) -> Result<Vec<Observation>, StoreError> {
        let rows: Vec<(i64, i64, i64, i64, i64)> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns([
                        PostMetrics::PublishedAt,
                        PostMetrics::Likes,
                        PostMetrics::Replies,
                        PostMetrics::Reposts,
                        PostMetrics::Clicks,
                    ])
                    .from(PostMetrics::Table)
                    .and_where(Expr::col(PostMetrics::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(PostMetrics::ChannelId).eq(channel.0))
                    .order_by(PostMetrics::PublishedAt, Order::Desc)
                    .limit(2_000)
                    .to_owned(),
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(at, likes, replies, reposts, clicks)| {
                let metrics = Metrics {
                    likes: u64::try_from(likes).unwrap_or(0),
                    replies: u64::try_from(replies).unwrap_or(0),
                    reposts: u64::try_from(reposts).unwrap_or(0),
                    clicks: u64::try_from(clicks).unwrap_or(0),
                };
                Some(Observation {
                    at: Timestamp::from_second(at).ok()?,
                    engagement: metrics.total(),
                })
            })
            .collect())
    }

    /// Fills the empty slots of evergreen categories with recycling on, over the next
    /// [`RECYCLE_HORIZON_DAYS`], with new posts copied from the category's published posts on
    /// that channel not posted again for the category's wait (least recently used first). The
    /// original row is never published again: a copy is a new post, with new targets and new
    /// idempotency keys, so exactly-once publishing holds for each.
    pub async fn recycle_evergreen(&self, now: i64) -> Result<RecycleReport, StoreError> {
        let categories: Vec<(i64, i64, i32)> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns([
                        Categories::Id,
                        Categories::WorkspaceId,
                        Categories::RecycleAfterDays,
                    ])
                    .from(Categories::Table)
                    .and_where(Expr::col(Categories::Evergreen).eq(true))
                    .and_where(Expr::col(Categories::Recycle).eq(true))
                    .order_by(Categories::Id, Order::Asc)
                    .to_owned(),
            )
            .await?;
        let mut report = RecycleReport::default();
        for (category, workspace, days) in categories {
            let scope = WorkspaceScope::system(tribune_domain::WorkspaceId(workspace), "recycle");
            let category = CategoryId(category);
            let channels: Vec<(i64,)> = self
                .db
                .fetch_all(
                    &Query::select()
                        .distinct()
                        .column(QueueSlots::ChannelId)
                        .from(QueueSlots::Table)
                        .and_where(Expr::col(QueueSlots::WorkspaceId).eq(workspace))
                        .and_where(Expr::col(QueueSlots::CategoryId).eq(category.0))
                        .to_owned(),
                )
                .await?;
            for (channel,) in channels {
                report.created += self
                    .recycle_channel(&scope, category, ChannelId(channel), days, now)
                    .await?;
            }
        }
        Ok(report)
    }

    async fn recycle_channel(
        &self,
        scope: &WorkspaceScope,
        category: CategoryId,
        channel: ChannelId,
        wait_days: i32,
        now: i64,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        tx.tx_mut()
            .lock_key(&format!("queue:{}", channel.0))
            .await?;
        let slots: Vec<WeeklySlot> = load_slots(&mut tx.conn(), scope, channel)
            .await?
            .iter()
            .filter(|s| s.category == Some(category))
            .filter_map(QueueSlot::weekly)
            .collect();
        let tz = workspace_zone(&mut tx.conn(), scope).await?;
        let taken = taken_instants(&mut tx.conn(), scope, channel, now).await?;
        let after = Timestamp::from_second(now + QUEUE_MIN_LEAD_SECS)
            .map_err(StoreError::failed("the queue's first usable instant"))?;
        let horizon = now + i64::from(RECYCLE_HORIZON_DAYS) * 86_400;
        let empty: Vec<i64> =
            queue::occurrences(&slots, &tz, after, RECYCLE_HORIZON_DAYS, 100, |o| {
                !taken.contains(&o.at)
            })
            .into_iter()
            .map(|o| o.at.as_second())
            .filter(|at| *at <= horizon)
            .collect();
        if empty.is_empty() {
            return Ok(0);
        }
        // The category's original posts published on this channel, with when each went out.
        let originals: Vec<(i64, i64)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .column((Posts::Table, Posts::Id))
                    .column((PostTargets::Table, PostTargets::PublishedAt))
                    .from(Posts::Table)
                    .inner_join(
                        PostTargets::Table,
                        Expr::col((PostTargets::Table, PostTargets::PostId))
                            .equals((Posts::Table, Posts::Id)),
                    )
                    .and_where(
                        Expr::col((Posts::Table, Posts::WorkspaceId)).eq(scope.workspace().0),
                    )
                    .and_where(
                        Expr::col((PostTargets::Table, PostTargets::WorkspaceId))
                            .eq(scope.workspace().0),
                    )
                    .and_where(Expr::col((Posts::Table, Posts::CategoryId)).eq(category.0))
                    .and_where(Expr::col((Posts::Table, Posts::RecycledFrom)).is_null())
                    .and_where(
                        Expr::col((PostTargets::Table, PostTargets::ChannelId)).eq(channel.0),
                    )
                    .and_where(
                        Expr::col((PostTargets::Table, PostTargets::Status))
                            .eq(TargetStatus::Published.as_str()),
                    )
                    .and_where(
                        Expr::col((PostTargets::Table, PostTargets::PublishedAt)).is_not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        if originals.is_empty() {
            return Ok(0);
        }
        // When each was last used: its own publication or its latest copy on this channel.
        let mut last_use: BTreeMap<i64, i64> = originals.iter().copied().collect();
        let copies: Vec<(i64, Option<i64>, Option<i64>)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .column((Posts::Table, Posts::RecycledFrom))
                    .column((Posts::Table, Posts::ScheduledAt))
                    .column((Posts::Table, Posts::CreatedAt))
                    .from(Posts::Table)
                    .inner_join(
                        PostTargets::Table,
                        Expr::col((PostTargets::Table, PostTargets::PostId))
                            .equals((Posts::Table, Posts::Id)),
                    )
                    .and_where(
                        Expr::col((Posts::Table, Posts::WorkspaceId)).eq(scope.workspace().0),
                    )
                    .and_where(
                        Expr::col((PostTargets::Table, PostTargets::WorkspaceId))
                            .eq(scope.workspace().0),
                    )
                    .and_where(
                        Expr::col((PostTargets::Table, PostTargets::ChannelId)).eq(channel.0),
                    )
                    .and_where(
                        Expr::col((Posts::Table, Posts::RecycledFrom))
                            .is_in(originals.iter().map(|(id, _)| *id)),
                    )
                    .to_owned(),
            )
            .await?
            .into_iter()
            .map(|(from, at, created): (Option<i64>, Option<i64>, i64)| {
                (from.unwrap_or(0), at, Some(created))
            })
            .collect();
        for (from, at, created) in copies {
            let used = at.or(created).unwrap_or(0);
            if let Some(last) = last_use.get_mut(&from) {
                *last = std::cmp::max(*last, used);
            }
        }
        let (policy, _, _) = workspace_rules(&mut tx.conn(), scope).await?;
        let wait = i64::from(wait_days) * 86_400;
        let mut created = 0;
        for at in empty {
            let Some((&original, _)) = last_use
                .iter()
                .filter(|(_, used)| **used <= at - wait)
                .min_by_key(|(id, used)| (**used, **id))
            else {
                break;
            };
            let source = load_post(&mut tx.conn(), scope, PostId(original)).await?;
            let variant = source
                .targets
                .iter()
                .find(|t| t.channel_id == channel)
                .and_then(|t| t.text.clone());
            let copy = Checked {
                title: source.title.clone(),
                text: source.text.clone(),
                link: source.link.clone(),
                targets: vec![(channel, variant)],
                media: source.media.iter().map(|m| m.id).collect(),
                category: Some(category),
                recycled_from: Some(source.id),
            };
            let id = insert_post(&mut tx, scope, &copy, Some(at), now).await?;
            let post = load_post(&mut tx.conn(), scope, id).await?;
            submit_or_schedule(&mut tx, scope, &post, policy, now).await?;
            tx.audit(
                scope,
                &AuditEvent::new("post.recycled", "post", id.0)
                    .with("from", source.id.0)
                    .with("channel", channel.0),
            )
            .await?;
            last_use.insert(original, at);
            created += 1;
        }
        tx.commit().await?;
        Ok(created)
    }
}
