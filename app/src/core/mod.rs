//! The server side of the app (feature `ssr`): storage, the live hub, secrets and who
//! may do what. Server functions and the `lectern` binary share it through [`Core`].

pub mod access;
pub mod change;
pub mod clock;
pub mod hub;
pub mod limits;
pub mod mailer;
pub mod report;
pub mod secrets;
pub mod signup;
pub mod store;
pub mod writer;

use crate::domain::place::Gazetteer;
use crate::error::AppError;
use hub::Hub;
use std::future::Future;
use std::sync::Arc;
use store::Store;

/// Runs `work` in the background, where nobody waits for its answer: a failure is logged
/// as a warning saying what `failed` (with the event, when there is one), never lost.
pub fn spawn_logged(
    failed: &'static str,
    event_id: Option<i64>,
    work: impl Future<Output = Result<(), AppError>> + Send + 'static,
) {
    tokio::spawn(async move {
        if let Err(e) = work.await {
            tracing::warn!(error = %e, event_id, "{failed}");
        }
    });
}

/// What every request handler and server function needs, shared by reference.
#[derive(Clone)]
pub struct Core(Arc<CoreInner>);

pub struct CoreInner {
    /// The database; all SQL goes through it.
    pub store: Store,
    /// Live rooms of the events people are connected to.
    pub hub: Hub,
    /// The address people reach this deployment at (e.g. `https://lectern.example.org`),
    /// used in the links Lectern hands out. `None`: take it from the request's Host.
    pub public_url: Option<String>,
    /// What every live connection of this process follows besides its room's
    /// snapshots: keepalives, revocations, the server stopping.
    pub signals: tokio::sync::watch::Sender<Signals>,
    /// Floods of connections, actions and sign-in attempts are cut here.
    pub limits: Arc<limits::Limits>,
    /// Who an attendee is: an id in a cookie this deployment signed.
    pub attendees: access::AttendeeCookies,
    /// Emails to registrants (off without SMTP settings).
    pub mailer: mailer::Mailer,
}

impl Core {
    /// Where people reach this deployment: the configured public URL, else the host the
    /// request came to, over plain HTTP (right for local use; set a public URL behind TLS).
    pub fn base_url(&self, request_headers: Option<&http::HeaderMap>) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let host = request_headers
            .and_then(|h| h.get(http::header::HOST))
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1:3000");
        format!("http://{host}")
    }

    /// The core over `store`, with the deployment's attendee cookie key (made the first
    /// time, shared by every replica after). `secure_cookies`: behind HTTPS.
    pub async fn open(
        store: Store,
        public_url: Option<String>,
        limits: limits::LimitSettings,
        secure_cookies: bool,
        mailer: mailer::Mailer,
    ) -> Result<Self, AppError> {
        let key = store
            .server_secret(
                access::AttendeeCookies::KEY_NAME,
                access::AttendeeCookies::new_key,
            )
            .await?;
        let attendees = access::AttendeeCookies::new(&key, secure_cookies)?;
        let limits = Arc::new(limits::Limits::new(limits));
        let hub = Hub::new(store.clone(), limits.clone());
        Ok(Self(Arc::new(CoreInner {
            store,
            hub,
            public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
            signals: tokio::sync::watch::Sender::new(Signals::default()),
            limits,
            attendees,
            mailer,
        })))
    }

    /// Tells this replica's staff connections that a role link stopped working: each
    /// checks the link it came in by.
    pub fn role_link_revoked(&self) {
        self.signals
            .send_modify(|s| s.revocations = s.revocations.wrapping_add(1));
    }

    /// Tells every live connection that the server is stopping: pages are told to
    /// reconnect (behind a load balancer, to another replica) and closed.
    pub fn stopping(&self) {
        self.signals.send_modify(|s| s.stopping = true);
    }

    /// Sends a keepalive to every live connection every `every` (they ping their page,
    /// and staff connections check their link), for as long as this core is in use.
    pub fn keep_alive(&self, every: std::time::Duration) {
        let core = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(core) = core.upgrade() else {
                    return;
                };
                core.signals
                    .send_modify(|s| s.keepalive = s.keepalive.wrapping_add(1));
            }
        });
    }
}

/// What every live connection of a process follows besides its room, in one `watch`:
/// one wait per idle connection for all three (each wait is bytes in every connection).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    /// Counts the keepalive ticks.
    pub keepalive: u64,
    /// Counts the role links revoked or replaced here.
    pub revocations: u64,
    /// The server is stopping.
    pub stopping: bool,
}

impl std::ops::Deref for Core {
    type Target = CoreInner;

    fn deref(&self) -> &CoreInner {
        &self.0
    }
}

