//! The word filter over real sockets: with "hide for review" a troll's words reach no
//! other attendee (every frame read), yet the troll is answered and the staff can let a
//! held question through; with "refuse" the troll is told and nothing is stored; an
//! innocent place that contains a listed word (Scunthorpe) passes either way.

use crate::feedback::{attendee, start_and_end};
use crate::helpers::{LiveClient, Reply, TestApp, TestEvent, draft, error_of, spawn_app};
use app::api::feedback::SubmitFeedback;
use app::domain::filter::{FilterMode, FilterSettings};
use app::domain::question::{Moderation, QuestionState};
use app::error::AppError;
use app::live::{ClientMsg, ErrorCode, LiveSnapshot, ServerMsg};
use serde_json::json;

async fn filtered_event(app: &TestApp, mode: FilterMode) -> TestEvent {
    app.create_event_from(app::domain::event::EventDraft {
        word_filter: FilterSettings {
            mode,
            words: vec!["spark sucks".into()],
        },
        ..draft("Filtered")
    })
    .await
}

fn check_in(place: &str, name: &str) -> impl FnOnce(uuid::Uuid) -> ClientMsg {
    let (place, name) = (place.to_string(), name.to_string());
    move |id| ClientMsg::CheckIn { id, place, name }
}

fn ask(text: &str) -> impl FnOnce(uuid::Uuid) -> ClientMsg {
    let text = text.to_string();
    move |id| ClientMsg::Ask {
        id,
        text,
        name: String::new(),
    }
}

const RUDE: [&str; 3] = ["sh1t", "f u c k", "spark sucks"];

/// Reads every frame `page` gets until a snapshot `wanted` holds for, checking that none
/// carries a rude word.
async fn clean_until(
    page: &mut LiveClient,
    wanted: impl Fn(&LiveSnapshot) -> bool,
) -> LiveSnapshot {
    loop {
        let (text, msg) = page.next_live().await;
        let lower = text.to_lowercase();
        for word in RUDE {
            assert!(
                !lower.contains(word),
                "{word:?} reached another attendee: {text}"
            );
        }
        if let ServerMsg::Snapshot(snapshot) = msg
            && wanted(&snapshot)
        {
            return snapshot;
        }
    }
}

#[tokio::test]
async fn held_text_never_reaches_other_attendees_until_a_co_instructor_approves_it() {
    let app = spawn_app().await;
    let event = filtered_event(&app, FilterMode::Review).await;
    let (_m, mut moderator) = app.moderator(&event).await;
    let (_t, mut troll) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;

    troll.act(check_in("Sh1t town", "Bob")).await.expect_ack();
    troll
        .act(ask("What the f u c k is a dask graph?"))
        .await
        .expect_ack();
    troll.act(ask("honestly, SPARK SUCKS?")).await.expect_ack();
    ben.act(check_in("Scunthorpe", "")).await.expect_ack();
    troll.act(ask("How do I read Parquet?")).await.expect_ack();

    // Ben gets both check-ins counted, the clean question, and not one rude word.
    let seen = clean_until(&mut ben, |s| {
        s.checkins.count == 2
            && s.questions
                .iter()
                .any(|q| q.question.text.contains("Parquet"))
    })
    .await;
    let places: Vec<&str> = seen
        .checkins
        .places
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    assert!(places.iter().all(|p| !p.contains("town")), "{places:?}");
    assert!(
        places.iter().any(|p| p.contains("Scunthorpe")),
        "Scunthorpe is spared: {places:?}"
    );
    assert_eq!(seen.questions.len(), 1);

    // The co-instructors find the two held questions in review, and may let one through.
    let staff = moderator
        .snapshot_where(|s| {
            s.staff.as_ref().is_some_and(|st| {
                st.queue
                    .iter()
                    .filter(|q| q.question.state == QuestionState::Review)
                    .count()
                    == 2
            })
        })
        .await;
    let held = staff.staff.expect("staff part").queue;
    let first = held
        .iter()
        .find(|q| q.question.text.contains("dask graph"))
        .expect("held question");
    moderator
        .act(|id| ClientMsg::Moderate {
            id,
            question: first.question.id,
            from: first.question.version,
            action: Moderation::Approve,
        })
        .await
        .expect_ack();
    let approved = ben.snapshot_where(|s| s.questions.len() == 2).await;
    assert!(
        approved
            .questions
            .iter()
            .any(|q| q.question.text.contains("dask graph"))
    );

    // Held is kept: the stored check-in is the troll's words, marked held.
    let stored = app
        .core
        .store
        .check_ins(app.stored(&event).await.id)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .any(|(_, c)| c.held && c.place_text.as_str() == "Sh1t town")
    );
    assert!(
        stored
            .iter()
            .any(|(_, c)| !c.held && c.place_text.as_str() == "Scunthorpe")
    );
}

