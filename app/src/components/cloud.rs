//! Word clouds on every screen: the cloud itself (an SVG the app lays out, the same on
//! every screen), the attendee's answer form, and the co-instructors' hide and show.

use super::live::LiveHandle;
use crate::domain::cloud::{self, CloudWord, MAX_ANSWER_CHARS, MAX_ANSWERS};
use crate::domain::poll::PollView;
use crate::lang::i18n::td_string;
use crate::lang::{self, Lang};
use crate::live::ClientMsg;
use crate::tr;
use leptos::prelude::*;

/// The cloud's box, in the SVG's units: wider than tall, like the screens it is on; on
/// a phone's card a smaller box, drawn about one unit to a pixel, so the least given
/// words stay readable.
const WIDE: (f64, f64) = (640.0, 360.0);
const PHONE: (f64, f64) = (320.0, 260.0);

/// The words laid out by [`cloud::layout`] (sizes by count, none overlapping), named in
/// full for screen readers.
#[component]
pub fn WordCloud(
    words: Vec<CloudWord>,
    /// Laid out for a phone's card.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let lang = Lang::current();
    let (width, height) = if compact { PHONE } else { WIDE };
    let placed = cloud::layout(&words, width, height);
    let listed = words
        .iter()
        .map(|w| format!("{} ({})", w.label, w.count))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <svg class="word-cloud" viewBox=format!("0 0 {width} {height}") role="img"
            aria-label=move || tr!(lang.get(), poll.cloud_label, words = listed.clone())
            data-testid="word-cloud">
            {placed.into_iter().enumerate().map(|(i, word)| view! {
                // The baseline sits about four fifths down the word's box.
                // Whole units (of 640): plenty for the eye, and no float formatting to ship.
                <text x=(word.x.round() as i32).to_string() y=((word.y + word.size * 0.95).round() as i32).to_string()
                    font-size=(word.size.round() as i32).to_string()
                    // Drawn exactly as wide as laid out, whatever the font: the layout's
                    // boxes are then the words' own, and none overlaps another.
                    textLength=(word.width.floor() as i32).to_string() lengthAdjust="spacingAndGlyphs"
                    class=format!("cloud-word cloud-tone-{}", i % 4)
                    data-testid="cloud-word" data-count=word.count.to_string()>
                    {word.label}
                </text>
            }).collect_view()}
        </svg>
    }
}

/// A word cloud's results: the cloud and how many answered, or what attendees are told
/// while the results are hidden.
#[component]
pub fn CloudResults(
    poll: PollView,
    /// Laid out for a phone's card.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let lang = Lang::current();
    let respondents = poll.respondents;
    let said = move || {
        let locale = lang.get();
        if respondents == 1 {
            td_string!(locale, poll.one_person).to_string()
        } else {
            tr!(locale, poll.people, n = respondents)
        }
    };
    let hidden = !poll.has_counts();
    let empty = !hidden && poll.cloud.is_empty();
    view! {
        <div class="cloud-results">
            {hidden.then(|| view! {
                <p class="poll-hidden" data-testid="poll-hidden">{move || td_string!(lang.get(), poll.hidden)}</p>
            })}
            {empty.then(|| view! { <p class="muted small">{move || td_string!(lang.get(), poll.no_words)}</p> })}
            {(!hidden && !empty).then(|| view! {
                <WordCloud words=poll.cloud.clone() compact/>
                <p class="muted small" data-testid="cloud-respondents">{said}</p>
            })}
        </div>
    }
}

