//! The built site as browsers get it: hashed files compressed and cached for good, pages
//! compressed, each page loading its own bundle, an attendee page carrying its data.

use crate::helpers::{TestDb, spawn_app_on};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};

const WASM: &[u8] = b"\0asm pretend attendee bundle";
const WASM_BR: &[u8] = b"brotli bytes";
const WASM_GZ: &[u8] = b"gzip bytes";

/// Lays out a site as `scripts/build-site` does, in the folder the test server serves.
fn write_site(db: &TestDb) {
    let site = db.dir.path().join("site");
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).expect("the test site");
    std::fs::write(pkg.join("attendee-0123456789abcdef.wasm"), WASM).expect("the test site");
    std::fs::write(pkg.join("attendee-0123456789abcdef.wasm.br"), WASM_BR).expect("the test site");
    std::fs::write(pkg.join("attendee-0123456789abcdef.wasm.gz"), WASM_GZ).expect("the test site");
    std::fs::write(site.join("favicon.svg"), "<svg/>").expect("the test site");
    std::fs::write(
        site.join("assets.json"),
        r#"{
          "css": "/pkg/lectern-00000000000000aa.css",
          "attendee": { "js": "/pkg/attendee-0123456789abcdef.js", "wasm": "/pkg/attendee-0123456789abcdef.wasm" },
          "staff": { "js": "/pkg/staff-00000000000000bb.js", "wasm": "/pkg/staff-00000000000000bb.wasm" }
        }"#,
    )
    .expect("the test site");
}

async fn get(url: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(url);
    if let Some(encodings) = accept {
        request = request.header(ACCEPT_ENCODING, encodings);
    }
    request.send().await.expect("GET")
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap_or(""))
}

#[tokio::test]
async fn built_files_come_compressed_as_the_browser_asks_and_are_cached_for_good() {
    let db = TestDb::new().await;
    write_site(&db);
    let app = spawn_app_on(db).await;
    let url = format!("{}/pkg/attendee-0123456789abcdef.wasm", app.base);

    for (accept, encoding, body) in [
        (Some("br, gzip"), "br", WASM_BR),
        (Some("gzip"), "gzip", WASM_GZ),
        (None, "", WASM),
    ] {
        let response = get(&url, accept).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, CONTENT_ENCODING), encoding, "{accept:?}");
        assert_eq!(
            header(&response, CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            header(&response, reqwest::header::CONTENT_TYPE),
            "application/wasm"
        );
        assert_eq!(&response.bytes().await.unwrap()[..], body, "{accept:?}");
    }
}

#[tokio::test]
async fn a_missing_file_is_not_cached() {
    let db = TestDb::new().await;
    write_site(&db);
    let app = spawn_app_on(db).await;

    let missing = get(
        &format!("{}/pkg/attendee-ffffffffffffffff.wasm", app.base),
        None,
    )
    .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, CACHE_CONTROL), "");
    let unknown = get(&format!("{}/no/such/page", app.base), None).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(header(&unknown, CACHE_CONTROL), "");
    assert!(unknown.text().await.unwrap().contains("Nothing here"));

    let icon = get(&format!("{}/favicon.svg", app.base), None).await;
    assert_eq!(icon.status(), 200);
    assert_eq!(header(&icon, CACHE_CONTROL), "public, max-age=3600");
}

#[tokio::test]
async fn pages_are_compressed_and_each_loads_its_own_bundle() {
    let db = TestDb::new().await;
    write_site(&db);
    let app = spawn_app_on(db).await;
    let event = app.create_event("Dask Tutorial").await;

    let attendee = get(&format!("{}/e/{}", app.base, event.slug), Some("br")).await;
    assert_eq!(attendee.status(), 200);
    assert_eq!(header(&attendee, CONTENT_ENCODING), "br");

    let page = app
        .browser()
        .get(&format!("/e/{}", event.slug))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"href="/pkg/lectern-00000000000000aa.css""#),
        "{page}"
    );
    assert!(page.contains("/pkg/attendee-0123456789abcdef.js"), "{page}");
    assert!(
        page.contains("/pkg/attendee-0123456789abcdef.wasm"),
        "{page}"
    );
    assert!(!page.contains("/pkg/staff-"), "{page}");
    // The data the page was drawn from, for the bundle to draw it again.
    assert!(
        page.contains(r#"<script type="application/json" id="lectern-page">"#),
        "{page}"
    );
    assert!(page.contains(r#""title":"Dask Tutorial""#), "{page}");

    let stage = app
        .browser()
        .get(&format!("/e/{}/stage", event.slug))
        .await
        .text()
        .await
        .unwrap();
    assert!(stage.contains("/pkg/staff-00000000000000bb.js"), "{stage}");
    assert!(!stage.contains("/pkg/attendee-"), "{stage}");
}

#[tokio::test]
async fn an_unknown_event_answers_404_and_loads_no_bundle() {
    let db = TestDb::new().await;
    write_site(&db);
    let app = spawn_app_on(db).await;

    let response = app.browser().get("/e/no-such-event").await;
    assert_eq!(response.status(), 404);
    let page = response.text().await.unwrap();
    assert!(page.contains("Not found: event /e/no-such-event"), "{page}");
    assert!(!page.contains(r#"type="module""#), "{page}");
    assert!(
        !page.contains("/pkg/attendee-") && !page.contains("/pkg/staff-"),
        "{page}"
    );
}
