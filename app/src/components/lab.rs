//! Lab signals: the attendee's Done / Stuck during a lab, and the staff's view of them.

use super::live::LiveHandle;
use super::live::use_clock;
use crate::domain::agenda::clock_text;
use crate::domain::event::SectionKind;
use crate::domain::help::{HelpAction, HelpView, Helper, MAX_HELPER_CHARS};
use crate::domain::lab::{LabSignal, MAX_NOTE_CHARS};
use crate::lang::Lang;
use crate::lang::i18n::td_string;
use crate::lang::{self, Notice};
use crate::tr;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

/// The running lab section's id, if a lab is running.
fn running_lab(live: LiveHandle) -> Option<u32> {
    live.agenda()?
        .current_section()
        .filter(|s| s.section.kind == SectionKind::Lab)
        .map(|s| s.id)
}

/// Done · Stuck, for attendees during a lab. Stuck offers a note to the co-instructors.
#[component]
pub fn LabButtons(live: LiveHandle) -> impl IntoView {
    let lang = Lang::current();
    let lab = Memo::new(move |_| running_lab(live));
    let note = RwSignal::new(String::new());
    let sent = RwSignal::new(false);
    move || {
        let section = lab.get()?;
        let mine = move || {
            live.my_lab
                .get()
                .filter(|(s, _)| *s == section)
                .map(|(_, signal)| signal)
        };
        let press = move |signal: LabSignal| {
            sent.set(false);
            let again = mine() == Some(signal);
            live.signal_lab(section, (!again).then_some(signal), String::new());
        };
        let send_note = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            live.signal_lab(section, Some(LabSignal::Stuck), note.get_untracked());
            sent.set(true);
        };
        Some(view! {
            <section class="card lab-card" aria-labelledby="lab-heading" data-testid="lab-card">
                <h2 id="lab-heading">{move || td_string!(lang.get(), lab.heading)}</h2>
                <div class="choice-row" role="group" aria-label=move || td_string!(lang.get(), lab.group)>
                    <button type="button" class="choice-button lab-done" aria-pressed=move || (mine() == Some(LabSignal::Done)).to_string()
                        on:click=move |_| press(LabSignal::Done) data-testid="lab-done-button">{move || td_string!(lang.get(), lab.done)}</button>
                    <button type="button" class="choice-button lab-stuck" aria-pressed=move || (mine() == Some(LabSignal::Stuck)).to_string()
                        on:click=move |_| press(LabSignal::Stuck) data-testid="lab-stuck-button">{move || td_string!(lang.get(), lab.stuck)}</button>
                </div>
                // Right under the buttons: on a small phone the note's form would push it
                // under the pace row.
                {move || help_place(live, section, lang)}
                {move || (mine() == Some(LabSignal::Stuck)).then(|| view! {
                    <form class="form" on:submit=send_note>
                        <label class="field">
                            <span>{move || td_string!(lang.get(), lab.note)}</span>
                            <textarea rows="2" maxlength=MAX_NOTE_CHARS.to_string() bind:value=note name="stuck_note"></textarea>
                        </label>
                        <button type="submit" class="button button-small">{move || td_string!(lang.get(), lab.send)}</button>
                        {move || sent.get().then(|| view! { <p class="note" role="status">{move || td_string!(lang.get(), lab.sent)}</p> })}
                    </form>
                })}
                <p class="muted small">{move || td_string!(lang.get(), lab.undo)}</p>
            </section>
        })
    }
}

/// "You are 2nd in the queue for help", then "Ana is on their way to help you": a stuck
/// attendee's place in the lab's line, found by their ticket.
fn help_place(live: LiveHandle, section: u32, lang: Lang) -> Option<impl IntoView + use<>> {
    let (of, ticket) = live.my_ticket.get()?;
    if of != section || live.my_lab.get() != Some((section, LabSignal::Stuck)) {
        return None;
    }
    let (place, helper) = live.snapshot.with(|s| {
        s.as_ref()
            .map(|s| (s.help.place(ticket), s.help.helper_of(ticket).cloned()))
    })?;
    let locale = lang.get();
    let text = match (helper, place) {
        (Some(helper), _) => tr!(locale, help.coming, name = helper.as_str()),
        (None, Some(place)) => tr!(locale, help.place, place = lang::ordinal(locale, place)),
        (None, None) => return None,
    };
    Some(view! { <p class="help-place" role="status" data-testid="help-place">{text}</p> })
}

