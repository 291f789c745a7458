//! The agenda on every screen, and the section clock the presenter drives.
//!
//! Every number here is computed in the page from the agenda's moments (see
//! [`crate::domain::agenda`]) and the server's clock as this page estimates it, ticking
//! every second: nothing is pushed per second.

use super::live::{LiveHandle, use_clock};
use crate::domain::agenda::{
    Agenda, AgendaCommand, AgendaSection, EXTEND_MINUTES, Standing, clock_text, finish_text,
    left_text, span_text,
};
use crate::domain::event::{MAX_SECTION_MINUTES, Section, SectionDraft, SectionKind};
use crate::lang::i18n::td_string;
use crate::lang::{self, Lang};
use crate::tr;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;

/// The agenda as it runs (the planned one until the first snapshot): the current
/// section marked, what ran with its time, what was skipped. With `editable`, the
/// presenter moves, skips and adds sections.
#[component]
pub fn AgendaList(
    planned: Vec<Section>,
    /// The live connection; without it, the plan.
    #[prop(optional)]
    live: Option<LiveHandle>,
    #[prop(optional)] editable: bool,
) -> impl IntoView {
    let fallback = Agenda::planned(&planned);
    let agenda = Memo::new(move |_| {
        live.and_then(|l| l.agenda())
            .filter(|a| !a.sections.is_empty())
            .unwrap_or_else(|| fallback.clone())
    });
    let steer = live.filter(|_| editable);
    let lang = Lang::current();
    let item = move |index: usize, section: AgendaSection, agenda: &Agenda| {
        let count = agenda.sections.len();
        let current = agenda.current == Some(section.id);
        let done = section.first_started_at.is_some() && !current;
        let id = section.id;
        let (skipped, spent_ms, planned) =
            (section.skipped, section.spent_ms, section.planned_minutes());
        let (m, extra_minutes, exercises) = (
            section.section.minutes,
            section.extra_minutes,
            section.section.exercise_minutes,
        );
        let minutes = move || {
            let locale = lang.get();
            if skipped {
                td_string!(locale, agenda.skipped).to_string()
            } else if done {
                let ran = (spent_ms + 30_000) / 60_000;
                tr!(locale, agenda.ran, ran = ran, planned = planned)
            } else {
                let extra = (extra_minutes > 0).then(|| format!(" (+{extra_minutes})"));
                let split = (exercises > 0)
                    .then(|| format!(" · {}", tr!(locale, agenda.exercises, m = exercises)));
                format!(
                    "{}{}{}",
                    tr!(locale, agenda.minutes, m = m),
                    extra.unwrap_or_default(),
                    split.unwrap_or_default()
                )
            }
        };
        let class = format!(
            "agenda-item{}{}{}",
            if current { " agenda-current" } else { "" },
            if done { " agenda-done" } else { "" },
            if section.skipped {
                " agenda-skipped"
            } else {
                ""
            }
        );
        let controls = steer.map(|live| {
            let can_skip = !current && !done;
            view! {
                <span class="agenda-controls">
                    <button type="button" class="icon-button" aria-label=format!("Move {} up", section.section.title)
                        disabled={index == 0} on:click=move |_| live.drive(AgendaCommand::Move { section: id, to: index.saturating_sub(1) })>"↑"</button>
                    <button type="button" class="icon-button" aria-label=format!("Move {} down", section.section.title)
                        disabled={index + 1 >= count} on:click=move |_| live.drive(AgendaCommand::Move { section: id, to: index + 1 })>"↓"</button>
                    {can_skip.then(|| {
                        let skipped = section.skipped;
                        view! {
                            <button type="button" class="button button-quiet button-small"
                                on:click=move |_| live.drive(AgendaCommand::Skip { section: id, skipped: !skipped })>
                                {if skipped { "Restore" } else { "Skip" }}
                            </button>
                        }
                    })}
                </span>
            }
        });
        view! {
            <li class=class aria-current=current.then_some("step") data-testid="agenda-item">
                <span class=format!("kind kind-{}", section.section.kind.as_str())>{move || lang::kind(lang.get(), section.section.kind)}</span>
                <span class="agenda-title">
                    {section.section.title.clone()}
                    {current.then(|| view! { <span class="now-tag">" "{move || td_string!(lang.get(), agenda.now)}</span> })}
                </span>
                <span class="agenda-minutes">{minutes}</span>
                {controls}
            </li>
        }
    };
    let total = move || {
        agenda.with(|a| {
            a.sections
                .iter()
                .filter(|s| !s.skipped)
                .map(AgendaSection::planned_minutes)
                .sum::<u32>()
        })
    };
    view! {
        <section class="card" aria-labelledby="agenda-heading">
            <h2 id="agenda-heading">{move || td_string!(lang.get(), agenda.heading)}</h2>
            <ol class="agenda" data-testid="agenda">
                {move || {
                    let agenda = agenda.get();
                    agenda.sections.clone().into_iter().enumerate().map(|(i, s)| item(i, s, &agenda)).collect_view()
                }}
            </ol>
            <p class="muted">{move || tr!(lang.get(), agenda.total, m = total())}</p>
            {steer.map(|live| view! { <AddSection live/> })}
        </section>
    }
}

