//! Direct messages: Bluesky's chat (`chat.bsky.convo.*`), reached through the account's PDS,
//! which forwards each call to the chat service named in the `atproto-proxy` header.
//!
//! Only a full sign-in or an app password created with access to direct messages may do so
//! ([`super::xrpc::may_read_messages`]); with a plain app password the inbox reads
//! notifications only, and the channel does not claim direct messages.
//!
//! New messages come from `chat.bsky.convo.getLog`, the account's event log across all its
//! conversations, ordered by `rev` (a sortable string): without a cursor it answers the recent
//! events and the cursor of the newest; with one, the events after it. A message is known by
//! `chat:{convo}/{message}` and its conversation by `chat:{convo}`, which threads it in the
//! inbox. There is no public page for a message: its link opens the conversation in the app,
//! for its members only.

use super::inbox::{author, bounded, facet, links};
use super::richtext::{self, Facet};
use crate::model::{Author, CommentStatus, InboxItem, InboxKind, RemoteRef, bounded_raw};
use serde::Deserialize;

/// The calls used, from the `chat.bsky.convo` lexicons (atrium's chat namespace is not built
/// for four names).
pub(super) const GET_LOG: &str = "chat.bsky.convo.getLog";
pub(super) const GET_CONVO: &str = "chat.bsky.convo.getConvo";
pub(super) const GET_MESSAGES: &str = "chat.bsky.convo.getMessages";
pub(super) const SEND_MESSAGE: &str = "chat.bsky.convo.sendMessage";
/// The chat service a PDS forwards to (`did#service`).
pub(super) const PROXY: &str = "did:web:api.bsky.chat#bsky_chat";
/// Log pages read in one fetch at most, after the stored cursor.
pub(super) const MAX_PAGES: usize = 10;
/// Messages of a conversation read to find a reply an earlier attempt may have sent.
pub(super) const RECENT: &str = "50";
/// A message's longest text, in graphemes and in bytes (`chat.bsky.convo.defs#messageInput`).
pub(super) const MAX_MESSAGE_GRAPHEMES: usize = 1_000;
pub(super) const MAX_MESSAGE_BYTES: usize = 10_000;

const PREFIX: &str = "chat:";
const MAX_ID_CHARS: usize = 100;
const MAX_TEXT_CHARS: usize = 10_000;

/// A conversation, or a message in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ChatRef {
    pub convo: String,
    pub message: Option<String>,
}

impl ChatRef {
    /// The reference, when `r` is one of ours for a conversation or a message.
    pub(super) fn parse(r: &RemoteRef) -> Option<ChatRef> {
        let rest = r.0.strip_prefix(PREFIX)?;
        let (convo, message) = match rest.split_once('/') {
            Some((convo, message)) => (convo, Some(message)),
            None => (rest, None),
        };
        if !safe_id(convo) || message.is_some_and(|m| !safe_id(m)) {
            return None;
        }
        Some(ChatRef {
            convo: convo.to_string(),
            message: message.map(str::to_string),
        })
    }

    pub(super) fn to_remote(&self) -> RemoteRef {
        RemoteRef(match &self.message {
            Some(m) => format!("{PREFIX}{}/{m}", self.convo),
            None => format!("{PREFIX}{}", self.convo),
        })
    }

    /// The conversation in Bluesky's app (members only).
    pub(super) fn web_url(&self) -> String {
        format!("https://bsky.app/messages/{}", self.convo)
    }
}

/// Conversation and message ids are short opaque strings (TIDs and the like).
fn safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_CHARS
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// Whether `id` can be a log position or a message id (sent back to the network).
pub(super) fn valid_id(id: &str) -> bool {
    safe_id(id)
}

/// A page of the log, kept loose so that one event we cannot read does not lose the others.
#[derive(Debug, Deserialize)]
pub(super) struct LogPage {
    pub cursor: Option<String>,
    #[serde(default)]
    pub logs: Vec<serde_json::Value>,
}

/// `chat.bsky.convo.defs#messageView` (the fields the inbox keeps).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MessageView {
    pub id: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    facets: Vec<serde_json::Value>,
    embed: Option<serde_json::Value>,
    pub sender: Sender,
    pub sent_at: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct Sender {
    pub did: String,
}

/// `chat.bsky.actor.defs#profileViewBasic`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Member {
    pub did: String,
    pub handle: String,
    display_name: Option<String>,
    avatar: Option<String>,
}

