//! Poll results hidden until revealed, over real sockets: while hidden, not one frame to
//! an attendee or a stage screen carries the counts (staff see them all along); a reveal
//! reaches every page at once, only staff may reveal, and both the hiding and the
//! reveal outlive a restart.

use crate::helpers::{LiveClient, Reply, ask_yes_no, draft, spawn_app, spawn_app_on};
use app::live::{ClientMsg, ErrorCode, LiveSnapshot, ServerMsg};
use uuid::Uuid;

fn answer(poll: Uuid, choice: u8) -> impl FnOnce(Uuid) -> ClientMsg {
    move |id| ClientMsg::Answer { id, poll, choice }
}

fn reveal(poll: Uuid) -> impl FnOnce(Uuid) -> ClientMsg {
    move |id| ClientMsg::RevealPoll { id, poll }
}

/// Reads every frame `page` gets until a snapshot numbered `seq` or later, checking
/// each: no poll counts in any of them. Returns the last snapshot.
async fn no_counts_until(page: &mut LiveClient, seq: u64) -> LiveSnapshot {
    loop {
        let (text, msg) = page.next_live().await;
        if let ServerMsg::Snapshot(snapshot) = msg {
            if let Some(poll) = &snapshot.poll {
                assert!(!poll.results_shown, "{text}");
                assert!(poll.counts.is_empty(), "counts reached a page: {text}");
            }
            if snapshot.seq >= seq {
                return snapshot;
            }
        }
    }
}

#[tokio::test]
async fn hidden_results_never_reach_attendees_until_revealed_and_the_reveal_outlives_a_restart() {
    let mut app = spawn_app().await;
    let event = app.create_event("Hidden polls").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_m, mut moderator) = app.moderator(&event).await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;
    let screen = app.browser();
    let mut stage = screen.live(&event.slug, Some("stage")).await.unwrap();

    presenter
        .act(ask_yes_no("Which is faster, Dask or pandas?", true))
        .await
        .expect_ack();
    let poll = stage
        .snapshot_where(|s| s.poll.is_some())
        .await
        .poll
        .unwrap();
    assert!(poll.spec.hide_results);
    let id = poll.spec.id;
    ana.act(answer(id, 0)).await.expect_ack();
    ben.act(answer(id, 0)).await.expect_ack();

    // The staff see the bars while the results are hidden …
    let staff = presenter
        .snapshot_where(|s| {
            s.staff
                .as_ref()
                .is_some_and(|st| st.polls.first().is_some_and(|p| p.counts == vec![2, 0]))
        })
        .await;
    assert!(!staff.staff.as_ref().unwrap().polls[0].results_shown);
    assert!(
        staff.poll.as_ref().unwrap().counts.is_empty(),
        "the public part of the staff's snapshot has no counts either"
    );
    // … and every frame the stage and an attendee got up to then had none.
    no_counts_until(&mut stage, staff.seq).await;
    let (_c, mut cleo) = app.attendee(&event).await;
    no_counts_until(&mut cleo, staff.seq).await;

    // Only staff reveal; then every page shows the results.
    let refused = ana
        .act(reveal(id))
        .await
        .expect_refused(ErrorCode::Forbidden);
    assert!(refused.contains("reveal"), "{refused}");
    moderator.act(reveal(id)).await.expect_ack();
    let message = presenter
        .act(reveal(id))
        .await
        .expect_refused(ErrorCode::Refused);
    assert!(message.contains("shown already"), "{message}");
    for page in [&mut stage, &mut cleo] {
        let seen = page
            .snapshot_where(|s| s.poll.as_ref().is_some_and(|p| p.results_shown))
            .await;
        assert_eq!(seen.poll.unwrap().counts, vec![2, 0]);
    }

    // A second hidden poll, not revealed: after a restart the first stays revealed and
    // the second hidden.
    presenter
        .act(ask_yes_no("Have you used Dask before?", true))
        .await
        .expect_ack();
    let second = stage.poll_after(id).await;
    ana.act(answer(second, 1)).await.expect_ack();
    let event_id = app.stored(&event).await.id;
    let stored = app.core.store.polls(event_id).await.unwrap();
    assert!(stored.iter().all(|p| p.spec.hide_results));
    assert_eq!(
        stored
            .iter()
            .map(|p| p.revealed_at.is_some())
            .collect::<Vec<_>>(),
        vec![true, false]
    );
    drop((presenter, moderator, ana, ben, cleo, stage));
    app.shut_down();
    let app = spawn_app_on(app.db()).await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let staff = presenter.snapshot_where(|s| s.staff.is_some()).await;
    let polls = staff.staff.unwrap().polls;
    assert_eq!(polls[0].spec.id, second);
    assert!(!polls[0].results_shown);
    assert_eq!(polls[0].counts, vec![0, 1]);
    assert!(polls[1].results_shown);
    let mut stage = app
        .browser()
        .live(&event.slug, Some("stage"))
        .await
        .unwrap();
    let after = no_counts_until(&mut stage, 0).await;
    assert_eq!(after.poll.unwrap().spec.id, second);
}

#[tokio::test]
async fn a_poll_asked_with_its_results_shown_cannot_be_revealed() {
    let app = spawn_app().await;
    let event = app.create_event("Shown polls").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_a, mut ana) = app.attendee(&event).await;
    presenter
        .act(ask_yes_no("Binder up?", false))
        .await
        .expect_ack();
    let poll = ana.snapshot_where(|s| s.poll.is_some()).await.poll.unwrap();
    assert!(poll.results_shown);
    assert_eq!(poll.counts, vec![0, 0], "shown from the start");
    presenter
        .act(reveal(poll.spec.id))
        .await
        .expect_refused(ErrorCode::Refused);
    presenter
        .act(reveal(Uuid::new_v4()))
        .await
        .expect_refused(ErrorCode::Refused);
}

#[tokio::test]
async fn an_event_may_hide_its_poll_results_by_default_and_its_next_run_does_too() {
    let app = spawn_app().await;
    let plain = app.create_event("Shown by default").await;
    assert!(!app.stored(&plain).await.hide_poll_results);
    let event = app
        .create_event_from(app::domain::event::EventDraft {
            hide_poll_results: true,
            ..draft("Hidden by default")
        })
        .await;
    let record = app.stored(&event).await;
    assert!(record.hide_poll_results);
    let next = app::core::report::next_run(record, chrono::Utc::now(), chrono_tz::UTC);
    assert!(next.hide_poll_results, "Run it again keeps the setting");
}
