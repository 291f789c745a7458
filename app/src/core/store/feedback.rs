//! After the event: the survey and its responses, the recording link, the peak
//! attendance the report shows.

use super::{Store, attendee, from_json, millis, number, time, to_json};
use crate::domain::attendee::AttendeeId;
use crate::domain::feedback::{Survey, SurveyResponse};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// One attendee's stored response.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub attendee_id: AttendeeId,
    pub response: SurveyResponse,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a response was not stored.
const SURVEY_CLOSED: &str = "The survey has closed; your answers were not saved.";
const SURVEY_NOT_OPEN: &str = "The survey opens when the tutorial ends.";

impl Store {
    /// Replaces the survey's questions, unless a response is in: answers are kept by
    /// question position, so the questions stay as they were answered.
    pub async fn set_survey(&self, event_id: i64, survey: &Survey) -> Result<(), AppError> {
        let updated = sqlx::query(
            "update event set survey = $1
             where id = $2 and not exists (select 1 from survey_response where event_id = $2)",
        )
        .bind(to_json(survey)?)
        .bind(event_id)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(AppError::Conflict(
                "attendees have answered the survey already, so its questions can no longer change"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Closes the survey to new answers and edits (`true`), or opens it again.
    pub async fn set_survey_closed(&self, event_id: i64, closed: bool) -> Result<(), AppError> {
        sqlx::query("update event set survey_closed_at = $1 where id = $2")
            .bind(closed.then(|| millis(Utc::now())))
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores an attendee's response, replacing their earlier one: only while the event
    /// has ended and the survey is open, checked in the same statement as the write.
    pub async fn save_response(
        &self,
        event_id: i64,
        attendee_id: &AttendeeId,
        response: &SurveyResponse,
    ) -> Result<(), AppError> {
        let now = millis(Utc::now());
        let saved = sqlx::query(
            "insert into survey_response (event_id, attendee_id, answers, submitted_at, updated_at)
             select $1, $2, $3, $4, $4 where exists
                 (select 1 from event where id = $1 and ended_at is not null and survey_closed_at is null)
             on conflict (event_id, attendee_id) do update set answers = excluded.answers, updated_at = excluded.updated_at",
        )
        .bind(event_id)
        .bind(attendee_id.as_str())
        .bind(to_json(response)?)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if saved.rows_affected() == 0 {
            let ended = sqlx::query("select ended_at from event where id = $1")
                .bind(event_id)
                .fetch_one(&self.pool)
                .await?
                .try_get::<Option<i64>, _>(0)?
                .is_some();
            return Err(AppError::Conflict(
                if ended {
                    SURVEY_CLOSED
                } else {
                    SURVEY_NOT_OPEN
                }
                .into(),
            ));
        }
        Ok(())
    }

    /// The response this attendee gave, if any.
    pub async fn response_of(
        &self,
        event_id: i64,
        attendee_id: &AttendeeId,
    ) -> Result<Option<SurveyResponse>, AppError> {
        let row = sqlx::query(
            "select answers from survey_response where event_id = $1 and attendee_id = $2",
        )
        .bind(event_id)
        .bind(attendee_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| from_json(&r.try_get::<String, _>(0)?, "survey response"))
            .transpose()
    }

    /// How many attendees have answered.
    pub async fn response_count(&self, event_id: i64) -> Result<u32, AppError> {
        let row = sqlx::query("select count(*) from survey_response where event_id = $1")
            .bind(event_id)
            .fetch_one(&self.pool)
            .await?;
        number(&row, 0)
    }

    /// Every response, first submitted first.
    pub async fn responses(&self, event_id: i64) -> Result<Vec<StoredResponse>, AppError> {
        self.event_rows(
            "select attendee_id, answers, submitted_at, updated_at from survey_response
             where event_id = $1 order by submitted_at, attendee_id",
            event_id,
        )
        .await?
        .iter()
        .map(|r| {
            Ok(StoredResponse {
                attendee_id: attendee(r, "attendee_id")?,
                response: from_json(&r.try_get::<String, _>("answers")?, "survey response")?,
                submitted_at: time(r, "submitted_at")?,
                updated_at: time(r, "updated_at")?,
            })
        })
        .collect()
    }

    pub async fn set_recording_url(
        &self,
        event_id: i64,
        url: Option<&str>,
    ) -> Result<(), AppError> {
        sqlx::query("update event set recording_url = $1 where id = $2")
            .bind(url)
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Raises the event's peak attendance to `attendees` if that is a new high.
    pub async fn raise_peak(&self, event_id: i64, attendees: u32) -> Result<(), AppError> {
        sqlx::query("update event set peak_attendees = $1 where id = $2 and peak_attendees < $1")
            .bind(i64::from(attendees))
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
