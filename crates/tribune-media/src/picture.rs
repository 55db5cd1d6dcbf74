//! Images: their size, a thumbnail, and a copy that fits a network's byte limit. Every copy is
//! re-encoded from the decoded pixels, so no metadata of the original (EXIF with the camera's
//! GPS position, XMP, IPTC, comments) survives; the EXIF orientation is applied to the pixels
//! first, so the picture still shows the right way up. Decoding is bounded in pixels and
//! memory: a small file that claims to be a gigapixel image is refused, not decoded.

use crate::{Format, MediaError};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, Rgb, RgbImage};
use std::io::{BufRead, Cursor, Seek};

/// The most pixels an image may have (a 50-megapixel camera).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The longest side of a thumbnail.
pub const THUMBNAIL_SIDE: u32 = 320;
/// The longest side of a copy sent to a network (none shows more).
pub const MAX_PUBLISHED_SIDE: u32 = 4096;
/// The smallest a copy is shrunk to before giving up on a byte limit.
const MIN_SIDE: u32 = 256;

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(30_000);
    limits.max_image_height = Some(30_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    limits
}

fn reader<R: BufRead + Seek>(input: R, format: Format) -> Result<ImageReader<R>, MediaError> {
    let image_format = format.image_format().ok_or(MediaError::Unsupported)?;
    let mut reader = ImageReader::with_format(input, image_format);
    reader.limits(limits());
    Ok(reader)
}

/// Width and height, from the header only.
pub fn dimensions<R: BufRead + Seek>(input: R, format: Format) -> Result<(u32, u32), MediaError> {
    let (w, h) = reader(input, format)?
        .into_dimensions()
        .map_err(|_| MediaError::Unreadable)?;
    if w == 0 || h == 0 {
        return Err(MediaError::Unreadable);
    }
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(MediaError::TooManyPixels);
    }
    Ok((w, h))
}

/// The decoded picture, turned the way its EXIF orientation says.
pub fn decode<R: BufRead + Seek>(input: R, format: Format) -> Result<DynamicImage, MediaError> {
    let mut decoder = reader(input, format)?
        .into_decoder()
        .map_err(|_| MediaError::Unreadable)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(MediaError::TooManyPixels);
    }
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| MediaError::Unreadable)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// JPEG has no transparency: transparent parts become white, not black.
fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let mix = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
        Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    flatten(image)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
        .map_err(|e| MediaError::Encode(e.to_string()))?;
    Ok(out)
}

fn png(image: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    image
        .write_with_encoder(PngEncoder::new(&mut out))
        .map_err(|e| MediaError::Encode(e.to_string()))?;
    Ok(out)
}

/// A JPEG no larger than [`THUMBNAIL_SIDE`] on its longest side.
pub fn thumbnail(image: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    jpeg(&image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE), 80)
}

/// A copy ready to send: its bytes and MIME type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// A metadata-free copy of `original` of at most `max_bytes`: a PNG stays a PNG when it fits
/// (screenshots stay sharp); otherwise a JPEG, its quality then its size lowered step by step
/// until it fits. GIFs under the limit are sent as they are (their animation kept; GIF has no
/// EXIF).
pub fn fit(original: &[u8], format: Format, max_bytes: u64) -> Result<Fitted, MediaError> {
    if format == Format::Gif && original.len() as u64 <= max_bytes {
        return Ok(Fitted {
            bytes: original.to_vec(),
            mime: Format::Gif.mime(),
        });
    }
    let mut image = decode(Cursor::new(original), format)?;
    if image.width().max(image.height()) > MAX_PUBLISHED_SIDE {
        image = image.resize(MAX_PUBLISHED_SIDE, MAX_PUBLISHED_SIDE, FilterType::Triangle);
    }
    if format == Format::Png {
        let bytes = png(&image)?;
        if bytes.len() as u64 <= max_bytes {
            return Ok(Fitted {
                bytes,
                mime: Format::Png.mime(),
            });
        }
    }
    loop {
        for quality in [90, 80, 70] {
            let bytes = jpeg(&image, quality)?;
            if bytes.len() as u64 <= max_bytes {
                return Ok(Fitted {
                    bytes,
                    mime: Format::Jpeg.mime(),
                });
            }
        }
        let side = image.width().max(image.height());
        if side <= MIN_SIDE {
            return Err(MediaError::TooLarge { limit: max_bytes });
        }
        let next = (side * 3 / 4).max(MIN_SIDE);
        image = image.resize(next, next, FilterType::Triangle);
    }
}

/// A network-sized shape for a copy of an image, from the networks' recommended sizes:
/// square 1080×1080 (Instagram's feed, Threads, X), portrait 4:5 1080×1350 (the tallest
/// Instagram's feed shows), landscape 1.91:1 1200×628 (link and feed images on Facebook,
/// LinkedIn, X; Instagram's widest), story 9:16 1080×1920 (Stories, Reels, TikTok covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Square,
    Portrait,
    Landscape,
    Story,
}

