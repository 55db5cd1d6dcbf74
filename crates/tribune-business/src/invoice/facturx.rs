//! Factur-X: the invoice as UN/CEFACT Cross Industry Invoice XML (CII D16B), the part of a
//! Factur-X PDF machines read, at the MINIMUM or BASIC WL profile, and the XMP properties that
//! name it in the PDF. French e-invoicing takes these profiles for a micro-entrepreneur's
//! invoices (received from September 2026, issued from September 2027).
//!
//! What goes where (EN 16931 business terms in brackets):
//! - document: number [BT-1], type code 380 (invoice) or 381 (credit note) [BT-3], issue
//!   date [BT-2] in format 102 (`YYYYMMDD`), currency EUR [BT-5];
//! - seller: name [BT-27], its SIREN as legal registration `schemeID="0002"` [BT-30] (the
//!   French rule: SIREN, the 9 first digits of the SIRET), its SIRET as global identifier
//!   `schemeID="0009"` [BT-29, BASIC WL], address [BG-5], country FR;
//! - buyer: name [BT-44], a business client's SIREN `schemeID="0002"` [BT-47], address [BG-8,
//!   BASIC WL];
//! - BASIC WL adds the VAT breakdown [BG-23] — in franchise one line of category `E`
//!   (exempt) at 0 % with the reason « TVA non applicable, art. 293 B du CGI » [BT-120] —,
//!   the due date [BT-9], the legal mentions as notes [BG-1] (late penalties `PMD`, recovery
//!   indemnity `PMT`, no discount `AAB`), the sum of lines [BT-106] and, on a credit note, the
//!   invoice it corrects [BG-3].
//!
//! Amounts are written from integer cents (`1234.56`), never through floats.

use std::fmt::Write as _;
use std::str::FromStr;

use jiff::civil::Date;
use tribune_pdf::xml_escape;

use super::{Checked, ClientKind, Document, DocumentKind, Mention, Totals};
use crate::{BasisPoints, Cents};

/// The name of the XML file inside the PDF, fixed by the Factur-X specification.
pub const FILE_NAME: &str = "factur-x.xml";

/// The Factur-X profiles tribune writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// The header only: parties, totals. Not a full invoice for French law: the PDF is.
    Minimum,
    /// The header with VAT breakdown, payment terms, notes and references, no lines.
    #[default]
    BasicWl,
}

impl Profile {
    /// The guideline identifier written in the XML [BT-24].
    pub const fn guideline(self) -> &'static str {
        match self {
            Profile::Minimum => "urn:factur-x.eu:1p0:minimum",
            Profile::BasicWl => "urn:factur-x.eu:1p0:basicwl",
        }
    }

    /// The `fx:ConformanceLevel` of the XMP metadata.
    pub const fn conformance_level(self) -> &'static str {
        match self {
            Profile::Minimum => "MINIMUM",
            Profile::BasicWl => "BASIC WL",
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::Minimum => "minimum",
            Profile::BasicWl => "basicwl",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Factur-X profile {0:?} (minimum or basicwl)")]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(text: &str) -> Result<Profile, UnknownProfile> {
        match text
            .to_ascii_lowercase()
            .replace([' ', '-', '_'], "")
            .as_str()
        {
            "minimum" => Ok(Profile::Minimum),
            "basicwl" => Ok(Profile::BasicWl),
            _ => Err(UnknownProfile(text.to_owned())),
        }
    }
}

/// An issued invoice or credit note, as the PDF and the XML print it.
#[derive(Debug, Clone, Copy)]
pub struct Issued<'a> {
    pub number: &'a str,
    pub document: &'a Document,
    pub checked: &'a Checked,
}

impl Issued<'_> {
    /// The mandatory mentions, in print order.
    pub fn mentions(&self) -> Vec<Mention> {
        self.document.mentions(self.number, self.checked)
    }

    fn totals(&self) -> &Totals {
        &self.checked.totals
    }
}

