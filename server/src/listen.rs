//! The accept loop: HTTP/1.1 connections (WebSocket upgrades included), each from an
//! address with a bounded number open at once, each dropped if it takes too long to
//! send a request's headers or sits idle between requests, and all of them asked to
//! finish when the server stops.
//!
//! axum's own `serve` sets no header timeout: 200 half-sent requests would hold 200
//! sockets (of the process's 20,000) for as long as their sender likes.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// How connections are bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// A request's headers must arrive within this, and so must the next request on a
    /// kept-alive connection.
    pub header_timeout: Duration,
    /// Connections one address may hold open at once (HTTP and live sockets): a campus
    /// behind one NAT has a socket and a kept-alive connection or two per attendee.
    pub open_per_address: usize,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            open_per_address: 5_000,
        }
    }
}

/// Open connections per address. A std mutex: held for one map update, never across
/// an `.await`.
#[derive(Default)]
struct OpenConnections(Mutex<HashMap<IpAddr, usize>>);

impl OpenConnections {
    /// Counts a new connection from `address`, unless it already has `limit` open.
    fn admit(self: &Arc<Self>, address: IpAddr, limit: usize) -> Option<Admitted> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(address).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Admitted {
            open: self.clone(),
            address,
        })
    }
}

/// One admitted connection; uncounted when dropped.
struct Admitted {
    open: Arc<OpenConnections>,
    address: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// Serves `router` on `listener` until `signal` resolves, then stops accepting, lets
/// requests in flight finish (upgraded live sockets are the hub's to close), and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ConnectionSettings,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(OpenConnections::default());
    // Every connection task holds a receiver; the sender's `closed()` says they are done.
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut signal = std::pin::pin!(signal);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors, say: wait a moment instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let Some(admitted) = open.admit(peer.ip(), settings.open_per_address) else {
            metrics::counter!("lectern_connections_refused_total").increment(1);
            drop(tcp);
            continue;
        };
        // Live messages are small and must go at once: no Nagle delay.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        let router = router.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _admitted = admitted;
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                router.clone().oneshot(req)
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(settings.header_timeout)
                .keep_alive(true)
                .serve_connection(TokioIo::new(tcp), service)
                .with_upgrades();
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(e) = served {
                        tracing::trace!(error = %e, "connection ended");
                    }
                    return;
                }
                _ = stop.wait_for(|stopping| *stopping) => {}
            }
            connection.as_mut().graceful_shutdown();
            if let Err(e) = connection.await {
                tracing::trace!(error = %e, "connection ended while stopping");
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(stop_rx);
    stop_tx.closed().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_limit_and_gets_them_back_as_they_close() {
        let open = Arc::new(OpenConnections::default());
        let campus: IpAddr = "10.0.0.1".parse().unwrap();
        let held: Vec<Admitted> = (0..3).map(|_| open.admit(campus, 3).unwrap()).collect();
        assert!(open.admit(campus, 3).is_none());
        assert!(
            open.admit("10.0.0.2".parse().unwrap(), 3).is_some(),
            "others are not affected"
        );
        drop(held);
        let again = open.admit(campus, 3);
        assert!(again.is_some());
        assert_eq!(open.0.lock().unwrap().get(&campus), Some(&1));
        drop(again);
        assert_eq!(
            open.0.lock().unwrap().get(&campus),
            None,
            "forgotten when none are open"
        );
    }
}
