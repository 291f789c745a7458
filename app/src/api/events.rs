//! Events: create, list, read, and manage their role links.

use super::{CreatedEvent, EventAdmin, EventPublic, EventSummary, StaffView, StageView};
use crate::domain::event::{EventDraft, Role};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {
    super::SecretLink,
    super::ssr::{answer, base_url, core, event, session},
    crate::core::{Core, access, attendee_url, role_link_url, secrets, store::EventRecord},
};

/// The event, if the signed-in organizer may manage it.
#[cfg(feature = "ssr")]
async fn managed_event(core: &Core, slug: &str) -> Result<EventRecord, AppError> {
    let me = access::require_organizer(&session().await?).await?;
    let event = event(core, slug).await?;
    match event.created_by {
        Some(owner) if owner != me => Err(AppError::Forbidden),
        _ => Ok(event),
    }
}

#[server]
pub async fn my_events() -> Result<Vec<EventSummary>, AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        Ok(core
            .store
            .events_for_organizer(me)
            .await?
            .into_iter()
            .map(|(slug, title, starts_at, tz)| EventSummary {
                slug: slug.to_string(),
                title,
                starts_at,
                time_zone: tz.name().to_string(),
            })
            .collect())
    })
    .await
}

/// Creates an event from the editor and returns its links, the secret ones shown once.
#[server(input = Json)]
pub async fn create_event(draft: EventDraft) -> Result<CreatedEvent, AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        let new_event = draft.parse()?;
        let created = core.create_event(&new_event, Some(me)).await?;
        let base = base_url(&core);
        Ok(CreatedEvent {
            slug: created.slug.to_string(),
            attendee_url: attendee_url(&base, &created.slug),
            secret_links: created
                .tokens
                .iter()
                .map(|(role, token)| SecretLink {
                    role: *role,
                    url: role_link_url(&base, token),
                })
                .collect(),
        })
    })
    .await
}

#[server]
pub async fn fetch_event_admin(slug: String) -> Result<EventAdmin, AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let active_links = core
            .store
            .role_links(event.id)
            .await?
            .into_iter()
            .map(|l| (l.role, l.created_at))
            .collect();
        let attendee_url = attendee_url(&base_url(&core), &event.slug);
        Ok(EventAdmin {
            event: event.into(),
            attendee_url,
            active_links,
        })
    })
    .await
}

/// Replaces a role's link with a new one (the old one stops working at once).
#[server]
pub async fn rotate_role_link(slug: String, role: Role) -> Result<String, AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        let token = secrets::new_token();
        core.store
            .rotate_role_link(event.id, role, &secrets::token_hash(&token))
            .await?;
        Ok(role_link_url(&base_url(&core), &token))
    })
    .await
}

#[server]
pub async fn revoke_role_link(slug: String, role: Role) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        core.store.revoke_role_link(event.id, role).await
    })
    .await
}

/// The public face of an event, for the attendee page.
#[server]
pub async fn fetch_event_public(slug: String) -> Result<EventPublic, AppError> {
    answer(async move { Ok(event(&core()?, &slug).await?.into()) }).await
}

/// The stage screen's event and join address (public, like the attendee page).
#[server]
pub async fn fetch_stage_view(slug: String) -> Result<StageView, AppError> {
    answer(async move {
        let core = core()?;
        let event = event(&core, &slug).await?;
        let join_url = attendee_url(&base_url(&core), &event.slug);
        Ok(StageView {
            event: event.into(),
            join_url,
        })
    })
    .await
}

/// The starting state of a presenter's or co-instructor's page; needs that role's link.
#[server]
pub async fn fetch_staff_view(slug: String, role: Role) -> Result<StaffView, AppError> {
    answer(async move {
        let core = core()?;
        let event = event(&core, &slug).await?;
        access::require_role(&core, &session().await?, event.id, role).await?;
        let snapshot = core.hub.snapshot(&event, true).await?;
        Ok(StaffView {
            event: event.into(),
            role,
            snapshot,
        })
    })
    .await
}
