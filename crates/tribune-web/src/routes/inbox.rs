//! The inbox in the browser: the list with its filters and search, bulk triage, keyboard
//! shortcuts (`static/app.js`), and one item's page with its conversation, the reply form,
//! notes and moderation.
//!
//! Everything shown comes from strangers: texts and names are escaped by the templates, links
//! are shown by their real domain with `rel="noopener noreferrer ugc"`, and no remote image is
//! loaded (the page's policy only allows tribune's own).

use crate::AppState;
use crate::context::Member;
use crate::dates;
use crate::error::{AppError, InputError};
use crate::forms::see_other;
use crate::inbox::{self, Filters};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use tribune_connectors::{Capabilities, Capability, Moderation};
use tribune_domain::inbox::{ItemStatus, Tone};
use tribune_domain::sla::Clock;
use tribune_domain::{ChannelId, InboxItemId, Role, UserId, WorkspaceId};
use tribune_store::audit::AuditEntry;
use tribune_store::inbox::{Item, ItemChange};
use tribune_store::{StoreError, unix_now};

/// Items per page of the list.
const PAGE_SIZE: u64 = 50;

/// A channel as the inbox names it, and what it can do.
pub(super) struct ChannelLabel {
    pub(super) name: String,
    capabilities: Capabilities,
}

/// One item as the pages show it.
pub struct ItemLine {
    pub id: InboxItemId,
    pub author_name: String,
    pub author_handle: String,
    pub author_url: Option<String>,
    pub channel: String,
    pub kind_key: &'static str,
    /// A direct message: answered privately.
    pub private: bool,
    pub received: String,
    pub text: String,
    pub url: Option<String>,
    pub url_domain: String,
    pub lang: String,
    pub tone: &'static str,
    pub tone_key: &'static str,
    pub toxic: bool,
    pub spam: bool,
    pub status: &'static str,
    pub status_key: &'static str,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub network_status: String,
    pub links: Vec<(String, String)>,
    /// The descriptions of its pictures, in order (the pictures load only when asked).
    pub images: Vec<String>,
    pub image_count: i64,
    /// Its response-time clock: its state (`running`, `near`, `breached`, `met`, `missed`)
    /// and what to say, when the workspace has a target.
    pub clock: Option<(&'static str, String)>,
}

/// The host of an http(s) address, as shown beside a link (never the link's own text).
pub fn domain(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    host.trim_start_matches("www.").to_lowercase()
}

pub(super) fn status_key(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::New => "inbox-status-new",
        ItemStatus::InProgress => "inbox-status-in-progress",
        ItemStatus::Done => "inbox-status-done",
        ItemStatus::Snoozed => "inbox-status-snoozed",
    }
}

pub(super) fn tone_key(tone: Tone) -> &'static str {
    match tone {
        Tone::Negative => "inbox-tone-neg",
        Tone::Neutral => "inbox-tone-neu",
        Tone::Positive => "inbox-tone-pos",
    }
}

pub(super) fn kind_key(kind: tribune_domain::inbox::ItemKind) -> &'static str {
    match kind {
        tribune_domain::inbox::ItemKind::Comment => "inbox-kind-comment",
        tribune_domain::inbox::ItemKind::Mention => "inbox-kind-mention",
        tribune_domain::inbox::ItemKind::Message => "inbox-kind-message",
    }
}

