//! The inbox's filters, shared by the API (`GET …/inbox`) and the inbox page: the same names,
//! the same meaning. An empty value means "any" (what a form's first option sends).

use crate::error::{AppError, InputError};
use tribune_domain::inbox::{ItemKind, ItemStatus, Tone};
use tribune_domain::{ChannelId, InboxItemId, Lang, UserId};
use tribune_inbox::Page;
use tribune_store::inbox::{AssigneeFilter, InboxFilter};
use tribune_store::{Store, StoreError, WorkspaceScope};
use tribune_text::{Query, UiLang};

/// The query parameters of the inbox, besides `cursor` and `limit`.
pub const FILTERS: [&str; 11] = [
    "status",
    "channel",
    "sentiment",
    "q",
    "kind",
    "assignee",
    "label",
    "flagged",
    "sla",
    "from",
    "to",
];

/// Longest search accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 1_000;

pub fn ui_lang(lang: Lang) -> UiLang {
    match lang {
        Lang::Fr => UiLang::Fr,
        Lang::En => UiLang::En,
    }
}

/// The response-time views of the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaView {
    /// Waiting, the deadline within the target's warning or past.
    Near,
    /// Waiting past the deadline.
    Breached,
}

/// Filters read from a request, checked.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub filter: InboxFilter,
    /// Only the messages near (`near`) or past (`breached`) their response-time deadline.
    pub sla: Option<SlaView>,
    pub query: Option<Query>,
    /// The values as given, to fill the page's form and its links again.
    pub given: Vec<(String, String)>,
}

