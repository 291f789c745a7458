//! The change log that replicas follow, the payload-free wake-ups that tell them to read
//! it (PostgreSQL's NOTIFY), and who is connected to each replica.

use super::{Backend, Store, from_json, millis, number};
use crate::core::change::Change;
use crate::error::AppError;
use crate::live::Online;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// One entry of an event's change log.
#[derive(Debug, Clone)]
pub struct LoggedChange {
    pub seq: u64,
    /// The replica that made it.
    pub origin: String,
    pub change: Change,
}

/// The PostgreSQL channel that wakes replicas following an event (no payload: the
/// change log says what changed).
pub fn wake_channel(event_id: i64) -> String {
    format!("lectern_event_{event_id}")
}

impl Store {
    /// The changes of an event after number `after`, oldest first, at most `limit`.
    pub async fn changes_after(
        &self,
        event_id: i64,
        after: u64,
        limit: u32,
    ) -> Result<Vec<LoggedChange>, AppError> {
        let rows = sqlx::query(
            "select seq, origin, body from live_change where event_id = $1 and seq > $2 order by seq limit $3",
        )
        .bind(event_id)
        .bind(i64::try_from(after).unwrap_or(i64::MAX)) // past any number stored: none after
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                let change = from_json(&body, "change in the log")?;
                Ok(LoggedChange {
                    seq: number(r, "seq")?,
                    origin: r.try_get("origin")?,
                    change,
                })
            })
            .collect()
    }

    /// Forgets log entries older than `before`; a replica further behind reloads its
    /// rooms from the tables instead. Gives how many went.
    pub async fn prune_changes(&self, before: DateTime<Utc>) -> Result<u64, AppError> {
        Ok(sqlx::query("delete from live_change where at < $1")
            .bind(millis(before))
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Wakes the replicas following the event (PostgreSQL only; one process has no one
    /// to wake on SQLite). Sent outside any transaction: a transaction that notifies
    /// takes a global lock at commit.
    pub async fn wake_replicas(&self, event_id: i64) -> Result<(), AppError> {
        self.notify(&wake_channel(event_id)).await
    }

    /// A payload-free NOTIFY on `channel` (PostgreSQL only).
    pub async fn notify(&self, channel: &str) -> Result<(), AppError> {
        if self.backend == Backend::Postgres {
            sqlx::query("select pg_notify($1, '')")
                .bind(channel)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A listener for replica wake-ups, on its own connection (PostgreSQL only).
    pub async fn listener(&self) -> Result<Option<sqlx::postgres::PgListener>, AppError> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => Ok(Some(sqlx::postgres::PgListener::connect(&self.url).await?)),
        }
    }

    /// Records who is connected to this replica for the event.
    pub async fn save_presence(
        &self,
        event_id: i64,
        origin: &str,
        online: Online,
    ) -> Result<(), AppError> {
        sqlx::query(
            "insert into presence (event_id, origin, attendees, staff, screens, seen_at) values ($1, $2, $3, $4, $5, $6)
             on conflict (event_id, origin) do update set attendees = excluded.attendees, staff = excluded.staff,
                 screens = excluded.screens, seen_at = excluded.seen_at",
        )
        .bind(event_id)
        .bind(origin)
        .bind(i64::from(online.attendees))
        .bind(i64::from(online.staff))
        .bind(i64::from(online.screens))
        .bind(millis(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Who is connected to the event on the other replicas that reported since `since`.
    pub async fn presence_elsewhere(
        &self,
        event_id: i64,
        origin: &str,
        since: DateTime<Utc>,
    ) -> Result<Online, AppError> {
        let row = sqlx::query(
            "select cast(coalesce(sum(attendees), 0) as bigint), cast(coalesce(sum(staff), 0) as bigint),
                    cast(coalesce(sum(screens), 0) as bigint) from presence
             where event_id = $1 and origin <> $2 and seen_at >= $3",
        )
        .bind(event_id)
        .bind(origin)
        .bind(millis(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(Online {
            attendees: number(&row, 0)?,
            staff: number(&row, 1)?,
            screens: number(&row, 2)?,
        })
    }

    /// This replica closed the event's room.
    pub async fn forget_presence(&self, event_id: i64, origin: &str) -> Result<(), AppError> {
        sqlx::query("delete from presence where event_id = $1 and origin = $2")
            .bind(event_id)
            .bind(origin)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