pub(super) fn line(
    state: &AppState,
    chrome: &Chrome,
    item: Item,
    channels: &HashMap<ChannelId, ChannelLabel>,
    members: &HashMap<UserId, String>,
    sla_warn: Option<u32>,
) -> ItemLine {
    let status = item.status_at(chrome.now);
    let clock = sla_warn
        .and_then(|warn| item.clock(warn, chrome.now))
        .zip(item.due_at)
        .map(|(clock, due)| {
            let key = match clock {
                Clock::Running | Clock::Near => "inbox-clock-running",
                Clock::Breached => "inbox-clock-breached",
                Clock::Met => "inbox-clock-met",
                Clock::Missed => "inbox-clock-missed",
            };
            let due = dates::full(state.i18n(), chrome.tr.lang, &chrome.tz, due);
            (clock.as_str(), chrome.tr.t1(key, "time", due))
        });
    // Networks differ in whether a handle carries its `@`; the page adds one.
    let author_handle = item.author.handle.trim_start_matches('@').to_owned();
    let author_name = match item.author.name.trim() {
        "" => author_handle.clone(),
        name => name.to_owned(),
    };
    ItemLine {
        id: item.id,
        toxic: item.toxic(),
        spam: item.is_spam(),
        author_name,
        author_handle,
        author_url: item.author.url,
        channel: channels
            .get(&item.channel)
            .map_or_else(String::new, |c| c.name.clone()),
        kind_key: kind_key(item.kind),
        private: item.kind == tribune_domain::inbox::ItemKind::Message,
        received: dates::full(state.i18n(), chrome.tr.lang, &chrome.tz, item.received_at),
        text: item.text,
        url_domain: item.url.as_deref().map(domain).unwrap_or_default(),
        url: item.url,
        lang: item.lang,
        tone: item.tone.as_str(),
        tone_key: tone_key(item.tone),
        status: status.as_str(),
        status_key: status_key(status),
        assignee: item.assignee.and_then(|u| members.get(&u).cloned()),
        labels: item.labels,
        network_status: item.network_status,
        clock,
        links: item
            .links
            .into_iter()
            .map(|l| {
                let d = domain(&l);
                (l, d)
            })
            .collect(),
        image_count: item.images.len() as i64,
        images: item.images.into_iter().map(|i| i.alt).collect(),
    }
}

pub(super) async fn channel_labels(
    state: &AppState,
    member: &Member,
) -> Result<HashMap<ChannelId, ChannelLabel>, AppError> {
    Ok(state
        .store()
        .channels(&member.scope)
        .await?
        .into_iter()
        .map(|c| {
            let capabilities = Capabilities::from_csv(&c.capabilities);
            let name = format!("{} · {}", c.handle, c.network);
            (c.id, ChannelLabel { name, capabilities })
        })
        .collect())
}

pub(super) async fn member_names(
    state: &AppState,
    member: &Member,
) -> Result<HashMap<UserId, String>, AppError> {
    Ok(state
        .store()
        .members(&member.scope)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m.name))
        .collect())
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_answer: bool,
    filters: Filters,
    channels: Vec<(ChannelId, String)>,
    members: Vec<(UserId, String)>,
    items: Vec<ItemLine>,
    /// The query string of the next page, when there is one.
    older: Option<String>,
    /// Where the bulk form sends the browser back to.
    back: String,
    search_error: Option<String>,
    /// The workspace has a response-time target.
    has_sla: bool,
    /// Messages waiting past their deadline.
    breached: i64,
    /// The wave of negative messages going on, with the pause button's state.
    alert: Option<super::alerts::AlertLine>,
    can_pause: bool,
    paused: bool,
}

impl InboxPage {
    fn selected(&self, name: &str, value: &str) -> bool {
        self.filters.value(name) == value
    }
}