impl Filters {
    /// The value given for `name`, or "".
    pub fn value(&self, name: &str) -> &str {
        self.given
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

fn invalid(name: &str) -> AppError {
    AppError::Input(InputError::InvalidQuery(InputError::name(name)))
}

/// Whether the pairs hold a date filter, which needs the workspace's time zone.
pub fn has_dates(pairs: &[(String, String)]) -> bool {
    pairs
        .iter()
        .any(|(n, v)| (n == "from" || n == "to") && !v.trim().is_empty())
}

/// The Unix time a local day starts at in `tz`.
fn day_start(tz: &jiff::tz::TimeZone, day: jiff::civil::Date) -> Option<i64> {
    tribune_domain::queue::resolve(tz, day, jiff::civil::Time::midnight()).map(|t| t.as_second())
}

/// Reads the filters from `(name, value)` pairs (names not in [`FILTERS`] are the caller's
/// business). `me` is who `assignee=me` means; `from` and `to` are days (`YYYY-MM-DD`, both
/// included) in `tz`, the workspace's time zone.
pub fn parse(
    pairs: &[(String, String)],
    me: Option<UserId>,
    tz: &jiff::tz::TimeZone,
) -> Result<Filters, AppError> {
    let mut out = Filters::default();
    for (name, value) in pairs {
        if !FILTERS.contains(&name.as_str()) {
            continue;
        }
        let value = value.trim();
        if out.given.iter().any(|(n, _)| n == name) {
            return Err(invalid(name));
        }
        out.given.push((name.clone(), value.to_owned()));
        if value.is_empty() {
            continue;
        }
        let f = &mut out.filter;
        match name.as_str() {
            "status" if value == "all" => {}
            "status" => f.status = Some(ItemStatus::parse(value).ok_or_else(|| invalid(name))?),
            "channel" => {
                f.channel = Some(ChannelId(value.parse().map_err(|_| invalid(name))?));
            }
            "sentiment" => f.tone = Some(Tone::parse(value).ok_or_else(|| invalid(name))?),
            "kind" => f.kind = Some(ItemKind::parse(value).ok_or_else(|| invalid(name))?),
            "assignee" => {
                f.assignee = Some(match value {
                    "none" => AssigneeFilter::Nobody,
                    "me" => AssigneeFilter::User(me.ok_or_else(|| invalid(name))?),
                    id => AssigneeFilter::User(UserId(id.parse().map_err(|_| invalid(name))?)),
                });
            }
            "label" if value.chars().count() <= tribune_domain::inbox::MAX_LABEL_CHARS => {
                f.label = Some(value.to_lowercase());
            }
            "label" => return Err(invalid(name)),
            "flagged" => {
                f.flagged = match value {
                    "true" | "1" | "on" => true,
                    "false" | "0" => false,
                    _ => return Err(invalid(name)),
                };
            }
            "sla" => {
                out.sla = Some(match value {
                    "near" => SlaView::Near,
                    "breached" => SlaView::Breached,
                    _ => return Err(invalid(name)),
                });
            }
            "from" | "to" => {
                let day: jiff::civil::Date = value.parse().map_err(|_| invalid(name))?;
                let day = if name == "to" {
                    day.tomorrow().map_err(|_| invalid(name))?
                } else {
                    day
                };
                let at = day_start(tz, day).ok_or_else(|| invalid(name))?;
                if name == "from" {
                    f.since = Some(at);
                } else {
                    f.until = Some(at);
                }
            }
            "q" if value.chars().count() > MAX_SEARCH_CHARS => return Err(invalid(name)),
            "q" => {
                out.query = Some(
                    tribune_text::parse(value)
                        .map_err(|e| AppError::Input(InputError::Search("q", e)))?,
                );
            }
            _ => {}
        }
    }
    if let (Some(since), Some(until)) = (out.filter.since, out.filter.until)
        && since >= until
    {
        return Err(invalid("from"));
    }
    Ok(out)
}

/// The text of a reply written from a saved reply to `item` (see
/// [`tribune_inbox::saved_reply_text`]), with the configured public address.
pub fn saved_reply_text(
    state: &crate::AppState,
    workspace: &tribune_store::workspaces::Workspace,
    item: &tribune_store::inbox::Item,
    saved: &tribune_store::saved_replies::SavedReply,
) -> String {
    tribune_inbox::saved_reply_text(workspace, item, saved, Some(&state.config().public_url))
}

/// One page of the inbox for these filters.
pub async fn list(
    store: &Store,
    scope: &WorkspaceScope,
    filters: &Filters,
    before: Option<InboxItemId>,
    limit: u64,
) -> Result<Page, StoreError> {
    let now = tribune_store::unix_now();
    let mut filter = filters.filter.clone();
    filter.before = before;
    filter.limit = limit;
    if let Some(view) = filters.sla {
        let warn = store.inbox_sla(scope).await?.map_or(0, |s| s.warn_minutes);
        filter.due_before = Some(match view {
            SlaView::Breached => now,
            SlaView::Near => now + i64::from(warn) * 60,
        });
    }
    tribune_inbox::search(store, scope, &filter, filters.query.as_ref(), now).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::pairs;
    use jiff::tz::TimeZone;

    const UTC: TimeZone = TimeZone::UTC;

    #[test]
    fn filters_read_what_a_form_or_a_script_sends() {
        let f = parse(
            &pairs(&[
                ("status", "new"),
                ("channel", ""),
                ("sentiment", "neg"),
                ("assignee", "me"),
                ("flagged", "on"),
                ("q", "livraison OR colis"),
            ]),
            Some(UserId(7)),
            &UTC,
        )
        .unwrap();
        assert_eq!(f.filter.status, Some(ItemStatus::New));
        assert_eq!(f.filter.channel, None);
        assert_eq!(f.filter.tone, Some(Tone::Negative));
        assert_eq!(f.filter.assignee, Some(AssigneeFilter::User(UserId(7))));
        assert!(f.filter.flagged);
        assert!(f.query.is_some());
        assert_eq!(f.value("q"), "livraison OR colis");
        assert_eq!(
            parse(&pairs(&[("status", "all")]), None, &UTC)
                .unwrap()
                .filter
                .status,
            None
        );
    }

    #[test]
    fn bad_filters_are_refused_by_name() {
        for bad in [
            ("status", "archived"),
            ("channel", "x"),
            ("sentiment", "angry"),
            ("assignee", "me"),
            ("flagged", "maybe"),
        ] {
            assert!(
                matches!(
                    parse(&pairs(&[bad]), None, &UTC),
                    Err(AppError::Input(InputError::InvalidQuery(ref n))) if n == bad.0
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            parse(&pairs(&[("q", "(colis")]), None, &UTC),
            Err(AppError::Input(InputError::Search(..)))
        ));
        assert!(parse(&pairs(&[("status", "new"), ("status", "done")]), None, &UTC).is_err());
    }
}
