//! Encryption at rest for secrets tribune must be able to read back (OAuth tokens, TOTP seeds):
//! XChaCha20-Poly1305 with a 256-bit key generated on first run or given by the operator.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const VERSION_PREFIX: &str = "v1:";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("the stored secret is malformed")]
    Malformed,
    #[error("the stored secret cannot be decrypted with this key")]
    WrongKey,
}

/// Holds the key; its `Debug` never shows it.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    /// A key for message authentication (signed links), derived from the same secret so an
    /// instance has one key to keep, and never the encryption key itself.
    mac_key: [u8; 32],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(<redacted>)")
    }
}

impl SecretBox {
    /// A fresh random key, base64-encoded, for first run.
    pub fn generate_key() -> String {
        STANDARD.encode(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    pub fn from_base64_key(key: &str) -> Result<Self, SecretError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| SecretError::BadKey)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| SecretError::BadKey)?;
        let mut kdf =
            <Hmac<Sha256> as Mac>::new_from_slice(&bytes).map_err(|_| SecretError::BadKey)?;
        kdf.update(b"tribune/mac-key/v1");
        let mac_key = kdf.finalize().into_bytes().into();
        Ok(Self { cipher, mac_key })
    }

    /// HMAC-SHA256 of `message` for one `purpose` (a fixed label such as `media_url`), so a
    /// signature made for one use is never valid for another.
    pub fn mac(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        // HMAC takes keys of any length: this cannot fail.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key) else {
            return [0; 32];
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Encrypts with a random nonce; the output is `v1:` + base64(nonce ‖ ciphertext).
    pub fn seal(&self, plaintext: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption with a valid key and a fresh nonce cannot fail for inputs of this size.
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        format!("{VERSION_PREFIX}{}", STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<String, SecretError> {
        let encoded = sealed
            .strip_prefix(VERSION_PREFIX)
            .ok_or(SecretError::Malformed)?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| SecretError::Malformed)?;
        if bytes.len() < 24 + 16 {
            return Err(SecretError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plaintext = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| SecretError::WrongKey)?;
        String::from_utf8(plaintext).map_err(|_| SecretError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let key = SecretBox::from_base64_key(&SecretBox::generate_key()).unwrap();
        let other = SecretBox::from_base64_key(&SecretBox::generate_key()).unwrap();
        let sealed = key.seal("oauth-token-123");
        assert!(!sealed.contains("oauth-token-123"));
        assert_ne!(sealed, key.seal("oauth-token-123"), "nonces must differ");
        assert_eq!(key.open(&sealed).unwrap(), "oauth-token-123");
        assert_eq!(other.open(&sealed), Err(SecretError::WrongKey));
        assert_eq!(key.open("garbage"), Err(SecretError::Malformed));
        assert_eq!(format!("{key:?}"), "SecretBox(<redacted>)");
        assert_eq!(
            SecretBox::from_base64_key("dG9vc2hvcnQ=").unwrap_err(),
            SecretError::BadKey
        );
    }
}
