//! Writes a [`Layout`] as a PDF/A-3b file: the font embedded, an sRGB output intent, XMP
//! metadata (with a caller's extension schema, e.g. Factur-X's), and attached files with their
//! relationship to the document (`/AF`), as ISO 19005-3 requires for embedded files.

use jiff::Timestamp;
use pdf_writer::types::{AssociationKind, FontFlags, OutputIntentSubtype, TextRenderingMode};
use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};

use crate::font::{self, FONT_FILE, POSTSCRIPT_NAME};
use crate::layout::{A4_HEIGHT, A4_WIDTH, Layout, MARGIN, Op, Style};
use crate::xml_escape;

const ICC_PROFILE: &[u8] = include_bytes!("../assets/sRGB.icc");

/// How an attached file relates to the document (PDF/A-3 `AFRelationship`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// The file holds data the document shows (Factur-X MINIMUM and BASIC WL).
    Data,
    /// The file is an equivalent of the document (Factur-X BASIC and above).
    Alternative,
    /// The document was made from the file.
    Source,
    /// Anything else that goes with the document.
    Supplement,
}

impl Relationship {
    fn kind(self) -> AssociationKind {
        match self {
            Relationship::Data => AssociationKind::Data,
            Relationship::Alternative => AssociationKind::Alternative,
            Relationship::Source => AssociationKind::Source,
            Relationship::Supplement => AssociationKind::Supplement,
        }
    }
}

/// A file embedded in the PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name, e.g. `factur-x.xml`.
    pub name: String,
    /// Its media type, e.g. `text/xml`.
    pub mime: String,
    pub description: String,
    pub relationship: Relationship,
    pub data: Vec<u8>,
}

/// What the file says about itself. `created` is given, not read from the clock, so that the
/// same document always gives the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub title: String,
    pub author: String,
    /// BCP 47, e.g. `fr-FR`.
    pub language: String,
    pub created: Timestamp,
    /// Printed at the bottom of each page, left, with "page/pages" on the right.
    pub footer: Option<String>,
    pub attachments: Vec<Attachment>,
    /// `rdf:Description` elements added to the XMP packet (an extension schema and its
    /// properties), already serialised.
    pub xmp_extension: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("an attached file is too large")]
    AttachmentTooLarge,
}

