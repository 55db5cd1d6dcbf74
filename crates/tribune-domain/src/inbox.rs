//! The inbox's rules: an item's triage status, its labels, and the bounds on what a network
//! hands over. Items come from other people on other servers: everything here is bounded.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// Characters of an item's text kept (longer texts are cut on a character boundary; the
/// network's link shows the whole).
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Characters of an author's handle and display name kept.
pub const MAX_NAME_CHARS: usize = 200;
/// Bytes of an address (item, author, link) kept; longer ones are dropped.
pub const MAX_URL_BYTES: usize = 2_048;
/// Bytes of the network's reference kept; a longer one is refused (it would not be unique).
pub const MAX_REF_BYTES: usize = 1_024;
/// Labels on one item, and characters in one.
pub const MAX_LABELS: usize = 20;
pub const MAX_LABEL_CHARS: usize = 40;
/// Characters of an internal note and of a reply.
pub const MAX_NOTE_CHARS: usize = 5_000;
pub const MAX_REPLY_CHARS: usize = 5_000;

/// Where an item is in the team's triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Nobody has looked at it.
    New,
    /// Someone is on it.
    InProgress,
    /// Answered or nothing to do.
    Done,
    /// Put aside until a time; it comes back as new then.
    Snoozed,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 4] = [
        ItemStatus::New,
        ItemStatus::InProgress,
        ItemStatus::Done,
        ItemStatus::Snoozed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::New => "new",
            ItemStatus::InProgress => "in_progress",
            ItemStatus::Done => "done",
            ItemStatus::Snoozed => "snoozed",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What kind of message an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A comment on, or a reply under, one of the account's posts.
    Comment,
    /// The account is named elsewhere.
    Mention,
    /// A direct message: private between the account and the people it names; answered
    /// privately.
    Message,
}

impl ItemKind {
    pub const ALL: [ItemKind; 3] = [ItemKind::Comment, ItemKind::Mention, ItemKind::Message];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Comment => "comment",
            ItemKind::Mention => "mention",
            ItemKind::Message => "message",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The sentiment classes stored with an item (`neg`, `neu`, `pos`, as the API names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tone {
    #[serde(rename = "neg")]
    Negative,
    #[serde(rename = "neu")]
    Neutral,
    #[serde(rename = "pos")]
    Positive,
}

impl Tone {
    pub const ALL: [Tone; 3] = [Tone::Negative, Tone::Neutral, Tone::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Negative => "neg",
            Tone::Neutral => "neu",
            Tone::Positive => "pos",
        }
    }

    pub fn parse(s: &str) -> Option<Tone> {
        Tone::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A toxicity or spam score at or above this is flagged.
pub const FLAG_THRESHOLD: f64 = 0.5;

/// Cleans a set of labels: trimmed, lower-cased, deduplicated, sorted. Refuses an empty label, a
/// long one, control characters, and more than [`MAX_LABELS`].
pub fn labels(raw: &[String]) -> Result<Vec<String>, ValidationError> {
    let mut out: Vec<String> = Vec::new();
    for label in raw {
        let label = label.trim().to_lowercase();
        if label.is_empty()
            || label.chars().count() > MAX_LABEL_CHARS
            || label.chars().any(|c| c.is_control() || c == ',')
        {
            return Err(ValidationError::single("labels", "error-inbox-label"));
        }
        if !out.contains(&label) {
            out.push(label);
        }
    }
    if out.len() > MAX_LABELS {
        return Err(ValidationError::single("labels", "error-inbox-labels-many"));
    }
    out.sort();
    Ok(out)
}

/// Cuts `text` to at most `max` characters.
pub fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => text[..at].to_owned(),
        None => text.to_owned(),
    }
}

/// A note or a reply: trimmed, not empty, not longer than `max` characters.
pub fn message(raw: &str, max: usize, field: &'static str) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValidationError::single(field, "error-inbox-message-empty"));
    }
    if text.chars().count() > max {
        return Err(ValidationError::single(field, "error-inbox-message-long"));
    }
    Ok(text.to_owned())
}

/// Saved replies of one workspace at most, and the length of a title.
pub const MAX_SAVED_REPLIES: usize = 200;
pub const MAX_SAVED_TITLE_CHARS: usize = 100;

/// What the variables of a saved reply stand for when a reply is written from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyVariables {
    /// The author's display name (or handle): `{prenom}` / `{first_name}` is its first word.
    pub author_name: String,
    /// The workspace's name: `{marque}` / `{brand}`.
    pub brand: String,
    /// The public community guidelines page, when the workspace publishes one:
    /// `{charte}` / `{guidelines}`.
    pub guidelines_url: Option<String>,
}

/// The variables a saved reply may use, French and English names alike.
pub const REPLY_VARIABLES: [&str; 6] = [
    "prenom",
    "first_name",
    "marque",
    "brand",
    "charte",
    "guidelines",
];

