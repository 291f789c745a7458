//! After the event: the feedback survey, the report and its exports, the next run, the
//! calendar file, and who in which team may see what.

use crate::helpers::{Browser, Reply, TestApp, TestEvent, error_of, organizer, spawn_app};
use app::api::auth::SignIn;
use app::api::events::{CreateEvent, FetchEventAdmin, MyEvents};
use app::api::feedback::{FeedbackView, FetchFeedback, SubmitFeedback};
use app::api::reports::{
    CloseSurvey, DuplicateEvent, EventReport, FetchReport, FetchSeries, FetchSurveyAdmin,
    SaveSurvey, SeriesView, SetRecording,
};
use app::api::teams::AddTeamMember;
use app::api::{CreatedEvent, EventAdmin, EventSummary};
use app::domain::feedback::AnswerKind;
use app::error::AppError;
use app::live::ClientMsg;
use serde_json::{Value, json};

pub(crate) async fn start_and_end(app: &TestApp, event: &TestEvent) {
    let (_p, mut presenter) = app.presenter(event).await;
    for make in [
        (|id| ClientMsg::Start { id }) as fn(uuid::Uuid) -> ClientMsg,
        |id| ClientMsg::End { id },
    ] {
        presenter.act(make).await.expect_ack();
    }
}

/// An attendee with a session on the event page.
pub(crate) async fn attendee(app: &TestApp, event: &TestEvent) -> Browser {
    let browser = app.browser();
    assert_eq!(
        browser.get(&format!("/e/{}", event.slug)).await.status(),
        200
    );
    browser
}

async fn answer(browser: &Browser, slug: &str, answers: Value) -> reqwest::Response {
    browser
        .call_json::<SubmitFeedback>(json!({ "slug": slug, "response": { "answers": answers } }))
        .await
}

async fn stored_answers(app: &TestApp, event_id: i64) -> Vec<Value> {
    app.core
        .store
        .responses(event_id)
        .await
        .expect("responses")
        .into_iter()
        .map(|r| serde_json::to_value(&r.response).expect("json"))
        .collect()
}

/// Sends answers that must be taken.
async fn answered(browser: &Browser, slug: &str, answers: Value) {
    let response = answer(browser, slug, answers).await;
    let status = response.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        response.text().await.unwrap_or_default()
    );
}

/// An organizer made on the command line with a team of their own, signed in.
async fn outsider(app: &TestApp, email: &str) -> Browser {
    let hash = app::core::secrets::hash_password("a long enough phrase").expect("hash");
    let id = app
        .core
        .store
        .create_organizer(email, "Carol", &hash)
        .await
        .expect("organizer");
    app.core
        .store
        .create_team("Carol's team", id)
        .await
        .expect("team");
    let carol = app.browser();
    let signed_in = carol
        .call::<SignIn>(&[("email", email), ("password", "a long enough phrase")])
        .await;
    assert!(signed_in.status().is_success() || signed_in.status().is_redirection());
    carol
}

async fn create(ada: &Browser, title: &str) -> CreatedEvent {
    ada.call_json::<CreateEvent>(
        json!({ "draft": crate::helpers::draft(title), "team_id": null, "series": "" }),
    )
    .await
    .json()
    .await
    .expect("created")
}

#[tokio::test]
async fn a_response_is_stored_once_per_attendee_and_an_edit_replaces_it() {
    let app = spawn_app().await;
    let event = app.create_event("Feedback").await;
    let ana = attendee(&app, &event).await;
    let refused = answer(&ana, &event.slug, json!({ "2": { "choices": [1] } })).await;
    assert!(
        matches!(error_of(refused).await, AppError::Conflict(m) if m.contains("opens when the tutorial ends"))
    );

    start_and_end(&app, &event).await;
    let id = app.stored(&event).await.id;
    answered(&ana, &event.slug, json!({ "2": { "choices": [2] } })).await;
    answered(
        &ana,
        &event.slug,
        json!({ "2": { "choices": [1] }, "1": { "choices": [1], "text": "Kubernetes" } }),
    )
    .await;
    assert_eq!(
        stored_answers(&app, id).await,
        vec![
            json!({ "answers": { "1": { "choices": [1], "text": "Kubernetes" }, "2": { "choices": [1], "text": "" } } })
        ],
        "one response, the edited one"
    );
    let mine: FeedbackView = ana.read::<FetchFeedback>(&[("slug", &event.slug)]).await;
    assert!(mine.open);
    assert_eq!(mine.mine.expect("mine").answers[&1].text, "Kubernetes");
    assert_eq!(mine.questions[2].prompt, "How was the pace?");

    let bo = attendee(&app, &event).await;
    answered(&bo, &event.slug, json!({ "5": { "choices": [0] } })).await;
    assert_eq!(stored_answers(&app, id).await.len(), 2);
}

