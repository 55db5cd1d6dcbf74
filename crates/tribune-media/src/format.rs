//! What a file is, from its first bytes: never from its name or the type the client claimed.

pub use tribune_domain::media::MediaKind;

/// The formats the media library takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Mp4,
    Mov,
}

/// Bytes needed to recognise every format.
pub const SNIFF_BYTES: usize = 12;

/// MP4 major brands of video files (`ftyp`). HEIF/AVIF images (`heic`, `mif1`, `avif`…) and
/// camera raw files share the box layout and are not videos: they are left out.
const MP4_BRANDS: &[&[u8; 4]] = &[
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41",
    b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"MSNV", b"f4v ", b"mmp4",
];

impl Format {
    /// Recognises a file from its first [`SNIFF_BYTES`] bytes (fewer only if the file is that
    /// short).
    pub fn sniff(head: &[u8]) -> Option<Format> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Some(Format::Jpeg);
        }
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(Format::Png);
        }
        if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
            return Some(Format::Gif);
        }
        if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            return Some(Format::Webp);
        }
        if head.len() >= 12 && &head[4..8] == b"ftyp" {
            let brand = &head[8..12];
            if brand == b"qt  " {
                return Some(Format::Mov);
            }
            if MP4_BRANDS.iter().any(|b| b.as_slice() == brand) {
                return Some(Format::Mp4);
            }
        }
        None
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Mp4 => "video/mp4",
            Format::Mov => "video/quicktime",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Format> {
        [
            Format::Jpeg,
            Format::Png,
            Format::Webp,
            Format::Gif,
            Format::Mp4,
            Format::Mov,
        ]
        .into_iter()
        .find(|f| f.mime() == mime)
    }

    pub fn kind(self) -> MediaKind {
        match self {
            Format::Jpeg | Format::Png | Format::Webp | Format::Gif => MediaKind::Image,
            Format::Mp4 | Format::Mov => MediaKind::Video,
        }
    }

    pub(crate) fn image_format(self) -> Option<image::ImageFormat> {
        match self {
            Format::Jpeg => Some(image::ImageFormat::Jpeg),
            Format::Png => Some(image::ImageFormat::Png),
            Format::Webp => Some(image::ImageFormat::WebP),
            Format::Gif => Some(image::ImageFormat::Gif),
            Format::Mp4 | Format::Mov => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_content_only() {
        assert_eq!(
            Format::sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"),
            Some(Format::Jpeg)
        );
        assert_eq!(
            Format::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\r"),
            Some(Format::Png)
        );
        assert_eq!(Format::sniff(b"GIF89a\x01\0\x01\0\0\0"), Some(Format::Gif));
        assert_eq!(Format::sniff(b"RIFF\x24\0\0\0WEBP"), Some(Format::Webp));
        assert_eq!(Format::sniff(b"\0\0\0\x20ftypisom"), Some(Format::Mp4));
        assert_eq!(Format::sniff(b"\0\0\0\x14ftypqt  "), Some(Format::Mov));
        // HEIC shares the box layout but is not a video.
        assert_eq!(Format::sniff(b"\0\0\0\x18ftypheic"), None);
        assert_eq!(Format::sniff(b"<!DOCTYPE html>"), None);
        assert_eq!(Format::sniff(b"<svg xmlns="), None);
        assert_eq!(Format::sniff(b""), None);
        assert_eq!(Format::sniff(b"RIFF\x24\0\0\0WAVE"), None);
        assert_eq!(Format::from_mime("video/quicktime"), Some(Format::Mov));
        assert_eq!(MediaKind::parse("video"), Some(MediaKind::Video));
    }
}
