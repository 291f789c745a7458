//! The attendee's side of the feedback survey: the questions with their own earlier
//! answers, and sending (or changing) a response.

use crate::domain::feedback::{SurveyQuestion, SurveyResponse};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::{answer, attendee, core, known_attendee};

/// The survey as one attendee sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackView {
    pub questions: Vec<SurveyQuestion>,
    /// This attendee's response, to edit.
    pub mine: Option<SurveyResponse>,
    /// The event has ended and the organizers have not closed the survey.
    pub open: bool,
}

/// The survey for this browser's attendee, with their earlier answers.
#[server]
pub async fn fetch_feedback(slug: String) -> Result<FeedbackView, AppError> {
    answer(async move {
        let core = core()?;
        let event = core.event(&slug).await?;
        feedback_view(&core, &event, known_attendee(&core).as_ref()).await
    })
    .await
}

/// The survey of `event` as `attendee` sees it (a visitor who never acted: no answers).
#[cfg(feature = "ssr")]
pub(crate) async fn feedback_view(
    core: &crate::core::Core,
    event: &crate::core::store::EventRecord,
    attendee: Option<&crate::domain::attendee::AttendeeId>,
) -> Result<FeedbackView, AppError> {
    let mine = match attendee {
        Some(attendee) => core.store.response_of(event.id, attendee).await?,
        None => None,
    };
    Ok(FeedbackView {
        mine,
        open: event.lifecycle.ended_at.is_some() && event.survey_closed_at.is_none(),
        questions: event.survey().questions,
    })
}

/// Stores this attendee's response, replacing any earlier one, while the survey is open.
#[server(input = Json)]
pub async fn submit_feedback(slug: String, response: SurveyResponse) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let event = core.event(&slug).await?;
        let attendee = attendee(&core);
        let response = event.survey().check(&response)?;
        // Comments reach only the organizers: "hide for review" keeps them as written,
        // "refuse" sends them back.
        let comments = response.answers.values().map(|a| a.text.as_str());
        if event.word_filter.filter().check(comments) == crate::domain::filter::Verdict::Refuse {
            return Err(AppError::invalid(
                "comment",
                "has a word this event's filter does not allow, so nothing was sent. Please say it another way.",
            ));
        }
        core.store
            .save_response(event.id, &attendee, &response)
            .await
    })
    .await
}
