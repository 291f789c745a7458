//! Sending the emails planned for registrants (`email_job`, planned by
//! `store::registrations`) over SMTP with lettre: one email per person (never BCC),
//! plain text and HTML, the calendar file with the confirmation, `List-Unsubscribe`.
//!
//! Every replica runs [`Mailer::run`]: it wakes when an email is due (or when told a
//! new one was planned), claims each due row (one replica wins each), re-reads what may
//! have changed since it was planned (cancelled? the event moved? ended yet?), renders
//! it (`domain::mail`), sends it, and records how it went. A refusal the server calls
//! temporary is tried again later (1, 2, 4 … minutes, at most an hour apart); after
//! [`MAX_ATTEMPTS`], or a permanent refusal, the email is marked failed with the server's
//! words for the organizers. Without SMTP configured nothing is claimed: the emails wait,
//! and the organizer's page says emails are off.

use super::Core;
use super::store::registrations::{EmailJob, EmailOutcome};
use crate::domain::mail::{self, MailValues};
use crate::domain::registration::{self, EmailKind, Standing};
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use tokio::sync::Notify;

/// Attempts before an email is marked failed.
pub const MAX_ATTEMPTS: u32 = 8;
/// How long a claimed email is this replica's to send (then another may take it over).
const LEASE: Duration = Duration::minutes(5);
/// Emails claimed per round.
const BATCH: u32 = 50;
/// The longest the loop sleeps without looking (a lost wake-up, another replica's work).
const IDLE_LOOK: std::time::Duration = std::time::Duration::from_secs(30);

/// `--smtp-url` and `--mail-from`.
#[derive(Debug, Clone, Default)]
pub struct MailSettings {
    /// `smtp://host:port` (plain, or STARTTLS with `?tls=required`) or
    /// `smtps://user:pass@host:465`.
    pub smtp_url: Option<String>,
    /// `Lectern <lectern@example.org>`.
    pub from: Option<String>,
}

/// The sender, shared by the core.
pub struct Mailer {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    wake: Arc<Notify>,
}

/// What one round did (tests and logs read it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: u32,
    pub retried: u32,
    pub failed: u32,
    pub skipped: u32,
    pub later: u32,
}

