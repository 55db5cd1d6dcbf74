//! Images and videos: Bluesky's limits, and an image's size read from its header when cheap.

use crate::error::{ConnectorError, Result};
use crate::model::{ImageInput, VideoInput};
use unicode_segmentation::UnicodeSegmentation;

/// Images per post (`app.bsky.embed.images`).
pub(super) const MAX_IMAGES: usize = 4;
/// The blob size the Bluesky PDS accepts for a post image.
pub(super) const MAX_IMAGE_BYTES: usize = 1_000_000;
/// Alt text beyond this is refused by the lexicon's 10,000-grapheme limit long before; we keep
/// the alt text a person can reasonably write.
const MAX_ALT_CHARS: usize = 10_000;

const MIMES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/gif"];

/// Refuses images Bluesky would refuse, with a message the CM can act on.
pub(super) fn check(images: &[ImageInput]) -> Result<()> {
    if images.len() > MAX_IMAGES {
        return Err(ConnectorError::invalid_input(format!(
            "Bluesky allows at most {MAX_IMAGES} images per post ({} given)",
            images.len()
        )));
    }
    for (i, image) in images.iter().enumerate() {
        let n = i + 1;
        if image.bytes.is_empty() {
            return Err(ConnectorError::invalid_input(format!("image {n} is empty")));
        }
        if image.bytes.len() > MAX_IMAGE_BYTES {
            return Err(ConnectorError::invalid_input(format!(
                "image {n} is {} KB; Bluesky accepts images up to {} KB",
                image.bytes.len() / 1000,
                MAX_IMAGE_BYTES / 1000
            )));
        }
        if !MIMES.contains(&image.mime.as_str()) {
            return Err(ConnectorError::invalid_input(format!(
                "image {n} has type {:?}; Bluesky accepts JPEG, PNG, WebP and GIF",
                image.mime
            )));
        }
        if image.alt.chars().count() > MAX_ALT_CHARS {
            return Err(ConnectorError::invalid_input(format!(
                "the alt text of image {n} is longer than {MAX_ALT_CHARS} characters"
            )));
        }
    }
    Ok(())
}

/// The largest video blob (`app.bsky.embed.video`: 100 MB until 2025, 300 MB since; the
/// stricter figure, as in `tribune-compose`'s rules).
pub(super) const MAX_VIDEO_BYTES: usize = 100_000_000;
/// The longest video, in milliseconds (three minutes since March 2025).
const MAX_VIDEO_MS: i64 = 180_000;
/// The lexicon's limit on a video's alt text, in graphemes.
const MAX_VIDEO_ALT_GRAPHEMES: usize = 1_000;

/// Refuses a video Bluesky would refuse: one per post, not with images, MP4 only (the
/// lexicon's `accept`; the PDS checks a blob's type when the post refers to it, so a MOV
/// uploaded directly would be refused there), within the size, duration and alt text limits.
pub(super) fn check_videos(videos: &[VideoInput], with_images: bool) -> Result<()> {
    if videos.len() > 1 || (with_images && !videos.is_empty()) {
        return Err(ConnectorError::invalid_input(
            "a Bluesky post takes one video, without images",
        ));
    }
    for video in videos {
        if video.mime != "video/mp4" {
            return Err(ConnectorError::invalid_input(format!(
                "the video has type {:?}; Bluesky takes MP4 videos through tribune",
                video.mime
            )));
        }
        if video.bytes.is_empty() || video.bytes.len() > MAX_VIDEO_BYTES {
            return Err(ConnectorError::invalid_input(format!(
                "the video is {} MB; Bluesky accepts videos up to {} MB",
                video.bytes.len() / 1_000_000,
                MAX_VIDEO_BYTES / 1_000_000
            )));
        }
        if let Some(ms) = video.duration_ms
            && ms > MAX_VIDEO_MS
        {
            return Err(ConnectorError::invalid_input(format!(
                "the video lasts {} s; Bluesky accepts videos up to {} s",
                (ms + 999) / 1000,
                MAX_VIDEO_MS / 1000
            )));
        }
        if video.alt.graphemes(true).count() > MAX_VIDEO_ALT_GRAPHEMES {
            return Err(ConnectorError::invalid_input(format!(
                "the video's alt text is longer than {MAX_VIDEO_ALT_GRAPHEMES} characters"
            )));
        }
    }
    Ok(())
}

