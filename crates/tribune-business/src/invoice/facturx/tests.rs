use super::*;
use crate::invoice::{Buyer, Corrected, Line, PaymentTerms, Seller};
use jiff::civil::date;

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
            siret: Some("443 061 841 00047".parse().unwrap()),
            vat_franchise: franchise,
        },
        buyer: Buyer {
            kind,
            name: "Boulangerie Dupont & Fils SARL".into(),
            address: "Bâtiment B\n1 rue du Four\n75006 Paris\nFrance".into(),
            siren: match kind {
                ClientKind::Business => Some("732 829 320".parse().unwrap()),
                ClientKind::Consumer => None,
            },
        },
        lines: vec![
            line("Community management, mars 2026", "1", 90_000, 0),
            line("Modération (heures)", "2.5", 4_033, 0),
        ],
        issued_on: date(2026, 3, 31),
        terms: PaymentTerms::Days(30),
        late_penalty: BasisPoints::new(1200).unwrap(),
    }
}

fn xml(document: &Document, profile: Profile) -> String {
    let checked = document.check().unwrap();
    cross_industry_invoice(
        &Issued {
            number: "F-2026-0001",
            document,
            checked: &checked,
        },
        profile,
    )
}

#[test]
fn amounts_are_written_from_cents_with_two_decimals() {
    assert_eq!(decimal(Cents::new(123_456)), "1234.56");
    assert_eq!(decimal(Cents::new(5)), "0.05");
    assert_eq!(decimal(Cents::ZERO), "0.00");
    assert_eq!(decimal(Cents::new(-50)), "-0.50");
    assert_eq!(percent(BasisPoints::new(550).unwrap()), "5.50");
    assert_eq!(date_102(date(2026, 3, 1)), "20260301");
}

#[test]
fn a_franchise_invoice_in_basic_wl_has_its_totals_exemption_and_parties() {
    let xml = xml(&document(true, ClientKind::Business), Profile::BasicWl);
    // 900.00 + 2.5 × 40.33 = 100.825 → 100.83.
    for expected in [
        "<ram:ID>urn:factur-x.eu:1p0:basicwl</ram:ID>",
        "<ram:ID>F-2026-0001</ram:ID><ram:TypeCode>380</ram:TypeCode>",
        "<udt:DateTimeString format=\"102\">20260331</udt:DateTimeString>",
        "<ram:GlobalID schemeID=\"0009\">44306184100047</ram:GlobalID>",
        "<ram:Name>Camille Martin EI</ram:Name>",
        "<ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">443061841</ram:ID>",
        "<ram:Name>Boulangerie Dupont &amp; Fils SARL</ram:Name><ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">732829320</ram:ID>",
        "<ram:PostcodeCode>75006</ram:PostcodeCode><ram:LineOne>Bâtiment B</ram:LineOne><ram:LineTwo>1 rue du Four</ram:LineTwo><ram:CityName>Paris</ram:CityName><ram:CountryID>FR</ram:CountryID>",
        "<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>",
        "<ram:CalculatedAmount>0.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:ExemptionReason>TVA non applicable, art. 293 B du CGI</ram:ExemptionReason><ram:BasisAmount>1000.83</ram:BasisAmount><ram:CategoryCode>E</ram:CategoryCode><ram:RateApplicablePercent>0.00</ram:RateApplicablePercent>",
        "<ram:DueDateDateTime><udt:DateTimeString format=\"102\">20260430</udt:DateTimeString></ram:DueDateDateTime>",
        "<ram:LineTotalAmount>1000.83</ram:LineTotalAmount><ram:TaxBasisTotalAmount>1000.83</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID=\"EUR\">0.00</ram:TaxTotalAmount><ram:GrandTotalAmount>1000.83</ram:GrandTotalAmount><ram:DuePayableAmount>1000.83</ram:DuePayableAmount>",
        "<ram:SubjectCode>PMD</ram:SubjectCode>",
        "<ram:SubjectCode>PMT</ram:SubjectCode>",
        "<ram:SubjectCode>AAB</ram:SubjectCode>",
    ] {
        assert!(xml.contains(expected), "missing {expected}\nin {xml}");
    }
    assert!(!xml.contains("InvoiceReferencedDocument"));
}