/// `GET /w/{ws}/inbox`: new items by default; the filter form and the search narrow it.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let raw = query.unwrap_or_default();
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap_or_default();
    if !pairs.iter().any(|(n, _)| n == "status") {
        pairs.push(("status".into(), ItemStatus::New.as_str().into()));
    }
    let before = pairs
        .iter()
        .find(|(n, _)| n == "before")
        .and_then(|(_, v)| v.parse().ok())
        .map(InboxItemId);
    let flash = pairs
        .iter()
        .find(|(n, _)| n == "flash")
        .map(|(_, v)| v.clone());
    let (chrome, _) = Chrome::for_member(&state, &member).await?;
    let chrome = chrome.with_flash(flash.as_deref());
    let channels = channel_labels(&state, &member).await?;
    let members = member_names(&state, &member).await?;
    let sla_warn = state
        .store()
        .inbox_sla(&member.scope)
        .await?
        .map(|s| s.warn_minutes);
    let breached = match sla_warn {
        Some(_) => {
            state
                .store()
                .inbox_breached_count(&member.scope, chrome.now)
                .await?
        }
        None => 0,
    };
    let (filters, search_error, status) =
        match inbox::parse(&pairs, member.scope.user(), &chrome.tz) {
            Ok(filters) => (filters, None, StatusCode::OK),
            Err(AppError::Input(InputError::Search(_, error))) => {
                let filters = inbox::parse(
                    &pairs
                        .iter()
                        .filter(|(n, _)| n != "q")
                        .cloned()
                        .collect::<Vec<_>>(),
                    member.scope.user(),
                    &chrome.tz,
                )?;
                let message = chrome.tr.t2(
                    "error-search-syntax-detail",
                    ("position", error.position + 1),
                    ("message", error.detail(inbox::ui_lang(chrome.tr.lang))),
                );
                (filters, Some(message), StatusCode::BAD_REQUEST)
            }
            Err(other) => return Err(other),
        };
    let (items, older) = if search_error.is_some() {
        (Vec::new(), None)
    } else {
        let page = inbox::list(state.store(), &member.scope, &filters, before, PAGE_SIZE).await?;
        let older = page.next_cursor.map(|id| {
            let mut query = filters.given.clone();
            query.push(("before".into(), id.0.to_string()));
            serde_urlencoded::to_string(&query).unwrap_or_default()
        });
        (page.items, older)
    };
    let back = format!(
        "/w/{}/inbox?{}",
        member.scope.workspace(),
        serde_urlencoded::to_string(&filters.given).unwrap_or_default()
    );
    let lines = items
        .into_iter()
        .map(|i| line(&state, &chrome, i, &channels, &members, sla_warn))
        .collect();
    let alert = state
        .store()
        .open_buzz_alert(&member.scope)
        .await?
        .map(|a| super::alerts::AlertLine::new(&state, &chrome, &a));
    let paused = match alert {
        Some(_) => state.store().publishing_rules(&member.scope).await?.1,
        None => false,
    };
    let mut channel_list: Vec<(ChannelId, String)> =
        channels.into_iter().map(|(id, c)| (id, c.name)).collect();
    channel_list.sort_by(|a, b| a.1.cmp(&b.1));
    let mut member_list: Vec<(UserId, String)> = members.into_iter().collect();
    member_list.sort_by(|a, b| a.1.cmp(&b.1));
    let page = InboxPage {
        c: chrome,
        ws_id: member.scope.workspace(),
        can_answer: member.scope.role().can_answer(),
        filters,
        channels: channel_list,
        members: member_list,
        items: lines,
        older,
        back,
        search_error,
        has_sla: sla_warn.is_some(),
        breached,
        alert,
        can_pause: member.scope.role().can_publish(),
        paused,
    };
    Ok((status, render(&page)).into_response())
}

/// The path the browser goes back to after a form: an inbox page of this workspace, or the
/// inbox itself.
fn back_to(ws: WorkspaceId, back: Option<&str>) -> String {
    let prefix = format!("/w/{ws}/inbox");
    match back {
        Some(b)
            if b.starts_with(&prefix)
                && !b.contains("//")
                && !b.contains('\\')
                && b.len() < 2_000 =>
        {
            b.to_owned()
        }
        _ => prefix,
    }
}

fn with_flash(path: &str, flash: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}flash={flash}")
}

