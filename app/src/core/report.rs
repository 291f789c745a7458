//! What an event leaves behind: the report, the series comparison, the exports and the
//! calendar file, all built from what the store holds (the live room as stored, and
//! the survey's responses). The builders are pure; the async functions only read.

use crate::core::store::feedback::StoredResponse;
use crate::core::store::registrations::RegistrationRecord;
use crate::core::store::teams::SeriesRecord;
use crate::core::store::{EventRecord, Store, StoredRoom};
use crate::domain::agenda::{Agenda, SectionId};
use crate::domain::calendar::CalendarEntry;
use crate::domain::chart::BarChart;
use crate::domain::checkin::CheckInBoard;
use crate::domain::event::{NewEvent, planned_minutes};
use crate::domain::export::{Export, Table};
use crate::domain::feedback::{AnswerKind, response_rate};
use crate::domain::help::HelpQueue;
use crate::domain::pace;
use crate::domain::poll::{PollBoard, PollView, section_scores};
use crate::domain::question::{QuestionBoard, QuestionState, QuestionView, QueueOrder};
use crate::domain::registration::{EmailKind, Standing};
use crate::domain::report::CLOUD_CHART_WORDS;
use crate::domain::report::{
    EventReport, Funnel, LabHelpReport, PollReport, QuestionReport, RunSummary, SectionPaceReport,
    SectionQuizReport, SeriesView,
};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Everything stored about one run that a report or an export reads.
pub struct RunRecord {
    pub event: EventRecord,
    pub room: StoredRoom,
    pub responses: Vec<StoredResponse>,
    /// Its registrants, when it took registrations.
    pub registrations: Vec<RegistrationRecord>,
}

impl RunRecord {
    pub async fn read(store: &Store, event: EventRecord) -> Result<Self, AppError> {
        let room = store.room_state(event.id).await?;
        let responses = store.responses(event.id).await?;
        let registrations = store.registrations(event.id).await?;
        Ok(Self {
            event,
            room,
            responses,
            registrations,
        })
    }

    /// The agenda as it ran (or as planned, if it never started).
    fn agenda(&self) -> Agenda {
        self.room
            .agenda
            .clone()
            .unwrap_or_else(|| Agenda::planned(&self.event.sections))
    }

    fn section_titles(&self) -> HashMap<SectionId, String> {
        self.agenda()
            .sections
            .into_iter()
            .map(|s| (s.id, s.section.title))
            .collect()
    }

    /// Attendees: the most connected at once, or the check-ins if more checked in.
    fn attendees(&self) -> u32 {
        self.event
            .peak_attendees
            .max(self.room.check_ins.len() as u32)
    }

    fn response_rate(&self) -> u32 {
        response_rate(self.responses.len() as u32, self.attendees())
    }

    fn survey_results(&self) -> Vec<crate::domain::feedback::QuestionResult> {
        self.event
            .survey()
            .tally(self.responses.iter().map(|r| &r.response))
    }

    /// Every poll with its answers counted, in the order asked.
    fn polls(&self) -> Vec<PollView> {
        let board = PollBoard::restored(
            self.room.polls.iter().cloned(),
            self.room
                .poll_answers
                .iter()
                .map(|(poll, attendee, choice)| (*poll, attendee.as_str(), *choice)),
            self.room
                .word_answers
                .iter()
                .map(|(poll, attendee, said)| (*poll, attendee.as_str(), said.clone())),
        );
        let mut polls = board.all();
        polls.reverse();
        polls
    }

