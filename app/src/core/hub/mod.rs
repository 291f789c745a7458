//! The live hub: one room per event with someone connected, holding the event's live
//! state in memory and pushing it to every page.
//!
//! Where a vote goes, one file each:
//! - `server/src/ws.rs` decodes the frame ([`crate::live::decode_client`]: its shape);
//! - `hub/membership.rs`: [`Membership::act`] says whether this page may cast it (the table of
//!   who may do what, and the limits), then `cast_pace` hands a [`crate::core::change::Change`]
//!   to the group-commit [`Writer`] (stored in the vote table and the event's change log
//!   before anything else happens);
//! - `hub/room.rs`: `RoomState::apply` adds it to the room's pace board (the
//!   tally) and builds the snapshot;
//! - `hub/publish.rs`: the room's publisher makes one [`Frame`] for the broadcaster (at
//!   most every [`PUBLISH_TICK`]): the state as a snapshot and as deltas from the few
//!   states before it (`live/delta.rs`), each serialized once; and, with the staff's
//!   part, a snapshot for the staff `watch` slot (at most every [`staff_tick`]). The
//!   broadcaster fills the [`PUBLIC_SHARDS`] public slots in rounds that follow the load
//!   (at once in a quiet room, back to back in a burst), paced by the server's
//!   [`Pacer`]. A `watch` keeps only the latest value, so a slow page skips stale
//!   tallies instead of queueing them; its connection sends it the delta from its own
//!   state ([`Frame::for_page`]).
//!
//! This file is the registry: rooms opened (read from the database once, however many
//! pages arrive at once), joined, counted and closed. With several replicas
//! (PostgreSQL), [`replicas`] follows what the others wrote to the change log.
//!
//! Locks: `Hub::rooms` and `Room::state` are std mutexes, never held across an `.await`;
//! when both are taken, the hub's comes first.

mod membership;
mod publish;
pub mod replicas;
mod room;

pub use membership::{Attendee, Membership, Refusal};
pub use publish::{
    DELTAS_KEPT, Frame, ONLINE_TICK, PUBLIC_SHARDS, PUBLISH_TICK, Pacer,
    STAFF_SNAPSHOTS_PER_SECOND, STAFF_TICK, TEND_TICK, staff_tick,
};

use super::clock::Clock;
use super::limits::Limits;
use super::spawn_logged;
use super::store::{EventRecord, Store};
use super::writer::Writer;
use crate::domain::agenda::Agenda;
use crate::domain::attendee::AttendeeId;
use crate::error::AppError;
use crate::live::{LiveSnapshot, MAX_PAGES_PER_ATTENDEE, Online, ServerMsg, Viewer};
use axum::extract::ws::Utf8Bytes;
use replicas::Follow;
use room::RoomState;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

/// All the live rooms of this server process.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    store: Store,
    writer: Writer,
    /// How many actions an attendee and an address may take.
    limits: Arc<Limits>,
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
    /// The moments live actions are stamped with (a test moves it forward).
    clock: Clock,
    /// Spaces every room's broadcast sends.
    pacer: Arc<Pacer>,
    /// Counts the changes that change what an attendee's page is drawn from (an event
    /// starting or ending): a cached page made before one is stale.
    pages: std::sync::atomic::AtomicU64,
}

