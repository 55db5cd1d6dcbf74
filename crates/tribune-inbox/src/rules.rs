//! Moderation rules: a query in the query language and conditions on what the classifiers and
//! the network said, with actions. The fetch job runs the workspace's enabled rules, in order,
//! on each item it stores; the dry run shows what a rule would have done over the last 30 days.
//! Every action is audited as the system, with the rule named as the reason.

use crate::actions::{moderate, parse_action};
use crate::search::document;
use std::collections::HashMap;
use tribune_channels::ChannelService;
use tribune_domain::inbox::RuleAction;
use tribune_domain::{InboxItemId, RuleId};
use tribune_store::inbox::{InboxFilter, Item, ItemChange};
use tribune_store::rules::Rule;
use tribune_store::{StoreError, WorkspaceScope};
use tribune_text::Query;

/// A rule ready to run: its query parsed. A rule whose query no longer parses is left out
/// by [`compile`] (and shown as broken where rules are listed).
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub rule: Rule,
    query: Option<Query>,
}

/// The rules that can run, in order; `enabled_only` leaves out the disabled ones.
pub fn compile(rules: Vec<Rule>, enabled_only: bool) -> Vec<CompiledRule> {
    rules
        .into_iter()
        .filter(|r| r.enabled || !enabled_only)
        .filter_map(|rule| {
            let query = match rule.query.trim() {
                "" => None,
                q => match tribune_text::parse(q) {
                    Ok(query) => Some(query),
                    Err(error) => {
                        tracing::warn!(rule = rule.id.0, %error, "a rule's query does not parse: the rule is skipped");
                        return None;
                    }
                },
            };
            Some(CompiledRule { rule, query })
        })
        .collect()
}

impl CompiledRule {
    /// Whether the rule acts on `item` from an author the team has not tagged.
    pub fn matches(&self, item: &Item) -> bool {
        self.matches_with(item, &[])
    }

    /// Whether the rule acts on `item`, whose author the team tagged `author_tags`: every
    /// condition holds and the query matches.
    pub fn matches_with(&self, item: &Item, author_tags: &[String]) -> bool {
        let c = &self.rule.conditions;
        (c.author_tags.is_empty()
            || c.author_tags
                .iter()
                .any(|t| author_tags.iter().any(|a| a.eq_ignore_ascii_case(t))))
            && (c.sentiment.is_empty() || c.sentiment.contains(&item.tone))
            && (!c.toxic || item.toxic())
            && (!c.spam || item.is_spam())
            && (c.lang.is_empty() || c.lang.iter().any(|l| l.eq_ignore_ascii_case(&item.lang)))
            && (c.channels.is_empty() || c.channels.contains(&item.channel))
            && (c.kinds.is_empty() || c.kinds.contains(&item.kind))
            && self
                .query
                .as_ref()
                .is_none_or(|q| q.matches(&document(item)))
    }

    fn reason(&self) -> String {
        format!("rule {}: {}", self.rule.id.0, self.rule.name)
    }
}

/// What running rules did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesReport {
    /// (item, rule) pairs that matched.
    pub matched: Vec<(InboxItemId, RuleId)>,
    /// Actions that could not be done (the network refused, a member left…), logged.
    pub failed: usize,
}

