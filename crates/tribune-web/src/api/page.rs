//! Query parameters of API routes, and the pagination of list endpoints.
//!
//! Lists keep their documented body (a JSON array) and announce the next page in a `Link`
//! header (RFC 8288, `rel="next"`), which a client follows until it is absent. The cursor is
//! opaque: the sort key of the page's last item, so items added or removed between two requests
//! neither repeat nor skip the others.

use crate::context::RequestCtx;
use crate::error::{AppError, InputError};
use axum::Json;
use axum::extract::{FromRequestParts, MatchedPath, Request};
use axum::http::header::LINK;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;
/// Longest cursor accepted; real ones are a few dozen characters.
const MAX_CURSOR: usize = 512;

/// The list endpoints (paths under `/api/v1`, `GET` or `HEAD`): the only routes that take
/// `limit` and `cursor`. Every other route takes no query parameter at all.
pub const LIST_ROUTES: [&str; 7] = [
    "/workspaces",
    "/workspaces/{ws}/members",
    "/workspaces/{ws}/invitations",
    "/workspaces/{ws}/channels",
    "/workspaces/{ws}/posts",
    "/workspaces/{ws}/media",
    "/workspaces/{ws}/links",
];

/// The inbox: a list with its own body (`{"items", "next_cursor"}`, as its contract says)
/// and filters besides `limit` and `cursor` (`crate::inbox::FILTERS`).
const INBOX_ROUTE: &str = "/workspaces/{ws}/inbox";
const INBOX_PARAMETERS: [&str; 13] = [
    "limit",
    "cursor",
    "status",
    "channel",
    "sentiment",
    "q",
    "kind",
    "assignee",
    "label",
    "flagged",
    "sla",
    "from",
    "to",
];

/// The query parameters a route takes.
pub fn parameters(method: &Method, route: &str) -> &'static [&'static str] {
    if !matches!(*method, Method::GET | Method::HEAD) {
        return &[];
    }
    if route == INBOX_ROUTE {
        return &INBOX_PARAMETERS;
    }
    if route == "/workspaces/{ws}/inbox/stats" {
        return &["from", "to"];
    }
    if !LIST_ROUTES.contains(&route) {
        return &[];
    }
    match route {
        "/workspaces/{ws}/posts" => &["limit", "cursor", "from", "to", "status"],
        _ => &["limit", "cursor"],
    }
}

fn pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(query).unwrap_or_default()
}

/// Refuses a query parameter the route does not take, by name, before the handler runs: a
/// misspelt `limt=10` must not be silently ignored.
pub async fn refuse_unknown_query(request: Request, next: Next) -> Response {
    if let Some(query) = request.uri().query() {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|path| path.as_str().trim_start_matches("/api/v1"))
            .unwrap_or_default();
        let known = parameters(request.method(), route);
        let unknown = if pairs(query).is_empty() && !query.is_empty() {
            // Not even `name=value` pairs: name the whole (bounded) query.
            Some(query.to_owned())
        } else {
            pairs(query)
                .into_iter()
                .map(|(name, _)| name)
                .find(|name| !known.contains(&name.as_str()))
        };
        if let Some(name) = unknown {
            return AppError::Input(InputError::UnknownQuery(InputError::name(&name)))
                .into_response();
        }
    }
    next.run(request).await
}

/// `?limit=…&cursor=…` of a list endpoint.
pub struct PageRequest {
    limit: usize,
    cursor: Option<String>,
    /// The request's path, for the `Link` to the next page.
    path: String,
    /// The route's own filters (`status=…`), kept for the next page's link.
    extra: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let path = RequestCtx::from_request_parts(parts, state).await?.path;
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(|p| p.as_str().trim_start_matches("/api/v1").to_owned())
            .unwrap_or_default();
        let known = parameters(&parts.method, &route);
        let mut request = PageRequest {
            limit: DEFAULT_LIMIT,
            cursor: None,
            path,
            extra: Vec::new(),
        };
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in pairs(parts.uri.query().unwrap_or_default()) {
            let invalid = || AppError::Input(InputError::InvalidQuery(InputError::name(&name)));
            if seen.contains(&name) {
                return Err(invalid());
            }
            match name.as_str() {
                "limit" => {
                    request.limit = value
                        .parse()
                        .ok()
                        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                        .ok_or_else(invalid)?;
                }
                "cursor" if !value.is_empty() && value.len() <= MAX_CURSOR => {
                    request.cursor = Some(value);
                }
                "cursor" => return Err(invalid()),
                other if known.contains(&other) => {
                    request.extra.push((name.clone(), value));
                }
                _ => {
                    return Err(AppError::Input(InputError::UnknownQuery(InputError::name(
                        &name,
                    ))));
                }
            }
            seen.push(name);
        }
        Ok(request)
    }
}

impl PageRequest {
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The route's filters as given (`from`, `status`…), each at most once.
    pub fn extra(&self) -> &[(String, String)] {
        &self.extra
    }

