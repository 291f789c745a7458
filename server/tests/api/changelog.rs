//! The change log on both backends: group commits number each event's changes in order
//! and without gaps, refused changes leave no entry, and a burst of votes from many
//! pages at once is all written and all counted.

use crate::helpers::{Reply, spawn_app};
use app::core::change::Change;
use app::core::store::Store;
use app::core::writer::{Then, Writer};
use app::domain::attendee::AttendeeId;
use app::domain::pace::PaceVote;
use app::live::ClientMsg;
use chrono::{DateTime, SubsecRound, Utc};
use std::sync::{Arc, Mutex};

/// When the votes in these tests are cast: one moment, so a vote equals itself read back.
fn cast_at() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_800_000_000_000).expect("a valid moment")
}

fn vote(attendee: &str, vote: Option<PaceVote>) -> Change {
    Change::Pace {
        attendee: AttendeeId::parse(attendee).expect("an id"),
        vote,
        at: cast_at(),
    }
}

#[tokio::test]
async fn a_batch_is_numbered_per_event_in_order_and_refusals_leave_no_entry() {
    let app = spawn_app().await;
    let first = app.stored(&app.create_event("First").await).await.id;
    let second = app.stored(&app.create_event("Second").await).await.id;
    let store = &app.core.store;
    let now = Utc::now().trunc_subsecs(3);
    let batch = vec![
        (first, vote("ann", Some(PaceVote::Faster))),
        (second, vote("bob", Some(PaceVote::Slower))),
        (first, Change::Started { at: now }),
        (first, vote("ann", Some(PaceVote::JustRight))),
        // Refused: the event has just started.
        (first, Change::Started { at: now }),
        (second, vote("bob", None)),
    ];
    let numbers = store.commit("replica-1", &batch).await.unwrap();
    assert_eq!(numbers[4], None, "a second Start does not take effect");
    let mut firsts: Vec<u64> = [0, 2, 3].iter().map(|&i| numbers[i].unwrap()).collect();
    firsts.sort_unstable();
    assert_eq!(
        firsts,
        vec![1, 2, 3],
        "the first event's changes are 1, 2, 3"
    );
    let mut seconds: Vec<u64> = [1, 5].iter().map(|&i| numbers[i].unwrap()).collect();
    seconds.sort_unstable();
    assert_eq!(seconds, vec![1, 2]);
    // The same attendee's changes keep their order.
    assert!(numbers[0] < numbers[3]);

    let log = store.changes_after(first, 0, 100).await.unwrap();
    assert_eq!(log.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(log.iter().all(|c| c.origin == "replica-1"));
    assert_eq!(
        log.last().unwrap().change,
        vote("ann", Some(PaceVote::JustRight))
    );
    assert_eq!(store.changes_after(first, 2, 100).await.unwrap().len(), 1);

    // The tables agree with the log.
    let room = store.room_state(first).await.unwrap();
    assert_eq!(room.seq, 3);
    assert_eq!(room.started_at, Some(now));
    assert_eq!(
        room.pace_votes,
        vec![(
            AttendeeId::parse("ann").unwrap(),
            PaceVote::JustRight,
            cast_at()
        )]
    );
    assert!(
        store
            .room_state(second)
            .await
            .unwrap()
            .pace_votes
            .is_empty()
    );

    // The next batch carries on from where the last one stopped.
    let more = store
        .commit("replica-2", &[(first, vote("cy", Some(PaceVote::Faster)))])
        .await
        .unwrap();
    assert_eq!(more, vec![Some(4)]);

    // Pruning forgets old entries only.
    assert_eq!(
        store
            .prune_changes(Utc::now() - chrono::Duration::minutes(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .prune_changes(Utc::now() + chrono::Duration::minutes(1))
            .await
            .unwrap(),
        6
    );
}

/// What follows a committed change (its room applying it) runs in the writer, in the
/// order the changes came, before the sender hears back; a change the event refused
/// runs nothing.
#[tokio::test]
async fn the_writer_runs_what_follows_each_change_in_order_before_answering() {
    let app = spawn_app().await;
    let event = app.stored(&app.create_event("Order").await).await.id;
    let writer = Writer::start(app.core.store.clone(), "replica-1".into());
    let ran = Arc::new(Mutex::new(Vec::new()));
    let then = |name: &'static str| -> Then {
        let ran = ran.clone();
        Box::new(move |_| ran.lock().unwrap().push(name))
    };
    let first = writer
        .write(event, vote("ann", Some(PaceVote::Faster)), then("ann"))
        .await
        .unwrap();
    assert_eq!(first, Some(1));
    assert_eq!(*ran.lock().unwrap(), ["ann"], "run before the answer");
    let now = Utc::now().trunc_subsecs(3);
    let (bob, start, again) = tokio::join!(
        writer.write(event, vote("bob", Some(PaceVote::Slower)), then("bob")),
        writer.write(event, Change::Started { at: now }, then("start")),
        writer.write(event, Change::Started { at: now }, then("second start")),
    );
    // One batch: numbered 2 and 3 (in the batch's own order, by kind of change).
    let mut numbers = [bob.unwrap(), start.unwrap()];
    numbers.sort();
    assert_eq!(numbers, [Some(2), Some(3)]);
    assert_eq!(again.unwrap(), None, "refused: the event has started");
    assert_eq!(*ran.lock().unwrap(), ["ann", "bob", "start"]);
}

/// A campus's batch spans hundreds of events (seed 002): each event is numbered on its
/// own from where it stood, and the entries go in over more than one statement.
#[tokio::test]
async fn a_batch_over_hundreds_of_events_numbers_each_on_its_own() {
    const EVENTS: usize = 260;
    let app = spawn_app().await;
    let mut events = Vec::with_capacity(EVENTS);
    for i in 0..EVENTS {
        let event = app.create_event(&format!("Class {i}")).await;
        events.push(app.stored(&event).await.id);
    }
    let store = &app.core.store;
    // One event has a change already: its numbers carry on from it.
    store
        .commit(
            "replica-1",
            &[(events[7], vote("zed", Some(PaceVote::Slower)))],
        )
        .await
        .unwrap();
    // Two votes in every event: 520 entries, more than one insert carries.
    let batch: Vec<(i64, Change)> = events
        .iter()
        .flat_map(|&event| {
            [
                (event, vote("ann", Some(PaceVote::Faster))),
                (event, vote("bob", Some(PaceVote::Slower))),
            ]
        })
        .collect();
    let numbers = store.commit("replica-1", &batch).await.unwrap();
    for (k, &event) in events.iter().enumerate() {
        let start = if k == 7 { 2 } else { 1 };
        assert_eq!(
            (numbers[2 * k], numbers[2 * k + 1]),
            (Some(start), Some(start + 1)),
            "event {k}"
        );
        let log = store.changes_after(event, 0, 10).await.unwrap();
        assert_eq!(
            log.iter().map(|c| c.seq).collect::<Vec<_>>(),
            (1..=start + 1).collect::<Vec<_>>()
        );
        assert_eq!(
            store.room_state(event).await.unwrap().pace_votes.len(),
            2 + usize::from(k == 7)
        );
    }
}

#[tokio::test]
async fn votes_from_many_pages_at_once_are_all_written_and_counted() {
    let app = spawn_app().await;
    let event = app.create_event("Burst").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    const PAGES: usize = 40;
    let mut pages = Vec::new();
    for _ in 0..PAGES {
        pages.push(app.attendee(&event).await);
    }
    // Every page sends its vote before any answer is read, so they queue up together.
    let mut ids = Vec::new();
    for (_, live) in &mut pages {
        let id = uuid::Uuid::new_v4();
        live.send(&ClientMsg::Pace {
            id,
            vote: Some(PaceVote::Faster),
        })
        .await;
        ids.push(id);
    }
    for ((_, live), id) in pages.iter_mut().zip(ids) {
        live.answer_to(id).await.expect_ack();
    }
    presenter
        .snapshot_where(|s| s.pace.faster == PAGES as u32)
        .await;
    let stored = app
        .core
        .store
        .pace_votes(app.stored(&event).await.id)
        .await
        .unwrap();
    assert_eq!(stored.len(), PAGES);
}

/// The writer keeps its database connection from one batch to the next (`Kept`), and
/// gives it back once it has had nothing to write for a while: closing the store, as a
/// stopping server does, waits for every connection and must not wait for it forever.
#[tokio::test]
async fn the_writer_gives_its_connection_back_when_idle() {
    let app = spawn_app().await;
    let event = app.stored(&app.create_event("Idle").await).await.id;
    let store = Store::connect(&app.db().url).await.unwrap();
    let writer = Writer::start(store.clone(), "replica-1".into());
    for (n, attendee) in ["ann", "bob"].into_iter().enumerate() {
        let number = writer
            .write(
                event,
                vote(attendee, Some(PaceVote::Faster)),
                Box::new(|_| {}),
            )
            .await
            .unwrap();
        assert_eq!(number, Some(n as u64 + 1));
    }
    // The writer is still running (its handle is alive) when the store closes.
    tokio::time::timeout(std::time::Duration::from_secs(10), store.close())
        .await
        .expect("the store closed: the writer gave its connection back");
    drop(writer);
}
