//! All of Lectern's SQL, in one place.
//!
//! The store speaks to SQLite (the embedded default) or PostgreSQL (for several replicas)
//! through sqlx's `Any` driver, with SQL kept to what both share: `$n` parameters,
//! integer milliseconds for times, text for client-made ids, `returning` for new ids.
//! Each backend has its own migrations (`migrations/sqlite`, `migrations/postgres`)
//! describing the same tables. Methods take and give domain types; rows never leave
//! this module. Stored data that does not read back (a number out of range, an unknown
//! kind, a time chrono cannot hold) is logged and answered as an error, never turned
//! into a plausible default.
//!
//! One file a job: [`accounts`] (organizers, invitations), [`events`] (events and their
//! role links), [`teams`] (teams and series), [`rooms`] (an event's live state read
//! back), [`commit`] (the group commit of live changes), [`changelog`] (the log replicas
//! follow, their wake-ups, presence), [`feedback`] (survey answers), [`registrations`]
//! (sign-ups, the waitlist, and the emails planned for them).

pub mod accounts;
pub mod changelog;
pub mod commit;
pub mod events;
pub mod feedback;
pub mod registrations;
pub mod rooms;
pub mod teams;

use crate::domain::attendee::AttendeeId;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, ColumnIndex, Executor, Row};
use std::fmt::Display;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use accounts::OrganizerRecord;
pub use commit::Kept;
pub use events::{ActiveRoleLink, EventRecord, RoleLinkStatus};
pub use rooms::StoredRoom;

/// What `/healthz` writes after a failed commit: about a large group commit's worth.
const HEALTH_PROBE_BYTES: usize = 256 * 1024;

/// Embedded at compile time so the binary migrates its own database on start.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database a [`Store`] speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file, one server process: the default.
    Sqlite,
    /// One database shared by any number of replicas.
    Postgres,
}

impl Backend {
    /// The backend a database URL names, or a sentence saying what is accepted.
    pub fn of_url(url: &str) -> Result<Self, String> {
        match url.split(':').next().unwrap_or_default() {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            other => Err(format!(
                "unsupported database URL scheme {other:?}: use sqlite://path/to/lectern.db or postgres://user@host/database"
            )),
        }
    }
}

/// The database behind Lectern; cheap to clone (a pool handle).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: Arc<str>,
    /// The last live commit failed (a full disk, a lost database): `/healthz` says so
    /// until a write of a batch's size goes through again.
    writes_failing: Arc<AtomicBool>,
}

/// A value as the JSON text a column holds.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| {
        tracing::error!(error = %e, "could not encode JSON for the store");
        AppError::Internal
    })
}

/// A JSON column read back; `what` names it in the log if it does not decode.
fn from_json<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| {
        tracing::error!(error = %e, "unreadable stored {what}");
        AppError::Internal
    })
}

/// Choice numbers as a text column holds them: "0,2", empty for none (SQL can test it).
fn choices_text(choices: &[u8]) -> String {
    choices
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A [`choices_text`] column read back.
fn choices_from_text(text: &str) -> Result<Vec<u8>, AppError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|n| n.parse().map_err(|_| unreadable("choices", text)))
        .collect()
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// A stored value that does not read back: logged with what it is, an error to the caller.
fn unreadable(what: impl Display, value: impl Display) -> AppError {
    tracing::error!(%value, "unreadable stored {what}");
    AppError::Internal
}

/// An integer column as the number type it holds (a count, minutes, a version).
fn number<T: TryFrom<i64>>(
    row: &AnyRow,
    column: impl ColumnIndex<AnyRow> + Display + Copy,
) -> Result<T, AppError> {
    let n: i64 = row.try_get(column)?;
    T::try_from(n).map_err(|_| unreadable(column, n))
}

/// A text column read through the domain's own parser (a kind, a state, an id).
fn parsed<T>(
    row: &AnyRow,
    column: impl ColumnIndex<AnyRow> + Display + Copy,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, AppError> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| unreadable(column, &text))
}

/// Whose row it is: an attendee id, checked like one from a cookie.
fn attendee(
    row: &AnyRow,
    column: impl ColumnIndex<AnyRow> + Display + Copy,
) -> Result<AttendeeId, AppError> {
    parsed(row, column, |id| AttendeeId::parse(id).ok())
}

