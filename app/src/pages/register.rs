//! `/e/{slug}/register` and a registrant's personal page `/e/{slug}/me/{token}`: plain
//! server-rendered forms, no WebAssembly (a phone on a slow network registers as soon as
//! the HTML arrives), in the attendee's language. The handlers are in
//! `server/src/register.rs`; what the buttons do, in `core/signup.rs`.

use crate::components::chrome::TopBar;
use crate::core::store::EventRecord;
use crate::core::store::registrations::RegistrationRecord;
use crate::domain::DomainError;
use crate::domain::registration::{RegistrantForm, Standing};
use crate::lang::{Lang, Locale, event_time};
use crate::tr;
use leptos::prelude::*;

/// What the registration page shows.
#[derive(Debug, Clone)]
pub struct RegisterView {
    pub event: EventRecord,
    pub locale: Locale,
    /// Places left (0: the waitlist).
    pub places_left: u32,
    /// What was typed, given back with the error when refused.
    pub form: RegistrantForm,
    pub error: Option<DomainError>,
    /// A sentence instead of the form (registration closed, already registered).
    pub notice: Option<String>,
}

/// A line the registration pages say above their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Say {
    Closed,
    TooMany,
    Already,
    Welcome,
    WelcomeNoEmail,
    EmailChanged(String),
    BadEmail,
}

/// The line in the attendee's language.
pub fn say(locale: Locale, what: &Say) -> String {
    match what {
        Say::Closed => tr!(locale, register.closed),
        Say::TooMany => tr!(locale, register.too_many),
        Say::Already => tr!(locale, register.already),
        Say::Welcome => tr!(locale, me.welcome),
        Say::WelcomeNoEmail => tr!(locale, me.welcome_no_email),
        Say::EmailChanged(email) => tr!(locale, me.email_changed, email = email),
        Say::BadEmail => tr!(locale, register.error_email),
    }
}

/// The sentence for a refused field, in the attendee's language.
pub fn field_error(locale: Locale, error: &DomainError) -> String {
    match error.field.as_str() {
        "name" => tr!(locale, register.error_name),
        "email" => tr!(locale, register.error_email),
        "consent" => tr!(locale, register.error_consent),
        "answer" => tr!(locale, register.error_answer),
        _ => error.to_string(),
    }
}

#[component]
pub fn RegisterPage(page: RegisterView) -> impl IntoView {
    let locale = page.locale;
    Lang::provide(locale);
    let event = page.event;
    let full = page.places_left == 0;
    let question = event.registration.as_ref().and_then(|r| r.question.clone());
    let error = page.error.map(|e| {
        view! { <div class="note note-error" role="alert" data-testid="register-error"><p>{field_error(locale, &e)}</p></div> }
    });
    let notice = page
        .notice
        .clone()
        .map(|n| view! { <div class="note" role="status"><p>{n}</p></div> });
    let form = page.notice.is_none().then(|| {
        let f = page.form;
        view! {
            <form class="form card" method="post" action=format!("/e/{}/register", event.slug)>
                <p class="muted">
                    {if full { tr!(locale, register.full) } else { tr!(locale, register.places_left, n = page.places_left) }}
                </p>
                <label class="field">
                    <span>{tr!(locale, register.name)}</span>
                    <input type="text" name="name" required maxlength="100" autocomplete="name" value=f.name/>
                </label>
                <label class="field">
                    <span>{tr!(locale, register.email)}</span>
                    <input type="email" name="email" required maxlength="254" autocomplete="email" inputmode="email" value=f.email/>
                </label>
                {question.map(|q| view! {
                    <label class="field">
                        <span>{q}</span>
                        <textarea name="answer" rows="3" maxlength="500">{f.answer}</textarea>
                    </label>
                })}
                <label class="check-field">
                    <input type="checkbox" name="consent" value="yes" checked=f.consent/>
                    <span>{tr!(locale, register.consent)}</span>
                </label>
                <button type="submit" class="button">
                    {if full { tr!(locale, register.join_waitlist) } else { tr!(locale, register.submit) }}
                </button>
            </form>
        }
    });
    view! {
        <TopBar context=tr!(locale, register.context)/>
        <main class="page narrow register">
            <h1>{event.title.clone()}</h1>
            <p class="lead">{event_time(locale, event.starts_at, event.time_zone)}</p>
            {(!event.hosts.is_empty()).then(|| view! { <p class="muted">{tr!(locale, register.hosts, hosts = event.hosts.clone())}</p> })}
            {error}
            {notice}
            {form}
        </main>
    }
}

