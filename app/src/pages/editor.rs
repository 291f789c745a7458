//! `/events/new`: the event editor — title, start time and zone, materials, agenda.

use super::account::{AccountMenu, last_error};
use crate::api::CreatedEvent;
use crate::api::events::CreateEvent;
use crate::api::teams::my_teams;
use crate::components::agenda::SectionKindField;
use crate::components::chrome::{CopyLink, TopBar};
use crate::components::zones::ZoneSuggestions;
use crate::domain::DomainError;
use crate::domain::event::{EventDraft, MAX_SECTION_MINUTES, Material, SectionDraft, SectionKind};
use crate::domain::filter::{FilterMode, FilterSettings};
use crate::domain::mail::{PLACEHOLDERS, default_text};
use crate::domain::registration::{
    Call, DEFAULT_TURNOUT_PERCENT, EmailKind, EmailSetting, RegistrationDraft, suggested_capacity,
};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// One agenda row being edited; numbers stay text until submit so typing is never fought.
#[derive(Clone, Copy)]
struct SectionRow {
    key: u32,
    title: RwSignal<String>,
    kind: RwSignal<SectionKind>,
    minutes: RwSignal<String>,
    exercise: RwSignal<String>,
}

#[derive(Clone, Copy)]
struct MaterialRow {
    key: u32,
    label: RwSignal<String>,
    url: RwSignal<String>,
}

fn minutes(field: String, raw: &str) -> Result<u32, DomainError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse()
        .map_err(|_| DomainError::new(field, "must be a whole number of minutes"))
}

/// The zone this browser is in, to start the editor there.
fn browser_time_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|v| v.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

