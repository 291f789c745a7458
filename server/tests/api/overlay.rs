//! The stream overlay over real sockets: the staff choose its scene, every page (the
//! overlay's own, as a stage screen) follows it, a question goes on only if the room may
//! see it, and the choice outlives a restart.

use crate::helpers::{Reply, spawn_app, spawn_app_on};
use app::domain::overlay::{OverlayQuestion, OverlayScene};
use app::domain::question::Moderation;
use app::live::{ClientMsg, ErrorCode};

fn show(scene: OverlayScene) -> impl FnOnce(uuid::Uuid) -> ClientMsg {
    move |id| ClientMsg::Overlay { id, scene }
}

#[tokio::test]
async fn the_staff_choose_the_scene_and_every_page_follows_it_even_after_a_restart() {
    let mut app = spawn_app().await;
    let event = app.create_event("On the stream").await;
    let (_p, mut presenter) = app.presenter(&event).await;
    let (_m, mut moderator) = app.moderator(&event).await;
    let (_a, mut ana) = app.attendee(&event).await;
    let screen = app.browser();
    let mut overlay = screen.live(&event.slug, Some("stage")).await.unwrap();

    let first = overlay.snapshot_where(|_| true).await;
    assert_eq!(first.overlay, None, "a new event's overlay shows nothing");
    presenter
        .act(show(OverlayScene::Countdown))
        .await
        .expect_ack();
    overlay
        .snapshot_where(|s| {
            s.overlay
                .as_ref()
                .is_some_and(|o| o.scene == OverlayScene::Countdown)
        })
        .await;
    moderator.act(show(OverlayScene::Poll)).await.expect_ack();
    overlay
        .snapshot_where(|s| {
            s.overlay
                .as_ref()
                .is_some_and(|o| o.scene == OverlayScene::Poll)
        })
        .await;
    let refused = ana
        .act(show(OverlayScene::Join))
        .await
        .expect_refused(ErrorCode::Forbidden);
    assert!(refused.contains("overlay"), "{refused}");
    let refused = overlay
        .act(show(OverlayScene::Join))
        .await
        .expect_refused(ErrorCode::Forbidden);
    assert!(refused.contains("overlay"), "{refused}");

    // A question: its words (and the asker's name) go on; dismissed, it comes off.
    let question = uuid::Uuid::new_v4();
    ana.send(&ClientMsg::Ask {
        id: question,
        text: "Does this work with Dask arrays?".into(),
        name: "Ana".into(),
    })
    .await;
    ana.answer_to(question).await.expect_ack();
    presenter
        .act(show(OverlayScene::Question { id: question }))
        .await
        .expect_ack();
    let on = overlay
        .snapshot_where(|s| s.overlay.as_ref().is_some_and(|o| o.question.is_some()))
        .await;
    assert_eq!(
        on.overlay.unwrap().question,
        Some(OverlayQuestion {
            text: "Does this work with Dask arrays?".into(),
            name: Some("Ana".into()),
        })
    );
    moderator
        .act(|id| ClientMsg::Moderate {
            id,
            question,
            from: 0,
            action: Moderation::Dismiss,
        })
        .await
        .expect_ack();
    overlay.snapshot_where(|s| s.overlay.is_none()).await;
    // A dismissed question (or one nobody asked) cannot be put on.
    let refused = presenter
        .act(show(OverlayScene::Question { id: question }))
        .await
        .expect_refused(ErrorCode::Invalid);
    assert!(refused.contains("not public"), "{refused}");
    presenter
        .act(show(OverlayScene::Question {
            id: uuid::Uuid::new_v4(),
        }))
        .await
        .expect_refused(ErrorCode::Invalid);

    // The choice is stored: a restarted server shows the same scene.
    presenter
        .act(show(OverlayScene::Section))
        .await
        .expect_ack();
    overlay
        .snapshot_where(|s| {
            s.overlay
                .as_ref()
                .is_some_and(|o| o.scene == OverlayScene::Section)
        })
        .await;
    drop((presenter, moderator, ana, overlay));
    app.shut_down();
    let app = spawn_app_on(app.db()).await;
    let mut overlay = app
        .browser()
        .live(&event.slug, Some("stage"))
        .await
        .unwrap();
    let after = overlay.snapshot_where(|_| true).await;
    assert_eq!(after.overlay.map(|o| o.scene), Some(OverlayScene::Section));
}
