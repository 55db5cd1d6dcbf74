//! CSRF protection for browser forms: the token bound to the session (or, before login, to a
//! cookie) must come back in the `_csrf` field, the `X-CSRF-Token` header, or, for file uploads,
//! the `_csrf` query parameter. The API is exempt: it takes bearer tokens, never cookies.

use crate::error::AppError;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use tribune_domain::security::token::constant_time_eq;

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Checks the token and gives back the body (buffered when it had to be read).
pub async fn verified_body(
    parts: &Parts,
    body: Body,
    expected: &str,
    limit: usize,
) -> Result<Body, AppError> {
    let matches = |given: &str| !expected.is_empty() && constant_time_eq(given, expected);
    if let Some(given) = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if matches(given) {
            Ok(body)
        } else {
            Err(AppError::Csrf)
        };
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or_default()).unwrap_or_default();
        return match field(&query, "_csrf") {
            Some(given) if matches(given) => Ok(body),
            _ => Err(AppError::Csrf),
        };
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest(crate::error::BadRequest::Form))?;
        return match field(&pairs, "_csrf") {
            Some(given) if matches(given) => Ok(Body::from(bytes)),
            _ => Err(AppError::Csrf),
        };
    }
    Err(AppError::Csrf)
}
