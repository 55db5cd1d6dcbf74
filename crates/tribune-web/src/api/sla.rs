//! The inbox's response-time target through the API: read, set, remove.

use super::extract::ApiJson;
use crate::AppState;
use crate::context::Member;
use crate::error::{AppError, InputError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tribune_domain::sla::{Hours, Sla};
use tribune_store::unix_now;

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Opening hours of one day, `"HH:MM"` on the workspace's wall clock; `"24:00"` closes at
/// midnight.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursJson {
    start: String,
    end: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaJson {
    /// Business minutes to the first answer (1 to 7,200).
    target_minutes: u32,
    /// "Near breach" this many minutes before the deadline (at most the target).
    #[serde(default)]
    warn_minutes: u32,
    /// `monday` … `sunday`; a day left out or `null` is closed.
    hours: std::collections::BTreeMap<String, Option<HoursJson>>,
    /// French public holidays are closed days.
    #[serde(default)]
    french_holidays: bool,
}

#[derive(Serialize)]
pub struct SlaAnswer {
    /// `null` without a target.
    sla: Option<SlaJson>,
    /// The zone the hours are read in (the workspace's).
    timezone: String,
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn minutes(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

impl SlaJson {
    fn of(sla: Sla) -> SlaJson {
        SlaJson {
            target_minutes: sla.target_minutes,
            warn_minutes: sla.warn_minutes,
            hours: DAYS
                .iter()
                .zip(sla.hours)
                .map(|(day, h)| {
                    let hours = h.map(|h| HoursJson {
                        start: hhmm(h.start),
                        end: hhmm(h.end),
                    });
                    ((*day).to_owned(), hours)
                })
                .collect(),
            french_holidays: sla.french_holidays,
        }
    }

    fn sla(self) -> Result<Sla, AppError> {
        let mut week = [None; 7];
        for (day, hours) in self.hours {
            let index = DAYS
                .iter()
                .position(|d| *d == day)
                .ok_or_else(|| AppError::Input(InputError::JsonUnknownField(day.clone())))?;
            week[index] = match hours {
                None => None,
                Some(h) => match (minutes(&h.start), minutes(&h.end)) {
                    (Some(start), Some(end)) => Some(Hours { start, end }),
                    _ => return Err(AppError::Input(InputError::JsonField(day))),
                },
            };
        }
        Ok(Sla {
            target_minutes: self.target_minutes,
            warn_minutes: self.warn_minutes,
            hours: week,
            french_holidays: self.french_holidays,
        })
    }
}

async fn answer(state: &AppState, member: &Member) -> Result<Json<SlaAnswer>, AppError> {
    let store = state.store();
    Ok(Json(SlaAnswer {
        sla: store.inbox_sla(&member.scope).await?.map(SlaJson::of),
        timezone: store.workspace(&member.scope).await?.timezone,
    }))
}

/// `GET /sla`.
pub async fn show(
    State(state): State<AppState>,
    member: Member,
) -> Result<Json<SlaAnswer>, AppError> {
    answer(&state, &member).await
}

/// `PUT /sla`: sets the target; the messages waiting from the last 30 days get their new
/// deadline.
pub async fn set(
    State(state): State<AppState>,
    member: Member,
    ApiJson(request): ApiJson<SlaJson>,
) -> Result<Json<SlaAnswer>, AppError> {
    let sla = request.sla()?;
    state
        .store()
        .set_inbox_sla(&member.scope, Some(sla), unix_now())
        .await?;
    answer(&state, &member).await
}

/// `DELETE /sla`: no target any more (the waiting messages lose their deadline).
pub async fn delete(State(state): State<AppState>, member: Member) -> Result<StatusCode, AppError> {
    state
        .store()
        .set_inbox_sla(&member.scope, None, unix_now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
