//! The feedback survey on screen: the attendee's form, and the organizer's editor of
//! its questions.

#[cfg(feature = "hydrate")]
use crate::api::feedback::fetch_feedback;
use crate::api::feedback::{FeedbackView, SubmitFeedback};
use crate::api::reports::{CloseSurvey, SaveSurvey, SurveyAdmin, fetch_survey_admin};
use crate::components::chrome::ErrorNote;
use crate::domain::feedback::{AnswerKind, SurveyAnswer, SurveyQuestion, SurveyResponse};
use crate::error::AppError;
use crate::lang::Lang;
use crate::lang::i18n::td_string;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The survey for the attendee at `slug`, with their earlier answers to edit. The page
/// brings it (`initial`) when the event had ended before it loaded; a page open when the
/// presenter presses End asks for it then.
///
/// No `Resource` or `Suspense` here: this card sits in a view that follows the event's
/// phase, which the server's render runs twice (to find resources, then to draw), so a
/// resource made in it would be made twice on the server and once in the browser, and
/// the browser would read the first one's data for its own.
#[component]
pub fn FeedbackCard(#[prop(into)] slug: String, initial: Option<FeedbackView>) -> impl IntoView {
    let loaded = initial.is_some();
    let feedback = RwSignal::new(initial.map(Ok::<_, AppError>));
    #[cfg(feature = "hydrate")]
    if !loaded {
        let slug = slug.clone();
        leptos::task::spawn_local(async move {
            let answer = fetch_feedback(slug).await;
            let _ = feedback.try_set(Some(answer));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = loaded;
    let lang = Lang::current();
    move || match feedback.get() {
        None => EitherOf3::A(
            view! { <p class="muted" role="status">{move || td_string!(lang.get(), survey.loading)}</p> },
        ),
        Some(Ok(feedback)) => EitherOf3::B(view! { <FeedbackForm slug=slug.clone() feedback/> }),
        Some(Err(error)) => EitherOf3::C(view! { <ErrorNote error/> }),
    }
}

#[component]
fn FeedbackForm(slug: String, feedback: FeedbackView) -> impl IntoView {
    let FeedbackView {
        questions,
        mine,
        open,
    } = feedback;
    let had_answered = mine.is_some();
    let lang = Lang::current();
    let answers = RwSignal::new(mine.map(|m| m.answers).unwrap_or_default());
    let send = ServerAction::<SubmitFeedback>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send.dispatch(SubmitFeedback {
            slug: slug.clone(),
            response: SurveyResponse {
                answers: answers.get_untracked(),
            },
        });
    };
    if !open {
        return Either::Left(view! {
            <section class="card" data-testid="survey-closed">
                <h2>{move || td_string!(lang.get(), survey.title)}</h2>
                <p>{move || td_string!(lang.get(), survey.closed)}</p>
            </section>
        });
    }
    let sent = move || matches!(send.value().get(), Some(Ok(())));
    Either::Right(view! {
        <form class="card survey" on:submit=submit data-testid="survey" aria-labelledby="survey-heading">
            <h2 id="survey-heading">{move || td_string!(lang.get(), survey.heading)}</h2>
            <p class="muted">{move || td_string!(lang.get(), survey.optional)}</p>
            {questions.into_iter().enumerate().map(|(index, question)| view! { <QuestionField index question answers/> }).collect_view()}
            {move || send.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error/> })}
            {move || sent().then(|| view! { <p class="note" role="status" data-testid="survey-sent">{move || td_string!(lang.get(), survey.saved)}</p> })}
            <div class="button-row">
                <button type="submit" class="button" disabled=move || send.pending().get()>
                    {move || if had_answered || sent() { td_string!(lang.get(), survey.update) } else { td_string!(lang.get(), survey.send) }}
                </button>
            </div>
        </form>
    })
}

