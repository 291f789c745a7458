//! Events: create, list, read, and manage their role links.

use super::{CreatedEvent, EventAdmin, EventSummary, StaffView, StageView};
use crate::domain::event::{EventDraft, Role};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {
    super::SecretLink,
    super::ssr::{answer, base_url, core, session},
    crate::core::{Core, access, attendee_url, role_link_url, secrets, store::EventRecord},
    crate::domain::attendee::AttendeeId,
};

/// The event, if the signed-in organizer may manage it: it belongs to a series of one
/// of their teams (or to none, made on the command line).
#[cfg(feature = "ssr")]
pub(crate) async fn managed_event(core: &Core, slug: &str) -> Result<EventRecord, AppError> {
    let me = access::require_organizer(&session().await?).await?;
    let event = core.event(slug).await?;
    if core.store.may_manage(me, event.series_id).await? {
        Ok(event)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The series `title` (or `fallback`) of the team, made if new; the organizer must be
/// in the team. Without a team, their first one.
#[cfg(feature = "ssr")]
pub(crate) async fn series_for(
    core: &Core,
    me: i64,
    team_id: Option<i64>,
    title: &str,
    fallback: &str,
) -> Result<i64, AppError> {
    let team_id = match team_id {
        Some(team) if core.store.is_member(team, me).await? => team,
        Some(_) => return Err(AppError::Forbidden),
        None => match core.store.teams_of(me).await?.first() {
            Some(team) => team.id,
            None => {
                return Err(AppError::invalid(
                    "team",
                    "create a team first (on the events page): events belong to a team's series",
                ));
            }
        },
    };
    let title = if title.trim().is_empty() {
        fallback
    } else {
        title
    };
    let title = crate::domain::bounded_text("series", title, 1, 120)?;
    core.store.series_named(team_id, &title).await
}

/// A new event's addresses for its creator, the secret ones shown this once.
#[cfg(feature = "ssr")]
pub(crate) fn created_view(core: &Core, created: &crate::core::EventCreated) -> CreatedEvent {
    let base = base_url(core);
    CreatedEvent {
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
            .map(|e| EventSummary {
                slug: e.slug.to_string(),
                title: e.title,
                starts_at: e.starts_at,
                time_zone: e.time_zone.name().to_string(),
                series: e.series.map(Into::into),
            })
            .collect())
    })
    .await
}

/// Creates an event from the editor and returns its links, the secret ones shown once.
#[server(input = Json)]
pub async fn create_event(
    draft: EventDraft,
    /// The team whose series it joins (none: the organizer's first team).
    team_id: Option<i64>,
    /// The recurring tutorial it is a run of (none or empty: one named after the event).
    series: Option<String>,
) -> Result<CreatedEvent, AppError> {
    answer(async move {
        let core = core()?;
        let me = access::require_organizer(&session().await?).await?;
        let new_event = draft.parse()?;
        let series = series.unwrap_or_default();
        let series_id = Some(series_for(&core, me, team_id, &series, &new_event.title).await?);
        let created = core.create_event(&new_event, Some(me), series_id).await?;
        Ok(created_view(&core, &created))
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
        let series = match event.series_id {
            Some(id) => core.store.series(id).await?.map(Into::into),
            None => None,
        };
        Ok(EventAdmin {
            event: event.into(),
            attendee_url,
            active_links,
            series,
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
        core.role_link_revoked();
        Ok(role_link_url(&base_url(&core), &token))
    })
    .await
}

#[server]
pub async fn revoke_role_link(slug: String, role: Role) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let event = managed_event(&core, &slug).await?;
        core.store.revoke_role_link(event.id, role).await?;
        core.role_link_revoked();
        Ok(())
    })
    .await
}

/// Who else may be shown the very page drawn for one attendee (the server keeps shared
/// ones for a moment: a crowd joining at once costs one render, not thousands).
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Nothing on it is anyone's own.
    Everyone,
    /// The same for everyone not registered (the event shows the call to registered
    /// people only): a newcomer may be shown it.
    Unregistered,
    /// It holds this attendee's own (their survey answers, their call).
    OnlyThem,
}

