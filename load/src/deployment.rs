//! The deployment of one run: `lectern` servers on a fresh database of the run's own
//! (SQLite in a temporary folder, or a PostgreSQL database made and dropped), with the
//! event created on the command line.

use crate::client::{self, Ws};
use crate::server::{self, Server};
use anyhow::{Context, bail};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// The servers of one run, on one fresh database, with the event made.
pub struct Deployment {
    _dir: tempfile::TempDir,
    pub servers: Vec<Server>,
    bin: std::path::PathBuf,
    database_url: String,
    /// Every event of the run (slug, presenter's token); the first is "the" event.
    events: Vec<(String, String)>,
}

impl Deployment {
    pub async fn start(
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
            bin: bin.to_path_buf(),
            database_url,
            events: vec![(slug, presenter_token)],
        })
    }

    /// Makes more events (with `lectern event create`, while the servers run), until
    /// the run has `total`.
    pub async fn add_events(&mut self, total: usize) -> anyhow::Result<()> {
        let public_url = format!("http://{}", self.servers[0].addr);
        while self.events.len() < total {
            let event = server::create_event(&self.bin, &self.database_url, &public_url).await?;
            self.events.push(event);
        }
        Ok(())
    }

    pub fn live_path(&self) -> String {
        self.live_path_of(0)
    }

    /// The live socket's path of event `event`.
    pub fn live_path_of(&self, event: usize) -> String {
        format!("/e/{}/live", self.events[event].0)
    }

    pub fn rss(&self) -> u64 {
        self.servers.iter().filter_map(Server::rss_bytes).sum()
    }

    pub fn cpu(&self) -> Duration {
        self.servers.iter().filter_map(Server::cpu_time).sum()
    }

    /// The presenter's socket, on the last replica (attendees start on the first).
    pub async fn presenter(&self) -> anyhow::Result<Ws> {
        self.presenter_of(0).await
    }

    /// The presenter's socket of event `event`.
    pub async fn presenter_of(&self, event: usize) -> anyhow::Result<Ws> {
        self.presenter_door(event).await?.open().await
    }

    /// What opens the presenter's socket of event `event` (signed in, not yet
    /// connected): it can be opened on another runtime, see [`crate::apart`].
    pub async fn presenter_door(&self, event: usize) -> anyhow::Result<PresenterDoor> {
        let server = self.servers.last().context("no server")?;
        Ok(PresenterDoor {
            addr: server.addr,
            cookie: server::presenter_cookie(server.addr, &self.events[event].1).await?,
            path: format!("{}?as=presenter", self.live_path_of(event)),
        })
    }
}

/// A presenter signed in, whose socket is not open yet.
pub struct PresenterDoor {
    addr: SocketAddr,
    cookie: String,
    path: String,
}

impl PresenterDoor {
    pub async fn open(&self) -> anyhow::Result<Ws> {
        let (ws, _) = client::connect(self.addr, None, &self.path, Some(&self.cookie)).await?;
        Ok(ws)
    }
}

/// A PostgreSQL database of the run's own.
pub struct TempPostgres {
    server: String,
    name: String,
    pub url: String,
}

impl TempPostgres {
    pub async fn create(server: &str) -> anyhow::Result<Self> {
        let name = format!("lectern_load_{}", uuid::Uuid::new_v4().simple());
        psql(server, &format!("create database {name}")).await?;
        Ok(Self {
            server: server.to_string(),
            url: format!("{server}/{name}"),
            name,
        })
    }

    pub async fn drop_it(self) {
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