#[component]
pub fn NewEvent() -> impl IntoView {
    let next_key = StoredValue::new(0u32);
    let key = move || {
        next_key.update_value(|k| *k += 1);
        next_key.get_value()
    };
    let section = move |title: &str, kind: SectionKind, mins: &str| SectionRow {
        key: key(),
        title: RwSignal::new(title.to_string()),
        kind: RwSignal::new(kind),
        minutes: RwSignal::new(mins.to_string()),
        exercise: RwSignal::new(String::new()),
    };
    let material = move || MaterialRow {
        key: key(),
        label: RwSignal::new(String::new()),
        url: RwSignal::new(String::new()),
    };

    let title = RwSignal::new(String::new());
    let hosts = RwSignal::new(String::new());
    let starts_at = RwSignal::new(String::new());
    let time_zone = RwSignal::new("UTC".to_string());
    let survey_url = RwSignal::new(String::new());
    let doors_open = RwSignal::new(crate::domain::event::DEFAULT_DOORS_OPEN_MINUTES.to_string());
    let pace_expiry = RwSignal::new(crate::domain::pace::DEFAULT_EXPIRY_MINUTES.to_string());
    let pre_moderation = RwSignal::new(false);
    let hide_poll_results = RwSignal::new(false);
    let word_filter = RwSignal::new(FilterMode::Off);
    let blocked_words = RwSignal::new(String::new());
    let registration = RegistrationFields::new();
    let teams = Resource::new(|| (), |_| my_teams());
    let team_id = RwSignal::new(None::<i64>);
    let series = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(zone) = browser_time_zone() {
            time_zone.set(zone);
        }
    });
    let sections = RwSignal::new(vec![section("", SectionKind::Teaching, "10")]);
    let materials = RwSignal::new(vec![material()]);
    let local_error = RwSignal::new(None::<AppError>);
    let create = ServerAction::<CreateEvent>::new();

    let draft = move || -> Result<EventDraft, DomainError> {
        let sections = sections
            .get_untracked()
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let field = |name: &str| format!("sections[{}].{name}", i + 1);
                Ok(SectionDraft {
                    title: row.title.get_untracked(),
                    kind: row.kind.get_untracked(),
                    minutes: minutes(field("minutes"), &row.minutes.get_untracked())?,
                    exercise_minutes: minutes(
                        field("exercise_minutes"),
                        &row.exercise.get_untracked(),
                    )?,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let materials = materials
            .get_untracked()
            .iter()
            .map(|row| Material {
                label: row.label.get_untracked(),
                url: row.url.get_untracked(),
            })
            .filter(|m| !(m.label.trim().is_empty() && m.url.trim().is_empty()))
            .collect();
        Ok(EventDraft {
            title: title.get_untracked(),
            hosts: hosts.get_untracked(),
            starts_at: starts_at.get_untracked(),
            time_zone: time_zone.get_untracked(),
            materials,
            sections,
            doors_open_minutes: Some(minutes(
                "doors_open_minutes".into(),
                &doors_open.get_untracked(),
            )?),
            survey_url: Some(survey_url.get_untracked()),
            pace_expiry_minutes: Some(minutes(
                "pace_expiry_minutes".into(),
                &pace_expiry.get_untracked(),
            )?),
            pre_moderation: pre_moderation.get_untracked(),
            hide_poll_results: hide_poll_results.get_untracked(),
            word_filter: FilterSettings {
                mode: word_filter.get_untracked(),
                words: blocked_words
                    .get_untracked()
                    .lines()
                    .map(str::to_string)
                    .collect(),
            },
            survey: Vec::new(),
            registration: registration.draft()?,
            call: Call {
                url: registration.call_url.get_untracked(),
                passcode: registration.call_passcode.get_untracked(),
            },
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match draft().and_then(|d| d.parse().map(|_| d)) {
            Ok(draft) => {
                local_error.set(None);
                create.dispatch(CreateEvent {
                    draft,
                    team_id: team_id.get_untracked(),
                    series: Some(series.get_untracked()),
                });
            }
            Err(e) => local_error.set(Some(AppError::Invalid(e))),
        }
    };

    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <Title text="New event"/>
        <TopBar context="Organizer"><AccountMenu/></TopBar>
        <main class="page">
            <Show
                when=move || created().is_none()
                fallback=move || created().map(|created| view! { <Created created/> })
            >
                <h1>"New event"</h1>
                <form class="form" on:submit=submit novalidate>
                    <section class="card">
                        <h2>"The event"</h2>
                        <label class="field">
                            <span>"Title"</span>
                            <input type="text" required maxlength="120" bind:value=title name="title" placeholder="Dask tutorial"/>
                        </label>
                        <label class="field">
                            <span>"Hosts"</span>
                            <input type="text" maxlength="200" bind:value=hosts name="hosts" placeholder="Jacob and Naty"/>
                        </label>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                let teams = teams.await.unwrap_or_default();
                                let series_titles: Vec<String> = teams.iter().flat_map(|t| t.series.iter().map(|s| s.title.clone())).collect();
                                view! {
                                    <div class="field-row">
                                        <label class="field">
                                            <span>"Team"</span>
                                            <select name="team" on:change=move |ev| team_id.set(event_target_value(&ev).parse().ok())>
                                                {teams.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label class="field">
                                            <span>"Series (the recurring tutorial)"</span>
                                            <input type="text" maxlength="120" list="series-titles" bind:value=series name="series" placeholder="The title, if left empty"/>
                                            <datalist id="series-titles">{series_titles.into_iter().map(|t| view! { <option value=t/> }).collect_view()}</datalist>
                                        </label>
                                    </div>
                                }
                            })}
                        </Suspense>
                        <div class="field-row">
                            <label class="field">
                                <span>"Starts at"</span>
                                <input type="datetime-local" required bind:value=starts_at name="starts_at"/>
                            </label>
                            <label class="field">
                                <span>"Time zone"</span>
                                <input type="text" required list="zones" bind:value=time_zone name="time_zone" autocomplete="off"/>
                                <ZoneSuggestions/>
                            </label>
                        </div>
                        <label class="field">
                            <span>"Waiting screen opens (minutes before the start)"</span>
                            <input type="number" min="0" max="1440" inputmode="numeric" bind:value=doors_open name="doors_open_minutes"/>
                        </label>
                        <label class="field">
                            <span>"Pace votes count for (minutes)"</span>
                            <input type="number" min="1" max="180" inputmode="numeric" bind:value=pace_expiry name="pace_expiry_minutes"/>
                            <small class="muted">"After this, or when the section changes, an attendee's slower / faster stops counting."</small>
                        </label>
                        <label class="check-field">
                            <input type="checkbox" bind:checked=pre_moderation name="pre_moderation"/>
                            <span>"Pre-moderate questions: a co-instructor approves each before attendees see it"</span>
                        </label>
                        <label class="check-field">
                            <input type="checkbox" bind:checked=hide_poll_results name="hide_poll_results"/>
                            <span>"Hide poll results from attendees until the presenter or a co-instructor reveals them (early answers then cannot sway the rest)"</span>
                        </label>
                        <fieldset class="field">
                            <legend>"Word filter for what attendees write"</legend>
                            <small class="muted">"Names, places, questions, lab notes, word-cloud answers and survey comments are checked against word lists for English, Spanish, Portuguese, German and French, and your own words."</small>
                            {FilterMode::ALL
                                .into_iter()
                                .map(|mode| view! {
                                    <label class="check-field">
                                        <input type="radio" name="word_filter" value=mode.as_str()
                                            prop:checked=move || word_filter.get() == mode
                                            on:change=move |_| word_filter.set(mode)/>
                                        <span>{mode.label()}</span>
                                    </label>
                                })
                                .collect_view()}
                            <label class="field">
                                <span>"Your own words (one per line)"</span>
                                <textarea rows="3" bind:value=blocked_words name="blocked_words"
                                    placeholder="Words or phrases your audience should not see"></textarea>
                            </label>
                        </fieldset>
                        <label class="field">
                            <span>"Survey link (optional)"</span>
                            <input type="url" bind:value=survey_url name="survey_url" placeholder="https://forms.example.org/…"/>
                            <small class="muted">"Attendees see it while they wait: a registration form, a pre-tutorial poll."</small>
                        </label>
                    </section>

                    <SectionsEditor sections new_row=section/>
                    <MaterialsEditor materials new_row=material/>
                    <RegistrationEditor fields=registration/>
                    {move || local_error.get().map(|error| view! { <crate::components::chrome::ErrorNote error/> })}
                    {last_error(create)}
                    <div class="button-row">
                        <button type="submit" class="button" disabled=move || create.pending().get()>"Create event"</button>
                        <a class="button button-quiet" href="/events">"Cancel"</a>
                    </div>
                </form>
            </Show>
        </main>
    }
}

