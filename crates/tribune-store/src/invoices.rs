//! Invoices and credit notes of a business (issue #15, migration 0018), reached only through a
//! [`BusinessScope`]. The rules (lines, totals, the checks of issuing, the mentions) are
//! `tribune_business::invoice`; this module keeps what needs a database:
//!
//! - **Drafts change, issued invoices do not.** Every write to an invoice's content is an
//!   `UPDATE … WHERE status = 'draft'`; an issued one is refused with
//!   [`Refusal::InvoiceIssued`] (the correction is a credit note). Afterwards only its
//!   settlement (status, amount paid, amount credited) moves.
//! - **Gap-free numbers.** Issuing takes the next number of a per-business, per-series,
//!   per-year counter row in the same transaction as the invoice: PostgreSQL holds the row's
//!   lock until commit, SQLite's transactions hold the write lock (`BEGIN IMMEDIATE`), so two
//!   issuers wait for each other and a rolled-back issue gives its number back.
//! - **Frozen parties.** Issuing copies the seller (the business profile) and the client onto
//!   the invoice: later edits of either do not rewrite what was sent.
//!
//! Every change is in the audit trail, in the same transaction.

use crate::audit::{self, Actor, AuditEvent};
use crate::business::{BusinessScope, ClientKind, corrupt, load_business, stored_date};
use crate::db::{Conn, Tx};
use crate::{Refusal, Store, StoreError};
use jiff::civil::Date;
use sea_query::{Expr, ExprTrait, Iden, LockType, OnConflict, Order, Query};
use tribune_business::invoice::{
    Buyer, Checked, Corrected, Document, DocumentKind, Line, Mention, PaymentTerms, Quantity,
    Seller, Series, Settlement, Totals, draft_totals, settlement, totals,
};
use tribune_business::{BasisPoints, Cents, Siren, Siret};
use tribune_domain::ids::{BusinessClientId, BusinessId, InvoiceId, InvoicePaymentId};

pub use tribune_business::invoice::InvoiceError;

#[derive(Iden, Clone, Copy)]
enum Invoices {
    Table,
    Id,
    BusinessId,
    Kind,
    CorrectsId,
    ClientId,
    Status,
    PaymentTermsDays,
    DueOn,
    LatePenaltyBp,
    Series,
    Year,
    Sequence,
    Number,
    IssuedOn,
    SellerName,
    SellerAddress,
    SellerSiret,
    VatFranchise,
    ClientKind,
    ClientName,
    ClientAddress,
    ClientSiren,
    TotalHtCents,
    TotalVatCents,
    TotalTtcCents,
    PaidCents,
    CreditedCents,
    CreatedAt,
    UpdatedAt,
    IssuedAt,
}

#[derive(Iden, Clone, Copy)]
enum InvoiceLines {
    Table,
    BusinessId,
    InvoiceId,
    Position,
    Description,
    QuantityThousandths,
    UnitPriceCents,
    VatBp,
    TotalCents,
}

#[derive(Iden, Clone, Copy)]
enum InvoicePayments {
    Table,
    Id,
    BusinessId,
    InvoiceId,
    ReceivedOn,
    AmountCents,
    Method,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
enum InvoiceCounters {
    Table,
    BusinessId,
    Series,
    Year,
    LastSequence,
    LastIssuedOn,
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
}

/// An invoice, or a credit note correcting one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceKind {
    Invoice,
    CreditNote,
}

impl InvoiceKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    fn parse(text: &str) -> Option<InvoiceKind> {
        match text {
            "invoice" => Some(InvoiceKind::Invoice),
            "credit_note" => Some(InvoiceKind::CreditNote),
            _ => None,
        }
    }
}

/// Where an invoice is: a draft, or issued and then settled (see [`Settlement`]). A credit
/// note stays `Issued`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceStatus {
    Draft,
    Issued,
    PartiallyPaid,
    Paid,
    /// Cancelled in full by credit notes.
    Credited,
}

impl InvoiceStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::PartiallyPaid => "partially_paid",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Credited => "credited",
        }
    }

    fn parse(text: &str) -> Option<InvoiceStatus> {
        [
            InvoiceStatus::Draft,
            InvoiceStatus::Issued,
            InvoiceStatus::PartiallyPaid,
            InvoiceStatus::Paid,
            InvoiceStatus::Credited,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }

    fn of(settled: Settlement) -> InvoiceStatus {
        match settled {
            Settlement::Unpaid => InvoiceStatus::Issued,
            Settlement::PartiallyPaid => InvoiceStatus::PartiallyPaid,
            Settlement::Paid => InvoiceStatus::Paid,
            Settlement::Credited => InvoiceStatus::Credited,
        }
    }
}

/// What a draft invoice says; the store checks the lines (never negative) on every save and
/// everything else when it is issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDraft {
    pub client: BusinessClientId,
    pub lines: Vec<Line>,
    pub terms: PaymentTerms,
    /// The yearly late-penalty rate stated on the invoice.
    pub late_penalty: BasisPoints,
}

/// What issuing fixed: the number, the dates, and the parties as they were that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub number: String,
    pub series: Series,
    pub year: i16,
    pub sequence: u32,
    pub issued_on: Date,
    /// `None` for a credit note.
    pub due_on: Option<Date>,
    pub seller: Seller,
    pub buyer: Buyer,
    pub issued_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: InvoicePaymentId,
    pub received_on: Date,
    pub amount: Cents,
    /// Free text: transfer, cheque, …
    pub method: String,
    pub created_at: i64,
}