/// What a triage button asks for.
fn change_for(action: &str, me: Option<UserId>, label: Option<&str>) -> Option<ItemChange> {
    let status = |s| ItemChange {
        status: Some(s),
        ..ItemChange::default()
    };
    Some(match action {
        "done" => status(ItemStatus::Done),
        "in_progress" => status(ItemStatus::InProgress),
        "new" => status(ItemStatus::New),
        "assign_me" => ItemChange {
            assignee: Some(Some(me?)),
            ..ItemChange::default()
        },
        "unassign" => ItemChange {
            assignee: Some(None),
            ..ItemChange::default()
        },
        "label" => ItemChange {
            add_labels: vec![label?.to_owned()],
            ..ItemChange::default()
        },
        _ => return None,
    })
}

/// `POST /w/{ws}/inbox/bulk`: one triage action on the ticked items.
pub async fn bulk(
    State(state): State<AppState>,
    member: Member,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_answer)?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let back = back_to(member.scope.workspace(), field("back"));
    let ids: Vec<InboxItemId> = pairs
        .iter()
        .filter(|(n, _)| n == "item")
        .filter_map(|(_, v)| v.parse().ok().map(InboxItemId))
        .collect();
    if ids.is_empty() {
        return Ok(see_other(&with_flash(&back, "flash-inbox-none-selected")));
    }
    let label = field("label").map(str::trim).filter(|l| !l.is_empty());
    let Some(change) = change_for(
        field("action").unwrap_or_default(),
        member.scope.user(),
        label,
    ) else {
        return Err(AppError::Input(InputError::InvalidQuery("action".into())));
    };
    match state
        .store()
        .update_inbox_items(&member.scope, &ids, &change, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&with_flash(&back, "flash-inbox-updated"))),
        Err(StoreError::Invalid(_)) => Ok(see_other(&with_flash(&back, "flash-warn-inbox-label"))),
        Err(other) => Err(other.into()),
    }
}

/// A reply or a note as the item's page shows it.
pub struct ReplyLine {
    text: String,
    state: String,
    state_key: &'static str,
    url: Option<String>,
    error: Option<String>,
    author: Option<String>,
    at: String,
}

pub struct NoteLine {
    body: String,
    author: Option<String>,
    at: String,
}

/// One line of what was done to a message, and by whom (a member, or tribune for a rule).
pub struct HistoryLine {
    at: String,
    who: String,
    what: String,
    /// The rule that did it, or the reason given.
    why: Option<String>,
}

/// Lines of a message's history shown at most.
const HISTORY: u64 = 50;

fn history_line(chrome: &Chrome, at: String, entry: AuditEntry) -> HistoryLine {
    let tr = &chrome.tr;
    let details: serde_json::Value = serde_json::from_str(&entry.details).unwrap_or_default();
    let text = |key: &str| details[key].as_str().map(str::to_owned);
    let what = match entry.action.as_str() {
        "inbox.moderate" => {
            let key = format!(
                "inbox-history-moderate-{}",
                text("action").unwrap_or_default()
            );
            match tr.t(&key) {
                missing if missing == key => tr.t("audit-inbox-moderate"),
                found => found,
            }
        }
        "inbox.update" => match text("status").and_then(|s| ItemStatus::parse(&s)) {
            Some(status) => tr.t1("inbox-history-status", "status", tr.t(status_key(status))),
            None => tr.t("audit-inbox-update"),
        },
        action => tr.t(&format!("audit-{}", action.replace('.', "-"))),
    };
    // A rule's reason is `rule <id>: <name>`, given by tribune; a member's is their words.
    let by_system = entry.actor.starts_with("system:");
    let why = text("reason").map(|reason| {
        match reason
            .strip_prefix("rule ")
            .and_then(|r| r.split_once(": "))
            .filter(|_| by_system)
        {
            Some((_, name)) => tr.t1("inbox-history-rule", "rule", name),
            None => reason,
        }
    });
    HistoryLine {
        at,
        who: match entry.actor_name {
            Some(name) => name,
            None if entry.actor.starts_with("system:") => tr.t("inbox-history-tribune"),
            None => tr.t("inbox-history-someone"),
        },
        what,
        why,
    }
}

