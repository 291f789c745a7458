//! Joining a crowd: thousands of attendees connecting at once, from many loopback source
//! addresses, each reading its socket from the moment it is in.

use crate::PATIENCE;
use crate::client::{self, View, Ws};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Attendees that connected, each already running its task.
pub struct Joined<T> {
    pub tasks: Vec<tokio::task::JoinHandle<T>>,
    pub failures: Vec<String>,
    pub took: Duration,
    /// How long each page GET took (real joins only).
    pub pages: Vec<Duration>,
}

impl<T> Joined<T> {
    /// Prints how the connecting went and notes failures; gives how many connected.
    pub fn report(&self, wanted: usize, failures: &mut Vec<String>) -> usize {
        let connected = self.tasks.len();
        println!(
            "  {connected} connected in {:.2} s ({:.0} per second), {} failed",
            self.took.as_secs_f64(),
            connected as f64 / self.took.as_secs_f64(),
            self.failures.len()
        );
        if !self.pages.is_empty() {
            println!(
                "  each first loaded the page: {}",
                crate::report::Spread::of(self.pages.clone())
            );
        }
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
/// `each` starts reading its socket (from the view that snapshot gave). With
/// `page_first`, each first GETs the event's page, as a browser does, and opens its
/// socket with the attendee cookie the page gave it (a real join). (a page that stops reading is dropped by the server).
pub async fn join<T, F, Fut>(
    servers: &[SocketAddr],
    path: &str,
    n: usize,
    spread_sources: Option<usize>,
    concurrency: usize,
    page_first: bool,
    each: F,
) -> Joined<T>
where
    T: Send + 'static,
    F: Fn(usize, Ws, Option<String>, View) -> Fut + Clone + Send + Sync + 'static,
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
                let mut page = None;
                let mut cookie = None;
                if page_first {
                    let asked = Instant::now();
                    let page_path = path.trim_end_matches("/live");
                    let (status, headers, _) =
                        crate::server::http_get(server, page_path, None).await?;
                    anyhow::ensure!(status == 200, "the page answered {status}");
                    page = Some(asked.elapsed());
                    cookie = crate::server::cookie_named(&headers, "lectern_attendee");
                }
                let (mut ws, set) =
                    client::connect(server, source, &path, cookie.as_deref()).await?;
                let cookie = cookie.or(set);
                let view = client::first_snapshot(&mut ws, PATIENCE).await?;
                anyhow::Ok((tokio::spawn(each(i, ws, cookie, view)), page))
            }
            .await;
            (i, result)
        });
    }
    let mut tasks = Vec::with_capacity(n);
    let mut pages = Vec::new();
    let mut failures = Vec::new();
    while let Some(done) = connecting.join_next().await {
        match done {
            Ok((_, Ok((task, page)))) => {
                tasks.push(task);
                pages.extend(page);
            }
            Ok((i, Err(e))) => failures.push(format!("attendee {i}: {e:#}")),
            Err(e) => failures.push(format!("a connecting task failed: {e}")),
        }
    }
    Joined {
        tasks,
        failures,
        took: started.elapsed(),
        pages,
    }
}
