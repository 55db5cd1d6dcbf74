//! Deterministic record keys, so that publishing the same post twice writes the same record.
//!
//! A post's record key is a TID (<https://atproto.com/specs/tid>): 53 bits of microseconds since
//! the Unix epoch and a 10-bit clock id, base32-sortable encoded in 13 characters. We derive both
//! from the post itself: the seconds from `created_at`, the microseconds within that second and
//! the clock id from a hash of the idempotency key. Two different posts created in the same
//! second collide only if 30 bits of their hashes agree.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// The TID record key for a post.
pub(super) fn post_rkey(created_at_secs: i64, idempotency_key: &str) -> String {
    let hash = Sha256::digest(idempotency_key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    let h = u64::from_be_bytes(first);
    let micros_in_second = (h >> 10) % 1_000_000;
    let clock_id = h & 0x3ff;
    // TIDs cover 1970 to ~2255; anything outside is clamped rather than wrapped.
    let secs = created_at_secs.clamp(0, 9_000_000_000) as u64;
    let micros = secs * 1_000_000 + micros_in_second;
    encode((micros << 10) & 0x7fff_ffff_ffff_fc00 | clock_id)
}

fn encode(mut value: u64) -> String {
    let mut out = [b'2'; 13];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value & 31) as usize];
        value >>= 5;
    }
    out.iter().map(|b| char::from(*b)).collect()
}

/// The creation time encoded in a TID (Unix seconds), if it is one.
#[cfg(test)]
fn decode_secs(tid: &str) -> Option<i64> {
    let mut value: u64 = 0;
    for c in tid.bytes() {
        let digit = ALPHABET.iter().position(|a| *a == c)? as u64;
        value = (value << 5) | digit;
    }
    i64::try_from((value >> 10) / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_api::types::string::Tid;

    #[test]
    fn the_same_post_always_gets_the_same_valid_tid() {
        let a = post_rkey(1_790_000_000, "post-42");
        assert_eq!(a, post_rkey(1_790_000_000, "post-42"));
        assert!(Tid::new(a.clone()).is_ok(), "{a}");
        assert_eq!(decode_secs(&a), Some(1_790_000_000));
        assert_ne!(a, post_rkey(1_790_000_000, "post-43"));
        assert_ne!(a, post_rkey(1_790_000_001, "post-42"));
    }

    #[test]
    fn extreme_times_still_give_valid_tids() {
        for secs in [i64::MIN, -1, 0, 1, i64::MAX] {
            let tid = post_rkey(secs, "k");
            assert!(Tid::new(tid.clone()).is_ok(), "{secs}: {tid}");
        }
    }
}
