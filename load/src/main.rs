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
//! - `replicas`: the burst over two replicas on one PostgreSQL database.
//!
//! Results are printed, and written as JSON with `--json`; `--assert` fails the run
//! unless nothing was lost and every client saw the final tally.

mod client;
mod report;
mod server;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use client::{Seen, Tally, Ws};
use report::{Spread, visible_at};
use serde_json::json;
use server::Server;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
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
    let bin = match &cli.lectern {
        Some(bin) => bin.clone(),
        None => default_binary()?,
    };
    let run = async {
        match &cli.mode {
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

fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// The servers of one run, on one fresh database, with the event made.
struct Deployment {
    _dir: tempfile::TempDir,
    servers: Vec<Server>,
    slug: String,
    presenter_token: String,
}

impl Deployment {
    async fn start(
        bin: &Path,
        database_url: Option<String>,
        replicas: usize,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let database_url = database_url
            .unwrap_or_else(|| format!("sqlite://{}/lectern.db?mode=rwc", dir.path().display()));
        let addrs: Vec<SocketAddr> = (0..replicas)
            .map(|_| free_port())
            .collect::<Result<_, _>>()?;
        let (slug, presenter_token) =
            server::create_event(bin, &database_url, &format!("http://{}", addrs[0])).await?;
        let mut servers = Vec::new();
        for addr in addrs {
            servers.push(Server::start(bin, &database_url, addr, dir.path()).await?);
        }
        println!(
            "lectern: {} ({} replica{}), database {}",
            bin.display(),
            replicas,
            if replicas == 1 { "" } else { "s" },
            database_url.split('?').next().unwrap_or_default()
        );
        Ok(Self {
            _dir: dir,
            servers,
            slug,
            presenter_token,
        })
    }

    fn live_path(&self) -> String {
        format!("/e/{}/live", self.slug)
    }

    fn rss(&self) -> u64 {
        self.servers.iter().filter_map(Server::rss_bytes).sum()
    }

    fn cpu(&self) -> Duration {
        self.servers.iter().filter_map(Server::cpu_time).sum()
    }

    /// The presenter's socket, on the last replica (attendees start on the first).
    async fn presenter(&self) -> anyhow::Result<Ws> {
        let server = self.servers.last().context("no server")?;
        let cookie = server::presenter_cookie(server.addr, &self.presenter_token).await?;
        let path = format!("{}?as=presenter", self.live_path());
        let (ws, _) = client::connect(server.addr, None, &path, Some(&cookie)).await?;
        Ok(ws)
    }
}

/// A PostgreSQL database of the run's own.
struct TempPostgres {
    server: String,
    name: String,
    url: String,
}

impl TempPostgres {
    async fn create(server: &str) -> anyhow::Result<Self> {
        let name = format!("lectern_load_{}", uuid::Uuid::new_v4().simple());
        psql(server, &format!("create database {name}")).await?;
        Ok(Self {
            server: server.to_string(),
            url: format!("{server}/{name}"),
            name,
        })
    }

    async fn drop_it(self) {
        if let Err(e) = psql(
            &self.server,
            &format!("drop database if exists {} with (force)", self.name),
        )
        .await
        {
            eprintln!("could not drop {}: {e}", self.name);
        }
    }
}

async fn psql(server: &str, sql: &str) -> anyhow::Result<()> {
    let out = tokio::process::Command::new("psql")
        .arg(format!("{server}/postgres"))
        .args(["-qc", sql])
        .output()
        .await
        .context("running psql")?;
    if !out.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Attendees that connected, each already running its task.
struct Joined<T> {
    tasks: Vec<tokio::task::JoinHandle<T>>,
    failures: Vec<String>,
    took: Duration,
}

impl<T> Joined<T> {
    /// Prints how the connecting went and notes failures; gives how many connected.
    fn report(&self, wanted: usize, failures: &mut Vec<String>) -> usize {
        let connected = self.tasks.len();
        println!(
            "  {connected} connected in {:.2} s ({:.0} per second), {} failed",
            self.took.as_secs_f64(),
            connected as f64 / self.took.as_secs_f64(),
            self.failures.len()
        );
        for failure in self.failures.iter().take(5) {
            eprintln!("  {failure}");
        }
        if !self.failures.is_empty() {
            failures.push(format!(
                "{} of {wanted} could not connect",
                self.failures.len()
            ));
        }
        connected
    }
}

/// The source address and port of connection `i` when connections are spread over
/// several loopback addresses: an explicit port skips the kernel's search for a free
/// one (which grows with every socket bound), 40,000 ports per address.
fn source_of(i: usize) -> SocketAddr {
    const PORTS: usize = 40_000;
    let ip = Ipv4Addr::new(
        127,
        0,
        1 + (i / PORTS / 250) as u8,
        2 + (i / PORTS % 250) as u8,
    );
    SocketAddr::new(IpAddr::V4(ip), 20_000 + (i % PORTS) as u16)
}

/// Connects `n` attendees, round-robin over the servers (from source addresses picked
/// by [`source_of`] from index `spread_sources` on, when given), at most `concurrency`
/// handshakes at a time; each counts once it has its first snapshot, and at that moment
/// `each` starts reading its socket (a page that stops reading is dropped by the server).
async fn join<T, F, Fut>(
    servers: &[SocketAddr],
    path: &str,
    n: usize,
    spread_sources: Option<usize>,
    concurrency: usize,
    each: F,
) -> Joined<T>
where
    T: Send + 'static,
    F: Fn(usize, Ws, Option<String>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut connecting = tokio::task::JoinSet::new();
    for i in 0..n {
        let gate = gate.clone();
        let server = servers[i % servers.len()];
        let path = path.to_string();
        let each = each.clone();
        connecting.spawn(async move {
            let _permit = gate.acquire_owned().await;
            let source = spread_sources.map(|first| source_of(first + i));
            let result = async {
                let (mut ws, cookie) = client::connect(server, source, &path, None).await?;
                client::first_snapshot(&mut ws, PATIENCE).await?;
                anyhow::Ok(tokio::spawn(each(i, ws, cookie)))
            }
            .await;
            (i, result)
        });
    }
    let mut tasks = Vec::with_capacity(n);
    let mut failures = Vec::new();
    while let Some(done) = connecting.join_next().await {
        match done {
            Ok((_, Ok(task))) => tasks.push(task),
            Ok((i, Err(e))) => failures.push(format!("attendee {i}: {e:#}")),
            Err(e) => failures.push(format!("a connecting task failed: {e}")),
        }
    }
    Joined {
        tasks,
        failures,
        took: started.elapsed(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Round {
    Wait,
    Vote(Instant),
    /// Answer the poll with this id.
    Answer(Instant, uuid::Uuid),
    Stop,
}

/// What one client recorded over a run.
#[derive(Debug, Default)]
struct Log {
    vote_sent: Option<Instant>,
    vote_acked: Option<Instant>,
    answer_sent: Option<Instant>,
    answer_acked: Option<Instant>,
    /// Every snapshot whose figures differ from the one before.
    tallies: Vec<Tally>,
    errors: Vec<String>,
}

/// Shared counters the run waits on.
#[derive(Default)]
struct Progress {
    frames: AtomicU64,
    saw_all_votes: AtomicUsize,
    saw_all_answers: AtomicUsize,
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One client through the rounds: it votes and answers the poll at its moment of each round
/// (attendees only) and records every change of the figures it is shown.
async fn client_task(
    mut ws: Ws,
    target: usize,
    offset: Option<Duration>,
    mut round: watch::Receiver<Round>,
    progress: Arc<Progress>,
) -> Log {
    let vote_id = uuid::Uuid::new_v4().to_string();
    let answer_id = uuid::Uuid::new_v4().to_string();
    let mut due: Option<(Instant, Round)> = None;
    let mut log = Log::default();
    let (mut saw_votes, mut saw_answers) = (false, false);
    loop {
        tokio::select! {
            changed = round.changed() => {
                if changed.is_err() {
                    break;
                }
                let now = *round.borrow_and_update();
                match (now, offset) {
                    (Round::Stop, _) => break,
                    (Round::Vote(at) | Round::Answer(at, _), Some(offset)) => due = Some((at + offset, now)),
                    _ => {}
                }
            }
            () = until(due.map(|(at, _)| at)) => {
                let sent = match due.take() {
                    Some((_, Round::Vote(_))) => {
                        log.vote_sent = Some(Instant::now());
                        client::send_vote(&mut ws, &vote_id).await
                    }
                    Some((_, Round::Answer(_, poll))) => {
                        log.answer_sent = Some(Instant::now());
                        client::send_answer(&mut ws, &answer_id, &poll.to_string()).await
                    }
                    _ => Ok(()),
                };
                if let Err(e) = sent {
                    log.errors.push(format!("send: {e}"));
                }
            }
            seen = client::next(&mut ws) => {
                let Some(seen) = seen else {
                    log.errors.push("the server closed the socket".into());
                    break;
                };
                progress.frames.fetch_add(1, Ordering::Relaxed);
                match &seen {
                    Seen::Ack { id } if *id == vote_id => log.vote_acked = Some(Instant::now()),
                    Seen::Ack { id } if *id == answer_id => log.answer_acked = Some(Instant::now()),
                    Seen::Error { message, .. } => log.errors.push(message.clone()),
                    _ => {}
                }
                if let Some(tally) = client::tally_of(&seen) {
                    let differs = log.tallies.last().is_none_or(|last| {
                        (last.faster, last.answers, last.attendees) != (tally.faster, tally.answers, tally.attendees)
                    });
                    if differs {
                        log.tallies.push(tally);
                    }
                    if !saw_votes && tally.faster as usize >= target {
                        saw_votes = true;
                        progress.saw_all_votes.fetch_add(1, Ordering::Relaxed);
                    }
                    if !saw_answers && tally.answers as usize >= target {
                        saw_answers = true;
                        progress.saw_all_answers.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }
    }
    log
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

/// Latencies from sending to becoming visible: to one watcher (the presenter), and to
/// every attendee (the moment the last of them saw it). Also how many were never seen.
struct Visibility {
    presenter: Spread,
    everyone: Spread,
    unseen_by_presenter: usize,
    unseen_by_someone: usize,
}

fn visibility(
    sent: &[Instant],
    presenter: &[(Instant, u32)],
    attendees: &[Vec<(Instant, u32)>],
) -> Visibility {
    let to_presenter = visible_at(sent, presenter);
    let mut latest: Vec<Option<Instant>> = vec![None; sent.len()];
    let mut reached = vec![0usize; sent.len()];
    for seen in attendees {
        for (k, at) in visible_at(sent, seen).into_iter().enumerate() {
            if let Some(at) = at {
                reached[k] += 1;
                latest[k] = latest[k].max(Some(at));
            }
        }
    }
    let latency =
        |k: usize, at: Option<Instant>| at.map(|at| at.saturating_duration_since(sent[k]));
    Visibility {
        presenter: Spread::of(
            to_presenter
                .iter()
                .enumerate()
                .filter_map(|(k, at)| latency(k, *at))
                .collect(),
        ),
        everyone: Spread::of(
            latest
                .iter()
                .enumerate()
                .filter(|(k, _)| reached[*k] == attendees.len())
                .filter_map(|(k, at)| latency(k, *at))
                .collect(),
        ),
        unseen_by_presenter: to_presenter.iter().filter(|at| at.is_none()).count(),
        unseen_by_someone: reached.iter().filter(|r| **r < attendees.len()).count(),
    }
}

async fn burst(
    cli: &Cli,
    deployment: &Deployment,
    n: usize,
    within_secs: f64,
) -> anyhow::Result<Outcome> {
    let mut failures = Vec::new();
    let within = Duration::from_secs_f64(within_secs);
    let rss_before = deployment.rss();
    let addrs: Vec<SocketAddr> = deployment.servers.iter().map(|s| s.addr).collect();
    // Attendees start on the first replica; the presenter is on the last.
    let presenter_ws = deployment.presenter().await?;
    let progress = Arc::new(Progress::default());
    let (round, rounds) = watch::channel(Round::Wait);
    let presenter = tokio::spawn(client_task(
        presenter_ws,
        n,
        None,
        rounds.clone(),
        progress.clone(),
    ));
    println!("joining {n} attendees…");
    let joined = {
        let (rounds, progress) = (rounds.clone(), progress.clone());
        join(
            &addrs,
            &deployment.live_path(),
            n,
            None,
            cli.connect_concurrency,
            move |i, ws, _| {
                let offset = within.mul_f64(i as f64 / n.max(1) as f64);
                client_task(ws, n, Some(offset), rounds.clone(), progress.clone())
            },
        )
        .await
    };
    let connected = joined.report(n, &mut failures);
    let tasks = joined.tasks;
    // Every page has the whole room before the burst.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_connected = deployment.rss();

    println!("burst: {connected} votes within {within_secs} s…");
    let cpu_before = deployment.cpu();
    let tool_cpu_before = server::cpu_time_of("self").unwrap_or_default();
    let frames_before = progress.frames.load(Ordering::Relaxed);
    let vote_start = Instant::now() + Duration::from_millis(100);
    round.send_replace(Round::Vote(vote_start));
    let everyone = connected + 1;
    let all_saw_votes = wait_for(within + PATIENCE, || {
        progress.saw_all_votes.load(Ordering::Relaxed) >= everyone
    })
    .await;
    let vote_end = Instant::now();
    let frames_votes = progress.frames.load(Ordering::Relaxed) - frames_before;
    let cpu_votes = deployment.cpu().saturating_sub(cpu_before);
    let tool_cpu_votes = server::cpu_time_of("self")
        .unwrap_or_default()
        .saturating_sub(tool_cpu_before);
    let rss_after_votes = deployment.rss();

    println!("round two: a poll, {connected} answers within {within_secs} s…");
    let poll = uuid::Uuid::new_v4();
    let mut asker = deployment.presenter().await?;
    client::ask_poll(&mut asker, &poll.to_string(), PATIENCE).await?;
    let answer_start = Instant::now() + Duration::from_millis(100);
    round.send_replace(Round::Answer(answer_start, poll));
    let all_saw_answers = wait_for(within + PATIENCE, || {
        progress.saw_all_answers.load(Ordering::Relaxed) >= everyone
    })
    .await;
    drop(asker);
    round.send_replace(Round::Stop);

    let presenter = presenter.await?;
    let mut logs = Vec::with_capacity(connected);
    for task in tasks {
        logs.push(task.await?);
    }
    let errors: Vec<&String> = logs
        .iter()
        .flat_map(|l| l.errors.iter())
        .chain(presenter.errors.iter())
        .collect();
    for error in errors.iter().take(5) {
        eprintln!("  error: {error}");
    }

    let measure = |pick: fn(&Log) -> Option<Instant>, figure: fn(&Tally) -> u32| {
        let mut sent: Vec<Instant> = logs.iter().filter_map(pick).collect();
        sent.sort();
        let presenter_seen: Vec<(Instant, u32)> = presenter
            .tallies
            .iter()
            .map(|t| (t.at, figure(t)))
            .collect();
        let attendees_seen: Vec<Vec<(Instant, u32)>> = logs
            .iter()
            .map(|l| l.tallies.iter().map(|t| (t.at, figure(t))).collect())
            .collect();
        (
            sent.len(),
            visibility(&sent, &presenter_seen, &attendees_seen),
        )
    };
    let (votes_sent, votes) = measure(|l| l.vote_sent, |t| t.faster);
    let (answers_sent, answers) = measure(|l| l.answer_sent, |t| t.answers);
    let votes_acked = logs.iter().filter(|l| l.vote_acked.is_some()).count();
    let answers_acked = logs.iter().filter(|l| l.answer_acked.is_some()).count();
    let final_votes = presenter.tallies.last().map_or(0, |t| t.faster) as usize;
    let final_answers = presenter.tallies.last().map_or(0, |t| t.answers) as usize;
    let ack_spread = Spread::of(
        logs.iter()
            .filter_map(|l| Some(l.vote_acked?.saturating_duration_since(l.vote_sent?)))
            .collect(),
    );
    let burst_secs = (vote_end - vote_start).as_secs_f64();

    println!(
        "\nvotes: {votes_sent} sent, {votes_acked} acknowledged, presenter's final tally {final_votes}"
    );
    println!("  vote → acknowledged:    {ack_spread}");
    println!("  vote → presenter:       {}", votes.presenter);
    println!("  vote → every attendee:  {}", votes.everyone);
    println!(
        "  messages out to clients: {:.0} per second over the burst ({frames_votes} in {burst_secs:.2} s)",
        frames_votes as f64 / burst_secs
    );
    println!(
        "  CPU during the burst: server {:.2} s, this tool {:.2} s, over {burst_secs:.2} s on {} cores",
        cpu_votes.as_secs_f64(),
        tool_cpu_votes.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "poll answers: {answers_sent} sent, {answers_acked} acknowledged, presenter's final count {final_answers}"
    );
    println!("  answer → presenter:      {}", answers.presenter);
    println!("  answer → every attendee: {}", answers.everyone);
    println!(
        "server memory: {:.1} MiB before, {:.1} MiB with {connected} connected ({:.2} KiB per connection), {:.1} MiB after the votes",
        mib(rss_before),
        mib(rss_connected),
        rss_connected.saturating_sub(rss_before) as f64 / 1024.0 / connected.max(1) as f64,
        mib(rss_after_votes)
    );

    if votes_acked != connected || final_votes != connected {
        failures.push(format!("votes lost: {connected} attendees, {votes_acked} acknowledged, final tally {final_votes}"));
    }
    if !all_saw_votes || votes.unseen_by_someone > 0 {
        failures.push(format!(
            "not every client saw the final vote tally ({} of {everyone})",
            progress.saw_all_votes.load(Ordering::Relaxed)
        ));
    }
    if answers_acked != connected || final_answers != connected || !all_saw_answers {
        failures.push(format!(
            "poll answers: {answers_acked} acknowledged, final count {final_answers}, {} of {everyone} saw it",
            progress.saw_all_answers.load(Ordering::Relaxed)
        ));
    }
    if !errors.is_empty() {
        failures.push(format!("{} errors reported to clients", errors.len()));
    }
    let spread = |s: &Spread| serde_json::to_value(s).unwrap_or_default();
    Ok(Outcome {
        figures: json!({
            "mode": if deployment.servers.len() > 1 { "replicas" } else { "burst" },
            "replicas": deployment.servers.len(),
            "attendees": n,
            "connected": connected,
            "connect_failures": joined.failures.len(),
            "connect_seconds": joined.took.as_secs_f64(),
            "connects_per_second": connected as f64 / joined.took.as_secs_f64(),
            "burst_within_seconds": within_secs,
            "votes_sent": votes_sent,
            "votes_acknowledged": votes_acked,
            "final_vote_tally": final_votes,
            "lost_votes": connected.saturating_sub(final_votes.min(votes_acked)),
            "vote_to_ack": spread(&ack_spread),
            "vote_to_presenter": spread(&votes.presenter),
            "vote_to_every_attendee": spread(&votes.everyone),
            "votes_unseen_by_presenter": votes.unseen_by_presenter,
            "votes_unseen_by_some_attendee": votes.unseen_by_someone,
            "messages_out_per_second": frames_votes as f64 / burst_secs,
            "server_cpu_seconds_during_burst": cpu_votes.as_secs_f64(),
            "load_tool_cpu_seconds_during_burst": tool_cpu_votes.as_secs_f64(),
            "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
            "poll_answers_acknowledged": answers_acked,
            "final_poll_answer_count": final_answers,
            "answer_to_presenter": spread(&answers.presenter),
            "answer_to_every_attendee": spread(&answers.everyone),
            "server_rss_before_mib": mib(rss_before),
            "server_rss_connected_mib": mib(rss_connected),
            "server_rss_after_votes_mib": mib(rss_after_votes),
            "server_kib_per_connection": rss_connected.saturating_sub(rss_before) as f64 / 1024.0 / connected.max(1) as f64,
            "errors": errors.len(),
            "failures": failures,
        }),
        failures,
    })
}

async fn idle(
    cli: &Cli,
    deployment: &Deployment,
    wanted: usize,
    hold_secs: u64,
    limit: u64,
) -> anyhow::Result<Outcome> {
    let mut failures = Vec::new();
    // Each side needs one descriptor per connection, plus some for itself.
    let possible = usize::try_from(limit.saturating_sub(200)).unwrap_or(usize::MAX);
    let n = wanted.min(possible);
    if n < wanted {
        println!(
            "this machine's open-file limit is {limit} per process (the hard limit; raising it needs CAP_SYS_RESOURCE): holding {n} connections instead of {wanted}"
        );
    }
    let server = deployment.servers[0].addr;
    let mut presenter = deployment.presenter().await?;
    client::first_snapshot(&mut presenter, PATIENCE).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = deployment.rss();
    let sources = n.div_ceil(40_000);
    println!("holding {n} idle connections from {sources} source address(es), in two halves…");
    let dropped = Arc::new(AtomicUsize::new(0));
    let hold = {
        let dropped = dropped.clone();
        move |_, mut ws: Ws, _| {
            let dropped = dropped.clone();
            async move {
                // Reading keeps the socket answered (pongs) and notices a close.
                while client::next(&mut ws).await.is_some() {}
                dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    let path = deployment.live_path();
    let half = n / 2;
    let first = join(
        &[server],
        &path,
        half,
        Some(0),
        cli.connect_concurrency,
        hold.clone(),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_half = deployment.rss();
    let second = join(
        &[server],
        &path,
        n - half,
        Some(half),
        cli.connect_concurrency,
        hold,
    )
    .await;
    let joined = Joined {
        took: first.took + second.took,
        failures: first.failures.into_iter().chain(second.failures).collect(),
        tasks: first.tasks.into_iter().chain(second.tasks).collect(),
    };
    let connected = joined.report(n, &mut failures);
    tokio::time::sleep(Duration::from_secs(hold_secs)).await;
    let rss_held = deployment.rss();
    // The presenter's count of attendees online: everyone is still there.
    let mut online = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match tokio::time::timeout_at(deadline, client::next(&mut presenter)).await {
            Ok(Some(seen)) => {
                if let Some(tally) = client::tally_of(&seen) {
                    online = tally.attendees as usize;
                    if online == connected {
                        break;
                    }
                }
            }
            _ => break,
        }
    }
    let per_connection = rss_held.saturating_sub(rss_before) as f64 / connected.max(1) as f64;
    // The second half's share alone: what one more connection costs, without the
    // start-up growth (database caches, allocator arenas) the first ones pay for.
    let marginal = rss_held.saturating_sub(rss_half) as f64 / (n - half).max(1) as f64;
    let dropped = dropped.load(Ordering::Relaxed);
    println!(
        "server memory: {:.1} MiB before, {:.1} MiB holding {half}, {:.1} MiB holding {connected}: {:.2} KiB per connection overall, {:.2} KiB per connection of the second half",
        mib(rss_before),
        mib(rss_half),
        mib(rss_held),
        per_connection / 1024.0,
        marginal / 1024.0
    );
    println!("after {hold_secs} s: {dropped} dropped; the presenter's page counts {online} online");
    if dropped > 0 || online != connected {
        failures.push(format!(
            "{dropped} connections dropped; presenter counts {online} of {connected}"
        ));
    }
    for task in joined.tasks {
        task.abort();
    }
    Ok(Outcome {
        figures: json!({
            "mode": "idle",
            "wanted": wanted,
            "open_file_limit": limit,
            "connections": connected,
            "connect_failures": joined.failures.len(),
            "connect_seconds": joined.took.as_secs_f64(),
            "connects_per_second": connected as f64 / joined.took.as_secs_f64(),
            "source_addresses": sources,
            "hold_seconds": hold_secs,
            "dropped": dropped,
            "presenter_counts_online": online,
            "server_rss_before_mib": mib(rss_before),
            "server_rss_held_mib": mib(rss_held),
            "server_rss_half_mib": mib(rss_half),
            "server_kib_per_connection": per_connection / 1024.0,
            "server_kib_per_connection_second_half": marginal / 1024.0,
            "failures": failures,
        }),
        failures,
    })
}

/// A client that comes back by itself after the server goes away: backoff from 0.5 s,
/// doubling to at most 5 s, each wait ±50 % at random (as the browser client does).
/// Gives the vote the server remembered for it, and when it had a snapshot again.
async fn come_back(
    server: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> anyhow::Result<(Option<String>, Instant)> {
    let mut wait = Duration::from_millis(500);
    let give_up = Instant::now() + PATIENCE;
    loop {
        let jitter = 0.5 + (uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0;
        tokio::time::sleep(wait.mul_f64(jitter)).await;
        let attempt = async {
            let (mut ws, _) = client::connect(server, None, path, cookie).await?;
            let mut own_vote = None;
            loop {
                match tokio::time::timeout(PATIENCE, client::next(&mut ws)).await? {
                    Some(Seen::Welcome { pace }) => own_vote = pace,
                    Some(Seen::Snapshot { .. }) => return anyhow::Ok((own_vote, Instant::now())),
                    Some(_) => continue,
                    None => bail!("closed before the snapshot"),
                }
            }
        };
        match attempt.await {
            Ok(back) => return Ok(back),
            Err(e) if Instant::now() > give_up => return Err(e),
            Err(_) => wait = (wait * 2).min(Duration::from_secs(5)),
        }
    }
}

/// One attendee of the restart run: votes at its moment, waits for the acknowledgement,
/// then reads until the server goes away and comes back by itself.
async fn restart_client(
    server: SocketAddr,
    path: String,
    mut ws: Ws,
    cookie: Option<String>,
    offset: Duration,
    acked: Arc<AtomicUsize>,
) -> anyhow::Result<(Option<String>, Instant)> {
    tokio::time::sleep(offset).await;
    let id = uuid::Uuid::new_v4().to_string();
    client::send_vote(&mut ws, &id).await?;
    loop {
        match tokio::time::timeout(PATIENCE, client::next(&mut ws)).await? {
            Some(Seen::Ack { id: done }) if done == id => break,
            Some(Seen::Error { message }) => bail!("vote refused: {message}"),
            Some(_) => continue,
            None => bail!("closed before the acknowledgement"),
        }
    }
    acked.fetch_add(1, Ordering::Relaxed);
    while client::next(&mut ws).await.is_some() {}
    come_back(server, &path, cookie.as_deref()).await
}

async fn restart(cli: &Cli, deployment: &mut Deployment, n: usize) -> anyhow::Result<Outcome> {
    let mut failures = Vec::new();
    let server = deployment.servers[0].addr;
    let path = deployment.live_path();
    let acked = Arc::new(AtomicUsize::new(0));
    println!("joining {n} attendees; each votes within 2 s of the first…");
    let joined = {
        let (path, acked) = (path.clone(), acked.clone());
        join(
            &[server],
            &path.clone(),
            n,
            None,
            cli.connect_concurrency,
            move |i, ws, cookie| {
                let offset = Duration::from_secs(2).mul_f64(i as f64 / n.max(1) as f64);
                restart_client(server, path.clone(), ws, cookie, offset, acked.clone())
            },
        )
        .await
    };
    let connected = joined.report(n, &mut failures);
    wait_for(PATIENCE, || acked.load(Ordering::Relaxed) >= connected).await;
    let votes = acked.load(Ordering::Relaxed);
    println!("  {votes} votes acknowledged; killing the server (SIGKILL)…");

    let killed_at = Instant::now();
    deployment.servers[0].kill_hard().await?;
    deployment.servers[0].restart()?;
    let serving_after = deployment.servers[0]
        .wait_healthy(Duration::from_secs(30))
        .await?;
    println!(
        "  serving again {:.0} ms after the restart began",
        serving_after.as_secs_f64() * 1000.0
    );

    let mut back = Vec::new();
    let mut kept_vote = 0;
    for task in joined.tasks {
        match task.await? {
            Ok((own_vote, at)) => {
                if own_vote.as_deref() == Some("faster") {
                    kept_vote += 1;
                }
                back.push(at.saturating_duration_since(killed_at));
            }
            Err(e) => failures.push(format!("did not come back: {e:#}")),
        }
    }
    let all_back = back.iter().max().copied().unwrap_or_default();
    // The tally after the restart, as a fresh presenter sees it.
    let mut presenter = deployment.presenter().await?;
    let tally = client::first_snapshot(&mut presenter, PATIENCE).await?;
    println!(
        "  {} of {votes} clients back with a snapshot, the last {:.2} s after the kill; {kept_vote} found their vote; tally after restart {}",
        back.len(),
        all_back.as_secs_f64(),
        tally.faster
    );
    if votes != n || back.len() != votes || kept_vote != votes || tally.faster as usize != votes {
        failures.push(format!(
            "{votes} of {n} votes acknowledged; after the restart {} back, {kept_vote} kept their vote, tally {}",
            back.len(),
            tally.faster
        ));
    }
    for failure in failures.iter().take(5) {
        eprintln!("  {failure}");
    }
    Ok(Outcome {
        figures: json!({
            "mode": "restart",
            "attendees": n,
            "votes_acknowledged": votes,
            "serving_again_ms": serving_after.as_secs_f64() * 1000.0,
            "clients_back": back.len(),
            "all_back_seconds_after_kill": all_back.as_secs_f64(),
            "back_after_kill": Spread::of(back),
            "votes_kept": kept_vote,
            "tally_after_restart": tally.faster,
            "failures": failures,
        }),
        failures,
    })
}
