//! The question queue over real sockets: asking (once per id, a few a minute),
//! upvoting, pre-moderation, and co-instructors acting on one question at once.

use crate::helpers::{Reply, spawn_app};
use app::domain::question::{Answer, Moderation, QuestionState, RATE_LIMIT};
use app::live::{ClientMsg, ErrorCode};

fn ask(text: &str) -> impl FnOnce(uuid::Uuid) -> ClientMsg {
    let text = text.to_string();
    move |id| ClientMsg::Ask {
        id,
        text,
        name: String::new(),
    }
}

#[tokio::test]
async fn a_retried_submission_with_the_same_id_makes_one_question() {
    let app = spawn_app().await;
    let event = app.create_event("Retries").await;
    let (_a, mut ana) = app.attendee(&event).await;
    let id = uuid::Uuid::new_v4();
    for _ in 0..3 {
        ana.send(&ClientMsg::Ask {
            id,
            text: "Does Dask work on Windows?".into(),
            name: "Ana".into(),
        })
        .await;
        ana.answer_to(id).await.expect_ack();
    }
    let stored = app
        .core
        .store
        .questions(app.stored(&event).await.id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1.name.as_deref(), Some("Ana"));
    let seen = ana.snapshot_where(|s| !s.questions.is_empty()).await;
    assert_eq!(seen.questions.len(), 1);
}

#[tokio::test]
async fn the_rate_limit_answers_with_an_error_and_loses_nothing_already_accepted() {
    let app = spawn_app().await;
    let event = app.create_event("Limits").await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;
    for n in 0..RATE_LIMIT {
        ana.act(ask(&format!("Question {n}"))).await.expect_ack();
    }
    let message = ana
        .act(ask("One too many"))
        .await
        .expect_refused(ErrorCode::Refused);
    assert!(message.contains("in the last minute"), "{message}");
    assert!(
        message.contains("Nothing you asked before is lost"),
        "{message}"
    );
    ben.act(ask("Another attendee is not limited"))
        .await
        .expect_ack();
    let stored = app
        .core
        .store
        .questions(app.stored(&event).await.id)
        .await
        .unwrap();
    assert_eq!(stored.len(), RATE_LIMIT + 1);
    assert!(stored.iter().all(|(_, q)| q.text != "One too many"));
}

#[tokio::test]
async fn two_co_instructors_acting_on_one_question_at_once_end_in_one_state_and_one_is_told() {
    let app = spawn_app().await;
    let event = app.create_event("Moderation").await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_m1, mut first) = app.moderator(&event).await;
    let (_m2, mut second) = app.moderator(&event).await;
    ana.act(ask("How do I read Parquet?")).await.expect_ack();
    let question = first
        .snapshot_where(|s| s.staff.as_ref().is_some_and(|st| !st.queue.is_empty()))
        .await
        .staff
        .unwrap()
        .queue[0]
        .question
        .clone();

    // Both act on version 0 without waiting for each other.
    let (bubble, dismiss) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    first
        .send(&ClientMsg::Moderate {
            id: bubble,
            question: question.id,
            from: question.version,
            action: Moderation::BubbleUp {
                note: "good one".into(),
            },
        })
        .await;
    second
        .send(&ClientMsg::Moderate {
            id: dismiss,
            question: question.id,
            from: question.version,
            action: Moderation::Dismiss,
        })
        .await;
    let answers = [
        first.answer_to(bubble).await,
        second.answer_to(dismiss).await,
    ];
    let acks = answers.iter().filter(|a| a.is_ack()).count();
    assert_eq!(acks, 1, "exactly one action stands: {answers:?}");
    let told = answers.iter().find(|a| !a.is_ack()).unwrap();
    let message = told.expect_refused(ErrorCode::Refused);
    assert!(
        message.contains("a moment ago") || message.contains("same moment"),
        "{message}"
    );
    let expected = if answers[0].is_ack() {
        QuestionState::Bubbled
    } else {
        QuestionState::Dismissed
    };
    for screen in [&mut first, &mut second] {
        let queue = screen
            .snapshot_where(|s| {
                s.staff
                    .as_ref()
                    .is_some_and(|st| st.queue[0].question.version == 1)
            })
            .await
            .staff
            .unwrap()
            .queue;
        assert_eq!(
            queue[0].question.state, expected,
            "both screens show the same outcome"
        );
    }
    let stored = app
        .core
        .store
        .questions(app.stored(&event).await.id)
        .await
        .unwrap();
    assert_eq!(stored[0].1.state, expected);
    assert_eq!(stored[0].1.version, 1);
}

