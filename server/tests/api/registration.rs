//! Registration and its emails (issue 20), against a real SMTP server (aiosmtpd, started
//! per test by `tools/smtp-sink/smtp_sink.py`) and the real forms.

use crate::feedback::start_and_end;
use crate::helpers::{Reply, TestApp, TestDb, TestEvent, draft, spawn_app_mailing};
use app::core::store::registrations::RegistrationRecord;
use app::domain::registration::{Call, RegistrationDraft, Standing};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The tests' SMTP server: every message it accepted, as a file.
struct SmtpSink {
    port: u16,
    dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

impl SmtpSink {
    async fn start(refuse: u32) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/smtp-sink/smtp_sink.py");
        let mut child = tokio::process::Command::new("python3")
            .arg(script)
            .arg("--dir")
            .arg(dir.path())
            .arg("--refuse")
            .arg(refuse.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs the SMTP sink (scripts/test installs aiosmtpd)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        tokio::time::timeout(
            Duration::from_secs(20),
            BufReader::new(stdout).read_line(&mut line),
        )
        .await
        .expect("the SMTP sink starts")
        .expect("its first line");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP sink said {line:?}"));
        Self {
            port,
            dir,
            _child: child,
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages accepted so far, in order, quoted-printable undone (soft line breaks
    /// joined, `=3D` back to `=`) so a test can look for a link.
    fn messages(&self) -> Vec<String> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("sink folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                std::fs::read_to_string(p)
                    .expect("a message")
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=")
            })
            .collect()
    }

    /// Waits until `n` messages have arrived (the mailer sends in the background too).
    async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{n} emails expected, {} arrived", self.messages().len());
    }

    /// Waits until `n` messages have arrived *and* the app has recorded every send it
    /// started. The server writes a message before it answers 250, so a test that moves
    /// the clock right after `wait_for` can find the send still claimed; hours ahead its
    /// lease has run out and the next round takes it again. A test that moves the clock
    /// waits for this instead.
    async fn delivered(&self, app: &TestApp, event: &TestEvent, n: usize) -> Vec<String> {
        let mails = self.wait_for(n).await;
        let id = app.stored(event).await.id;
        for _ in 0..200 {
            let statuses = app.core.store.email_statuses(id).await.expect("statuses");
            if statuses.iter().all(|e| e.state != "sending") {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("an email stayed claimed after its message arrived");
    }
}

fn subject(message: &str) -> &str {
    message
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
}

fn recipient(message: &str) -> &str {
    message
        .lines()
        .find_map(|l| l.strip_prefix("X-Envelope-To: "))
        .unwrap_or_default()
}

/// An event three days ahead that takes `capacity` registrations, with a call.
async fn event_with_registration(app: &TestApp, capacity: u32) -> TestEvent {
    let starts = app.core.hub.clock().now() + chrono::Duration::days(3);
    app.create_event_from(app::domain::event::EventDraft {
        starts_at: starts.format("%Y-%m-%dT%H:%M").to_string(),
        time_zone: "UTC".into(),
        registration: Some(RegistrationDraft {
            capacity,
            question: "What do you hope to learn?".into(),
            ..Default::default()
        }),
        call: Call {
            url: "https://zoom.example.org/j/4242".into(),
            passcode: "dask42".into(),
        },
        ..draft("Dask tutorial")
    })
    .await
}

/// Registers through the form, as a browser does; the personal page's address.
async fn register(app: &TestApp, event: &TestEvent, name: &str, email: &str) -> reqwest::Response {
    app.browser()
        .http
        .post(format!("{}/e/{}/register", app.base, event.slug))
        .form(&[
            ("name", name),
            ("email", email),
            ("consent", "yes"),
            ("answer", "Dataframes"),
        ])
        .send()
        .await
        .expect("the form is sent")
}

async fn registrations(app: &TestApp, event: &TestEvent) -> Vec<RegistrationRecord> {
    let id = app.stored(event).await.id;
    app.core
        .store
        .registrations(id)
        .await
        .expect("registrations")
}

#[tokio::test]
async fn registering_sends_the_confirmation_with_the_calendar_file_and_the_personal_link() {
    let sink = SmtpSink::start(0).await;
    let app = spawn_app_mailing(TestDb::new().await, &sink.url()).await;
    let event = event_with_registration(&app, 150).await;

    let page = register(&app, &event, "Ada <Lovelace>", "Ada@Example.org").await;
    assert_eq!(page.status(), 200, "redirected to the personal page");
    let personal_url = page.url().to_string();
    let html = page.text().await.expect("page");
    assert!(html.contains("You are registered"), "{html}");
    assert!(
        html.contains("https://zoom.example.org/j/4242"),
        "registrants see the call"
    );
    assert!(html.contains("Ada@Example.org"));
    assert!(
        !html.contains("<Lovelace>"),
        "names are escaped in the page"
    );

    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(recipient(&mail), "Ada@Example.org");
    assert!(
        subject(&mail).contains("You are registered: Dask tutorial"),
        "{mail}"
    );
    assert!(!mail.contains("\nBcc:"), "one email per person, never BCC");
    assert!(mail.contains("List-Unsubscribe: <"), "{mail}");
    assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(mail.contains("Content-Type: text/plain"));
    assert!(mail.contains("Content-Type: text/html"));
    assert!(
        mail.contains("text/calendar"),
        "the calendar file is attached"
    );
    let token = personal_url
        .rsplit('/')
        .next()
        .expect("token")
        .split('?')
        .next()
        .expect("token");
    assert!(mail.contains(token), "the email carries the personal link");
    let registered = registrations(&app, &event).await;
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].answer.as_deref(), Some("Dataframes"));

