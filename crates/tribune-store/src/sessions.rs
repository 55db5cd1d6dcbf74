//! Browser sessions live in the database, so any node can serve any request and a restart logs
//! nobody out. The cookie holds a random token; only its digest is stored.

use crate::schema::{Memberships, Sessions, Users, Workspaces};
use crate::users::User;
use crate::workspaces::{UserWorkspaces, WorkspaceSummary};
use crate::{Store, StoreError};
use sea_query::{Expr, ExprTrait, Order, Query};
use tribune_domain::security::token::{random_token, token_digest};
use tribune_domain::{SessionId, UserId, WorkspaceId};

/// How long a session lasts without being used.
pub const SESSION_TTL_SECS: i64 = 30 * 86_400;
/// `last_seen_at` is written at most this often, so reading pages does not turn into writes.
const TOUCH_EVERY_SECS: i64 = 300;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub csrf_token: String,
    pub totp_pending: bool,
    pub user_agent: String,
    pub ip: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

impl Session {
    pub fn session_id(&self) -> SessionId {
        self.id
    }
}

/// Where a login came from, shown in the session list.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub user_agent: String,
    pub ip: String,
}

/// A session row joined with its user's columns (aliased `u_*`, since both have `id`).
#[derive(sqlx::FromRow)]
struct SessionUserRow {
    #[sqlx(flatten)]
    session: Session,
    u_email: String,
    u_name: String,
    u_locale: Option<String>,
    u_is_admin: bool,
    u_totp_enabled: bool,
    u_created_at: i64,
}

impl SessionUserRow {
    fn split(self) -> (Session, User) {
        let user = User {
            id: self.session.user_id,
            email: self.u_email,
            name: self.u_name,
            locale: self.u_locale,
            is_admin: self.u_is_admin,
            totp_enabled: self.u_totp_enabled,
            created_at: self.u_created_at,
        };
        (self.session, user)
    }
}

/// [`SessionUserRow`] with one of the user's workspaces (all `NULL` when they have none).
#[derive(sqlx::FromRow)]
struct SessionWorkspaceRow {
    #[sqlx(flatten)]
    session_user: SessionUserRow,
    w_id: Option<WorkspaceId>,
    w_name: Option<String>,
    w_role: Option<String>,
    w_timezone: Option<String>,
}

/// A live session, its user and the user's workspaces, read in one query.
#[derive(Debug, Clone)]
pub struct SessionFound {
    pub session: Session,
    pub user: User,
    pub workspaces: UserWorkspaces,
}

const USER_ALIASES: [(Users, &str); 6] = [
    (Users::Email, "u_email"),
    (Users::Name, "u_name"),
    (Users::Locale, "u_locale"),
    (Users::IsAdmin, "u_is_admin"),
    (Users::TotpEnabled, "u_totp_enabled"),
    (Users::CreatedAt, "u_created_at"),
];

const SESSION_COLUMNS: [Sessions; 9] = [
    Sessions::Id,
    Sessions::UserId,
    Sessions::CsrfToken,
    Sessions::TotpPending,
    Sessions::UserAgent,
    Sessions::Ip,
    Sessions::CreatedAt,
    Sessions::LastSeenAt,
    Sessions::ExpiresAt,
];

impl Store {
    /// Opens a session and returns the token for the cookie. With `totp_pending`, the session
    /// only allows entering the second factor.
    pub async fn create_session(
        &self,
        user: UserId,
        totp_pending: bool,
        client: &ClientInfo,
        now: i64,
    ) -> Result<(String, Session), StoreError> {
        let token = random_token();
        let user_agent: String = client.user_agent.chars().take(300).collect();
        let ip: String = client.ip.chars().take(64).collect();
        let session = self
            .db
            .fetch_one(
                &Query::insert()
                    .into_table(Sessions::Table)
                    .columns([
                        Sessions::TokenHash,
                        Sessions::UserId,
                        Sessions::CsrfToken,
                        Sessions::TotpPending,
                        Sessions::UserAgent,
                        Sessions::Ip,
                        Sessions::CreatedAt,
                        Sessions::LastSeenAt,
                        Sessions::ExpiresAt,
                    ])
                    .values([
                        token_digest(&token).into(),
                        user.0.into(),
                        random_token().into(),
                        totp_pending.into(),
                        user_agent.into(),
                        ip.into(),
                        now.into(),
                        now.into(),
                        (now + SESSION_TTL_SECS).into(),
                    ])?
                    .returning(Query::returning().columns(SESSION_COLUMNS))
                    .to_owned(),
            )
            .await?;
        Ok((token, session))
    }

