//! `burst` (and `replicas`): every attendee votes within a window, then answers a poll,
//! while the presenter's client records when each change becomes visible.

use crate::client::{self, Seen, Taken, Tally, View, Ws};
use crate::crowd::join;
use crate::deployment::Deployment;
use crate::report::{Spread, visible_at};
use crate::{Cli, Outcome, PATIENCE, mib, server, wait_for};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Round {
    Wait,
    Vote(Instant),
    /// Answer the poll with this id.
    Answer(Instant, uuid::Uuid),
    Stop,
}

/// What one client recorded over a run.
#[derive(Debug, Default)]
pub(crate) struct Log {
    pub(crate) vote_sent: Option<Instant>,
    pub(crate) vote_acked: Option<Instant>,
    pub(crate) answer_sent: Option<Instant>,
    pub(crate) answer_acked: Option<Instant>,
    /// Every snapshot whose figures differ from the one before.
    pub(crate) tallies: Vec<Tally>,
    pub(crate) errors: Vec<String>,
}

/// Shared counters the run waits on.
#[derive(Default)]
pub(crate) struct Progress {
    pub(crate) frames: AtomicU64,
    /// Deltas that did not follow on from the page's state (each page then resyncs).
    pub(crate) gaps: AtomicU64,
    pub(crate) saw_all_votes: AtomicUsize,
    pub(crate) saw_all_answers: AtomicUsize,
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One client through the rounds: it votes and answers the poll at its moment of each round
/// (attendees only) and records every change of the figures it is shown.
pub(crate) async fn client_task(
    mut ws: Ws,
    mut view: View,
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
                let tally = match view.take(&seen) {
                    Taken::Tally(tally) => Some(tally),
                    Taken::Nothing => None,
                    Taken::Gap => {
                        progress.gaps.fetch_add(1, Ordering::Relaxed);
                        if let Err(e) = client::resync(&mut ws).await {
                            log.errors.push(format!("resync: {e}"));
                        }
                        None
                    }
                };
                if let Some(tally) = tally {
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

/// Latencies from sending to becoming visible: to one watcher (the presenter), and to
/// every attendee (the moment the last of them saw it). Also how many were never seen.
pub(crate) struct Visibility {
    pub(crate) presenter: Spread,
    pub(crate) everyone: Spread,
    pub(crate) unseen_by_presenter: usize,
    pub(crate) unseen_by_someone: usize,
}

pub(crate) fn visibility(
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

pub async fn burst(
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
        View::default(),
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
            cli.page_first,
            move |i, ws, _, view| {
                let offset = within.mul_f64(i as f64 / n.max(1) as f64);
                client_task(ws, view, n, Some(offset), rounds.clone(), progress.clone())
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
    let bytes_before = client::BYTES_IN.load(Ordering::Relaxed);
    let state_before = (
        client::STATE_MESSAGES_IN.load(Ordering::Relaxed),
        client::STATE_BYTES_IN.load(Ordering::Relaxed),
    );
    let vote_start = Instant::now() + Duration::from_millis(100);
    round.send_replace(Round::Vote(vote_start));
    let everyone = connected + 1;
    let all_saw_votes = wait_for(within + PATIENCE, || {
        progress.saw_all_votes.load(Ordering::Relaxed) >= everyone
    })
    .await;
    let vote_end = Instant::now();
    let frames_votes = progress.frames.load(Ordering::Relaxed) - frames_before;
    let bytes_votes = client::BYTES_IN.load(Ordering::Relaxed) - bytes_before;
    let state_messages = client::STATE_MESSAGES_IN.load(Ordering::Relaxed) - state_before.0;
    let state_bytes = client::STATE_BYTES_IN.load(Ordering::Relaxed) - state_before.1;
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
    let mean_message = bytes_votes as f64 / frames_votes.max(1) as f64;
    let mean_change = state_bytes as f64 / state_messages.max(1) as f64;
    let cpu_per_message = cpu_votes.as_secs_f64() * 1e6 / frames_votes.max(1) as f64;
    println!(
        "  mean message {mean_message:.0} B; a change of state (snapshot or delta) {mean_change:.0} B over {state_messages}; gaps resynced: {}",
        progress.gaps.load(Ordering::Relaxed)
    );
    println!(
        "  CPU during the burst: server {:.2} s ({cpu_per_message:.1} µs per message sent), this tool {:.2} s, over {burst_secs:.2} s on {} cores",
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
            "joins_load_the_page_first": cli.page_first,
            "page_get": spread(&crate::report::Spread::of(joined.pages.clone())),
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
            "mean_message_bytes": mean_message,
            "mean_state_change_bytes": mean_change,
            "server_cpu_us_per_message": cpu_per_message,
            "gaps_resynced": progress.gaps.load(Ordering::Relaxed),
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
