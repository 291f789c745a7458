//! Changes reach pages as deltas from the state each holds: a page that misses one asks
//! for the whole state and carries on; thousands of pages end in the same state.

use crate::helpers::{LiveClient, Reply, TestDb, spawn_app_with};
use app::core::limits::LimitSettings;
use app::domain::limit::Rate;
use app::domain::pace::PaceVote;
use app::live::{Applied, ClientMsg, LiveSnapshot, ServerMsg};
use std::time::Duration;

fn pace(vote: PaceVote) -> impl FnOnce(uuid::Uuid) -> ClientMsg {
    move |id| ClientMsg::Pace {
        id,
        vote: Some(vote),
    }
}

/// Limits a crowd from one address (this test) gets through.
fn crowd_limits() -> LimitSettings {
    LimitSettings {
        connections_per_address: Rate::new(10_000, 10_000.0),
        actions_per_address: Rate::new(10_000, 10_000.0),
        ..LimitSettings::default()
    }
}

/// The state without the server's clock (deltas leave it out).
fn without_clock(mut state: LiveSnapshot) -> LiveSnapshot {
    state.now = chrono::DateTime::UNIX_EPOCH;
    state
}

#[tokio::test]
async fn a_vote_reaches_other_pages_as_a_small_delta() {
    let app = spawn_app_with(TestDb::new().await, crowd_limits()).await;
    let event = app.create_event("Deltas").await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;
    // The first change after Ben joined also tells of him online; the next is the
    // vote alone.
    ana.act(pace(PaceVote::Slower)).await.expect_ack();
    ben.snapshot_where(|s| s.pace.slower == 1).await;
    ana.act(pace(PaceVote::Faster)).await.expect_ack();
    let delta = loop {
        let text = ben.next_text().await;
        if text.starts_with(r#"{"type":"delta""#) && text.contains(r#""faster":1"#) {
            break text;
        }
    };
    assert!(delta.len() <= 100, "{} bytes: {delta}", delta.len());
    assert!(!delta.contains("\"now\""), "{delta}");
}

/// The next change `page` is sent, read raw (not applied): a snapshot or a delta.
async fn next_change(page: &mut LiveClient) -> ServerMsg {
    loop {
        let msg = serde_json::from_str(&page.next_text().await).expect("a protocol message");
        if matches!(msg, ServerMsg::Snapshot(_) | ServerMsg::Delta(_)) {
            return msg;
        }
    }
}

