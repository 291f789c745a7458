//! Rate limits as token buckets: a burst allowance that refills at a steady rate. Pure
//! (the caller passes the time), so the rules are tested without waiting.
//!
//! Limits are for floods, not for people: a whole class behind one campus NAT shares an
//! address, so the per-address buckets are sized for hundreds of people at once, and
//! the tight limits are per attendee.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// How much may happen at once, and how fast the allowance comes back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub burst: u32,
    pub per_second: f64,
}

/// `1000/50`: the burst, then the rate a second (how the `serve` flags write it).
impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.burst, self.per_second)
    }
}

impl Rate {
    pub const fn new(burst: u32, per_second: f64) -> Self {
        Self { burst, per_second }
    }

    /// Seconds until a bucket this empty is full again.
    fn refill_secs(&self) -> f64 {
        f64::from(self.burst) / self.per_second.max(f64::MIN_POSITIVE)
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One bucket per key (an address, an attendee, an email), made on first use and
/// forgotten once full again.
#[derive(Debug)]
pub struct Limiter<K> {
    rate: Rate,
    buckets: HashMap<K, Bucket>,
    swept_at: Option<Instant>,
}

impl<K: Eq + Hash> Limiter<K> {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: HashMap::new(),
            swept_at: None,
        }
    }

    /// Takes one token for `key`, or says how long until one is back. The key is
    /// copied only for a bucket's first use (no allocation per vote).
    pub fn take<Q>(&mut self, key: &Q, now: Instant) -> Result<(), Duration>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.sweep(now);
        let rate = self.rate;
        let bucket = match self.buckets.get_mut(key) {
            Some(bucket) => bucket,
            None => self.buckets.entry(key.to_owned()).or_insert(Bucket {
                tokens: f64::from(rate.burst),
                at: now,
            }),
        };
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate.per_second).min(f64::from(rate.burst));
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / rate.per_second.max(f64::MIN_POSITIVE);
            Err(Duration::from_secs_f64(wait.min(86_400.0)))
        }
    }

    /// Keys being tracked (buckets not yet full again).
    pub fn tracked(&self) -> usize {
        self.buckets.len()
    }

    /// Drops the buckets that have refilled: memory follows the keys active lately,
    /// not every address ever seen. At most once a refill period.
    fn sweep(&mut self, now: Instant) {
        let period = Duration::from_secs_f64(self.rate.refill_secs().clamp(1.0, 3600.0));
        if self
            .swept_at
            .is_some_and(|at| now.saturating_duration_since(at) < period)
        {
            return;
        }
        self.swept_at = Some(now);
        let rate = self.rate;
        self.buckets.retain(|_, b| {
            let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
            b.tokens + elapsed * rate.per_second < f64::from(rate.burst)
        });
    }
}

/// "in 12 s", "in 3 min": how long to wait, for a refusal people read.
pub fn wait_text(wait: Duration) -> String {
    let secs = wait.as_secs_f64().ceil() as u64;
    if secs < 90 {
        format!("in {} s", secs.max(1))
    } else {
        format!("in {} min", secs.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_until_the_bucket_refills() {
        let start = Instant::now();
        let mut limiter = Limiter::new(Rate::new(3, 1.0));
        for _ in 0..3 {
            assert_eq!(limiter.take(&"ana", start), Ok(()));
        }
        let wait = limiter.take(&"ana", start).unwrap_err();
        assert!((0.99..=1.01).contains(&wait.as_secs_f64()), "{wait:?}");
        assert_eq!(
            limiter.take(&"ana", start + Duration::from_millis(1000)),
            Ok(())
        );
        assert!(
            limiter
                .take(&"ana", start + Duration::from_millis(1100))
                .is_err()
        );
    }

    #[test]
    fn keys_do_not_share_a_bucket() {
        let now = Instant::now();
        let mut limiter = Limiter::new(Rate::new(1, 0.1));
        assert!(limiter.take(&"ana", now).is_ok());
        assert!(limiter.take(&"ana", now).is_err());
        assert!(limiter.take(&"ben", now).is_ok(), "Ben is not Ana");
    }

    #[test]
    fn a_class_behind_one_address_gets_in_at_once() {
        // The per-address rate for live connections: 500 students of one campus lab
        // open the page in the same second.
        let now = Instant::now();
        let mut per_address = Limiter::new(Rate::new(1000, 50.0));
        for _ in 0..500 {
            assert!(per_address.take(&"10.0.0.1", now).is_ok());
        }
    }

    #[test]
    fn full_buckets_are_forgotten() {
        let start = Instant::now();
        let mut limiter = Limiter::new(Rate::new(2, 1.0));
        for key in 0..100 {
            limiter.take(&key, start).unwrap();
        }
        assert_eq!(limiter.tracked(), 100);
        limiter.take(&1000, start + Duration::from_secs(5)).unwrap();
        assert_eq!(limiter.tracked(), 1, "only the newest key is not yet full");
    }

    #[test]
    fn waits_read_in_seconds_or_minutes() {
        assert_eq!(wait_text(Duration::from_millis(200)), "in 1 s");
        assert_eq!(wait_text(Duration::from_secs(42)), "in 42 s");
        assert_eq!(wait_text(Duration::from_secs(600)), "in 10 min");
    }
}
