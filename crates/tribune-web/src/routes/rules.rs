//! The inbox's moderation rules in the browser: the list in the order they run (a rule whose
//! search no longer parses is shown as broken, with where it stops), a form to write one and
//! to change each, moving a rule earlier or later, and the dry run over the last 30 days.
//! Every member sees the rules; owners and managers keep them.
//!
//! The form has one field per kind of action, run in this order: labels, assignment, status,
//! saved reply, moderation on the network. A rule written through the API with two actions of
//! one kind cannot be shown in it: the page says so and keeps it as it is.

use super::inbox::{ItemLine, channel_labels, kind_key, line, member_names, status_key, tone_key};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::see_other;
use crate::i18n::Tr;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::inbox::{
    ItemKind, ItemStatus, RULE_MODERATIONS, RuleAction, RuleConditions, Tone,
};
use tribune_domain::{ChannelId, Role, RuleId, SavedReplyId, UserId, ValidationError, WorkspaceId};
use tribune_store::rules::{Rule, RuleInput};
use tribune_store::{StoreError, unix_now};

/// A rule as the form holds it: what was typed, kept as typed when it is refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleForm {
    name: String,
    enabled: bool,
    query: String,
    sentiment: Vec<String>,
    toxic: bool,
    spam: bool,
    lang: String,
    channels: Vec<String>,
    kinds: Vec<String>,
    /// The team's tags on the author, separated by commas.
    author_tags: String,
    /// Labels to add, separated by commas.
    labels: String,
    assign: String,
    status: String,
    reply: String,
    /// `""`, `managers`, or a member's id.
    notify: String,
    moderate: String,
}

impl RuleForm {
    fn new_rule() -> RuleForm {
        RuleForm {
            enabled: true,
            ..RuleForm::default()
        }
    }

    fn from_pairs(pairs: &[(String, String)]) -> RuleForm {
        let one = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let all = |name: &str| {
            pairs
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .collect()
        };
        RuleForm {
            name: one("name"),
            enabled: !one("enabled").is_empty(),
            query: one("query"),
            sentiment: all("sentiment"),
            toxic: !one("toxic").is_empty(),
            spam: !one("spam").is_empty(),
            lang: one("lang"),
            channels: all("channel"),
            kinds: all("kind"),
            author_tags: one("author_tags"),
            labels: one("labels"),
            assign: one("assign"),
            status: one("status"),
            reply: one("reply"),
            notify: one("notify"),
            moderate: one("moderate"),
        }
    }

    /// The form of a stored rule; `None` when its actions do not fit in the form (two of
    /// one kind, written through the API).
    fn from_rule(rule: &Rule) -> Option<RuleForm> {
        let c = &rule.conditions;
        let mut form = RuleForm {
            name: rule.name.clone(),
            enabled: rule.enabled,
            query: rule.query.clone(),
            sentiment: c.sentiment.iter().map(|t| t.as_str().to_owned()).collect(),
            toxic: c.toxic,
            spam: c.spam,
            lang: c.lang.join(", "),
            channels: c.channels.iter().map(|id| id.to_string()).collect(),
            kinds: c.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
            author_tags: c.author_tags.join(", "),
            ..RuleForm::default()
        };
        let mut labels = Vec::new();
        for action in &rule.actions {
            let (slot, value) = match action {
                RuleAction::Label { label } => {
                    labels.push(label.clone());
                    continue;
                }
                RuleAction::Assign { user } => (&mut form.assign, user.to_string()),
                RuleAction::Status { status } => (&mut form.status, status.as_str().to_owned()),
                RuleAction::Reply { saved_reply_id } => {
                    (&mut form.reply, saved_reply_id.to_string())
                }
                RuleAction::Moderate { action } => (&mut form.moderate, action.clone()),
                RuleAction::Notify { user } => (
                    &mut form.notify,
                    user.map_or_else(|| "managers".to_owned(), |u| u.to_string()),
                ),
            };
            if !slot.is_empty() {
                return None;
            }
            *slot = value;
        }
        form.labels = labels.join(", ");
        Some(form)
    }

