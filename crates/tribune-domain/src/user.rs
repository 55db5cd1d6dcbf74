//! Accounts: e-mail addresses, display names and the password policy.

use crate::text_safety::{deceptive_text, is_bidi_control, is_invisible};
use crate::validation::{ValidationError, required_line};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Lower-cases and checks an e-mail address. It is an identifier here, not a delivery address
/// to verify, so the check is deliberately simple: one `@`, no spaces, a dot in the domain.
pub fn normalize_email(raw: &str) -> Result<String, ValidationError> {
    let email = raw.trim().to_lowercase();
    if email.chars().any(is_bidi_control) {
        return Err(ValidationError::single("email", "error-bidi-control"));
    }
    let valid = email.len() <= 254
        && !email
            .chars()
            .any(|c| is_invisible(c) || c == '<' || c == '>')
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(email)
    } else {
        Err(ValidationError::single("email", "error-email"))
    }
}

pub fn validate_password(password: &str) -> Result<(), ValidationError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(ValidationError::single("password", "error-password-short"))
    } else if password.len() > MAX_PASSWORD_BYTES {
        Err(ValidationError::single("password", "error-too-long"))
    } else {
        Ok(())
    }
}

/// Checks a person's display name: required, one line, at most 100 characters, and neither
/// invisible nor direction-flipping (it is shown to others next to what they post and approve).
pub fn validate_name(errors: &mut ValidationError, name: &str) -> String {
    let name = required_line(errors, "name", name, 100);
    if errors.for_field("name").is_none()
        && let Some(key) = deceptive_text(&name)
    {
        errors.push("name", key);
    }
    name
}

/// A validated new account.
#[derive(Debug, Clone)]
pub struct UserNew {
    pub email: String,
    pub name: String,
    pub password: String,
}

impl UserNew {
    pub fn validate(email: &str, name: &str, password: &str) -> Result<UserNew, ValidationError> {
        let mut errors = ValidationError::default();
        let email = match normalize_email(email) {
            Ok(email) => email,
            Err(e) => {
                errors.violations.extend(e.violations);
                String::new()
            }
        };
        let name = validate_name(&mut errors, name);
        if let Err(e) = validate_password(password) {
            errors.violations.extend(e.violations);
        }
        errors.into_result()?;
        Ok(UserNew {
            email,
            name,
            password: password.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Alice@Example.FR ").unwrap(),
            "alice@example.fr"
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.fr",
            "a b@example.fr",
            "a@b@c.fr",
            "a@fr",
            "<a>@x.fr",
            "al\u{200B}ice@example.fr",
            "alice@exa\u{2060}mple.fr",
            "\u{202E}rf.elpmaxe@ecila",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn invisible_or_direction_flipping_names_are_refused() {
        for (name, key) in [
            ("\u{200B}\u{200D}", "error-invisible-only"),
            ("\u{3164}", "error-invisible-only"),
            ("Alice\u{202E}nimda", "error-bidi-control"),
        ] {
            let error =
                UserNew::validate("a@example.fr", name, "assez-long-pour-passer").unwrap_err();
            assert_eq!(error.for_field("name"), Some(key), "{name:?}");
        }
        assert!(UserNew::validate("a@example.fr", "Élodie", "assez-long-pour-passer").is_ok());
    }

    #[test]
    fn direction_overrides_in_an_address_have_their_own_message() {
        let error = normalize_email("ali\u{202E}ce@example.fr").unwrap_err();
        assert_eq!(error.for_field("email"), Some("error-bidi-control"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(validate_password("court").is_err());
        assert!(validate_password("assez-long-pour-passer").is_ok());
        assert!(validate_password(&"x".repeat(2000)).is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::normalize_email;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn normalising_an_email_is_idempotent(raw in "\\PC{0,80}") {
            if let Ok(once) = normalize_email(&raw) {
                prop_assert_eq!(normalize_email(&once).unwrap(), once.clone());
                prop_assert!(!once.contains(char::is_whitespace));
            }
        }
    }
}
