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
    slug: String,
    presenter_token: String,
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
            slug,
            presenter_token,
        })
    }

    pub fn live_path(&self) -> String {
        format!("/e/{}/live", self.slug)
    }

    pub fn rss(&self) -> u64 {
        self.servers.iter().filter_map(Server::rss_bytes).sum()
    }

    pub fn cpu(&self) -> Duration {
        self.servers.iter().filter_map(Server::cpu_time).sum()
    }

    /// The presenter's socket, on the last replica (attendees start on the first).
    pub async fn presenter(&self) -> anyhow::Result<Ws> {
        let server = self.servers.last().context("no server")?;
        let cookie = server::presenter_cookie(server.addr, &self.presenter_token).await?;
        let path = format!("{}?as=presenter", self.live_path());
        let (ws, _) = client::connect(server.addr, None, &path, Some(&cookie)).await?;
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
