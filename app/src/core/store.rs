//! All of Lectern's SQL, in one place.
//!
//! The store speaks to SQLite (the embedded default) through sqlx's `Any` driver, with
//! SQL kept to what SQLite and PostgreSQL share: `$n` parameters, integer milliseconds
//! for times, text for client-made ids, `returning` for new ids. Methods take and give
//! domain types; rows never leave this module.

use crate::domain::checkin::CheckIn;
use crate::domain::event::{Lifecycle, Material, NewEvent, Role, Section, SectionKind, Slug};
use crate::domain::pace::PaceVote;
use crate::domain::place::Place;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::time::Duration;

/// Embedded at compile time so the binary migrates its own database on start.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// The database behind Lectern; cheap to clone (a pool handle).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
}

/// An organizer as the sign-in check needs them.
#[derive(Debug, Clone)]
pub struct OrganizerRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

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

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// SQLite and PostgreSQL both report a unique violation with SQLSTATE-like code 2067/23505.
fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        if !url.starts_with("sqlite:") {
            return Err(sqlx::Error::Configuration(
                format!("unsupported database URL scheme in {:?}: Lectern stores its data in SQLite (sqlite://path)", url.split(':').next().unwrap_or_default()).into(),
            ));
        }
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; NORMAL sync keeps every commit
                    // through a process crash (kill -9), which is the promise we make.
                    conn.execute("pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma busy_timeout = 5000;").await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        SQLITE_MIGRATIONS.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Answers when the database does: for `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("select 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn organizer_count(&self) -> Result<i64, AppError> {
        Ok(sqlx::query("select count(*) from organizer")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// Creates the very first organizer, or refuses if any organizer exists: the check and
    /// the insert are one statement, so two people racing through first-run setup cannot
    /// both win.
    pub async fn create_first_organizer(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<i64, AppError> {
        let row = sqlx::query(
            "insert into organizer (email, name, password_hash, created_at)
             select $1, $2, $3, $4 where not exists (select 1 from organizer)
             returning id",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(millis(Utc::now()))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(row.try_get(0)?),
            None => Err(AppError::Conflict(
                "Lectern is already set up: ask an organizer for an invitation.".into(),
            )),
        }
    }

    /// Creates an organizer (from the CLI or an invitation).
    pub async fn create_organizer(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<i64, AppError> {
        let mut tx = self.pool.begin().await?;
        let id = insert_organizer(&mut tx, email, name, password_hash).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn organizer_by_email(
        &self,
        email: &str,
    ) -> Result<Option<OrganizerRecord>, AppError> {
        let row =
            sqlx::query("select id, email, name, password_hash from organizer where email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| organizer_from_row(&r)).transpose()
    }

    pub async fn organizer(&self, id: i64) -> Result<Option<OrganizerRecord>, AppError> {
        let row = sqlx::query("select id, email, name, password_hash from organizer where id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| organizer_from_row(&r)).transpose()
    }

    pub async fn create_invite(&self, token_hash: &str, invited_by: i64) -> Result<(), AppError> {
        sqlx::query(
            "insert into organizer_invite (token_hash, invited_by, created_at) values ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(invited_by)
        .bind(millis(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn invite_is_open(&self, token_hash: &str) -> Result<bool, AppError> {
        let row =
            sqlx::query("select 1 from organizer_invite where token_hash = $1 and used_at is null")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }

    /// Uses an invitation to create an organizer; each invitation works once.
    pub async fn accept_invite(
        &self,
        token_hash: &str,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<i64, AppError> {
        let mut tx = self.pool.begin().await?;
        let used = sqlx::query(
            "update organizer_invite set used_at = $1 where token_hash = $2 and used_at is null",
        )
        .bind(millis(Utc::now()))
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Err(AppError::NotFound(
                "that invitation (it may have been used already)".into(),
            ));
        }
        let id = insert_organizer(&mut tx, email, name, password_hash).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Stores a new event with its agenda, materials and first role links, all or nothing.
    /// Fails with `Conflict` when `slug` is taken, so the caller can pick another.
    pub async fn create_event(
        &self,
        event: &NewEvent,
        slug: &Slug,
        created_by: Option<i64>,
        role_token_hashes: &[(Role, String)],
    ) -> Result<i64, AppError> {
        let now = millis(Utc::now());
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "insert into event (slug, title, hosts, starts_at, time_zone, created_by, created_at, doors_open_minutes, survey_url)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
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

    pub async fn event_by_slug(&self, slug: &str) -> Result<Option<EventRecord>, AppError> {
        let row = sqlx::query(
            "select id, slug, title, hosts, starts_at, time_zone, created_by, doors_open_minutes, started_at, ended_at, survey_url, places_read_at
             from event where slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let sections = sqlx::query(
            "select title, kind, minutes, exercise_minutes from section where event_id = $1 order by position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Section {
                title: r.try_get("title")?,
                kind: SectionKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or_default(),
                minutes: u32::try_from(r.try_get::<i64, _>("minutes")?).unwrap_or_default(),
                exercise_minutes: u32::try_from(r.try_get::<i64, _>("exercise_minutes")?).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let materials =
            sqlx::query("select label, url from material where event_id = $1 order by position")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(Material {
                        label: r.try_get("label")?,
                        url: r.try_get("url")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(EventRecord {
            id,
            slug: Slug::parse(&row.try_get::<String, _>("slug")?)?,
            title: row.try_get("title")?,
            hosts: row.try_get("hosts")?,
            starts_at: from_millis(row.try_get("starts_at")?),
            time_zone: row
                .try_get::<String, _>("time_zone")?
                .parse()
                .unwrap_or(Tz::UTC),
            created_by: row.try_get("created_by")?,
            sections,
            materials,
            survey_url: row.try_get("survey_url")?,
            places_read_at: row
                .try_get::<Option<i64>, _>("places_read_at")?
                .map(from_millis),
            lifecycle: Lifecycle {
                starts_at: from_millis(row.try_get("starts_at")?),
                doors_open_minutes: u32::try_from(row.try_get::<i64, _>("doors_open_minutes")?)
                    .unwrap_or_default(),
                started_at: row
                    .try_get::<Option<i64>, _>("started_at")?
                    .map(from_millis),
                ended_at: row.try_get::<Option<i64>, _>("ended_at")?.map(from_millis),
            },
        }))
    }

    /// The events an organizer may manage: their own, and those made from the command
    /// line (which belong to no one in particular), soonest first.
    pub async fn events_for_organizer(
        &self,
        organizer_id: i64,
    ) -> Result<Vec<(Slug, String, DateTime<Utc>, Tz)>, AppError> {
        sqlx::query(
            "select slug, title, starts_at, time_zone from event
             where created_by = $1 or created_by is null order by starts_at desc",
        )
        .bind(organizer_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok((
                Slug::parse(&r.try_get::<String, _>("slug")?)?,
                r.try_get("title")?,
                from_millis(r.try_get("starts_at")?),
                r.try_get::<String, _>("time_zone")?
                    .parse()
                    .unwrap_or(Tz::UTC),
            ))
        })
        .collect()
    }

    pub async fn role_links(&self, event_id: i64) -> Result<Vec<RoleLinkStatus>, AppError> {
        sqlx::query("select role, created_at from role_link where event_id = $1 and revoked_at is null order by role")
            .bind(event_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let role = Role::parse(&r.try_get::<String, _>("role")?).ok_or(AppError::Internal)?;
                Ok(RoleLinkStatus { role, created_at: from_millis(r.try_get("created_at")?) })
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
            slug: Slug::parse(&r.try_get::<String, _>(2)?)?,
            role: Role::parse(&r.try_get::<String, _>(3)?).ok_or(AppError::Internal)?,
        }))
    }

    pub async fn role_link_is_active(&self, link_id: i64) -> Result<bool, AppError> {
        let row = sqlx::query("select 1 from role_link where id = $1 and revoked_at is null")
            .bind(link_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Records the presenter's Start. Only the first one counts: false when the event
    /// had started already (a second presenter, a retry).
    pub async fn mark_started(&self, event_id: i64, at: DateTime<Utc>) -> Result<bool, AppError> {
        let done = sqlx::query("update event set started_at = $1 where id = $2 and started_at is null and ended_at is null")
            .bind(millis(at))
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the presenter's End; false when it was not live.
    pub async fn mark_ended(&self, event_id: i64, at: DateTime<Utc>) -> Result<bool, AppError> {
        let done = sqlx::query("update event set ended_at = $1 where id = $2 and started_at is not null and ended_at is null")
            .bind(millis(at))
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores an attendee's check-in, replacing an earlier one.
    pub async fn save_check_in(
        &self,
        event_id: i64,
        attendee_id: &str,
        check_in: &CheckIn,
    ) -> Result<(), AppError> {
        let place = check_in.place.as_ref();
        sqlx::query(
            "insert into check_in (event_id, attendee_id, place_text, name, label, country_code, country, latitude, longitude, at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             on conflict (event_id, attendee_id) do update set place_text = excluded.place_text, name = excluded.name,
                 label = excluded.label, country_code = excluded.country_code, country = excluded.country,
                 latitude = excluded.latitude, longitude = excluded.longitude, at = excluded.at",
        )
        .bind(event_id)
        .bind(attendee_id)
        .bind(&check_in.place_text)
        .bind(check_in.name.as_deref())
        .bind(place.map(|p| p.label.as_str()))
        .bind(place.map(|p| p.country_code.as_str()))
        .bind(place.map(|p| p.country.as_str()))
        .bind(place.map(|p| f64::from(p.latitude)))
        .bind(place.map(|p| f64::from(p.longitude)))
        .bind(millis(check_in.at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every check-in of an event, to rebuild its room after a restart.
    pub async fn check_ins(&self, event_id: i64) -> Result<Vec<(String, CheckIn)>, AppError> {
        let rows = sqlx::query(
            "select attendee_id, place_text, name, label, country_code, country, latitude, longitude, at
             from check_in where event_id = $1",
        )
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let label: Option<String> = r.try_get("label")?;
                let place = match (
                    label,
                    r.try_get::<Option<f64>, _>("latitude")?,
                    r.try_get::<Option<f64>, _>("longitude")?,
                ) {
                    (Some(label), Some(latitude), Some(longitude)) => Some(Place {
                        label,
                        country_code: r
                            .try_get::<Option<String>, _>("country_code")?
                            .unwrap_or_default(),
                        country: r
                            .try_get::<Option<String>, _>("country")?
                            .unwrap_or_default(),
                        latitude: latitude as f32,
                        longitude: longitude as f32,
                    }),
                    _ => None,
                };
                let check_in = CheckIn {
                    place_text: r.try_get("place_text")?,
                    name: r.try_get("name")?,
                    place,
                    at: from_millis(r.try_get("at")?),
                };
                Ok((r.try_get("attendee_id")?, check_in))
            })
            .collect()
    }

    /// The presenter read the new places out.
    pub async fn mark_places_read(&self, event_id: i64, at: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("update event set places_read_at = $1 where id = $2")
            .bind(millis(at))
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores an attendee's pace vote (or its removal). Called before the vote is
    /// applied or acknowledged, so an acknowledged vote survives a restart.
    pub async fn set_pace_vote(
        &self,
        event_id: i64,
        attendee_id: &str,
        vote: Option<PaceVote>,
    ) -> Result<(), AppError> {
        match vote {
            Some(vote) => {
                sqlx::query(
                    "insert into pace_vote (event_id, attendee_id, vote, cast_at) values ($1, $2, $3, $4)
                     on conflict (event_id, attendee_id) do update set vote = excluded.vote, cast_at = excluded.cast_at",
                )
                .bind(event_id)
                .bind(attendee_id)
                .bind(vote.as_str())
                .bind(millis(Utc::now()))
                .execute(&self.pool)
                .await?
            }
            None => {
                sqlx::query("delete from pace_vote where event_id = $1 and attendee_id = $2")
                    .bind(event_id)
                    .bind(attendee_id)
                    .execute(&self.pool)
                    .await?
            }
        };
        Ok(())
    }

    /// Every stored pace vote of an event, to rebuild its board after a restart.
    pub async fn pace_votes(&self, event_id: i64) -> Result<Vec<(String, PaceVote)>, AppError> {
        let rows: Vec<AnyRow> =
            sqlx::query("select attendee_id, vote from pace_vote where event_id = $1")
                .bind(event_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let vote =
                    PaceVote::parse(&r.try_get::<String, _>(1)?).ok_or(AppError::Internal)?;
                Ok((r.try_get(0)?, vote))
            })
            .collect()
    }
}

fn organizer_from_row(r: &AnyRow) -> Result<OrganizerRecord, AppError> {
    Ok(OrganizerRecord {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
    })
}

async fn insert_organizer(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    email: &str,
    name: &str,
    password_hash: &str,
) -> Result<i64, AppError> {
    let inserted = sqlx::query(
        "insert into organizer (email, name, password_hash, created_at) values ($1, $2, $3, $4) returning id",
    )
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(millis(Utc::now()))
    .fetch_one(&mut **tx)
    .await;
    match inserted {
        Ok(row) => Ok(row.try_get(0)?),
        Err(e) if is_unique_violation(&e) => Err(AppError::Conflict(format!(
            "{email} already has an account"
        ))),
        Err(e) => Err(e.into()),
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