    /// The sort key of the last item of the previous page, for lists the store pages itself.
    pub fn cursor<K: DeserializeOwned>(&self) -> Result<Option<K>, AppError> {
        match &self.cursor {
            Some(cursor) => Ok(Some(decode(cursor).ok_or(AppError::Input(
                InputError::InvalidQuery("cursor".to_owned()),
            ))?)),
            None => Ok(None),
        }
    }

    fn next_link<K: Serialize>(&self, key: &K) -> Result<String, AppError> {
        let cursor = encode(key)?;
        let mut query: Vec<(&str, &str)> = self
            .extra
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let limit = self.limit.to_string();
        query.push(("limit", &limit));
        query.push(("cursor", &cursor));
        let query = serde_urlencoded::to_string(&query)
            .map_err(|error| AppError::Internal(format!("next link: {error}").into()))?;
        Ok(format!("<{}?{query}>; rel=\"next\"", self.path))
    }
}

/// One page of a list, answered as a JSON array with a `Link` to the next page if there is one.
pub struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

impl<T> Page<T> {
    /// Sorts `items` by `key` (which must tell every item apart, e.g. end with the id) and cuts
    /// the page `request` asks for.
    pub fn of<K>(
        mut items: Vec<T>,
        request: &PageRequest,
        key: impl Fn(&T) -> K,
    ) -> Result<Page<T>, AppError>
    where
        K: Ord + Serialize + DeserializeOwned,
    {
        let after: Option<K> = match &request.cursor {
            Some(cursor) => Some(decode(cursor).ok_or(AppError::Input(
                InputError::InvalidQuery("cursor".to_owned()),
            ))?),
            None => None,
        };
        items.sort_by_cached_key(|item| key(item));
        let start = after.map_or(0, |after| items.partition_point(|item| key(item) <= after));
        let mut items = items.split_off(start);
        let more = items.len() > request.limit;
        items.truncate(request.limit);
        let next = match items.last() {
            Some(last) if more => Some(request.next_link(&key(last))?),
            _ => None,
        };
        Ok(Page { items, next })
    }

    /// A page the store already cut after the cursor, asked with one item more than the limit
    /// to know whether another page follows.
    pub fn keyset<K: Serialize>(
        mut items: Vec<T>,
        request: &PageRequest,
        key: impl Fn(&T) -> K,
    ) -> Result<Page<T>, AppError> {
        let more = items.len() > request.limit;
        items.truncate(request.limit);
        let next = match items.last() {
            Some(last) if more => Some(request.next_link(&key(last))?),
            _ => None,
        };
        Ok(Page { items, next })
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

pub(super) fn encode<K: Serialize>(key: &K) -> Result<String, AppError> {
    serde_json::to_vec(key)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .map_err(|error| AppError::Internal(format!("cursor: {error}").into()))
}

pub(super) fn decode<K: DeserializeOwned>(cursor: &str) -> Option<K> {
    let json = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    serde_json::from_slice(&json).ok()
}

impl<T: Serialize> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.items).into_response();
        if let Some(link) = self.next.and_then(|link| HeaderValue::from_str(&link).ok()) {
            response.headers_mut().insert(LINK, link);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inbox_route_takes_every_inbox_filter() {
        for filter in crate::inbox::FILTERS {
            assert!(INBOX_PARAMETERS.contains(&filter), "{filter}");
        }
    }

    fn request(limit: usize, cursor: Option<String>) -> PageRequest {
        PageRequest {
            limit,
            cursor,
            path: "/api/v1/things".into(),
            extra: Vec::new(),
        }
    }

    fn cursor_of(page: &Page<(String, i64)>) -> Option<String> {
        let link = page.next.as_ref()?;
        Some(link.split("cursor=").nth(1)?.split('>').next()?.to_owned())
    }

    #[test]
    fn pages_walk_every_item_once_even_when_items_come_and_go() {
        let mut items: Vec<(String, i64)> = (0..10).map(|i| (format!("n{}", i % 3), i)).collect();
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page =
                Page::of(items.clone(), &request(4, cursor), |(n, i)| (n.clone(), *i)).unwrap();
            cursor = cursor_of(&page);
            seen.extend(page.items.clone());
            // Between two pages, the first item disappears and one sorting first appears.
            items.remove(0);
            items.push(("a".into(), 100 + seen.len() as i64));
            if cursor.is_none() {
                break;
            }
        }
        let mut expected: Vec<(String, i64)> =
            (0..10).map(|i| (format!("n{}", i % 3), i)).collect();
        expected.sort();
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_forged_cursor_is_refused() {
        for forged in ["***", "bm90IGpzb24", &URL_SAFE_NO_PAD.encode("[1, 2]")] {
            let result = Page::of(
                vec![("a".to_owned(), 1)],
                &request(4, Some(forged.into())),
                |(n, i)| (n.clone(), *i),
            );
            assert!(
                matches!(result, Err(AppError::Input(InputError::InvalidQuery(_)))),
                "{forged}"
            );
        }
    }
}