impl Mailer {
    /// Checks the settings: a URL lettre reads and a sender address, or neither.
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        let smtp = match (&settings.smtp_url, &settings.from) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(
                    "--smtp-url needs --mail-from (LECTERN_MAIL_FROM), e.g. \"Lectern <lectern@example.org>\""
                        .into(),
                );
            }
            (Some(url), Some(from)) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("--smtp-url {}: {e}", redacted(url)))?
                    .timeout(Some(std::time::Duration::from_secs(30)))
                    .build();
                let from: Mailbox = from
                    .parse()
                    .map_err(|e| format!("--mail-from {from:?}: {e}"))?;
                Some((transport, from))
            }
        };
        Ok(Self {
            smtp,
            wake: Arc::new(Notify::new()),
        })
    }

    /// Whether emails go out from this deployment.
    pub fn is_on(&self) -> bool {
        self.smtp.is_some()
    }

    /// A new email was planned: look now rather than at the next due time.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends until the core is dropped: a round when an email is due, when woken, or
    /// every half minute.
    pub fn run(core: &Core) {
        if !core.mailer.is_on() {
            tracing::info!("emails are off (no --smtp-url): registration works, nothing is sent");
            return;
        }
        let weak = Arc::downgrade(&core.0);
        let wake = Arc::clone(&core.mailer.wake);
        tokio::spawn(async move {
            loop {
                let Some(inner) = weak.upgrade() else { return };
                let core = Core(inner);
                if let Err(e) = core.mailer.send_due(&core).await {
                    tracing::warn!(error = %e, "sending emails");
                }
                let now = core.hub.clock().now();
                let next = core.store.next_email_due().await.ok().flatten();
                drop(core);
                let sleep = next
                    .map(|at| (at - now).to_std().unwrap_or_default())
                    .unwrap_or(IDLE_LOOK)
                    .min(IDLE_LOOK);
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(sleep) => {}
                }
            }
        });
    }

    /// One round: every email due now, claimed, checked, sent and recorded.
    pub async fn send_due(&self, core: &Core) -> Result<Round, AppError> {
        let mut round = Round::default();
        let Some((transport, _)) = &self.smtp else {
            return Ok(round);
        };
        let now = core.hub.clock().now();
        for due in core.store.due_emails(now, BATCH).await? {
            let Some(job) = core.store.claim_email(due, now, LEASE).await? else {
                continue; // another replica has it
            };
            let outcome = match self.prepare(core, &job, now).await {
                Ok(Prepared::Send(message)) => match transport.send(*message).await {
                    Ok(_) => EmailOutcome::Sent,
                    Err(e) => refused(&e, job.attempts, now),
                },
                Ok(Prepared::Not(outcome)) => outcome,
                Err(e) => EmailOutcome::Retry {
                    at: now + backoff(job.attempts),
                    error: e.to_string(),
                },
            };
            match &outcome {
                EmailOutcome::Sent => round.sent += 1,
                EmailOutcome::Retry { error, .. } => {
                    tracing::warn!(
                        job = job.id,
                        error,
                        "an email was refused; trying again later"
                    );
                    round.retried += 1;
                }
                EmailOutcome::Failed { error } => {
                    tracing::error!(job = job.id, error, "an email could not be sent");
                    round.failed += 1;
                }
                EmailOutcome::Skipped { .. } => round.skipped += 1,
                EmailOutcome::Later { .. } => round.later += 1,
            }
            core.store.finish_email(job.id, &outcome, now).await?;
        }
        Ok(round)
    }

    /// The email as it should go now, or why it should not.
    async fn prepare(
        &self,
        core: &Core,
        job: &EmailJob,
        now: DateTime<Utc>,
    ) -> Result<Prepared, AppError> {
        let not = |outcome| Ok(Prepared::Not(outcome));
        let skip = |reason: &str| {
            Ok(Prepared::Not(EmailOutcome::Skipped {
                reason: reason.to_string(),
            }))
        };
        let Some(event) = core.store.event_by_slug(&job.event_slug).await? else {
            return skip("the event is gone");
        };
        let Some(settings) = &event.registration else {
            return skip("registration was turned off");
        };
        let person = &job.registration;
        let wanted = match job.kind {
            EmailKind::Waitlisted => Standing::Waitlisted,
            _ => Standing::Registered,
        };
        if person.standing != wanted {
            return skip("the registration changed before it was due");
        }
        if !settings.sends(job.kind) {
            return skip("the organizers turned this email off");
        }
        let times = event.times();
        if let Some(at) = registration::due_at(job.kind, times, settings)
            && at > now
        {
            return not(EmailOutcome::Later { at });
        }
        if job.kind == EmailKind::Feedback && event.lifecycle.ended_at.is_none() {
            // Planned from the planned end; the event runs on.
            return not(EmailOutcome::Later {
                at: now + Duration::minutes(10),
            });
        }
        if !registration::still_worth_sending(job.kind, job.due_at, times, now) {
            return skip("too late to be useful");
        }
        let link = personal_link(&person.base_url, &job.event_slug, &person.token);
        let to: Mailbox = match mailbox(&person.name, &person.email) {
            Ok(to) => to,
            Err(error) => return not(EmailOutcome::Failed { error }),
        };
        let Some((_, from)) = &self.smtp else {
            return skip("emails are off");
        };
        let letter = Letter {
            event: &event,
            kind: job.kind,
            text: settings.text(job.kind),
            name: &person.name,
            base_url: &person.base_url,
            link: &link,
        };
        let id = format!("{}-{}", job.registration.id, job.kind.as_str());
        let message = letter.message(from, to, &id)?;
        Ok(Prepared::Send(Box::new(message)))
    }
}

impl Mailer {
    /// One email as a registrant would get it, to the organizer's own address: the
    /// organizer's "send me a test". Refused when emails are off; the server's words
    /// when it refuses.
    pub async fn send_test(
        &self,
        event: &super::store::EventRecord,
        kind: EmailKind,
        to: (&str, &str),
        base_url: &str,
    ) -> Result<(), AppError> {
        let Some((transport, from)) = &self.smtp else {
            return Err(AppError::Conflict(
                "emails are off on this server (start it with --smtp-url and --mail-from)".into(),
            ));
        };
        let to = mailbox(to.0, to.1).map_err(AppError::Conflict)?;
        let link = sample_link(base_url, event.slug.as_str());
        let letter = Letter {
            event,
            kind,
            text: event.registration.as_ref().and_then(|r| r.text(kind)),
            name: to.name.as_deref().unwrap_or("Ada"),
            base_url,
            link: &link,
        };
        let id = format!("test-{}-{}", super::secrets::new_token(), kind.as_str());
        let message = letter.message(from, to.clone(), &id)?;
        transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| AppError::Conflict(format!("the mail server refused the test: {e}")))
    }
}

/// What the organizer's preview shows for `kind`: the email as "Ada Lovelace" would get it.
pub fn preview(
    event: &super::store::EventRecord,
    kind: EmailKind,
    base_url: &str,
) -> mail::Rendered {
    let link = sample_link(base_url, event.slug.as_str());
    Letter {
        event,
        kind,
        text: event.registration.as_ref().and_then(|r| r.text(kind)),
        name: "Ada Lovelace",
        base_url,
        link: &link,
    }
    .render()
}

