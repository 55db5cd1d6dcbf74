//! The REST API under `/api/v1`: personal API tokens (`Authorization: Bearer trb_…`), JSON in
//! and out, problem bodies for errors, described by `/api/v1/openapi.json`.
//!
//! Conventions every route follows: typed ids from the path ([`extract::ApiPath`]), bodies read
//! by [`extract::ApiJson`] (failures name the field, in the user's language), answers built from
//! [`model`] types (never a store struct), `201 Created` with a `Location`, lists paginated by
//! [`page::Page`], and unknown query parameters refused ([`page::refuse_unknown_query`]).

mod alerts;
mod channels;
mod contacts;
mod extract;
mod inbox;
mod links;
pub(crate) mod media;
mod members;
mod model;
mod openapi;
mod page;
mod posts;
mod queue;
mod rules;
mod sla;
mod workspaces;

use crate::AppState;
use crate::context::Authed;
use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use model::MeJson;
use serde::Serialize;

pub use page::MAX_LIMIT;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/me", get(me))
        .route(
            "/workspaces",
            get(workspaces::list).post(workspaces::create),
        )
        .route(
            "/workspaces/{ws}",
            get(workspaces::show)
                .patch(workspaces::update)
                .delete(workspaces::delete),
        )
        .route("/workspaces/{ws}/members", get(members::list))
        .route(
            "/workspaces/{ws}/members/{user}",
            patch(members::set_role).delete(members::remove),
        )
        .route(
            "/workspaces/{ws}/invitations",
            get(members::invitations).post(members::invite),
        )
        .route("/workspaces/{ws}/invitations/{id}", delete(members::revoke))
        .route(
            "/workspaces/{ws}/channels",
            get(channels::list).post(channels::connect),
        )
        .route(
            "/workspaces/{ws}/channels/{id}",
            get(channels::show).delete(channels::disconnect),
        )
        .route(
            "/workspaces/{ws}/channels/{id}/check",
            post(channels::check),
        )
        .route("/workspaces/{ws}/channels/{id}/queue", get(queue::show))
        .route(
            "/workspaces/{ws}/channels/{id}/queue/slots",
            post(queue::add_slot),
        )
        .route(
            "/workspaces/{ws}/channels/{id}/queue/slots/{slot}",
            delete(queue::delete_slot),
        )
        .route(
            "/workspaces/{ws}/posts",
            get(posts::list).post(posts::create),
        )
        .route(
            "/workspaces/{ws}/posts/{post}",
            get(posts::show).patch(posts::update).delete(posts::delete),
        )
        .route(
            "/workspaces/{ws}/posts/{post}/approve",
            post(posts::approve),
        )
        .route(
            "/workspaces/{ws}/posts/{post}/request-changes",
            post(posts::request_changes),
        )
        .route(
            "/workspaces/{ws}/media",
            get(media::list).post(media::upload.layer(DefaultBodyLimit::disable())),
        )
        .route(
            "/workspaces/{ws}/media/{media}",
            get(media::show).patch(media::update).delete(media::delete),
        )
        .route(
            "/workspaces/{ws}/media/{media}/thumbnail",
            get(media::thumbnail),
        )
        .route(
            "/workspaces/{ws}/links",
            get(links::list).post(links::create),
        )
        .route(
            "/workspaces/{ws}/links/{link}",
            get(links::show).patch(links::update).delete(links::delete),
        )
        .route(
            "/workspaces/{ws}/inbox",
            get(inbox::list).patch(inbox::update_many),
        )
        .route(
            "/workspaces/{ws}/inbox/{item}",
            get(inbox::show).patch(inbox::update),
        )
        .route("/workspaces/{ws}/inbox/{item}/reply", post(inbox::reply))
        .route("/workspaces/{ws}/inbox/{item}/notes", post(inbox::add_note))
        .route(
            "/workspaces/{ws}/inbox/{item}/moderate",
            post(inbox::moderate),
        )
        .route(
            "/workspaces/{ws}/saved-replies",
            get(inbox::saved_list).post(inbox::saved_create),
        )
        .route(
            "/workspaces/{ws}/saved-replies/{reply}",
            get(inbox::saved_show)
                .patch(inbox::saved_update)
                .delete(inbox::saved_delete),
        )
        .route(
            "/workspaces/{ws}/rules",
            get(rules::list).post(rules::create),
        )
        .route(
            "/workspaces/{ws}/rules/{rule}",
            get(rules::show).patch(rules::update).delete(rules::delete),
        )
        .route(
            "/workspaces/{ws}/rules/{rule}/dry-run",
            post(rules::dry_run),
        )
        .route("/workspaces/{ws}/inbox/stats", get(sla::stats))
        .route("/workspaces/{ws}/inbox/alerts", get(alerts::list))
        .route("/workspaces/{ws}/inbox/alerts/{alert}", get(alerts::show))
        .route(
            "/workspaces/{ws}/buzz",
            get(alerts::settings)
                .put(alerts::set_settings)
                .delete(alerts::reset_settings),
        )
        .route("/workspaces/{ws}/buzz/test", post(alerts::test_webhook))
        .route(
            "/workspaces/{ws}/inbox/{item}/author",
            get(contacts::show).patch(contacts::update),
        )
        .route(
            "/workspaces/{ws}/inbox/{item}/author/export",
            post(contacts::export),
        )
        .route(
            "/workspaces/{ws}/inbox/{item}/author/erase",
            post(contacts::erase),
        )
        .route(
            "/workspaces/{ws}/inbox/{item}/author/links",
            post(contacts::link),
        )
        .route(
            "/workspaces/{ws}/inbox/{item}/author/unlink",
            post(contacts::unlink),
        )
        .route(
            "/workspaces/{ws}/sla",
            get(sla::show).put(sla::set).delete(sla::delete),
        )
        .route_layer(axum::middleware::from_fn(page::refuse_unknown_query))
}

async fn me(Authed { user, .. }: Authed) -> Json<MeJson> {
    Json(user.into())
}

/// `201 Created` with the new resource's address (a path under `/api/v1`) in `Location`.
fn created(location: String, body: impl Serialize) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}