/// The post a conversation starts from, as the item page shows it.
pub struct OriginalLine {
    /// tribune's own post, when it published it.
    post: Option<tribune_domain::PostId>,
    author_name: String,
    author_handle: String,
    author_url: Option<String>,
    text: String,
    url: Option<String>,
    url_domain: String,
    when: String,
}

fn original_line(
    state: &AppState,
    chrome: &Chrome,
    original: tribune_store::inbox_originals::Original,
) -> OriginalLine {
    use tribune_store::inbox_originals::Original;
    match original {
        Original::Published { post, text } => OriginalLine {
            post: Some(post),
            author_name: String::new(),
            author_handle: String::new(),
            author_url: None,
            text,
            url: None,
            url_domain: String::new(),
            when: String::new(),
        },
        Original::Network {
            author_handle,
            author_name,
            author_url,
            text,
            url,
            created_at,
        } => {
            let author_handle = author_handle.trim_start_matches('@').to_owned();
            OriginalLine {
                post: None,
                author_name: match author_name.trim() {
                    "" => author_handle.clone(),
                    name => name.to_owned(),
                },
                author_handle,
                author_url,
                text,
                url_domain: url.as_deref().map(domain).unwrap_or_default(),
                url,
                when: created_at.map_or_else(String::new, |t| {
                    dates::full(state.i18n(), chrome.tr.lang, &chrome.tz, t)
                }),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "inbox_item.html")]
pub struct ItemPage {
    c: Chrome,
    ws_id: WorkspaceId,
    item: ItemLine,
    original: Option<OriginalLine>,
    /// The pictures are shown (the member asked).
    show_images: bool,
    thread: Vec<ItemLine>,
    replies: Vec<ReplyLine>,
    notes: Vec<NoteLine>,
    history: Vec<HistoryLine>,
    members: Vec<(UserId, String)>,
    assignee_id: Option<UserId>,
    labels_text: String,
    can_answer: bool,
    can_reply: bool,
    moderation: Vec<(&'static str, &'static str)>,
    next: Option<InboxItemId>,
    snooze_date: String,
    snooze_time: String,
    errors: Vec<(String, String)>,
    reply_text: String,
    saved: Vec<(tribune_domain::SavedReplyId, String)>,
}

impl ItemPage {
    fn is_assignee(&self, id: &UserId) -> bool {
        self.assignee_id == Some(*id)
    }

    fn field_error(&self, field: &str) -> Option<&str> {
        crate::forms::error_for(&self.errors, field)
    }
}

/// The moderation actions a channel can do, with their button labels.
fn moderation_actions(
    capabilities: Capabilities,
    network_status: &str,
) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if capabilities.contains(Capability::HideComment) {
        if network_status == "hidden" {
            out.push(("unhide", "inbox-moderate-unhide"));
        } else {
            out.push(("hide", "inbox-moderate-hide"));
        }
    }
    if capabilities.contains(Capability::ModerateComment) {
        if network_status != "visible" {
            out.push(("approve", "inbox-moderate-approve"));
        }
        if network_status != "held" {
            out.push(("hold", "inbox-moderate-hold"));
        }
        if network_status != "spam" {
            out.push(("spam", "inbox-moderate-spam"));
        }
        if network_status != "trashed" {
            out.push(("trash", "inbox-moderate-trash"));
        }
    }
    if capabilities.contains(Capability::DeleteComment) && network_status != "deleted" {
        out.push(("delete", "inbox-moderate-delete"));
    }
    out
}

async fn item_page(
    state: &AppState,
    member: &Member,
    id: InboxItemId,
    flash: Option<&str>,
    errors: Vec<(String, String)>,
    reply_text: String,
    use_saved: Option<tribune_domain::SavedReplyId>,
) -> Result<ItemPage, AppError> {
    let store = state.store();
    let (chrome, workspace) = Chrome::for_member(state, member).await?;
    let chrome = chrome.with_flash(flash);
    let item = store.inbox_item(&member.scope, id).await?;
    let saved_replies = store.saved_replies(&member.scope).await?;
    let reply_text = match use_saved.and_then(|s| saved_replies.iter().find(|r| r.id == s)) {
        Some(saved) => crate::inbox::saved_reply_text(state, &workspace, &item, saved),
        None => reply_text,
    };
    let saved = saved_replies.into_iter().map(|r| (r.id, r.title)).collect();
    let channels = channel_labels(state, member).await?;
    let members = member_names(state, member).await?;
    let sla_warn = state
        .store()
        .inbox_sla(&member.scope)
        .await?
        .map(|s| s.warn_minutes);
    let thread = store.inbox_thread(&member.scope, &item).await?;
    let original = store
        .inbox_original(&member.scope, &item)
        .await?
        .map(|o| original_line(state, &chrome, o));
    let replies = store.inbox_replies(&member.scope, id).await?;
    let notes = store.inbox_notes(&member.scope, id).await?;
    // The team's own record (members' reasons included): not for the brand's clients.
    let history = if member.scope.role().can_answer() {
        store
            .object_history(&member.scope, "inbox_item", &id.0.to_string(), HISTORY)
            .await?
    } else {
        Vec::new()
    };
    let next = store
        .inbox_items(
            &member.scope,
            &tribune_store::inbox::InboxFilter {
                status: Some(ItemStatus::New),
                before: Some(id),
                limit: 1,
                ..Default::default()
            },
            chrome.now,
        )
        .await?
        .first()
        .map(|i| i.id);
    let capabilities = channels
        .get(&item.channel)
        .map_or_else(Capabilities::default, |c| c.capabilities);
    let role = member.scope.role();
    let moderation = if role.can_publish() {
        moderation_actions(capabilities, &item.network_status)
    } else {
        Vec::new()
    };
    let lang = chrome.tr.lang;
    let at = |t: i64| dates::full(state.i18n(), lang, &chrome.tz, t);
    let replies = replies
        .into_iter()
        .map(|r| ReplyLine {
            state_key: match r.state.as_str() {
                "sent" => "inbox-reply-sent",
                "failed" => "inbox-reply-failed",
                _ => "inbox-reply-pending",
            },
            author: r.author_id.and_then(|u| members.get(&u).cloned()),
            at: at(r.sent_at.unwrap_or(r.created_at)),
            text: r.text,
            state: r.state,
            url: r.url,
            error: r.error,
        })
        .collect();
    let notes = notes
        .into_iter()
        .map(|n| NoteLine {
            at: at(n.created_at),
            body: n.body,
            author: n.author_name,
        })
        .collect();
    let history = history
        .into_iter()
        .map(|entry| history_line(&chrome, at(entry.at), entry))
        .collect();
    let (snooze_date, snooze_time) = dates::to_local(&chrome.tz, chrome.now + 24 * 3600);
    let assignee_id = item.assignee;
    let labels_text = item.labels.join(", ");
    let thread = thread
        .into_iter()
        .filter(|t| t.id != id)
        .map(|t| line(state, &chrome, t, &channels, &members, sla_warn))
        .collect();
    let line = line(state, &chrome, item, &channels, &members, sla_warn);
    let mut member_list: Vec<(UserId, String)> = members.into_iter().collect();
    member_list.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(ItemPage {
        ws_id: member.scope.workspace(),
        item: line,
        original,
        show_images: false,
        thread,
        replies,
        notes,
        history,
        members: member_list,
        assignee_id,
        labels_text,
        can_answer: role.can_answer(),
        can_reply: role.can_answer() && capabilities.contains(Capability::Reply),
        moderation,
        next,
        snooze_date,
        snooze_time,
        errors,
        reply_text,
        saved,
        c: chrome,
    })
}

#[derive(serde::Deserialize)]
pub struct ItemQuery {
    flash: Option<String>,
    /// Show the message's pictures (loaded through tribune).
    images: Option<String>,
    /// A saved reply to start the reply from.
    saved: Option<i64>,
}

/// `GET /w/{ws}/inbox/{item}`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, InboxItemId)>,
    axum::extract::Query(query): axum::extract::Query<ItemQuery>,
) -> Result<Response, AppError> {
    let page = item_page(
        &state,
        &member,
        id,
        query.flash.as_deref(),
        Vec::new(),
        String::new(),
        query.saved.map(tribune_domain::SavedReplyId),
    )
    .await?;
    let page = ItemPage {
        show_images: query.images.is_some(),
        ..page
    };
    Ok(render(&page))
}

