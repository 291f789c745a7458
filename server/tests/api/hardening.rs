//! Nobody in who does not belong: revoked links close their pages, bodies too large
//! are refused before they are read, floods are limited without shutting out a class.

use crate::helpers::{
    Browser, LiveClient, PATIENCE, Reply, TestApp, TestDb, error_of, event_from_cli, free_port,
    organizer, serve_process, spawn_app, spawn_app_with,
};
use app::api::auth::SignIn;
use app::api::events::{CreateEvent, RevokeRoleLink, RotateRoleLink};
use app::core::limits::LimitSettings;
use app::domain::attendee::AttendeeId;
use app::domain::limit::Rate;
use app::domain::pace::PaceVote;
use app::error::AppError;
use app::live::{ClientMsg, ErrorCode, ServerMsg};
use leptos::server_fn::ServerFn;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Reads past snapshots until the page is told its link is gone, then expects the close.
async fn told_revoked_and_closed(mut live: LiveClient) {
    let told = tokio::time::timeout(PATIENCE, async {
        loop {
            match live.next_non_snapshot().await {
                ServerMsg::Welcome { .. } => continue,
                other => return other,
            }
        }
    });
    match told.await {
        Ok(ServerMsg::Error {
            code: ErrorCode::Revoked,
            id: None,
            message,
        }) => {
            assert!(message.contains("revoked or replaced"), "{message}");
        }
        other => panic!("expected the revocation, got {other:?}"),
    }
    let closed =
        tokio::time::timeout(PATIENCE, async { while live.try_next().await.is_some() {} }).await;
    assert!(closed.is_ok(), "the socket closes");
}

#[tokio::test]
async fn a_revoked_presenter_link_is_refused_and_its_open_socket_closed() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let event = app.create_event("Revoked").await;
    let (presenter_page, presenter) = app.presenter(&event).await;
    let (moderator_page, moderator) = app.moderator(&event).await;
    let (_a, mut attendee) = app.attendee(&event).await;

    let revoked = ada
        .call::<RevokeRoleLink>(&[("slug", &event.slug), ("role", "presenter")])
        .await;
    assert!(revoked.status().is_success());
    told_revoked_and_closed(presenter).await;
    assert!(
        presenter_page
            .live(&event.slug, Some("presenter"))
            .await
            .is_err(),
        "the link's session cannot come back"
    );
    assert_eq!(
        presenter_page
            .get(&format!("/r/{}", event.presenter_token))
            .await
            .status(),
        404
    );
    assert_eq!(
        presenter_page
            .get(&format!("/e/{}/present", event.slug))
            .await
            .status(),
        403
    );

    // Replacing a link closes the pages opened with the old one, and only those.
    let rotated = ada
        .call::<RotateRoleLink>(&[("slug", &event.slug), ("role", "moderator")])
        .await;
    assert!(rotated.status().is_success());
    told_revoked_and_closed(moderator).await;
    assert!(
        moderator_page
            .live(&event.slug, Some("moderator"))
            .await
            .is_err()
    );
    attendee.snapshot_where(|_| true).await;
}

