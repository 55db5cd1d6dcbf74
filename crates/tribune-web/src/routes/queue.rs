//! A channel's posting queue: its weekly slots (add, remove, "suggest slots" from the best
//! times), the upcoming slots filled or empty, and the best-time heat map learnt from the
//! channel's own engagement.

use super::workspaces::FlashQuery;
use crate::AppState;
use crate::context::Member;
use crate::dates;
use crate::error::AppError;
use crate::forms::{Confirmation, see_other};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tribune_domain::best_time;
use tribune_domain::queue::{self, WeeklySlot};
use tribune_domain::{CategoryId, ChannelId, QueueSlotId, Role, ValidationError, WorkspaceId};
use tribune_store::StoreError;
use tribune_store::channels::Channel;
use tribune_store::queue::Category;
use tribune_store::unix_now;

/// Upcoming slots shown.
const UPCOMING: usize = 14;
/// Slots "suggest slots" offers.
const SUGGESTED: usize = 5;
/// Longest excerpt of a queued post's text.
const EXCERPT_CHARS: usize = 90;

pub struct SlotView {
    pub id: QueueSlotId,
    pub weekday: i8,
    pub day: String,
    pub time: String,
    /// "Tue 09:30", for the remove button's accessible name.
    pub label: String,
    pub category: Option<Category>,
}

pub struct QueuedPost {
    pub id: tribune_domain::PostId,
    /// The start of its text on this channel.
    pub text: String,
}

pub struct UpcomingView {
    pub when: String,
    pub category: Option<Category>,
    /// The post holding the slot.
    pub post: Option<QueuedPost>,
}

pub struct HeatRow {
    pub day: String,
    /// Score 0–100 and its shade 0–5.
    pub cells: Vec<(u8, u8)>,
}

pub struct Suggestion {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
pub struct QueuePage {
    c: Chrome,
    ws_id: WorkspaceId,
    channel: Channel,
    can_edit: bool,
    slots: Vec<SlotView>,
    upcoming: Vec<UpcomingView>,
    categories: Vec<Category>,
    days: Vec<(i8, String)>,
    hours: Vec<u8>,
    heat: Vec<HeatRow>,
    samples: usize,
    suggestions: Vec<Suggestion>,
    errors: Vec<(String, String)>,
    form_weekday: String,
    form_time: String,
    form_category: String,
    timezone: String,
}

/// A colour swatch as an image (the content security policy allows no inline style, and a
/// `data:` image needs none). The colour was checked to be `#rrggbb` when saved. A category's
/// colour is chosen freely, so the square carries an inner ring in black or white, whichever
/// contrasts more with the fill: on a light or a dark page, either the fill or the ring stands
/// out from the background by at least 3:1 (WCAG's ratio for graphical objects).
pub fn swatch(colour: &str) -> String {
    let hex: String = colour
        .trim_start_matches('#')
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(6)
        .collect();
    let ring = if contrast_with_black(&hex) >= contrast_with_white(&hex) {
        "000000"
    } else {
        "ffffff"
    };
    format!(
        "data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%2212%22 \
         height=%2212%22%3E%3Crect x=%22.75%22 y=%22.75%22 width=%2210.5%22 height=%2210.5%22 \
         rx=%222.5%22 fill=%22%23{hex}%22 stroke=%22%23{ring}%22 stroke-width=%221.5%22/%3E\
         %3C/svg%3E"
    )
}

/// WCAG relative luminance of `rrggbb` (0 for anything unreadable: treated as black).
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let value = hex
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |v| f64::from(v) / 255.0);
        if value <= 0.039_28 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast_with_black(hex: &str) -> f64 {
    (luminance(hex) + 0.05) / 0.05
}

fn contrast_with_white(hex: &str) -> f64 {
    1.05 / (luminance(hex) + 0.05)
}

#[cfg(test)]
mod swatch_tests {
    use super::{contrast_with_black, contrast_with_white, swatch};

