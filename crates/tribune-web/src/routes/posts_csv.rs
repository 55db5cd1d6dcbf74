//! Posts in bulk, as CSV: export the workspace's posts, and import many posts from a file a
//! person made in a spreadsheet.
//!
//! **Import.** Columns are found by their header (English or French names, any order, any case):
//! `channels` (names, handles, networks or ids, separated by `|`), `text`, and optionally `date`
//! (`2026-12-14` or `14/12/2026`), `time` (`09:30`, `9h30`), `title`, `link`. Rows with a date are
//! scheduled (or submitted for approval, as the workspace's policy asks) unless the person asks
//! for drafts; rows without one become drafts. The separator (`,` `;` or tab) is read from the
//! header line; UTF-8 (with or without a BOM) and Windows-1252 (what a French Excel saves) are
//! both read. Every row is checked as the composer checks a post (lengths, link, the channels
//! being the workspace's, a date not in the past, the networks' rules for a scheduled row), and
//! the errors are shown row by row. A file without errors is imported at once; from a file with
//! errors nothing is imported unless the person confirms the valid rows. Either way the posts
//! are written in one transaction: all of them or none.
//!
//! **Export** writes the same columns (plus `id`, `status` and the published addresses, which an
//! import ignores), so an export can be edited and imported again. Cells a spreadsheet would run
//! as a formula (`=`, `+`, `-`, `@` first) are prefixed with `'`, which the import takes off.

use super::posts::{ChannelName, channel_names, channel_param, status_key, status_param};
use crate::AppState;
use crate::context::Member;
use crate::dates;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use crate::preflight::{self, Planned};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use fluent_bundle::FluentArgs;
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::collections::HashMap;
use tribune_domain::{ChannelId, Lang, Role};
use tribune_store::StoreError;
use tribune_store::channels::Channel;
use tribune_store::posts::{Intent, MAX_LISTED, PostFilter, PostNew, check_post};
use tribune_store::unix_now;

/// The largest file taken (it travels again, in the confirmation form, inside the body limit).
pub const MAX_CSV_BYTES: usize = 256 * 1024;
/// The most rows one file may hold.
pub const MAX_CSV_ROWS: usize = 500;

/// What a column is for, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Channels,
    Date,
    Time,
    Title,
    Text,
    Link,
}

fn column_of(header: &str) -> Option<Column> {
    let header = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    Some(match header.as_str() {
        "channels" | "channel" | "canaux" | "canal" | "comptes" | "compte" => Column::Channels,
        "date" | "jour" => Column::Date,
        "time" | "heure" => Column::Time,
        "title" | "titre" => Column::Title,
        "text" | "texte" | "message" | "contenu" => Column::Text,
        "link" | "lien" | "url" => Column::Link,
        _ => return None,
    })
}

/// A file that cannot be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    Empty,
    TooLarge,
    TooManyRows,
    Unreadable,
    MissingColumns,
}

impl FileProblem {
    fn key(self) -> &'static str {
        match self {
            FileProblem::Empty => "csv-error-empty",
            FileProblem::TooLarge => "csv-error-too-large",
            FileProblem::TooManyRows => "csv-error-too-many-rows",
            FileProblem::Unreadable => "csv-error-unreadable",
            FileProblem::MissingColumns => "csv-error-missing-columns",
        }
    }
}

/// One row as the file gives it.
#[derive(Debug, Clone, Default)]
struct RawRow {
    /// The line of the file the row starts on (the header is line 1).
    line: u64,
    channels: String,
    date: String,
    time: String,
    title: String,
    text: String,
    link: String,
}