    /// Finds the live session for a cookie token, with its user and the user's workspaces (the
    /// switcher, and the membership every workspace page is scoped by), in one query, and slides
    /// its expiry. This runs before every page, so the round trip it saves is saved everywhere.
    pub async fn session_with_workspaces(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<SessionFound>, StoreError> {
        if token.len() > 128 {
            return Ok(None);
        }
        let digest = token_digest(token);
        // Read before the cache and the query: an entry is kept only if no tracked write
        // happened since (see `cache.rs`).
        let generation = self.cache.generation();
        if let Some(mut found) = self.cache.session(&digest) {
            if found.session.expires_at > now {
                if now - found.session.last_seen_at > TOUCH_EVERY_SECS {
                    found.session = self.touch_session(found.session, now).await?;
                    if let Some(generation) = generation {
                        self.cache.put_session(digest, found.clone(), generation);
                    }
                }
                return Ok(Some(found));
            }
            self.cache.forget_session(&digest);
        }
        let mut select = Query::select();
        for column in SESSION_COLUMNS {
            select.column((Sessions::Table, column));
        }
        for (column, alias) in USER_ALIASES {
            select.expr_as(Expr::col((Users::Table, column)), alias);
        }
        let rows: Vec<SessionWorkspaceRow> = self
            .db
            .fetch_all(
                &select
                    .expr_as(Expr::col((Workspaces::Table, Workspaces::Id)), "w_id")
                    .expr_as(Expr::col((Workspaces::Table, Workspaces::Name)), "w_name")
                    .expr_as(Expr::col((Memberships::Table, Memberships::Role)), "w_role")
                    .expr_as(
                        Expr::col((Workspaces::Table, Workspaces::Timezone)),
                        "w_timezone",
                    )
                    .from(Sessions::Table)
                    .inner_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((Sessions::Table, Sessions::UserId)),
                    )
                    .left_join(
                        Memberships::Table,
                        Expr::col((Memberships::Table, Memberships::UserId))
                            .equals((Sessions::Table, Sessions::UserId)),
                    )
                    .left_join(
                        Workspaces::Table,
                        Expr::col((Workspaces::Table, Workspaces::Id))
                            .equals((Memberships::Table, Memberships::WorkspaceId)),
                    )
                    .and_where(
                        Expr::col((Sessions::Table, Sessions::TokenHash)).eq(digest.as_str()),
                    )
                    .and_where(Expr::col((Sessions::Table, Sessions::ExpiresAt)).gt(now))
                    .and_where(Expr::col((Users::Table, Users::DisabledAt)).is_null())
                    .order_by((Workspaces::Table, Workspaces::Name), Order::Asc)
                    .order_by((Workspaces::Table, Workspaces::Id), Order::Asc)
                    .limit(1000)
                    .to_owned(),
            )
            .await?;
        let mut list = Vec::with_capacity(rows.len());
        let mut head = None;
        for row in rows {
            if let (Some(id), Some(name), Some(role), Some(timezone)) =
                (row.w_id, row.w_name, row.w_role, row.w_timezone)
            {
                list.push(WorkspaceSummary {
                    id,
                    name,
                    role,
                    timezone,
                });
            }
            if head.is_none() {
                head = Some(row.session_user);
            }
        }
        let Some(head) = head else { return Ok(None) };
        let (session, user) = head.split();
        let session = self.touch_session(session, now).await?;
        let workspaces = UserWorkspaces::new(user.user_id(), list);
        let found = SessionFound {
            session,
            user,
            workspaces,
        };
        if let Some(generation) = generation {
            self.cache.put_session(digest, found.clone(), generation);
        }
        Ok(Some(found))
    }