    #[test]
    fn a_swatch_rings_light_colours_in_black_and_dark_ones_in_white() {
        assert!(swatch("#ffeb3b").contains("stroke=%22%23000000%22"));
        assert!(swatch("#1a237e").contains("stroke=%22%23ffffff%22"));
        // The ring always contrasts by at least 4.5:1 with the fill (the better of the two
        // is never below √21 ≈ 4.58).
        for hex in ["777777", "ff0000", "00ff00", "0000ff", "2e7d32", "808080"] {
            let best = contrast_with_black(hex).max(contrast_with_white(hex));
            assert!(best >= 4.5, "{hex}: {best}");
        }
    }
}

impl QueuePage {
    fn swatch(&self, colour: &str) -> String {
        swatch(colour)
    }

    /// Shuffling needs two posts in the upcoming slots to mean anything.
    fn can_shuffle(&self) -> bool {
        self.can_edit && self.upcoming.iter().filter(|e| e.post.is_some()).count() >= 2
    }

    fn field_error(&self, field: &str) -> Option<&str> {
        crate::forms::error_for(&self.errors, field)
    }
}

fn day_label(chrome: &Chrome, weekday: i8) -> String {
    chrome.tr.t(&format!("queue-day-{weekday}"))
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// What the slot form sent, kept to show it again when refused.
#[derive(Default)]
struct SlotForm {
    weekday: String,
    time: String,
    category: String,
    /// `3@09:30` pairs from "suggest slots".
    suggested: Vec<String>,
}

impl SlotForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> SlotForm {
        let mut form = SlotForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "weekday" => form.weekday = value,
                "time" => form.time = value,
                "category" => form.category = value,
                "slot" if form.suggested.len() < 50 => form.suggested.push(value),
                _ => {}
            }
        }
        form
    }

    fn category(&self) -> Result<Option<CategoryId>, ValidationError> {
        let value = self.category.trim();
        if value.is_empty() {
            return Ok(None);
        }
        value
            .parse::<CategoryId>()
            .map(Some)
            .map_err(|_| ValidationError::single("category", "error-category-unknown"))
    }

    fn slots(&self) -> Result<Vec<WeeklySlot>, ValidationError> {
        let category = self.category()?;
        if self.suggested.is_empty() {
            return Ok(vec![queue::validate_slot(
                &self.weekday,
                &self.time,
                category,
            )?]);
        }
        self.suggested
            .iter()
            .map(|pair| {
                let (day, time) = pair.split_once('@').unwrap_or((pair, ""));
                queue::validate_slot(day, time, None)
            })
            .collect()
    }
}

async fn page(
    state: &AppState,
    member: &Member,
    channel_id: ChannelId,
    form: SlotForm,
    errors: Vec<(String, String)>,
) -> Result<QueuePage, AppError> {
    let (chrome, ws) = Chrome::for_member(state, member).await?;
    let store = state.store();
    let channel = store.channel(&member.scope, channel_id).await?;
    let now = unix_now();
    let categories = store.categories(&member.scope).await?;
    let find =
        |id: Option<CategoryId>| id.and_then(|id| categories.iter().find(|c| c.id == id).cloned());
    let slots = store
        .queue_slots(&member.scope, channel_id)
        .await?
        .into_iter()
        .map(|s| SlotView {
            id: s.id,
            weekday: s.weekday,
            day: day_label(&chrome, s.weekday),
            label: format!("{} {}", day_label(&chrome, s.weekday), s.local_time),
            time: s.local_time.clone(),
            category: find(s.category),
        })
        .collect::<Vec<SlotView>>();
    let tz = dates::zone(&ws.timezone);
    let upcoming = store
        .upcoming_queue(&member.scope, channel_id, now, UPCOMING)
        .await?
        .into_iter()
        .map(|e| UpcomingView {
            when: format!(
                "{} {}",
                day_label(&chrome, e.weekday),
                dates::full(chrome.tr.i18n(), chrome.tr.lang, &tz, e.at)
            ),
            category: find(e.category),
            post: e.post.map(|p| {
                let text = p
                    .targets
                    .iter()
                    .find(|t| t.channel_id == channel_id)
                    .and_then(|t| t.text.clone())
                    .unwrap_or_else(|| p.text.clone());
                QueuedPost {
                    id: p.id,
                    text: excerpt(&text),
                }
            }),
        })
        .collect();
    let history = store.engagement(&member.scope, channel_id).await?;
    let map = best_time::best_times(&history, &tz, &channel.network);
    let heat = (1..=7)
        .map(|day: i8| HeatRow {
            day: day_label(&chrome, day),
            cells: map.scores[usize::try_from(day - 1).unwrap_or(0)]
                .iter()
                .map(|score| (*score, (score / 20).min(5)))
                .collect(),
        })
        .collect();
    // The best hours the channel has no slot at yet.
    let existing: Vec<(i8, String)> = slots
        .iter()
        .map(|s: &SlotView| (s.weekday, s.time.clone()))
        .collect();
    let suggestions = map
        .top(SUGGESTED + existing.len())
        .into_iter()
        .filter(|(day, hour)| {
            !existing.contains(&(day.to_monday_one_offset(), format!("{hour:02}:00")))
        })
        .take(SUGGESTED)
        .map(|(day, hour)| {
            let number = day.to_monday_one_offset();
            Suggestion {
                value: format!("{number}@{hour:02}:00"),
                label: format!("{} {hour:02}:00", day_label(&chrome, number)),
            }
        })
        .collect();
    Ok(QueuePage {
        ws_id: member.scope.workspace(),
        can_edit: member.scope.role().can_publish(),
        days: (1..=7).map(|d| (d, day_label(&chrome, d))).collect(),
        hours: (0..24).collect(),
        samples: map.samples,
        timezone: ws.timezone.clone(),
        channel,
        slots,
        upcoming,
        categories,
        heat,
        suggestions,
        errors,
        form_weekday: form.weekday,
        form_time: form.time,
        form_category: form.category,
        c: chrome,
    })
}

