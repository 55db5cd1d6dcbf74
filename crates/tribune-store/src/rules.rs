//! Moderation rules of a workspace's inbox: kept in order by owners and managers, read by the
//! fetch job (which runs them on each new item) and by the dry run. The query is kept as
//! written; the caller checks it with the query language before it is stored.

use crate::audit::AuditEvent;
use crate::schema::InboxRules as R;
use crate::{Store, StoreError, WorkspaceScope};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::inbox::{MAX_RULES, RuleAction, RuleConditions, rule};
use tribune_domain::{Role, RuleId, UserId, ValidationError};

/// A rule as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub id: RuleId,
    pub name: String,
    pub position: i64,
    pub enabled: bool,
    pub query: String,
    pub conditions: RuleConditions,
    pub actions: Vec<RuleAction>,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A rule to create or the new state of one.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub name: String,
    pub enabled: bool,
    pub query: String,
    pub conditions: RuleConditions,
    pub actions: Vec<RuleAction>,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    name: String,
    position: i64,
    enabled: bool,
    query: String,
    conditions: String,
    actions: String,
    created_by: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl RuleRow {
    fn into_rule(self) -> Result<Rule, StoreError> {
        Ok(Rule {
            id: RuleId(self.id),
            name: self.name,
            position: self.position,
            enabled: self.enabled,
            query: self.query,
            conditions: serde_json::from_str(&self.conditions)
                .map_err(StoreError::failed("stored rule conditions"))?,
            actions: serde_json::from_str(&self.actions)
                .map_err(StoreError::failed("stored rule actions"))?,
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

const COLUMNS: [R; 10] = [
    R::Id,
    R::Name,
    R::Position,
    R::Enabled,
    R::Query,
    R::Conditions,
    R::Actions,
    R::CreatedBy,
    R::CreatedAt,
    R::UpdatedAt,
];

fn checked(input: &RuleInput) -> Result<(String, String, String, String), StoreError> {
    let (name, query) = rule(&input.name, &input.query, &input.conditions, &input.actions)?;
    let conditions =
        serde_json::to_string(&input.conditions).map_err(StoreError::failed("rule conditions"))?;
    let actions =
        serde_json::to_string(&input.actions).map_err(StoreError::failed("rule actions"))?;
    Ok((name, query, conditions, actions))
}

impl Store {
    /// The workspace's rules in the order they run.
    pub async fn inbox_rules(&self, scope: &WorkspaceScope) -> Result<Vec<Rule>, StoreError> {
        let rows: Vec<RuleRow> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns(COLUMNS)
                    .from(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .order_by(R::Position, Order::Asc)
                    .order_by(R::Id, Order::Asc)
                    .to_owned(),
            )
            .await?;
        rows.into_iter().map(RuleRow::into_rule).collect()
    }

    pub async fn inbox_rule(&self, scope: &WorkspaceScope, id: RuleId) -> Result<Rule, StoreError> {
        let row: RuleRow = self
            .db
            .fetch_one(
                &Query::select()
                    .columns(COLUMNS)
                    .from(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(R::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        row.into_rule()
    }

    /// Adds a rule after the others.
    pub async fn create_inbox_rule(
        &self,
        scope: &WorkspaceScope,
        input: &RuleInput,
        now: i64,
    ) -> Result<Rule, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let (name, query, conditions, actions) = checked(input)?;
        let mut tx = self.begin().await?;
        let (count, last): (i64, Option<i64>) = tx
            .conn()
            .fetch_one(
                &Query::select()
                    .expr(Expr::col(R::Id).count())
                    .expr(Expr::col(R::Position).max())
                    .from(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .to_owned(),
            )
            .await?;
        if count >= MAX_RULES as i64 {
            return Err(ValidationError::single("name", "error-rules-many").into());
        }
        let (id,): (i64,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(R::Table)
                    .columns([
                        R::WorkspaceId,
                        R::Name,
                        R::Position,
                        R::Enabled,
                        R::Query,
                        R::Conditions,
                        R::Actions,
                        R::CreatedBy,
                        R::CreatedAt,
                        R::UpdatedAt,
                    ])
                    .values([
                        scope.workspace().0.into(),
                        name.into(),
                        (last.unwrap_or(0) + 1).into(),
                        input.enabled.into(),
                        query.into(),
                        conditions.into(),
                        actions.into(),
                        scope.user().map(|u| u.0).into(),
                        now.into(),
                        now.into(),
                    ])
                    .map_err(StoreError::failed("rule"))?
                    .returning_col(R::Id)
                    .to_owned(),
            )
            .await?;
        tx.audit(scope, &AuditEvent::new("rule.create", "rule", id))
            .await?;
        tx.commit().await?;
        self.inbox_rule(scope, RuleId(id)).await
    }

    /// Replaces a rule's name, state, query, conditions and actions (its place stays).
    pub async fn update_inbox_rule(
        &self,
        scope: &WorkspaceScope,
        id: RuleId,
        input: &RuleInput,
        now: i64,
    ) -> Result<Rule, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let (name, query, conditions, actions) = checked(input)?;
        let mut tx = self.begin().await?;
        let changed = tx
            .conn()
            .execute(
                &Query::update()
                    .table(R::Table)
                    .values([
                        (R::Name, name.into()),
                        (R::Enabled, input.enabled.into()),
                        (R::Query, query.into()),
                        (R::Conditions, conditions.into()),
                        (R::Actions, actions.into()),
                        (R::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(R::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            scope,
            &AuditEvent::new("rule.update", "rule", id).with("enabled", input.enabled),
        )
        .await?;
        tx.commit().await?;
        self.inbox_rule(scope, id).await
    }

    /// Moves a rule one place earlier (`earlier`) or later in the order the rules run; at
    /// either end it stays. The rules are numbered again from 1 in the same transaction.
    pub async fn move_inbox_rule(
        &self,
        scope: &WorkspaceScope,
        id: RuleId,
        earlier: bool,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let mut tx = self.begin().await?;
        let mut order: Vec<(i64, i64)> = tx
            .conn()
            .fetch_all(
                &Query::select()
                    .columns([R::Id, R::Position])
                    .from(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .order_by(R::Position, Order::Asc)
                    .order_by(R::Id, Order::Asc)
                    .to_owned(),
            )
            .await?;
        let at = order
            .iter()
            .position(|(rule, _)| *rule == id.0)
            .ok_or(StoreError::NotFound)?;
        let to = if earlier {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|to| *to < order.len())
        };
        let Some(to) = to else {
            return tx.commit().await;
        };
        order.swap(at, to);
        for (place, (rule, position)) in order.into_iter().enumerate() {
            let place = place as i64 + 1;
            if place == position {
                continue;
            }
            tx.conn()
                .execute(
                    &Query::update()
                        .table(R::Table)
                        .value(R::Position, place)
                        .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                        .and_where(Expr::col(R::Id).eq(rule))
                        .to_owned(),
                )
                .await?;
        }
        tx.audit(
            scope,
            &AuditEvent::new("rule.move", "rule", id).with("to", to as i64 + 1),
        )
        .await?;
        tx.commit().await
    }

    pub async fn delete_inbox_rule(
        &self,
        scope: &WorkspaceScope,
        id: RuleId,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let mut tx = self.begin().await?;
        let deleted = tx
            .conn()
            .execute(
                &Query::delete()
                    .from_table(R::Table)
                    .and_where(Expr::col(R::WorkspaceId).eq(scope.workspace().0))
                    .and_where(Expr::col(R::Id).eq(id.0))
                    .to_owned(),
            )
            .await?;
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(scope, &AuditEvent::new("rule.delete", "rule", id))
            .await?;
        tx.commit().await
    }

    /// A rule's "notify" action on `item`: one e-mail job per person to tell (`user` when they
    /// are still a member, else the owners and managers), in one transaction. Returns how many.
    pub async fn enqueue_rule_notice(
        &self,
        scope: &WorkspaceScope,
        rule: RuleId,
        item: tribune_domain::InboxItemId,
        user: Option<UserId>,
        now: i64,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        let members = crate::mail_jobs::member_roles(&mut tx.conn(), scope).await?;
        let recipients: Vec<UserId> = match user.filter(|u| members.iter().any(|(m, _)| m == u)) {
            Some(user) => vec![user],
            None => members
                .iter()
                .filter(|(_, role)| role.can_edit_workspace())
                .map(|(user, _)| *user)
                .collect(),
        };
        for user in &recipients {
            let mail = crate::mail_jobs::MailJob::RuleMatched {
                user: *user,
                item,
                rule,
            };
            let key = format!("mail:rule:{}:{}:{}", rule.0, item.0, user.0);
            tx.enqueue_mail(scope, &mail, Some(key), now).await?;
        }
        tx.commit().await?;
        Ok(recipients.len())
    }

    /// For the `mail` job: the recipient (while a member), the item (while it exists) and the
    /// rule's name (or `None` once deleted). `None` when there is nothing left to tell.
    pub async fn prepare_rule_notice_mail(
        &self,
        scope: &WorkspaceScope,
        recipient: UserId,
        item: tribune_domain::InboxItemId,
        rule: RuleId,
    ) -> Result<Option<(crate::users::User, crate::inbox::Item, Option<String>)>, StoreError> {
        if self.role_of(scope, recipient).await?.is_none() {
            return Ok(None);
        }
        let item = match self.inbox_item(scope, item).await {
            Ok(item) => item,
            Err(StoreError::NotFound) => return Ok(None),
            Err(other) => return Err(other),
        };
        let name = match self.inbox_rule(scope, rule).await {
            Ok(rule) => Some(rule.name),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other),
        };
        Ok(Some((self.user(recipient).await?, item, name)))
    }
}
