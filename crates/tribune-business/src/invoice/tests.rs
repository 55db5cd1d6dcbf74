use super::*;
use jiff::civil::date;

fn siret() -> Siret {
    "443 061 841 00047".parse().unwrap()
}

fn line(description: &str, quantity: &str, cents: i64, vat_bp: u16) -> Line {
    Line {
        description: description.into(),
        quantity: quantity.parse().unwrap(),
        unit_price: Cents::new(cents),
        vat_rate: BasisPoints::new(vat_bp).unwrap(),
    }
}

fn document(franchise: bool, kind: ClientKind) -> Document {
    Document {
        kind: DocumentKind::Invoice,
        seller: Seller {
            legal_name: "Camille Martin".into(),
            address: "3 rue des Lilas\n69001 Lyon".into(),
            siret: Some(siret()),
            vat_franchise: franchise,
        },
        buyer: Buyer {
            kind,
            name: "Boulangerie Dupont SARL".into(),
            address: "1 rue du Four\n75006 Paris".into(),
            siren: match kind {
                ClientKind::Business => Some("443 061 841".parse().unwrap()),
                ClientKind::Consumer => None,
            },
        },
        lines: vec![line("Community management, mars 2026", "1", 90_000, 0)],
        issued_on: date(2026, 3, 31),
        terms: PaymentTerms::Days(30),
        late_penalty: BasisPoints::new(1200).unwrap(),
    }
}

#[test]
fn in_franchise_there_is_no_vat_and_the_art_293_b_mention() {
    let mut doc = document(true, ClientKind::Business);
    doc.lines.push(line("Modération (heures)", "2.5", 4_000, 0));
    let checked = doc.check().unwrap();
    assert_eq!(
        checked.totals.lines,
        vec![Cents::new(90_000), Cents::new(10_000)]
    );
    assert_eq!(checked.totals.total_ht, Cents::new(100_000));
    assert!(checked.totals.vat.is_empty());
    assert_eq!(checked.totals.total_vat, Cents::ZERO);
    assert_eq!(checked.totals.total_ttc, Cents::new(100_000));
    let mentions = doc.mentions("F-2026-0001", &checked);
    assert!(mentions.contains(&Mention::VatFranchise));
    let texts: Vec<String> = mentions.iter().map(Mention::french).collect();
    assert!(texts.contains(&"TVA non applicable, art. 293 B du CGI".to_owned()));

    // A VAT rate on a line while in franchise is a mistake, named by its line.
    doc.lines[1].vat_rate = BasisPoints::new(2000).unwrap();
    assert_eq!(doc.check(), Err(InvoiceError::VatInFranchise { line: 2 }));
}

#[test]
fn out_of_franchise_vat_is_computed_per_rate_on_the_sum_of_its_lines() {
    let mut doc = document(false, ClientKind::Business);
    // Three lines at 20 % of 1.5 × 0.33 € = 0.495 € → 0.50 € each, and a book at 5.5 %.
    doc.lines = vec![
        line("a", "1.5", 33, 2000),
        line("b", "1.5", 33, 2000),
        line("c", "1.5", 33, 2000),
        line("Livre", "1", 1_055, 550),
    ];
    let checked = doc.check().unwrap();
    assert_eq!(checked.totals.total_ht, Cents::new(50 * 3 + 1_055));
    assert_eq!(
        checked.totals.vat,
        vec![
            // 5.5 % of 10.55 € = 0.58025 € → 0.58 €.
            VatLine {
                rate: BasisPoints::new(550).unwrap(),
                base: Cents::new(1_055),
                vat: Cents::new(58),
            },
            VatLine {
                rate: BasisPoints::new(2000).unwrap(),
                base: Cents::new(150),
                vat: Cents::new(30),
            },
        ]
    );
    assert_eq!(checked.totals.total_vat, Cents::new(88));
    assert_eq!(checked.totals.total_ttc, Cents::new(1_205 + 88));
    let mentions = doc.mentions("F-2026-0002", &checked);
    assert!(!mentions.contains(&Mention::VatFranchise));
    let totals = mentions
        .iter()
        .find(|m| matches!(m, Mention::Totals(_)))
        .unwrap()
        .french();
    assert!(
        totals.contains("TVA 5,5\u{a0}% sur 10,55\u{a0}€\u{a0}: 0,58\u{a0}€"),
        "{totals}"
    );
    assert!(totals.contains("Total TTC\u{a0}: 12,93\u{a0}€"), "{totals}");
}