impl Preset {
    pub const ALL: [Preset; 4] = [
        Preset::Square,
        Preset::Portrait,
        Preset::Landscape,
        Preset::Story,
    ];

    /// The stable name used in forms, the API and the catalogues (`media-preset-…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Square => "square",
            Preset::Portrait => "portrait",
            Preset::Landscape => "landscape",
            Preset::Story => "story",
        }
    }

    pub fn parse(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The size of the copy when the original is large enough (it is never enlarged).
    pub fn size(self) -> (u32, u32) {
        match self {
            Preset::Square => (1080, 1080),
            Preset::Portrait => (1080, 1350),
            Preset::Landscape => (1200, 628),
            Preset::Story => (1080, 1920),
        }
    }
}

/// Where the crop centres, in thousandths of the width and height from the top left (500, 500
/// is the centre). The crop keeps as much of the picture as the shape allows and slides toward
/// this point without leaving the picture. Integers, so the arithmetic is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Focus {
    x: u32,
    y: u32,
}

impl Default for Focus {
    fn default() -> Self {
        Focus { x: 500, y: 500 }
    }
}

impl Focus {
    /// A focus point inside the picture (each coordinate 0 to 1000); `None` otherwise.
    pub fn new(x: u32, y: u32) -> Option<Focus> {
        (x <= 1000 && y <= 1000).then_some(Focus { x, y })
    }

    pub fn x(self) -> u32 {
        self.x
    }

    pub fn y(self) -> u32 {
        self.y
    }
}

/// The largest rectangle of the preset's shape in a `w`×`h` picture, as close to centred on
/// `focus` as the picture's edges allow: `(x, y, width, height)`.
pub fn crop_box(w: u32, h: u32, preset: Preset, focus: Focus) -> (u32, u32, u32, u32) {
    let (pw, ph) = preset.size();
    let (w64, h64) = (u64::from(w), u64::from(h));
    // Compare w/h with pw/ph in integers: w·ph against h·pw.
    let (cw, ch) = if w64 * u64::from(ph) > h64 * u64::from(pw) {
        // Wider than the shape: full height.
        ((h64 * u64::from(pw) / u64::from(ph)).clamp(1, w64), h64)
    } else {
        (w64, (w64 * u64::from(ph) / u64::from(pw)).clamp(1, h64))
    };
    let place = |len: u64, inner: u64, at: u32| -> u64 {
        let centre = len * u64::from(at) / 1000;
        centre.saturating_sub(inner / 2).min(len - inner)
    };
    let x = place(w64, cw, focus.x);
    let y = place(h64, ch, focus.y);
    // Every value is at most `w` or `h`, so it fits back.
    let fit = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    (fit(x), fit(y), fit(cw), fit(ch))
}

