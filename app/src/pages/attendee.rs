//! `/e/{slug}`: the attendee's page, phone first — what the section asks now (Done /
//! Stuck in a lab, the poll), the questions, the materials and the agenda, with the pace
//! buttons docked at the bottom of the screen — and `/e/{slug}/feedback`, the survey alone.
//!
//! These pages are drawn without the router and without loading anything: the server
//! reads an [`AttendeePage`] first, draws the page from it, and puts it in the document
//! ([`crate::attendee_shell`]); the attendee bundle draws the same page from the same
//! data ([`crate::hydrate_attendee`]). What changes later comes over the live socket.

use crate::api::feedback::FeedbackView;
use crate::api::{AttendeePage, AttendeeView, EventPublic};
use crate::components::agenda::{AgendaList, NowCard};
use crate::components::checkin::CheckInCard;
use crate::components::chrome::{TopBar, use_viewer_time};
use crate::components::feedback::FeedbackCard;
use crate::components::lab::LabButtons;
use crate::components::live::{use_live, use_phase};
use crate::components::pace::PaceButtons;
use crate::components::poll::PollCard;
use crate::components::questions::AttendeeQuestions;
use crate::domain::event::{Countdown, Phase};
use crate::lang::i18n::td_string;
use crate::lang::{self, Lang, LanguageSwitch, Locale};
use crate::live::Viewer;
use crate::tr;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};

/// The root of the attendee bundle's pages.
#[component]
pub fn AttendeeApp(page: AttendeePage) -> impl IntoView {
    provide_meta_context();
    let AttendeePage {
        view,
        event,
        feedback,
        lang,
    } = page;
    Lang::provide_code(&lang);
    view! {
        <Title formatter=crate::site::title/>
        {match view {
            AttendeeView::Event => Either::Left(view! { <AttendeeLive event feedback/> }),
            AttendeeView::Survey => Either::Right(view! { <SurveyPage event feedback/> }),
        }}
    }
}