#[test]
fn a_business_client_gets_its_siren_the_penalties_and_the_40_euro_indemnity() {
    let doc = document(true, ClientKind::Business);
    let checked = doc.check().unwrap();
    assert_eq!(checked.due_on, Some(date(2026, 4, 30)));
    let mentions = doc.mentions("F-2026-0001", &checked);
    assert_eq!(mentions[0], Mention::Title("Facture"));
    assert_eq!(mentions[1], Mention::Number("F-2026-0001".into()));
    assert_eq!(mentions[2], Mention::IssueDate(date(2026, 3, 31)));
    assert!(mentions.contains(&Mention::Seller {
        name: "Camille Martin EI".into(),
        address: "3 rue des Lilas\n69001 Lyon".into(),
        siret: siret(),
    }));
    assert!(mentions.iter().any(|m| matches!(
        m,
        Mention::Buyer { siren: Some(s), .. } if s.as_str() == "443061841"
    )));
    assert!(mentions.contains(&Mention::DueDate(date(2026, 4, 30))));
    assert!(mentions.contains(&Mention::LatePenalty(BasisPoints::new(1200).unwrap())));
    assert!(mentions.contains(&Mention::RecoveryIndemnity(Cents::new(4000))));
    assert!(mentions.contains(&Mention::NoEarlyPaymentDiscount));
    let texts: Vec<String> = mentions.iter().map(Mention::french).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.ends_with("recouvrement en cas de retard de paiement\u{a0}: 40,00\u{a0}€"))
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Pénalités de retard\u{a0}: taux annuel de 12\u{a0}%"))
    );
    assert!(texts.contains(&"Date d’échéance\u{a0}: 30/04/2026".to_owned()));
}

#[test]
fn a_consumer_gets_neither_siren_nor_b2b_penalty_mentions() {
    let doc = document(true, ClientKind::Consumer);
    let checked = doc.check().unwrap();
    let mentions = doc.mentions("F-2026-0003", &checked);
    assert!(
        mentions
            .iter()
            .any(|m| matches!(m, Mention::Buyer { siren: None, .. }))
    );
    assert!(mentions.contains(&Mention::DueDate(date(2026, 4, 30))));
    assert!(!mentions.iter().any(|m| matches!(
        m,
        Mention::LatePenalty(_) | Mention::RecoveryIndemnity(_) | Mention::NoEarlyPaymentDiscount
    )));
}

#[test]
fn a_credit_note_names_the_invoice_it_corrects_and_has_no_due_date() {
    let mut doc = document(true, ClientKind::Business);
    doc.kind = DocumentKind::CreditNote(Corrected {
        number: "F-2026-0001".into(),
        issued_on: date(2026, 3, 31),
    });
    doc.issued_on = date(2026, 4, 5);
    let checked = doc.check().unwrap();
    assert_eq!(checked.due_on, None);
    let mentions = doc.mentions("AV-2026-0001", &checked);
    assert_eq!(mentions[0], Mention::Title("Avoir"));
    assert!(mentions.contains(&Mention::Corrects {
        number: "F-2026-0001".into(),
        issued_on: date(2026, 3, 31),
    }));
    assert!(
        !mentions
            .iter()
            .any(|m| matches!(m, Mention::DueDate(_) | Mention::LatePenalty(_)))
    );
    assert_eq!(
        mentions
            .iter()
            .find(|m| matches!(m, Mention::Corrects { .. }))
            .unwrap()
            .french(),
        "Avoir sur la facture n° F-2026-0001 du 31/03/2026"
    );
}

