//! Turning what the clients recorded into figures: percentiles and the report.

use serde::Serialize;
use std::time::Duration;

/// p50, p95, p99 and the worst, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Spread {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub samples: usize,
}

impl Spread {
    pub fn of(mut values: Vec<Duration>) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        values.sort();
        // Nearest rank: the smallest value at or above the given share of samples.
        let at = |q: f64| {
            let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
            values[rank - 1].as_secs_f64() * 1000.0
        };
        Self {
            p50_ms: at(0.50),
            p95_ms: at(0.95),
            p99_ms: at(0.99),
            max_ms: at(1.0),
            samples: values.len(),
        }
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {:.1} ms · p95 {:.1} ms · p99 {:.1} ms · max {:.1} ms ({} samples)",
            self.p50_ms, self.p95_ms, self.p99_ms, self.max_ms, self.samples
        )
    }
}

/// When each of `n` changes became visible, given when they were sent and the times a
/// watcher saw the running count reach each value. Counts only go up in these runs,
/// so the k-th change sent is taken as visible once the count reaches k (first in,
/// first counted: the server applies them in the order they arrive).
pub fn visible_at<T: Copy>(sent: &[T], seen: &[(T, u32)]) -> Vec<Option<T>> {
    let mut out = vec![None; sent.len()];
    let mut filled = 0usize;
    for &(at, count) in seen {
        let count = (count as usize).min(sent.len());
        while filled < count {
            out[filled] = Some(at);
            filled += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let values: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let s = Spread::of(values);
        assert_eq!(s.p50_ms, 50.0);
        assert_eq!(s.p95_ms, 95.0);
        assert_eq!(s.p99_ms, 99.0);
        assert_eq!(s.max_ms, 100.0);
        assert_eq!(Spread::of(vec![]).samples, 0);
    }

    #[test]
    fn the_kth_change_is_visible_when_the_count_reaches_k() {
        let sent = [0, 1, 2, 3];
        // Saw count 2 at time 10, then 4 at time 20.
        let seen = [(10, 2), (20, 4)];
        assert_eq!(
            visible_at(&sent, &seen),
            vec![Some(10), Some(10), Some(20), Some(20)]
        );
        // Never saw the last one.
        assert_eq!(
            visible_at(&sent, &[(5, 3)]),
            vec![Some(5), Some(5), Some(5), None]
        );
    }
}
