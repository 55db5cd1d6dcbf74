//! The inbox's response-time target in the browser: the delay, the opening hours of each day,
//! French public holidays, in the workspace's time zone. Every member reads it; owners and
//! managers change it.

use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tribune_domain::sla::{Hours, Sla};
use tribune_domain::{Role, ValidationError, WorkspaceId};
use tribune_store::{StoreError, unix_now};

/// One day of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct DayForm {
    /// 1 (Monday) to 7, for its name.
    number: u8,
    open: bool,
    start: String,
    end: String,
}

/// The form as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaForm {
    enabled: bool,
    target_hours: String,
    target_minutes: String,
    warn_minutes: String,
    days: Vec<DayForm>,
    french_holidays: bool,
}

/// A time as a time field shows it; the end of the day (24:00) is midnight, `00:00`.
fn hhmm(minutes: u16) -> String {
    Hours::time(minutes % (24 * 60))
}

/// A time as typed (spaces around it are the browser's, not the person's).
fn minutes(text: &str) -> Option<u16> {
    Hours::parse_time(text.trim())
}

impl SlaForm {
    fn of(sla: Option<&Sla>) -> SlaForm {
        let shown = sla.cloned().unwrap_or_else(Sla::office);
        SlaForm {
            enabled: sla.is_some(),
            target_hours: (shown.target_minutes / 60).to_string(),
            target_minutes: (shown.target_minutes % 60).to_string(),
            warn_minutes: shown.warn_minutes.to_string(),
            days: shown
                .hours
                .iter()
                .enumerate()
                .map(|(i, h)| DayForm {
                    number: i as u8 + 1,
                    open: h.is_some(),
                    start: hhmm(h.map_or(9 * 60, |h| h.start)),
                    end: hhmm(h.map_or(18 * 60, |h| h.end)),
                })
                .collect(),
            french_holidays: shown.french_holidays,
        }
    }

    fn from_pairs(pairs: &[(String, String)]) -> SlaForm {
        let one = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        SlaForm {
            enabled: !one("enabled").is_empty(),
            target_hours: one("target_hours"),
            target_minutes: one("target_minutes"),
            warn_minutes: one("warn_minutes"),
            days: (1..=7)
                .map(|number| DayForm {
                    number,
                    open: !one(&format!("open_{number}")).is_empty(),
                    start: one(&format!("start_{number}")),
                    end: one(&format!("end_{number}")),
                })
                .collect(),
            french_holidays: !one("french_holidays").is_empty(),
        }
    }

    /// The target to keep (`None`: no target), or the fields in error.
    fn sla(&self) -> Result<Option<Sla>, ValidationError> {
        if !self.enabled {
            return Ok(None);
        }
        let mut errors = ValidationError::default();
        let number = |text: &str| -> Option<u32> {
            match text.trim() {
                "" => Some(0),
                t => t.parse().ok(),
            }
        };
        let hours = number(&self.target_hours);
        let mins = number(&self.target_minutes).filter(|m| *m < 60);
        let warn = number(&self.warn_minutes);
        if hours.is_none() || mins.is_none() {
            errors.push("target_minutes", "error-sla-target");
        }
        if warn.is_none() {
            errors.push("warn_minutes", "error-sla-warn");
        }
        let mut week = [None; 7];
        for (slot, day) in week.iter_mut().zip(&self.days) {
            if !day.open {
                continue;
            }
            // Closing at midnight is written 00:00 (or 24:00): the end of the day.
            let end = minutes(&day.end).map(|m| if m == 0 { 24 * 60 } else { m });
            match (minutes(&day.start), end) {
                (Some(start), Some(end)) => *slot = Some(Hours { start, end }),
                _ => errors.push("hours", "error-sla-hours"),
            }
        }
        errors.into_result()?;
        let target = hours
            .unwrap_or(0)
            .saturating_mul(60)
            .saturating_add(mins.unwrap_or(0));
        Sla {
            target_minutes: target,
            warn_minutes: warn.unwrap_or(0),
            hours: week,
            french_holidays: self.french_holidays,
        }
        .checked()
        .map(Some)
    }
}

#[derive(Template)]
#[template(path = "sla.html")]
pub struct SlaPage {
    c: Chrome,
    ws_id: WorkspaceId,
    can_edit: bool,
    timezone: String,
    form: SlaForm,
    errors: Vec<(String, String)>,
    /// The last 30 days, in words (one line each).
    summary: Vec<String>,
}

/// Days the page's summary covers.
const SUMMARY_DAYS: i64 = 30;

/// "1 h 05 min", "12 min".
fn duration(tr: &crate::i18n::Tr, secs: i64) -> String {
    if secs < 60 {
        return tr.t("duration-under-a-minute");
    }
    let minutes = (secs + 30) / 60;
    match minutes / 60 {
        0 => tr.t1("duration-minutes", "minutes", minutes),
        hours => tr.t2(
            "duration-hours-minutes",
            ("hours", hours),
            ("minutes", format!("{:02}", minutes % 60)),
        ),
    }
}

