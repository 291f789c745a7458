//! Several replicas on one PostgreSQL database serve one event together: changes cross
//! through the change log, a restarted replica serves the current state, and every page
//! counts the people on all replicas.

use crate::helpers::{Reply, TestDb, spawn_app_on};
use app::domain::pace::{PaceCounts, PaceVote};
use app::live::{ClientMsg, ErrorCode};

#[tokio::test]
async fn a_vote_on_one_replica_reaches_the_presenter_on_the_other() {
    let db = TestDb::postgres().await;
    let a = spawn_app_on(db.clone()).await;
    let b = spawn_app_on(db).await;
    let event = a.create_event("Two replicas").await;
    let (_p, mut presenter) = b.presenter(&event).await;
    let (_x, mut attendee) = a.attendee(&event).await;
    let (_y, mut other) = b.attendee(&event).await;

    let ack = attendee
        .act(|id| ClientMsg::Pace {
            id,
            vote: Some(PaceVote::Faster),
        })
        .await;
    ack.expect_ack();
    let ack = other
        .act(|id| ClientMsg::Pace {
            id,
            vote: Some(PaceVote::Slower),
        })
        .await;
    ack.expect_ack();

    // The presenter on B sees A's vote and B's, and both attendees online.
    let seen = presenter
        .snapshot_where(|s| s.pace.total() == 2 && s.online.attendees == 2)
        .await;
    assert_eq!(
        seen.pace,
        PaceCounts {
            slower: 1,
            just_right: 0,
            faster: 1
        }
    );
    // And the attendee on A sees B's vote.
    attendee.snapshot_where(|s| s.pace.slower == 1).await;
}

#[tokio::test]
async fn the_presenter_starts_on_one_replica_and_every_page_follows() {
    let db = TestDb::postgres().await;
    let a = spawn_app_on(db.clone()).await;
    let b = spawn_app_on(db).await;
    let event = a.create_event("Start across").await;
    let (_x, mut attendee) = a.attendee(&event).await;
    let (_p, mut presenter) = b.presenter(&event).await;
    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();
    let seen = attendee.snapshot_where(|s| s.started_at.is_some()).await;
    assert_eq!(seen.started_at, a.stored(&event).await.lifecycle.started_at);

    // A second Start, on the other replica, is refused: the database decides.
    let (_q, mut second) = a.presenter(&event).await;
    second.snapshot_where(|s| s.started_at.is_some()).await;
    second
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_refused(ErrorCode::Refused);
}

#[tokio::test]
async fn a_restarted_replica_serves_the_current_state() {
    let db = TestDb::postgres().await;
    let a = spawn_app_on(db.clone()).await;
    let mut b = spawn_app_on(db.clone()).await;
    let event = a.create_event("Restart").await;
    let (_p, mut presenter) = b.presenter(&event).await;
    let (_x, mut first) = a.attendee(&event).await;
    first
        .act(|id| ClientMsg::Pace {
            id,
            vote: Some(PaceVote::Faster),
        })
        .await;
    presenter.snapshot_where(|s| s.pace.faster == 1).await;

    // B goes away mid-event; its presenter is told to reconnect.
    b.shut_down();
    loop {
        match presenter.try_next().await {
            None => break,
            Some(_) => continue,
        }
    }
    // Votes go on meanwhile, on A.
    let (_y, mut second) = a.attendee(&event).await;
    second
        .act(|id| ClientMsg::Pace {
            id,
            vote: Some(PaceVote::Slower),
        })
        .await;

    // B comes back (a new process on the same database) and the presenter reconnects.
    let b = spawn_app_on(db).await;
    let (_p, mut presenter) = b.presenter(&event).await;
    let seen = presenter
        .snapshot_where(|s| s.pace.total() == 2 && s.online.attendees == 2)
        .await;
    assert_eq!(seen.pace.faster, 1);
    assert_eq!(seen.pace.slower, 1);

    // And it follows what happens next on A.
    first.act(|id| ClientMsg::Pace { id, vote: None }).await;
    presenter
        .snapshot_where(|s| s.pace.faster == 0 && s.pace.slower == 1)
        .await;
}
