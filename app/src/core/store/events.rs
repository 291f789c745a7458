//! Events as stored: making one (with its agenda, materials and first role links), reading
//! one back by its address, and the secret role links that open its staff pages.

use super::{
    Store, from_json, is_unique_violation, millis, number, optional_time, parsed, time, to_json,
};
use crate::domain::event::{Lifecycle, Material, NewEvent, Role, Section, SectionKind, Slug};
use crate::domain::feedback::Survey;
use crate::domain::filter::{FilterMode, FilterSettings};
use crate::domain::registration::{Call, Registration};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::Row;

/// An event with its agenda and materials, as stored.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub id: i64,
    pub slug: Slug,
    pub title: String,
    pub hosts: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: Tz,
    pub created_by: Option<i64>,
    pub sections: Vec<Section>,
    pub materials: Vec<Material>,
    pub survey_url: Option<String>,
    /// When the presenter last read the new places out.
    pub places_read_at: Option<DateTime<Utc>>,
    /// Doors-open time, Start and End: what decides the event's phase.
    pub lifecycle: Lifecycle,
    /// Pace votes stop counting after this many minutes.
    pub pace_expiry_minutes: u32,
    /// Questions wait for a co-instructor's approval before they are public.
    pub pre_moderation: bool,
    /// Polls start with their results hidden until revealed.
    pub hide_poll_results: bool,
    /// What happens to attendee text with a listed word in it.
    pub word_filter: FilterSettings,
    /// The organizers' own survey questions, if they changed the default.
    pub survey: Option<Survey>,
    /// When an organizer closed the survey to new answers.
    pub survey_closed_at: Option<DateTime<Utc>>,
    /// A recording, added after the event.
    pub recording_url: Option<String>,
    /// The most attendees connected at once.
    pub peak_attendees: u32,
    /// The recurring tutorial it is a run of (none: made on the command line, unfiled).
    pub series_id: Option<i64>,
    /// Sign-ups with a capacity and emails; `None`: the public link is all there is.
    pub registration: Option<Registration>,
    /// The video call (for registrants only when registration is on).
    pub call: Option<Call>,
}

impl EventRecord {
    /// The start, and the end as it happened or else as planned: what emails are timed by.
    pub fn times(&self) -> crate::domain::registration::EventTimes {
        crate::domain::registration::EventTimes {
            starts_at: self.starts_at,
            ends_at: self.lifecycle.ended_at.unwrap_or_else(|| {
                self.starts_at
                    + chrono::Duration::minutes(i64::from(crate::domain::event::planned_minutes(
                        &self.sections,
                    )))
            }),
        }
    }

    /// What the store needs to hand out places, when registration is on.
    pub fn seats(&self) -> Option<super::registrations::Seats<'_>> {
        self.registration
            .as_ref()
            .map(|settings| super::registrations::Seats {
                event_id: self.id,
                settings,
                times: self.times(),
            })
    }

    /// The survey attendees get at the end: the organizers' questions, or the seed's.
    pub fn survey(&self) -> Survey {
        self.survey
            .clone()
            .unwrap_or_else(|| Survey::default_for(&self.title, &self.sections))
    }
}

/// A role link that is still valid, found by its token.
#[derive(Debug, Clone)]
pub struct ActiveRoleLink {
    pub link_id: i64,
    pub event_id: i64,
    pub slug: Slug,
    pub role: Role,
}

