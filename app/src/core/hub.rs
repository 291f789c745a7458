//! The live hub: one room per event with someone connected, holding the event's live
//! state in memory and pushing it to every page.
//!
//! Where a vote goes: [`Membership::cast_pace`] hands a [`Change`] to the [`Writer`]
//! (group commit: stored in the vote table and the event's change log), applies it to
//! the room's [`PaceBoard`] (the tally), and wakes the room's publisher. The publisher
//! serializes one [`ServerMsg::Snapshot`] and hands the bytes to the room's
//! broadcaster (at most every [`PUBLISH_TICK`]) and, with the staff's part, to the
//! staff `watch` slot (the presenter and co-instructors, at most every [`STAFF_TICK`]).
//! The broadcaster fills the [`PUBLIC_SHARDS`] public slots one after another in rounds
//! that start at most every [`PUBLIC_TICK`], each slot taking the newest snapshot when
//! its turn comes. A `watch` keeps only the latest
//! value, so a slow page skips stale tallies instead of queueing them, and a burst of
//! votes costs a few broadcasts, not one per vote.
//!
//! With several replicas (PostgreSQL), the publisher also wakes the other replicas, which
//! read the change log and apply what others wrote ([`super::replicas`]).
//!
//! Locks: `Hub::rooms` and `Room::state` are std mutexes, never held across an `.await`;
//! when both are taken, the hub's comes first.

use super::change::Change;
use super::clock;
use super::replicas::Follow;
use super::store::Store;
use super::store::live::{EventRecord, StoredRoom};
use super::writer::Writer;
use crate::domain::agenda::{Agenda, AgendaCommand, SectionId};
use crate::domain::checkin::{CheckIn, CheckInBoard, CheckInTally};
use crate::domain::event::{Lifecycle, Phase, SectionKind};
use crate::domain::lab::{LabBoard, LabSignal, LabState, parse_note};
use crate::domain::pace::{self, PaceBoard, PaceSample, PaceVote};
use crate::domain::place::{parse_check_in_name, parse_place};
use crate::domain::poll::{AnswerRefused, PollBoard, PollId, PollSpec};
use crate::domain::question::{Moderation, Question, QuestionBoard, QuestionId, QueueOrder};
use crate::error::AppError;
use crate::live::{
    HIDDEN_QUESTIONS, LiveSnapshot, MAX_PAGES_PER_ATTENDEE, MAX_PUBLIC_SNAPSHOT_BYTES, Online,
    PUBLIC_QUESTIONS, ServerMsg, StaffSnapshot, Viewer,
};
use axum::extract::ws::Utf8Bytes;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

/// The shortest time between two snapshots to the presenter and co-instructors.
pub const STAFF_TICK: Duration = Duration::from_millis(25);
/// The shortest time between two snapshots handed to the broadcaster: each public slot
/// takes the newest when a round reaches it, so fresher snapshots cost no messages.
pub const PUBLISH_TICK: Duration = Duration::from_millis(10);
/// The shortest time between the starts of two broadcast rounds to everyone else: at
/// most ten a second, since one round to 10,000 sockets costs about 50 ms of CPU.
pub const PUBLIC_TICK: Duration = Duration::from_millis(100);
/// How many public slots a room spreads its pages over.
/// (Measured at 10,000 pages: 256 slots of about 40 pages kept votes moving during a
/// broadcast; 16 and 64 slots let them queue for hundreds of milliseconds.)
pub const PUBLIC_SHARDS: usize = 256;
/// When only the count of people online changed, everyone else hears of it at most
/// once a second: a thousand people joining must not cost a broadcast per join.
pub const ONLINE_TICK: Duration = Duration::from_secs(1);
/// How often a room looks at the clock: pace votes expiring, the pace sample due.
pub const TEND_TICK: Duration = Duration::from_secs(1);

/// All the live rooms of this server process.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    store: Store,
    writer: Writer,
    /// This process's name in the change log, so it skips its own changes there.
    origin: Arc<str>,
    /// Rooms by event id; a room leaves when its last connection does.
    rooms: Mutex<HashMap<i64, Arc<Room>>>,
    /// Rooms being opened, by event id: the first page to arrive reads the room from the
    /// database, and the crowd reconnecting behind it (after a restart, 10,000 at once)
    /// waits for that read instead of each making its own.
    opening: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    /// How many times a room's state was read from the database.
    room_loads: std::sync::atomic::AtomicU64,
    /// Tells the replica follower which events to listen for (PostgreSQL only).
    follow: OnceLock<mpsc::UnboundedSender<Follow>>,
}

/// One event's live state and its broadcast slots.
pub struct Room {
    event_id: i64,
    /// The event as it was when the room opened: lets new connections skip the
    /// database (only its id and address are used once the room is open).
    event: Arc<EventRecord>,
    state: Mutex<RoomState>,
    /// The latest snapshot for the presenter and co-instructors, serialized once.
    staff: watch::Sender<Utf8Bytes>,
    /// The latest snapshot for attendees and stage screens, serialized once, in
    /// [`PUBLIC_SHARDS`] slots that the broadcaster fills one after another.
    public: Vec<watch::Sender<Utf8Bytes>>,
    /// The public slot the next page joins.
    next_shard: std::sync::atomic::AtomicUsize,
    /// Wakes the publisher after a change.
    changed: Notify,
    /// Something other than who is online changed since the last public snapshot.
    content: AtomicBool,
    /// This process wrote a change since the publisher last woke the other replicas.
    wrote: AtomicBool,
    /// One catch-up from the change log at a time.
    catching_up: tokio::sync::Mutex<()>,
}

struct RoomState {
    lifecycle: Lifecycle,
    /// The most attendees connected at once (here and elsewhere) that the store knows of.
    peak_attendees: u32,
    pace: PaceBoard<String>,
    checkins: CheckInBoard<String>,
    /// The check-in tally as last computed (sorting places costs O(n log n)); cleared
    /// by every change to check-ins or to when places were last read.
    checkin_tally: Option<CheckInTally>,
    /// When the presenter last read the new places out.
    places_read_at: Option<DateTime<Utc>>,
    /// Pages connected to this process (attendees counted once, however many pages).
    online: Online,
    /// Each attendee's pages open on this process: attendees are counted, not tabs.
    attendee_pages: HashMap<Arc<str>, usize>,
    /// Pages connected to the other replicas (PostgreSQL), as they last reported.
    elsewhere: Online,
    /// Snapshots published so far.
    seq: u64,
    /// The last change-log entry this room has seen.
    log_seq: u64,
    /// The agenda as it runs, with the section clock.
    agenda: Agenda,
    /// How many sections the event's own plan has (ids 1 to n): snapshots leave their
    /// plan out, since every page has it.
    planned_sections: usize,
    /// How long a pace vote counts.
    pace_expiry_minutes: u32,
    polls: PollBoard<String>,
    lab: LabBoard<String>,
    /// The pace tally over time, oldest first.
    pace_samples: Vec<PaceSample>,
    questions: QuestionBoard<String>,
    /// Questions wait for approval before they are public.
    pre_moderation: bool,
}