/// What the inbox did over the last 30 days, in words.
fn summary(tr: &crate::i18n::Tr, stats: &tribune_store::inbox_stats::InboxStats) -> Vec<String> {
    let mut lines = vec![tr.t2(
        "sla-summary-received",
        ("received", stats.received),
        ("answered", stats.answered),
    )];
    if let Some(median) = stats.first_response_median_secs {
        lines.push(tr.t1("sla-summary-median", "duration", duration(tr, median)));
    }
    if let Some(median) = stats.first_response_business_median_secs {
        lines.push(tr.t1(
            "sla-summary-business-median",
            "duration",
            duration(tr, median),
        ));
    }
    if stats.sla_met + stats.sla_missed + stats.sla_breached > 0 {
        lines.push(tr.t2(
            "sla-summary-target",
            ("met", stats.sla_met),
            ("late", stats.sla_missed + stats.sla_breached),
        ));
    }
    lines
}

impl SlaPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        crate::forms::error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

async fn page(
    state: &AppState,
    member: &Member,
    flash: Option<&str>,
    form: Option<SlaForm>,
    errors: Vec<(String, String)>,
) -> Result<SlaPage, AppError> {
    let (chrome, _) = Chrome::for_member(state, member).await?;
    let store = state.store();
    let now = unix_now();
    let stats = store
        .inbox_stats(&member.scope, now - SUMMARY_DAYS * 86_400, now + 1, now)
        .await?;
    let summary = summary(&chrome.tr, &stats);
    let form = match form {
        Some(form) => form,
        None => SlaForm::of(store.inbox_sla(&member.scope).await?.as_ref()),
    };
    Ok(SlaPage {
        c: chrome.with_flash(flash),
        ws_id: member.scope.workspace(),
        can_edit: member.scope.role().can_edit_workspace(),
        timezone: store.workspace(&member.scope).await?.timezone,
        form,
        errors,
        summary,
    })
}

/// `GET /w/{ws}/response-time`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let page = page(&state, &member, query.flash.as_deref(), None, Vec::new()).await?;
    Ok(render(&page))
}

async fn refused(
    state: &AppState,
    member: &Member,
    form: SlaForm,
    invalid: &ValidationError,
) -> Result<Response, AppError> {
    let errors = super::links::field_errors(state, member.ctx.lang, invalid);
    let page = page(state, member, None, Some(form), errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

/// `POST /w/{ws}/response-time`: sets or removes the target; the messages still waiting get
/// their new deadline.
pub async fn save(
    State(state): State<AppState>,
    member: Member,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    member.scope.require(Role::can_edit_workspace)?;
    let form = SlaForm::from_pairs(&pairs);
    let sla = match form.sla() {
        Ok(sla) => sla,
        Err(invalid) => return refused(&state, &member, form, &invalid).await,
    };
    match state
        .store()
        .set_inbox_sla(&member.scope, sla, unix_now())
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/w/{}/response-time?flash=flash-sla-saved",
            member.scope.workspace()
        ))),
        Err(StoreError::Invalid(invalid)) => refused(&state, &member, form, &invalid).await,
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::pairs;

    #[test]
    fn the_form_reads_a_target_and_shows_it_again() {
        let form = SlaForm::from_pairs(&pairs(&[
            ("enabled", "on"),
            ("target_hours", "1"),
            ("target_minutes", "30"),
            ("warn_minutes", "20"),
            ("open_1", "on"),
            ("start_1", "08:30"),
            ("end_1", "12:00"),
            ("open_6", "on"),
            ("start_6", "10:00"),
            ("end_6", "24:00"),
            ("french_holidays", "on"),
        ]));
        let sla = form.sla().unwrap().unwrap();
        assert_eq!(sla.target_minutes, 90);
        assert_eq!(sla.warn_minutes, 20);
        assert_eq!(
            sla.hours[0],
            Some(Hours {
                start: 510,
                end: 720
            })
        );
        assert_eq!(sla.hours[1], None);
        assert_eq!(
            sla.hours[5],
            Some(Hours {
                start: 600,
                end: 1440
            })
        );
        let again = SlaForm::of(Some(&sla));
        assert_eq!(again.sla().unwrap().unwrap(), sla);
        assert_eq!(again.days[5].end, "00:00");
        // Unticked: no target.
        assert_eq!(
            SlaForm::from_pairs(&pairs(&[("target_hours", "2")]))
                .sla()
                .unwrap(),
            None
        );
    }

    #[test]
    fn what_cannot_be_a_target_is_refused_by_field() {
        for (bad, field) in [
            (("target_hours", "deux"), "target_minutes"),
            (("target_minutes", "75"), "target_minutes"),
            (("start_1", "25:00"), "hours"),
            (("warn_minutes", "-5"), "warn_minutes"),
        ] {
            let mut list = vec![
                ("enabled", "on"),
                ("target_hours", "2"),
                ("warn_minutes", "30"),
                ("open_1", "on"),
                ("start_1", "09:00"),
                ("end_1", "18:00"),
            ];
            list.retain(|(n, _)| *n != bad.0);
            list.push(bad);
            let invalid = SlaForm::from_pairs(&pairs(&list)).sla().unwrap_err();
            assert!(
                invalid.violations.iter().any(|v| v.field == field),
                "{bad:?}: {invalid:?}"
            );
        }
        // Closed every day, or opening after closing: refused too.
        let closed = SlaForm::from_pairs(&pairs(&[("enabled", "on"), ("target_hours", "2")]));
        assert!(closed.sla().is_err());
    }
}