    /// Each poll's chart, a quiz's right choices marked "✓".
    fn poll_charts(polls: &[PollView], titles: &HashMap<SectionId, String>) -> Vec<PollReport> {
        polls
            .iter()
            .map(|poll| {
                let (labels, counts, answered): (Vec<String>, Vec<u32>, u32) = if poll.spec.words {
                    // The most given words, each a share of those who answered.
                    let top = poll.cloud.iter().take(CLOUD_CHART_WORDS);
                    (
                        top.clone().map(|w| w.label.clone()).collect(),
                        top.map(|w| w.count).collect(),
                        poll.respondents,
                    )
                } else {
                    let labels = (0u8..)
                        .zip(&poll.spec.options)
                        .map(|(i, option)| match poll.verdict(i) {
                            Some(true) => format!("✓ {option}"),
                            _ => option.clone(),
                        })
                        .collect();
                    (labels, poll.counts.clone(), poll.total())
                };
                PollReport {
                    chart: BarChart::new(
                        poll.spec.question.clone(),
                        &labels,
                        &counts,
                        answered,
                        poll.spec.words,
                    ),
                    asked_at: poll.asked_at,
                    section: poll.spec.section.and_then(|s| titles.get(&s).cloned()),
                    quiz: poll.score(),
                    cloud: poll.cloud.clone(),
                    hidden_words: poll.hidden_cloud.len() as u32,
                }
            })
            .collect()
    }

    /// The quiz questions' share right per section.
    fn quiz_sections(
        polls: &[PollView],
        titles: &HashMap<SectionId, String>,
    ) -> Vec<SectionQuizReport> {
        section_scores(polls)
            .into_iter()
            .map(|s| SectionQuizReport {
                title: s
                    .section
                    .and_then(|id| titles.get(&id).cloned())
                    .unwrap_or_else(|| "Before the start".into()),
                questions: s.questions,
                score: s.score,
            })
            .collect()
    }

    /// The questions that were let through, with their upvotes: answered first, then
    /// the rest, dismissed last, each by upvotes, then the oldest first.
    fn questions(&self) -> Vec<QuestionView> {
        let mut questions: Vec<QuestionView> = self
            .question_board()
            .queue(QueueOrder::Votes)
            .into_iter()
            .filter(|v| v.question.state != QuestionState::Review)
            .collect();
        questions.sort_by_key(|v| {
            (
                v.question.state != QuestionState::Answered,
                v.question.state == QuestionState::Dismissed,
                std::cmp::Reverse(v.votes),
                v.question.asked_at,
            )
        });
        questions
    }

    /// Every question with its upvotes, as the live room counts them.
    fn question_board(&self) -> QuestionBoard<&str> {
        QuestionBoard::restored(
            self.room
                .questions
                .iter()
                .map(|(asker, q)| (asker.as_str(), q.clone())),
            self.room
                .question_votes
                .iter()
                .map(|(question, attendee)| (*question, attendee.as_str())),
        )
    }

    /// Each lab's help queue: who asked, and how long they waited for someone to come
    /// (until the end of the event for those nobody reached).
    fn lab_help(&self, titles: &HashMap<SectionId, String>) -> Vec<LabHelpReport> {
        let queue = HelpQueue::restored(self.room.help_requests.clone());
        let until = self.event.lifecycle.ended_at.unwrap_or_else(Utc::now);
        let mut sections: Vec<SectionId> =
            self.room.help_requests.iter().map(|r| r.section).collect();
        sections.sort_unstable();
        sections.dedup();
        sections
            .into_iter()
            .map(|section| LabHelpReport {
                title: titles.get(&section).cloned().unwrap_or_default(),
                waits: queue.waits(section, until),
            })
            .collect()
    }

    /// From registered to answered, through each registrant's attendee session; none
    /// for a run that took no registrations.
    fn funnel(&self) -> Option<Funnel> {
        if self.event.registration.is_none() && self.registrations.is_empty() {
            return None;
        }
        let checked_in: std::collections::HashSet<&str> = self
            .room
            .check_ins
            .iter()
            .map(|(a, _)| a.as_str())
            .collect();
        let answered: std::collections::HashSet<&str> = self
            .responses
            .iter()
            .map(|r| r.attendee_id.as_str())
            .collect();
        let mut funnel = Funnel::default();
        for r in &self.registrations {
            match r.standing {
                Standing::Registered => funnel.registered += 1,
                Standing::Waitlisted => funnel.waitlisted += 1,
                Standing::Cancelled => funnel.cancelled += 1,
            }
            if r.standing != Standing::Registered {
                continue;
            }
            let attendee = r.attendee_id.as_deref();
            funnel.joined += u32::from(r.joined_at.is_some());
            funnel.checked_in += u32::from(attendee.is_some_and(|a| checked_in.contains(a)));
            funnel.answered += u32::from(attendee.is_some_and(|a| answered.contains(a)));
        }
        Some(funnel)
    }