/// A connection's place in a room; leaving the room is dropping this.
pub struct Membership {
    hub: Hub,
    room: Arc<Room>,
    viewer: Viewer,
    /// Who, for an attendee's page (their pages are counted together).
    attendee: Option<Arc<str>>,
    /// The public slot this page reads (attendees and stage screens).
    shard: usize,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain counters behind, still usable.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    /// Starts the hub and its group-commit writer.
    pub fn new(store: Store) -> Self {
        let origin: Arc<str> = uuid::Uuid::new_v4().to_string().into();
        Self {
            inner: Arc::new(HubInner {
                writer: Writer::start(store.clone(), origin.clone()),
                store,
                origin,
                rooms: Mutex::new(HashMap::new()),
                opening: Mutex::new(HashMap::new()),
                room_loads: std::sync::atomic::AtomicU64::new(0),
                follow: OnceLock::new(),
            }),
        }
    }

    pub(super) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(super) fn set_follower(&self, follow: mpsc::UnboundedSender<Follow>) {
        let _ = self.inner.follow.set(follow);
    }

    pub(super) fn origin(&self) -> &str {
        &self.inner.origin
    }

    /// Asks the replica follower to (stop) listen(ing) for an event's wake-ups.
    fn follow(&self, what: Follow) {
        if let Some(follow) = self.inner.follow.get()
            && follow.send(what).is_ok()
        {
            let store = self.inner.store.clone();
            let channel = super::replicas::control_channel(&self.inner.origin);
            tokio::spawn(async move {
                if let Err(e) = store.notify(&channel).await {
                    tracing::warn!(error = %e, "could not wake the replica follower");
                }
            });
        }
    }

    /// Joins the event's room, opening it (from the database) if nobody is there. An
    /// attendee (`attendee`: their id) with [`MAX_PAGES_PER_ATTENDEE`] pages open already
    /// is refused.
    pub async fn join(
        &self,
        event: &EventRecord,
        viewer: Viewer,
        attendee: Option<&str>,
    ) -> Result<Membership, AppError> {
        let attendee: Option<Arc<str>> = attendee.map(Arc::from);
        if let Some(membership) = self.try_join_open(event.id, viewer, &attendee) {
            return membership;
        }
        // One read per room: whoever arrives while it is being opened waits for it.
        let gate = lock(&self.inner.opening)
            .entry(event.id)
            .or_default()
            .clone();
        let _opening = gate.lock().await;
        if let Some(membership) = self.try_join_open(event.id, viewer, &attendee) {
            return membership;
        }
        let state = match self.load(event).await {
            Ok(state) => state,
            Err(e) => {
                // Those waiting try again, one at a time.
                lock(&self.inner.opening).remove(&event.id);
                return Err(e);
            }
        };
        let membership = {
            let mut rooms = lock(&self.inner.rooms);
            // Someone may have opened the room while we were loading: theirs wins.
            let room = rooms.entry(event.id).or_insert_with(|| {
                let room = Room::new(event, state);
                self.follow(Follow::Start(event.id));
                tokio::spawn(publish(self.clone(), room.clone()));
                room
            });
            // Counted in while the registry is held: an empty room is closed under it.
            self.enter(room, viewer, attendee)
        };
        // The room is open: those waiting at the gate find it, and later arrivals never
        // reach the gate.
        lock(&self.inner.opening).remove(&event.id);
        membership
    }

    /// Counts a page in: its attendee's pages are bounded.
    fn enter(
        &self,
        room: &Arc<Room>,
        viewer: Viewer,
        attendee: Option<Arc<str>>,
    ) -> Result<Membership, AppError> {
        if !room.enter(viewer, attendee.as_ref()) {
            return Err(AppError::TooMany(format!(
                "This browser has {MAX_PAGES_PER_ATTENDEE} pages of this event open already; close one to open another."
            )));
        }
        Ok(Membership {
            hub: self.clone(),
            shard: room.shard(),
            room: room.clone(),
            viewer,
            attendee,
        })
    }

    /// A room's state as the database has it.
    async fn load(&self, event: &EventRecord) -> Result<RoomState, AppError> {
        self.inner.room_loads.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("lectern_room_loads_total").increment(1);
        let stored = self.inner.store.room_state(event.id).await?;
        let mut state = RoomState::new(
            event.lifecycle,
            Agenda::planned(&event.sections),
            event.pace_expiry_minutes,
        );
        state.pre_moderation = event.pre_moderation;
        state.peak_attendees = event.peak_attendees;
        state.reset(stored);
        state.tend(clock::now());
        Ok(state)
    }

    /// How many times this process read a room's state from the database (to open a
    /// room, or to render a page of an event nobody is connected to).
    pub fn room_loads(&self) -> u64 {
        self.inner.room_loads.load(Ordering::Relaxed)
    }

    fn try_join_open(
        &self,
        event_id: i64,
        viewer: Viewer,
        attendee: &Option<Arc<str>>,
    ) -> Option<Result<Membership, AppError>> {
        let rooms = lock(&self.inner.rooms);
        let room = rooms.get(&event_id)?;
        Some(self.enter(room, viewer, attendee.clone()))
    }

    /// The live snapshot of an event, for rendering a page on the server (`staff`: with
    /// what only the presenter and co-instructors see).
    pub async fn snapshot(
        &self,
        event: &EventRecord,
        staff: bool,
    ) -> Result<LiveSnapshot, AppError> {
        let open = lock(&self.inner.rooms).get(&event.id).cloned();
        match open {
            Some(room) => Ok(room.current(staff)),
            None => Ok(self.load(event).await?.full_snapshot(staff)),
        }
    }

    /// The event of an open room, found by its address, without asking the database.
    pub fn open_event(&self, slug: &str) -> Option<Arc<EventRecord>> {
        lock(&self.inner.rooms)
            .values()
            .find(|room| room.event.slug.as_str() == slug)
            .map(|room| room.event.clone())
    }

    /// The pages connected to this process for the event (not counting other replicas).
    pub fn online_here(&self, event_id: i64) -> Online {
        lock(&self.inner.rooms)
            .get(&event_id)
            .map(|room| lock(&room.state).online)
            .unwrap_or_default()
    }

    /// Waits (at most `patience`) until every live page has left, as they do when the
    /// server stops; their last actions are then written and answered.
    pub async fn drained(&self, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if lock(&self.inner.rooms).is_empty() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        lock(&self.inner.rooms).is_empty()
    }

    /// The events with an open room here.
    pub(super) fn open_events(&self) -> Vec<i64> {
        lock(&self.inner.rooms).keys().copied().collect()
    }

