//! The composer: one post for several channels of the workspace, with a text per channel where
//! it differs, checked against each network's rules (the same pre-flight check the publisher
//! runs), French typography hints, misspelt words (see [`crate::spell`]) and the workspace's
//! words to avoid, beside its brand voice.
//! It works without JavaScript (the checks run when the form is sent); with it, a live check
//! (`/compose/check`) updates the counters and hints as the text is typed.

use crate::AppState;
use crate::context::Member;
use crate::dates;
use crate::error::AppError;
use crate::forms::see_other;
use crate::links::{SHARED_SOURCE, ShortenTags, shorten_text};
use crate::pages::{Chrome, render};
use crate::preflight::{self, ChannelProblem, Planned};
use crate::routes::composer_preview::{self, PreviewMedia};
use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tribune_compose::{ComposeNetwork, Lang as ComposeLang};
use tribune_domain::media::{MAX_ALT_CHARS, MediaKind};
use tribune_domain::publishing::TargetStatus;
use tribune_domain::validation::optional_text;
use tribune_domain::{CategoryId, ChannelId, MediaId, PostId, ValidationError, WorkspaceId};
use tribune_store::StoreError;
use tribune_store::channels::{Channel, ChannelState};
use tribune_store::media::{Media, MediaFilter};
use tribune_store::posts::{Intent, PostNew, PostPatch};
use tribune_store::queue::Category;
use tribune_store::unix_now;
use tribune_store::workspaces::Workspace;

/// What the form sent, read from its pairs (channels are a repeated field).
#[derive(Default, Clone)]
pub struct ComposerInput {
    pub channels: Vec<ChannelId>,
    pub variants: Vec<(ChannelId, String)>,
    pub title: String,
    pub text: String,
    pub link: String,
    /// `now` or `at`.
    pub when: String,
    pub date: String,
    pub time: String,
    /// `draft`, `schedule`, `queue`, or `shorten` (turn the links of the texts into short links
    /// and show the form again).
    pub intent: String,
    /// The `utm_campaign` of links made by "shorten links"; not saved with the post.
    pub campaign: String,
    /// The content category's id, or empty.
    pub category: String,
    /// The attached media of the library, in order (see [`ComposerInput::media_pair`]).
    pub media: Vec<MediaId>,
    /// Alt texts typed in the composer, by media.
    pub alts: Vec<(MediaId, String)>,
    /// Positions typed for attached media (1 first).
    pub media_order: Vec<(MediaId, u32)>,
    /// Networks without a channel to preview the post on (not saved with it).
    pub preview_networks: Vec<ComposeNetwork>,
    /// Words the media picker looks for in file names (not saved with the post).
    pub media_q: String,
}

impl ComposerInput {
    pub(super) fn from_pairs(pairs: Vec<(String, String)>) -> ComposerInput {
        let mut input = ComposerInput::default();
        for (name, value) in pairs {
            match name.as_str() {
                "channel" => {
                    if let Ok(id) = value.parse::<ChannelId>()
                        && !input.channels.contains(&id)
                    {
                        input.channels.push(id);
                    }
                }
                "title" => input.title = value,
                "text" => input.text = value,
                "link" => input.link = value,
                "when" => input.when = value,
                "date" => input.date = value,
                "time" => input.time = value,
                "intent" => input.intent = value,
                "campaign" => input.campaign = value,
                "category" => input.category = value,
                "media_q" => input.media_q = value,
                "preview_network" => {
                    if let Ok(network) = value.parse::<ComposeNetwork>()
                        && !input.preview_networks.contains(&network)
                    {
                        input.preview_networks.push(network);
                    }
                }
                other => {
                    if let Some(id) = other
                        .strip_prefix("variant_")
                        .and_then(|id| id.parse::<ChannelId>().ok())
                    {
                        input.variants.push((id, value));
                    } else {
                        input.media_pair(other, value);
                    }
                }
            }
        }
        input.order_media();
        input
    }

    pub(super) fn variant(&self, channel: ChannelId) -> Option<String> {
        self.variants
            .iter()
            .find(|(id, text)| *id == channel && !text.trim().is_empty())
            .map(|(_, text)| text.clone())
    }

    fn targets(&self) -> Vec<(ChannelId, Option<String>)> {
        self.channels
            .iter()
            .map(|id| (*id, self.variant(*id)))
            .collect()
    }

