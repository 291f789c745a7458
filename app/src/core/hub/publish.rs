//! The room's publisher and broadcaster: how a change reaches every page, how often,
//! and as what (the whole state, or what changed since the page's state).

use super::{Hub, Room, lock};
use crate::live::{LiveSnapshot, ServerMsg};
use axum::extract::ws::Utf8Bytes;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// The shortest time between two snapshots to the presenter and co-instructors (a
/// presenter sees a vote within about this, plus its commit).
pub const STAFF_TICK: Duration = Duration::from_millis(10);
/// The staff snapshots one server makes a second at most, over all its rooms: with
/// many rooms open each room's are spaced further apart (200 rooms: every 25 ms), so
/// that a campus's presenters' snapshots do not crowd out everyone's messages
/// (measured: at 10 ms for each of 200 rooms the median room's presenter p99 went
/// from 96–105 ms to 139 ms).
pub const STAFF_SNAPSHOTS_PER_SECOND: f64 = 8_000.0;

/// The time between two staff snapshots of a room while `rooms` rooms are open here.
pub fn staff_tick(rooms: usize) -> Duration {
    STAFF_TICK.max(Duration::from_secs_f64(
        rooms as f64 / STAFF_SNAPSHOTS_PER_SECOND,
    ))
}
/// The shortest time between two states handed to the broadcaster: each public slot
/// takes the newest when a round reaches it, so fresher states cost no messages.
pub const PUBLISH_TICK: Duration = Duration::from_millis(10);
/// How many public slots a room spreads its pages over.
/// (Measured at 10,000 pages: 256 slots of about 40 pages kept votes moving during a
/// broadcast; 16 and 64 slots let them queue for hundreds of milliseconds.)
pub const PUBLIC_SHARDS: usize = 256;
/// When only the count of people online changed, everyone else hears of it at most
/// once a second: a thousand people joining must not cost a broadcast per join.
pub const ONLINE_TICK: Duration = Duration::from_secs(1);
/// How often a room looks at the clock: pace votes expiring, the pace sample due.
pub const TEND_TICK: Duration = Duration::from_secs(1);
/// How many recent public states each published one carries a delta from: a page that
/// skipped up to this many still gets a delta, any further behind the whole state. A
/// round over 10,000 pages takes 100–200 ms while the publisher hands over a state
/// every 10 ms, so a slot's pages hold a state ten to twenty publications old when the
/// next round reaches them (measured: with 4, nearly every message was a whole
/// snapshot). Only those some page needs are made.
pub const DELTAS_KEPT: usize = 32;

/// One published state of a room as its pages take it: the whole state, and what
/// changed since each of the states published just before it. Each message is
/// serialized the first time a page needs it, once, and shared by every page after
/// (a page's connection picks the one that fits: [`Frame::for_page`]); a frame no page
/// took before a newer one came costs nothing but the state's copy.
#[derive(Clone, Default)]
pub struct Frame(Arc<Made>);

#[derive(Default)]
struct Made {
    seq: u64,
    /// The public state (none in a frame made from its message: the staff's, a room's
    /// first).
    state: Option<Arc<LiveSnapshot>>,
    /// The whole state, as a `snapshot` message.
    snapshot: OnceLock<Utf8Bytes>,
    /// The states published before, newest first, each with the `delta` message from it
    /// to this one.
    older: Vec<(Arc<LiveSnapshot>, OnceLock<Utf8Bytes>)>,
}

impl Frame {
    /// A room's first frame: its state, with nothing before it.
    pub fn first(state: LiveSnapshot) -> Self {
        Self(Arc::new(Made {
            seq: state.seq,
            state: Some(Arc::new(state)),
            snapshot: OnceLock::new(),
            older: Vec::new(),
        }))
    }

    /// A frame of the whole state only, as a message (the staff's).
    pub fn whole(seq: u64, snapshot: Utf8Bytes) -> Self {
        Self(Arc::new(Made {
            seq,
            state: None,
            snapshot: OnceLock::from(snapshot),
            older: Vec::new(),
        }))
    }

    pub fn seq(&self) -> u64 {
        self.0.seq
    }