/// The file's text: UTF-8 (a BOM is dropped), else Windows-1252.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The separator the header line uses most.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// A cell as a spreadsheet-safe export wrote it, back to what it was.
fn unguard(cell: &str) -> String {
    let cell = cell.trim_matches(['\r']);
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// A cell a spreadsheet would not run as a formula.
fn guard(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn parse_rows(text: &str) -> Result<Vec<RawRow>, FileProblem> {
    if text.trim().is_empty() {
        return Err(FileProblem::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| FileProblem::Unreadable)?
        .clone();
    let columns: Vec<Option<Column>> = headers.iter().map(column_of).collect();
    if !columns.contains(&Some(Column::Channels)) || !columns.contains(&Some(Column::Text)) {
        return Err(FileProblem::MissingColumns);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| FileProblem::Unreadable)?;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_CSV_ROWS {
            return Err(FileProblem::TooManyRows);
        }
        let mut row = RawRow {
            line: record
                .position()
                .map(|p| line_at(text, p.byte()))
                .unwrap_or_default(),
            ..RawRow::default()
        };
        for (cell, column) in record.iter().zip(&columns) {
            let value = unguard(cell);
            match column {
                Some(Column::Channels) => row.channels = value,
                Some(Column::Date) => row.date = value,
                Some(Column::Time) => row.time = value,
                Some(Column::Title) => row.title = value,
                Some(Column::Text) => row.text = value,
                Some(Column::Link) => row.link = value,
                None => {}
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(FileProblem::Empty);
    }
    Ok(rows)
}

/// The line (from 1) a record starting at `byte` is on: the reader's own position may still be
/// before the line break that ends the previous record.
fn line_at(text: &str, byte: u64) -> u64 {
    let start = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    let skipped = text[start..]
        .bytes()
        .take_while(|b| *b == b'\r' || *b == b'\n')
        .filter(|b| *b == b'\n')
        .count();
    let before = text.as_bytes()[..start]
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    u64::try_from(before + skipped + 1).unwrap_or(u64::MAX)
}

/// `2026-12-14` or the French `14/12/2026`.
fn parse_date(value: &str) -> Option<jiff::civil::Date> {
    let value = value.trim();
    if let Ok(date) = value.parse::<jiff::civil::Date>() {
        return Some(date);
    }
    let mut parts = value.split(['/', '.']);
    let day: i8 = parts.next()?.trim().parse().ok()?;
    let month: i8 = parts.next()?.trim().parse().ok()?;
    let year: i16 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    jiff::civil::Date::new(year, month, day).ok()
}

/// `09:30`, `9:30:00` or the French `9h30` / `9h`.
fn parse_time(value: &str) -> Option<jiff::civil::Time> {
    let value = value.trim().to_lowercase();
    let (hour, rest) = value.split_once([':', 'h'])?;
    let hour: i8 = hour.trim().parse().ok()?;
    let mut rest = rest.split(':');
    let minute = rest.next().unwrap_or_default().trim();
    let minute: i8 = if minute.is_empty() {
        0
    } else {
        minute.parse().ok()?
    };
    let second: i8 = match rest.next() {
        Some(s) => s.trim().parse().ok()?,
        None => 0,
    };
    if rest.next().is_some() {
        return None;
    }
    jiff::civil::Time::new(hour, minute, second, 0).ok()
}

/// The workspace's channels, found by id, name, handle or network.
struct ChannelIndex<'a> {
    channels: &'a [Channel],
}

enum Found {
    One(ChannelId),
    Unknown,
    Ambiguous,
}

impl ChannelIndex<'_> {
    fn find(&self, name: &str) -> Found {
        let wanted = name.trim().trim_start_matches('@').to_lowercase();
        if let Some(c) = self.channels.iter().find(|c| c.id.to_string() == wanted) {
            return Found::One(c.id);
        }
        let by = |pick: &dyn Fn(&Channel) -> bool| -> Vec<ChannelId> {
            self.channels
                .iter()
                .filter(|c| pick(c))
                .map(|c| c.id)
                .collect()
        };
        for matches in [
            by(&|c: &Channel| c.display_name.trim().to_lowercase() == wanted),
            by(&|c: &Channel| c.handle.trim_start_matches('@').to_lowercase() == wanted),
            by(&|c: &Channel| c.network.to_lowercase() == wanted),
        ] {
            match matches.as_slice() {
                [] => continue,
                [one] => return Found::One(*one),
                _ => return Found::Ambiguous,
            }
        }
        Found::Unknown
    }

    /// The channels a cell names: the whole cell when it is one channel's name, else its
    /// `|`-separated (or `,`-separated) parts.
    fn resolve(&self, cell: &str, errors: &mut Vec<RowError>) -> Vec<ChannelId> {
        let cell = cell.trim();
        if cell.is_empty() {
            errors.push(RowError::key(
                "csv-column-channels",
                "error-post-no-channel",
            ));
            return Vec::new();
        }
        if let Found::One(id) = self.find(cell) {
            return vec![id];
        }
        let separator = if cell.contains('|') { '|' } else { ',' };
        let mut found = Vec::new();
        for part in cell
            .split(separator)
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match self.find(part) {
                Found::One(id) if !found.contains(&id) => found.push(id),
                Found::One(_) => {}
                Found::Unknown => errors.push(RowError::named("csv-error-channel-unknown", part)),
                Found::Ambiguous => {
                    errors.push(RowError::named("csv-error-channel-ambiguous", part));
                }
            }
        }
        found
    }
}

/// `label: message`, with the French espace insécable before the colon.
fn colon(lang: Lang) -> &'static str {
    if lang == Lang::Fr { "\u{a0}: " } else { ": " }
}