    /// Finds the live session for a cookie token, with its user, and slides its expiry.
    pub async fn session_by_token(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<(Session, User)>, StoreError> {
        if token.len() > 128 {
            return Ok(None);
        }
        // One query for the session and its user: this runs on every page.
        let mut select = Query::select();
        for column in SESSION_COLUMNS {
            select.column((Sessions::Table, column));
        }
        for (column, alias) in USER_ALIASES {
            select.expr_as(Expr::col((Users::Table, column)), alias);
        }
        let row: Option<SessionUserRow> = self
            .db
            .fetch_optional(
                &select
                    .from(Sessions::Table)
                    .inner_join(
                        Users::Table,
                        Expr::col((Users::Table, Users::Id))
                            .equals((Sessions::Table, Sessions::UserId)),
                    )
                    .and_where(
                        Expr::col((Sessions::Table, Sessions::TokenHash)).eq(token_digest(token)),
                    )
                    .and_where(Expr::col((Sessions::Table, Sessions::ExpiresAt)).gt(now))
                    .and_where(Expr::col((Users::Table, Users::DisabledAt)).is_null())
                    .to_owned(),
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (session, user) = row.split();
        Ok(Some((self.touch_session(session, now).await?, user)))
    }

    /// Slides a session's expiry, at most every [`TOUCH_EVERY_SECS`].
    async fn touch_session(&self, mut session: Session, now: i64) -> Result<Session, StoreError> {
        if now - session.last_seen_at > TOUCH_EVERY_SECS {
            // Untracked: this changes nothing a cached read shows but the session's own times,
            // which the caller keeps in the cache itself.
            self.db
                .execute_untracked(
                    &Query::update()
                        .table(Sessions::Table)
                        .values([
                            (Sessions::LastSeenAt, now.into()),
                            (Sessions::ExpiresAt, (now + SESSION_TTL_SECS).into()),
                        ])
                        .and_where(Expr::col(Sessions::Id).eq(session.id.0))
                        .to_owned(),
                )
                .await?;
            session.last_seen_at = now;
        }
        Ok(session)
    }

    /// The second factor was checked: the session becomes a full one.
    pub async fn complete_totp(&self, session: SessionId) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::update()
                    .table(Sessions::Table)
                    .values([(Sessions::TotpPending, false.into())])
                    .and_where(Expr::col(Sessions::Id).eq(session.0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    pub async fn sessions_of(&self, user: UserId, now: i64) -> Result<Vec<Session>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .columns(SESSION_COLUMNS)
                    .from(Sessions::Table)
                    .and_where(Expr::col(Sessions::UserId).eq(user.0))
                    .and_where(Expr::col(Sessions::ExpiresAt).gt(now))
                    .order_by(Sessions::LastSeenAt, Order::Desc)
                    .limit(200)
                    .to_owned(),
            )
            .await
    }

    /// Ends one of the user's sessions (a user can only end their own).
    pub async fn delete_session(&self, user: UserId, session: SessionId) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::delete()
                    .from_table(Sessions::Table)
                    .and_where(Expr::col(Sessions::Id).eq(session.0))
                    .and_where(Expr::col(Sessions::UserId).eq(user.0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// "Log out other sessions": keeps `keep` (the current one) and ends the rest.
    pub async fn delete_other_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
    ) -> Result<u64, StoreError> {
        let mut stmt = Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::UserId).eq(user.0))
            .to_owned();
        if let Some(keep) = keep {
            stmt.and_where(Expr::col(Sessions::Id).ne(keep.0));
        }
        self.db.execute(&stmt).await
    }
}
