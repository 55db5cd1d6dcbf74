//! The freelance back office's storage (issue #15, migration 0017): a business profile owned by
//! an account, and its clients. A business is not a workspace: it has its own scope,
//! [`BusinessScope`], which only [`Store::business_scope`] and [`Store::create_business`] make,
//! and only for the business's owner, so every call that reads or writes a business's data
//! (its clients today, its money later) is isolated by construction.

use crate::audit::{self, Actor, AuditEvent};
use crate::db::Conn;
use crate::schema::Memberships;
use crate::{Store, StoreError};
use jiff::civil::Date;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use tribune_business::{Category, Periodicity, RateTable, Siren, Siret, TableError, parse_date};
use tribune_domain::UserId;
use tribune_domain::ids::{BusinessClientId, BusinessId};
use tribune_domain::validation::{ValidationError, optional_text, required_line};

#[derive(Iden, Clone, Copy)]
enum Businesses {
    Table,
    Id,
    OwnerId,
    LegalName,
    Address,
    Siret,
    Category,
    ApeCode,
    VatFranchise,
    VersementLiberatoire,
    AcreFrom,
    AcreUntil,
    Periodicity,
    StartedOn,
    RateTable,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
enum BusinessClients {
    Table,
    Id,
    BusinessId,
    Kind,
    Name,
    Address,
    Siren,
    Email,
    WorkspaceId,
    CreatedAt,
    UpdatedAt,
}

/// Proof that the acting account owns a business. Only the store makes one, from the
/// business's own row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessScope {
    business: BusinessId,
    owner: UserId,
}

impl BusinessScope {
    pub fn business(&self) -> BusinessId {
        self.business
    }

    pub fn owner(&self) -> UserId {
        self.owner
    }
}

/// The business profile, typed: a SIRET that passed its key, a known category. The free-text
/// fields are checked by the store (required, length, no control characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessProfile {
    /// The legal name; invoices add the « EI » mention.
    pub legal_name: String,
    pub address: String,
    pub siret: Option<Siret>,
    pub category: Category,
    /// Free text: the codes change with the 2025 nomenclature on 1 January 2027.
    pub ape_code: Option<String>,
    /// Franchise en base de TVA (the default) or VAT charged.
    pub vat_franchise: bool,
    pub versement_liberatoire: bool,
    /// ACRE, first and last day.
    pub acre: Option<(Date, Date)>,
    pub periodicity: Periodicity,
    /// Start of activity: the first declaration and the prorated ceilings follow from it.
    pub started_on: Option<Date>,
}

impl BusinessProfile {
    /// A new profile with the defaults: BNC SSI, VAT franchise, monthly declarations.
    pub fn new(legal_name: impl Into<String>) -> BusinessProfile {
        BusinessProfile {
            legal_name: legal_name.into(),
            address: String::new(),
            siret: None,
            category: Category::BncSsi,
            ape_code: None,
            vat_franchise: true,
            versement_liberatoire: false,
            acre: None,
            periodicity: Periodicity::Monthly,
            started_on: None,
        }
    }

    fn checked(&self) -> Result<BusinessProfile, ValidationError> {
        let mut errors = ValidationError::default();
        let legal_name = required_line(&mut errors, "legal_name", &self.legal_name, 200);
        let address = optional_text(&mut errors, "address", &self.address, 500);
        let ape_code = self
            .ape_code
            .as_deref()
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .map(|code| required_line(&mut errors, "ape_code", code, 20));
        if let Some((from, until)) = self.acre
            && until < from
        {
            errors.push("acre_until", "error-date-order");
        }
        errors.into_result()?;
        Ok(BusinessProfile {
            legal_name,
            address,
            ape_code,
            ..self.clone()
        })
    }
}

/// A stored business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    pub id: BusinessId,
    pub owner: UserId,
    pub profile: BusinessProfile,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct BusinessRow {
    id: BusinessId,
    owner_id: UserId,
    legal_name: String,
    address: String,
    siret: Option<String>,
    category: String,
    ape_code: Option<String>,
    vat_franchise: bool,
    versement_liberatoire: bool,
    acre_from: Option<String>,
    acre_until: Option<String>,
    periodicity: String,
    started_on: Option<String>,
    created_at: i64,
    updated_at: i64,
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Internal(format!("stored {what} {value:?} does not parse"))
}

