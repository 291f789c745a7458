//! The pacing panel over real sockets: the section clock (its commands, who may drive
//! it, and that it survives the server stopping and starting again), quick polls from
//! asking to a refused late answer, lab signals and the pace reset on a new section.

use crate::helpers::{Reply, spawn_app, spawn_app_on};
use app::domain::agenda::{Agenda, AgendaCommand};
use app::domain::lab::LabSignal;
use app::domain::pace::PaceVote;
use app::live::{ClientMsg, ErrorCode};

fn drive(from: u64, command: AgendaCommand) -> impl FnOnce(uuid::Uuid) -> ClientMsg {
    move |id| ClientMsg::Agenda { id, from, command }
}

#[tokio::test]
async fn a_poll_opens_takes_answers_lets_them_change_and_refuses_a_late_one() {
    let app = spawn_app().await;
    let event = app.create_event("Polls").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;

    let asked = presenter
        .act(|id| ClientMsg::AskPoll {
            id,
            question: "Have you managed to launch the Binder?".into(),
            options: vec![],
            hide_results: false,
            right: vec![],
            words: false,
        })
        .await;
    asked.expect_ack();
    let poll = ana
        .snapshot_where(|s| s.poll.as_ref().is_some_and(|p| p.open))
        .await
        .poll
        .unwrap();
    assert_eq!(poll.spec.options, vec!["Yes", "No"]);
    let id = poll.spec.id;

    let answer = |choice| {
        move |action| ClientMsg::Answer {
            id: action,
            poll: id,
            choice,
        }
    };
    ana.act(answer(0)).await.expect_ack();
    ben.act(answer(0)).await.expect_ack();
    // An answer may change while the poll is open.
    ben.act(answer(1)).await.expect_ack();
    let seen = presenter
        .snapshot_where(|s| s.poll.as_ref().is_some_and(|p| p.counts == vec![1, 1]))
        .await;
    let staff = seen
        .staff
        .expect("the presenter's snapshot has the staff part");
    assert_eq!(staff.polls.len(), 1);
    assert_eq!(staff.polls[0].counts, vec![1, 1]);

    let closed = presenter
        .act(|action| ClientMsg::ClosePoll {
            id: action,
            poll: id,
        })
        .await;
    closed.expect_ack();
    let message = ana.act(answer(1)).await.expect_refused(ErrorCode::Refused);
    assert!(message.contains("closed"), "{message}");
    // Nothing changed: the stored answers are the two that counted.
    let event_id = app.stored(&event).await.id;
    let mut stored = app.core.store.poll_answers(event_id).await.unwrap();
    stored.sort_by_key(|(_, _, choice)| *choice);
    assert_eq!(
        stored.iter().map(|(_, _, c)| *c).collect::<Vec<_>>(),
        vec![0, 1]
    );
    let polls = app.core.store.polls(event_id).await.unwrap();
    assert!(polls[0].closed_at.is_some());

    // Reopened, it takes answers again.
    presenter
        .act(|action| ClientMsg::ReopenPoll {
            id: action,
            poll: id,
        })
        .await
        .expect_ack();
    ana.act(answer(1)).await.expect_ack();
    presenter
        .snapshot_where(|s| {
            s.poll
                .as_ref()
                .is_some_and(|p| p.open && p.counts == vec![0, 2])
        })
        .await;
}

#[tokio::test]
async fn co_instructors_ask_polls_attendees_do_not_and_bad_polls_are_refused() {
    let app = spawn_app().await;
    let event = app.create_event("Who asks").await;
    let (_m, mut moderator) = app.moderator(&event).await;
    let (_a, mut attendee) = app.attendee(&event).await;
    let asked = moderator
        .act(|id| ClientMsg::AskPoll {
            id,
            question: "Which editor do you use?".into(),
            options: vec!["JupyterLab".into(), "VS Code".into(), "Vim".into()],
            hide_results: false,
            right: vec![],
            words: false,
        })
        .await;
    asked.expect_ack();
    attendee
        .act(|id| ClientMsg::AskPoll {
            id,
            question: "Can I ask?".into(),
            options: vec![],
            hide_results: false,
            right: vec![],
            words: false,
        })
        .await
        .expect_refused(ErrorCode::Forbidden);
    let message = moderator
        .act(|id| ClientMsg::AskPoll {
            id,
            question: "Pick one".into(),
            options: vec!["Only".into()],
            hide_results: false,
            right: vec![],
            words: false,
        })
        .await
        .expect_refused(ErrorCode::Invalid);
    assert!(message.contains("between 2 and 6"), "{message}");
    // Asking the same poll again (a retry after a lost answer) makes no second poll.
    let id = uuid::Uuid::new_v4();
    for _ in 0..2 {
        moderator
            .send(&ClientMsg::AskPoll {
                id,
                question: "Retry?".into(),
                options: vec![],
                hide_results: false,
                right: vec![],
                words: false,
            })
            .await;
        moderator.answer_to(id).await.expect_ack();
    }
    let polls = app
        .core
        .store
        .polls(app.stored(&event).await.id)
        .await
        .unwrap();
    assert_eq!(polls.len(), 2);
    assert!(
        polls[0].closed_at.is_some(),
        "asking a new poll closed the open one"
    );
}