/// Runs `rules` on `items` (newly stored), each action audited with the rule as the reason. An
/// action that fails is logged and the others go on: the items are stored whatever happens.
///
/// The triage actions (label, assign, status) of every rule, in the rules' order, are one
/// store call and one transaction for all the items they matched (each item still audited);
/// then the other actions (moderate, reply, notify), rule by rule in order, one per item. The
/// triage comes first because it only changes tribune's own record: no network action reads
/// it, and a network that is slow or down does not hold the batch's transaction open.
pub async fn apply(
    channels: &ChannelService,
    scope: &WorkspaceScope,
    rules: &[CompiledRule],
    items: &[Item],
    public_url: Option<&str>,
    now: i64,
) -> RulesReport {
    let mut report = RulesReport::default();
    let tags = author_tags(channels.store(), scope, rules, items).await;
    let mut matched: Vec<(&CompiledRule, Vec<&Item>)> =
        rules.iter().map(|r| (r, Vec::new())).collect();
    for item in items {
        let tagged = tags.get(&item.id).map_or(&[][..], Vec::as_slice);
        for (rule, hits) in &mut matched {
            if rule.matches_with(item, tagged) {
                report.matched.push((item.id, rule.rule.id));
                hits.push(item);
            }
        }
    }
    let matched: Vec<(&CompiledRule, Vec<&Item>)> = matched
        .into_iter()
        .filter(|(_, hits)| !hits.is_empty())
        .collect();
    // First what the rules change in tribune (labels, assignee, status): every rule's, in
    // order, in one transaction. Then, in order, what they do on the network and beyond.
    let ids: Vec<Vec<InboxItemId>> = matched
        .iter()
        .map(|(_, hits)| hits.iter().map(|i| i.id).collect())
        .collect();
    let mut changes: Vec<(&[InboxItemId], ItemChange)> = Vec::new();
    let mut owners: Vec<(RuleId, usize)> = Vec::new();
    for ((rule, _), ids) in matched.iter().zip(&ids) {
        for change in rule.rule.actions.iter().filter_map(|a| triage(rule, a)) {
            for chunk in ids.chunks(tribune_store::inbox::MAX_PAGE as usize) {
                changes.push((chunk, change.clone()));
                owners.push((rule.rule.id, chunk.len()));
            }
        }
    }
    if !changes.is_empty() {
        match channels
            .store()
            .triage_inbox_items(scope, &changes, now)
            .await
        {
            Ok(done) => {
                for (outcome, (rule, items)) in done.into_iter().zip(&owners) {
                    if let Err(error) = outcome {
                        report.failed += items;
                        tracing::warn!(rule = rule.0, items, %error, "a rule's action failed");
                    }
                }
            }
            Err(error) => {
                report.failed += owners.iter().map(|(_, n)| n).sum::<usize>();
                tracing::warn!(%error, "the rules' changes failed");
            }
        }
    }
    for (rule, hits) in &matched {
        for action in rule
            .rule
            .actions
            .iter()
            .filter(|a| triage(rule, a).is_none())
        {
            for item in hits {
                let done = run_action(channels, scope, rule, action, item, public_url, now).await;
                if let Err(error) = done {
                    report.failed += 1;
                    tracing::warn!(rule = rule.rule.id.0, item = item.id.0, %error, "a rule's action failed");
                }
            }
        }
    }
    if !report.matched.is_empty() {
        tracing::info!(
            workspace = scope.workspace().0,
            matched = report.matched.len(),
            "inbox rules applied"
        );
    }
    report
}

/// The change a triage action makes (label, assign, status), with the rule as its reason;
/// `None` for the actions that act on the network or beyond.
fn triage(rule: &CompiledRule, action: &RuleAction) -> Option<ItemChange> {
    let change = match action {
        RuleAction::Label { label } => ItemChange {
            add_labels: vec![label.clone()],
            ..ItemChange::default()
        },
        RuleAction::Assign { user } => ItemChange {
            assignee: Some(Some(*user)),
            ..ItemChange::default()
        },
        RuleAction::Status { status } => ItemChange {
            status: Some(*status),
            ..ItemChange::default()
        },
        RuleAction::Moderate { .. } | RuleAction::Notify { .. } | RuleAction::Reply { .. } => {
            return None;
        }
    };
    Some(ItemChange {
        reason: Some(rule.reason()),
        ..change
    })
}

/// The team's tags on the items' authors, read only when a rule looks at them (a failed read
/// is logged and counts as no tag: the rules without that condition still run).
async fn author_tags(
    store: &tribune_store::Store,
    scope: &WorkspaceScope,
    rules: &[CompiledRule],
    items: &[Item],
) -> HashMap<InboxItemId, Vec<String>> {
    if rules
        .iter()
        .all(|r| r.rule.conditions.author_tags.is_empty())
    {
        return HashMap::new();
    }
    store
        .author_tags(scope, items)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "authors' tags could not be read for the rules");
            HashMap::new()
        })
}

