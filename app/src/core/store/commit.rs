//! The group commit: a batch of live changes written in one transaction, each to its
//! table, and numbered into its event's change log.
//!
//! [`Store::commit`] first takes the row lock of each event in the batch (PostgreSQL: in
//! id order, so two replicas never wait on each other in a circle; SQLite: the whole
//! database, as the transaction begins), then writes each change to its table, then
//! numbers the changes that took effect from the event's `change_seq` and appends them
//! to `live_change`. Numbers are handed out under the event's lock, so they
//! commit in order and without gaps: a reader that sees change n has seen every change
//! before it.

use super::{Backend, Store, choices_text, millis, to_json};
use crate::core::change::Change;
use crate::domain::agenda::{Agenda, SectionId};
use crate::domain::attendee::AttendeeId;
use crate::domain::checkin::CheckIn;
use crate::domain::help::{HelpAction, Ticket};
use crate::domain::lab::{LabNote, LabSignal, LabState};
use crate::domain::pace::PaceVote;
use crate::domain::poll::{PollId, PollSpec};
use crate::domain::question::{Question, QuestionId};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::{Connection, Row};
use std::collections::BTreeMap;

/// How many rows one multi-row insert carries (5 parameters each; SQLite allows 32,766).
const ROWS_PER_INSERT: usize = 500;

/// The connection the group-commit writer keeps between batches (see
/// [`Store::commit_kept`]). On SQLite each connection has a page cache of its own, which
/// a write through any other connection empties; the pool hands out its idle
/// connections in turn, so batches each taking one began with a cold cache (reading the
/// tables' pages again). Dropping it (or [`Kept::release`]) gives the connection back.
#[derive(Default)]
pub struct Kept(Option<sqlx::pool::PoolConnection<sqlx::Any>>);

impl Kept {
    /// Gives the connection back to the pool (the writer, when it has been idle a while:
    /// closing the pool waits for every connection).
    pub fn release(&mut self) {
        self.0 = None;
    }
}

impl Store {
    /// Writes a batch of changes in one transaction (a group commit) and appends those
    /// that took effect to their event's change log. Gives, per change, its number in
    /// the log, or `None` when the event's state refused it (a second Start).
    pub async fn commit(
        &self,
        origin: &str,
        batch: &[(i64, Change)],
    ) -> Result<Vec<Option<u64>>, AppError> {
        self.commit_kept(&mut Kept::default(), origin, batch).await
    }

    /// [`Store::commit`] on the connection `kept` holds (taking one from the pool when
    /// it holds none), which it keeps for the next batch unless this one failed (a
    /// failed connection may be broken: the next batch takes another).
    pub async fn commit_kept(
        &self,
        kept: &mut Kept,
        origin: &str,
        batch: &[(i64, Change)],
    ) -> Result<Vec<Option<u64>>, AppError> {
        let written = self.write_kept(kept, origin, batch).await;
        self.writes_failing
            .store(written.is_err(), std::sync::atomic::Ordering::Relaxed);
        written
    }

    async fn write_kept(
        &self,
        kept: &mut Kept,
        origin: &str,
        batch: &[(i64, Change)],
    ) -> Result<Vec<Option<u64>>, AppError> {
        let mut conn = match kept.0.take() {
            Some(conn) => conn,
            None => self.pool.acquire().await?,
        };
        let written = self.write_batch(&mut conn, origin, batch).await?;
        kept.0 = Some(conn);
        Ok(written)
    }

