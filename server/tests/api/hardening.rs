//! Nobody in who does not belong: revoked links close their pages, bodies too large
//! are refused before they are read, floods are limited without shutting out a class.

use crate::helpers::{Browser, LiveClient, PATIENCE, TestApp, spawn_app};
use app::api::events::{CreateEvent, RevokeRoleLink, RotateRoleLink};
use app::live::{ErrorCode, ServerMsg};
use leptos::server_fn::ServerFn;

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