/// `1234.56`, `-0.50`: an amount for the XML.
pub fn decimal(amount: Cents) -> String {
    let sign = if amount.is_negative() { "-" } else { "" };
    let magnitude = amount.get().unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// `20.00`, `5.50`: a VAT rate in percent.
fn percent(rate: BasisPoints) -> String {
    format!("{}.{:02}", rate.get() / 100, rate.get() % 100)
}

/// Format 102 of UN/EDIFACT: `YYYYMMDD`.
fn date_102(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// An address typed as free lines, cut into what CII wants: a line `75006 Paris` gives the
/// post code and city; `France` on the last line is dropped; the other lines are the street
/// lines (three at most, the rest joined into the third). The country is France: tribune's
/// clients have no country field yet.
struct Address {
    lines: Vec<String>,
    postcode: Option<String>,
    city: Option<String>,
}

fn split_address(text: &str) -> Address {
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if lines
        .last()
        .is_some_and(|line| line.eq_ignore_ascii_case("france"))
    {
        lines.pop();
    }
    let mut postcode = None;
    let mut city = None;
    if let Some(index) = lines.iter().rposition(|line| {
        let (code, rest) = line.split_at(line.find(' ').unwrap_or(line.len()));
        code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) && !rest.trim().is_empty()
    }) {
        let line = lines.remove(index);
        if let Some((code, rest)) = line.split_once(' ') {
            postcode = Some(code.to_owned());
            city = Some(rest.trim().to_owned());
        }
    }
    if lines.len() > 3 {
        let rest = lines.split_off(2).join(", ");
        lines.push(rest);
    }
    Address {
        lines,
        postcode,
        city,
    }
}

fn element(xml: &mut String, name: &str, text: &str) {
    let _ = write!(xml, "<{name}>{}</{name}>", xml_escape(text));
}

fn address(xml: &mut String, text: &str, full: bool) {
    xml.push_str("<ram:PostalTradeAddress>");
    if full {
        let address = split_address(text);
        if let Some(postcode) = &address.postcode {
            element(xml, "ram:PostcodeCode", postcode);
        }
        for (line, name) in
            address
                .lines
                .iter()
                .zip(["ram:LineOne", "ram:LineTwo", "ram:LineThree"])
        {
            element(xml, name, line);
        }
        if let Some(city) = &address.city {
            element(xml, "ram:CityName", city);
        }
    }
    xml.push_str("<ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>");
}

fn note(xml: &mut String, content: &str, subject: &str) {
    xml.push_str("<ram:IncludedNote>");
    element(xml, "ram:Content", content);
    element(xml, "ram:SubjectCode", subject);
    xml.push_str("</ram:IncludedNote>");
}

fn date_time(xml: &mut String, name: &str, date: Date) {
    let _ = write!(
        xml,
        "<{name}><udt:DateTimeString format=\"102\">{}</udt:DateTimeString></{name}>",
        date_102(date)
    );
}

/// The CII XML of an issued invoice or credit note at `profile`.
pub fn cross_industry_invoice(issued: &Issued<'_>, profile: Profile) -> String {
    let basic = profile == Profile::BasicWl;
    let document = issued.document;
    let totals = issued.totals();
    let mentions = issued.mentions();
    let type_code = match document.kind {
        DocumentKind::Invoice => "380",
        DocumentKind::CreditNote(_) => "381",
    };
    let mut xml = String::with_capacity(4096);
    xml.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<rsm:CrossIndustryInvoice",
        " xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\"",
        " xmlns:qdt=\"urn:un:unece:uncefact:data:standard:QualifiedDataType:100\"",
        " xmlns:ram=\"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\"",
        " xmlns:udt=\"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100\">",
        "<rsm:ExchangedDocumentContext>",
        "<ram:GuidelineSpecifiedDocumentContextParameter>"
    ));
    element(&mut xml, "ram:ID", profile.guideline());
    xml.push_str(
        "</ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>",
    );

    xml.push_str("<rsm:ExchangedDocument>");
    element(&mut xml, "ram:ID", issued.number);
    element(&mut xml, "ram:TypeCode", type_code);
    date_time(&mut xml, "ram:IssueDateTime", document.issued_on);
    if basic {
        for mention in &mentions {
            let subject = match mention {
                Mention::LatePenalty(_) => "PMD",
                Mention::RecoveryIndemnity(_) => "PMT",
                Mention::NoEarlyPaymentDiscount => "AAB",
                _ => continue,
            };
            note(&mut xml, &mention.french(), subject);
        }
    }
    xml.push_str("</rsm:ExchangedDocument>");

    xml.push_str("<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement>");
    xml.push_str("<ram:SellerTradeParty>");
    let siret = document.seller.siret.as_ref();
    if basic && let Some(siret) = siret {
        let _ = write!(
            xml,
            "<ram:GlobalID schemeID=\"0009\">{}</ram:GlobalID>",
            siret.as_str()
        );
    }
    element(
        &mut xml,
        "ram:Name",
        &super::with_ei(&document.seller.legal_name),
    );
    if let Some(siret) = siret {
        let _ = write!(
            xml,
            "<ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">{}</ram:ID></ram:SpecifiedLegalOrganization>",
            siret.siren().as_str()
        );
    }
    address(&mut xml, &document.seller.address, basic);
    xml.push_str("</ram:SellerTradeParty>");

    xml.push_str("<ram:BuyerTradeParty>");
    element(&mut xml, "ram:Name", &document.buyer.name);
    if document.buyer.kind == ClientKind::Business
        && let Some(siren) = &document.buyer.siren
    {
        let _ = write!(
            xml,
            "<ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">{}</ram:ID></ram:SpecifiedLegalOrganization>",
            siren.as_str()
        );
    }
    if basic {
        address(&mut xml, &document.buyer.address, true);
    }
    xml.push_str("</ram:BuyerTradeParty>");
    xml.push_str("</ram:ApplicableHeaderTradeAgreement>");
    xml.push_str("<ram:ApplicableHeaderTradeDelivery/>");

    xml.push_str("<ram:ApplicableHeaderTradeSettlement>");
    element(&mut xml, "ram:InvoiceCurrencyCode", "EUR");
    if basic {
        if document.seller.vat_franchise {
            trade_tax(
                &mut xml,
                Cents::ZERO,
                totals.total_ht,
                "E",
                BasisPoints::ZERO,
                Some(&Mention::VatFranchise.french()),
            );
        } else {
            for vat in &totals.vat {
                let category = if vat.rate == BasisPoints::ZERO {
                    "Z"
                } else {
                    "S"
                };
                trade_tax(&mut xml, vat.vat, vat.base, category, vat.rate, None);
            }
        }
        if let Some(due) = issued.checked.due_on {
            xml.push_str("<ram:SpecifiedTradePaymentTerms>");
            date_time(&mut xml, "ram:DueDateDateTime", due);
            xml.push_str("</ram:SpecifiedTradePaymentTerms>");
        }
    }
    xml.push_str("<ram:SpecifiedTradeSettlementHeaderMonetarySummation>");
    if basic {
        element(&mut xml, "ram:LineTotalAmount", &decimal(totals.total_ht));
    }
    element(
        &mut xml,
        "ram:TaxBasisTotalAmount",
        &decimal(totals.total_ht),
    );
    let _ = write!(
        xml,
        "<ram:TaxTotalAmount currencyID=\"EUR\">{}</ram:TaxTotalAmount>",
        decimal(totals.total_vat)
    );
    element(&mut xml, "ram:GrandTotalAmount", &decimal(totals.total_ttc));
    element(&mut xml, "ram:DuePayableAmount", &decimal(totals.total_ttc));
    xml.push_str("</ram:SpecifiedTradeSettlementHeaderMonetarySummation>");
    if basic && let DocumentKind::CreditNote(corrected) = &document.kind {
        xml.push_str("<ram:InvoiceReferencedDocument>");
        element(&mut xml, "ram:IssuerAssignedID", &corrected.number);
        let _ = write!(
            xml,
            "<ram:FormattedIssueDateTime><qdt:DateTimeString format=\"102\">{}</qdt:DateTimeString></ram:FormattedIssueDateTime>",
            date_102(corrected.issued_on)
        );
        xml.push_str("</ram:InvoiceReferencedDocument>");
    }
    xml.push_str("</ram:ApplicableHeaderTradeSettlement>");
    xml.push_str("</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>\n");
    xml
}

