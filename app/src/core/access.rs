//! Who is who: what the cookie session says about its holder, and the checks that keep
//! each page to the people it is for.
//!
//! A session may carry an organizer id (after sign-in), an attendee id (made on the first
//! visit to an event), and role grants (after opening a secret role link). A grant names
//! the link it came from, and the link must still be active each time it is used, so
//! rotating or revoking a link shuts out everyone who came in through it.

use super::Core;
use crate::domain::event::Role;
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const ORGANIZER: &str = "organizer_id";
const ATTENDEE: &str = "attendee_id";
const GRANTS: &str = "role_grants";

/// Entry to one event in one role, earned by opening a role link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub event_id: i64,
    pub role: Role,
    /// The role link that was opened; the grant dies with it.
    pub link_id: i64,
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store error");
    AppError::Internal
}

pub async fn organizer_id(session: &Session) -> Result<Option<i64>, AppError> {
    session.get::<i64>(ORGANIZER).await.map_err(session_error)
}

/// The signed-in organizer's id, or `Unauthorized`.
pub async fn require_organizer(session: &Session) -> Result<i64, AppError> {
    organizer_id(session).await?.ok_or(AppError::Unauthorized)
}

/// Signs an organizer in, with a fresh session id so a planted cookie cannot ride along.
pub async fn sign_in(session: &Session, organizer_id: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(ORGANIZER, organizer_id)
        .await
        .map_err(session_error)
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session
        .remove::<i64>(ORGANIZER)
        .await
        .map_err(session_error)?;
    session.cycle_id().await.map_err(session_error)
}

/// This browser's anonymous attendee id, made on first use.
pub async fn attendee_id(session: &Session) -> Result<String, AppError> {
    if let Some(id) = session
        .get::<String>(ATTENDEE)
        .await
        .map_err(session_error)?
    {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    session.insert(ATTENDEE, &id).await.map_err(session_error)?;
    Ok(id)
}

pub async fn add_grant(session: &Session, grant: Grant) -> Result<(), AppError> {
    let mut grants: Vec<Grant> = session
        .get(GRANTS)
        .await
        .map_err(session_error)?
        .unwrap_or_default();
    grants.retain(|g| !(g.event_id == grant.event_id && g.role == grant.role));
    grants.push(grant);
    session.insert(GRANTS, grants).await.map_err(session_error)
}

/// The role link through which this session may act as `role` for the event: a grant
/// whose link is still active.
pub async fn active_grant(
    core: &Core,
    session: &Session,
    event_id: i64,
    role: Role,
) -> Result<Option<i64>, AppError> {
    let grants: Vec<Grant> = session
        .get(GRANTS)
        .await
        .map_err(session_error)?
        .unwrap_or_default();
    for grant in grants
        .iter()
        .filter(|g| g.event_id == event_id && g.role == role)
    {
        if core.store.role_link_is_active(grant.link_id).await? {
            return Ok(Some(grant.link_id));
        }
    }
    Ok(None)
}

/// The active role link the session came in by, or `Forbidden`.
pub async fn require_role(
    core: &Core,
    session: &Session,
    event_id: i64,
    role: Role,
) -> Result<i64, AppError> {
    active_grant(core, session, event_id, role)
        .await?
        .ok_or(AppError::Forbidden)
}