/// A copy of `original` cut to `preset`'s shape around `focus` and scaled down to its size
/// (never up), re-encoded without metadata like every copy: a PNG stays a PNG (screenshots
/// and logos stay sharp), anything else becomes a JPEG at quality 90. A GIF loses its
/// animation (its first frame is cut).
pub fn crop(
    original: &[u8],
    format: Format,
    preset: Preset,
    focus: Focus,
) -> Result<Fitted, MediaError> {
    let image = decode(Cursor::new(original), format)?;
    let (x, y, w, h) = crop_box(image.width(), image.height(), preset, focus);
    let mut cut = image.crop_imm(x, y, w, h);
    let (pw, ph) = preset.size();
    if cut.width() > pw || cut.height() > ph {
        cut = cut.resize_exact(pw, ph, FilterType::Lanczos3);
    }
    if format == Format::Png {
        return Ok(Fitted {
            bytes: png(&cut)?,
            mime: Format::Png.mime(),
        });
    }
    Ok(Fitted {
        bytes: jpeg(&cut, 90)?,
        mime: Format::Jpeg.mime(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{ImageBuffer, Rgba};

    /// A noisy picture (noise does not compress) of `w`×`h`.
    pub(crate) fn noisy(w: u32, h: u32) -> DynamicImage {
        let mut seed = 12345u32;
        DynamicImage::ImageRgba8(ImageBuffer::from_fn(w, h, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let [a, b, c, _] = seed.to_be_bytes();
            Rgba([a, b, c, 255])
        }))
    }

    pub(crate) fn png_bytes(image: &DynamicImage) -> Vec<u8> {
        png(image).unwrap()
    }

    /// A JPEG with an EXIF block holding a GPS tag and orientation 6 (turn 90° clockwise).
    pub(crate) fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let plain = jpeg(&noisy(w, h), 90).unwrap();
        // TIFF header (big-endian), IFD0 with Orientation (0x0112) = 6 and GPSInfo (0x8825).
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&2u16.to_be_bytes());
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        tiff.extend_from_slice(b"GPS-SECRET-PLACE");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn copies_drop_the_metadata_and_keep_the_orientation() {
        let original = jpeg_with_exif(64, 32);
        assert!(original.windows(16).any(|w| w == b"GPS-SECRET-PLACE"));
        let fitted = fit(&original, Format::Jpeg, 1_000_000).unwrap();
        assert!(!fitted.bytes.windows(16).any(|w| w == b"GPS-SECRET-PLACE"));
        assert!(!fitted.bytes.windows(4).any(|w| w == b"Exif"));
        let copy = image::load_from_memory(&fitted.bytes).unwrap();
        assert_eq!((copy.width(), copy.height()), (32, 64), "turned upright");
        let thumb = thumbnail(&decode(Cursor::new(&original), Format::Jpeg).unwrap()).unwrap();
        assert!(!thumb.windows(4).any(|w| w == b"Exif"));
    }

    #[test]
    fn a_large_image_is_shrunk_until_it_fits_the_limit() {
        let original = png_bytes(&noisy(1200, 900));
        assert!(original.len() > 1_000_000);
        let fitted = fit(&original, Format::Png, 300_000).unwrap();
        assert!(fitted.bytes.len() <= 300_000);
        assert_eq!(fitted.mime, "image/jpeg");
        let small = png_bytes(&noisy(40, 30));
        assert_eq!(
            fit(&small, Format::Png, 1_000_000).unwrap().mime,
            "image/png"
        );
        assert!(matches!(
            fit(&original, Format::Png, 100),
            Err(MediaError::TooLarge { .. })
        ));
    }

    #[test]
    fn the_crop_is_the_largest_box_of_the_shape_slid_toward_the_focus() {
        let centre = Focus::default();
        // A 3000×2000 landscape photo.
        assert_eq!(
            crop_box(3000, 2000, Preset::Square, centre),
            (500, 0, 2000, 2000)
        );
        assert_eq!(
            crop_box(3000, 2000, Preset::Portrait, centre),
            (700, 0, 1600, 2000)
        );
        assert_eq!(
            crop_box(3000, 2000, Preset::Story, centre),
            (938, 0, 1125, 2000)
        );
        // 1.91:1 is wider than 3:2: full width, a band of the height.
        assert_eq!(
            crop_box(3000, 2000, Preset::Landscape, centre),
            (0, 215, 3000, 1570)
        );
        // A focus near an edge slides the box to the edge, not beyond.
        let left = Focus::new(0, 500).unwrap();
        assert_eq!(
            crop_box(3000, 2000, Preset::Square, left),
            (0, 0, 2000, 2000)
        );
        let right = Focus::new(900, 500).unwrap();
        assert_eq!(
            crop_box(3000, 2000, Preset::Square, right),
            (1000, 0, 2000, 2000)
        );
        let left_third = Focus::new(300, 500).unwrap();
        assert_eq!(
            crop_box(3000, 2000, Preset::Portrait, left_third),
            (100, 0, 1600, 2000)
        );
        let top = Focus::new(500, 100).unwrap();
        assert_eq!(
            crop_box(3000, 2000, Preset::Landscape, top),
            (0, 0, 3000, 1570)
        );
        // Tiny pictures still give at least one pixel.
        assert_eq!(crop_box(1, 1, Preset::Landscape, centre), (0, 0, 1, 1));
        assert_eq!(Focus::new(1001, 500), None);
        for preset in Preset::ALL {
            assert_eq!(Preset::parse(preset.as_str()), Some(preset));
        }
    }

    #[test]
    fn a_cropped_copy_has_the_preset_size_no_metadata_and_never_grows() {
        let original = jpeg_with_exif(2400, 1600);
        // EXIF says turn 90°: the picture is 1600 wide, 2400 tall once upright.
        let copy = crop(&original, Format::Jpeg, Preset::Landscape, Focus::default()).unwrap();
        assert_eq!(copy.mime, "image/jpeg");
        assert!(!copy.bytes.windows(16).any(|w| w == b"GPS-SECRET-PLACE"));
        let decoded = image::load_from_memory(&copy.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1200, 628));
        let small = png_bytes(&noisy(400, 300));
        let copy = crop(&small, Format::Png, Preset::Portrait, Focus::default()).unwrap();
        assert_eq!(copy.mime, "image/png");
        let decoded = image::load_from_memory(&copy.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (240, 300));
        assert!(matches!(
            crop(
                b"\x89PNG\r\n\x1a\nbroken",
                Format::Png,
                Preset::Square,
                Focus::default()
            ),
            Err(MediaError::Unreadable)
        ));
    }

    #[test]
    fn a_picture_claiming_too_many_pixels_is_refused_before_decoding() {
        // A PNG header announcing 100,000 × 100,000 pixels.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        assert!(dimensions(Cursor::new(&png), Format::Png).is_err());
        assert!(decode(Cursor::new(&png), Format::Png).is_err());
        assert!(matches!(
            dimensions(Cursor::new(b"\x89PNG\r\n\x1a\n".as_slice()), Format::Png),
            Err(MediaError::Unreadable)
        ));
    }
}