impl Member {
    fn author(&self) -> Option<Author> {
        let handle = self.handle.trim();
        (!handle.is_empty() && !handle.chars().any(char::is_whitespace)).then(|| {
            author(
                &self.did,
                handle,
                self.display_name.as_deref(),
                self.avatar.as_deref(),
            )
        })
    }
}

/// A message someone sent the account, as the log gives it.
pub(super) struct Received {
    pub convo: String,
    pub message: MessageView,
    /// The people the log names beside it (newer chat services send them).
    pub profiles: Vec<Member>,
    raw: serde_json::Value,
}

/// The messages others sent in a page of the log (the account's own, sent from the app or by
/// tribune, are not for its inbox; deleted messages and other events are skipped).
pub(super) fn received(logs: &[serde_json::Value], own_did: &str) -> Vec<Received> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct CreateMessage {
        convo_id: String,
        message: serde_json::Value,
        #[serde(default)]
        related_profiles: Vec<serde_json::Value>,
    }
    logs.iter()
        .filter(|log| {
            log.get("$type").and_then(serde_json::Value::as_str)
                == Some("chat.bsky.convo.defs#logCreateMessage")
        })
        .filter_map(|log| {
            let event: CreateMessage = serde_json::from_value(log.clone()).ok()?;
            // A deleted message comes as `#deletedMessageView`, without text.
            let kind = event
                .message
                .get("$type")
                .and_then(serde_json::Value::as_str);
            if kind.is_some_and(|k| k != "chat.bsky.convo.defs#messageView") {
                return None;
            }
            let message: MessageView = serde_json::from_value(event.message).ok()?;
            (safe_id(&event.convo_id) && safe_id(&message.id) && message.sender.did != own_did)
                .then(|| Received {
                    convo: event.convo_id,
                    message,
                    profiles: event
                        .related_profiles
                        .into_iter()
                        .filter_map(|p| serde_json::from_value(p).ok())
                        .collect(),
                    raw: log.clone(),
                })
        })
        .collect()
}

impl Received {
    /// The sender as the log names them, if it does.
    pub(super) fn named_sender(&self) -> Option<Author> {
        self.sender_among(&self.profiles)
    }

    /// The sender among a conversation's members.
    pub(super) fn sender_among(&self, members: &[Member]) -> Option<Author> {
        members
            .iter()
            .find(|p| p.did == self.message.sender.did)
            .and_then(Member::author)
    }

    /// The inbox item, with its sender (from the log or the conversation's members; a sender
    /// nobody names is shown by their DID).
    pub(super) fn item(&self, sender: Option<Author>) -> Option<InboxItem> {
        let sent_at: jiff::Timestamp = self.message.sent_at.parse().ok()?;
        let reference = ChatRef {
            convo: self.convo.clone(),
            message: Some(self.message.id.clone()),
        };
        let text = bounded(&self.message.text, MAX_TEXT_CHARS);
        let facets: Vec<Facet> = self
            .message
            .facets
            .iter()
            .filter_map(facet)
            .flatten()
            .collect();
        let did = &self.message.sender.did;
        let sender = sender.unwrap_or_else(|| Author {
            remote_id: Some(did.clone()),
            handle: bounded(did, 200),
            display_name: bounded(did, 200),
            avatar_url: None,
            profile_url: None,
        });
        Some(InboxItem {
            remote_ref: reference.to_remote(),
            kind: InboxKind::Message,
            in_reply_to: None,
            root: Some(
                ChatRef {
                    message: None,
                    ..reference.clone()
                }
                .to_remote(),
            ),
            author: sender,
            html: Some(richtext::to_html(&text, &facets)),
            links: links(&facets, self.message.embed.as_ref()),
            images: Vec::new(),
            text,
            url: Some(reference.web_url()),
            created_at: sent_at.as_second(),
            status: CommentStatus::Visible,
            raw: bounded_raw(&self.raw),
        })
    }
}

/// The members of a conversation (`chat.bsky.convo.getConvo`).
pub(super) fn members(convo: &serde_json::Value) -> Vec<Member> {
    convo
        .get("convo")
        .and_then(|c| c.get("members"))
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| serde_json::from_value(m.clone()).ok())
        .collect()
}

