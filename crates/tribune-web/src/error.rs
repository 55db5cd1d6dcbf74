//! One error type for every handler. Browsers get a translated HTML page, the API a JSON problem
//! body (RFC 9457); the cause of a server error is logged once and never shown.

use crate::AppState;
use crate::context::RequestCtx;
use crate::pages::{Chrome, ErrorPage, render};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tribune_channels::ChannelError;
use tribune_connectors::{ConnectorError, ErrorKind};
use tribune_domain::ValidationError;
use tribune_store::{Refusal, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("login required")]
    LoginRequired,
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: i64 },
    #[error("bad request: {}", .0.key())]
    BadRequest(BadRequest),
    #[error("payload too large")]
    PayloadTooLarge,
    /// An API request the API could not read (query, JSON body); the problem names the field.
    #[error("unreadable input: {0:?}")]
    Input(InputError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("conflict: {}", .0.key())]
    Conflict(Conflict),
    /// A rule refused the action.
    #[error("refused: {}", .0.key())]
    Refused(Refused),
    /// A network refused or failed a channel's call; the detail is the network's message.
    #[error("network: {0}")]
    Network(ConnectorError),
    /// The pre-flight check found errors in a post about to be scheduled.
    #[error("the post does not pass the pre-flight check")]
    Preflight(Vec<crate::preflight::ChannelProblem>),
    /// Something that should not fail did: a 500, logged once with its cause and the cause's
    /// own sources (a database error keeps the driver's), never shown.
    #[error("internal error: {0}")]
    Internal(#[source] BoxError),
}

/// The cause of a server error, kept whole (`AppError::Internal(error.into())`, or a sentence
/// for what has no error value: `"request context missing".into()`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request that cannot be taken as sent (400), each with its catalogue key in
/// [`BadRequest::key`], so no handler passes a free string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadRequest {
    /// Something the client sent cannot be read (a malformed parameter or body).
    Unreadable,
    /// A form's fields are missing or malformed (the page's own form would not send it).
    Form,
    /// A NUL character in a field: no database stores it as text.
    NulCharacter,
    /// A destructive action without its "I understand" box ticked.
    ConfirmationRequired,
    /// A role that does not exist.
    Role,
    /// A language tribune does not speak.
    Language,
    /// The logo form was sent without a file.
    LogoMissing,
    /// An upload that is not `multipart/form-data`.
    UploadNotMultipart,
    /// An upload whose body could not be read.
    UploadUnreadable,
    /// More than one file in an upload that takes one.
    UploadOneFile,
    /// Adding to the queue is for new posts only.
    QueueNewPostsOnly,
    /// A CSV import in which no row can be imported.
    CsvNothingValid,
}

impl BadRequest {
    pub fn key(self) -> &'static str {
        match self {
            BadRequest::Unreadable => "error-bad-request",
            BadRequest::Form => "error-bad-form",
            BadRequest::NulCharacter => "error-nul-character",
            BadRequest::ConfirmationRequired => "error-confirmation-required",
            BadRequest::Role => "error-role",
            BadRequest::Language => "error-language",
            BadRequest::LogoMissing => "error-logo-missing",
            BadRequest::UploadNotMultipart => "error-upload-not-multipart",
            BadRequest::UploadUnreadable => "error-upload-unreadable",
            BadRequest::UploadOneFile => "error-upload-one-file",
            BadRequest::QueueNewPostsOnly => "error-queue-new-posts-only",
            BadRequest::CsvNothingValid => "csv-error-nothing-valid",
        }
    }

    /// Every reason, for the test that each has a catalogue entry.
    pub const ALL: [BadRequest; 12] = [
        BadRequest::Unreadable,
        BadRequest::Form,
        BadRequest::NulCharacter,
        BadRequest::ConfirmationRequired,
        BadRequest::Role,
        BadRequest::Language,
        BadRequest::LogoMissing,
        BadRequest::UploadNotMultipart,
        BadRequest::UploadUnreadable,
        BadRequest::UploadOneFile,
        BadRequest::QueueNewPostsOnly,
        BadRequest::CsvNothingValid,
    ];
}