/// One thing wrong with a row, as a catalogue key with what it is about.
#[derive(Debug, Clone)]
struct RowError {
    /// The column's label key, when the error is about one column.
    column: Option<&'static str>,
    key: String,
    /// A value quoted in the message (`$name`).
    name: Option<String>,
    /// Already in the reader's language (a network's rule).
    text: Option<String>,
}

impl RowError {
    fn key(column: &'static str, key: &'static str) -> RowError {
        RowError {
            column: Some(column),
            key: key.to_owned(),
            name: None,
            text: None,
        }
    }

    fn named(key: &'static str, name: &str) -> RowError {
        RowError {
            column: Some("csv-column-channels"),
            key: key.to_owned(),
            name: Some(name.chars().take(80).collect()),
            text: None,
        }
    }

    fn message(&self, state: &AppState, lang: Lang) -> String {
        let body = match &self.text {
            Some(text) => text.clone(),
            None => {
                let mut args = FluentArgs::new();
                if let Some(name) = &self.name {
                    args.set("name", name.clone());
                }
                state.i18n().message(lang, &self.key, Some(&args))
            }
        };
        match self.column {
            Some(column) => format!(
                "{}{}{body}",
                state.i18n().message(lang, column, None),
                colon(lang)
            ),
            None => body,
        }
    }
}

/// A row once checked: the post it makes, or what is wrong with it.
pub struct CheckedRow {
    pub line: u64,
    pub when: String,
    pub channels: String,
    pub excerpt: String,
    pub errors: Vec<String>,
    post: Option<(PostNew, Intent)>,
}

impl CheckedRow {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

fn field_column(field: &str) -> &'static str {
    match field {
        "title" => "csv-column-title",
        "link" => "csv-column-link",
        "channels" => "csv-column-channels",
        "scheduled_at" => "csv-column-date",
        _ => "csv-column-text",
    }
}

struct Checker<'a> {
    state: &'a AppState,
    lang: Lang,
    tz: TimeZone,
    index: ChannelIndex<'a>,
    names: HashMap<ChannelId, ChannelName>,
    as_drafts: bool,
    now: i64,
}

