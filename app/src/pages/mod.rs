//! One module per screen.

pub mod account;
pub mod attendee;
pub mod editor;
pub mod home;
pub mod not_found;
pub mod organizer;
pub mod overlay;
#[cfg(feature = "ssr")]
pub mod register;
pub mod registrations;
pub mod report;
pub mod staff;
pub mod stage;

use crate::components::chrome::ErrorNote;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

/// The `:slug` of the current route.
pub(crate) fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()))
}

/// The page's event and, from `?lang=`, the language a stage or overlay link asks for.
pub(crate) fn stage_params() -> Memo<(String, Option<String>)> {
    let slug = slug_param();
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| (slug.get(), query.with(|q| q.get("lang"))))
}

/// Sets the HTTP status of a server-rendered page (pages that use it render in
/// `SsrMode::Async`, so the status is still unsent when the data arrives).
pub(crate) fn set_status(status: http::StatusCode) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// How a page shows a failed load: signed-out organizers go to sign in, the rest read why.
pub(crate) fn failure(error: AppError) -> AnyView {
    // A page (unlike a server function) answers a signed-out visitor with a redirect,
    // whatever the request's Accept header says.
    set_status(if error == AppError::Unauthorized {
        http::StatusCode::FOUND
    } else {
        error.status()
    });
    match error {
        AppError::Unauthorized => view! { <Redirect path="/signin"/> }.into_any(),
        error => view! { <main class="page"><ErrorNote error/></main> }.into_any(),
    }
}

/// A line of "Loading…" that screen readers announce.
#[component]
pub(crate) fn Loading() -> impl IntoView {
    view! { <p class="muted loading" role="status">"Loading…"</p> }
}