/// Why an action was refused (422): a rule of the store, or one only the web layer checks.
/// Each reason has its catalogue key in [`Refused::key`], so no handler passes a free string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A rule of the store (the last owner, an invitation already used…).
    Store(Refusal),
    /// The channel is broken or disconnected: it must be reconnected first.
    ChannelNotActive,
    /// The network sent the user back with an OAuth state that is unknown, used or expired.
    OauthState,
    /// Deleting a workspace takes its name typed again, and it was not.
    ConfirmName,
    /// The action sends e-mail, and no SMTP server is configured.
    MailOff,
}

impl Refused {
    pub fn key(self) -> &'static str {
        match self {
            Refused::Store(refusal) => refusal.key(),
            Refused::ChannelNotActive => "error-channel-not-active",
            Refused::OauthState => "error-oauth-state",
            Refused::ConfirmName => "error-confirm-name",
            Refused::MailOff => "error-mail-off",
        }
    }
}

/// What a request collides with (409), each with its catalogue key in [`Conflict::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// A uniqueness rule of the store (an e-mail taken, already a member…).
    Store(tribune_store::Conflict),
    /// Signing up through an invitation with the address of an existing account: log in.
    EmailTakenLogin,
}

impl Conflict {
    pub fn key(self) -> &'static str {
        match self {
            Conflict::Store(conflict) => conflict.key(),
            Conflict::EmailTakenLogin => "error-email-taken-login",
        }
    }
}

impl From<ChannelError> for AppError {
    fn from(error: ChannelError) -> Self {
        match error {
            ChannelError::Store(e) => e.into(),
            ChannelError::Connector(e) => AppError::Network(e),
            ChannelError::NotActive(_) => AppError::Refused(Refused::ChannelNotActive),
            ChannelError::OauthState => AppError::Refused(Refused::OauthState),
            ChannelError::Sealed => AppError::Internal(error.into()),
        }
    }
}

/// The i18n key that explains a connector failure to a person.
pub fn connector_key(error: &ConnectorError) -> &'static str {
    match error.kind {
        ErrorKind::Auth => "error-channel-auth",
        ErrorKind::Transient => "error-channel-unreachable",
        ErrorKind::RateLimited => "error-channel-rate-limited",
        // A redirect tribune would not follow (another site, or a downgrade): not a refusal.
        ErrorKind::Permanent if error.status.is_some_and(|s| (300..400).contains(&s)) => {
            "error-channel-redirected"
        }
        ErrorKind::Permanent => "error-channel-refused",
        ErrorKind::InvalidResponse => "error-channel-response",
        ErrorKind::InvalidInput => "error-channel-input",
        ErrorKind::Unsupported => "error-channel-unsupported",
    }
}

/// A translated explanation, followed by the network's own words only when the network said
/// something (tribune's own messages are English, for logs, and never shown).
pub fn connector_message(tr: &crate::i18n::Tr, error: &ConnectorError) -> String {
    match &error.network_message {
        Some(said) => format!(
            "{} {}",
            tr.t(connector_key(error)),
            tr.t1("channel-network-said", "message", said)
        ),
        None => tr.t(connector_key(error)),
    }
}

