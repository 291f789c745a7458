//! Quick polls on every screen: the bars, the attendee's card, and the staff's launcher
//! and results.

use super::cloud::{CloudModeration, CloudResults, WordsForm};
use super::live::LiveHandle;
use crate::domain::agenda::Agenda;
use crate::domain::poll::{PollView, YES_NO_TEMPLATES, fill_template};
use crate::lang::i18n::td_string;
use crate::lang::{self, Lang};
use crate::live::ClientMsg;
use crate::tr;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

/// One bar per choice, with its count and share written out, a quiz's right choices
/// marked once the view carries them; while the results are hidden from attendees,
/// what they get instead (they get no counts to draw).
#[component]
pub fn PollBars(
    poll: PollView,
    /// On a phone's card (a word cloud is laid out smaller).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let lang = Lang::current();
    if poll.spec.words {
        return EitherOf3::A(view! { <CloudResults poll compact/> });
    }
    if !poll.has_counts() {
        return EitherOf3::B(view! {
            <p class="poll-hidden" data-testid="poll-hidden">
                {move || td_string!(lang.get(), poll.hidden)}
            </p>
        });
    }
    let percents = poll.percents();
    let total = poll.total();
    EitherOf3::C(view! {
        <div class="poll-bars">
            {poll.spec.options.iter().enumerate().map(|(i, option)| {
                let count = poll.counts[i];
                let percent = percents[i];
                let right = poll.verdict(i as u8) == Some(true);
                let label = {
                    let option = option.clone();
                    move || {
                        let locale = lang.get();
                        let said = if right { format!(" ({})", td_string!(locale, poll.right_answer)) } else { String::new() };
                        format!("{option}{said}: {count} ({})", lang::percent(locale, percent))
                    }
                };
                view! {
                    <div class="meter-row poll-row" class:poll-right=right data-testid=right.then_some("poll-right")>
                        <span class="meter-label">
                            {right.then(|| view! { <span class="right-mark" aria-hidden="true">"✓\u{a0}"</span> })}
                            {option.clone()}
                        </span>
                        <div class="meter-track" role="img" aria-label=label>
                            <div class="meter-bar poll-bar" style=format!("width: {percent}%")></div>
                        </div>
                        <span class="meter-count" data-testid=format!("poll-count-{i}")>{count}</span>
                        <span class="meter-percent">{move || lang::percent(lang.get(), percent)}</span>
                    </div>
                }
            }).collect_view()}
            <p class="muted small">{move || {
                let locale = lang.get();
                if total == 1 { td_string!(locale, poll.one_answer).to_string() } else { tr!(locale, poll.answers, n = total) }
            }}</p>
        </div>
    })
}