fn trade_tax(
    xml: &mut String,
    vat: Cents,
    base: Cents,
    category: &str,
    rate: BasisPoints,
    exemption: Option<&str>,
) {
    xml.push_str("<ram:ApplicableTradeTax>");
    element(xml, "ram:CalculatedAmount", &decimal(vat));
    element(xml, "ram:TypeCode", "VAT");
    if let Some(reason) = exemption {
        element(xml, "ram:ExemptionReason", reason);
    }
    element(xml, "ram:BasisAmount", &decimal(base));
    element(xml, "ram:CategoryCode", category);
    element(xml, "ram:RateApplicablePercent", &percent(rate));
    xml.push_str("</ram:ApplicableTradeTax>");
}

/// The XMP of a Factur-X PDF: the extension schema PDF/A requires to declare the `fx`
/// properties, and the properties: the document type, the embedded file's name, the version
/// of Factur-X and the profile.
pub fn xmp_extension(profile: Profile) -> String {
    let property = |name: &str, description: &str| {
        format!(
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>{name}</pdfaProperty:name>\
<pdfaProperty:valueType>Text</pdfaProperty:valueType>\
<pdfaProperty:category>external</pdfaProperty:category>\
<pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>\n"
        )
    };
    format!(
        "<rdf:Description rdf:about=\"\" \
xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" \
xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n\
<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\n\
<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>\n\
<pdfaSchema:prefix>fx</pdfaSchema:prefix>\n\
<pdfaSchema:property><rdf:Seq>\n{}{}{}{}</rdf:Seq></pdfaSchema:property>\n\
</rdf:li></rdf:Bag></pdfaExtension:schemas>\n\
</rdf:Description>\n\
<rdf:Description rdf:about=\"\" xmlns:fx=\"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#\">\n\
<fx:DocumentType>INVOICE</fx:DocumentType>\n\
<fx:DocumentFileName>{FILE_NAME}</fx:DocumentFileName>\n\
<fx:Version>1.0</fx:Version>\n\
<fx:ConformanceLevel>{}</fx:ConformanceLevel>\n\
</rdf:Description>\n",
        property("DocumentFileName", "The name of the embedded XML document"),
        property(
            "DocumentType",
            "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"
        ),
        property(
            "Version",
            "The actual version of the standard applying to the embedded XML document"
        ),
        property(
            "ConformanceLevel",
            "The conformance level of the embedded XML document"
        ),
        profile.conformance_level()
    )
}

#[cfg(test)]
mod tests;
