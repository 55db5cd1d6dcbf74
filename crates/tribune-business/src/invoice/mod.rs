//! Invoices and credit notes (factures et avoirs) as rules: their lines and totals, the checks
//! an invoice must pass before it is issued, its number, and the mentions French law requires
//! on it, built as data from the business profile, the client and the dates.
//!
//! An invoice is checked in two steps. [`Line::check`] holds for drafts too (a draft may be
//! empty or unfinished, never negative). [`Document::check`] is what issuing requires: at
//! least one line, the seller's SIRET, a business client's SIREN, a due date on or after the
//! issue date. The store calls both; it alone assigns numbers and keeps issued invoices from
//! changing (docs/BUSINESS.md, "Invoices").

mod amounts;
pub mod facturx;
mod late;
mod mentions;
pub mod pdf;

pub use amounts::{Quantity, Settlement, Totals, VatLine, balance, line_total, settlement, totals};
pub use late::{LateCharges, late_charges};
pub use mentions::{
    Mention, RECOVERY_INDEMNITY, euros as french_euros, french_date, percent as french_percent,
    with_ei,
};

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use crate::{BasisPoints, Cents, Siren, Siret};

/// Why an invoice, a line or a payment was refused. Each has a stable [`InvoiceError::key`] for
/// the catalogues; lines are numbered from 1, as a person counts them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    #[error("an invoice needs at least one line")]
    Empty,
    #[error("line {line}: the description is empty")]
    EmptyDescription { line: usize },
    #[error("line {line}: the description is longer than {max} characters", max = MAX_DESCRIPTION)]
    DescriptionTooLong { line: usize },
    #[error("line {line}: the quantity must be more than zero")]
    QuantityNotPositive { line: usize },
    #[error("line {line}: the unit price must not be negative")]
    NegativeUnitPrice { line: usize },
    #[error("line {line}: no VAT is charged in franchise (art. 293 B CGI), the rate must be 0")]
    VatInFranchise { line: usize },
    #[error("{0:?} is not a quantity: write 2, 1.5 or 0,25 (at most three decimals)")]
    QuantitySyntax(String),
    #[error("the due date {due} comes before the issue date {issued}")]
    DueBeforeIssue { issued: Date, due: Date },
    #[error("the payment terms go past the calendar")]
    TermsOutOfRange,
    #[error("the seller's SIRET is missing: it is a mandatory mention")]
    SellerWithoutSiret,
    #[error("a business client needs its SIREN on the invoice")]
    BusinessClientWithoutSiren,
    #[error("a consumer has no SIREN")]
    ConsumerWithSiren,
    #[error("the amounts are too large")]
    TooLarge,
    #[error("a payment is a positive amount")]
    PaymentNotPositive,
}

impl InvoiceError {
    /// The catalogue key that explains the error to a person.
    pub fn key(&self) -> &'static str {
        match self {
            InvoiceError::Empty => "error-invoice-empty",
            InvoiceError::EmptyDescription { .. } => "error-invoice-line-description",
            InvoiceError::DescriptionTooLong { .. } => "error-invoice-line-description-long",
            InvoiceError::QuantityNotPositive { .. } => "error-invoice-line-quantity",
            InvoiceError::NegativeUnitPrice { .. } => "error-invoice-line-price",
            InvoiceError::VatInFranchise { .. } => "error-invoice-line-vat-franchise",
            InvoiceError::QuantitySyntax(_) => "error-invoice-quantity-syntax",
            InvoiceError::DueBeforeIssue { .. } => "error-invoice-due-before-issue",
            InvoiceError::TermsOutOfRange => "error-invoice-terms",
            InvoiceError::SellerWithoutSiret => "error-invoice-seller-siret",
            InvoiceError::BusinessClientWithoutSiren => "error-invoice-client-siren",
            InvoiceError::ConsumerWithSiren => "error-client-consumer-siren",
            InvoiceError::TooLarge => "error-invoice-too-large",
            InvoiceError::PaymentNotPositive => "error-invoice-payment-amount",
        }
    }

    /// The form field the error belongs to: `lines`, `due_on`, `seller_siret`, `client_siren`
    /// or `amount`.
    pub fn field(&self) -> &'static str {
        match self {
            InvoiceError::DueBeforeIssue { .. } | InvoiceError::TermsOutOfRange => "due_on",
            InvoiceError::SellerWithoutSiret => "seller_siret",
            InvoiceError::BusinessClientWithoutSiren | InvoiceError::ConsumerWithSiren => {
                "client_siren"
            }
            InvoiceError::PaymentNotPositive => "amount",
            _ => "lines",
        }
    }

    /// The line at fault, numbered from 1, if the error is about one line.
    pub fn line(&self) -> Option<usize> {
        match self {
            InvoiceError::EmptyDescription { line }
            | InvoiceError::DescriptionTooLong { line }
            | InvoiceError::QuantityNotPositive { line }
            | InvoiceError::NegativeUnitPrice { line }
            | InvoiceError::VatInFranchise { line } => Some(*line),
            _ => None,
        }
    }
}

