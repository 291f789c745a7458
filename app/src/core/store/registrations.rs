//! Registrations and the emails planned for them (issue 20).
//!
//! Places are handed out under the event row's lock (the same lock live changes take),
//! so two sign-ups or two cancellations at once, on any replica, see each other's
//! counts: nobody is promoted twice and the capacity holds. The rules are the domain's
//! (`domain::registration`: `admit`, `places_to_fill`, `schedule`); this file only
//! counts, stores and plans.
//!
//! Emails are rows of `email_job`, one per registration and kind (a unique key), so an
//! email is planned once whatever happens. The mailer (`core/mailer.rs`) claims a due row
//! with one conditional update (`claim_email_job`): of two replicas racing for it, one
//! wins. A claim is a lease: if the replica dies between the mail server's "accepted"
//! and marking the row sent, the row is sent again once the lease runs out, the one case
//! where a person could get an email twice.

use super::{Store, millis, optional_time, parsed, time};
use crate::domain::attendee::AttendeeId;
use crate::domain::registration::{
    self, EmailKind, EventTimes, Registrant, Registration, Standing,
};
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// A registration as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRecord {
    pub id: i64,
    pub event_id: i64,
    /// The personal link's secret.
    pub token: String,
    pub name: String,
    pub email: String,
    pub answer: Option<String>,
    pub standing: Standing,
    /// `form`, or `eventbrite` for an imported attendee.
    pub source: String,
    pub created_at: DateTime<Utc>,
    /// When they got a place (registering, or promoted off the waitlist).
    pub placed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The attendee who opened the personal link (their answers are theirs).
    pub attendee_id: Option<String>,
    /// When the personal link first opened the live page.
    pub joined_at: Option<DateTime<Utc>>,
    /// The address they registered at: the links in their emails start with it.
    pub base_url: String,
}

/// What a sign-up did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signup {
    /// A new registration (or a cancelled one taken up again), with a place or waiting.
    New(RegistrationRecord),
    /// This address has a registration already; nothing changed.
    Already(RegistrationRecord),
}

/// A sign-up to store: the checked form, the personal link's secret, where they came from.
pub struct NewRegistration<'a> {
    pub registrant: &'a Registrant,
    pub token: &'a str,
    pub base_url: &'a str,
    pub source: &'a str,
}

/// What the store needs to know of an event to hand out places and plan emails.
#[derive(Debug, Clone, Copy)]
pub struct Seats<'a> {
    pub event_id: i64,
    pub settings: &'a Registration,
    pub times: EventTimes,
}

/// An email due to be sent (or whose sender's lease ran out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueEmail {
    pub id: i64,
    pub attempts: u32,
}