/// Fills a saved reply's variables. An unknown `{name}` stays as it is written; the
/// guidelines' address is left empty when the workspace publishes none.
pub fn render_reply(template: &str, vars: &ReplyVariables) -> String {
    let first_name = vars
        .author_name
        .trim()
        .trim_start_matches('@')
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match name {
            "prenom" | "first_name" => out.push_str(first_name),
            "marque" | "brand" => out.push_str(vars.brand.trim()),
            "charte" | "guidelines" => out.push_str(vars.guidelines_url.as_deref().unwrap_or("")),
            _ => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A saved reply's title and text, checked.
pub fn saved_reply(title: &str, body: &str) -> Result<(String, String), ValidationError> {
    let mut errors = ValidationError::default();
    let title = title.trim();
    if title.is_empty() {
        errors.push("title", "error-inbox-message-empty");
    } else if title.chars().count() > MAX_SAVED_TITLE_CHARS {
        errors.push("title", "error-saved-reply-title-long");
    }
    let body = message(body, MAX_REPLY_CHARS, "body");
    if let Err(e) = &body {
        errors.violations.extend(e.violations.iter().cloned());
    }
    errors.into_result()?;
    Ok((title.to_owned(), body.unwrap_or_default()))
}

/// Rules of one workspace at most, actions of one rule at most, and the length of a name and
/// of a query.
pub const MAX_RULES: usize = 100;
pub const MAX_RULE_ACTIONS: usize = 10;
pub const MAX_RULE_NAME_CHARS: usize = 100;
pub const MAX_RULE_QUERY_CHARS: usize = 1_000;

/// What an item must be for a moderation rule to act on it, besides its query. Empty lists
/// accept anything; every given condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConditions {
    /// One of these sentiments.
    #[serde(default)]
    pub sentiment: Vec<Tone>,
    /// Flagged toxic (score at [`FLAG_THRESHOLD`] or above).
    #[serde(default)]
    pub toxic: bool,
    /// Flagged as spam.
    #[serde(default)]
    pub spam: bool,
    /// In one of these languages (`fr`, `en`…).
    #[serde(default)]
    pub lang: Vec<String>,
    /// From one of these channels.
    #[serde(default)]
    pub channels: Vec<crate::ChannelId>,
    /// Of one of these kinds.
    #[serde(default)]
    pub kinds: Vec<ItemKind>,
    /// From someone the team tagged with one of these (`troll`, `client`…).
    #[serde(default)]
    pub author_tags: Vec<String>,
}

impl RuleConditions {
    pub fn is_empty(&self) -> bool {
        self == &RuleConditions::default()
    }
}

/// What a rule does to an item it matches, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAction {
    /// Adds a label.
    Label { label: String },
    /// Assigns the item to a member.
    Assign { user: crate::UserId },
    /// Sets its triage status (`done` to file it away, `in_progress`…).
    Status { status: ItemStatus },
    /// On the network, where the channel can: `hide`, `delete`, `spam`, `hold` or `trash`.
    Moderate { action: String },
    /// Answers with a saved reply (its variables filled for the item).
    Reply { saved_reply_id: crate::SavedReplyId },
    /// Tells a member by e-mail (`user`), or the owners and managers when none is given.
    Notify {
        #[serde(default)]
        user: Option<crate::UserId>,
    },
}

/// Moderation actions a rule may take on the network.
pub const RULE_MODERATIONS: [&str; 5] = ["hide", "delete", "spam", "hold", "trash"];