    // The same address again (in another case) does not register twice or email again.
    let again = register(&app, &event, "Ada", "ada@example.org").await;
    assert_eq!(again.status(), 409);
    assert!(
        again
            .text()
            .await
            .expect("page")
            .contains("registered already")
    );
    // A refused form says why and keeps what was typed.
    let refused = app
        .browser()
        .http
        .post(format!("{}/e/{}/register", app.base, event.slug))
        .form(&[("name", "Grace"), ("email", "grace-at-example.org")])
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("page");
    assert!(
        html.contains("does not look like an email address"),
        "{html}"
    );
    assert!(html.contains("value=\"grace-at-example.org\""));
    assert_eq!(registrations(&app, &event).await.len(), 1, "nothing stored");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_full_event_waitlists_and_two_cancellations_at_once_promote_exactly_two() {
    let sink = SmtpSink::start(0).await;
    let app = spawn_app_mailing(TestDb::new().await, &sink.url()).await;
    let event = event_with_registration(&app, 2).await;
    for (name, email) in [
        ("Ada", "ada@example.org"),
        ("Ben", "ben@example.org"),
        ("Cleo", "cleo@example.org"),
        ("Dev", "dev@example.org"),
        ("Eve", "eve@example.org"),
    ] {
        assert_eq!(register(&app, &event, name, email).await.status(), 200);
    }
    // Two confirmations, three "on the waitlist".
    sink.wait_for(5).await;
    let before = registrations(&app, &event).await;
    let standings: Vec<Standing> = before.iter().map(|r| r.standing).collect();
    assert_eq!(
        standings,
        [
            Standing::Registered,
            Standing::Registered,
            Standing::Waitlisted,
            Standing::Waitlisted,
            Standing::Waitlisted
        ]
    );
    // The waitlisted see their number and no call.
    let eve = app
        .browser()
        .get(&format!("/e/{}/me/{}", event.slug, before[4].token))
        .await;
    let html = eve.text().await.expect("page");
    assert!(html.contains("number 3 on the list"), "{html}");
    assert!(
        !html.contains("zoom.example.org"),
        "the call is for registrants only"
    );

    // Ada and Ben cancel at the same moment.
    let cancel = |token: String| {
        let http = app.browser().http;
        let url = format!("{}/e/{}/me/{token}/cancel", app.base, event.slug);
        async move { http.post(url).send().await.expect("sent").status() }
    };
    let (a, b) = tokio::join!(
        cancel(before[0].token.clone()),
        cancel(before[1].token.clone())
    );
    assert_eq!((a.as_u16(), b.as_u16()), (200, 200));
    let after = registrations(&app, &event).await;
    let standings: Vec<Standing> = after.iter().map(|r| r.standing).collect();
    assert_eq!(
        standings,
        [
            Standing::Cancelled,
            Standing::Cancelled,
            Standing::Registered,
            Standing::Registered,
            Standing::Waitlisted
        ],
        "the first two on the list get the places, nobody twice"
    );
    // Cancelling again changes nothing.
    assert_eq!(cancel(before[0].token.clone()).await.as_u16(), 200);
    assert_eq!(
        registrations(&app, &event)
            .await
            .iter()
            .filter(|r| r.standing == Standing::Registered)
            .count(),
        2
    );

    // Two confirmations, three waitlist emails, two "a place is yours".
    let mails = sink.wait_for(7).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 7);
    let places: Vec<&str> = mails
        .iter()
        .filter(|m| subject(m).starts_with("A place is yours"))
        .map(|m| recipient(m))
        .collect();
    assert_eq!(places.len(), 2);
    assert!(places.contains(&"cleo@example.org") && places.contains(&"dev@example.org"));
}

#[tokio::test]
async fn reminders_go_out_at_their_moments_and_the_feedback_email_after_the_end() {
    let sink = SmtpSink::start(0).await;
    let app = spawn_app_mailing(TestDb::new().await, &sink.url()).await;
    let event = event_with_registration(&app, 10).await;
    assert_eq!(
        register(&app, &event, "Ada", "ada@example.org")
            .await
            .status(),
        200
    );
    sink.delivered(&app, &event, 1).await;
    let starts = app.stored(&event).await.starts_at;
    let clock = app.core.hub.clock().clone();
    let skip_to = |at: chrono::DateTime<chrono::Utc>| {
        let by = (at - clock.now()).to_std().unwrap_or_default();
        clock.skip(by);
    };
    for (before, subject_start, total) in [
        (chrono::Duration::days(2), "In two days", 2),
        (chrono::Duration::hours(2), "In two hours", 3),
        (chrono::Duration::minutes(10), "Starting in 10 minutes", 4),
    ] {
        // A minute early: nothing.
        skip_to(starts - before - chrono::Duration::minutes(1));
        app.core.mailer.send_due(&app.core).await.expect("a round");
        assert_eq!(
            sink.messages().len(),
            total - 1,
            "nothing before its moment"
        );
        skip_to(starts - before + chrono::Duration::seconds(5));
        app.core.mailer.send_due(&app.core).await.expect("a round");
        let mails = sink.delivered(&app, &event, total).await;
        let mail = &mails[total - 1];
        assert!(
            subject(mail).starts_with(subject_start),
            "{}",
            subject(mail)
        );
        assert!(
            mail.contains("zoom.example.org/j/4242"),
            "the reminder has the call"
        );
    }
    // The feedback email waits for the end, then three hours.
    skip_to(starts + chrono::Duration::minutes(1));
    start_and_end(&app, &event).await;
    let ended = app.stored(&event).await.lifecycle.ended_at.expect("ended");
    skip_to(ended + chrono::Duration::hours(3) - chrono::Duration::minutes(1));
    app.core.mailer.send_due(&app.core).await.expect("a round");
    assert_eq!(sink.messages().len(), 4);
    skip_to(ended + chrono::Duration::hours(3) + chrono::Duration::seconds(5));
    app.core.mailer.send_due(&app.core).await.expect("a round");
    let mails = sink.wait_for(5).await;
    assert!(
        subject(&mails[4]).starts_with("Thank you for coming"),
        "{}",
        subject(&mails[4])
    );
    assert!(
        mails[4].contains("/join?to=feedback"),
        "the survey through the personal link"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 5, "each email once");
}

#[tokio::test]
async fn a_registrant_too_late_for_a_reminder_does_not_get_it() {
    let sink = SmtpSink::start(0).await;
    let app = spawn_app_mailing(TestDb::new().await, &sink.url()).await;
    let event = event_with_registration(&app, 10).await;
    let starts = app.stored(&event).await.starts_at;
    // Registers on the morning of the event: no "in two days".
    let clock = app.core.hub.clock().clone();
    clock.skip(
        (starts - chrono::Duration::hours(5) - clock.now())
            .to_std()
            .expect("ahead"),
    );
    assert_eq!(
        register(&app, &event, "Ada", "ada@example.org")
            .await
            .status(),
        200
    );
    sink.delivered(&app, &event, 1).await;
    clock.skip(Duration::from_secs(4 * 3600));
    app.core.mailer.send_due(&app.core).await.expect("a round");
    let mails = sink.wait_for(2).await;
    assert!(
        subject(&mails[1]).starts_with("In two hours"),
        "{}",
        subject(&mails[1])
    );
    let planned = app
        .core
        .store
        .email_statuses(app.stored(&event).await.id)
        .await
        .expect("statuses");
    assert!(
        planned
            .iter()
            .all(|e| e.kind != app::domain::registration::EmailKind::TwoDays)
    );
}

#[tokio::test]
async fn a_mail_server_that_refuses_twice_then_accepts_gets_the_email_once() {
    let sink = SmtpSink::start(2).await;
    let app = spawn_app_mailing(TestDb::new().await, &sink.url()).await;
    let event = event_with_registration(&app, 10).await;
    assert_eq!(
        register(&app, &event, "Ada", "ada@example.org")
            .await
            .status(),
        200
    );
    let id = app.stored(&event).await.id;
    let clock = app.core.hub.clock().clone();
    let mut waited = 0;
    while sink.messages().is_empty() && waited < 40 {
        app.core.mailer.send_due(&app.core).await.expect("a round");
        clock.skip(Duration::from_secs(61));
        waited += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mails = sink.delivered(&app, &event, 1).await;
    assert!(subject(&mails[0]).starts_with("You are registered"));
    let statuses = app.core.store.email_statuses(id).await.expect("statuses");
    let confirmation = statuses
        .iter()
        .find(|e| e.kind == app::domain::registration::EmailKind::Confirmation)
        .expect("planned");
    assert_eq!(confirmation.state, "sent");
    assert_eq!(confirmation.attempts, 3, "two refusals, then accepted");
    assert!(
        confirmation
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("451")),
        "the refusal is kept for the organizers: {:?}",
        confirmation.last_error
    );
    for _ in 0..3 {
        clock.skip(Duration::from_secs(3600));
        app.core.mailer.send_due(&app.core).await.expect("a round");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1, "sent once");
}

#[tokio::test]
async fn two_replicas_sending_the_same_reminders_send_each_once() {
    let sink = SmtpSink::start(0).await;
    let db = TestDb::postgres().await;
    let one = spawn_app_mailing(db.clone(), &sink.url()).await;
    let two = spawn_app_mailing(db, &sink.url()).await;
    let event = event_with_registration(&one, 100).await;
    for i in 0..6 {
        let replica = if i % 2 == 0 { &one } else { &two };
        let status = register(
            replica,
            &event,
            &format!("Person {i}"),
            &format!("p{i}@example.org"),
        )
        .await
        .status();
        assert_eq!(status, 200);
    }
    sink.delivered(&one, &event, 6).await;
    let starts = one.stored(&event).await.starts_at;
    for app in [&one, &two] {
        let clock = app.core.hub.clock();
        clock.skip(
            (starts - chrono::Duration::days(2) + chrono::Duration::seconds(5) - clock.now())
                .to_std()
                .expect("ahead"),
        );
    }
    let (a, b) = tokio::join!(
        one.core.mailer.send_due(&one.core),
        two.core.mailer.send_due(&two.core)
    );
    let (a, b) = (a.expect("round"), b.expect("round"));
    let mails = sink.wait_for(12).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sink.messages().len(),
        12,
        "six confirmations, six reminders: {a:?} {b:?}"
    );
    let mut reminded: Vec<&str> = mails
        .iter()
        .filter(|m| subject(m).starts_with("In two days"))
        .map(|m| recipient(m))
        .collect();
    reminded.sort_unstable();
    reminded.dedup();
    assert_eq!(reminded.len(), 6, "each person once");
}

