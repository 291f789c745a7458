//! Check-ins on the attendee's page (the form, and who is here from where) and on the
//! presenter's panel (new places to read aloud).

use super::live::LiveHandle;
use crate::domain::checkin::spoken_list;
use crate::lang::Lang;
use crate::lang::i18n::td_string;
use crate::tr;
use leptos::prelude::*;

/// "Where are you joining from?" — a place and an optional name; sending again edits.
#[component]
pub fn CheckInCard(live: LiveHandle) -> impl IntoView {
    let lang = Lang::current();
    let place = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    // Fill the form with the check-in the server remembers, once it arrives.
    Effect::new(move |_| {
        if let Some(mine) = live.my_check_in.get() {
            if place.get_untracked().is_empty() {
                place.set(mine.place_text.as_str().to_string());
            }
            if name.get_untracked().is_empty() {
                name.set(mine.name.clone().unwrap_or_default());
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        live.check_in(place.get_untracked(), name.get_untracked());
    };
    let confirmation = move || {
        live.my_check_in.get().map(|mine| {
            let from = mine.label().to_string();
            // The place in bold wherever the language puts it in the sentence.
            let said = move || {
                let template = td_string!(lang.get(), checkin.done);
                let (before, after) = template.split_once("{place}").unwrap_or((template, ""));
                view! { {before}<strong>{from.clone()}</strong>{after} }
            };
            view! { <p class="checked-in" data-testid="checked-in">{said}</p> }
        })
    };
    view! {
        <section class="card" aria-labelledby="checkin-heading">
            <h2 id="checkin-heading">{move || td_string!(lang.get(), checkin.heading)}</h2>
            <form class="checkin-form" on:submit=submit>
                <label class="field">
                    <span>{move || td_string!(lang.get(), checkin.place)}</span>
                    <input type="text" required maxlength="80" bind:value=place name="place"
                        placeholder=move || td_string!(lang.get(), checkin.place_example) autocomplete="address-level2"/>
                </label>
                <label class="field">
                    <span>{move || td_string!(lang.get(), checkin.name)}</span>
                    <input type="text" maxlength="40" bind:value=name name="name" autocomplete="given-name"/>
                </label>
                <button type="submit" class="button">{move || if live.my_check_in.get().is_some() {
                    td_string!(lang.get(), checkin.update)
                } else {
                    td_string!(lang.get(), checkin.send)
                }}</button>
            </form>
            {confirmation}
            <HereFrom live/>
        </section>
    }
}

/// How many have checked in, and the places they are joining from.
#[component]
pub fn HereFrom(live: LiveHandle) -> impl IntoView {
    let lang = Lang::current();
    let tally = move || live.checkins();
    view! {
        <div class="here-from" data-testid="here-from">
            {move || {
                let tally = tally();
                (tally.count > 0).then(|| view! {
                    <p class="muted">{tr!(lang.get(), checkin.count, n = tally.count)}</p>
                    <ul class="place-list">
                        {tally.places.into_iter().take(12).map(|p| view! {
                            <li>{p.label}<span class="place-count">{(p.count > 1).then(|| format!(" × {}", p.count))}</span></li>
                        }).collect_view()}
                    </ul>
                })
            }}
        </div>
    }
}

/// The presenter's panel: the places to greet, and a way to mark them read.
#[component]
pub fn NewPlaces(live: LiveHandle) -> impl IntoView {
    let tally = move || live.checkins();
    view! {
        <section class="card" aria-labelledby="places-heading" data-testid="new-places">
            <div class="card-head">
                <h2 id="places-heading">"Joining from"</h2>
                <span class="muted" data-testid="checkin-count">{move || format!("{} checked in", tally().count)}</span>
            </div>
            {move || {
                let unread = live.snapshot.with(|s| {
                    s.as_ref().and_then(|s| s.staff.as_ref()).map(|staff| staff.unread_places.clone()).unwrap_or_default()
                });
                if unread.is_empty() {
                    view! { <p class="muted">"No new places since you last read them out."</p> }.into_any()
                } else {
                    view! {
                        <p class="greeting">"Say hello to folks in "<strong data-testid="greeting">{spoken_list(&unread, "and")}</strong></p>
                        <button type="button" class="button button-quiet" on:click=move |_| live.mark_places_read()>"Mark read"</button>
                    }
                    .into_any()
                }
            }}
            {move || {
                let countries = tally().countries;
                (!countries.is_empty()).then(|| view! {
                    <p class="muted countries">
                        {countries.into_iter().take(8).map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join(" · ")}
                    </p>
                })
            }}
        </section>
    }
}
