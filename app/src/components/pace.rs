//! Pace: the attendee's three buttons and the presenter's meter.

use super::live::{LiveHandle, use_clock};
use crate::domain::agenda::Agenda;
use crate::domain::pace::{PaceSample, PaceVote, SectionPace, TREND_MINUTES};
use crate::lang::i18n::td_string;
use crate::lang::{self, Lang};
use crate::tr;
use leptos::prelude::*;

/// Slower · Just right · Faster. Pressing the chosen one again takes the vote back. A
/// vote stops counting after the event's expiry time or when the section changes; the
/// button then lets go by itself.
#[component]
pub fn PaceButtons(live: LiveHandle) -> impl IntoView {
    let lang = Lang::current();
    let tick = use_clock();
    let counting = Memo::new(move |_| live.counting_pace(tick.get()));
    let button = move |vote: PaceVote| {
        let pressed = move || counting.get() == Some(vote);
        let toggle = move |_| {
            live.vote_pace(if counting.get_untracked() == Some(vote) {
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
                <span>{move || lang::pace(lang.get(), vote)}</span>
                <span class="pace-chosen" aria-hidden="true">
                    {move || if pressed() { format!("✓ {}", td_string!(lang.get(), pace.chosen)) } else { "\u{a0}".to_string() }}
                </span>
            </button>
        }
    };
    let expiry = move || live.pace_expiry_minutes;
    let said = move || {
        let locale = lang.get();
        match (counting.get(), live.my_pace.get()) {
            (Some(vote), _) => {
                let vote = lang::pace(locale, vote).to_lowercase();
                tr!(locale, pace.voted, vote = vote, minutes = expiry())
            }
            (None, Some(_)) => td_string!(locale, pace.lapsed).to_string(),
            (None, None) => td_string!(locale, pace.ask).to_string(),
        }
    };
    view! {
        <section class="card pace-card" aria-labelledby="pace-heading">
            <h2 id="pace-heading">{move || td_string!(lang.get(), pace.heading)}</h2>
            <div class="pace-row" role="group" aria-label=move || td_string!(lang.get(), pace.group)>
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

/// The pace over the last minutes (share asking slower and faster, one point per
/// sample), and how each section felt so far.
#[component]
pub fn PaceHistory(live: LiveHandle) -> impl IntoView {
    let staff = Memo::new(move |_| {
        live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.staff.as_ref())
                .map(|st| (st.pace_trend.clone(), st.pace_history.clone()))
                .unwrap_or_default()
        })
    });
    let agenda = Memo::new(move |_| live.agenda().unwrap_or_default());
    move || {
        let (trend, history) = staff.get();
        let agenda = agenda.get();
        view! {
            <section class="card" aria-labelledby="trend-heading" data-testid="pace-trend">
                <h2 id="trend-heading">{format!("Pace, last {TREND_MINUTES} minutes")}</h2>
                {trend_chart(&trend)}
                {(!history.is_empty()).then(|| history_table(&history, &agenda))}
            </section>
        }
    }
}

/// Two lines (slower, faster) of the share of attendees, as an SVG the app draws.
fn trend_chart(trend: &[PaceSample]) -> impl IntoView + use<> {
    if trend.len() < 2 {
        return view! { <p class="muted">"The trend appears after the first minute of the live tutorial (a point every 30 seconds)."</p> }.into_any();
    }
    let (w, h) = (300.0_f64, 80.0_f64);
    // The latest sample at the right edge, ten minutes back at the left.
    let latest = trend[trend.len() - 1].at.timestamp() as f64;
    let span = (TREND_MINUTES * 60) as f64;
    let line = |vote: PaceVote| {
        trend
            .iter()
            .map(|s| {
                let x = (w - (latest - s.at.timestamp() as f64) / span * w).max(0.0);
                let y = h - f64::from(s.percent(vote)) / 100.0 * h;
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let last = trend[trend.len() - 1];
    let summary = format!(
        "Now {}% slower and {}% faster; {} minutes ago {}% slower and {}% faster.",
        last.percent(PaceVote::Slower),
        last.percent(PaceVote::Faster),
        (last.at - trend[0].at).num_minutes(),
        trend[0].percent(PaceVote::Slower),
        trend[0].percent(PaceVote::Faster)
    );
    view! {
        <svg class="trend" viewBox=format!("0 0 {w} {h}") role="img" aria-label=summary.clone() preserveAspectRatio="none">
            <line x1="0" y1=h / 2.0 x2=w y2=h / 2.0 class="trend-grid"/>
            <polyline points=line(PaceVote::Slower) class="trend-slower" fill="none"/>
            <polyline points=line(PaceVote::Faster) class="trend-faster" fill="none"/>
        </svg>
        <p class="muted small">
            <span class="legend legend-slower">"Slower"</span>" "<span class="legend legend-faster">"Faster"</span>
            " · share of attendees here, 0–100 %, the last ten minutes up to now"
        </p>
    }
    .into_any()
}

fn history_table(history: &[SectionPace], agenda: &Agenda) -> impl IntoView + use<> {
    let rows = history
        .iter()
        .map(|h| {
            let title = agenda.section(h.section).map_or_else(
                || format!("Section {}", h.section),
                |s| s.section.title.clone(),
            );
            view! {
                <tr>
                    <th scope="row">{title}</th>
                    <td>{format!("{}% (peak {}%)", h.slower, h.peak_slower)}</td>
                    <td>{format!("{}% (peak {}%)", h.faster, h.peak_faster)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="history">
            <caption>"Per section: mean share asking"</caption>
            <thead><tr><th scope="col">"Section"</th><th scope="col">"Slower"</th><th scope="col">"Faster"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
