//! The question queue on every screen: attendees ask and upvote, co-instructors
//! moderate, the presenter takes what was bubbled up. Question text is always shown as
//! text (Leptos escapes it), never as markup.

use super::live::LiveHandle;
use super::overlay::OnStreamButton;
use crate::domain::event::SectionKind;
use crate::domain::question::{
    MAX_QUESTION_CHARS, Moderation, QuestionState, QuestionView, QueueOrder, sort_queue,
};
use crate::lang::i18n::td_string;
use crate::lang::{self, Lang, Notice};
use leptos::either::Either;
use leptos::prelude::*;

fn asker(view: &QuestionView) -> String {
    view.question
        .name
        .clone()
        .unwrap_or_else(|| "Anonymous".to_string())
}

fn votes_text(votes: u32) -> String {
    format!("{votes} vote{}", if votes == 1 { "" } else { "s" })
}

/// The attendee's questions card: ask (named or anonymous), upvote others', see the
/// answers, and follow one's own questions.
#[component]
pub fn AttendeeQuestions(live: LiveHandle) -> impl IntoView {
    let lang = Lang::current();
    let text = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = text.get_untracked();
        if typed.trim().is_empty() {
            live.notice.set(Some(Notice::EmptyQuestion));
            return;
        }
        live.ask_question(typed, name.get_untracked());
        text.set(String::new());
    };
    // A refused question comes back to the field (unless something new is typed there).
    Effect::new(move |_| {
        if let Some(refused) = live.returned_question.get() {
            if text.get_untracked().trim().is_empty() {
                text.set(refused);
            }
            live.returned_question.set(None);
        }
    });
    let public = Memo::new(move |_| {
        live.snapshot
            .with(|s| s.as_ref().map(|s| s.questions.clone()).unwrap_or_default())
    });
    let mine = move || {
        let ids = live.my_questions.get();
        live.snapshot.with(|s| {
            let Some(s) = s.as_ref() else {
                return Vec::new();
            };
            ids.iter()
                .map(|id| {
                    let state = s
                        .questions
                        .iter()
                        .find(|q| q.question.id == *id)
                        .map(|q| q.question.state)
                        .or_else(|| {
                            s.hidden_questions
                                .iter()
                                .find(|(q, _)| q == id)
                                .map(|(_, st)| *st)
                        });
                    (*id, state)
                })
                .collect::<Vec<_>>()
        })
    };
    let row = move |view: QuestionView| {
        let id = view.question.id;
        let voted = move || live.my_upvotes.get().contains(&id);
        let own = move || live.my_questions.get().contains(&id);
        let answer = view.question.answer.clone();
        let name = view.question.name.clone();
        let state = view.question.state;
        let text = view.question.text.clone();
        view! {
            <li class="question" data-testid="question">
                <p class="question-text">{view.question.text.clone()}</p>
                <p class="muted small">
                    {move || name.clone().unwrap_or_else(|| td_string!(lang.get(), questions.anonymous).to_string())}
                    {matches!(state, QuestionState::Bubbled | QuestionState::ForBreak)
                        .then(|| move || format!(" · {}", lang::question_state(lang.get(), state)))}
                </p>
                {answer.map(|a| view! {
                    <p class="answer"><strong>{move || td_string!(lang.get(), questions.answer)}" "</strong>{move || lang::answer(lang.get(), &a)}</p>
                })}
                <button type="button" class="upvote" aria-pressed=move || voted().to_string()
                    disabled=own
                    aria-label=move || format!("{}: {}", td_string!(lang.get(), questions.upvote), text)
                    on:click=move |_| live.upvote(id, !voted())
                    data-testid="upvote">
                    "▲ " <span data-testid="votes">{view.votes}</span>
                </button>
            </li>
        }
    };
    view! {
        <section class="card questions-card" aria-labelledby="questions-heading" data-testid="attendee-questions">
            <h2 id="questions-heading">{move || td_string!(lang.get(), questions.heading)}</h2>
            <form class="form" on:submit=ask>
                <label class="field">
                    <span>{move || td_string!(lang.get(), questions.yours)}</span>
                    <textarea rows="2" maxlength=MAX_QUESTION_CHARS.to_string() bind:value=text name="question"></textarea>
                </label>
                <label class="field">
                    <span>{move || td_string!(lang.get(), questions.name)}</span>
                    <input type="text" maxlength="60" bind:value=name name="question_name" autocomplete="given-name"/>
                </label>
                <button type="submit" class="button">{move || td_string!(lang.get(), questions.ask)}</button>
            </form>
            {move || {
                let mine = mine();
                (!mine.is_empty()).then(|| view! {
                    <h3>{move || td_string!(lang.get(), questions.mine)}</h3>
                    <ul class="my-questions" data-testid="my-questions">
                        {mine.into_iter().map(|(id, state)| {
                            let text = public.with(|p| p.iter().find(|q| q.question.id == id).map(|q| q.question.text.clone()));
                            view! {
                                <li>
                                    {text.unwrap_or_else(|| td_string!(lang.get(), questions.yours).into())}
                                    " — "<strong>{move || {
                                        let locale = lang.get();
                                        state.map_or(td_string!(locale, questions.sending), |s| lang::question_state(locale, s))
                                    }}</strong>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
            <h3>{move || td_string!(lang.get(), questions.asked)}</h3>
            <ol class="question-list" data-testid="public-questions">
                {move || {
                    let list = public.get();
                    if list.is_empty() {
                        Either::Left(view! { <li class="muted">{move || td_string!(lang.get(), questions.none)}</li> })
                    } else {
                        Either::Right(list.into_iter().map(row).collect_view())
                    }
                }}
            </ol>
        </section>
    }
}

/// The co-instructors' queue: sorted by votes or time, filtered by state, with the
/// actions each question's state allows.
#[component]
pub fn QuestionQueue(live: LiveHandle) -> impl IntoView {
    let order = RwSignal::new(QueueOrder::Votes);
    let filter = RwSignal::new(None::<QuestionState>);
    let queue = Memo::new(move |_| {
        let mut all = live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.staff.as_ref())
                .map(|st| st.queue.clone())
                .unwrap_or_default()
        });
        if let Some(state) = filter.get() {
            all.retain(|q| q.question.state == state);
        }
        sort_queue(&mut all, order.get());
        all
    });
    let pre = move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.staff.as_ref())
                .is_some_and(|st| st.pre_moderation)
        })
    };
    view! {
        <section class="card queue" aria-labelledby="queue-heading" data-testid="question-queue">
            <div class="card-head queue-head">
                <h2 id="queue-heading">"Question queue"</h2>
                <span class="muted small">{move || if pre() { "Pre-moderated: new questions wait for approval" } else { "Questions are public as soon as asked" }}</span>
                <div class="queue-controls">
                <label class="field field-inline">
                    <span>"Sort"</span>
                    <select name="queue_order" on:change=move |ev| order.set(if event_target_value(&ev) == "time" { QueueOrder::Time } else { QueueOrder::Votes })>
                        <option value="votes">"Most votes"</option>
                        <option value="time">"Newest"</option>
                    </select>
                </label>
                <label class="field field-inline">
                    <span>"Show"</span>
                    <select name="queue_filter" on:change=move |ev| filter.set(QuestionState::parse(&event_target_value(&ev)))>
                        <option value="">"All"</option>
                        {QuestionState::ALL.map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                </div>
            </div>
            <ol class="question-list">
                {move || {
                    let list = queue.get();
                    if list.is_empty() {
                        view! { <li class="muted">"Nothing here."</li> }.into_any()
                    } else {
                        list.into_iter().map(|view| view! { <QueueItem live view/> }).collect_view().into_any()
                    }
                }}
            </ol>
        </section>
    }
}

/// One question in the co-instructors' queue, with its actions on the same line (ten
/// fit on a laptop's screen); a note for the presenter or a typed answer open below
/// it on demand.
#[component]
fn QueueItem(live: LiveHandle, view: QuestionView) -> impl IntoView {
    let q = view.question.clone();
    let (id, from) = (q.id, q.version);
    let act = move |action: Moderation| live.moderate(id, from, action);
    let answer_text = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let writing = RwSignal::new(false);
    let allowed = q.clone();
    let button = move |label: &'static str, action: Moderation| {
        allowed.allows(&action).then(|| view! {
            <button type="button" class="button button-quiet button-small" on:click=move |_| act(action.clone())>{label}</button>
        })
    };
    let can_answer = q.allows(&Moderation::Answer {
        text: String::new(),
    });
    let can_bubble = q.allows(&Moderation::BubbleUp {
        note: String::new(),
    });
    let writing_form = move || {
        writing.get().then(|| view! {
            <div class="queue-write">
                {can_bubble.then(|| view! {
                    <form class="inline-action" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        act(Moderation::BubbleUp { note: note.get_untracked() });
                    }>
                        <input type="text" maxlength="300" bind:value=note placeholder="Note for the presenter (optional)" aria-label="Note for the presenter"/>
                        <button type="submit" class="button button-small">"Bubble up with the note"</button>
                    </form>
                })}
                {can_answer.then(|| view! {
                    <form class="inline-action" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        act(Moderation::Answer { text: answer_text.get_untracked() });
                    }>
                        <input type="text" maxlength="1000" bind:value=answer_text placeholder="Type an answer, or leave empty: answered in chat" aria-label="Answer"/>
                        <button type="submit" class="button button-quiet button-small">"Answer"</button>
                    </form>
                })}
            </div>
        })
    };
    view! {
        <li class=format!("question queue-item state-{}", q.state.as_str()) class:writing=move || writing.get() data-testid="queue-item">
            <div class="queue-what">
                // Two lines in the list; the whole text on hover and with the forms open.
                <p class="question-text" title=q.text.clone()>{q.text.clone()}</p>
                {q.note.clone().map(|n| view! { <p class="muted small">"Note: "{n}</p> })}
                {q.answer.clone().map(|a| view! { <p class="answer"><strong>"Answer: "</strong>{a.label().to_string()}</p> })}
            </div>
            <p class="queue-meta muted small">
                <span><span class="pill">{q.state.label()}</span>" "{votes_text(view.votes)}{q.pinned.then_some(" · pinned")}</span>
                <span>{asker(&view)}</span>
            </p>
            <div class="button-row queue-actions">
                {button("Approve", Moderation::Approve)}
                {can_bubble.then(|| view! {
                    <button type="button" class="button button-small" on:click=move |_| act(Moderation::BubbleUp { note: String::new() })>"Bubble up"</button>
                })}
                {button("For the break", Moderation::KeepForBreak)}
                {button("Pin", Moderation::Pin)}
                {button("Unpin", Moderation::Unpin)}
                {button("Dismiss", Moderation::Dismiss)}
                {button("Restore", Moderation::Restore)}
                {(can_bubble || can_answer).then(|| view! {
                    <button type="button" class="button button-quiet button-small"
                        aria-expanded=move || writing.get().to_string()
                        on:click=move |_| writing.update(|w| *w = !*w)>"Note or answer…"</button>
                })}
            </div>
            {writing_form}
        </li>
    }
}

