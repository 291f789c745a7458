//! Replicas on one PostgreSQL database following each other's live changes.
//!
//! A replica that writes a change to an event's log wakes the others with a NOTIFY on
//! the event's channel, at most once per publisher tick and without a payload (the log
//! says what changed; a NOTIFY payload is capped at 8000 bytes, and a transaction that
//! notifies takes a global lock at commit, so it is sent after the commit, on its own).
//! The follower here LISTENs on the channels of the events with an open room, and on a
//! wake-up the room reads the log after the last entry it saw (`Hub::catch_up`). Every
//! [`POLL`] it catches up anyway, which covers a wake-up lost while the listening
//! connection was down. Old log entries are pruned; a room further behind reloads.
//! Each second, each replica also records how many pages it has open per event (the
//! `presence` table) and adds the others' counts to its own.

use super::{Hub, lock};
use crate::core::spawn_logged;
use crate::core::store::changelog::wake_channel;
use crate::error::AppError;
use chrono::Utc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often every open room catches up, wake-up or not.
pub const POLL: Duration = Duration::from_secs(1);
/// How long log entries are kept.
pub const KEEP_LOG: Duration = Duration::from_secs(15 * 60);

/// What the follower listens for.
#[derive(Debug, Clone, Copy)]
pub enum Follow {
    Start(i64),
    Stop(i64),
}

/// Starts following other replicas (PostgreSQL), and the upkeep of both backends:
/// pruning the change log, and SQLite's checkpoints.
pub async fn start(hub: &Hub) -> Result<(), AppError> {
    tokio::spawn(prune(hub.clone()));
    tokio::spawn(checkpoint(hub.clone()));
    let Some(mut listener) = hub.store().listener().await? else {
        return Ok(());
    };
    listener.listen(&control_channel(hub.origin())).await?;
    let (follow, commands) = mpsc::unbounded_channel();
    hub.set_follower(follow);
    tokio::spawn(listen(hub.clone(), listener, commands));
    tokio::spawn(poll(hub.clone()));
    Ok(())
}

/// This replica's own channel: a wake-up there means "new events to (un)listen to".
pub fn control_channel(origin: &str) -> String {
    format!("lectern_replica_{}", origin.replace('-', ""))
}

/// The listening loop. `try_recv` is never cancelled (cancelling a read halfway could
/// lose a message), so changes to what it listens for arrive as commands, announced by
/// a NOTIFY on this replica's control channel that wakes the loop.
async fn listen(
    hub: Hub,
    mut listener: sqlx::postgres::PgListener,
    mut commands: mpsc::UnboundedReceiver<Follow>,
) {
    loop {
        loop {
            let (done, event_id) = match commands.try_recv() {
                Ok(Follow::Start(event_id)) => (
                    listener.listen(&wake_channel(event_id)).await,
                    Some(event_id),
                ),
                Ok(Follow::Stop(event_id)) => {
                    (listener.unlisten(&wake_channel(event_id)).await, None)
                }
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => return,
            };
            match (done, event_id) {
                (Err(e), _) => {
                    tracing::warn!(error = %e, "replica follower: listen/unlisten failed")
                }
                // What others wrote between opening the room and listening.
                (Ok(()), Some(event_id)) => spawn_catch_up(&hub, event_id),
                (Ok(()), None) => {}
            }
        }
        match listener.try_recv().await {
            Ok(Some(note)) => {
                if let Some(event_id) = note
                    .channel()
                    .strip_prefix("lectern_event_")
                    .and_then(|id| id.parse().ok())
                {
                    spawn_catch_up(&hub, event_id);
                }
            }
            // The connection dropped (and comes back on the next call): wake-ups may be lost.
            Ok(None) => catch_up_all(&hub),
            Err(e) => {
                tracing::warn!(error = %e, "replica follower: listening failed; retrying");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

/// Every [`POLL`]: catch up whatever the wake-ups missed, and share presence.
async fn poll(hub: Hub) {
    let mut every = tokio::time::interval(POLL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        catch_up_all(&hub);
        share_presence(&hub);
    }
}

fn spawn_catch_up(hub: &Hub, event_id: i64) {
    let hub = hub.clone();
    spawn_logged(
        "could not catch up with the change log",
        Some(event_id),
        async move { hub.catch_up(event_id).await },
    );
}

fn catch_up_all(hub: &Hub) {
    for event_id in hub.open_events() {
        spawn_catch_up(hub, event_id);
    }
}

/// Every open room tells the others who is connected here, and hears who is there.
fn share_presence(hub: &Hub) {
    for event_id in hub.open_events() {
        let hub = hub.clone();
        spawn_logged("could not share presence", Some(event_id), async move {
            hub.share_presence(event_id).await
        });
    }
}

/// SQLite's write-ahead log, copied into the database every second, off the commit path.
async fn checkpoint(hub: Hub) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = hub.store().checkpoint().await {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    }
}

async fn prune(hub: Hub) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        let before = Utc::now() - chrono::Duration::from_std(KEEP_LOG).unwrap_or_default();
        match hub.store().prune_changes(before).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(pruned = n, "change log pruned"),
            Err(e) => tracing::warn!(error = %e, "could not prune the change log"),
        }
    }
}

impl Hub {
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
                self.inner.pages.fetch_add(1, Ordering::AcqRel);
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
                        self.applied(&logged.change);
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
}