/// One question of the attendee's form, reading and writing its answer in `answers`.
#[component]
fn QuestionField(
    index: usize,
    question: SurveyQuestion,
    answers: RwSignal<BTreeMap<usize, SurveyAnswer>>,
) -> impl IntoView {
    let name = format!("q{index}");
    let picked = move |choice: u8| {
        answers.with(|a| a.get(&index).is_some_and(|a| a.choices.contains(&choice)))
    };
    let pick = move |choice: u8, on: bool, several: bool| {
        answers.update(|a| {
            let answer = a.entry(index).or_default();
            if several {
                answer.choices.retain(|&c| c != choice);
                if on {
                    answer.choices.push(choice);
                    answer.choices.sort_unstable();
                }
            } else {
                answer.choices = vec![choice];
            }
        })
    };
    let text = move || answers.with(|a| a.get(&index).map(|a| a.text.clone()).unwrap_or_default());
    let write = move |value: String| answers.update(|a| a.entry(index).or_default().text = value);
    let several = question.kind == AnswerKind::SeveralOf;
    let yes_no = question.kind == AnswerKind::YesNo;
    let lang = Lang::current();
    let choices = question
        .options()
        .into_iter()
        .enumerate()
        .map(|(i, option)| {
            let choice = i as u8;
            view! {
                <label class="choice">
                    <input type=if several { "checkbox" } else { "radio" } name=name.clone()
                        prop:checked=move || picked(choice)
                        on:change=move |ev| pick(choice, event_target_checked(&ev), several)/>
                    <span>{move || match (yes_no, choice) {
                        (true, 0) => td_string!(lang.get(), survey.yes).to_string(),
                        (true, _) => td_string!(lang.get(), survey.no).to_string(),
                        _ => option.clone(),
                    }}</span>
                </label>
            }
        })
        .collect_view();
    let text_label = match (question.kind, &question.follow_up) {
        (AnswerKind::Text, _) => Some(None),
        (_, Some(follow_up)) => Some(Some(follow_up.clone())),
        _ => None,
    };
    view! {
        <fieldset class="survey-question" data-testid="survey-question">
            <legend>{question.prompt.clone()}</legend>
            <div class=match question.kind {
                AnswerKind::Scale => "choices scale",
                AnswerKind::YesNo => "choices pair",
                _ => "choices",
            }>{choices}</div>
            {text_label.map(|label| view! {
                <label class="field">
                    {label.map(|l| view! { <span>{l}</span> })}
                    <textarea rows="3" maxlength="2000" aria-label=question.prompt.clone()
                        prop:value=text on:input=move |ev| write(event_target_value(&ev))></textarea>
                </label>
            })}
        </fieldset>
    }
}

/// One question as the editor holds it while the organizer types.
#[derive(Clone, Copy)]
struct QuestionRow {
    key: usize,
    prompt: RwSignal<String>,
    kind: RwSignal<AnswerKind>,
    /// One choice per line.
    choices: RwSignal<String>,
    follow_up: RwSignal<String>,
}

impl QuestionRow {
    fn new(key: usize, q: &SurveyQuestion) -> Self {
        Self {
            key,
            prompt: RwSignal::new(q.prompt.clone()),
            kind: RwSignal::new(q.kind),
            choices: RwSignal::new(q.choices.join("\n")),
            follow_up: RwSignal::new(q.follow_up.clone().unwrap_or_default()),
        }
    }

    fn question(&self) -> SurveyQuestion {
        SurveyQuestion {
            prompt: self.prompt.get_untracked(),
            kind: self.kind.get_untracked(),
            choices: self
                .choices
                .get_untracked()
                .lines()
                .map(str::to_string)
                .collect(),
            follow_up: Some(self.follow_up.get_untracked()),
        }
    }
}