#[tokio::test]
async fn answers_that_do_not_fit_the_survey_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let event = app.create_event("Bad answers").await;
    start_and_end(&app, &event).await;
    let ana = attendee(&app, &event).await;
    for (bad, says) in [
        (
            json!({ "2": { "choices": [7] } }),
            "not one of the question's choices",
        ),
        (json!({ "2": { "choices": [0, 1] } }), "takes one choice"),
        (
            json!({ "40": { "choices": [0] } }),
            "not a question of this survey",
        ),
        (json!({}), "answer at least one question"),
    ] {
        let refused = answer(&ana, &event.slug, bad).await;
        assert_eq!(refused.status(), 422);
        let error = error_of(refused).await.to_string();
        assert!(error.contains(says), "{error}");
    }
    assert!(
        stored_answers(&app, app.stored(&event).await.id)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_survey_refuses_answers_after_it_closes_and_keeps_what_it_had() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let event = app.create_event("Closing").await;
    start_and_end(&app, &event).await;
    let ana = attendee(&app, &event).await;
    answered(&ana, &event.slug, json!({ "0": { "choices": [0] } })).await;

    let closed = ada
        .call::<CloseSurvey>(&[("slug", &event.slug), ("closed", "true")])
        .await;
    assert!(closed.status().is_success());
    let refused = answer(&ana, &event.slug, json!({ "0": { "choices": [1] } })).await;
    assert_eq!(refused.status(), 409);
    assert!(matches!(error_of(refused).await, AppError::Conflict(m) if m.contains("closed")));
    let late = answer(
        &attendee(&app, &event).await,
        &event.slug,
        json!({ "0": { "choices": [1] } }),
    )
    .await;
    assert_eq!(late.status(), 409);
    assert_eq!(
        stored_answers(&app, app.stored(&event).await.id).await,
        vec![json!({ "answers": { "0": { "choices": [0], "text": "" } } })]
    );

    ada.call::<CloseSurvey>(&[("slug", &event.slug), ("closed", "false")])
        .await;
    answered(&ana, &event.slug, json!({ "0": { "choices": [1] } })).await;
}

#[tokio::test]
async fn the_survey_can_be_edited_until_the_first_answer() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let event = app.create_event("Edited survey").await;
    let questions = json!([
        { "prompt": "Was the Binder quick to start?", "kind": "yes_no", "follow_up": "What went wrong?" },
        { "prompt": "How useful was it?", "kind": "scale", "choices": ["Not at all", "Very"] },
        { "prompt": "Your editor?", "kind": "several_of", "choices": ["JupyterLab", "VS Code", "Vim"] },
    ]);
    let saved = ada
        .call_json::<SaveSurvey>(json!({ "slug": event.slug, "questions": questions }))
        .await;
    assert!(
        saved.status().is_success(),
        "{}",
        saved.text().await.unwrap_or_default()
    );
    let bad = ada
        .call_json::<SaveSurvey>(json!({ "slug": event.slug, "questions": [{ "prompt": "Pick", "kind": "one_of", "choices": ["Only one"] }] }))
        .await;
    assert_eq!(bad.status(), 422);

    start_and_end(&app, &event).await;
    let ana = attendee(&app, &event).await;
    answered(
        &ana,
        &event.slug,
        json!({ "1": { "choices": [4] }, "2": { "choices": [0, 2] } }),
    )
    .await;
    let locked = ada
        .call_json::<SaveSurvey>(json!({ "slug": event.slug, "questions": questions }))
        .await;
    assert_eq!(
        locked.status(),
        409,
        "the questions are fixed once answered"
    );

    let report: EventReport = ada.read::<FetchReport>(&[("slug", &event.slug)]).await;
    let scale = report.survey[1].chart.as_ref().expect("scale chart");
    assert_eq!(scale.bars[4].label, "5 – Very");
    assert_eq!((scale.bars[4].count, scale.bars[4].percent), (1, 100));
    let editors = report.survey[2].chart.as_ref().expect("editors chart");
    assert!(editors.several);
    assert_eq!(
        editors.bars.iter().map(|b| b.count).collect::<Vec<_>>(),
        [1, 0, 1]
    );
    let admin: app::api::reports::SurveyAdmin =
        ada.read::<FetchSurveyAdmin>(&[("slug", &event.slug)]).await;
    assert_eq!(admin.responses, 1);
    assert_eq!(admin.questions[1].kind, AnswerKind::Scale);
}

