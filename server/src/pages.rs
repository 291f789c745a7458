//! Attendee pages rendered once and shown to many: when a class opens the link at the
//! same moment, thousands of visitors get the same page (the live state comes over
//! their sockets), so the server renders it once per event, page, language and moment
//! instead of once per visitor.
//!
//! A page is kept only when nothing on it is the visitor's own
//! ([`app::api::events::Audience`]), for at most [`FRESH_FOR`], and never across the
//! event starting or ending on this server ([`app::core::hub::Hub::pages_generation`]).

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a rendered page is shown to newcomers: the event's page changes rarely
/// (start and end drop it at once), and its live part is not in it.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// Rendered pages kept at most (events × pages × languages × audiences).
const MOST: usize = 1_000;

/// Which page: the event's address, the attendee view, the language, and whether it is
/// the page for people not registered (else for everyone).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub slug: String,
    pub survey: bool,
    pub lang: &'static str,
    pub unregistered: bool,
}

struct Kept {
    made: Instant,
    generation: u64,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// The rendered pages kept, by [`PageKey`].
#[derive(Default)]
pub struct PageCache {
    kept: Mutex<HashMap<PageKey, Kept>>,
}

fn lock(cache: &PageCache) -> std::sync::MutexGuard<'_, HashMap<PageKey, Kept>> {
    cache
        .kept
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl PageCache {
    /// The page kept under `key`, if it is fresh and was made under `generation`.
    pub fn get(&self, key: &PageKey, generation: u64) -> Option<Response> {
        let kept = lock(self);
        let page = kept.get(key)?;
        if page.generation != generation || page.made.elapsed() > FRESH_FOR {
            return None;
        }
        let mut response = (page.status, page.body.clone()).into_response();
        *response.headers_mut() = page.headers.clone();
        metrics::counter!("lectern_attendee_pages_shared_total").increment(1);
        Some(response)
    }

    /// Keeps a rendered page (its body read whole) and gives it back to send.
    pub async fn keep(&self, key: PageKey, generation: u64, response: Response) -> Response {
        let (mut parts, body) = response.into_parts();
        // A page rendered for one visitor never carries another's cookie.
        parts.headers.remove(header::SET_COOKIE);
        let Ok(body) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let mut kept = lock(self);
        if kept.len() >= MOST {
            kept.retain(|_, page| page.made.elapsed() <= FRESH_FOR);
        }
        if kept.len() < MOST {
            kept.insert(
                key,
                Kept {
                    made: Instant::now(),
                    generation,
                    status: parts.status,
                    headers: parts.headers.clone(),
                    body: body.clone(),
                },
            );
        }
        Response::from_parts(parts, axum::body::Body::from(body))
    }
}