/// A claimed email with whom it goes to.
#[derive(Debug, Clone)]
pub struct EmailJob {
    pub id: i64,
    pub kind: EmailKind,
    pub due_at: DateTime<Utc>,
    pub attempts: u32,
    pub event_slug: String,
    pub registration: RegistrationRecord,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailOutcome {
    Sent,
    /// Refused or unreachable: try again at this moment.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    /// Given up (attempts spent, or refused for good): the organizers see why.
    Failed {
        error: String,
    },
    /// Not sent, on purpose (too late to be useful, registration cancelled, mail off).
    Skipped {
        reason: String,
    },
    /// Not due yet after all (the event's times changed): wait until then.
    Later {
        at: DateTime<Utc>,
    },
}

/// An email as the organizers' page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailStatus {
    pub registration_id: i64,
    pub kind: EmailKind,
    pub due_at: DateTime<Utc>,
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, event_id, token, name, email, answer, standing, source, created_at, placed_at, cancelled_at, attendee_id, joined_at, base_url";

fn record(row: &AnyRow) -> Result<RegistrationRecord, AppError> {
    Ok(RegistrationRecord {
        id: row.try_get("id")?,
        event_id: row.try_get("event_id")?,
        token: row.try_get("token")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        answer: row.try_get("answer")?,
        standing: parsed(row, "standing", Standing::from_name)?,
        source: row.try_get("source")?,
        created_at: time(row, "created_at")?,
        placed_at: optional_time(row, "placed_at")?,
        cancelled_at: optional_time(row, "cancelled_at")?,
        attendee_id: row.try_get("attendee_id")?,
        joined_at: optional_time(row, "joined_at")?,
        base_url: row.try_get("base_url")?,
    })
}

impl Store {
    /// Registers a person: a place if one is free and nobody waits, else the waitlist;
    /// their emails planned from now. An address already registered (in any case) is
    /// left as it is; a cancelled one is taken up again as new.
    pub async fn register(
        &self,
        seats: Seats<'_>,
        new: NewRegistration<'_>,
        now: DateTime<Utc>,
    ) -> Result<Signup, AppError> {
        let mut tx = self.pool.begin().await?;
        lock_event(&mut tx, seats.event_id).await?;
        let key = new.registrant.email.key();
        let existing = sqlx::query(&format!(
            "select {COLUMNS} from registration where event_id = $1 and email_key = $2"
        ))
        .bind(seats.event_id)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| record(&row))
        .transpose()?;
        if let Some(existing) = &existing
            && existing.standing != Standing::Cancelled
        {
            tx.rollback().await?;
            return Ok(Signup::Already(existing.clone()));
        }
        let (taken, waiting) = counts(&mut *tx, seats.event_id).await?;
        let standing = registration::admit(taken, seats.settings.capacity, waiting);
        let placed_at = (standing == Standing::Registered).then_some(millis(now));
        let id: i64 = match existing {
            Some(old) => {
                // Taken up again: a new registration in the old row (the same personal
                // link), its earlier emails forgotten so that the new ones go out.
                sqlx::query("delete from email_job where registration_id = $1")
                    .bind(old.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "update registration set name = $1, email = $2, answer = $3, standing = $4, created_at = $5,
                            placed_at = $6, cancelled_at = null, base_url = $7, source = $8
                     where id = $9",
                )
                .bind(&new.registrant.name)
                .bind(new.registrant.email.as_str())
                .bind(new.registrant.answer.as_deref())
                .bind(standing.as_str())
                .bind(millis(now))
                .bind(placed_at)
                .bind(new.base_url)
                .bind(new.source)
                .bind(old.id)
                .execute(&mut *tx)
                .await?;
                old.id
            }
            None => sqlx::query(
                "insert into registration (event_id, token, name, email, email_key, answer, standing, source, created_at, placed_at, base_url)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
            )
            .bind(seats.event_id)
            .bind(new.token)
            .bind(&new.registrant.name)
            .bind(new.registrant.email.as_str())
            .bind(&key)
            .bind(new.registrant.answer.as_deref())
            .bind(standing.as_str())
            .bind(new.source)
            .bind(millis(now))
            .bind(placed_at)
            .bind(new.base_url)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?,
        };
        let first = match standing {
            Standing::Registered => EmailKind::Confirmation,
            _ => EmailKind::Waitlisted,
        };
        plan(&mut tx, seats, id, first, now).await?;
        let stored = sqlx::query(&format!("select {COLUMNS} from registration where id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Signup::New(record(&stored)?))
    }

    /// Cancels a registration; its emails still waiting are dropped, and the places it
    /// frees go to the first on the waitlist. Returns whom it promoted.
    pub async fn cancel_registration(
        &self,
        seats: Seats<'_>,
        registration_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, AppError> {
        let mut tx = self.pool.begin().await?;
        lock_event(&mut tx, seats.event_id).await?;
        let cancelled = sqlx::query(
            "update registration set standing = 'cancelled', cancelled_at = $1
             where id = $2 and event_id = $3 and standing <> 'cancelled'",
        )
        .bind(millis(now))
        .bind(registration_id)
        .bind(seats.event_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if cancelled == 0 {
            tx.rollback().await?;
            return Ok(Vec::new());
        }
        sqlx::query(
            "update email_job set state = 'skipped', last_error = 'the registration was cancelled'
             where registration_id = $1 and state = 'pending'",
        )
        .bind(registration_id)
        .execute(&mut *tx)
        .await?;
        let promoted = fill_places(&mut tx, seats, now).await?;
        tx.commit().await?;
        Ok(promoted)
    }

    /// Gives free places to the first on the waitlist (after the capacity went up).
    pub async fn fill_places(
        &self,
        seats: Seats<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, AppError> {
        let mut tx = self.pool.begin().await?;
        lock_event(&mut tx, seats.event_id).await?;
        let promoted = fill_places(&mut tx, seats, now).await?;
        tx.commit().await?;
        Ok(promoted)
    }

    pub async fn registration_by_token(
        &self,
        token: &str,
    ) -> Result<Option<RegistrationRecord>, AppError> {
        sqlx::query(&format!(
            "select {COLUMNS} from registration where token = $1"
        ))
        .bind(token)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| record(&row))
        .transpose()
    }

    /// The event's registrations, in the order they came.
    pub async fn registrations(&self, event_id: i64) -> Result<Vec<RegistrationRecord>, AppError> {
        self.event_rows(
            &format!(
                "select {COLUMNS} from registration where event_id = $1 order by created_at, id"
            ),
            event_id,
        )
        .await?
        .iter()
        .map(record)
        .collect()
    }

    /// Places a newcomer to the form could take now (none while anyone waits).
    pub async fn places_left(&self, seats: Seats<'_>) -> Result<u32, AppError> {
        let (taken, waiting) = counts(&self.pool, seats.event_id).await?;
        Ok(registration::places_left(
            taken,
            seats.settings.capacity,
            waiting,
        ))
    }

    /// How many wait before this registration (1: next to get a place).
    pub async fn waitlist_position(
        &self,
        registration: &RegistrationRecord,
    ) -> Result<u32, AppError> {
        let ahead: i64 = sqlx::query(
            "select count(*) from registration where event_id = $1 and standing = 'waitlisted'
             and (created_at < $2 or (created_at = $2 and id < $3))",
        )
        .bind(registration.event_id)
        .bind(millis(registration.created_at))
        .bind(registration.id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(u32::try_from(ahead).unwrap_or(u32::MAX).saturating_add(1))
    }

    /// A new address for a registration; refused if another registration has it.
    pub async fn change_registration_email(
        &self,
        registration_id: i64,
        email: &registration::Email,
    ) -> Result<(), AppError> {
        let changed =
            sqlx::query("update registration set email = $1, email_key = $2 where id = $3")
                .bind(email.as_str())
                .bind(email.key())
                .bind(registration_id)
                .execute(&self.pool)
                .await;
        match changed {
            Ok(_) => Ok(()),
            Err(e) if super::is_unique_violation(&e) => Err(AppError::Conflict(format!(
                "{email} is registered for this event already"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Ties the registration to the attendee who opened its personal link: the first
    /// time is when they joined.
    pub async fn link_registration(
        &self,
        registration_id: i64,
        attendee: &AttendeeId,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        sqlx::query(
            "update registration set attendee_id = $1, joined_at = coalesce(joined_at, $2) where id = $3",
        )
        .bind(attendee.as_str())
        .bind(millis(now))
        .bind(registration_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Where this attendee's registration for the event stands, if they opened one's link.
    pub async fn attendee_standing(
        &self,
        event_id: i64,
        attendee: &AttendeeId,
    ) -> Result<Option<Standing>, AppError> {
        sqlx::query(
            "select standing from registration where event_id = $1 and attendee_id = $2
             order by (standing = 'registered') desc limit 1",
        )
        .bind(event_id)
        .bind(attendee.as_str())
        .fetch_optional(&self.pool)
        .await?
        .map(|row| parsed(&row, "standing", Standing::from_name))
        .transpose()
    }

    /// Erases a person: their registration, the emails planned for them, and so the
    /// link between their attendee session and their answers. Returns whether there was
    /// one; a freed place goes to the waitlist.
    pub async fn erase_registration(
        &self,
        seats: Seats<'_>,
        registration_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let mut tx = self.pool.begin().await?;
        lock_event(&mut tx, seats.event_id).await?;
        let erased = sqlx::query("delete from registration where id = $1 and event_id = $2")
            .bind(registration_id)
            .bind(seats.event_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if erased > 0 {
            fill_places(&mut tx, seats, now).await?;
        }
        tx.commit().await?;
        Ok(erased > 0)
    }

    /// Events that still hold registrants' names and addresses.
    pub async fn events_holding_registrants(&self) -> Result<Vec<String>, AppError> {
        sqlx::query(
            "select slug from event e where exists
               (select 1 from registration r where r.event_id = e.id and r.email <> '')
             order by id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| Ok(row.try_get("slug")?))
        .collect()
    }

    /// Forgets who an event's registrants were: names, addresses, answers and personal
    /// links go, and the emails planned for them; what they did stays counted (standing,
    /// joined, the pseudonymous session behind their answers). Returns how many.
    pub async fn forget_registrants(&self, event_id: i64) -> Result<u64, AppError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("delete from email_job where event_id = $1")
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        let forgotten = sqlx::query(
            "update registration
             set name = '', email = '', answer = null,
                 email_key = 'forgotten:' || id, token = 'forgotten:' || id
             where event_id = $1 and email <> ''",
        )
        .bind(event_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(forgotten)
    }

    /// The event ended: its feedback emails still waiting are due at `due`.
    pub async fn replan_feedback(&self, event_id: i64, due: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query(
            "update email_job set due_at = $1 where event_id = $2 and kind = 'feedback' and state = 'pending'",
        )
        .bind(millis(due))
        .bind(event_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Emails due by `now` (or whose sender's lease ran out), the oldest first.
    pub async fn due_emails(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueEmail>, AppError> {
        sqlx::query(
            "select id, attempts from email_job
             where (state = 'pending' and due_at <= $1) or (state = 'sending' and lease_until < $1)
             order by due_at, id limit $2",
        )
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(DueEmail {
                id: row.try_get("id")?,
                attempts: super::number(row, "attempts")?,
            })
        })
        .collect()
    }

    /// When the next planned email is due, to sleep until then.
    pub async fn next_email_due(&self) -> Result<Option<DateTime<Utc>>, AppError> {
        let row = sqlx::query("select min(due_at) as due from email_job where state = 'pending'")
            .fetch_one(&self.pool)
            .await?;
        optional_time(&row, "due")
    }

    /// Claims a due email for `lease`: true for the one replica whose update found it as
    /// `due_emails` did (same attempts, still pending or its lease run out).
    pub async fn claim_email(
        &self,
        due: DueEmail,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<EmailJob>, AppError> {
        let claimed = sqlx::query(
            "update email_job set state = 'sending', attempts = attempts + 1, lease_until = $1
             where id = $2 and attempts = $3
               and ((state = 'pending' and due_at <= $4) or (state = 'sending' and lease_until < $4))",
        )
        .bind(millis(now + lease))
        .bind(due.id)
        .bind(i64::from(due.attempts))
        .bind(millis(now))
        .execute(&self.pool)
        .await?
        .rows_affected();
        if claimed != 1 {
            return Ok(None);
        }
        let row = sqlx::query(&format!(
            "select j.id as job_id, j.kind, j.due_at, j.attempts, e.slug,
                    {}
             from email_job j join registration r on r.id = j.registration_id join event e on e.id = j.event_id
             where j.id = $1",
            COLUMNS
                .split(", ")
                .map(|c| format!("r.{c} as {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(due.id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(EmailJob {
            id: row.try_get("job_id")?,
            kind: parsed(&row, "kind", EmailKind::from_name)?,
            due_at: time(&row, "due_at")?,
            attempts: super::number(&row, "attempts")?,
            event_slug: row.try_get("slug")?,
            registration: record(&row)?,
        }))
    }

    /// Records how a claimed email's attempt ended.
    pub async fn finish_email(
        &self,
        job_id: i64,
        outcome: &EmailOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (state, due, error, sent): (&str, Option<i64>, Option<&str>, Option<i64>) =
            match outcome {
                EmailOutcome::Sent => ("sent", None, None, Some(millis(now))),
                EmailOutcome::Retry { at, error } => {
                    ("pending", Some(millis(*at)), Some(error), None)
                }
                EmailOutcome::Failed { error } => ("failed", None, Some(error), None),
                EmailOutcome::Skipped { reason } => ("skipped", None, Some(reason), None),
                EmailOutcome::Later { at } => ("pending", Some(millis(*at)), None, None),
            };
        sqlx::query(
            "update email_job set state = $1, due_at = coalesce($2, due_at), last_error = coalesce($3, last_error),
                    sent_at = $4, lease_until = null, attempts = attempts - $5
             where id = $6 and state = 'sending'",
        )
        .bind(state)
        .bind(due)
        .bind(error)
        .bind(sent)
        // Not due after all: the claim was no attempt.
        .bind(i64::from(matches!(outcome, EmailOutcome::Later { .. })))
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every email planned for the event's registrants, for the organizers.
    pub async fn email_statuses(&self, event_id: i64) -> Result<Vec<EmailStatus>, AppError> {
        self.event_rows(
            "select registration_id, kind, due_at, state, attempts, last_error, sent_at
             from email_job where event_id = $1 order by due_at, id",
            event_id,
        )
        .await?
        .iter()
        .map(|row| {
            Ok(EmailStatus {
                registration_id: row.try_get("registration_id")?,
                kind: parsed(row, "kind", EmailKind::from_name)?,
                due_at: time(row, "due_at")?,
                state: row.try_get("state")?,
                attempts: super::number(row, "attempts")?,
                last_error: row.try_get("last_error")?,
                sent_at: optional_time(row, "sent_at")?,
            })
        })
        .collect()
    }
}

/// Takes the event row's lock until the transaction ends (on SQLite, the database's).
async fn lock_event(tx: &mut Transaction<'static, Any>, event_id: i64) -> Result<(), AppError> {
    sqlx::query("update event set change_seq = change_seq where id = $1")
        .bind(event_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Places taken and people waiting (in a transaction, or straight from the pool).
async fn counts<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    event_id: i64,
) -> Result<(u32, u32), AppError> {
    let row = sqlx::query(
        "select coalesce(sum(case when standing = 'registered' then 1 else 0 end), 0) as taken,
                coalesce(sum(case when standing = 'waitlisted' then 1 else 0 end), 0) as waiting
         from registration where event_id = $1",
    )
    .bind(event_id)
    .fetch_one(executor)
    .await?;
    Ok((
        super::number(&row, "taken")?,
        super::number(&row, "waiting")?,
    ))
}

/// Promotes the first on the waitlist into the free places (under the event's lock).
async fn fill_places(
    tx: &mut Transaction<'static, Any>,
    seats: Seats<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    let (taken, waiting) = counts(&mut **tx, seats.event_id).await?;
    let free = registration::places_to_fill(taken, seats.settings.capacity, waiting);
    if free == 0 {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = sqlx::query(
        "select id from registration where event_id = $1 and standing = 'waitlisted'
         order by created_at, id limit $2",
    )
    .bind(seats.event_id)
    .bind(i64::from(free))
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|row| row.try_get(0))
    .collect::<Result<_, _>>()?;
    for id in &ids {
        sqlx::query(
            "update registration set standing = 'registered', placed_at = $1 where id = $2",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&mut **tx)
        .await?;
        plan(tx, seats, *id, EmailKind::Place, now).await?;
    }
    Ok(ids)
}

/// Plans a registration's emails from `now` (`domain::registration::schedule`).
async fn plan(
    tx: &mut Transaction<'static, Any>,
    seats: Seats<'_>,
    registration_id: i64,
    first: EmailKind,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for (kind, due) in registration::schedule(first, now, seats.times, seats.settings) {
        sqlx::query(
            "insert into email_job (event_id, registration_id, kind, due_at, state)
             values ($1, $2, $3, $4, 'pending') on conflict (registration_id, kind) do nothing",
        )
        .bind(seats.event_id)
        .bind(registration_id)
        .bind(kind.as_str())
        .bind(millis(due))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
