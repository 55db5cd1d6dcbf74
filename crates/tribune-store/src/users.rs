//! Accounts: creation (first-run owner, invitation, command line), login data, preferences, TOTP.

use crate::schema::{InstanceSetup, Users};
use crate::{Conflict, Refusal};
use crate::{Store, StoreError, unix_now};
use sea_query::{Expr, ExprTrait, Query};
use tribune_domain::security::password::hash_password;
use tribune_domain::user::UserNew;
use tribune_domain::{Lang, UserId};

/// An account as the rest of tribune sees it (no secrets).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub locale: Option<String>,
    pub is_admin: bool,
    pub totp_enabled: bool,
    pub created_at: i64,
}

impl User {
    pub fn user_id(&self) -> UserId {
        self.id
    }

    pub fn lang(&self) -> Option<Lang> {
        self.locale.as_deref().and_then(Lang::from_tag)
    }
}

/// What login needs: the hash and the TOTP seed (sealed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub disabled_at: Option<i64>,
}

const USER_COLUMNS: [Users; 7] = [
    Users::Id,
    Users::Email,
    Users::Name,
    Users::Locale,
    Users::IsAdmin,
    Users::TotpEnabled,
    Users::CreatedAt,
];

impl Store {
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = self
            .db
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(Users::Id).count())
                    .from(Users::Table)
                    .to_owned(),
            )
            .await?;
        Ok(n)
    }

    /// Whether first-run setup has been done (an owner exists).
    pub async fn is_set_up(&self) -> Result<bool, StoreError> {
        let row: Option<(i64,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column(InstanceSetup::Id)
                    .from(InstanceSetup::Table)
                    .to_owned(),
            )
            .await?;
        Ok(row.is_some())
    }

    /// Creates an account from the command line (the operator's staff): it may create
    /// workspaces. Accounts that arrive through an invitation may not until an admin allows
    /// them. The password is hashed here, so no caller can store it in clear.
    pub async fn create_user(&self, new: &UserNew, is_admin: bool) -> Result<User, StoreError> {
        let mut tx = self.db.begin().await?;
        let user = insert_user(&mut tx.conn(), new, is_admin).await?;
        tx.conn()
            .execute(
                &Query::update()
                    .table(Users::Table)
                    .values([(Users::CanCreateWorkspaces, true.into())])
                    .and_where(Expr::col(Users::Id).eq(user.id.0))
                    .to_owned(),
            )
            .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// First-run setup: creates the instance's owner, once. A second call (or a concurrent one on
    /// another node) fails with `Refused(Refusal::SetupDone)` and writes nothing.
    pub async fn create_first_owner(&self, new: &UserNew) -> Result<User, StoreError> {
        let mut tx = self.db.begin().await?;
        let user = insert_user(&mut tx.conn(), new, true).await?;
        let claim = Query::insert()
            .into_table(InstanceSetup::Table)
            .columns([InstanceSetup::Id, InstanceSetup::UserId, InstanceSetup::At])
            .values([1.into(), user.id.0.into(), unix_now().into()])?
            .to_owned();
        match tx.conn().execute(&claim).await {
            Ok(_) => {}
            Err(StoreError::Conflict(_)) => return Err(StoreError::Refused(Refusal::SetupDone)),
            Err(e) => return Err(e),
        }
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user(&self, id: UserId) -> Result<User, StoreError> {
        self.db
            .fetch_one(
                &Query::select()
                    .columns(USER_COLUMNS)
                    .from(Users::Table)
                    .and_where(Expr::col(Users::Id).eq(id.0))
                    .to_owned(),
            )
            .await
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        self.db
            .fetch_optional(
                &Query::select()
                    .columns(USER_COLUMNS)
                    .from(Users::Table)
                    .and_where(Expr::col(Users::Email).eq(email.trim().to_lowercase()))
                    .to_owned(),
            )
            .await
    }

    pub async fn credentials_by_email(
        &self,
        email: &str,
    ) -> Result<Option<Credentials>, StoreError> {
        self.credentials(Expr::col(Users::Email).eq(email.trim().to_lowercase()))
            .await
    }

    pub async fn credentials_by_id(&self, id: UserId) -> Result<Credentials, StoreError> {
        self.credentials(Expr::col(Users::Id).eq(id.0))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn credentials(&self, filter: Expr) -> Result<Option<Credentials>, StoreError> {
        self.db
            .fetch_optional(
                &Query::select()
                    .columns([
                        Users::Id,
                        Users::PasswordHash,
                        Users::TotpSecret,
                        Users::TotpEnabled,
                        Users::DisabledAt,
                    ])
                    .from(Users::Table)
                    .and_where(filter)
                    .to_owned(),
            )
            .await
    }

    /// Replaces the password (already validated by the caller's policy check).
    pub async fn set_password(&self, id: UserId, password: &str) -> Result<(), StoreError> {
        let hash = hash_off_thread(password).await?;
        self.update_user(id, [(Users::PasswordHash, hash.into())])
            .await
    }

    pub async fn set_locale(&self, id: UserId, lang: Option<Lang>) -> Result<(), StoreError> {
        self.update_user(
            id,
            [(Users::Locale, lang.map(|l| l.code().to_owned()).into())],
        )
        .await
    }

    pub async fn set_name(&self, id: UserId, name: &str) -> Result<(), StoreError> {
        self.update_user(id, [(Users::Name, name.into())]).await
    }

    /// Stores a sealed TOTP seed awaiting confirmation (2FA stays off until a code is checked).
    pub async fn set_pending_totp(&self, id: UserId, sealed: &str) -> Result<(), StoreError> {
        self.update_user(
            id,
            [
                (Users::TotpSecret, sealed.into()),
                (Users::TotpEnabled, false.into()),
            ],
        )
        .await
    }

    /// Records that the TOTP code of `step` was used. Only a step later than the last one used
    /// is accepted, atomically, so a code cannot be replayed, even on another node.
    pub async fn claim_totp_step(&self, id: UserId, step: u64) -> Result<bool, StoreError> {
        let step = i64::try_from(step).map_err(|_| StoreError::Refused(Refusal::TotpWrong))?;
        let claimed = self
            .db
            .execute(
                &Query::update()
                    .table(Users::Table)
                    .values([(Users::TotpLastStep, step.into())])
                    .and_where(Expr::col(Users::Id).eq(id.0))
                    .cond_where(
                        sea_query::Cond::any()
                            .add(Expr::col(Users::TotpLastStep).is_null())
                            .add(Expr::col(Users::TotpLastStep).lt(step)),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(claimed == 1)
    }

    pub async fn enable_totp(&self, id: UserId) -> Result<(), StoreError> {
        self.update_user(id, [(Users::TotpEnabled, true.into())])
            .await
    }

    /// Turns two-factor authentication off and deletes the recovery codes with the seed.
    pub async fn disable_totp(&self, id: UserId) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let updated = tx
            .conn()
            .execute(
                &Query::update()
                    .table(Users::Table)
                    .values([
                        (Users::TotpEnabled, false.into()),
                        (Users::TotpSecret, Option::<String>::None.into()),
                    ])
                    .and_where(Expr::col(Users::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        tx.conn()
            .execute(&crate::recovery_codes::delete_all(id))
            .await?;
        tx.commit().await
    }

    async fn update_user<const N: usize>(
        &self,
        id: UserId,
        values: [(Users, sea_query::Value); N],
    ) -> Result<(), StoreError> {
        self.db
            .execute_some(
                &Query::update()
                    .table(Users::Table)
                    .values(values.map(|(c, v)| (c, Expr::val(v))))
                    .and_where(Expr::col(Users::Id).eq(id.0))
                    .to_owned(),
            )
            .await
    }
}

pub(crate) async fn insert_user(
    conn: &mut crate::db::Conn<'_>,
    new: &UserNew,
    is_admin: bool,
) -> Result<User, StoreError> {
    let hash = hash_off_thread(&new.password).await?;
    let stmt = Query::insert()
        .into_table(Users::Table)
        .columns([
            Users::Email,
            Users::Name,
            Users::PasswordHash,
            Users::IsAdmin,
            Users::CreatedAt,
        ])
        .values([
            new.email.clone().into(),
            new.name.clone().into(),
            hash.into(),
            is_admin.into(),
            unix_now().into(),
        ])?
        .returning(Query::returning().columns(USER_COLUMNS))
        .to_owned();
    match conn.fetch_one(&stmt).await {
        Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(Conflict::EmailTaken)),
        other => other,
    }
}

/// Argon2 takes tens of milliseconds of CPU: it runs on the blocking pool, never on the async
/// workers that serve other requests.
pub(crate) async fn hash_off_thread(password: &str) -> Result<String, StoreError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(StoreError::failed("password hashing"))?
        .map_err(StoreError::failed("password hashing"))
}
