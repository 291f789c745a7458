//! What the browser loads besides the HTML: the stylesheet and the two WebAssembly
//! bundles, by the hashed names `scripts/build-site` gave them (listed in the site's
//! `assets.json`), and the data an attendee page is drawn from.
//!
//! There are two bundles so that a phone on a slow network downloads only what the
//! attendee's pages need: the `attendee` bundle hydrates `/e/{slug}` and its survey,
//! the `staff` bundle (with the router) everything else.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The built site's addresses, read from `assets.json` when the server starts. Missing
/// parts (a server run without a built site, as in the integration tests) leave pages
/// without styles or scripts: readable, not interactive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assets {
    /// The stylesheet every page links, e.g. `/pkg/lectern-3f2a….css`.
    pub css: Option<String>,
    /// Hydrates the organizer, presenter, co-instructor and stage pages.
    pub staff: Option<Bundle>,
    /// Hydrates the attendee's pages.
    pub attendee: Option<Bundle>,
}

/// One bundle: wasm-bindgen's JavaScript glue and the WebAssembly it loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    pub js: String,
    pub wasm: String,
}

/// The `id` of the `<script type="application/json">` holding an attendee page's data.
pub const PAGE_DATA_ID: &str = "lectern-page";

/// "Dask Tutorial · Lectern", or "Lectern" for a page without a title of its own.
pub fn title(page: String) -> String {
    if page.is_empty() {
        "Lectern".to_string()
    } else {
        format!("{page} · Lectern")
    }
}

/// The `<head>` every page shares: the viewport, the icon, the stylesheet and the bundle
/// that makes the page live (fetched while the HTML is parsed, run once it is).
#[component]
pub fn Head(css: Option<String>, bundle: Option<Bundle>) -> impl IntoView {
    let scripts = bundle.map(|bundle| {
        let start = format!(
            "import init, {{ hydrate }} from '{js}';\ninit({{ module_or_path: '{wasm}' }}).then(hydrate);",
            js = bundle.js,
            wasm = bundle.wasm
        );
        view! {
            <link rel="modulepreload" href=bundle.js.clone()/>
            <link rel="preload" href=bundle.wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin=""/>
            <script type="module" inner_html=start></script>
        }
    });
    view! {
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
        {css.map(|href| view! { <link rel="stylesheet" href=href/> })}
        {scripts}
    }
}

/// `value` as JSON that is safe inside a `<script>` element: no `<` can close it early.
pub fn page_data<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".to_string())
        .replace('<', "\\u003c")
}

/// The page data the server put in the document ([`page_data`]).
#[cfg(feature = "hydrate")]
pub fn read_page_data<T: serde::de::DeserializeOwned>() -> Result<T, String> {
    let text = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(PAGE_DATA_ID))
        .and_then(|e| e.text_content())
        .ok_or_else(|| format!("no #{PAGE_DATA_ID} element"))?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// Lets tests (and curious people) see that the page is interactive now.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_data_cannot_close_its_script_element() {
        let json = page_data(&"</script><script>alert(1)</script>");
        assert!(!json.contains('<'), "{json}");
        assert_eq!(
            serde_json::from_str::<String>(&json).unwrap(),
            "</script><script>alert(1)</script>"
        );
    }

    #[test]
    fn titles_name_the_page_then_lectern() {
        assert_eq!(title("Dask Tutorial".into()), "Dask Tutorial · Lectern");
        assert_eq!(title(String::new()), "Lectern");
    }
}