    pub fn report(&self, series: Option<SeriesRecord>) -> EventReport {
        let titles = self.section_titles();
        let polls = self.polls();
        let mut board = CheckInBoard::default();
        for (attendee, check_in) in &self.room.check_ins {
            board.record(attendee.as_str(), check_in.clone());
        }
        let tally = board.tally(None);
        EventReport {
            event: self.event.clone().into(),
            series: series.map(Into::into),
            check_ins: tally.count,
            peak_attendees: self.event.peak_attendees,
            responses: self.responses.len() as u32,
            response_rate: self.response_rate(),
            survey_open: self.event.lifecycle.ended_at.is_some()
                && self.event.survey_closed_at.is_none(),
            survey: self.survey_results(),
            polls: Self::poll_charts(&polls, &titles),
            quiz_sections: Self::quiz_sections(&polls, &titles),
            labs: self.lab_help(&titles),
            pace: pace::history(&self.room.pace_samples)
                .into_iter()
                .map(|p| SectionPaceReport {
                    title: titles.get(&p.section).cloned().unwrap_or_default(),
                    slower: p.slower,
                    faster: p.faster,
                    peak_slower: p.peak_slower,
                    peak_faster: p.peak_faster,
                })
                .collect(),
            questions: self
                .questions()
                .into_iter()
                .map(|QuestionView { question: q, votes }| QuestionReport {
                    text: q.text,
                    name: q.name,
                    state: q.state.label().to_string(),
                    upvotes: votes,
                    answer: q.answer.as_ref().map(|a| a.label().to_string()),
                })
                .collect(),
            places: tally.places,
            countries: tally.countries,
            funnel: self.funnel(),
        }
    }

    /// One line of a series comparison.
    pub fn summary(&self) -> RunSummary {
        let survey = self.event.survey();
        let results = self.survey_results();
        let pace = survey
            .pace_question()
            .and_then(|i| results.get(i))
            .and_then(|r| r.chart.clone());
        let mut best_sections: Vec<(String, u32)> = survey
            .sections_question(&self.event.sections)
            .and_then(|i| results.get(i))
            .and_then(|r| r.chart.as_ref())
            .map(|chart| {
                chart
                    .bars
                    .iter()
                    .filter(|b| b.count > 0)
                    .map(|b| (b.label.clone(), b.count))
                    .collect()
            })
            .unwrap_or_default();
        best_sections.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        best_sections.truncate(3);
        RunSummary {
            slug: self.event.slug.to_string(),
            title: self.event.title.clone(),
            starts_at: self.event.starts_at,
            time_zone: self.event.time_zone.name().to_string(),
            check_ins: self.room.check_ins.len() as u32,
            peak_attendees: self.event.peak_attendees,
            responses: self.responses.len() as u32,
            response_rate: self.response_rate(),
            pace,
            best_sections,
            funnel: self.funnel(),
            reminders: self.event.registration.as_ref().map(|settings| {
                let sent: Vec<&str> = [
                    (EmailKind::TwoDays, "2 days"),
                    (EmailKind::TwoHours, "2 hours"),
                    (EmailKind::TenMinutes, "10 minutes"),
                ]
                .into_iter()
                .filter(|(kind, _)| settings.sends(*kind))
                .map(|(_, before)| before)
                .collect();
                if sent.is_empty() {
                    "none".to_string()
                } else {
                    sent.join(", ")
                }
            }),
        }
    }