pub(crate) fn stored_date(what: &str, value: Option<String>) -> Result<Option<Date>, StoreError> {
    value
        .map(|text| parse_date(&text).map_err(|_| corrupt(what, &text)))
        .transpose()
}

impl TryFrom<BusinessRow> for Business {
    type Error = StoreError;

    fn try_from(row: BusinessRow) -> Result<Business, StoreError> {
        let siret = row
            .siret
            .map(|text| text.parse::<Siret>().map_err(|_| corrupt("SIRET", &text)))
            .transpose()?;
        let category = row
            .category
            .parse::<Category>()
            .map_err(|_| corrupt("category", &row.category))?;
        let periodicity = row
            .periodicity
            .parse::<Periodicity>()
            .map_err(|_| corrupt("periodicity", &row.periodicity))?;
        let acre = match (
            stored_date("ACRE start", row.acre_from)?,
            stored_date("ACRE end", row.acre_until)?,
        ) {
            (Some(from), Some(until)) => Some((from, until)),
            _ => None,
        };
        Ok(Business {
            id: row.id,
            owner: row.owner_id,
            profile: BusinessProfile {
                legal_name: row.legal_name,
                address: row.address,
                siret,
                category,
                ape_code: row.ape_code,
                vat_franchise: row.vat_franchise,
                versement_liberatoire: row.versement_liberatoire,
                acre,
                periodicity,
                started_on: stored_date("start of activity", row.started_on)?,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

const BUSINESS_COLUMNS: [Businesses; 15] = [
    Businesses::Id,
    Businesses::OwnerId,
    Businesses::LegalName,
    Businesses::Address,
    Businesses::Siret,
    Businesses::Category,
    Businesses::ApeCode,
    Businesses::VatFranchise,
    Businesses::VersementLiberatoire,
    Businesses::AcreFrom,
    Businesses::AcreUntil,
    Businesses::Periodicity,
    Businesses::StartedOn,
    Businesses::CreatedAt,
    Businesses::UpdatedAt,
];

/// The profile's columns and values, for an insert or an update.
fn profile_values(profile: &BusinessProfile) -> [(Businesses, sea_query::Value); 11] {
    [
        (Businesses::LegalName, profile.legal_name.clone().into()),
        (Businesses::Address, profile.address.clone().into()),
        (
            Businesses::Siret,
            profile.siret.as_ref().map(|s| s.as_str().to_owned()).into(),
        ),
        (Businesses::Category, profile.category.as_str().into()),
        (Businesses::ApeCode, profile.ape_code.clone().into()),
        (Businesses::VatFranchise, profile.vat_franchise.into()),
        (
            Businesses::VersementLiberatoire,
            profile.versement_liberatoire.into(),
        ),
        (
            Businesses::AcreFrom,
            profile.acre.map(|(from, _)| from.to_string()).into(),
        ),
        (
            Businesses::AcreUntil,
            profile.acre.map(|(_, until)| until.to_string()).into(),
        ),
        (Businesses::Periodicity, profile.periodicity.as_str().into()),
        (
            Businesses::StartedOn,
            profile.started_on.map(|d| d.to_string()).into(),
        ),
    ]
}

/// B2B or consumer: decides the invoice mentions (client SIREN, the 40 € recovery indemnity).
pub use tribune_business::invoice::ClientKind;

/// A client to create; text fields are checked by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientNew {
    pub kind: ClientKind,
    /// The company name, or the person's name for a consumer.
    pub name: String,
    pub address: String,
    /// Only for business clients (a consumer has none).
    pub siren: Option<Siren>,
    pub email: Option<String>,
    /// The workspace where the work for this client happens; the owner must be a member.
    pub workspace: Option<tribune_domain::WorkspaceId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: BusinessClientId,
    pub business: BusinessId,
    pub kind: ClientKind,
    pub name: String,
    pub address: String,
    pub siren: Option<Siren>,
    pub email: Option<String>,
    pub workspace: Option<tribune_domain::WorkspaceId>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: BusinessClientId,
    business_id: BusinessId,
    kind: String,
    name: String,
    address: String,
    siren: Option<String>,
    email: Option<String>,
    workspace_id: Option<tribune_domain::WorkspaceId>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ClientRow> for Client {
    type Error = StoreError;

    fn try_from(row: ClientRow) -> Result<Client, StoreError> {
        Ok(Client {
            id: row.id,
            business: row.business_id,
            kind: row
                .kind
                .parse::<ClientKind>()
                .map_err(|_| corrupt("client kind", &row.kind))?,
            name: row.name,
            address: row.address,
            siren: row
                .siren
                .map(|text| text.parse::<Siren>().map_err(|_| corrupt("SIREN", &text)))
                .transpose()?,
            email: row.email,
            workspace: row.workspace_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

const CLIENT_COLUMNS: [BusinessClients; 10] = [
    BusinessClients::Id,
    BusinessClients::BusinessId,
    BusinessClients::Kind,
    BusinessClients::Name,
    BusinessClients::Address,
    BusinessClients::Siren,
    BusinessClients::Email,
    BusinessClients::WorkspaceId,
    BusinessClients::CreatedAt,
    BusinessClients::UpdatedAt,
];

pub(crate) async fn load_business(
    conn: &mut Conn<'_>,
    scope: &BusinessScope,
) -> Result<Business, StoreError> {
    let row: BusinessRow = conn
        .fetch_optional(
            &Query::select()
                .columns(BUSINESS_COLUMNS)
                .from(Businesses::Table)
                .and_where(Expr::col(Businesses::Id).eq(scope.business.0))
                .and_where(Expr::col(Businesses::OwnerId).eq(scope.owner.0))
                .to_owned(),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    row.try_into()
}

impl Store {
    /// Creates a business owned by `owner`. Only accounts that may create workspaces (the
    /// instance's admins and the people they allowed, never a client) may.
    pub async fn create_business(
        &self,
        owner: UserId,
        profile: &BusinessProfile,
        now: i64,
    ) -> Result<(BusinessScope, Business), StoreError> {
        if !self.may_create_workspaces(owner).await? {
            return Err(StoreError::Forbidden);
        }
        let profile = profile.checked()?;
        let mut tx = self.db.begin().await?;
        let mut columns: Vec<Businesses> = vec![
            Businesses::OwnerId,
            Businesses::CreatedAt,
            Businesses::UpdatedAt,
        ];
        let mut values: Vec<sea_query::Expr> = vec![owner.0.into(), now.into(), now.into()];
        for (column, value) in profile_values(&profile) {
            columns.push(column);
            values.push(value.into());
        }
        let (id,): (BusinessId,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(Businesses::Table)
                    .columns(columns)
                    .values(values)?
                    .returning_col(Businesses::Id)
                    .to_owned(),
            )
            .await?;
        let scope = BusinessScope {
            business: id,
            owner,
        };
        audit::record(
            &mut tx.conn(),
            None,
            Actor::User(owner),
            &AuditEvent::new("business.created", "business", id.0),
        )
        .await?;
        let business = load_business(&mut tx.conn(), &scope).await?;
        tx.commit().await?;
        Ok((scope, business))
    }

    /// The scope of `business` for `user`: only its owner gets one. Anyone else gets
    /// `NotFound`, whether the business exists or not.
    pub async fn business_scope(
        &self,
        user: UserId,
        business: BusinessId,
    ) -> Result<BusinessScope, StoreError> {
        let row: Option<(BusinessId,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column(Businesses::Id)
                    .from(Businesses::Table)
                    .and_where(Expr::col(Businesses::Id).eq(business.0))
                    .and_where(Expr::col(Businesses::OwnerId).eq(user.0))
                    .to_owned(),
            )
            .await?;
        row.map(|_| BusinessScope {
            business,
            owner: user,
        })
        .ok_or(StoreError::NotFound)
    }

    /// The businesses `user` owns, oldest first.
    pub async fn businesses_of(&self, user: UserId) -> Result<Vec<Business>, StoreError> {
        let rows: Vec<BusinessRow> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns(BUSINESS_COLUMNS)
                    .from(Businesses::Table)
                    .and_where(Expr::col(Businesses::OwnerId).eq(user.0))
                    .order_by(Businesses::Id, Order::Asc)
                    .to_owned(),
            )
            .await?;
        rows.into_iter().map(Business::try_from).collect()
    }

    pub async fn business(&self, scope: &BusinessScope) -> Result<Business, StoreError> {
        let mut conn = self.db.acquire().await?;
        load_business(&mut conn.conn(), scope).await
    }

    /// Replaces the profile; the audit names the fields that changed (never their values).
    pub async fn update_business(
        &self,
        scope: &BusinessScope,
        profile: &BusinessProfile,
        now: i64,
    ) -> Result<Business, StoreError> {
        let profile = profile.checked()?;
        let mut tx = self.db.begin().await?;
        let before = load_business(&mut tx.conn(), scope).await?;
        let mut update = Query::update();
        update
            .table(Businesses::Table)
            .value(Businesses::UpdatedAt, now)
            .and_where(Expr::col(Businesses::Id).eq(scope.business.0))
            .and_where(Expr::col(Businesses::OwnerId).eq(scope.owner.0));
        for (column, value) in profile_values(&profile) {
            update.value(column, value);
        }
        tx.conn().execute(&update.to_owned()).await?;
        let after = load_business(&mut tx.conn(), scope).await?;
        let (old, new) = (&before.profile, &after.profile);
        let changes: [(&str, bool); 10] = [
            ("legal_name", old.legal_name != new.legal_name),
            ("address", old.address != new.address),
            ("siret", old.siret != new.siret),
            ("category", old.category != new.category),
            ("ape_code", old.ape_code != new.ape_code),
            ("vat_franchise", old.vat_franchise != new.vat_franchise),
            (
                "versement_liberatoire",
                old.versement_liberatoire != new.versement_liberatoire,
            ),
            ("acre", old.acre != new.acre),
            ("periodicity", old.periodicity != new.periodicity),
            ("started_on", old.started_on != new.started_on),
        ];
        let changed: Vec<&str> = changes
            .iter()
            .filter(|(_, changed)| *changed)
            .map(|(name, _)| *name)
            .collect();
        audit::record(
            &mut tx.conn(),
            None,
            Actor::User(scope.owner),
            &AuditEvent::new("business.updated", "business", scope.business.0)
                .with("fields", changed),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Adds a client. A workspace can be linked only if the owner is a member of it.
    pub async fn create_business_client(
        &self,
        scope: &BusinessScope,
        new: &ClientNew,
        now: i64,
    ) -> Result<Client, StoreError> {
        let mut errors = ValidationError::default();
        let name = required_line(&mut errors, "name", &new.name, 200);
        let address = optional_text(&mut errors, "address", &new.address, 500);
        let email = new
            .email
            .as_deref()
            .map(str::trim)
            .filter(|email| !email.is_empty())
            .map(|email| required_line(&mut errors, "email", email, 254));
        if new.kind == ClientKind::Consumer && new.siren.is_some() {
            errors.push("siren", "error-client-consumer-siren");
        }
        errors.into_result()?;
        let mut tx = self.db.begin().await?;
        // The business must still be the owner's (the scope may outlive a deletion).
        load_business(&mut tx.conn(), scope).await?;
        if let Some(workspace) = new.workspace {
            let member: Option<(String,)> = tx
                .conn()
                .fetch_optional(
                    &Query::select()
                        .column(Memberships::Role)
                        .from(Memberships::Table)
                        .and_where(Expr::col(Memberships::WorkspaceId).eq(workspace.0))
                        .and_where(Expr::col(Memberships::UserId).eq(scope.owner.0))
                        .to_owned(),
                )
                .await?;
            if member.is_none() {
                return Err(StoreError::Forbidden);
            }
        }
        let row: ClientRow = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(BusinessClients::Table)
                    .columns([
                        BusinessClients::BusinessId,
                        BusinessClients::Kind,
                        BusinessClients::Name,
                        BusinessClients::Address,
                        BusinessClients::Siren,
                        BusinessClients::Email,
                        BusinessClients::WorkspaceId,
                        BusinessClients::CreatedAt,
                        BusinessClients::UpdatedAt,
                    ])
                    .values([
                        scope.business.0.into(),
                        new.kind.as_str().into(),
                        name.into(),
                        address.into(),
                        new.siren.as_ref().map(|s| s.as_str().to_owned()).into(),
                        email.into(),
                        new.workspace.map(|w| w.0).into(),
                        now.into(),
                        now.into(),
                    ])?
                    .returning(Query::returning().columns(CLIENT_COLUMNS))
                    .to_owned(),
            )
            .await?;
        let client = Client::try_from(row)?;
        audit::record(
            &mut tx.conn(),
            None,
            Actor::User(scope.owner),
            &AuditEvent::new("business.client_created", "business_client", client.id.0)
                .with("business", scope.business.0),
        )
        .await?;
        tx.commit().await?;
        Ok(client)
    }

    /// The business's clients, by name.
    pub async fn business_clients(&self, scope: &BusinessScope) -> Result<Vec<Client>, StoreError> {
        let rows: Vec<ClientRow> = self
            .db
            .fetch_all(
                &select_clients(scope)
                    .order_by((BusinessClients::Table, BusinessClients::Name), Order::Asc)
                    .order_by((BusinessClients::Table, BusinessClients::Id), Order::Asc)
                    .to_owned(),
            )
            .await?;
        rows.into_iter().map(Client::try_from).collect()
    }

    /// One client of the business; `NotFound` for another business's client.
    pub async fn business_client(
        &self,
        scope: &BusinessScope,
        id: BusinessClientId,
    ) -> Result<Client, StoreError> {
        let row: ClientRow = self
            .db
            .fetch_optional(
                &select_clients(scope)
                    .and_where(Expr::col((BusinessClients::Table, BusinessClients::Id)).eq(id.0))
                    .to_owned(),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    /// The rate table this business's figures come from: the owner's edited copy, or the one
    /// shipped with tribune.
    pub async fn business_rate_table(
        &self,
        scope: &BusinessScope,
    ) -> Result<RateTable, StoreError> {
        match self.business_rate_table_text(scope).await? {
            Some(text) => RateTable::parse(&text)
                .map_err(StoreError::failed("the stored rate table no longer loads")),
            None => RateTable::shipped()
                .cloned()
                .map_err(StoreError::failed("the shipped rate table")),
        }
    }

    /// The owner's edited copy of the rate table, as saved, if any.
    pub async fn business_rate_table_text(
        &self,
        scope: &BusinessScope,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column(Businesses::RateTable)
                    .from(Businesses::Table)
                    .and_where(Expr::col(Businesses::Id).eq(scope.business.0))
                    .and_where(Expr::col(Businesses::OwnerId).eq(scope.owner.0))
                    .to_owned(),
            )
            .await?;
        row.map(|(text,)| text).ok_or(StoreError::NotFound)
    }

    /// Saves the owner's edited rate table (checked first: a table that does not load is
    /// refused with its reason and nothing is saved), or goes back to the shipped one (`None`).
    pub async fn set_business_rate_table(
        &self,
        scope: &BusinessScope,
        text: Option<&str>,
        now: i64,
    ) -> Result<Result<(), TableError>, StoreError> {
        if let Some(text) = text
            && let Err(error) = RateTable::parse(text)
        {
            return Ok(Err(error));
        }
        let mut tx = self.db.begin().await?;
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(Businesses::Table)
                    .value(Businesses::RateTable, text.map(str::to_owned))
                    .value(Businesses::UpdatedAt, now)
                    .and_where(Expr::col(Businesses::Id).eq(scope.business.0))
                    .and_where(Expr::col(Businesses::OwnerId).eq(scope.owner.0))
                    .to_owned(),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &mut tx.conn(),
            None,
            Actor::User(scope.owner),
            &AuditEvent::new("business.rates_changed", "business", scope.business.0)
                .with("edited", text.is_some()),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}

/// The business's clients, only while the scope's owner still owns the business.
fn select_clients(scope: &BusinessScope) -> sea_query::SelectStatement {
    Query::select()
        .columns(CLIENT_COLUMNS.map(|c| (BusinessClients::Table, c)))
        .from(BusinessClients::Table)
        .inner_join(
            Businesses::Table,
            Expr::col((Businesses::Table, Businesses::Id))
                .equals((BusinessClients::Table, BusinessClients::BusinessId)),
        )
        .and_where(
            Expr::col((BusinessClients::Table, BusinessClients::BusinessId)).eq(scope.business.0),
        )
        .and_where(Expr::col((Businesses::Table, Businesses::OwnerId)).eq(scope.owner.0))
        .to_owned()
}
