//! The editorial calendar: a month of posts in the workspace's time zone, coloured by status or
//! by content category (with a legend either way), filtered by channel and status, rendered on the server (a busy month of 2,000 posts is one
//! query for the posts and one for their targets). Dated posts can be dragged to another day
//! (`/posts/{id}/move`, which keeps the time of day); without JavaScript the post's own page
//! reschedules it.

use super::posts::{ChannelName, PostView, channel_names, channel_param, status_key, status_param};
use crate::AppState;
use crate::context::Member;
use crate::dates;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use crate::preflight::{self, Planned};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use tribune_domain::publishing::TargetStatus;
use tribune_domain::{CategoryId, ChannelId, PostId, WorkspaceId};
use tribune_store::channels::Channel;
use tribune_store::posts::Post;
use tribune_store::posts::{MAX_LISTED, PostFilter, PostPatch};
use tribune_store::unix_now;

/// One day of the grid.
pub struct Day {
    pub date: String,
    pub number: i8,
    pub in_month: bool,
    pub today: bool,
    pub posts: Vec<PostView>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    c: Chrome,
    ws_id: WorkspaceId,
    title: String,
    /// The month shown (or the week's month), `2026-12`.
    month: String,
    /// `week` for the week view, empty for the month.
    view: &'static str,
    /// The Monday of the week shown (week view) or of the current week, `2026-12-07`.
    week: String,
    weeks: Vec<Vec<Day>>,
    prev: String,
    next: String,
    channels: Vec<(ChannelId, ChannelName)>,
    channel: Option<ChannelId>,
    status: String,
    statuses: Vec<TargetStatus>,
    tz: TimeZone,
    can_move: bool,
    /// When the member's iCal feed was made (local date), if they have one.
    feed_created: Option<String>,
    /// Posts still to go out that the pre-flight check would stop.
    troubled: HashSet<PostId>,
    /// Posts coloured by their category instead of their status.
    by_category: bool,
    /// The workspace's categories by name: their name and swatch image, for the posts and the
    /// legend.
    categories: Vec<(CategoryId, String, String)>,
}

impl CalendarPage {
    fn status_label(&self, status: &TargetStatus) -> String {
        self.c.tr.t(&status_key(status))
    }

    fn has_problems(&self, view: &PostView) -> bool {
        self.troubled.contains(&view.post.id)
    }

    /// The name and swatch of the post's category, if it has one.
    fn category_of(&self, view: &PostView) -> Option<&(CategoryId, String, String)> {
        let id = view.post.category?;
        self.categories.iter().find(|(c, _, _)| *c == id)
    }

    fn is_channel(&self, id: &ChannelId) -> bool {
        self.channel == Some(*id)
    }

    /// `16:42` in the workspace's zone.
    fn time_of(&self, view: &PostView) -> String {
        dates::to_local(&self.tz, view.when()).1
    }

    /// The query string that keeps the filters when moving to another month or week.
    fn filters(&self) -> String {
        let mut query = String::new();
        if !self.view.is_empty() {
            query.push_str(&format!("&view={}", self.view));
        }
        if let Some(channel) = self.channel {
            query.push_str(&format!("&channel={channel}"));
        }
        if !self.status.is_empty() {
            query.push_str(&format!("&status={}", self.status));
        }
        if self.by_category {
            query.push_str("&colour=category");
        }
        query
    }
}

#[derive(Deserialize)]
pub struct CalendarQuery {
    /// `2026-12`; the current month when absent.
    month: Option<String>,
    /// `week` for the week view.
    view: Option<String>,
    /// A day of the week to show (week view), `2026-12-09`; this week when absent.
    date: Option<String>,
    channel: Option<String>,
    status: Option<String>,
    /// `category` colours the posts by their category; by status otherwise.
    colour: Option<String>,
    flash: Option<String>,
}

fn first_of_month(month: Option<&str>, today: Date) -> Option<Date> {
    match month.filter(|m| !m.is_empty()) {
        None => today.first_of_month().into(),
        Some(month) => {
            let (year, month) = month.split_once('-')?;
            Date::new(year.parse().ok()?, month.parse().ok()?, 1).ok()
        }
    }
}

