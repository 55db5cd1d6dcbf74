//! PDF documents for tribune: invoices and credit notes today (issue #15), client reports
//! next (issue #13). A [`Layout`] flows paragraphs, side-by-side blocks, wrapping tables and
//! rules onto A4 pages; [`Layout::to_pdf`] writes them as PDF/A-3b, the archival form French
//! e-invoicing (Factur-X) builds on, with files attached if any.
//!
//! One font is embedded (DejaVu Sans Condensed, compiled in) with the WinAnsi encoding, which
//! covers French and English; see `assets/README.md` for the files and their licences, and
//! docs/ARCHITECTURE.md for why `pdf-writer` rather than a higher-level crate.

mod document;
mod font;
mod layout;

pub use document::{Attachment, Metadata, PdfError, Relationship};
pub use font::text_width;
pub use layout::{A4_HEIGHT, A4_WIDTH, Align, Column, Layout, MARGIN, Style, Table, wrap};

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; they carry nothing on an invoice.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(attachments: Vec<Attachment>) -> Vec<u8> {
        let mut layout = Layout::new();
        layout.paragraph("Facture n° F-2026-0001 — 1 234,56 €", Style::bold(16.0));
        layout.rule(0.5, 0.0);
        layout.paragraph("Texte ordinaire", Style::regular(10.0));
        layout
            .to_pdf(&Metadata {
                title: "Facture F-2026-0001".into(),
                author: "Camille Martin EI".into(),
                language: "fr-FR".into(),
                created: jiff::Timestamp::from_second(1_774_915_200).unwrap(),
                footer: Some("Camille Martin EI — Facture F-2026-0001".into()),
                attachments,
                xmp_extension: None,
            })
            .unwrap()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_pdf_is_pdfa3_with_its_font_and_output_intent() {
        let pdf = sample(Vec::new());
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!(contains(&pdf, b"<pdfaid:part>3</pdfaid:part>"));
        assert!(contains(&pdf, b"/FontFile2"));
        assert!(contains(&pdf, b"/GTS_PDFA1"));
        assert!(contains(&pdf, b"/ID ["));
        // Same input, same bytes.
        assert_eq!(pdf, sample(Vec::new()));
    }

    #[test]
    fn an_attachment_is_embedded_with_its_relationship() {
        let pdf = sample(vec![Attachment {
            name: "factur-x.xml".into(),
            mime: "text/xml".into(),
            description: "Factur-X".into(),
            relationship: Relationship::Data,
            data: b"<x/>".to_vec(),
        }]);
        assert!(contains(&pdf, b"/AFRelationship /Data"));
        assert!(contains(&pdf, b"/AF ["));
        assert!(contains(&pdf, b"(factur-x.xml)"));
        assert!(contains(&pdf, b"/Subtype /text#2Fxml"));
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
