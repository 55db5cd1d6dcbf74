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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::{
        Buyer, ClientKind, Corrected, Document, Line, MAX_DESCRIPTION, PaymentTerms, Seller,
    };
    use crate::{BasisPoints, Cents};
    use jiff::civil::date;

    fn document(description: &str, lines: usize) -> Document {
        Document {
            kind: DocumentKind::Invoice,
            seller: Seller {
                legal_name: "Camille Martin".into(),
                address: "3 rue des Lilas\n69001 Lyon".into(),
                siret: Some("443 061 841 00047".parse().unwrap()),
                vat_franchise: true,
            },
            buyer: Buyer {
                kind: ClientKind::Business,
                name: "Boulangerie Dupont SARL".into(),
                address: "1 rue du Four\n75006 Paris".into(),
                siren: Some("732 829 320".parse().unwrap()),
            },
            lines: (0..lines)
                .map(|i| Line {
                    description: format!("{description} {i}"),
                    quantity: "1".parse().unwrap(),
                    unit_price: Cents::new(123_456),
                    vat_rate: BasisPoints::ZERO,
                })
                .collect(),
            issued_on: date(2026, 3, 31),
            terms: PaymentTerms::Days(30),
            late_penalty: BasisPoints::new(1200).unwrap(),
        }
    }

    fn texts(document: &Document, number: &str) -> (Vec<String>, usize) {
        let checked = document.check().unwrap();
        let issued = Issued {
            number,
            document,
            checked: &checked,
        };
        let page = layout(&issued);
        (
            page.texts().into_iter().map(str::to_owned).collect(),
            page.page_count(),
        )
    }

    #[test]
    fn the_page_carries_every_mandatory_mention_in_french() {
        let (texts, pages) = texts(&document("Community management", 1), "F-2026-0001");
        assert_eq!(pages, 1);
        for expected in [
            "FACTURE",
            "N° F-2026-0001",
            "Camille Martin EI",
            "SIRET\u{a0}: 443 061 841 00047",
            "SIREN\u{a0}: 732 829 320",
            "Date d’émission\u{a0}: 31/03/2026",
            "Date d’échéance\u{a0}: 30/04/2026",
            "1\u{202f}234,56\u{a0}€",
            "Total TTC",
            "TVA non applicable, art. 293 B du CGI",
            "Pas d’escompte pour paiement anticipé",
        ] {
            assert!(
                texts.iter().any(|t| t.contains(expected)),
                "{expected:?} not in {texts:?}"
            );
        }
        let all = texts.join(" ");
        assert!(all.contains("taux annuel de 12\u{a0}%"), "{all}");
        assert!(all.contains("40,00\u{a0}€"), "{all}");
    }

    #[test]
    fn a_credit_note_says_avoir_and_names_the_invoice() {
        let mut credit = document("Community management", 1);
        credit.kind = DocumentKind::CreditNote(Corrected {
            number: "F-2026-0001".into(),
            issued_on: date(2026, 3, 31),
        });
        let (texts, _) = texts(&credit, "AV-2026-0001");
        assert!(texts.iter().any(|t| t == "AVOIR"));
        assert!(
            texts
                .iter()
                .any(|t| t.contains("Avoir sur la facture n° F-2026-0001 du 31/03/2026"))
        );
        assert!(!texts.iter().any(|t| t.contains("échéance")));
    }

    #[test]
    fn long_descriptions_and_many_lines_wrap_onto_more_pages_without_loss() {
        let long = "modération ".repeat(MAX_DESCRIPTION / 12);
        let (texts, pages) = texts(&document(long.trim(), 40), "F-2026-0002");
        assert!(pages > 1, "{pages}");
        let words = texts
            .iter()
            .flat_map(|t| t.split(' '))
            .filter(|w| *w == "modération")
            .count();
        assert_eq!(words, 40 * (MAX_DESCRIPTION / 12));
        for i in 0..40 {
            assert!(texts.iter().any(|t| t.ends_with(&format!(" {i}"))), "{i}");
        }
    }
}