    /// The whole state, as a `snapshot` message.
    pub fn snapshot(&self) -> Utf8Bytes {
        let made = &self.0;
        made.snapshot
            .get_or_init(|| {
                let state = made.state.as_deref().cloned().unwrap_or_default();
                Utf8Bytes::from(ServerMsg::Snapshot(state).to_json())
            })
            .clone()
    }

    /// What a page holding state `held` is sent: nothing when it is as new, the delta
    /// from its state when that is one of the recent ones, else the whole state.
    pub fn for_page(&self, held: u64) -> Option<Utf8Bytes> {
        let made = &self.0;
        if made.seq <= held {
            return None;
        }
        let delta = made
            .older
            .iter()
            .find(|(older, _)| older.seq == held)
            .zip(made.state.as_deref());
        Some(match delta {
            Some(((older, message), state)) => message
                .get_or_init(|| {
                    Utf8Bytes::from(ServerMsg::Delta(state.delta_since(older)).to_json())
                })
                .clone(),
            None => self.snapshot(),
        })
    }
}

/// The public states published last, newest last, to make deltas from.
#[derive(Default)]
struct Recent(VecDeque<Arc<LiveSnapshot>>);

impl Recent {
    /// Starting from the room's latest frame (its first, when the publisher starts).
    fn after(frame: &Frame) -> Self {
        Self(frame.0.state.iter().cloned().collect())
    }

    /// The frame for `snapshot`, which becomes the newest recent state.
    fn frame(&mut self, snapshot: LiveSnapshot) -> Frame {
        let state = Arc::new(snapshot);
        let older = self
            .0
            .iter()
            .rev()
            .map(|older| (older.clone(), OnceLock::new()))
            .collect();
        if self.0.len() == DELTAS_KEPT {
            self.0.pop_front();
        }
        self.0.push_back(state.clone());
        Frame(Arc::new(Made {
            seq: state.seq,
            state: Some(state),
            snapshot: OnceLock::new(),
            older,
        }))
    }
}