/// A moment stored as milliseconds since 1970.
fn time(
    row: &AnyRow,
    column: impl ColumnIndex<AnyRow> + Display + Copy,
) -> Result<DateTime<Utc>, AppError> {
    let ms: i64 = row.try_get(column)?;
    DateTime::from_timestamp_millis(ms).ok_or_else(|| unreadable(column, ms))
}

/// A moment that may not have happened yet.
fn optional_time(
    row: &AnyRow,
    column: impl ColumnIndex<AnyRow> + Display + Copy,
) -> Result<Option<DateTime<Utc>>, AppError> {
    match row.try_get::<Option<i64>, _>(column)? {
        Some(ms) => DateTime::from_timestamp_millis(ms)
            .map(Some)
            .ok_or_else(|| unreadable(column, ms)),
        None => Ok(None),
    }
}

/// What a commit on SQLite survives (`pragma synchronous`; PostgreSQL has its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSynchronous {
    /// A power cut or an operating-system crash: every commit waits for its fsync.
    Full,
    /// A crash of the process (`kill -9`), not of the machine: the last commits before a
    /// power cut may be lost; commits do not wait for the disk.
    Normal,
}

impl SqliteSynchronous {
    fn pragma(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Normal => "normal",
        }
    }
}

/// Why the database could not be opened, in words for whoever runs the server.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Unusable(String),
}

/// Opens the SQLite file once before the pool does, so that a file that cannot be
/// used is named with the reason at once (the pool would retry for its timeout).
async fn check_sqlite(url: &str) -> Result<(), StoreError> {
    use sqlx::{ConnectOptions, Connection};
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let options: sqlx::sqlite::SqliteConnectOptions = url
        .parse()
        .map_err(|e| StoreError::Unusable(format!("{url} is not a SQLite address: {e}")))?;
    let explain = |e: sqlx::Error| {
        let code = match &e {
            sqlx::Error::Database(db) => db.code().map(|c| c.to_string()),
            _ => None,
        };
        StoreError::Unusable(match code.as_deref() {
            // SQLite's result codes: CANTOPEN, READONLY, NOTADB, CORRUPT, FULL, PERM.
            Some("14") => format!(
                "cannot open the database file {path} (or the -wal and -shm files beside it): does its folder exist, and may this user write there?"
            ),
            Some("8") => format!(
                "the database file {path} is read-only: give this user write access to it and its folder"
            ),
            Some("26") => {
                format!("{path} is not a SQLite database (a damaged file, or another kind of file)")
            }
            Some("11") => {
                format!("the database file {path} is damaged (\"{e}\"): restore it from a backup")
            }
            Some("13") => format!("the disk holding {path} is full"),
            Some("3") => format!("this user may not open {path}"),
            _ => format!("cannot use the database file {path}: {e}"),
        })
    };
    let mut conn = options.connect().await.map_err(explain)?;
    // Reading the schema finds a file that is not a database; switching to WAL and
    // committing a write finds one that cannot be written. The write must commit: SQLite
    // opens a file it may not write read-only without a word, and where a crash left the
    // -wal and -shm files behind, even `begin immediate` succeeds on a read-only disk.
    sqlx::query("select count(*) from sqlite_master")
        .execute(&mut conn)
        .await
        .map_err(explain)?;
    sqlx::query("pragma journal_mode = wal")
        .execute(&mut conn)
        .await
        .map_err(explain)?;
    let version: i64 = sqlx::query_scalar("pragma user_version")
        .fetch_one(&mut conn)
        .await
        .map_err(explain)?;
    let mut tx = conn.begin().await.map_err(explain)?;
    // Writes the header with the value it holds: a commit that changes nothing.
    sqlx::query(&format!("pragma user_version = {version}"))
        .execute(&mut *tx)
        .await
        .map_err(explain)?;
    tx.commit().await.map_err(explain)?;
    let _ = conn.close().await;
    Ok(())
}

/// Whether a pooled connection may be used again. sqlx counts a connection's open
/// transactions itself; when a rollback fails (SQLite rolls a transaction back by itself
/// after `SQLITE_FULL`, so the `ROLLBACK` after it fails) the count stays up, the next
/// `begin` becomes a `SAVEPOINT` inside a transaction nobody will commit, and every
/// "commit" after it is a `RELEASE` that commits nothing while holding the write lock.
/// A connection that is not plainly out of any transaction is closed instead.
fn clean(conn: &mut sqlx::AnyConnection) -> bool {
    use sqlx::Connection;
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("closing a database connection left inside a transaction");
    }
    clean
}

