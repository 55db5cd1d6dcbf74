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
                        start: Hours::time(h.start),
                        end: Hours::time(h.end),
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
                Some(h) => match (Hours::parse_time(&h.start), Hours::parse_time(&h.end)) {
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

#[derive(Deserialize)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
pub struct DayCount {
    date: String,
    count: i64,
}

#[derive(Serialize)]
pub struct FirstResponseJson {
    median_secs: Option<i64>,
    mean_secs: Option<i64>,
    /// In business time, when the workspace has a response-time target.
    business_median_secs: Option<i64>,
}

#[derive(Serialize)]
pub struct SlaCountsJson {
    met: i64,
    missed: i64,
    breached: i64,
}

#[derive(Serialize)]
pub struct MemberReplies {
    user_id: tribune_domain::UserId,
    name: String,
    replies: i64,
}

#[derive(Serialize)]
pub struct StatsJson {
    /// The local dates of the period, both included, in `timezone`.
    from: String,
    to: String,
    timezone: String,
    received: i64,
    /// Days without a message are left out.
    received_by_day: Vec<DayCount>,
    answered: i64,
    done: i64,
    first_response: FirstResponseJson,
    sla: SlaCountsJson,
    replies_by_member: Vec<MemberReplies>,
}

/// Days a period without `from` covers.
const DEFAULT_DAYS: i64 = 30;

/// `GET /inbox/stats?from=YYYY-MM-DD&to=YYYY-MM-DD`: the messages received on those local days
/// (the last 30 days by default; at most 400 days).
pub async fn stats(
    State(state): State<AppState>,
    member: Member,
    axum::extract::Query(query): axum::extract::Query<PeriodQuery>,
) -> Result<Json<StatsJson>, AppError> {
    let store = state.store();
    let workspace = store.workspace(&member.scope).await?;
    let tz = crate::dates::zone(&workspace.timezone);
    let now = unix_now();
    let today = jiff::Timestamp::from_second(now)
        .map(|t| t.to_zoned(tz.clone()).date())
        .map_err(|_| AppError::Input(InputError::InvalidQuery("to".into())))?;
    let date = |name: &str, value: &Option<String>, default: jiff::civil::Date| match value {
        None => Ok(default),
        Some(v) => v
            .parse::<jiff::civil::Date>()
            .map_err(|_| AppError::Input(InputError::InvalidQuery(name.into()))),
    };
    let to = date("to", &query.to, today)?;
    let from = date(
        "from",
        &query.from,
        to.saturating_sub(jiff::Span::new().days(DEFAULT_DAYS - 1)),
    )?;
    let span_days = (to - from).get_days() as i64;
    if !(0..tribune_store::inbox_stats::MAX_DAYS).contains(&span_days) {
        return Err(AppError::Input(InputError::InvalidQuery("from".into())));
    }
    let midnight = |d: jiff::civil::Date| {
        tribune_domain::queue::resolve(&tz, d, jiff::civil::Time::midnight())
            .map(|t| t.as_second())
            .ok_or_else(|| AppError::Input(InputError::InvalidQuery("from".into())))
    };
    let start = midnight(from)?;
    let end = midnight(to.tomorrow().unwrap_or(to))?;
    let stats = store.inbox_stats(&member.scope, start, end, now).await?;
    let names: std::collections::HashMap<_, _> = store
        .members(&member.scope)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m.name))
        .collect();
    Ok(Json(StatsJson {
        from: from.to_string(),
        to: to.to_string(),
        timezone: workspace.timezone,
        received: stats.received,
        received_by_day: stats
            .received_by_day
            .into_iter()
            .map(|(date, count)| DayCount { date, count })
            .collect(),
        answered: stats.answered,
        done: stats.done,
        first_response: FirstResponseJson {
            median_secs: stats.first_response_median_secs,
            mean_secs: stats.first_response_mean_secs,
            business_median_secs: stats.first_response_business_median_secs,
        },
        sla: SlaCountsJson {
            met: stats.sla_met,
            missed: stats.sla_missed,
            breached: stats.sla_breached,
        },
        replies_by_member: stats
            .replies_by_member
            .into_iter()
            .map(|(user_id, replies)| MemberReplies {
                name: names.get(&user_id).cloned().unwrap_or_default(),
                user_id,
                replies,
            })
            .collect(),
    }))
}
