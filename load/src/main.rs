//! `lectern-load`: Lectern under load, over loopback only, bounded in count and time.
//!
//! It starts the `lectern` servers it measures (on a fresh database), creates the event
//! with `lectern event create`, and drives them with real WebSocket clients:
//!
//! - `burst`: N attendees join one event, all vote within 2 s, then the presenter asks a
//!   poll and all answer it, while a presenter client records when each change becomes
//!   visible;
//! - `idle`: N connections held open (spread over several 127.0.0.x source addresses),
//!   to measure the server's memory per connection;
//! - `restart`: N attendees vote, the server is killed with SIGKILL and started again,
//!   and every client comes back by itself and must find its vote;
//! - `replicas`: the burst over two replicas on one PostgreSQL database;
//! - `rooms`: 200 events of 50 attendees at once (a campus), every room measured alone;
//! - `floor`: no server at all: what one small message over loopback TCP costs this
//!   machine, sender and reader, the floor under the figures above.
//!
//! Results are printed, and written as JSON with `--json`; `--assert` fails the run
//! unless nothing was lost and every client saw the final tally.

mod apart;
mod burst;
mod client;
mod crowd;
mod deployment;
mod floor;
mod idle;
mod report;
mod restart;
mod rooms;
mod server;

use burst::burst;
use deployment::{Deployment, TempPostgres};
use idle::idle;
use restart::restart;
use rooms::rooms;

use anyhow::bail;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Parser)]
#[command(name = "lectern-load", about = "Lectern under load, over loopback")]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
    /// The lectern binary to run (default: target/release/lectern, else target/debug/lectern).
    #[arg(long, global = true)]
    lectern: Option<PathBuf>,
    /// Also write the results here, as JSON.
    #[arg(long, global = true)]
    json: Option<PathBuf>,
    /// Stop after this many seconds, whatever is happening.
    #[arg(long, global = true, default_value_t = 300)]
    max_secs: u64,
    /// How many connection handshakes may be under way at once.
    #[arg(long, global = true, default_value_t = 256)]
    connect_concurrency: usize,
    /// Attendees join as a browser does: GET the event's page, then open the socket
    /// with the cookie it gave (the page's time is measured too).
    #[arg(long, global = true)]
    page_first: bool,
    /// The presenters' sockets on a thread of the tool's own (as on machines of their
    /// own), not in the runtime the attendees' thousands share.
    #[arg(long, global = true)]
    presenters_apart: bool,
    /// Fail (exit 1) unless nothing was lost and every client saw the final tally.
    #[arg(long, global = true)]
    assert: bool,
}