/// The attendee's card for the poll on screen: choices to tap (the answer can change
/// while the poll is open) and the live bars. A closed poll of an earlier section is
/// not drawn ([`PollView::shown_to_attendees`]).
#[component]
pub fn PollCard(live: LiveHandle) -> impl IntoView {
    let lang = Lang::current();
    let poll = Memo::new(move |_| {
        let current = live.agenda().and_then(|a| a.current);
        live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.poll.clone())
                .filter(|p| p.shown_to_attendees(current))
        })
    });
    // The card is drawn from the poll without its counts, so it is drawn again only
    // when the poll itself changes (asked, closed, revealed), not with every answer:
    // typed words and focus stay. The results follow the answers on their own.
    let frame = Memo::new(move |_| {
        poll.get().map(|p| PollView {
            counts: Vec::new(),
            cloud: Vec::new(),
            hidden_cloud: Vec::new(),
            respondents: 0,
            ..p
        })
    });
    let results = move || {
        poll.get()
            .map(|poll| view! { <PollBars poll compact=true/> })
    };
    move || {
        let poll = frame.get()?;
        let id = poll.spec.id;
        let mine = move || {
            live.my_answer
                .get()
                .filter(|(p, _)| *p == id)
                .map(|(_, c)| c)
        };
        let choices = poll
            .spec
            .options
            .iter()
            .enumerate()
            .map(|(i, option)| {
                let choice = i as u8;
                let open = poll.open;
                view! {
                    <button type="button" class="choice-button"
                        aria-pressed=move || (mine() == Some(choice)).to_string()
                        disabled=!open
                        on:click=move |_| live.answer_poll(id, choice)>
                        {option.clone()}
                    </button>
                }
            })
            .collect_view();
        let open = poll.open;
        let words = poll.spec.words;
        let answer = if words {
            Either::Left(view! { <WordsForm live poll=poll.clone()/> })
        } else {
            Either::Right(view! {
                <div class="choice-row" role="group" aria-label=move || td_string!(lang.get(), poll.your_answer)>{choices}</div>
            })
        };
        let status = move || {
            if words {
                ""
            } else if open {
                td_string!(lang.get(), poll.can_change)
            } else {
                td_string!(lang.get(), poll.closed)
            }
        };
        // Once a quiz is revealed: was my answer right? (None before, or for a poll.)
        let verdict = {
            let poll = poll.clone();
            move || {
                let locale = lang.get();
                let answer = (0u8..)
                    .zip(&poll.spec.options)
                    .filter(|(i, _)| poll.verdict(*i) == Some(true))
                    .map(|(_, o)| o.as_str())
                    .collect::<Vec<_>>()
                    .join(&format!(" {} ", td_string!(locale, poll.or)));
                match mine().map(|c| poll.verdict(c)) {
                    Some(Some(true)) => Some((
                        "quiz-verdict quiz-right",
                        td_string!(locale, poll.right).to_string(),
                    )),
                    Some(Some(false)) => Some((
                        "quiz-verdict quiz-wrong",
                        tr!(locale, poll.wrong, answer = answer),
                    )),
                    None if poll.spec.is_quiz() => {
                        Some(("quiz-verdict", tr!(locale, poll.answer_is, answer = answer)))
                    }
                    _ => None,
                }
                .map(|(class, text)| view! { <p class=class data-testid="quiz-verdict">{text}</p> })
            }
        };
        let (quiz, open) = (poll.quiz, poll.open);
        let eyebrow = move || {
            let locale = lang.get();
            match (quiz, open) {
                _ if words => td_string!(locale, poll.cloud),
                (true, true) => td_string!(locale, poll.quiz_open),
                (true, false) => td_string!(locale, poll.quiz),
                (false, true) => td_string!(locale, poll.open),
                (false, false) => td_string!(locale, poll.results),
            }
        };
        Some(view! {
            <section class="card poll-card" aria-labelledby="poll-heading" data-testid="poll-card">
                <p class="eyebrow">{eyebrow}</p>
                <h2 id="poll-heading">{poll.spec.question.clone()}</h2>
                {answer}
                <p class="muted small" aria-live="polite">{status}</p>
                <div aria-live="polite">{verdict}</div>
                {results}
            </section>
        })
    }
}

