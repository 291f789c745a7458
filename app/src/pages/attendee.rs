//! `/e/{slug}`: the attendee's page, phone first — the pace buttons within reach, then
//! the materials and the agenda.

use super::{Loading, failure, slug_param};
use crate::api::EventPublic;
use crate::api::events::fetch_event_public;
use crate::components::agenda::AgendaList;
use crate::components::chrome::{LinkPill, TopBar, event_time};
use crate::components::live::use_live;
use crate::components::pace::PaceButtons;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AttendeePage() -> impl IntoView {
    let slug = slug_param();
    let event = Resource::new(move || slug.get(), fetch_event_public);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match event.await {
                    Ok(event) => view! { <AttendeeLive event/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AttendeeLive(event: EventPublic) -> impl IntoView {
    let live = use_live(event.slug.clone(), None, None);
    view! {
        <Title text=event.title.clone()/>
        <TopBar context="Attendee"><LinkPill state=live.state/></TopBar>
        <main class="page attendee">
            <header class="event-head">
                <h1>{event.title.clone()}</h1>
                {(!event.hosts.is_empty()).then(|| view! { <p class="hosts">"with "{event.hosts.clone()}</p> })}
                <p class="muted">{event_time(event.starts_at, &event.time_zone)}</p>
            </header>
            <PaceButtons live/>
            {(!event.materials.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="materials-heading">
                    <h2 id="materials-heading">"Materials"</h2>
                    <ul class="materials">
                        {event.materials.iter().map(|m| view! {
                            <li><a href=m.url.clone() target="_blank" rel="noopener noreferrer">{m.label.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            <AgendaList sections=event.sections.clone()/>
        </main>
    }
}