    /// The rule to store; a value the form never offers is refused with the field's message.
    fn input(&self) -> Result<RuleInput, ValidationError> {
        let mut errors = ValidationError::default();
        let mut conditions = RuleConditions {
            toxic: self.toxic,
            spam: self.spam,
            lang: self
                .lang
                .split([',', ' '])
                .map(|l| l.trim().to_lowercase())
                .filter(|l| !l.is_empty())
                .collect(),
            author_tags: super::contacts::split_tags(&self.author_tags)
                .into_iter()
                .map(|t| t.to_lowercase())
                .collect(),
            ..RuleConditions::default()
        };
        for value in &self.sentiment {
            match Tone::parse(value) {
                Some(tone) => conditions.sentiment.push(tone),
                None => errors.push("conditions", "error-rule-form-value"),
            }
        }
        for value in &self.kinds {
            match ItemKind::parse(value) {
                Some(kind) => conditions.kinds.push(kind),
                None => errors.push("conditions", "error-rule-form-value"),
            }
        }
        for value in &self.channels {
            match value.parse() {
                Ok(id) => conditions.channels.push(ChannelId(id)),
                Err(_) => errors.push("conditions", "error-rule-form-value"),
            }
        }
        let mut actions: Vec<RuleAction> = self
            .labels
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|label| RuleAction::Label {
                label: label.to_owned(),
            })
            .collect();
        if !self.assign.is_empty() {
            match self.assign.parse() {
                Ok(id) => actions.push(RuleAction::Assign { user: UserId(id) }),
                Err(_) => errors.push("actions", "error-rule-form-value"),
            }
        }
        if !self.status.is_empty() {
            match ItemStatus::parse(&self.status) {
                Some(status) => actions.push(RuleAction::Status { status }),
                None => errors.push("actions", "error-rule-form-value"),
            }
        }
        if !self.reply.is_empty() {
            match self.reply.parse() {
                Ok(id) => actions.push(RuleAction::Reply {
                    saved_reply_id: SavedReplyId(id),
                }),
                Err(_) => errors.push("actions", "error-rule-form-value"),
            }
        }
        match self.notify.as_str() {
            "" => {}
            "managers" => actions.push(RuleAction::Notify { user: None }),
            id => match id.parse() {
                Ok(id) => actions.push(RuleAction::Notify {
                    user: Some(UserId(id)),
                }),
                Err(_) => errors.push("actions", "error-rule-form-value"),
            },
        }
        if !self.moderate.is_empty() {
            actions.push(RuleAction::Moderate {
                action: self.moderate.clone(),
            });
        }
        errors.into_result()?;
        Ok(RuleInput {
            name: self.name.clone(),
            enabled: self.enabled,
            query: self.query.clone(),
            conditions,
            actions,
        })
    }

    /// Whether `value` is ticked or chosen in the form's field `field`.
    fn has(&self, field: &str, value: &str) -> bool {
        let list = match field {
            "sentiment" => &self.sentiment,
            "channel" => &self.channels,
            "kind" => &self.kinds,
            "assign" => return self.assign == value,
            "status" => return self.status == value,
            "reply" => return self.reply == value,
            "notify" => return self.notify == value,
            "moderate" => return self.moderate == value,
            _ => return false,
        };
        list.iter().any(|v| v == value)
    }
}

/// One rule as the page lists it.
pub struct RuleLine {
    id: RuleId,
    name: String,
    enabled: bool,
    query: String,
    /// Where its search stops parsing, in words.
    broken: Option<String>,
    conditions: Vec<String>,
    actions: Vec<String>,
    /// Its form, when its actions fit in one.
    form: Option<RuleForm>,
}

