//! Reading an event's live state back: everything a room starts from when it opens (the
//! tables as they stand after a change number), and the pace samples a room writes down.

use super::{
    Store, attendee, choices_from_text, from_json, millis, number, optional_time, parsed, time,
    unreadable,
};
use crate::domain::agenda::{Agenda, SectionId};
use crate::domain::attendee::AttendeeId;
use crate::domain::checkin::CheckIn;
use crate::domain::help::{HelpRequest, Helper, Outcome};
use crate::domain::lab::{LabNote, LabSignal, LabState};
use crate::domain::overlay::OverlayScene;
use crate::domain::pace::{PaceCounts, PaceSample, PaceVote};
use crate::domain::place::{Place, PlaceText};
use crate::domain::poll::{PollId, PollSpec, StoredPoll};
use crate::domain::question::{Question, QuestionId, QuestionState};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// Everything a live room starts from, read after the change number it is current to:
/// replaying the log from `seq` onwards over it brings it up to date.
#[derive(Debug, Clone, Default)]
pub struct StoredRoom {
    pub seq: u64,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub places_read_at: Option<DateTime<Utc>>,
    /// What the stream overlay shows.
    pub overlay: OverlayScene,
    pub pace_votes: Vec<(AttendeeId, PaceVote, DateTime<Utc>)>,
    pub check_ins: Vec<(AttendeeId, CheckIn)>,
    /// The running agenda, once the presenter has changed it (else the planned one).
    pub agenda: Option<Agenda>,
    /// Every poll, oldest first: what was asked, when, and when it closed.
    pub polls: Vec<StoredPoll>,
    /// (poll, attendee, choice) of every answer.
    pub poll_answers: Vec<(PollId, AttendeeId, u8)>,
    /// (poll, attendee, answers) of every word-cloud answer.
    pub word_answers: Vec<(PollId, AttendeeId, Vec<String>)>,
    /// (section, attendee, signal) of every lab signal.
    pub lab_signals: Vec<(SectionId, AttendeeId, LabState)>,
    /// Every help request, in the order pressed.
    pub help_requests: Vec<HelpRequest<AttendeeId>>,
    /// The pace tally over time, oldest first.
    pub pace_samples: Vec<PaceSample>,
    /// (asker, question) of every question.
    pub questions: Vec<(AttendeeId, Question)>,
    /// (question, attendee) of every upvote.
    pub question_votes: Vec<(QuestionId, AttendeeId)>,
}