    /// Applies what other replicas wrote to the event's change log since this room last
    /// looked. A room that fell behind the kept log reloads from the tables.
    pub(super) async fn catch_up(&self, event_id: i64) -> Result<(), AppError> {
        const PAGE: u32 = 2_000;
        let Some(room) = lock(&self.inner.rooms).get(&event_id).cloned() else {
            return Ok(());
        };
        let _turn = room.catching_up.lock().await;
        loop {
            let after = lock(&room.state).log_seq;
            let changes = self
                .inner
                .store
                .changes_after(event_id, after, PAGE)
                .await?;
            let Some(first) = changes.first() else {
                return Ok(());
            };
            if first.seq != after + 1 {
                tracing::info!(
                    event_id,
                    after,
                    first = first.seq,
                    "behind the change log: reloading the room"
                );
                let stored = self.inner.store.room_state(event_id).await?;
                lock(&room.state).reset(stored);
                room.content.store(true, Ordering::Relaxed);
                room.changed.notify_one();
                return Ok(());
            }
            let full = changes.len() == PAGE as usize;
            {
                let mut state = lock(&room.state);
                for logged in changes {
                    if logged.seq <= state.log_seq {
                        continue;
                    }
                    if *logged.origin != *self.inner.origin {
                        state.apply(&logged.change);
                        room.content.store(true, Ordering::Relaxed);
                    }
                    state.log_seq = logged.seq;
                }
            }
            room.changed.notify_one();
            if !full {
                return Ok(());
            }
        }
    }

    /// Reports who is connected here to the other replicas, and takes in what they
    /// reported (only those heard from in the last few seconds count).
    pub(super) async fn share_presence(&self, event_id: i64) -> Result<(), AppError> {
        let Some(room) = lock(&self.inner.rooms).get(&event_id).cloned() else {
            return Ok(());
        };
        let here = lock(&room.state).online;
        let store = &self.inner.store;
        store
            .save_presence(event_id, &self.inner.origin, here)
            .await?;
        let since = Utc::now() - chrono::Duration::seconds(5);
        let elsewhere = store
            .presence_elsewhere(event_id, &self.inner.origin, since)
            .await?;
        let mut state = lock(&room.state);
        if state.elsewhere != elsewhere {
            state.elsewhere = elsewhere;
            drop(state);
            room.changed.notify_one();
        }
        Ok(())
    }

    /// Closes the room if nobody is in it; true when it was closed.
    fn close_if_empty(&self, room: &Room) -> bool {
        let mut rooms = lock(&self.inner.rooms);
        let empty = {
            let state = lock(&room.state);
            state.online.attendees + state.online.staff + state.online.screens == 0
        };
        if empty {
            rooms.remove(&room.event_id);
            self.follow(Follow::Stop(room.event_id));
            if self.inner.follow.get().is_some() {
                let (store, origin, event_id) = (
                    self.inner.store.clone(),
                    self.inner.origin.clone(),
                    room.event_id,
                );
                tokio::spawn(async move {
                    if let Err(e) = store.forget_presence(event_id, &origin).await {
                        tracing::warn!(error = %e, "could not clear this replica's presence");
                    }
                });
            }
        }
        empty
    }
}

impl Room {
    fn new(event: &EventRecord, mut state: RoomState) -> Arc<Self> {
        let first = Utf8Bytes::from(ServerMsg::Snapshot(state.snapshot()).to_json());
        let (staff, _) = watch::channel(first.clone());
        let public = (0..PUBLIC_SHARDS)
            .map(|_| watch::channel(first.clone()).0)
            .collect();
        Arc::new(Self {
            event_id: event.id,
            event: Arc::new(event.clone()),
            state: Mutex::new(state),
            staff,
            public,
            next_shard: std::sync::atomic::AtomicUsize::new(0),
            changed: Notify::new(),
            content: AtomicBool::new(false),
            wrote: AtomicBool::new(false),
            catching_up: tokio::sync::Mutex::new(()),
        })
    }

    fn shard(&self) -> usize {
        self.next_shard.fetch_add(1, Ordering::Relaxed) % PUBLIC_SHARDS
    }

    /// Counts a page in; false (and nothing counted) when its attendee has
    /// [`MAX_PAGES_PER_ATTENDEE`] open already.
    fn enter(&self, viewer: Viewer, attendee: Option<&Arc<str>>) -> bool {
        let mut state = lock(&self.state);
        match viewer {
            Viewer::Attendee => {
                let key = attendee.cloned().unwrap_or_else(|| Arc::from(""));
                let pages = state.attendee_pages.entry(key).or_default();
                if *pages >= MAX_PAGES_PER_ATTENDEE {
                    return false;
                }
                *pages += 1;
                state.online.attendees = state.attendee_pages.len() as u32;
            }
            Viewer::Presenter | Viewer::Moderator => state.online.staff += 1,
            Viewer::Stage => state.online.screens += 1,
        }
        drop(state);
        metrics::gauge!("lectern_connections", "role" => viewer.label()).increment(1.0);
        self.changed.notify_one();
        true
    }

    fn leave(&self, viewer: Viewer, attendee: Option<&Arc<str>>) {
        let mut state = lock(&self.state);
        match viewer {
            Viewer::Attendee => {
                let key = attendee.cloned().unwrap_or_else(|| Arc::from(""));
                if let Some(pages) = state.attendee_pages.get_mut(&key) {
                    *pages -= 1;
                    if *pages == 0 {
                        state.attendee_pages.remove(&key);
                    }
                }
                state.online.attendees = state.attendee_pages.len() as u32;
            }
            Viewer::Presenter | Viewer::Moderator => {
                state.online.staff = state.online.staff.saturating_sub(1)
            }
            Viewer::Stage => state.online.screens = state.online.screens.saturating_sub(1),
        }
        drop(state);
        metrics::gauge!("lectern_connections", "role" => viewer.label()).decrement(1.0);
        self.changed.notify_one();
    }

    fn current(&self, staff: bool) -> LiveSnapshot {
        lock(&self.state).full_snapshot(staff)
    }

    /// Expires pace votes and writes down the pace sample when one is due; true when
    /// the snapshot changed.
    fn tend(&self, store: &Store) -> bool {
        let now = clock::now();
        let (expired, sample, peak) = {
            let mut state = lock(&self.state);
            let attendees = state.online.attendees + state.elsewhere.attendees;
            let peak = (attendees > state.peak_attendees).then(|| {
                state.peak_attendees = attendees;
                attendees
            });
            (state.tend(now), state.sample(now), peak)
        };
        if let Some(peak) = peak {
            let (store, event_id) = (store.clone(), self.event_id);
            tokio::spawn(async move {
                if let Err(e) = store.raise_peak(event_id, peak).await {
                    tracing::warn!(error = %e, "could not store the peak attendance");
                }
            });
        }
        if expired {
            self.content.store(true, Ordering::Relaxed);
        }
        if let Some(sample) = sample {
            let (store, event_id) = (store.clone(), self.event_id);
            tokio::spawn(async move {
                if let Err(e) = store.save_pace_sample(event_id, &sample).await {
                    tracing::warn!(error = %e, "could not store a pace sample");
                }
            });
        }
        expired || sample.is_some()
    }
}