/// Width and height from a PNG, GIF or JPEG header, if the bytes are one.
pub(super) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be32 = |b: &[u8]| Some(u32::from_be_bytes(b.try_into().ok()?));
    let le16 = |b: &[u8]| Some(u32::from(u16::from_le_bytes(b.try_into().ok()?)));
    let (w, h) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16)? == b"IHDR" {
        (be32(bytes.get(16..20)?)?, be32(bytes.get(20..24)?)?)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        (le16(bytes.get(6..8)?)?, le16(bytes.get(8..10)?)?)
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        jpeg_dimensions(bytes)?
    } else {
        return None;
    };
    (w > 0 && h > 0).then_some((w, h))
}

/// Walks the JPEG segments to the first start-of-frame marker.
fn jpeg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    // A hostile file cannot make us walk forever: each step moves forward.
    while i + 9 < bytes.len() {
        if bytes[i] != 0xff {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xff {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let is_sof = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
        if is_sof {
            let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]);
            let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]);
            return Some((u32::from(w), u32::from(h)));
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// The type of an image from its first bytes, for images fetched from the web (link cards).
pub(super) fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02,
    ];

    #[test]
    fn sizes_are_read_from_png_gif_and_jpeg_headers() {
        assert_eq!(dimensions(PNG_1X1), Some((1, 1)));
        assert_eq!(dimensions(b"GIF89a\x40\x01\xf0\x00rest"), Some((320, 240)));
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, // APP0, 2 bytes of payload
            0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 0, 0, 0, 0,
        ];
        assert_eq!(dimensions(&jpeg), Some((640, 480)));
        assert_eq!(dimensions(b"not an image"), None);
        assert_eq!(
            dimensions(&[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0, 0, 0, 0, 0, 0]),
            None
        );
        assert_eq!(dimensions(&PNG_1X1[..20]), None);
    }

    #[test]
    fn one_mp4_video_within_the_limits_is_taken() {
        let video = |mime: &str, bytes: usize, ms: Option<i64>| VideoInput {
            bytes: vec![0; bytes],
            mime: mime.into(),
            alt: "a clip".into(),
            width: Some(640),
            height: Some(360),
            duration_ms: ms,
        };
        assert!(check_videos(&[video("video/mp4", 10, Some(12_000))], false).is_ok());
        assert!(check_videos(&[video("video/mp4", 10, None)], false).is_ok());
        let mov = check_videos(&[video("video/quicktime", 10, None)], false).unwrap_err();
        assert!(mov.message.contains("MP4"), "{}", mov.message);
        let long = check_videos(&[video("video/mp4", 10, Some(180_001))], false).unwrap_err();
        assert!(long.message.contains("181 s"), "{}", long.message);
        assert!(check_videos(&[video("video/mp4", 10, None)], true).is_err());
        let two = [video("video/mp4", 1, None), video("video/mp4", 1, None)];
        assert!(check_videos(&two, false).is_err());
        assert!(check_videos(&[video("video/mp4", 0, None)], false).is_err());
        let mut wordy = video("video/mp4", 10, None);
        wordy.alt = "é".repeat(1_001);
        assert!(check_videos(&[wordy], false).is_err());
    }

    #[test]
    fn images_over_the_limits_are_refused_with_a_reason() {
        let image = |bytes: Vec<u8>, mime: &str| ImageInput {
            bytes,
            mime: mime.into(),
            alt: "a cat".into(),
        };
        assert!(check(&[image(PNG_1X1.to_vec(), "image/png")]).is_ok());
        let too_many = vec![image(PNG_1X1.to_vec(), "image/png"); 5];
        assert!(check(&too_many).unwrap_err().message.contains("at most 4"));
        let big = check(&[image(vec![0; 1_000_001], "image/png")]).unwrap_err();
        assert!(big.message.contains("up to 1000 KB"), "{}", big.message);
        assert!(check(&[image(PNG_1X1.to_vec(), "image/tiff")]).is_err());
    }
}
