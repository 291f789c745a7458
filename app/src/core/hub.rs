//! The live hub: one room per event with someone connected, holding the event's live
//! state in memory and pushing it to every page.
//!
//! Where a vote goes: [`Room::cast_pace`] stores it ([`Store::set_pace_vote`]), applies it
//! to the room's [`PaceBoard`] (the tally), and wakes the room's publisher, which
//! serializes one [`ServerMsg::Snapshot`] and puts the same bytes in a `watch` slot that
//! every connection reads. A `watch` keeps only the latest value, so a slow page skips
//! stale tallies instead of queueing them; the publisher sleeps [`COALESCE`] between
//! snapshots, so a burst of votes costs a few broadcasts, not one per vote.
//!
//! Locks: `Hub::rooms` and `Room::state` are std mutexes, never held across an `.await`;
//! when both are taken, the hub's comes first.

use super::store::{EventRecord, Store};
use crate::domain::checkin::{CheckIn, CheckInBoard};
use crate::domain::event::Lifecycle;
use crate::domain::pace::{PaceBoard, PaceVote};
use crate::domain::place::{parse_check_in_name, parse_place};
use crate::error::AppError;
use crate::live::{LiveSnapshot, Online, ServerMsg, Viewer};
use axum::extract::ws::Utf8Bytes;
use chrono::{DateTime, SubsecRound, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// The shortest time between two snapshots of one room: at most ten a second.
pub const COALESCE: Duration = Duration::from_millis(100);

/// All the live rooms of this server process.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    store: Store,
    /// Rooms by event id; a room leaves when its last connection does.
    rooms: Mutex<HashMap<i64, Arc<Room>>>,
}

/// One event's live state and its broadcast slot.
pub struct Room {
    event_id: i64,
    state: Mutex<RoomState>,
    /// The latest snapshot, serialized once for everyone.
    snapshot: watch::Sender<Utf8Bytes>,
    /// Wakes the publisher after a change.
    changed: Notify,
}

struct RoomState {
    lifecycle: Lifecycle,
    pace: PaceBoard<String>,
    checkins: CheckInBoard<String>,
    /// When the presenter last read the new places out.
    places_read_at: Option<DateTime<Utc>>,
    online: Online,
    seq: u64,
}