impl RoomState {
    /// An empty room for an event with this schedule and agenda.
    fn new(lifecycle: Lifecycle, agenda: Agenda, pace_expiry_minutes: u32) -> Self {
        Self {
            lifecycle,
            peak_attendees: 0,
            pace: PaceBoard::default(),
            checkins: CheckInBoard::default(),
            checkin_tally: None,
            places_read_at: None,
            online: Online::default(),
            attendee_pages: HashMap::new(),
            elsewhere: Online::default(),
            seq: 0,
            log_seq: 0,
            planned_sections: agenda.sections.len(),
            agenda,
            pace_expiry_minutes,
            polls: PollBoard::default(),
            lab: LabBoard::default(),
            pace_samples: Vec::new(),
            questions: QuestionBoard::default(),
            pre_moderation: false,
        }
    }

    /// Drops the pace votes that stopped counting by `now` (expired, or cast before the
    /// current section); true when any went.
    fn tend(&mut self, now: DateTime<Utc>) -> bool {
        let cutoff = pace::cutoff(now, self.pace_expiry_minutes, self.agenda.current_since);
        self.pace.expire(cutoff)
    }

    /// The pace sample for the [`pace::SAMPLE_SECONDS`] slot `now` is in, if the event is
    /// live and the slot has none yet.
    fn sample(&mut self, now: DateTime<Utc>) -> Option<PaceSample> {
        if self.lifecycle.phase(now) != Phase::Live {
            return None;
        }
        let slot_ms = pace::SAMPLE_SECONDS * 1000;
        let at = DateTime::from_timestamp_millis(now.timestamp_millis() / slot_ms * slot_ms)?;
        if self.pace_samples.last().is_some_and(|last| last.at >= at) {
            return None;
        }
        let sample = PaceSample {
            at,
            section: self.agenda.current,
            counts: self.pace.counts(),
            online: self.online.attendees + self.elsewhere.attendees,
        };
        self.pace_samples.push(sample);
        Some(sample)
    }

    /// The snapshot, with the staff's part when `staff`.
    fn full_snapshot(&mut self, staff: bool) -> LiveSnapshot {
        let mut snapshot = self.snapshot();
        if staff {
            snapshot.staff = Some(self.staff_part(snapshot.now));
        }
        snapshot
    }

    fn staff_part(&mut self, now: DateTime<Utc>) -> StaffSnapshot {
        StaffSnapshot {
            polls: self.polls.all(),
            pace_trend: pace::trend(&self.pace_samples, now),
            pace_history: pace::history(&self.pace_samples),
            stuck_notes: self.lab.stuck_notes(self.agenda.current),
            queue: self.questions.queue(QueueOrder::Votes),
            pre_moderation: self.pre_moderation,
            unread_places: self.checkin_tally().unread.clone(),
        }
    }

    /// Everyone's check-ins, tallied once per change.
    fn checkin_tally(&mut self) -> &CheckInTally {
        let places_read_at = self.places_read_at;
        self.checkin_tally
            .get_or_insert_with(|| self.checkins.tally(places_read_at))
    }

    /// What every page gets (the staff's part is added to it for theirs), at most
    /// [`MAX_PUBLIC_SNAPSHOT_BYTES`] whatever attendees sent.
    fn snapshot(&mut self) -> LiveSnapshot {
        let checkins = self.checkin_tally().for_live_pages();
        let mut snapshot = LiveSnapshot {
            seq: self.seq,
            pace: self.pace.counts(),
            online: Online {
                attendees: self.online.attendees + self.elsewhere.attendees,
                staff: self.online.staff + self.elsewhere.staff,
                screens: self.online.screens + self.elsewhere.screens,
            },
            started_at: self.lifecycle.started_at,
            ended_at: self.lifecycle.ended_at,
            checkins,
            now: clock::now(),
            agenda: self.agenda.to_wire(self.planned_sections),
            poll: self.polls.latest(),
            lab: self.lab.counts(self.agenda.current),
            questions: self.questions.public(PUBLIC_QUESTIONS),
            hidden_questions: self.questions.hidden_states(HIDDEN_QUESTIONS),
            staff: None,
        };
        snapshot.fit_within(MAX_PUBLIC_SNAPSHOT_BYTES);
        snapshot
    }

    /// Applies one change. Every change sets a value, so applying one again is harmless.
    fn apply(&mut self, change: &Change) {
        match change {
            Change::Pace { attendee, vote, at } => {
                self.pace.cast(attendee.clone(), *vote, *at);
            }
            Change::CheckIn { attendee, check_in } => {
                self.checkins.record(attendee.clone(), check_in.clone());
                self.checkin_tally = None;
            }
            Change::Started { at } => {
                self.lifecycle.started_at.get_or_insert(*at);
            }
            Change::Ended { at } => {
                self.lifecycle.ended_at.get_or_insert(*at);
            }
            Change::PlacesRead { at } => {
                self.places_read_at = self.places_read_at.max(Some(*at));
                self.checkin_tally = None;
            }
            Change::Agenda { agenda } => {
                if agenda.version > self.agenda.version {
                    self.agenda = agenda.clone();
                    // A new section: the pace votes about the last one stop counting.
                    self.tend(clock::now());
                }
            }
            Change::PollAsked { poll, at } => self.polls.ask(poll.clone(), *at),
            Change::PollClosed { poll, at } => {
                self.polls.close(*poll, *at);
            }
            Change::PollReopened { poll, at } => {
                self.polls.reopen(*poll, *at);
            }
            Change::PollAnswered {
                attendee,
                poll,
                choice,
                ..
            } => self.polls.record(*poll, attendee.clone(), *choice),
            Change::Lab {
                attendee,
                section,
                state,
            } => self.lab.set(*section, attendee.clone(), state.clone()),
            Change::QuestionAsked { attendee, question } => {
                self.questions.add(attendee.clone(), question.clone());
            }
            Change::QuestionChanged { question } => self.questions.update(question.clone()),
            Change::QuestionVoted {
                attendee,
                question,
                up,
            } => {
                self.questions.vote(*question, attendee.clone(), *up);
            }
        }
    }

    /// Replaces the stored part of the state (everything but who is online here).
    fn reset(&mut self, stored: StoredRoom) {
        let mut pace = PaceBoard::default();
        for (attendee, vote, at) in stored.pace_votes {
            pace.cast(attendee, Some(vote), at);
        }
        let polls = PollBoard::restored(
            stored
                .polls
                .into_iter()
                .map(|p| (p.spec, p.asked_at, p.closed_at)),
            stored.poll_answers,
        );
        let mut lab = LabBoard::default();
        for (section, attendee, state) in stored.lab_signals {
            lab.set(section, attendee, Some(state));
        }
        if let Some(agenda) = stored.agenda {
            self.agenda = agenda;
        }
        let questions = QuestionBoard::restored(stored.questions, stored.question_votes);
        self.polls = polls;
        self.lab = lab;
        self.questions = questions;
        self.pace_samples = stored.pace_samples;
        let mut checkins = CheckInBoard::default();
        for (attendee, check_in) in stored.check_ins {
            checkins.record(attendee, check_in);
        }
        self.pace = pace;
        self.checkins = checkins;
        self.checkin_tally = None;
        self.lifecycle.started_at = stored.started_at;
        self.lifecycle.ended_at = stored.ended_at;
        self.places_read_at = stored.places_read_at;
        self.log_seq = stored.seq;
    }
}