/// A registrant who opened their personal link's "Open the live page": a browser whose
/// attendee session is theirs.
async fn joined(app: &TestApp, event: &TestEvent, token: &str) -> crate::helpers::Browser {
    let browser = app.browser();
    let page = browser
        .get(&format!("/e/{}/me/{token}/join", event.slug))
        .await;
    assert_eq!(page.status(), 200);
    assert!(
        page.url().path().ends_with(&format!("/e/{}", event.slug)),
        "{}",
        page.url()
    );
    browser
}

async fn export(organizer: &crate::helpers::Browser, event: &TestEvent, file: &str) -> String {
    let response = organizer
        .get(&format!("/events/{}/export/{file}", event.slug))
        .await;
    assert_eq!(response.status(), 200, "{file}");
    response.text().await.expect("an export")
}

#[tokio::test]
async fn the_funnel_follows_registrants_and_erasing_one_removes_them_from_every_export() {
    use app::api::registrations::{EraseRegistrant, FetchRegistrations, RegistrationsView};
    use app::api::reports::{EventReport, FetchReport};
    use app::domain::export::Export;
    use app::live::ClientMsg;
    let app = spawn_app_mailing(TestDb::new().await, "smtp://127.0.0.1:9").await;
    let ada = crate::helpers::organizer(&app).await;
    let event = event_with_registration(&app, 10).await;
    for (name, email) in [
        ("Grace Hopper", "grace@example.org"),
        ("Linus", "linus@example.org"),
    ] {
        assert_eq!(register(&app, &event, name, email).await.status(), 200);
    }
    let people = registrations(&app, &event).await;
    let grace = joined(&app, &event, &people[0].token).await;
    let page = grace
        .get(&format!("/e/{}", event.slug))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("https://zoom.example.org/j/4242"),
        "the call, for a registrant"
    );
    assert!(page.contains("dask42"), "and its passcode");
    let stranger = app
        .browser()
        .get(&format!("/e/{}", event.slug))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        !stranger.contains("zoom.example.org"),
        "nobody else sees the call"
    );
    assert!(
        stranger.contains(&format!("href=\"/e/{}/register\"", event.slug)),
        "but where to register for it"
    );

    let mut live = grace.live(&event.slug, None).await.expect("live");
    live.act(|id| ClientMsg::CheckIn {
        id,
        place: "Oslo".into(),
        name: String::new(),
    })
    .await
    .expect_ack();
    start_and_end(&app, &event).await;
    let answered = grace
        .call_json::<app::api::feedback::SubmitFeedback>(serde_json::json!({
            "slug": event.slug,
            "response": { "answers": { "2": { "choices": [1] } } }
        }))
        .await;
    assert!(
        answered.status().is_success(),
        "{}",
        answered.text().await.unwrap_or_default()
    );

    let report: EventReport = ada.read::<FetchReport>(&[("slug", &event.slug)]).await;
    let funnel = report.funnel.expect("a funnel");
    assert_eq!(
        (
            funnel.registered,
            funnel.joined,
            funnel.checked_in,
            funnel.answered
        ),
        (2, 1, 1, 1)
    );
    let csv = export(&ada, &event, "registrations.csv").await;
    assert!(csv.starts_with("name,email,standing"), "{csv}");
    assert!(csv.contains("grace@example.org") && csv.contains("linus@example.org"));
    let view: RegistrationsView = ada
        .read::<FetchRegistrations>(&[("slug", &event.slug)])
        .await;
    assert_eq!(view.people.len(), 2);
    // Emails are visible to the event's organizers only.
    let nobody = app.browser();
    assert!(
        !nobody
            .call::<FetchRegistrations>(&[("slug", &event.slug)])
            .await
            .status()
            .is_success()
    );
    assert_ne!(
        nobody
            .get(&format!("/events/{}/export/registrations.csv", event.slug))
            .await
            .status(),
        200
    );

    let id = people[0].id.to_string();
    ada.read::<EraseRegistrant>(&[("slug", &event.slug), ("id", &id)])
        .await;
    for export_kind in Export::ALL {
        for format in ["csv", "json"] {
            let table = export(&ada, &event, &format!("{}.{format}", export_kind.name())).await;
            assert!(
                !table.contains("grace@example.org") && !table.contains("Grace Hopper"),
                "{} still has her: {table}",
                export_kind.name()
            );
            if let Some(attendee) = &people[0].attendee_id
                && export_kind == Export::Registrations
            {
                assert!(!table.contains(attendee.as_str()), "nor her session");
            }
        }
    }
    assert!(
        export(&ada, &event, "registrations.csv")
            .await
            .contains("linus@example.org")
    );
    let gone = app
        .browser()
        .get(&format!("/e/{}/me/{}", event.slug, people[0].token))
        .await;
    assert_eq!(gone.status(), 404, "her personal link opens nothing");
    let report: EventReport = ada.read::<FetchReport>(&[("slug", &event.slug)]).await;
    let funnel = report.funnel.expect("a funnel");
    assert_eq!(
        (funnel.registered, funnel.joined, funnel.answered),
        (1, 0, 0)
    );
    assert_eq!(report.responses, 1, "her answers stay, no longer hers");
}