/// The room's publisher: after each change, a frame to the broadcaster (at most every
/// [`PUBLISH_TICK`]; when only the online count changed, every [`ONLINE_TICK`]) and
/// the whole state to the staff slot (at most every [`staff_tick`]: a presenter's page
/// need not redraw a hundred times a second), waking the other replicas with the
/// staff's. Ends when the room closes (its last connection left).
pub(super) async fn publish(hub: Hub, room: Arc<Room>) {
    // The public broadcast runs in a task of its own, so that spreading one state over
    // thousands of pages never holds up the next one to the presenter.
    tokio::spawn(broadcast(
        room.clone(),
        room.published.subscribe(),
        hub.inner.pacer.clone(),
    ));
    let mut recent = Recent::after(&room.published.borrow());
    // Read once a second: the hub's lock stays off the path of every publication.
    let mut staff_gap = staff_tick(hub.rooms_open());
    let mut last_public = Instant::now() - ONLINE_TICK;
    let mut last_staff = Instant::now() - ONLINE_TICK;
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
                staff_gap = staff_tick(hub.rooms_open());
                if !room.tend(&hub.inner.store) {
                    continue;
                }
            }
        }
        let started = std::time::Instant::now();
        let now = Instant::now();
        let taken = {
            let mut state = lock(&room.state);
            // Read while the state is locked: see `Room::current`.
            content_pending |= room.content.swap(false, Ordering::Relaxed);
            // The broadcaster paces the rounds; a change of content goes to it at once,
            // so the slots its round has yet to fill get it.
            let public_gap = if content_pending {
                Duration::ZERO
            } else {
                ONLINE_TICK
            };
            let public_turn = now >= last_public + public_gap;
            let staff_turn = now >= last_staff + staff_gap;
            public_due = (!public_turn).then_some(last_public + public_gap);
            staff_due = (!staff_turn).then_some(last_staff + staff_gap);
            (public_turn || staff_turn).then(|| {
                state.seq += 1;
                let snapshot = state.snapshot();
                if public_turn {
                    state.public_seq = snapshot.seq;
                }
                let staff = staff_turn.then(|| state.staff_part(snapshot.now));
                (snapshot, staff, public_turn)
            })
        };
        let staff_turn = matches!(taken, Some((_, Some(_), _)));
        if let Some((snapshot, staff, public_turn)) = taken {
            if let Some(staff) = staff {
                let mut whole = snapshot.clone();
                whole.staff = Some(staff);
                let message = Utf8Bytes::from(ServerMsg::Snapshot(whole).to_json());
                room.staff.send_replace(Frame::whole(snapshot.seq, message));
                last_staff = now;
            }
            if public_turn {
                room.published.send_replace(recent.frame(snapshot));
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

/// The room's broadcaster: spreads public frames over the room's public slots.
/// Ends with the publisher.
async fn broadcast(room: Arc<Room>, latest: watch::Receiver<Frame>, pacer: Arc<Pacer>) {
    fan_out(&room.public, latest, &pacer).await
}

/// Fills `slots` one after another with the newest frame from `latest`, letting each
/// slot's pages take it before filling the next (a vote arriving meanwhile waits behind
/// one slot's pages, not all of them). Each slot takes the frame that is newest when its
/// turn comes, so a change made while a round runs reaches the rest of that round at
/// once. A round starts as soon as there is something new and the previous round has
/// ended: a quiet room's change goes out at once, and under a burst the rounds follow
/// one another, each page waiting about one round. The `pacer` spaces the sends of every
/// room so that the pages (and whatever shares the machine) are not starved. Ends when
/// `latest`'s sender is gone and every slot has its last frame.
async fn fan_out(
    slots: &[watch::Sender<Frame>],
    mut latest: watch::Receiver<Frame>,
    pacer: &Pacer,
) {
    // Frames are numbered as they are taken from `latest`; `held` says which one each
    // slot has (0: the room's first, which the slots were made with).
    let mut taken = 0u64;
    let mut held = vec![0u64; slots.len()];
    let mut frame = Frame::default();
    loop {
        if held.iter().all(|&h| h == taken) {
            if latest.changed().await.is_err() {
                return;
            }
            frame = latest.borrow_and_update().clone();
            taken += 1;
        }
        let round = Instant::now();
        for (slot, held) in slots.iter().zip(held.iter_mut()) {
            if latest.has_changed().unwrap_or(false) {
                frame = latest.borrow_and_update().clone();
                taken += 1;
            }
            if *held == taken {
                continue;
            }
            *held = taken;
            // A slot nobody reads is left as it is (a 50-page room fills 50 of its 256
            // slots, not all of them): a page that joins it starts from the room's
            // state (`Room::current`), and the next frame reaches it here.
            let pages = slot.receiver_count();
            if pages == 0 {
                continue;
            }
            pacer.take(pages).await;
            slot.send_replace(frame.clone());
            tokio::task::yield_now().await;
        }
        metrics::histogram!("lectern_broadcast_seconds").record(round.elapsed().as_secs_f64());
    }
}

/// Spaces the broadcast sends of every room on this server to at most `per_second`
/// messages a second. Sending as fast as the cores allow makes the last pages wait
/// *longer*: the sockets' tasks, the votes coming in and anything sharing the machine
/// starve behind the broadcast. A burst of up to [`Pacer::SLACK`]'s worth goes at once,
/// so a quiet room's change never waits.
pub struct Pacer {
    per_second: f64,
    /// When the messages handed out so far have all had their turn.
    free_at: Mutex<Instant>,
}

impl Pacer {
    /// How far ahead of the pace the sends may run after a quiet while.
    pub const SLACK: Duration = Duration::from_millis(5);

    pub fn new(per_second: u32) -> Self {
        let now = Instant::now();
        Self {
            per_second: f64::from(per_second.max(1)),
            // The slack is there from the start.
            free_at: Mutex::new(now.checked_sub(Self::SLACK).unwrap_or(now)),
        }
    }

    /// Waits for `messages` sends' turn.
    pub async fn take(&self, messages: usize) {
        let turn = {
            let mut free_at = lock(&self.free_at);
            let now = Instant::now();
            let turn = (*free_at).max(now.checked_sub(Self::SLACK).unwrap_or(now));
            *free_at = turn + Duration::from_secs_f64(messages as f64 / self.per_second);
            turn
        };
        if turn > Instant::now() {
            tokio::time::sleep_until(turn).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame whose whole-state message is `text`, numbered `seq`.
    fn frame(seq: u64, text: &str) -> Frame {
        Frame::whole(seq, Utf8Bytes::from(text.to_string()))
    }

    /// Public slots as the broadcaster fills them, with one page reading each.
    fn slots(n: usize) -> (Arc<Vec<watch::Sender<Frame>>>, Vec<watch::Receiver<Frame>>) {
        let slots: Vec<_> = (0..n)
            .map(|_| watch::channel(frame(0, "first")).0)
            .collect();
        let pages = slots.iter().map(watch::Sender::subscribe).collect();
        (Arc::new(slots), pages)
    }

    fn seen(pages: &[watch::Receiver<Frame>]) -> Vec<String> {
        pages
            .iter()
            .map(|p| p.borrow().snapshot().to_string())
            .collect()
    }

    /// A broadcaster over `slots` with a pacer of `per_second`; its publishing end.
    fn start(
        slots: &Arc<Vec<watch::Sender<Frame>>>,
        per_second: u32,
    ) -> (watch::Sender<Frame>, tokio::task::JoinHandle<()>) {
        let (publish, latest) = watch::channel(frame(0, "first"));
        let slots = slots.clone();
        let pacer = Pacer::new(per_second);
        let fan = tokio::spawn(async move { fan_out(&slots, latest, &pacer).await });
        (publish, fan)
    }

    #[tokio::test(start_paused = true)]
    async fn a_frame_published_during_a_round_reaches_the_rest_of_that_round() {
        let (slots, mut pages) = slots(4);
        let (publish, fan) = start(&slots, 1_000_000);
        let start = Instant::now();
        publish.send_replace(frame(1, "one"));
        pages[0].changed().await.unwrap();
        // The round has filled the first slot; a vote changes the tally now.
        publish.send_replace(frame(2, "two"));
        pages[3].changed().await.unwrap();
        assert_eq!(seen(&pages), ["one", "two", "two", "two"]);
        assert_eq!(start.elapsed(), Duration::ZERO, "within the same round");
        for page in &mut pages {
            page.borrow_and_update();
        }
        // The next round starts as soon as this one ended: only the first slot lacks
        // the newest, and it gets it at once.
        pages[0].changed().await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(seen(&pages), ["two"; 4]);
        assert!(!pages[1..].iter().any(|p| p.has_changed().unwrap()));
        // Nothing new: no rounds, however long it stays quiet.
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(!pages.iter().any(|p| p.has_changed().unwrap()));
        publish.send_replace(frame(3, "three"));
        drop(publish);
        fan.await.unwrap();
        assert_eq!(
            seen(&pages),
            ["three"; 4],
            "the last frame reaches every slot"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_nobody_reads_is_left_alone_until_a_page_joins_it() {
        let slots: Arc<Vec<watch::Sender<Frame>>> = Arc::new(
            (0..3)
                .map(|_| watch::channel(frame(0, "first")).0)
                .collect(),
        );
        let mut first = slots[0].subscribe();
        let (publish, _fan) = start(&slots, 1_000_000);
        publish.send_replace(frame(1, "one"));
        first.changed().await.unwrap();
        tokio::task::yield_now().await;
        assert_eq!(
            slots[2].borrow().snapshot().to_string(),
            "first",
            "not filled"
        );
        // A page joins the third slot (greeted with the room's state), then a change.
        let mut late = slots[2].subscribe();
        publish.send_replace(frame(2, "two"));
        late.changed().await.unwrap();
        assert_eq!(late.borrow().snapshot().to_string(), "two");
    }

    #[tokio::test(start_paused = true)]
    async fn in_a_quiet_room_each_change_goes_out_at_once() {
        let (slots, mut pages) = slots(2);
        let (publish, _fan) = start(&slots, 100_000);
        let start = Instant::now();
        for n in 1..=5u64 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            publish.send_replace(frame(n, &format!("tally {n}")));
            pages[1].changed().await.unwrap();
            assert_eq!(
                start.elapsed(),
                Duration::from_millis(300) * n as u32,
                "change {n} waited for nothing"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn under_a_burst_rounds_follow_each_other_at_the_pacers_rate() {
        // 100 slots of 10 pages: 1,000 messages a round; at 100,000 a second a round
        // takes about 10 ms.
        let slots: Arc<Vec<watch::Sender<Frame>>> = Arc::new(
            (0..100)
                .map(|_| watch::channel(frame(0, "first")).0)
                .collect(),
        );
        let pages: Vec<Vec<watch::Receiver<Frame>>> = slots
            .iter()
            .map(|s| (0..10).map(|_| s.subscribe()).collect())
            .collect();
        let (publish, _fan) = start(&slots, 100_000);
        let mut last = pages[99][0].clone();
        let start = Instant::now();
        // A new tally every millisecond for 50 ms, as votes pour in.
        let burst = tokio::spawn(async move {
            for n in 1..=50u64 {
                publish.send_replace(frame(n, &format!("tally {n}")));
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            publish
        });
        let mut rounds = Vec::new();
        while last.changed().await.is_ok() {
            let seq = last.borrow_and_update().seq();
            rounds.push((start.elapsed(), seq));
            if seq == 50 {
                break;
            }
        }
        drop(burst.await.unwrap());
        // Each round ends about 10 ms after it began, and the next begins at once, with
        // the newest tally: the last page sees the last vote one round after it.
        let ends: Vec<u128> = rounds.iter().map(|(at, _)| at.as_millis()).collect();
        for pair in ends.windows(2) {
            let gap = pair[1] - pair[0];
            assert!((9..=12).contains(&gap), "rounds {ends:?}");
        }
        let (last_end, _) = rounds.last().unwrap();
        assert!(
            last_end.as_millis() <= 50 + 12,
            "the last tally (sent at 49 ms) waited more than a round: {rounds:?}"
        );
        // The pages' share of the sends was paced: 1,000 messages a round.
        assert!(rounds.len() >= 4, "{rounds:?}");
    }

    #[test]
    fn the_staff_tick_widens_with_the_rooms_open() {
        assert_eq!(staff_tick(1), STAFF_TICK);
        assert_eq!(staff_tick(80), STAFF_TICK);
        assert_eq!(staff_tick(200), Duration::from_millis(25));
        assert_eq!(staff_tick(800), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_spaces_sends_after_its_slack() {
        let pacer = Pacer::new(10_000);
        let start = Instant::now();
        // 50 messages fit in the 5 ms of slack: no wait.
        pacer.take(50).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        // The next 10,000 take a second in all.
        for _ in 0..100 {
            pacer.take(100).await;
        }
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(990) && took <= Duration::from_millis(1_010),
            "{took:?}"
        );
    }

    fn state(seq: u64, faster: u32) -> LiveSnapshot {
        let mut snapshot = LiveSnapshot {
            seq,
            ..LiveSnapshot::default()
        };
        snapshot.pace.faster = faster;
        snapshot
    }

    #[test]
    fn a_page_gets_a_delta_from_its_own_state_else_the_whole_state() {
        let mut recent = Recent::default();
        let kept = DELTAS_KEPT as u64;
        // States 1 to kept + 2 published; the next one was a joining page's own.
        let last = kept + 2;
        for seq in 1..=last {
            recent.frame(state(seq, seq as u32));
        }
        let newest = last + 2;
        let frame = recent.frame(state(newest, 99));
        let text = |held| frame.for_page(held).map(|m| m.to_string());
        // The last DELTAS_KEPT states published get a delta each.
        for held in last + 1 - kept..=last {
            let message = text(held).unwrap();
            assert!(
                message.starts_with(&format!(
                    r#"{{"type":"delta","from":{held},"seq":{newest},"#
                )),
                "{message}"
            );
        }
        for held in [0, 1, last - kept, last + 1] {
            let message = text(held).unwrap();
            assert!(
                message.starts_with(&format!(r#"{{"type":"snapshot","seq":{newest},"#)),
                "{held}: {message}"
            );
        }
        assert_eq!(text(newest), None, "nothing for a page that has it");
        assert_eq!(text(newest + 1), None, "nor for one that has newer");
    }
}