impl Membership {
    pub fn viewer(&self) -> Viewer {
        self.viewer
    }

    /// A receiver of the room's published snapshots (the staff slot for the presenter and
    /// co-instructors), with the one published so far marked as seen: a new connection
    /// starts from [`Membership::snapshot_now`] instead.
    pub fn snapshots(&self) -> watch::Receiver<Utf8Bytes> {
        let slot = match self.viewer {
            Viewer::Presenter | Viewer::Moderator => &self.room.staff,
            Viewer::Attendee | Viewer::Stage => &self.room.public[self.shard],
        };
        let mut receiver = slot.subscribe();
        receiver.mark_unchanged();
        receiver
    }

    /// The room's state this instant, serialized for one new connection. The published
    /// snapshot may lag by up to [`PUBLIC_TICK`]; a (re)connecting page must not start
    /// from a stale one.
    pub fn snapshot_now(&self) -> Utf8Bytes {
        let staff = matches!(self.viewer, Viewer::Presenter | Viewer::Moderator);
        Utf8Bytes::from(ServerMsg::Snapshot(self.room.current(staff)).to_json())
    }

    /// This attendee's answer to the poll on screen.
    pub fn poll_answer_of(&self, attendee_id: &str) -> Option<(PollId, u8)> {
        let state = lock(&self.room.state);
        let poll = state.polls.latest()?.spec.id;
        Some((poll, state.polls.answer_of(poll, attendee_id)?))
    }

    /// The questions this attendee asked, and those they upvoted.
    pub fn questions_of(&self, attendee_id: &str) -> (Vec<QuestionId>, Vec<QuestionId>) {
        lock(&self.room.state)
            .questions
            .of_attendee(&attendee_id.to_string())
    }

    /// This attendee's done / stuck in the current section.
    pub fn lab_of(&self, attendee_id: &str) -> Option<(SectionId, LabSignal)> {
        let state = lock(&self.room.state);
        let section = state.agenda.current?;
        Some((section, state.lab.of(section, attendee_id)?.signal))
    }

    pub fn check_in_of(&self, attendee_id: &str) -> Option<CheckIn> {
        lock(&self.room.state).checkins.of(attendee_id).cloned()
    }

    /// An attendee's pace vote while it counts, with when it was cast.
    pub fn pace_of(&self, attendee_id: &str) -> Option<(PaceVote, DateTime<Utc>)> {
        lock(&self.room.state).pace.cast_of(attendee_id)
    }

    /// Writes a change (group commit), then applies it here and wakes the publisher.
    /// `Ok(false)`: the event's state in the database refused it, and nothing changed.
    async fn record(&self, change: Change) -> Result<bool, AppError> {
        let written = self
            .hub
            .inner
            .writer
            .write(self.room.event_id, change.clone())
            .await?;
        if written.is_none() {
            return Ok(false);
        }
        lock(&self.room.state).apply(&change);
        self.room.content.store(true, Ordering::Relaxed);
        self.room.wrote.store(true, Ordering::Relaxed);
        self.room.changed.notify_one();
        Ok(true)
    }

    /// Stores, then applies, an attendee's pace vote. When this returns `Ok` the vote is
    /// durable and will be in the next snapshot.
    pub async fn cast_pace(
        &self,
        attendee_id: &str,
        vote: Option<PaceVote>,
    ) -> Result<(), AppError> {
        self.record(Change::Pace {
            attendee: attendee_id.to_string(),
            vote,
            at: clock::now(),
        })
        .await
        .map(|_| ())
    }

    /// Checks an attendee in (or changes their check-in): the place is checked and
    /// matched against the gazetteer, stored, then applied.
    pub async fn check_in(
        &self,
        attendee_id: &str,
        place: &str,
        name: &str,
    ) -> Result<(), Refusal> {
        let invalid = |e: crate::domain::DomainError| Refusal::Invalid(e.to_string());
        let place_text = parse_place(place).map_err(invalid)?;
        let name = parse_check_in_name(name).map_err(invalid)?;
        let check_in = CheckIn {
            place: super::gazetteer().resolve(&place_text),
            place_text,
            name,
            at: clock::now(),
        };
        self.record(Change::CheckIn {
            attendee: attendee_id.to_string(),
            check_in,
        })
        .await
        .map_err(Refusal::Failed)?;
        Ok(())
    }

    /// The presenter or a co-instructor read the new places out: they stop being new.
    pub async fn mark_places_read(&self) -> Result<(), Refusal> {
        let at = clock::now();
        self.record(Change::PlacesRead { at })
            .await
            .map_err(Refusal::Failed)?;
        Ok(())
    }

    /// Starts the event (the presenter's Start): checked, stored, then applied.
    pub async fn start(&self) -> Result<(), Refusal> {
        self.change_lifecycle(true).await
    }

    /// Ends the live event (the presenter's End).
    pub async fn end(&self) -> Result<(), Refusal> {
        self.change_lifecycle(false).await
    }

    async fn change_lifecycle(&self, start: bool) -> Result<(), Refusal> {
        // Milliseconds, as stored: the room and the database must agree to the instant.
        let at = clock::now();
        let mut next = lock(&self.room.state).lifecycle;
        let checked = if start { next.start(at) } else { next.end(at) };
        checked.map_err(|e| Refusal::Refused(format!("The tutorial {}.", e.message)))?;
        let change = if start {
            Change::Started { at }
        } else {
            Change::Ended { at }
        };
        match self.record(change).await {
            Ok(true) => {}
            // Another presenter (or another replica) got there first.
            Ok(false) => {
                return Err(Refusal::Refused(
                    "Someone else changed the tutorial's state just now.".into(),
                ));
            }
            Err(e) => return Err(Refusal::Failed(e)),
        }
        // Start runs the first section's clock; End stops the clock for good. Should this
        // step fail, the panel offers to begin the agenda by hand.
        let command = if start {
            AgendaCommand::Begin
        } else {
            AgendaCommand::Finish
        };
        let from = lock(&self.room.state).agenda.version;
        if let Err(refusal) = self.drive_agenda(from, command).await {
            tracing::warn!(?refusal, "the agenda did not follow Start or End");
        }
        Ok(())
    }

