//! The agenda as a list: each section's title, kind and planned minutes.

use crate::domain::event::{Section, planned_minutes};
use leptos::prelude::*;

#[component]
pub fn AgendaList(sections: Vec<Section>) -> impl IntoView {
    let total = planned_minutes(&sections);
    view! {
        <section class="card" aria-labelledby="agenda-heading">
            <h2 id="agenda-heading">"Agenda"</h2>
            <ol class="agenda">
                {sections
                    .into_iter()
                    .map(|section| {
                        let split = (section.exercise_minutes > 0)
                            .then(|| format!(" · {} min exercises", section.exercise_minutes));
                        view! {
                            <li class="agenda-item">
                                <span class=format!("kind kind-{}", section.kind.as_str())>{section.kind.label()}</span>
                                <span class="agenda-title">{section.title}</span>
                                <span class="agenda-minutes">{format!("{} min", section.minutes)}{split}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <p class="muted">{format!("{total} minutes planned in all")}</p>
        </section>
    }
}
