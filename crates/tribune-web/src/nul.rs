//! NUL characters are refused at the door. PostgreSQL cannot store them in text and SQLite
//! would store them silently, so the same input would fail on one database and be kept on the
//! other; a clear 400 on both is the honest answer. Query strings, form bodies and JSON bodies
//! are checked (multipart uploads carry binary files and are checked by their own handlers).

use crate::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::Response;

const NUL: AppError = AppError::BadRequest(crate::error::BadRequest::NulCharacter);

pub async fn reject_nul(request: Request, next: Next) -> Result<Response, AppError> {
    if request.uri().query().is_some_and(urlencoded_has_nul) {
        return Err(NUL);
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json") || content_type.contains("+json");
    if !form && !json {
        return Ok(next.run(request).await);
    }
    let (parts, body) = request.into_parts();
    // The body limit layers outside already bound the size.
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let has_nul = if form {
        std::str::from_utf8(&bytes).map_or(bytes.contains(&0), urlencoded_has_nul)
    } else {
        bytes.contains(&0) || json_has_nul_escape(&bytes)
    };
    if has_nul {
        return Err(NUL);
    }
    Ok(next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await)
}

/// A raw NUL or a `%00` escape.
fn urlencoded_has_nul(text: &str) -> bool {
    text.contains('\0') || text.contains("%00")
}

/// A `\u0000` escape that is not itself escaped (`\\u0000` is the text "\u0000").
fn json_has_nul_escape(bytes: &[u8]) -> bool {
    let needle = b"\\u0000";
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], needle).map(|i| i + from) {
        let backslashes = bytes[..at]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return true;
        }
        from = at + 1;
    }
    false
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nul_in_forms_and_json() {
        assert!(urlencoded_has_nul("name=a%00b"));
        assert!(urlencoded_has_nul("name=a\0b"));
        assert!(!urlencoded_has_nul("name=a%20b"));
        assert!(json_has_nul_escape(br#"{"name":"a\u0000b"}"#));
        assert!(json_has_nul_escape(br#"{"name":"a\\\u0000b"}"#));
        assert!(!json_has_nul_escape(br#"{"name":"a\\u0000b"}"#));
        assert!(!json_has_nul_escape(br#"{"name":"a\u00e9"}"#));
    }
}