/// The co-instructors' help queue of the running lab, in the order Stuck was pressed:
/// who, what they wrote, how long they have waited, who is on it; "I'm on it" under the
/// name attendees see, then "Helped" or "Back to the queue".
#[component]
pub fn HelpQueuePanel(live: LiveHandle) -> impl IntoView {
    let lab = Memo::new(move |_| running_lab(live));
    let me = RwSignal::new(String::new());
    let tick = use_clock();
    let queue = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.staff.as_ref())
                .map(|st| st.help.clone())
                .unwrap_or_default()
        })
    };
    let row = move |(place, view): (usize, HelpView)| {
        let ticket = view.ticket;
        let waited = move || {
            let now = live.server_time(tick.get());
            clock_text(now - view.stuck_at)
        };
        let mine = view
            .helper
            .as_ref()
            .is_some_and(|h| h.as_str() == me.get_untracked().trim());
        let take = move |_| match Helper::parse(&me.get_untracked()) {
            Ok(helper) => live.help(ticket, HelpAction::Take { helper }),
            Err(_) => live.notice.set(Some(Notice::Said(
                "Type your name first: the attendee sees who is coming.".into(),
            ))),
        };
        view! {
            <li class="help-request" data-testid="help-request">
                <p>
                    <strong>{format!("{place}. ")}{view.name.clone().unwrap_or_else(|| "Someone".into())}</strong>
                    <span class="muted">" · waited "{waited}</span>
                    {view.helper.clone().map(|h| view! { " · " <span class="pill pill-live">{format!("{} is on it", h.as_str())}</span> })}
                </p>
                {view.note.clone().map(|n| view! { <p class="help-note">{n.as_str().to_string()}</p> })}
                <div class="button-row">
                    {if view.helper.is_none() {
                        EitherOf3::A(view! { <button type="button" class="button button-small" on:click=take>"I'm on it"</button> })
                    } else if mine {
                        EitherOf3::B(view! {
                            <button type="button" class="button button-small" on:click=move |_| live.help(ticket, HelpAction::Helped)>"Helped"</button>
                            <button type="button" class="button button-quiet button-small" on:click=move |_| live.help(ticket, HelpAction::Release)>"Back to the queue"</button>
                        })
                    } else {
                        EitherOf3::C(view! {
                            <button type="button" class="button button-quiet button-small" on:click=move |_| live.help(ticket, HelpAction::Helped)>"Helped"</button>
                        })
                    }}
                </div>
            </li>
        }
    };
    move || {
        lab.get()?;
        Some(view! {
            <section class="card help-queue" aria-labelledby="help-heading" data-testid="help-queue">
                <div class="card-head">
                    <h2 id="help-heading">"Help queue"</h2>
                    <label class="field field-inline">
                        <span>"Your name"</span>
                        <input type="text" maxlength=MAX_HELPER_CHARS.to_string() bind:value=me name="helper_name"
                            placeholder="as attendees see it" autocomplete="given-name"/>
                    </label>
                </div>
                {move || {
                    let list = queue();
                    if list.is_empty() {
                        Either::Left(view! { <p class="muted">"Nobody is waiting for help."</p> })
                    } else {
                        Either::Right(view! {
                            <ol class="help-list">{list.into_iter().enumerate().map(|(i, v)| row((i + 1, v))).collect_view()}</ol>
                        })
                    }
                }}
            </section>
        })
    }
}

/// How the lab is going: done and stuck of the attendees here, and the stuck notes.
#[component]
pub fn LabPanel(live: LiveHandle) -> impl IntoView {
    let lab = Memo::new(move |_| running_lab(live));
    move || {
        lab.get()?;
        let (counts, online, notes, summary) = live.snapshot.with(|s| {
            s.as_ref().map(|s| {
                let staff = s.staff.as_ref();
                (
                    s.lab.clone(),
                    s.online.attendees,
                    staff.map(|st| st.stuck_notes.clone()).unwrap_or_default(),
                    staff.map(|st| st.help_summary).unwrap_or_default(),
                )
            })
        })?;
        Some(view! {
            <section class="card lab-panel" aria-labelledby="lab-panel-heading" data-testid="lab-panel">
                <h2 id="lab-panel-heading">"Lab"</h2>
                <p class="lab-counts">
                    <span class="lab-count lab-done" data-testid="lab-done">{counts.done}" done"</span>
                    " · "
                    <span class="lab-count lab-stuck" data-testid="lab-stuck">{counts.stuck}" stuck"</span>
                    <span class="muted">{format!(" of {online} here")}</span>
                </p>
                {(summary.waiting + summary.being_helped > 0).then(|| view! {
                    <p class="help-summary" data-testid="help-summary">
                        <strong>{format!("{} waiting for help", summary.waiting)}</strong>
                        {summary.longest_wait_secs.map(|s| format!(" · longest wait {}", clock_text(chrono::Duration::seconds(s))))}
                        {(summary.being_helped > 0).then(|| format!(" · {} being helped", summary.being_helped))}
                    </p>
                })}
                {(!notes.is_empty()).then(|| view! {
                    <h3>"Stuck, in their words"</h3>
                    <ul class="stuck-notes">
                        {notes.into_iter().map(|n| view! { <li>{n.note.as_str().to_string()}</li> }).collect_view()}
                    </ul>
                })}
            </section>
        })
    }
}
