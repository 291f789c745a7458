//! Organizers' accounts: the first one (first-run setup), invitations, and what the
//! sign-in check reads.

use super::{Store, is_unique_violation, millis};
use crate::error::AppError;
use chrono::Utc;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An organizer as the sign-in check needs them.
#[derive(Debug, Clone)]
pub struct OrganizerRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

impl Store {
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