/// What the page offers to choose from.
pub struct Choices {
    channels: Vec<(ChannelId, String)>,
    members: Vec<(UserId, String)>,
    saved: Vec<(SavedReplyId, String)>,
    tones: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    moderations: Vec<(&'static str, &'static str)>,
}

impl Choices {
    async fn load(state: &AppState, member: &Member) -> Result<Choices, AppError> {
        let store = state.store();
        let mut channels: Vec<(ChannelId, String)> = channel_labels(state, member)
            .await?
            .into_iter()
            .map(|(id, c)| (id, c.name))
            .collect();
        channels.sort_by(|a, b| a.1.cmp(&b.1));
        let mut members: Vec<(UserId, String)> =
            member_names(state, member).await?.into_iter().collect();
        members.sort_by(|a, b| a.1.cmp(&b.1));
        let saved = store
            .saved_replies(&member.scope)
            .await?
            .into_iter()
            .map(|r| (r.id, r.title))
            .collect();
        Ok(Choices {
            channels,
            members,
            saved,
            tones: Tone::ALL
                .iter()
                .map(|t| (t.as_str(), tone_key(*t)))
                .collect(),
            kinds: ItemKind::ALL
                .iter()
                .map(|k| (k.as_str(), kind_key(*k)))
                .collect(),
            statuses: vec![
                ("in_progress", "inbox-status-in-progress"),
                ("done", "inbox-status-done"),
            ],
            moderations: RULE_MODERATIONS
                .iter()
                .map(|m| (*m, moderation_key(m)))
                .collect(),
        })
    }

    fn name_of<I: PartialEq + Copy>(list: &[(I, String)], id: I) -> Option<&str> {
        list.iter().find(|(i, _)| *i == id).map(|(_, n)| n.as_str())
    }
}

fn moderation_key(action: &str) -> &'static str {
    match action {
        "hide" => "inbox-moderate-hide",
        "delete" => "inbox-moderate-delete",
        "spam" => "inbox-moderate-spam",
        "hold" => "inbox-moderate-hold",
        _ => "inbox-moderate-trash",
    }
}

/// Where a rule's search stops parsing, in the page's language.
fn broken(tr: &Tr, query: &str) -> Option<String> {
    match query.trim() {
        "" => None,
        q => tribune_text::parse(q).err().map(|e| {
            tr.t2(
                "error-search-syntax-detail",
                ("position", e.position + 1),
                ("message", e.detail(crate::inbox::ui_lang(tr.lang))),
            )
        }),
    }
}

fn describe(chrome: &Chrome, choices: &Choices, rule: &Rule) -> (Vec<String>, Vec<String>) {
    let tr = &chrome.tr;
    let c = &rule.conditions;
    let mut conditions: Vec<String> = c.sentiment.iter().map(|t| tr.t(tone_key(*t))).collect();
    if c.toxic {
        conditions.push(tr.t("inbox-flag-toxic"));
    }
    if c.spam {
        conditions.push(tr.t("inbox-flag-spam"));
    }
    if !c.lang.is_empty() {
        conditions.push(tr.t1("rules-in-language", "lang", c.lang.join(", ")));
    }
    for channel in &c.channels {
        let name = Choices::name_of(&choices.channels, *channel)
            .map_or_else(|| tr.t("rules-gone"), str::to_owned);
        conditions.push(tr.t1("rules-on-channel", "channel", name));
    }
    conditions.extend(c.kinds.iter().map(|k| tr.t(kind_key(*k))));
    if !c.author_tags.is_empty() {
        conditions.push(tr.t1("rules-author-tagged", "tags", c.author_tags.join(", ")));
    }
    let actions = rule
        .actions
        .iter()
        .map(|action| match action {
            RuleAction::Label { label } => tr.t1("rules-does-label", "label", label),
            RuleAction::Assign { user } => {
                let name = Choices::name_of(&choices.members, *user)
                    .map_or_else(|| tr.t("rules-gone"), str::to_owned);
                tr.t1("rules-does-assign", "name", name)
            }
            RuleAction::Status { status } => {
                tr.t1("rules-does-status", "status", tr.t(status_key(*status)))
            }
            RuleAction::Reply { saved_reply_id } => {
                let title = Choices::name_of(&choices.saved, *saved_reply_id)
                    .map_or_else(|| tr.t("rules-gone"), str::to_owned);
                tr.t1("rules-does-reply", "title", title)
            }
            RuleAction::Notify { user: None } => tr.t("rules-does-notify-managers"),
            RuleAction::Notify { user: Some(user) } => {
                let name = Choices::name_of(&choices.members, *user)
                    .map_or_else(|| tr.t("rules-gone"), str::to_owned);
                tr.t1("rules-does-notify", "name", name)
            }
            RuleAction::Moderate { action } => tr.t1(
                "rules-does-moderate",
                "action",
                tr.t(moderation_key(action)),
            ),
        })
        .collect();
    (conditions, actions)
}