/// A stored event's address and its fresh role tokens (the only time they exist in clear).
pub struct EventCreated {
    pub slug: crate::domain::event::Slug,
    pub tokens: Vec<(crate::domain::event::Role, String)>,
}

impl Core {
    /// The event at `/e/{slug}`, or [`AppError::NotFound`].
    pub async fn event(&self, slug: &str) -> Result<store::EventRecord, AppError> {
        self.store
            .event_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("event /e/{slug}")))
    }

    /// Stores a new event with one presenter and one co-instructor link, picking a
    /// readable, unused address for it. Shared by the event editor and the CLI.
    pub async fn create_event(
        &self,
        event: &crate::domain::event::NewEvent,
        created_by: Option<i64>,
        series_id: Option<i64>,
    ) -> Result<EventCreated, AppError> {
        use crate::domain::event::{Role, Slug};
        let tokens: Vec<(Role, String)> = Role::ALL
            .iter()
            .map(|role| (*role, secrets::new_token()))
            .collect();
        let hashes: Vec<(Role, String)> = tokens
            .iter()
            .map(|(role, t)| (*role, secrets::token_hash(t)))
            .collect();
        // A four-letter suffix from 31 letters collides rarely; a few tries make it certain.
        for _ in 0..5 {
            let slug = Slug::from_title(&event.title, &secrets::slug_suffix());
            match self
                .store
                .create_event(event, &slug, created_by, series_id, &hashes)
                .await
            {
                Ok(_) => return Ok(EventCreated { slug, tokens }),
                Err(AppError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(AppError::Conflict(
            "could not find a free address for this event; try again".into(),
        ))
    }
}

/// The public address of an event page.
pub fn attendee_url(base: &str, slug: &crate::domain::event::Slug) -> String {
    format!("{base}/e/{slug}")
}

/// The address of a secret role link: opening it grants the role and leads to its page.
pub fn role_link_url(base: &str, token: &str) -> String {
    format!("{base}/r/{token}")
}

/// The bundled gazetteer (`app/data`, from `scripts/update-gazetteer`), read on first use.
pub fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: std::sync::LazyLock<Gazetteer> = std::sync::LazyLock::new(|| {
        Gazetteer::from_tsv(
            include_str!("../../data/cities.tsv"),
            include_str!("../../data/countries.tsv"),
        )
    });
    &GAZETTEER
}

/// The world map's land, drawn once as an SVG of dots where the gazetteer has cities
/// (a population map: no borders to keep up to date, no tiles, no CDN).
pub fn world_map_svg() -> &'static str {
    static MAP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        const CELL: f32 = 2.0;
        let mut cells: Vec<(u16, u16)> = gazetteer()
            .city_points()
            .map(|(x, y)| ((x / CELL) as u16, (y / CELL) as u16))
            .collect();
        cells.sort_unstable();
        cells.dedup();
        let mut path = String::with_capacity(cells.len() * 12);
        for (col, row) in cells {
            let (x, y) = (
                f32::from(col) * CELL + CELL / 2.0,
                f32::from(row) * CELL + CELL / 2.0,
            );
            path.push_str(&format!("M{x} {y}h0"));
        }
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 180"><path d="{path}" fill="none" stroke="#8a94ab" stroke-opacity="0.55" stroke-width="1.5" stroke-linecap="round"/></svg>"##
        )
    });
    &MAP
}

#[cfg(test)]
mod tests {
    use super::gazetteer;

    #[test]
    fn the_world_map_is_one_small_svg() {
        let map = super::world_map_svg();
        assert!(map.starts_with("<svg") && map.ends_with("</svg>"));
        assert!(map.len() < 200_000, "{} bytes", map.len());
    }

    fn label(text: &str) -> Option<String> {
        gazetteer().resolve(text).map(|p| p.label)
    }

    #[test]
    fn the_bundled_gazetteer_knows_the_places_of_a_typical_tutorial() {
        assert_eq!(label("Pune").as_deref(), Some("Pune, India"));
        assert_eq!(label("lagos").as_deref(), Some("Lagos, Nigeria"));
        assert_eq!(label("Leeds").as_deref(), Some("Leeds, United Kingdom"));
        assert_eq!(label("Berlin, Germany").as_deref(), Some("Berlin, Germany"));
        assert_eq!(
            label("NYC").as_deref(),
            Some("New York City, United States")
        );
        assert_eq!(label("zurich").as_deref(), Some("Zürich, Switzerland"));
        assert_eq!(label("Sao Paulo").as_deref(), Some("São Paulo, Brazil"));
        assert_eq!(label("Bombay").as_deref(), Some("Mumbai, India"));
        assert_eq!(label("UK").as_deref(), Some("United Kingdom"));
        assert_eq!(label("somewhere over the rainbow"), None);
    }
}