/// Longest line description, in characters.
pub const MAX_DESCRIPTION: usize = 1000;

/// One line: what was done, how much of it, at what unit price HT, and the VAT rate (0 while
/// in franchise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub description: String,
    pub quantity: Quantity,
    /// Unit price HT (before VAT), in cents.
    pub unit_price: Cents,
    pub vat_rate: BasisPoints,
}

impl Line {
    /// The rules every line follows, drafts included; `index` counts from 0. The description
    /// comes back trimmed. Discounts as negative lines are refused for now (a credit note or a
    /// lower price says the same thing).
    pub fn check(&self, index: usize, vat_franchise: bool) -> Result<Line, InvoiceError> {
        let line = index + 1;
        let description = self.description.trim();
        if description.is_empty() {
            return Err(InvoiceError::EmptyDescription { line });
        }
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(InvoiceError::DescriptionTooLong { line });
        }
        if self.quantity.thousandths() <= 0 {
            return Err(InvoiceError::QuantityNotPositive { line });
        }
        if self.unit_price.is_negative() {
            return Err(InvoiceError::NegativeUnitPrice { line });
        }
        if vat_franchise && self.vat_rate != BasisPoints::ZERO {
            return Err(InvoiceError::VatInFranchise { line });
        }
        line_total(self.quantity, self.unit_price).ok_or(InvoiceError::TooLarge)?;
        Ok(Line {
            description: description.to_owned(),
            ..self.clone()
        })
    }
}

/// Checks every line of a draft and adds them up (an empty draft is allowed: totals of zero).
pub fn draft_totals(
    lines: &[Line],
    vat_franchise: bool,
) -> Result<(Vec<Line>, Totals), InvoiceError> {
    let checked = lines
        .iter()
        .enumerate()
        .map(|(index, line)| line.check(index, vat_franchise))
        .collect::<Result<Vec<_>, _>>()?;
    let totals = totals(&checked, vat_franchise)?;
    Ok((checked, totals))
}

/// B2B or consumer: decides the mentions (client SIREN, the 40 € recovery indemnity, the
/// late-penalty rate, no early-payment discount).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKind {
    Business,
    Consumer,
}

impl ClientKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            ClientKind::Business => "business",
            ClientKind::Consumer => "consumer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown client kind {0:?} (business or consumer)")]
pub struct UnknownClientKind(pub String);

impl FromStr for ClientKind {
    type Err = UnknownClientKind;

    fn from_str(text: &str) -> Result<ClientKind, UnknownClientKind> {
        match text {
            "business" => Ok(ClientKind::Business),
            "consumer" => Ok(ClientKind::Consumer),
            _ => Err(UnknownClientKind(text.to_owned())),
        }
    }
}

/// The seller as the invoice shows it: the business profile at the time of issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seller {
    pub legal_name: String,
    pub address: String,
    pub siret: Option<Siret>,
    pub vat_franchise: bool,
}

/// The client as the invoice shows it, at the time of issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buyer {
    pub kind: ClientKind,
    pub name: String,
    pub address: String,
    pub siren: Option<Siren>,
}