    /// The presenter's command to the agenda (Next, Pause, +5, …), made on a screen
    /// that showed agenda version `from`.
    pub async fn drive_agenda(&self, from: u64, command: AgendaCommand) -> Result<(), Refusal> {
        let next = {
            let state = lock(&self.room.state);
            state
                .agenda
                .apply(from, &command, clock::now())
                .map_err(|e| Refusal::Refused(format!("{e}.")))?
        };
        match self.record(Change::Agenda { agenda: next }).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Refusal::Refused(
                "The agenda changed a moment ago on another screen; look again and retry.".into(),
            )),
            Err(e) => Err(Refusal::Failed(e)),
        }
    }

    /// Asks a poll (closing the one open), tagged with the section running now.
    pub async fn ask_poll(
        &self,
        id: PollId,
        question: &str,
        options: &[String],
    ) -> Result<(), Refusal> {
        let section = lock(&self.room.state).agenda.current;
        let poll = PollSpec::parse(id, question, options, section)
            .map_err(|e| Refusal::Invalid(e.to_string()))?;
        self.record(Change::PollAsked {
            poll,
            at: clock::now(),
        })
        .await
        .map_err(Refusal::Failed)?;
        Ok(())
    }

    /// Closes (`open` false) or reopens a poll.
    pub async fn set_poll_open(&self, poll: PollId, open: bool) -> Result<(), Refusal> {
        let at = clock::now();
        let change = if open {
            Change::PollReopened { poll, at }
        } else {
            Change::PollClosed { poll, at }
        };
        match self.record(change).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Refusal::Refused(if open {
                "That poll is open already (or is not part of this tutorial).".into()
            } else {
                "That poll is closed already (or is not part of this tutorial).".into()
            })),
            Err(e) => Err(Refusal::Failed(e)),
        }
    }

    /// An attendee's answer to an open poll; a late one is refused and not counted.
    pub async fn answer_poll(
        &self,
        attendee_id: &str,
        poll: PollId,
        choice: u8,
    ) -> Result<(), Refusal> {
        let refused = |why: AnswerRefused| match why {
            AnswerRefused::Closed => Refusal::Refused(why.message().into()),
            AnswerRefused::UnknownPoll | AnswerRefused::NoSuchChoice => {
                Refusal::Invalid(why.message().into())
            }
        };
        lock(&self.room.state)
            .polls
            .check_answer(poll, choice)
            .map_err(refused)?;
        let change = Change::PollAnswered {
            attendee: attendee_id.to_string(),
            poll,
            choice,
            at: clock::now(),
        };
        match self.record(change).await {
            Ok(true) => Ok(()),
            // Closed on another screen while the answer was on its way.
            Ok(false) => Err(refused(AnswerRefused::Closed)),
            Err(e) => Err(Refusal::Failed(e)),
        }
    }

    /// An attendee's done / stuck in the current lab (a stuck one may add a note).
    pub async fn signal_lab(
        &self,
        attendee_id: &str,
        signal: Option<LabSignal>,
        note: &str,
    ) -> Result<(), Refusal> {
        let section = {
            let state = lock(&self.room.state);
            state
                .agenda
                .current_section()
                .filter(|s| s.section.kind == SectionKind::Lab)
                .map(|s| s.id)
        }
        .ok_or_else(|| {
            Refusal::Refused("Done and stuck are for lab sections, and this is not one.".into())
        })?;
        let note = parse_note(note).map_err(|e| Refusal::Invalid(e.to_string()))?;
        let state = signal.map(|signal| LabState {
            signal,
            note: note.filter(|_| signal == LabSignal::Stuck),
            at: clock::now(),
        });
        self.record(Change::Lab {
            attendee: attendee_id.to_string(),
            section,
            state,
        })
        .await
        .map_err(Refusal::Failed)?;
        Ok(())
    }
}

impl Membership {
    /// An attendee's question: checked, limited to a few a minute, stored, then public
    /// (or waiting for review when the event pre-moderates). A retry of a question
    /// already taken is answered as taken.
    pub async fn ask_question(
        &self,
        attendee_id: &str,
        id: QuestionId,
        text: &str,
        name: &str,
    ) -> Result<(), Refusal> {
        let now = clock::now();
        let question = {
            let state = lock(&self.room.state);
            if state.questions.get(id).is_some() {
                return Ok(());
            }
            state
                .questions
                .check_rate(&attendee_id.to_string(), now)
                .map_err(|why| Refusal::Refused(why.message()))?;
            Question::ask(id, text, name, state.pre_moderation, now)
                .map_err(|e| Refusal::Invalid(e.to_string()))?
        };
        self.record(Change::QuestionAsked {
            attendee: attendee_id.to_string(),
            question,
        })
        .await
        .map_err(Refusal::Failed)?;
        Ok(())
    }

    /// An attendee's upvote on a public question (`up`), or its withdrawal.
    pub async fn upvote(
        &self,
        attendee_id: &str,
        question: QuestionId,
        up: bool,
    ) -> Result<(), Refusal> {
        {
            let state = lock(&self.room.state);
            if !state
                .questions
                .get(question)
                .is_some_and(|q| q.state.is_public())
            {
                return Err(Refusal::Invalid(
                    "That question is not open for votes.".into(),
                ));
            }
            if state
                .questions
                .asked_by(question)
                .is_some_and(|a| a == attendee_id)
            {
                return Err(Refusal::Invalid(
                    "You cannot upvote your own question.".into(),
                ));
            }
        }
        self.record(Change::QuestionVoted {
            attendee: attendee_id.to_string(),
            question,
            up,
        })
        .await
        .map_err(Refusal::Failed)?;
        Ok(())
    }

    /// A co-instructor's (or for `Take`, the presenter's) action on a question seen at
    /// version `from`. Two acting at once: the first stands, the second is told.
    pub async fn moderate(
        &self,
        question: QuestionId,
        from: u64,
        action: &Moderation,
    ) -> Result<(), Refusal> {
        let next = {
            let state = lock(&self.room.state);
            let current = state.questions.get(question).ok_or_else(|| {
                Refusal::Invalid("That question is not part of this tutorial.".into())
            })?;
            if current.version != from {
                return Err(Refusal::Refused(format!(
                    "Someone else acted on this question a moment ago: it is now {}.",
                    current.state.label()
                )));
            }
            current
                .moderate(action)
                .map_err(|e| Refusal::Refused(format!("{e}.")))?
        };
        match self.record(Change::QuestionChanged { question: next }).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Refusal::Refused(
                "Another co-instructor acted on this question at the same moment; theirs stands. Look again.".into(),
            )),
            Err(e) => Err(Refusal::Failed(e)),
        }
    }
}

/// Why an action did not happen.
#[derive(Debug)]
pub enum Refusal {
    /// Its content is not acceptable; the sentence says why.
    Invalid(String),
    /// Not possible in the event's state; the sentence says why.
    Refused(String),
    /// Storing it failed; nothing changed.
    Failed(AppError),
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.room.leave(self.viewer, self.attendee.as_ref());
    }
}

