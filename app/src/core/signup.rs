//! What registrants do (issue 20), one method each: register, open their personal link,
//! change their email, cancel. Each checks with the domain (`domain::registration`),
//! stores through `store::registrations` (places under the event's lock) and wakes the
//! mailer for the emails it planned. The pages that call them are `server/src/register.rs`.

use super::Core;
use super::store::EventRecord;
use super::store::registrations::{NewRegistration, RegistrationRecord, Signup};
use crate::domain::attendee::AttendeeId;
use crate::domain::registration::{Email, RegistrantForm};
use crate::error::AppError;

/// A registration and its event, found by the personal link's secret.
pub struct Personal {
    pub event: EventRecord,
    pub registration: RegistrationRecord,
}

impl Core {
    /// The event at `slug` if it takes registrations.
    pub async fn registration_event(&self, slug: &str) -> Result<EventRecord, AppError> {
        let event = self.event(slug).await?;
        if event.registration.is_none() {
            return Err(AppError::NotFound(format!(
                "registration for /e/{slug} (this event does not take registrations: join at /e/{slug})"
            )));
        }
        Ok(event)
    }

    /// Registers someone from the form: a place or the waitlist, and their emails
    /// planned. Refused once the event has ended.
    pub async fn register(
        &self,
        event: &EventRecord,
        form: &RegistrantForm,
        base_url: &str,
        source: &str,
    ) -> Result<Signup, AppError> {
        let registrant = form.parse().map_err(AppError::Invalid)?;
        if event.lifecycle.ended_at.is_some() {
            return Err(AppError::Conflict(
                "registration is closed: the event has ended".into(),
            ));
        }
        let seats = event
            .seats()
            .ok_or_else(|| AppError::NotFound("registration".into()))?;
        let signup = self
            .store_registrant(seats, &registrant, base_url, source)
            .await?;
        if matches!(signup, Signup::New(_)) {
            self.mailer.wake();
        }
        Ok(signup)
    }

    /// Stores a checked registrant with a fresh personal link: a place or the waitlist.
    async fn store_registrant(
        &self,
        seats: super::store::registrations::Seats<'_>,
        registrant: &crate::domain::registration::Registrant,
        base_url: &str,
        source: &str,
    ) -> Result<Signup, AppError> {
        let token = super::secrets::new_token();
        self.store
            .register(
                seats,
                NewRegistration {
                    registrant,
                    token: &token,
                    base_url,
                    source,
                },
                self.hub.clock().now(),
            )
            .await
    }

    /// The registration a personal link opens, with its event.
    pub async fn personal(&self, slug: &str, token: &str) -> Result<Personal, AppError> {
        let not_found = || {
            AppError::NotFound(
                "this registration (the link may be mistyped, or the registration erased)".into(),
            )
        };
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(not_found());
        }
        let registration = self
            .store
            .registration_by_token(token)
            .await?
            .ok_or_else(not_found)?;
        let event = self.event(slug).await?;
        if event.id != registration.event_id {
            return Err(not_found());
        }
        Ok(Personal {
            event,
            registration,
        })
    }

    /// The personal link opened the live page as `attendee`: their answers are the
    /// registration's from now on, and the first time counts as joining.
    pub async fn join(&self, personal: &Personal, attendee: &AttendeeId) -> Result<(), AppError> {
        self.store
            .link_registration(personal.registration.id, attendee, self.hub.clock().now())
            .await
    }

    /// Cancels the registration; its place goes to the first on the waitlist.
    pub async fn cancel_registration(&self, personal: &Personal) -> Result<(), AppError> {
        let Some(seats) = personal.event.seats() else {
            return Ok(());
        };
        let promoted = self
            .store
            .cancel_registration(seats, personal.registration.id, self.hub.clock().now())
            .await?;
        if !promoted.is_empty() {
            self.mailer.wake();
        }
        Ok(())
    }

    /// Sends the next emails to another address.
    pub async fn change_registration_email(
        &self,
        personal: &Personal,
        raw: &str,
    ) -> Result<Email, AppError> {
        let email = Email::parse(raw).map_err(AppError::Invalid)?;
        self.store
            .change_registration_email(personal.registration.id, &email)
            .await?;
        Ok(email)
    }
}

/// What an import of an attendee report did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub registered: u32,
    pub waitlisted: u32,
    /// Already registered (by address): left as they were.
    pub already: u32,
    /// Rows left out, with their line and why.
    pub skipped: Vec<crate::domain::eventbrite::SkippedRow>,
}

/// The organizers' side: erasing a person, importing a list, forgetting on time.
impl Core {
    /// Erases a person from an event: their registration, the emails planned for them,
    /// and so the link between their attendee session and their answers. A freed
    /// place goes to the first on the waitlist.
    pub async fn erase_registrant(
        &self,
        event: &EventRecord,
        registration_id: i64,
    ) -> Result<(), AppError> {
        let Some(seats) = event.seats() else {
            return Err(AppError::NotFound("registration for this event".into()));
        };
        if !self
            .store
            .erase_registration(seats, registration_id, self.hub.clock().now())
            .await?
        {
            return Err(AppError::NotFound(
                "that registrant (erased already?)".into(),
            ));
        }
        self.mailer.wake();
        Ok(())
    }

    /// Registers everyone attending in an Eventbrite attendee report, each as if they
    /// had used the form (places first, then the waitlist; the same emails).
    pub async fn import_attendees(
        &self,
        event: &EventRecord,
        csv: &str,
        base_url: &str,
    ) -> Result<ImportOutcome, AppError> {
        let imported =
            crate::domain::eventbrite::parse_attendees(csv).map_err(AppError::Invalid)?;
        let seats = event.seats().ok_or_else(|| {
            AppError::Conflict("turn registration on for this event first".into())
        })?;
        let mut outcome = ImportOutcome {
            skipped: imported.skipped,
            ..ImportOutcome::default()
        };
        for person in &imported.people {
            let signup = self
                .store_registrant(seats, person, base_url, "eventbrite")
                .await?;
            match signup {
                Signup::New(r)
                    if r.standing == crate::domain::registration::Standing::Waitlisted =>
                {
                    outcome.waitlisted += 1;
                }
                Signup::New(_) => outcome.registered += 1,
                Signup::Already(_) => outcome.already += 1,
            }
        }
        self.mailer.wake();
        Ok(outcome)
    }

    /// Forgets the names and addresses of every event's registrants whose time has
    /// come (`keep_days` after the end). Returns how many people were forgotten.
    pub async fn forget_registrants_due(&self) -> Result<u64, AppError> {
        let now = self.hub.clock().now();
        let mut forgotten = 0;
        for slug in self.store.events_holding_registrants().await? {
            let Some(event) = self.store.event_by_slug(&slug).await? else {
                continue;
            };
            // Registration turned off since: the default still applies.
            let keep_days = event
                .registration
                .as_ref()
                .map_or(crate::domain::registration::DEFAULT_KEEP_DAYS, |r| {
                    r.keep_days
                });
            if now >= crate::domain::registration::forget_at(event.times(), keep_days) {
                forgotten += self.store.forget_registrants(event.id).await?;
            }
        }
        Ok(forgotten)
    }

    /// Runs [`Core::forget_registrants_due`] every `every` while the core is in use.
    pub fn forget_registrants_in_background(&self, every: std::time::Duration) {
        let core = std::sync::Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                let Some(inner) = core.upgrade() else { return };
                match Core(inner).forget_registrants_due().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(
                        people = n,
                        "forgot registrants past their event's keep_days"
                    ),
                    Err(error) => tracing::warn!(%error, "forgetting registrants"),
                }
            }
        });
    }
}
