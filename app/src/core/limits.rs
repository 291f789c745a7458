//! The rate limits of one server process: floods of connections, actions and sign-in
//! attempts are cut, people are not (see `domain::limit`). Each limiter is behind a std
//! mutex held only for one `take` (never across an `.await`).

use crate::domain::account::Email;
use crate::domain::attendee::AttendeeId;
use crate::domain::limit::{Limiter, Rate};
use std::collections::HashMap;
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
    /// Live messages this server sends out a second, over all its rooms' broadcasts
    /// ([`crate::core::hub::Pacer`]): the rate measured to reach every page soonest on
    /// the benchmark machine (docs/BENCHMARKS.md).
    pub fan_out_per_second: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            connections_per_address: Rate::new(1000, 50.0),
            actions_per_address: Rate::new(5000, 1000.0),
            actions_per_attendee: Rate::new(30, 5.0),
            fan_out_per_second: 70_000,
        }
    }
}

/// Sign-in attempts: a few per email, a few dozen per address (a shared office).
const SIGN_IN_PER_EMAIL: Rate = Rate::new(10, 1.0 / 30.0);
const SIGN_IN_PER_ADDRESS: Rate = Rate::new(30, 0.1);
/// Registrations (and changes to one) from one address: a class registering from one
/// campus network gets through, a script filling the places with made-up people does not.
const REGISTER_PER_ADDRESS: Rate = Rate::new(60, 0.2);
/// Test emails an organizer sends themself: one per email kind, then one a minute (a
/// stuck button must not make the deployment a spammer).
const TEST_EMAILS_PER_ORGANIZER: Rate = Rate::new(7, 1.0 / 60.0);
/// Addresses remembered per account as ones its owner signed in from.
const KNOWN_ADDRESSES_PER_EMAIL: usize = 8;
/// Accounts whose addresses are remembered (a deployment has dozens of organizers).
const KNOWN_EMAILS: usize = 10_000;

pub struct Limits {
    connections: Mutex<Limiter<IpAddr>>,
    actions_by_address: Mutex<Limiter<IpAddr>>,
    actions_by_attendee: Mutex<Limiter<AttendeeId>>,
    sign_in_by_email: Mutex<Limiter<String>>,
    sign_in_by_address: Mutex<Limiter<IpAddr>>,
    registrations_by_address: Mutex<Limiter<IpAddr>>,
    test_emails_by_organizer: Mutex<Limiter<i64>>,
    /// Where each account signed in from before: there, its owner gets in even while
    /// someone else's guesses have used up the account's attempts.
    signed_in_from: Mutex<HashMap<String, Vec<IpAddr>>>,
    fan_out_per_second: u32,
}

