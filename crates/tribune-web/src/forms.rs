//! Small helpers shared by the form handlers.

use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};

/// A `303 See Other`, the answer to a successful form post.
pub fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, location.to_owned())]).into_response()
}

/// Only local paths are followed after login, so a crafted link cannot send users elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() < 512
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The form of a destructive action (disconnect a channel, remove a member, revoke a token or a
/// session): it must carry the ticked "I understand" box, so neither a misclick nor a script that
/// skips the form can lose anything. The API's `DELETE`s need no such field.
#[derive(serde::Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    confirm: Option<String>,
}

impl Confirmation {
    /// A 400 saying nothing was done, unless the box was ticked.
    pub fn require(&self) -> Result<(), crate::error::AppError> {
        if checkbox(&self.confirm) {
            Ok(())
        } else {
            Err(crate::error::AppError::BadRequest(
                crate::error::BadRequest::ConfirmationRequired,
            ))
        }
    }
}

/// The message for `field` among a refused form's errors (`(field, message)` pairs).
pub fn error_for<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

/// A form's fields as the browser sends them, for tests.
#[cfg(test)]
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// HTML checkboxes send `on` when ticked and nothing otherwise.
pub fn checkbox(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| matches!(v, "on" | "true" | "1"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/w/3")), "/w/3");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

#[cfg(test)]
mod properties {
    use super::safe_next;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_next_page_is_always_on_this_site(next in "\\PC{0,100}") {
            let path = safe_next(Some(&next));
            prop_assert!(path.starts_with('/'));
            prop_assert!(!path.starts_with("//") && !path.contains('\\'));
        }
    }
}