/// A message this account sent with this text at `since` or later, among a conversation's
/// recent ones (`chat.bsky.convo.getMessages`): a reply an earlier attempt delivered.
pub(super) fn already_sent(
    messages: &serde_json::Value,
    own_did: &str,
    text: &str,
    since: i64,
) -> Option<String> {
    messages
        .get("messages")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| serde_json::from_value::<MessageView>(m.clone()).ok())
        .find(|m| {
            m.sender.did == own_did
                && m.text == text
                && m.sent_at
                    .parse::<jiff::Timestamp>()
                    .is_ok_and(|t| t.as_second() >= since)
        })
        .map(|m| m.id)
        .filter(|id| safe_id(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn created(convo: &str, id: &str, sender: &str, text: &str) -> serde_json::Value {
        json!({
            "$type": "chat.bsky.convo.defs#logCreateMessage",
            "rev": "222", "convoId": convo,
            "message": {
                "$type": "chat.bsky.convo.defs#messageView",
                "id": id, "rev": "222", "text": text,
                "sender": {"did": sender}, "sentAt": "2026-11-30T09:00:00.000Z"
            }
        })
    }

    #[test]
    fn references_stay_within_what_the_network_gives() {
        let r = ChatRef::parse(&RemoteRef("chat:3kconvo/3kmsg".into())).unwrap();
        assert_eq!(r.convo, "3kconvo");
        assert_eq!(r.message.as_deref(), Some("3kmsg"));
        assert_eq!(r.to_remote().0, "chat:3kconvo/3kmsg");
        assert!(ChatRef::parse(&RemoteRef("chat:3kconvo".into())).is_some());
        for bad in [
            "chat:",
            "chat:a/b/c",
            "chat:../x",
            "chat:a b",
            "at://did:plc:x/app.bsky.feed.post/1",
            "chat:a/",
        ] {
            assert_eq!(ChatRef::parse(&RemoteRef(bad.into())), None, "{bad}");
        }
    }

    #[test]
    fn only_messages_others_sent_become_items() {
        let logs = vec![
            created("c1", "m1", "did:plc:fan", "Bonjour"),
            created("c1", "m2", "did:plc:brand", "our own answer"),
            json!({"$type": "chat.bsky.convo.defs#logBeginConvo", "rev": "1", "convoId": "c1"}),
            json!({"$type": "chat.bsky.convo.defs#logCreateMessage", "rev": "3", "convoId": "c1",
                   "message": {"$type": "chat.bsky.convo.defs#deletedMessageView", "id": "m3",
                               "rev": "3", "sender": {"did": "did:plc:fan"},
                               "sentAt": "2026-11-30T09:00:00.000Z"}}),
            json!({"$type": "chat.bsky.convo.defs#logCreateMessage", "convoId": "c1"}),
            created("../c", "m4", "did:plc:fan", "a hostile convo id"),
        ];
        let got = received(&logs, "did:plc:brand");
        assert_eq!(got.len(), 1);
        let item = got[0].item(None).unwrap();
        assert_eq!(item.remote_ref.0, "chat:c1/m1");
        assert_eq!(item.root.unwrap().0, "chat:c1");
        assert_eq!(item.kind, InboxKind::Message);
        assert_eq!(
            item.author.handle, "did:plc:fan",
            "unnamed: shown by their DID"
        );
        assert_eq!(item.url.as_deref(), Some("https://bsky.app/messages/c1"));
    }

    #[test]
    fn a_reply_sent_before_is_found_by_its_author_text_and_time() {
        let page = json!({"messages": [
            {"$type": "chat.bsky.convo.defs#messageView", "id": "old", "rev": "1", "text": "Merci !",
             "sender": {"did": "did:plc:brand"}, "sentAt": "2026-11-29T09:00:00.000Z"},
            {"$type": "chat.bsky.convo.defs#messageView", "id": "fan", "rev": "2", "text": "Merci !",
             "sender": {"did": "did:plc:fan"}, "sentAt": "2026-11-30T09:00:00.000Z"},
            {"$type": "chat.bsky.convo.defs#messageView", "id": "ours", "rev": "3", "text": "Merci !",
             "sender": {"did": "did:plc:brand"}, "sentAt": "2026-11-30T09:00:05.000Z"},
        ]});
        let since = "2026-11-30T08:59:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        assert_eq!(
            already_sent(&page, "did:plc:brand", "Merci !", since).as_deref(),
            Some("ours")
        );
        assert_eq!(already_sent(&page, "did:plc:brand", "Autre", since), None);
        assert_eq!(
            already_sent(&page, "did:plc:brand", "Merci !", since + 3600),
            None
        );
    }
}