/// When each role's current link was made (the token itself is never kept).
#[derive(Debug, Clone)]
pub struct RoleLinkStatus {
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn event_by_slug(&self, slug: &str) -> Result<Option<EventRecord>, AppError> {
        let row = sqlx::query(
            "select id, slug, title, hosts, starts_at, time_zone, created_by, doors_open_minutes, started_at, ended_at, survey_url,
                    places_read_at, pace_expiry_minutes, pre_moderation, hide_poll_results, survey, survey_closed_at, recording_url,
                    peak_attendees, series_id, word_filter, blocked_words, registration, call_url, call_passcode
             from event where slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let sections = self
            .event_rows(
                "select title, kind, minutes, exercise_minutes from section where event_id = $1 order by position",
                id,
            )
            .await?
            .iter()
        .map(|r| {
            Ok(Section {
                title: r.try_get("title")?,
                kind: parsed(r, "kind", SectionKind::parse)?,
                minutes: number(r, "minutes")?,
                exercise_minutes: number(r, "exercise_minutes")?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
        let materials = self
            .event_rows(
                "select label, url from material where event_id = $1 order by position",
                id,
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Material {
                    label: r.try_get("label")?,
                    url: r.try_get("url")?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Some(EventRecord {
            id,
            slug: parsed(&row, "slug", |slug| Slug::parse(slug).ok())?,
            title: row.try_get("title")?,
            hosts: row.try_get("hosts")?,
            starts_at: time(&row, "starts_at")?,
            time_zone: parsed(&row, "time_zone", |zone| zone.parse::<Tz>().ok())?,
            created_by: row.try_get("created_by")?,
            sections,
            materials,
            survey_url: row.try_get("survey_url")?,
            places_read_at: optional_time(&row, "places_read_at")?,
            lifecycle: Lifecycle {
                starts_at: time(&row, "starts_at")?,
                doors_open_minutes: number(&row, "doors_open_minutes")?,
                started_at: optional_time(&row, "started_at")?,
                ended_at: optional_time(&row, "ended_at")?,
            },
            pace_expiry_minutes: number(&row, "pace_expiry_minutes")?,
            pre_moderation: row.try_get::<i64, _>("pre_moderation")? != 0,
            hide_poll_results: row.try_get::<i64, _>("hide_poll_results")? != 0,
            word_filter: FilterSettings {
                mode: parsed(&row, "word_filter", FilterMode::from_name)?,
                words: from_json(&row.try_get::<String, _>("blocked_words")?, "blocked_words")?,
            },
            survey: row
                .try_get::<Option<String>, _>("survey")?
                .map(|json| from_json(&json, "survey"))
                .transpose()?,
            survey_closed_at: optional_time(&row, "survey_closed_at")?,
            recording_url: row.try_get("recording_url")?,
            peak_attendees: number(&row, "peak_attendees")?,
            series_id: row.try_get("series_id")?,
            registration: row
                .try_get::<Option<String>, _>("registration")?
                .map(|json| from_json(&json, "registration"))
                .transpose()?,
            call: row
                .try_get::<Option<String>, _>("call_url")?
                .map(|url| -> Result<Call, AppError> {
                    Ok(Call {
                        url,
                        passcode: row.try_get("call_passcode")?,
                    })
                })
                .transpose()?,
        }))
    }

    /// Stores a new event with its agenda, materials and first role links, all or nothing.
    /// Fails with `Conflict` when `slug` is taken, so the caller can pick another.
    pub async fn create_event(
        &self,
        event: &NewEvent,
        slug: &Slug,
        created_by: Option<i64>,
        series_id: Option<i64>,
        role_token_hashes: &[(Role, String)],
    ) -> Result<i64, AppError> {
        let now = millis(Utc::now());
        let survey = event.survey.as_ref().map(to_json).transpose()?;
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "insert into event (slug, title, hosts, starts_at, time_zone, created_by, created_at, doors_open_minutes, survey_url,
                                pace_expiry_minutes, pre_moderation, survey, series_id, hide_poll_results,
                                word_filter, blocked_words, registration, call_url, call_passcode)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) returning id",
        )
        .bind(slug.as_str())
        .bind(&event.title)
        .bind(&event.hosts)
        .bind(millis(event.starts_at))
        .bind(event.time_zone.name())
        .bind(created_by)
        .bind(now)
        .bind(i64::from(event.doors_open_minutes))
        .bind(event.survey_url.as_deref())
        .bind(i64::from(event.pace_expiry_minutes))
        .bind(i64::from(event.pre_moderation))
        .bind(survey)
        .bind(series_id)
        .bind(i64::from(event.hide_poll_results))
        .bind(event.word_filter.mode.as_str())
        .bind(to_json(&event.word_filter.words)?)
        .bind(event.registration.as_ref().map(to_json).transpose()?)
        .bind(event.call.as_ref().map(|c| c.url.as_str()))
        .bind(event.call.as_ref().map_or("", |c| c.passcode.as_str()))
        .fetch_one(&mut *tx)
        .await;
        let event_id: i64 = match inserted {
            Ok(row) => row.try_get(0)?,
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::Conflict(format!(
                    "the address /e/{slug} is taken"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        for (position, section) in event.sections.iter().enumerate() {
            sqlx::query(
                "insert into section (event_id, position, title, kind, minutes, exercise_minutes)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(event_id)
            .bind(position as i64)
            .bind(&section.title)
            .bind(section.kind.as_str())
            .bind(i64::from(section.minutes))
            .bind(i64::from(section.exercise_minutes))
            .execute(&mut *tx)
            .await?;
        }
        for (position, material) in event.materials.iter().enumerate() {
            sqlx::query(
                "insert into material (event_id, position, label, url) values ($1, $2, $3, $4)",
            )
            .bind(event_id)
            .bind(position as i64)
            .bind(&material.label)
            .bind(&material.url)
            .execute(&mut *tx)
            .await?;
        }
        for (role, token_hash) in role_token_hashes {
            insert_role_link(&mut tx, event_id, *role, token_hash, now).await?;
        }
        tx.commit().await?;
        Ok(event_id)
    }

    pub async fn role_links(&self, event_id: i64) -> Result<Vec<RoleLinkStatus>, AppError> {
        self.event_rows(
            "select role, created_at from role_link where event_id = $1 and revoked_at is null order by role",
            event_id,
        )
        .await?
            .iter()
            .map(|r| {
                Ok(RoleLinkStatus {
                    role: parsed(r, "role", Role::parse)?,
                    created_at: time(r, "created_at")?,
                })
            })
            .collect()
    }

    /// Revokes the role's current link (if any) and stores a new one, atomically.
    pub async fn rotate_role_link(
        &self,
        event_id: i64,
        role: Role,
        token_hash: &str,
    ) -> Result<(), AppError> {
        let now = millis(Utc::now());
        let mut tx = self.pool.begin().await?;
        revoke_role(&mut tx, event_id, role, now).await?;
        insert_role_link(&mut tx, event_id, role, token_hash, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes the role's current link; pages opened with it lose access.
    pub async fn revoke_role_link(&self, event_id: i64, role: Role) -> Result<(), AppError> {
        let mut tx = self.pool.begin().await?;
        revoke_role(&mut tx, event_id, role, millis(Utc::now())).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn active_role_link(
        &self,
        token_hash: &str,
    ) -> Result<Option<ActiveRoleLink>, AppError> {
        let row = sqlx::query(
            "select l.id, l.event_id, e.slug, l.role from role_link l join event e on e.id = l.event_id
             where l.token_hash = $1 and l.revoked_at is null",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(ActiveRoleLink {
            link_id: r.try_get(0)?,
            event_id: r.try_get(1)?,
            slug: parsed(&r, 2, |slug| Slug::parse(slug).ok())?,
            role: parsed(&r, 3, Role::parse)?,
        }))
    }

    pub async fn role_link_is_active(&self, link_id: i64) -> Result<bool, AppError> {
        let row = sqlx::query("select 1 from role_link where id = $1 and revoked_at is null")
            .bind(link_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }
}

async fn insert_role_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    role: Role,
    token_hash: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into role_link (event_id, role, token_hash, created_at) values ($1, $2, $3, $4)",
    )
    .bind(event_id)
    .bind(role.as_str())
    .bind(token_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn revoke_role(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: i64,
    role: Role,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("update role_link set revoked_at = $1 where event_id = $2 and role = $3 and revoked_at is null")
        .bind(now)
        .bind(event_id)
        .bind(role.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
