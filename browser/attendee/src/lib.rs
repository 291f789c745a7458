//! The attendee bundle: what a phone downloads for `/e/{slug}` and its survey. It holds
//! only the attendee's pages (no router, no organizer or staff screens), so it stays
//! small; `scripts/build-site` builds it and `app::site` names it in the page.

#![cfg(target_arch = "wasm32")]

/// Called by the page's module script once the WebAssembly is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    app::hydrate_attendee();
}
