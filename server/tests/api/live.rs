//! The live core: pace votes from attendees reach the presenter; reconnects resync;
//! role pages and sockets stay shut to those without the link; bad frames get errors.

use crate::helpers::{PATIENCE, Reply, spawn_app};
use app::domain::pace::{PaceCounts, PaceVote};
use app::live::{ClientMsg, ErrorCode, ServerMsg, Viewer};

async fn vote(client: &mut crate::helpers::LiveClient, vote: Option<PaceVote>) -> ServerMsg {
    client.act(|id| ClientMsg::Pace { id, vote }).await
}

#[tokio::test]
async fn votes_of_three_attendees_reach_the_presenter() {
    let app = spawn_app().await;
    let event = app.create_event("Pace check").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    assert!(matches!(
        presenter.next().await,
        ServerMsg::Welcome {
            viewer: Viewer::Presenter,
            now: _,
            pace: None,
            pace_at: None,
            check_in: None,
            poll_answer: None,
            words: None,
            lab: None,
            help_ticket: None,
            ref my_questions,
            ref my_upvotes,
        } if my_questions.is_empty() && my_upvotes.is_empty()
    ));

    let mut attendees = Vec::new();
    for _ in 0..3 {
        attendees.push(app.attendee(&event).await);
    }
    for ((_, client), choice) in
        attendees
            .iter_mut()
            .zip([PaceVote::Slower, PaceVote::Slower, PaceVote::Faster])
    {
        assert!(matches!(
            client.next().await,
            ServerMsg::Welcome {
                viewer: Viewer::Attendee,
                now: _,
                pace: None,
                pace_at: None,
                check_in: None,
                poll_answer: None,
                words: None,
                lab: None,
                help_ticket: None,
                ref my_questions,
                ref my_upvotes,
            } if my_questions.is_empty() && my_upvotes.is_empty()
        ));
        vote(client, Some(choice)).await.expect_ack();
    }

    let seen = presenter
        .snapshot_where(|s| s.pace.total() == 3 && s.online.attendees == 3)
        .await;
    assert_eq!(
        seen.pace,
        PaceCounts {
            slower: 2,
            just_right: 0,
            faster: 1
        }
    );
    assert_eq!(seen.online.staff, 1);

    // One attendee changes their mind: the vote moves, it is not added.
    let (_, first) = &mut attendees[0];
    vote(first, Some(PaceVote::JustRight)).await.expect_ack();
    let seen = presenter.snapshot_where(|s| s.pace.just_right == 1).await;
    assert_eq!(
        seen.pace,
        PaceCounts {
            slower: 1,
            just_right: 1,
            faster: 1
        }
    );
}

#[tokio::test]
async fn snapshots_are_numbered_upwards() {
    let app = spawn_app().await;
    let event = app.create_event("Sequence").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_a, mut attendee) = app.attendee(&event).await;
    let mut last = 0;
    for choice in [PaceVote::Slower, PaceVote::Faster, PaceVote::JustRight] {
        vote(&mut attendee, Some(choice)).await;
        let seen = presenter.snapshot_where(|s| s.pace.get(choice) == 1).await;
        assert!(seen.seq > last, "seq {} after {last}", seen.seq);
        last = seen.seq;
    }
}

#[tokio::test]
async fn a_reconnecting_attendee_gets_the_current_snapshot_and_their_own_vote() {
    let app = spawn_app().await;
    let event = app.create_event("Reconnect").await;
    let (browser, mut attendee) = app.attendee(&event).await;
    let (_other, mut other) = app.attendee(&event).await;
    vote(&mut attendee, Some(PaceVote::Slower)).await;
    vote(&mut other, Some(PaceVote::Faster)).await;
    attendee.close().await;

    let mut again = browser.live(&event.slug, None).await.expect("reconnects");
    match again.next().await {
        ServerMsg::Welcome { pace, .. } => {
            assert_eq!(pace, Some(PaceVote::Slower), "the sticky vote comes back")
        }
        other => panic!("expected welcome, got {other:?}"),
    }
    match again.next().await {
        ServerMsg::Snapshot(s) => assert_eq!(
            s.pace,
            PaceCounts {
                slower: 1,
                just_right: 0,
                faster: 1
            }
        ),
        other => panic!("expected a snapshot right after the welcome, got {other:?}"),
    }
}