/// The attendee's answers to an open word cloud: up to three short ones, sent together
/// and changed while it is open.
#[component]
pub fn WordsForm(live: LiveHandle, poll: PollView) -> impl IntoView {
    let lang = Lang::current();
    let id = poll.spec.id;
    let mine = move || {
        live.my_words
            .get()
            .filter(|(p, _)| *p == id)
            .map(|(_, words)| words)
    };
    let fields: Vec<RwSignal<String>> = (0..MAX_ANSWERS)
        .map(|i| RwSignal::new(mine().and_then(|w| w.get(i).cloned()).unwrap_or_default()))
        .collect();
    let editing = RwSignal::new(mine().is_none());
    let open = poll.open;
    let send = {
        let fields = fields.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let answers: Vec<String> = fields
                .iter()
                .map(|f| f.get_untracked().trim().to_string())
                .filter(|a| !a.is_empty())
                .collect();
            if answers.is_empty() {
                return;
            }
            live.answer_words(id, answers);
            editing.set(false);
        }
    };
    let inputs = fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let field = *field;
            view! {
                <input type="text" class="word-input" maxlength=MAX_ANSWER_CHARS.to_string()
                    name=format!("word_{}", i + 1) autocomplete="off" required=i == 0
                    aria-label=move || tr!(lang.get(), poll.word_n, n = i + 1)
                    placeholder=move || tr!(lang.get(), poll.word_n, n = i + 1)
                    bind:value=field/>
            }
        })
        .collect_view();
    view! {
        {move || {
            let form_shown = open && (editing.get() || mine().is_none());
            mine().filter(|_| !form_shown).map(|words| view! {
                <p class="words-mine" data-testid="words-mine">
                    {move || tr!(lang.get(), poll.words_mine, words = lang::spoken_list(lang.get(), &words))}
                    " "
                    {open.then(|| view! {
                        <button type="button" class="button button-quiet button-small" on:click=move |_| editing.set(true)>
                            {move || td_string!(lang.get(), poll.words_change)}
                        </button>
                    })}
                </p>
            })
        }}
        {move || (!open && mine().is_none()).then(|| view! {
            <p class="muted small">{move || td_string!(lang.get(), poll.words_closed)}</p>
        })}
        <Show when=move || open && (editing.get() || mine().is_none())>
            <form class="words-form" on:submit=send.clone()>
                <p class="muted small">{move || td_string!(lang.get(), poll.words_hint)}</p>
                <div class="word-inputs">{inputs.clone()}</div>
                <button type="submit" class="button">{move || td_string!(lang.get(), poll.words_send)}</button>
            </form>
        </Show>
    }
}

/// The staff's list of a cloud's words, each with Hide (or Show, for one hidden by a
/// co-instructor or held by the word filter).
#[component]
pub fn CloudModeration(live: LiveHandle, poll: PollView) -> impl IntoView {
    let id = poll.spec.id;
    let row = move |word: CloudWord, hidden: bool| {
        let key = word.key.clone();
        let toggle = move |_| {
            let key = key.clone();
            live.act(|action| ClientMsg::HideWord {
                id: action,
                poll: id,
                key,
                hidden: !hidden,
            })
        };
        view! {
            <li class="cloud-entry" class:cloud-hidden=hidden data-testid="cloud-entry">
                <span>{word.label.clone()}</span>
                <span class="meter-count">{word.count}</span>
                <button type="button" class="button button-quiet button-small" on:click=toggle
                    aria-label=format!("{} “{}”", if hidden { "Show" } else { "Hide" }, word.label)>
                    {if hidden { "Show" } else { "Hide" }}
                </button>
            </li>
        }
    };
    let shown: Vec<_> = poll.cloud.iter().cloned().map(|w| row(w, false)).collect();
    let hidden: Vec<_> = poll
        .hidden_cloud
        .iter()
        .cloned()
        .map(|w| row(w, true))
        .collect();
    let any_hidden = !hidden.is_empty();
    (!shown.is_empty() || any_hidden).then(|| {
        view! {
            <div class="cloud-moderation">
                <p class="muted small">"Hide a word from every screen:"</p>
                <ul class="cloud-list">{shown}</ul>
                {any_hidden.then(|| view! {
                    <p class="muted small">"Hidden from attendees, the stage and the overlay:"</p>
                    <ul class="cloud-list" data-testid="cloud-hidden">{hidden}</ul>
                })}
            </div>
        }
    })
}
