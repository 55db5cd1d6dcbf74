//! Short links (`/l/{code}`) and their clicks. Everything a team does with its links goes
//! through a [`WorkspaceScope`]; only the public redirect finds a link by its code alone
//! ([`Store::link_for_redirect`]) and counts a click on what that lookup returned
//! ([`Store::count_click`]): one indexed read and one upsert per visit.
//!
//! Clicks are counted per link, day (in the workspace's zone) and referring network; nothing
//! about the visitor is stored.

use crate::audit::AuditEvent;
use crate::db::Conn;
use crate::schema::{Channels, LinkClicks, Links as L, Posts, Workspaces};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use tribune_domain::links::{LinkTarget, Utm, destination, is_code, new_code};
use tribune_domain::{ChannelId, LinkId, PostId, Role, UserId, ValidationError, WorkspaceId};

/// How many fresh codes are tried before giving up (each collides with odds of about
/// links / 62⁷, so a second try is already rare).
const CODE_ATTEMPTS: usize = 8;

/// A new link. The target and tags were checked by the domain's types.
#[derive(Debug, Clone)]
pub struct LinkNew {
    pub target: LinkTarget,
    pub utm: Utm,
    /// The post and channel the link was made for (the workspace's own, or refused).
    pub post: Option<PostId>,
    pub channel: Option<ChannelId>,
}

/// A link with its total clicks.
#[derive(Debug, Clone)]
pub struct Link {
    pub id: LinkId,
    pub workspace: WorkspaceId,
    pub code: String,
    pub target: LinkTarget,
    pub utm: Utm,
    pub post: Option<PostId>,
    pub channel: Option<ChannelId>,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    /// Clicks counted so far (robots and `HEAD` requests never are).
    pub clicks: i64,
}

impl Link {
    /// Where a visitor is sent: the target with the link's tags.
    pub fn destination(&self) -> String {
        destination(&self.target, &self.utm)
    }
}

/// What the public redirect needs of a link, found by its code. Counting a click takes one,
/// so a click can only be counted on a link that exists, in its own workspace.
#[derive(Debug, Clone)]
pub struct LinkRedirect {
    pub link: LinkId,
    pub workspace: WorkspaceId,
    pub target: LinkTarget,
    pub utm: Utm,
    /// The workspace's time zone: clicks count on its days.
    pub timezone: String,
    /// The team deleted the link: visitors are told so, sent nowhere, and not counted.
    pub removed: bool,
}

impl LinkRedirect {
    pub fn destination(&self) -> String {
        destination(&self.target, &self.utm)
    }
}

/// Clicks of one day from one referring network.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClickCount {
    pub day: String,
    pub network: String,
    pub clicks: i64,
}

/// A link's clicks summed by day (newest first) and by referring network (most clicks first,
/// then by name), from the per-day, per-network counts: nothing else is kept about a click.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClickBreakdown {
    pub by_day: Vec<(String, i64)>,
    pub by_network: Vec<(String, i64)>,
}

impl ClickBreakdown {
    pub fn of(counts: &[ClickCount]) -> ClickBreakdown {
        let mut days: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
        let mut networks: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
        for count in counts {
            *days.entry(count.day.as_str()).or_default() += count.clicks;
            *networks.entry(count.network.as_str()).or_default() += count.clicks;
        }
        let by_day = days
            .into_iter()
            .rev()
            .map(|(day, n)| (day.to_owned(), n))
            .collect();
        let mut by_network: Vec<(String, i64)> = networks
            .into_iter()
            .map(|(network, n)| (network.to_owned(), n))
            .collect();
        by_network.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ClickBreakdown { by_day, by_network }
    }
}

