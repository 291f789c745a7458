//! The presenter's pacing panel (`/e/{slug}/present`) and the co-instructor's console
//! (`/e/{slug}/moderate`). Both need their role's secret link; an attendee cookie does
//! not open them.

use super::{Loading, failure, set_status, slug_param};
use crate::api::StaffView;
use crate::api::events::fetch_staff_view;
use crate::components::agenda::{AgendaList, SectionClock};
use crate::components::checkin::NewPlaces;
use crate::components::chrome::{TopBar, event_time};
use crate::components::lab::{HelpQueuePanel, LabPanel};
use crate::components::live::{LiveHandle, use_live, use_phase};
use crate::components::overlay::OverlayPicker;
use crate::components::pace::{PaceHistory, PaceMeter};
use crate::components::poll::PollPanel;
use crate::components::questions::{BubbledQuestions, QuestionQueue};
use crate::domain::event::Role;
use crate::domain::event::{Lifecycle, Phase, countdown};
use crate::domain::poll::project_of;
use crate::error::AppError;
use crate::live::Viewer;
use chrono::{DateTime, Utc};
use leptos::either::Either;
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
    let live = use_live(&event, Viewer::of_role(role), Some(snapshot));
    let context = match role {
        Role::Presenter => "Presenter",
        Role::Moderator => "Co-instructor",
    };
    let presenter = role == Role::Presenter;
    let (_, phase) = use_phase(live, event.lifecycle);
    let live_now = Signal::derive(move || phase.get() == Phase::Live);
    let project = project_of(&event.title);
    let clock = view! {
        <SectionClock live starts_at=event.starts_at time_zone=event.time_zone.clone() can_steer=presenter live_now/>
    };
    let room = view! { <PaceMeter live/><LabPanel live/> };
    view! {
        <Title text=format!("{context} · {}", event.title)/>
        <TopBar context link=live.state/>
        <main class="page staff">
            <header class="event-head">
                <h1>{event.title.clone()}</h1>
                <p class="muted">{event_time(event.starts_at, &event.time_zone)}</p>
            </header>
            <EventControl live stored=event.lifecycle time_zone=event.time_zone.clone() can_steer=presenter slug=event.slug.clone()>
                <OverlayPicker live slug=event.slug.clone()/>
            </EventControl>
            // What is glanced at, side by side above the fold on a laptop: the presenter's
            // clock and bubbled questions, or the co-instructor's queue; the pace and the
            // lab; the polls. What is looked up now and then follows below.
            <div class="glance" class:glance-moderator=!presenter>
                {if presenter {
                    Either::Left(view! {
                        <div class="glance-column">{clock}<BubbledQuestions live/></div>
                        <div class="glance-column">{room}</div>
                    })
                } else {
                    Either::Right(view! {
                        <div class="glance-column"><QuestionQueue live/></div>
                        <div class="glance-column">{clock}{room}<HelpQueuePanel live/></div>
                    })
                }}
                <div class="glance-column">
                    <PollPanel live project hide_results_by_default=event.hide_poll_results/>
                </div>
            </div>
            <div class="staff-more">
                <AgendaList planned=event.sections.clone() live=live editable=presenter/>
                <PaceHistory live/>
                <NewPlaces live/>
            </div>
        </main>
    }
}

/// Where the event stands, and for the presenter the Start and End buttons.
#[component]
fn EventControl(
    live: LiveHandle,
    stored: Lifecycle,
    time_zone: String,
    can_steer: bool,
    /// For the survey's address once the event has ended.
    slug: String,
    /// What sits beside the state and its buttons (the overlay's scenes).
    children: Children,
) -> impl IntoView {
    let (now, phase) = use_phase(live, stored);
    let lifecycle = move || live.lifecycle(stored);
    let tz: Option<chrono_tz::Tz> = time_zone.parse().ok();
    let clock = move |at: DateTime<Utc>| match tz {
        Some(tz) => at.with_timezone(&tz).format("%H:%M").to_string(),
        None => at.format("%H:%M UTC").to_string(),
    };
    let status = move || {
        let l = lifecycle();
        match phase.get() {
            Phase::Scheduled => {
                format!("Not started · starts {}", countdown(now.get(), l.starts_at))
            }
            Phase::DoorsOpen => format!(
                "Waiting screen open · starts {}",
                countdown(now.get(), l.starts_at)
            ),
            Phase::Live => format!("Live since {}", l.started_at.map(clock).unwrap_or_default()),
            Phase::Ended => format!("Ended at {}", l.ended_at.map(clock).unwrap_or_default()),
        }
    };
    let end = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let sure = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message("End the tutorial for everyone?")
                        .ok()
                })
                .unwrap_or(false);
            if !sure {
                return;
            }
        }
        live.end_event();
    };
    let buttons = move || {
        if !can_steer {
            return None;
        }
        Some(match phase.get() {
            Phase::Scheduled | Phase::DoorsOpen => view! {
                <button type="button" class="button button-big" on:click=move |_| live.start_event()>"Start the tutorial"</button>
            }
            .into_any(),
            Phase::Live => view! {
                <button type="button" class="button button-danger" on:click=end>"End the tutorial"</button>
            }
            .into_any(),
            Phase::Ended => ().into_any(),
        })
    };
    view! {
        <section class=move || format!("card control control-{}", phase_name(phase.get())) aria-label="Event state">
            <p class="control-status" role="status" data-testid="event-state">{status}</p>
            {buttons}
            {children()}
            {move || (phase.get() == Phase::Ended).then(|| {
                let survey = format!("/e/{slug}/feedback");
                view! {
                    <p data-testid="survey-link">
                        "Attendees now see the feedback survey. To share it after the call (in the chat, by email): "
                        <a href=survey.clone()>{survey.clone()}</a>
                    </p>
                }
            })}
            {move || live.notice.get().map(|n| view! { <p class="note note-error" role="alert">{crate::lang::notice(crate::lang::Locale::en, &n)}</p> })}
        </section>
    }
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Scheduled => "scheduled",
        Phase::DoorsOpen => "doors-open",
        Phase::Live => "live",
        Phase::Ended => "ended",
    }
}
