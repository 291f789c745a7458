//! Pace: the attendee's three buttons and the presenter's meter.

use super::live::LiveHandle;
use crate::domain::pace::PaceVote;
use leptos::prelude::*;

/// Slower · Just right · Faster. Pressing the chosen one again takes the vote back.
#[component]
pub fn PaceButtons(live: LiveHandle) -> impl IntoView {
    let button = move |vote: PaceVote| {
        let pressed = move || live.my_pace.get() == Some(vote);
        let toggle = move |_| {
            live.vote_pace(if live.my_pace.get_untracked() == Some(vote) {
                None
            } else {
                Some(vote)
            })
        };
        // Drawn, not emoji: every device shows the same shape, with or without emoji fonts.
        let icon = match vote {
            PaceVote::Slower => "M15 6l-6 6 6 6M21 6l-6 6 6 6",
            PaceVote::JustRight => "M5 12.5l4.5 4.5L19 7.5",
            PaceVote::Faster => "M3 6l6 6-6 6M9 6l6 6-6 6",
        };
        view! {
            <button
                type="button"
                class=format!("pace-button pace-{}", vote.as_str())
                aria-pressed=move || pressed().to_string()
                on:click=toggle
                data-testid=format!("pace-{}", vote.as_str())
            >
                <svg class="pace-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                    <path d=icon fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>
                <span>{vote.label()}</span>
            </button>
        }
    };
    let said = move || match live.my_pace.get() {
        Some(vote) => format!(
            "You asked for: {}. Tap it again to take it back.",
            vote.label().to_lowercase()
        ),
        None => {
            "Tell the presenter how the pace feels. You can change your mind any time.".to_string()
        }
    };
    view! {
        <section class="card pace-card" aria-labelledby="pace-heading">
            <h2 id="pace-heading">"How is the pace?"</h2>
            <div class="pace-row" role="group" aria-label="Pace">
                {PaceVote::ALL.into_iter().map(button).collect_view()}
            </div>
            <p class="muted" aria-live="polite">{said}</p>
        </section>
    }
}

/// The share of connected attendees asking for each pace, as bars with numbers.
#[component]
pub fn PaceMeter(live: LiveHandle) -> impl IntoView {
    let row = move |vote: PaceVote| {
        let count = move || {
            live.snapshot
                .with(|s| s.as_ref().map_or(0, |s| s.pace.get(vote)))
        };
        let percent = move || {
            live.snapshot.with(|s| {
                s.as_ref()
                    .map_or(0, |s| s.pace.percent_of(vote, s.online.attendees))
            })
        };
        view! {
            <div class=format!("meter-row meter-{}", vote.as_str()) data-testid=format!("meter-{}", vote.as_str())>
                <span class="meter-label">{vote.label()}</span>
                <div class="meter-track" role="img" aria-label=move || format!("{} asking for {}: {}%", count(), vote.label().to_lowercase(), percent())>
                    <div class="meter-bar" style=move || format!("width: {}%", percent())></div>
                </div>
                <span class="meter-count" data-testid=format!("count-{}", vote.as_str())>{count}</span>
                <span class="meter-percent">{move || format!("{}%", percent())}</span>
            </div>
        }
    };
    let online = move || {
        live.snapshot
            .with(|s| s.as_ref().map_or(0, |s| s.online.attendees))
    };
    let headline = move || {
        live.snapshot.with(|s| match s {
            None => "Waiting for the first tally…".to_string(),
            Some(s) if s.pace.total() == 0 => "No pace votes yet.".to_string(),
            Some(s) => {
                let slower = s.pace.percent_of(PaceVote::Slower, s.online.attendees);
                let faster = s.pace.percent_of(PaceVote::Faster, s.online.attendees);
                if slower >= 20 && slower > faster {
                    format!("{slower}% want it slower")
                } else if faster >= 20 && faster > slower {
                    format!("{faster}% want it faster")
                } else {
                    "The pace looks fine".to_string()
                }
            }
        })
    };
    view! {
        <section class="card meter-card" aria-labelledby="meter-heading">
            <div class="card-head">
                <h2 id="meter-heading">"Pace"</h2>
                <span class="muted" data-testid="online">
                    {move || format!("{} attendee{} connected", online(), if online() == 1 { "" } else { "s" })}
                </span>
            </div>
            <p class="meter-headline" aria-live="polite">{headline}</p>
            <div class="meter">{PaceVote::ALL.into_iter().map(row).collect_view()}</div>
        </section>
    }
}
