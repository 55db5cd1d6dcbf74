//! The one font tribune embeds (DejaVu Sans Condensed, see assets/README.md), used as a simple
//! TrueType font with the standard WinAnsi encoding: every character French and English text
//! needs (accents, œ, « », €, ’, the no-break space) has a one-byte code there, so text is
//! written, measured and extracted without a CMap, and PDF viewers copy it back as Unicode.

use std::sync::OnceLock;

/// The font file, compiled in (PDF/A forbids relying on the reader's fonts).
pub(crate) const FONT_FILE: &[u8] = include_bytes!("../assets/DejaVuSansCondensed.ttf");
/// The font's PostScript name, as `/BaseFont`.
pub(crate) const POSTSCRIPT_NAME: &[u8] = b"DejaVuSansCondensed";

/// What the PDF needs to know about the font, in thousandths of the text size (PDF glyph space).
pub(crate) struct Metrics {
    /// The advance of each WinAnsi code from 32 to 255 (index 0 is code 32).
    pub widths: [f32; 224],
    pub bbox: [f32; 4],
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
}

/// The font's metrics, read once. `None` only if the compiled-in file were not a font, which a
/// test rules out.
pub(crate) fn metrics() -> Option<&'static Metrics> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS.get_or_init(read_metrics).as_ref()
}

fn read_metrics() -> Option<Metrics> {
    let face = ttf_parser::Face::parse(FONT_FILE, 0).ok()?;
    let scale = 1000.0 / f32::from(face.units_per_em());
    let mut widths = [0.0; 224];
    for (slot, code) in widths.iter_mut().zip(32u8..=255) {
        if let Some(c) = decode(code) {
            let glyph = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            let advance = face.glyph_hor_advance(glyph).unwrap_or(0);
            *slot = (f32::from(advance) * scale).round();
        }
    }
    let bbox = face.global_bounding_box();
    Some(Metrics {
        widths,
        bbox: [
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ],
        ascent: f32::from(face.ascender()) * scale,
        descent: f32::from(face.descender()) * scale,
        cap_height: f32::from(face.capital_height().unwrap_or(face.ascender())) * scale,
    })
}

/// The WinAnsi codes from 0x80 to 0x9F that are not Latin-1 (the five holes are `None`).
const WIN_ANSI_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The character a WinAnsi code stands for.
fn decode(code: u8) -> Option<char> {
    match code {
        0x20..=0x7e | 0xa0..=0xff => Some(char::from(code)),
        0x80..=0x9f => WIN_ANSI_HIGH[usize::from(code - 0x80)],
        _ => None,
    }
}

/// The WinAnsi code of a character. The narrow no-break space of French typography becomes a
/// no-break space, other spaces a space, and anything the encoding lacks a `?`: the text
/// stays readable and nothing is silently dropped.
pub(crate) fn encode_char(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u8,
        '\u{202f}' | '\u{2007}' => 0xa0,
        '\t' | '\u{2000}'..='\u{200a}' => b' ',
        '\u{2011}' => b'-',
        _ => WIN_ANSI_HIGH
            .iter()
            .position(|&high| high == Some(c))
            .and_then(|index| u8::try_from(index).ok())
            .map_or(b'?', |index| 0x80 + index),
    }
}

/// The bytes to show for `text`.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars().map(encode_char).collect()
}

/// The width of `text` at `size` points, in points.
pub fn text_width(text: &str, size: f32) -> f32 {
    let Some(metrics) = metrics() else {
        return 0.0;
    };
    let thousandths: f32 = text
        .chars()
        .map(|c| {
            let code = encode_char(c);
            metrics.widths[usize::from(code.saturating_sub(32))]
        })
        .sum();
    thousandths * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_font_reads_and_covers_french() {
        let metrics = metrics().unwrap();
        for c in "àâçéèêëîïôûùüÿœŒÉÈÀÇ«»€’–—…".chars() {
            let code = encode_char(c);
            assert_ne!(code, b'?', "{c}");
            assert!(metrics.widths[usize::from(code - 32)] > 0.0, "{c}");
            assert_eq!(decode(code), Some(c));
        }
        assert_eq!(encode("1\u{202f}234,56\u{a0}€"), b"1\xa0234,56\xa0\x80");
        assert_eq!(encode("→"), b"?");
    }

    #[test]
    fn wider_text_measures_wider() {
        assert!(text_width("MMMM", 10.0) > text_width("iiii", 10.0));
        assert!((text_width("ab", 20.0) - 2.0 * text_width("ab", 10.0)).abs() < 0.01);
    }
}