/// The presenter adds a section after the current one (or at the end before the start).
#[component]
fn AddSection(live: LiveHandle) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let kind = RwSignal::new(SectionKind::Teaching);
    let minutes = RwSignal::new("10".to_string());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(minutes) = minutes.get_untracked().trim().parse::<u32>() else {
            live.notice.set(Some(crate::lang::Notice::Said(
                "Minutes must be a whole number.".into(),
            )));
            return;
        };
        let after = live.agenda().and_then(|a| a.current);
        live.drive(AgendaCommand::Add {
            after,
            section: SectionDraft {
                title: title.get_untracked(),
                kind: kind.get_untracked(),
                minutes,
                exercise_minutes: 0,
            },
        });
        title.set(String::new());
    };
    view! {
        <details class="add-section">
            <summary>"Add a section"</summary>
            <form class="form inline-form" on:submit=add>
                <label class="field">
                    <span>"Title"</span>
                    <input type="text" maxlength="120" required bind:value=title name="new_section_title"/>
                </label>
                <SectionKindField kind name="new_section_kind"/>
                <label class="field field-small">
                    <span>"Minutes"</span>
                    <input type="number" min="1" max=MAX_SECTION_MINUTES inputmode="numeric" bind:value=minutes name="new_section_minutes"/>
                </label>
                <button type="submit" class="button button-small">"Add after the current section"</button>
            </form>
        </details>
    }
}

/// "HH:MM" in the event's zone (or UTC).
fn wall(at: DateTime<Utc>, zone: Option<Tz>) -> String {
    match zone {
        Some(tz) => at.with_timezone(&tz).format("%H:%M").to_string(),
        None => at.format("%H:%M UTC").to_string(),
    }
}

/// "Section 2 of 5": where the current section sits among those that run.
pub fn position(agenda: &Agenda, section: &AgendaSection) -> String {
    let (at, of) = place_of(agenda, section);
    format!("Section {at} of {of}")
}

/// Where the current section sits among those that run: its number, and how many run.
pub fn place_of(agenda: &Agenda, section: &AgendaSection) -> (usize, usize) {
    let running: Vec<&AgendaSection> = agenda.sections.iter().filter(|s| !s.skipped).collect();
    let at = running
        .iter()
        .position(|s| s.id == section.id)
        .map_or(0, |i| i + 1);
    (at, running.len())
}

