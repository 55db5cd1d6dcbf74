//! A workspace is one client of the community manager: its brand profile and house rules.

use crate::Lang;
use crate::validation::{ValidationError, optional_text, required_line};
use serde::{Deserialize, Serialize};

pub const DEFAULT_TIMEZONE: &str = crate::timezone::DEFAULT;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_BRAND_VOICE_CHARS: usize = 5_000;
pub const MAX_GUIDELINES_CHARS: usize = 20_000;
pub const MAX_AVOID_WORDS: usize = 500;
pub const MAX_AVOID_WORD_CHARS: usize = 100;
/// Logos are shown small; anything larger than this is refused rather than resized.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The brand profile as given by a form or the API, before validation.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkspaceInput {
    pub name: String,
    pub timezone: String,
    /// Language codes the brand publishes in, e.g. `["fr", "en"]`.
    pub languages: Vec<String>,
    pub brand_voice: String,
    /// One word or expression per entry.
    pub words_to_avoid: Vec<String>,
    pub guidelines: String,
    pub guidelines_public: bool,
}

/// A validated brand profile, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceProfile {
    pub name: String,
    pub timezone: String,
    pub languages: Vec<Lang>,
    pub brand_voice: String,
    pub words_to_avoid: Vec<String>,
    pub guidelines: String,
    pub guidelines_public: bool,
}

impl WorkspaceInput {
    /// Validates a new workspace: only canonical time-zone names (see [`crate::timezone`]).
    pub fn validate(&self) -> Result<WorkspaceProfile, ValidationError> {
        self.validate_with(None)
    }

    /// Validates a change to a workspace whose stored zone is `current_timezone`: that value
    /// is kept even if it is an old alias, while a new choice must be canonical.
    pub fn validate_update(
        &self,
        current_timezone: &str,
    ) -> Result<WorkspaceProfile, ValidationError> {
        self.validate_with(Some(current_timezone))
    }

    fn validate_with(
        &self,
        current_timezone: Option<&str>,
    ) -> Result<WorkspaceProfile, ValidationError> {
        let mut errors = ValidationError::default();
        let name = required_line(&mut errors, "name", &self.name, MAX_NAME_CHARS);
        let timezone = match self.timezone.trim() {
            "" => DEFAULT_TIMEZONE.to_owned(),
            tz if crate::timezone::accepts(tz, current_timezone) => tz.to_owned(),
            _ => {
                errors.push("timezone", "error-timezone");
                String::new()
            }
        };
        let mut languages = Vec::new();
        for code in &self.languages {
            match Lang::from_tag(code) {
                Some(lang) if code.len() <= 16 => {
                    if !languages.contains(&lang) {
                        languages.push(lang);
                    }
                }
                _ => errors.push("languages", "error-language"),
            }
        }
        if languages.is_empty() {
            languages.push(Lang::Fr);
        }
        let brand_voice = optional_text(
            &mut errors,
            "brand_voice",
            &self.brand_voice,
            MAX_BRAND_VOICE_CHARS,
        );
        let guidelines = optional_text(
            &mut errors,
            "guidelines",
            &self.guidelines,
            MAX_GUIDELINES_CHARS,
        );
        let mut words_to_avoid: Vec<String> = Vec::new();
        for word in &self.words_to_avoid {
            let word = word.trim();
            if word.is_empty() {
                continue;
            }
            if word.chars().count() > MAX_AVOID_WORD_CHARS || word.chars().any(char::is_control) {
                errors.push("words_to_avoid", "error-avoid-word");
            } else if !words_to_avoid.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                words_to_avoid.push(word.to_owned());
            }
        }
        if words_to_avoid.len() > MAX_AVOID_WORDS {
            errors.push("words_to_avoid", "error-too-many");
        }
        errors.into_result()?;
        Ok(WorkspaceProfile {
            name,
            timezone,
            languages,
            brand_voice,
            words_to_avoid,
            guidelines,
            guidelines_public: self.guidelines_public,
        })
    }
}

/// Splits a textarea (one entry per line, or comma-separated) into words to avoid.
pub fn split_word_list(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks an uploaded logo by its magic bytes; returns its media type.
pub fn logo_media_type(bytes: &[u8]) -> Result<&'static str, ValidationError> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(ValidationError::single("logo", "error-logo-too-big"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Ok("image/webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Ok("image/gif")
    } else {
        // SVG is refused on purpose: it can carry scripts.
        Err(ValidationError::single("logo", "error-logo-format"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> WorkspaceInput {
        WorkspaceInput {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_to_paris_time_and_french() {
        let profile = input("Boulangerie Dupont").validate().unwrap();
        assert_eq!(profile.timezone, "Europe/Paris");
        assert_eq!(profile.languages, vec![Lang::Fr]);
    }

    #[test]
    fn refuses_unknown_time_zones_and_empty_names() {
        let mut bad = input("  ");
        bad.timezone = "Mars/Olympus".into();
        let error = bad.validate().unwrap_err();
        assert_eq!(error.for_field("name"), Some("error-required"));
        assert_eq!(error.for_field("timezone"), Some("error-timezone"));
    }

    #[test]
    fn an_alias_zone_is_refused_when_new_and_kept_when_already_stored() {
        let mut ws = input("Acme");
        ws.timezone = "US/Eastern".into();
        assert_eq!(
            ws.validate().unwrap_err().for_field("timezone"),
            Some("error-timezone")
        );
        assert!(ws.validate_update("Europe/Paris").is_err());
        assert_eq!(
            ws.validate_update("US/Eastern").unwrap().timezone,
            "US/Eastern"
        );
        ws.timezone = "America/Toronto".into();
        assert_eq!(
            ws.validate_update("US/Eastern").unwrap().timezone,
            "America/Toronto"
        );
    }

    #[test]
    fn deduplicates_words_to_avoid() {
        let mut ws = input("Acme");
        ws.words_to_avoid = split_word_list("pas cher\nPas Cher, gratuit\n\n");
        assert_eq!(
            ws.validate().unwrap().words_to_avoid,
            vec!["pas cher", "gratuit"]
        );
    }

    #[test]
    fn logos_are_checked_by_content_not_name() {
        assert_eq!(
            logo_media_type(b"\x89PNG\r\n\x1a\nrest").unwrap(),
            "image/png"
        );
        assert!(logo_media_type(b"<svg onload=alert(1)>").is_err());
        assert!(logo_media_type(&vec![0xFF; MAX_LOGO_BYTES + 1]).is_err());
    }
}
