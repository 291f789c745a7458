//! Nobody in who does not belong: revoked links close their pages, bodies too large
//! are refused before they are read, floods are limited without shutting out a class.

use crate::helpers::{
    Browser, LiveClient, PATIENCE, TestApp, TestDb, error_of, event_from_cli, free_port,
    serve_process, spawn_app, spawn_app_with,
};
use app::api::auth::SignIn;
use app::api::events::{CreateEvent, RevokeRoleLink, RotateRoleLink};
use app::core::limits::LimitSettings;
use app::domain::limit::Rate;
use app::domain::pace::PaceVote;
use app::error::AppError;
use app::live::{ClientMsg, ErrorCode, ServerMsg};
use leptos::server_fn::ServerFn;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// An organizer who set Lectern up (any organizer may manage a command-line event).
async fn organizer(app: &TestApp) -> Browser {
    let ada = app.browser();
    assert!(ada.set_up("ada@example.org").await.status().is_success());
    ada
}

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
    assert!(matches!(
        classmate.act(|id| ClientMsg::Pace { id, vote }).await,
        ServerMsg::Ack { .. }
    ));
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
async fn session_cookies_are_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let event = app.create_event("Cookies").await;
    let page = app.browser().get(&format!("/e/{}", event.slug)).await;
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("lectern_session="))
        .expect("a session cookie")
        .to_lowercase();
    assert!(cookie.contains("httponly"), "{cookie}");
    assert!(cookie.contains("samesite=lax"), "{cookie}");
    assert!(
        !cookie.contains("secure"),
        "Secure only behind HTTPS (a setting): {cookie}"
    );
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
