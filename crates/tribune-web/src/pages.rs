//! What every page shares: the layout's data ([`Chrome`]) and rendering.

use crate::context::{Member, RequestCtx};
use crate::dates::{self, TimeHtml};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::{AppState, static_files};
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use jiff::tz::TimeZone;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tribune_domain::{Role, WorkspaceId};
use tribune_store::unix_now;
use tribune_store::users::User;
use tribune_store::workspaces::{Workspace, WorkspaceSummary};

/// The workspace being looked at, for the navigation.
pub struct CurrentWorkspace {
    pub id: WorkspaceId,
    pub name: String,
    pub role: Role,
    pub has_logo: bool,
    /// Channels whose credentials the network refused: a red banner on every page.
    pub broken_channels: i64,
}

impl CurrentWorkspace {
    pub fn can_edit(&self) -> bool {
        self.role.can_edit_workspace()
    }

    pub fn can_manage_members(&self) -> bool {
        self.role.can_manage_members()
    }

    /// Managers and owners can reconnect a broken channel: the banner links them to it.
    pub fn can_manage_channels(&self) -> bool {
        self.role.can_manage_channels()
    }

    /// What the broken-channels banner says to those who cannot reconnect: a client that its
    /// agency has been told, a contributor that a manager must reconnect.
    pub fn broken_banner_key(&self) -> &'static str {
        match self.role {
            Role::Client => "banner-channels-agency-told",
            _ => "banner-channels-ask-manager",
        }
    }
}

/// The layout's data: translator, user, CSRF token, workspace switcher, flash message.
pub struct Chrome {
    pub tr: Tr,
    pub csrf: String,
    pub user: Option<User>,
    pub workspaces: Vec<WorkspaceSummary>,
    pub current: Option<CurrentWorkspace>,
    pub asset_version: &'static str,
    pub path: String,
    pub flash: Option<String>,
    /// The flash reports a problem (its key starts with `flash-warn-`), shown as one.
    pub flash_warning: bool,
    /// Dates are shown in this zone (see `dates` for which one) and relative to `now`.
    pub tz: TimeZone,
    pub now: i64,
}

impl Chrome {
    /// Without database access (error pages, anonymous pages).
    pub fn bare(state: &AppState, ctx: &RequestCtx) -> Chrome {
        Chrome {
            tr: Tr::new(state, ctx.lang),
            csrf: ctx.csrf.clone(),
            user: ctx.user.clone(),
            workspaces: Vec::new(),
            current: None,
            asset_version: static_files::version(),
            path: ctx.path.clone(),
            flash: None,
            flash_warning: false,
            tz: dates::zone(tribune_domain::timezone::DEFAULT),
            now: unix_now(),
        }
    }

    /// With the user's workspaces for the switcher.
    pub async fn load(state: &AppState, ctx: &RequestCtx) -> Result<Chrome, AppError> {
        let mut chrome = Chrome::bare(state, ctx);
        if let Some(user) = &ctx.user {
            chrome.workspaces = match &ctx.workspaces {
                Some(loaded) => loaded.list().to_vec(),
                None => state.store().workspaces_of(user.user_id()).await?,
            };
            if let Some(first) = chrome.workspaces.first() {
                chrome.tz = dates::zone(&first.timezone);
            }
        }
        Ok(chrome)
    }

    /// Inside a workspace: the switcher, the workspace's navigation, and the workspace itself.
    pub async fn for_member(
        state: &AppState,
        member: &Member,
    ) -> Result<(Chrome, Workspace), AppError> {
        // One query, with the member's scope and workspaces already loaded with the session.
        let (workspace, broken_channels) = state
            .store()
            .workspace_with_broken_channels(&member.scope)
            .await?;
        let chrome = Chrome::in_workspace(
            state,
            member,
            &workspace.name,
            &workspace.timezone,
            workspace.has_logo,
            broken_channels,
        );
        Ok((chrome, workspace))
    }

    /// Inside a workspace, from what the page's own query read of it.
    pub fn in_workspace(
        state: &AppState,
        member: &Member,
        name: &str,
        timezone: &str,
        has_logo: bool,
        broken_channels: i64,
    ) -> Chrome {
        let mut chrome = Chrome::bare(state, &member.ctx);
        chrome.workspaces = member.workspaces.clone();
        chrome.tz = dates::zone(timezone);
        chrome.current = Some(CurrentWorkspace {
            id: member.scope.workspace(),
            name: name.to_owned(),
            role: member.scope.role(),
            has_logo,
            broken_channels,
        });
        chrome
    }

    /// Shows a confirmation, given as a catalogue key (never as text from the request).
    pub fn with_flash(mut self, key: Option<&str>) -> Chrome {
        if let Some(key) = key.filter(|k| k.starts_with("flash-") && k.len() < 64) {
            let message = self.tr.t(key);
            if message != key {
                self.flash = Some(message);
                self.flash_warning = key.starts_with("flash-warn-");
            }
        }
        self
    }

    pub fn role_label(&self, role: &str) -> String {
        self.tr.t(&format!("role-{role}"))
    }

    /// `{{ c.date(t) }}`: a `<time>` element, relative when recent, full date on hover.
    pub fn date(&self, unix: &i64) -> TimeHtml {
        dates::time_element(
            self.tr.i18n(),
            self.tr.lang,
            &self.tz,
            *unix,
            Some(self.now),
        )
    }

    /// `{{ c.date_t1("key", "arg", t) }}`: a message whose argument `arg` is a date, always
    /// in full (« expire le 14 déc. 2026 à 4 h 42 »).
    pub fn date_t1(&self, key: &str, name: &str, unix: &i64) -> TimeHtml {
        let time = dates::time_element(self.tr.i18n(), self.tr.lang, &self.tz, *unix, None);
        dates::message_with_time(self.tr.i18n(), self.tr.lang, key, name, &time)
    }
}

/// Time spent rendering templates, and how many were rendered, for `/metrics`: the benchmark
/// tells rendering apart from the queries with them.
static RENDER_NANOS: AtomicU64 = AtomicU64::new(0);
static RENDERS: AtomicU64 = AtomicU64::new(0);

/// (renders, seconds spent rendering) since the process started.
pub fn render_totals() -> (u64, f64) {
    (
        RENDERS.load(Ordering::Relaxed),
        RENDER_NANOS.load(Ordering::Relaxed) as f64 / 1e9,
    )
}

pub fn render<T: Template>(page: &T) -> Response {
    let started = Instant::now();
    let rendered = page.render();
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    RENDER_NANOS.fetch_add(nanos, Ordering::Relaxed);
    RENDERS.fetch_add(1, Ordering::Relaxed);
    match rendered {
        Ok(html) => Html(html).into_response(),
        Err(error) => AppError::Internal(format!("template: {error}").into()).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub status: u16,
    pub title: String,
    pub messages: Vec<String>,
    pub detail: Option<String>,
}