#[tokio::test]
async fn an_eventbrite_report_registers_its_attendees_and_lists_what_it_left_out() {
    use app::api::registrations::{ImportAttendees, ImportSummary};
    let sink = SmtpSink::start(0).await;
    let app = spawn_app_mailing(TestDb::new().await, &sink.url()).await;
    let ada = crate::helpers::organizer(&app).await;
    let event = event_with_registration(&app, 2).await;
    assert_eq!(
        register(&app, &event, "Ann", "ann@example.org")
            .await
            .status(),
        200
    );
    let csv = "Order #,First Name,Last Name,Email,Attendee Status\n\
        1,Ann,B,ANN@example.org,Attending\n\
        2,Ben,C,ben@example.org,Attending\n\
        3,Cy,D,cy@example.org,Not Attending\n\
        4,Di,E,di@example.org,Checked In\n\
        5,Ed,F,not-an-address,Attending\n";
    let summary: ImportSummary = ada
        .read::<ImportAttendees>(&[("slug", &event.slug), ("csv", csv)])
        .await;
    assert_eq!(
        (summary.registered, summary.waitlisted, summary.already),
        (1, 1, 1)
    );
    assert_eq!(summary.skipped.len(), 2, "{:?}", summary.skipped);
    assert!(
        summary.skipped[0].starts_with("line 4: not attending"),
        "{:?}",
        summary.skipped
    );
    assert!(
        summary.skipped[1].starts_with("line 6:"),
        "{:?}",
        summary.skipped
    );
    let people = registrations(&app, &event).await;
    let standing = |email: &str| {
        people
            .iter()
            .find(|p| p.email == email)
            .map(|p| (p.standing, p.source.clone()))
    };
    assert_eq!(
        standing("ben@example.org"),
        Some((Standing::Registered, "eventbrite".into()))
    );
    assert_eq!(
        standing("di@example.org"),
        Some((Standing::Waitlisted, "eventbrite".into()))
    );
    // Ann's confirmation, then Ben's, then Di's waitlist email; Ann is not emailed again.
    let mails = sink.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 3);
    assert_eq!(recipient(&mails[2]), "di@example.org");
    // A file that is not an attendee report is refused whole, nothing stored.
    let refused = ada
        .call::<ImportAttendees>(&[("slug", &event.slug), ("csv", "Name\nAda\n")])
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(registrations(&app, &event).await.len(), 3);
}