/// What a registrant's personal page shows.
#[derive(Debug, Clone)]
pub struct PersonalView {
    pub event: EventRecord,
    pub registration: RegistrationRecord,
    pub locale: Locale,
    /// On the waitlist: their number on it.
    pub position: Option<u32>,
    /// A line at the top: "registered", "email changed", an error.
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The personal link, to show and to build the forms' addresses.
    pub link: String,
}

#[component]
pub fn PersonalPage(page: PersonalView) -> impl IntoView {
    let locale = page.locale;
    Lang::provide(locale);
    let event = page.event;
    let me = page.registration;
    let link = page.link;
    let path = format!("/e/{}/me/{}", event.slug, me.token);
    let heading = match me.standing {
        Standing::Registered => tr!(locale, me.registered),
        Standing::Waitlisted => tr!(locale, me.waitlisted),
        Standing::Cancelled => tr!(locale, me.cancelled),
    };
    let call = (me.standing == Standing::Registered).then(|| match event.call.clone() {
        Some(call) => view! {
            <section class="card" data-testid="call">
                <h2>{tr!(locale, me.call)}</h2>
                <p><a href=call.url.clone() rel="noopener" target="_blank">{call.url.clone()}</a></p>
                {(!call.passcode.is_empty()).then(|| view! { <p>{tr!(locale, me.passcode, code = call.passcode.clone())}</p> })}
            </section>
        }
        .into_any(),
        None => view! { <p class="muted">{tr!(locale, me.no_call)}</p> }.into_any(),
    });
    let join = (me.standing == Standing::Registered).then(|| view! {
        <section class="card">
            <p>{tr!(locale, me.join_hint)}</p>
            <div class="button-row">
                <a class="button" href=format!("{path}/join") data-testid="join">{tr!(locale, me.join)}</a>
                <a class="button button-quiet" href=format!("{path}/calendar.ics")>{tr!(locale, me.calendar)}</a>
            </div>
        </section>
    });
    let position = page
        .position
        .map(|n| view! { <p data-testid="position">{tr!(locale, me.position, n = n)}</p> });
    let manage = (me.standing != Standing::Cancelled).then(|| view! {
        <section class="card">
            <p class="muted">{tr!(locale, me.keep, email = me.email.clone())}</p>
            <p class="personal-link"><code>{link.clone()}</code></p>
            <form class="form" method="post" action=format!("{path}/email")>
                <label class="field">
                    <span>{tr!(locale, me.new_email)}</span>
                    <input type="email" name="email" required maxlength="254" autocomplete="email" inputmode="email"/>
                </label>
                <button type="submit" class="button button-quiet">{tr!(locale, me.change_email)}</button>
            </form>
            <form method="post" action=format!("{path}/cancel")>
                <p class="muted">{tr!(locale, me.cancel_hint)}</p>
                <button type="submit" class="button button-quiet" data-testid="cancel">{tr!(locale, me.cancel)}</button>
            </form>
        </section>
    });
    let again = (me.standing == Standing::Cancelled).then(|| view! {
        <p><a class="button" href=format!("/e/{}/register", event.slug)>{tr!(locale, me.register_again)}</a></p>
    });
    view! {
        <TopBar context=tr!(locale, register.context)/>
        <main class="page narrow register">
            <p class="eyebrow">{event.title.clone()}</p>
            <h1 data-testid="standing">{heading}</h1>
            <p class="lead">{event_time(locale, event.starts_at, event.time_zone)}</p>
            {page.notice.map(|n| view! { <div class="note" role="status"><p>{n}</p></div> })}
            {page.error.map(|e| view! { <div class="note note-error" role="alert"><p>{e}</p></div> })}
            {position}
            {call}
            {join}
            {manage}
            {again}
        </main>
    }
}
