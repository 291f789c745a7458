//! `restart`: attendees vote, the server is killed with SIGKILL and started again, and
//! every client comes back by itself and must find its vote.

use crate::client::{self, Seen, Ws};
use crate::crowd::join;
use crate::deployment::Deployment;
use crate::report::Spread;
use crate::{Cli, Outcome, PATIENCE, wait_for};
use anyhow::bail;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::time::Instant;

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

pub async fn restart(cli: &Cli, deployment: &mut Deployment, n: usize) -> anyhow::Result<Outcome> {
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
            cli.page_first,
            move |i, ws, cookie, _| {
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
