//! The staff bundle: the router and every page but the attendee's (organizer, presenter,
//! co-instructor, stage, report); `scripts/build-site` builds it and `app::site` names it
//! in the page.

#![cfg(target_arch = "wasm32")]

/// Called by the page's module script once the WebAssembly is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    app::hydrate_staff();
}