fn compress(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

fn pdf_date(time: Timestamp) -> Date {
    let utc = time.to_zoned(jiff::tz::TimeZone::UTC);
    let year = u16::try_from(utc.year()).unwrap_or(0);
    let byte = |value: i8| u8::try_from(value).unwrap_or(0);
    Date::new(year)
        .month(byte(utc.month()))
        .day(byte(utc.day()))
        .hour(byte(utc.hour()))
        .minute(byte(utc.minute()))
        .second(byte(utc.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn xmp_date(time: Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The XMP packet: PDF/A-3b identification, title, author, language, dates, producer, and
/// the caller's extension.
fn xmp(meta: &Metadata) -> String {
    let date = xmp_date(meta.created);
    let title = xml_escape(&meta.title);
    let author = xml_escape(&meta.author);
    let language = xml_escape(&meta.language);
    let extension = meta.xmp_extension.as_deref().unwrap_or("");
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n\
<pdfaid:part>3</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n\
</rdf:Description>\n\
<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\
<dc:format>application/pdf</dc:format>\n\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>\n\
<dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>\n\
</rdf:Description>\n\
<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
<pdf:Producer>tribune</pdf:Producer>\n\
</rdf:Description>\n\
<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n\
<xmp:CreatorTool>tribune</xmp:CreatorTool>\n\
<xmp:CreateDate>{date}</xmp:CreateDate>\n<xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
<xmp:MetadataDate>{date}</xmp:MetadataDate>\n\
</rdf:Description>\n\
{extension}\
</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    )
}

fn draw(content: &mut Content, op: &Op) {
    match op {
        Op::Text { x, y, style, text } => {
            content.begin_text();
            content.set_font(Name(b"F1"), style.size);
            content.set_fill_gray(style.gray);
            if style.bold {
                content.set_text_rendering_mode(TextRenderingMode::FillStroke);
                content.set_stroke_gray(style.gray);
                content.set_line_width(style.size * 0.045);
            } else {
                content.set_text_rendering_mode(TextRenderingMode::Fill);
            }
            content.next_line(*x, A4_HEIGHT - y);
            content.show(Str(&font::encode(text)));
            content.end_text();
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            gray,
        } => {
            content.set_line_width(*width);
            content.set_stroke_gray(*gray);
            content.move_to(*x1, A4_HEIGHT - y1);
            content.line_to(*x2, A4_HEIGHT - y2);
            content.stroke();
        }
    }
}

impl Layout {
    /// The laid-out pages as a PDF/A-3b file.
    pub fn to_pdf(&self, meta: &Metadata) -> Result<Vec<u8>, PdfError> {
        let metrics = font::metrics().ok_or(PdfError::Font)?;
        let mut next = 0;
        let mut alloc = || {
            next += 1;
            Ref::new(next)
        };
        let catalog_id = alloc();
        let tree_id = alloc();
        let font_id = alloc();
        let descriptor_id = alloc();
        let font_file_id = alloc();
        let icc_id = alloc();
        let metadata_id = alloc();
        let pages: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();
        let files: Vec<(Ref, Ref)> = meta
            .attachments
            .iter()
            .map(|_| (alloc(), alloc()))
            .collect();

        let mut pdf = Pdf::new();
        let mut digest = Sha256::new();
        let xmp = xmp(meta);
        digest.update(xmp.as_bytes());

        let mut catalog = pdf.catalog(catalog_id);
        catalog.pages(tree_id);
        catalog.metadata(metadata_id);
        catalog.lang(TextStr(&meta.language));
        catalog
            .output_intents()
            .push()
            .subtype(OutputIntentSubtype::PDFA)
            .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
            .info(TextStr("sRGB IEC61966-2.1"))
            .dest_output_profile(icc_id);
        if !files.is_empty() {
            catalog.page_mode(pdf_writer::types::PageMode::UseAttachments);
            let mut names = catalog.names();
            let mut tree = names.embedded_files();
            let mut entries = tree.names();
            // Name trees are sorted by key.
            let mut sorted: Vec<(&Attachment, Ref)> = meta
                .attachments
                .iter()
                .zip(files.iter().map(|(spec, _)| *spec))
                .collect();
            sorted.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            for (attachment, spec) in sorted {
                entries.insert(Str(attachment.name.as_bytes()), spec);
            }
            entries.finish();
            tree.finish();
            names.finish();
            catalog
                .insert(Name(b"AF"))
                .array()
                .items(files.iter().map(|(spec, _)| *spec));
        }
        catalog.finish();

        pdf.pages(tree_id)
            .kids(pages.iter().map(|(page, _)| *page))
            .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));

        let count = pages.len();
        for (index, ((page_id, content_id), ops)) in pages.iter().zip(&self.pages).enumerate() {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, A4_WIDTH, A4_HEIGHT));
            page.parent(tree_id);
            page.contents(*content_id);
            page.resources().fonts().pair(Name(b"F1"), font_id);
            page.finish();

            let mut content = Content::new();
            for op in ops {
                draw(&mut content, op);
            }
            if let Some(footer) = &meta.footer {
                for op in footer_ops(footer, index + 1, count) {
                    draw(&mut content, &op);
                }
            }
            let bytes = content.finish();
            digest.update(bytes.as_slice());
            pdf.stream(*content_id, &compress(&bytes))
                .filter(Filter::FlateDecode);
        }

        let mut font = pdf.indirect(font_id).dict();
        font.pair(Name(b"Type"), Name(b"Font"));
        font.pair(Name(b"Subtype"), Name(b"TrueType"));
        font.pair(Name(b"BaseFont"), Name(POSTSCRIPT_NAME));
        font.pair(Name(b"FirstChar"), 32);
        font.pair(Name(b"LastChar"), 255);
        font.insert(Name(b"Widths"))
            .array()
            .items(metrics.widths.iter().copied());
        font.pair(Name(b"Encoding"), Name(b"WinAnsiEncoding"));
        font.pair(Name(b"FontDescriptor"), descriptor_id);
        font.finish();

        pdf.font_descriptor(descriptor_id)
            .name(Name(POSTSCRIPT_NAME))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                metrics.bbox[0],
                metrics.bbox[1],
                metrics.bbox[2],
                metrics.bbox[3],
            ))
            .italic_angle(0.0)
            .ascent(metrics.ascent)
            .descent(metrics.descent)
            .cap_height(metrics.cap_height)
            .stem_v(80.0)
            .font_file2(font_file_id);
        let length = i32::try_from(FONT_FILE.len()).map_err(|_| PdfError::Font)?;
        pdf.stream(font_file_id, &compress(FONT_FILE))
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), length);

        pdf.icc_profile(icc_id, ICC_PROFILE).n(3);
        pdf.metadata(metadata_id, xmp.as_bytes());

        let date = pdf_date(meta.created);
        for (attachment, (spec_id, file_id)) in meta.attachments.iter().zip(&files) {
            digest.update(&attachment.data);
            let size =
                i32::try_from(attachment.data.len()).map_err(|_| PdfError::AttachmentTooLarge)?;
            let mut file = pdf.embedded_file(*file_id, &attachment.data);
            file.subtype(Name(attachment.mime.as_bytes()));
            file.params().size(size).modification_date(date);
            file.finish();
            pdf.file_spec(*spec_id)
                .path(Str(attachment.name.as_bytes()))
                .unic_file(TextStr(&attachment.name))
                .description(TextStr(&attachment.description))
                .association_kind(attachment.relationship.kind())
                .embedded_file_with_unicode(*file_id);
        }

        let id = digest.finalize()[..16].to_vec();
        pdf.set_file_id((id.clone(), id));
        Ok(pdf.finish())
    }
}

fn footer_ops(footer: &str, page: usize, pages: usize) -> Vec<Op> {
    let style = Style::regular(7.5).gray(0.35);
    let y = A4_HEIGHT - MARGIN / 2.0;
    let right = format!("{page}/{pages}");
    let right_x = A4_WIDTH - MARGIN - font::text_width(&right, style.size);
    let mut ops = vec![Op::Text {
        x: right_x,
        y,
        style,
        text: right,
    }];
    let mut left = footer.to_owned();
    let room = right_x - MARGIN - 10.0;
    while font::text_width(&left, style.size) > room && left.pop().is_some() {}
    ops.push(Op::Text {
        x: MARGIN,
        y,
        style,
        text: left,
    });
    ops
}