/// A payment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNew {
    pub received_on: Date,
    pub amount: Cents,
    pub method: String,
}

/// A stored invoice or credit note, with its lines and payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: InvoiceId,
    pub business: BusinessId,
    pub kind: InvoiceKind,
    /// The invoice a credit note corrects, with its number and issue date.
    pub corrects: Option<(InvoiceId, Corrected)>,
    pub client: BusinessClientId,
    pub status: InvoiceStatus,
    pub terms: PaymentTerms,
    pub late_penalty: BasisPoints,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub paid: Cents,
    /// The credit notes issued against this invoice, TTC.
    pub credited: Cents,
    pub issued: Option<Issued>,
    pub payments: Vec<Payment>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Invoice {
    /// The document as issued, for the templates; `None` for a draft.
    pub fn document(&self) -> Option<Document> {
        let issued = self.issued.as_ref()?;
        let kind = match &self.corrects {
            Some((_, corrected)) => DocumentKind::CreditNote(corrected.clone()),
            None => DocumentKind::Invoice,
        };
        Some(Document {
            kind,
            seller: issued.seller.clone(),
            buyer: issued.buyer.clone(),
            lines: self.lines.clone(),
            issued_on: issued.issued_on,
            terms: self.terms,
            late_penalty: self.late_penalty,
        })
    }

    /// The mandatory mentions of an issued invoice; `None` for a draft.
    pub fn mentions(&self) -> Option<Vec<Mention>> {
        let issued = self.issued.as_ref()?;
        let document = self.document()?;
        let checked = Checked {
            lines: self.lines.clone(),
            totals: self.totals.clone(),
            due_on: issued.due_on,
        };
        Some(document.mentions(&issued.number, &checked))
    }

    /// What is still due.
    pub fn balance(&self) -> Cents {
        tribune_business::invoice::balance(self.totals.total_ttc, self.credited, self.paid)
    }
}

/// One invoice in a list (no lines, no payments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceSummary {
    pub id: InvoiceId,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    pub number: Option<String>,
    pub client: BusinessClientId,
    pub issued_on: Option<Date>,
    pub due_on: Option<Date>,
    pub total_ttc: Cents,
    pub paid: Cents,
    pub credited: Cents,
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: InvoiceId,
    business_id: BusinessId,
    kind: String,
    corrects_id: Option<InvoiceId>,
    client_id: BusinessClientId,
    status: String,
    payment_terms_days: Option<i64>,
    due_on: Option<String>,
    late_penalty_bp: i64,
    year: Option<i64>,
    sequence: Option<i64>,
    number: Option<String>,
    issued_on: Option<String>,
    seller_name: Option<String>,
    seller_address: Option<String>,
    seller_siret: Option<String>,
    vat_franchise: bool,
    client_kind: Option<String>,
    client_name: Option<String>,
    client_address: Option<String>,
    client_siren: Option<String>,
    total_ttc_cents: i64,
    paid_cents: i64,
    credited_cents: i64,
    created_at: i64,
    updated_at: i64,
    issued_at: Option<i64>,
}

const INVOICE_COLUMNS: [Invoices; 27] = [
    Invoices::Id,
    Invoices::BusinessId,
    Invoices::Kind,
    Invoices::CorrectsId,
    Invoices::ClientId,
    Invoices::Status,
    Invoices::PaymentTermsDays,
    Invoices::DueOn,
    Invoices::LatePenaltyBp,
    Invoices::Year,
    Invoices::Sequence,
    Invoices::Number,
    Invoices::IssuedOn,
    Invoices::SellerName,
    Invoices::SellerAddress,
    Invoices::SellerSiret,
    Invoices::VatFranchise,
    Invoices::ClientKind,
    Invoices::ClientName,
    Invoices::ClientAddress,
    Invoices::ClientSiren,
    Invoices::TotalTtcCents,
    Invoices::PaidCents,
    Invoices::CreditedCents,
    Invoices::CreatedAt,
    Invoices::UpdatedAt,
    Invoices::IssuedAt,
];

#[derive(sqlx::FromRow)]
struct LineRow {
    description: String,
    quantity_thousandths: i64,
    unit_price_cents: i64,
    vat_bp: i64,
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    id: InvoicePaymentId,
    received_on: String,
    amount_cents: i64,
    method: String,
    created_at: i64,
}

fn basis_points(what: &str, value: i64) -> Result<BasisPoints, StoreError> {
    u16::try_from(value)
        .ok()
        .and_then(BasisPoints::new)
        .ok_or_else(|| corrupt(what, &value.to_string()))
}

fn required<T>(what: &str, value: Option<T>) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::Internal(format!("issued invoice without its {what}")))
}

fn series_of(kind: InvoiceKind) -> Series {
    match kind {
        InvoiceKind::Invoice => Series::Invoice,
        InvoiceKind::CreditNote => Series::CreditNote,
    }
}

fn terms_of(days: Option<i64>, due_on: Option<Date>) -> Result<PaymentTerms, StoreError> {
    match (days, due_on) {
        (Some(days), _) => u16::try_from(days)
            .map(PaymentTerms::Days)
            .map_err(|_| corrupt("payment terms", &days.to_string())),
        (None, Some(date)) => Ok(PaymentTerms::On(date)),
        (None, None) => Err(StoreError::Internal(
            "invoice without payment terms".to_owned(),
        )),
    }
}

