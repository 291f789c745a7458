//! `/e/{slug}`: the attendee's page, phone first — the pace buttons within reach, then
//! the materials and the agenda.

use super::{Loading, failure, slug_param};
use crate::api::EventPublic;
use crate::api::events::fetch_event_public;
use crate::components::agenda::{AgendaList, NowCard};
use crate::components::checkin::CheckInCard;
use crate::components::chrome::{LinkPill, TopBar, event_time, use_viewer_time};
use crate::components::feedback::FeedbackCard;
use crate::components::lab::LabButtons;
use crate::components::live::{use_live, use_phase};
use crate::components::pace::PaceButtons;
use crate::components::poll::PollCard;
use crate::components::questions::AttendeeQuestions;
use crate::domain::event::{Phase, countdown};
use crate::live::Viewer;
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
    let live = use_live(&event, Viewer::Attendee, None);
    let (now, phase) = use_phase(live, event.lifecycle);
    let starts_at = event.starts_at;
    let viewer_time = use_viewer_time(starts_at);
    let survey = event.survey_url.clone();
    let recording = event.recording_url.clone();
    let slug_now = event.slug.clone();
    // A memo, so the form is not rebuilt (and its typing lost) when the phase moves on.
    let checking_in = Memo::new(move |_| phase.get() != Phase::Ended);
    // Before Start the page waits; on Start it turns into the live view by itself.
    let stage = move || {
        match phase.get() {
        Phase::Scheduled | Phase::DoorsOpen => view! {
            <section class="card waiting" aria-labelledby="waiting-heading" data-testid="waiting">
                <p class="eyebrow">"You are in the right place"</p>
                <h2 id="waiting-heading">"The tutorial starts soon"</h2>
                <p class="countdown">"Starts "{move || countdown(now.get(), starts_at)}</p>
                {move || viewer_time.get().map(|t| view! { <p data-testid="viewer-time">"Your time: "{t}</p> })}
                <p data-testid="here-count">{move || here(live.snapshot.with(|s| s.as_ref().map_or(0, |s| s.online.attendees)))}</p>
                {survey.clone().map(|url| view! {
                    <p><a class="button button-quiet" href=url target="_blank" rel="noopener noreferrer">"Before we start: a short survey"</a></p>
                })}
                <p class="muted">"Keep this page open: it turns into the live view when the presenter starts."</p>
                <p><a class="button button-quiet" href=format!("/e/{}/calendar.ics", slug_now) download data-testid="calendar">"Add to my calendar"</a></p>
            </section>
        }
        .into_any(),
        Phase::Live => view! {
            <NowCard live/>
            <PollCard live/>
            <LabButtons live/>
            <PaceButtons live/>
            <AttendeeQuestions live/>
        }
        .into_any(),
        Phase::Ended => view! {
            <section class="card ended" data-testid="ended">
                <h2>"This tutorial has ended"</h2>
                <p>"Thank you for joining!"</p>
                {recording.clone().map(|url| view! {
                    <p><a class="button" href=url target="_blank" rel="noopener noreferrer" data-testid="recording">"Watch the recording"</a></p>
                })}
            </section>
            <FeedbackCard slug=slug_now.clone()/>
        }
        .into_any(),
    }
    };
    view! {
        <Title text=event.title.clone()/>
        <TopBar context="Attendee"><LinkPill state=live.state/></TopBar>
        <main class="page attendee">
            <header class="event-head">
                <h1>{event.title.clone()}</h1>
                {(!event.hosts.is_empty()).then(|| view! { <p class="hosts">"with "{event.hosts.clone()}</p> })}
                <p class="muted">
                    {event_time(event.starts_at, &event.time_zone)}
                    {move || (phase.get() == Phase::Live).then(|| view! { " · " <strong class="live-now">"Live now"</strong> })}
                </p>
            </header>
            // The server's refusals (a place too long, a vote not saved), whatever sent them.
            {move || live.notice.get().map(|n| view! { <p class="note note-error" role="alert" data-testid="notice">{n}</p> })}
            {stage}
            {move || checking_in.get().then(|| view! { <CheckInCard live/> })}
            {(!event.materials.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="materials-heading">
                    <h2 id="materials-heading">"Materials"</h2>
                    <ul class="materials">
                        {event.materials.iter().map(|m| view! {
                            <li>
                                <a href=m.url.clone() target="_blank" rel="noopener noreferrer" class:button=m.is_binder()>
                                    {m.label.clone()}
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            <AgendaList planned=event.sections.clone() live=live/>
        </main>
    }
}

/// `/e/{slug}/feedback`: the survey alone, for a link shared after the call.
#[component]
pub fn FeedbackPage() -> impl IntoView {
    let slug = slug_param();
    let event = Resource::new(move || slug.get(), fetch_event_public);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match event.await {
                    Ok(event) => view! {
                        <Title text=format!("Feedback: {}", event.title)/>
                        <TopBar context="Attendee"/>
                        <main class="page attendee">
                            <header class="event-head">
                                <h1>{event.title.clone()}</h1>
                                <p class="muted">{event_time(event.starts_at, &event.time_zone)}</p>
                            </header>
                            {event.recording_url.clone().map(|url| view! {
                                <p><a class="button" href=url target="_blank" rel="noopener noreferrer">"Watch the recording"</a></p>
                            })}
                            {if event.lifecycle.ended_at.is_some() {
                                view! { <FeedbackCard slug=event.slug.clone()/> }.into_any()
                            } else {
                                view! { <p class="card">"The survey opens when the tutorial ends. "<a href=format!("/e/{}", event.slug)>"Go to the event page"</a></p> }.into_any()
                            }}
                        </main>
                    }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

/// "You are the first one here" / "12 people are here" (counting this page).
fn here(online: u32) -> String {
    match online {
        0 | 1 => "You are the first one here.".to_string(),
        n => format!("{n} people are here."),
    }
}