/// Which links to list: newest first, one page at a time.
#[derive(Debug, Clone, Default)]
pub struct LinkFilter {
    pub before_id: Option<LinkId>,
    pub limit: u64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct LinkRow {
    id: i64,
    workspace_id: i64,
    code: String,
    target: String,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    utm_term: Option<String>,
    utm_content: Option<String>,
    post_id: Option<i64>,
    channel_id: Option<i64>,
    created_by: Option<i64>,
    created_at: i64,
}

const COLUMNS: [L; 13] = [
    L::Id,
    L::WorkspaceId,
    L::Code,
    L::Target,
    L::UtmSource,
    L::UtmMedium,
    L::UtmCampaign,
    L::UtmTerm,
    L::UtmContent,
    L::PostId,
    L::ChannelId,
    L::CreatedBy,
    L::CreatedAt,
];

impl LinkRow {
    fn into_link(self, clicks: i64) -> Link {
        Link {
            id: LinkId(self.id),
            workspace: WorkspaceId(self.workspace_id),
            code: self.code,
            target: LinkTarget::from_stored(self.target),
            utm: Utm {
                source: self.utm_source,
                medium: self.utm_medium,
                campaign: self.utm_campaign,
                term: self.utm_term,
                content: self.utm_content,
            },
            post: self.post_id.map(PostId),
            channel: self.channel_id.map(ChannelId),
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            clicks,
        }
    }
}

/// `SUM` of a `BIGINT` is `NUMERIC` on PostgreSQL: cast it back so both databases answer an
/// integer.
fn clicks_total() -> Expr {
    Expr::cust("CAST(COALESCE(SUM(clicks), 0) AS BIGINT)")
}

/// Total clicks of each of `links` (of the scope's workspace).
async fn totals(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    links: &[i64],
) -> Result<Vec<(i64, i64)>, StoreError> {
    if links.is_empty() {
        return Ok(Vec::new());
    }
    conn.fetch_all(
        &Query::select()
            .column(LinkClicks::LinkId)
            .expr(clicks_total())
            .from(LinkClicks::Table)
            .and_where(Expr::col(LinkClicks::WorkspaceId).eq(scope.workspace().0))
            .and_where(Expr::col(LinkClicks::LinkId).is_in(links.iter().copied()))
            .group_by_col(LinkClicks::LinkId)
            .to_owned(),
    )
    .await
}

async fn load(conn: &mut Conn<'_>, scope: &WorkspaceScope, id: LinkId) -> Result<Link, StoreError> {
    let row: LinkRow = conn
        .fetch_one(
            &Query::select()
                .columns(COLUMNS)
                .from(L::Table)
                .and_where(Expr::col(L::WorkspaceId).eq(scope.workspace().0))
                .and_where(Expr::col(L::Id).eq(id.0))
                .and_where(Expr::col(L::DeletedAt).is_null())
                .to_owned(),
        )
        .await?;
    let clicks = totals(conn, scope, &[row.id])
        .await?
        .first()
        .map_or(0, |(_, n)| *n);
    Ok(row.into_link(clicks))
}

/// Whether row `id` of `table` belongs to the scope's workspace.
pub(crate) async fn owned(
    conn: &mut Conn<'_>,
    scope: &WorkspaceScope,
    table: impl sea_query::IntoIden + Copy,
    id_col: impl sea_query::IntoIden + Copy,
    ws_col: impl sea_query::IntoIden + Copy,
    id: i64,
) -> Result<bool, StoreError> {
    let (found,): (i64,) = conn
        .fetch_one(
            &Query::select()
                .expr(Expr::col(id_col).count())
                .from(table)
                .and_where(Expr::col(ws_col).eq(scope.workspace().0))
                .and_where(Expr::col(id_col).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(found > 0)
}

impl Store {
    /// Creates a short link with a fresh random code.
    pub async fn create_link(
        &self,
        scope: &WorkspaceScope,
        new: LinkNew,
        now: i64,
    ) -> Result<Link, StoreError> {
        self.create_link_with_codes(scope, new, now, &mut new_code)
            .await
    }

    /// [`Store::create_link`] with codes drawn from `codes`: a code already taken (by any
    /// workspace) is skipped for the next one, up to a few times. Tests use it to force
    /// collisions; everything else calls `create_link`.
    pub async fn create_link_with_codes(
        &self,
        scope: &WorkspaceScope,
        new: LinkNew,
        now: i64,
        codes: &mut (dyn FnMut() -> String + Send),
    ) -> Result<Link, StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut tx = self.begin().await?;
        let mut errors = ValidationError::default();
        if let Some(post) = new.post
            && !owned(
                &mut tx.conn(),
                scope,
                Posts::Table,
                Posts::Id,
                Posts::WorkspaceId,
                post.0,
            )
            .await?
        {
            errors.push("post_id", "error-link-post-unknown");
        }
        if let Some(channel) = new.channel
            && !owned(
                &mut tx.conn(),
                scope,
                Channels::Table,
                Channels::Id,
                Channels::WorkspaceId,
                channel.0,
            )
            .await?
        {
            errors.push("channel_id", "error-link-channel-unknown");
        }
        errors.into_result()?;
        let mut created = None;
        for _ in 0..CODE_ATTEMPTS {
            let code = codes();
            if !is_code(&code) {
                return Err(StoreError::Internal(format!(
                    "malformed link code {code:?}"
                )));
            }
            // `DO NOTHING` rather than catching the unique violation: on PostgreSQL a failed
            // statement would abort the whole transaction.
            let id: Option<(i64,)> = tx
                .conn()
                .fetch_optional(
                    &Query::insert()
                        .into_table(L::Table)
                        .columns([
                            L::WorkspaceId,
                            L::Code,
                            L::Target,
                            L::UtmSource,
                            L::UtmMedium,
                            L::UtmCampaign,
                            L::UtmTerm,
                            L::UtmContent,
                            L::PostId,
                            L::ChannelId,
                            L::CreatedBy,
                            L::CreatedAt,
                        ])
                        .values([
                            scope.workspace().0.into(),
                            code.into(),
                            new.target.as_str().into(),
                            new.utm.source.clone().into(),
                            new.utm.medium.clone().into(),
                            new.utm.campaign.clone().into(),
                            new.utm.term.clone().into(),
                            new.utm.content.clone().into(),
                            new.post.map(|p| p.0).into(),
                            new.channel.map(|c| c.0).into(),
                            scope.user().map(|u| u.0).into(),
                            now.into(),
                        ])?
                        .on_conflict(OnConflict::column(L::Code).do_nothing().to_owned())
                        .returning_col(L::Id)
                        .to_owned(),
                )
                .await?;
            if let Some((id,)) = id {
                created = Some(LinkId(id));
                break;
            }
        }
        let id = created.ok_or_else(|| {
            StoreError::Internal(format!("no free link code in {CODE_ATTEMPTS} tries"))
        })?;
        let mut event = AuditEvent::new("link.created", "link", id.0);
        if let Some(post) = new.post {
            event = event.with("post", post.0);
        }
        tx.audit(scope, &event).await?;
        let link = load(&mut tx.conn(), scope, id).await?;
        tx.commit().await?;
        Ok(link)
    }

    pub async fn link(&self, scope: &WorkspaceScope, id: LinkId) -> Result<Link, StoreError> {
        let mut conn = self.db.acquire().await?;
        load(&mut conn.conn(), scope, id).await
    }

    /// The workspace's links, newest first, with their total clicks.
    pub async fn links(
        &self,
        scope: &WorkspaceScope,
        filter: &LinkFilter,
    ) -> Result<Vec<Link>, StoreError> {
        let mut select = Query::select();
        select
            .columns(COLUMNS)
            .from(L::Table)
            .and_where(Expr::col(L::WorkspaceId).eq(scope.workspace().0))
            .and_where(Expr::col(L::DeletedAt).is_null())
            .order_by(L::Id, Order::Desc)
            .limit(filter.limit.clamp(1, 500));
        if let Some(before) = filter.before_id {
            select.and_where(Expr::col(L::Id).lt(before.0));
        }
        let mut conn = self.db.acquire().await?;
        let rows: Vec<LinkRow> = conn.conn().fetch_all(&select.to_owned()).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let totals = totals(&mut conn.conn(), scope, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let clicks = totals
                    .iter()
                    .find(|(id, _)| *id == row.id)
                    .map_or(0, |(_, n)| *n);
                row.into_link(clicks)
            })
            .collect())
    }

