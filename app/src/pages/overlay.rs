//! `/e/{slug}/overlay`: the stream overlay, for a browser source in OBS or vMix laid over
//! the presenter's video (1920×1080). Transparent but for one scene at a time in large
//! type, chosen on the staff panel and followed live: the countdown before the start,
//! the current section and its time left, a question being taken, the poll's bars, the
//! join QR. Needs no link, like the stage: it shows only what the room may see.

use super::{failure, stage_params};
use crate::api::StageView;
use crate::api::events::fetch_stage_view;
use crate::components::agenda::place_of;
use crate::components::chrome::{JoinAddress, short_address};
use crate::components::live::{LiveHandle, use_clock, use_live, use_phase};
use crate::components::poll::PollBars;
use crate::domain::agenda::{Remaining, clock_text};
use crate::domain::event::Countdown;
use crate::domain::overlay::{OverlayScene, OverlayView};
use crate::lang::i18n::td_string;
use crate::lang::{self, Lang};
use crate::live::Viewer;
use crate::tr;
use chrono::{DateTime, Utc};
use leptos::either::EitherOf6;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OverlayPage() -> impl IntoView {
    let params = stage_params();
    let stage = Resource::new(
        move || params.get(),
        |(slug, lang)| fetch_stage_view(slug, lang),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match stage.await {
                    Ok(stage) => view! { <OverlayLive stage/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverlayLive(stage: StageView) -> impl IntoView {
    let StageView {
        event,
        join_url,
        lang,
    } = stage;
    let locale = Lang::provide_code(&lang).get_untracked();
    let live = use_live(&event, Viewer::Stage, None);
    let (now, phase) = use_phase(live, event.lifecycle);
    let overlay = Memo::new(move |_| {
        live.snapshot
            .with(|s| s.as_ref().and_then(|s| s.overlay.clone()))
    });
    let title = event.title.clone();
    let starts_at = event.starts_at;
    let qr = format!("/e/{}/qr.svg", event.slug);
    let address = short_address(&join_url);
    let url = join_url.clone();
    let scene = move || match overlay.get() {
        None => EitherOf6::A(()),
        Some(OverlayView {
            scene: OverlayScene::Countdown,
            ..
        }) => EitherOf6::B(view! {
            <section class="overlay-box overlay-lower">
                <p class="overlay-eyebrow">{title.clone()}</p>
                <p class="overlay-big" data-testid="overlay-headline">{move || lang::headline(locale, phase.get(), Countdown::until(now.get(), starts_at))}</p>
            </section>
        }),
        Some(OverlayView {
            scene: OverlayScene::Section,
            ..
        }) => EitherOf6::C(view! { <SectionScene live/> }),
        Some(OverlayView {
            question: Some(q), ..
        }) => EitherOf6::D(view! {
            <section class="overlay-box overlay-question">
                <p class="overlay-eyebrow">{match q.name {
                    Some(name) => tr!(locale, stage.asks, name = name),
                    None => td_string!(locale, stage.from_the_room).to_string(),
                }}</p>
                <p class="overlay-question-text" data-testid="overlay-question">{q.text}</p>
            </section>
        }),
        Some(OverlayView {
            scene: OverlayScene::Poll,
            ..
        }) => EitherOf6::E(move || {
            live.snapshot
                .with(|s| s.as_ref().and_then(|s| s.poll.clone()))
                .map(|poll| {
                    view! {
                        <section class="overlay-box overlay-poll" data-testid="overlay-poll">
                            <p class="overlay-eyebrow">{match (poll.quiz, poll.open) {
                                _ if poll.spec.words && poll.open => td_string!(locale, poll.cloud_on_phone),
                                _ if poll.spec.words => td_string!(locale, poll.cloud),
                                (true, true) => td_string!(locale, poll.quiz_on_phone),
                                (true, false) => td_string!(locale, poll.quiz),
                                (false, true) => td_string!(locale, poll.poll_on_phone),
                                (false, false) => td_string!(locale, poll.results),
                            }}</p>
                            <p class="overlay-poll-question">{poll.spec.question.clone()}</p>
                            <PollBars poll/>
                        </section>
                    }
                })
        }),
        Some(_) => EitherOf6::F(view! {
            <section class="overlay-box overlay-join" data-testid="overlay-join">
                <img class="overlay-qr" src=qr.clone() alt=format!("{}: {address}", td_string!(locale, stage.qr))/>
                <div>
                    <p class="overlay-eyebrow">{td_string!(locale, stage.join_at)}</p>
                    <p class="overlay-url"><JoinAddress url=url.clone()/></p>
                </div>
            </section>
        }),
    };
    view! {
        <Title text=format!("{} · {}", td_string!(locale, stage.overlay), event.title)/>
        <main class="overlay" data-testid="overlay" lang=crate::lang::code(locale)
            data-scene=move || overlay.get().map_or("nothing", |o| scene_name(o.scene))>
            <h1 class="visually-hidden">{format!("{}: {}", td_string!(locale, stage.overlay), event.title)}</h1>
            {scene}
        </main>
    }
}

/// "Section 2 of 7 · Lab", its title and "8 min left" (or the time spent, where a section does
/// not count down).
#[component]
fn SectionScene(live: LiveHandle) -> impl IntoView {
    let locale = Lang::current().get_untracked();
    let tick = use_clock();
    let agenda = Memo::new(move |_| live.agenda());
    move || {
        let agenda = agenda.get()?;
        let section = agenda.current_section()?.clone();
        let now: DateTime<Utc> = live.server_time(tick.get());
        let time = if agenda.is_paused() {
            td_string!(locale, agenda.paused).to_string()
        } else if section.section.kind.counts_down() {
            agenda
                .left(now)
                .map(|left| lang::remaining(locale, Remaining::of(left)))
                .unwrap_or_default()
        } else {
            clock_text(agenda.elapsed(section.id, now))
        };
        let (at, of) = place_of(&agenda, &section);
        Some(view! {
            <section class="overlay-box overlay-lower" data-testid="overlay-section">
                <p class="overlay-eyebrow">{lang::position(locale, at, of)}" · "{lang::kind(locale, section.section.kind)}</p>
                <p class="overlay-big">{section.section.title.clone()}</p>
                <p class="overlay-time" role="timer">{time}</p>
            </section>
        })
    }
}

fn scene_name(scene: OverlayScene) -> &'static str {
    match scene {
        OverlayScene::Nothing => "nothing",
        OverlayScene::Countdown => "countdown",
        OverlayScene::Section => "section",
        OverlayScene::Question { .. } => "question",
        OverlayScene::Poll => "poll",
        OverlayScene::Join => "join",
    }
}