#[tokio::test]
async fn upvotes_toggle_and_the_presenter_takes_a_bubbled_question() {
    let app = spawn_app().await;
    let event = app.create_event("Votes").await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;
    let (_m, mut moderator) = app.moderator(&event).await;
    let (_p, mut presenter) = app.presenter(&event).await;
    ana.act(ask("<script>alert(1)</script> Is this escaped?"))
        .await
        .expect_ack();
    let question = ben
        .snapshot_where(|s| !s.questions.is_empty())
        .await
        .questions[0]
        .question
        .clone();
    assert_eq!(
        question.text, "<script>alert(1)</script> Is this escaped?",
        "stored as typed"
    );

    let upvote = |up| {
        move |id| ClientMsg::Upvote {
            id,
            question: question.id,
            up,
        }
    };
    let message = ana
        .act(upvote(true))
        .await
        .expect_refused(ErrorCode::Invalid);
    assert!(message.contains("your own question"), "{message}");
    ben.act(upvote(true)).await.expect_ack();
    // A repeat upvote is harmless.
    ben.act(upvote(true)).await.expect_ack();
    ana.snapshot_where(|s| s.questions[0].votes == 1).await;
    ben.act(upvote(false)).await.expect_ack();
    ana.snapshot_where(|s| s.questions[0].votes == 0).await;
    ben.act(upvote(true)).await.expect_ack();

    // Only the presenter's "take" is open to them; the rest is the co-instructors'.
    let bubble = |id| ClientMsg::Moderate {
        id,
        question: question.id,
        from: 0,
        action: Moderation::BubbleUp {
            note: "Worth a minute".into(),
        },
    };
    presenter
        .act(bubble)
        .await
        .expect_refused(ErrorCode::Forbidden);
    ana.act(bubble).await.expect_refused(ErrorCode::Forbidden);
    moderator.act(bubble).await.expect_ack();
    let bubbled = presenter
        .snapshot_where(|s| {
            s.staff
                .as_ref()
                .is_some_and(|st| st.queue[0].question.state == QuestionState::Bubbled)
        })
        .await
        .staff
        .unwrap()
        .queue[0]
        .clone();
    assert_eq!(bubbled.question.note.as_deref(), Some("Worth a minute"));
    assert_eq!(bubbled.votes, 1);
    let take = |id| ClientMsg::Moderate {
        id,
        question: question.id,
        from: 1,
        action: Moderation::Take,
    };
    presenter.act(take).await.expect_ack();
    let answered = ana
        .snapshot_where(|s| s.questions[0].question.state == QuestionState::Answered)
        .await;
    assert_eq!(answered.questions[0].question.answer, Some(Answer::Live));
}

#[tokio::test]
async fn with_pre_moderation_a_question_is_public_only_once_approved() {
    let app = spawn_app().await;
    let mut draft = crate::helpers::draft("Pre-moderated");
    draft.pre_moderation = true;
    let event = app.create_event_from(draft).await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;
    let (_m, mut moderator) = app.moderator(&event).await;
    let id = uuid::Uuid::new_v4();
    ana.send(&ClientMsg::Ask {
        id,
        text: "Can I use GPUs?".into(),
        name: String::new(),
    })
    .await;
    ana.answer_to(id).await.expect_ack();
    // The asker follows it by id; nobody sees its text.
    let waiting = ben
        .snapshot_where(|s| s.hidden_questions.iter().any(|(q, _)| *q == id))
        .await;
    assert!(waiting.questions.is_empty());
    assert_eq!(waiting.hidden_questions, vec![(id, QuestionState::Review)]);
    ben.act(|action| ClientMsg::Upvote {
        id: action,
        question: id,
        up: true,
    })
    .await
    .expect_refused(ErrorCode::Invalid);
    let approve = |action| ClientMsg::Moderate {
        id: action,
        question: id,
        from: 0,
        action: Moderation::Approve,
    };
    moderator.act(approve).await.expect_ack();
    let public = ben.snapshot_where(|s| !s.questions.is_empty()).await;
    assert_eq!(public.questions[0].question.text, "Can I use GPUs?");
    assert!(public.hidden_questions.is_empty());
}
