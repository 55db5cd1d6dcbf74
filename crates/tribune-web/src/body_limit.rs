//! The request body limit: `max_body_bytes` everywhere, except the media upload, which takes
//! files up to the media library's limits. A body that announces more than its route's limit
//! is refused before a byte of it is read; one that does not announce its length is cut off
//! at the limit while it streams.

use crate::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The upload routes, as axum matches them: the API's, the library page's and the composer's.
pub const MEDIA_UPLOAD_ROUTES: [&str; 3] = [
    "/api/v1/workspaces/{ws}/media",
    "/w/{ws}/media",
    "/w/{ws}/compose/upload",
];

/// Room for the multipart framing and the alt text around the file.
pub const MULTIPART_OVERHEAD: u64 = 64 * 1024;

/// The most an upload may send in all.
pub fn upload_limit(state: &AppState) -> u64 {
    state.media().limits().max_bytes() + MULTIPART_OVERHEAD
}

/// The length a request announces, if it announces a readable one.
pub fn announced_length(request: &axum::http::HeaderMap) -> Option<u64> {
    request
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let upload = request.method() == Method::POST
        && request
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|p| MEDIA_UPLOAD_ROUTES.contains(&p.as_str()));
    let limit = if upload {
        upload_limit(&state)
    } else {
        state.config().max_body_bytes as u64
    };
    // The upload handler refuses an oversized announced length itself, with a problem body in
    // the user's language (this layer sits outside the one that translates errors).
    if !upload && announced_length(request.headers()).is_some_and(|len| len > limit) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
    }
    let (parts, body) = request.into_parts();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}
