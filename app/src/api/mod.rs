//! Server functions: the thin layer between pages and the core. Each one parses its
//! input into domain types, checks who is asking, calls the store or hub, and returns a
//! view type made for the page. Bodies run only on the server.

pub mod auth;
pub mod events;
pub mod feedback;
pub mod registrations;
pub mod reports;
pub mod teams;

use crate::domain::event::Role;
pub use crate::domain::report::EventPublic;
use crate::live::LiveSnapshot;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The signed-in organizer, as pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizerView {
    pub name: String,
    pub email: String,
}

/// One line of an organizer's event list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub slug: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: String,
    /// The recurring tutorial it belongs to (none: made on the command line).
    pub series: Option<reports::SeriesRef>,
}

/// Everything an attendee page is drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeePage {
    pub view: AttendeeView,
    pub event: EventPublic,
    /// The survey with this attendee's own answers, once the event has ended.
    pub feedback: Option<feedback::FeedbackView>,
    /// The language the page speaks ([`crate::lang::choose`]), by its code.
    pub lang: String,
}

/// Which of the attendee's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttendeeView {
    /// `/e/{slug}`: waiting, then live, then the survey, following the event.
    Event,
    /// `/e/{slug}/feedback`: the survey alone, the link to share after the call.
    Survey,
}

/// A fresh secret link, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretLink {
    pub role: Role,
    pub url: String,
}

/// What the event creator gets back: where the event lives and its three links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedEvent {
    pub slug: String,
    pub attendee_url: String,
    pub secret_links: Vec<SecretLink>,
}

/// The organizer's view of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventAdmin {
    pub event: EventPublic,
    pub attendee_url: String,
    /// The roles with an active link, and when that link was made.
    pub active_links: Vec<(Role, DateTime<Utc>)>,
    pub series: Option<reports::SeriesRef>,
}

/// What the stage screen shows before its socket connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageView {
    pub event: EventPublic,
    /// The public address people type or scan to join.
    pub join_url: String,
    /// The language the screen speaks ([`crate::lang::choose`]), by its code.
    pub lang: String,
}

/// What a presenter or co-instructor page starts from before its socket connects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffView {
    pub event: EventPublic,
    pub role: Role,
    pub snapshot: LiveSnapshot,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    //! Helpers every server function uses to reach the core and the request.

    use super::EventPublic;
    use crate::core::Core;
    use crate::core::store::EventRecord;
    use crate::domain::attendee::AttendeeId;
    use crate::error::AppError;
    use leptos::prelude::*;
    use tower_sessions::Session;

    /// Runs a server function's body and gives a refusal its HTTP status (422, 401,
    /// 403, 404, 409) instead of the blanket 500 server functions answer by default.
    pub async fn answer<T>(
        body: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let result = body.await;
        if let Err(error) = &result
            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        {
            response.set_status(error.status());
        }
        result
    }

    pub fn core() -> Result<Core, AppError> {
        use_context::<Core>().ok_or_else(|| {
            tracing::error!("Core missing from the Leptos context");
            AppError::Internal
        })
    }

    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>().await.map_err(|e| {
            tracing::error!(error = %e, "no session layer");
            AppError::Internal
        })
    }

    /// This browser's attendee, if its cookie names one.
    pub fn known_attendee(core: &Core) -> Option<AttendeeId> {
        let parts = use_context::<http::request::Parts>()?;
        core.attendees.read(&parts.headers)
    }

    /// This browser's attendee, made now (its cookie set on the answer) if it has none.
    pub fn attendee(core: &Core) -> AttendeeId {
        let headers = use_context::<http::request::Parts>()
            .map(|parts| parts.headers)
            .unwrap_or_default();
        let (id, cookie) = core.attendees.read_or_issue(&headers);
        if let (Some(cookie), Some(response)) =
            (cookie, use_context::<leptos_axum::ResponseOptions>())
        {
            response.append_header(http::header::SET_COOKIE, cookie);
        }
        id
    }

    /// The address this request came from (see [`crate::core::limits::client_address`]).
    pub async fn client_address() -> Result<std::net::IpAddr, AppError> {
        let axum::extract::ConnectInfo(peer) =
            leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "no peer address on the request");
                    AppError::Internal
                })?;
        let parts = use_context::<http::request::Parts>();
        Ok(match parts {
            Some(parts) => crate::core::limits::client_address(peer.ip(), &parts.headers),
            None => peer.ip(),
        })
    }

    /// Where people reach this deployment, as this request tells ([`Core::base_url`]).
    pub fn base_url(core: &Core) -> String {
        let parts = use_context::<http::request::Parts>();
        core.base_url(parts.as_ref().map(|p| &p.headers))
    }

    impl From<crate::core::store::teams::SeriesRecord> for super::reports::SeriesRef {
        fn from(s: crate::core::store::teams::SeriesRecord) -> Self {
            Self {
                id: s.id,
                title: s.title,
                team: s.team_name,
            }
        }
    }

    impl From<EventRecord> for EventPublic {
        fn from(e: EventRecord) -> Self {
            EventPublic {
                slug: e.slug.to_string(),
                title: e.title,
                hosts: e.hosts,
                starts_at: e.starts_at,
                time_zone: e.time_zone.name().to_string(),
                starts_local: crate::domain::event::wall_time(e.starts_at, e.time_zone),
                sections: e.sections,
                materials: e.materials,
                survey_url: e.survey_url,
                lifecycle: e.lifecycle,
                pace_expiry_minutes: e.pace_expiry_minutes,
                hide_poll_results: e.hide_poll_results,
                recording_url: e.recording_url,
            }
        }
    }
}
