//! Lab signals: the attendee's Done / Stuck during a lab, and the staff's view of them.

use super::live::LiveHandle;
use crate::domain::event::SectionKind;
use crate::domain::lab::{LabSignal, MAX_NOTE_CHARS};
use crate::lang::Lang;
use crate::lang::i18n::td_string;
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

/// How the lab is going: done and stuck of the attendees here, and the stuck notes.
#[component]
pub fn LabPanel(live: LiveHandle) -> impl IntoView {
    let lab = Memo::new(move |_| running_lab(live));
    move || {
        lab.get()?;
        let (counts, online, notes) = live.snapshot.with(|s| {
            s.as_ref().map(|s| {
                (
                    s.lab.clone(),
                    s.online.attendees,
                    s.staff
                        .as_ref()
                        .map(|st| st.stuck_notes.clone())
                        .unwrap_or_default(),
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
