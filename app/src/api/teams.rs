//! Teams of organizers: who is in them, the series they own, and bringing others in.

use super::reports::SeriesRef;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::events::{managed_event, series_for},
    super::ssr::{answer, base_url, core, session},
    crate::core::{access, secrets},
};

/// A team as its members see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    /// (name, email) of each member.
    pub members: Vec<(String, String)>,
    pub series: Vec<SeriesRef>,
}

/// The signed-in organizer's teams with their members and series.
#[server]
pub async fn my_teams() -> Result<Vec<TeamView>, AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        let series = core.store.series_for_organizer(me).await?;
        Ok(core
            .store
            .teams_of(me)
            .await?
            .into_iter()
            .map(|team| TeamView {
                series: series
                    .iter()
                    .filter(|s| s.team_id == team.id)
                    .cloned()
                    .map(Into::into)
                    .collect(),
                id: team.id,
                name: team.name,
                members: team.members,
            })
            .collect())
    })
    .await
}

#[server]
pub async fn create_team(name: String) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        let name = crate::domain::bounded_text("team", &name, 1, 80)?;
        core.store.create_team(&name, me).await.map(|_| ())
    })
    .await
}

/// Adds an organizer who has an account to one of the caller's teams.
#[server]
pub async fn add_team_member(team_id: i64, email: String) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        if !core.store.is_member(team_id, me).await? {
            return Err(AppError::Forbidden);
        }
        let email = crate::domain::account::Email::parse(&email)?;
        core.store.add_member(team_id, email.as_str()).await
    })
    .await
}

/// Makes a one-time link that lets a colleague create an account in one of the
/// caller's teams.
#[server]
pub async fn invite_organizer(team_id: i64) -> Result<String, AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        if !core.store.is_member(team_id, me).await? {
            return Err(AppError::Forbidden);
        }
        let token = secrets::new_token();
        core.store
            .create_invite(&secrets::token_hash(&token), me, team_id)
            .await?;
        Ok(format!("{}/join/{token}", base_url(&core)))
    })
    .await
}

/// Files an event under a series of one of the caller's teams (made if new): for events
/// made on the command line, or to move a run to another series.
#[server]
pub async fn file_event(slug: String, team_id: i64, series: String) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        let event = managed_event(&core, &slug).await?;
        let series_id = series_for(&core, me, Some(team_id), &series, &event.title).await?;
        core.store.file_event(event.id, series_id).await
    })
    .await
}
