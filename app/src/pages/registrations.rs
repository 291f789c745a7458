//! `/events/{slug}/registrations`: the organizers' view of who registered — the counts
//! against the places, the people (erase one), the emails planned for them and how each
//! went (a failure with the mail server's words), a preview and a test of each email,
//! and the import of an Eventbrite attendee report. What the buttons call is in
//! `api/registrations.rs`.

use super::account::AccountMenu;
use super::report::Stat;
use super::{Loading, failure, slug_param};
use crate::api::registrations::{
    EmailRow, EraseRegistrant, ImportAttendees, PersonRow, RegistrationsView, SendTestEmail,
    fetch_registrations, preview_email,
};
use crate::components::chrome::{ErrorNote, TopBar};
use crate::domain::export::Export;
use crate::domain::registration::{EmailKind, Standing};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RegistrationsPage() -> impl IntoView {
    let slug = slug_param();
    let erase = ServerAction::<EraseRegistrant>::new();
    let import = ServerAction::<ImportAttendees>::new();
    let view = Resource::new(
        move || (slug.get(), erase.version().get(), import.version().get()),
        |(slug, _, _)| fetch_registrations(slug),
    );
    view! {
        <Title text="Registrations"/>
        <TopBar context="Organizer"><AccountMenu/></TopBar>
        <main class="page registrations">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(view) => view! { <Registrations view erase import/> }.into_any(),
                        Err(error) => failure(error),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn Registrations(
    view: RegistrationsView,
    erase: ServerAction<EraseRegistrant>,
    import: ServerAction<ImportAttendees>,
) -> impl IntoView {
    let slug = view.slug.clone();
    let registered = view.count(Standing::Registered);
    let joined = view
        .people
        .iter()
        .filter(|p| p.standing == Standing::Registered && p.joined)
        .count();
    let asks = view.people.iter().any(|p| p.answer.is_some());
    view! {
        <div class="page-head">
            <div>
                <p class="eyebrow"><a href=format!("/events/{slug}")>{view.title.clone()}</a></p>
                <h1>"Registrations"</h1>
            </div>
            <div class="button-row no-print">
                <a class="button button-quiet" href=format!("/events/{slug}/export/{}.csv", Export::Registrations.name()) download>"Download CSV"</a>
                {view.on.then(|| view! { <a class="button button-quiet" href=view.register_url.clone()>"The registration page"</a> })}
            </div>
        </div>
        {(!view.on).then(|| view! {
            <div class="note" role="status"><p>"This event does not take registrations: anyone with the attendee link joins. Registration is set when an event is made (the editor, or "<code>"[registration]"</code>" in an event file)."</p></div>
        })}
        {(!view.mail_on).then(|| view! {
            <div class="note note-error" role="status" data-testid="mail-off">
                <p><strong>"Emails are off on this server. "</strong>"People can still register and keep their personal link, but no confirmation, reminder or feedback email is sent. Start Lectern with "<code>"--smtp-url"</code>" and "<code>"--mail-from"</code>" to send them."</p>
            </div>
        })}
        <section class="stats" aria-label="Registrations">
            <Stat label=format!("Registered, of {} places", view.capacity) value=registered.to_string() testid="stat-registered"/>
            <Stat label="On the waitlist" value=view.count(Standing::Waitlisted).to_string() testid="stat-waitlisted"/>
            <Stat label="Cancelled" value=view.count(Standing::Cancelled).to_string() testid="stat-cancelled"/>
            <Stat label="Joined through their link" value=joined.to_string() testid="stat-joined"/>
        </section>
        <People people=view.people.clone() slug=slug.clone() asks erase/>
        <Emails emails=view.emails.clone()/>
        <Preview slug=slug.clone() mail_on=view.mail_on/>
        {view.on.then(|| view! { <Import slug=slug.clone() import/> })}
        <p class="muted small">{format!(
            "Names and addresses are deleted {} days after the event; the numbers stay in the report.",
            view.keep_days
        )}</p>
    }
}

/// The registrants, each with a two-step Erase.
#[component]
fn People(
    people: Vec<PersonRow>,
    slug: String,
    asks: bool,
    erase: ServerAction<EraseRegistrant>,
) -> impl IntoView {
    let armed = RwSignal::new(None::<i64>);
    let empty = people.is_empty();
    view! {
        <section class="card" aria-labelledby="people-heading">
            <h2 id="people-heading">"People"</h2>
            {empty.then(|| view! { <p class="muted">"Nobody has registered yet."</p> })}
            {(!empty).then(|| view! {
                <div class="table-scroll">
                    <table class="table" data-testid="registrants">
                        <thead><tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Standing"</th>
                            <th scope="col">"Registered"</th>
                            <th scope="col">"Joined"</th>
                            {asks.then(|| view! { <th scope="col">"Answer"</th> })}
                            <th scope="col"><span class="visually-hidden">"Erase"</span></th>
                        </tr></thead>
                        <tbody>
                            {people.into_iter().map(|p| {
                                let id = p.id;
                                let slug = slug.clone();
                                let name = p.name.clone();
                                view! {
                                    <tr data-testid="registrant">
                                        <th scope="row">{p.name.clone()}{(p.source != "form").then(|| view! { <span class="muted small">{format!(" ({})", p.source)}</span> })}</th>
                                        <td>{p.email}</td>
                                        <td>{standing_label(p.standing)}</td>
                                        <td>{p.registered_at.format("%-d %b %H:%M UTC").to_string()}</td>
                                        <td>{if p.joined { "Yes" } else { "" }}</td>
                                        {asks.then(|| view! { <td>{p.answer.unwrap_or_default()}</td> })}
                                        <td class="row-actions">
                                            {move || if armed.get() == Some(id) {
                                                let slug = slug.clone();
                                                view! {
                                                    <span class="small">{format!("Erase {name}: registration, planned emails, and the link to their answers? ")}</span>
                                                    <button type="button" class="button button-danger" data-testid="erase-confirm"
                                                        on:click=move |_| {
                                                            armed.set(None);
                                                            erase.dispatch(EraseRegistrant { slug: slug.clone(), id });
                                                        }>"Erase"</button>
                                                    <button type="button" class="button button-quiet" on:click=move |_| armed.set(None)>"Keep"</button>
                                                }.into_any()
                                            } else {
                                                view! {
                                                    <button type="button" class="button button-quiet" data-testid="erase"
                                                        on:click=move |_| armed.set(Some(id))>"Erase…"</button>
                                                }.into_any()
                                            }}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            {move || erase.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error/> })}
        </section>
    }
}

fn standing_label(standing: Standing) -> &'static str {
    match standing {
        Standing::Registered => "Registered",
        Standing::Waitlisted => "Waitlist",
        Standing::Cancelled => "Cancelled",
    }
}

/// Every planned email and how it went; failures first, with the server's words.
#[component]
fn Emails(emails: Vec<EmailRow>) -> impl IntoView {
    let count = |state: &str| emails.iter().filter(|e| e.state == state).count();
    let summary = format!(
        "{} sent · {} waiting · {} failed · {} not sent on purpose",
        count("sent"),
        count("pending") + count("sending"),
        count("failed"),
        count("skipped"),
    );
    let mut emails = emails;
    emails.sort_by_key(|e| (e.state != "failed", e.due_at));
    let empty = emails.is_empty();
    let any_failed = emails.iter().any(|e| e.state == "failed");
    view! {
        <section class="card" aria-labelledby="emails-heading">
            <h2 id="emails-heading">"Emails"</h2>
            <p class="muted" data-testid="email-summary">{summary}</p>
            {(!empty).then(|| view! {
                <details open=any_failed>
                    <summary>"Each email"</summary>
                    <div class="table-scroll">
                        <table class="table" data-testid="emails">
                            <thead><tr>
                                <th scope="col">"To"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col">"When"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"Why"</th>
                            </tr></thead>
                            <tbody>
                                {emails.into_iter().map(|e| view! {
                                    <tr class=format!("email-{}", e.state) data-testid="email-row">
                                        <th scope="row">{if e.person.is_empty() { "(erased)".to_string() } else { e.person }}</th>
                                        <td>{e.kind.label()}</td>
                                        <td>{e.due_at.format("%-d %b %H:%M UTC").to_string()}</td>
                                        <td>{match (e.state.as_str(), e.attempts) {
                                            ("pending", 0) => "Waiting".to_string(),
                                            ("pending", n) => format!("Trying again (tried {n} times)"),
                                            ("sending", _) => "Sending".to_string(),
                                            ("sent", _) => "Sent".to_string(),
                                            ("failed", n) => format!("Failed after {n} attempts"),
                                            ("skipped", _) => "Not sent".to_string(),
                                            (other, _) => other.to_string(),
                                        }}</td>
                                        <td class="small">{e.last_error.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </details>
            })}
        </section>
    }
}

/// Each email as a registrant would read it, and a test sent to the organizer.
#[component]
fn Preview(slug: String, mail_on: bool) -> impl IntoView {
    let kind = RwSignal::new(EmailKind::Confirmation);
    let send = ServerAction::<SendTestEmail>::new();
    let preview_slug = slug.clone();
    let preview = Resource::new(
        move || (preview_slug.clone(), kind.get()),
        |(slug, kind)| preview_email(slug, kind),
    );
    view! {
        <section class="card" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview the emails"</h2>
            <div class="inline-form">
                <label class="field">
                    <span>"Email"</span>
                    <select data-testid="preview-kind" on:change=move |ev| {
                        if let Some(k) = EmailKind::from_name(&event_target_value(&ev)) {
                            kind.set(k);
                        }
                    }>
                        {EmailKind::ALL.map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" class="button button-quiet" data-testid="send-test" disabled=!mail_on
                    on:click=move |_| { send.dispatch(SendTestEmail { slug: slug.clone(), kind: kind.get_untracked() }); }>
                    "Send me a test"
                </button>
            </div>
            {move || send.value().get().map(|result| match result {
                Ok(to) => view! { <p class="note" role="status" data-testid="test-sent">{format!("Sent to {to}.")}</p> }.into_any(),
                Err(error) => view! { <ErrorNote error/> }.into_any(),
            })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(p) => view! {
                            <div class="email-preview" data-testid="email-preview">
                                <p><strong>"Subject: "</strong>{p.subject}</p>
                                <iframe title="The email as HTML" sandbox="" srcdoc=p.html class="email-html"></iframe>
                                <details>
                                    <summary>"The plain-text part"</summary>
                                    <pre class="email-text">{p.text}</pre>
                                </details>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Eventbrite's attendee report in: the file is read in the page (no upload form) and
/// sent as text.
#[component]
fn Import(slug: String, import: ServerAction<ImportAttendees>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="import-heading">
            <h2 id="import-heading">"Import from Eventbrite"</h2>
            <p class="muted">"Eventbrite → Reports → Attendee summary → Export to CSV. Each attending person is registered as if they had used the form (places first, then the waitlist) and gets the same emails; addresses already registered are left as they are."</p>
            <ActionForm action=import attr:class="import-form">
                <input type="hidden" name="slug" value=slug/>
                <label class="field">
                    <span>"The CSV file"</span>
                    <input type="file" accept=".csv,text/csv" data-testid="import-file"
                        onchange="const f=this.files[0]; if (f) f.text().then(t => { this.form.elements.csv.value = t; });"/>
                </label>
                <details>
                    <summary>"Or paste it"</summary>
                    <textarea name="csv" rows="4" data-testid="import-csv"></textarea>
                </details>
                <button type="submit" class="button button-quiet" data-testid="import-submit">"Import"</button>
            </ActionForm>
            {move || import.value().get().map(|result| match result {
                Ok(s) => view! {
                    <div class="note" role="status" data-testid="import-summary">
                        <p>{format!(
                            "Imported: {} registered, {} on the waitlist, {} registered already.",
                            s.registered, s.waitlisted, s.already
                        )}</p>
                        {(!s.skipped.is_empty()).then(|| view! {
                            <p>{format!("{} rows left out:", s.skipped.len())}</p>
                            <ul class="small">{s.skipped.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                        })}
                    </div>
                }.into_any(),
                Err(error) => view! { <ErrorNote error/> }.into_any(),
            })}
        </section>
    }
}