/// SQLite and PostgreSQL both report a unique violation with SQLSTATE-like code 2067/23505.
fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, SqliteSynchronous::Full).await
    }

    /// Opens the database at `url`; on SQLite, `synchronous` says what a commit survives.
    /// A database that cannot be opened, read or written says so at once, in a sentence.
    pub async fn connect_with(
        url: &str,
        synchronous: SqliteSynchronous,
    ) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).map_err(StoreError::Unusable)?;
        let pool = match backend {
            Backend::Sqlite => {
                check_sqlite(url).await?;
                let pragmas = format!(
                    "pragma journal_mode = wal; pragma synchronous = {}; pragma foreign_keys = on; pragma busy_timeout = 5000; pragma wal_autocheckpoint = 0;",
                    synchronous.pragma()
                );
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    // A connection to a file in this process cannot have gone away: no
                    // ping (a round trip to its thread) before every use.
                    .test_before_acquire(false)
                    .before_acquire(|conn, _meta| Box::pin(async move { Ok(clean(conn)) }))
                    .after_connect(move |conn, _meta| {
                        // WAL lets readers run beside the writer. Checkpoints run in the
                        // background (Store::checkpoint), not in the commit that happens to
                        // fill the log: that one would stall every vote behind it for the
                        // length of an fsync.
                        let pragmas = pragmas.clone();
                        Box::pin(async move {
                            conn.execute(pragmas.as_str()).await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await
                    .map_err(|e| StoreError::Unusable(e.to_string()))?;
                SQLITE_MIGRATIONS
                    .run(&pool)
                    .await
                    .map_err(|e| StoreError::Unusable(format!("migrating it failed: {e}")))?;
                pool
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(12)
                    .acquire_timeout(Duration::from_secs(10))
                    .before_acquire(|conn, _meta| Box::pin(async move { Ok(clean(conn)) }))
                    .connect(url)
                    .await
                    .map_err(|e| StoreError::Unusable(format!("cannot connect: {e}")))?;
                // Replicas starting together take turns: the migrator holds an advisory lock.
                POSTGRES_MIGRATIONS
                    .run(&pool)
                    .await
                    .map_err(|e| StoreError::Unusable(format!("migrating it failed: {e}")))?;
                pool
            }
        };
        Ok(Self {
            pool,
            backend,
            url: url.into(),
            writes_failing: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Closes every connection, waiting for those in use. On SQLite the last one to
    /// close folds the write-ahead log into the file and, most times, removes the -wal
    /// and -shm files (not always: a test saw one left once in four runs).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL it was opened with (the session store opens its own pool with it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Copies the SQLite write-ahead log into the database file as far as it can without
    /// waiting for anyone (PostgreSQL: nothing to do). Run every second in the background.
    pub async fn checkpoint(&self) -> Result<(), AppError> {
        if self.backend == Backend::Sqlite {
            sqlx::query("pragma wal_checkpoint(passive)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Answers when the database does: for `/healthz`.
    /// Whether the database answers and takes the live writes. After a live commit
    /// failed (a full disk, a lost database), it must take a write the size of a large
    /// batch first ([`HEALTH_PROBE_BYTES`], in a row of its own) — then the space is back.
    pub async fn health(&self) -> Result<(), sqlx::Error> {
        sqlx::query("select 1").execute(&self.pool).await?;
        if !self.writes_failing.load(Ordering::Relaxed) {
            return Ok(());
        }
        sqlx::query("insert into health_probe (id, at, padding) values (1, $1, $2) on conflict (id) do update set at = excluded.at, padding = excluded.padding")
            .bind(millis(Utc::now()))
            .bind(vec![0u8; HEALTH_PROBE_BYTES])
            .execute(&self.pool)
            .await?;
        self.writes_failing.store(false, Ordering::Relaxed);
        Ok(())
    }

    /// Every row `sql` selects of one event (its `$1`).
    async fn event_rows(&self, sql: &str, event_id: i64) -> Result<Vec<AnyRow>, AppError> {
        Ok(sqlx::query(sql)
            .bind(event_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The secret named `name`: made with `make` the first time any replica asks, the
    /// same for every replica after.
    pub async fn server_secret(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String, AppError> {
        sqlx::query(
            "insert into server_secret (name, value) values ($1, $2) on conflict (name) do nothing",
        )
        .bind(name)
        .bind(make())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("select value from server_secret where name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("value")?)
    }
}
