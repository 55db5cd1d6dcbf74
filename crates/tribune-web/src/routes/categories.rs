//! The workspace's content categories (promo, tips, behind the scenes…): name, colour, and
//! whether they are evergreen and recycled into their empty queue slots.

use super::queue::swatch;
use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::{checkbox, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::{CategoryId, Role, WorkspaceId};
use tribune_store::StoreError;
use tribune_store::queue::{Category, CategoryInput};
use tribune_store::unix_now;

#[derive(Template)]
#[template(path = "categories.html")]
pub struct CategoriesPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_edit: bool,
    categories: Vec<Category>,
    form: CategoryForm,
    /// The category whose form was refused (`None`: the new-category form).
    editing: Option<CategoryId>,
    errors: Vec<(String, String)>,
}

impl CategoriesPage {
    fn swatch(&self, colour: &str) -> String {
        swatch(colour)
    }

    fn field_error(&self, id: Option<&CategoryId>, field: &str) -> Option<&str> {
        if id.copied() != self.editing {
            return None;
        }
        crate::forms::error_for(&self.errors, field)
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct CategoryForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub evergreen: Option<String>,
    #[serde(default)]
    pub recycle: Option<String>,
    #[serde(default)]
    pub recycle_after_days: String,
}

impl CategoryForm {
    fn input(&self) -> CategoryInput {
        CategoryInput {
            name: self.name.clone(),
            colour: self.colour.clone(),
            evergreen: checkbox(&self.evergreen),
            recycle: checkbox(&self.recycle),
            // Unreadable is out of range: the store says so on the field.
            recycle_after_days: self.recycle_after_days.trim().parse().unwrap_or(0),
        }
    }
}

async fn page(
    state: &AppState,
    member: &Member,
    form: CategoryForm,
    editing: Option<CategoryId>,
    errors: Vec<(String, String)>,
) -> Result<CategoriesPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    Ok(CategoriesPage {
        ws_id: member.scope.workspace(),
        can_edit: member.scope.role().can_edit_workspace(),
        categories: state.store().categories(&member.scope).await?,
        form,
        editing,
        errors,
        c: chrome,
    })
}

/// `GET /w/{ws}/categories`.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let form = CategoryForm {
        colour: "#1565c0".into(),
        recycle_after_days: "90".into(),
        ..CategoryForm::default()
    };
    let mut page = page(&state, &member, form, None, Vec::new()).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    Ok(render(&page))
}

async fn saved_or_refused(
    state: &AppState,
    member: &Member,
    form: CategoryForm,
    editing: Option<CategoryId>,
    result: Result<Category, StoreError>,
    flash: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/w/{}/categories?flash={flash}",
            member.scope.workspace()
        ))),
        Err(StoreError::Invalid(invalid)) => {
            let lang = member.ctx.lang;
            let errors = invalid
                .violations
                .iter()
                .map(|v| {
                    (
                        v.field.to_owned(),
                        state.i18n().message(lang, v.message_key, None),
                    )
                })
                .collect();
            let page = page(state, member, form, editing, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /w/{ws}/categories`.
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<CategoryForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let result = state
        .store()
        .create_category(&member.scope, &form.input(), unix_now())
        .await;
    saved_or_refused(&state, &member, form, None, result, "flash-category-saved").await
}

/// `POST /w/{ws}/categories/{id}`.
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, CategoryId)>,
    Form(form): Form<CategoryForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let result = state
        .store()
        .update_category(&member.scope, id, &form.input())
        .await;
    saved_or_refused(
        &state,
        &member,
        form,
        Some(id),
        result,
        "flash-category-saved",
    )
    .await
}

/// `POST /w/{ws}/categories/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, CategoryId)>,
) -> Result<Response, AppError> {
    state.store().delete_category(&member.scope, id).await?;
    Ok(see_other(&format!(
        "/w/{}/categories?flash=flash-category-deleted",
        member.scope.workspace()
    )))
}
