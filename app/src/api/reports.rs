//! After the event, for organizers: the event report, the comparison of a series' runs,
//! the survey's questions, the recording link, and duplicating an event for its next run.

use super::CreatedEvent;
use crate::domain::feedback::SurveyQuestion;
pub use crate::domain::report::{
    EventReport, PollReport, QuestionReport, RunSummary, SectionPaceReport, SeriesRef, SeriesView,
};
use crate::error::AppError;
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
