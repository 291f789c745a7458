//! Quiz questions over real sockets: the right answer reaches no attendee or stage
//! frame before the reveal; revealing closes the quiz (nobody copies the answer) and
//! keeps it closed; each page then has what it needs to tell its attendee right or
//! wrong; the report and the export give the share right per question and per section.

use crate::helpers::{LiveClient, Reply, ask_yes_no, organizer, spawn_app};
use app::api::reports::{EventReport, FetchReport};
use app::domain::agenda::AgendaCommand;
use app::domain::poll::QuizScore;
use app::live::{ClientMsg, ErrorCode, LiveSnapshot, ServerMsg};
use serde_json::Value;
use uuid::Uuid;

const CHOICES: [&str; 3] = ["map_partitions", "apply", "compute"];

fn ask_quiz(question: &str, right: Vec<u8>) -> impl FnOnce(Uuid) -> ClientMsg {
    let question = question.to_string();
    move |id| ClientMsg::AskPoll {
        id,
        question,
        options: CHOICES.map(String::from).to_vec(),
        // Asked with the results shown: a quiz hides them all the same.
        hide_results: false,
        right,
        words: false,
    }
}

fn answer(poll: Uuid, choice: u8) -> impl FnOnce(Uuid) -> ClientMsg {
    move |id| ClientMsg::Answer { id, poll, choice }
}

/// Reads every frame up to a snapshot numbered `seq` or later: none may carry the
/// quiz's right choices or counts. Returns the last snapshot.
async fn no_answer_until(page: &mut LiveClient, seq: u64) -> LiveSnapshot {
    loop {
        let (text, msg) = page.next_live().await;
        if let ServerMsg::Snapshot(snapshot) = msg {
            if let Some(poll) = &snapshot.poll {
                assert!(poll.quiz, "{text}");
                assert!(poll.spec.right.is_empty(), "the answer leaked: {text}");
                assert!(poll.counts.is_empty(), "counts leaked: {text}");
                assert!(!text.contains("\"right\""), "{text}");
            }
            if snapshot.seq >= seq {
                return snapshot;
            }
        }
    }
}

#[tokio::test]
async fn a_quiz_keeps_its_answer_until_revealed_then_closes_and_the_report_scores_it() {
    let app = spawn_app().await;
    let event = app.create_event("Quiz").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_m, mut moderator) = app.moderator(&event).await;
    let mut attendees = Vec::new();
    for _ in 0..3 {
        attendees.push(app.attendee(&event).await.1);
    }
    let screen = app.browser();
    let mut stage = screen.live(&event.slug, Some("stage")).await.unwrap();
    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();

    // A quiz's right choice must be one of its choices, and one must be wrong.
    let invalid = presenter
        .act(ask_quiz("Which?", vec![5]))
        .await
        .expect_refused(ErrorCode::Invalid);
    assert!(invalid.contains("right answer"), "{invalid}");
    presenter
        .act(ask_quiz("Which?", vec![0, 1, 2]))
        .await
        .expect_refused(ErrorCode::Invalid);

    presenter
        .act(ask_quiz(
            "Which runs a function on every partition?",
            vec![0],
        ))
        .await
        .expect_ack();
    let quiz = attendees[0]
        .snapshot_where(|s| s.poll.is_some())
        .await
        .poll
        .unwrap();
    assert!(quiz.quiz && quiz.spec.hide_results);
    let id = quiz.spec.id;
    for (page, choice) in attendees.iter_mut().zip([0, 1, 0]) {
        page.act(answer(id, choice)).await.expect_ack();
    }
    let staff = moderator
        .snapshot_where(|s| {
            s.staff
                .as_ref()
                .is_some_and(|st| st.polls.first().is_some_and(|p| p.total() == 3))
        })
        .await;
    let seen = &staff.staff.as_ref().unwrap().polls[0];
    assert_eq!(seen.spec.right, vec![0], "staff know the answer");
    assert_eq!(seen.counts, vec![2, 1, 0]);
    no_answer_until(&mut stage, staff.seq).await;
    no_answer_until(&mut attendees[2], staff.seq).await;

    // The reveal: every page gets the answer and the counts, the quiz closes.
    moderator
        .act(|action| ClientMsg::RevealPoll {
            id: action,
            poll: id,
        })
        .await
        .expect_ack();
    for page in attendees.iter_mut().chain([&mut stage]) {
        let shown = page
            .snapshot_where(|s| s.poll.as_ref().is_some_and(|p| p.results_shown))
            .await
            .poll
            .unwrap();
        assert!(!shown.open, "revealing a quiz closes it");
        assert_eq!(shown.spec.right, vec![0]);
        assert_eq!(shown.counts, vec![2, 1, 0]);
        assert_eq!(
            (shown.verdict(0), shown.verdict(1)),
            (Some(true), Some(false))
        );
    }
    let late = attendees[1]
        .act(answer(id, 0))
        .await
        .expect_refused(ErrorCode::Refused);
    assert!(late.contains("closed"), "{late}");
    let reopen = presenter
        .act(|action| ClientMsg::ReopenPoll {
            id: action,
            poll: id,
        })
        .await
        .expect_refused(ErrorCode::Refused);
    assert!(reopen.contains("quiz"), "{reopen}");

    // A second section: one quiz right by everyone, and a plain poll that is not scored.
    // The presenter may hold that state already: its last snapshot can come before the
    // refusals' answers, which read past it.
    let agenda = presenter
        .state_where(|s| s.agenda.current == Some(1))
        .await
        .agenda;
    presenter
        .act(|id| ClientMsg::Agenda {
            id,
            from: agenda.version,
            command: AgendaCommand::Next,
        })
        .await
        .expect_ack();
    presenter
        .snapshot_where(|s| s.agenda.current == Some(2))
        .await;
    presenter
        .act(ask_quiz("Which one starts the work?", vec![2]))
        .await
        .expect_ack();
    let second = attendees[0].poll_after(id).await;
    attendees[0].act(answer(second, 2)).await.expect_ack();
    presenter
        .act(ask_yes_no("Binder up?", false))
        .await
        .expect_ack();

    let ada = organizer(&app).await;
    let report: EventReport = ada.read::<FetchReport>(&[("slug", &event.slug)]).await;
    let scores: Vec<_> = report.polls.iter().map(|p| p.quiz).collect();
    assert_eq!(
        scores,
        [
            Some(QuizScore {
                right: 2,
                answered: 3
            }),
            Some(QuizScore {
                right: 1,
                answered: 1
            }),
            None
        ]
    );
    assert_eq!(report.polls[0].chart.bars[0].label, "✓ map_partitions");
    assert_eq!(report.polls[0].chart.bars[1].label, "apply");
    let sections: Vec<_> = report
        .quiz_sections
        .iter()
        .map(|s| (s.questions, s.score.percent()))
        .collect();
    assert_eq!(sections, [(1, 67), (1, 100)]);

    let response = ada
        .get(&format!("/events/{}/export/polls.json", event.slug))
        .await;
    let rows: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    let mut marks: Vec<(String, Value)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["answer"].as_str().unwrap().to_string(),
                r["right"].clone(),
            )
        })
        .collect();
    marks.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        marks,
        [
            ("apply".to_string(), Value::Bool(false)),
            ("compute".into(), Value::Bool(true)),
            ("map_partitions".into(), Value::Bool(true)),
            ("map_partitions".into(), Value::Bool(true)),
        ]
    );
}