#[tokio::test]
async fn the_organizer_previews_each_email_and_sends_a_test_to_themself() {
    use app::api::registrations::{
        EmailPreview, FetchRegistrations, PreviewEmail, RegistrationsView, SendTestEmail,
    };
    let sink = SmtpSink::start(0).await;
    let app = spawn_app_mailing(TestDb::new().await, &sink.url()).await;
    let ada = crate::helpers::organizer(&app).await;
    let event = event_with_registration(&app, 10).await;
    let preview: EmailPreview = ada
        .read::<PreviewEmail>(&[("slug", &event.slug), ("kind", "two_hours")])
        .await;
    assert!(
        preview.subject.starts_with("In two hours"),
        "{}",
        preview.subject
    );
    assert!(preview.text.contains("zoom.example.org/j/4242"));
    assert!(
        preview
            .html
            .contains("<a href=\"https://zoom.example.org/j/4242\""),
        "{}",
        preview.html
    );
    let to: String = ada
        .read::<SendTestEmail>(&[("slug", &event.slug), ("kind", "feedback")])
        .await;
    assert_eq!(to, "ada@example.org");
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(recipient(&mail), "ada@example.org");
    assert!(
        subject(&mail).starts_with("Thank you for coming"),
        "{}",
        subject(&mail)
    );
    let view: RegistrationsView = ada
        .read::<FetchRegistrations>(&[("slug", &event.slug)])
        .await;
    assert!(view.mail_on);
    assert!(view.people.is_empty(), "a test registers nobody");

    // Without SMTP: registration works, the page says emails are off, a test is refused.
    let quiet = crate::helpers::spawn_app_on(TestDb::new().await).await;
    let bea = crate::helpers::organizer(&quiet).await;
    let event = event_with_registration(&quiet, 10).await;
    let page = register(&quiet, &event, "Ann", "ann@example.org").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .expect("page")
            .contains("emails are not sent from this server")
    );
    let view: RegistrationsView = bea
        .read::<FetchRegistrations>(&[("slug", &event.slug)])
        .await;
    assert!(!view.mail_on);
    assert_eq!(view.people.len(), 1);
    let refused = bea
        .call::<SendTestEmail>(&[("slug", &event.slug), ("kind", "confirmation")])
        .await;
    assert_eq!(refused.status(), 409);
    assert!(
        crate::helpers::error_of(refused)
            .await
            .to_string()
            .contains("emails are off")
    );
}

