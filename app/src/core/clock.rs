//! The server's clock for everything live: wall-clock time that moves with tokio's
//! clock, so a test can pause time and advance it by minutes in an instant (votes
//! expiring, section clocks running) instead of sleeping.
//!
//! It reads the wall clock once, then adds tokio's monotonic time: moments taken here
//! are in order even if the machine's clock is stepped.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::OnceLock;
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
}
