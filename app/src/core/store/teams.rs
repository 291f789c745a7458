//! Teams of organizers and the series (recurring tutorials) they own: who may see
//! which events.

use super::{Store, millis, parsed, time};
use crate::domain::event::Slug;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::Row;

/// A team and who is in it.
#[derive(Debug, Clone)]
pub struct TeamRecord {
    pub id: i64,
    pub name: String,
    /// (name, email) of each member, by name.
    pub members: Vec<(String, String)>,
}

/// A recurring tutorial.
#[derive(Debug, Clone)]
pub struct SeriesRecord {
    pub id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub title: String,
}

/// One event as an organizer's list shows it.
#[derive(Debug, Clone)]
pub struct ListedEvent {
    pub slug: Slug,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: Tz,
    pub series: Option<SeriesRecord>,
}

impl Store {
    /// Makes a team with `organizer_id` as its first member.
    pub async fn create_team(&self, name: &str, organizer_id: i64) -> Result<i64, AppError> {
        let now = millis(Utc::now());
        let mut tx = self.pool.begin().await?;
        let team_id: i64 =
            sqlx::query("insert into team (name, created_at) values ($1, $2) returning id")
                .bind(name)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        sqlx::query(
            "insert into team_member (team_id, organizer_id, joined_at) values ($1, $2, $3)",
        )
        .bind(team_id)
        .bind(organizer_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(team_id)
    }

    /// The teams an organizer belongs to, by name, with their members.
    pub async fn teams_of(&self, organizer_id: i64) -> Result<Vec<TeamRecord>, AppError> {
        let rows = sqlx::query(
            "select t.id, t.name, o.name as member, o.email from team t
             join team_member mine on mine.team_id = t.id and mine.organizer_id = $1
             join team_member m on m.team_id = t.id
             join organizer o on o.id = m.organizer_id
             order by t.name, t.id, o.name",
        )
        .bind(organizer_id)
        .fetch_all(&self.pool)
        .await?;
        let mut teams: Vec<TeamRecord> = Vec::new();
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let member = (r.try_get("member")?, r.try_get("email")?);
            match teams.last_mut() {
                Some(team) if team.id == id => team.members.push(member),
                _ => teams.push(TeamRecord {
                    id,
                    name: r.try_get("name")?,
                    members: vec![member],
                }),
            }
        }
        Ok(teams)
    }

    /// The team of this name (the oldest, if several share it).
    pub async fn team_named(&self, name: &str) -> Result<Option<i64>, AppError> {
        Ok(
            sqlx::query("select id from team where name = $1 order by id limit 1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?,
        )
    }

    pub async fn is_member(&self, team_id: i64, organizer_id: i64) -> Result<bool, AppError> {
        Ok(
            sqlx::query("select 1 from team_member where team_id = $1 and organizer_id = $2")
                .bind(team_id)
                .bind(organizer_id)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// Adds the organizer with this email (they have an account) to the team.
    pub async fn add_member(&self, team_id: i64, email: &str) -> Result<(), AppError> {
        let added = sqlx::query(
            "insert into team_member (team_id, organizer_id, joined_at)
             select $1, id, $2 from organizer where email = $3
             on conflict (team_id, organizer_id) do nothing",
        )
        .bind(team_id)
        .bind(millis(Utc::now()))
        .bind(email)
        .execute(&self.pool)
        .await?;
        if added.rows_affected() == 0 {
            return match self.organizer_by_email(email).await? {
                None => Err(AppError::NotFound(format!(
                    "an organizer with the email {email} (send them an invitation link instead)"
                ))),
                Some(_) => Err(AppError::Conflict(format!(
                    "{email} is in this team already"
                ))),
            };
        }
        Ok(())
    }

    /// Whether an organizer may manage an event of this series: they are in its team.
    /// Events of no series (made on the command line) are open to every organizer.
    pub async fn may_manage(
        &self,
        organizer_id: i64,
        series_id: Option<i64>,
    ) -> Result<bool, AppError> {
        let Some(series_id) = series_id else {
            return Ok(true);
        };
        Ok(sqlx::query(
            "select 1 from series s join team_member m on m.team_id = s.team_id
             where s.id = $1 and m.organizer_id = $2",
        )
        .bind(series_id)
        .bind(organizer_id)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    /// The series of the organizer's teams, by team and title.
    pub async fn series_for_organizer(
        &self,
        organizer_id: i64,
    ) -> Result<Vec<SeriesRecord>, AppError> {
        sqlx::query(
            "select s.id, s.team_id, t.name as team_name, s.title from series s
             join team t on t.id = s.team_id
             join team_member m on m.team_id = s.team_id and m.organizer_id = $1
             order by t.name, s.title",
        )
        .bind(organizer_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(series_from_row)
        .collect()
    }

    pub async fn series(&self, series_id: i64) -> Result<Option<SeriesRecord>, AppError> {
        sqlx::query(
            "select s.id, s.team_id, t.name as team_name, s.title from series s
             join team t on t.id = s.team_id where s.id = $1",
        )
        .bind(series_id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(series_from_row)
        .transpose()
    }

    /// The team's series of this title, made if it is new.
    pub async fn series_named(&self, team_id: i64, title: &str) -> Result<i64, AppError> {
        sqlx::query(
            "insert into series (team_id, title, created_at) values ($1, $2, $3)
             on conflict (team_id, title) do nothing",
        )
        .bind(team_id)
        .bind(title)
        .bind(millis(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query("select id from series where team_id = $1 and title = $2")
                .bind(team_id)
                .bind(title)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    pub async fn file_event(&self, event_id: i64, series_id: i64) -> Result<(), AppError> {
        sqlx::query("update event set series_id = $1 where id = $2")
            .bind(series_id)
            .bind(event_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The events an organizer may manage: those of their teams' series and the
    /// unfiled ones made on the command line, latest first.
    pub async fn events_for_organizer(
        &self,
        organizer_id: i64,
    ) -> Result<Vec<ListedEvent>, AppError> {
        self.listed_events(
            "where e.series_id is null or exists
                 (select 1 from team_member m where m.team_id = s.team_id and m.organizer_id = $1)",
            organizer_id,
        )
        .await
    }

    /// The runs of one series, latest first.
    pub async fn events_of_series(&self, series_id: i64) -> Result<Vec<ListedEvent>, AppError> {
        self.listed_events("where e.series_id = $1", series_id)
            .await
    }

    async fn listed_events(&self, filter: &str, id: i64) -> Result<Vec<ListedEvent>, AppError> {
        sqlx::query(&format!(
            "select e.slug, e.title as event_title, e.starts_at, e.time_zone,
                    s.id, s.team_id, t.name as team_name, s.title
             from event e left join series s on s.id = e.series_id left join team t on t.id = s.team_id
             {filter} order by e.starts_at desc, e.id desc"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ListedEvent {
                slug: parsed(r, "slug", |slug| Slug::parse(slug).ok())?,
                title: r.try_get("event_title")?,
                starts_at: time(r, "starts_at")?,
                time_zone: parsed(r, "time_zone", |zone| zone.parse::<Tz>().ok())?,
                series: match r.try_get::<Option<i64>, _>("id")? {
                    Some(_) => Some(series_from_row(r)?),
                    None => None,
                },
            })
        })
        .collect()
    }
}

fn series_from_row(r: &sqlx::any::AnyRow) -> Result<SeriesRecord, AppError> {
    Ok(SeriesRecord {
        id: r.try_get("id")?,
        team_id: r.try_get("team_id")?,
        team_name: r.try_get("team_name")?,
        title: r.try_get("title")?,
    })
}
