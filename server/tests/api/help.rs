//! The lab help queue over real sockets: the line in the order Stuck was pressed, two
//! co-instructors pressing "I'm on it" at once (one outcome, the other told), a second
//! Stuck keeping the place, Helped and Done leaving the line, what is stored and what
//! the report keeps.

use crate::helpers::{
    Browser, LiveClient, Reply, TestApp, TestDb, TestEvent, spawn_app, spawn_app_on,
};
use app::domain::agenda::AgendaCommand;
use app::domain::help::{HelpAction, Helper, Outcome};
use app::domain::lab::LabSignal;
use app::live::{ClientMsg, ErrorCode};
use uuid::Uuid;

fn stuck(id: Uuid, note: &str) -> ClientMsg {
    ClientMsg::Lab {
        id,
        signal: Some(LabSignal::Stuck),
        note: note.into(),
    }
}

fn help(ticket: Uuid, action: HelpAction) -> impl FnOnce(Uuid) -> ClientMsg {
    move |id| ClientMsg::Help { id, ticket, action }
}

fn take(name: &str) -> HelpAction {
    HelpAction::Take {
        helper: Helper::parse(name).expect("a helper name"),
    }
}

/// The presenter starts the event and moves on to its first lab (section 2).
async fn into_the_lab(presenter: &mut LiveClient) {
    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();
    let version = presenter
        .snapshot_where(|s| s.agenda.current == Some(1))
        .await
        .agenda
        .version;
    presenter
        .act(move |id| ClientMsg::Agenda {
            id,
            from: version,
            command: AgendaCommand::Next,
        })
        .await
        .expect_ack();
    presenter
        .snapshot_where(|s| s.agenda.current == Some(2))
        .await;
}

/// An attendee on `app` who pressed Stuck: their browser, page and ticket.
async fn stuck_attendee(app: &TestApp, event: &TestEvent) -> (Browser, LiveClient, Uuid) {
    let (browser, mut page) = app.attendee(event).await;
    let ticket = Uuid::new_v4();
    page.send(&stuck(ticket, "")).await;
    page.answer_to(ticket).await.expect_ack();
    (browser, page, ticket)
}

#[tokio::test]
async fn two_co_instructors_on_two_replicas_taking_one_request_at_once_get_one_outcome() {
    let db = TestDb::postgres().await;
    let a = spawn_app_on(db.clone()).await;
    let b = spawn_app_on(db).await;
    let event = a.create_event("Help across").await;
    let (_p, mut presenter) = a.presenter(&event).await;
    let (_m1, mut on_a) = a.moderator(&event).await;
    let (_m2, mut on_b) = b.moderator(&event).await;
    into_the_lab(&mut presenter).await;
    let (_b, mut ben, ticket) = stuck_attendee(&b, &event).await;
    for screen in [&mut on_a, &mut on_b] {
        screen
            .snapshot_where(|s| s.staff.as_ref().is_some_and(|st| st.help.len() == 1))
            .await;
    }

    let (by_a, by_b) = (Uuid::new_v4(), Uuid::new_v4());
    on_a.send(&ClientMsg::Help {
        id: by_a,
        ticket,
        action: take("Ana"),
    })
    .await;
    on_b.send(&ClientMsg::Help {
        id: by_b,
        ticket,
        action: take("Sam"),
    })
    .await;
    let answers = [on_a.answer_to(by_a).await, on_b.answer_to(by_b).await];
    assert_eq!(
        answers.iter().filter(|a| a.is_ack()).count(),
        1,
        "exactly one take stands across replicas: {answers:?}"
    );
    let winner = if answers[0].is_ack() { "Ana" } else { "Sam" };
    let line = ben
        .snapshot_where(|s| s.help.helper_of(ticket).is_some())
        .await
        .help;
    assert_eq!(line.helper_of(ticket).unwrap().as_str(), winner);
    for screen in [&mut on_a, &mut on_b] {
        let staff = screen
            .snapshot_where(|s| {
                s.staff
                    .as_ref()
                    .is_some_and(|st| st.help.first().is_some_and(|h| h.helper.is_some()))
            })
            .await
            .staff
            .unwrap();
        assert_eq!(staff.help[0].helper.as_ref().unwrap().as_str(), winner);
    }
}