/// Bytes of a picture fetched for a member at most.
const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;

/// Pictures fetched at the same time at most, by this process: each is held in memory whole
/// (up to [`MAX_IMAGE_BYTES`]) until it is checked and sent; the others wait their turn.
static IMAGE_FETCHES: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(4));

/// `GET /w/{ws}/inbox/{item}/images/{n}`: one of the message's pictures, fetched now by
/// tribune (the network never sees who looks): only from a public http(s) host (as every
/// address tribune calls), at most 8 MiB, and only if its bytes are a JPEG, PNG, GIF or WebP
/// (SVG never: it can carry scripts). Served as that type alone, sandboxed.
pub async fn image(
    State(state): State<AppState>,
    member: Member,
    Path((_, id, n)): Path<(WorkspaceId, InboxItemId, usize)>,
) -> Result<Response, AppError> {
    let item = state.store().inbox_item(&member.scope, id).await?;
    let image = item.images.get(n).ok_or(AppError::NotFound)?;
    // An <img> shows no text: the status says what went wrong, the page's alt text stays.
    let failed = |status: StatusCode| status.into_response();
    let Ok(url) = state.channels().http().checked_url(&image.url) else {
        return Ok(failed(StatusCode::FORBIDDEN));
    };
    let Ok(_turn) = IMAGE_FETCHES.acquire().await else {
        return Ok(failed(StatusCode::SERVICE_UNAVAILABLE));
    };
    let body = match state
        .channels()
        .http()
        .get_small(url, MAX_IMAGE_BYTES)
        .await
    {
        Ok(response) => response.body,
        Err(error) => {
            tracing::info!(item = id.0, %error, "a message's picture could not be fetched");
            return Ok(failed(StatusCode::BAD_GATEWAY));
        }
    };
    let format =
        tribune_media::Format::sniff(&body).filter(|f| f.kind() == tribune_media::MediaKind::Image);
    let Some(format) = format else {
        return Ok(failed(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.mime()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            ),
            (header::CACHE_CONTROL, "private, max-age=3600"),
            (header::CONTENT_DISPOSITION, "inline"),
        ],
        body,
    )
        .into_response())
}