/// The agenda rows of the editor.
#[component]
fn SectionsEditor(
    sections: RwSignal<Vec<SectionRow>>,
    new_row: impl Fn(&str, SectionKind, &str) -> SectionRow + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Agenda"</h2>
            <p class="muted">"Sections in order, with the minutes you plan for each. Of a lab's minutes, say how many are exercises."</p>
            <ol class="editor-rows">
                <For each=move || sections.get() key=|row| row.key let:row>
                    <li class="editor-row">
                        <label class="field grow">
                            <span>"Section title"</span>
                            <input type="text" maxlength="120" bind:value=row.title placeholder="Overview"/>
                        </label>
                        <SectionKindField kind=row.kind/>
                        <label class="field small">
                            <span>"Minutes"</span>
                            <input type="number" min="1" max=MAX_SECTION_MINUTES inputmode="numeric" bind:value=row.minutes/>
                        </label>
                        <label class="field small">
                            <span>"Exercises"</span>
                            <input type="number" min="0" max=MAX_SECTION_MINUTES inputmode="numeric" bind:value=row.exercise placeholder="0"/>
                        </label>
                        <button type="button" class="button button-quiet" aria-label="Remove this section"
                            on:click=move |_| sections.update(|rows| rows.retain(|r| r.key != row.key))>"Remove"</button>
                    </li>
                </For>
            </ol>
            <button type="button" class="button button-quiet"
                on:click=move |_| sections.update(|rows| rows.push(new_row("", SectionKind::Teaching, "10")))>
                "Add a section"
            </button>
        </section>

    }
    .into_any()
}