#[derive(Template)]
#[template(path = "rules.html")]
pub struct RulesPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_edit: bool,
    rules: Vec<RuleLine>,
    choices: Choices,
    /// The new rule's form.
    form: RuleForm,
    /// The rule the errors are about (`None`: the new one).
    errors_for: Option<RuleId>,
    errors: Vec<(String, String)>,
}

impl RulesPage {
    /// The message for `field` of the rule `id` (a macro argument, hence the reference).
    fn field_error(&self, id: &Option<&RuleId>, field: &str) -> Option<&str> {
        if id.copied() != self.errors_for {
            return None;
        }
        crate::forms::error_for(&self.errors, field)
    }

    /// The new rule's form has no id.
    fn new_rule(&self) -> Option<&RuleId> {
        None
    }

    fn has_errors(&self, id: &RuleId) -> bool {
        self.errors_for == Some(*id) && !self.errors.is_empty()
    }
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

/// A form sent back with its errors: the rule's id (`None` for a new one), the form as typed,
/// and the messages by field.
struct Refused {
    id: Option<RuleId>,
    form: RuleForm,
    errors: Vec<(String, String)>,
}

/// The page, with a refused form shown as typed.
async fn page(
    state: &AppState,
    member: &Member,
    flash: Option<&str>,
    refused: Option<Refused>,
) -> Result<RulesPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    let choices = Choices::load(state, member).await?;
    let (errors_for, refused_form, errors) = match refused {
        Some(Refused { id, form, errors }) => (id, Some(form), errors),
        None => (None, None, Vec::new()),
    };
    let rules = state
        .store()
        .inbox_rules(&member.scope)
        .await?
        .into_iter()
        .map(|rule| {
            let (conditions, actions) = describe(&chrome, &choices, &rule);
            let form = match (&refused_form, errors_for) {
                (Some(form), Some(id)) if id == rule.id => Some(form.clone()),
                _ => RuleForm::from_rule(&rule),
            };
            RuleLine {
                id: rule.id,
                broken: broken(&chrome.tr, &rule.query),
                name: rule.name,
                enabled: rule.enabled,
                query: rule.query,
                conditions,
                actions,
                form,
            }
        })
        .collect();
    let form = match (refused_form, errors_for) {
        (Some(form), None) => form,
        _ => RuleForm::new_rule(),
    };
    Ok(RulesPage {
        c: chrome.with_flash(flash),
        ws_id: member.scope.workspace(),
        can_edit: member.scope.role().can_edit_workspace(),
        rules,
        choices,
        form,
        errors_for,
        errors,
    })
}

/// `GET /w/{ws}/rules`.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let page = page(&state, &member, query.flash.as_deref(), None).await?;
    Ok(render(&page))
}