#[test]
fn vat_outside_the_franchise_is_one_breakdown_per_rate() {
    let mut doc = document(false, ClientKind::Consumer);
    doc.lines = vec![
        line("Pack mensuel", "1", 50_000, 2000),
        line("Rapport", "1", 10_000, 2000),
        line("Livre", "3", 7, 550),
    ];
    let xml = xml(&doc, Profile::BasicWl);
    // 600.00 at 20 % = 120.00; 0.21 at 5.5 % = 0.01155 → 0.01.
    assert!(xml.contains("<ram:CalculatedAmount>0.01</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>0.21</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>5.50</ram:RateApplicablePercent>"), "{xml}");
    assert!(xml.contains("<ram:CalculatedAmount>120.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>600.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>20.00</ram:RateApplicablePercent>"));
    assert!(xml.contains("<ram:TaxBasisTotalAmount>600.21</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID=\"EUR\">120.01</ram:TaxTotalAmount><ram:GrandTotalAmount>720.22</ram:GrandTotalAmount>"));
    // A consumer: no SIREN, no B2B notes.
    assert!(!xml.contains("732829320"));
    assert!(!xml.contains("PMT"));
    assert!(!xml.contains("ExemptionReason"));
}

#[test]
fn a_credit_note_is_type_381_and_names_the_invoice_it_corrects() {
    let mut doc = document(true, ClientKind::Business);
    doc.kind = DocumentKind::CreditNote(Corrected {
        number: "F-2026-0001".into(),
        issued_on: date(2026, 3, 31),
    });
    doc.issued_on = date(2026, 4, 2);
    let checked = doc.check().unwrap();
    let xml = cross_industry_invoice(
        &Issued {
            number: "AV-2026-0001",
            document: &doc,
            checked: &checked,
        },
        Profile::BasicWl,
    );
    assert!(xml.contains("<ram:ID>AV-2026-0001</ram:ID><ram:TypeCode>381</ram:TypeCode>"));
    assert!(xml.contains("<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>F-2026-0001</ram:IssuerAssignedID><ram:FormattedIssueDateTime><qdt:DateTimeString format=\"102\">20260331</qdt:DateTimeString></ram:FormattedIssueDateTime></ram:InvoiceReferencedDocument>"));
    // Nothing is due on a credit note: no due date, amounts stay positive.
    assert!(!xml.contains("DueDateDateTime"));
    assert!(xml.contains("<ram:GrandTotalAmount>1000.83</ram:GrandTotalAmount>"));
}

#[test]
fn minimum_keeps_to_the_header() {
    let xml = xml(&document(true, ClientKind::Business), Profile::Minimum);
    assert!(xml.contains("<ram:ID>urn:factur-x.eu:1p0:minimum</ram:ID>"));
    assert!(xml.contains(
        "<ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress></ram:SellerTradeParty>"
    ));
    for absent in [
        "ApplicableTradeTax",
        "LineTotalAmount",
        "IncludedNote",
        "GlobalID",
        "PostcodeCode",
    ] {
        assert!(!xml.contains(absent), "{absent}");
    }
    assert!(xml.contains("<ram:TaxBasisTotalAmount>1000.83</ram:TaxBasisTotalAmount>"));
}

#[test]
fn profiles_parse_and_name_themselves() {
    assert_eq!("basicwl".parse::<Profile>(), Ok(Profile::BasicWl));
    assert_eq!("BASIC WL".parse::<Profile>(), Ok(Profile::BasicWl));
    assert_eq!("basic-wl".parse::<Profile>(), Ok(Profile::BasicWl));
    assert_eq!("minimum".parse::<Profile>(), Ok(Profile::Minimum));
    assert!("en16931".parse::<Profile>().is_err());
    assert!(
        xmp_extension(Profile::BasicWl)
            .contains("<fx:ConformanceLevel>BASIC WL</fx:ConformanceLevel>")
    );
    assert!(
        xmp_extension(Profile::Minimum)
            .contains("<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>")
    );
}

#[test]
fn addresses_split_into_post_code_city_and_lines() {
    let address = split_address(
        "  12 avenue Jean Jaurès \n\n Appt 4\nEscalier C\nRésidence Les Pins\n69007 Lyon 7e\nFRANCE",
    );
    assert_eq!(address.postcode.as_deref(), Some("69007"));
    assert_eq!(address.city.as_deref(), Some("Lyon 7e"));
    assert_eq!(
        address.lines,
        vec![
            "12 avenue Jean Jaurès".to_owned(),
            "Appt 4".to_owned(),
            "Escalier C, Résidence Les Pins".to_owned()
        ]
    );
    let bare = split_address("Somewhere without a post code");
    assert_eq!(bare.postcode, None);
    assert_eq!(bare.lines.len(), 1);
}
