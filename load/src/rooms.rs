//! `rooms`: a campus deployment (seed 002: many classes on one deployment): many events
//! at once, each with its presenter and its attendees, every attendee of every room
//! voting within the same window: attendee i of every room at the same instant (a wave of
//! one vote per room every 40 ms), or with `--staggered` each room's votes shifted by its
//! share of that gap. Every room's figures are measured on their own: the slowest room is
//! the one that counts.

use crate::apart::Apart;
use crate::burst::{Log, Progress, Round, client_task, visibility};
use crate::client::{self, View};
use crate::crowd::join;
use crate::deployment::Deployment;
use crate::report::Spread;
use crate::{Cli, Outcome, PATIENCE, mib, server, wait_for};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

pub async fn rooms(
    cli: &Cli,
    deployment: &mut Deployment,
    rooms: usize,
    per_room: usize,
    within_secs: f64,
    staggered: bool,
) -> anyhow::Result<Outcome> {
    let mut failures = Vec::new();
    let within = Duration::from_secs_f64(within_secs);
    println!("making {rooms} events…");
    deployment.add_events(rooms).await?;
    let rss_before = deployment.rss();
    let addrs: Vec<SocketAddr> = deployment.servers.iter().map(|s| s.addr).collect();
    let progress = Arc::new(Progress::default());
    let (round, rounds) = watch::channel(Round::Wait);
    println!("joining {per_room} attendees and a presenter in each of {rooms} rooms…");
    let started = Instant::now();
    let mut presenters = Vec::with_capacity(rooms);
    let mut attendees = Vec::with_capacity(rooms);
    let mut connect_failures = 0;
    let apart = if cli.presenters_apart {
        Some(Apart::start()?)
    } else {
        None
    };
    // A campus's tutorials are live: each room's pace is sampled and stored, as in a
    // real one (an event not started would skip that work).
    println!("starting the {rooms} events…");
    let mut doors = Vec::with_capacity(rooms);
    for room in 0..rooms {
        let door = deployment.presenter_door(room).await?;
        let mut ws = door.open().await?;
        client::start_event(&mut ws, PATIENCE).await?;
        let _ = ws.close(None).await;
        doors.push(door);
    }
    for (room, door) in doors.into_iter().enumerate() {
        let (its_rounds, its_progress) = (rounds.clone(), progress.clone());
        let presenter = async move {
            let ws = door.open().await?;
            let log = client_task(
                ws,
                View::default(),
                per_room,
                None,
                its_rounds,
                its_progress,
            );
            anyhow::Ok(log.await)
        };
        presenters.push(match &apart {
            Some(apart) => apart.spawn(presenter),
            None => tokio::spawn(presenter),
        });
        let (rounds, progress) = (rounds.clone(), progress.clone());
        let joined = join(
            &addrs,
            &deployment.live_path_of(room),
            per_room,
            None,
            cli.connect_concurrency,
            cli.page_first,
            move |i, ws, _, view| {
                let shift = if staggered {
                    room as f64 / rooms as f64
                } else {
                    0.0
                };
                let offset = within.mul_f64((i as f64 + shift) / per_room.max(1) as f64);
                client_task(
                    ws,
                    view,
                    per_room,
                    Some(offset),
                    rounds.clone(),
                    progress.clone(),
                )
            },
        )
        .await;
        connect_failures += joined.failures.len();
        for failure in joined.failures.iter().take(2) {
            eprintln!("  room {room}: {failure}");
        }
        attendees.push(joined.tasks);
    }
    let connected: usize = attendees.iter().map(Vec::len).sum();
    println!(
        "  {connected} attendees and {rooms} presenters connected in {:.2} s, {connect_failures} failed",
        started.elapsed().as_secs_f64()
    );
    if connect_failures > 0 {
        failures.push(format!("{connect_failures} attendees could not connect"));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_connected = deployment.rss();

    println!("burst: every attendee of every room votes within {within_secs} s…");
    let cpu_before = deployment.cpu();
    let tool_cpu_before = server::cpu_time_of("self").unwrap_or_default();
    let frames_before = progress.frames.load(Ordering::Relaxed);
    let vote_start = Instant::now() + Duration::from_millis(100);
    round.send_replace(Round::Vote(vote_start));
    let everyone = connected + rooms;
    let all_saw = wait_for(within + PATIENCE, || {
        progress.saw_all_votes.load(Ordering::Relaxed) >= everyone
    })
    .await;
    let burst_secs = vote_start.elapsed().as_secs_f64();
    let frames = progress.frames.load(Ordering::Relaxed) - frames_before;
    let cpu = deployment.cpu().saturating_sub(cpu_before);
    let tool_cpu = server::cpu_time_of("self")
        .unwrap_or_default()
        .saturating_sub(tool_cpu_before);
    round.send_replace(Round::Stop);

    // Each room on its own: its presenter, its attendees, its votes.
    let mut worst_presenter = Spread::default();
    let mut worst_everyone = Spread::default();
    let mut presenter_p99s = Vec::with_capacity(rooms);
    let (mut sent_all, mut acked_all, mut counted_all, mut unseen) = (0, 0, 0, 0);
    let mut errors = 0;
    let mut acks = Vec::with_capacity(connected);
    for (presenter, tasks) in presenters.into_iter().zip(attendees) {
        let presenter: Log = presenter.await??;
        let mut logs = Vec::with_capacity(tasks.len());
        for task in tasks {
            logs.push(task.await?);
        }
        errors += presenter.errors.len() + logs.iter().map(|l| l.errors.len()).sum::<usize>();
        let mut sent: Vec<Instant> = logs.iter().filter_map(|l| l.vote_sent).collect();
        sent.sort();
        let seen = |l: &Log| {
            l.tallies
                .iter()
                .map(|t| (t.at, t.faster))
                .collect::<Vec<_>>()
        };
        let room = visibility(
            &sent,
            &seen(&presenter),
            &logs.iter().map(seen).collect::<Vec<_>>(),
        );
        sent_all += sent.len();
        acked_all += logs.iter().filter(|l| l.vote_acked.is_some()).count();
        acks.extend(
            logs.iter()
                .filter_map(|l| Some(l.vote_acked?.saturating_duration_since(l.vote_sent?))),
        );
        counted_all += presenter.tallies.last().map_or(0, |t| t.faster) as usize;
        unseen += room.unseen_by_presenter + room.unseen_by_someone;
        presenter_p99s.push(room.presenter.p99_ms);
        if room.presenter.p99_ms >= worst_presenter.p99_ms {
            worst_presenter = room.presenter;
        }
        if room.everyone.p99_ms >= worst_everyone.p99_ms {
            worst_everyone = room.everyone;
        }
    }
    presenter_p99s.sort_by(f64::total_cmp);
    let median_p99 = presenter_p99s.get(rooms / 2).copied().unwrap_or_default();
    let over_50 = presenter_p99s.iter().filter(|p| **p > 50.0).count();
    println!(
        "\nvotes: {sent_all} sent, {acked_all} acknowledged, {counted_all} counted by the presenters"
    );
    let ack_spread = Spread::of(acks);
    println!("  vote → acknowledged, every room: {ack_spread}");
    println!("  vote → presenter, the slowest room: {worst_presenter}");
    println!(
        "  vote → presenter p99 over the rooms: median {median_p99:.1} ms; {over_50} of {rooms} rooms over 50 ms"
    );
    println!("  vote → every attendee, the slowest room: {worst_everyone}");
    println!(
        "  messages out: {:.0} per second; CPU: server {:.2} s ({:.1} µs per message), this tool {:.2} s over {burst_secs:.2} s",
        frames as f64 / burst_secs,
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / frames.max(1) as f64,
        tool_cpu.as_secs_f64()
    );
    println!(
        "server memory: {:.1} MiB before, {:.1} MiB with everyone connected",
        mib(rss_before),
        mib(rss_connected)
    );
    if acked_all != connected || counted_all != connected || unseen > 0 || !all_saw {
        failures.push(format!(
            "votes lost or unseen: {connected} attendees, {acked_all} acknowledged, {counted_all} counted, {unseen} not seen by someone"
        ));
    }
    if errors > 0 {
        failures.push(format!("{errors} errors reported to clients"));
    }
    let spread = |s: &Spread| serde_json::to_value(s).unwrap_or_default();
    Ok(Outcome {
        figures: json!({
            "mode": "rooms",
            "presenters_apart": cli.presenters_apart,
            "rooms": rooms,
            "attendees_per_room": per_room,
            "staggered": staggered,
            "connected": connected,
            "connect_failures": connect_failures,
            "burst_within_seconds": within_secs,
            "votes_sent": sent_all,
            "votes_acknowledged": acked_all,
            "votes_counted": counted_all,
            "votes_unseen": unseen,
            "vote_to_acknowledged": spread(&ack_spread),
            "vote_to_presenter_slowest_room": spread(&worst_presenter),
            "vote_to_presenter_p99_median_over_rooms_ms": median_p99,
            "rooms_with_presenter_p99_over_50_ms": over_50,
            "vote_to_every_attendee_slowest_room": spread(&worst_everyone),
            "messages_out_per_second": frames as f64 / burst_secs,
            "server_cpu_us_per_message": cpu.as_secs_f64() * 1e6 / frames.max(1) as f64,
            "server_cpu_seconds_during_burst": cpu.as_secs_f64(),
            "load_tool_cpu_seconds_during_burst": tool_cpu.as_secs_f64(),
            "server_rss_connected_mib": mib(rss_connected),
            "errors": errors,
            "failures": failures,
        }),
        failures,
    })
}