/// Checks the form and its search; the errors, in the page's language, when refused.
fn checked(
    state: &AppState,
    member: &Member,
    form: &RuleForm,
) -> Result<RuleInput, Vec<(String, String)>> {
    let input = form
        .input()
        .map_err(|invalid| super::links::field_errors(state, member.ctx.lang, &invalid))?;
    match broken(&Tr::new(state, member.ctx.lang), &input.query) {
        Some(message) => Err(vec![("query".to_owned(), message)]),
        None => Ok(input),
    }
}

async fn refused(
    state: &AppState,
    member: &Member,
    id: Option<RuleId>,
    form: RuleForm,
    errors: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let page = page(state, member, None, Some(Refused { id, form, errors })).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// `POST /w/{ws}/rules`: a new rule, after the others.
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let form = RuleForm::from_pairs(&pairs);
    let input = match checked(&state, &member, &form) {
        Ok(input) => input,
        Err(errors) => return refused(&state, &member, None, form, errors).await,
    };
    match state
        .store()
        .create_inbox_rule(&member.scope, &input, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/w/{}/rules?flash=flash-rule-saved",
            member.scope.workspace()
        ))),
        Err(StoreError::Invalid(invalid)) => {
            let errors = super::links::field_errors(&state, member.ctx.lang, &invalid);
            refused(&state, &member, None, form, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /w/{ws}/rules/{rule}`: changes one (its place stays).
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, RuleId)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let form = RuleForm::from_pairs(&pairs);
    let input = match checked(&state, &member, &form) {
        Ok(input) => input,
        Err(errors) => return refused(&state, &member, Some(id), form, errors).await,
    };
    match state
        .store()
        .update_inbox_rule(&member.scope, id, &input, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/w/{ws}/rules?flash=flash-rule-saved"))),
        Err(StoreError::Invalid(invalid)) => {
            let errors = super::links::field_errors(&state, member.ctx.lang, &invalid);
            refused(&state, &member, Some(id), form, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    /// `earlier` or `later`.
    to: String,
}

/// `POST /w/{ws}/rules/{rule}/move`: one place earlier or later.
pub async fn move_rule(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, RuleId)>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let earlier = match form.to.as_str() {
        "earlier" => true,
        "later" => false,
        _ => {
            return Err(AppError::Input(crate::error::InputError::InvalidQuery(
                "to".into(),
            )));
        }
    };
    state
        .store()
        .move_inbox_rule(&member.scope, id, earlier)
        .await?;
    Ok(see_other(&format!("/w/{ws}/rules#rule-{id}")))
}

/// `POST /w/{ws}/rules/{rule}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, RuleId)>,
) -> Result<Response, AppError> {
    state.store().delete_inbox_rule(&member.scope, id).await?;
    Ok(see_other(&format!(
        "/w/{ws}/rules?flash=flash-rule-deleted"
    )))
}

#[derive(Template)]
#[template(path = "rule_dry_run.html")]
pub struct DryRunPage {
    c: Chrome,
    ws_id: WorkspaceId,
    name: String,
    broken: Option<String>,
    actions: Vec<String>,
    scanned: usize,
    matched: usize,
    items: Vec<ItemLine>,
    days: i64,
}

impl DryRunPage {
    fn result(&self) -> String {
        self.c.tr.t2(
            "rules-dry-run-result",
            ("matched", self.matched),
            ("scanned", self.scanned),
        )
    }
}

