//! Who is who: what the cookies say about their holder, and the checks that keep each
//! page to the people it is for.
//!
//! An attendee is an anonymous id in a cookie the server signed ([`AttendeeCookies`]):
//! the same attendee across reloads and sockets, with nothing stored for a visitor who
//! only looks. A session (stored) carries an organizer id (after sign-in) and role
//! grants (after opening a secret role link). A grant names the link it came from, and
//! the link must still be active each time it is used, so rotating or revoking a link
//! shuts out everyone who came in through it.

use super::Core;
use crate::domain::attendee::AttendeeId;
use crate::domain::event::Role;
use crate::error::AppError;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tower_sessions::Session;

const ORGANIZER: &str = "organizer_id";
const GRANTS: &str = "role_grants";

/// The attendee cookie's name.
pub const ATTENDEE_COOKIE: &str = "lectern_attendee";
/// How long a browser keeps its attendee id: across the runs of a monthly tutorial.
const ATTENDEE_COOKIE_DAYS: u32 = 60;
/// The hex digits of the signature kept in the cookie (128 bits).
const SIGNATURE_HEX: usize = 32;

/// Attendees' ids, each in a cookie `<id>.<signature>` signed with this deployment's
/// key (every replica has the same one, from the database): a cookie the server did not
/// make names nobody.
#[derive(Clone)]
pub struct AttendeeCookies {
    key: [u8; 32],
    /// `Secure` cookies, behind HTTPS.
    secure: bool,
}

impl AttendeeCookies {
    /// The name of the key in `server_secret`.
    pub const KEY_NAME: &'static str = "attendee_cookie_key";

    /// Cookies signed with `key_hex` (64 hex digits, as [`Self::new_key`] makes).
    pub fn new(key_hex: &str, secure: bool) -> Result<Self, AppError> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(key_hex.trim(), &mut key).map_err(|e| {
            tracing::error!(error = %e, "the stored attendee cookie key does not read");
            AppError::Internal
        })?;
        Ok(Self { key, secure })
    }

    /// A fresh random key, as hex.
    pub fn new_key() -> String {
        hex::encode(rand::random::<[u8; 32]>())
    }

    fn signature(&self, id: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(id.as_bytes());
        mac
    }

    /// The attendee the request's cookie names, if it carries one signed here.
    pub fn read(&self, headers: &http::HeaderMap) -> Option<AttendeeId> {
        let value = cookie(headers, ATTENDEE_COOKIE)?;
        let (id, signature) = value.split_once('.')?;
        let valid_id = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
        let signature = hex::decode(signature).ok()?;
        (valid_id
            && signature.len() == SIGNATURE_HEX / 2
            && self.signature(id).verify_truncated_left(&signature).is_ok())
        .then_some(id)
        .and_then(|id| AttendeeId::parse(id).ok())
    }

    /// A new attendee: their id, and the `Set-Cookie` value that gives it to them.
    pub fn issue(&self) -> (AttendeeId, http::HeaderValue) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let signature = hex::encode(self.signature(&id).finalize().into_bytes());
        let cookie = format!(
            "{ATTENDEE_COOKIE}={id}.{}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
            &signature[..SIGNATURE_HEX],
            ATTENDEE_COOKIE_DAYS * 24 * 3600,
            if self.secure { "; Secure" } else { "" }
        );
        let header = http::HeaderValue::from_str(&cookie).expect("hex and ASCII only");
        (AttendeeId::parse(&id).expect("32 hex digits"), header)
    }

    /// The request's attendee, or a new one with the cookie to set on the answer.
    pub fn read_or_issue(
        &self,
        headers: &http::HeaderMap,
    ) -> (AttendeeId, Option<http::HeaderValue>) {
        match self.read(headers) {
            Some(id) => (id, None),
            None => {
                let (id, cookie) = self.issue();
                (id, Some(cookie))
            }
        }
    }
}

/// The value of the cookie `name` in a request's `Cookie` headers.
pub(crate) fn cookie<'h>(headers: &'h http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies() -> AttendeeCookies {
        AttendeeCookies::new(&AttendeeCookies::new_key(), false).unwrap()
    }

    fn request_with(cookie: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, cookie.parse().unwrap());
        headers
    }

    /// The `name=value` part of a `Set-Cookie` value.
    fn pair(set_cookie: &http::HeaderValue) -> String {
        set_cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    #[test]
    fn an_issued_cookie_names_its_attendee_among_other_cookies() {
        let cookies = cookies();
        let (id, set) = cookies.issue();
        let headers = request_with(&format!("theme=dark; {}; lectern_session=abc", pair(&set)));
        assert_eq!(cookies.read(&headers), Some(id));
        assert!(set.to_str().unwrap().contains("HttpOnly; SameSite=Lax"));
    }

    #[test]
    fn a_cookie_not_signed_here_names_nobody() {
        let cookies = cookies();
        let (_, set) = cookies.issue();
        let genuine = pair(&set);
        let (name_and_id, signature) = genuine.split_once('.').unwrap();
        let other_id = format!("{ATTENDEE_COOKIE}={}", "0".repeat(32));
        for forged in [
            format!("{other_id}.{signature}"),
            format!("{name_and_id}.{}", "0".repeat(SIGNATURE_HEX)),
            format!("{name_and_id}.{}", &signature[..8]),
            name_and_id.to_string(),
            format!("{ATTENDEE_COOKIE}=not-hex.{signature}"),
        ] {
            assert_eq!(cookies.read(&request_with(&forged)), None, "{forged}");
        }
        // Another deployment's key signs other cookies.
        assert_eq!(
            AttendeeCookies::new(&AttendeeCookies::new_key(), false)
                .unwrap()
                .read(&request_with(&genuine)),
            None
        );
    }

    #[test]
    fn behind_https_the_cookie_is_secure() {
        let cookies = AttendeeCookies::new(&AttendeeCookies::new_key(), true).unwrap();
        assert!(cookies.issue().1.to_str().unwrap().ends_with("; Secure"));
    }
}
