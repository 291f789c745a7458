//! Check-ins: "where are you joining from?" reaches every page, an edit replaces,
//! bad input is refused clearly, the presenter reads new places out.

use crate::helpers::{LiveClient, Reply, spawn_app};
use app::live::{ClientMsg, ErrorCode, ServerMsg};

async fn check_in(client: &mut LiveClient, place: &str, name: &str) -> ServerMsg {
    let (place, name) = (place.to_string(), name.to_string());
    client
        .act(|id| ClientMsg::CheckIn { id, place, name })
        .await
}

#[tokio::test]
async fn check_ins_from_several_attendees_reach_every_page() {
    let app = spawn_app().await;
    let event = app.create_event("Hello from").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_o, mut onlooker) = app.attendee(&event).await;
    for (place, name) in [("Pune", "Asha"), ("lagos", ""), ("Leeds, UK", "Tom")] {
        let (_b, mut attendee) = app.attendee(&event).await;
        check_in(&mut attendee, place, name).await.expect_ack();
    }
    for (client, staff) in [(&mut presenter, true), (&mut onlooker, false)] {
        let seen = client.snapshot_where(|s| s.checkins.count == 3).await;
        let mut labels: Vec<_> = seen
            .checkins
            .places
            .iter()
            .map(|p| p.label.as_str())
            .collect();
        labels.sort();
        assert_eq!(
            labels,
            ["Lagos, Nigeria", "Leeds, United Kingdom", "Pune, India"]
        );
        assert!(
            seen.checkins.places.iter().all(|p| p.point.is_some()),
            "all three are on the map"
        );
        // The places to read aloud are the presenter's, not every page's.
        let unread = seen.staff.map_or(0, |staff| staff.unread_places.len());
        assert_eq!(unread, if staff { 3 } else { 0 });
        assert!(seen.checkins.unread.is_empty());
    }
}