/// The terms as stored on a draft: a number of days, or a chosen due date.
fn terms_columns(terms: PaymentTerms) -> (Option<i64>, Option<String>) {
    match terms {
        PaymentTerms::Days(days) => (Some(i64::from(days)), None),
        PaymentTerms::On(date) => (None, Some(date.to_string())),
    }
}

fn issued_of(row: &InvoiceRow, kind: InvoiceKind) -> Result<Option<Issued>, StoreError> {
    let Some(number) = row.number.clone() else {
        return Ok(None);
    };
    let issued_on = required(
        "issue date",
        stored_date("issue date", row.issued_on.clone())?,
    )?;
    let due_on = stored_date("due date", row.due_on.clone())?;
    let siret = row
        .seller_siret
        .as_deref()
        .map(|text| text.parse::<Siret>().map_err(|_| corrupt("SIRET", text)))
        .transpose()?;
    let client_kind = required("client kind", row.client_kind.as_deref())?;
    let siren = row
        .client_siren
        .as_deref()
        .map(|text| text.parse::<Siren>().map_err(|_| corrupt("SIREN", text)))
        .transpose()?;
    Ok(Some(Issued {
        number,
        series: series_of(kind),
        year: required("year", row.year.and_then(|y| i16::try_from(y).ok()))?,
        sequence: required("sequence", row.sequence.and_then(|s| u32::try_from(s).ok()))?,
        issued_on,
        due_on: match kind {
            InvoiceKind::Invoice => due_on,
            InvoiceKind::CreditNote => None,
        },
        seller: Seller {
            legal_name: required("seller", row.seller_name.clone())?,
            address: row.seller_address.clone().unwrap_or_default(),
            siret,
            vat_franchise: row.vat_franchise,
        },
        buyer: Buyer {
            kind: client_kind
                .parse::<ClientKind>()
                .map_err(|_| corrupt("client kind", client_kind))?,
            name: required("client", row.client_name.clone())?,
            address: row.client_address.clone().unwrap_or_default(),
            siren,
        },
        issued_at: row.issued_at.unwrap_or(row.updated_at),
    }))
}

fn summary_of(row: &InvoiceRow) -> Result<InvoiceSummary, StoreError> {
    Ok(InvoiceSummary {
        id: row.id,
        kind: InvoiceKind::parse(&row.kind).ok_or_else(|| corrupt("invoice kind", &row.kind))?,
        status: InvoiceStatus::parse(&row.status)
            .ok_or_else(|| corrupt("invoice status", &row.status))?,
        number: row.number.clone(),
        client: row.client_id,
        issued_on: stored_date("issue date", row.issued_on.clone())?,
        due_on: stored_date("due date", row.due_on.clone())?,
        total_ttc: Cents::new(row.total_ttc_cents),
        paid: Cents::new(row.paid_cents),
        credited: Cents::new(row.credited_cents),
    })
}

/// The invoice row, in the scope's business; with `lock`, locked until the transaction ends
/// on PostgreSQL (on SQLite the transaction holds the write lock and the clause is not
/// rendered).
async fn invoice_row(
    conn: &mut Conn<'_>,
    scope: &BusinessScope,
    id: InvoiceId,
    lock: bool,
) -> Result<InvoiceRow, StoreError> {
    let mut select = Query::select();
    select
        .columns(INVOICE_COLUMNS)
        .from(Invoices::Table)
        .and_where(Expr::col(Invoices::BusinessId).eq(scope.business().0))
        .and_where(Expr::col(Invoices::Id).eq(id.0));
    if lock {
        select.lock(LockType::Update);
    }
    conn.fetch_optional(&select.to_owned())
        .await?
        .ok_or(StoreError::NotFound)
}

async fn load_lines(
    conn: &mut Conn<'_>,
    scope: &BusinessScope,
    id: InvoiceId,
) -> Result<Vec<Line>, StoreError> {
    let rows: Vec<LineRow> = conn
        .fetch_all(
            &Query::select()
                .columns([
                    InvoiceLines::Description,
                    InvoiceLines::QuantityThousandths,
                    InvoiceLines::UnitPriceCents,
                    InvoiceLines::VatBp,
                ])
                .from(InvoiceLines::Table)
                .and_where(Expr::col(InvoiceLines::BusinessId).eq(scope.business().0))
                .and_where(Expr::col(InvoiceLines::InvoiceId).eq(id.0))
                .order_by(InvoiceLines::Position, Order::Asc)
                .to_owned(),
        )
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Line {
                description: row.description,
                quantity: Quantity::from_thousandths(row.quantity_thousandths),
                unit_price: Cents::new(row.unit_price_cents),
                vat_rate: basis_points("VAT rate", row.vat_bp)?,
            })
        })
        .collect()
}

