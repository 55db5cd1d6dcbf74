//! The mentions French law requires on an invoice or a credit note, as data: the templates
//! (PDF, Factur-X, HTML) lay them out, and a test can check an invoice has them all without
//! reading a PDF. The wording (`french()`) is the legal one; invoices to French clients are in
//! French whatever the interface language.

use jiff::civil::Date;

use crate::{BasisPoints, Cents, Siren, Siret};

use super::{Checked, ClientKind, Document, DocumentKind, Totals};

/// The fixed indemnity for recovery costs owed by a business client paying late (art. L441-10
/// and D441-5 of the Code de commerce: 40 €, unchanged since 2013). A legal amount rather than
/// a rate of the dated table; it moves there if it ever changes.
pub const RECOVERY_INDEMNITY: Cents = Cents::new(4000);

/// One mandatory mention (art. 242 nonies A of annex II to the CGI, art. L441-9 and L441-10
/// of the Code de commerce, art. L123-1-1 for the « EI » of an individual entrepreneur).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mention {
    /// « Facture » or « Avoir ».
    Title(&'static str),
    /// The unique number, from the gap-free series.
    Number(String),
    IssueDate(Date),
    /// The seller: name with the « EI » mention, address, SIRET.
    Seller {
        name: String,
        address: String,
        siret: Siret,
    },
    /// The client: name, address, and the SIREN of a business client.
    Buyer {
        name: String,
        address: String,
        siren: Option<Siren>,
    },
    /// A credit note names the invoice it corrects.
    Corrects {
        number: String,
        issued_on: Date,
    },
    /// Totals HT, VAT (one line per rate) and TTC.
    Totals(Totals),
    /// « TVA non applicable, art. 293 B du CGI » while in the VAT franchise.
    VatFranchise,
    /// The date payment is due.
    DueDate(Date),
    /// Business clients: the yearly rate of late penalties.
    LatePenalty(BasisPoints),
    /// Business clients: the fixed indemnity for recovery costs.
    RecoveryIndemnity(Cents),
    /// Business clients: the conditions of an early-payment discount, here none.
    NoEarlyPaymentDiscount,
}

/// French amounts for the mentions: `40,00 €`, `1 125,50 €` (narrow no-break space).
pub fn euros(amount: Cents) -> String {
    let text = amount.to_string(); // €1,125.50
    let text = text.replace('€', "");
    let text = text.replace(',', "\u{202f}").replace('.', ",");
    format!("{text}\u{a0}€")
}

/// French percentages: `12,5 %` (no-break space before the sign).
pub fn percent(rate: BasisPoints) -> String {
    rate.to_string().replace('.', ",").replace('%', "\u{a0}%")
}

/// French dates: `31/03/2026`.
pub fn french_date(date: Date) -> String {
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
}

impl Mention {
    /// The mention in French, as printed (one line, or several joined by newlines).
    pub fn french(&self) -> String {
        match self {
            Mention::Title(title) => (*title).to_owned(),
            Mention::Number(number) => format!("N° {number}"),
            Mention::IssueDate(date) => format!("Date d’émission\u{a0}: {}", french_date(*date)),
            Mention::Seller {
                name,
                address,
                siret,
            } => format!("{name}\n{address}\nSIRET\u{a0}: {siret}"),
            Mention::Buyer {
                name,
                address,
                siren,
            } => match siren {
                Some(siren) => format!("{name}\n{address}\nSIREN\u{a0}: {siren}"),
                None => format!("{name}\n{address}"),
            },
            Mention::Corrects { number, issued_on } => format!(
                "Avoir sur la facture n° {number} du {}",
                french_date(*issued_on)
            ),
            Mention::Totals(totals) => {
                let mut lines = vec![format!("Total HT\u{a0}: {}", euros(totals.total_ht))];
                for vat in &totals.vat {
                    lines.push(format!(
                        "TVA {} sur {}\u{a0}: {}",
                        percent(vat.rate),
                        euros(vat.base),
                        euros(vat.vat)
                    ));
                }
                lines.push(format!("Total TTC\u{a0}: {}", euros(totals.total_ttc)));
                lines.join("\n")
            }
            Mention::VatFranchise => "TVA non applicable, art. 293 B du CGI".to_owned(),
            Mention::DueDate(date) => format!("Date d’échéance\u{a0}: {}", french_date(*date)),
            Mention::LatePenalty(rate) => format!(
                "Pénalités de retard\u{a0}: taux annuel de {}, exigibles dès le lendemain de la date d’échéance",
                percent(*rate)
            ),
            Mention::RecoveryIndemnity(amount) => format!(
                "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement\u{a0}: {}",
                euros(*amount)
            ),
            Mention::NoEarlyPaymentDiscount => "Pas d’escompte pour paiement anticipé".to_owned(),
        }
    }
}

/// The legal name with « EI » unless it already says it (`EI` as a word, or « entrepreneur
/// individuel » in any case): art. L526-22 of the Code de commerce wants it on every invoice
/// of an individual entrepreneur.
pub fn with_ei(legal_name: &str) -> String {
    let name = legal_name.trim();
    let has_word = name
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word == "EI");
    let has_words = name.to_lowercase().contains("entrepreneur individuel");
    if has_word || has_words {
        name.to_owned()
    } else {
        format!("{name} EI")
    }
}

pub(super) fn build(document: &Document, number: &str, checked: &Checked) -> Vec<Mention> {
    let mut mentions = vec![
        Mention::Title(match document.kind {
            DocumentKind::Invoice => "Facture",
            DocumentKind::CreditNote(_) => "Avoir",
        }),
        Mention::Number(number.to_owned()),
        Mention::IssueDate(document.issued_on),
    ];
    if let Some(siret) = &document.seller.siret {
        mentions.push(Mention::Seller {
            name: with_ei(&document.seller.legal_name),
            address: document.seller.address.clone(),
            siret: siret.clone(),
        });
    }
    mentions.push(Mention::Buyer {
        name: document.buyer.name.clone(),
        address: document.buyer.address.clone(),
        siren: match document.buyer.kind {
            ClientKind::Business => document.buyer.siren.clone(),
            ClientKind::Consumer => None,
        },
    });
    if let DocumentKind::CreditNote(corrected) = &document.kind {
        mentions.push(Mention::Corrects {
            number: corrected.number.clone(),
            issued_on: corrected.issued_on,
        });
    }
    mentions.push(Mention::Totals(checked.totals.clone()));
    if document.seller.vat_franchise {
        mentions.push(Mention::VatFranchise);
    }
    if let Some(due) = checked.due_on {
        mentions.push(Mention::DueDate(due));
        if document.buyer.kind == ClientKind::Business {
            mentions.push(Mention::LatePenalty(document.late_penalty));
            mentions.push(Mention::RecoveryIndemnity(RECOVERY_INDEMNITY));
            mentions.push(Mention::NoEarlyPaymentDiscount);
        }
    }
    mentions
}