#[component]
fn AttendeeLive(event: EventPublic, feedback: Option<FeedbackView>) -> impl IntoView {
    let live = use_live(&event, Viewer::Attendee, None);
    let (now, phase) = use_phase(live, event.lifecycle);
    let lang = Lang::current();
    let starts_local = lang::use_event_time(
        event.starts_local.clone(),
        event.starts_at,
        event.time_zone.clone(),
    );
    let starts_at = event.starts_at;
    let viewer_time = use_viewer_time(starts_at);
    let survey = event.survey_url.clone();
    let recording = event.recording_url.clone();
    let slug_now = event.slug.clone();
    // A memo, so the form is not rebuilt (and its typing lost) when the phase moves on.
    let checking_in = Memo::new(move |_| phase.get() != Phase::Ended);
    let live_now = Memo::new(move |_| phase.get() == Phase::Live);
    // Before Start the page waits; on Start it turns into the live view by itself.
    let stage = move || match phase.get() {
        Phase::Scheduled | Phase::DoorsOpen => EitherOf3::A(view! {
            <section class="card waiting" aria-labelledby="waiting-heading" data-testid="waiting">
                <p class="eyebrow">{move || td_string!(lang.get(), waiting.eyebrow)}</p>
                <h2 id="waiting-heading">{move || td_string!(lang.get(), waiting.heading)}</h2>
                <p class="countdown">{move || lang::starts(lang.get(), Countdown::until(now.get(), starts_at))}</p>
                {move || viewer_time.get().map(|time| view! { <p data-testid="viewer-time">{move || tr!(lang.get(), waiting.your_time, time = time)}</p> })}
                <p data-testid="here-count">{move || here(lang.get(), live.snapshot.with(|s| s.as_ref().map_or(0, |s| s.online.attendees)))}</p>
                {survey.clone().map(|url| view! {
                    <p><a class="button button-quiet" href=url target="_blank" rel="noopener noreferrer">{move || td_string!(lang.get(), waiting.survey)}</a></p>
                })}
                <p class="muted">{move || td_string!(lang.get(), waiting.keep_open)}</p>
                <p><a class="button button-quiet" href=format!("/e/{}/calendar.ics", slug_now) download data-testid="calendar">{move || td_string!(lang.get(), waiting.calendar)}</a></p>
            </section>
        }),
        Phase::Live => EitherOf3::B(view! {
            <NowCard live/>
            <LabButtons live/>
            <PollCard live/>
            <AttendeeQuestions live/>
        }),
        Phase::Ended => EitherOf3::C(view! {
            <section class="card ended" data-testid="ended">
                <h2>{move || td_string!(lang.get(), ended.heading)}</h2>
                <p>{move || td_string!(lang.get(), ended.thanks)}</p>
                {recording.clone().map(|url| view! {
                    <p><a class="button" href=url target="_blank" rel="noopener noreferrer" data-testid="recording">{move || td_string!(lang.get(), ended.recording)}</a></p>
                })}
            </section>
            <FeedbackCard slug=slug_now.clone() initial=feedback.clone()/>
        }),
    };
    view! {
        <Title text=event.title.clone()/>
        <TopBar context=Signal::derive(move || td_string!(lang.get(), top.attendee).to_string()) link=live.state><LanguageSwitch/></TopBar>
        <main class="page attendee">
            <header class="event-head">
                <h1>{event.title.clone()}</h1>
                {(!event.hosts.is_empty()).then(|| {
                    let hosts = event.hosts.clone();
                    view! { <p class="hosts">{move || tr!(lang.get(), event.with, hosts = hosts)}</p> }
                })}
                <p class="muted">
                    <span data-testid="starts-local">{starts_local}</span>
                    {move || (phase.get() == Phase::Live).then(|| view! { " · " <strong class="live-now">{move || td_string!(lang.get(), event.live_now)}</strong> })}
                </p>
            </header>
            // The server's refusals (a place too long, a vote not saved), whatever sent them.
            {move || live.notice.get().map(|n| view! { <p class="note note-error" role="alert" data-testid="notice">{lang::notice(lang.get(), &n)}</p> })}
            {stage}
            {move || checking_in.get().then(|| view! { <CheckInCard live/> })}
            {(!event.materials.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="materials-heading">
                    <h2 id="materials-heading">{move || td_string!(lang.get(), event.materials)}</h2>
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
            // Last, and docked to the bottom of the screen while the page scrolls under
            // it: always within the thumb's reach, and at the end of the page it covers
            // nothing.
            {move || live_now.get().then(|| view! { <PaceButtons live/> })}
        </main>
    }
}

/// `/e/{slug}/feedback`: the survey alone, for a link shared after the call.
#[component]
fn SurveyPage(event: EventPublic, feedback: Option<FeedbackView>) -> impl IntoView {
    let lang = Lang::current();
    let starts_local = lang::use_event_time(
        event.starts_local.clone(),
        event.starts_at,
        event.time_zone.clone(),
    );
    let title = event.title.clone();
    view! {
        <Title text=move || format!("{}: {}", td_string!(lang.get(), survey.title), title)/>
        <TopBar context=Signal::derive(move || td_string!(lang.get(), top.attendee).to_string())><LanguageSwitch/></TopBar>
        <main class="page attendee">
            <header class="event-head">
                <h1>{event.title.clone()}</h1>
                <p class="muted">{starts_local}</p>
            </header>
            {event.recording_url.clone().map(|url| view! {
                <p><a class="button" href=url target="_blank" rel="noopener noreferrer">{move || td_string!(lang.get(), ended.recording)}</a></p>
            })}
            {if event.lifecycle.ended_at.is_some() {
                Either::Left(view! { <FeedbackCard slug=event.slug.clone() initial=feedback/> })
            } else {
                Either::Right(view! {
                    <p class="card">
                        {move || td_string!(lang.get(), survey.not_yet)}" "
                        <a href=format!("/e/{}", event.slug)>{move || td_string!(lang.get(), survey.event_page)}</a>
                    </p>
                })
            }}
        </main>
    }
}

/// "You are the first one here" / "12 people are here" (counting this page).
fn here(locale: Locale, online: u32) -> impl IntoView + use<> {
    match online {
        0 | 1 => td_string!(locale, waiting.first_here).to_string(),
        n => tr!(locale, waiting.here, n = n),
    }
}