/// The room's publisher: after each change, a snapshot to the broadcaster (at most
/// every [`PUBLISH_TICK`]; when only the online count changed, every [`ONLINE_TICK`])
/// and to the staff slot (at most every [`STAFF_TICK`]: a presenter's page need not
/// redraw a hundred times a second), waking the other replicas with the staff's.
/// Ends when the room closes (its last connection left).
async fn publish(hub: Hub, room: Arc<Room>) {
    // The public broadcast runs in a task of its own, so that spreading one snapshot
    // over thousands of pages never holds up the next one to the presenter.
    let (public, latest) = watch::channel(Utf8Bytes::default());
    tokio::spawn(broadcast(room.clone(), latest));
    let mut last_public = Instant::now() - ONLINE_TICK;
    let mut last_staff = Instant::now() - STAFF_TICK;
    // When a snapshot is owed and its gap has not passed yet.
    let mut public_due: Option<Instant> = None;
    let mut staff_due: Option<Instant> = None;
    let mut content_pending = false;
    let mut tend = tokio::time::interval(TEND_TICK);
    tend.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        let due = public_due.into_iter().chain(staff_due).min();
        let due = async move {
            match due {
                Some(due) => tokio::time::sleep_until(due).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = room.changed.notified() => {}
            () = due => {}
            _ = tend.tick() => {
                if !room.tend(&hub.inner.store) {
                    continue;
                }
            }
        }
        let started = std::time::Instant::now();
        let now = Instant::now();
        content_pending |= room.content.swap(false, Ordering::Relaxed);
        // The broadcaster paces the rounds; a change of content goes to it at once, so
        // the slots its round has yet to fill get it.
        let public_gap = if content_pending {
            Duration::ZERO
        } else {
            ONLINE_TICK
        };
        let public_turn = now >= last_public + public_gap;
        let staff_turn = now >= last_staff + STAFF_TICK;
        public_due = (!public_turn).then_some(last_public + public_gap);
        staff_due = (!staff_turn).then_some(last_staff + STAFF_TICK);
        if public_turn || staff_turn {
            let (snapshot, staff) = {
                let mut state = lock(&room.state);
                state.seq += 1;
                let snapshot = state.snapshot();
                let staff = staff_turn.then(|| state.staff_part(snapshot.now));
                (snapshot, staff)
            };
            // Serialized twice: attendees get the snapshot without the staff's part.
            let mut message = ServerMsg::Snapshot(snapshot);
            let bytes = public_turn.then(|| Utf8Bytes::from(message.to_json()));
            if let (Some(staff), ServerMsg::Snapshot(snapshot)) = (staff, &mut message) {
                snapshot.staff = Some(staff);
                room.staff.send_replace(Utf8Bytes::from(message.to_json()));
                last_staff = now;
            }
            if let Some(bytes) = bytes {
                public.send_replace(bytes);
                last_public = now;
                content_pending = false;
            }
        }
        metrics::histogram!("lectern_publish_seconds").record(started.elapsed().as_secs_f64());
        if staff_turn
            && room.wrote.swap(false, Ordering::Relaxed)
            && let Err(e) = hub.inner.store.wake_replicas(room.event_id).await
        {
            tracing::warn!(error = %e, "could not wake the other replicas");
        }
        if hub.close_if_empty(&room) {
            return;
        }
        tokio::time::sleep(PUBLISH_TICK).await;
    }
}

/// The room's broadcaster: spreads public snapshots over the room's public slots.
/// Ends with the publisher.
async fn broadcast(room: Arc<Room>, latest: watch::Receiver<Utf8Bytes>) {
    fan_out(&room.public, latest).await
}

