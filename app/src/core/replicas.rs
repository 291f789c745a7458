//! Replicas on one PostgreSQL database following each other's live changes.
//!
//! A replica that writes a change to an event's log wakes the others with a NOTIFY on
//! the event's channel, at most once per publisher tick and without a payload (the log
//! says what changed; a NOTIFY payload is capped at 8000 bytes, and a transaction that
//! notifies takes a global lock at commit, so it is sent after the commit, on its own).
//! The follower here LISTENs on the channels of the events with an open room, and on a
//! wake-up the room reads the log after the last entry it saw ([`Hub::catch_up`]). Every
//! [`POLL`] it catches up anyway, which covers a wake-up lost while the listening
//! connection was down. Old log entries are pruned; a room further behind reloads.
//! Each second, each replica also records how many pages it has open per event (the
//! `presence` table) and adds the others' counts to its own.

use super::hub::Hub;
use super::store::live::wake_channel;
use crate::error::AppError;
use chrono::Utc;
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

/// Starts following other replicas (PostgreSQL) and pruning the change log (both).
pub async fn start(hub: &Hub) -> Result<(), AppError> {
    tokio::spawn(prune(hub.clone()));
    let Some(listener) = hub.store().listener().await? else {
        return Ok(());
    };
    let (follow, commands) = mpsc::unbounded_channel();
    hub.set_follower(follow);
    tokio::spawn(run(hub.clone(), listener, commands));
    Ok(())
}

async fn run(
    hub: Hub,
    mut listener: sqlx::postgres::PgListener,
    mut commands: mpsc::UnboundedReceiver<Follow>,
) {
    let mut poll = tokio::time::interval(POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            command = commands.recv() => {
                let done = match command {
                    Some(Follow::Start(event_id)) => listener.listen(&wake_channel(event_id)).await,
                    Some(Follow::Stop(event_id)) => listener.unlisten(&wake_channel(event_id)).await,
                    None => return,
                };
                if let Err(e) = done {
                    tracing::warn!(error = %e, "replica follower: listen/unlisten failed");
                }
            }
            // Cancel-safe: a notification is either returned or left for the next call.
            note = listener.try_recv() => match note {
                Ok(Some(note)) => {
                    if let Some(event_id) = note.channel().strip_prefix("lectern_event_").and_then(|id| id.parse().ok()) {
                        spawn_catch_up(&hub, event_id);
                    }
                }
                // The connection dropped (and comes back on the next call): wake-ups may be lost.
                Ok(None) => catch_up_all(&hub),
                Err(e) => {
                    tracing::warn!(error = %e, "replica follower: listening failed; retrying");
                    tokio::time::sleep(POLL).await;
                }
            },
            _ = poll.tick() => {
                catch_up_all(&hub);
                share_presence(&hub);
            }
        }
    }
}

fn spawn_catch_up(hub: &Hub, event_id: i64) {
    let hub = hub.clone();
    tokio::spawn(async move {
        if let Err(e) = hub.catch_up(event_id).await {
            tracing::warn!(error = %e, event_id, "could not catch up with the change log");
        }
    });
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
        tokio::spawn(async move {
            if let Err(e) = hub.share_presence(event_id).await {
                tracing::warn!(error = %e, event_id, "could not share presence");
            }
        });
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