/// A personal link that opens nothing, for previews and tests.
fn sample_link(base_url: &str, slug: &str) -> String {
    personal_link(base_url, slug, &"0".repeat(64))
}

fn mailbox(name: &str, email: &str) -> Result<Mailbox, String> {
    email
        .parse::<lettre::Address>()
        .map(|address| Mailbox::new(Some(name.to_string()), address))
        .map_err(|e| format!("the address {email:?} cannot be used: {e}"))
}

/// One email to one person, before it is a message.
struct Letter<'a> {
    event: &'a super::store::EventRecord,
    kind: EmailKind,
    text: Option<&'a str>,
    name: &'a str,
    base_url: &'a str,
    link: &'a str,
}

impl Letter<'_> {
    fn render(&self) -> mail::Rendered {
        let event = self.event;
        let values = MailValues {
            name: self.name.to_string(),
            title: event.title.clone(),
            when: when(event),
            organizers: event.hosts.clone(),
            materials: event.materials.clone(),
            call: event.call.clone(),
            link: self.link.to_string(),
            survey: Some(format!("{}/join?to=feedback", self.link)),
            recording: event.recording_url.clone(),
        };
        mail::render(self.kind, self.text, &values)
    }

    /// The message: text and HTML, the calendar file with a confirmation or a place,
    /// `List-Unsubscribe` to the cancel link; `id` makes the Message-ID, the same on
    /// every attempt so a mail system that got it once drops a repeat.
    fn message(&self, from: &Mailbox, to: Mailbox, id: &str) -> Result<Message, AppError> {
        let rendered = self.render();
        let body = MultiPart::alternative_plain_html(rendered.text, rendered.html);
        let body = if matches!(self.kind, EmailKind::Confirmation | EmailKind::Place) {
            let ics = super::report::registrant_calendar(self.event, self.base_url, self.link);
            MultiPart::mixed().multipart(body).singlepart(
                Attachment::new(format!("{}.ics", self.event.slug)).body(
                    ics,
                    ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                        .map_err(|_| AppError::Internal)?,
                ),
            )
        } else {
            body
        };
        let host = from.email.domain().to_string();
        Message::builder()
            .from(from.clone())
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(format!("<lectern-{id}@{host}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{}/cancel>", self.link),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_string(),
            ))
            .multipart(body)
            .map_err(|e| {
                tracing::error!(error = %e, "building an email");
                AppError::Internal
            })
    }
}

enum Prepared {
    Send(Box<Message>),
    Not(EmailOutcome),
}

/// A registrant's personal link.
pub fn personal_link(base: &str, slug: &str, token: &str) -> String {
    format!("{}/e/{slug}/me/{token}", base.trim_end_matches('/'))
}

/// The start in the event's zone, as the emails say it.
pub fn when(event: &super::store::EventRecord) -> String {
    event
        .starts_at
        .with_timezone(&event.time_zone)
        .format(&format!(
            "on %A %-d %B %Y at %H:%M ({})",
            event.time_zone.name()
        ))
        .to_string()
}

/// How a send failed: again later if the server said "not now" (or could not be
/// reached), failed for good on a permanent refusal or after the last attempt.
fn refused(e: &lettre::transport::smtp::Error, attempts: u32, now: DateTime<Utc>) -> EmailOutcome {
    let error = e.to_string();
    if e.is_permanent() || attempts >= MAX_ATTEMPTS {
        EmailOutcome::Failed { error }
    } else {
        EmailOutcome::Retry {
            at: now + backoff(attempts),
            error,
        }
    }
}

/// 1, 2, 4 … minutes after the `attempts`-th attempt, at most an hour.
pub fn backoff(attempts: u32) -> Duration {
    Duration::minutes(1i64 << attempts.saturating_sub(1).min(6)).min(Duration::hours(1))
}

/// The URL with its password hidden, for error messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|a| backoff(a).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    /// A runtime, as in the server: lettre's connection pool starts a task when built.
    #[tokio::test]
    async fn settings_need_a_sender_and_hide_passwords_in_errors() {
        assert!(!Mailer::new(&MailSettings::default()).expect("off").is_on());
        let err = Mailer::new(&MailSettings {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            from: None,
        })
        .err()
        .expect("needs a sender");
        assert!(err.contains("--mail-from"));
        let err = Mailer::new(&MailSettings {
            smtp_url: Some("ftp://user:secret@host".into()),
            from: Some("Lectern <lectern@example.org>".into()),
        })
        .err()
        .expect("not smtp");
        assert!(!err.contains("secret"), "{err}");
        assert!(
            Mailer::new(&MailSettings {
                smtp_url: Some("smtp://127.0.0.1:2525".into()),
                from: Some("Lectern <lectern@example.org>".into()),
            })
            .expect("valid")
            .is_on()
        );
    }
}
