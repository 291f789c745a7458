//! Word clouds over real sockets: answers grouped for every page, hidden results and
//! hidden words reaching no attendee frame, a word the filter held starting hidden, a
//! late answer refused, and everything outliving a restart.

use crate::helpers::{LiveClient, Reply, draft, spawn_app, spawn_app_on};
use app::domain::filter::{FilterMode, FilterSettings};
use app::live::{ClientMsg, ErrorCode, LiveSnapshot, ServerMsg};
use uuid::Uuid;

fn ask_cloud(hide_results: bool) -> impl FnOnce(Uuid) -> ClientMsg {
    move |id| ClientMsg::AskPoll {
        id,
        question: "In one word: what do you use Dask for?".into(),
        options: vec![],
        hide_results,
        right: vec![],
        words: true,
    }
}

fn answer(poll: Uuid, words: &[&str]) -> impl FnOnce(Uuid) -> ClientMsg {
    let answers = words.iter().map(|w| w.to_string()).collect();
    move |id| ClientMsg::Words { id, poll, answers }
}

fn hide(poll: Uuid, key: &str, hidden: bool) -> impl FnOnce(Uuid) -> ClientMsg {
    let key = key.to_string();
    move |id| ClientMsg::HideWord {
        id,
        poll,
        key,
        hidden,
    }
}

/// Reads every frame until a snapshot `wanted` holds for, checking that none carries
/// any of `never` (lower case).
async fn without_until(
    page: &mut LiveClient,
    never: &[&str],
    wanted: impl Fn(&LiveSnapshot) -> bool,
) -> LiveSnapshot {
    loop {
        let (text, msg) = page.next_live().await;
        let lower = text.to_lowercase();
        for word in never {
            assert!(!lower.contains(word), "{word:?} reached the page: {text}");
        }
        if let ServerMsg::Snapshot(snapshot) = msg
            && wanted(&snapshot)
        {
            return snapshot;
        }
    }
}

fn words_of(snapshot: &LiveSnapshot) -> Vec<(String, u32)> {
    snapshot
        .poll
        .as_ref()
        .map(|p| p.cloud.iter().map(|w| (w.label.clone(), w.count)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_hidden_word_cloud_is_answered_moderated_revealed_and_outlives_a_restart() {
    let mut app = spawn_app().await;
    let event = app
        .create_event_from(app::domain::event::EventDraft {
            word_filter: FilterSettings {
                mode: FilterMode::Review,
                words: vec![],
            },
            ..draft("Clouds")
        })
        .await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_m, mut moderator) = app.moderator(&event).await;
    presenter.act(ask_cloud(true)).await.expect_ack();
    let poll = presenter
        .snapshot_where(|s| s.poll.is_some())
        .await
        .poll
        .expect("the cloud");
    assert!(poll.spec.words && poll.spec.options.is_empty());
    let id = poll.spec.id;

    let mut pages = Vec::new();
    for words in [
        &["Dataframes", "ETL"][..],
        &["dataframe", "Machine learning"],
        &["DataFrame", "arrays"],
        &["Arrays", "sh1t"],
        &["ETL"],
    ] {
        let (browser, mut page) = app.attendee(&event).await;
        page.act(answer(id, words)).await.expect_ack();
        pages.push((browser, page));
    }
    // Four words at most per answer set, and a choice is no answer to a cloud.
    let (_x, mut extra) = app.attendee(&event).await;
    extra
        .act(answer(id, &["a", "b", "c", "d"]))
        .await
        .expect_refused(ErrorCode::Invalid);
    extra
        .act(|action| ClientMsg::Answer {
            id: action,
            poll: id,
            choice: 0,
        })
        .await
        .expect_refused(ErrorCode::Invalid);

    // The staff see the cloud (the filter held "sh1t" back); no attendee frame has a word.
    let staff = presenter
        .snapshot_where(|s| {
            s.staff
                .as_ref()
                .is_some_and(|st| st.polls.first().is_some_and(|p| p.respondents == 5))
        })
        .await;
    let cloud = &staff.staff.as_ref().unwrap().polls[0];
    let shown: Vec<(&str, u32)> = cloud
        .cloud
        .iter()
        .map(|w| (w.label.as_str(), w.count))
        .collect();
    assert_eq!(
        shown,
        [
            ("Dataframes", 3),
            ("ETL", 2),
            ("arrays", 2),
            ("Machine learning", 1)
        ]
    );
    assert_eq!(cloud.hidden_cloud[0].key, "sh1t");
    assert!(
        staff.poll.as_ref().unwrap().cloud.is_empty(),
        "public part: nothing"
    );
    let (_o, mut onlooker) = app.attendee(&event).await;
    without_until(&mut onlooker, &["dataframe", "etl", "sh1t"], |s| {
        s.seq >= staff.seq
    })
    .await;

    // A co-instructor hides "ETL"; the reveal then shows the rest to every page.
    moderator.act(hide(id, "etl", true)).await.expect_ack();
    pages[0]
        .1
        .act(hide(id, "arrays", true))
        .await
        .expect_refused(ErrorCode::Forbidden);
    moderator
        .act(|action| ClientMsg::RevealPoll {
            id: action,
            poll: id,
        })
        .await
        .expect_ack();
    let seen = without_until(&mut onlooker, &["etl", "sh1t"], |s| {
        s.poll.as_ref().is_some_and(|p| p.results_shown)
    })
    .await;
    assert_eq!(
        words_of(&seen),
        [
            ("Dataframes".to_string(), 3),
            ("arrays".to_string(), 2),
            ("Machine learning".to_string(), 1)
        ]
    );

    // Closed: a late answer is refused and changes nothing.
    presenter
        .act(|action| ClientMsg::ClosePoll {
            id: action,
            poll: id,
        })
        .await
        .expect_ack();
    extra
        .act(answer(id, &["late"]))
        .await
        .expect_refused(ErrorCode::Refused);

    // After a restart: the answers, the hidden words and each attendee's own words.
    let browser = pages.remove(0).0;
    drop((presenter, moderator, pages, extra, onlooker));
    app.shut_down();
    let app = spawn_app_on(app.db()).await;
    let mut ana = browser.on(&app.base).live(&event.slug, None).await.unwrap();
    match ana.next().await {
        ServerMsg::Welcome { words, .. } => {
            assert_eq!(
                words,
                Some((id, vec!["Dataframes".to_string(), "ETL".to_string()]))
            )
        }
        other => panic!("expected a welcome, got {other:?}"),
    }
    let again = ana.snapshot_where(|s| s.poll.is_some()).await;
    assert_eq!(words_of(&again), words_of(&seen));
    let (_p, mut presenter) = app.presenter(&event).await;
    let staff = presenter.snapshot_where(|s| s.staff.is_some()).await;
    let hidden: Vec<String> = staff.staff.unwrap().polls[0]
        .hidden_cloud
        .iter()
        .map(|w| w.key.clone())
        .collect();
    assert_eq!(hidden, ["etl", "sh1t"]);
}