/// What an attendee page is drawn from, read before the server renders it, and who else
/// may be shown the same. Once the event has ended it includes the survey with this
/// attendee's earlier answers.
#[cfg(feature = "ssr")]
pub async fn attendee_page(
    core: &Core,
    slug: &str,
    attendee: Option<&AttendeeId>,
    view: super::AttendeeView,
    locale: crate::lang::Locale,
) -> Result<(super::AttendeePage, Audience), AppError> {
    let event = core.event(slug).await?;
    let starts_local = crate::lang::event_time(locale, event.starts_at, event.time_zone);
    let feedback = match event.lifecycle.ended_at {
        Some(_) => Some(super::feedback::feedback_view(core, &event, attendee).await?),
        None => None,
    };
    let (call, registered) = call_material(core, &event, attendee, locale).await?;
    let audience = match (&feedback, registered) {
        (Some(_), _) | (None, Some(true)) => Audience::OnlyThem,
        (None, Some(false)) => Audience::Unregistered,
        (None, None) => Audience::Everyone,
    };
    let mut public: super::EventPublic = event.into();
    public.materials.splice(0..0, call);
    let page = super::AttendeePage {
        view,
        event: super::EventPublic {
            starts_local,
            ..public
        },
        feedback,
        lang: crate::lang::code(locale).to_string(),
    };
    Ok((page, audience))
}

/// The video call as the first of the materials, for those who may see it: everyone
/// when the event takes no registrations, else only an attendee who came through a
/// registered person's personal link (Zoom's reason: nobody registers with an address
/// they do not own to get the link); anyone else gets the way to register. Also whether
/// this attendee is registered, when that decided it.
#[cfg(feature = "ssr")]
async fn call_material(
    core: &Core,
    event: &EventRecord,
    attendee: Option<&AttendeeId>,
    locale: crate::lang::Locale,
) -> Result<(Option<crate::domain::event::Material>, Option<bool>), AppError> {
    use crate::domain::registration::Standing;
    let Some(call) = &event.call else {
        return Ok((None, None));
    };
    let mut registered = None;
    if event.registration.is_some() {
        let standing = match attendee {
            Some(attendee) => core.store.attendee_standing(event.id, attendee).await?,
            None => None,
        };
        if standing != Some(Standing::Registered) {
            // Where to get it, while registering is still possible.
            let ended = event.lifecycle.ended_at.is_some();
            let register = (!ended).then(|| crate::domain::event::Material {
                label: crate::tr!(locale, me.register_for_call),
                url: format!("/e/{}/register", event.slug),
            });
            return Ok((register, Some(false)));
        }
        registered = Some(true);
    }
    let mut label = crate::tr!(locale, me.call);
    if !call.passcode.is_empty() {
        label = format!(
            "{label} · {}",
            crate::tr!(locale, me.passcode, code = call.passcode.as_str())
        );
    }
    let material = crate::domain::event::Material {
        label,
        url: call.url.clone(),
    };
    Ok((Some(material), registered))
}

/// The stage screen's (and the overlay's) event and join address (public, like the
/// attendee page), in the language `lang` names, else the browser's.
#[server]
pub async fn fetch_stage_view(slug: String, lang: Option<String>) -> Result<StageView, AppError> {
    answer(async move {
        let core = core()?;
        let event = core.event(&slug).await?;
        let join_url = attendee_url(&base_url(&core), &event.slug);
        let headers = use_context::<http::request::Parts>()
            .map(|parts| parts.headers)
            .unwrap_or_default();
        let locale = crate::lang::of_request(lang.as_deref(), &headers);
        let starts_local = crate::lang::event_time(locale, event.starts_at, event.time_zone);
        Ok(StageView {
            event: super::EventPublic {
                starts_local,
                ..event.into()
            },
            join_url,
            lang: crate::lang::code(locale).to_string(),
        })
    })
    .await
}

/// The starting state of a presenter's or co-instructor's page; needs that role's link.
#[server]
pub async fn fetch_staff_view(slug: String, role: Role) -> Result<StaffView, AppError> {
    answer(async move {
        let core = core()?;
        let event = core.event(&slug).await?;
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
