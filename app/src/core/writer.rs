//! Group commit: live changes from every connection go through one writer task, which
//! commits whatever has queued up while the previous commit ran, in one transaction.
//! A burst of 10,000 votes becomes a few dozen commits instead of 10,000, and each
//! change is still durable before its sender hears back (and acknowledges the client).
//! What a committed change does next (its room applies it) runs here, in the order the
//! changes came, as soon as the commit is done: it does not wait for each sender's task
//! to be run again, which under load can be tens of milliseconds behind. Commits start
//! at most every [`COMMIT_GAP`]: a change after a quiet spell is written at once, and
//! under a burst each commit carries what arrived in the gap.

use super::change::Change;
use super::store::{Kept, Store};
use crate::error::AppError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// The most changes one transaction carries.
const MAX_BATCH: usize = 2_000;
/// How many changes may wait for the writer before senders wait too.
const QUEUE: usize = 50_000;
/// How long the writer keeps its database connection with nothing to write (see
/// [`Kept`]); then it gives it back, so that closing the pool does not wait on it.
const KEEP_WHILE_IDLE: Duration = Duration::from_secs(1);
/// The shortest time from the start of one commit to the start of the next. Each commit
/// costs the database a durable write of every page it touched, whether it carries 8
/// changes or 30, so under a burst the writer waits out the gap and takes everything
/// that came meanwhile. Measured (burst of 10,000 votes, docs/BENCHMARKS.md): server CPU
/// per message sent 12.6 → 10.8–11.1 µs, SQLite's thread at half its CPU, the
/// presenter's p99 within the runs' spread; at 6 ms the CPU fell a little further but a
/// campus run's presenters waited 65 ms.
pub const COMMIT_GAP: Duration = Duration::from_millis(3);

/// The handle connections write through; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Pending>,
}

/// What to do with a change once it is committed and took effect (apply it to its
/// room), run by the writer before its sender hears back.
pub type Then = Box<dyn FnOnce(&Change) + Send>;

struct Pending {
    event_id: i64,
    change: Change,
    then: Then,
    done: oneshot::Sender<Result<Option<u64>, AppError>>,
}

impl Writer {
    /// Starts the writer task. It ends, having written everything queued, when the last
    /// handle is dropped.
    pub fn start(store: Store, origin: Arc<str>) -> Self {
        let (queue, pending) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, origin, pending));
        Self { queue }
    }

    /// Writes one change; returns once it is committed (and `then` has run), with its
    /// number in the event's change log, or `None` when the event's state refused it
    /// (`then` does not run).
    pub async fn write(
        &self,
        event_id: i64,
        change: Change,
        then: Then,
    ) -> Result<Option<u64>, AppError> {
        let asked = Instant::now();
        let (done, answer) = oneshot::channel();
        self.queue
            .send(Pending {
                event_id,
                change,
                then,
                done,
            })
            .await
            .map_err(|_| AppError::Internal)?;
        let written = answer.await.map_err(|_| AppError::Internal)?;
        // The server's share of a vote's wait for its acknowledgement: the queue, the
        // commit, and this task being run again.
        metrics::histogram!("lectern_write_seconds").record(asked.elapsed().as_secs_f64());
        written
    }
}

async fn run(store: Store, origin: Arc<str>, mut pending: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut kept = Kept::default();
    let mut last_start = None;
    loop {
        let next = tokio::time::timeout(KEEP_WHILE_IDLE, pending.recv_many(&mut batch, MAX_BATCH));
        let received = match next.await {
            Ok(received) => received,
            Err(_idle) => {
                kept.release();
                pending.recv_many(&mut batch, MAX_BATCH).await
            }
        };
        if received == 0 {
            return;
        }
        if let Some(start) = next_start(last_start, Instant::now()) {
            tokio::time::sleep_until(start).await;
            while batch.len() < MAX_BATCH {
                let Ok(more) = pending.try_recv() else { break };
                batch.push(more);
            }
        }
        last_start = Some(Instant::now());
        let (changes, after): (Vec<(i64, Change)>, Vec<_>) = batch
            .drain(..)
            .map(|p| ((p.event_id, p.change), (p.then, p.done)))
            .unzip();
        let started = Instant::now();
        let result = store.commit_kept(&mut kept, &origin, &changes).await;
        metrics::histogram!("lectern_db_commit_seconds").record(started.elapsed().as_secs_f64());
        metrics::histogram!("lectern_db_commit_changes").record(changes.len() as f64);
        match result {
            Ok(numbers) => {
                for (((_, change), (then, done)), number) in changes.iter().zip(after).zip(numbers)
                {
                    finish(change, then, done, Ok(number));
                }
            }
            // One bad change must not sink the others: write them one by one.
            Err(e) if changes.len() > 1 => {
                tracing::warn!(error = %e, changes = changes.len(), "batch failed; writing its changes one by one");
                for (change, (then, done)) in changes.into_iter().zip(after) {
                    let one = store
                        .commit(&origin, std::slice::from_ref(&change))
                        .await
                        .map(|numbers| numbers.first().copied().flatten());
                    finish(&change.1, then, done, one);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "change not written");
                for (_, done) in after {
                    let _ = done.send(Err(AppError::Internal));
                }
            }
        }
    }
}

/// When the next commit may start, if not `now`: [`COMMIT_GAP`] after the last one.
fn next_start(last_start: Option<Instant>, now: Instant) -> Option<Instant> {
    let due = last_start? + COMMIT_GAP;
    (due > now).then_some(due)
}

/// Runs what follows a change that took effect, then tells its sender.
fn finish(
    change: &Change,
    then: Then,
    done: oneshot::Sender<Result<Option<u64>, AppError>>,
    written: Result<Option<u64>, AppError>,
) {
    if matches!(written, Ok(Some(_))) {
        then(change);
    }
    let _ = done.send(written);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_waits_out_the_gap_only_after_a_recent_one() {
        let now = Instant::now();
        // The first commit, and one after a quiet spell, start at once.
        assert_eq!(next_start(None, now), None);
        assert_eq!(next_start(Some(now - COMMIT_GAP), now), None);
        assert_eq!(next_start(Some(now - COMMIT_GAP * 4), now), None);
        // One right after another waits for the rest of the gap.
        let last = now - Duration::from_millis(1);
        assert_eq!(next_start(Some(last), now), Some(last + COMMIT_GAP));
        assert_eq!(next_start(Some(now), now), Some(now + COMMIT_GAP));
    }
}
