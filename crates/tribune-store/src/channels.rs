//! Channels: the network accounts connected to a workspace, their sealed credentials and their
//! state (active, broken, disconnected). Breaking one notifies the team (`notifications`).
//!
//! Reading and changing channels takes a [`WorkspaceScope`]. The bookkeeping a connector call
//! leaves behind (refreshed tokens, rate limits, cursors, a failure) takes a [`ChannelKey`],
//! which only a channel loaded through a scope — or the background token refresh — hands out.

use crate::audit::{self, Actor, AuditEvent};
use crate::db::in_list;
use crate::notifications::{notify_channel_broken, resolve_channel_notifications};
use crate::schema::Channels;
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use serde::Serialize;
use tribune_domain::{ChannelId, Role, WorkspaceId};

/// The states a channel goes through. Only `active` channels are used by the publisher and the
/// inbox; `broken` ones wait for someone to reconnect them; `disconnected` ones keep their
/// history without credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelState {
    Active,
    Broken,
    Disconnected,
}

impl ChannelState {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelState::Active => "active",
            ChannelState::Broken => "broken",
            ChannelState::Disconnected => "disconnected",
        }
    }

    fn parse(s: &str) -> ChannelState {
        match s {
            "active" => ChannelState::Active,
            "broken" => ChannelState::Broken,
            _ => ChannelState::Disconnected,
        }
    }
}

/// A channel as the UI and the API show it: never its credentials.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub id: ChannelId,
    /// Private, like `SealedChannel`'s ids: a `ChannelKey` only comes from a row the store
    /// loaded through a scope (or the background refresh).
    #[serde(skip)]
    workspace_id: WorkspaceId,
    pub network: String,
    pub remote_id: String,
    pub handle: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
    /// Whether tribune holds a copy of the avatar (served at `…/channels/{id}/avatar`).
    pub has_avatar: bool,
    /// Comma-separated capability names, as the connector declared them when last connected.
    #[serde(skip)]
    pub capabilities: String,
    pub state: ChannelState,
    /// Why the channel broke, in the network's words (plain text).
    pub state_message: String,
    pub state_changed_at: i64,
    pub token_expires_at: Option<i64>,
    pub rate_limited_until: Option<i64>,
    /// Unused since the inbox keeps its cursors in `inbox_cursors` (migration 0021): writing
    /// a channel row invalidates the read cache, and ingestion moves a cursor every minute.
    #[serde(skip)]
    pub inbox_cursor: Option<String>,
    pub last_checked_at: Option<i64>,
    /// How the last credentials check ended: `ok`, `refused`, `unreachable`, `rate_limited`.
    pub last_check_result: Option<String>,
    /// What the channel's server announces about posts (a Mastodon instance's limits).
    pub limits: ChannelLimits,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The limits a channel's server announced for its posts, read when the channel is connected
/// or checked (Mastodon's `configuration.statuses`). `None`: not announced, the network's
/// default applies. The connector has already refused absurd values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChannelLimits {
    pub max_characters: Option<u32>,
    pub characters_reserved_per_url: Option<u32>,
    pub max_media_attachments: Option<u32>,
}

/// A stored figure; one that does not fit (written by hand in the database) is no figure.
fn stored_limit(value: Option<i64>) -> Option<u32> {
    value.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0)
}

