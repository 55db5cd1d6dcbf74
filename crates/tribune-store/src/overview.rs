//! A workspace's overview page in one query: the workspace, what its channels are doing,
//! whether a client has been invited, and its members. The page is the first one a member sees,
//! and it used to take four queries (the workspace, then three lists only counted).

use crate::schema::{Channels, Invitations, Memberships, Users, Workspaces};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use tribune_domain::{Lang, Role, UserId, WorkspaceId};

/// How many of a workspace's channels are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelCounts {
    pub active: i64,
    /// The network refused the credentials: a banner on every page of the workspace.
    pub broken: i64,
    pub disconnected: i64,
}

impl ChannelCounts {
    pub fn total(&self) -> i64 {
        self.active + self.broken + self.disconnected
    }
}

/// What the overview shows of the workspace itself (not its charter's text nor its logo's bytes).
#[derive(Debug, Clone)]
pub struct OverviewWorkspace {
    pub id: WorkspaceId,
    pub name: String,
    pub timezone: String,
    pub languages: Vec<Lang>,
    pub brand_voice: String,
    pub words_to_avoid: Vec<String>,
    /// The charter has some text (published or not).
    pub has_guidelines: bool,
    pub guidelines_public: bool,
    pub public_slug: String,
    pub has_logo: bool,
}

/// One member, as listed on the overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewMember {
    pub user_id: UserId,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub workspace: OverviewWorkspace,
    pub channels: ChannelCounts,
    /// A client is invited: an invitation with the client role is pending, and not void
    /// (its author may still give that role).
    pub client_invited: bool,
    /// By name.
    pub members: Vec<OverviewMember>,
}

impl Overview {
    pub fn has_client(&self) -> bool {
        let client = Role::Client.as_str();
        self.members.iter().any(|m| m.role == client)
    }
}

/// One row per member, the workspace's columns and the counts repeated on each.
#[derive(sqlx::FromRow)]
struct Row {
    id: WorkspaceId,
    name: String,
    timezone: String,
    languages: String,
    brand_voice: String,
    words_to_avoid: String,
    has_guidelines: bool,
    guidelines_public: bool,
    public_slug: String,
    has_logo: bool,
    channels_active: i64,
    channels_broken: i64,
    channels_disconnected: i64,
    client_invited: bool,
    member_id: UserId,
    member_name: String,
    member_role: String,
}

/// `SELECT COUNT(*) FROM channels WHERE workspace_id = ? AND state = ?`, bound to the workspace
/// (not correlated with the outer row, so each database evaluates it once per statement).
fn count_channels(workspace: WorkspaceId, state: &str) -> Expr {
    Expr::from(
        Query::select()
            .expr(Expr::col(Channels::Id).count())
            .from(Channels::Table)
            .and_where(Expr::col(Channels::WorkspaceId).eq(workspace.0))
            .and_where(Expr::col(Channels::State).eq(state))
            .to_owned(),
    )
}

/// Whether a usable invitation with the client role is pending: not accepted, not expired, and
/// its author still a member who may give the role (the rule of `pending_invitations`).
fn client_invited(workspace: WorkspaceId, now: i64) -> SelectStatement {
    let inviter = Alias::new("inviter");
    let allowed: Vec<&str> = Role::ALL
        .into_iter()
        .filter(|r| r.can_manage_members() && r.can_assign(Role::Client))
        .map(Role::as_str)
        .collect();
    Query::select()
        .expr(Expr::val(1))
        .from(Invitations::Table)
        .join_as(
            JoinType::InnerJoin,
            Memberships::Table,
            inviter.clone(),
            Expr::col((inviter.clone(), Memberships::WorkspaceId))
                .equals((Invitations::Table, Invitations::WorkspaceId))
                .and(
                    Expr::col((inviter.clone(), Memberships::UserId))
                        .equals((Invitations::Table, Invitations::InvitedBy)),
                ),
        )
        .and_where(Expr::col((Invitations::Table, Invitations::WorkspaceId)).eq(workspace.0))
        .and_where(Expr::col((Invitations::Table, Invitations::Role)).eq(Role::Client.as_str()))
        .and_where(Expr::col((Invitations::Table, Invitations::AcceptedAt)).is_null())
        .and_where(Expr::col((Invitations::Table, Invitations::ExpiresAt)).gt(now))
        .and_where(Expr::col((inviter, Memberships::Role)).is_in(allowed))
        .to_owned()
}