/// `GET /w/{ws}/rules/{rule}/dry-run`: what the rule, enabled or not, would have done over
/// the last 30 days. It only reads.
pub async fn dry_run(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, RuleId)>,
) -> Result<Response, AppError> {
    let store = state.store();
    let rule = store.inbox_rule(&member.scope, id).await?;
    let (chrome, _) = Chrome::for_member(&state, &member).await?;
    let choices = Choices::load(&state, &member).await?;
    let (_, actions) = describe(&chrome, &choices, &rule);
    let broken = broken(&chrome.tr, &rule.query);
    let mut page = DryRunPage {
        ws_id: member.scope.workspace(),
        name: rule.name.clone(),
        broken,
        actions,
        scanned: 0,
        matched: 0,
        items: Vec::new(),
        days: tribune_inbox::rules::DRY_RUN_DAYS,
        c: chrome,
    };
    if page.broken.is_none()
        && let Some(compiled) = tribune_inbox::rules::compile(vec![rule], false).first()
    {
        let run = tribune_inbox::rules::dry_run(store, &member.scope, compiled, unix_now()).await?;
        let channels = channel_labels(&state, &member).await?;
        let members = member_names(&state, &member).await?;
        page.scanned = run.scanned;
        page.matched = run.matched;
        page.items = run
            .items
            .into_iter()
            .map(|item| line(&state, &page.c, item, &channels, &members, None))
            .collect();
    }
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::pairs;

    #[test]
    fn a_form_becomes_a_rule_and_a_rule_its_form_again() {
        let form = RuleForm::from_pairs(&pairs(&[
            ("name", "Arnaques"),
            ("enabled", "on"),
            ("query", "arnaque OR escroc*"),
            ("sentiment", "neg"),
            ("toxic", "on"),
            ("lang", "FR, en"),
            ("channel", "7"),
            ("kind", "comment"),
            ("author_tags", "Troll, bloqué"),
            ("labels", "sav, urgent"),
            ("assign", "3"),
            ("status", "in_progress"),
            ("reply", "5"),
            ("notify", "managers"),
            ("moderate", "hide"),
        ]));
        let input = form.input().unwrap();
        assert_eq!(input.conditions.lang, ["fr", "en"]);
        assert_eq!(input.conditions.sentiment, [Tone::Negative]);
        assert_eq!(input.conditions.channels, [ChannelId(7)]);
        assert_eq!(input.conditions.author_tags, ["troll", "bloqué"]);
        assert_eq!(
            input.actions,
            [
                RuleAction::Label {
                    label: "sav".into()
                },
                RuleAction::Label {
                    label: "urgent".into()
                },
                RuleAction::Assign { user: UserId(3) },
                RuleAction::Status {
                    status: ItemStatus::InProgress
                },
                RuleAction::Reply {
                    saved_reply_id: SavedReplyId(5)
                },
                RuleAction::Notify { user: None },
                RuleAction::Moderate {
                    action: "hide".into()
                },
            ]
        );
        let rule = Rule {
            id: RuleId(1),
            name: input.name.clone(),
            position: 1,
            enabled: input.enabled,
            query: input.query.clone(),
            conditions: input.conditions.clone(),
            actions: input.actions.clone(),
            created_by: None,
            created_at: 0,
            updated_at: 0,
        };
        let again = RuleForm::from_rule(&rule).unwrap();
        assert_eq!(again.input().unwrap().actions, input.actions);
        assert_eq!(again.input().unwrap().conditions, input.conditions);
        assert!(again.has("sentiment", "neg") && !again.has("sentiment", "pos"));
        assert!(again.has("moderate", "hide"));
        // An unticked box is absent from the form: disabled.
        assert!(!RuleForm::from_pairs(&pairs(&[("name", "x")])).enabled);
    }

    #[test]
    fn values_the_form_never_offers_are_refused_and_api_rules_stay_as_they_are() {
        let form = RuleForm::from_pairs(&pairs(&[
            ("name", "x"),
            ("sentiment", "furious"),
            ("assign", "me"),
        ]));
        let fields: Vec<&str> = form
            .input()
            .unwrap_err()
            .violations
            .iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["conditions", "actions"]);
        let two_moderations = Rule {
            id: RuleId(1),
            name: "api".into(),
            position: 1,
            enabled: true,
            query: "x".into(),
            conditions: RuleConditions::default(),
            actions: vec![
                RuleAction::Moderate {
                    action: "hold".into(),
                },
                RuleAction::Moderate {
                    action: "spam".into(),
                },
            ],
            created_by: None,
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(RuleForm::from_rule(&two_moderations), None);
    }
}
