//! The live side of the store: events as rooms load them, the batched writes of live
//! changes, and the change log that replicas follow.
//!
//! [`Store::commit`] writes a batch of [`Change`]s in one transaction: first it takes
//! the row lock of each event in the batch (in id order, so two replicas never wait on
//! each other in a circle), then writes each change to its table, then numbers the
//! changes that took effect from the event's `change_seq` and appends them to
//! `live_change`. Numbers are handed out under the event's lock, so they commit in
//! order and without gaps: a reader that sees change n has seen every change before it.

use super::{Backend, Store, from_json, from_millis, millis, to_json};
use crate::core::change::Change;
use crate::domain::agenda::{Agenda, SectionId};
use crate::domain::checkin::CheckIn;
use crate::domain::event::{Lifecycle, Material, Section, SectionKind, Slug};
use crate::domain::feedback::Survey;
use crate::domain::lab::{LabSignal, LabState};
use crate::domain::pace::{PaceCounts, PaceSample, PaceVote};
use crate::domain::place::Place;
use crate::domain::poll::{PollId, PollSpec};
use crate::domain::question::{Question, QuestionId, QuestionState};
use crate::error::AppError;
use crate::live::Online;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// How many rows one multi-row insert carries (5 parameters each; SQLite allows 32,766).
const ROWS_PER_INSERT: usize = 500;

/// An event with its agenda and materials, as stored.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub id: i64,
    pub slug: Slug,
    pub title: String,
    pub hosts: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: Tz,
    pub created_by: Option<i64>,
    pub sections: Vec<Section>,
    pub materials: Vec<Material>,
    pub survey_url: Option<String>,
    /// When the presenter last read the new places out.
    pub places_read_at: Option<DateTime<Utc>>,
    /// Doors-open time, Start and End: what decides the event's phase.
    pub lifecycle: Lifecycle,
    /// Pace votes stop counting after this many minutes.
    pub pace_expiry_minutes: u32,
    /// Questions wait for a co-instructor's approval before they are public.
    pub pre_moderation: bool,
    /// The organizers' own survey questions, if they changed the default.
    pub survey: Option<Survey>,
    /// When an organizer closed the survey to new answers.
    pub survey_closed_at: Option<DateTime<Utc>>,
    /// A recording, added after the event.
    pub recording_url: Option<String>,
    /// The most attendees connected at once.
    pub peak_attendees: u32,
    /// The recurring tutorial it is a run of (none: made on the command line, unfiled).
    pub series_id: Option<i64>,
}

impl EventRecord {
    /// The survey attendees get at the end: the organizers' questions, or the seed's.
    pub fn survey(&self) -> Survey {
        self.survey
            .clone()
            .unwrap_or_else(|| Survey::default_for(&self.title, &self.sections))
    }
}

/// Everything a live room starts from, read after the change number it is current to:
/// replaying the log from `seq` onwards over it brings it up to date.
#[derive(Debug, Clone, Default)]
pub struct StoredRoom {
    pub seq: u64,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub places_read_at: Option<DateTime<Utc>>,
    pub pace_votes: Vec<(String, PaceVote, DateTime<Utc>)>,
    pub check_ins: Vec<(String, CheckIn)>,
    /// The running agenda, once the presenter has changed it (else the planned one).
    pub agenda: Option<Agenda>,
    /// Every poll, oldest first: what was asked, when, and when it closed.
    pub polls: Vec<StoredPoll>,
    /// (poll, attendee, choice) of every answer.
    pub poll_answers: Vec<(PollId, String, u8)>,
    /// (section, attendee, signal) of every lab signal.
    pub lab_signals: Vec<(SectionId, String, LabState)>,
    /// The pace tally over time, oldest first.
    pub pace_samples: Vec<PaceSample>,
    /// (asker, question) of every question.
    pub questions: Vec<(String, Question)>,
    /// (question, attendee) of every upvote.
    pub question_votes: Vec<(QuestionId, String)>,
}