#[tokio::test]
async fn the_report_and_the_exports_hold_exactly_what_was_stored() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let event = app.create_event("Exported").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();
    let (ana_page, mut ana) = app.attendee(&event).await;
    let (bo_page, mut bo) = app.attendee(&event).await;
    for (client, place) in [
        (&mut ana, "Oslo, Norway"),
        (&mut bo, "=HYPERLINK(\"http://evil\")"),
    ] {
        let place = place.to_string();
        client
            .act(|id| ClientMsg::CheckIn {
                id,
                place,
                name: String::new(),
            })
            .await
            .expect_ack();
    }
    let poll = uuid::Uuid::new_v4();
    presenter
        .send(&ClientMsg::AskPoll {
            id: poll,
            question: "Binder up?".into(),
            options: vec![],
            hide_results: false,
            right: vec![],
            words: false,
        })
        .await;
    presenter.answer_to(poll).await.expect_ack();
    for (client, choice) in [(&mut ana, 0), (&mut bo, 1)] {
        client
            .act(|id| ClientMsg::Answer { id, poll, choice })
            .await
            .expect_ack();
    }
    let asked = ana
        .act(|id| ClientMsg::Ask {
            id,
            text: "When should I use Dask, not pandas?".into(),
            name: "Ana".into(),
        })
        .await;
    asked.expect_ack();
    // The peak is written down by the room's once-a-second round.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while app.stored(&event).await.peak_attendees < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the peak of 2 attendees was not stored"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    presenter.act(|id| ClientMsg::End { id }).await.expect_ack();
    answered(
        &ana_page,
        &event.slug,
        json!({ "2": { "choices": [2] }, "6": { "text": "Thanks, great pace" } }),
    )
    .await;
    answered(&bo_page, &event.slug, json!({ "2": { "choices": [1] } })).await;

    let report: EventReport = ada.read::<FetchReport>(&[("slug", &event.slug)]).await;
    assert_eq!(
        (
            report.check_ins,
            report.peak_attendees,
            report.responses,
            report.response_rate
        ),
        (2, 2, 2, 100)
    );
    let pace = report.survey[2].chart.as_ref().expect("pace chart");
    assert_eq!(
        pace.bars
            .iter()
            .map(|b| (b.count, b.percent))
            .collect::<Vec<_>>(),
        [(0, 0), (1, 50), (1, 50)]
    );
    assert_eq!(report.survey[6].texts, ["Thanks, great pace"]);
    assert_eq!(
        report.polls[0]
            .chart
            .bars
            .iter()
            .map(|b| b.count)
            .collect::<Vec<_>>(),
        [1, 1]
    );
    assert_eq!(
        report.questions[0].text,
        "When should I use Dask, not pandas?"
    );

    let export = |file: &'static str| {
        let ada = &ada;
        let slug = event.slug.clone();
        async move {
            let response = ada.get(&format!("/events/{slug}/export/{file}")).await;
            assert_eq!(response.status(), 200, "{file}");
            response.text().await.expect("body")
        }
    };
    let check_ins: Value = serde_json::from_str(&export("checkins.json").await).expect("json");
    let stored = app
        .core
        .store
        .check_ins(app.stored(&event).await.id)
        .await
        .expect("check-ins");
    assert_eq!(check_ins.as_array().map(Vec::len), Some(stored.len()));
    for (attendee, check_in) in &stored {
        assert!(
            check_ins
                .as_array()
                .expect("rows")
                .iter()
                .any(|row| row["attendee"] == json!(attendee)
                    && row["place_as_typed"] == json!(check_in.place_text)),
            "{attendee} missing from the export"
        );
    }
    let csv = export("checkins.csv").await;
    assert!(csv.starts_with("attendee,at,place_as_typed,name,place,country\r\n"));
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "formula neutralised: {csv}"
    );
    let polls: Value = serde_json::from_str(&export("polls.json").await).expect("json");
    let mut answers: Vec<(String, String)> = polls
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["question"].as_str().unwrap_or_default().into(),
                r["answer"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    answers.sort();
    assert_eq!(
        answers,
        [
            ("Binder up?".to_string(), "No".to_string()),
            ("Binder up?".into(), "Yes".into())
        ]
    );
    let survey: Value = serde_json::from_str(&export("survey.json").await).expect("json");
    assert_eq!(
        survey.as_array().map(Vec::len),
        Some(3),
        "three answers in two responses"
    );
    assert!(
        survey
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r["prompt"] == "How was the pace?" && r["choices"] == json!(["Too fast"]))
    );
    let questions = export("questions.csv").await;
    assert!(
        questions.contains("When should I use Dask\\, not pandas?")
            || questions.contains("\"When should I use Dask, not pandas?\"")
    );
    assert!(
        export("pace.csv")
            .await
            .starts_with("at,section,slower,just_right,faster,online\r\n")
    );
    assert_eq!(
        ada.get(&format!("/events/{}/export/secrets.csv", event.slug))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn an_organizer_outside_a_team_gets_no_access_to_its_events_reports_or_exports() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let created = create(&ada, "Team only").await;
    let carol = outsider(&app, "carol@example.org").await;

    let listed: Vec<EventSummary> = carol.read::<MyEvents>(&[]).await;
    assert!(
        listed.iter().all(|e| e.slug != created.slug),
        "Carol's list leaves it out"
    );
    for refused in [
        carol
            .call::<FetchEventAdmin>(&[("slug", &created.slug)])
            .await,
        carol.call::<FetchReport>(&[("slug", &created.slug)]).await,
        carol
            .call::<FetchSurveyAdmin>(&[("slug", &created.slug)])
            .await,
        carol
            .call::<CloseSurvey>(&[("slug", &created.slug), ("closed", "true")])
            .await,
        carol
            .call::<SetRecording>(&[("slug", &created.slug), ("url", "https://evil.example.org")])
            .await,
        carol
            .call::<DuplicateEvent>(&[
                ("slug", &created.slug),
                ("starts_at", "2027-01-01T10:00"),
                ("time_zone", "UTC"),
            ])
            .await,
    ] {
        assert_eq!(refused.status(), 403);
    }
    for file in ["checkins.csv", "survey.json"] {
        assert_eq!(
            carol
                .get(&format!("/events/{}/export/{file}", created.slug))
                .await
                .status(),
            403
        );
    }
    assert_eq!(
        app.browser()
            .get(&format!("/events/{}/export/survey.csv", created.slug))
            .await
            .status(),
        401
    );
    let series = ada
        .call::<FetchEventAdmin>(&[("slug", &created.slug)])
        .await
        .json::<EventAdmin>()
        .await
        .expect("admin")
        .series
        .expect("series");
    assert_eq!(
        carol
            .call::<FetchSeries>(&[("series_id", &series.id.to_string())])
            .await
            .status(),
        403
    );
    assert_eq!(
        app.stored_by_slug(&created.slug).await.recording_url,
        None,
        "nothing changed"
    );

    let team = ada.teams().await[0].id.to_string();
    let added = ada
        .call::<AddTeamMember>(&[("team_id", &team), ("email", "carol@example.org")])
        .await;
    assert!(added.status().is_success());
    assert_eq!(
        carol
            .call::<FetchReport>(&[("slug", &created.slug)])
            .await
            .status(),
        200,
        "in the team now"
    );
    let unknown = ada
        .call::<AddTeamMember>(&[("team_id", &team), ("email", "nobody@example.org")])
        .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn duplicating_an_event_keeps_its_agenda_survey_and_series_at_a_new_time() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let first = create(&ada, "Dask tutorial").await;
    let saved = ada
        .call_json::<SaveSurvey>(
            json!({ "slug": first.slug, "questions": [{ "prompt": "Useful?", "kind": "yes_no" }] }),
        )
        .await;
    assert!(saved.status().is_success());
    let next: CreatedEvent = ada
        .read::<DuplicateEvent>(&[
            ("slug", &first.slug),
            ("starts_at", "2027-02-03T09:30"),
            ("time_zone", "Asia/Kolkata"),
        ])
        .await;
    assert_ne!(next.slug, first.slug);
    assert_eq!(
        next.secret_links.len(),
        2,
        "the next run has links of its own"
    );
    let (before, after) = (
        app.stored_by_slug(&first.slug).await,
        app.stored_by_slug(&next.slug).await,
    );
    assert_eq!(after.sections, before.sections);
    assert_eq!(after.materials, before.materials);
    assert_eq!(after.survey, before.survey);
    assert_eq!(after.series_id, before.series_id);
    assert_eq!(after.time_zone.name(), "Asia/Kolkata");
    assert_eq!(after.starts_at.to_rfc3339(), "2027-02-03T04:00:00+00:00");
    let bad = ada
        .call::<DuplicateEvent>(&[
            ("slug", &first.slug),
            ("starts_at", "tomorrow"),
            ("time_zone", "UTC"),
        ])
        .await;
    assert_eq!(bad.status(), 422);

    let series: SeriesView = ada
        .read::<FetchSeries>(&[("series_id", &before.series_id.expect("series").to_string())])
        .await;
    assert_eq!(series.series.title, "Dask tutorial");
    assert_eq!(series.runs.len(), 2);
    assert_eq!(series.runs[0].slug, next.slug, "latest first");
}

