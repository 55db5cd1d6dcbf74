//! The calendar's secret iCal feed: `GET /ical/{token}.ics` gives a calendar application (Google
//! Calendar, Apple Calendar, Thunderbird, Outlook) the workspace's dated posts, from two months
//! back to a year ahead, as RFC 5545 events. No session: the token is the authorisation, and it
//! reads as its member (see `tribune_store::calendar_feeds`). An unknown token is a plain 404.
//!
//! A member makes or resets their feed from the calendar page; the address is shown once, on the
//! page the reset answers with (never in a URL, where logs and history would keep it).

use super::posts::{ChannelName, channel_names, status_key};
use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use std::collections::HashMap;
use tribune_domain::publishing::TargetStatus;
use tribune_domain::{ChannelId, Lang, WorkspaceId};
use tribune_store::posts::{MAX_LISTED, Post, PostFilter};
use tribune_store::unix_now;

/// How far back and ahead the feed reaches.
const FEED_PAST_SECS: i64 = 62 * 86_400;
const FEED_AHEAD_SECS: i64 = 366 * 86_400;
/// Each post shows as a short event at its time.
const EVENT_SECS: i64 = 15 * 60;

/// `GET /ical/{token}.ics`.
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let now = unix_now();
    let scope = state
        .store()
        .scope_by_calendar_feed(token, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let ws = state.store().workspace(&scope).await?;
    let lang = match scope.user() {
        Some(user) => state.store().user(user).await?.lang(),
        None => None,
    }
    .or_else(|| ws.languages.first().copied())
    .unwrap_or_default();
    let posts = state
        .store()
        .posts(
            &scope,
            &PostFilter {
                from: Some(now - FEED_PAST_SECS),
                to: Some(now + FEED_AHEAD_SECS),
                by_schedule: true,
                limit: MAX_LISTED,
                ..PostFilter::default()
            },
        )
        .await?;
    let names = channel_names(&state.store().channels(&scope).await?);
    let base = state.config().public_url.trim_end_matches('/').to_owned();
    let text = FeedWriter {
        state: &state,
        lang,
        ws_id: ws.id,
        base: &base,
        names: &names,
    }
    .calendar(&ws.name, &ws.timezone, &posts, now);
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"tribune.ics\""),
    );
    // Calendar applications poll; a shared cache must never keep a private feed.
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    Ok(response)
}

struct FeedWriter<'a> {
    state: &'a AppState,
    lang: Lang,
    ws_id: WorkspaceId,
    base: &'a str,
    names: &'a HashMap<ChannelId, ChannelName>,
}

impl FeedWriter<'_> {
    fn t(&self, key: &str) -> String {
        self.state.i18n().message(self.lang, key, None)
    }

    fn calendar(&self, name: &str, timezone: &str, posts: &[Post], now: i64) -> String {
        let mut calendar = Calendar::new();
        calendar
            .name(&format!("{name} — tribune"))
            .timezone(timezone)
            .ttl(&chrono::Duration::minutes(30));
        let stamp = utc(now);
        for post in posts {
            if let Some(event) = self.event(post, stamp) {
                calendar.push(event);
            }
        }
        calendar.done().to_string()
    }

    fn event(&self, post: &Post, stamp: chrono::DateTime<chrono::Utc>) -> Option<Event> {
        let at = post.scheduled_at?;
        let channels: Vec<String> = post
            .targets
            .iter()
            .filter_map(|t| self.names.get(&t.channel_id))
            .map(|n| format!("{} ({})", n.name, n.network))
            .collect();
        let status = self.t(&status_key(&post.status));
        let first_line: String = post
            .text
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(80)
            .collect();
        let summary = match &post.title {
            Some(title) => format!("[{status}] {title}"),
            None => format!("[{status}] {first_line}"),
        };
        let url = format!("{}/w/{}/posts/{}", self.base, self.ws_id, post.id);
        let mut description = post.text.clone();
        description.push_str("\n\n");
        description.push_str(&channels.join(", "));
        for target in &post.targets {
            if let Some(remote) = &target.remote_url {
                description.push('\n');
                description.push_str(remote);
            }
        }
        let mut event = Event::new();
        event
            .uid(&format!("post-{}-{}@tribune", self.ws_id, post.id))
            .timestamp(stamp)
            .last_modified(utc(post.updated_at))
            .starts(utc(at))
            .ends(utc(at + EVENT_SECS))
            .summary(&summary)
            .description(&description)
            .url(&url)
            .status(match post.status {
                TargetStatus::Draft | TargetStatus::PendingApproval => EventStatus::Tentative,
                _ => EventStatus::Confirmed,
            })
            .categories(
                post.targets
                    .iter()
                    .filter_map(|t| self.names.get(&t.channel_id))
                    .map(|n| n.network.clone()),
            );
        Some(event.done())
    }
}

fn utc(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "calendar_feed.html")]
pub struct FeedPage {
    c: Chrome,
    ws_id: WorkspaceId,
    url: String,
}

/// `POST /w/{ws}/calendar/feed`: makes (or replaces) the member's feed and shows its address.
pub async fn reset(State(state): State<AppState>, member: Member) -> Result<Response, AppError> {
    let (chrome, _) = Chrome::for_member(&state, &member).await?;
    let token = state
        .store()
        .reset_calendar_feed(&member.scope, unix_now())
        .await?;
    let url = format!(
        "{}/ical/{token}.ics",
        state.config().public_url.trim_end_matches('/')
    );
    let mut response = render(&FeedPage {
        c: chrome,
        ws_id: member.scope.workspace(),
        url,
    });
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /w/{ws}/calendar/feed/revoke`.
pub async fn revoke(State(state): State<AppState>, member: Member) -> Result<Response, AppError> {
    state.store().revoke_calendar_feed(&member.scope).await?;
    Ok(see_other(&format!(
        "/w/{}/calendar?flash=flash-calendar-feed-revoked",
        member.scope.workspace()
    )))
}