/// A rule's name, query, conditions and actions, checked (the query's syntax is checked by
/// the query language, by the caller). A rule needs a query or a condition: one that matched
/// everything would act on every message.
pub fn rule(
    name: &str,
    query: &str,
    conditions: &RuleConditions,
    actions: &[RuleAction],
) -> Result<(String, String), ValidationError> {
    let mut errors = ValidationError::default();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_RULE_NAME_CHARS {
        errors.push("name", "error-rule-name");
    }
    let query = query.trim();
    if query.chars().count() > MAX_RULE_QUERY_CHARS {
        errors.push("query", "error-rule-query-long");
    }
    if query.is_empty() && conditions.is_empty() {
        errors.push("query", "error-rule-matches-everything");
    }
    if conditions.lang.iter().any(|l| l.is_empty() || l.len() > 8) {
        errors.push("conditions", "error-rule-lang");
    }
    if !conditions.author_tags.is_empty() && labels(&conditions.author_tags).is_err() {
        errors.push("conditions", "error-inbox-label");
    }
    if actions.is_empty() || actions.len() > MAX_RULE_ACTIONS {
        errors.push("actions", "error-rule-actions-count");
    }
    for action in actions {
        match action {
            RuleAction::Label { label } if labels(std::slice::from_ref(label)).is_err() => {
                errors.push("actions", "error-inbox-label")
            }
            RuleAction::Status {
                status: ItemStatus::Snoozed,
            } => errors.push("actions", "error-rule-snooze"),
            RuleAction::Moderate { action } if !RULE_MODERATIONS.contains(&action.as_str()) => {
                errors.push("actions", "error-rule-moderation")
            }
            _ => {}
        }
    }
    errors.into_result()?;
    Ok((name.to_owned(), query.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_checked_before_they_are_kept() {
        let hold = [RuleAction::Moderate {
            action: "hold".into(),
        }];
        let toxic = RuleConditions {
            toxic: true,
            ..RuleConditions::default()
        };
        assert_eq!(
            rule(" Insultes ", "", &toxic, &hold).unwrap(),
            ("Insultes".to_owned(), String::new())
        );
        // Everything would match: refused.
        assert!(rule("Tout", " ", &RuleConditions::default(), &hold).is_err());
        assert!(rule("Rien", "arnaque", &toxic, &[]).is_err());
        assert!(
            rule(
                "Bannir",
                "arnaque",
                &toxic,
                &[RuleAction::Moderate {
                    action: "ban".into()
                }]
            )
            .is_err()
        );
        assert!(
            rule(
                "Pause",
                "arnaque",
                &toxic,
                &[RuleAction::Status {
                    status: ItemStatus::Snoozed
                }]
            )
            .is_err()
        );
        let json = r#"[{"type":"label","label":"sav"},{"type":"moderate","action":"hide"},{"type":"notify"}]"#;
        let parsed: Vec<RuleAction> = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[2], RuleAction::Notify { user: None });
        assert!(serde_json::from_str::<Vec<RuleAction>>(r#"[{"type":"ban"}]"#).is_err());
    }

    #[test]
    fn saved_replies_fill_their_variables_in_both_languages() {
        let vars = ReplyVariables {
            author_name: "Marie Dupont".into(),
            brand: "Boulangerie Dupain".into(),
            guidelines_url: Some("https://tribune.example/g/dupain".into()),
        };
        assert_eq!(
            render_reply(
                "Bonjour {prenom}, merci ! L'équipe {marque} — {charte}",
                &vars
            ),
            "Bonjour Marie, merci ! L'équipe Boulangerie Dupain — https://tribune.example/g/dupain"
        );
        assert_eq!(
            render_reply("Hi {first_name}, the {brand} team ({guidelines})", &vars),
            "Hi Marie, the Boulangerie Dupain team (https://tribune.example/g/dupain)"
        );
        // Unknown names and unclosed braces stay as written; no guidelines page, no address.
        let bare = ReplyVariables {
            author_name: "@fan.bsky.social".into(),
            ..ReplyVariables::default()
        };
        assert_eq!(
            render_reply("{prenom} {inconnu} {charte}{", &bare),
            "fan.bsky.social {inconnu} {"
        );
        assert!(saved_reply(" ", "x").is_err());
        assert!(saved_reply("Merci", "  ").is_err());
        assert_eq!(
            saved_reply(" Merci ", " Merci {prenom} ! ").unwrap(),
            ("Merci".to_owned(), "Merci {prenom} !".to_owned())
        );
    }

    #[test]
    fn labels_are_cleaned_and_bounded() {
        let raw = vec![" SAV ".to_owned(), "sav".to_owned(), "Livraison".to_owned()];
        assert_eq!(labels(&raw).unwrap(), ["livraison", "sav"]);
        assert!(labels(&["".to_owned()]).is_err());
        assert!(labels(&["a,b".to_owned()]).is_err());
        assert!(labels(&["x".repeat(MAX_LABEL_CHARS + 1)]).is_err());
        let many: Vec<String> = (0..=MAX_LABELS).map(|i| format!("l{i}")).collect();
        assert!(labels(&many).is_err());
    }

    #[test]
    fn texts_are_cut_on_a_character_boundary() {
        assert_eq!(bounded("éàü", 2), "éà");
        assert_eq!(bounded("ab", 5), "ab");
    }

    #[test]
    fn statuses_and_tones_round_trip() {
        for s in ItemStatus::ALL {
            assert_eq!(ItemStatus::parse(s.as_str()), Some(s));
        }
        for t in Tone::ALL {
            assert_eq!(Tone::parse(t.as_str()), Some(t));
        }
        assert_eq!(ItemStatus::parse("archived"), None);
    }

    #[test]
    fn messages_must_say_something() {
        assert!(message("   ", 10, "text").is_err());
        assert!(message(&"a".repeat(11), 10, "text").is_err());
        assert_eq!(message(" merci ! ", 10, "text").unwrap(), "merci !");
    }
}