impl Checker<'_> {
    async fn check(&self, row: RawRow) -> Result<CheckedRow, AppError> {
        let mut errors = Vec::new();
        let targets: Vec<(ChannelId, Option<String>)> = self
            .index
            .resolve(&row.channels, &mut errors)
            .into_iter()
            .map(|c| (c, None))
            .collect();
        let date = row.date.trim();
        let time = row.time.trim();
        let slot = match (date.is_empty(), time.is_empty()) {
            (true, true) => None,
            (true, false) => {
                errors.push(RowError::key("csv-column-date", "csv-error-date-missing"));
                None
            }
            (false, _) => {
                let day = parse_date(date);
                let at = if time.is_empty() {
                    Some(jiff::civil::Time::midnight())
                } else {
                    parse_time(time)
                };
                if day.is_none() {
                    errors.push(RowError::key("csv-column-date", "csv-error-date"));
                }
                if at.is_none() {
                    errors.push(RowError::key("csv-column-time", "csv-error-time"));
                }
                match (day, at) {
                    (Some(day), Some(at)) => day
                        .to_datetime(at)
                        .to_zoned(self.tz.clone())
                        .ok()
                        .map(|z| z.timestamp().as_second()),
                    _ => None,
                }
            }
        };
        let intent = if slot.is_some() && !self.as_drafts {
            Intent::Schedule
        } else {
            Intent::Draft
        };
        let optional = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let new = PostNew {
            title: optional(&row.title),
            text: row.text.clone(),
            link: optional(&row.link),
            targets: targets.clone(),
            scheduled_at: slot,
            ..PostNew::default()
        };
        if let Err(invalid) = check_post(&new, self.now) {
            for v in invalid.violations {
                // An empty channel list was already said, with its column.
                if v.field == "channels" && v.message_key == "error-post-no-channel" {
                    continue;
                }
                errors.push(RowError::key(field_column(v.field), v.message_key));
            }
        }
        if intent == Intent::Schedule && errors.is_empty() {
            let planned = Planned {
                title: new.title.as_deref(),
                text: &new.text,
                link: new.link.as_deref(),
                targets: &targets,
                slot,
                // An imported row carries no media.
                media: &[],
            };
            for problem in preflight::check_with(self.index.channels, &planned, self.now) {
                if problem.problem.is_error() {
                    let channel = self
                        .names
                        .get(&problem.channel_id)
                        .map(|n| n.name.clone())
                        .unwrap_or_default();
                    errors.push(RowError {
                        column: None,
                        key: String::new(),
                        name: None,
                        text: Some(format!(
                            "{channel}{}{}",
                            colon(self.lang),
                            problem.message(self.state, self.lang)
                        )),
                    });
                }
            }
        }
        let when = slot
            .map(|s| {
                let (d, t) = dates::to_local(&self.tz, s);
                format!("{d} {t}")
            })
            .unwrap_or_default();
        let channels = targets
            .iter()
            .filter_map(|(c, _)| self.names.get(c).map(|n| n.name.clone()))
            .collect::<Vec<_>>()
            .join(", ");
        let first = row.text.lines().next().unwrap_or_default();
        let mut excerpt: String = first.chars().take(100).collect();
        if first.chars().count() > 100 {
            excerpt.push('…');
        }
        let errors: Vec<String> = errors
            .iter()
            .map(|e| e.message(self.state, self.lang))
            .collect();
        Ok(CheckedRow {
            line: row.line,
            when,
            channels,
            excerpt,
            post: errors.is_empty().then_some((new, intent)),
            errors,
        })
    }
}

/// Reads and checks a whole file.
async fn check_file(
    state: &AppState,
    member: &Member,
    text: &str,
    as_drafts: bool,
) -> Result<Result<Vec<CheckedRow>, FileProblem>, AppError> {
    if text.len() > MAX_CSV_BYTES {
        return Ok(Err(FileProblem::TooLarge));
    }
    let rows = match parse_rows(text) {
        Ok(rows) => rows,
        Err(problem) => return Ok(Err(problem)),
    };
    let ws = state.store().workspace(&member.scope).await?;
    let channels = state.store().channels(&member.scope).await?;
    let checker = Checker {
        state,
        lang: member.ctx.lang,
        tz: dates::zone(&ws.timezone),
        index: ChannelIndex {
            channels: &channels,
        },
        names: channel_names(&channels),
        as_drafts,
        now: unix_now(),
    };
    let mut checked = Vec::with_capacity(rows.len());
    for row in rows {
        checked.push(checker.check(row).await?);
    }
    Ok(Ok(checked))
}

#[derive(Template)]
#[template(path = "posts_import.html")]
pub struct ImportPage {
    c: Chrome,
    ws_id: tribune_domain::WorkspaceId,
    /// What made the whole file unreadable.
    problem: Option<String>,
    rows: Vec<CheckedRow>,
    valid: usize,
    invalid: usize,
    /// The file again, for the confirmation form.
    csv: String,
    as_drafts: bool,
}

impl ImportPage {
    fn count(&self, n: &usize) -> i64 {
        i64::try_from(*n).unwrap_or(i64::MAX)
    }
}

async fn import_page(
    state: &AppState,
    member: &Member,
    problem: Option<FileProblem>,
    rows: Vec<CheckedRow>,
    csv: String,
    as_drafts: bool,
) -> Result<ImportPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    let problem = problem.map(|p| {
        let mut args = FluentArgs::new();
        args.set("rows", MAX_CSV_ROWS);
        args.set("kib", MAX_CSV_BYTES / 1024);
        state.i18n().message(member.ctx.lang, p.key(), Some(&args))
    });
    let valid = rows.iter().filter(|r| r.is_valid()).count();
    Ok(ImportPage {
        c: chrome,
        ws_id: member.scope.workspace(),
        problem,
        invalid: rows.len() - valid,
        valid,
        rows,
        csv,
        as_drafts,
    })
}