#[tokio::test]
async fn acknowledged_votes_are_stored_before_the_ack() {
    let app = spawn_app().await;
    let event = app.create_event("Durable").await;
    let (_a, mut attendee) = app.attendee(&event).await;
    vote(&mut attendee, Some(PaceVote::Faster)).await;
    let record = app.stored(&event).await;
    let stored = app.core.store.pace_votes(record.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1, PaceVote::Faster);
}

#[tokio::test]
async fn taking_a_vote_back_removes_it_from_the_tally() {
    let app = spawn_app().await;
    let event = app.create_event("Take back").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_a, mut attendee) = app.attendee(&event).await;
    vote(&mut attendee, Some(PaceVote::Slower)).await;
    presenter.snapshot_where(|s| s.pace.slower == 1).await;
    vote(&mut attendee, None).await;
    presenter.snapshot_where(|s| s.pace.total() == 0).await;
}

#[tokio::test]
async fn the_presenter_page_refuses_an_attendee_cookie() {
    let app = spawn_app().await;
    let event = app.create_event("Closed door").await;
    let (browser, _live) = app.attendee(&event).await;

    let page = browser.get(&format!("/e/{}/present", event.slug)).await;
    assert_eq!(page.status(), 403);
    assert!(page.text().await.unwrap().contains("needs its secret link"));

    let refused = browser.live(&event.slug, Some("presenter")).await;
    assert!(
        refused.is_err(),
        "the presenter socket needs the presenter link"
    );
}

#[tokio::test]
async fn a_moderator_link_does_not_open_the_presenter_page() {
    let app = spawn_app().await;
    let event = app.create_event("Roles").await;
    let browser = app.browser();
    let page = browser.get(&format!("/r/{}", event.moderator_token)).await;
    assert!(page.url().path().ends_with("/moderate"));
    assert_eq!(page.status(), 200);
    assert_eq!(
        browser
            .get(&format!("/e/{}/present", event.slug))
            .await
            .status(),
        403
    );
    assert!(browser.live(&event.slug, Some("moderator")).await.is_ok());
}