/// One event's live state and its broadcast slots.
pub struct Room {
    event_id: i64,
    /// The event as it was when the room opened: lets new connections skip the
    /// database (only its id and address are used once the room is open).
    event: Arc<EventRecord>,
    state: Mutex<RoomState>,
    /// The latest snapshot for the presenter and co-instructors, serialized once.
    staff: watch::Sender<Frame>,
    /// The latest public frame, from the publisher to the broadcaster (and to pages
    /// that join: [`Room::current`]).
    published: watch::Sender<Frame>,
    /// The latest frame for attendees and stage screens, in [`PUBLIC_SHARDS`] slots that
    /// the broadcaster fills one after another.
    public: Vec<watch::Sender<Frame>>,
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

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain counters behind, still usable.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    /// Starts the hub and its group-commit writer.
    pub fn new(store: Store, limits: Arc<Limits>) -> Self {
        let origin: Arc<str> = uuid::Uuid::new_v4().to_string().into();
        let pacer = Arc::new(Pacer::new(limits.fan_out_per_second()));
        Self {
            inner: Arc::new(HubInner {
                writer: Writer::start(store.clone(), origin.clone()),
                store,
                limits,
                origin,
                rooms: Mutex::new(HashMap::new()),
                opening: Mutex::new(HashMap::new()),
                room_loads: std::sync::atomic::AtomicU64::new(0),
                follow: OnceLock::new(),
                clock: Clock::default(),
                pacer,
                pages: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// How many rooms are open on this replica.
    pub fn rooms_open(&self) -> usize {
        lock(&self.inner.rooms).len()
    }

    /// How many times an event's page changed on this replica (it started or ended):
    /// a page rendered under another number may be stale.
    pub fn pages_generation(&self) -> u64 {
        self.inner.pages.load(Ordering::Acquire)
    }

    /// Notes a change applied to a room that changes what its page is drawn from.
    fn applied(&self, change: &super::change::Change) {
        use super::change::Change;
        if matches!(change, Change::Started { .. } | Change::Ended { .. }) {
            self.inner.pages.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// The clock live moments are read from: a test skips time with it.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
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
            let channel = replicas::control_channel(&self.inner.origin);
            spawn_logged("could not wake the replica follower", None, async move {
                store.notify(&channel).await
            });
        }
    }

    /// Joins the event's room, opening it (from the database) if nobody is there. An
    /// attendee with [`MAX_PAGES_PER_ATTENDEE`] pages open already is refused.
    pub async fn join(
        &self,
        event: &EventRecord,
        viewer: Viewer,
        attendee: Option<Attendee>,
    ) -> Result<Membership, AppError> {
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
                tokio::spawn(publish::publish(self.clone(), room.clone()));
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
        attendee: Option<Attendee>,
    ) -> Result<Membership, AppError> {
        if !room.enter(viewer, attendee.as_ref().map(|a| &a.id)) {
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
            self.inner.clock.clone(),
        );
        state.pre_moderation = event.pre_moderation;
        state.filter = event.word_filter.filter();
        state.peak_attendees = event.peak_attendees;
        state.reset(stored);
        state.tend(self.inner.clock.now());
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
        attendee: &Option<Attendee>,
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
            Some(room) => Ok(lock(&room.state).full_snapshot(staff)),
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
                spawn_logged(
                    "could not clear this replica's presence",
                    Some(event_id),
                    async move { store.forget_presence(event_id, &origin).await },
                );
            }
        }
        empty
    }
}

impl Room {
    fn new(event: &EventRecord, mut state: RoomState) -> Arc<Self> {
        let snapshot = state.snapshot();
        state.public_seq = snapshot.seq;
        let first = Frame::first(snapshot);
        let (staff, _) = watch::channel(first.clone());
        let (published, _) = watch::channel(first.clone());
        let public = (0..PUBLIC_SHARDS)
            .map(|_| watch::channel(first.clone()).0)
            .collect();
        Arc::new(Self {
            event_id: event.id,
            event: Arc::new(event.clone()),
            state: Mutex::new(state),
            staff,
            published,
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
    fn enter(&self, viewer: Viewer, attendee: Option<&AttendeeId>) -> bool {
        let mut state = lock(&self.state);
        match viewer {
            Viewer::Attendee => {
                let pages = state.attendee_pages.entry(attendee.cloned()).or_default();
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

    fn leave(&self, viewer: Viewer, attendee: Option<&AttendeeId>) {
        let mut state = lock(&self.state);
        match viewer {
            Viewer::Attendee => {
                let key = attendee.cloned();
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

    /// The room's state this instant for a page that joins or resyncs, with its number.
    /// An attendee's page starts from the latest published state when nothing but who
    /// is online changed since (the next frame then brings it a delta); otherwise (and
    /// for staff) the state is made now and numbered apart from every published one, and
    /// the page gets the whole state with the next frame, never a delta made from
    /// another state.
    fn current(&self, staff: bool) -> (u64, Utf8Bytes) {
        let mut state = lock(&self.state);
        if !staff && !self.content.load(Ordering::Relaxed) {
            let published = self.published.borrow().clone();
            if published.seq() == state.public_seq {
                return (published.seq(), published.snapshot());
            }
        }
        state.seq += 1;
        let snapshot = state.full_snapshot(staff);
        (
            snapshot.seq,
            Utf8Bytes::from(ServerMsg::Snapshot(snapshot).to_json()),
        )
    }

    /// Expires pace votes and writes down the pace sample when one is due; true when
    /// the snapshot changed.
    fn tend(&self, store: &Store) -> bool {
        let (expired, sample, peak) = {
            let mut state = lock(&self.state);
            let now = state.clock.now();
            let attendees = state.online.attendees + state.elsewhere.attendees;
            let peak = (attendees > state.peak_attendees).then(|| {
                state.peak_attendees = attendees;
                attendees
            });
            (state.tend(now), state.sample(now, self.event_id), peak)
        };
        if let Some(peak) = peak {
            let (store, event_id) = (store.clone(), self.event_id);
            spawn_logged(
                "could not store the peak attendance",
                Some(event_id),
                async move { store.raise_peak(event_id, peak).await },
            );
        }
        if expired {
            self.content.store(true, Ordering::Relaxed);
        }
        if let Some(sample) = sample {
            let (store, event_id) = (store.clone(), self.event_id);
            spawn_logged(
                "could not store a pace sample",
                Some(event_id),
                async move { store.save_pace_sample(event_id, &sample).await },
            );
        }
        expired || sample.is_some()
    }
}