#[tokio::test]
async fn the_presenter_drives_the_clock_and_a_stale_command_is_refused() {
    let app = spawn_app().await;
    let event = app.create_event("Clock").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_q, mut second_screen) = app.presenter(&event).await;
    let (_m, mut moderator) = app.moderator(&event).await;
    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();
    let begun = presenter
        .snapshot_where(|s| s.agenda.current == Some(1))
        .await
        .agenda;
    assert!(
        begun.running_since.is_some(),
        "Start runs the first section's clock"
    );

    // Two screens press Next on the same agenda: one moves it, the other is told.
    let next = presenter
        .act(drive(begun.version, AgendaCommand::Next))
        .await;
    next.expect_ack();
    let message = second_screen
        .act(drive(begun.version, AgendaCommand::Next))
        .await
        .expect_refused(ErrorCode::Refused);
    assert!(message.contains("another screen"), "{message}");
    let agenda = presenter
        .snapshot_where(|s| s.agenda.current == Some(2))
        .await
        .agenda;
    moderator
        .act(drive(agenda.version, AgendaCommand::Pause))
        .await
        .expect_refused(ErrorCode::Forbidden);
    let message = presenter
        .act(drive(agenda.version, AgendaCommand::Next))
        .await
        .expect_refused(ErrorCode::Refused);
    assert!(message.contains("no next section"), "{message}");
    presenter
        .act(drive(agenda.version, AgendaCommand::Extend))
        .await
        .expect_ack();
    presenter
        .snapshot_where(|s| s.agenda.sections.iter().any(|c| c.extra_minutes == 5))
        .await;
}

#[tokio::test]
async fn the_clock_is_right_after_the_server_is_stopped_and_started_again() {
    let mut app = spawn_app().await;
    let event = app.create_event("Restart").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();
    let begun = presenter
        .snapshot_where(|s| s.agenda.current == Some(1))
        .await
        .agenda;
    // Five minutes of the first section pass in an instant on this server's clock.
    app.core
        .hub
        .clock()
        .skip(std::time::Duration::from_secs(300));
    presenter
        .act(drive(begun.version, AgendaCommand::Next))
        .await
        .expect_ack();
    let before = presenter
        .snapshot_where(|s| s.agenda.current == Some(2))
        .await
        .agenda;
    let section_one_ran = before.sections[0].spent_ms;
    assert!(
        section_one_ran >= 300_000,
        "the first section ran {section_one_ran} ms"
    );

    app.shut_down();
    let _ = presenter.next_non_snapshot().await;
    let skipped = app.core.hub.clock().skipped();
    let app = spawn_app_on(app.db()).await;
    // The same time on the new server: its clock reads on from where the old one was.
    app.core.hub.clock().skip(skipped);
    let (_p, mut presenter) = app.presenter(&event).await;
    let after = presenter
        .snapshot_where(|s| s.agenda.current.is_some())
        .await;
    assert_eq!(
        after.agenda, before,
        "the clock's moments come back as they were"
    );
    let planned = crate::helpers::draft("Restart").parse().unwrap().sections;
    let agenda = Agenda::from_wire(&after.agenda, &planned);
    let elapsed = agenda.elapsed(2, after.now);
    let since_next = after.now - before.running_since.unwrap();
    assert_eq!(
        elapsed, since_next,
        "mid-section, it counts on from the moment of Next"
    );
    assert_eq!(
        agenda.elapsed(1, after.now).num_milliseconds(),
        section_one_ran
    );

    // And it keeps going from there.
    presenter
        .act(drive(after.agenda.version, AgendaCommand::Pause))
        .await
        .expect_ack();
    presenter
        .snapshot_where(|s| s.agenda.current.is_some() && s.agenda.running_since.is_none())
        .await;
}

#[tokio::test]
async fn lab_signals_count_during_a_lab_and_a_new_section_resets_the_pace() {
    let app = spawn_app().await;
    let event = app.create_event("Lab").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;
    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();
    let agenda = presenter
        .snapshot_where(|s| s.agenda.current == Some(1))
        .await
        .agenda;

    let done = |id| ClientMsg::Lab {
        id,
        signal: Some(LabSignal::Done),
        note: String::new(),
    };
    let message = ana.act(done).await.expect_refused(ErrorCode::Refused);
    assert!(message.contains("lab sections"), "{message}");
    let slower = |id| ClientMsg::Pace {
        id,
        vote: Some(PaceVote::Slower),
    };
    ana.act(slower).await.expect_ack();
    presenter.snapshot_where(|s| s.pace.slower == 1).await;

    presenter
        .act(drive(agenda.version, AgendaCommand::Next))
        .await
        .expect_ack();
    let lab = presenter
        .snapshot_where(|s| s.agenda.current == Some(2))
        .await;
    assert_eq!(
        lab.pace.total(),
        0,
        "the overview's votes do not count in the lab"
    );

    ana.act(done).await.expect_ack();
    let stuck = |id| ClientMsg::Lab {
        id,
        signal: Some(LabSignal::Stuck),
        note: "The kernel dies on <import dask>".into(),
    };
    ben.act(stuck).await.expect_ack();
    let seen = presenter
        .snapshot_where(|s| s.lab.done == 1 && s.lab.stuck == 1)
        .await;
    let notes = seen.staff.unwrap().stuck_notes;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].note.as_str(), "The kernel dies on <import dask>");
    let public = ana.snapshot_where(|s| s.lab.stuck == 1).await;
    assert!(
        public.staff.is_none(),
        "attendees never see the stuck notes"
    );
}
