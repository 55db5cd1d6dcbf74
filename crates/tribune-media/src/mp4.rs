//! Just enough of the ISO base media file format (MP4, QuickTime) to read a video's duration
//! (`moov/mvhd`) and picture size (the first `moov/trak/tkhd` with one), seeking from box to
//! box: the sample data is never read, whatever the file's size. No decoder, no dependency.

use std::io::{Read, Seek, SeekFrom};

/// What the container says about the video.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VideoInfo {
    pub duration_secs: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Boxes looked at before giving up (a real file has a few dozen at each level).
const MAX_BOXES: usize = 10_000;

struct BoxHeader {
    kind: [u8; 4],
    /// Where the box's content starts and ends.
    start: u64,
    end: u64,
}

fn read_header<R: Read + Seek>(r: &mut R, at: u64, limit: u64) -> Option<BoxHeader> {
    if at + 8 > limit {
        return None;
    }
    r.seek(SeekFrom::Start(at)).ok()?;
    let mut head = [0u8; 8];
    r.read_exact(&mut head).ok()?;
    let size = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
    let kind = [head[4], head[5], head[6], head[7]];
    let (start, end) = match size {
        0 => (at + 8, limit),
        1 => {
            let mut large = [0u8; 8];
            r.read_exact(&mut large).ok()?;
            (at + 16, at.checked_add(u64::from_be_bytes(large))?)
        }
        n => (at + 8, at.checked_add(n)?),
    };
    (end >= start && end <= limit).then_some(BoxHeader { kind, start, end })
}

/// The child boxes of the range `[start, end)`.
fn children<R: Read + Seek>(r: &mut R, start: u64, end: u64) -> Vec<BoxHeader> {
    let mut out = Vec::new();
    let mut at = start;
    while out.len() < MAX_BOXES {
        let Some(header) = read_header(r, at, end) else {
            break;
        };
        at = header.end;
        let empty = header.end == header.start;
        out.push(header);
        if empty && at >= end {
            break;
        }
    }
    out
}

fn read_at<R: Read + Seek>(r: &mut R, at: u64, buf: &mut [u8]) -> Option<()> {
    r.seek(SeekFrom::Start(at)).ok()?;
    r.read_exact(buf).ok()
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn mvhd_duration<R: Read + Seek>(r: &mut R, b: &BoxHeader) -> Option<f64> {
    let mut v = [0u8; 1];
    read_at(r, b.start, &mut v)?;
    let (timescale, duration) = if v[0] == 1 {
        let mut buf = [0u8; 32];
        read_at(r, b.start, &mut buf)?;
        let ts = be32(&buf[20..24]);
        let d = u64::from_be_bytes(buf[24..32].try_into().ok()?);
        (ts, d)
    } else {
        let mut buf = [0u8; 20];
        read_at(r, b.start, &mut buf)?;
        (be32(&buf[12..16]), u64::from(be32(&buf[16..20])))
    };
    // All ones means "unknown" in the format.
    if timescale == 0 || duration == u64::MAX || duration == u64::from(u32::MAX) {
        return None;
    }
    Some(duration as f64 / f64::from(timescale))
}

fn tkhd_size<R: Read + Seek>(r: &mut R, b: &BoxHeader) -> Option<(u32, u32)> {
    let mut v = [0u8; 1];
    read_at(r, b.start, &mut v)?;
    let offset = if v[0] == 1 { 88 } else { 76 };
    let mut buf = [0u8; 8];
    read_at(r, b.start + offset, &mut buf)?;
    // 16.16 fixed point.
    let (w, h) = (be32(&buf[..4]) >> 16, be32(&buf[4..]) >> 16);
    (w > 0 && h > 0).then_some((w, h))
}

/// Reads the container's header; `None` when the file has no `moov` box (not a playable MP4).
pub fn probe<R: Read + Seek>(r: &mut R, len: u64) -> Option<VideoInfo> {
    let top = children(r, 0, len);
    let moov = top.iter().find(|b| &b.kind == b"moov")?;
    let mut info = VideoInfo::default();
    for child in children(r, moov.start, moov.end) {
        match &child.kind {
            b"mvhd" => info.duration_secs = mvhd_duration(r, &child),
            b"trak" if info.width.is_none() => {
                if let Some(tkhd) = children(r, child.start, child.end)
                    .into_iter()
                    .find(|b| &b.kind == b"tkhd")
                    && let Some((w, h)) = tkhd_size(r, &tkhd)
                {
                    info.width = Some(w);
                    info.height = Some(h);
                }
            }
            _ => {}
        }
    }
    Some(info)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Cursor;

    fn boxed(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut out = ((content.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(content);
        out
    }

    /// A minimal MP4: `ftyp`, a big `mdat`, then `moov` with `mvhd` (12.5 s) and a 640×360
    /// track, as a file whose index comes last.
    pub(crate) fn tiny_mp4() -> Vec<u8> {
        let mut mvhd = vec![0u8; 100];
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        mvhd[16..20].copy_from_slice(&12_500u32.to_be_bytes());
        let mut tkhd = vec![0u8; 84];
        tkhd[76..80].copy_from_slice(&(640u32 << 16).to_be_bytes());
        tkhd[80..84].copy_from_slice(&(360u32 << 16).to_be_bytes());
        let trak = boxed(b"trak", &boxed(b"tkhd", &tkhd));
        let mut moov_content = boxed(b"mvhd", &mvhd);
        moov_content.extend(trak);
        let mut file = boxed(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41");
        file.extend(boxed(b"mdat", &[0u8; 4096]));
        file.extend(boxed(b"moov", &moov_content));
        file
    }

    #[test]
    fn duration_and_size_come_from_the_index_wherever_it_is() {
        let file = tiny_mp4();
        let info = probe(&mut Cursor::new(&file), file.len() as u64).unwrap();
        assert_eq!(info.duration_secs, Some(12.5));
        assert_eq!((info.width, info.height), (Some(640), Some(360)));
    }

    #[test]
    fn a_file_without_an_index_or_with_lying_sizes_is_not_a_video() {
        let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0");
        assert_eq!(probe(&mut Cursor::new(&ftyp), ftyp.len() as u64), None);
        let mut lying = ftyp.clone();
        lying.extend_from_slice(&u32::MAX.to_be_bytes());
        lying.extend_from_slice(b"moov");
        assert_eq!(probe(&mut Cursor::new(&lying), lying.len() as u64), None);
        assert_eq!(probe(&mut Cursor::new(&[0u8; 3]), 3), None);
    }
}
