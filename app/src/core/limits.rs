//! The rate limits of one server process: floods of connections, actions and sign-in
//! attempts are cut, people are not (see `domain::limit`). Each limiter is behind a std
//! mutex held only for one `take` (never across an `.await`).

use crate::domain::limit::{Limiter, Rate};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The rates, settable per deployment (`lectern serve --help`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitSettings {
    /// Live connections opened from one address: a campus lab of hundreds at once.
    pub connections_per_address: Rate,
    /// Actions (votes, answers, check-ins, questions, …) sent from one address.
    pub actions_per_address: Rate,
    /// Actions sent by one attendee: far more than anyone taps.
    pub actions_per_attendee: Rate,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            connections_per_address: Rate::new(1000, 50.0),
            actions_per_address: Rate::new(5000, 1000.0),
            actions_per_attendee: Rate::new(30, 5.0),
        }
    }
}

/// Sign-in attempts: a few per email, a few dozen per address (a shared office).
const SIGN_IN_PER_EMAIL: Rate = Rate::new(10, 1.0 / 30.0);
const SIGN_IN_PER_ADDRESS: Rate = Rate::new(30, 0.1);

pub struct Limits {
    connections: Mutex<Limiter<IpAddr>>,
    actions_by_address: Mutex<Limiter<IpAddr>>,
    actions_by_attendee: Mutex<Limiter<String>>,
    sign_in_by_email: Mutex<Limiter<String>>,
    sign_in_by_address: Mutex<Limiter<IpAddr>>,
}

fn take<K, Q>(limiter: &Mutex<Limiter<K>>, key: &Q) -> Result<(), Duration>
where
    K: Eq + std::hash::Hash + std::borrow::Borrow<Q>,
    Q: Eq + std::hash::Hash + ToOwned<Owned = K> + ?Sized,
{
    limiter
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take(key, Instant::now())
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            connections: Mutex::new(Limiter::new(settings.connections_per_address)),
            actions_by_address: Mutex::new(Limiter::new(settings.actions_per_address)),
            actions_by_attendee: Mutex::new(Limiter::new(settings.actions_per_attendee)),
            sign_in_by_email: Mutex::new(Limiter::new(SIGN_IN_PER_EMAIL)),
            sign_in_by_address: Mutex::new(Limiter::new(SIGN_IN_PER_ADDRESS)),
        }
    }

    /// A live connection from `address`; the error is how long to wait.
    pub fn connection(&self, address: IpAddr) -> Result<(), Duration> {
        take(&self.connections, &address)
    }

    /// One action of an attendee: their own bucket first, then their address's.
    pub fn action(&self, address: IpAddr, attendee: &str) -> Result<(), Duration> {
        take(&self.actions_by_attendee, attendee)?;
        take(&self.actions_by_address, &address)
    }

    /// One sign-in attempt for `email` from `address`.
    pub fn sign_in(&self, address: IpAddr, email: &str) -> Result<(), Duration> {
        take(&self.sign_in_by_address, &address)?;
        take(&self.sign_in_by_email, email.to_lowercase().as_str())
    }
}

/// The address a request came from: the peer's, or — when the peer is a proxy on this
/// machine (the `deploy/` nginx) — the last address it appended to `X-Forwarded-For`.
pub fn client_address(peer: IpAddr, headers: &http::HeaderMap) -> IpAddr {
    if !peer.is_loopback() {
        return peer;
    }
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_on_this_machine_names_the_client_and_nobody_else_can() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            client_address(loopback, &headers),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_address(stranger, &headers),
            stranger,
            "a forged header from outside is ignored"
        );
        assert_eq!(client_address(loopback, &http::HeaderMap::new()), loopback);
    }

    #[test]
    fn sign_in_attempts_are_limited_per_email_whatever_its_case() {
        let limits = Limits::new(LimitSettings::default());
        let address: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..10 {
            assert!(limits.sign_in(address, "ada@example.org").is_ok());
        }
        assert!(limits.sign_in(address, "ADA@example.org").is_err());
        assert!(limits.sign_in(address, "bob@example.org").is_ok());
    }

    #[test]
    fn one_attendee_flooding_is_stopped_before_their_classmates_are() {
        let limits = Limits::new(LimitSettings::default());
        let campus: IpAddr = "10.1.2.3".parse().unwrap();
        let mut taken = 0;
        while limits.action(campus, "flooder").is_ok() {
            taken += 1;
        }
        assert_eq!(taken, 30);
        for student in 0..300 {
            assert!(limits.action(campus, &format!("student-{student}")).is_ok());
        }
    }
}
