//! The REST API under `/api/v1`: personal API tokens (`Authorization: Bearer trb_…`), JSON in
//! and out, problem bodies for errors, described by `/api/v1/openapi.json`.

mod channels;
mod members;
mod openapi;
mod workspaces;

use crate::AppState;
use crate::context::Authed;
use axum::Json;
use axum::Router;
use axum::routing::{delete, get, patch, post};
use serde_json::{Value, json};

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
}

async fn me(Authed { user, .. }: Authed) -> Json<Value> {
    Json(json!({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "locale": user.locale,
        "totp_enabled": user.totp_enabled,
    }))
}