impl Channel {
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace_id
    }

    pub fn key(&self) -> ChannelKey {
        ChannelKey {
            workspace: self.workspace_id,
            id: self.id,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ChannelRow {
    id: ChannelId,
    workspace_id: WorkspaceId,
    network: String,
    remote_id: String,
    handle: String,
    display_name: String,
    avatar_url: Option<String>,
    profile_url: Option<String>,
    avatar_type: Option<String>,
    capabilities: String,
    state: String,
    state_message: String,
    state_changed_at: i64,
    token_expires_at: Option<i64>,
    rate_limited_until: Option<i64>,
    inbox_cursor: Option<String>,
    last_checked_at: Option<i64>,
    last_check_result: Option<String>,
    max_characters: Option<i64>,
    characters_reserved_per_url: Option<i64>,
    max_media_attachments: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl From<ChannelRow> for Channel {
    fn from(row: ChannelRow) -> Self {
        Channel {
            id: row.id,
            workspace_id: row.workspace_id,
            network: row.network,
            remote_id: row.remote_id,
            handle: row.handle,
            display_name: row.display_name,
            avatar_url: row.avatar_url,
            profile_url: row.profile_url,
            has_avatar: row.avatar_type.is_some(),
            capabilities: row.capabilities,
            state: ChannelState::parse(&row.state),
            state_message: row.state_message,
            state_changed_at: row.state_changed_at,
            token_expires_at: row.token_expires_at,
            rate_limited_until: row.rate_limited_until,
            inbox_cursor: row.inbox_cursor,
            last_checked_at: row.last_checked_at,
            last_check_result: row.last_check_result,
            limits: ChannelLimits {
                max_characters: stored_limit(row.max_characters),
                characters_reserved_per_url: stored_limit(row.characters_reserved_per_url),
                max_media_attachments: stored_limit(row.max_media_attachments),
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

const CHANNEL_COLUMNS: [Channels; 23] = [
    Channels::Id,
    Channels::WorkspaceId,
    Channels::Network,
    Channels::RemoteId,
    Channels::Handle,
    Channels::DisplayName,
    Channels::AvatarUrl,
    Channels::ProfileUrl,
    Channels::AvatarType,
    Channels::Capabilities,
    Channels::State,
    Channels::StateMessage,
    Channels::StateChangedAt,
    Channels::TokenExpiresAt,
    Channels::RateLimitedUntil,
    Channels::InboxCursor,
    Channels::LastCheckedAt,
    Channels::LastCheckResult,
    Channels::MaxCharacters,
    Channels::CharactersReservedPerUrl,
    Channels::MaxMediaAttachments,
    Channels::CreatedAt,
    Channels::UpdatedAt,
];

/// Identifies one channel of one workspace, for the bookkeeping after a connector call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelKey {
    workspace: WorkspaceId,
    id: ChannelId,
}

impl ChannelKey {
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    pub fn id(&self) -> ChannelId {
        self.id
    }
}

/// A verified account to connect (or reconnect: the same network account in the same workspace
/// finds its channel again, history included).
#[derive(Debug, Clone)]
pub struct ChannelNew {
    pub network: String,
    pub remote_id: String,
    pub handle: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub profile_url: Option<String>,
    /// The avatar's bytes and media type, already checked.
    pub avatar: Option<(Vec<u8>, String)>,
    pub capabilities: String,
    pub sealed_credentials: String,
    pub token_expires_at: Option<i64>,
}

/// A channel's sealed credentials with what the background refresh needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealedChannel {
    workspace_id: WorkspaceId,
    id: ChannelId,
    /// Sealed JSON; `None` once disconnected.
    pub credentials: Option<String>,
    pub rate_limited_until: Option<i64>,
}

impl SealedChannel {
    pub fn id(&self) -> ChannelId {
        self.id
    }

    pub fn key(&self) -> ChannelKey {
        ChannelKey {
            workspace: self.workspace_id,
            id: self.id,
        }
    }
}

/// Longest text kept from a network's error message.
const MAX_STATE_MESSAGE: usize = 500;

fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn select_channels() -> SelectStatement {
    Query::select()
        .columns(CHANNEL_COLUMNS)
        .from(Channels::Table)
        .to_owned()
}

/// What opening a channel's connector needs.
fn select_sealed() -> SelectStatement {
    Query::select()
        .columns([
            Channels::WorkspaceId,
            Channels::Id,
            Channels::Credentials,
            Channels::RateLimitedUntil,
        ])
        .from(Channels::Table)
        .to_owned()
}

/// A channel with its sealed credentials, read in one query.
#[derive(sqlx::FromRow)]
struct ChannelWithCredentials {
    #[sqlx(flatten)]
    row: ChannelRow,
    credentials: Option<String>,
}

/// The workspace's channels among `ids`, each with its sealed credentials (the publisher reads
/// them with the attempts it starts, in their transaction), in one query.
pub(crate) async fn channels_for_publish(
    conn: &mut crate::db::Conn<'_>,
    workspaces: &[i64],
    ids: &[i64],
) -> Result<Vec<(Channel, SealedChannel)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ChannelWithCredentials> = conn
        .fetch_all(
            &select_channels()
                .column(Channels::Credentials)
                .and_where(in_list(Channels::WorkspaceId, workspaces))
                .and_where(in_list(Channels::Id, ids))
                .to_owned(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|ChannelWithCredentials { row, credentials }| {
            let sealed = SealedChannel {
                workspace_id: row.workspace_id,
                id: row.id,
                credentials,
                rate_limited_until: row.rate_limited_until,
            };
            (Channel::from(row), sealed)
        })
        .collect())
}

impl Store {
    /// Connects a verified account, or reconnects it if this workspace had it before: the
    /// channel keeps its id (and so its history), gets the new credentials and becomes active.
    pub async fn connect_channel(
        &self,
        scope: &WorkspaceScope,
        new: ChannelNew,
        now: i64,
    ) -> Result<Channel, StoreError> {
        scope.require(Role::can_manage_channels)?;
        let (avatar, avatar_type) = split_avatar(new.avatar);
        let mut tx = self.db.begin().await?;
        let row: ChannelRow = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(Channels::Table)
                    .columns([
                        Channels::WorkspaceId,
                        Channels::Network,
                        Channels::RemoteId,
                        Channels::Handle,
                        Channels::DisplayName,
                        Channels::AvatarUrl,
                        Channels::ProfileUrl,
                        Channels::Avatar,
                        Channels::AvatarType,
                        Channels::Capabilities,
                        Channels::Credentials,
                        Channels::State,
                        Channels::StateMessage,
                        Channels::StateChangedAt,
                        Channels::TokenExpiresAt,
                        Channels::RateLimitedUntil,
                        Channels::ConnectedBy,
                        Channels::LastCheckedAt,
                        Channels::CreatedAt,
                        Channels::UpdatedAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        new.network.into(),
                        new.remote_id.into(),
                        bounded(&new.handle, 300).into(),
                        bounded(&new.display_name, 300).into(),
                        new.avatar_url.into(),
                        new.profile_url.into(),
                        avatar.into(),
                        avatar_type.into(),
                        new.capabilities.into(),
                        new.sealed_credentials.into(),
                        ChannelState::Active.as_str().into(),
                        "".into(),
                        now.into(),
                        new.token_expires_at.into(),
                        Option::<i64>::None.into(),
                        scope.user().map(|u| u.0).into(),
                        now.into(),
                        now.into(),
                        now.into(),
                    ])?
                    .on_conflict(
                        OnConflict::columns([
                            Channels::WorkspaceId,
                            Channels::Network,
                            Channels::RemoteId,
                        ])
                        .update_columns([
                            Channels::Handle,
                            Channels::DisplayName,
                            Channels::AvatarUrl,
                            Channels::ProfileUrl,
                            Channels::Capabilities,
                            Channels::Credentials,
                            Channels::State,
                            Channels::StateMessage,
                            Channels::StateChangedAt,
                            Channels::TokenExpiresAt,
                            Channels::RateLimitedUntil,
                            Channels::ConnectedBy,
                            Channels::LastCheckedAt,
                            Channels::UpdatedAt,
                        ])
                        // A reconnection whose avatar could not be fetched keeps the old one.
                        .values([
                            (
                                Channels::Avatar,
                                Expr::cust("COALESCE(excluded.avatar, channels.avatar)"),
                            ),
                            (
                                Channels::AvatarType,
                                Expr::cust("COALESCE(excluded.avatar_type, channels.avatar_type)"),
                            ),
                        ])
                        .to_owned(),
                    )
                    .returning(Query::returning().columns(CHANNEL_COLUMNS))
                    .to_owned(),
            )
            .await?;
        resolve_channel_notifications(&mut tx, scope.workspace(), row.id, now).await?;
        if crate::inbox::reads_inbox(&row.capabilities) {
            // Its comments and mentions are fetched at once, not at the scheduler's next pass.
            crate::jobs::enqueue(
                &mut tx.conn(),
                &crate::inbox::fetch_job(scope.workspace(), row.id, now),
                crate::jobs::OnDuplicate::Replace,
                now,
            )
            .await?;
            tx.notify(crate::jobs::NOTIFY_CHANNEL).await?;
        }
        tx.commit().await?;
        Ok(row.into())
    }

    /// The workspace's channels, connected ones first.
    pub async fn channels(&self, scope: &WorkspaceScope) -> Result<Vec<Channel>, StoreError> {
        let rows: Vec<ChannelRow> = self
            .db
            .fetch_all(
                &select_channels()
                    .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                    .order_by(Channels::Id, Order::Asc)
                    .limit(1000)
                    .to_owned(),
            )
            .await?;
        let mut channels: Vec<Channel> = rows.into_iter().map(Channel::from).collect();
        channels.sort_by_key(|c| c.state == ChannelState::Disconnected);
        Ok(channels)
    }

    pub async fn channel(
        &self,
        scope: &WorkspaceScope,
        id: ChannelId,
    ) -> Result<Channel, StoreError> {
        let row: ChannelRow = self
            .db
            .fetch_optional(
                &select_channels()
                    .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Channels::Id).eq(id.0))
                    .to_owned(),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.into())
    }

    /// The sealed credentials of a channel the caller may use (any member: publishing and the
    /// inbox go through channels; managing them is checked elsewhere).
    pub async fn channel_credentials(
        &self,
        scope: &WorkspaceScope,
        id: ChannelId,
    ) -> Result<SealedChannel, StoreError> {
        self.db
            .fetch_optional(
                &select_sealed()
                    .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Channels::Id).eq(id.0))
                    .to_owned(),
            )
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Disconnects a channel: its credentials are erased, its history stays, and connecting the
    /// same account again brings it back.
    pub async fn disconnect_channel(
        &self,
        scope: &WorkspaceScope,
        id: ChannelId,
        now: i64,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_manage_channels)?;
        let mut tx = self.db.begin().await?;
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(Channels::Table)
                    .values([
                        (Channels::Credentials, Option::<String>::None.into()),
                        (Channels::State, ChannelState::Disconnected.as_str().into()),
                        (Channels::StateMessage, "".into()),
                        (Channels::StateChangedAt, now.into()),
                        (Channels::TokenExpiresAt, Option::<i64>::None.into()),
                        (Channels::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Channels::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        resolve_channel_notifications(&mut tx, scope.workspace(), id, now).await?;
        tx.commit().await
    }

    /// Marks an active channel broken with the network's message and notifies the team, once:
    /// returns whether this call broke it. Only if the channel still holds the credentials the
    /// failed call used (`used`): a channel reconnected or disconnected meanwhile, or already
    /// broken, is left as it is.
    pub async fn mark_channel_broken(
        &self,
        key: ChannelKey,
        used: &str,
        message: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let message = bounded(message, MAX_STATE_MESSAGE);
        let mut tx = self.db.begin().await?;
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(Channels::Table)
                    .values([
                        (Channels::State, ChannelState::Broken.as_str().into()),
                        (Channels::StateMessage, message.clone().into()),
                        (Channels::StateChangedAt, now.into()),
                        (Channels::LastCheckedAt, now.into()),
                        (Channels::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(Channels::WorkspaceId).eq(key.workspace.0))
                    .and_where(Expr::col(Channels::Id).eq(key.id.0))
                    .and_where(Expr::col(Channels::State).eq(ChannelState::Active.as_str()))
                    .and_where(Expr::col(Channels::Credentials).eq(used))
                    .to_owned(),
            )
            .await?;
        if changed == 1 {
            notify_channel_broken(&mut tx, key.workspace, key.id, &message, now).await?;
            audit::record(
                &mut tx.conn(),
                Some(key.workspace),
                Actor::System("channel-check"),
                &AuditEvent::new("channel.broken", "channel", key.id.0)
                    .with("message", message.as_str()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Stores credentials a connector refreshed in place of those it started from (`used`);
    /// returns false, changing nothing, if the channel was reconnected or disconnected meanwhile.
    pub async fn update_channel_credentials(
        &self,
        key: ChannelKey,
        used: &str,
        sealed_credentials: &str,
        token_expires_at: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .db
            .execute(
                &Query::update()
                    .table(Channels::Table)
                    .values([
                        (Channels::Credentials, sealed_credentials.into()),
                        (Channels::TokenExpiresAt, token_expires_at.into()),
                        (Channels::LastCheckedAt, now.into()),
                        (Channels::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(Channels::WorkspaceId).eq(key.workspace.0))
                    .and_where(Expr::col(Channels::Id).eq(key.id.0))
                    .and_where(Expr::col(Channels::Credentials).eq(used))
                    .to_owned(),
            )
            .await?;
        Ok(changed == 1)
    }

    /// Remembers until when the network asked this channel to slow down (`None`: not limited).
    pub async fn set_channel_rate_limit(
        &self,
        key: ChannelKey,
        until: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.update_channel(key, vec![(Channels::RateLimitedUntil, until.into())], now)
            .await
    }

    /// Refreshes the profile shown for a channel after a successful check.
    pub async fn update_channel_profile(
        &self,
        key: ChannelKey,
        handle: &str,
        display_name: &str,
        avatar_url: Option<&str>,
        avatar: Option<(Vec<u8>, String)>,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut values = vec![
            (Channels::Handle, bounded(handle, 300).into()),
            (Channels::DisplayName, bounded(display_name, 300).into()),
            (Channels::AvatarUrl, avatar_url.map(str::to_string).into()),
            (Channels::LastCheckedAt, now.into()),
        ];
        // A failed fetch keeps the avatar we had.
        if let Some((bytes, media_type)) = avatar {
            values.push((Channels::Avatar, bytes.into()));
            values.push((Channels::AvatarType, media_type.into()));
        }
        self.update_channel(key, values, now).await
    }

    /// Stores the limits the channel's server announced (see [`ChannelLimits`]), replacing
    /// those read before.
    pub async fn set_channel_limits(
        &self,
        key: ChannelKey,
        limits: ChannelLimits,
        now: i64,
    ) -> Result<(), StoreError> {
        let value = |n: Option<u32>| sea_query::Expr::from(n.map(i64::from));
        self.update_channel(
            key,
            vec![
                (Channels::MaxCharacters, value(limits.max_characters)),
                (
                    Channels::CharactersReservedPerUrl,
                    value(limits.characters_reserved_per_url),
                ),
                (
                    Channels::MaxMediaAttachments,
                    value(limits.max_media_attachments),
                ),
            ],
            now,
        )
        .await
    }

    /// Stores what the channel's connector declares it can do, as `connect_channel` did: a
    /// check refreshes it, so a channel connected before tribune learned a capability (video)
    /// offers it once checked.
    pub async fn set_channel_capabilities(
        &self,
        key: ChannelKey,
        capabilities: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.update_channel(
            key,
            vec![(Channels::Capabilities, bounded(capabilities, 2_000).into())],
            now,
        )
        .await
    }

    /// The avatar tribune keeps for a channel, with its media type.
    pub async fn channel_avatar(
        &self,
        scope: &WorkspaceScope,
        id: ChannelId,
    ) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct AvatarRow {
            avatar: Option<Vec<u8>>,
            avatar_type: Option<String>,
        }
        let row: Option<AvatarRow> = self
            .db
            .fetch_optional(
                &Query::select()
                    .columns([Channels::Avatar, Channels::AvatarType])
                    .from(Channels::Table)
                    .and_where(Expr::col(Channels::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(Channels::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        Ok(row.and_then(|r| r.avatar.zip(r.avatar_type)))
    }

    async fn update_channel(
        &self,
        key: ChannelKey,
        mut values: Vec<(Channels, sea_query::Expr)>,
        now: i64,
    ) -> Result<(), StoreError> {
        values.push((Channels::UpdatedAt, now.into()));
        self.db
            .execute_some(
                &Query::update()
                    .table(Channels::Table)
                    .values(values)
                    .and_where(Expr::col(Channels::WorkspaceId).eq(key.workspace.0))
                    .and_where(Expr::col(Channels::Id).eq(key.id.0))
                    .to_owned(),
            )
            .await
    }

    /// Claims up to `limit` active channels whose credentials were not checked in the last
    /// `every` seconds, for the background check, each with a scope acting as the system task
    /// `channel-check` in the channel's own workspace. A channel is claimed by moving its
    /// `last_checked_at` with a conditional update, so two nodes never check the same one.
    pub async fn claim_channels_due_for_check(
        &self,
        now: i64,
        every: i64,
        limit: u64,
    ) -> Result<Vec<(WorkspaceScope, ChannelId)>, StoreError> {
        let stale = || {
            sea_query::Cond::any()
                .add(Expr::col(Channels::LastCheckedAt).is_null())
                .add(Expr::col(Channels::LastCheckedAt).lt(now - every))
        };
        let due: Vec<(WorkspaceId, ChannelId)> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns([Channels::WorkspaceId, Channels::Id])
                    .from(Channels::Table)
                    .and_where(Expr::col(Channels::State).eq(ChannelState::Active.as_str()))
                    .cond_where(stale())
                    .order_by_expr(Expr::col(Channels::LastCheckedAt).if_null(0), Order::Asc)
                    .limit(limit)
                    .to_owned(),
            )
            .await?;
        let mut claimed = Vec::new();
        for (workspace, id) in due {
            let won = self
                .db
                .execute(
                    &Query::update()
                        .table(Channels::Table)
                        .values([(Channels::LastCheckedAt, now.into())])
                        .and_where(Expr::col(Channels::WorkspaceId).eq(workspace.0))
                        .and_where(Expr::col(Channels::Id).eq(id.0))
                        .cond_where(stale())
                        .to_owned(),
                )
                .await?;
            if won == 1 {
                claimed.push((WorkspaceScope::system(workspace, "channel-check"), id));
            }
        }
        Ok(claimed)
    }

    /// Records when a channel's credentials were checked and how it ended, failed checks too.
    pub async fn record_channel_check(
        &self,
        key: ChannelKey,
        result: &'static str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.update_channel(
            key,
            vec![
                (Channels::LastCheckedAt, now.into()),
                (Channels::LastCheckResult, result.into()),
            ],
            now,
        )
        .await
    }

    /// Active channels whose token expires before `before`, for the background refresh. This
    /// crosses workspaces on purpose: it is the system's job, not a member's request.
    pub async fn channels_with_tokens_expiring(
        &self,
        before: i64,
        limit: u64,
    ) -> Result<Vec<SealedChannel>, StoreError> {
        self.db
            .fetch_all(
                &select_sealed()
                    .and_where(Expr::col(Channels::State).eq(ChannelState::Active.as_str()))
                    .and_where(Expr::col(Channels::TokenExpiresAt).lt(before))
                    .order_by(Channels::TokenExpiresAt, Order::Asc)
                    .limit(limit)
                    .to_owned(),
            )
            .await
    }
}

fn split_avatar(avatar: Option<(Vec<u8>, String)>) -> (Option<Vec<u8>>, Option<String>) {
    match avatar {
        Some((bytes, media_type)) => (Some(bytes), Some(media_type)),
        None => (None, None),
    }
}