/// The organizer's editor of an event's survey, with its state (responses, open or
/// closed) and the switch that closes it.
#[component]
pub fn SurveyEditor(slug: String) -> impl IntoView {
    let save = ServerAction::<SaveSurvey>::new();
    let close = ServerAction::<CloseSurvey>::new();
    let resource_slug = slug.clone();
    let admin = Resource::new(
        move || (resource_slug.clone(), close.version().get()),
        |(slug, _)| fetch_survey_admin(slug),
    );
    view! {
        <section class="card" aria-labelledby="survey-editor-heading" data-testid="survey-editor">
            <h2 id="survey-editor-heading">"Feedback survey"</h2>
            <Transition fallback=|| ()>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match admin.await {
                            Ok(admin) => view! { <SurveyEditorForm slug admin save close/> }.into_any(),
                            Err(error) => view! { <ErrorNote error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn SurveyEditorForm(
    slug: String,
    admin: SurveyAdmin,
    save: ServerAction<SaveSurvey>,
    close: ServerAction<CloseSurvey>,
) -> impl IntoView {
    let locked = admin.responses > 0;
    let next_key = StoredValue::new(admin.questions.len());
    let rows = RwSignal::new(
        admin
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| QuestionRow::new(i, q))
            .collect::<Vec<_>>(),
    );
    let state = match (admin.ended, admin.closed) {
        (_, true) => "Closed: no more answers or edits.".to_string(),
        (true, false) => "Open: attendees see it on the event page.".to_string(),
        (false, false) => "Attendees get it when the presenter ends the event.".to_string(),
    };
    let save_slug = slug.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveSurvey {
            slug: save_slug.clone(),
            questions: rows
                .get_untracked()
                .iter()
                .map(QuestionRow::question)
                .collect(),
        });
    };
    let closed = admin.closed;
    view! {
        <p data-testid="survey-state">
            {format!("{state} {} response{} so far.", admin.responses, if admin.responses == 1 { "" } else { "s" })}
        </p>
        {admin.ended.then(|| view! {
            <button type="button" class="button button-quiet"
                on:click=move |_| { close.dispatch(CloseSurvey { slug: slug.clone(), closed: !closed }); }>
                {if closed { "Open the survey again" } else { "Close the survey" }}
            </button>
        })}
        {locked.then(|| view! { <p class="muted">"Attendees have answered, so the questions stay as they were answered."</p> })}
        <form class="form" on:submit=submit>
            <ol class="editor-rows">
                <For each=move || rows.get() key=|row| row.key let:row>
                    <li class="editor-row survey-row">
                        <label class="field grow">
                            <span>"Question"</span>
                            <input type="text" maxlength="300" bind:value=row.prompt disabled=locked/>
                        </label>
                        <label class="field">
                            <span>"Answered by"</span>
                            <select disabled=locked on:change=move |ev| {
                                if let Some(kind) = AnswerKind::parse(&event_target_value(&ev)) { row.kind.set(kind) }
                            }>
                                {AnswerKind::ALL.map(|k| view! { <option value=k.as_str() selected=move || row.kind.get() == k>{k.label()}</option> }).collect_view()}
                            </select>
                        </label>
                        <button type="button" class="button button-quiet" disabled=locked aria-label="Remove this question"
                            on:click=move |_| rows.update(|r| r.retain(|x| x.key != row.key))>"Remove"</button>
                        <Show when=move || matches!(row.kind.get(), AnswerKind::OneOf | AnswerKind::SeveralOf | AnswerKind::Scale)>
                            <label class="field survey-extra">
                                <span>{move || if row.kind.get() == AnswerKind::Scale { "Words for 1 and for 5, one per line" } else { "Choices, one per line" }}</span>
                                <textarea rows="4" bind:value=row.choices disabled=locked></textarea>
                            </label>
                        </Show>
                        <Show when=move || row.kind.get() == AnswerKind::YesNo>
                            <label class="field survey-extra">
                                <span>"Ask for words too (optional)"</span>
                                <input type="text" maxlength="300" bind:value=row.follow_up disabled=locked placeholder="e.g. And if not, what was missing?"/>
                            </label>
                        </Show>
                    </li>
                </For>
            </ol>
            {move || save.value().get().map(|result| match result {
                Ok(()) => view! { <p class="note" role="status">"Survey saved."</p> }.into_any(),
                Err(error) => view! { <ErrorNote error/> }.into_any(),
            })}
            <div class="button-row">
                <button type="button" class="button button-quiet" disabled=locked
                    on:click=move |_| {
                        let key = next_key.get_value();
                        next_key.set_value(key + 1);
                        let blank = SurveyQuestion { prompt: String::new(), kind: AnswerKind::YesNo, choices: Vec::new(), follow_up: None };
                        rows.update(|r| r.push(QuestionRow::new(key, &blank)));
                    }>"Add a question"</button>
                <button type="submit" class="button" disabled=move || locked || save.pending().get()>"Save the survey"</button>
            </div>
        </form>
    }
}
