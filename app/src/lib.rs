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
pub mod lang;
pub mod live;
pub mod pages;
pub mod site;

use api::AttendeePage;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};
use pages::attendee::AttendeeApp;
use site::Assets;

/// The HTML document around a staff, organizer or stage page: the router's app, loading
/// the staff bundle.
pub fn shell(assets: Assets) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <site::Head css=assets.css bundle=assets.staff/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The HTML document around an attendee page: the page drawn from `page`, with `page`
/// itself in the document for the attendee bundle to draw the same page from.
pub fn attendee_shell(assets: Assets, page: AttendeePage) -> impl IntoView {
    let data = site::page_data(&page);
    let lang = page.lang.clone();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <site::Head css=assets.css bundle=assets.attendee/>
                <script type="application/json" id=site::PAGE_DATA_ID inner_html=data></script>
                <MetaTags/>
            </head>
            <body>
                <AttendeeApp page/>
            </body>
        </html>
    }
}

/// A page that needs no script: an attendee page's refusal ("no such event").
pub fn static_shell(assets: Assets, title: String, body: impl IntoView + 'static) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <site::Head css=assets.css bundle=None/>
                <title>{site::title(title)}</title>
            </head>
            <body>{body}</body>
        </html>
    }
}

/// The organizer's, the staff's and the stage's pages, one router.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=site::title/>
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
                <Route path=path!("/events/:slug/registrations") view=pages::registrations::RegistrationsPage ssr=SsrMode::Async/>
                <Route path=path!("/series/:id") view=pages::report::SeriesPage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug/present") view=pages::staff::PresenterPage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug/moderate") view=pages::staff::ModeratorPage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug/stage") view=pages::stage::StagePage ssr=SsrMode::Async/>
                <Route path=path!("/e/:slug/overlay") view=pages::overlay::OverlayPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// The staff bundle's entry point: makes a server-rendered staff page live.
#[cfg(feature = "hydrate")]
pub fn hydrate_staff() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    site::mark_hydrated();
}

/// The attendee bundle's entry point: draws the page from the data the server put in it
/// (the same data the server drew it from) and makes it live.
#[cfg(feature = "hydrate")]
pub fn hydrate_attendee() {
    console_error_panic_hook::set_once();
    match site::read_page_data::<AttendeePage>() {
        Ok(page) => {
            leptos::mount::hydrate_body(move || view! { <AttendeeApp page/> });
            site::mark_hydrated();
        }
        Err(e) => leptos::logging::error!("this page's data could not be read: {e}"),
    }
}
