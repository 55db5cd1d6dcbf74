//! OAuth bookkeeping: app registrations per server (Mastodon registers one app per instance)
//! and the short-lived state of an authorisation in progress.

use crate::schema::{OauthApps, OauthStates};
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use tribune_domain::security::token::token_digest;
use tribune_domain::{Role, UserId, WorkspaceId};

/// How long a user has to come back from the network's consent page.
pub const OAUTH_STATE_TTL_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OauthApp {
    pub client_id: String,
    /// Sealed.
    pub client_secret: String,
}

/// An authorisation in progress, taken (and so consumed) when the user comes back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OauthState {
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    pub network: String,
    pub server: String,
    /// Sealed PKCE verifier.
    pub verifier: String,
    pub expires_at: i64,
}

impl OauthState {
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace_id
    }

    pub fn user(&self) -> UserId {
        self.user_id
    }
}

impl Store {
    pub async fn oauth_app(
        &self,
        network: &str,
        server: &str,
        redirect_uri: &str,
    ) -> Result<Option<OauthApp>, StoreError> {
        self.db
            .fetch_optional(
                &Query::select()
                    .columns([OauthApps::ClientId, OauthApps::ClientSecret])
                    .from(OauthApps::Table)
                    .and_where(Expr::col(OauthApps::Network).eq(network))
                    .and_where(Expr::col(OauthApps::Server).eq(server))
                    .and_where(Expr::col(OauthApps::RedirectUri).eq(redirect_uri))
                    .to_owned(),
            )
            .await
    }

    /// Keeps an app registration; if another node registered one meanwhile, the first stays.
    pub async fn save_oauth_app(
        &self,
        network: &str,
        server: &str,
        redirect_uri: &str,
        app: &OauthApp,
        now: i64,
    ) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::insert()
                    .into_table(OauthApps::Table)
                    .columns([
                        OauthApps::Network,
                        OauthApps::Server,
                        OauthApps::RedirectUri,
                        OauthApps::ClientId,
                        OauthApps::ClientSecret,
                        OauthApps::CreatedAt,
                    ])
                    .values([
                        network.into(),
                        server.into(),
                        redirect_uri.into(),
                        app.client_id.clone().into(),
                        app.client_secret.clone().into(),
                        now.into(),
                    ])?
                    .on_conflict(
                        OnConflict::columns([
                            OauthApps::Network,
                            OauthApps::Server,
                            OauthApps::RedirectUri,
                        ])
                        .do_nothing()
                        .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// Forgets a registration the server no longer knows (it answered `invalid_client`).
    pub async fn forget_oauth_app(
        &self,
        network: &str,
        server: &str,
        redirect_uri: &str,
    ) -> Result<(), StoreError> {
        self.db
            .execute(
                &Query::delete()
                    .from_table(OauthApps::Table)
                    .and_where(Expr::col(OauthApps::Network).eq(network))
                    .and_where(Expr::col(OauthApps::Server).eq(server))
                    .and_where(Expr::col(OauthApps::RedirectUri).eq(redirect_uri))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// Records an authorisation a manager is starting; `state` is the random value sent to the
    /// network, stored only as a digest.
    pub async fn begin_oauth(
        &self,
        scope: &WorkspaceScope,
        state: &str,
        network: &str,
        server: &str,
        sealed_verifier: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_manage_channels)?;
        self.db
            .execute(
                &Query::insert()
                    .into_table(OauthStates::Table)
                    .columns([
                        OauthStates::StateHash,
                        OauthStates::WorkspaceId,
                        OauthStates::UserId,
                        OauthStates::Network,
                        OauthStates::Server,
                        OauthStates::Verifier,
                        OauthStates::CreatedAt,
                        OauthStates::ExpiresAt,
                    ])
                    .values([
                        token_digest(state).into(),
                        scope.workspace().0.into(),
                        scope.member()?.0.into(),
                        network.into(),
                        server.into(),
                        sealed_verifier.into(),
                        now.into(),
                        (now + OAUTH_STATE_TTL_SECS).into(),
                    ])?
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// Takes the authorisation `state` designates, once: a replayed or expired state finds
    /// nothing. Also sweeps expired states.
    pub async fn take_oauth_state(
        &self,
        state: &str,
        now: i64,
    ) -> Result<Option<OauthState>, StoreError> {
        if state.is_empty() || state.len() > 128 {
            return Ok(None);
        }
        let digest = token_digest(state);
        let mut tx = self.db.begin().await?;
        let found: Option<OauthState> = tx
            .conn()
            .fetch_optional(
                &Query::delete()
                    .from_table(OauthStates::Table)
                    .and_where(Expr::col(OauthStates::StateHash).eq(digest))
                    .returning(Query::returning().columns([
                        OauthStates::WorkspaceId,
                        OauthStates::UserId,
                        OauthStates::Network,
                        OauthStates::Server,
                        OauthStates::Verifier,
                        OauthStates::ExpiresAt,
                    ]))
                    .to_owned(),
            )
            .await?;
        tx.conn()
            .execute(
                &Query::delete()
                    .from_table(OauthStates::Table)
                    .and_where(Expr::col(OauthStates::ExpiresAt).lt(now))
                    .to_owned(),
            )
            .await?;
        tx.commit().await?;
        Ok(found.filter(|s| s.expires_at >= now))
    }
}