impl Store {
    /// Everything the workspace overview shows, in one statement (one row per member).
    pub async fn overview(&self, scope: &WorkspaceScope, now: i64) -> Result<Overview, StoreError> {
        let ws = scope.workspace();
        let generation = self.cache.generation();
        if let Some(overview) = self.cache.overview(ws, now) {
            return Ok(overview);
        }
        let w = Workspaces::Table;
        let rows: Vec<Row> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns([
                        (w, Workspaces::Id),
                        (w, Workspaces::Name),
                        (w, Workspaces::Timezone),
                        (w, Workspaces::Languages),
                        (w, Workspaces::BrandVoice),
                        (w, Workspaces::WordsToAvoid),
                        (w, Workspaces::GuidelinesPublic),
                        (w, Workspaces::PublicSlug),
                    ])
                    .expr_as(
                        Expr::col((w, Workspaces::Guidelines)).ne(""),
                        "has_guidelines",
                    )
                    .expr_as(
                        Expr::col((w, Workspaces::LogoType)).is_not_null(),
                        "has_logo",
                    )
                    .expr_as(count_channels(ws, "active"), "channels_active")
                    .expr_as(count_channels(ws, "broken"), "channels_broken")
                    .expr_as(count_channels(ws, "disconnected"), "channels_disconnected")
                    .expr_as(Expr::exists(client_invited(ws, now)), "client_invited")
                    .expr_as(Expr::col((Users::Table, Users::Id)), "member_id")
                    .expr_as(Expr::col((Users::Table, Users::Name)), "member_name")
                    .expr_as(
                        Expr::col((Memberships::Table, Memberships::Role)),
                        "member_role",
                    )
                    .from(w)
                    .inner_join(
                        Memberships::Table,
                        Expr::col((Memberships::Table, Memberships::WorkspaceId))
                            .equals((w, Workspaces::Id)),
                    )
                    .inner_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((Memberships::Table, Memberships::UserId)),
                    )
                    .and_where(Expr::col((w, Workspaces::Id)).eq(ws.0))
                    .order_by((Users::Table, Users::Name), Order::Asc)
                    .order_by((Users::Table, Users::Id), Order::Asc)
                    .to_owned(),
            )
            .await?;
        let mut rows = rows.into_iter();
        // The scope's own member is a row, so a workspace that exists has at least one.
        let first = rows.next().ok_or(StoreError::NotFound)?;
        let members = std::iter::once(member(&first))
            .chain(rows.map(|row| member(&row)))
            .collect();
        let overview = Overview {
            channels: ChannelCounts {
                active: first.channels_active,
                broken: first.channels_broken,
                disconnected: first.channels_disconnected,
            },
            client_invited: first.client_invited,
            members,
            workspace: OverviewWorkspace {
                id: first.id,
                name: first.name,
                timezone: first.timezone,
                languages: first
                    .languages
                    .split(',')
                    .filter_map(Lang::from_tag)
                    .collect(),
                brand_voice: first.brand_voice,
                words_to_avoid: first
                    .words_to_avoid
                    .lines()
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
                has_guidelines: first.has_guidelines,
                guidelines_public: first.guidelines_public,
                public_slug: first.public_slug,
                has_logo: first.has_logo,
            },
        };
        if let Some(generation) = generation {
            self.cache
                .put_overview(ws, overview.clone(), now, generation);
        }
        Ok(overview)
    }
}

fn member(row: &Row) -> OverviewMember {
    OverviewMember {
        user_id: row.member_id,
        name: row.member_name.clone(),
        role: row.member_role.clone(),
    }
}