/// The materials rows of the editor.
#[component]
fn MaterialsEditor(
    materials: RwSignal<Vec<MaterialRow>>,
    new_row: impl Fn() -> MaterialRow + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Materials"</h2>
            <p class="muted">"Links attendees need: the repository, a Binder launch, the slides. Empty rows are ignored."</p>
            <ol class="editor-rows">
                <For each=move || materials.get() key=|row| row.key let:row>
                    <li class="editor-row material-row">
                        <label class="field">
                            <span>"Label"</span>
                            <input type="text" maxlength="80" bind:value=row.label placeholder="Launch Binder"/>
                        </label>
                        <label class="field grow">
                            <span>"Address"</span>
                            <input type="url" bind:value=row.url placeholder="https://mybinder.org/v2/gh/…"/>
                        </label>
                        <button type="button" class="button button-quiet" aria-label="Remove this link"
                            on:click=move |_| materials.update(|rows| rows.retain(|r| r.key != row.key))>"Remove"</button>
                    </li>
                </For>
            </ol>
            <button type="button" class="button button-quiet" on:click=move |_| materials.update(|rows| rows.push(new_row()))>
                "Add a link"
            </button>
        </section>

    }
    .into_any()
}

/// The registration part of the editor: on or off, places, the form's question, the
/// call, and the emails (each kept or skipped, in the seed's words or the organizer's).
#[derive(Clone, Copy)]
struct RegistrationFields {
    on: RwSignal<bool>,
    capacity: RwSignal<String>,
    wanted: RwSignal<String>,
    question: RwSignal<String>,
    call_url: RwSignal<String>,
    call_passcode: RwSignal<String>,
    feedback_hours: RwSignal<String>,
    keep_days: RwSignal<String>,
    /// Per editable email: sent, and its text.
    emails: [(EmailKind, RwSignal<bool>, RwSignal<String>); 4],
}

impl RegistrationFields {
    fn new() -> Self {
        Self {
            on: RwSignal::new(false),
            capacity: RwSignal::new("150".into()),
            wanted: RwSignal::new(String::new()),
            question: RwSignal::new(String::new()),
            call_url: RwSignal::new(String::new()),
            call_passcode: RwSignal::new(String::new()),
            feedback_hours: RwSignal::new(
                crate::domain::registration::DEFAULT_FEEDBACK_AFTER_HOURS.to_string(),
            ),
            keep_days: RwSignal::new(crate::domain::registration::DEFAULT_KEEP_DAYS.to_string()),
            emails: EmailKind::EDITABLE
                .map(|kind| (kind, RwSignal::new(true), RwSignal::new(String::new()))),
        }
    }

    fn draft(&self) -> Result<Option<RegistrationDraft>, DomainError> {
        if !self.on.get_untracked() {
            return Ok(None);
        }
        let number = |field: &str, raw: String, what: &str| {
            raw.trim()
                .parse::<u32>()
                .map_err(|_| DomainError::new(field, format!("must be a whole number of {what}")))
        };
        let setting = |i: usize| EmailSetting {
            send: self.emails[i].1.get_untracked(),
            text: self.emails[i].2.get_untracked(),
        };
        Ok(Some(RegistrationDraft {
            capacity: number(
                "registration.capacity",
                self.capacity.get_untracked(),
                "places",
            )?,
            question: self.question.get_untracked(),
            feedback_after_hours: Some(number(
                "registration.feedback_after_hours",
                self.feedback_hours.get_untracked(),
                "hours",
            )?),
            two_days: setting(0),
            two_hours: setting(1),
            ten_minutes: setting(2),
            feedback: setting(3),
            keep_days: Some(number(
                "registration.keep_days",
                self.keep_days.get_untracked(),
                "days",
            )?),
        }))
    }
}

