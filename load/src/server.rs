//! The servers under test: `lectern` processes this tool starts, watches and kills, and
//! the few plain HTTP requests it makes of them.

use anyhow::{Context, bail};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// One `lectern serve` process.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    bin: PathBuf,
    database_url: String,
    dir: PathBuf,
}

impl Server {
    /// Starts a server and waits until `/healthz` answers.
    pub async fn start(
        bin: &Path,
        database_url: &str,
        addr: SocketAddr,
        dir: &Path,
    ) -> anyhow::Result<Self> {
        let child = spawn(bin, database_url, addr, dir)?;
        let mut server = Self {
            child,
            addr,
            bin: bin.to_path_buf(),
            database_url: database_url.to_string(),
            dir: dir.to_path_buf(),
        };
        server.wait_healthy(Duration::from_secs(30)).await?;
        Ok(server)
    }

    /// Waits until `/healthz` says ok; gives how long that took.
    pub async fn wait_healthy(&mut self, patience: Duration) -> anyhow::Result<Duration> {
        let started = Instant::now();
        while started.elapsed() < patience {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server at {} exited: {status}", self.addr);
            }
            if let Ok((200, _, _)) = http_get(self.addr, "/healthz", None).await {
                return Ok(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        bail!(
            "the server at {} did not become healthy in {patience:?}",
            self.addr
        )
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The server's resident memory, in bytes.
    pub fn rss_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb * 1024)
    }

    /// CPU time the server has used so far (user + system).
    pub fn cpu_time(&self) -> Option<Duration> {
        cpu_time_of(&self.pid()?.to_string())
    }

    /// `kill -9`: no goodbye, no flush.
    pub async fn kill_hard(&mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// Starts the same server again (same address, same database), as a supervisor would.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.child = spawn(&self.bin, &self.database_url, self.addr, &self.dir)?;
        Ok(())
    }
}

/// CPU time (user + system) of process `pid` (or `self`) so far, from /proc.
pub fn cpu_time_of(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports in USER_HZ, 100 per second on every common configuration.
    Some(Duration::from_millis(ticks * 10))
}

fn spawn(bin: &Path, database_url: &str, addr: SocketAddr, dir: &Path) -> anyhow::Result<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("server-{}.log", addr.port())))?;
    Command::new(bin)
        .arg("serve")
        .arg("--addr")
        .arg(addr.to_string())
        .arg("--database-url")
        .arg(database_url)
        .arg("--site-root")
        .arg(dir.join("site"))
        // Every simulated attendee comes from this one machine: the per-address flood
        // limits, sized for a campus behind one NAT, would cut a 10,000-strong crowd.
        .args(["--connections-per-address", "1000000/1000000"])
        .args(["--actions-per-address", "1000000/1000000"])
        .args(["--open-connections-per-address", "1000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))
}

/// Creates the Dask tutorial event with `lectern event create`; gives its slug and the
/// presenter's role token.
pub async fn create_event(
    bin: &Path,
    database_url: &str,
    public_url: &str,
) -> anyhow::Result<(String, String)> {
    let event_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/dask-tutorial.toml");
    let output = Command::new(bin)
        .args(["event", "create", "--file"])
        .arg(&event_file)
        .arg("--database-url")
        .arg(database_url)
        .arg("--public-url")
        .arg(public_url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .context("running lectern event create")?;
    if !output.status.success() {
        bail!(
            "lectern event create failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let links: serde_json::Value = serde_json::from_slice(&output.stdout)
        .context("reading the links lectern event create printed")?;
    let slug = links["slug"].as_str().context("no slug")?.to_string();
    let token = links["presenter"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .context("no presenter link")?
        .to_string();
    Ok((slug, token))
}

/// A plain HTTP/1.1 GET over loopback: status, headers (lower-cased names), body.
pub async fn http_get(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> anyhow::Result<(u16, Vec<(String, String)>, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n")
                .as_bytes(),
        )
        .await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .context("no HTTP status line")?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers, body.to_string()))
}

/// The `name=value` part of the session cookie a response sets.
pub fn session_cookie(headers: &[(String, String)]) -> Option<String> {
    cookie_named(headers, "lectern_session")
}

/// The `name=value` part of the cookie `name` a response sets.
pub fn cookie_named(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| {
            v.split(';').next().filter(|c| {
                c.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('='))
            })
        })
        .map(str::to_string)
}

/// Opens the presenter's role link and gives the session cookie it grants.
pub async fn presenter_cookie(addr: SocketAddr, token: &str) -> anyhow::Result<String> {
    let (status, headers, _) = http_get(addr, &format!("/r/{token}"), None).await?;
    if status != 303 && status != 302 && status != 307 {
        bail!("the presenter link answered {status}");
    }
    session_cookie(&headers).context("the presenter link set no session cookie")
}
