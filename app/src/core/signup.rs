//! What registrants do (issue 20), one method each: register, open their personal link,
//! change their email, cancel. Each checks with the domain (`domain::registration`),
//! stores through `store::registrations` (places under the event's lock) and wakes the
//! mailer for the emails it planned. The pages that call them are `server/src/register.rs`.

use super::Core;
use super::store::EventRecord;
use super::store::registrations::{NewRegistration, RegistrationRecord, Signup};
use crate::domain::attendee::AttendeeId;
use crate::domain::event::Phase;
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
        let now = self.hub.clock().now();
        if event.lifecycle.phase(now) == Phase::Ended {
            return Err(AppError::Conflict(
                "registration is closed: the event has ended".into(),
            ));
        }
        let seats = event
            .seats()
            .ok_or_else(|| AppError::NotFound("registration".into()))?;
        let token = super::secrets::new_token();
        let signup = self
            .store
            .register(
                seats,
                NewRegistration {
                    registrant: &registrant,
                    token: &token,
                    base_url,
                    source,
                },
                now,
            )
            .await?;
        if matches!(signup, Signup::New(_)) {
            self.mailer.wake();
        }
        Ok(signup)
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