/// When payment is due: a number of days after the issue date, or a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentTerms {
    Days(u16),
    On(Date),
}

impl PaymentTerms {
    /// The due date of a document issued on `issued_on`; a due date before it is refused.
    pub fn due_date(self, issued_on: Date) -> Result<Date, InvoiceError> {
        let due = match self {
            PaymentTerms::Days(days) => issued_on
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .map_err(|_| InvoiceError::TermsOutOfRange)?,
            PaymentTerms::On(date) => date,
        };
        if due < issued_on {
            return Err(InvoiceError::DueBeforeIssue {
                issued: issued_on,
                due,
            });
        }
        Ok(due)
    }
}

/// The invoice a credit note corrects, as the credit note names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    pub number: String,
    pub issued_on: Date,
}

/// An invoice, or a credit note naming the invoice it corrects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentKind {
    Invoice,
    CreditNote(Corrected),
}

/// Which numbering series a document takes: invoices and credit notes are numbered apart,
/// each gap-free per business and per year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Series {
    Invoice,
    CreditNote,
}

impl Series {
    /// The prefix of its numbers, also its stored name.
    pub const fn prefix(self) -> &'static str {
        match self {
            Series::Invoice => "F",
            Series::CreditNote => "AV",
        }
    }

    /// `F-2026-0001`: the series, the year of issue, the rank in the year (four digits at
    /// least, more past 9 999). Sorting numbers of one series and year as text keeps their
    /// order up to 9 999.
    pub fn number(self, year: i16, sequence: u32) -> String {
        format!("{}-{year}-{sequence:04}", self.prefix())
    }
}

impl DocumentKind {
    pub const fn series(&self) -> Series {
        match self {
            DocumentKind::Invoice => Series::Invoice,
            DocumentKind::CreditNote(_) => Series::CreditNote,
        }
    }
}

/// Everything an issued document says, before it has a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: DocumentKind,
    pub seller: Seller,
    pub buyer: Buyer,
    pub lines: Vec<Line>,
    pub issued_on: Date,
    /// Ignored for a credit note (nothing is due on it).
    pub terms: PaymentTerms,
    /// The yearly late-penalty rate the invoice states (B2B: mandatory, art. L441-10 C. com.,
    /// at least three times the legal interest rate).
    pub late_penalty: BasisPoints,
}

/// A document that passed [`Document::check`]: its lines (trimmed), totals and due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub lines: Vec<Line>,
    pub totals: Totals,
    /// `None` for a credit note.
    pub due_on: Option<Date>,
}

impl Document {
    /// What issuing requires. The first rule broken is the error, in this order: the seller's
    /// SIRET, the client's SIREN (a business client needs it, a consumer has none), at least
    /// one line, each line, the amounts, the due date.
    pub fn check(&self) -> Result<Checked, InvoiceError> {
        if self.seller.siret.is_none() {
            return Err(InvoiceError::SellerWithoutSiret);
        }
        match (self.buyer.kind, &self.buyer.siren) {
            (ClientKind::Business, None) => return Err(InvoiceError::BusinessClientWithoutSiren),
            (ClientKind::Consumer, Some(_)) => return Err(InvoiceError::ConsumerWithSiren),
            _ => {}
        }
        if self.lines.is_empty() {
            return Err(InvoiceError::Empty);
        }
        let (lines, totals) = draft_totals(&self.lines, self.seller.vat_franchise)?;
        let due_on = match self.kind {
            DocumentKind::Invoice => Some(self.terms.due_date(self.issued_on)?),
            DocumentKind::CreditNote(_) => None,
        };
        Ok(Checked {
            lines,
            totals,
            due_on,
        })
    }

    /// The mandatory mentions of this document once numbered, in the order they are printed.
    /// See [`Mention`] for each and its legal basis.
    pub fn mentions(&self, number: &str, checked: &Checked) -> Vec<Mention> {
        mentions::build(self, number, checked)
    }
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

#[cfg(test)]
mod tests;
