//! `/e/{slug}/stage`: the big screen a presenter shares into the call before the start
//! (1920×1080, readable as a thumbnail): title, countdown, a QR code and the address to
//! join, how many are here, the newest places and the world map. Nothing to click.

use super::{Loading, failure, slug_param};
use crate::api::StageView;
use crate::api::events::fetch_stage_view;
use crate::components::chrome::{JoinAddress, short_address};
use crate::components::live::{use_live, use_phase};
use crate::components::world_map::WorldMap;
use crate::domain::checkin::spoken_list;
use crate::domain::event::{Phase, countdown};
use crate::live::Viewer;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StagePage() -> impl IntoView {
    let slug = slug_param();
    let stage = Resource::new(move || slug.get(), fetch_stage_view);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match stage.await {
                    Ok(stage) => view! { <StageLive stage/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StageLive(stage: StageView) -> impl IntoView {
    let StageView { event, join_url } = stage;
    let live = use_live(&event, Viewer::Stage, None);
    let (now, phase) = use_phase(live, event.lifecycle);
    let starts_at = event.starts_at;
    let headline = move || match phase.get() {
        Phase::Scheduled | Phase::DoorsOpen => {
            format!("Starts {}", countdown(now.get(), starts_at))
        }
        Phase::Live => "Live now".to_string(),
        Phase::Ended => "Thank you for joining!".to_string(),
    };
    let tally = move || live.checkins();
    let short_url = short_address(&join_url);
    view! {
        <Title text=format!("Stage · {}", event.title)/>
        <main class="stage">
            <section class="stage-left">
                {(!event.hosts.is_empty()).then(|| view! { <p class="stage-hosts">{event.hosts.clone()}</p> })}
                <h1 class="stage-title">{event.title.clone()}</h1>
                <p class="stage-headline" data-testid="stage-headline">{headline}</p>
                <div class="stage-join">
                    <img class="stage-qr" src=format!("/e/{}/qr.svg", event.slug) alt=format!("QR code for {short_url}")/>
                    <div>
                        <p class="stage-join-label">"Join at"</p>
                        <p class="stage-url"><JoinAddress url=join_url.clone()/></p>
                        <p class="stage-join-label">"Say hi and tell us where you are joining from"</p>
                    </div>
                </div>
            </section>
            <section class="stage-right">
                <WorldMap live/>
                <p class="stage-count">
                    <strong data-testid="stage-count">{move || tally().count}</strong>
                    {move || if tally().count == 1 { " person here" } else { " people here" }}
                </p>
                <p class="stage-countries" data-testid="stage-countries">
                    {move || tally().countries.into_iter().take(6).map(|(country, n)| format!("{country} {n}")).collect::<Vec<_>>().join(" · ")}
                </p>
                <p class="stage-newest" data-testid="stage-newest">
                    {move || {
                        let newest = tally().newest;
                        if newest.is_empty() { String::new() } else { format!("Hello, {}!", spoken_list(&newest)) }
                    }}
                </p>
            </section>
        </main>
    }
}
