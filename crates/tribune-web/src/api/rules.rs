//! Moderation rules of the inbox through the API: list (with those whose query no longer
//! parses shown as broken), create, change, delete, and the dry run over the last 30 days.

use super::extract::{ApiJson, ApiPath};
use super::inbox::ItemJson;
use super::posts::rfc3339;
use crate::AppState;
use crate::context::Member;
use crate::error::{AppError, InputError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tribune_domain::inbox::{RuleAction, RuleConditions};
use tribune_domain::{RuleId, WorkspaceId};
use tribune_store::rules::{Rule, RuleInput};
use tribune_store::unix_now;

/// Where a rule's query stopped parsing (the rule does not run until it is fixed).
#[derive(Serialize)]
pub struct BrokenJson {
    /// Character position, from 1.
    position: usize,
    message: String,
}

#[derive(Serialize)]
pub struct RuleJson {
    id: RuleId,
    name: String,
    /// Rules run in this order, smallest first.
    position: i64,
    enabled: bool,
    query: String,
    conditions: RuleConditions,
    actions: Vec<RuleAction>,
    broken: Option<BrokenJson>,
    created_at: String,
    updated_at: String,
}

impl RuleJson {
    fn new(rule: Rule, lang: tribune_domain::Lang) -> RuleJson {
        let broken = match rule.query.trim() {
            "" => None,
            q => tribune_text::parse(q).err().map(|e| BrokenJson {
                position: e.position + 1,
                message: e.message(crate::inbox::ui_lang(lang)),
            }),
        };
        RuleJson {
            id: rule.id,
            name: rule.name,
            position: rule.position,
            enabled: rule.enabled,
            query: rule.query,
            conditions: rule.conditions,
            actions: rule.actions,
            broken,
            created_at: rfc3339(rule.created_at),
            updated_at: rfc3339(rule.updated_at),
        }
    }
}

#[derive(Serialize)]
pub struct RulesJson {
    rules: Vec<RuleJson>,
}

/// `GET /rules`: all of them (at most 100), in the order they run.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<RulesJson>, AppError> {
    let lang = member.ctx.lang;
    let rules = state.store().inbox_rules(&member.scope).await?;
    Ok(Json(RulesJson {
        rules: rules.into_iter().map(|r| RuleJson::new(r, lang)).collect(),
    }))
}

pub async fn show(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, RuleId)>,
) -> Result<Json<RuleJson>, AppError> {
    let rule = state.store().inbox_rule(&member.scope, id).await?;
    Ok(Json(RuleJson::new(rule, member.ctx.lang)))
}

/// `POST /rules` (and the whole state for `PATCH`, fields left out keeping their value).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    conditions: Option<RuleConditions>,
    #[serde(default)]
    actions: Option<Vec<RuleAction>>,
}

/// Refuses a query that does not parse, with its position.
fn parsed(query: &str) -> Result<(), AppError> {
    match query.trim() {
        "" => Ok(()),
        q => tribune_text::parse(q)
            .map(|_| ())
            .map_err(|e| AppError::Input(InputError::Search("query", e))),
    }
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiPath(ws): ApiPath<WorkspaceId>,
    ApiJson(request): ApiJson<RuleRequest>,
) -> Result<Response, AppError> {
    let input = RuleInput {
        name: request
            .name
            .ok_or_else(|| AppError::Input(InputError::JsonMissingField("name".into())))?,
        enabled: request.enabled.unwrap_or(true),
        query: request.query.unwrap_or_default(),
        conditions: request.conditions.unwrap_or_default(),
        actions: request
            .actions
            .ok_or_else(|| AppError::Input(InputError::JsonMissingField("actions".into())))?,
    };
    parsed(&input.query)?;
    let rule = state
        .store()
        .create_inbox_rule(&member.scope, &input, unix_now())
        .await?;
    Ok(super::created(
        format!("/api/v1/workspaces/{ws}/rules/{}", rule.id),
        RuleJson::new(rule, member.ctx.lang),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, RuleId)>,
    ApiJson(request): ApiJson<RuleRequest>,
) -> Result<Json<RuleJson>, AppError> {
    let store = state.store();
    let current = store.inbox_rule(&member.scope, id).await?;
    let input = RuleInput {
        name: request.name.unwrap_or(current.name),
        enabled: request.enabled.unwrap_or(current.enabled),
        query: request.query.unwrap_or(current.query),
        conditions: request.conditions.unwrap_or(current.conditions),
        actions: request.actions.unwrap_or(current.actions),
    };
    parsed(&input.query)?;
    let rule = store
        .update_inbox_rule(&member.scope, id, &input, unix_now())
        .await?;
    Ok(Json(RuleJson::new(rule, member.ctx.lang)))
}

pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, RuleId)>,
) -> Result<StatusCode, AppError> {
    state.store().delete_inbox_rule(&member.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a rule would have done over the last 30 days.
#[derive(Serialize)]
pub struct DryRunJson {
    /// Items read: those received in the last 30 days (at most 20,000).
    scanned: usize,
    /// Items the rule would have acted on.
    matched: usize,
    /// Its actions, as they would run on each.
    actions: Vec<RuleAction>,
    /// The newest of them (at most 100).
    items: Vec<ItemJson>,
}

/// `POST /rules/{rule}/dry-run`: runs the rule, enabled or not, without acting.
pub async fn dry_run(
    State(state): State<AppState>,
    member: Member,
    ApiPath((_, id)): ApiPath<(WorkspaceId, RuleId)>,
) -> Result<Json<DryRunJson>, AppError> {
    let store = state.store();
    let rule = store.inbox_rule(&member.scope, id).await?;
    parsed(&rule.query)?;
    let actions = rule.actions.clone();
    let compiled = tribune_inbox::rules::compile(vec![rule], false);
    let Some(compiled) = compiled.first() else {
        return Err(AppError::NotFound);
    };
    let now = unix_now();
    let run = tribune_inbox::rules::dry_run(store, &member.scope, compiled, now).await?;
    Ok(Json(DryRunJson {
        scanned: run.scanned,
        matched: run.matched,
        actions,
        items: run
            .items
            .into_iter()
            .map(|i| ItemJson::new(i, now))
            .collect(),
    }))
}
