//! The organizers' registrations page (issue 20): who registered, who waits, which
//! emails went and which failed with the server's words, erasing a person, importing
//! an Eventbrite attendee report, and previewing or test-sending each email. Only the
//! event's organizers reach any of it (`managed_event`).

use crate::domain::registration::{EmailKind, Standing};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::events::managed_event,
    super::ssr::{answer, base_url, core, session},
    crate::core::access,
};

/// Everything the registrations page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationsView {
    pub slug: String,
    pub title: String,
    /// The event takes registrations.
    pub on: bool,
    /// This server sends emails (`--smtp-url`).
    pub mail_on: bool,
    pub capacity: u32,
    pub keep_days: u32,
    pub register_url: String,
    pub people: Vec<PersonRow>,
    pub emails: Vec<EmailRow>,
}

impl RegistrationsView {
    /// People in `standing`.
    pub fn count(&self, standing: Standing) -> usize {
        self.people
            .iter()
            .filter(|p| p.standing == standing)
            .count()
    }
}

/// One registrant as the organizers see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub answer: Option<String>,
    pub standing: Standing,
    pub source: String,
    pub registered_at: DateTime<Utc>,
    pub joined: bool,
}

/// One planned email and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailRow {
    /// Whom it is for (their name; empty once forgotten).
    pub person: String,
    pub kind: EmailKind,
    pub due_at: DateTime<Utc>,
    /// `pending`, `sending`, `sent`, `failed` or `skipped`.
    pub state: String,
    pub attempts: u32,
    /// The mail server's words on the last failure, or why it was skipped.
    pub last_error: Option<String>,
}

/// An email as a registrant would read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPreview {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What an import did, in a sentence and the rows left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub registered: u32,
    pub waitlisted: u32,
    pub already: u32,
    /// "line 4: not attending (Not Attending)".
    pub skipped: Vec<String>,
}

#[server]
pub async fn fetch_registrations(slug: String) -> Result<RegistrationsView, AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let people = core.store.registrations(event.id).await?;
        let names: std::collections::HashMap<i64, &str> =
            people.iter().map(|p| (p.id, p.name.as_str())).collect();
        let name_of = |id: i64| names.get(&id).copied().unwrap_or_default().to_string();
        let emails = core
            .store
            .email_statuses(event.id)
            .await?
            .into_iter()
            .map(|e| EmailRow {
                person: name_of(e.registration_id),
                kind: e.kind,
                due_at: e.sent_at.unwrap_or(e.due_at),
                state: e.state,
                attempts: e.attempts,
                last_error: e.last_error,
            })
            .collect();
        let settings = event.registration.as_ref();
        Ok(RegistrationsView {
            slug: event.slug.to_string(),
            title: event.title.clone(),
            on: settings.is_some(),
            mail_on: core.mailer.is_on(),
            capacity: settings.map_or(0, |r| r.capacity),
            keep_days: settings.map_or(crate::domain::registration::DEFAULT_KEEP_DAYS, |r| {
                r.keep_days
            }),
            register_url: format!("{}/e/{}/register", base_url(&core), event.slug),
            people: people
                .into_iter()
                .filter(|p| !p.email.is_empty())
                .map(|p| PersonRow {
                    id: p.id,
                    name: p.name,
                    email: p.email,
                    answer: p.answer,
                    standing: p.standing,
                    source: p.source,
                    registered_at: p.created_at,
                    joined: p.joined_at.is_some(),
                })
                .collect(),
            emails,
        })
    })
    .await
}

#[server]
pub async fn erase_registrant(slug: String, id: i64) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        core.erase_registrant(&event, id).await
    })
    .await
}

#[server]
pub async fn import_attendees(slug: String, csv: String) -> Result<ImportSummary, AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let outcome = core
            .import_attendees(&event, &csv, &base_url(&core))
            .await?;
        Ok(ImportSummary {
            registered: outcome.registered,
            waitlisted: outcome.waitlisted,
            already: outcome.already,
            skipped: outcome
                .skipped
                .into_iter()
                .map(|s| format!("line {}: {}", s.line, s.reason))
                .collect(),
        })
    })
    .await
}

#[server]
pub async fn preview_email(slug: String, kind: EmailKind) -> Result<EmailPreview, AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let rendered = crate::core::mailer::preview(&event, kind, &base_url(&core));
        Ok(EmailPreview {
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        })
    })
    .await
}

/// Sends `kind` to the signed-in organizer, as a registrant would get it; returns the
/// address it went to.
#[server]
pub async fn send_test_email(slug: String, kind: EmailKind) -> Result<String, AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let me = access::require_organizer(&session().await?).await?;
        let organizer = core
            .store
            .organizer(me)
            .await?
            .ok_or(AppError::Unauthorized)?;
        core.limits
            .test_email(me)
            .map_err(|_| AppError::TooMany("test emails: a few a minute at most".into()))?;
        core.mailer
            .send_test(
                &event,
                kind,
                (&organizer.name, &organizer.email),
                &base_url(&core),
            )
            .await?;
        Ok(organizer.email)
    })
    .await
}
