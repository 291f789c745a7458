//! After the event, for organizers: the event report, the comparison of a series' runs,
//! the survey's questions, the recording link, and duplicating an event for its next run.

use super::{CreatedEvent, EventPublic};
use crate::domain::chart::BarChart;
use crate::domain::checkin::PlaceCount;
use crate::domain::feedback::{QuestionResult, SurveyQuestion};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::events::{created_view, managed_event},
    super::ssr::{answer, core, session},
    crate::core::{access, report},
    crate::domain::event::{parse_local_start, parse_time_zone, web_address},
    crate::domain::feedback::Survey,
};

/// A series as pages name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesRef {
    pub id: i64,
    pub title: String,
    pub team: String,
}

/// One poll in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollReport {
    pub chart: BarChart,
    pub asked_at: DateTime<Utc>,
    /// The section it was asked in.
    pub section: Option<String>,
}

/// The pace of one section: mean and peak shares asking slower / faster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionPaceReport {
    pub title: String,
    pub slower: u32,
    pub faster: u32,
    pub peak_slower: u32,
    pub peak_faster: u32,
}

/// One attendee question in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionReport {
    pub text: String,
    pub name: Option<String>,
    /// "answered", "kept for the break", …
    pub state: String,
    pub upvotes: u32,
    pub answer: Option<String>,
}

/// Everything an organizer learns from one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventReport {
    pub event: EventPublic,
    pub series: Option<SeriesRef>,
    pub check_ins: u32,
    /// The most attendees connected at once.
    pub peak_attendees: u32,
    pub responses: u32,
    /// Responses as a share of the attendees (the larger of the peak and the check-ins).
    pub response_rate: u32,
    /// The survey takes answers (the event ended, nobody closed it).
    pub survey_open: bool,
    pub survey: Vec<QuestionResult>,
    pub polls: Vec<PollReport>,
    pub pace: Vec<SectionPaceReport>,
    /// Answered first, then by upvotes.
    pub questions: Vec<QuestionReport>,
    pub places: Vec<PlaceCount>,
    pub countries: Vec<(String, u32)>,
}

/// One run in a series comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub slug: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: String,
    pub check_ins: u32,
    pub peak_attendees: u32,
    pub responses: u32,
    pub response_rate: u32,
    /// The answers to "How was the pace?", if the survey asked it.
    pub pace: Option<BarChart>,
    /// The sections most often picked as most informative, best first (at most three).
    pub best_sections: Vec<(String, u32)>,
}

/// A series and its runs, latest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesView {
    pub series: SeriesRef,
    pub runs: Vec<RunSummary>,
}

/// The survey as its editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyAdmin {
    pub questions: Vec<SurveyQuestion>,
    /// Responses so far: with any, the questions are fixed.
    pub responses: u32,
    pub closed: bool,
    pub ended: bool,
}

#[server]
pub async fn fetch_report(slug: String) -> Result<EventReport, AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        report::event_report(&core.store, event).await
    })
    .await
}

#[server]
pub async fn fetch_series(series_id: i64) -> Result<SeriesView, AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        let series = core
            .store
            .series(series_id)
            .await?
            .ok_or_else(|| AppError::NotFound("that series".into()))?;
        if !core.store.is_member(series.team_id, me).await? {
            return Err(AppError::Forbidden);
        }
        report::series_view(&core.store, series).await
    })
    .await
}

#[server]
pub async fn fetch_survey_admin(slug: String) -> Result<SurveyAdmin, AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let responses = core.store.response_count(event.id).await?;
        Ok(SurveyAdmin {
            questions: event.survey().questions,
            responses,
            closed: event.survey_closed_at.is_some(),
            ended: event.lifecycle.ended_at.is_some(),
        })
    })
    .await
}

/// Replaces the survey's questions (refused once anyone has answered).
#[server(input = Json)]
pub async fn save_survey(slug: String, questions: Vec<SurveyQuestion>) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let survey = Survey::parse(&questions)?;
        core.store.set_survey(event.id, &survey).await
    })
    .await
}

/// Closes the survey to answers and edits, or opens it again.
#[server]
pub async fn close_survey(slug: String, closed: bool) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        core.store.set_survey_closed(event.id, closed).await
    })
    .await
}

/// Sets (or, empty, removes) the recording shown on the event page after the event.
#[server]
pub async fn set_recording(slug: String, url: String) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let url = match url.trim() {
            "" => None,
            url => Some(web_address("recording_url", url)?),
        };
        core.store.set_recording_url(event.id, url.as_deref()).await
    })
    .await
}

/// Makes the next run of an event: its agenda, materials, settings and survey, in its
/// series, at a new time; returns its links (the secret ones shown this once).
#[server]
pub async fn duplicate_event(
    slug: String,
    starts_at: String,
    time_zone: String,
) -> Result<CreatedEvent, AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        let event = managed_event(&core, &slug).await?;
        let zone = parse_time_zone(&time_zone)?;
        let starts_at = parse_local_start(&starts_at, zone)?;
        let series_id = event.series_id;
        let next = report::next_run(event, starts_at, zone);
        let created = core.create_event(&next, Some(me), series_id).await?;
        Ok(created_view(&core, &created))
    })
    .await
}
