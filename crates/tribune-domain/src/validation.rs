//! Validation errors that name the field and an i18n message key, so the web layer can show
//! each problem next to its field, in the user's language.

use std::fmt;

/// One broken rule: the field and the catalogue key of the message explaining it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: &'static str,
    pub message_key: &'static str,
}

/// Everything wrong with one input, collected rather than stopping at the first problem.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidationError {
    pub violations: Vec<Violation>,
}

impl ValidationError {
    pub fn push(&mut self, field: &'static str, message_key: &'static str) {
        self.violations.push(Violation { field, message_key });
    }

    pub fn single(field: &'static str, message_key: &'static str) -> Self {
        let mut error = Self::default();
        error.push(field, message_key);
        error
    }

    pub fn into_result(self) -> Result<(), ValidationError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    pub fn for_field(&self, field: &str) -> Option<&'static str> {
        self.violations
            .iter()
            .find(|v| v.field == field)
            .map(|v| v.message_key)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .violations
            .iter()
            .map(|v| format!("{}: {}", v.field, v.message_key))
            .collect();
        write!(f, "invalid input ({})", parts.join(", "))
    }
}

impl std::error::Error for ValidationError {}

/// Trims and checks a required single-line text field.
pub fn required_line(
    errors: &mut ValidationError,
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.push(field, "error-required");
    } else if value.chars().count() > max_chars {
        errors.push(field, "error-too-long");
    } else if value.chars().any(char::is_control) {
        errors.push(field, "error-control-chars");
    }
    value.to_owned()
}

/// Checks an optional multi-line text field; only tabs and newlines are allowed as controls.
pub fn optional_text(
    errors: &mut ValidationError,
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> String {
    let value = value.trim().replace("\r\n", "\n");
    if value.chars().count() > max_chars {
        errors.push(field, "error-too-long");
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(field, "error-control-chars");
    }
    value
}