    async fn write_batch(
        &self,
        conn: &mut sqlx::AnyConnection,
        origin: &str,
        batch: &[(i64, Change)],
    ) -> Result<Vec<Option<u64>>, AppError> {
        // Same event and key: in the order made. Otherwise sorted, so that concurrent
        // transactions lock rows in one order.
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by(|&a, &b| (batch[a].0, batch[a].1.key()).cmp(&(batch[b].0, batch[b].1.key())));
        let mut took: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for &i in &order {
            took.entry(batch[i].0).or_default();
        }
        let mut tx = match self.backend {
            // One writer at a time: the transaction takes the database as it begins, in
            // the same round trip (each statement is one to SQLite's thread and back
            // through the async runtime; under a burst each costs about a millisecond).
            Backend::Sqlite => conn.begin_with("begin immediate").await?,
            Backend::Postgres => {
                let mut tx = conn.begin().await?;
                lock_events(&mut tx, took.keys()).await?;
                tx
            }
        };
        // Votes and check-ins always take effect: written many rows per statement, only
        // the last of each attendee's (the log keeps them all). The rest one by one.
        let mut votes: LatestVotes = BTreeMap::new();
        let mut check_ins: BTreeMap<(i64, &AttendeeId), &CheckIn> = BTreeMap::new();
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
                Change::Overlay { scene } => {
                    sqlx::query(SET_OVERLAY)
                        .bind(to_json(scene)?)
                        .bind(*event_id)
                        .execute(&mut *tx)
                        .await?;
                    true
                }
                Change::PollAsked { poll, at } => ask_poll(&mut tx, *event_id, poll, *at).await?,
                Change::PollClosed { poll, at } => {
                    update_poll(
                        &mut tx,
                        "update poll set closed_at = $1 where event_id = $2 and id = $3 and closed_at is null",
                        *event_id,
                        *poll,
                        *at,
                    )
                    .await?
                }
                Change::PollReopened { poll, at } => {
                    reopen_poll(&mut tx, *event_id, *poll, *at).await?
                }
                Change::PollRevealed { poll, at } => {
                    // A quiz still open closes as its answer goes out (PollBoard::reveal).
                    update_poll(
                        &mut tx,
                        "update poll set revealed_at = $1,
                           closed_at = case when right_choices <> '' then coalesce(closed_at, $1) else closed_at end
                         where event_id = $2 and id = $3 and hide_results = 1 and revealed_at is null",
                        *event_id,
                        *poll,
                        *at,
                    )
                    .await?
                }
                Change::PollAnswered { .. } => {
                    answers.push(i);
                    false
                }
                Change::WordsAnswered {
                    attendee,
                    poll,
                    answers,
                    hide,
                    at,
                } => {
                    answer_words(&mut tx, *event_id, attendee, *poll, answers, hide, *at).await?
                }
                Change::WordHidden { poll, key, hidden } => {
                    hide_word(&mut tx, *event_id, *poll, key, *hidden).await?
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
                    ticket,
                } => {
                    set_lab_signal(&mut tx, *event_id, attendee, *section, state.as_ref()).await?;
                    queue_for_help(&mut tx, *event_id, attendee, *section, state.as_ref(), *ticket)
                        .await?;
                    true
                }
                Change::Help { ticket, action, at } => {
                    act_on_help(&mut tx, *event_id, *ticket, action, *at).await?
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
        // Every event's numbers in one statement, then every entry in a few: a campus's
        // batch spans hundreds of events, and each statement is a round trip to the
        // database (on SQLite, to its thread and back through the async runtime).
        let counts: Vec<(i64, usize)> = took
            .iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(event_id, items)| (*event_id, items.len()))
            .collect();
        let last = take_numbers(&mut tx, self.backend, &counts).await?;
        let mut entries: Vec<(i64, i64, usize)> = Vec::new();
        for (event_id, items) in took.iter().filter(|(_, items)| !items.is_empty()) {
            // Changes of an event with no row to number them from: an error, not a refusal.
            let last = *last.get(event_id).ok_or(sqlx::Error::RowNotFound)?;
            let first = last - items.len() as i64 + 1;
            for (offset, &i) in items.iter().enumerate() {
                let seq = first + offset as i64;
                numbers[i] = Some(seq as u64);
                entries.push((*event_id, seq, i));
            }
        }
        for chunk in entries.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "insert into live_change (event_id, seq, origin, at, body) values {}",
                placeholders(self.backend, chunk.len(), 5)
            );
            let mut insert = sqlx::query(&sql);
            for &(event_id, seq, i) in chunk {
                insert = insert
                    .bind(event_id)
                    .bind(seq)
                    .bind(origin)
                    .bind(now)
                    .bind(batch[i].1.to_json());
            }
            insert.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(numbers)
    }
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

