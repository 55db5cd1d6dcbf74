//! An issued invoice or credit note as a Factur-X PDF: the page a person reads, laid out from
//! the mandatory mentions ([`Mention`], their French wording), and the CII XML a machine reads,
//! attached as `factur-x.xml` in a PDF/A-3b file (see [`super::facturx`]).
//!
//! Invoices are printed in French whatever the interface language: the legal mentions are
//! French and so are tribune's invoices' clients (docs/BUSINESS.md).

use jiff::Timestamp;
use tribune_pdf::{
    Align, Attachment, Column, Layout, Metadata, PdfError, Relationship, Style, Table,
};

use super::facturx::{self, Issued, Profile};
use super::{DocumentKind, Mention, french_euros, french_percent};

fn title(issued: &Issued<'_>) -> &'static str {
    match issued.document.kind {
        DocumentKind::Invoice => "Facture",
        DocumentKind::CreditNote(_) => "Avoir",
    }
}

/// `1,5`: a quantity the French way.
fn quantity(line: &super::Line) -> String {
    line.quantity.to_string().replace('.', ",")
}

/// Splits a mention line `Total HT : 1 000,00 €` into its label and its value.
fn label_value(line: &str) -> (String, String) {
    match line.split_once("\u{a0}: ") {
        Some((label, value)) => (label.to_owned(), value.to_owned()),
        None => (line.to_owned(), String::new()),
    }
}

/// Lays out the page(s) of an issued document.
pub fn layout(issued: &Issued<'_>) -> Layout {
    let mentions = issued.mentions();
    let mut page = Layout::new();
    let width = page.width();
    let small = Style::regular(9.0);
    let label = Style::regular(8.0).gray(0.4);

    // Seller on the left, title, number and dates on the right.
    let mut seller = Vec::new();
    let mut heading = Vec::new();
    let mut buyer = vec![("Client".to_owned(), label)];
    let mut corrects = None;
    let mut franchise = false;
    let mut conditions = Vec::new();
    let mut totals = None;
    for mention in &mentions {
        match mention {
            Mention::Title(title) => {
                heading.push((title.to_uppercase(), Style::bold(20.0)));
            }
            Mention::Number(_) => heading.push((mention.french(), Style::bold(11.0))),
            Mention::IssueDate(_) => heading.push((mention.french(), small)),
            Mention::DueDate(_) => heading.push((mention.french(), small)),
            Mention::Seller { .. } => {
                let text = mention.french();
                let mut lines = text.lines();
                if let Some(name) = lines.next() {
                    seller.push((name.to_owned(), Style::bold(11.0)));
                }
                for line in lines {
                    seller.push((line.to_owned(), small));
                }
            }
            Mention::Buyer { .. } => {
                let text = mention.french();
                let mut lines = text.lines();
                if let Some(name) = lines.next() {
                    buyer.push((name.to_owned(), Style::bold(10.0)));
                }
                for line in lines {
                    buyer.push((line.to_owned(), small));
                }
            }
            Mention::Corrects { .. } => corrects = Some(mention.french()),
            Mention::Totals(_) => totals = Some(mention.french()),
            Mention::VatFranchise => franchise = true,
            Mention::LatePenalty(_)
            | Mention::RecoveryIndemnity(_)
            | Mention::NoEarlyPaymentDiscount => conditions.push(mention.french()),
        }
    }
    let left = width * 0.58;
    page.blocks(&[(left, seller), (width - left, heading)]);
    page.space(18.0);
    page.blocks(&[(left, Vec::new()), (width - left, buyer)]);
    page.space(14.0);
    if let Some(corrects) = corrects {
        page.paragraph(&corrects, Style::bold(10.0));
        page.space(8.0);
    }

    // The lines.
    let franchise_columns = issued.document.seller.vat_franchise;
    let number = |w: f32| Column {
        width: w,
        align: Align::Right,
    };
    let mut columns = vec![Column {
        width: 0.0,
        align: Align::Left,
    }];
    let mut header = vec!["Désignation".to_owned()];
    columns.push(number(48.0));
    header.push("Qté".to_owned());
    columns.push(number(82.0));
    header.push("Prix unit. HT".to_owned());
    if !franchise_columns {
        columns.push(number(48.0));
        header.push("TVA".to_owned());
    }
    columns.push(number(82.0));
    header.push("Total HT".to_owned());
    let fixed: f32 = columns.iter().map(|c| c.width).sum();
    columns[0].width = width - fixed;
    let rows = issued
        .checked
        .lines
        .iter()
        .zip(&issued.checked.totals.lines)
        .map(|(line, total)| {
            let mut row = vec![
                line.description.clone(),
                quantity(line),
                french_euros(line.unit_price),
            ];
            if !franchise_columns {
                row.push(french_percent(line.vat_rate));
            }
            row.push(french_euros(*total));
            row
        })
        .collect();
    page.table(&Table {
        columns,
        header: Some(header),
        rows,
        style: small,
        ruled: true,
    });
    page.rule(0.8, 0.0);
    page.space(6.0);

    // Totals, right-aligned under the amounts; the last (TTC) in bold.
    if let Some(totals) = totals {
        let lines: Vec<(String, String)> = totals.lines().map(label_value).collect();
        let columns = vec![
            Column {
                width: width - 250.0,
                align: Align::Left,
            },
            Column {
                width: 160.0,
                align: Align::Left,
            },
            number(90.0),
        ];
        let split = lines.len().saturating_sub(1);
        let row =
            |(label, value): &(String, String)| vec![String::new(), label.clone(), value.clone()];
        page.table(&Table {
            columns: columns.clone(),
            header: None,
            rows: lines[..split].iter().map(row).collect(),
            style: Style::regular(9.5),
            ruled: false,
        });
        page.table(&Table {
            columns,
            header: None,
            rows: lines[split..].iter().map(row).collect(),
            style: Style::bold(11.0),
            ruled: false,
        });
    }
    page.space(10.0);
    if franchise {
        page.paragraph(&Mention::VatFranchise.french(), Style::bold(9.5));
        page.space(6.0);
    }
    if !conditions.is_empty() {
        page.paragraph("Conditions de paiement", Style::bold(9.0));
        for condition in conditions {
            page.paragraph(&condition, Style::regular(8.5));
        }
    }
    page
}

/// The Factur-X PDF of an issued invoice or credit note at `profile`. `created` is the date
/// written in the file (the time the invoice was issued, so the same invoice always gives the
/// same file).
pub fn render(
    issued: &Issued<'_>,
    profile: Profile,
    created: Timestamp,
) -> Result<Vec<u8>, PdfError> {
    let seller = super::with_ei(&issued.document.seller.legal_name);
    let name = format!("{} {}", title(issued), issued.number);
    let siret = issued
        .document
        .seller
        .siret
        .as_ref()
        .map(|siret| format!(" — SIRET {siret}"))
        .unwrap_or_default();
    let xml = facturx::cross_industry_invoice(issued, profile);
    layout(issued).to_pdf(&Metadata {
        title: name.clone(),
        author: seller.clone(),
        language: "fr-FR".to_owned(),
        created,
        footer: Some(format!("{seller}{siret} — {name}")),
        attachments: vec![Attachment {
            name: facturx::FILE_NAME.to_owned(),
            mime: "text/xml".to_owned(),
            description: format!("Factur-X {} ({name})", profile.conformance_level()),
            relationship: Relationship::Data,
            data: xml.into_bytes(),
        }],
        xmp_extension: Some(facturx::xmp_extension(profile)),
    })
}
