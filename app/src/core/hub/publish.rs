//! The room's publisher and broadcaster: how a change reaches every page, and how often.

use super::{Hub, Room, lock};
use crate::live::ServerMsg;
use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::watch;
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

/// The room's publisher: after each change, a snapshot to the broadcaster (at most
/// every [`PUBLISH_TICK`]; when only the online count changed, every [`ONLINE_TICK`])
/// and to the staff slot (at most every [`STAFF_TICK`]: a presenter's page need not
/// redraw a hundred times a second), waking the other replicas with the staff's.
/// Ends when the room closes (its last connection left).
pub(super) async fn publish(hub: Hub, room: Arc<Room>) {
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
}
