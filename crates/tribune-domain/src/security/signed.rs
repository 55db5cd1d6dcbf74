//! Signed, expiring media links (`/m/{token}`) for networks that fetch media by URL (Instagram,
//! Pinterest, Threads): whoever holds the link may read that one file until it expires, and no
//! one can make a link for another file or a later time without the instance's secret key.
//!
//! The token is URL-safe base64 of `media id (8 bytes, big-endian) ‖ expiry (8 bytes, Unix
//! seconds, big-endian) ‖ the first 16 bytes of HMAC-SHA256(id ‖ expiry)`: 43 characters,
//! nothing stored server-side.

use super::secret_box::SecretBox;
use super::token::constant_time_eq;
use crate::MediaId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const PURPOSE: &str = "media_url";
const MAC_LEN: usize = 16;
const TOKEN_LEN: usize = 8 + 8 + MAC_LEN;

fn mac(secrets: &SecretBox, id: MediaId, expires_at: i64) -> [u8; MAC_LEN] {
    let mut message = [0u8; 16];
    message[..8].copy_from_slice(&id.0.to_be_bytes());
    message[8..].copy_from_slice(&expires_at.to_be_bytes());
    let full = secrets.mac(PURPOSE, &message);
    let mut out = [0u8; MAC_LEN];
    out.copy_from_slice(&full[..MAC_LEN]);
    out
}

/// A token that opens media `id` until `expires_at` (Unix seconds).
pub fn media_token(secrets: &SecretBox, id: MediaId, expires_at: i64) -> String {
    let mut bytes = Vec::with_capacity(TOKEN_LEN);
    bytes.extend_from_slice(&id.0.to_be_bytes());
    bytes.extend_from_slice(&expires_at.to_be_bytes());
    bytes.extend_from_slice(&mac(secrets, id, expires_at));
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The media a token opens, if it was made with this key and has not expired at `now`.
pub fn verify_media_token(secrets: &SecretBox, token: &str, now: i64) -> Option<MediaId> {
    if token.len() > 64 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    if bytes.len() != TOKEN_LEN {
        return None;
    }
    let id = MediaId(i64::from_be_bytes(bytes[..8].try_into().ok()?));
    let expires_at = i64::from_be_bytes(bytes[8..16].try_into().ok()?);
    let expected = mac(secrets, id, expires_at);
    // Compared as hex so the comparison is the constant-time one the tokens use.
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    if !constant_time_eq(&hex(&bytes[16..]), &hex(&expected)) {
        return None;
    }
    (now < expires_at).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_media_token_opens_its_media_until_it_expires_and_cannot_be_forged() {
        let key = SecretBox::from_base64_key(&SecretBox::generate_key()).unwrap();
        let other = SecretBox::from_base64_key(&SecretBox::generate_key()).unwrap();
        let token = media_token(&key, MediaId(42), 1_000);
        assert_eq!(token.len(), 43);
        assert_eq!(verify_media_token(&key, &token, 999), Some(MediaId(42)));
        assert_eq!(verify_media_token(&key, &token, 1_000), None, "expired");
        assert_eq!(verify_media_token(&other, &token, 999), None, "other key");
        // Another id or a later expiry with the old signature.
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[7] = 43;
        assert_eq!(
            verify_media_token(&key, &URL_SAFE_NO_PAD.encode(&bytes), 999),
            None
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[14] = 0xff;
        assert_eq!(
            verify_media_token(&key, &URL_SAFE_NO_PAD.encode(&bytes), 999),
            None
        );
        assert_eq!(verify_media_token(&key, "garbage", 0), None);
        assert_eq!(verify_media_token(&key, "", 0), None);
        // The same key's MAC for another purpose is another value.
        assert_ne!(key.mac("media_url", b"x"), key.mac("other", b"x"));
    }
}