#[tokio::test]
async fn names_and_addresses_are_forgotten_keep_days_after_the_event() {
    let app = spawn_app_mailing(TestDb::new().await, "smtp://127.0.0.1:9").await;
    let event = event_with_registration(&app, 10).await;
    assert_eq!(
        register(&app, &event, "Ann", "ann@example.org")
            .await
            .status(),
        200
    );
    let token = registrations(&app, &event).await[0].token.clone();
    let stored = app.stored(&event).await;
    let clock = app.core.hub.clock().clone();
    let forget_at = stored.times().ends_at + chrono::Duration::days(90);
    clock.skip(
        (forget_at - chrono::Duration::minutes(1) - clock.now())
            .to_std()
            .expect("ahead"),
    );
    assert_eq!(
        app.core.forget_registrants_due().await.expect("a sweep"),
        0,
        "not yet"
    );
    clock.skip(Duration::from_secs(120));
    assert_eq!(app.core.forget_registrants_due().await.expect("a sweep"), 1);
    assert_eq!(
        app.core.forget_registrants_due().await.expect("a sweep"),
        0,
        "once"
    );
    let people = registrations(&app, &event).await;
    assert_eq!(
        (people[0].name.as_str(), people[0].email.as_str()),
        ("", "")
    );
    assert_eq!(people[0].standing, Standing::Registered, "the numbers stay");
    assert!(
        app.core
            .store
            .email_statuses(stored.id)
            .await
            .expect("emails")
            .is_empty(),
        "nothing is planned for a forgotten person"
    );
    let gone = app
        .browser()
        .get(&format!("/e/{}/me/{token}", event.slug))
        .await;
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn a_page_kept_for_newcomers_never_hides_the_call_from_a_registrant() {
    let app = spawn_app_mailing(TestDb::new().await, "smtp://127.0.0.1:9").await;
    let event = event_with_registration(&app, 10).await;
    // Newcomers first: their page (where to register, no call) is rendered once and
    // shown to the others.
    for _ in 0..3 {
        let page = app.browser().get(&format!("/e/{}", event.slug)).await;
        let page = page.text().await.expect("page");
        assert!(!page.contains("zoom.example.org"), "no call for a newcomer");
        assert!(page.contains(&format!("href=\"/e/{}/register\"", event.slug)));
    }
    assert_eq!(
        register(&app, &event, "Grace Hopper", "grace@example.org")
            .await
            .status(),
        200
    );
    let people = registrations(&app, &event).await;
    let grace = joined(&app, &event, &people[0].token).await;
    let page = grace.get(&format!("/e/{}", event.slug)).await;
    let page = page.text().await.expect("page");
    assert!(
        page.contains("https://zoom.example.org/j/4242"),
        "the registrant's own page, not the one kept for newcomers"
    );
}