/// The HTTP status a connector failure is reported with.
pub fn connector_status(error: &ConnectorError) -> StatusCode {
    match error.kind {
        ErrorKind::Transient | ErrorKind::InvalidResponse => StatusCode::BAD_GATEWAY,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

pub fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

impl From<tribune_inbox::ModerateError> for AppError {
    fn from(error: tribune_inbox::ModerateError) -> Self {
        match error {
            tribune_inbox::ModerateError::Store(e) => e.into(),
            tribune_inbox::ModerateError::Channel(e) => e.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Conflict(conflict) => AppError::Conflict(Conflict::Store(conflict)),
            StoreError::Refused(refusal) => AppError::Refused(Refused::Store(refusal)),
            StoreError::Invalid(invalid)
                if invalid.for_field("text") == Some("error-nul-character") =>
            {
                AppError::BadRequest(BadRequest::NulCharacter)
            }
            StoreError::Invalid(invalid) => AppError::Invalid(invalid),
            // An invoice's rules name their form field and catalogue key.
            StoreError::Invoice(invoice) => AppError::Invalid(
                tribune_domain::ValidationError::single(invoice.field(), invoice.key()),
            ),
            other => AppError::Internal(other.into()),
        }
    }
}

/// API input that could not be read, said in the user's language. The parser's own (English)
/// text goes to the logs where the error is made, never into the answer; a name the client sent
/// (an unknown field or parameter) is echoed, bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    /// A query parameter the route does not take.
    UnknownQuery(String),
    /// A query parameter with a value the route cannot use (`limit=0`, a forged cursor).
    InvalidQuery(String),
    /// The body is not declared as JSON (`Content-Type`).
    NotJson,
    /// The body is not JSON at all.
    JsonSyntax {
        line: usize,
        column: usize,
    },
    /// The body is JSON, but not the object the route takes (an array, a number).
    JsonShape,
    /// A field holds a value of the wrong type or outside its choices.
    JsonField(String),
    JsonUnknownField(String),
    JsonMissingField(String),
    /// A search (`q`) or a rule's `query` in the query language that does not parse: the
    /// field, where and why.
    Search(&'static str, tribune_text::ParseError),
}

/// Longest field or parameter name echoed back.
const MAX_ECHOED_NAME: usize = 64;

impl InputError {
    /// `name` as the client sent it, cut to a bounded length.
    pub fn name(name: &str) -> String {
        name.chars().take(MAX_ECHOED_NAME).collect()
    }

    fn status(&self) -> StatusCode {
        match self {
            InputError::UnknownQuery(_)
            | InputError::InvalidQuery(_)
            | InputError::Search(..)
            | InputError::JsonSyntax { .. } => StatusCode::BAD_REQUEST,
            InputError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    fn key(&self) -> &'static str {
        match self {
            InputError::UnknownQuery(_) => "error-query-unknown",
            InputError::InvalidQuery(_) => "error-query-invalid",
            InputError::NotJson => "error-media-type",
            InputError::JsonSyntax { .. } => "error-json-syntax",
            InputError::JsonShape => "error-json-shape",
            InputError::JsonField(_) => "error-json-field",
            InputError::JsonUnknownField(_) => "error-json-unknown-field",
            InputError::JsonMissingField(_) => "error-json-missing-field",
            InputError::Search(..) => "error-search-syntax",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            InputError::UnknownQuery(name)
            | InputError::InvalidQuery(name)
            | InputError::JsonField(name)
            | InputError::JsonUnknownField(name)
            | InputError::JsonMissingField(name) => Some(name),
            InputError::Search(field, _) => Some(field),
            InputError::NotJson | InputError::JsonSyntax { .. } | InputError::JsonShape => None,
        }
    }

    /// The sentence that says what is wrong, with the field's name or the position.
    fn detail(&self, i18n: &crate::i18n::I18n, lang: tribune_domain::Lang) -> Option<String> {
        let mut args = fluent_bundle::FluentArgs::new();
        let key = match self {
            InputError::UnknownQuery(_) => "error-query-unknown-detail",
            InputError::InvalidQuery(name) if name == "limit" => {
                args.set("max", crate::api::MAX_LIMIT);
                "error-query-limit-detail"
            }
            InputError::InvalidQuery(_) => "error-query-invalid-detail",
            InputError::JsonField(_) => "error-json-field-detail",
            InputError::JsonUnknownField(_) => "error-json-unknown-field-detail",
            InputError::JsonMissingField(_) => "error-json-missing-field-detail",
            InputError::JsonSyntax { line, column } => {
                args.set("line", *line);
                args.set("column", *column);
                "error-json-syntax-detail"
            }
            InputError::Search(_, error) => {
                args.set("position", error.position + 1);
                args.set("message", error.detail(crate::inbox::ui_lang(lang)));
                "error-search-syntax-detail"
            }
            InputError::NotJson | InputError::JsonShape => return None,
        };
        if let Some(field) = self.field() {
            args.set("field", field.to_owned());
        }
        Some(i18n.message(lang, key, Some(&args)))
    }
}

/// What a failed handler left for [`render_errors`] to turn into a page or a JSON body.
#[derive(Clone, Debug)]
struct ErrorInfo {
    key: &'static str,
    violations: Vec<(&'static str, &'static str)>,
    preflight: Vec<crate::preflight::ChannelProblem>,
    detail: Option<String>,
    input: Option<InputError>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::LoginRequired => StatusCode::UNAUTHORIZED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Input(input) => input.status(),
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Network(e) => connector_status(e),
            AppError::Preflight(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error-not-found",
            AppError::Forbidden => "error-forbidden",
            AppError::LoginRequired => "error-login-required",
            AppError::Csrf => "error-csrf",
            AppError::TooManyRequests { .. } => "error-too-many-attempts",
            AppError::BadRequest(reason) => reason.key(),
            AppError::PayloadTooLarge => "error-payload-too-large",
            AppError::Input(input) => input.key(),
            AppError::Invalid(_) => "error-invalid",
            AppError::Conflict(conflict) => conflict.key(),
            AppError::Refused(refused) => refused.key(),
            AppError::Network(e) => connector_key(e),
            AppError::Preflight(_) => "error-preflight",
            AppError::Internal(_) => "error-internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(cause = %error_chain(cause.as_ref()), "request failed");
        }
        let mut response = self.status().into_response();
        if let AppError::TooManyRequests { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
        }
        let violations = match &self {
            AppError::Invalid(invalid) => invalid
                .violations
                .iter()
                .map(|v| (v.field, v.message_key))
                .collect(),
            _ => Vec::new(),
        };
        let key = self.key();
        let detail = match &self {
            AppError::Network(e) => {
                if let Some(wait) = e.retry_after {
                    response
                        .headers_mut()
                        .insert(RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
                }
                e.network_message.clone()
            }
            _ => None,
        };
        let (input, preflight) = match self {
            AppError::Input(input) => (Some(input), Vec::new()),
            AppError::Preflight(problems) => (None, problems),
            _ => (None, Vec::new()),
        };
        response.extensions_mut().insert(ErrorInfo {
            key,
            violations,
            preflight,
            detail,
            input,
        });
        response
    }
}

/// An error and its sources as one line, each source once (many errors repeat their source's
/// text in their own).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line
}

/// Turns an error into the response the client expects, in its language.
pub fn render_error(state: &AppState, ctx: &RequestCtx, error: AppError) -> Response {
    let response = error.into_response();
    finish(state, ctx, response, None)
}

/// Gives every error response its body: those from handlers (which carry an [`ErrorInfo`]) and
/// those from axum's extractors (plain-text rejections such as malformed JSON).
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let ctx = request.extensions().get::<RequestCtx>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let Some(ctx) = ctx else { return response };
    if response.extensions().get::<ErrorInfo>().is_some() {
        return finish(&state, &ctx, response, None);
    }
    // An extractor's rejection: a page keeps its (plain) text as the detail, bounded; the API
    // never shows a parser's English (its own extractors say what is wrong in the user's
    // language), so there it only goes to the log.
    let is_plain = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !is_plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .map(|b| {
            String::from_utf8_lossy(&b)
                .chars()
                .take(300)
                .collect::<String>()
        })
        .filter(|d| !d.is_empty());
    let detail = if ctx.is_api {
        if let Some(said) = &detail {
            tracing::debug!(status = %parts.status, rejection = %said, "API request refused");
        }
        None
    } else {
        detail
    };
    let key = match parts.status {
        StatusCode::NOT_FOUND => "error-not-found",
        StatusCode::METHOD_NOT_ALLOWED => "error-method",
        StatusCode::PAYLOAD_TOO_LARGE => "error-payload-too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "error-media-type",
        s if s.is_server_error() => "error-internal",
        _ => "error-bad-request",
    };
    let mut response = Response::from_parts(parts, axum::body::Body::empty());
    response.extensions_mut().insert(ErrorInfo {
        key,
        violations: Vec::new(),
        preflight: Vec::new(),
        detail: None,
        input: None,
    });
    finish(&state, &ctx, response, detail)
}

fn finish(
    state: &AppState,
    ctx: &RequestCtx,
    response: Response,
    detail: Option<String>,
) -> Response {
    let Some(info) = response.extensions().get::<ErrorInfo>().cloned() else {
        return response;
    };
    let status = response.status();
    let i18n = state.i18n();
    let (mut parts, _) = response.into_parts();
    parts.extensions.remove::<ErrorInfo>();
    if ctx.is_api {
        let mut errors: Vec<_> = info
            .violations
            .iter()
            .map(|(field, key)| json!({"field": field, "code": key, "message": i18n.message(ctx.lang, key, None)}))
            .collect();
        let input_detail = info
            .input
            .as_ref()
            .and_then(|input| input.detail(i18n, ctx.lang));
        if let Some(input) = &info.input
            && let Some(field) = input.field()
        {
            errors.push(json!({"field": field, "code": info.key, "message": input_detail}));
        }
        for found in &info.preflight {
            errors.push(json!({
                "field": found.problem.field,
                "code": found.problem.code,
                "message": found.message(state, ctx.lang),
                "channel_id": found.channel_id,
                "limit": found.problem.limit,
                "actual": found.problem.actual,
            }));
        }
        let mut body = json!({
            "type": "about:blank",
            "status": status.as_u16(),
            "code": info.key,
            "title": i18n.message(ctx.lang, api_title_key(info.key), None),
        });
        if let Some(detail) = input_detail.or(detail).or(info.detail) {
            body["detail"] = json!(detail);
        }
        if !errors.is_empty() {
            body["errors"] = json!(errors);
        }
        parts.headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        return Response::from_parts(parts, axum::body::Body::from(body.to_string()));
    }
    if status == StatusCode::UNAUTHORIZED {
        // A browser that needs to log in is sent to the login page, and back afterwards.
        let next: String = url_encode(&ctx.path);
        let location = format!("/login?next={next}");
        return (
            StatusCode::SEE_OTHER,
            [(
                LOCATION,
                HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/login")),
            )],
        )
            .into_response();
    }
    let chrome = Chrome::bare(state, ctx);
    let messages: Vec<String> = info
        .violations
        .iter()
        .map(|(_, key)| i18n.message(ctx.lang, key, None))
        .collect();
    let page = ErrorPage {
        title: i18n.message(ctx.lang, info.key, None),
        messages,
        detail: detail.or(info.detail),
        status: status.as_u16(),
        c: chrome,
    };
    let mut rendered = render(&page).into_response();
    *rendered.status_mut() = status;
    for (name, value) in parts.headers.iter() {
        if name == RETRY_AFTER {
            rendered.headers_mut().insert(name, value.clone());
        }
    }
    rendered
}

/// The catalogue key of an API problem's title: the same as its code, except that what the API
/// cannot find is a resource, not a page.
fn api_title_key(code: &'static str) -> &'static str {
    match code {
        "error-not-found" => "error-resource-not-found",
        other => other,
    }
}

pub fn url_encode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_failure_is_a_500_that_keeps_its_source() {
        let store = StoreError::Io(std::io::Error::other("disk unplugged"));
        let error = AppError::from(store);
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.key(), "error-internal");
        let source = std::error::Error::source(&error).expect("the store error is kept");
        assert!(source.downcast_ref::<StoreError>().is_some(), "{source:?}");
        let chain = error_chain(&error);
        assert!(chain.starts_with("internal error"), "{chain}");
        assert_eq!(chain.matches("disk unplugged").count(), 1, "{chain}");
    }

    #[test]
    fn refusals_and_conflicts_keep_their_status_and_key() {
        let refused = AppError::from(StoreError::Refused(Refusal::LastOwner));
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.key(), "error-last-owner");
        let taken = AppError::from(StoreError::Conflict(tribune_store::Conflict::EmailTaken));
        assert_eq!(taken.status(), StatusCode::CONFLICT);
        assert_eq!(taken.key(), "error-email-taken");
        let nul = AppError::from(StoreError::Invalid(ValidationError::single(
            "text",
            "error-nul-character",
        )));
        assert_eq!(nul.status(), StatusCode::BAD_REQUEST);
        assert_eq!(nul.key(), "error-nul-character");
        for reason in BadRequest::ALL {
            let error = AppError::BadRequest(reason);
            assert_eq!(error.status(), StatusCode::BAD_REQUEST);
            assert_eq!(error.key(), reason.key());
        }
    }

    #[test]
    fn an_invoice_rule_is_a_422_on_its_field() {
        use tribune_store::invoices::InvoiceError;
        let error = AppError::from(StoreError::Invoice(InvoiceError::SellerWithoutSiret));
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let AppError::Invalid(invalid) = error else {
            panic!("an invoice rule is a validation error");
        };
        assert_eq!(
            invalid.for_field("seller_siret"),
            Some("error-invoice-seller-siret")
        );
        let issued = AppError::from(StoreError::Refused(Refusal::InvoiceIssued));
        assert_eq!(issued.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(issued.key(), "error-invoice-issued");
    }
}