    /// Changes a link's target and tags (the code, and so the short address already shared,
    /// stays): visitors are sent to the new destination from the next click. The clicks counted
    /// so far stay with the link.
    pub async fn update_link(
        &self,
        scope: &WorkspaceScope,
        id: LinkId,
        target: &LinkTarget,
        utm: &Utm,
    ) -> Result<Link, StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut tx = self.begin().await?;
        let before = load(&mut tx.conn(), scope, id).await?;
        tx.conn()
            .execute(
                &Query::update()
                    .table(L::Table)
                    .values([
                        (L::Target, target.as_str().into()),
                        (L::UtmSource, utm.source.clone().into()),
                        (L::UtmMedium, utm.medium.clone().into()),
                        (L::UtmCampaign, utm.campaign.clone().into()),
                        (L::UtmTerm, utm.term.clone().into()),
                        (L::UtmContent, utm.content.clone().into()),
                    ])
                    .and_where(Expr::col(L::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(L::Id).eq(id.0))
                    .and_where(Expr::col(L::DeletedAt).is_null())
                    .to_owned(),
            )
            .await?;
        let mut event = AuditEvent::new("link.updated", "link", id.0);
        if before.target.as_str() != target.as_str() {
            event = event
                .with("old_target", before.target.as_str())
                .with("target", target.as_str());
        }
        if before.utm != *utm {
            let tags: serde_json::Map<String, serde_json::Value> = utm
                .pairs()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.into()))
                .collect();
            event = event.with("tags", tags);
        }
        tx.audit(scope, &event).await?;
        let link = load(&mut tx.conn(), scope, id).await?;
        tx.commit().await?;
        Ok(link)
    }

    /// Deletes a link: it leaves the lists and the API, its clicks are deleted, and its public
    /// address answers "link removed" from then on. The row stays as a tombstone so that the
    /// code (which published posts may carry) is never drawn again for another target.
    pub async fn delete_link(
        &self,
        scope: &WorkspaceScope,
        id: LinkId,
        now: i64,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_write_posts)?;
        let mut tx = self.begin().await?;
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(L::Table)
                    .value(L::DeletedAt, now)
                    .and_where(Expr::col(L::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(L::Id).eq(id.0))
                    .and_where(Expr::col(L::DeletedAt).is_null())
                    .to_owned(),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.conn()
            .execute(
                &Query::delete()
                    .from_table(LinkClicks::Table)
                    .and_where(Expr::col(LinkClicks::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(LinkClicks::LinkId).eq(id.0))
                    .to_owned(),
            )
            .await?;
        tx.audit(scope, &AuditEvent::new("link.deleted", "link", id.0))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A link's clicks by day and referring network, newest day first.
    pub async fn link_clicks(
        &self,
        scope: &WorkspaceScope,
        id: LinkId,
    ) -> Result<Vec<ClickCount>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns([LinkClicks::Day, LinkClicks::Network, LinkClicks::Clicks])
                    .from(LinkClicks::Table)
                    .and_where(Expr::col(LinkClicks::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(LinkClicks::LinkId).eq(id.0))
                    .order_by(LinkClicks::Day, Order::Desc)
                    .order_by(LinkClicks::Network, Order::Asc)
                    .to_owned(),
            )
            .await
    }

    /// Records that the workspace's links named by `codes` were made for `post`, for those
    /// that name no post yet: links shortened in the composer before the post was first saved.
    /// Returns how many links were changed.
    pub async fn attach_links_to_post(
        &self,
        scope: &WorkspaceScope,
        post: PostId,
        codes: &[String],
    ) -> Result<u64, StoreError> {
        scope.require(Role::can_write_posts)?;
        let codes: Vec<&str> = codes
            .iter()
            .map(String::as_str)
            .filter(|c| is_code(c))
            .take(100)
            .collect();
        if codes.is_empty() {
            return Ok(0);
        }
        let mut conn = self.db.acquire().await?;
        if !owned(
            &mut conn.conn(),
            scope,
            Posts::Table,
            Posts::Id,
            Posts::WorkspaceId,
            post.0,
        )
        .await?
        {
            return Err(StoreError::NotFound);
        }
        conn.conn()
            .execute(
                &Query::update()
                    .table(L::Table)
                    .value(L::PostId, post.0)
                    .and_where(Expr::col(L::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(L::PostId).is_null())
                    .and_where(Expr::col(L::DeletedAt).is_null())
                    .and_where(Expr::col(L::Code).is_in(codes))
                    .to_owned(),
            )
            .await
    }

    /// The link behind a public `/l/{code}`, whatever its workspace: the code is the address.
    /// One read on the unique index of codes, with the workspace's zone joined in.
    pub async fn link_for_redirect(&self, code: &str) -> Result<Option<LinkRedirect>, StoreError> {
        if !is_code(code) {
            return Ok(None);
        }
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            workspace_id: i64,
            target: String,
            utm_source: Option<String>,
            utm_medium: Option<String>,
            utm_campaign: Option<String>,
            utm_term: Option<String>,
            utm_content: Option<String>,
            deleted_at: Option<i64>,
            timezone: String,
        }
        let row: Option<Row> = self
            .db
            .fetch_optional(
                &Query::select()
                    .columns(
                        [
                            L::Id,
                            L::WorkspaceId,
                            L::Target,
                            L::UtmSource,
                            L::UtmMedium,
                            L::UtmCampaign,
                            L::UtmTerm,
                            L::UtmContent,
                            L::DeletedAt,
                        ]
                        .map(|c| (L::Table, c)),
                    )
                    .column((Workspaces::Table, Workspaces::Timezone))
                    .from(L::Table)
                    .inner_join(
                        Workspaces::Table,
                        Expr::col((Workspaces::Table, Workspaces::Id))
                            .equals((L::Table, L::WorkspaceId)),
                    )
                    .and_where(Expr::col((L::Table, L::Code)).eq(code))
                    .to_owned(),
            )
            .await?;
        Ok(row.map(|row| LinkRedirect {
            link: LinkId(row.id),
            workspace: WorkspaceId(row.workspace_id),
            target: LinkTarget::from_stored(row.target),
            utm: Utm {
                source: row.utm_source,
                medium: row.utm_medium,
                campaign: row.utm_campaign,
                term: row.utm_term,
                content: row.utm_content,
            },
            timezone: row.timezone,
            removed: row.deleted_at.is_some(),
        }))
    }

    /// Counts one click on `link` for `day` and `network`: one upsert, atomic on both databases
    /// (concurrent clicks each add one). A removed link counts nothing.
    pub async fn count_click(
        &self,
        link: &LinkRedirect,
        day: &str,
        network: &str,
    ) -> Result<(), StoreError> {
        if link.removed {
            return Ok(());
        }
        self.db
            .execute(
                &Query::insert()
                    .into_table(LinkClicks::Table)
                    .columns([
                        LinkClicks::WorkspaceId,
                        LinkClicks::LinkId,
                        LinkClicks::Day,
                        LinkClicks::Network,
                        LinkClicks::Clicks,
                    ])
                    .values([
                        link.workspace.0.into(),
                        link.link.0.into(),
                        day.into(),
                        network.into(),
                        1i64.into(),
                    ])?
                    .on_conflict(
                        OnConflict::columns([
                            LinkClicks::WorkspaceId,
                            LinkClicks::LinkId,
                            LinkClicks::Day,
                            LinkClicks::Network,
                        ])
                        .value(
                            LinkClicks::Clicks,
                            Expr::col((LinkClicks::Table, LinkClicks::Clicks)).add(1),
                        )
                        .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
