//! The browser routes, one module per area, and the router that ties them (and the API) together.

mod account;
mod admin;
mod alerts;
mod approval_link;
mod auth;
mod calendar;
mod categories;
mod channels;
mod composer;
mod composer_preview;
mod composer_upload;
mod contacts;
mod guidelines;
mod health;
mod home;
mod ical;
mod inbox;
mod invite;
mod links;
mod media;
mod media_link;
mod members;
mod once;
mod password_reset;
mod posts;
mod posts_csv;
mod queue;
mod rules;
mod saved_replies;
mod settings;
mod setup;
mod sla;
mod workspaces;

pub(crate) use alerts::sealed_webhook;
pub(crate) use contacts::export_response as contact_export_response;
pub(crate) use members::send_invitation;

use crate::context::resolve_request;
use crate::error::{AppError, render_errors};
use crate::{AppState, api, metrics, static_files};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The content security policy of every page: nothing but tribune's own scripts, styles and
/// forms and images (channel avatars are copies tribune serves itself).
pub(crate) const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; \
     base-uri 'none'";

/// The same policy for pages whose forms redirect to a network's consent page (OAuth): browsers
/// apply `form-action` to the redirect, so it must allow https destinations.
pub(crate) const CSP_OAUTH_FORMS: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; \
     form-action 'self' https:; base-uri 'none'";

/// [`CSP_OAUTH_FORMS`] when networks may be reached over plain http (`allow_http_networks`): the
/// consent page may then be on an `http:` instance.
pub(crate) const CSP_OAUTH_FORMS_HTTP: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; \
     form-action 'self' https: http:; base-uri 'none'";