#[component]
fn RegistrationEditor(fields: RegistrationFields) -> impl IntoView {
    let suggestion = move || {
        let wanted: u32 = fields.wanted.get().trim().parse().ok().filter(|n| *n > 0)?;
        Some(suggested_capacity(wanted, DEFAULT_TURNOUT_PERCENT))
    };
    view! {
        <section class="card">
            <h2>"Registration and the call"</h2>
            <label class="field">
                <span>"Video call link (optional)"</span>
                <input type="url" bind:value=fields.call_url name="call_url" placeholder="https://zoom.us/j/…"/>
            </label>
            <label class="field">
                <span>"Call passcode (optional)"</span>
                <input type="text" maxlength="100" bind:value=fields.call_passcode name="call_passcode"/>
                <small class="muted">"With registration on, only registrants see the call: in their emails and on the page their personal link opens."</small>
            </label>
            <label class="check-field">
                <input type="checkbox" bind:checked=fields.on name="registration"/>
                <span>"People register first: a registration page with a capacity and a waitlist, a confirmation with the calendar file, reminders 2 days, 2 hours and 10 minutes before, and a feedback email after"</span>
            </label>
            <Show when=move || fields.on.get()>
                <div class="field-row">
                    <label class="field">
                        <span>"Places"</span>
                        <input type="number" min="1" inputmode="numeric" bind:value=fields.capacity name="capacity"/>
                    </label>
                    <label class="field">
                        <span>"People you hope to have (optional)"</span>
                        <input type="number" min="1" inputmode="numeric" bind:value=fields.wanted name="wanted"/>
                    </label>
                </div>
                {move || suggestion().map(|places| view! {
                    <p class="muted" data-testid="capacity-suggestion">
                        {format!("About {DEFAULT_TURNOUT_PERCENT} % of those who register come: to have about {} people, allow {places}. ", fields.wanted.get().trim())}
                        <button type="button" class="button button-quiet" on:click=move |_| fields.capacity.set(places.to_string())>
                            {format!("Allow {places}")}
                        </button>
                    </p>
                })}
                <label class="field">
                    <span>"A question on the form (optional)"</span>
                    <input type="text" maxlength="200" bind:value=fields.question name="question" placeholder="What do you hope to learn?"/>
                </label>
                <label class="field">
                    <span>"Feedback email, hours after the end"</span>
                    <input type="number" min="0" max="72" inputmode="numeric" bind:value=fields.feedback_hours name="feedback_after_hours"/>
                </label>
                <label class="field">
                    <span>"Forget registrants' names and addresses, days after the event"</span>
                    <input type="number" min="1" max="3650" inputmode="numeric" bind:value=fields.keep_days name="keep_days"/>
                    <small class="muted">"The report keeps the numbers (registered, joined, checked in); who they were is deleted."</small>
                </label>
                <details class="email-texts">
                    <summary>"The emails' words"</summary>
                    <p class="muted">{format!(
                        "Leave a text empty for the words shown. Placeholders: {}.",
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                    )}</p>
                    {fields.emails.into_iter().map(|(kind, send, text)| view! {
                        <fieldset class="field">
                            <legend>{kind.label()}</legend>
                            <label class="check-field">
                                <input type="checkbox" bind:checked=send name=format!("send_{}", kind.as_str())/>
                                <span>"Send it"</span>
                            </label>
                            <textarea rows="6" bind:value=text name=format!("text_{}", kind.as_str())
                                placeholder=default_text(kind)></textarea>
                        </fieldset>
                    }).collect_view()}
                </details>
            </Show>
        </section>
    }
    .into_any()
}

/// Shown once the event exists: its three links, the secret ones for the only time.
#[component]
fn Created(created: CreatedEvent) -> impl IntoView {
    view! {
        <h1>"Your event is ready"</h1>
        <section class="card" data-testid="created-links">
            <h2>"Its links"</h2>
            <p class="muted">
                "Copy the presenter and co-instructor links now: Lectern keeps only a fingerprint of them and cannot show them again. "
                "You can replace them from the event page at any time."
            </p>
            <CopyLink label="Attendees (public)" url=created.attendee_url testid="attendee-url"/>
            {created.secret_links.into_iter().map(|link| {
                let label = match link.role {
                    crate::domain::event::Role::Presenter => "Presenter (secret)",
                    crate::domain::event::Role::Moderator => "Co-instructor (secret)",
                };
                view! { <CopyLink label url=link.url testid=format!("{}-url", link.role.as_str())/> }
            }).collect_view()}
            <div class="button-row">
                <a class="button" href=format!("/events/{}", created.slug)>"Go to the event page"</a>
                <a class="button button-quiet" href="/events">"All events"</a>
            </div>
        </section>
    }
}