#[tokio::test]
async fn the_line_keeps_the_order_pressed_and_two_co_instructors_taking_one_request_get_one_outcome()
 {
    let app = spawn_app().await;
    let event = app.create_event("Help").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_a, mut ana) = app.attendee(&event).await;
    let (_b, mut ben) = app.attendee(&event).await;
    let (_m1, mut first) = app.moderator(&event).await;
    let (_m2, mut second) = app.moderator(&event).await;
    into_the_lab(&mut presenter).await;

    // Ben presses Stuck first, then Ana: the line is in that order, by ticket.
    let (ben_ticket, ana_ticket) = (Uuid::new_v4(), Uuid::new_v4());
    ben.send(&stuck(ben_ticket, "The kernel dies")).await;
    ben.answer_to(ben_ticket).await.expect_ack();
    ana.send(&stuck(ana_ticket, "")).await;
    ana.answer_to(ana_ticket).await.expect_ack();
    let line = ana.snapshot_where(|s| s.help.entries.len() == 2).await.help;
    assert_eq!(line.place(ben_ticket), Some(1));
    assert_eq!(line.place(ana_ticket), Some(2), "Ana is 2nd in the queue");
    let staff = first
        .snapshot_where(|s| s.staff.as_ref().is_some_and(|st| st.help.len() == 2))
        .await
        .staff
        .unwrap();
    assert_eq!(staff.help[0].ticket, ben_ticket);
    assert_eq!(
        staff.help[0].note.as_ref().unwrap().as_str(),
        "The kernel dies"
    );
    assert_eq!(staff.help_summary.waiting, 2);

    // Both co-instructors press "I'm on it" for Ben without waiting for each other.
    let (by_first, by_second) = (Uuid::new_v4(), Uuid::new_v4());
    first
        .send(&ClientMsg::Help {
            id: by_first,
            ticket: ben_ticket,
            action: take("Ana"),
        })
        .await;
    second
        .send(&ClientMsg::Help {
            id: by_second,
            ticket: ben_ticket,
            action: take("Sam"),
        })
        .await;
    let answers = [
        first.answer_to(by_first).await,
        second.answer_to(by_second).await,
    ];
    assert_eq!(
        answers.iter().filter(|a| a.is_ack()).count(),
        1,
        "exactly one take stands: {answers:?}"
    );
    let message = answers
        .iter()
        .find(|a| !a.is_ack())
        .unwrap()
        .expect_refused(ErrorCode::Refused);
    assert!(
        message.contains("is on it already") || message.contains("a moment ago"),
        "{message}"
    );
    let winner = if answers[0].is_ack() { "Ana" } else { "Sam" };
    let line = ben
        .snapshot_where(|s| s.help.helper_of(ben_ticket).is_some())
        .await
        .help;
    assert_eq!(line.helper_of(ben_ticket).unwrap().as_str(), winner);

    // A second Stuck (a note) keeps Ben's place and his helper.
    let again = Uuid::new_v4();
    ben.send(&stuck(again, "Now it says MemoryError")).await;
    ben.answer_to(again).await.expect_ack();
    let staff = first
        .snapshot_where(|s| {
            s.staff.as_ref().is_some_and(|st| {
                st.help[0].note.as_ref().map(|n| n.as_str()) == Some("Now it says MemoryError")
            })
        })
        .await
        .staff
        .unwrap();
    assert_eq!(staff.help[0].ticket, ben_ticket);
    assert_eq!(staff.help[0].helper.as_ref().unwrap().as_str(), winner);
    assert_eq!(staff.help_summary.waiting, 1);
    assert_eq!(staff.help_summary.being_helped, 1);

    // Attendees do not work the queue.
    let refused = ana
        .act(help(ben_ticket, HelpAction::Helped))
        .await
        .expect_refused(ErrorCode::Forbidden);
    assert!(refused.contains("help queue"), "{refused}");

    // Helped: Ben leaves the line and Ana moves up; Done takes Ana out.
    let helper = if winner == "Ana" {
        &mut first
    } else {
        &mut second
    };
    helper
        .act(help(ben_ticket, HelpAction::Helped))
        .await
        .expect_ack();
    let line = ana.snapshot_where(|s| s.help.entries.len() == 1).await.help;
    assert_eq!(line.place(ana_ticket), Some(1));
    ana.act(|id| ClientMsg::Lab {
        id,
        signal: Some(LabSignal::Done),
        note: String::new(),
    })
    .await
    .expect_ack();
    ana.snapshot_where(|s| s.help.is_empty()).await;

    let stored = app
        .core
        .store
        .help_requests(app.stored(&event).await.id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2, "a second Stuck made no second request");
    assert_eq!(stored[0].ticket, ben_ticket);
    assert_eq!(stored[0].helper.as_ref().unwrap().as_str(), winner);
    assert_eq!(stored[0].closed.map(|(_, o)| o), Some(Outcome::Helped));
    assert_eq!(stored[1].ticket, ana_ticket);
    assert_eq!(stored[1].closed.map(|(_, o)| o), Some(Outcome::Withdrawn));

    // The report: the lab, two who asked, their waits.
    let report = app::core::report::event_report(&app.core.store, app.stored(&event).await)
        .await
        .unwrap();
    assert_eq!(report.labs.len(), 1);
    assert_eq!(report.labs[0].waits.stuck, 2);
    assert!(report.labs[0].waits.longest_wait_secs.is_some());
}