    /// One of the exports, as a table (written as CSV or JSON by the caller).
    pub fn export(&self, which: Export) -> Table {
        let time = |t: DateTime<Utc>| json!(t.to_rfc3339());
        let titles = self.section_titles();
        let section = |s: Option<SectionId>| json!(s.and_then(|s| titles.get(&s).cloned()));
        match which {
            Export::CheckIns => {
                let mut table = Table::new(&[
                    "attendee",
                    "at",
                    "place_as_typed",
                    "name",
                    "place",
                    "country",
                ]);
                let mut rows = self.room.check_ins.clone();
                rows.sort_by_key(|(attendee, c)| (c.at, attendee.clone()));
                for (attendee, c) in rows {
                    table.push(vec![
                        json!(attendee),
                        time(c.at),
                        json!(c.place_text),
                        json!(c.name),
                        json!(c.place.as_ref().map(|p| p.label.clone())),
                        json!(c.place.as_ref().map(|p| p.country.clone())),
                    ]);
                }
                table
            }
            Export::Polls => {
                let mut table = Table::new(&[
                    "poll",
                    "asked_at",
                    "closed_at",
                    "section",
                    "question",
                    "attendee",
                    "answer",
                    "right",
                ]);
                for poll in &self.room.polls {
                    // (attendee, answer, right): a poll's choices (a quiz's marked right
                    // or not), a word cloud's words one row each, as typed.
                    let mut rows: Vec<(&str, Option<&str>, Option<bool>)> = self
                        .room
                        .poll_answers
                        .iter()
                        .filter(|a| a.0 == poll.spec.id)
                        .map(|(_, attendee, choice)| {
                            (
                                attendee.as_str(),
                                poll.spec
                                    .options
                                    .get(usize::from(*choice))
                                    .map(String::as_str),
                                poll.spec.is_quiz().then(|| poll.spec.is_right(*choice)),
                            )
                        })
                        .collect();
                    for (_, attendee, said) in self
                        .room
                        .word_answers
                        .iter()
                        .filter(|a| a.0 == poll.spec.id)
                    {
                        rows.extend(
                            said.iter()
                                .map(|w| (attendee.as_str(), Some(w.as_str()), None)),
                        );
                    }
                    rows.sort_by_key(|row| row.0);
                    for (attendee, answer, right) in rows {
                        table.push(vec![
                            json!(poll.spec.id.to_string()),
                            time(poll.asked_at),
                            json!(poll.closed_at.map(|t| t.to_rfc3339())),
                            section(poll.spec.section),
                            json!(poll.spec.question),
                            json!(attendee),
                            json!(answer),
                            json!(right),
                        ]);
                    }
                }
                table
            }
            Export::Pace => {
                let mut table =
                    Table::new(&["at", "section", "slower", "just_right", "faster", "online"]);
                for s in &self.room.pace_samples {
                    table.push(vec![
                        time(s.at),
                        section(s.section),
                        json!(s.counts.slower),
                        json!(s.counts.just_right),
                        json!(s.counts.faster),
                        json!(s.online),
                    ]);
                }
                table
            }
            Export::Questions => {
                let mut table = Table::new(&[
                    "question", "asked_at", "name", "text", "state", "pinned", "upvotes", "answer",
                ]);
                let mut questions = self.question_board().queue(QueueOrder::Votes);
                questions.sort_by_key(|v| (v.question.asked_at, v.question.id));
                for QuestionView { question: q, votes } in questions {
                    table.push(vec![
                        json!(q.id.to_string()),
                        time(q.asked_at),
                        json!(q.name),
                        json!(q.text),
                        json!(q.state.as_str()),
                        json!(q.pinned),
                        json!(votes),
                        json!(q.answer.as_ref().map(|a| a.label().to_string())),
                    ]);
                }
                table
            }
            Export::Registrations => {
                let mut table = Table::new(&[
                    "name",
                    "email",
                    "standing",
                    "source",
                    "registered_at",
                    "placed_at",
                    "cancelled_at",
                    "answer",
                    "joined_at",
                    "attendee",
                ]);
                let optional_time = |t: Option<DateTime<Utc>>| json!(t.map(|t| t.to_rfc3339()));
                for r in &self.registrations {
                    table.push(vec![
                        json!(r.name),
                        json!(r.email),
                        json!(r.standing.as_str()),
                        json!(r.source),
                        time(r.created_at),
                        optional_time(r.placed_at),
                        optional_time(r.cancelled_at),
                        json!(r.answer),
                        optional_time(r.joined_at),
                        json!(r.attendee_id),
                    ]);
                }
                table
            }
            Export::Survey => {
                let survey = self.event.survey();
                let mut table = Table::new(&[
                    "attendee",
                    "submitted_at",
                    "updated_at",
                    "question",
                    "prompt",
                    "choices",
                    "text",
                ]);
                for r in &self.responses {
                    for (&index, answer) in &r.response.answers {
                        let Some(question) = survey.questions.get(index) else {
                            continue;
                        };
                        let options = question.options();
                        let picked: Vec<Value> = answer
                            .choices
                            .iter()
                            .filter_map(|&c| options.get(usize::from(c)).cloned().map(Value::from))
                            .collect();
                        table.push(vec![
                            json!(r.attendee_id),
                            time(r.submitted_at),
                            time(r.updated_at),
                            json!(index + 1),
                            json!(question.prompt),
                            if question.kind == AnswerKind::Text {
                                json!([])
                            } else {
                                Value::Array(picked)
                            },
                            json!(answer.text),
                        ]);
                    }
                }
                table
            }
        }
    }
}