/// The whole invoice: row, lines, payments, and the invoice a credit note corrects.
async fn load_invoice(
    conn: &mut Conn<'_>,
    scope: &BusinessScope,
    id: InvoiceId,
) -> Result<Invoice, StoreError> {
    let row = invoice_row(conn, scope, id, false).await?;
    let kind = InvoiceKind::parse(&row.kind).ok_or_else(|| corrupt("invoice kind", &row.kind))?;
    let lines = load_lines(conn, scope, id).await?;
    let payments: Vec<PaymentRow> = conn
        .fetch_all(
            &Query::select()
                .columns([
                    InvoicePayments::Id,
                    InvoicePayments::ReceivedOn,
                    InvoicePayments::AmountCents,
                    InvoicePayments::Method,
                    InvoicePayments::CreatedAt,
                ])
                .from(InvoicePayments::Table)
                .and_where(Expr::col(InvoicePayments::BusinessId).eq(scope.business().0))
                .and_where(Expr::col(InvoicePayments::InvoiceId).eq(id.0))
                .order_by(InvoicePayments::Id, Order::Asc)
                .to_owned(),
        )
        .await?;
    let payments = payments
        .into_iter()
        .map(|p| {
            Ok(Payment {
                id: p.id,
                received_on: required(
                    "payment date",
                    stored_date("payment date", Some(p.received_on))?,
                )?,
                amount: Cents::new(p.amount_cents),
                method: p.method,
                created_at: p.created_at,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let corrects = match row.corrects_id {
        Some(corrected_id) => {
            let corrected = invoice_row(conn, scope, corrected_id, false).await?;
            Some((
                corrected_id,
                Corrected {
                    number: required("number", corrected.number)?,
                    issued_on: required(
                        "issue date",
                        stored_date("issue date", corrected.issued_on)?,
                    )?,
                },
            ))
        }
        None => None,
    };
    let due_on = stored_date("due date", row.due_on.clone())?;
    let issued = issued_of(&row, kind)?;
    // A draft's chosen due date is its terms; an issued invoice keeps its terms in days (if
    // any) and its computed due date.
    let terms = terms_of(row.payment_terms_days, due_on)?;
    let totals =
        totals(&lines, row.vat_franchise).map_err(StoreError::failed("stored invoice lines"))?;
    if issued.is_some() && totals.total_ttc.get() != row.total_ttc_cents {
        return Err(StoreError::Internal(format!(
            "invoice {} adds up to {} but was issued for {}",
            row.id, totals.total_ttc, row.total_ttc_cents
        )));
    }
    Ok(Invoice {
        id: row.id,
        business: row.business_id,
        kind,
        corrects,
        client: row.client_id,
        status: InvoiceStatus::parse(&row.status)
            .ok_or_else(|| corrupt("invoice status", &row.status))?,
        terms,
        late_penalty: basis_points("late-penalty rate", row.late_penalty_bp)?,
        lines,
        totals,
        paid: Cents::new(row.paid_cents),
        credited: Cents::new(row.credited_cents),
        issued,
        payments,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    kind: String,
    name: String,
    address: String,
    siren: Option<String>,
}

/// The client as an invoice names it; `NotFound` for another business's client.
async fn load_buyer(
    conn: &mut Conn<'_>,
    scope: &BusinessScope,
    client: BusinessClientId,
) -> Result<Buyer, StoreError> {
    let row: ClientRow = conn
        .fetch_optional(
            &Query::select()
                .columns([
                    BusinessClients::Kind,
                    BusinessClients::Name,
                    BusinessClients::Address,
                    BusinessClients::Siren,
                ])
                .from(BusinessClients::Table)
                .and_where(Expr::col(BusinessClients::BusinessId).eq(scope.business().0))
                .and_where(Expr::col(BusinessClients::Id).eq(client.0))
                .to_owned(),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(Buyer {
        kind: row
            .kind
            .parse::<ClientKind>()
            .map_err(|_| corrupt("client kind", &row.kind))?,
        name: row.name,
        address: row.address,
        siren: row
            .siren
            .as_deref()
            .map(|text| text.parse::<Siren>().map_err(|_| corrupt("SIREN", text)))
            .transpose()?,
    })
}

/// Replaces the lines of an invoice (a draft: the caller checked).
async fn write_lines(
    tx: &mut Tx,
    scope: &BusinessScope,
    id: InvoiceId,
    lines: &[Line],
    totals: &Totals,
) -> Result<(), StoreError> {
    tx.conn()
        .execute(
            &Query::delete()
                .from_table(InvoiceLines::Table)
                .and_where(Expr::col(InvoiceLines::BusinessId).eq(scope.business().0))
                .and_where(Expr::col(InvoiceLines::InvoiceId).eq(id.0))
                .to_owned(),
        )
        .await?;
    if lines.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert.into_table(InvoiceLines::Table).columns([
        InvoiceLines::BusinessId,
        InvoiceLines::InvoiceId,
        InvoiceLines::Position,
        InvoiceLines::Description,
        InvoiceLines::QuantityThousandths,
        InvoiceLines::UnitPriceCents,
        InvoiceLines::VatBp,
        InvoiceLines::TotalCents,
    ]);
    for (position, (line, total)) in lines.iter().zip(&totals.lines).enumerate() {
        insert.values([
            scope.business().0.into(),
            id.0.into(),
            i64::try_from(position).unwrap_or(i64::MAX).into(),
            line.description.clone().into(),
            line.quantity.thousandths().into(),
            line.unit_price.get().into(),
            i64::from(line.vat_rate.get()).into(),
            total.get().into(),
        ])?;
    }
    tx.conn().execute(&insert).await?;
    Ok(())
}

fn audit_event(action: &'static str, id: InvoiceId, scope: &BusinessScope) -> AuditEvent {
    AuditEvent::new(action, "invoice", id.0).with("business", scope.business().0)
}

async fn record(tx: &mut Tx, scope: &BusinessScope, event: AuditEvent) -> Result<(), StoreError> {
    audit::record(&mut tx.conn(), None, Actor::User(scope.owner()), &event).await
}

/// Records `event` in the audit, then commits and answers the invoice as it now stands.
async fn audited(
    mut tx: Tx,
    scope: &BusinessScope,
    id: InvoiceId,
    event: AuditEvent,
) -> Result<Invoice, StoreError> {
    record(&mut tx, scope, event).await?;
    let invoice = load_invoice(&mut tx.conn(), scope, id).await?;
    tx.commit().await?;
    Ok(invoice)
}

/// Refused for an invoice that is no longer a draft, `NotFound` for one that does not exist
/// (in this business).
async fn not_a_draft(tx: &mut Tx, scope: &BusinessScope, id: InvoiceId) -> StoreError {
    match invoice_row(&mut tx.conn(), scope, id, false).await {
        Ok(_) => StoreError::Refused(Refusal::InvoiceIssued),
        Err(error) => error,
    }
}

impl Store {
    /// Starts a draft invoice for one of the business's clients. The lines are checked (never
    /// negative, no VAT while in franchise); the rest waits for [`Store::issue_invoice`].
    pub async fn create_invoice(
        &self,
        scope: &BusinessScope,
        draft: &InvoiceDraft,
        now: i64,
    ) -> Result<Invoice, StoreError> {
        let mut tx = self.db.begin().await?;
        let business = load_business(&mut tx.conn(), scope).await?;
        let vat_franchise = business.profile.vat_franchise;
        let (lines, totals) = draft_totals(&draft.lines, vat_franchise)?;
        load_buyer(&mut tx.conn(), scope, draft.client).await?;
        let id = insert_invoice(
            &mut tx,
            scope,
            InvoiceKind::Invoice,
            None,
            draft,
            vat_franchise,
            &totals,
            now,
        )
        .await?;
        write_lines(&mut tx, scope, id, &lines, &totals).await?;
        audited(tx, scope, id, audit_event("invoice.created", id, scope)).await
    }

    /// Replaces what a draft says. An issued invoice is refused ([`Refusal::InvoiceIssued`]):
    /// the correction of an issued invoice is a credit note.
    pub async fn update_invoice_draft(
        &self,
        scope: &BusinessScope,
        id: InvoiceId,
        draft: &InvoiceDraft,
        now: i64,
    ) -> Result<Invoice, StoreError> {
        let mut tx = self.db.begin().await?;
        let business = load_business(&mut tx.conn(), scope).await?;
        let vat_franchise = business.profile.vat_franchise;
        let (lines, totals) = draft_totals(&draft.lines, vat_franchise)?;
        // A credit note keeps the client of the invoice it corrects.
        let row = invoice_row(&mut tx.conn(), scope, id, true).await?;
        let client = match row.corrects_id {
            Some(_) => row.client_id,
            None => draft.client,
        };
        load_buyer(&mut tx.conn(), scope, client).await?;
        let (days, due_on) = terms_columns(draft.terms);
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(Invoices::Table)
                    .value(Invoices::ClientId, client.0)
                    .value(Invoices::PaymentTermsDays, days)
                    .value(Invoices::DueOn, due_on)
                    .value(Invoices::LatePenaltyBp, i64::from(draft.late_penalty.get()))
                    .value(Invoices::VatFranchise, vat_franchise)
                    .value(Invoices::TotalHtCents, totals.total_ht.get())
                    .value(Invoices::TotalVatCents, totals.total_vat.get())
                    .value(Invoices::TotalTtcCents, totals.total_ttc.get())
                    .value(Invoices::UpdatedAt, now)
                    .and_where(Expr::col(Invoices::BusinessId).eq(scope.business().0))
                    .and_where(Expr::col(Invoices::Id).eq(id.0))
                    .and_where(Expr::col(Invoices::Status).eq(InvoiceStatus::Draft.as_str()))
                    .to_owned(),
            )
            .await?;
        if changed == 0 {
            return Err(not_a_draft(&mut tx, scope, id).await);
        }
        write_lines(&mut tx, scope, id, &lines, &totals).await?;
        audited(
            tx,
            scope,
            id,
            audit_event("invoice.draft_updated", id, scope),
        )
        .await
    }

    /// Deletes a draft (it has no number, so nothing goes missing). An issued invoice is
    /// refused: it is kept, and corrected by a credit note.
    pub async fn delete_invoice_draft(
        &self,
        scope: &BusinessScope,
        id: InvoiceId,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        load_business(&mut tx.conn(), scope).await?;
        let deleted = tx
            .conn()
            .execute(
                &Query::delete()
                    .from_table(Invoices::Table)
                    .and_where(Expr::col(Invoices::BusinessId).eq(scope.business().0))
                    .and_where(Expr::col(Invoices::Id).eq(id.0))
                    .and_where(Expr::col(Invoices::Status).eq(InvoiceStatus::Draft.as_str()))
                    .to_owned(),
            )
            .await?;
        if deleted == 0 {
            return Err(not_a_draft(&mut tx, scope, id).await);
        }
        record(
            &mut tx,
            scope,
            audit_event("invoice.draft_deleted", id, scope),
        )
        .await?;
        tx.commit().await
    }

    /// Starts a draft credit note correcting an issued invoice, for the same client. `lines`
    /// `None` credits every line of the invoice (a full cancellation).
    pub async fn create_credit_note(
        &self,
        scope: &BusinessScope,
        corrects: InvoiceId,
        lines: Option<&[Line]>,
        now: i64,
    ) -> Result<Invoice, StoreError> {
        let mut tx = self.db.begin().await?;
        let business = load_business(&mut tx.conn(), scope).await?;
        let vat_franchise = business.profile.vat_franchise;
        let corrected = load_invoice(&mut tx.conn(), scope, corrects).await?;
        if corrected.kind != InvoiceKind::Invoice || corrected.issued.is_none() {
            return Err(StoreError::Refused(Refusal::InvoiceNotIssued));
        }
        let lines = lines.map_or_else(|| corrected.lines.clone(), <[Line]>::to_vec);
        let (lines, totals) = draft_totals(&lines, vat_franchise)?;
        let draft = InvoiceDraft {
            client: corrected.client,
            lines: Vec::new(),
            terms: PaymentTerms::Days(0),
            late_penalty: corrected.late_penalty,
        };
        let id = insert_invoice(
            &mut tx,
            scope,
            InvoiceKind::CreditNote,
            Some(corrects),
            &draft,
            vat_franchise,
            &totals,
            now,
        )
        .await?;
        write_lines(&mut tx, scope, id, &lines, &totals).await?;
        audited(
            tx,
            scope,
            id,
            audit_event("invoice.credit_note_created", id, scope).with("corrects", corrects.0),
        )
        .await
    }

    /// Issues a draft on `issued_on`: checks it as the law requires ([`Document::check`]),
    /// freezes the seller and the client, computes the due date, and gives it the next number
    /// of its series and year — in one transaction, so numbers have no gaps and no repeats
    /// under concurrency. Refused: an invoice already issued, a date before the last issued
    /// in the series, a credit note beyond what its invoice has left to credit.
    pub async fn issue_invoice(
        &self,
        scope: &BusinessScope,
        id: InvoiceId,
        issued_on: Date,
        now: i64,
    ) -> Result<Invoice, StoreError> {
        let mut tx = self.db.begin().await?;
        let business = load_business(&mut tx.conn(), scope).await?;
        // Locks the row: a second issuer of the same draft waits, then sees it issued.
        let row = invoice_row(&mut tx.conn(), scope, id, true).await?;
        if row.status != InvoiceStatus::Draft.as_str() {
            return Err(StoreError::Refused(Refusal::InvoiceIssued));
        }
        let draft = load_invoice(&mut tx.conn(), scope, id).await?;
        let seller = Seller {
            legal_name: business.profile.legal_name.clone(),
            address: business.profile.address.clone(),
            siret: business.profile.siret.clone(),
            vat_franchise: business.profile.vat_franchise,
        };
        // A credit note names the client exactly as the invoice it corrects did; an invoice
        // takes the client as it is today.
        let buyer = match &draft.corrects {
            Some((corrected_id, _)) => {
                let corrected = invoice_row(&mut tx.conn(), scope, *corrected_id, false).await?;
                let kind = InvoiceKind::parse(&corrected.kind)
                    .ok_or_else(|| corrupt("invoice kind", &corrected.kind))?;
                required("client", issued_of(&corrected, kind)?)?.buyer
            }
            None => load_buyer(&mut tx.conn(), scope, draft.client).await?,
        };
        let kind = match &draft.corrects {
            Some((_, corrected)) => DocumentKind::CreditNote(corrected.clone()),
            None => DocumentKind::Invoice,
        };
        let document = Document {
            kind,
            seller,
            buyer,
            lines: draft.lines.clone(),
            issued_on,
            terms: draft.terms,
            late_penalty: draft.late_penalty,
        };
        let checked = document.check()?;
        if let Some((corrected_id, _)) = &draft.corrects {
            credit(&mut tx, scope, *corrected_id, checked.totals.total_ttc, now).await?;
        }
        let series = document.kind.series();
        let year = issued_on.year();
        let sequence = next_number(&mut tx, scope, series, year, issued_on).await?;
        let number = series.number(year, sequence);
        // The lines as checked (descriptions trimmed), written while it is still a draft: the
        // database refuses lines of an issued invoice.
        write_lines(&mut tx, scope, id, &checked.lines, &checked.totals).await?;
        let (seller, buyer) = (&document.seller, &document.buyer);
        tx.conn()
            .execute(
                &Query::update()
                    .table(Invoices::Table)
                    .value(Invoices::Status, InvoiceStatus::Issued.as_str())
                    .value(Invoices::Series, series.prefix())
                    .value(Invoices::Year, i64::from(year))
                    .value(Invoices::Sequence, i64::from(sequence))
                    .value(Invoices::Number, number.clone())
                    .value(Invoices::IssuedOn, issued_on.to_string())
                    .value(Invoices::DueOn, checked.due_on.map(|d| d.to_string()))
                    .value(Invoices::SellerName, seller.legal_name.clone())
                    .value(Invoices::SellerAddress, seller.address.clone())
                    .value(
                        Invoices::SellerSiret,
                        seller.siret.as_ref().map(|s| s.as_str().to_owned()),
                    )
                    .value(Invoices::VatFranchise, seller.vat_franchise)
                    .value(Invoices::ClientKind, buyer.kind.as_str())
                    .value(Invoices::ClientName, buyer.name.clone())
                    .value(Invoices::ClientAddress, buyer.address.clone())
                    .value(
                        Invoices::ClientSiren,
                        buyer.siren.as_ref().map(|s| s.as_str().to_owned()),
                    )
                    .value(Invoices::TotalHtCents, checked.totals.total_ht.get())
                    .value(Invoices::TotalVatCents, checked.totals.total_vat.get())
                    .value(Invoices::TotalTtcCents, checked.totals.total_ttc.get())
                    .value(Invoices::UpdatedAt, now)
                    .value(Invoices::IssuedAt, now)
                    .and_where(Expr::col(Invoices::BusinessId).eq(scope.business().0))
                    .and_where(Expr::col(Invoices::Id).eq(id.0))
                    .and_where(Expr::col(Invoices::Status).eq(InvoiceStatus::Draft.as_str()))
                    .to_owned(),
            )
            .await?;
        audited(
            tx,
            scope,
            id,
            audit_event("invoice.issued", id, scope)
                .with("number", number)
                .with("total_ttc_cents", checked.totals.total_ttc.get()),
        )
        .await
    }

    /// Records a payment received against an issued invoice; the invoice becomes partially
    /// paid or paid. Refused: a draft or a credit note, more than what is still due.
    pub async fn record_invoice_payment(
        &self,
        scope: &BusinessScope,
        id: InvoiceId,
        payment: &PaymentNew,
        now: i64,
    ) -> Result<Invoice, StoreError> {
        if payment.amount.get() <= 0 {
            return Err(InvoiceError::PaymentNotPositive.into());
        }
        let method = payment.method.trim();
        if method.chars().count() > 200 || method.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                tribune_domain::ValidationError::single("method", "error-too-long"),
            ));
        }
        let mut tx = self.db.begin().await?;
        load_business(&mut tx.conn(), scope).await?;
        let row = invoice_row(&mut tx.conn(), scope, id, true).await?;
        if row.kind != InvoiceKind::Invoice.as_str() || row.status == InvoiceStatus::Draft.as_str()
        {
            return Err(StoreError::Refused(Refusal::InvoiceNotIssued));
        }
        let (total, credited) = (
            Cents::new(row.total_ttc_cents),
            Cents::new(row.credited_cents),
        );
        let due = tribune_business::invoice::balance(total, credited, Cents::new(row.paid_cents));
        if payment.amount > due {
            return Err(StoreError::Refused(Refusal::PaymentExceedsBalance));
        }
        let paid = Cents::new(row.paid_cents + payment.amount.get());
        let status = InvoiceStatus::of(settlement(total, credited, paid));
        let (payment_id,): (InvoicePaymentId,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(InvoicePayments::Table)
                    .columns([
                        InvoicePayments::BusinessId,
                        InvoicePayments::InvoiceId,
                        InvoicePayments::ReceivedOn,
                        InvoicePayments::AmountCents,
                        InvoicePayments::Method,
                        InvoicePayments::CreatedAt,
                    ])
                    .values([
                        scope.business().0.into(),
                        id.0.into(),
                        payment.received_on.to_string().into(),
                        payment.amount.get().into(),
                        method.into(),
                        now.into(),
                    ])?
                    .returning_col(InvoicePayments::Id)
                    .to_owned(),
            )
            .await?;
        set_settlement(&mut tx, scope, id, status, paid, credited, now).await?;
        audited(
            tx,
            scope,
            id,
            audit_event("invoice.payment_recorded", id, scope)
                .with("payment", payment_id.0)
                .with("amount_cents", payment.amount.get())
                .with("status", status.as_str()),
        )
        .await
    }

    /// One invoice or credit note of the business, with its lines and payments; `NotFound`
    /// for another business's.
    pub async fn invoice(
        &self,
        scope: &BusinessScope,
        id: InvoiceId,
    ) -> Result<Invoice, StoreError> {
        let mut conn = self.db.acquire().await?;
        load_business(&mut conn.conn(), scope).await?;
        load_invoice(&mut conn.conn(), scope, id).await
    }

    /// The business's invoices and credit notes: drafts first (newest first), then the issued
    /// ones by series, year and number, newest first.
    pub async fn invoices(&self, scope: &BusinessScope) -> Result<Vec<InvoiceSummary>, StoreError> {
        let mut conn = self.db.acquire().await?;
        load_business(&mut conn.conn(), scope).await?;
        let rows: Vec<InvoiceRow> = conn
            .conn()
            .fetch_all(
                &Query::select()
                    .columns(INVOICE_COLUMNS)
                    .from(Invoices::Table)
                    .and_where(Expr::col(Invoices::BusinessId).eq(scope.business().0))
                    .order_by_expr(Expr::col(Invoices::Number).is_null(), Order::Desc)
                    .order_by(Invoices::Year, Order::Desc)
                    .order_by(Invoices::Series, Order::Asc)
                    .order_by(Invoices::Sequence, Order::Desc)
                    .order_by(Invoices::Id, Order::Desc)
                    .to_owned(),
            )
            .await?;
        rows.iter().map(summary_of).collect()
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one insert shared by invoices and credit notes"
)]
async fn insert_invoice(
    tx: &mut Tx,
    scope: &BusinessScope,
    kind: InvoiceKind,
    corrects: Option<InvoiceId>,
    draft: &InvoiceDraft,
    vat_franchise: bool,
    totals: &Totals,
    now: i64,
) -> Result<InvoiceId, StoreError> {
    let (days, due_on) = terms_columns(draft.terms);
    let (id,): (InvoiceId,) = tx
        .conn()
        .fetch_one(
            &Query::insert()
                .into_table(Invoices::Table)
                .columns([
                    Invoices::BusinessId,
                    Invoices::Kind,
                    Invoices::CorrectsId,
                    Invoices::ClientId,
                    Invoices::Status,
                    Invoices::PaymentTermsDays,
                    Invoices::DueOn,
                    Invoices::LatePenaltyBp,
                    Invoices::VatFranchise,
                    Invoices::TotalHtCents,
                    Invoices::TotalVatCents,
                    Invoices::TotalTtcCents,
                    Invoices::CreatedAt,
                    Invoices::UpdatedAt,
                ])
                .values([
                    scope.business().0.into(),
                    kind.as_str().into(),
                    corrects.map(|c| c.0).into(),
                    draft.client.0.into(),
                    InvoiceStatus::Draft.as_str().into(),
                    days.into(),
                    due_on.into(),
                    i64::from(draft.late_penalty.get()).into(),
                    vat_franchise.into(),
                    totals.total_ht.get().into(),
                    totals.total_vat.get().into(),
                    totals.total_ttc.get().into(),
                    now.into(),
                    now.into(),
                ])?
                .returning_col(Invoices::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

async fn set_settlement(
    tx: &mut Tx,
    scope: &BusinessScope,
    id: InvoiceId,
    status: InvoiceStatus,
    paid: Cents,
    credited: Cents,
    now: i64,
) -> Result<(), StoreError> {
    tx.conn()
        .execute(
            &Query::update()
                .table(Invoices::Table)
                .value(Invoices::Status, status.as_str())
                .value(Invoices::PaidCents, paid.get())
                .value(Invoices::CreditedCents, credited.get())
                .value(Invoices::UpdatedAt, now)
                .and_where(Expr::col(Invoices::BusinessId).eq(scope.business().0))
                .and_where(Expr::col(Invoices::Id).eq(id.0))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Counts a credit note of `amount` TTC against the invoice it corrects (locked), refused if
/// the invoice has less than that left to credit (its total less the credit notes already
/// issued). A paid invoice can still be credited: the client is then owed a refund.
async fn credit(
    tx: &mut Tx,
    scope: &BusinessScope,
    corrected: InvoiceId,
    amount: Cents,
    now: i64,
) -> Result<(), StoreError> {
    let row = invoice_row(&mut tx.conn(), scope, corrected, true).await?;
    let (total, paid) = (Cents::new(row.total_ttc_cents), Cents::new(row.paid_cents));
    let credited = Cents::new(row.credited_cents)
        .checked_add(amount)
        .ok_or(InvoiceError::TooLarge)?;
    if credited > total {
        return Err(StoreError::Refused(Refusal::CreditExceedsInvoice));
    }
    let status = InvoiceStatus::of(settlement(total, credited, paid));
    set_settlement(tx, scope, corrected, status, paid, credited, now).await?;
    record(
        tx,
        scope,
        audit_event("invoice.credited", corrected, scope)
            .with("amount_cents", amount.get())
            .with("status", status.as_str()),
    )
    .await
}

/// The next number of a series in a year: the counter row is created at 0 if missing, then
/// incremented — a row PostgreSQL keeps locked until the transaction ends, so a concurrent
/// issuer waits and takes the following number; SQLite runs one writing transaction at a
/// time. The increment is refused (no row updated) when `issued_on` is before the last issue
/// date of the series: numbers follow dates.
async fn next_number(
    tx: &mut Tx,
    scope: &BusinessScope,
    series: Series,
    year: i16,
    issued_on: Date,
) -> Result<u32, StoreError> {
    tx.conn()
        .execute(
            &Query::insert()
                .into_table(InvoiceCounters::Table)
                .columns([
                    InvoiceCounters::BusinessId,
                    InvoiceCounters::Series,
                    InvoiceCounters::Year,
                    InvoiceCounters::LastSequence,
                ])
                .values([
                    scope.business().0.into(),
                    series.prefix().into(),
                    i64::from(year).into(),
                    0_i64.into(),
                ])?
                .on_conflict(
                    OnConflict::columns([
                        InvoiceCounters::BusinessId,
                        InvoiceCounters::Series,
                        InvoiceCounters::Year,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    let day = issued_on.to_string();
    let next: Option<(i64,)> = tx
        .conn()
        .fetch_optional(
            &Query::update()
                .table(InvoiceCounters::Table)
                .value(
                    InvoiceCounters::LastSequence,
                    Expr::col(InvoiceCounters::LastSequence).add(1),
                )
                .value(InvoiceCounters::LastIssuedOn, day.clone())
                .and_where(Expr::col(InvoiceCounters::BusinessId).eq(scope.business().0))
                .and_where(Expr::col(InvoiceCounters::Series).eq(series.prefix()))
                .and_where(Expr::col(InvoiceCounters::Year).eq(i64::from(year)))
                .and_where(
                    Expr::col(InvoiceCounters::LastIssuedOn)
                        .is_null()
                        .or(Expr::col(InvoiceCounters::LastIssuedOn).lte(day)),
                )
                .returning_col(InvoiceCounters::LastSequence)
                .to_owned(),
        )
        .await?;
    let (sequence,) = next.ok_or(StoreError::Refused(Refusal::InvoiceDateBeforeLast))?;
    u32::try_from(sequence).map_err(|_| corrupt("invoice counter", &sequence.to_string()))
}