/// The presenter's bubbled-up questions (with the co-instructor's note and "Taken"),
/// and during a break or Q&A the questions kept for it.
#[component]
pub fn BubbledQuestions(live: LiveHandle) -> impl IntoView {
    let lists = Memo::new(move |_| {
        let queue = live.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.staff.as_ref())
                .map(|st| st.queue.clone())
                .unwrap_or_default()
        });
        let break_now = live
            .agenda()
            .and_then(|a| a.current_section().map(|s| s.section.kind))
            .is_some_and(|k| matches!(k, SectionKind::Break | SectionKind::Qa));
        let bubbled: Vec<QuestionView> = queue
            .iter()
            .filter(|q| q.question.state == QuestionState::Bubbled)
            .cloned()
            .collect();
        let for_break: Vec<QuestionView> = if break_now {
            queue
                .into_iter()
                .filter(|q| q.question.state == QuestionState::ForBreak)
                .collect()
        } else {
            Vec::new()
        };
        (bubbled, for_break)
    });
    let item = move |view: QuestionView| {
        let (id, from) = (view.question.id, view.question.version);
        let can_take = view.question.allows(&Moderation::Take);
        view! {
            <li class="question bubbled" data-testid="bubbled-question">
                <p class="question-text">{view.question.text.clone()}</p>
                <p class="muted small">{asker(&view)}" · "{votes_text(view.votes)}</p>
                {view.question.note.clone().map(|n| view! { <p class="note-for-presenter" data-testid="bubble-note">"Note: "{n}</p> })}
                <div class="button-row">
                    {can_take.then(|| view! {
                        <button type="button" class="button button-small" on:click=move |_| live.moderate(id, from, Moderation::Take)>"Taken"</button>
                    })}
                    <OnStreamButton live question=id/>
                </div>
            </li>
        }
    };
    view! {
        <section class="card" aria-labelledby="bubbled-heading" data-testid="bubbled">
            <h2 id="bubbled-heading">"Questions for you"</h2>
            {move || {
                let (bubbled, for_break) = lists.get();
                view! {
                    {if bubbled.is_empty() {
                        view! { <p class="muted">"Nothing bubbled up yet. Co-instructors pass the good ones here."</p> }.into_any()
                    } else {
                        view! { <ol class="question-list">{bubbled.into_iter().map(item).collect_view()}</ol> }.into_any()
                    }}
                    {(!for_break.is_empty()).then(|| view! {
                        <h3>"Kept for the break"</h3>
                        <ol class="question-list">{for_break.into_iter().map(item).collect_view()}</ol>
                    })}
                }
            }}
        </section>
    }
}
