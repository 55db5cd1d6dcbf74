//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s), as authenticator apps expect.

use totp_rs::{Algorithm, Secret, TOTP};

/// A new random base32 seed for an authenticator app.
pub fn generate_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_base32: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("tribune".to_owned()),
        account.to_owned(),
    )
    .ok()
}

/// The `otpauth://` URL an authenticator app imports (typed in, or as a QR code).
pub fn provisioning_url(secret_base32: &str, account: &str) -> Option<String> {
    totp(secret_base32, account).map(|t| t.get_url())
}

/// Checks a code at `unix_time`, accepting one step of clock drift either way, and returns the
/// 30-second step it belongs to, so the caller can refuse a code that was already used.
pub fn verify_step(secret_base32: &str, code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret_base32, "user")?;
    let current = unix_time / 30;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| super::token::constant_time_eq(&totp.generate(step * 30), &code))
}

/// The code valid at `unix_time` (tests and the CLI use it).
pub fn code_at(secret_base32: &str, unix_time: u64) -> Option<String> {
    totp(secret_base32, "user").map(|t| t.generate(unix_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_verify_within_one_step() {
        let secret = generate_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(verify_step(&secret, &code, now), Some(now / 30));
        assert_eq!(verify_step(&secret, &code, now + 30), Some(now / 30));
        assert_eq!(verify_step(&secret, &code, now + 120), None);
        assert_eq!(verify_step(&secret, "abcdef", now), None);
        assert!(
            provisioning_url(&secret, "a@b.fr")
                .unwrap()
                .starts_with("otpauth://totp/")
        );
    }
}