/// `GET /w/{ws}/channels/{id}/queue`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Path((_, channel)): Path<(WorkspaceId, ChannelId)>,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let mut page = page(&state, &member, channel, SlotForm::default(), Vec::new()).await?;
    page.c = page.c.with_flash(query.flash.as_deref());
    Ok(render(&page))
}

/// `POST /w/{ws}/channels/{id}/queue/slots`: one slot from the form, or the suggested ones.
pub async fn add_slots(
    State(state): State<AppState>,
    member: Member,
    Path((_, channel)): Path<(WorkspaceId, ChannelId)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_publish)?;
    let form = SlotForm::from_pairs(pairs);
    let result = match form.slots() {
        Ok(slots) => state
            .store()
            .add_queue_slots(&member.scope, channel, &slots)
            .await
            .map_err(|e| match e {
                StoreError::Invalid(invalid) => Ok(invalid),
                other => Err(other),
            }),
        Err(invalid) => Err(Ok(invalid)),
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/w/{}/channels/{}/queue?flash=flash-queue-slot-added",
            member.scope.workspace(),
            channel
        ))),
        Err(Ok(invalid)) => {
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
            let page = page(&state, &member, channel, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(Err(other)) => Err(other.into()),
    }
}

/// `POST /w/{ws}/channels/{id}/queue/slots/{slot}/delete`.
pub async fn delete_slot(
    State(state): State<AppState>,
    member: Member,
    Path((_, channel, slot)): Path<(WorkspaceId, ChannelId, QueueSlotId)>,
) -> Result<Response, AppError> {
    state
        .store()
        .delete_queue_slot(&member.scope, channel, slot)
        .await?;
    Ok(see_other(&format!(
        "/w/{}/channels/{}/queue?flash=flash-queue-slot-removed",
        member.scope.workspace(),
        channel
    )))
}

/// `POST /w/{ws}/channels/{id}/queue/shuffle`: deals the queued posts again over the same
/// slots in random order (posts at a time of their own, and posts for several channels, stay).
/// It cannot be undone, so it needs the ticked "I understand" box.
pub async fn shuffle(
    State(state): State<AppState>,
    member: Member,
    Path((_, channel)): Path<(WorkspaceId, ChannelId)>,
    Form(confirmation): Form<Confirmation>,
) -> Result<Response, AppError> {
    confirmation.require()?;
    let moved = state
        .store()
        .shuffle_queue(&member.scope, channel, unix_now())
        .await?;
    state.wake_jobs();
    let flash = if moved == 0 {
        "flash-queue-shuffled-nothing"
    } else {
        "flash-queue-shuffled"
    };
    Ok(see_other(&format!(
        "/w/{}/channels/{}/queue?flash={flash}",
        member.scope.workspace(),
        channel
    )))
}