/// Whether a post still to go out has a problem the pre-flight check would stop it for (a text
/// too long for a network, a broken channel, media a network refuses), as the composer shows.
fn has_problems(post: &Post, channels: &[Channel], now: i64) -> bool {
    if !matches!(
        post.status,
        TargetStatus::Draft
            | TargetStatus::PendingApproval
            | TargetStatus::Scheduled
            | TargetStatus::Failed
    ) {
        return false;
    }
    let targets: Vec<(ChannelId, Option<String>)> = post
        .targets
        .iter()
        .filter(|t| t.status != TargetStatus::Published)
        .map(|t| (t.channel_id, t.text.clone()))
        .collect();
    let media: Vec<_> = post.media.iter().map(preflight::media_info).collect();
    let planned = Planned {
        title: post.title.as_deref(),
        text: &post.text,
        link: post.link.as_deref(),
        targets: &targets,
        slot: post.scheduled_at,
        media: &media,
    };
    preflight::check_with(channels, &planned, now)
        .iter()
        .any(|p| p.problem.is_error())
}

/// The Monday of `date`'s week.
fn monday_of(date: Date) -> Result<Date, AppError> {
    date.checked_sub(jiff::Span::new().days(i64::from(date.weekday().to_monday_zero_offset())))
        .map_err(|e| AppError::Internal(e.into()))
}