fn take<K, Q>(limiter: &Mutex<Limiter<K>>, key: &Q) -> Result<(), Duration>
where
    K: Eq + std::hash::Hash + std::borrow::Borrow<Q>,
    Q: Eq + std::hash::Hash + ToOwned<Owned = K> + ?Sized,
{
    lock(limiter).take(key, Instant::now())
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            connections: Mutex::new(Limiter::new(settings.connections_per_address)),
            actions_by_address: Mutex::new(Limiter::new(settings.actions_per_address)),
            actions_by_attendee: Mutex::new(Limiter::new(settings.actions_per_attendee)),
            sign_in_by_email: Mutex::new(Limiter::new(SIGN_IN_PER_EMAIL)),
            sign_in_by_address: Mutex::new(Limiter::new(SIGN_IN_PER_ADDRESS)),
            registrations_by_address: Mutex::new(Limiter::new(REGISTER_PER_ADDRESS)),
            test_emails_by_organizer: Mutex::new(Limiter::new(TEST_EMAILS_PER_ORGANIZER)),
            signed_in_from: Mutex::new(HashMap::new()),
            fan_out_per_second: settings.fan_out_per_second,
        }
    }

    /// Live messages the server sends out a second at most.
    pub fn fan_out_per_second(&self) -> u32 {
        self.fan_out_per_second
    }

    /// A live connection from `address`; the error is how long to wait.
    pub fn connection(&self, address: IpAddr) -> Result<(), Duration> {
        take(&self.connections, &address)
    }

    /// One action of an attendee: their own bucket first, then their address's.
    pub fn action(&self, address: IpAddr, attendee: &AttendeeId) -> Result<(), Duration> {
        take(&self.actions_by_attendee, attendee)?;
        take(&self.actions_by_address, &address)
    }

    /// One registration form sent (or a registration changed) from `address`.
    pub fn registration(&self, address: IpAddr) -> Result<(), Duration> {
        take(&self.registrations_by_address, &address)
    }

    /// One test email sent by organizer `organizer` to themself.
    pub fn test_email(&self, organizer: i64) -> Result<(), Duration> {
        take(&self.test_emails_by_organizer, &organizer)
    }

    /// One sign-in attempt from `address` for `email` (`None`: not an email at all,
    /// counted against the address only). The account's own bucket stops guesses at it
    /// from many addresses; an address its owner signed in from before is let through
    /// anyway, so those guesses cannot lock the owner out.
    pub fn sign_in(&self, address: IpAddr, email: Option<&Email>) -> Result<(), Duration> {
        take(&self.sign_in_by_address, &address)?;
        let Some(email) = email else {
            return Ok(());
        };
        match take(&self.sign_in_by_email, email.as_str()) {
            Err(_) if self.known(email, address) => Ok(()),
            taken => taken,
        }
    }

    /// `email` signed in from `address`: remember it as the owner's.
    pub fn signed_in(&self, address: IpAddr, email: &Email) {
        let mut known = lock(&self.signed_in_from);
        if known.len() >= KNOWN_EMAILS && !known.contains_key(email.as_str()) {
            // Memory stays bounded; a forgotten owner waits out a lockout like anyone.
            known.clear();
        }
        let addresses = known.entry(email.as_str().to_string()).or_default();
        addresses.retain(|a| *a != address);
        addresses.push(address);
        if addresses.len() > KNOWN_ADDRESSES_PER_EMAIL {
            addresses.remove(0);
        }
    }

    fn known(&self, email: &Email, address: IpAddr) -> bool {
        lock(&self.signed_in_from)
            .get(email.as_str())
            .is_some_and(|addresses| addresses.contains(&address))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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

    fn email(raw: &str) -> Email {
        Email::parse(raw).unwrap()
    }

    #[test]
    fn sign_in_attempts_are_limited_per_email_whatever_its_case_or_spaces() {
        let limits = Limits::new(LimitSettings::default());
        let address: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..10 {
            assert!(
                limits
                    .sign_in(address, Some(&email("ada@example.org")))
                    .is_ok()
            );
        }
        for variant in ["ADA@example.org", " ada@example.org", "ada@EXAMPLE.org\t"] {
            assert!(
                limits.sign_in(address, Some(&email(variant))).is_err(),
                "{variant:?}"
            );
        }
        assert!(
            limits
                .sign_in(address, Some(&email("bob@example.org")))
                .is_ok()
        );
    }

    #[test]
    fn the_owner_signs_in_from_a_known_address_while_guesses_from_elsewhere_are_stopped() {
        let limits = Limits::new(LimitSettings::default());
        let office: IpAddr = "192.0.2.1".parse().unwrap();
        let ada = email("ada@example.org");
        assert!(limits.sign_in(office, Some(&ada)).is_ok());
        limits.signed_in(office, &ada);
        // Someone guesses from many addresses until the account's attempts are gone.
        for n in 0..20u8 {
            let _ = limits.sign_in(IpAddr::from([198, 51, 100, n]), Some(&ada));
        }
        assert!(
            limits
                .sign_in("203.0.113.9".parse().unwrap(), Some(&ada))
                .is_err()
        );
        assert!(limits.sign_in(office, Some(&ada)).is_ok());
    }

    #[test]
    fn what_is_not_an_email_counts_against_the_address_only() {
        let limits = Limits::new(LimitSettings::default());
        let address: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..30 {
            assert!(limits.sign_in(address, None).is_ok());
        }
        assert!(limits.sign_in(address, None).is_err());
        assert!(
            limits
                .sign_in(address, Some(&email("ada@example.org")))
                .is_err()
        );
    }

    #[test]
    fn one_attendee_flooding_is_stopped_before_their_classmates_are() {
        let limits = Limits::new(LimitSettings::default());
        let campus: IpAddr = "10.1.2.3".parse().unwrap();
        let id = |name: &str| AttendeeId::parse(name).unwrap();
        let mut taken = 0;
        while limits.action(campus, &id("flooder")).is_ok() {
            taken += 1;
        }
        assert_eq!(taken, 30);
        for student in 0..300 {
            assert!(
                limits
                    .action(campus, &id(&format!("student-{student}")))
                    .is_ok()
            );
        }
    }
}
