//! Nothing acknowledged is lost: the server process is killed (SIGKILL) in the middle of
//! a vote burst, started again on the same database, and every attendee finds their
//! acknowledged vote — or one they sent after it — and every page the same tally.

use crate::helpers::{Browser, TestDb, event_from_cli, free_port, serve_process};
use app::domain::pace::PaceVote;
use app::live::{ClientMsg, ServerMsg};
use std::time::Duration;

/// The server, with no limit on how fast one address or attendee may act: the burst is
/// every attendee voting as fast as it answers, all from this machine.
async fn serve(db: &TestDb, port: u16) -> tokio::process::Child {
    let unlimited = "1000000/1000000";
    serve_process(
        db,
        port,
        "warn",
        &[
            "--actions-per-attendee",
            unlimited,
            "--actions-per-address",
            unlimited,
        ],
    )
    .await
}

/// What one attendee sent before the crash, and the last vote the server acknowledged.
struct Voter {
    browser: Browser,
    sent: Vec<PaceVote>,
    acked: Option<usize>,
}

const VOTES: [PaceVote; 3] = [PaceVote::Slower, PaceVote::Faster, PaceVote::JustRight];

#[tokio::test]
async fn killing_the_server_mid_burst_loses_no_acknowledged_vote() {
    let db = TestDb::new().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let links = event_from_cli(&db);
    let slug = links["slug"].as_str().expect("slug").to_string();
    let mut server = serve(&db, port).await;

    let mut voters = Vec::new();
    for n in 0..30 {
        let slug = slug.clone();
        let browser = Browser::at(&base);
        assert_eq!(browser.get(&format!("/e/{slug}")).await.status(), 200);
        let mut live = browser.live(&slug, None).await.expect("connects");
        voters.push(tokio::spawn(async move {
            let (mut sent, mut acked) = (Vec::new(), None);
            for i in n.. {
                let vote = VOTES[i % 3];
                sent.push(vote);
                match live
                    .try_act(|id| ClientMsg::Pace {
                        id,
                        vote: Some(vote),
                    })
                    .await
                {
                    Some(ServerMsg::Ack { .. }) => acked = Some(sent.len() - 1),
                    Some(other) => panic!("a vote was refused: {other:?}"),
                    None => break,
                }
            }
            Voter {
                browser,
                sent,
                acked,
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.start_kill().expect("SIGKILL");
    server.wait().await.expect("the server died");
    let mut voters: Vec<Voter> = futures_util::future::join_all(voters)
        .await
        .into_iter()
        .map(|v| v.expect("voter"))
        .collect();
    let acked: usize = voters.iter().filter(|v| v.acked.is_some()).count();
    assert!(acked > 0, "the burst was under way when the server died");

    let _server = serve(&db, port).await;
    let mut tallies = Vec::new();
    let mut own_votes = Vec::new();
    for voter in &mut voters {
        let mut live = voter.browser.live(&slug, None).await.expect("reconnects");
        let mine = match live.next().await {
            ServerMsg::Welcome { pace, .. } => pace,
            other => panic!("expected the welcome, got {other:?}"),
        };
        if let Some(acked) = voter.acked {
            let since_ack = &voter.sent[acked..];
            assert!(
                mine.is_some_and(|v| since_ack.contains(&v)),
                "acknowledged {:?} (then sent {:?}), found {mine:?}",
                voter.sent[acked],
                &since_ack[1..]
            );
        }
        own_votes.push(mine);
        tallies.push(live.snapshot_where(|_| true).await.pace);
    }
    let count = |vote| own_votes.iter().filter(|v| **v == Some(vote)).count() as u32;
    for tally in &tallies {
        assert_eq!(
            (tally.slower, tally.just_right, tally.faster),
            (
                count(PaceVote::Slower),
                count(PaceVote::JustRight),
                count(PaceVote::Faster)
            ),
            "every page shows the one tally of everyone's own votes, none counted twice"
        );
    }
}