/// Fills `slots` one after another with the newest snapshot from `latest`, letting each
/// slot's pages take it before filling the next (a vote arriving meanwhile waits behind
/// one slot's pages, not all of them). Each slot takes the snapshot that is newest when
/// its turn comes, so a change made while a round runs reaches the rest of that round
/// at once instead of waiting for the next; a round starts at most every
/// [`PUBLIC_TICK`] and fills only the slots that lack the newest snapshot. Ends when
/// `latest`'s sender is gone and every slot has its last snapshot.
async fn fan_out(slots: &[watch::Sender<Utf8Bytes>], mut latest: watch::Receiver<Utf8Bytes>) {
    // Snapshots are numbered as they are taken from `latest`; `held` says which one
    // each slot has (0: the room's first, which the slots were made with).
    let mut taken = 0u64;
    let mut held = vec![0u64; slots.len()];
    let mut bytes = Utf8Bytes::default();
    loop {
        if held.iter().all(|&h| h == taken) {
            if latest.changed().await.is_err() {
                return;
            }
            bytes = latest.borrow_and_update().clone();
            taken += 1;
        }
        let round = Instant::now();
        for (slot, held) in slots.iter().zip(held.iter_mut()) {
            if latest.has_changed().unwrap_or(false) {
                bytes = latest.borrow_and_update().clone();
                taken += 1;
            }
            if *held == taken {
                continue;
            }
            slot.send_replace(bytes.clone());
            *held = taken;
            if slot.receiver_count() > 0 {
                tokio::task::yield_now().await;
            }
        }
        metrics::histogram!("lectern_broadcast_seconds").record(round.elapsed().as_secs_f64());
        tokio::time::sleep_until(round + PUBLIC_TICK).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Lifecycle;

    fn state() -> RoomState {
        RoomState::new(
            Lifecycle {
                starts_at: Utc::now(),
                doors_open_minutes: 30,
                started_at: None,
                ended_at: None,
            },
            Agenda::planned(&[
                crate::domain::event::Section {
                    title: "Overview".into(),
                    kind: SectionKind::Teaching,
                    minutes: 10,
                    exercise_minutes: 0,
                },
                crate::domain::event::Section {
                    title: "Lab".into(),
                    kind: SectionKind::Lab,
                    minutes: 20,
                    exercise_minutes: 15,
                },
            ]),
            pace::DEFAULT_EXPIRY_MINUTES,
        )
    }

    fn vote(attendee: &str, vote: PaceVote) -> Change {
        Change::Pace {
            attendee: attendee.into(),
            vote: Some(vote),
            at: clock::now(),
        }
    }

    fn drive(room: &mut RoomState, command: AgendaCommand) {
        let agenda = room
            .agenda
            .apply(room.agenda.version, &command, clock::now())
            .unwrap();
        room.apply(&Change::Agenda { agenda });
    }

    /// Public slots as the broadcaster fills them, with one page reading each.
    fn slots(
        n: usize,
    ) -> (
        Arc<Vec<watch::Sender<Utf8Bytes>>>,
        Vec<watch::Receiver<Utf8Bytes>>,
    ) {
        let slots: Vec<_> = (0..n)
            .map(|_| watch::channel(Utf8Bytes::from("first")).0)
            .collect();
        let pages = slots.iter().map(watch::Sender::subscribe).collect();
        (Arc::new(slots), pages)
    }

    fn seen(pages: &[watch::Receiver<Utf8Bytes>]) -> Vec<String> {
        pages.iter().map(|p| p.borrow().to_string()).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_snapshot_published_during_a_round_reaches_the_rest_of_that_round() {
        let (slots, mut pages) = slots(4);
        let (publish, latest) = watch::channel(Utf8Bytes::from("first"));
        let fan = tokio::spawn({
            let slots = slots.clone();
            async move { fan_out(&slots, latest).await }
        });
        let start = Instant::now();
        publish.send_replace("one".into());
        pages[0].changed().await.unwrap();
        // The round has filled the first slot; a vote changes the tally now.
        publish.send_replace("two".into());
        pages[3].changed().await.unwrap();
        assert_eq!(seen(&pages), ["one", "two", "two", "two"]);
        assert_eq!(start.elapsed(), Duration::ZERO, "within the same round");
        for page in &mut pages {
            page.borrow_and_update();
        }
        // The first slot gets it in the next round, no sooner than PUBLIC_TICK after
        // the first round began; the others are not sent it again.
        pages[0].changed().await.unwrap();
        assert_eq!(start.elapsed(), PUBLIC_TICK);
        assert_eq!(seen(&pages), ["two"; 4]);
        assert!(!pages[1..].iter().any(|p| p.has_changed().unwrap()));
        // Nothing new: no rounds, however long it stays quiet.
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(!pages.iter().any(|p| p.has_changed().unwrap()));
        publish.send_replace("three".into());
        drop(publish);
        fan.await.unwrap();
        assert_eq!(
            seen(&pages),
            ["three"; 4],
            "the last snapshot reaches every slot"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn rounds_start_at_most_every_public_tick() {
        let (slots, mut pages) = slots(2);
        let (publish, latest) = watch::channel(Utf8Bytes::from("first"));
        tokio::spawn({
            let slots = slots.clone();
            async move { fan_out(&slots, latest).await }
        });
        let start = Instant::now();
        let mut rounds = Vec::new();
        for n in 0..5 {
            publish.send_replace(format!("tally {n}").into());
            pages[1].changed().await.unwrap();
            rounds.push(start.elapsed());
        }
        let ticks: Vec<_> = (0..5).map(|n| PUBLIC_TICK * n).collect();
        assert_eq!(rounds, ticks);
    }

    #[tokio::test(start_paused = true)]
    async fn pace_votes_expire_after_five_minutes_on_the_rooms_clock() {
        let mut room = state();
        drive(&mut room, AgendaCommand::Begin);
        room.apply(&vote("ana", PaceVote::Slower));
        tokio::time::advance(Duration::from_secs(120)).await;
        room.apply(&vote("ben", PaceVote::Faster));
        tokio::time::advance(Duration::from_secs(170)).await;
        assert!(!room.tend(clock::now()), "4 min 50 s: both still count");
        assert_eq!(room.snapshot().pace.total(), 2);
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(room.tend(clock::now()));
        let pace = room.snapshot().pace;
        assert_eq!(
            (pace.slower, pace.faster),
            (0, 1),
            "ana's vote is 5 min 1 s old"
        );
        tokio::time::advance(Duration::from_secs(120)).await;
        assert!(room.tend(clock::now()));
        assert_eq!(room.snapshot().pace.total(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_next_section_starts_the_pace_afresh() {
        let mut room = state();
        drive(&mut room, AgendaCommand::Begin);
        room.apply(&vote("ana", PaceVote::Slower));
        room.apply(&vote("ben", PaceVote::Slower));
        tokio::time::advance(Duration::from_secs(60)).await;
        drive(&mut room, AgendaCommand::Next);
        assert_eq!(
            room.snapshot().pace.total(),
            0,
            "votes about the overview are gone"
        );
        tokio::time::advance(Duration::from_secs(1)).await;
        room.apply(&vote("ana", PaceVote::Faster));
        assert_eq!(room.snapshot().pace.faster, 1);
        let stale = Change::Pace {
            attendee: "cyd".into(),
            vote: Some(PaceVote::Slower),
            at: clock::now() - chrono::Duration::seconds(30),
        };
        room.apply(&stale);
        assert_eq!(
            room.snapshot().pace.slower,
            0,
            "a vote cast before the section changed (relayed late) does not count"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_room_samples_the_pace_every_thirty_seconds_while_live() {
        let mut room = state();
        assert_eq!(room.sample(clock::now()), None, "nothing before the start");
        room.apply(&Change::Started { at: clock::now() });
        drive(&mut room, AgendaCommand::Begin);
        room.online.attendees = 4;
        room.apply(&vote("ana", PaceVote::Slower));
        let first = room.sample(clock::now()).expect("a first sample");
        assert_eq!(
            (first.counts.slower, first.online, first.section),
            (1, 4, Some(1))
        );
        assert_eq!(room.sample(clock::now()), None, "one per slot");
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(room.sample(clock::now()).is_some());
        let staff = room.full_snapshot(true).staff.unwrap();
        assert_eq!(staff.pace_trend.len(), 2);
        assert_eq!(staff.pace_history[0].peak_slower, 25);
    }

    #[test]
    fn an_older_agenda_never_replaces_a_newer_one() {
        let mut room = state();
        let begun = room
            .agenda
            .apply(0, &AgendaCommand::Begin, clock::now())
            .unwrap();
        let next = begun.apply(1, &AgendaCommand::Next, clock::now()).unwrap();
        room.apply(&Change::Agenda { agenda: next });
        room.apply(&Change::Agenda { agenda: begun });
        assert_eq!(room.agenda.current, Some(2));
    }

    #[test]
    fn applying_a_change_again_changes_nothing() {
        let mut room = state();
        let faster = vote("a", PaceVote::Faster);
        room.apply(&faster);
        room.apply(&faster);
        assert_eq!(room.pace.counts().faster, 1);
        room.apply(&Change::Pace {
            attendee: "a".into(),
            vote: None,
            at: clock::now(),
        });
        assert_eq!(room.pace.counts().total(), 0);
    }

    #[test]
    fn the_first_start_and_end_stand_and_places_read_only_moves_forward() {
        let mut room = state();
        let early = Utc::now();
        let later = early + chrono::Duration::seconds(5);
        room.apply(&Change::Started { at: early });
        room.apply(&Change::Started { at: later });
        assert_eq!(room.lifecycle.started_at, Some(early));
        room.apply(&Change::Ended { at: later });
        room.apply(&Change::Ended { at: early });
        assert_eq!(room.lifecycle.ended_at, Some(later));
        room.apply(&Change::PlacesRead { at: later });
        room.apply(&Change::PlacesRead { at: early });
        assert_eq!(room.places_read_at, Some(later));
    }

    #[test]
    fn others_on_other_replicas_count_as_online() {
        let mut room = state();
        room.online.attendees = 3;
        room.elsewhere.attendees = 4;
        room.elsewhere.staff = 1;
        let online = room.snapshot().online;
        assert_eq!((online.attendees, online.staff), (7, 1));
    }
}