/// Takes the row lock of every event in `events` until commit, in id order (so two
/// replicas' batches never wait on each other in a circle). PostgreSQL only: SQLite's
/// transaction takes the whole database as it begins.
async fn lock_events(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    events: impl Iterator<Item = &i64>,
) -> Result<(), AppError> {
    let ids: Vec<i64> = events.copied().collect();
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        let list = placeholders(Backend::Postgres, chunk.len(), 1);
        let sql =
            format!("select id from event where id in (values {list}) order by id for update");
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Moves each event's `change_seq` on by its count; gives each event's new last number.
/// The events are locked ([`lock_events`]; on SQLite, the database), so the numbers are
/// theirs alone.
async fn take_numbers(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    counts: &[(i64, usize)],
) -> Result<BTreeMap<i64, i64>, AppError> {
    let mut last = BTreeMap::new();
    for chunk in counts.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "update event set change_seq = change_seq + counts.column2
             from (values {}) as counts
             where event.id = counts.column1
             returning id, change_seq",
            placeholders(backend, chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for &(event_id, count) in chunk {
            query = query.bind(event_id).bind(count as i64);
        }
        for row in query.fetch_all(&mut **tx).await? {
            last.insert(row.try_get::<i64, _>(0)?, row.try_get::<i64, _>(1)?);
        }
    }
    Ok(last)
}

/// Per (event, attendee) of a batch, their latest vote (`None`: taken back) and its time.
type LatestVotes<'a> = BTreeMap<(i64, &'a AttendeeId), (Option<PaceVote>, DateTime<Utc>)>;

/// The latest vote of each attendee in a batch: upserts for votes, deletes for votes
/// taken back, many rows per statement.
async fn write_votes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    votes: &LatestVotes<'_>,
) -> Result<(), AppError> {
    let cast: Vec<(&(i64, &AttendeeId), PaceVote, DateTime<Utc>)> = votes
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
                .bind(attendee.as_str())
                .bind(vote.as_str())
                .bind(millis(*at));
        }
        query.execute(&mut **tx).await?;
    }
    let taken_back: Vec<&(i64, &AttendeeId)> = votes
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
            query = query.bind(*event_id).bind(attendee.as_str());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The latest check-in of each attendee in a batch, many rows per statement.
async fn write_check_ins(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    check_ins: &BTreeMap<(i64, &AttendeeId), &CheckIn>,
) -> Result<(), AppError> {
    let rows: Vec<_> = check_ins.iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "insert into check_in (event_id, attendee_id, place_text, name, label, country_code, country, latitude, longitude, at, held)
             values {}
             on conflict (event_id, attendee_id) do update set place_text = excluded.place_text, name = excluded.name,
                 label = excluded.label, country_code = excluded.country_code, country = excluded.country,
                 latitude = excluded.latitude, longitude = excluded.longitude, at = excluded.at, held = excluded.held",
            placeholders(backend, chunk.len(), 11)
        );
        // Not kept prepared: sqlx's `Any` driver (0.8) declares a null `f64` as `float4`
        // to PostgreSQL, and a statement first prepared with an unknown place's null
        // point would then refuse every real latitude sent through it.
        let mut query = sqlx::query(&sql).persistent(false);
        for ((event_id, attendee), check_in) in chunk {
            let place = check_in.place.as_ref();
            query = query
                .bind(*event_id)
                .bind(attendee.as_str())
                .bind(check_in.place_text.as_str())
                .bind(check_in.name.as_deref())
                .bind(place.map(|p| p.label.as_str()))
                .bind(place.map(|p| p.country_code.as_str()))
                .bind(place.map(|p| p.country.as_str()))
                .bind(place.map(|p| f64::from(p.latitude)))
                .bind(place.map(|p| f64::from(p.longitude)))
                .bind(millis(check_in.at))
                .bind(i64::from(check_in.held));
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
    let mut latest: BTreeMap<(i64, String, &AttendeeId), (u8, DateTime<Utc>)> = BTreeMap::new();
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
                .bind(attendee.as_str())
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
    update_over_version(
        tx,
        "update event set agenda = $1, agenda_version = $2 where id = $3 and agenda_version = $4",
        agenda.version,
        |query, version| query.bind(json).bind(version).bind(event_id),
    )
    .await
}

