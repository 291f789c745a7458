//! The attendee page a crowd opens at once is rendered once and shown to all; it is
//! never shown across the event starting or ending.

use crate::helpers::{Reply, TestApp, spawn_app};
use app::live::ClientMsg;

async fn newcomers_page(app: &TestApp, slug: &str) -> String {
    let page = app.browser().get(&format!("/e/{slug}")).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers().get_all("set-cookie").iter().any(|c| c
            .to_str()
            .unwrap_or_default()
            .starts_with("lectern_attendee=")),
        "every newcomer gets an attendee cookie of their own"
    );
    page.text().await.expect("a page")
}

async fn shared(app: &TestApp) -> u64 {
    let text = app
        .browser()
        .get("/metrics")
        .await
        .text()
        .await
        .expect("metrics");
    text.lines()
        .find_map(|l| l.strip_prefix("lectern_attendee_pages_shared_total "))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

#[tokio::test]
async fn a_crowd_of_newcomers_shares_one_render_until_the_event_starts() {
    let app = spawn_app().await;
    let event = app.create_event("Crowd").await;
    // The metric is the process's, shared with tests running beside this one: it
    // only grows, so at least nine more means these nine were shared.
    let before = shared(&app).await;
    let first = newcomers_page(&app, &event.slug).await;
    for _ in 0..9 {
        assert_eq!(newcomers_page(&app, &event.slug).await, first);
    }
    assert!(
        shared(&app).await >= before + 9,
        "nine of the ten pages were the first one"
    );
    // Another language is another page.
    let german = app
        .browser()
        .get(&format!("/e/{}?lang=de", event.slug))
        .await;
    let german = german.text().await.expect("a page");
    assert_ne!(german, first);
    assert!(german.contains("lang=\"de\""), "the German page");

    let (_p, mut presenter) = app.presenter(&event).await;
    presenter
        .act(|id| ClientMsg::Start { id })
        .await
        .expect_ack();
    let started = newcomers_page(&app, &event.slug).await;
    assert_ne!(
        started, first,
        "the page kept from before the start is not shown"
    );
    assert_eq!(newcomers_page(&app, &event.slug).await, started);
}