#[tokio::test]
async fn a_body_too_large_is_refused_before_it_is_read() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let huge = "x".repeat(lectern::http::MAX_BODY_BYTES + 1);
    let refused = ada
        .http
        .post(ada.url(<CreateEvent as ServerFn>::PATH))
        .header("content-type", "application/json")
        .body(format!("{{\"draft\":{{\"title\":\"{huge}\"}}}}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(refused.status(), 413);
    assert!(
        app.core
            .store
            .events_for_organizer(1)
            .await
            .expect("events")
            .is_empty()
    );
}

#[tokio::test]
async fn an_attendee_who_floods_is_slowed_and_their_classmates_are_not() {
    let app = spawn_app().await;
    let event = app.create_event("Flood").await;
    let (_f, mut flooder) = app.attendee(&event).await;
    let (_c, mut classmate) = app.attendee(&event).await;
    let votes = [PaceVote::Slower, PaceVote::Faster];
    let (mut taken, mut slowed) = (0, 0);
    for i in 0..40 {
        let vote = Some(votes[i % 2]);
        match flooder.act(|id| ClientMsg::Pace { id, vote }).await {
            ServerMsg::Ack { .. } => taken += 1,
            ServerMsg::Error {
                code: ErrorCode::TooFast,
                message,
                ..
            } => {
                assert!(message.contains("Try again in"), "{message}");
                slowed += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(
        (30..=31).contains(&taken),
        "a burst of 30 is allowed, then 5 a second: {taken}"
    );
    assert_eq!(taken + slowed, 40);
    let vote = Some(PaceVote::JustRight);
    classmate
        .act(|id| ClientMsg::Pace { id, vote })
        .await
        .expect_ack();
    let counts = classmate
        .snapshot_where(|s| s.pace.just_right == 1)
        .await
        .pace;
    assert_eq!(
        counts.slower + counts.faster,
        1,
        "the flooder's last taken vote stands"
    );
}

/// Opens a live socket as if through the local proxy for a client at `address`.
async fn connect_from(app: &TestApp, slug: &str, address: &str) -> Result<(), u16> {
    let url = format!("{}/e/{slug}/live", app.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("request");
    request
        .headers_mut()
        .insert("origin", HeaderValue::from_str(&app.base).expect("origin"));
    request.headers_mut().insert(
        "x-forwarded-for",
        HeaderValue::from_str(address).expect("address"),
    );
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => Ok(()),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_flood_of_connections_from_one_address_is_cut_and_others_still_get_in() {
    let limits = LimitSettings {
        connections_per_address: Rate::new(20, 0.5),
        ..LimitSettings::default()
    };
    let app = spawn_app_with(TestDb::new().await, limits).await;
    let event = app.create_event("Connection flood").await;
    for _ in 0..20 {
        assert_eq!(
            connect_from(&app, &event.slug, "198.51.100.7").await,
            Ok(())
        );
    }
    assert_eq!(
        connect_from(&app, &event.slug, "198.51.100.7").await,
        Err(429)
    );
    assert_eq!(
        connect_from(&app, &event.slug, "203.0.113.9").await,
        Ok(()),
        "another address gets in"
    );
}

#[tokio::test]
async fn sign_in_attempts_are_limited_with_a_clear_answer() {
    let app = spawn_app().await;
    organizer(&app).await;
    let guesser = app.browser();
    for _ in 0..10 {
        let wrong = guesser
            .call::<SignIn>(&[
                ("email", "ada@example.org"),
                ("password", "not the password"),
            ])
            .await;
        assert_eq!(wrong.status(), 422);
    }
    let cut = guesser
        .call::<SignIn>(&[
            ("email", "ada@example.org"),
            ("password", "correct horse battery"),
        ])
        .await;
    assert_eq!(cut.status(), 429);
    assert!(
        matches!(error_of(cut).await, AppError::TooMany(m) if m.contains("Too many sign-in attempts"))
    );
}

#[tokio::test]
async fn cookies_are_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let event = app.create_event("Cookies").await;
    // An attendee's cookie comes with the event page, a session with a role link.
    let page = app.browser().get(&format!("/e/{}", event.slug)).await;
    let role_link = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{}/r/{}", app.base, event.presenter_token))
        .send()
        .await
        .expect("GET");
    for (response, name) in [(page, "lectern_attendee="), (role_link, "lectern_session=")] {
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("a {name} cookie"))
            .to_lowercase();
        assert!(cookie.contains("httponly"), "{cookie}");
        assert!(cookie.contains("samesite=lax"), "{cookie}");
        assert!(
            !cookie.contains("secure"),
            "Secure only behind HTTPS (a setting): {cookie}"
        );
    }
}

#[tokio::test]
async fn a_state_change_from_another_site_or_by_get_is_refused() {
    let app = spawn_app().await;
    let ada = organizer(&app).await;
    let event = app.create_event("Forged").await;
    let path = <RevokeRoleLink as ServerFn>::PATH;
    let forged = ada
        .http
        .post(ada.url(path))
        .header("origin", "https://evil.example.org")
        .form(&[("slug", event.slug.as_str()), ("role", "presenter")])
        .send()
        .await
        .expect("an answer");
    assert_eq!(forged.status(), 403);
    let by_get = ada
        .http
        .get(format!(
            "{}?slug={}&role=presenter",
            ada.url(path),
            event.slug
        ))
        .send()
        .await
        .expect("an answer");
    assert!(!by_get.status().is_success(), "{}", by_get.status());
    assert!(
        app.core
            .store
            .role_links(app.stored(&event).await.id)
            .await
            .expect("links")
            .iter()
            .any(|l| l.role == app::domain::event::Role::Presenter),
        "the presenter link still works"
    );
}

#[tokio::test]
async fn tokens_and_cookies_never_reach_the_logs() {
    let db = TestDb::new().await;
    let links = event_from_cli(&db);
    let token = links["presenter"]
        .as_str()
        .and_then(|link| link.rsplit('/').next())
        .expect("token")
        .to_string();
    let port = free_port();
    let mut server = serve_process(&db, port, "debug", &[]).await;
    let base = format!("http://127.0.0.1:{port}");
    let browser = Browser::at(&base);
    let page = browser.get(&format!("/r/{token}")).await;
    assert!(page.url().path().ends_with("/present"));
    let mut live = browser
        .live(links["slug"].as_str().expect("slug"), Some("presenter"))
        .await
        .expect("live");
    live.snapshot_where(|_| true).await;
    let cookie = reqwest::cookie::CookieStore::cookies(&*browser.jar, &base.parse().expect("url"))
        .expect("a session cookie");
    let session = cookie
        .to_str()
        .expect("cookie")
        .trim_start_matches("lectern_session=")
        .to_string();
    server.start_kill().expect("stop");
    server.wait().await.expect("stopped");
    let logged = std::fs::read_to_string(db.dir.path().join("server.log")).expect("the log");
    assert!(
        logged.contains("/r/{token}"),
        "requests are logged by route: {logged}"
    );
    assert!(!logged.contains(&token), "the role token is in the log");
    assert!(
        !logged.contains(&session),
        "the session cookie is in the log"
    );
}

#[tokio::test]
async fn the_snapshot_every_page_gets_stays_small_whatever_attendees_send() {
    use app::core::hub::Attendee;
    use app::domain::question::MAX_QUESTION_CHARS;
    use app::live::{MAX_PUBLIC_SNAPSHOT_BYTES, Viewer};
    let app = spawn_app().await;
    let event = app.create_event("Flooded").await;
    let record = app.stored(&event).await;
    let (_b, mut page) = app.attendee(&event).await;
    let before = loop {
        let (text, _) = page.next_live().await;
        if text.starts_with(r#"{"type":"snapshot""#) {
            break text.len();
        }
    };

    // 2,700 attendees, each from a place of their own with the longest name allowed,
    // and 60 of them asking the longest question allowed, in four-byte characters.
    let crowd = futures_util::future::join_all((0..2_700).map(|n| {
        let hub = app.core.hub.clone();
        let record = record.clone();
        async move {
            let attendee = Attendee {
                id: AttendeeId::parse(&format!("troll-{n}")).expect("an id"),
                address: std::net::Ipv4Addr::LOCALHOST.into(),
            };
            let member = hub
                .join(&record, Viewer::Attendee, Some(attendee))
                .await
                .expect("joins");
            let place = format!("{n:04} {}", "🏰".repeat(75));
            member
                .act(ClientMsg::CheckIn {
                    id: uuid::Uuid::new_v4(),
                    place,
                    name: String::new(),
                })
                .await
                .expect("checked in");
            if n < 60 {
                let text = format!("{n:04} {}", "🐍".repeat(MAX_QUESTION_CHARS - 5));
                member
                    .act(ClientMsg::Ask {
                        id: uuid::Uuid::new_v4(),
                        text,
                        name: "😀".repeat(60),
                    })
                    .await
                    .expect("asked");
            }
            member
        }
    }))
    .await;

    // Every message on the way stays small (the deltas carry what changed; a list that
    // changed is sent whole, as cut to fit), and so does the whole state a page that
    // joins (or resyncs) gets after the flood.
    let mut largest = 0;
    let flooded = loop {
        let (text, msg) = page.next_live().await;
        largest = largest.max(text.len());
        if let ServerMsg::Snapshot(s) = msg
            && s.checkins.count == 2_700
            && !s.questions.is_empty()
        {
            break s;
        }
    };
    assert!(
        largest <= MAX_PUBLIC_SNAPSHOT_BYTES,
        "a {largest}-byte message (the snapshot was {before} bytes before the flood)"
    );
    let (_late, mut late) = app.attendee(&event).await;
    let bytes = loop {
        let text = late.next_text().await;
        if text.starts_with(r#"{"type":"snapshot""#) {
            break text.len();
        }
    };
    assert!(
        bytes <= MAX_PUBLIC_SNAPSHOT_BYTES,
        "{bytes} bytes (it was {before} before the flood)"
    );
    let snapshot = flooded;
    assert!(!snapshot.checkins.places.is_empty(), "places still shown");
    assert!(!snapshot.questions.is_empty(), "questions still shown");
    assert_eq!(snapshot.checkins.count, 2_700, "everyone still counted");
    drop(crowd);
}

/// Calls `SignIn` as a browser at `address` would reach it through the proxy in front.
async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}{}", app.base, SignIn::PATH))
        .header("accept", "application/json")
        .header("x-forwarded-for", address)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_sign_in_limit_holds_for_every_spelling_of_the_email() {
    let app = spawn_app().await;
    organizer(&app).await;
    for n in 0..10 {
        let guesser = format!("198.51.100.{n}");
        assert_eq!(
            sign_in_from(&app, &guesser, "ada@example.org", "wrong password").await,
            422
        );
    }
    for spelling in [" ada@example.org", "ADA@Example.org", "ada@example.org\t"] {
        assert_eq!(
            sign_in_from(&app, "203.0.113.5", spelling, "correct horse battery").await,
            429,
            "{spelling:?} is the same account"
        );
    }
}

#[tokio::test]
async fn the_owner_gets_in_from_where_they_signed_in_before_while_guesses_are_cut() {
    let app = spawn_app().await;
    organizer(&app).await;
    let office = "192.0.2.10";
    assert_eq!(
        sign_in_from(&app, office, "ada@example.org", "correct horse battery").await,
        200
    );
    for n in 0..12 {
        let guesser = format!("198.51.100.{n}");
        sign_in_from(&app, &guesser, "ada@example.org", "wrong password").await;
    }
    assert_eq!(
        sign_in_from(
            &app,
            "203.0.113.5",
            "ada@example.org",
            "correct horse battery"
        )
        .await,
        429,
        "a new address waits"
    );
    assert_eq!(
        sign_in_from(&app, office, "ada@example.org", "correct horse battery").await,
        200,
        "the owner's own address gets in"
    );
}

/// Rows in the session store (tower-sessions' table).
async fn session_rows(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db().url)
        .await
        .expect("the test database");
    let table = match app.core.store.backend() {
        app::core::store::Backend::Sqlite => "tower_sessions",
        app::core::store::Backend::Postgres => "tower_sessions.session",
    };
    let row = sqlx::query(&format!("select count(*) as n from {table}"))
        .fetch_one(&pool)
        .await
        .expect("the session table");
    row.try_get::<i64, _>("n").expect("a count")
}

#[tokio::test]
async fn visitors_who_only_look_or_vote_store_no_session() {
    let app = spawn_app().await;
    let event = app.create_event("Anyone").await;
    let visitor = app.browser();
    for n in 0..30 {
        assert_eq!(
            visitor.get(&format!("/e/no-such-event-{n}")).await.status(),
            404
        );
        assert_eq!(
            app.browser()
                .get(&format!("/e/{}", event.slug))
                .await
                .status(),
            200
        );
    }
    for path in ["qr.svg", "calendar.ics", "feedback", "stage"] {
        assert_eq!(
            app.browser()
                .get(&format!("/e/{}/{path}", event.slug))
                .await
                .status(),
            200
        );
    }
    // An attendee who opens the live page and votes is their cookie, not a stored row.
    let (_b, mut attendee) = app.attendee(&event).await;
    let acked = attendee
        .act(|id| ClientMsg::Pace {
            id,
            vote: Some(PaceVote::Slower),
        })
        .await;
    acked.expect_ack();
    assert_eq!(session_rows(&app).await, 0);
}

#[tokio::test]
async fn the_attendee_cookie_keeps_a_browser_the_same_attendee_and_cannot_be_forged() {
    let app = spawn_app().await;
    let event = app.create_event("Who am I").await;
    let (browser, mut first) = app.attendee(&event).await;
    first
        .act(|id| ClientMsg::Pace {
            id,
            vote: Some(PaceVote::Faster),
        })
        .await;
    drop(first);
    // The same browser comes back: its vote is still its own.
    let mut again = browser.live(&event.slug, None).await.expect("connects");
    match again.next().await {
        ServerMsg::Welcome { pace, .. } => assert_eq!(pace, Some(PaceVote::Faster)),
        other => panic!("expected a welcome, got {other:?}"),
    }
    // A cookie this server did not sign names a new attendee.
    let forger = app.browser();
    forger.jar.add_cookie_str(
        &format!("lectern_attendee={}.{}", "0".repeat(32), "0".repeat(32)),
        &app.base.parse().expect("url"),
    );
    let mut forged = forger.live(&event.slug, None).await.expect("connects");
    match forged.next().await {
        ServerMsg::Welcome { pace, .. } => assert_eq!(pace, None),
        other => panic!("expected a welcome, got {other:?}"),
    }
}

#[tokio::test]
async fn one_browser_with_fifty_pages_counts_once_and_holds_a_few_of_them() {
    use app::live::MAX_PAGES_PER_ATTENDEE;
    let app = spawn_app().await;
    let event = app.create_event("Tabs").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let browser = app.browser();
    assert_eq!(
        browser.get(&format!("/e/{}", event.slug)).await.status(),
        200
    );
    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..50 {
        let mut page = browser.live(&event.slug, None).await.expect("handshake");
        match page.next().await {
            ServerMsg::Welcome { .. } => open.push(page),
            ServerMsg::Error {
                code: ErrorCode::TooMany,
                ..
            } => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(open.len(), MAX_PAGES_PER_ATTENDEE);
    assert_eq!(refused, 50 - MAX_PAGES_PER_ATTENDEE);
    let seen = presenter
        .snapshot_where(|s| s.online.attendees == 1 && s.staff.is_some())
        .await;
    assert_eq!(seen.online.attendees, 1, "one person, however many tabs");
}

#[tokio::test]
async fn a_page_of_another_scheme_or_site_may_not_write_or_connect() {
    let app = spawn_app().await;
    let event = app.create_event("Origins").await;
    let browser = app.browser();
    assert_eq!(
        browser.get(&format!("/e/{}", event.slug)).await.status(),
        200
    );
    let port = app.base.rsplit(':').next().expect("a port");
    for origin in [
        format!("https://127.0.0.1:{port}"),
        format!("evil://127.0.0.1:{port}"),
        "http://evil.example".to_string(),
    ] {
        let socket = browser.live_from(&event.slug, None, &origin).await;
        assert!(socket.is_err(), "{origin} connected");
        let write = browser
            .http
            .post(format!("{}{}", app.base, SignIn::PATH))
            .header("origin", &origin)
            .form(&[("email", "a@example.org"), ("password", "x")])
            .send()
            .await
            .expect("POST");
        assert_eq!(write.status(), 403, "{origin} wrote");
    }
    assert!(
        browser
            .live_from(&event.slug, None, &app.base)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_request_that_never_finishes_its_headers_is_dropped_and_idle_ones_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app_with_connections(lectern::listen::ConnectionSettings {
        header_timeout: std::time::Duration::from_secs(1),
        open_per_address: 8,
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let closed_within = |mut tcp: tokio::net::TcpStream, patience: std::time::Duration| async move {
        let mut buf = [0u8; 1024];
        tokio::time::timeout(patience, async {
            loop {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => continue,
                }
            }
        })
        .await
        .is_ok()
    };
    // Half a request, then silence.
    let mut slow = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("writes");
    assert!(
        closed_within(slow, std::time::Duration::from_secs(4)).await,
        "slow headers kept"
    );
    // One request answered, then nothing more on the kept-alive connection.
    let mut idle = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("writes");
    assert!(
        closed_within(idle, std::time::Duration::from_secs(4)).await,
        "idle connection kept"
    );

    // One address holds at most its share at once; the next is closed at once.
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connects"),
        );
    }
    let extra = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    assert!(
        closed_within(extra, std::time::Duration::from_millis(500)).await,
        "a ninth was kept"
    );
    drop(held);
}

#[tokio::test]
async fn a_server_function_body_that_does_not_read_gets_its_status_not_a_failure() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let browser = app.browser();
    // A field missing from a form, and JSON that is not the function's arguments: 422.
    let missing = browser
        .call::<SignIn>(&[("email", "ada@example.org")])
        .await;
    assert_eq!(missing.status(), 422);
    assert!(
        matches!(error_of(missing).await, AppError::Invalid(e) if e.to_string().contains("password"))
    );
    let garbled = browser
        .call_json::<app::api::feedback::SubmitFeedback>(serde_json::json!({ "slug": 5 }))
        .await;
    assert_eq!(garbled.status(), 422);

    // Too large, sent in chunks (no length to refuse it by up front): 413.
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut tcp = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        SignIn::PATH
    );
    tcp.write_all(head.as_bytes()).await.expect("writes");
    let chunk = "a".repeat(64 * 1024);
    for _ in 0..(lectern::http::MAX_BODY_BYTES / chunk.len() + 2) {
        if tcp
            .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
            .await
            .is_err()
        {
            break; // refused before the end
        }
    }
    let _ = tcp.write_all(b"0\r\n\r\n").await;
    let mut answer = String::new();
    let _ = tcp.read_to_string(&mut answer).await;
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{}",
        answer.lines().next().unwrap_or("")
    );
}