/// A query with its parameters, for either backend.
type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// A version-checked update: `sql` sets a row to a value made from version n − 1 and
/// ends with `… and <its version column> = $last`; `bind` binds every parameter but that
/// last one, given n. True when the row still held n − 1; false when another change got
/// there first (the room keeps the highest version it has seen).
async fn update_over_version<'q>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &'q str,
    version: u64,
    bind: impl FnOnce(AnyQuery<'q>, i64) -> AnyQuery<'q>,
) -> Result<bool, AppError> {
    let version = stored_version(version)?;
    let done = bind(sqlx::query(sql), version)
        .bind(version - 1)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A version as the column holds it (versions count edits: far below `i64::MAX`).
fn stored_version(version: u64) -> Result<i64, AppError> {
    i64::try_from(version).map_err(|_| {
        tracing::error!(version, "a version past what the database holds");
        AppError::Internal
    })
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
        "insert into poll (event_id, id, question, options, section_id, asked_at, hide_results, right_choices, words)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (event_id, id) do nothing",
    )
    .bind(event_id)
    .bind(poll.id.to_string())
    .bind(&poll.question)
    .bind(options)
    .bind(poll.section.map(i64::from))
    .bind(millis(at))
    .bind(i64::from(poll.hide_results))
    .bind(choices_text(&poll.right))
    .bind(i64::from(poll.words))
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 1 {
        close_others(tx, event_id, poll.id, at).await?;
    }
    Ok(true)
}

/// An attendee's answers to a word cloud, replacing theirs, only while it is open; the
/// words the filter held are hidden with them. False when the cloud was closed.
async fn answer_words(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    attendee: &AttendeeId,
    poll: PollId,
    answers: &[String],
    hide: &[String],
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let written = sqlx::query(
        "insert into word_answer (event_id, poll_id, attendee_id, answers, at)
         select $1, $2, $3, $4, $5 where exists
             (select 1 from poll where event_id = $1 and id = $2 and words = 1 and closed_at is null)
         on conflict (event_id, poll_id, attendee_id) do update set answers = excluded.answers, at = excluded.at",
    )
    .bind(event_id)
    .bind(poll.to_string())
    .bind(attendee.as_str())
    .bind(to_json(&answers)?)
    .bind(millis(at))
    .execute(&mut **tx)
    .await?;
    if written.rows_affected() == 0 {
        return Ok(false);
    }
    for key in hide {
        hide_word(tx, event_id, poll, key, true).await?;
    }
    Ok(true)
}