#[tokio::test]
async fn the_calendar_file_and_the_recording_reach_attendees() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let event = app.create_event("Calendar").await;
    let ics = app
        .browser()
        .get(&format!("/e/{}/calendar.ics", event.slug))
        .await;
    assert_eq!(ics.status(), 200);
    assert!(
        ics.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/calendar")
    );
    let ics = ics.text().await.expect("ics");
    assert!(
        ics.contains("SUMMARY:Calendar\r\n") && ics.contains("DTSTART:20261210T170000Z\r\n"),
        "{ics}"
    );
    assert!(ics.contains(&format!("UID:{}@", event.slug)));

    let bad = ada
        .call::<SetRecording>(&[("slug", &event.slug), ("url", "javascript:alert(1)")])
        .await;
    assert_eq!(bad.status(), 422);
    let set = ada
        .call::<SetRecording>(&[
            ("slug", &event.slug),
            ("url", "https://video.example.org/dask"),
        ])
        .await;
    assert!(set.status().is_success());
    start_and_end(&app, &event).await;
    let page = app
        .browser()
        .get(&format!("/e/{}/feedback", event.slug))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("https://video.example.org/dask"),
        "the recording shows after the event"
    );
    assert!(
        page.contains("How was the pace?"),
        "and the survey is on its own page"
    );
}

#[tokio::test]
async fn the_command_line_files_an_event_under_a_teams_series() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let team = ada.teams().await.remove(0);
    let cli = |team: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
            .args(["event", "create", "--file"])
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../examples/dask-tutorial.toml"
            ))
            .args(["--team", team, "--series", "Dask monthly"])
            .args(["--database-url", &app.db().url])
            .output()
            .expect("lectern runs")
    };
    let filed = cli(&team.name);
    assert!(
        filed.status.success(),
        "{}",
        String::from_utf8_lossy(&filed.stderr)
    );
    let links: Value = serde_json::from_slice(&filed.stdout).expect("links");
    let event = app
        .stored_by_slug(links["slug"].as_str().expect("slug"))
        .await;
    let series = app
        .core
        .store
        .series(event.series_id.expect("filed"))
        .await
        .expect("store")
        .expect("series");
    assert_eq!(
        (series.title.as_str(), series.team_id),
        ("Dask monthly", team.id)
    );

    let unknown = cli("Nobody's team");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no team named \"Nobody's team\""));
}