/// One of a rule's actions that act on the network or beyond, on one item.
async fn run_action(
    channels: &ChannelService,
    scope: &WorkspaceScope,
    rule: &CompiledRule,
    action: &RuleAction,
    item: &Item,
    public_url: Option<&str>,
    now: i64,
) -> Result<(), String> {
    let store = channels.store();
    match action {
        RuleAction::Moderate { action } => {
            let action =
                parse_action(action).ok_or_else(|| format!("unknown moderation {action:?}"))?;
            moderate(channels, scope, item.id, action, Some(&rule.reason()), now)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        RuleAction::Notify { user } => store
            .enqueue_rule_notice(scope, rule.rule.id, item.id, *user, now)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        RuleAction::Reply { saved_reply_id } => {
            let text = reply_text(store, scope, item, *saved_reply_id, public_url)
                .await
                .map_err(|e| e.to_string())?;
            store
                .create_inbox_reply(scope, item.id, &text, now)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        // Done for all the rule's items at once by `apply`.
        RuleAction::Label { .. } | RuleAction::Assign { .. } | RuleAction::Status { .. } => Ok(()),
    }
}

async fn reply_text(
    store: &tribune_store::Store,
    scope: &WorkspaceScope,
    item: &Item,
    saved: tribune_domain::SavedReplyId,
    public_url: Option<&str>,
) -> Result<String, StoreError> {
    let saved = store.saved_reply(scope, saved).await?;
    let workspace = store.workspace(scope).await?;
    Ok(crate::saved_reply_text(
        &workspace, item, &saved, public_url,
    ))
}

/// Days a dry run looks back, and items it reads at most.
pub const DRY_RUN_DAYS: i64 = 30;
pub const DRY_RUN_MAX_ITEMS: usize = 20_000;
/// Matching items a dry run lists (it counts them all).
pub const DRY_RUN_LIST: usize = 100;

/// What a rule would have done over the last 30 days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DryRun {
    /// Items read (received in the last 30 days, at most [`DRY_RUN_MAX_ITEMS`]).
    pub scanned: usize,
    /// Items it would have acted on.
    pub matched: usize,
    /// The newest of them, at most [`DRY_RUN_LIST`].
    pub items: Vec<Item>,
}

/// Runs `rule` over the items received in the last 30 days without acting.
pub async fn dry_run(
    store: &tribune_store::Store,
    scope: &WorkspaceScope,
    rule: &CompiledRule,
    now: i64,
) -> Result<DryRun, StoreError> {
    let mut out = DryRun::default();
    let mut filter = InboxFilter {
        since: Some(now - DRY_RUN_DAYS * 24 * 3600),
        limit: tribune_store::inbox::MAX_PAGE,
        ..InboxFilter::default()
    };
    loop {
        let page = store.inbox_items(scope, &filter, now).await?;
        let last = page.last().map(|i| i.id);
        let full = page.len() as u64 == filter.limit;
        let tags = if rule.rule.conditions.author_tags.is_empty() {
            HashMap::new()
        } else {
            store.author_tags(scope, &page).await?
        };
        for item in page {
            out.scanned += 1;
            let tagged = tags.get(&item.id).map_or(&[][..], Vec::as_slice);
            if rule.matches_with(&item, tagged) {
                out.matched += 1;
                if out.items.len() < DRY_RUN_LIST {
                    out.items.push(item);
                }
            }
        }
        if !full || out.scanned >= DRY_RUN_MAX_ITEMS {
            return Ok(out);
        }
        filter.before = last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tribune_domain::inbox::{ItemKind, ItemStatus, RuleConditions, Tone};
    use tribune_domain::{ChannelId, WorkspaceId};
    use tribune_store::inbox::ItemAuthor;

    fn item(text: &str, tone: Tone, toxicity: f64, spam: f64) -> Item {
        Item {
            id: InboxItemId(1),
            workspace: WorkspaceId(1),
            channel: ChannelId(7),
            remote_ref: "r".into(),
            kind: ItemKind::Comment,
            in_reply_to: None,
            root_ref: None,
            thread_ref: "r".into(),
            author: ItemAuthor {
                remote_id: None,
                handle: "troll".into(),
                name: "Troll".into(),
                url: None,
            },
            text: text.into(),
            url: None,
            links: vec!["https://gagne-vite.example/x".into()],
            images: Vec::new(),
            created_at: 0,
            received_at: 0,
            lang: "fr".into(),
            tone,
            toxicity,
            spam,
            network_status: "visible".into(),
            status: ItemStatus::New,
            snoozed_until: None,
            assignee: None,
            first_response_at: None,
            done_at: None,
            due_at: None,
            labels: Vec::new(),
        }
    }

    fn compiled(query: &str, conditions: RuleConditions) -> CompiledRule {
        compile(
            vec![Rule {
                id: RuleId(1),
                name: "test".into(),
                position: 1,
                enabled: true,
                query: query.into(),
                conditions,
                actions: vec![RuleAction::Moderate {
                    action: "hide".into(),
                }],
                created_by: None,
                created_at: 0,
                updated_at: 0,
            }],
            true,
        )
        .remove(0)
    }

    #[test]
    fn each_condition_and_the_query_must_hold() {
        let insult = item("Vous êtes des escrocs", Tone::Negative, 0.9, 0.0);
        let praise = item("Merci, parfait", Tone::Positive, 0.0, 0.0);
        let spam = item("Gagnez un iPhone", Tone::Neutral, 0.0, 0.95);
        let toxic = RuleConditions {
            toxic: true,
            ..RuleConditions::default()
        };
        assert!(compiled("", toxic.clone()).matches(&insult));
        assert!(!compiled("", toxic).matches(&praise));
        let spammy = RuleConditions {
            spam: true,
            ..RuleConditions::default()
        };
        assert!(compiled("", spammy).matches(&spam));
        let negative = RuleConditions {
            sentiment: vec![Tone::Negative],
            ..RuleConditions::default()
        };
        assert!(compiled("escroc*", negative.clone()).matches(&insult));
        assert!(!compiled("arnaque", negative).matches(&insult));
        let english = RuleConditions {
            lang: vec!["en".into()],
            ..RuleConditions::default()
        };
        assert!(!compiled("", english).matches(&insult));
        let other_channel = RuleConditions {
            channels: vec![ChannelId(8)],
            ..RuleConditions::default()
        };
        assert!(!compiled("", other_channel).matches(&insult));
        let mentions = RuleConditions {
            kinds: vec![ItemKind::Mention],
            ..RuleConditions::default()
        };
        assert!(!compiled("", mentions).matches(&insult));
        // The query sees the links beside the text and the author.
        assert!(compiled("url:gagne-vite.example", RuleConditions::default()).matches(&spam));
        assert!(compiled("from:troll", RuleConditions::default()).matches(&praise));
        // Someone the team tagged, whatever they write.
        let trolls = RuleConditions {
            author_tags: vec!["troll".into()],
            ..RuleConditions::default()
        };
        let rule = compiled("", trolls);
        assert!(!rule.matches(&praise), "untagged");
        assert!(rule.matches_with(&praise, &["fan".into(), "Troll".into()]));
        assert!(!rule.matches_with(&praise, &["fan".into()]));
    }

    #[test]
    fn a_rule_whose_query_does_not_parse_does_not_run() {
        let rule = Rule {
            id: RuleId(2),
            name: "cassée".into(),
            position: 1,
            enabled: true,
            query: "(arnaque".into(),
            conditions: RuleConditions::default(),
            actions: Vec::new(),
            created_by: None,
            created_at: 0,
            updated_at: 0,
        };
        let mut disabled = rule.clone();
        disabled.query = "arnaque".into();
        disabled.enabled = false;
        assert!(compile(vec![rule, disabled.clone()], true).is_empty());
        assert_eq!(compile(vec![disabled], false).len(), 1);
    }
}
