//! Lectern's app: the pages and components of every screen, the pure domain rules, the
//! live protocol, and (feature `ssr`) the server-side core the pages call into.
//!
//! Built twice: for the server with `ssr` (rendering HTML, running server functions)
//! and to WebAssembly with `hydrate` (making that HTML live in the browser).

#![recursion_limit = "256"]

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod core;
pub mod domain;
pub mod error;
pub mod live;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="lectern" href="/pkg/lectern.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Lectern".to_string() } else { format!("{page} · Lectern") }/>
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/") view=pages::home::Home/>
                <Route path=path!("/setup") view=pages::account::Setup/>
                <Route path=path!("/signin") view=pages::account::SignIn/>
                <Route path=path!("/join/:token") view=pages::account::AcceptInvite/>
                <Route path=path!("/events") view=pages::organizer::EventList/>
                <Route path=path!("/events/new") view=pages::editor::NewEvent/>
                // Rendered whole before sending, so a missing event or a refused role
                // link answers with its real status code, and pages read fine without JS.
                <Route path=path!("/events/:slug") view=pages::organizer::EventPage ssr=SsrMode::Async/>
                <Route path=path!("/events/:slug/report") view=pages::report::ReportPage ssr=SsrMode::Async/>
                <Route path=path!("/series/:id") view=pages::report::SeriesPage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug/feedback") view=pages::attendee::FeedbackPage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug") view=pages::attendee::AttendeePage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug/present") view=pages::staff::PresenterPage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug/moderate") view=pages::staff::ModeratorPage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug/stage") view=pages::stage::StagePage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// The browser's entry point: makes the server-rendered page live.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Lets tests (and curious people) see that the page is interactive now.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