#[tokio::test]
async fn refused_text_is_answered_with_a_clear_message_and_nothing_is_stored() {
    let app = spawn_app().await;
    let event = filtered_event(&app, FilterMode::Refuse).await;
    let (_t, mut troll) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;

    let why = troll
        .act(check_in("Pune", "$h1t head"))
        .await
        .expect_refused(ErrorCode::Filtered);
    assert!(
        why.contains("check-in") && why.contains("another way"),
        "{why}"
    );
    troll
        .act(ask("Spark sucks, right?"))
        .await
        .expect_refused(ErrorCode::Filtered);
    troll
        .act(check_in("Scunthorpe", "Dickens"))
        .await
        .expect_ack();
    ben.act(ask("Does it run on Sussex's cluster?"))
        .await
        .expect_ack();

    let seen = clean_until(&mut ben, |s| {
        s.checkins.count == 1 && s.questions.len() == 1
    })
    .await;
    assert_eq!(
        seen.questions[0].question.text,
        "Does it run on Sussex's cluster?"
    );
    let id = app.stored(&event).await.id;
    let stored = app.core.store.check_ins(id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1.place_text.as_str(), "Scunthorpe");

    // Survey comments are refused the same way, and a clean one is taken.
    start_and_end(&app, &event).await;
    let carol = attendee(&app, &event).await;
    let refused = carol
        .call_json::<SubmitFeedback>(json!({ "slug": event.slug, "response": { "answers": { "1": { "choices": [0], "text": "this was sh1t" } } } }))
        .await;
    assert!(matches!(error_of(refused).await, AppError::Invalid(e) if e.field == "comment"),);
    assert!(
        app.core.store.responses(id).await.unwrap().is_empty(),
        "nothing stored"
    );
    let taken = carol
        .call_json::<SubmitFeedback>(json!({ "slug": event.slug, "response": { "answers": { "1": { "choices": [0], "text": "Great analysis" } } } }))
        .await;
    assert!(taken.status().is_success());
}

#[tokio::test]
async fn the_setting_is_stored_its_words_checked_and_the_next_run_keeps_it() {
    let app = spawn_app().await;
    let plain = app.create_event("Unfiltered").await;
    assert_eq!(
        app.stored(&plain).await.word_filter,
        FilterSettings::default()
    );
    let event = filtered_event(&app, FilterMode::Review).await;
    let record = app.stored(&event).await;
    assert_eq!(record.word_filter.mode, FilterMode::Review);
    assert_eq!(record.word_filter.words, ["spark sucks"]);
    let next = app::core::report::next_run(record, chrono::Utc::now(), chrono_tz::UTC);
    assert_eq!(
        next.word_filter.mode,
        FilterMode::Review,
        "Run it again keeps it"
    );

    let bad = app::domain::event::EventDraft {
        word_filter: FilterSettings {
            mode: FilterMode::Refuse,
            words: vec!["?!".into()],
        },
        ..draft("Bad words")
    };
    let err = bad.parse().expect_err("a word without letters");
    assert_eq!(err.field, "blocked_words");
}