#[tokio::test]
async fn a_page_that_misses_a_delta_asks_for_the_state_and_carries_on() {
    let app = spawn_app_with(TestDb::new().await, crowd_limits()).await;
    let event = app.create_event("Missed deltas").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_l, mut lossy) = app.attendee(&event).await;
    let mut voters = Vec::new();
    for _ in 0..4 {
        voters.push(app.attendee(&event).await.1);
    }
    // The lossy page keeps its own state, from the snapshot it is greeted with.
    let mut page = loop {
        if let ServerMsg::Snapshot(s) = next_change(&mut lossy).await {
            break s;
        }
    };
    let slower = |msg: &ServerMsg| match msg {
        ServerMsg::Snapshot(s) => Some(s.pace.slower),
        ServerMsg::Delta(d) => d.pace.map(|p| p.slower),
        _ => None,
    };
    let vote_and_wait = async |voter: &mut LiveClient, lossy: &mut LiveClient, n: u32| {
        voter.act(pace(PaceVote::Slower)).await.expect_ack();
        loop {
            let msg = next_change(lossy).await;
            if slower(&msg) == Some(n) {
                return msg;
            }
        }
    };
    let delta = |msg| match msg {
        ServerMsg::Delta(d) => d,
        other => panic!("a delta, not {other:?}"),
    };
    // The first vote arrives and is applied.
    let first = delta(vote_and_wait(&mut voters[0], &mut lossy, 1).await);
    assert_eq!(page.apply(first), Applied::Applied);
    // The second is lost on the way.
    vote_and_wait(&mut voters[1], &mut lossy, 2).await;
    // The third follows on from a state this page never had: a gap, nothing applied.
    let third = delta(vote_and_wait(&mut voters[2], &mut lossy, 3).await);
    assert_eq!(page.apply(third), Applied::Gap);
    assert_eq!(page.pace.slower, 1);
    // The page asks for the whole state, and gets it before the ack.
    let id = uuid::Uuid::new_v4();
    lossy.send(&ClientMsg::Resync { id }).await;
    let resynced = loop {
        match serde_json::from_str(&lossy.next_text().await).expect("a protocol message") {
            ServerMsg::Snapshot(s) => break s,
            ServerMsg::Ack { id: acked } if acked == id => panic!("the ack came first"),
            _ => {}
        }
    };
    assert!(resynced.seq > page.seq);
    page = resynced;
    assert_eq!(page.pace.slower, 3);
    // After it, deltas follow on from the state it got.
    let fourth = delta(vote_and_wait(&mut voters[3], &mut lossy, 4).await);
    assert_eq!(fourth.from, page.seq);
    assert_eq!(page.apply(fourth), Applied::Applied);
    let mut public = presenter.snapshot_where(|s| s.pace.slower == 4).await;
    public.staff = None;
    public.seq = page.seq;
    assert_eq!(without_clock(page), without_clock(public));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_pages_end_in_the_same_state() {
    const PAGES: usize = 2_000;
    let app = spawn_app_with(TestDb::new().await, crowd_limits()).await;
    let event = app.create_event("Two thousand").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let mut pages = Vec::with_capacity(PAGES);
    for _ in 0..PAGES {
        let page = LiveClient::open(&app.base, &event.slug, None, None, &app.base)
            .await
            .expect("connects");
        pages.push(page);
    }
    let votes = [PaceVote::Slower, PaceVote::JustRight, PaceVote::Faster];
    // Every page votes, and each applies everything it is sent (the helper applies
    // deltas and fails on any that does not follow on from the page's state) until it
    // sees all the votes and the poll's answers.
    let (ask_poll, poll_asked) = tokio::sync::watch::channel(None::<uuid::Uuid>);
    let tasks: Vec<_> = pages
        .into_iter()
        .enumerate()
        .map(|(i, mut page)| {
            let mut poll_asked = poll_asked.clone();
            tokio::spawn(async move {
                page.act(pace(votes[i % 3])).await.expect_ack();
                let poll = *poll_asked
                    .wait_for(Option::is_some)
                    .await
                    .expect("the poll is asked");
                let poll = poll.expect("a poll");
                if i % 4 == 0 {
                    page.act(|id| ClientMsg::Answer {
                        id,
                        poll,
                        choice: 1,
                    })
                    .await
                    .expect_ack();
                }
                let done = |s: &LiveSnapshot| {
                    s.pace.total() == PAGES as u32
                        && s.poll
                            .as_ref()
                            .is_some_and(|p| p.total() == (PAGES / 4) as u32)
                };
                while !page.state().is_some_and(done) {
                    page.next().await;
                }
                page
            })
        })
        .collect();
    presenter
        .snapshot_where(|s| s.pace.total() == PAGES as u32)
        .await;
    let poll = uuid::Uuid::new_v4();
    presenter
        .send(&ClientMsg::AskPoll {
            id: poll,
            question: "Is the cluster up?".into(),
            options: Vec::new(),
            hide_results: false,
            right: Vec::new(),
            words: false,
        })
        .await;
    presenter.answer_to(poll).await.expect_ack();
    let _ = poll_asked;
    ask_poll.send_replace(Some(poll));
    let mut finals = Vec::with_capacity(PAGES);
    for task in tokio::time::timeout(
        Duration::from_secs(120),
        futures_util::future::join_all(tasks),
    )
    .await
    .expect("every page reaches the final state in time")
    {
        finals.push(task.expect("page task"));
    }
    let fresh = {
        let mut page = LiveClient::open(&app.base, &event.slug, None, None, &app.base)
            .await
            .expect("connects");
        loop {
            if let ServerMsg::Snapshot(s) = page.next().await {
                break s;
            }
        }
    };
    let fresh = without_clock(fresh);
    for page in &finals {
        let mut state = without_clock(page.state().expect("a state").clone());
        // The newcomer is online too, and the last pages may have seen the count
        // before it came; everything else is the same, to the last field.
        state.online = fresh.online;
        state.seq = fresh.seq;
        assert_eq!(state, fresh);
    }
}

/// A page joining a quiet room starts from the state published a while ago (deltas
/// follow on from it), whose clock is as old: the page reads the server's clock from
/// its welcome instead. (Without it, a vote cast after joining was stamped in the past
/// and did not show as counting.)
#[tokio::test]
async fn a_page_joining_a_quiet_room_reads_the_servers_clock_in_its_welcome() {
    let app = spawn_app_with(TestDb::new().await, crowd_limits()).await;
    let event = app.create_event("Quiet room").await;
    let (_a, _ana) = app.attendee(&event).await;
    app.core.hub.clock().skip(Duration::from_secs(600));
    let (_b, mut ben) = app.attendee(&event).await;
    let ServerMsg::Welcome { now, .. } = ben.next().await else {
        panic!("a welcome first");
    };
    let clock = app.core.hub.clock().now();
    assert!(
        (clock - now).num_seconds().abs() < 5,
        "the welcome carries the clock now ({now}, the clock {clock})"
    );
}