#[tokio::test]
async fn a_wrong_or_revoked_role_link_opens_nothing() {
    let app = spawn_app().await;
    let event = app.create_event("Revoked").await;
    let browser = app.browser();
    assert_eq!(
        browser
            .get(&format!("/r/{}", "0".repeat(64)))
            .await
            .status(),
        404
    );
    assert_eq!(browser.get("/r/short").await.status(), 404);

    assert_eq!(
        browser
            .get(&format!("/r/{}", event.presenter_token))
            .await
            .status(),
        200
    );
    let record = app.stored(&event).await;
    app.core
        .store
        .revoke_role_link(record.id, app::domain::event::Role::Presenter)
        .await
        .unwrap();
    assert_eq!(
        browser
            .get(&format!("/e/{}/present", event.slug))
            .await
            .status(),
        403,
        "the grant died with its link"
    );
    assert_eq!(
        browser
            .get(&format!("/r/{}", event.presenter_token))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_the_connection_keeps_working() {
    let app = spawn_app().await;
    let event = app.create_event("Garbage in").await;
    let (_a, mut attendee) = app.attendee(&event).await;
    assert!(matches!(attendee.next().await, ServerMsg::Welcome { .. }));

    for garbage in [
        "not json",
        "{}",
        r#"{"type":"pace","id":"nope","vote":"slower"}"#,
        r#"{"type":"pace","id":"6f1c3c2e-0000-4000-8000-000000000000","vote":"sideways"}"#,
    ] {
        attendee.send_text(garbage).await;
        match attendee.next_non_snapshot().await {
            ServerMsg::Error {
                code: ErrorCode::Malformed,
                id: None,
                message,
            } => assert!(!message.is_empty()),
            other => panic!("{garbage:?} gave {other:?}"),
        }
    }
    attendee.send_binary(vec![0, 159, 146, 150]).await;
    attendee
        .next_non_snapshot()
        .await
        .expect_refused(ErrorCode::Malformed);

    // Still serving.
    vote(&mut attendee, Some(PaceVote::Faster))
        .await
        .expect_ack();
}

#[tokio::test]
async fn an_oversized_frame_closes_only_that_connection() {
    let app = spawn_app().await;
    let event = app.create_event("Too big").await;
    let (_a, mut big) = app.attendee(&event).await;
    let (_b, mut fine) = app.attendee(&event).await;
    big.send_text(&"x".repeat(64 * 1024)).await;
    let closed = tokio::time::timeout(PATIENCE, async {
        loop {
            match big.try_next().await {
                None => return,
                Some(_) => continue,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the oversized sender is disconnected");
    vote(&mut fine, Some(PaceVote::Slower)).await.expect_ack();
}

#[tokio::test]
async fn staff_cannot_cast_pace_votes() {
    let app = spawn_app().await;
    let event = app.create_event("Staff").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    vote(&mut presenter, Some(PaceVote::Faster))
        .await
        .expect_refused(ErrorCode::Forbidden);
}

#[tokio::test]
async fn a_websocket_from_a_foreign_origin_is_refused() {
    let app = spawn_app().await;
    let event = app.create_event("Origin").await;
    let browser = app.browser();
    browser.get(&format!("/e/{}", event.slug)).await;
    assert!(
        browser
            .live_from(&event.slug, None, "http://evil.example")
            .await
            .is_err()
    );
    assert!(
        browser
            .live_from(&event.slug, None, &browser.url(""))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_unknown_event_has_no_page_and_no_socket() {
    let app = spawn_app().await;
    let browser = app.browser();
    assert_eq!(browser.get("/e/no-such-event").await.status(), 404);
    assert!(browser.live("no-such-event", None).await.is_err());
}

#[tokio::test]
async fn a_stopping_server_tells_live_pages_to_reconnect() {
    let mut app = spawn_app().await;
    let event = app.create_event("Restart").await;
    let (_a, mut attendee) = app.attendee(&event).await;
    assert!(matches!(attendee.next().await, ServerMsg::Welcome { .. }));
    app.shut_down();
    match attendee.next_non_snapshot().await {
        ServerMsg::Reconnect { reason } => assert!(reason.contains("restarting")),
        other => panic!("expected a reconnect notice, got {other:?}"),
    }
    assert!(
        attendee.try_next().await.is_none(),
        "then the socket closes"
    );
}

#[tokio::test]
async fn the_presenters_start_and_end_reach_every_page_and_are_stored() {
    let app = spawn_app().await;
    let event = app.create_event("Lifecycle").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_a, mut attendee) = app.attendee(&event).await;
    let waiting = attendee.snapshot_where(|_| true).await;
    assert_eq!(waiting.started_at, None);

    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();
    let live = attendee.snapshot_where(|s| s.started_at.is_some()).await;
    assert_eq!(live.ended_at, None);
    let stored = app.stored(&event).await;
    assert_eq!(
        stored.lifecycle.started_at, live.started_at,
        "Start is stored before it is shown"
    );

    let message = presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_refused(ErrorCode::Refused);
    assert!(message.contains("already started"), "{message}");

    presenter.act(|id| ClientMsg::End { id }).await.expect_ack();
    attendee.snapshot_where(|s| s.ended_at.is_some()).await;
}

#[tokio::test]
async fn only_the_presenter_starts_the_event() {
    let app = spawn_app().await;
    let event = app.create_event("Who starts").await;
    let (_a, mut attendee) = app.attendee(&event).await;
    let browser = app.browser();
    browser.get(&format!("/r/{}", event.moderator_token)).await;
    let mut moderator = browser.live(&event.slug, Some("moderator")).await.unwrap();
    for client in [&mut attendee, &mut moderator] {
        client
            .act(|id| ClientMsg::Start { id })
            .await
            .expect_refused(ErrorCode::Forbidden);
    }
    let stored = app.stored(&event).await;
    assert_eq!(stored.lifecycle.started_at, None);
}

#[tokio::test]
async fn an_event_that_has_not_started_cannot_end() {
    let app = spawn_app().await;
    let event = app.create_event("Too soon").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    presenter
        .act(|id| ClientMsg::End { id })
        .await
        .expect_refused(ErrorCode::Refused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_votes_from_many_attendees_is_counted_exactly() {
    const ATTENDEES: usize = 120;
    let app = spawn_app().await;
    let event = app.create_event("Burst").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let mut clients = Vec::new();
    for _ in 0..ATTENDEES {
        clients.push(app.attendee(&event).await);
    }
    let votes = [PaceVote::Slower, PaceVote::JustRight, PaceVote::Faster];
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, (browser, mut client))| {
            tokio::spawn(async move {
                vote(&mut client, Some(votes[i % 3])).await.expect_ack();
                (browser, client)
            })
        })
        .collect();
    let mut kept = Vec::new();
    for task in tasks {
        kept.push(task.await.expect("attendee task"));
    }
    let third = (ATTENDEES / 3) as u32;
    let seen = presenter
        .snapshot_where(|s| s.pace.total() == ATTENDEES as u32)
        .await;
    assert_eq!(
        seen.pace,
        PaceCounts {
            slower: third,
            just_right: third,
            faster: third
        }
    );
    assert_eq!(seen.online.attendees, ATTENDEES as u32);
}

#[tokio::test]
async fn metrics_count_connections_messages_and_commits() {
    let app = spawn_app().await;
    let event = app.create_event("Metrics").await;
    let (_a, mut attendee) = app.attendee(&event).await;
    vote(&mut attendee, Some(PaceVote::Faster)).await;
    let metrics = app.browser().get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    for name in [
        "lectern_connections{role=\"attendee\"}",
        "lectern_messages_in_total",
        "lectern_messages_out_total",
        "lectern_db_commit_seconds",
        "lectern_publish_seconds",
    ] {
        assert!(text.contains(name), "{name} in /metrics:\n{text}");
    }
}

/// After a restart a whole room reconnects at once: the first page to arrive opens the
/// room from the database and the rest wait for that read instead of each making their
/// own (10,000 reads of every vote at once starved the database, and most pages were
/// turned away).
#[tokio::test]
async fn a_crowd_joining_a_closed_room_reads_it_from_the_database_once() {
    let app = spawn_app().await;
    let event = app.create_event("Reconnecting crowd").await;
    let (_b, mut attendee) = app.attendee(&event).await;
    vote(&mut attendee, Some(PaceVote::Slower))
        .await
        .expect_ack();
    attendee.close().await;
    let closed = tokio::time::timeout(PATIENCE, async {
        while app.core.hub.open_event(&event.slug).is_some() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    });
    closed
        .await
        .expect("the room closes when its last page leaves");

    let record = app.stored(&event).await;
    let reads_before = app.core.hub.room_loads();
    let mut crowd = tokio::task::JoinSet::new();
    for n in 0..200 {
        let (hub, record) = (app.core.hub.clone(), record.clone());
        let attendee = app::core::hub::Attendee {
            id: app::domain::attendee::AttendeeId::parse(&format!("attendee-{n}")).expect("an id"),
            address: std::net::Ipv4Addr::LOCALHOST.into(),
        };
        crowd.spawn(async move { hub.join(&record, Viewer::Attendee, Some(attendee)).await });
    }
    let members = crowd.join_all().await;
    assert!(members.iter().all(Result::is_ok), "everyone gets in");
    assert_eq!(app.core.hub.room_loads() - reads_before, 1);
    assert_eq!(app.core.hub.online_here(record.id).attendees, 200);
    let snapshot: serde_json::Value =
        serde_json::from_str(members[0].as_ref().unwrap().snapshot_now().1.as_str()).unwrap();
    assert_eq!(
        snapshot["pace"]["slower"], 1,
        "the room read what was stored"
    );
}