pub async fn event_report(store: &Store, event: EventRecord) -> Result<EventReport, AppError> {
    let series = match event.series_id {
        Some(id) => store.series(id).await?,
        None => None,
    };
    Ok(RunRecord::read(store, event).await?.report(series))
}

pub async fn series_view(store: &Store, series: SeriesRecord) -> Result<SeriesView, AppError> {
    let mut runs = Vec::new();
    for listed in store.events_of_series(series.id).await? {
        if let Some(event) = store.event_by_slug(listed.slug.as_str()).await? {
            runs.push(RunRecord::read(store, event).await?.summary());
        }
    }
    Ok(SeriesView {
        series: series.into(),
        runs,
    })
}

/// The next run of `event`: the same title, hosts, agenda, materials, settings and
/// survey, starting at `starts_at` in `zone`.
pub fn next_run(event: EventRecord, starts_at: DateTime<Utc>, zone: Tz) -> NewEvent {
    NewEvent {
        title: event.title,
        hosts: event.hosts,
        starts_at,
        time_zone: zone,
        materials: event.materials,
        sections: event.sections,
        doors_open_minutes: event.lifecycle.doors_open_minutes,
        survey_url: event.survey_url,
        pace_expiry_minutes: event.pace_expiry_minutes,
        pre_moderation: event.pre_moderation,
        hide_poll_results: event.hide_poll_results,
        word_filter: event.word_filter,
        survey: event.survey,
        registration: event.registration,
        call: event.call,
    }
}

/// The attendee's calendar file for an event.
pub fn calendar(event: &EventRecord, base: &str) -> String {
    calendar_with(
        event,
        base,
        &crate::core::attendee_url(base, &event.slug),
        None,
    )
}

/// A registrant's calendar file: their personal link as the event's address, and the
/// call's link and passcode in its description.
pub fn registrant_calendar(event: &EventRecord, base: &str, personal_link: &str) -> String {
    calendar_with(event, base, personal_link, event.call.as_ref())
}

fn calendar_with(
    event: &EventRecord,
    base: &str,
    url: &str,
    call: Option<&crate::domain::registration::Call>,
) -> String {
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .trim_end_matches('/');
    let mut description = String::new();
    if !event.hosts.is_empty() {
        description.push_str(&format!("With {}.\n", event.hosts));
    }
    description.push_str(&format!("Join here: {url}\n"));
    if let Some(call) = call {
        description.push_str(&format!("Video call: {}\n", call.url));
        if !call.passcode.is_empty() {
            description.push_str(&format!("Passcode: {}\n", call.passcode));
        }
    }
    for m in &event.materials {
        description.push_str(&format!("{}: {}\n", m.label, m.url));
    }
    CalendarEntry {
        uid: format!("{}@{host}", event.slug),
        title: event.title.clone(),
        description: description.trim_end().to_string(),
        url: url.to_string(),
        starts_at: event.starts_at,
        ends_at: event.starts_at
            + chrono::Duration::minutes(i64::from(planned_minutes(&event.sections).max(15))),
        stamp: Utc::now(),
    }
    .to_ics()
}