/// The presenter's big clock for the current section: elapsed against the plan, the
/// standing in words and colour, the projected finish, and (for the presenter) the
/// controls, by button or key: N next, B back, P pause / resume, + five more minutes.
#[component]
pub fn SectionClock(
    live: LiveHandle,
    starts_at: DateTime<Utc>,
    time_zone: String,
    can_steer: bool,
    /// The event is live: the clock may begin.
    live_now: Signal<bool>,
) -> impl IntoView {
    let tick = use_clock();
    let zone: Option<Tz> = time_zone.parse().ok();
    let now = move || live.server_time(tick.get());
    let agenda = Memo::new(move |_| live.agenda());
    if can_steer {
        shortcuts(live);
    }
    let face = move || {
        let Some(agenda) = agenda.get() else {
            return view! { <p class="muted">"Connecting to the clock…"</p> }.into_any();
        };
        let now = now();
        let finish = agenda.projected_finish(starts_at, now);
        let scheduled = agenda.scheduled_end(starts_at);
        let to_end = scheduled - now;
        let finish_line = view! {
            <p class="clock-finish" data-testid="projected-finish">
                {finish_text(finish, scheduled)}" (" {wall(finish, zone)} ")"
                <span class="muted">
                    {if to_end.num_seconds() > 0 {
                        format!(" · {} to the scheduled end at {}", span_text(to_end.num_minutes()), wall(scheduled, zone))
                    } else {
                        format!(" · the scheduled end was {}", wall(scheduled, zone))
                    }}
                </span>
            </p>
        };
        match agenda.current_section().cloned() {
            None if agenda.finished => view! {
                <h2>"The agenda is done"</h2>
                <p class="muted">"Every section's time is kept for the report."</p>
            }
            .into_any(),
            None => view! {
                <p class="eyebrow">"Not begun"</p>
                <h2>{agenda.next_section().map(|s| format!("First: {}", s.section.title)).unwrap_or_default()}</h2>
                {finish_line}
                {(can_steer && live_now.get()).then(|| view! {
                    <button type="button" class="button button-big" on:click=move |_| live.drive(AgendaCommand::Begin)>"Begin the first section"</button>
                })}
            }
            .into_any(),
            Some(section) => {
                let elapsed = agenda.elapsed(section.id, now);
                let planned_secs = i64::from(section.planned_minutes()) * 60;
                let percent = (elapsed.num_seconds() * 100).checked_div(planned_secs).unwrap_or(0).clamp(0, 100);
                let standing = agenda.standing(now).unwrap_or(Standing::OnTime);
                let left = agenda.left(now).unwrap_or_default();
                let word = match standing {
                    Standing::OnTime => "On time",
                    Standing::Close => "Nearly done",
                    Standing::Over => "Over",
                };
                let paused = agenda.is_paused();
                let next = agenda.next_section().map(|s| format!("Next: {} ({} min)", s.section.title, s.planned_minutes()));
                view! {
                    <p class="eyebrow">{position(&agenda, &section)}" · "{section.section.kind.label()}</p>
                    <h2 data-testid="current-section-title">{section.section.title.clone()}</h2>
                    <div class="clock-face">
                        <span class="clock-elapsed" data-testid="clock-elapsed">{clock_text(elapsed)}</span>
                        <span class="clock-plan">" of "{section.planned_minutes()}" min"</span>
                    </div>
                    <div class="progress" role="progressbar" aria-label="Time in this section"
                        aria-valuemin="0" aria-valuemax=planned_secs.to_string() aria-valuenow=elapsed.num_seconds().to_string()>
                        <div class="progress-bar" style=format!("width: {percent}%")></div>
                    </div>
                    <p class="clock-status" data-testid="clock-status">
                        <strong>{if paused { "Paused".to_string() } else { word.to_string() }}</strong>
                        " · "{left_text(left)}
                    </p>
                    {finish_line}
                    {next.map(|n| view! { <p class="muted">{n}</p> })}
                    {can_steer.then(|| view! {
                        <div class="button-row clock-controls" role="group" aria-label="Section clock">
                            <button type="button" class="button button-quiet" aria-keyshortcuts="B" on:click=move |_| live.drive(AgendaCommand::Back)>"Back"</button>
                            {if paused {
                                view! { <button type="button" class="button button-quiet" aria-keyshortcuts="P" on:click=move |_| live.drive(AgendaCommand::Resume)>"Resume"</button> }.into_any()
                            } else {
                                view! { <button type="button" class="button button-quiet" aria-keyshortcuts="P" on:click=move |_| live.drive(AgendaCommand::Pause)>"Pause"</button> }.into_any()
                            }}
                            <button type="button" class="button button-quiet" aria-keyshortcuts="+" on:click=move |_| live.drive(AgendaCommand::Extend)>{format!("+{EXTEND_MINUTES} min")}</button>
                            <button type="button" class="button" aria-keyshortcuts="N" on:click=move |_| live.drive(AgendaCommand::Next)>"Next section"</button>
                        </div>
                        <p class="muted small">"Keys: N next · B back · P pause · + five more minutes"</p>
                    })}
                }
                .into_any()
            }
        }
    };
    let class = move || {
        let standing = agenda
            .get()
            .and_then(|a| a.standing(now()))
            .map_or("idle", Standing::as_str);
        format!("card clock clock-{standing}")
    };
    view! {
        <section class=class aria-label="Section clock" data-testid="section-clock">{face}</section>
    }
}