/// The form again (422) with what made the whole file unreadable.
async fn refused_file(
    state: &AppState,
    member: &Member,
    problem: FileProblem,
) -> Result<Response, AppError> {
    let page = import_page(
        state,
        member,
        Some(problem),
        Vec::new(),
        String::new(),
        false,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// `GET /w/{ws}/posts/import`: the form, with the expected columns.
pub async fn form(State(state): State<AppState>, member: Member) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let page = import_page(&state, &member, None, Vec::new(), String::new(), false).await?;
    Ok(render(&page))
}

/// Imports the valid rows, all in one transaction, and goes to the list.
async fn import_rows(
    state: &AppState,
    member: &Member,
    rows: Vec<CheckedRow>,
) -> Result<Response, AppError> {
    let posts: Vec<(PostNew, Intent)> = rows.into_iter().filter_map(|r| r.post).collect();
    if posts.is_empty() {
        return Err(AppError::BadRequest(
            crate::error::BadRequest::CsvNothingValid,
        ));
    }
    match state
        .store()
        .create_posts(&member.scope, posts, unix_now())
        .await
    {
        Ok(_) => {}
        Err(StoreError::Invalid(invalid)) => return Err(AppError::Invalid(invalid)),
        Err(other) => return Err(other.into()),
    }
    state.wake_jobs();
    Ok(see_other(&format!(
        "/w/{}/posts?flash=flash-posts-imported",
        member.scope.workspace()
    )))
}

/// `POST /w/{ws}/posts/import` (a file): imports it when every row is valid, else shows the
/// rows with their errors and asks before importing the valid ones.
pub async fn upload(
    State(state): State<AppState>,
    member: Member,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let mut file = None;
    let mut as_drafts = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest(crate::error::BadRequest::Form))?
    {
        match field.name() {
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
                file = Some(bytes);
            }
            Some("as_drafts") => as_drafts = true,
            _ => {}
        }
    }
    let bytes = file.unwrap_or_default();
    let (text, problem) = if bytes.len() > MAX_CSV_BYTES {
        (String::new(), Some(FileProblem::TooLarge))
    } else {
        (decode(&bytes), None)
    };
    let checked = match problem {
        Some(problem) => Err(problem),
        None => check_file(&state, &member, &text, as_drafts).await?,
    };
    match checked {
        Ok(rows) if rows.iter().all(CheckedRow::is_valid) => {
            import_rows(&state, &member, rows).await
        }
        Ok(rows) => {
            let page = import_page(&state, &member, None, rows, text, as_drafts).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(problem) => refused_file(&state, &member, problem).await,
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    csv: String,
    #[serde(default)]
    as_drafts: Option<String>,
}

/// `POST /w/{ws}/posts/import/confirm`: the person saw the errors and imports the valid rows
/// (checked again: a row that became invalid since is left out).
pub async fn confirm(
    State(state): State<AppState>,
    member: Member,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_write_posts)?;
    let as_drafts = form.as_drafts.is_some();
    match check_file(&state, &member, &form.csv, as_drafts).await? {
        Ok(rows) => import_rows(&state, &member, rows).await,
        Err(problem) => refused_file(&state, &member, problem).await,
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    status: Option<String>,
    channel: Option<String>,
}

/// `GET /w/{ws}/posts/export.csv`: the workspace's posts (the list's filters apply), newest
/// first, dates in the workspace's time zone.
pub async fn export(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let status = status_param(query.status.as_deref())?;
    let channel = channel_param(query.channel.as_deref())?;
    let ws = state.store().workspace(&member.scope).await?;
    let tz = dates::zone(&ws.timezone);
    let posts = state
        .store()
        .posts(
            &member.scope,
            &PostFilter {
                status,
                channel,
                limit: MAX_LISTED,
                ..PostFilter::default()
            },
        )
        .await?;
    let channels = state.store().channels(&member.scope).await?;
    let names = export_names(&channels);
    let lang = member.ctx.lang;
    // A French spreadsheet expects `;` between cells.
    let separator = if lang == Lang::Fr { b';' } else { b',' };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(separator)
        .from_writer(b"\xef\xbb\xbf".to_vec());
    let write = |writer: &mut csv::Writer<Vec<u8>>, cells: &[String]| {
        writer
            .write_record(cells.iter().map(|c| guard(c)))
            .map_err(|e| AppError::Internal(e.into()))
    };
    write(
        &mut writer,
        &[
            "id",
            "status",
            "date",
            "time",
            "channels",
            "title",
            "text",
            "link",
            "published",
        ]
        .map(str::to_owned),
    )?;
    for post in posts {
        let (date, time) = post
            .scheduled_at
            .map(|at| dates::to_local(&tz, at))
            .unwrap_or_default();
        let targets = post
            .targets
            .iter()
            .filter_map(|t| names.get(&t.channel_id).cloned())
            .collect::<Vec<_>>()
            .join(" | ");
        let published = post
            .targets
            .iter()
            .filter_map(|t| t.remote_url.clone())
            .collect::<Vec<_>>()
            .join(" ");
        write(
            &mut writer,
            &[
                post.id.to_string(),
                state.i18n().message(lang, &status_key(&post.status), None),
                date,
                time,
                targets,
                post.title.clone().unwrap_or_default(),
                post.text.clone(),
                post.link.clone().unwrap_or_default(),
                published,
            ],
        )?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"tribune-posts.csv\""),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// How the export names each channel: by its name, or by its id where two channels share a name
/// (so the import finds each again).
fn export_names(channels: &[Channel]) -> HashMap<ChannelId, String> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for c in channels {
        *count
            .entry(c.display_name.trim().to_lowercase())
            .or_default() += 1;
    }
    channels
        .iter()
        .map(|c| {
            let unique = count
                .get(&c.display_name.trim().to_lowercase())
                .is_some_and(|n| *n == 1)
                && !c.display_name.contains(['|', ','])
                && !c.display_name.trim().is_empty();
            let name = if unique {
                c.display_name.trim().to_owned()
            } else {
                c.id.to_string()
            };
            (c.id, name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_read_from_the_header() {
        assert_eq!(delimiter("channels;text;date\na;b,c;d"), b';');
        assert_eq!(delimiter("channels,text\n"), b',');
        assert_eq!(delimiter("channels\ttext\n"), b'\t');
    }

    #[test]
    fn windows_1252_and_a_bom_are_read() {
        assert_eq!(decode(b"\xef\xbb\xbftext\ncaf\xc3\xa9"), "text\ncafé");
        assert_eq!(decode(b"text\ncaf\xe9 \x80"), "text\ncafé €");
    }

    #[test]
    fn dates_and_times_as_people_type_them() {
        let d = |s: &str| parse_date(s).map(|d| d.to_string());
        assert_eq!(d("2026-12-14").as_deref(), Some("2026-12-14"));
        assert_eq!(d("14/12/2026").as_deref(), Some("2026-12-14"));
        assert_eq!(d("31/02/2026"), None);
        assert_eq!(d("demain"), None);
        let t = |s: &str| parse_time(s).map(|t| t.strftime("%H:%M").to_string());
        assert_eq!(t("09:30").as_deref(), Some("09:30"));
        assert_eq!(t("9h30").as_deref(), Some("09:30"));
        assert_eq!(t("9h").as_deref(), Some("09:00"));
        assert_eq!(t("9:30:00").as_deref(), Some("09:30"));
        assert_eq!(t("25:00"), None);
        assert_eq!(t("midi"), None);
    }

    #[test]
    fn formulas_are_guarded_on_export_and_unguarded_on_import() {
        for cell in ["=1+1", "@acme merci", "-20 %", "+33 6", "plain", "'quoted"] {
            assert_eq!(unguard(&guard(cell)), cell);
        }
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("@acme"), "'@acme");
    }

    #[test]
    fn columns_are_found_by_english_or_french_headers_and_rows_keep_their_line() {
        let rows = parse_rows(
            "Canaux;Texte;Date;Heure\nBluesky;\"Bonjour\nà tous\";14/12/2026;9h30\n;;;\nMastodon;Salut;;\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].text, "Bonjour\nà tous");
        assert_eq!(
            rows[1].line, 5,
            "the multi-line cell and the blank row count"
        );
        let rows = parse_rows("channels,text\r\na,b\r\n\r\nc,d\r\n").unwrap();
        assert_eq!([rows[0].line, rows[1].line], [2, 4]);
        assert_eq!(
            parse_rows("date;time\n2026-12-14;09:00\n").unwrap_err(),
            FileProblem::MissingColumns
        );
        assert_eq!(parse_rows("  \n").unwrap_err(), FileProblem::Empty);
        let many = format!("channels,text\n{}", "a,b\n".repeat(MAX_CSV_ROWS + 1));
        assert_eq!(parse_rows(&many).unwrap_err(), FileProblem::TooManyRows);
    }
}