#[test]
fn issuing_refuses_what_the_law_or_arithmetic_would_not_take() {
    let base = document(true, ClientKind::Business);

    let mut doc = base.clone();
    doc.lines.clear();
    assert_eq!(doc.check(), Err(InvoiceError::Empty));

    let mut doc = base.clone();
    doc.lines.push(line("x", "1", 100, 0));
    doc.lines[1].quantity = Quantity::from_thousandths(-1000);
    assert_eq!(
        doc.check(),
        Err(InvoiceError::QuantityNotPositive { line: 2 })
    );
    doc.lines[1].quantity = Quantity::from_thousandths(0);
    assert_eq!(
        doc.check(),
        Err(InvoiceError::QuantityNotPositive { line: 2 })
    );

    let mut doc = base.clone();
    doc.lines[0].unit_price = Cents::new(-1);
    assert_eq!(
        doc.check(),
        Err(InvoiceError::NegativeUnitPrice { line: 1 })
    );

    let mut doc = base.clone();
    doc.lines[0].description = "   ".into();
    assert_eq!(doc.check(), Err(InvoiceError::EmptyDescription { line: 1 }));

    let mut doc = base.clone();
    doc.terms = PaymentTerms::On(date(2026, 3, 30));
    assert_eq!(
        doc.check(),
        Err(InvoiceError::DueBeforeIssue {
            issued: date(2026, 3, 31),
            due: date(2026, 3, 30)
        })
    );
    doc.terms = PaymentTerms::On(date(2026, 3, 31));
    assert_eq!(doc.check().unwrap().due_on, Some(date(2026, 3, 31)));

    let mut doc = base.clone();
    doc.seller.siret = None;
    assert_eq!(doc.check(), Err(InvoiceError::SellerWithoutSiret));

    let mut doc = base.clone();
    doc.buyer.siren = None;
    assert_eq!(doc.check(), Err(InvoiceError::BusinessClientWithoutSiren));

    let mut doc = document(true, ClientKind::Consumer);
    doc.buyer.siren = Some("443 061 841".parse().unwrap());
    assert_eq!(doc.check(), Err(InvoiceError::ConsumerWithSiren));

    let mut doc = base.clone();
    doc.lines[0].quantity = Quantity::from_thousandths(i64::MAX);
    doc.lines[0].unit_price = Cents::new(i64::MAX);
    assert_eq!(doc.check(), Err(InvoiceError::TooLarge));

    // Every error has a catalogue key.
    for error in [
        InvoiceError::Empty,
        InvoiceError::QuantityNotPositive { line: 1 },
        InvoiceError::TooLarge,
    ] {
        assert!(error.key().starts_with("error-"));
    }
}

#[test]
fn drafts_may_be_empty_but_never_negative() {
    let (lines, totals) = draft_totals(&[], true).unwrap();
    assert!(lines.is_empty());
    assert_eq!(totals.total_ttc, Cents::ZERO);
    let negative = line("x", "1", 100, 0);
    let negative = Line {
        quantity: Quantity::from_thousandths(-1),
        ..negative
    };
    assert_eq!(
        draft_totals(&[negative], true),
        Err(InvoiceError::QuantityNotPositive { line: 1 })
    );
    let (lines, _) = draft_totals(&[line("  trimmed  ", "1", 1, 0)], true).unwrap();
    assert_eq!(lines[0].description, "trimmed");
}

#[test]
fn the_ei_mention_is_added_once() {
    assert_eq!(with_ei("Camille Martin"), "Camille Martin EI");
    assert_eq!(with_ei("Camille Martin EI"), "Camille Martin EI");
    assert_eq!(with_ei("EI Camille Martin"), "EI Camille Martin");
    assert_eq!(
        with_ei("Camille Martin, entrepreneur individuel"),
        "Camille Martin, entrepreneur individuel"
    );
    // "Heidi" contains "ei" but not the word.
    assert_eq!(with_ei("Heidi Klein"), "Heidi Klein EI");
}

#[test]
fn numbers_are_series_year_and_rank() {
    assert_eq!(Series::Invoice.number(2026, 1), "F-2026-0001");
    assert_eq!(Series::CreditNote.number(2026, 42), "AV-2026-0042");
    assert_eq!(Series::Invoice.number(2027, 12_345), "F-2027-12345");
}

#[test]
fn vat_rounded_on_the_base_differs_from_vat_rounded_per_line() {
    let mut doc = document(false, ClientKind::Business);
    // 5.5 % of 0.07 € is 0.00385 €: rounded per line, three lines would carry no VAT at all;
    // on their 0.21 € base it is 0.01155 € → 0.01 €.
    doc.lines = vec![
        line("a", "1", 7, 550),
        line("b", "1", 7, 550),
        line("c", "1", 7, 550),
    ];
    let totals = doc.check().unwrap().totals;
    assert_eq!(totals.total_vat, Cents::new(1));
    assert_eq!(totals.total_ttc, Cents::new(22));
}