#[derive(Subcommand)]
enum Mode {
    /// Attendees join, all vote within a few seconds, then all answer a poll.
    Burst {
        #[arg(long, default_value_t = 10_000)]
        attendees: usize,
        /// The votes (and then the poll answers) are spread evenly over this many seconds.
        #[arg(long, default_value_t = 2.0)]
        within_secs: f64,
        /// The database (default: a fresh SQLite file).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Hold connections open and measure the server's memory per connection.
    Idle {
        #[arg(long, default_value_t = 100_000)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        hold_secs: u64,
    },
    /// Attendees vote; the server is killed (SIGKILL) and restarted; everyone comes back.
    Restart {
        #[arg(long, default_value_t = 10_000)]
        attendees: usize,
    },
    /// Many events at once (a campus): every attendee of every room votes in one window;
    /// each room's vote → presenter is measured on its own.
    Rooms {
        #[arg(long, default_value_t = 200)]
        rooms: usize,
        #[arg(long, default_value_t = 50)]
        attendees_per_room: usize,
        #[arg(long, default_value_t = 2.0)]
        within_secs: f64,
        /// Shift each room's votes by its share of the gap between two of them, so the
        /// rooms do not vote in lockstep. Without it, attendee i of every room votes at
        /// the same instant: with 200 rooms, 200 votes at once every 40 ms.
        #[arg(long)]
        staggered: bool,
    },
    /// No server: ready-made frames written to thousands of loopback sockets, paced,
    /// while this tool reads them; the CPU a message costs the sender and the readers is
    /// the floor under `burst`'s figures on this machine.
    Floor {
        #[arg(long, default_value_t = 9_000)]
        connections: usize,
        /// Messages a second over all the sockets (Lectern's broadcast default: 70,000).
        #[arg(long, default_value_t = 70_000)]
        per_second: u32,
        /// The size of each message on the wire, its WebSocket header included (the
        /// burst's mean: 89).
        #[arg(long, default_value_t = 89)]
        bytes: usize,
        #[arg(long, default_value_t = 2.0)]
        secs: f64,
        /// Sending threads: plain ones (default 1), each walking its share of the
        /// sockets, or with `--via tasks` the runtime's workers (default 2: Lectern's
        /// server has one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Plain threads, or a task per socket over tokio-tungstenite as Lectern sends.
        #[arg(long, value_enum, default_value = "thread")]
        via: floor::Via,
    },
    /// The burst over two replicas on one PostgreSQL database.
    Replicas {
        #[arg(long, default_value_t = 10_000)]
        attendees: usize,
        #[arg(long, default_value_t = 2.0)]
        within_secs: f64,
        /// The PostgreSQL server; a fresh database is made there and dropped afterwards.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
        postgres: String,
    },
}

/// How long any one wait in a run may take.
const PATIENCE: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let limit = raise_file_limit();
    let bin = match (&cli.lectern, &cli.mode) {
        (Some(bin), _) => bin.clone(),
        // The floor runs no server.
        (None, Mode::Floor { .. }) => PathBuf::new(),
        (None, _) => default_binary()?,
    };
    let run = async {
        match &cli.mode {
            Mode::Floor {
                connections,
                per_second,
                bytes,
                secs,
                threads,
                via,
            } => {
                let threads = threads.unwrap_or(match via {
                    floor::Via::Thread => 1,
                    floor::Via::Tasks => 2,
                });
                floor::floor(*connections, *per_second, *bytes, *secs, threads, *via).await
            }
            Mode::Burst {
                attendees,
                within_secs,
                database_url,
            } => {
                let deployment = Deployment::start(&bin, database_url.clone(), 1).await?;
                burst(&cli, &deployment, *attendees, *within_secs).await
            }
            Mode::Idle {
                connections,
                hold_secs,
            } => {
                let deployment = Deployment::start(&bin, None, 1).await?;
                idle(&cli, &deployment, *connections, *hold_secs, limit).await
            }
            Mode::Restart { attendees } => {
                let mut deployment = Deployment::start(&bin, None, 1).await?;
                restart(&cli, &mut deployment, *attendees).await
            }
            Mode::Rooms {
                rooms: count,
                attendees_per_room,
                within_secs,
                staggered,
            } => {
                let mut deployment = Deployment::start(&bin, None, 1).await?;
                rooms(
                    &cli,
                    &mut deployment,
                    *count,
                    *attendees_per_room,
                    *within_secs,
                    *staggered,
                )
                .await
            }
            Mode::Replicas {
                attendees,
                within_secs,
                postgres,
            } => {
                let database = TempPostgres::create(postgres).await?;
                let deployment = Deployment::start(&bin, Some(database.url.clone()), 2).await;
                let result = match deployment {
                    Ok(deployment) => burst(&cli, &deployment, *attendees, *within_secs).await,
                    Err(e) => Err(e),
                };
                database.drop_it().await;
                result
            }
        }
    };
    let outcome = tokio::time::timeout(Duration::from_secs(cli.max_secs), run)
        .await
        .map_err(|_| anyhow::anyhow!("stopped after --max-secs {}", cli.max_secs))??;
    println!("\n{}", serde_json::to_string_pretty(&outcome.figures)?);
    if let Some(path) = &cli.json {
        std::fs::write(path, serde_json::to_string_pretty(&outcome.figures)?)?;
    }
    if cli.assert && !outcome.failures.is_empty() {
        for failure in &outcome.failures {
            eprintln!("FAILED: {failure}");
        }
        std::process::exit(1);
    }
    Ok(())
}

/// What a run measured, and what it found wrong.
struct Outcome {
    figures: serde_json::Value,
    failures: Vec<String>,
}

/// Raises this process's open-file limit as far as the hard limit allows (servers it
/// starts inherit it); gives the limit now in force.
fn raise_file_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            eprintln!("could not raise the open-file limit: {e}");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    }
}

fn default_binary() -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    for profile in ["release", "debug"] {
        let bin = target.join(profile).join("lectern");
        if bin.exists() {
            return Ok(bin);
        }
    }
    bail!("no lectern binary found: build one (cargo build --release -p lectern) or pass --lectern")
}

/// Waits (polling) until `done` holds or `patience` runs out; gives whether it held.
async fn wait_for(patience: Duration, done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    done()
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
