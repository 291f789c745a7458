//! All of Lectern's SQL, in one place.
//!
//! The store speaks to SQLite (the embedded default) or PostgreSQL (for several replicas)
//! through sqlx's `Any` driver, with SQL kept to what both share: `$n` parameters,
//! integer milliseconds for times, text for client-made ids, `returning` for new ids.
//! Each backend has its own migrations (`migrations/sqlite`, `migrations/postgres`)
//! describing the same tables. Methods take and give domain types; rows never leave
//! this module. [`live`] holds the live side: events, batched writes, the change log.

pub mod feedback;
pub mod live;
pub mod teams;

use crate::domain::event::{NewEvent, Role, Slug};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use live::{EventRecord, StoredRoom};

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

/// An organizer as the sign-in check needs them.
#[derive(Debug, Clone)]
pub struct OrganizerRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
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

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
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

    /// An invitation to join `team_id` with a new account.
    pub async fn create_invite(
        &self,
        token_hash: &str,
        invited_by: i64,
        team_id: i64,
    ) -> Result<(), AppError> {
        sqlx::query(
            "insert into organizer_invite (token_hash, invited_by, created_at, team_id) values ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(invited_by)
        .bind(millis(Utc::now()))
        .bind(team_id)
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
        let now = millis(Utc::now());
        let used = sqlx::query(
            "update organizer_invite set used_at = $1 where token_hash = $2 and used_at is null returning team_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(used) = used else {
            return Err(AppError::NotFound(
                "that invitation (it may have been used already)".into(),
            ));
        };
        let id = insert_organizer(&mut tx, email, name, password_hash).await?;
        if let Some(team_id) = used.try_get::<Option<i64>, _>(0)? {
            sqlx::query(
                "insert into team_member (team_id, organizer_id, joined_at) values ($1, $2, $3)",
            )
            .bind(team_id)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
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
        series_id: Option<i64>,
        role_token_hashes: &[(Role, String)],
    ) -> Result<i64, AppError> {
        let now = millis(Utc::now());
        let survey = event.survey.as_ref().map(to_json).transpose()?;
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "insert into event (slug, title, hosts, starts_at, time_zone, created_by, created_at, doors_open_minutes, survey_url,
                                pace_expiry_minutes, pre_moderation, survey, series_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
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