/// The Unix second at which `date` starts in `tz`.
fn start_of(date: Date, tz: &TimeZone) -> Option<i64> {
    date.to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

pub async fn month(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<CalendarQuery>,
) -> Result<Response, AppError> {
    let (chrome, ws) = Chrome::for_member(&state, &member).await?;
    let chrome = chrome.with_flash(query.flash.as_deref());
    let tz = dates::zone(&ws.timezone);
    let now = unix_now();
    let today = jiff::Timestamp::from_second(now)
        .map_err(|e| AppError::Internal(e.into()))?
        .to_zoned(tz.clone())
        .date();
    let first = first_of_month(query.month.as_deref(), today)
        .ok_or(AppError::BadRequest(crate::error::BadRequest::Unreadable))?;
    let channel = channel_param(query.channel.as_deref())?;
    let status = status_param(query.status.as_deref())?;
    let week_view = query.view.as_deref() == Some("week");
    let shown_day = match query.date.as_deref().filter(|d| !d.is_empty()) {
        Some(date) => date
            .parse::<Date>()
            .map_err(|_| AppError::BadRequest(crate::error::BadRequest::Unreadable))?,
        None => today,
    };
    // Weeks start on Monday; the month grid covers whole weeks around the month.
    let (grid_start, weeks, first) = if week_view {
        let monday = monday_of(shown_day)?;
        // The week belongs to the month of its Thursday (as ISO weeks belong to years).
        let thursday = monday
            .checked_add(jiff::Span::new().days(3))
            .map_err(|e| AppError::Internal(e.into()))?;
        (monday, 1, thursday.first_of_month())
    } else {
        let lead = i64::from(first.weekday().to_monday_zero_offset());
        let grid_start = first
            .checked_sub(jiff::Span::new().days(lead))
            .map_err(|e| AppError::Internal(e.into()))?;
        let last = first.last_of_month();
        let days = (last
            .since(grid_start)
            .map_err(|e| AppError::Internal(e.into()))?)
        .get_days()
            + 1;
        (grid_start, (i64::from(days) + 6) / 7, first)
    };
    let grid_end = grid_start
        .checked_add(jiff::Span::new().days(weeks * 7))
        .map_err(|e| AppError::Internal(e.into()))?;
    let posts = state
        .store()
        .posts(
            &member.scope,
            &PostFilter {
                from: start_of(grid_start, &tz),
                to: start_of(grid_end, &tz),
                status,
                channel,
                by_schedule: true,
                limit: MAX_LISTED,
                ..PostFilter::default()
            },
        )
        .await?;
    let all_channels = state.store().channels(&member.scope).await?;
    let by_category = match query.colour.as_deref() {
        None | Some("" | "status") => false,
        Some("category") => true,
        Some(_) => return Err(AppError::BadRequest(crate::error::BadRequest::Unreadable)),
    };
    let categories = if by_category {
        state
            .store()
            .categories(&member.scope)
            .await?
            .into_iter()
            .map(|c| (c.id, super::queue::swatch(&c.colour), c.name))
            .map(|(id, swatch, name)| (id, name, swatch))
            .collect()
    } else {
        Vec::new()
    };
    let feed_created = state
        .store()
        .calendar_feed(&member.scope)
        .await?
        .map(|feed| dates::to_local(&tz, feed.created_at).0);
    let names = channel_names(&all_channels);
    let mut by_day: HashMap<String, Vec<PostView>> = HashMap::new();
    let mut troubled = HashSet::new();
    for post in posts {
        if has_problems(&post, &all_channels, now) {
            troubled.insert(post.id);
        }
        let view = PostView::new(post, &names);
        let (day, _) = dates::to_local(&tz, view.when());
        by_day.entry(day).or_default().push(view);
    }
    let mut grid = Vec::new();
    let mut day = grid_start;
    for _ in 0..weeks {
        let mut week = Vec::new();
        for _ in 0..7 {
            let key = day.strftime("%Y-%m-%d").to_string();
            week.push(Day {
                posts: by_day.remove(&key).unwrap_or_default(),
                date: key,
                number: day.day(),
                in_month: week_view || day.month() == first.month(),
                today: day == today,
            });
            day = day.tomorrow().map_err(|e| AppError::Internal(e.into()))?;
        }
        grid.push(week);
    }
    let month_name = chrome.tr.t(&format!("month-long-{}", first.month()));
    let step = if week_view {
        jiff::Span::new().weeks(1)
    } else {
        jiff::Span::new().months(1)
    };
    let base = if week_view { grid_start } else { first };
    let prev = base
        .checked_sub(step)
        .map_err(|e| AppError::Internal(e.into()))?;
    let next = base
        .checked_add(step)
        .map_err(|e| AppError::Internal(e.into()))?;
    let (title, prev, next) = if week_view {
        let sunday = grid_start
            .checked_add(jiff::Span::new().days(6))
            .map_err(|e| AppError::Internal(e.into()))?;
        let end_month = chrome.tr.t(&format!("month-long-{}", sunday.month()));
        (
            chrome.tr.t2(
                "calendar-week-title",
                (
                    "from",
                    format!(
                        "{} {}",
                        grid_start.day(),
                        chrome.tr.t(&format!("month-long-{}", grid_start.month()))
                    ),
                ),
                (
                    "to",
                    format!("{} {end_month} {}", sunday.day(), sunday.year()),
                ),
            ),
            format!("date={}", prev.strftime("%Y-%m-%d")),
            format!("date={}", next.strftime("%Y-%m-%d")),
        )
    } else {
        (
            format!("{month_name} {}", first.year()),
            format!("month={}", prev.strftime("%Y-%m")),
            format!("month={}", next.strftime("%Y-%m")),
        )
    };
    render_calendar(CalendarPage {
        title,
        month: first.strftime("%Y-%m").to_string(),
        view: if week_view { "week" } else { "" },
        week: monday_of(if week_view { grid_start } else { today })?
            .strftime("%Y-%m-%d")
            .to_string(),
        ws_id: member.scope.workspace(),
        weeks: grid,
        prev,
        next,
        channels: all_channels
            .iter()
            .map(|c| (c.id, names.get(&c.id).cloned()))
            .filter_map(|(id, n)| n.map(|n| (id, n)))
            .collect(),
        channel,
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        statuses: TargetStatus::ALL.to_vec(),
        tz,
        can_move: member.scope.role().can_write_posts(),
        feed_created,
        troubled,
        by_category,
        categories,
        c: chrome,
    })
}

fn render_calendar(page: CalendarPage) -> Result<Response, AppError> {
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct MoveForm {
    /// The new day, `2026-12-14`; the time of day stays.
    date: String,
}

/// Moves a dated post to another day at the same time of day (the calendar's drag and drop).
pub async fn move_post(
    State(state): State<AppState>,
    member: Member,
    Path((ws_id, id)): Path<(WorkspaceId, PostId)>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let ws = state.store().workspace(&member.scope).await?;
    let tz = dates::zone(&ws.timezone);
    let post = state.store().post(&member.scope, id).await?;
    let at = post
        .scheduled_at
        .ok_or(AppError::BadRequest(crate::error::BadRequest::Unreadable))?;
    let (_, time) = dates::to_local(&tz, at);
    let moved = dates::from_local(&tz, &form.date, &time).ok_or(AppError::Invalid(
        tribune_domain::ValidationError::single("scheduled_at", "error-time-invalid"),
    ))?;
    state
        .store()
        .update_post(
            &member.scope,
            id,
            PostPatch {
                scheduled_at: Some(Some(moved)),
                ..PostPatch::default()
            },
            unix_now(),
        )
        .await?;
    state.wake_jobs();
    let month = form.date.get(..7).unwrap_or_default().to_owned();
    Ok(see_other(&format!(
        "/w/{ws_id}/calendar?month={month}&flash=flash-post-moved"
    )))
}