/// A poll as stored.
#[derive(Debug, Clone)]
pub struct StoredPoll {
    pub spec: PollSpec,
    pub asked_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// One entry of an event's change log.
#[derive(Debug, Clone)]
pub struct LoggedChange {
    pub seq: u64,
    /// The replica that made it.
    pub origin: String,
    pub change: Change,
}

/// The PostgreSQL channel that wakes replicas following an event (no payload: the
/// change log says what changed).
pub fn wake_channel(event_id: i64) -> String {
    format!("lectern_event_{event_id}")
}

impl Store {
    pub async fn event_by_slug(&self, slug: &str) -> Result<Option<EventRecord>, AppError> {
        let row = sqlx::query(
            "select id, slug, title, hosts, starts_at, time_zone, created_by, doors_open_minutes, started_at, ended_at, survey_url,
                    places_read_at, pace_expiry_minutes, pre_moderation, survey, survey_closed_at, recording_url,
                    peak_attendees, series_id
             from event where slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let sections = sqlx::query(
            "select title, kind, minutes, exercise_minutes from section where event_id = $1 order by position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Section {
                title: r.try_get("title")?,
                kind: SectionKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or_default(),
                minutes: u32::try_from(r.try_get::<i64, _>("minutes")?).unwrap_or_default(),
                exercise_minutes: u32::try_from(r.try_get::<i64, _>("exercise_minutes")?).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let materials =
            sqlx::query("select label, url from material where event_id = $1 order by position")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(Material {
                        label: r.try_get("label")?,
                        url: r.try_get("url")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(EventRecord {
            id,
            slug: Slug::parse(&row.try_get::<String, _>("slug")?)?,
            title: row.try_get("title")?,
            hosts: row.try_get("hosts")?,
            starts_at: from_millis(row.try_get("starts_at")?),
            time_zone: row
                .try_get::<String, _>("time_zone")?
                .parse()
                .unwrap_or(Tz::UTC),
            created_by: row.try_get("created_by")?,
            sections,
            materials,
            survey_url: row.try_get("survey_url")?,
            places_read_at: optional_time(&row, "places_read_at")?,
            lifecycle: Lifecycle {
                starts_at: from_millis(row.try_get("starts_at")?),
                doors_open_minutes: u32::try_from(row.try_get::<i64, _>("doors_open_minutes")?)
                    .unwrap_or_default(),
                started_at: optional_time(&row, "started_at")?,
                ended_at: optional_time(&row, "ended_at")?,
            },
            pace_expiry_minutes: u32::try_from(row.try_get::<i64, _>("pace_expiry_minutes")?)
                .unwrap_or(crate::domain::pace::DEFAULT_EXPIRY_MINUTES),
            pre_moderation: row.try_get::<i64, _>("pre_moderation")? != 0,
            survey: row
                .try_get::<Option<String>, _>("survey")?
                .map(|json| from_json(&json, "survey"))
                .transpose()?,
            survey_closed_at: optional_time(&row, "survey_closed_at")?,
            recording_url: row.try_get("recording_url")?,
            peak_attendees: u32::try_from(row.try_get::<i64, _>("peak_attendees")?)
                .unwrap_or_default(),
            series_id: row.try_get("series_id")?,
        }))
    }

    /// An event's live state as stored, with the number of the last change it includes.
    /// The number is read first: a change made meanwhile is then both in the tables and
    /// after `seq` in the log, and applying it again changes nothing.
    pub async fn room_state(&self, event_id: i64) -> Result<StoredRoom, AppError> {
        let row = sqlx::query(
            "select change_seq, started_at, ended_at, places_read_at, agenda from event where id = $1",
        )
        .bind(event_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("event {event_id}")))?;
        Ok(StoredRoom {
            seq: u64::try_from(row.try_get::<i64, _>("change_seq")?).unwrap_or_default(),
            started_at: optional_time(&row, "started_at")?,
            ended_at: optional_time(&row, "ended_at")?,
            places_read_at: optional_time(&row, "places_read_at")?,
            agenda: match row.try_get::<Option<String>, _>("agenda")? {
                Some(json) => Some(from_json(&json, "agenda")?),
                None => None,
            },
            pace_votes: self.pace_votes(event_id).await?,
            check_ins: self.check_ins(event_id).await?,
            polls: self.polls(event_id).await?,
            poll_answers: self.poll_answers(event_id).await?,
            lab_signals: self.lab_signals(event_id).await?,
            pace_samples: self.pace_samples(event_id).await?,
            questions: self.questions(event_id).await?,
            question_votes: self.question_votes(event_id).await?,
        })
    }

    /// Writes a batch of changes in one transaction (a group commit) and appends those
    /// that took effect to their event's change log. Gives, per change, its number in
    /// the log, or `None` when the event's state refused it (a second Start).
    pub async fn commit(
        &self,
        origin: &str,
        batch: &[(i64, Change)],
    ) -> Result<Vec<Option<u64>>, AppError> {
        let written = self.write_batch(origin, batch).await;
        self.writes_failing
            .store(written.is_err(), std::sync::atomic::Ordering::Relaxed);
        written
    }

    async fn write_batch(
        &self,
        origin: &str,
        batch: &[(i64, Change)],
    ) -> Result<Vec<Option<u64>>, AppError> {
        // Same event and key: in the order made. Otherwise sorted, so that concurrent
        // transactions lock rows in one order.
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by(|&a, &b| (batch[a].0, batch[a].1.key()).cmp(&(batch[b].0, batch[b].1.key())));
        let mut tx = self.pool.begin().await?;
        let mut took: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for &i in &order {
            took.entry(batch[i].0).or_default();
        }
        for &event_id in took.keys() {
            // Takes the event row's lock until commit (on SQLite, the database's).
            sqlx::query("update event set change_seq = change_seq where id = $1")
                .bind(event_id)
                .execute(&mut *tx)
                .await?;
        }
        // Votes and check-ins always take effect: written many rows per statement, only
        // the last of each attendee's (the log keeps them all). The rest one by one.
        let mut votes: LatestVotes = BTreeMap::new();
        let mut check_ins: BTreeMap<(i64, &str), &CheckIn> = BTreeMap::new();
        // Answers are checked against the polls once the batch's closes are written.
        let mut answers: Vec<usize> = Vec::new();
        for &i in &order {
            let (event_id, change) = &batch[i];
            let done = match change {
                Change::Pace { attendee, vote, at } => {
                    votes.insert((*event_id, attendee), (*vote, *at));
                    true
                }
                Change::CheckIn { attendee, check_in } => {
                    check_ins.insert((*event_id, attendee), check_in);
                    true
                }
                Change::Started { at } => set_moment(&mut tx, SET_STARTED, *event_id, *at).await?,
                Change::Ended { at } => set_moment(&mut tx, SET_ENDED, *event_id, *at).await?,
                Change::PlacesRead { at } => {
                    set_moment(&mut tx, SET_PLACES_READ, *event_id, *at).await?
                }
                Change::Agenda { agenda } => set_agenda(&mut tx, *event_id, agenda).await?,
                Change::PollAsked { poll, at } => ask_poll(&mut tx, *event_id, poll, *at).await?,
                Change::PollClosed { poll, at } => {
                    sqlx::query(
                        "update poll set closed_at = $1 where event_id = $2 and id = $3 and closed_at is null",
                    )
                    .bind(millis(*at))
                    .bind(*event_id)
                    .bind(poll.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1
                }
                Change::PollReopened { poll, at } => {
                    reopen_poll(&mut tx, *event_id, *poll, *at).await?
                }
                Change::PollAnswered { .. } => {
                    answers.push(i);
                    false
                }
                Change::QuestionAsked { attendee, question } => {
                    insert_question(&mut tx, *event_id, attendee, question).await?;
                    true
                }
                Change::QuestionChanged { question } => {
                    update_question(&mut tx, *event_id, question).await?
                }
                Change::QuestionVoted {
                    attendee,
                    question,
                    up,
                } => vote_question(&mut tx, *event_id, attendee, *question, *up).await?,
                Change::Lab {
                    attendee,
                    section,
                    state,
                } => {
                    set_lab_signal(&mut tx, *event_id, attendee, *section, state.as_ref()).await?;
                    true
                }
            };
            if done {
                took.entry(*event_id).or_default().push(i);
            }
        }
        write_votes(&mut tx, self.backend, &votes).await?;
        write_check_ins(&mut tx, self.backend, &check_ins).await?;
        for i in write_answers(&mut tx, self.backend, batch, &answers).await? {
            took.entry(batch[i].0).or_default().push(i);
        }
        let now = millis(Utc::now());
        let mut numbers = vec![None; batch.len()];
        for (event_id, items) in &took {
            if items.is_empty() {
                continue;
            }
            let last: i64 = sqlx::query(
                "update event set change_seq = change_seq + $1 where id = $2 returning change_seq",
            )
            .bind(items.len() as i64)
            .bind(event_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            let first = last - items.len() as i64 + 1;
            for (offset, chunk) in items.chunks(ROWS_PER_INSERT).enumerate() {
                let sql = format!(
                    "insert into live_change (event_id, seq, origin, at, body) values {}",
                    placeholders(self.backend, chunk.len(), 5)
                );
                let mut insert = sqlx::query(&sql);
                for (row, &i) in chunk.iter().enumerate() {
                    let seq = first + (offset * ROWS_PER_INSERT + row) as i64;
                    numbers[i] = Some(seq as u64);
                    insert = insert
                        .bind(*event_id)
                        .bind(seq)
                        .bind(origin)
                        .bind(now)
                        .bind(batch[i].1.to_json());
                }
                insert.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(numbers)
    }

    /// The changes of an event after number `after`, oldest first, at most `limit`.
    pub async fn changes_after(
        &self,
        event_id: i64,
        after: u64,
        limit: u32,
    ) -> Result<Vec<LoggedChange>, AppError> {
        let rows = sqlx::query(
            "select seq, origin, body from live_change where event_id = $1 and seq > $2 order by seq limit $3",
        )
        .bind(event_id)
        .bind(i64::try_from(after).unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                let change = from_json(&body, "change in the log")?;
                Ok(LoggedChange {
                    seq: u64::try_from(r.try_get::<i64, _>("seq")?).unwrap_or_default(),
                    origin: r.try_get("origin")?,
                    change,
                })
            })
            .collect()
    }

    /// Forgets log entries older than `before`; a replica further behind reloads its
    /// rooms from the tables instead. Gives how many went.
    pub async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64, AppError> {
        Ok(sqlx::query("delete from live_change where at < $1")
            .bind(millis(before))
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Wakes the replicas following the event (PostgreSQL only; one process has no one
    /// to wake on SQLite). Sent outside any transaction: a transaction that notifies
    /// takes a global lock at commit.
    pub async fn wake_replicas(&self, event_id: i64) -> Result<(), AppError> {
        self.notify(&wake_channel(event_id)).await
    }

    /// A payload-free NOTIFY on `channel` (PostgreSQL only).
    pub async fn notify(&self, channel: &str) -> Result<(), AppError> {
        if self.backend == Backend::Postgres {
            sqlx::query("select pg_notify($1, '')")
                .bind(channel)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A listener for replica wake-ups, on its own connection (PostgreSQL only).
    pub async fn listener(&self) -> Result<Option<sqlx::postgres::PgListener>, AppError> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => Ok(Some(sqlx::postgres::PgListener::connect(&self.url).await?)),
        }
    }

    /// Records who is connected to this replica for the event.
    pub async fn save_presence(
        &self,
        event_id: i64,
        origin: &str,
        online: Online,
    ) -> Result<(), AppError> {
        sqlx::query(
            "insert into presence (event_id, origin, attendees, staff, screens, seen_at) values ($1, $2, $3, $4, $5, $6)
             on conflict (event_id, origin) do update set attendees = excluded.attendees, staff = excluded.staff,
                 screens = excluded.screens, seen_at = excluded.seen_at",
        )
        .bind(event_id)
        .bind(origin)
        .bind(i64::from(online.attendees))
        .bind(i64::from(online.staff))
        .bind(i64::from(online.screens))
        .bind(millis(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Who is connected to the event on the other replicas that reported since `since`.
    pub async fn presence_elsewhere(
        &self,
        event_id: i64,
        origin: &str,
        since: DateTime<Utc>,
    ) -> Result<Online, AppError> {
        let row = sqlx::query(
            "select cast(coalesce(sum(attendees), 0) as bigint), cast(coalesce(sum(staff), 0) as bigint),
                    cast(coalesce(sum(screens), 0) as bigint) from presence
             where event_id = $1 and origin <> $2 and seen_at >= $3",
        )
        .bind(event_id)
        .bind(origin)
        .bind(millis(since))
        .fetch_one(&self.pool)
        .await?;
        let count = |i: usize| -> Result<u32, AppError> {
            Ok(u32::try_from(row.try_get::<i64, _>(i)?).unwrap_or_default())
        };
        Ok(Online {
            attendees: count(0)?,
            staff: count(1)?,
            screens: count(2)?,
        })
    }

    /// This replica closed the event's room.
    pub async fn forget_presence(&self, event_id: i64, origin: &str) -> Result<(), AppError> {
        sqlx::query("delete from presence where event_id = $1 and origin = $2")
            .bind(event_id)
            .bind(origin)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every stored pace vote of an event, with when it was cast.
    pub async fn pace_votes(
        &self,
        event_id: i64,
    ) -> Result<Vec<(String, PaceVote, DateTime<Utc>)>, AppError> {
        let rows: Vec<AnyRow> =
            sqlx::query("select attendee_id, vote, cast_at from pace_vote where event_id = $1")
                .bind(event_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let vote =
                    PaceVote::parse(&r.try_get::<String, _>(1)?).ok_or(AppError::Internal)?;
                Ok((r.try_get(0)?, vote, from_millis(r.try_get(2)?)))
            })
            .collect()
    }

    /// Every poll of an event, oldest first.
    pub async fn polls(&self, event_id: i64) -> Result<Vec<StoredPoll>, AppError> {
        let rows = sqlx::query(
            "select id, question, options, section_id, asked_at, closed_at from poll
             where event_id = $1 order by asked_at, id",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let options: String = r.try_get("options")?;
                Ok(StoredPoll {
                    spec: PollSpec {
                        id: id.parse().map_err(|_| AppError::Internal)?,
                        question: r.try_get("question")?,
                        options: from_json(&options, "poll's options")?,
                        section: r
                            .try_get::<Option<i64>, _>("section_id")?
                            .and_then(|s| SectionId::try_from(s).ok()),
                    },
                    asked_at: from_millis(r.try_get("asked_at")?),
                    closed_at: optional_time(r, "closed_at")?,
                })
            })
            .collect()
    }

    /// Every poll answer of an event.
    pub async fn poll_answers(&self, event_id: i64) -> Result<Vec<(PollId, String, u8)>, AppError> {
        let rows =
            sqlx::query("select poll_id, attendee_id, choice from poll_answer where event_id = $1")
                .bind(event_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let poll: String = r.try_get(0)?;
                Ok((
                    poll.parse().map_err(|_| AppError::Internal)?,
                    r.try_get(1)?,
                    u8::try_from(r.try_get::<i64, _>(2)?).map_err(|_| AppError::Internal)?,
                ))
            })
            .collect()
    }

    /// Every lab signal of an event.
    pub async fn lab_signals(
        &self,
        event_id: i64,
    ) -> Result<Vec<(SectionId, String, LabState)>, AppError> {
        let rows = sqlx::query(
            "select section_id, attendee_id, signal, note, at from lab_signal where event_id = $1",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let signal = LabSignal::parse(&r.try_get::<String, _>("signal")?)
                    .ok_or(AppError::Internal)?;
                Ok((
                    SectionId::try_from(r.try_get::<i64, _>("section_id")?)
                        .map_err(|_| AppError::Internal)?,
                    r.try_get("attendee_id")?,
                    LabState {
                        signal,
                        note: r.try_get("note")?,
                        at: from_millis(r.try_get("at")?),
                    },
                ))
            })
            .collect()
    }

    /// The pace tally over time, oldest first.
    pub async fn pace_samples(&self, event_id: i64) -> Result<Vec<PaceSample>, AppError> {
        let rows = sqlx::query(
            "select at, section_id, slower, just_right, faster, online from pace_sample
             where event_id = $1 order by at",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        let count = |r: &AnyRow, column: &str| -> Result<u32, sqlx::Error> {
            Ok(u32::try_from(r.try_get::<i64, _>(column)?).unwrap_or_default())
        };
        rows.iter()
            .map(|r| {
                Ok(PaceSample {
                    at: from_millis(r.try_get("at")?),
                    section: r
                        .try_get::<Option<i64>, _>("section_id")?
                        .and_then(|s| SectionId::try_from(s).ok()),
                    counts: PaceCounts {
                        slower: count(r, "slower")?,
                        just_right: count(r, "just_right")?,
                        faster: count(r, "faster")?,
                    },
                    online: count(r, "online")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(AppError::from)
    }

    /// Every question of an event with who asked it.
    pub async fn questions(&self, event_id: i64) -> Result<Vec<(String, Question)>, AppError> {
        let rows = sqlx::query(
            "select id, attendee_id, text, name, asked_at, state, pinned, note, answer, version
             from question where event_id = $1",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let answer: Option<String> = r.try_get("answer")?;
                Ok((
                    r.try_get("attendee_id")?,
                    Question {
                        id: id.parse().map_err(|_| AppError::Internal)?,
                        text: r.try_get("text")?,
                        name: r.try_get("name")?,
                        asked_at: from_millis(r.try_get("asked_at")?),
                        state: QuestionState::parse(&r.try_get::<String, _>("state")?)
                            .ok_or(AppError::Internal)?,
                        pinned: r.try_get::<i64, _>("pinned")? != 0,
                        note: r.try_get("note")?,
                        answer: match answer {
                            Some(json) => Some(from_json(&json, "answer to a question")?),
                            None => None,
                        },
                        version: u64::try_from(r.try_get::<i64, _>("version")?).unwrap_or_default(),
                    },
                ))
            })
            .collect()
    }

    /// Every upvote of an event.
    pub async fn question_votes(
        &self,
        event_id: i64,
    ) -> Result<Vec<(QuestionId, String)>, AppError> {
        let rows =
            sqlx::query("select question_id, attendee_id from question_vote where event_id = $1")
                .bind(event_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                Ok((id.parse().map_err(|_| AppError::Internal)?, r.try_get(1)?))
            })
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
    pub async fn check_ins(&self, event_id: i64) -> Result<Vec<(String, CheckIn)>, AppError> {
        let rows = sqlx::query(
            "select attendee_id, place_text, name, label, country_code, country, latitude, longitude, at
             from check_in where event_id = $1",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let label: Option<String> = r.try_get("label")?;
                let place = match (
                    label,
                    r.try_get::<Option<f64>, _>("latitude")?,
                    r.try_get::<Option<f64>, _>("longitude")?,
                ) {
                    (Some(label), Some(latitude), Some(longitude)) => Some(Place {
                        label,
                        country_code: r
                            .try_get::<Option<String>, _>("country_code")?
                            .unwrap_or_default(),
                        country: r
                            .try_get::<Option<String>, _>("country")?
                            .unwrap_or_default(),
                        latitude: latitude as f32,
                        longitude: longitude as f32,
                    }),
                    _ => None,
                };
                let check_in = CheckIn {
                    place_text: r.try_get("place_text")?,
                    name: r.try_get("name")?,
                    place,
                    at: from_millis(r.try_get("at")?),
                };
                Ok((r.try_get("attendee_id")?, check_in))
            })
            .collect()
    }
}

fn optional_time(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(from_millis))
}

/// `($1, $2), ($3, $4)` (PostgreSQL) or `(?, ?), (?, ?)` (SQLite): the placeholders of
/// a multi-row statement. SQLite gets anonymous ones: it looks each numbered one up by
/// name, in a list as long as the statement's parameters, which makes binding 2,000 of
/// them quadratic.
fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::new();
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push(',');
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => sql.push_str(&format!("${}", row * columns + column + 1)),
            }
        }
        sql.push(')');
    }
    sql
}

/// Per (event, attendee) of a batch, their latest vote (`None`: taken back) and its time.
type LatestVotes<'a> = BTreeMap<(i64, &'a str), (Option<PaceVote>, DateTime<Utc>)>;

/// The latest vote of each attendee in a batch: upserts for votes, deletes for votes
/// taken back, many rows per statement.
async fn write_votes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    votes: &LatestVotes<'_>,
) -> Result<(), AppError> {
    let cast: Vec<(&(i64, &str), PaceVote, DateTime<Utc>)> = votes
        .iter()
        .filter_map(|(k, (v, at))| Some((k, (*v)?, *at)))
        .collect();
    for chunk in cast.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "insert into pace_vote (event_id, attendee_id, vote, cast_at) values {}
             on conflict (event_id, attendee_id) do update set vote = excluded.vote, cast_at = excluded.cast_at",
            placeholders(backend, chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for ((event_id, attendee), vote, at) in chunk {
            query = query
                .bind(*event_id)
                .bind(*attendee)
                .bind(vote.as_str())
                .bind(millis(*at));
        }
        query.execute(&mut **tx).await?;
    }
    let taken_back: Vec<&(i64, &str)> = votes
        .iter()
        .filter(|(_, (v, _))| v.is_none())
        .map(|(k, _)| k)
        .collect();
    for chunk in taken_back.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "delete from pace_vote where (event_id, attendee_id) in (values {})",
            placeholders(backend, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (event_id, attendee) in chunk {
            query = query.bind(*event_id).bind(*attendee);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The latest check-in of each attendee in a batch, many rows per statement.
async fn write_check_ins(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    check_ins: &BTreeMap<(i64, &str), &CheckIn>,
) -> Result<(), AppError> {
    let rows: Vec<_> = check_ins.iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "insert into check_in (event_id, attendee_id, place_text, name, label, country_code, country, latitude, longitude, at)
             values {}
             on conflict (event_id, attendee_id) do update set place_text = excluded.place_text, name = excluded.name,
                 label = excluded.label, country_code = excluded.country_code, country = excluded.country,
                 latitude = excluded.latitude, longitude = excluded.longitude, at = excluded.at",
            placeholders(backend, chunk.len(), 10)
        );
        let mut query = sqlx::query(&sql);
        for ((event_id, attendee), check_in) in chunk {
            let place = check_in.place.as_ref();
            query = query
                .bind(*event_id)
                .bind(*attendee)
                .bind(&check_in.place_text)
                .bind(check_in.name.as_deref())
                .bind(place.map(|p| p.label.as_str()))
                .bind(place.map(|p| p.country_code.as_str()))
                .bind(place.map(|p| p.country.as_str()))
                .bind(place.map(|p| f64::from(p.latitude)))
                .bind(place.map(|p| f64::from(p.longitude)))
                .bind(millis(check_in.at));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Answers to the polls open now (after the batch's own closes and reopens): many rows
/// per statement, the last of each attendee's. Gives the batch positions taken.
async fn write_answers(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    batch: &[(i64, Change)],
    answers: &[usize],
) -> Result<Vec<usize>, AppError> {
    if answers.is_empty() {
        return Ok(Vec::new());
    }
    let mut open: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for &i in answers {
        let event_id = batch[i].0;
        if let std::collections::btree_map::Entry::Vacant(entry) = open.entry(event_id) {
            let rows = sqlx::query("select id from poll where event_id = $1 and closed_at is null")
                .bind(event_id)
                .fetch_all(&mut **tx)
                .await?;
            entry.insert(
                rows.iter()
                    .map(|r| r.try_get::<String, _>(0))
                    .collect::<Result<_, _>>()?,
            );
        }
    }
    let mut taken = Vec::new();
    let mut latest: BTreeMap<(i64, String, &str), (u8, DateTime<Utc>)> = BTreeMap::new();
    for &i in answers {
        let (event_id, change) = &batch[i];
        if let Change::PollAnswered {
            attendee,
            poll,
            choice,
            at,
        } = change
        {
            let poll = poll.to_string();
            if open.get(event_id).is_some_and(|ids| ids.contains(&poll)) {
                latest.insert((*event_id, poll, attendee), (*choice, *at));
                taken.push(i);
            }
        }
    }
    let rows: Vec<_> = latest.iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "insert into poll_answer (event_id, poll_id, attendee_id, choice, at) values {}
             on conflict (event_id, poll_id, attendee_id) do update set choice = excluded.choice, at = excluded.at",
            placeholders(backend, chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for ((event_id, poll, attendee), (choice, at)) in chunk {
            query = query
                .bind(*event_id)
                .bind(poll.as_str())
                .bind(*attendee)
                .bind(i64::from(*choice))
                .bind(millis(*at));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(taken)
}

/// Stores the agenda after a command, only over the version it was made from.
async fn set_agenda(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    agenda: &Agenda,
) -> Result<bool, AppError> {
    let json = to_json(agenda)?;
    let version = i64::try_from(agenda.version).map_err(|_| AppError::Internal)?;
    let done = sqlx::query(
        "update event set agenda = $1, agenda_version = $2 where id = $3 and agenda_version = $4",
    )
    .bind(json)
    .bind(version)
    .bind(event_id)
    .bind(version - 1)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Opens a poll and closes the one that was open. Asking a poll that exists (a retry)
/// changes nothing, and is not refused.
async fn ask_poll(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    poll: &PollSpec,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let options = to_json(&poll.options)?;
    let inserted = sqlx::query(
        "insert into poll (event_id, id, question, options, section_id, asked_at) values ($1, $2, $3, $4, $5, $6)
         on conflict (event_id, id) do nothing",
    )
    .bind(event_id)
    .bind(poll.id.to_string())
    .bind(&poll.question)
    .bind(options)
    .bind(poll.section.map(i64::from))
    .bind(millis(at))
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 1 {
        close_others(tx, event_id, poll.id, at).await?;
    }
    Ok(true)
}

/// Opens a closed poll again, closing the one that was open; false when it was open.
async fn reopen_poll(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    poll: PollId,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let reopened = sqlx::query(
        "update poll set closed_at = null where event_id = $1 and id = $2 and closed_at is not null",
    )
    .bind(event_id)
    .bind(poll.to_string())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if reopened {
        close_others(tx, event_id, poll, at).await?;
    }
    Ok(reopened)
}

async fn close_others(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    except: PollId,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "update poll set closed_at = $1 where event_id = $2 and closed_at is null and id <> $3",
    )
    .bind(millis(at))
    .bind(event_id)
    .bind(except.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores a new question; one already there (a retried ask) is left as it is.
async fn insert_question(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    attendee: &str,
    q: &Question,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into question (event_id, id, attendee_id, text, name, asked_at, state, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (event_id, id) do nothing",
    )
    .bind(event_id)
    .bind(q.id.to_string())
    .bind(attendee)
    .bind(&q.text)
    .bind(q.name.as_deref())
    .bind(millis(q.asked_at))
    .bind(q.state.as_str())
    .bind(i64::try_from(q.version).unwrap_or_default())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores a moderated question, only over the version it was made from.
async fn update_question(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    q: &Question,
) -> Result<bool, AppError> {
    let answer = q.answer.as_ref().map(to_json).transpose()?;
    let version = i64::try_from(q.version).map_err(|_| AppError::Internal)?;
    let done = sqlx::query(
        "update question set state = $1, pinned = $2, note = $3, answer = $4, version = $5
         where event_id = $6 and id = $7 and version = $8",
    )
    .bind(q.state.as_str())
    .bind(i64::from(q.pinned))
    .bind(q.note.as_deref())
    .bind(answer)
    .bind(version)
    .bind(event_id)
    .bind(q.id.to_string())
    .bind(version - 1)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets or takes back an upvote; true when it changed something.
async fn vote_question(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    attendee: &str,
    question: QuestionId,
    up: bool,
) -> Result<bool, AppError> {
    let sql = if up {
        "insert into question_vote (event_id, question_id, attendee_id) values ($1, $2, $3)
         on conflict (event_id, question_id, attendee_id) do nothing"
    } else {
        "delete from question_vote where event_id = $1 and question_id = $2 and attendee_id = $3"
    };
    let done = sqlx::query(sql)
        .bind(event_id)
        .bind(question.to_string())
        .bind(attendee)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets (or with `None` clears) an attendee's lab signal in a section.
async fn set_lab_signal(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    attendee: &str,
    section: SectionId,
    state: Option<&LabState>,
) -> Result<(), AppError> {
    match state {
        Some(state) => sqlx::query(
            "insert into lab_signal (event_id, section_id, attendee_id, signal, note, at) values ($1, $2, $3, $4, $5, $6)
             on conflict (event_id, section_id, attendee_id) do update set signal = excluded.signal, note = excluded.note, at = excluded.at",
        )
        .bind(event_id)
        .bind(i64::from(section))
        .bind(attendee)
        .bind(state.signal.as_str())
        .bind(state.note.as_deref())
        .bind(millis(state.at)),
        None => sqlx::query(
            "delete from lab_signal where event_id = $1 and section_id = $2 and attendee_id = $3",
        )
        .bind(event_id)
        .bind(i64::from(section))
        .bind(attendee),
    }
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The presenter's Start: only the first counts, and only before the End.
const SET_STARTED: &str =
    "update event set started_at = $1 where id = $2 and started_at is null and ended_at is null";
/// The presenter's End: only of a live event.
const SET_ENDED: &str =
    "update event set ended_at = $1 where id = $2 and started_at is not null and ended_at is null";
const SET_PLACES_READ: &str = "update event set places_read_at = $1 where id = $2";

/// Sets one of the event's moments with `sql` (`$1` the moment, `$2` the event); false
/// when the statement's condition refused it.
async fn set_moment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &str,
    event_id: i64,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let done = sqlx::query(sql)
        .bind(millis(at))
        .bind(event_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_and_anonymous_for_sqlite() {
        assert_eq!(placeholders(Backend::Postgres, 2, 2), "($1,$2),($3,$4)");
        assert_eq!(placeholders(Backend::Sqlite, 2, 3), "(?,?,?),(?,?,?)");
    }
}
