//! The presenter's pacing panel (`/e/{slug}/present`) and the co-instructor's console
//! (`/e/{slug}/moderate`). Both need their role's secret link; an attendee cookie does
//! not open them.

use super::{Loading, failure, set_status, slug_param};
use crate::api::StaffView;
use crate::api::events::fetch_staff_view;
use crate::components::agenda::AgendaList;
use crate::components::chrome::{LinkPill, TopBar, event_time};
use crate::components::live::use_live;
use crate::components::pace::PaceMeter;
use crate::domain::event::Role;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PresenterPage() -> impl IntoView {
    view! { <StaffPage role=Role::Presenter/> }
}

#[component]
pub fn ModeratorPage() -> impl IntoView {
    view! { <StaffPage role=Role::Moderator/> }
}

#[component]
fn StaffPage(role: Role) -> impl IntoView {
    let slug = slug_param();
    let view_data = Resource::new(move || slug.get(), move |slug| fetch_staff_view(slug, role));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(data) => view! { <StaffLive data/> }.into_any(),
                    Err(AppError::Forbidden) => {
                        set_status(http::StatusCode::FORBIDDEN);
                        view! {
                            <TopBar context=""/>
                            <main class="page narrow">
                                <h1>"This page needs its secret link"</h1>
                                <p>"Open the presenter or co-instructor link the organizer sent you. If it no longer works, it was replaced: ask for the new one."</p>
                            </main>
                        }.into_any()
                    }
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StaffLive(data: StaffView) -> impl IntoView {
    let StaffView {
        event,
        role,
        snapshot,
    } = data;
    let live = use_live(event.slug.clone(), Some(role), Some(snapshot));
    let context = match role {
        Role::Presenter => "Presenter",
        Role::Moderator => "Co-instructor",
    };
    view! {
        <Title text=format!("{context} · {}", event.title)/>
        <TopBar context><LinkPill state=live.state/></TopBar>
        <main class="page staff">
            <header class="event-head">
                <h1>{event.title.clone()}</h1>
                <p class="muted">{event_time(event.starts_at, &event.time_zone)}</p>
            </header>
            <div class="staff-grid">
                <PaceMeter live/>
                <AgendaList sections=event.sections.clone()/>
            </div>
        </main>
    }
}