/// Hides a word cloud's word (by group key) or shows it again; false when the poll is
/// not a word cloud of this event.
async fn hide_word(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    poll: PollId,
    key: &str,
    hidden: bool,
) -> Result<bool, AppError> {
    let poll = poll.to_string();
    let cloud = sqlx::query("select 1 from poll where event_id = $1 and id = $2 and words = 1")
        .bind(event_id)
        .bind(poll.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if cloud.is_none() {
        return Ok(false);
    }
    let sql = if hidden {
        "insert into word_hidden (event_id, poll_id, word_key) values ($1, $2, $3)
         on conflict (event_id, poll_id, word_key) do nothing"
    } else {
        "delete from word_hidden where event_id = $1 and poll_id = $2 and word_key = $3"
    };
    sqlx::query(sql)
        .bind(event_id)
        .bind(poll.as_str())
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// One poll's row changed by `sql` (`$1` the time, `$2` the event, `$3` the poll); true
/// when the row met the statement's conditions, false when the change had no effect.
async fn update_poll(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &str,
    event_id: i64,
    poll: PollId,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(sqlx::query(sql)
        .bind(millis(at))
        .bind(event_id)
        .bind(poll.to_string())
        .execute(&mut **tx)
        .await?
        .rows_affected()
        == 1)
}

/// Opens a closed poll again, closing the one that was open; false when it was open.
async fn reopen_poll(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    poll: PollId,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let reopened = sqlx::query(
        // A revealed quiz stays closed (PollBoard::reopen).
        "update poll set closed_at = null where event_id = $1 and id = $2 and closed_at is not null
           and not (right_choices <> '' and revealed_at is not null)",
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
    attendee: &AttendeeId,
    q: &Question,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into question (event_id, id, attendee_id, text, name, asked_at, state, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (event_id, id) do nothing",
    )
    .bind(event_id)
    .bind(q.id.to_string())
    .bind(attendee.as_str())
    .bind(&q.text)
    .bind(q.name.as_deref())
    .bind(millis(q.asked_at))
    .bind(q.state.as_str())
    .bind(stored_version(q.version)?)
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
    update_over_version(
        tx,
        "update question set state = $1, pinned = $2, note = $3, answer = $4, version = $5
         where event_id = $6 and id = $7 and version = $8",
        q.version,
        |query, version| {
            query
                .bind(q.state.as_str())
                .bind(i64::from(q.pinned))
                .bind(q.note.as_deref())
                .bind(answer)
                .bind(version)
                .bind(event_id)
                .bind(q.id.to_string())
        },
    )
    .await
}

/// Sets or takes back an upvote; true when it changed something.
async fn vote_question(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    attendee: &AttendeeId,
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
        .bind(attendee.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets (or with `None` clears) an attendee's lab signal in a section.
async fn set_lab_signal(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    attendee: &AttendeeId,
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
        .bind(attendee.as_str())
        .bind(state.signal.as_str())
        .bind(state.note.as_ref().map(LabNote::as_str))
        .bind(millis(state.at)),
        None => sqlx::query(
            "delete from lab_signal where event_id = $1 and section_id = $2 and attendee_id = $3",
        )
        .bind(event_id)
        .bind(i64::from(section))
        .bind(attendee.as_str()),
    }
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The help queue after a lab signal: Stuck puts the attendee in line under `ticket`
/// (a second Stuck while in line only changes the note: the place and the helper stay);
/// Done or taking it back withdraws their open request.
async fn queue_for_help(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    attendee: &AttendeeId,
    section: SectionId,
    state: Option<&LabState>,
    ticket: Option<Ticket>,
) -> Result<(), AppError> {
    match (state, ticket) {
        (Some(state), Some(ticket)) if state.signal == LabSignal::Stuck => sqlx::query(
            "insert into help_request (event_id, ticket, section_id, attendee_id, note, stuck_at)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (event_id, section_id, attendee_id) where closed_at is null
             do update set note = excluded.note",
        )
        .bind(event_id)
        .bind(ticket.to_string())
        .bind(i64::from(section))
        .bind(attendee.as_str())
        .bind(state.note.as_ref().map(LabNote::as_str))
        .bind(millis(state.at)),
        (state, _) => sqlx::query(
            "update help_request set closed_at = $1, outcome = 'withdrawn'
             where event_id = $2 and section_id = $3 and attendee_id = $4 and closed_at is null",
        )
        .bind(millis(state.map_or_else(Utc::now, |s| s.at)))
        .bind(event_id)
        .bind(i64::from(section))
        .bind(attendee.as_str()),
    }
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A co-instructor's action on an open request; false when its condition refused it (a
/// take while someone else is on it, on any replica; a request no longer open).
async fn act_on_help(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    ticket: Ticket,
    action: &HelpAction,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let query = match action {
        HelpAction::Take { helper } => sqlx::query(
            "update help_request set helper = $1, taken_at = coalesce(taken_at, $2)
             where event_id = $3 and ticket = $4 and closed_at is null and (helper is null or helper = $1)",
        )
        .bind(helper.as_str())
        .bind(millis(at)),
        HelpAction::Release => sqlx::query(
            "update help_request set helper = null, taken_at = null
             where event_id = $1 and ticket = $2 and closed_at is null and helper is not null",
        ),
        HelpAction::Helped => sqlx::query(
            "update help_request set closed_at = $1, outcome = 'helped'
             where event_id = $2 and ticket = $3 and closed_at is null",
        )
        .bind(millis(at)),
    };
    let done = query
        .bind(event_id)
        .bind(ticket.to_string())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(done > 0)
}

/// The presenter's Start: only the first counts, and only before the End.
const SET_STARTED: &str =
    "update event set started_at = $1 where id = $2 and started_at is null and ended_at is null";
/// The presenter's End: only of a live event.
const SET_ENDED: &str =
    "update event set ended_at = $1 where id = $2 and started_at is not null and ended_at is null";
const SET_PLACES_READ: &str = "update event set places_read_at = $1 where id = $2";
const SET_OVERLAY: &str = "update event set overlay = $1 where id = $2";

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
