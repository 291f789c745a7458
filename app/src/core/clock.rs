//! The server's clock for everything live: wall-clock time that moves with tokio's
//! clock, so a unit test can pause time and advance it by minutes in an instant (votes
//! expiring, section clocks running) instead of sleeping.
//!
//! It reads the wall clock once, then adds tokio's monotonic time: moments taken here
//! are in order even if the machine's clock is stepped.
//!
//! Each hub reads it through its own [`Clock`], which a test against a real server moves
//! forward ([`Clock::skip`]): pausing tokio's clock there would make it jump ahead
//! whenever the runtime waits on the database's thread or the network.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::time::Instant;

static ORIGIN: OnceLock<(DateTime<Utc>, Instant)> = OnceLock::new();

/// Now, to the millisecond (as stored).
pub fn now() -> DateTime<Utc> {
    let (wall, at) = ORIGIN.get_or_init(|| (Utc::now(), Instant::now()));
    let since = Instant::now().saturating_duration_since(*at);
    SubsecRound::trunc_subsecs(
        *wall + chrono::Duration::from_std(since).unwrap_or_default(),
        3,
    )
}

/// One deployment's clock: [`now`], moved forward by what was skipped. One per hub, so
/// skipping one test server's time leaves the other tests' servers alone.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Milliseconds skipped: shared by every clone, so the rooms move with the hub.
    skipped_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Now, to the millisecond, on this deployment's clock.
    pub fn now(&self) -> DateTime<Utc> {
        now() + chrono::Duration::milliseconds(self.skipped_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `by`, as if that much time had passed: what a test
    /// does instead of waiting. Nothing in a running deployment calls it.
    pub fn skip(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.skipped_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// How far it was moved, for a test server started again in the same time.
    pub fn skipped(&self) -> std::time::Duration {
        std::time::Duration::from_millis(
            u64::try_from(self.skipped_ms.load(Ordering::Relaxed)).unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn follows_tokios_paused_clock() {
        let before = now();
        tokio::time::advance(Duration::from_secs(300)).await;
        let after = now();
        assert_eq!((after - before).num_seconds(), 300);
    }

    #[tokio::test(start_paused = true)]
    async fn a_skipped_clock_runs_ahead_by_what_was_skipped_and_no_other_does() {
        let (skipped, other) = (Clock::default(), Clock::default());
        skipped.skip(Duration::from_secs(90));
        let gap = skipped.now() - other.now();
        assert_eq!(gap.num_seconds(), 90);
        assert_eq!(skipped.clone().skipped(), Duration::from_secs(90));
        assert_eq!(other.skipped(), Duration::ZERO);
    }
}
