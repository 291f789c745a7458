//! `/e/{slug}/stage`: the big screen a presenter shares into the call before the start
//! (1920×1080, readable as a thumbnail): title, countdown, a QR code and the address to
//! join, how many are here, the newest places and the world map (or, while one is
//! asked, the word cloud). Nothing to click.

use super::{Loading, failure, stage_params};
use crate::api::StageView;
use crate::api::events::fetch_stage_view;
use crate::components::chrome::{JoinAddress, short_address};
use crate::components::cloud::CloudResults;
use crate::components::live::{use_live, use_phase};
use crate::components::world_map::WorldMap;
use crate::domain::event::Countdown;
use crate::lang::i18n::td_string;
use crate::lang::{self, Lang};
use crate::live::Viewer;
use crate::tr;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StagePage() -> impl IntoView {
    let params = stage_params();
    let stage = Resource::new(
        move || params.get(),
        |(slug, lang)| fetch_stage_view(slug, lang),
    );
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
    let StageView {
        event,
        join_url,
        lang,
    } = stage;
    let locale = Lang::provide_code(&lang).get_untracked();
    let live = use_live(&event, Viewer::Stage, None);
    let (now, phase) = use_phase(live, event.lifecycle);
    let starts_at = event.starts_at;
    let headline =
        move || lang::headline(locale, phase.get(), Countdown::until(now.get(), starts_at));
    let tally = move || live.checkins();
    // A word cloud asked now takes the map's place, so the room sees itself answer.
    let cloud = Memo::new(move |_| {
        let current = live.agenda().and_then(|a| a.current);
        live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.poll.clone())
                .filter(|p| p.spec.words && p.shown_to_attendees(current))
        })
    });
    let short_url = short_address(&join_url);
    view! {
        <Title text=format!("{} · {}", td_string!(locale, stage.title), event.title)/>
        <main class="stage" lang=crate::lang::code(locale)>
            <section class="stage-left">
                {(!event.hosts.is_empty()).then(|| view! { <p class="stage-hosts">{event.hosts.clone()}</p> })}
                <h1 class="stage-title">{event.title.clone()}</h1>
                <p class="stage-headline" data-testid="stage-headline">{headline}</p>
                <div class="stage-join">
                    <img class="stage-qr" src=format!("/e/{}/qr.svg", event.slug) alt=format!("{}: {short_url}", td_string!(locale, stage.qr))/>
                    <div>
                        <p class="stage-join-label">{td_string!(locale, stage.join_at)}</p>
                        <p class="stage-url"><JoinAddress url=join_url.clone()/></p>
                        <p class="stage-join-label">{td_string!(locale, stage.say_hi)}</p>
                    </div>
                </div>
            </section>
            {move || cloud.get().map(|poll| view! {
                <section class="stage-right stage-cloud" data-testid="stage-cloud">
                    <h2 class="stage-prompt">{poll.spec.question.clone()}</h2>
                    <CloudResults poll/>
                </section>
            })}
            <section class="stage-right" hidden=move || cloud.with(Option::is_some)>
                <WorldMap live/>
                <p class="stage-count">
                    <strong data-testid="stage-count">{move || tally().count}</strong>
                    " "{move || if lang::is_one(locale, u64::from(tally().count)) { td_string!(locale, stage.person_here) } else { td_string!(locale, stage.people_here) }}
                </p>
                <p class="stage-countries" data-testid="stage-countries">
                    {move || tally().countries.into_iter().take(6).map(|(country, n)| format!("{country} {n}")).collect::<Vec<_>>().join(" · ")}
                </p>
                <p class="stage-newest" data-testid="stage-newest">
                    {move || {
                        let newest = tally().newest;
                        (!newest.is_empty()).then(|| tr!(locale, stage.hello, names = lang::spoken_list(locale, &newest)))
                    }}
                </p>
            </section>
        </main>
    }
}