    /// The chosen category; one that does not parse is no category (the store checks that a
    /// given one is the workspace's own).
    fn category(&self) -> Option<CategoryId> {
        self.category.trim().parse().ok()
    }

    fn optional(value: &str) -> Option<String> {
        Some(value.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// The slot in the workspace's zone; `Err` when the date or time cannot be read.
    fn slot(&self, ws: &Workspace) -> Result<Option<i64>, ValidationError> {
        if self.when != "at" && self.date.trim().is_empty() {
            return Ok(None);
        }
        if self.when == "now" {
            return Ok(None);
        }
        dates::from_local(&dates::zone(&ws.timezone), &self.date, &self.time)
            .map(Some)
            .ok_or_else(|| ValidationError::single("scheduled_at", "error-time-invalid"))
    }
}

/// The composer's media: which library media are attached, in which order, with which alt text.
impl ComposerInput {
    /// Reads `media` (a ticked media), `alt_{id}` and `order_{id}`; other names are ignored.
    fn media_pair(&mut self, name: &str, value: String) {
        if name == "media" {
            if let Ok(id) = value.parse::<MediaId>()
                && !self.media.contains(&id)
            {
                self.media.push(id);
            }
        } else if let Some(id) = name
            .strip_prefix("alt_")
            .and_then(|id| id.parse::<MediaId>().ok())
        {
            self.alts.push((id, value));
        } else if let Some(id) = name
            .strip_prefix("order_")
            .and_then(|id| id.parse::<MediaId>().ok())
            && let Ok(position) = value.trim().parse::<u32>()
        {
            self.media_order.push((id, position));
        }
    }

    /// Sorts the ticked media by the positions typed; media without one keep their place after
    /// those that have one.
    fn order_media(&mut self) {
        let position = |id: &MediaId| {
            self.media_order
                .iter()
                .find(|(m, _)| m == id)
                .map_or(u32::MAX, |(_, p)| *p)
        };
        let mut keyed: Vec<(u32, MediaId)> = self.media.iter().map(|m| (position(m), *m)).collect();
        keyed.sort_by_key(|(p, _)| *p);
        self.media = keyed.into_iter().map(|(_, m)| m).collect();
    }

    /// The alt text typed for an attached media, if any.
    pub(super) fn alt(&self, id: MediaId) -> Option<&str> {
        self.alts
            .iter()
            .find(|(m, _)| *m == id)
            .map(|(_, alt)| alt.as_str())
    }

    /// The typed alt texts of the attached media, checked as the store checks them.
    fn checked_alts(&self) -> Result<Vec<(MediaId, String)>, ValidationError> {
        let mut errors = ValidationError::default();
        let alts = self
            .media
            .iter()
            .filter_map(|id| self.alt(*id).map(|alt| (*id, alt)))
            .map(|(id, alt)| (id, optional_text(&mut errors, "media", alt, MAX_ALT_CHARS)))
            .collect();
        errors.into_result().map(|()| alts)
    }
}

/// A media of the library in the composer's picker.
pub struct PickerMedia {
    pub media: Media,
    pub selected: bool,
    /// 1-based, among the attached media.
    pub position: usize,
    /// The alt text typed, or the library's.
    pub alt: String,
}

impl PickerMedia {
    pub fn is_image(&self) -> bool {
        self.media.kind == MediaKind::Image
    }

    pub fn alt_missing(&self) -> bool {
        self.is_image() && self.alt.trim().is_empty()
    }

    pub fn label(&self) -> String {
        self.media
            .file_name
            .clone()
            .unwrap_or_else(|| format!("#{}", self.media.id))
    }
}

/// How many of the library's media one page of the picker shows (the attached ones always).
const PICKER_SIZE: u64 = 48;

/// The intent of the picker's "older media" button: `media-before-{id}` (a submit button has
/// one name and one value, and the composer's buttons all name an intent).
const OLDER_MEDIA: &str = "media-before-";

/// Which page of the library the picker shows: the newest (`None`) or those older than a media.
fn picker_cursor(input: &ComposerInput) -> Option<MediaId> {
    input
        .intent
        .strip_prefix(OLDER_MEDIA)
        .and_then(|id| id.parse().ok())
}

/// The picker: the attached media first, in order, then one page of the rest of the library,
/// newest first (those whose name has the words searched, if any), and the cursor of the next
/// page when there is one.
async fn picker(
    state: &AppState,
    member: &Member,
    input: &ComposerInput,
) -> Result<(Vec<PickerMedia>, Option<MediaId>), AppError> {
    let filter = MediaFilter {
        limit: PICKER_SIZE + 1,
        before_id: picker_cursor(input),
        name_contains: Some(input.media_q.clone()).filter(|q| !q.trim().is_empty()),
    };
    let mut library = state.store().media_list(&member.scope, &filter).await?;
    let older = (library.len() as u64 > PICKER_SIZE).then(|| {
        library.truncate(PICKER_SIZE as usize);
        library.last().map(|m| m.id)
    });
    let mut picked = Vec::new();
    for (index, id) in input.media.iter().enumerate() {
        let media = match library.iter().position(|m| m.id == *id) {
            Some(at) => library.remove(at),
            None => match state.store().media(&member.scope, *id).await {
                Ok(media) => media,
                // Not the workspace's: the store refuses it when the post is saved.
                Err(StoreError::NotFound) => continue,
                Err(other) => return Err(other.into()),
            },
        };
        picked.push(PickerMedia {
            alt: input
                .alt(*id)
                .map_or_else(|| media.alt.clone(), str::to_owned),
            media,
            selected: true,
            position: index + 1,
        });
    }
    picked.extend(library.into_iter().map(|media| {
        PickerMedia {
            alt: input
                .alt(media.id)
                .map_or_else(|| media.alt.clone(), str::to_owned),
            media,
            selected: false,
            position: 0,
        }
    }));
    Ok((picked, older.flatten()))
}

/// Saves the alt texts typed for the attached media, through the store call of the API's PATCH;
/// unchanged ones are left alone.
async fn save_alts(
    state: &AppState,
    member: &Member,
    alts: &[(MediaId, String)],
    now: i64,
) -> Result<(), StoreError> {
    for (id, alt) in alts {
        let current = state.store().media(&member.scope, *id).await?;
        if current.alt != *alt {
            state
                .store()
                .set_media_alt(&member.scope, *id, alt, now)
                .await?;
        }
    }
    Ok(())
}

/// A channel in the composer.
pub struct ComposerChannel {
    pub channel: Channel,
    pub selected: bool,
    pub variant: String,
    pub problems: Vec<(bool, String)>,
}

impl ComposerChannel {
    pub fn is_active(&self) -> bool {
        self.channel.state == ChannelState::Active
    }
}

/// A typography hint or a word to avoid, shown under the text.
pub struct Note {
    pub message: String,
    pub excerpt: String,
    pub replacement: String,
}

#[derive(Template)]
#[template(path = "composer.html")]
pub struct ComposerPage {
    pub(super) c: Chrome,
    ws_id: WorkspaceId,
    /// Editing this post, or a new one.
    editing: Option<PostId>,
    input: ComposerInput,
    channels: Vec<ComposerChannel>,
    errors: Vec<(String, String)>,
    notes: Vec<Note>,
    brand_voice: String,
    words_to_avoid: Vec<String>,
    needs_approval: bool,
    timezone: String,
    categories: Vec<Category>,
    /// The media picker.
    media: Vec<PickerMedia>,
    /// The picker's next page: the media older than this one.
    older_media: Option<MediaId>,
    /// The picker shows a page other than the newest, or a search.
    media_paged: bool,
    /// The previews' markup (see [`composer_preview`]).
    previews: String,
    /// The networks that can be previewed without a channel, and whether each is picked.
    preview_choices: Vec<(ComposeNetwork, bool)>,
}

impl ComposerPage {
    fn has_problems(&self) -> bool {
        !self.errors.is_empty() || self.channels.iter().any(|ch| !ch.problems.is_empty())
    }

    fn field_error(&self, field: &str) -> Option<&str> {
        crate::forms::error_for(&self.errors, field)
    }
}

pub(super) async fn page(
    state: &AppState,
    member: &Member,
    editing: Option<PostId>,
    input: ComposerInput,
    problems: &[ChannelProblem],
    errors: Vec<(String, String)>,
) -> Result<ComposerPage, AppError> {
    let (chrome, ws) = Chrome::for_member(state, member).await?;
    let (policy, _) = state.store().publishing_rules(&member.scope).await?;
    let lang = chrome.tr.lang;
    let all_channels = state.store().channels(&member.scope).await?;
    let mut notes = notes(state, lang, &ws, &input.text);
    notes.extend(spelling_notes(state, lang, &ws, &all_channels, &input.text).await);
    let (media, older_media) = picker(state, member, &input).await?;
    let media_paged = picker_cursor(&input).is_some() || !input.media_q.trim().is_empty();
    let attached: Vec<PreviewMedia> = media
        .iter()
        .filter(|m| m.selected)
        .map(|m| PreviewMedia {
            id: m.media.id,
            is_image: m.is_image(),
            has_thumbnail: m.media.thumbnail_key.is_some(),
            alt: m.alt.clone(),
        })
        .collect();
    let cards = composer_preview::cards(
        &all_channels,
        &input,
        &attached,
        &ws.name,
        &chrome.tr.t("composer-preview-no-account"),
    );
    let previews = composer_preview::render(&chrome.tr, member.scope.workspace(), &cards)?;
    let preview_choices = composer_preview::unconnectable_networks()
        .into_iter()
        .map(|n| (n, input.preview_networks.contains(&n)))
        .collect();
    let channels = all_channels
        .into_iter()
        .filter(|c| c.state != ChannelState::Disconnected)
        .map(|channel| {
            let id = channel.id;
            ComposerChannel {
                selected: input.channels.contains(&id),
                variant: input
                    .variants
                    .iter()
                    .find(|(v, _)| *v == id)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default(),
                problems: problems
                    .iter()
                    .filter(|p| p.channel_id == id)
                    .map(|p| (p.problem.is_error(), p.message(state, lang)))
                    .collect(),
                channel,
            }
        })
        .collect();
    let categories = state.store().categories(&member.scope).await?;
    Ok(ComposerPage {
        media,
        older_media,
        media_paged,
        previews,
        preview_choices,
        categories,
        ws_id: member.scope.workspace(),
        editing,
        channels,
        errors,
        notes,
        brand_voice: ws.brand_voice.clone(),
        words_to_avoid: ws.words_to_avoid.clone(),
        needs_approval: policy.needs_approval(member.scope.role()),
        timezone: ws.timezone.clone(),
        c: chrome,
        input,
    })
}

/// Where the few words around `range` start and end: an excerpt from a word boundary.
fn around(text: &str, range: &std::ops::Range<usize>) -> (usize, usize) {
    let before = &text[..range.start];
    let start = before
        .char_indices()
        .rev()
        .filter(|(_, c)| c.is_whitespace())
        .nth(2)
        .map_or(0, |(i, c)| i + c.len_utf8());
    let after = &text[range.end..];
    let end = after
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .nth(1)
        .map_or(text.len(), |(i, _)| range.end + i);
    (start, end)
}

/// A few words around `range`.
fn excerpt(text: &str, range: std::ops::Range<usize>) -> String {
    let (start, end) = around(text, &range);
    text.get(start..end).unwrap_or_default().to_owned()
}

/// The same words as [`excerpt`], with `range` replaced.
fn corrected(text: &str, range: std::ops::Range<usize>, replacement: &str) -> String {
    let (start, end) = around(text, &range);
    format!(
        "{}{replacement}{}",
        text.get(start..range.start).unwrap_or_default(),
        text.get(range.end..end).unwrap_or_default()
    )
}

/// Typography hints (in French) and the words to avoid found in `text`.
fn notes(state: &AppState, lang: tribune_domain::Lang, ws: &Workspace, text: &str) -> Vec<Note> {
    let excerpt = |range| excerpt(text, range);
    let corrected = |range, replacement: &str| corrected(text, range, replacement);
    let writes_french = ws.languages.contains(&tribune_domain::Lang::Fr);
    let mut notes = Vec::new();
    if writes_french {
        for hint in tribune_compose::typography_hints(text, ComposeLang::Fr) {
            notes.push(Note {
                message: state.i18n().message(lang, hint.kind.key(), None),
                excerpt: excerpt(hint.range.clone()),
                replacement: corrected(hint.range.clone(), &hint.replacement),
            });
        }
    }
    for range in tribune_compose::avoided_words(text, &ws.words_to_avoid) {
        notes.push(Note {
            message: state.i18n().message(lang, "compose-word-to-avoid", None),
            excerpt: text.get(range.clone()).unwrap_or_default().to_owned(),
            replacement: String::new(),
        });
    }
    notes
}

/// The misspelt words of `text` (see [`crate::spell`]), each with its suggestions, and a note
/// for each language the text needed but the server has no dictionary for. The workspace's
/// name and its channels' names are its own words, never flagged.
async fn spelling_notes(
    state: &AppState,
    lang: tribune_domain::Lang,
    ws: &Workspace,
    channels: &[Channel],
    text: &str,
) -> Vec<Note> {
    let workspace_langs: Vec<ComposeLang> = ws
        .languages
        .iter()
        .map(|l| match l {
            tribune_domain::Lang::Fr => ComposeLang::Fr,
            tribune_domain::Lang::En => ComposeLang::En,
        })
        .collect();
    let mut accepted = vec![ws.name.clone()];
    for channel in channels {
        accepted.push(channel.display_name.clone());
        accepted.push(channel.handle.clone());
    }
    let report = state
        .spelling()
        .check(text, &workspace_langs, accepted)
        .await;
    let i18n = state.i18n();
    let language = |l: ComposeLang| {
        let key = match l {
            ComposeLang::Fr => "compose-spelling-language-fr",
            ComposeLang::En => "compose-spelling-language-en",
        };
        i18n.message(lang, key, None)
    };
    let mut notes = Vec::new();
    for missing in report.unavailable {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("language", language(missing));
        notes.push(Note {
            message: i18n.message(lang, "compose-spelling-unavailable", Some(&args)),
            excerpt: String::new(),
            replacement: String::new(),
        });
    }
    for found in report.misspellings {
        let word = text.get(found.range.clone()).unwrap_or_default();
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("language", language(found.lang));
        args.set("word", word.to_owned());
        let message = if found.suggestions.is_empty() {
            i18n.message(lang, "compose-spelling-unknown", Some(&args))
        } else {
            args.set("suggestions", found.suggestions.join(", "));
            i18n.message(lang, "compose-spelling-suggestions", Some(&args))
        };
        notes.push(Note {
            message,
            excerpt: excerpt(text, found.range.clone()),
            replacement: found
                .suggestions
                .first()
                .map(|best| corrected(text, found.range.clone(), best))
                .unwrap_or_default(),
        });
    }
    notes
}

/// `GET /w/{ws}/posts/new`: an empty composer (the channels all ticked when there is one).
pub async fn new(State(state): State<AppState>, member: Member) -> Result<Response, AppError> {
    member
        .scope
        .require(tribune_domain::Role::can_write_posts)?;
    let channels = state.store().channels(&member.scope).await?;
    let active: Vec<ChannelId> = channels
        .iter()
        .filter(|c| c.state == ChannelState::Active)
        .map(|c| c.id)
        .collect();
    let input = ComposerInput {
        channels: if active.len() == 1 {
            active
        } else {
            Vec::new()
        },
        when: "now".into(),
        ..ComposerInput::default()
    };
    Ok(render(
        &page(&state, &member, None, input, &[], Vec::new()).await?,
    ))
}

/// `GET /w/{ws}/posts/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, PostId)>,
) -> Result<Response, AppError> {
    let (_, ws) = Chrome::for_member(&state, &member).await?;
    let post = state.store().post(&member.scope, id).await?;
    if post
        .targets
        .iter()
        .any(|t| matches!(t.status, TargetStatus::Publishing | TargetStatus::Published))
    {
        return Err(AppError::Refused(crate::error::Refused::Store(
            tribune_store::Refusal::PostNotEditable,
        )));
    }
    let (date, time) = post
        .scheduled_at
        .map(|at| dates::to_local(&dates::zone(&ws.timezone), at))
        .unwrap_or_default();
    let input = ComposerInput {
        channels: post.targets.iter().map(|t| t.channel_id).collect(),
        variants: post
            .targets
            .iter()
            .filter_map(|t| t.text.clone().map(|text| (t.channel_id, text)))
            .collect(),
        title: post.title.clone().unwrap_or_default(),
        text: post.text.clone(),
        link: post.link.clone().unwrap_or_default(),
        when: if post.scheduled_at.is_some() {
            "at".into()
        } else {
            "now".into()
        },
        date,
        time,
        intent: String::new(),
        media_q: String::new(),
        campaign: String::new(),
        category: post.category.map(|c| c.to_string()).unwrap_or_default(),
        media: post.media.iter().map(|m| m.id).collect(),
        alts: Vec::new(),
        media_order: Vec::new(),
        preview_networks: Vec::new(),
    };
    Ok(render(
        &page(&state, &member, Some(id), input, &[], Vec::new()).await?,
    ))
}

/// Field errors of a refused form, translated.
fn field_errors(
    state: &AppState,
    lang: tribune_domain::Lang,
    invalid: &ValidationError,
) -> Vec<(String, String)> {
    invalid
        .violations
        .iter()
        .map(|v| {
            (
                v.field.to_owned(),
                state.i18n().message(lang, v.message_key, None),
            )
        })
        .collect()
}

/// The form again, with what is wrong, as a 422.
async fn refused(
    state: &AppState,
    member: &Member,
    editing: Option<PostId>,
    input: ComposerInput,
    problems: &[ChannelProblem],
    invalid: Option<&ValidationError>,
) -> Result<Response, AppError> {
    let errors = invalid
        .map(|i| field_errors(state, member.ctx.lang, i))
        .unwrap_or_default();
    let page = page(state, member, editing, input, problems, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// `POST /w/{ws}/posts` (new) and `POST /w/{ws}/posts/{id}/edit`: save as a draft, or schedule
/// (submit for approval when the policy asks), after the pre-flight check.
pub async fn save(
    state: &AppState,
    member: &Member,
    editing: Option<PostId>,
    pairs: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let mut input = ComposerInput::from_pairs(pairs);
    if input.intent == "shorten" {
        if let Some(id) = editing {
            state.store().post(&member.scope, id).await?;
        }
        input.intent = String::new();
        return match shorten_input(state, member, editing, &mut input).await {
            Ok(()) => {
                let mut page = page(state, member, editing, input, &[], Vec::new()).await?;
                page.c = page.c.with_flash(Some("flash-links-shortened"));
                Ok(render(&page))
            }
            Err(StoreError::Invalid(invalid)) => {
                refused(state, member, editing, input, &[], Some(&invalid)).await
            }
            Err(other) => Err(other.into()),
        };
    }
    if input.intent == "media" || picker_cursor(&input).is_some() {
        // The picker's search or another page of the library: the form again, nothing saved
        // (the intent stays, so the page shows the page asked for).
        if let Some(id) = editing {
            state.store().post(&member.scope, id).await?;
        }
        return Ok(render(
            &page(state, member, editing, input, &[], Vec::new()).await?,
        ));
    }
    if input.intent == "preview" {
        // "Update the previews" without JavaScript: the form again, nothing saved.
        if let Some(id) = editing {
            state.store().post(&member.scope, id).await?;
        }
        input.intent = String::new();
        return Ok(render(
            &page(state, member, editing, input, &[], Vec::new()).await?,
        ));
    }
    let now = unix_now();
    let ws = state.store().workspace(&member.scope).await?;
    let queue = input.intent == "queue";
    if queue && editing.is_some() {
        return Err(AppError::BadRequest(
            crate::error::BadRequest::QueueNewPostsOnly,
        ));
    }
    // "Add to queue" picks the time: whatever the date fields hold is not used.
    let slot = match input.slot(&ws) {
        _ if queue => None,
        Ok(slot) => slot,
        Err(invalid) => return refused(state, member, editing, input, &[], Some(&invalid)).await,
    };
    let intent = if input.intent == "schedule" || queue {
        Intent::Schedule
    } else {
        Intent::Draft
    };
    let targets = input.targets();
    let title = ComposerInput::optional(&input.title);
    let link = ComposerInput::optional(&input.link);
    let alts = match input.checked_alts() {
        Ok(alts) => alts,
        Err(invalid) => return refused(state, member, editing, input, &[], Some(&invalid)).await,
    };
    let media = preflight::media_facts(state, &member.scope, &input.media, &alts).await?;
    let planned = Planned {
        title: title.as_deref(),
        text: &input.text,
        link: link.as_deref(),
        targets: &targets,
        slot,
        media: &media,
    };
    let problems = preflight::check(state, &member.scope, &planned, now).await?;
    if intent == Intent::Schedule && problems.iter().any(|p| p.problem.is_error()) {
        return refused(state, member, editing, input, &problems, None).await;
    }
    let saved = match editing {
        None if queue => {
            let new = PostNew {
                title,
                text: input.text.clone(),
                link,
                targets,
                scheduled_at: None,
                media: input.media.clone(),
                category: input.category(),
            };
            // One post per channel (each at its channel's next free slot): the first one is
            // shown, the others are on the calendar.
            state
                .store()
                .queue_post(&member.scope, new, now)
                .await
                .and_then(|posts| {
                    posts
                        .into_iter()
                        .next()
                        .ok_or_else(|| StoreError::Internal("queued nothing".into()))
                })
        }
        None => {
            let new = PostNew {
                title,
                text: input.text.clone(),
                link,
                targets,
                scheduled_at: slot,
                media: input.media.clone(),
                category: input.category(),
            };
            state
                .store()
                .create_post(&member.scope, new, intent, now)
                .await
        }
        Some(id) => {
            let patch = PostPatch {
                title: Some(title),
                text: Some(input.text.clone()),
                link: Some(link),
                targets: Some(targets),
                scheduled_at: Some(slot),
                media: Some(input.media.clone()),
                category: Some(input.category()),
            };
            match state
                .store()
                .update_post(&member.scope, id, patch, now)
                .await
            {
                Ok(post) if intent == Intent::Schedule && post.status == TargetStatus::Draft => {
                    state.store().schedule_post(&member.scope, id, now).await
                }
                other => other,
            }
        }
    };
    let post = match saved {
        Ok(post) => post,
        Err(StoreError::Invalid(invalid)) => {
            return refused(state, member, editing, input, &problems, Some(&invalid)).await;
        }
        Err(other) => return Err(other.into()),
    };
    // The post took the media, so they are the workspace's; their alt texts were checked.
    save_alts(state, member, &alts, now).await?;
    crate::links::attach_post(state, &member.scope, &post).await;
    state.wake_jobs();
    let mail_on = state.mailer().await?.is_some();
    let flash = match post.status {
        TargetStatus::PendingApproval if queue => "flash-post-queued-submitted",
        TargetStatus::PendingApproval if !mail_on => "flash-warn-post-submitted-no-mail",
        TargetStatus::PendingApproval => "flash-post-submitted",
        _ if queue => "flash-post-queued",
        TargetStatus::Draft => "flash-post-saved",
        _ => "flash-post-scheduled",
    };
    Ok(see_other(&format!(
        "/w/{}/posts/{}?flash={flash}",
        member.scope.workspace(),
        post.id
    )))
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save(&state, &member, None, pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, id)): Path<(WorkspaceId, PostId)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save(&state, &member, Some(id), pairs).await
}

/// What the live check answers: per channel, the count in the network's own counting and the
/// problems; the typography hints, misspelt words and words to avoid.
#[derive(Serialize)]
pub struct CheckJson {
    channels: Vec<ChannelCheckJson>,
    notes: Vec<NoteJson>,
    /// The previews' markup, escaped as the page's (see [`composer_preview`]).
    previews: String,
}

#[derive(Serialize)]
pub struct ChannelCheckJson {
    id: ChannelId,
    used: usize,
    limit: Option<usize>,
    problems: Vec<ProblemJson>,
}

#[derive(Serialize)]
pub struct ProblemJson {
    error: bool,
    message: String,
}

#[derive(Serialize)]
pub struct NoteJson {
    message: String,
    excerpt: String,
    replacement: String,
}

/// `POST /w/{ws}/compose/check`: the composer's live check, for its script.
pub async fn check(
    State(state): State<AppState>,
    member: Member,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Json<CheckJson>, AppError> {
    let input = ComposerInput::from_pairs(pairs);
    let now = unix_now();
    let ws = state.store().workspace(&member.scope).await?;
    let lang = member.ctx.lang;
    let slot = input.slot(&ws).ok().flatten();
    let targets = input.targets();
    let title = ComposerInput::optional(&input.title);
    let link = ComposerInput::optional(&input.link);
    let media = preflight::media_facts(&state, &member.scope, &input.media, &input.alts).await?;
    let planned = Planned {
        title: title.as_deref(),
        text: &input.text,
        link: link.as_deref(),
        targets: &targets,
        slot,
        media: &media,
    };
    let problems = preflight::check(&state, &member.scope, &planned, now).await?;
    let all_channels = state.store().channels(&member.scope).await?;
    let channels = targets
        .iter()
        .filter_map(|(id, variant)| {
            let channel = all_channels.iter().find(|c| c.id == *id)?;
            let network = channel.network.parse::<ComposeNetwork>().ok()?;
            let draft = tribune_compose::Draft {
                title: title.clone(),
                text: variant.clone().unwrap_or_else(|| input.text.clone()),
                media: media.clone(),
                link: link.clone(),
                first_comment: None,
            };
            let composed = tribune_compose::composed_text(network, &draft);
            let length = tribune_compose::length(network, &composed, &preflight::options(channel));
            Some(ChannelCheckJson {
                id: *id,
                used: length.used,
                limit: length.limit,
                problems: problems
                    .iter()
                    .filter(|p| p.channel_id == *id)
                    .map(|p| ProblemJson {
                        error: p.problem.is_error(),
                        message: p.message(&state, lang),
                    })
                    .collect(),
            })
        })
        .collect();
    let mut notes = notes(&state, lang, &ws, &input.text);
    notes.extend(spelling_notes(&state, lang, &ws, &all_channels, &input.text).await);
    let notes = notes
        .into_iter()
        .map(|n| NoteJson {
            message: n.message,
            excerpt: n.excerpt,
            replacement: n.replacement,
        })
        .collect();
    let attached = composer_preview::media(&state, &member, &input).await?;
    let tr = crate::i18n::Tr::new(&state, lang);
    let cards = composer_preview::cards(
        &all_channels,
        &input,
        &attached,
        &ws.name,
        &tr.t("composer-preview-no-account"),
    );
    let previews = composer_preview::render(&tr, member.scope.workspace(), &cards)?;
    Ok(Json(CheckJson {
        channels,
        notes,
        previews,
    }))
}

/// Turns the links of the post's text and of its selected channels' own texts into short links
/// (see [`crate::links::shorten_text`]): a channel's text is tagged with its network, the shared
/// text with the network of the channels that share it (or [`SHARED_SOURCE`] when they are on
/// several), all with medium `social` and the optional campaign.
async fn shorten_input(
    state: &AppState,
    member: &Member,
    editing: Option<PostId>,
    input: &mut ComposerInput,
) -> Result<(), StoreError> {
    member
        .scope
        .require(tribune_domain::Role::can_write_posts)?;
    let channels = state.store().channels(&member.scope).await?;
    let network_of = |id: ChannelId| {
        channels
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.network.clone())
    };
    let campaign = ComposerInput::optional(&input.campaign);
    let sharing: Vec<ChannelId> = input
        .channels
        .iter()
        .copied()
        .filter(|id| input.variant(*id).is_none() && network_of(*id).is_some())
        .collect();
    let mut networks: Vec<String> = sharing.iter().filter_map(|id| network_of(*id)).collect();
    networks.sort();
    networks.dedup();
    let shared = ShortenTags {
        source: match networks.as_slice() {
            [one] => one.clone(),
            _ => SHARED_SOURCE.to_owned(),
        },
        campaign: campaign.clone(),
        post: editing,
        channel: match sharing.as_slice() {
            [one] => Some(*one),
            _ => None,
        },
    };
    input.text = shorten_text(state, &member.scope, &input.text, &shared).await?;
    for (id, text) in &mut input.variants {
        let Some(network) = network_of(*id) else {
            continue;
        };
        if text.trim().is_empty() || !input.channels.contains(id) {
            continue;
        }
        let tags = ShortenTags {
            source: network,
            campaign: campaign.clone(),
            post: editing,
            channel: Some(*id),
        };
        *text = shorten_text(state, &member.scope, text, &tags).await?;
    }
    Ok(())
}

/// `?post=` of the live "shorten links": the post being edited, if any.
#[derive(serde::Deserialize)]
pub struct ShortenQuery {
    post: Option<PostId>,
}

/// What the composer's script puts back in the editor.
#[derive(Serialize)]
pub struct ShortenJson {
    text: String,
    variants: Vec<VariantJson>,
}

#[derive(Serialize)]
pub struct VariantJson {
    channel: ChannelId,
    text: String,
}

/// `POST /w/{ws}/compose/shorten`: "shorten links" for the composer's script, which puts the
/// texts back in the editor. Refusals (a campaign too long…) answer an error status; the
/// script then sends the form itself, which shows them by their field.
pub async fn shorten(
    State(state): State<AppState>,
    member: Member,
    axum::extract::Query(query): axum::extract::Query<ShortenQuery>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Json<ShortenJson>, AppError> {
    if let Some(id) = query.post {
        state.store().post(&member.scope, id).await?;
    }
    let mut input = ComposerInput::from_pairs(pairs);
    shorten_input(&state, &member, query.post, &mut input).await?;
    Ok(Json(ShortenJson {
        text: input.text,
        variants: input
            .variants
            .into_iter()
            .map(|(channel, text)| VariantJson { channel, text })
            .collect(),
    }))
}
