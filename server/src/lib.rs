//! The `lectern` server: configuration, the HTTP router, the WebSocket transport and
//! the command line. The app's pages, domain rules, store and hub live in the `app`
//! crate; this crate wires them to the network.

#![recursion_limit = "256"]

pub mod cli;
pub mod config;
pub mod http;
pub mod listen;
pub mod origin;
pub mod pages;
pub mod register;
pub mod site;
pub mod state;
pub mod telemetry;
pub mod ws;

use anyhow::Context;
use app::core::Core;
use app::core::limits::LimitSettings;
use app::core::mailer::{MailSettings, Mailer};
use app::core::store::{SqliteSynchronous, Store};
use config::{DatabaseArgs, ServeArgs};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::net::TcpListener;

/// What a running server needs to know beyond its listener.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    /// On SQLite: what a commit survives.
    pub sqlite_synchronous: SqliteSynchronous,
    pub site_root: PathBuf,
    pub public_url: Option<String>,
    pub secure_cookies: bool,
    /// The rate limits for floods.
    pub limits: LimitSettings,
    /// Slow headers and open connections per address.
    pub connections: listen::ConnectionSettings,
    /// Where emails to registrants go out (none: emails are off).
    pub mail: MailSettings,
}

/// A server bound to its listener and connected to its database, ready to run.
pub struct Lectern {
    /// The shared core, also handy for tests that arrange data directly.
    pub core: Core,
    listener: TcpListener,
    router: axum::Router,
    connections: listen::ConnectionSettings,
}

impl Lectern {
    /// Connects to (and migrates) the database and builds the router.
    pub async fn build(listener: TcpListener, settings: Settings) -> anyhow::Result<Self> {
        config::ensure_sqlite_dir(&settings.database_url).context("creating the data folder")?;
        let store = Store::connect_with(&settings.database_url, settings.sqlite_synchronous)
            .await
            .context("opening the database")?;
        telemetry::metrics();
        let mailer = Mailer::new(&settings.mail).map_err(anyhow::Error::msg)?;
        let core = Core::open(
            store,
            settings.public_url.clone(),
            settings.limits,
            settings.secure_cookies,
            mailer,
        )
        .await
        .context("reading the deployment's keys")?;
        Mailer::run(&core);
        // Names and addresses go `keep_days` after their event; an hour late is fine.
        core.forget_registrants_in_background(std::time::Duration::from_secs(3600));
        app::core::hub::replicas::start(&core.hub)
            .await
            .context("following the other replicas")?;
        let addr = listener.local_addr()?;
        let router = http::router(core.clone(), &settings, addr).await?;
        Ok(Self {
            core,
            listener,
            router,
            connections: settings.connections,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `signal` resolves, then stops accepting, tells live pages to
    /// reconnect elsewhere, and lets requests in flight finish.
    pub async fn run(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let core = self.core.clone();
        let hub = self.core.hub.clone();
        listen::serve(self.listener, self.router, self.connections, async move {
            signal.await;
            tracing::info!("shutting down: closing live connections");
            core.stopping();
        })
        .await?;
        // Live sockets outlive the HTTP server: let them say goodbye and finish what they
        // were writing before the process ends.
        if !hub.drained(Duration::from_secs(10)).await {
            tracing::warn!("live pages still open after 10 s; stopping anyway");
        }
        Ok(())
    }
}

/// `lectern serve`: binds, prints where to go next, and serves until SIGTERM or Ctrl-C.
pub async fn serve(db: DatabaseArgs, args: ServeArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let settings = Settings {
        database_url: db.database_url,
        sqlite_synchronous: db.sqlite_synchronous,
        site_root: args.site_root.clone(),
        public_url: args.public_url.clone(),
        secure_cookies: args.secure_cookies,
        limits: args.limits(),
        connections: args.connections(),
        mail: args.mail(),
    };
    let server = Lectern::build(listener, settings).await?;
    let base = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr));
    println!("Lectern is running at {base}");
    if server.core.store.organizer_count().await? == 0 {
        println!("  First time? Create the organizer account at {base}/setup");
    } else {
        println!("  Organizers sign in at {base}/signin");
    }
    if args.demo {
        let links = cli::create_demo_event(&server.core, &base).await?;
        println!(
            "  Demo event (the Dask tutorial):\n{}",
            serde_json::to_string_pretty(&links)?
        );
    }
    let store = server.core.store.clone();
    server.run(shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