fn item_path(ws: WorkspaceId, id: InboxItemId) -> String {
    format!("/w/{ws}/inbox/{id}")
}

/// The item page again with the form's errors (422).
async fn refused(
    state: &AppState,
    member: &Member,
    id: InboxItemId,
    invalid: &tribune_domain::ValidationError,
    reply_text: String,
) -> Result<Response, AppError> {
    let errors = super::links::field_errors(state, member.ctx.lang, invalid);
    let page = item_page(state, member, id, None, errors, reply_text, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

#[derive(serde::Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    snooze_date: String,
    #[serde(default)]
    snooze_time: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    labels: String,
}

/// `POST /w/{ws}/inbox/{item}`: status (with a snooze time), assignee and labels.
pub async fn triage(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, InboxItemId)>,
    Form(form): Form<TriageForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_answer)?;
    let status = ItemStatus::parse(form.status.trim());
    let snoozed_until = if status == Some(ItemStatus::Snoozed) {
        let (chrome, _) = Chrome::for_member(&state, &member).await?;
        dates::from_local(&chrome.tz, &form.snooze_date, &form.snooze_time)
    } else {
        None
    };
    let assignee = match form.assignee.trim() {
        "" => Some(None),
        id => Some(Some(UserId(id.parse().map_err(|_| {
            AppError::Input(InputError::InvalidQuery("assignee".into()))
        })?))),
    };
    let labels: Vec<String> = form
        .labels
        .split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let change = ItemChange {
        status,
        snoozed_until,
        assignee,
        labels: Some(labels),
        ..ItemChange::default()
    };
    match state
        .store()
        .update_inbox_items(&member.scope, &[id], &change, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&with_flash(
            &item_path(ws, id),
            "flash-inbox-updated",
        ))),
        Err(StoreError::Invalid(invalid)) => {
            refused(&state, &member, id, &invalid, String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
    /// After a reply: mark done and open the next new item (the keyboard's "reply and next").
    #[serde(default)]
    next: Option<String>,
}

/// `POST /w/{ws}/inbox/{item}/reply`: queues the reply (sent by a job through the channel).
pub async fn reply(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, InboxItemId)>,
    Form(form): Form<TextForm>,
) -> Result<Response, AppError> {
    match state
        .store()
        .create_inbox_reply(&member.scope, id, &form.text, unix_now())
        .await
    {
        Ok(_) => {
            state.wake_jobs();
            let to = match form.next.as_deref().and_then(|n| n.parse().ok()) {
                Some(next) => item_path(ws, InboxItemId(next)),
                None => item_path(ws, id),
            };
            Ok(see_other(&with_flash(&to, "flash-inbox-reply-queued")))
        }
        Err(StoreError::Invalid(invalid)) => {
            refused(&state, &member, id, &invalid, form.text).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /w/{ws}/inbox/{item}/notes`.
pub async fn add_note(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, InboxItemId)>,
    Form(form): Form<TextForm>,
) -> Result<Response, AppError> {
    match state
        .store()
        .add_inbox_note(&member.scope, id, &form.text, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&with_flash(
            &item_path(ws, id),
            "flash-inbox-note-added",
        ))),
        Err(StoreError::Invalid(invalid)) => {
            refused(&state, &member, id, &invalid, String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct ModerateForm {
    action: String,
}

/// `POST /w/{ws}/inbox/{item}/moderate`: done on the network at once, then audited.
pub async fn moderate(
    State(state): State<AppState>,
    member: Member,
    Path((ws, id)): Path<(WorkspaceId, InboxItemId)>,
    Form(form): Form<ModerateForm>,
) -> Result<Response, AppError> {
    let action: Moderation = tribune_inbox::actions::parse_action(&form.action)
        .ok_or_else(|| AppError::Input(InputError::InvalidQuery("action".into())))?;
    tribune_inbox::moderate(
        state.channels(),
        &member.scope,
        id,
        action,
        None,
        unix_now(),
    )
    .await?;
    Ok(see_other(&with_flash(
        &item_path(ws, id),
        "flash-inbox-moderated",
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_shown_by_their_real_domain() {
        assert_eq!(domain("https://www.Example.fr/a?b#c"), "example.fr");
        assert_eq!(
            domain("https://user:pw@evil.example:8443/x"),
            "evil.example"
        );
        assert_eq!(
            domain("http://bank.example@phish.example/"),
            "phish.example"
        );
    }

    #[test]
    fn the_way_back_stays_in_the_workspace_inbox() {
        let ws = WorkspaceId(3);
        assert_eq!(
            back_to(ws, Some("/w/3/inbox?status=done")),
            "/w/3/inbox?status=done"
        );
        assert_eq!(back_to(ws, Some("https://evil.example/")), "/w/3/inbox");
        assert_eq!(back_to(ws, Some("/w/3/inbox//evil.example")), "/w/3/inbox");
        assert_eq!(back_to(ws, Some("/w/4/inbox")), "/w/3/inbox");
    }
}