/// N, B, P and + drive the clock, unless the presenter is typing somewhere.
fn shortcuts(live: LiveHandle) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.repeat() {
                return;
            }
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                });
            if typing {
                return;
            }
            let paused = live.agenda().is_some_and(|a| a.is_paused());
            let command = match ev.key().as_str() {
                "n" | "N" => AgendaCommand::Next,
                "b" | "B" => AgendaCommand::Back,
                "p" | "P" if paused => AgendaCommand::Resume,
                "p" | "P" => AgendaCommand::Pause,
                "+" => AgendaCommand::Extend,
                _ => return,
            };
            ev.prevent_default();
            live.drive(command);
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = live;
}

/// The attendee's "now": the current section, what comes next, and during labs and
/// breaks the time left.
#[component]
pub fn NowCard(live: LiveHandle) -> impl IntoView {
    let tick = use_clock();
    let agenda = Memo::new(move |_| live.agenda());
    let lang = Lang::current();
    move || {
        let agenda = agenda.get()?;
        let section = agenda.current_section()?.clone();
        let now = live.server_time(tick.get());
        let locale = lang.get();
        let countdown = section.section.kind.counts_down().then(|| {
            let left = agenda.left(now).unwrap_or_default();
            let text = if agenda.is_paused() {
                td_string!(locale, agenda.paused).to_string()
            } else if left.num_seconds() <= 0 {
                td_string!(locale, agenda.time_up).to_string()
            } else {
                tr!(locale, agenda.left, time = clock_text(left))
            };
            view! { <p class="countdown-big" data-testid="section-countdown" role="timer">{text}</p> }
        });
        let next = agenda
            .next_section()
            .map(|s| tr!(locale, agenda.next, title = s.section.title));
        let (at, of) = place_of(&agenda, &section);
        Some(view! {
            <section class=format!("card now now-{}", section.section.kind.as_str()) aria-labelledby="now-heading" data-testid="current-section">
                <p class="eyebrow">
                    {td_string!(locale, agenda.now_eyebrow)}" · "{lang::position(locale, at, of)}" · "{lang::kind(locale, section.section.kind)}
                </p>
                <h2 id="now-heading" data-testid="current-section-title">{section.section.title.clone()}</h2>
                {countdown}
                {next.map(|n| view! { <p class="muted">{n}</p> })}
            </section>
        })
    }
}

/// "Kind": a section's kind, one of the five, for the agenda editor and "Add a section".
#[component]
pub fn SectionKindField(
    kind: RwSignal<SectionKind>,
    /// The form field's name, where a test or a form post needs one.
    #[prop(optional)]
    name: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>"Kind"</span>
            <select name=name on:change:target=move |ev| {
                if let Some(k) = SectionKind::parse(&ev.target().value()) { kind.set(k) }
            }>
                {SectionKind::ALL.map(|k| view! {
                    <option value=k.as_str() selected=move || kind.get() == k>{k.label()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
