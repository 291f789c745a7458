//! `idle`: connections held open, to measure the server's memory per connection.

use crate::client::{self, Ws};
use crate::crowd::{Joined, join};
use crate::deployment::Deployment;
use crate::{Cli, Outcome, PATIENCE, mib};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::time::Instant;

pub async fn idle(
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
    let mut view = client::first_snapshot(&mut presenter, PATIENCE).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before = deployment.rss();
    let sources = n.div_ceil(40_000);
    println!("holding {n} idle connections from {sources} source address(es), in two halves…");
    let dropped = Arc::new(AtomicUsize::new(0));
    let hold = {
        let dropped = dropped.clone();
        move |_, mut ws: Ws, _, _| {
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
        false,
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
        false,
        hold,
    )
    .await;
    let joined = Joined {
        took: first.took + second.took,
        failures: first.failures.into_iter().chain(second.failures).collect(),
        tasks: first.tasks.into_iter().chain(second.tasks).collect(),
        pages: Vec::new(),
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
                if let client::Taken::Tally(tally) = view.take(&seen) {
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