impl Store {
    /// An event's live state as stored, with the number of the last change it includes.
    /// The number is read first: a change made meanwhile is then both in the tables and
    /// after `seq` in the log, and applying it again changes nothing.
    pub async fn room_state(&self, event_id: i64) -> Result<StoredRoom, AppError> {
        let row = sqlx::query(
            "select change_seq, started_at, ended_at, places_read_at, agenda, overlay from event where id = $1",
        )
        .bind(event_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("event {event_id}")))?;
        Ok(StoredRoom {
            seq: number(&row, "change_seq")?,
            started_at: optional_time(&row, "started_at")?,
            ended_at: optional_time(&row, "ended_at")?,
            places_read_at: optional_time(&row, "places_read_at")?,
            agenda: match row.try_get::<Option<String>, _>("agenda")? {
                Some(json) => Some(from_json(&json, "agenda")?),
                None => None,
            },
            overlay: match row.try_get::<Option<String>, _>("overlay")? {
                Some(json) => from_json(&json, "overlay")?,
                None => OverlayScene::Nothing,
            },
            pace_votes: self.pace_votes(event_id).await?,
            check_ins: self.check_ins(event_id).await?,
            polls: self.polls(event_id).await?,
            poll_answers: self.poll_answers(event_id).await?,
            word_answers: self.word_answers(event_id).await?,
            lab_signals: self.lab_signals(event_id).await?,
            help_requests: self.help_requests(event_id).await?,
            pace_samples: self.pace_samples(event_id).await?,
            questions: self.questions(event_id).await?,
            question_votes: self.question_votes(event_id).await?,
        })
    }
    /// Every stored pace vote of an event, with when it was cast.
    pub async fn pace_votes(
        &self,
        event_id: i64,
    ) -> Result<Vec<(AttendeeId, PaceVote, DateTime<Utc>)>, AppError> {
        let rows = self
            .event_rows(
                "select attendee_id, vote, cast_at from pace_vote where event_id = $1",
                event_id,
            )
            .await?;
        rows.iter()
            .map(|r| Ok((attendee(r, 0)?, parsed(r, 1, PaceVote::parse)?, time(r, 2)?)))
            .collect()
    }

    /// Every poll of an event, oldest first.
    pub async fn polls(&self, event_id: i64) -> Result<Vec<StoredPoll>, AppError> {
        let rows = self
            .event_rows(
                "select id, question, options, section_id, asked_at, closed_at, hide_results, revealed_at, right_choices, words from poll
             where event_id = $1 order by asked_at, id",
                event_id,
            )
            .await?;
        let mut hidden: HashMap<String, Vec<String>> = HashMap::new();
        for r in self
            .event_rows(
                "select poll_id, word_key from word_hidden where event_id = $1",
                event_id,
            )
            .await?
        {
            hidden
                .entry(r.try_get("poll_id")?)
                .or_default()
                .push(r.try_get("word_key")?);
        }
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let options: String = r.try_get("options")?;
                Ok(StoredPoll {
                    spec: PollSpec {
                        id: parsed(r, "id", |id| id.parse().ok())?,
                        question: r.try_get("question")?,
                        options: from_json(&options, "poll's options")?,
                        section: optional_section(r)?,
                        hide_results: r.try_get::<i64, _>("hide_results")? != 0,
                        right: choices_from_text(&r.try_get::<String, _>("right_choices")?)?,
                        words: r.try_get::<i64, _>("words")? != 0,
                    },
                    asked_at: time(r, "asked_at")?,
                    closed_at: optional_time(r, "closed_at")?,
                    revealed_at: optional_time(r, "revealed_at")?,
                    hidden_words: hidden.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Every poll answer of an event.
    pub async fn poll_answers(
        &self,
        event_id: i64,
    ) -> Result<Vec<(PollId, AttendeeId, u8)>, AppError> {
        let rows = self
            .event_rows(
                "select poll_id, attendee_id, choice from poll_answer where event_id = $1",
                event_id,
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    parsed(r, 0, |poll| poll.parse().ok())?,
                    attendee(r, 1)?,
                    number(r, 2)?,
                ))
            })
            .collect()
    }

    /// Every word-cloud answer of an event: (poll, attendee, their answers).
    pub async fn word_answers(
        &self,
        event_id: i64,
    ) -> Result<Vec<(PollId, AttendeeId, Vec<String>)>, AppError> {
        let rows = self
            .event_rows(
                "select poll_id, attendee_id, answers from word_answer where event_id = $1 order by at",
                event_id,
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    parsed(r, 0, |poll| poll.parse().ok())?,
                    attendee(r, 1)?,
                    from_json(&r.try_get::<String, _>(2)?, "word-cloud answers")?,
                ))
            })
            .collect()
    }

    /// Every lab signal of an event.
    pub async fn lab_signals(
        &self,
        event_id: i64,
    ) -> Result<Vec<(SectionId, AttendeeId, LabState)>, AppError> {
        let rows = self.event_rows("select section_id, attendee_id, signal, note, at from lab_signal where event_id = $1", event_id).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    number(r, "section_id")?,
                    attendee(r, "attendee_id")?,
                    LabState {
                        signal: parsed(r, "signal", LabSignal::parse)?,
                        note: match r.try_get::<Option<String>, _>("note")? {
                            Some(note) => Some(
                                LabNote::parse(&note)
                                    .ok()
                                    .flatten()
                                    .ok_or_else(|| unreadable("note", &note))?,
                            ),
                            None => None,
                        },
                        at: time(r, "at")?,
                    },
                ))
            })
            .collect()
    }

    /// Every help request of an event, in the order pressed.
    pub async fn help_requests(
        &self,
        event_id: i64,
    ) -> Result<Vec<HelpRequest<AttendeeId>>, AppError> {
        let rows = self
            .event_rows(
                "select ticket, section_id, attendee_id, note, stuck_at, helper, taken_at, closed_at, outcome
                 from help_request where event_id = $1 order by stuck_at",
                event_id,
            )
            .await?;
        rows.iter()
            .map(|r| {
                let closed = match (
                    optional_time(r, "closed_at")?,
                    r.try_get::<Option<String>, _>("outcome")?,
                ) {
                    (Some(at), Some(outcome)) => Some((
                        at,
                        Outcome::parse(&outcome).ok_or_else(|| unreadable("outcome", &outcome))?,
                    )),
                    _ => None,
                };
                Ok(HelpRequest {
                    ticket: parsed(r, "ticket", |t| t.parse().ok())?,
                    section: number(r, "section_id")?,
                    attendee: attendee(r, "attendee_id")?,
                    note: match r.try_get::<Option<String>, _>("note")? {
                        Some(note) => LabNote::parse(&note).ok().flatten(),
                        None => None,
                    },
                    stuck_at: time(r, "stuck_at")?,
                    helper: match r.try_get::<Option<String>, _>("helper")? {
                        Some(name) => {
                            Some(Helper::parse(&name).map_err(|_| unreadable("helper", &name))?)
                        }
                        None => None,
                    },
                    taken_at: optional_time(r, "taken_at")?,
                    closed,
                })
            })
            .collect()
    }

    /// The pace tally over time, oldest first.
    pub async fn pace_samples(&self, event_id: i64) -> Result<Vec<PaceSample>, AppError> {
        let rows = self
            .event_rows(
                "select at, section_id, slower, just_right, faster, online from pace_sample
             where event_id = $1 order by at",
                event_id,
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PaceSample {
                    at: time(r, "at")?,
                    section: optional_section(r)?,
                    counts: PaceCounts {
                        slower: number(r, "slower")?,
                        just_right: number(r, "just_right")?,
                        faster: number(r, "faster")?,
                    },
                    online: number(r, "online")?,
                })
            })
            .collect()
    }

    /// Every question of an event with who asked it.
    pub async fn questions(&self, event_id: i64) -> Result<Vec<(AttendeeId, Question)>, AppError> {
        let rows = self
            .event_rows(
                "select id, attendee_id, text, name, asked_at, state, pinned, note, answer, version
             from question where event_id = $1",
                event_id,
            )
            .await?;
        rows.iter()
            .map(|r| {
                let answer: Option<String> = r.try_get("answer")?;
                Ok((
                    attendee(r, "attendee_id")?,
                    Question {
                        id: parsed(r, "id", |id| id.parse().ok())?,
                        text: r.try_get("text")?,
                        name: r.try_get("name")?,
                        asked_at: time(r, "asked_at")?,
                        state: parsed(r, "state", QuestionState::parse)?,
                        pinned: r.try_get::<i64, _>("pinned")? != 0,
                        note: r.try_get("note")?,
                        answer: match answer {
                            Some(json) => Some(from_json(&json, "answer to a question")?),
                            None => None,
                        },
                        version: number(r, "version")?,
                    },
                ))
            })
            .collect()
    }

    /// Every upvote of an event.
    pub async fn question_votes(
        &self,
        event_id: i64,
    ) -> Result<Vec<(QuestionId, AttendeeId)>, AppError> {
        let rows = self
            .event_rows(
                "select question_id, attendee_id from question_vote where event_id = $1",
                event_id,
            )
            .await?;
        rows.iter()
            .map(|r| Ok((parsed(r, 0, |id| id.parse().ok())?, attendee(r, 1)?)))
            .collect()
    }

    /// Writes down the pace tally at a moment; another replica may have written the same
    /// moment already, and then its sample stands.
    pub async fn save_pace_sample(
        &self,
        event_id: i64,
        sample: &PaceSample,
    ) -> Result<(), AppError> {
        sqlx::query(
            "insert into pace_sample (event_id, at, section_id, slower, just_right, faster, online)
             values ($1, $2, $3, $4, $5, $6, $7) on conflict (event_id, at) do nothing",
        )
        .bind(event_id)
        .bind(millis(sample.at))
        .bind(sample.section.map(i64::from))
        .bind(i64::from(sample.counts.slower))
        .bind(i64::from(sample.counts.just_right))
        .bind(i64::from(sample.counts.faster))
        .bind(i64::from(sample.online))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every check-in of an event.
    pub async fn check_ins(&self, event_id: i64) -> Result<Vec<(AttendeeId, CheckIn)>, AppError> {
        let rows = self.event_rows("select attendee_id, place_text, name, label, country_code, country, latitude, longitude, at, held
             from check_in where event_id = $1", event_id).await?;
        rows.iter()
            .map(|r| {
                let place = match (
                    r.try_get::<Option<String>, _>("label")?,
                    r.try_get::<Option<String>, _>("country_code")?,
                    r.try_get::<Option<String>, _>("country")?,
                    r.try_get::<Option<f64>, _>("latitude")?,
                    r.try_get::<Option<f64>, _>("longitude")?,
                ) {
                    (
                        Some(label),
                        Some(country_code),
                        Some(country),
                        Some(latitude),
                        Some(longitude),
                    ) => Some(Place {
                        label,
                        country_code,
                        country,
                        latitude: latitude as f32,
                        longitude: longitude as f32,
                    }),
                    (None, None, None, None, None) => None,
                    partial => return Err(unreadable("check-in place", format!("{partial:?}"))),
                };
                let check_in = CheckIn {
                    place_text: parsed(r, "place_text", |text| PlaceText::parse(text).ok())?,
                    name: r.try_get("name")?,
                    place,
                    at: time(r, "at")?,
                    held: r.try_get::<i64, _>("held")? != 0,
                };
                Ok((attendee(r, "attendee_id")?, check_in))
            })
            .collect()
    }
}

/// The section a row was recorded in, if any.
fn optional_section(row: &AnyRow) -> Result<Option<SectionId>, AppError> {
    match row.try_get::<Option<i64>, _>("section_id")? {
        Some(n) => SectionId::try_from(n)
            .map(Some)
            .map_err(|_| unreadable("section_id", n)),
        None => Ok(None),
    }
}
