//! The API's own extractors: a JSON body and path ids whose failures answer problems in the
//! user's language, never a parser's English (which goes to the debug log).

use crate::error::{AppError, InputError};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

/// A JSON request body (`application/json` or any `+json` type).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(AppError::Input(InputError::NotJson));
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                    _ => AppError::BadRequest(crate::error::BadRequest::Unreadable),
                })?;
        parse(&bytes).map(ApiJson)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads `bytes` as a `T`, naming the field at fault when there is one. Every body the API
/// takes is an object: serde would also read an array as a struct's fields in order, which no
/// client means.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(AppError::Input(InputError::JsonShape));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        tracing::debug!(%error, "unreadable API JSON body");
        AppError::Input(explain(&error))
    })?;
    deserializer.end().map_err(|error| {
        tracing::debug!(%error, "trailing characters after an API JSON body");
        AppError::Input(InputError::JsonSyntax {
            line: error.line(),
            column: error.column(),
        })
    })?;
    Ok(value)
}

fn explain(error: &serde_path_to_error::Error<serde_json::Error>) -> InputError {
    let inner = error.inner();
    if inner.classify() != Category::Data {
        return InputError::JsonSyntax {
            line: inner.line(),
            column: inner.column(),
        };
    }
    let path = error.path().to_string();
    let parent = (path != ".").then_some(path.as_str());
    // serde's messages for these two are stable (`unknown field `x`, expected …`); the name is
    // the client's own. The path ends with an unknown field's name, and stops at the object
    // that lacks a missing one.
    let message = inner.to_string();
    let named = |prefix: &str| {
        let name = message.strip_prefix(prefix)?.split('`').next()?;
        Some(InputError::name(&match parent {
            Some(path) if path == name || path.ends_with(&format!(".{name}")) => path.to_owned(),
            Some(parent) => format!("{parent}.{name}"),
            None => name.to_owned(),
        }))
    };
    if let Some(field) = named("unknown field `") {
        return InputError::JsonUnknownField(field);
    }
    if let Some(field) = named("missing field `") {
        return InputError::JsonMissingField(field);
    }
    match parent {
        Some(path) => InputError::JsonField(InputError::name(path)),
        None => InputError::JsonShape,
    }
}

/// Typed ids from the path (`ApiPath<(WorkspaceId, ChannelId)>`). A segment that is not an id
/// names nothing, so it is a 404 like an id that does not exist.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "API path with an unreadable id");
                Err(AppError::NotFound)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsed")]
    struct Body {
        name: String,
        inner: Option<Inner>,
        tags: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsed")]
    struct Inner {
        depth: u8,
    }

    fn input(json: &str) -> InputError {
        match parse::<Body>(json.as_bytes()).unwrap_err() {
            AppError::Input(input) => input,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_parser_failure_names_its_field() {
        assert_eq!(
            input(r#"{"name": 1}"#),
            InputError::JsonField("name".into())
        );
        assert_eq!(
            input(r#"{"name": "a", "x": 1}"#),
            InputError::JsonUnknownField("x".into())
        );
        assert_eq!(input(r#"{}"#), InputError::JsonMissingField("name".into()));
        assert_eq!(
            input(r#"{"name": "a", "inner": {"depth": 300}}"#),
            InputError::JsonField("inner.depth".into())
        );
        assert_eq!(
            input(r#"{"name": "a", "inner": {"deep": 1}}"#),
            InputError::JsonUnknownField("inner.deep".into())
        );
        assert_eq!(
            input(r#"{"name": "a", "tags": ["x", 2]}"#),
            InputError::JsonField("tags[1]".into())
        );
        assert_eq!(input("[1]"), InputError::JsonShape);
        assert_eq!(input(r#"["a", null, []]"#), InputError::JsonShape);
        assert_eq!(input("12"), InputError::JsonShape);
        assert_eq!(
            input(r#"{"name": "#),
            InputError::JsonSyntax { line: 1, column: 9 }
        );
        assert_eq!(
            input(r#"{"name": "a"} x"#),
            InputError::JsonSyntax {
                line: 1,
                column: 15
            }
        );
        let long = format!(r#"{{"name": "a", "{}": 1}}"#, "x".repeat(500));
        assert_eq!(input(&long), InputError::JsonUnknownField("x".repeat(64)));
    }
}