/// HSTS, sent only when the public URL is https: browsers then refuse plain http for a year.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Every route of tribune. The layers, outermost first: tracing, security headers, body limit,
/// metrics, request resolution (user, language, CSRF), error rendering, NUL refusal.
///
/// Caching is opt-in: a response that does not set its own `Cache-Control` (static files and
/// logos do) gets `no-store`. Pages show secrets (a new API token, recovery codes, a TOTP seed,
/// invitation links) and private data, and one rule for all of them cannot be forgotten on the
/// next page that shows one.
pub fn router(state: AppState) -> Router {
    let limit = state.config().max_body_bytes;
    let mut security_headers = vec![
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("content-security-policy", CSP),
        ("cache-control", "no-store"),
    ];
    if state.config().secure_cookies() {
        security_headers.push(("strict-transport-security", HSTS));
    }
    let mut router = Router::new()
        .route("/", get(home::index))
        .route("/setup", get(setup::form).post(setup::submit))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/login/totp", get(auth::totp_form).post(auth::totp))
        .route("/logout", post(auth::logout))
        .route(
            "/password/forgot",
            get(password_reset::forgot_form).post(password_reset::forgot),
        )
        .route(
            "/password/reset/{token}",
            get(password_reset::reset_form).post(password_reset::reset),
        )
        .route("/password/changed", get(password_reset::changed))
        .route("/lang", post(home::switch_language))
        .route(
            "/workspaces",
            get(workspaces::list).post(workspaces::create),
        )
        .route("/w/{ws}", get(workspaces::overview))
        .route("/w/{ws}/settings", get(settings::form).post(settings::save))
        .route(
            "/w/{ws}/logo",
            get(settings::logo).post(settings::upload_logo),
        )
        .route("/w/{ws}/logo/delete", post(settings::delete_logo))
        .route("/w/{ws}/delete", post(settings::delete_workspace))
        .route("/w/{ws}/channels", get(channels::list))
        .route(
            "/w/{ws}/channels/connect/bluesky",
            post(channels::connect_bluesky),
        )
        .route(
            "/w/{ws}/channels/connect/mastodon",
            post(channels::connect_mastodon),
        )
        .route("/oauth/mastodon/callback", get(channels::mastodon_callback))
        .route(
            "/w/{ws}/channels/connect/mastodon-token",
            post(channels::connect_mastodon_token),
        )
        .route(
            "/w/{ws}/channels/connect/wordpress",
            post(channels::connect_wordpress),
        )
        .route("/w/{ws}/channels/{id}/check", post(channels::check))
        .route("/w/{ws}/channels/{id}/avatar", get(channels::avatar))
        .route(
            "/w/{ws}/channels/{id}/disconnect",
            post(channels::disconnect),
        )
        .route("/w/{ws}/channels/{id}/queue", get(queue::show))
        .route("/w/{ws}/channels/{id}/queue/slots", post(queue::add_slots))
        .route("/w/{ws}/channels/{id}/queue/shuffle", post(queue::shuffle))
        .route(
            "/w/{ws}/channels/{id}/queue/slots/{slot}/delete",
            post(queue::delete_slot),
        )
        .route(
            "/w/{ws}/categories",
            get(categories::list).post(categories::create),
        )
        .route("/w/{ws}/categories/{id}", post(categories::update))
        .route("/w/{ws}/categories/{id}/delete", post(categories::delete))
        .route("/w/{ws}/posts", get(posts::list).post(composer::create))
        .route("/w/{ws}/posts/new", get(composer::new))
        .route(
            "/w/{ws}/posts/import",
            get(posts_csv::form).post(posts_csv::upload),
        )
        .route("/w/{ws}/posts/import/confirm", post(posts_csv::confirm))
        .route("/w/{ws}/posts/export.csv", get(posts_csv::export))
        .route("/w/{ws}/posts/{id}", get(posts::show))
        .route(
            "/w/{ws}/posts/{id}/edit",
            get(composer::edit).post(composer::update),
        )
        .route("/w/{ws}/posts/{id}/approve", post(posts::approve))
        .route(
            "/w/{ws}/posts/{id}/request-changes",
            post(posts::request_changes),
        )
        .route("/w/{ws}/posts/{id}/schedule", post(posts::schedule))
        .route("/w/{ws}/posts/{id}/delete", post(posts::delete))
        .route("/w/{ws}/posts/{id}/move", post(calendar::move_post))
        .route("/w/{ws}/compose/check", post(composer::check))
        .route("/w/{ws}/compose/shorten", post(composer::shorten))
        .route(
            "/w/{ws}/compose/upload",
            post(composer_upload::upload.layer(DefaultBodyLimit::disable())),
        )
        .route(
            "/w/{ws}/media",
            get(media::list).post(media::upload.layer(DefaultBodyLimit::disable())),
        )
        .route("/w/{ws}/media/{media}/alt", post(media::set_alt))
        .route("/w/{ws}/media/{media}/copy", post(media::copy))
        .route("/w/{ws}/media/{media}/delete", post(media::delete))
        .route("/w/{ws}/media/{media}/thumbnail", get(media::thumbnail))
        .route("/w/{ws}/inbox", get(inbox::list))
        .route("/w/{ws}/inbox/bulk", post(inbox::bulk))
        .route("/w/{ws}/inbox/alerts", get(alerts::settings))
        .route(
            "/w/{ws}/inbox/alerts/thresholds",
            post(alerts::save_thresholds),
        )
        .route("/w/{ws}/inbox/alerts/webhook", post(alerts::save_webhook))
        .route(
            "/w/{ws}/inbox/alerts/webhook/test",
            post(alerts::test_webhook),
        )
        .route(
            "/w/{ws}/inbox/alerts/webhook/delete",
            post(alerts::delete_webhook),
        )
        .route("/w/{ws}/inbox/alerts/{alert}", get(alerts::show))
        .route("/w/{ws}/inbox/{item}", get(inbox::show).post(inbox::triage))
        .route("/w/{ws}/inbox/{item}/reply", post(inbox::reply))
        .route("/w/{ws}/inbox/{item}/images/{n}", get(inbox::image))
        .route("/w/{ws}/inbox/{item}/notes", post(inbox::add_note))
        .route("/w/{ws}/inbox/{item}/moderate", post(inbox::moderate))
        .route(
            "/w/{ws}/inbox/{item}/author",
            get(contacts::show).post(contacts::save),
        )
        .route("/w/{ws}/inbox/{item}/author/export", post(contacts::export))
        .route("/w/{ws}/inbox/{item}/author/erase", post(contacts::erase))
        .route("/w/{ws}/inbox/{item}/author/link", post(contacts::link))
        .route("/w/{ws}/inbox/{item}/author/unlink", post(contacts::unlink))
        .route(
            "/w/{ws}/replies",
            get(saved_replies::list).post(saved_replies::create),
        )
        .route("/w/{ws}/replies/{reply}", post(saved_replies::update))
        .route(
            "/w/{ws}/replies/{reply}/delete",
            post(saved_replies::delete),
        )
        .route("/w/{ws}/response-time", get(sla::show).post(sla::save))
        .route("/w/{ws}/rules", get(rules::list).post(rules::create))
        .route("/w/{ws}/rules/{rule}", post(rules::update))
        .route("/w/{ws}/rules/{rule}/move", post(rules::move_rule))
        .route("/w/{ws}/rules/{rule}/delete", post(rules::delete))
        .route("/w/{ws}/rules/{rule}/dry-run", get(rules::dry_run))
        .route("/w/{ws}/links", get(links::list).post(links::create))
        .route("/w/{ws}/links/{link}", get(links::show).post(links::update))
        .route("/w/{ws}/links/{link}/delete", post(links::delete))
        .route("/w/{ws}/calendar", get(calendar::month))
        .route("/w/{ws}/calendar/feed", post(ical::reset))
        .route("/w/{ws}/calendar/feed/revoke", post(ical::revoke))
        .route("/ical/{file}", get(ical::feed))
        .route("/w/{ws}/publishing/pause", post(posts::pause))
        .route("/w/{ws}/publishing/resume", post(posts::resume))
        .route("/w/{ws}/members", get(members::list))
        .route("/w/{ws}/members/{user}/role", post(members::set_role))
        .route("/w/{ws}/members/{user}/remove", post(members::remove))
        .route("/w/{ws}/leave", post(members::leave))
        .route("/w/{ws}/invitations", post(members::invite))
        .route("/w/{ws}/invitations/{id}/revoke", post(members::revoke))
        .route("/invite/{token}", get(invite::show).post(invite::accept))
        .route(
            "/a/{token}",
            get(approval_link::show).post(approval_link::decide),
        )
        .route("/a/{token}/media/{media}", get(approval_link::media))
        .route("/account", get(account::show))
        .route("/account/profile", post(account::profile))
        .route("/account/password", post(account::password))
        .route("/account/totp", get(account::totp_setup))
        .route("/account/totp/start", post(account::totp_start))
        .route("/account/totp/enable", post(account::totp_enable))
        .route("/account/totp/disable", post(account::totp_disable))
        .route(
            "/account/recovery-codes",
            post(account::regenerate_recovery_codes),
        )
        .route(
            "/account/sessions/revoke-others",
            post(account::revoke_other_sessions),
        )
        .route(
            "/account/sessions/{id}/revoke",
            post(account::revoke_session),
        )
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin", get(admin::page))
        .route("/admin/accounts/{id}/{action}", post(admin::change))
        .route("/admin/mail", post(admin::save_mail))
        .route("/admin/mail/test", post(admin::test_mail))
        .route("/g/{slug}", get(guidelines::public))
        .route("/g/{slug}/logo", get(guidelines::logo))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/static/{name}", get(static_files::serve))
        .route("/m/{token}", get(media_link::serve))
        .route("/l/{code}", get(links::follow))
        .nest("/api/v1", api::router())
        .fallback(|| async { AppError::NotFound })
        .layer(axum::middleware::from_fn(crate::nul::reject_nul))
        .layer(from_fn_with_state(state.clone(), render_errors))
        .layer(from_fn_with_state(state.clone(), resolve_request))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(DefaultBodyLimit::max(limit))
        .layer(from_fn_with_state(state.clone(), crate::body_limit::limit));
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    // One span and one line per request at INFO for `tower_http` (off by default:
    // `RUST_LOG=info,tower_http=info` turns the access log on). The span names the route
    // pattern, never the URI: paths and queries can carry secrets (invitation links, CSRF).
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &axum::http::Request<axum::body::Body>| {
            let route = request
                .extensions()
                .get::<axum::extract::MatchedPath>()
                .map_or("unmatched", |path| path.as_str());
            tracing::info_span!("request", method = %request.method(), route)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    router.layer(trace).with_state(state)
}