/// A connection's place in a room; leaving the room is dropping this.
pub struct Membership {
    room: Arc<Room>,
    viewer: Viewer,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain counters behind, still usable.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    pub fn new(store: Store) -> Self {
        Self {
            inner: Arc::new(HubInner {
                store,
                rooms: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Joins the event's room, opening it (from the database) if nobody is there.
    pub async fn join(&self, event: &EventRecord, viewer: Viewer) -> Result<Membership, AppError> {
        if let Some(membership) = self.try_join_open(event.id, viewer) {
            return Ok(membership);
        }
        let state = self.load(event).await?;
        let room = {
            let mut rooms = lock(&self.inner.rooms);
            // Someone may have opened the room while we were loading: theirs wins.
            let room = rooms.entry(event.id).or_insert_with(|| {
                let room = Room::new(event.id, state);
                tokio::spawn(publish(self.clone(), room.clone()));
                room
            });
            room.enter(viewer);
            room.clone()
        };
        Ok(Membership { room, viewer })
    }

    /// A room's state as the database has it.
    async fn load(&self, event: &EventRecord) -> Result<RoomState, AppError> {
        let mut pace = PaceBoard::default();
        for (attendee, vote) in self.inner.store.pace_votes(event.id).await? {
            pace.cast(attendee, Some(vote));
        }
        let mut checkins = CheckInBoard::default();
        for (attendee, check_in) in self.inner.store.check_ins(event.id).await? {
            checkins.record(attendee, check_in);
        }
        Ok(RoomState {
            lifecycle: event.lifecycle,
            pace,
            checkins,
            places_read_at: event.places_read_at,
            online: Online::default(),
            seq: 0,
        })
    }

    fn try_join_open(&self, event_id: i64, viewer: Viewer) -> Option<Membership> {
        let rooms = lock(&self.inner.rooms);
        let room = rooms.get(&event_id)?;
        room.enter(viewer);
        Some(Membership {
            room: room.clone(),
            viewer,
        })
    }

    /// The live snapshot of an event, for rendering a page on the server.
    pub async fn snapshot(&self, event: &EventRecord) -> Result<LiveSnapshot, AppError> {
        let open = lock(&self.inner.rooms).get(&event.id).cloned();
        match open {
            Some(room) => Ok(room.current()),
            None => Ok(self.load(event).await?.snapshot()),
        }
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
        }
        empty
    }
}

impl Room {
    fn new(event_id: i64, state: RoomState) -> Arc<Self> {
        let (snapshot, _) = watch::channel(Utf8Bytes::from(
            ServerMsg::Snapshot(state.snapshot()).to_json(),
        ));
        Arc::new(Self {
            event_id,
            state: Mutex::new(state),
            snapshot,
            changed: Notify::new(),
        })
    }

    fn enter(&self, viewer: Viewer) {
        let mut state = lock(&self.state);
        match viewer {
            Viewer::Attendee => state.online.attendees += 1,
            Viewer::Presenter | Viewer::Moderator => state.online.staff += 1,
            Viewer::Stage => state.online.screens += 1,
        }
        drop(state);
        self.changed.notify_one();
    }

    fn leave(&self, viewer: Viewer) {
        let mut state = lock(&self.state);
        match viewer {
            Viewer::Attendee => state.online.attendees = state.online.attendees.saturating_sub(1),
            Viewer::Presenter | Viewer::Moderator => {
                state.online.staff = state.online.staff.saturating_sub(1)
            }
            Viewer::Stage => state.online.screens = state.online.screens.saturating_sub(1),
        }
        drop(state);
        self.changed.notify_one();
    }

    fn current(&self) -> LiveSnapshot {
        lock(&self.state).snapshot()
    }
}

impl RoomState {
    fn snapshot(&self) -> LiveSnapshot {
        LiveSnapshot {
            seq: self.seq,
            pace: self.pace.counts(),
            online: self.online,
            started_at: self.lifecycle.started_at,
            ended_at: self.lifecycle.ended_at,
            checkins: self.checkins.tally(self.places_read_at),
        }
    }
}

impl Membership {
    pub fn viewer(&self) -> Viewer {
        self.viewer
    }

    /// A receiver of the room's published snapshots, with the one published so far
    /// marked as seen: a new connection starts from [`Membership::snapshot_now`] instead.
    pub fn snapshots(&self) -> watch::Receiver<Utf8Bytes> {
        let mut receiver = self.room.snapshot.subscribe();
        receiver.mark_unchanged();
        receiver
    }

    /// The room's state this instant, serialized for one new connection. The published
    /// snapshot may lag by up to [`COALESCE`]; a (re)connecting page must not start
    /// from a stale one.
    pub fn snapshot_now(&self) -> Utf8Bytes {
        Utf8Bytes::from(ServerMsg::Snapshot(self.room.current()).to_json())
    }

    pub fn check_in_of(&self, attendee_id: &str) -> Option<CheckIn> {
        lock(&self.room.state).checkins.of(attendee_id).cloned()
    }

    /// Checks an attendee in (or changes their check-in): the place is checked and
    /// matched against the gazetteer, stored, then applied.
    pub async fn check_in(
        &self,
        store: &Store,
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
            at: SubsecRound::trunc_subsecs(Utc::now(), 3),
        };
        store
            .save_check_in(self.room.event_id, attendee_id, &check_in)
            .await
            .map_err(Refusal::Failed)?;
        lock(&self.room.state)
            .checkins
            .record(attendee_id.to_string(), check_in);
        self.room.changed.notify_one();
        Ok(())
    }

    /// The presenter or a co-instructor read the new places out: they stop being new.
    pub async fn mark_places_read(&self, store: &Store) -> Result<(), Refusal> {
        let now = SubsecRound::trunc_subsecs(Utc::now(), 3);
        store
            .mark_places_read(self.room.event_id, now)
            .await
            .map_err(Refusal::Failed)?;
        lock(&self.room.state).places_read_at = Some(now);
        self.room.changed.notify_one();
        Ok(())
    }

    pub fn pace_of(&self, attendee_id: &str) -> Option<PaceVote> {
        lock(&self.room.state).pace.vote_of(attendee_id)
    }

    /// Stores, then applies, an attendee's pace vote. When this returns `Ok` the vote is
    /// durable and will be in the next snapshot.
    pub async fn cast_pace(
        &self,
        store: &Store,
        attendee_id: &str,
        vote: Option<PaceVote>,
    ) -> Result<(), AppError> {
        store
            .set_pace_vote(self.room.event_id, attendee_id, vote)
            .await?;
        let changed = lock(&self.room.state)
            .pace
            .cast(attendee_id.to_string(), vote);
        if changed {
            self.room.changed.notify_one();
        }
        Ok(())
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

impl Membership {
    /// Starts the event (the presenter's Start): checked, stored, then applied.
    pub async fn start(&self, store: &Store) -> Result<(), Refusal> {
        self.change_lifecycle(store, true).await
    }

    /// Ends the live event (the presenter's End).
    pub async fn end(&self, store: &Store) -> Result<(), Refusal> {
        self.change_lifecycle(store, false).await
    }

    async fn change_lifecycle(&self, store: &Store, start: bool) -> Result<(), Refusal> {
        // Milliseconds, as stored: the room and the database must agree to the instant.
        let now = SubsecRound::trunc_subsecs(Utc::now(), 3);
        let mut next = lock(&self.room.state).lifecycle;
        let checked = if start {
            next.start(now)
        } else {
            next.end(now)
        };
        checked.map_err(|e| Refusal::Refused(format!("The tutorial {}.", e.message)))?;
        let stored = if start {
            store.mark_started(self.room.event_id, now).await
        } else {
            store.mark_ended(self.room.event_id, now).await
        };
        match stored {
            // Another presenter (or another server) got there first.
            Ok(false) => Err(Refusal::Refused(
                "Someone else changed the tutorial's state just now.".into(),
            )),
            Err(e) => Err(Refusal::Failed(e)),
            Ok(true) => {
                lock(&self.room.state).lifecycle = next;
                self.room.changed.notify_one();
                Ok(())
            }
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.room.leave(self.viewer);
    }
}

/// The room's publisher: after each change, one snapshot, then a pause to coalesce.
/// Ends when the room closes (its last connection left).
async fn publish(hub: Hub, room: Arc<Room>) {
    loop {
        room.changed.notified().await;
        let json = {
            let mut state = lock(&room.state);
            state.seq += 1;
            ServerMsg::Snapshot(state.snapshot()).to_json()
        };
        room.snapshot.send_replace(Utf8Bytes::from(json));
        if hub.close_if_empty(&room) {
            return;
        }
        tokio::time::sleep(COALESCE).await;
    }
}