/// The staff's polls: one click on a template asks it, or write a question with
/// choices; every poll asked, newest first, with its bars, its section, and Close or
/// Reopen.
#[component]
pub fn PollPanel(
    live: LiveHandle,
    project: String,
    /// The event's default: polls asked with their results hidden until revealed.
    hide_results_by_default: bool,
) -> impl IntoView {
    let question = RwSignal::new(String::new());
    let options = RwSignal::new(String::new());
    // For every poll asked from here, templates included; starts as the event says.
    let hide_results = RwSignal::new(hide_results_by_default);
    // The choices ticked as right answers (by their text): ticking any makes a quiz.
    let right = RwSignal::new(Vec::<String>::new());
    // The form asks a word cloud: attendees answer in words of their own.
    let words = RwSignal::new(false);
    let ask = move |question: String, options: Vec<String>, right: Vec<u8>| {
        live.act(|id| ClientMsg::AskPoll {
            id,
            question,
            options,
            hide_results: hide_results.get_untracked(),
            right,
            words: false,
        });
    };
    // The form's choices as they will be asked: one per line, or yes / no.
    let choices = move || {
        let lines: Vec<String> = options.with(|o| {
            o.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        });
        if lines.is_empty() {
            vec!["Yes".to_string(), "No".to_string()]
        } else {
            lines
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if words.get_untracked() {
            live.act(|id| ClientMsg::AskPoll {
                id,
                question: question.get_untracked(),
                options: Vec::new(),
                hide_results: hide_results.get_untracked(),
                right: Vec::new(),
                words: true,
            });
            question.set(String::new());
            return;
        }
        let asked = choices();
        let marked = right.get_untracked();
        let right_choices = (0u8..)
            .zip(&asked)
            .filter(|(_, c)| marked.contains(c))
            .map(|(i, _)| i)
            .collect();
        ask(question.get_untracked(), asked, right_choices);
        question.set(String::new());
        options.set(String::new());
        right.set(Vec::new());
    };
    let right_boxes = move || {
        choices()
            .into_iter()
            .map(|choice| {
                let mark = choice.clone();
                let checked = choice.clone();
                view! {
                    <label class="check-field">
                        <input type="checkbox" name="poll_right"
                            prop:checked=move || right.with(|r| r.contains(&checked))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                right.update(|r| {
                                    r.retain(|c| *c != mark);
                                    if on {
                                        r.push(mark.clone());
                                    }
                                });
                            }/>
                        <span>{choice}</span>
                    </label>
                }
            })
            .collect_view()
    };
    let templates = YES_NO_TEMPLATES
        .iter()
        .map(|t| fill_template(t, &project))
        .map(|text| {
            let label = text.clone();
            let edit = text.clone();
            view! {
                <li class="template">
                    <button type="button" class="button button-quiet button-small template-ask" on:click=move |_| ask(text.clone(), Vec::new(), Vec::new())>
                        {format!("Ask: {label}")}
                    </button>
                    <button type="button" class="icon-button" aria-label=format!("Edit before asking: {edit}")
                        on:click=move |_| question.set(edit.clone())>"✎"</button>
                </li>
            }
        })
        .collect_view();
    let polls = Memo::new(move |_| {
        live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.staff.as_ref())
                .map(|staff| staff.polls.clone())
                .unwrap_or_default()
        })
    });
    let agenda = Memo::new(move |_| live.agenda().unwrap_or_default());
    let section_title = move |agenda: &Agenda, poll: &PollView| {
        poll.spec
            .section
            .and_then(|id| agenda.section(id))
            .map(|s| format!("Asked during {}", s.section.title))
            .unwrap_or_else(|| "Asked before the start".to_string())
    };
    view! {
        <section class="card poll-panel" aria-labelledby="polls-heading" data-testid="poll-panel">
            <h2 id="polls-heading">"Quick polls"</h2>
            <ol class="poll-list" data-testid="poll-results">
                {move || {
                    let agenda = agenda.get();
                    polls.get().into_iter().map(|poll| {
                        let id = poll.spec.id;
                        let open = poll.open;
                        let hidden = !poll.results_shown;
                        let quiz = poll.quiz;
                        let reveal = move |_| {
                            live.act(|action| ClientMsg::RevealPoll { id: action, poll: id })
                        };
                        let toggle = move |_| {
                            live.act(|action| if open {
                                ClientMsg::ClosePoll { id: action, poll: id }
                            } else {
                                ClientMsg::ReopenPoll { id: action, poll: id }
                            })
                        };
                        view! {
                            <li class="poll-result" data-testid="poll-result">
                                <div class="card-head">
                                    <h3>{poll.spec.question.clone()}</h3>
                                    <span class="pills">
                                        {quiz.then(|| view! { <span class="pill" data-testid="quiz-pill">"Quiz"</span> })}
                                        {poll.spec.words.then(|| view! { <span class="pill">"Word cloud"</span> })}
                                        <span class=if open { "pill pill-live" } else { "pill" }>{if open { "Open" } else { "Closed" }}</span>
                                    </span>
                                </div>
                                <p class="muted small">{section_title(&agenda, &poll)}</p>
                                {hidden.then(|| view! {
                                    <p class="pill pill-warn" data-testid="results-hidden">"Results hidden from attendees"</p>
                                })}
                                <PollBars poll=poll.clone()/>
                                {poll.spec.words.then(|| view! { <CloudModeration live poll=poll.clone()/> })}
                                <div class="button-row">
                                    {hidden.then(|| view! {
                                        <button type="button" class="button button-small" on:click=reveal>
                                            {if quiz { "Reveal the answer" } else { "Reveal the results" }}
                                        </button>
                                    })}
                                    // A revealed quiz stays closed (PollBoard::reopen).
                                    {(open || !quiz || hidden).then(|| view! {
                                        <button type="button" class="button button-quiet button-small" on:click=toggle>
                                            {if open { "Close the poll" } else { "Reopen" }}
                                        </button>
                                    })}
                                </div>
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
            <label class="check-field">
                <input type="checkbox" name="hide_results" bind:checked=hide_results/>
                <span>"Hide the results from attendees until I reveal them"</span>
            </label>
            <ul class="templates">{templates}</ul>
            <form class="form poll-form" on:submit=submit>
                <label class="field">
                    <span>"Question"</span>
                    <input type="text" maxlength="200" bind:value=question name="poll_question" placeholder="Can everyone see my screen?"/>
                </label>
                <label class="check-field">
                    <input type="checkbox" name="poll_words" bind:checked=words/>
                    <span>"Word cloud: attendees answer in up to three words of their own"</span>
                </label>
                <Show when=move || !words.get()>
                    <label class="field">
                        <span>"Choices, one per line (leave empty for yes / no)"</span>
                        <textarea rows="3" bind:value=options name="poll_options"></textarea>
                    </label>
                    <fieldset class="right-choices">
                        <legend>"Right answer (tick to make it a quiz; its results stay hidden until you reveal the answer)"</legend>
                        {right_boxes}
                    </fieldset>
                </Show>
                <button type="submit" class="button button-small">{move || if words.get() { "Ask the word cloud" } else { "Ask the poll" }}</button>
            </form>
        </section>
    }
}