#[tokio::test]
async fn an_edit_replaces_the_earlier_check_in() {
    let app = spawn_app().await;
    let event = app.create_event("Edit").await;
    let (browser, mut attendee) = app.attendee(&event).await;
    check_in(&mut attendee, "Berlin", "Ada").await;
    check_in(&mut attendee, "Zurich", "Ada").await;
    let seen = attendee
        .snapshot_where(|s| {
            s.checkins
                .places
                .first()
                .is_some_and(|p| p.label.starts_with("Zürich"))
        })
        .await;
    assert_eq!(seen.checkins.count, 1);
    assert_eq!(seen.checkins.places.len(), 1);

    attendee.close().await;
    let mut again = browser.live(&event.slug, None).await.unwrap();
    match again.next().await {
        ServerMsg::Welcome {
            check_in: Some(mine),
            ..
        } => {
            assert_eq!(mine.place_text.as_str(), "Zurich");
            assert_eq!(mine.name.as_deref(), Some("Ada"));
        }
        other => panic!("expected my check-in in the welcome, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_places_still_count_under_their_own_words() {
    let app = spawn_app().await;
    let event = app.create_event("Unknown").await;
    let (_a, mut attendee) = app.attendee(&event).await;
    check_in(&mut attendee, "my kitchen table", "").await;
    let seen = attendee.snapshot_where(|s| s.checkins.count == 1).await;
    assert_eq!(seen.checkins.places[0].label, "my kitchen table");
    assert_eq!(seen.checkins.places[0].point, None);
}

#[tokio::test]
async fn bad_check_ins_are_refused_with_a_reason_and_nothing_is_stored() {
    let app = spawn_app().await;
    let event = app.create_event("Bad input").await;
    let (_a, mut attendee) = app.attendee(&event).await;
    let long_place = "x".repeat(81);
    let long_name = "y".repeat(41);
    for (place, name, expect) in [
        ("  ", "", "Place is required"),
        (&long_place, "", "Place is too long"),
        ("Pune", &long_name, "Name is too long"),
    ] {
        let message = check_in(&mut attendee, place, name)
            .await
            .expect_refused(ErrorCode::Invalid);
        assert!(message.starts_with(expect), "{place:?}/{name:?}: {message}");
    }
    let record = app.stored(&event).await;
    assert!(
        app.core
            .store
            .check_ins(record.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_presenter_marks_new_places_read_and_attendees_cannot() {
    let app = spawn_app().await;
    let event = app.create_event("Read aloud").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_a, mut attendee) = app.attendee(&event).await;
    check_in(&mut attendee, "Pune", "").await;
    let unread = |s: &app::live::LiveSnapshot| {
        s.staff
            .as_ref()
            .map_or(Vec::new(), |staff| staff.unread_places.clone())
    };
    presenter.snapshot_where(|s| unread(s).len() == 1).await;

    attendee
        .act(|id| ClientMsg::MarkPlacesRead { id })
        .await
        .expect_refused(ErrorCode::Forbidden);
    presenter
        .act(|id| ClientMsg::MarkPlacesRead { id })
        .await
        .expect_ack();
    let read = presenter.snapshot_where(|s| unread(s).is_empty()).await;
    assert_eq!(read.checkins.count, 1, "read places still count");

    check_in(&mut attendee, "Lagos", "").await;
    let fresh = presenter.snapshot_where(|s| !unread(s).is_empty()).await;
    assert_eq!(unread(&fresh), ["Lagos, Nigeria"]);
}

#[tokio::test]
async fn staff_cannot_check_in() {
    let app = spawn_app().await;
    let event = app.create_event("Staff").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    check_in(&mut presenter, "Pune", "")
        .await
        .expect_refused(ErrorCode::Forbidden);
}

#[tokio::test]
async fn the_stage_screen_is_public_and_watches_without_acting() {
    let app = spawn_app().await;
    let event = app.create_event("On stage").await;
    let viewer = app.browser();
    let page = viewer.get(&format!("/e/{}/stage", event.slug)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("On stage") && html.contains(&format!("/e/{}/qr.svg", event.slug)));

    let qr = viewer.get(&format!("/e/{}/qr.svg", event.slug)).await;
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().starts_with("<?xml"));
    assert_eq!(viewer.get("/e/no-such-event/qr.svg").await.status(), 404);
    let map = viewer.get("/map.svg").await.text().await.unwrap();
    assert!(map.contains("<path"), "the land is drawn");

    let mut stage = viewer.live(&event.slug, Some("stage")).await.unwrap();
    let (_a, mut attendee) = app.attendee(&event).await;
    check_in(&mut attendee, "Pune", "").await;
    let seen = stage.snapshot_where(|s| s.checkins.count == 1).await;
    assert_eq!(seen.online.screens, 1);
    assert_eq!(
        seen.online.attendees, 1,
        "the stage does not count as an attendee"
    );
    check_in(&mut stage, "Pune", "")
        .await
        .expect_refused(ErrorCode::Forbidden);
    stage
        .act(|id| ClientMsg::MarkPlacesRead { id })
        .await
        .expect_refused(ErrorCode::Forbidden);
}

/// A place the gazetteer does not know stores no point (null latitude and longitude);
/// a known one after it, on the same database connection, must still be stored. On
/// PostgreSQL, sqlx's `Any` driver declares a null `f64` as `float4`, and a statement
/// prepared with that declaration once refused every real latitude after it.
#[tokio::test]
async fn known_places_are_stored_after_unknown_ones() {
    let app = spawn_app().await;
    let event = app.create_event("Unknown, then known").await;
    for round in 0..6 {
        for place in ["my kitchen", "Pune"] {
            let (_b, mut attendee) = app.attendee(&event).await;
            let reply = check_in(&mut attendee, place, "").await;
            assert!(reply.is_ack(), "round {round}, {place}: {reply:?}");
        }
    }
}
