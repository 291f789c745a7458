//! The command line and environment: every setting has a flag and an env variable.

use crate::listen::ConnectionSettings;
use app::core::limits::LimitSettings;
use app::core::store::SqliteSynchronous;
use app::domain::limit::Rate;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The default database: SQLite in ./data, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/lectern.db?mode=rwc";

#[derive(Debug, Parser)]
#[command(
    name = "lectern",
    version,
    about = "The live companion for virtual tutorials"
)]
pub struct Cli {
    #[command(flatten)]
    pub db: DatabaseArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default when no command is given).
    Serve,
    /// Manage organizer accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage events.
    #[command(subcommand)]
    Event(EventCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an organizer account. The password is read from LECTERN_PASSWORD or,
    /// if that is unset, from the first line of standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Create an event from a TOML file and print its three links as JSON.
    Create {
        #[arg(long)]
        file: PathBuf,
        /// File it under a series of this team (by name; it must exist). Without it the
        /// event is in no series, and every organizer can see it.
        #[arg(long)]
        team: Option<String>,
        /// The series (the recurring tutorial) within the team; the event's title if unset.
        #[arg(long, requires = "team")]
        series: Option<String>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Where Lectern keeps its data: sqlite://path?mode=rwc
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// On SQLite, what a commit survives: `full` a power cut (each commit waits for the
    /// disk), `normal` a crash of the process only (the last commits before a power cut
    /// may be lost; commits do not wait). PostgreSQL keeps its own settings.
    #[arg(long, env = "LECTERN_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = parse_synchronous, global = true)]
    pub sqlite_synchronous: SqliteSynchronous,
}

fn parse_synchronous(raw: &str) -> Result<SqliteSynchronous, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "full" => Ok(SqliteSynchronous::Full),
        "normal" => Ok(SqliteSynchronous::Normal),
        other => Err(format!("{other:?}: use full or normal")),
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(
        long,
        env = "LECTERN_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,
    /// The built site (wasm, JS, CSS, assets) that `scripts/build-site` writes.
    #[arg(
        long,
        env = "LECTERN_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,
    /// The address people reach Lectern at, used in the links it hands out
    /// (default: whatever host the request came to, over http).
    #[arg(long, env = "LECTERN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Mark cookies Secure: set this when Lectern is served over HTTPS.
    #[arg(
        long,
        env = "LECTERN_SECURE_COOKIES",
        default_value_t = false,
        global = true
    )]
    pub secure_cookies: bool,
    /// Create a demo event (the Dask tutorial from examples/) and print its links.
    #[arg(long, default_value_t = false, global = true)]
    pub demo: bool,
    /// Live connections one address may open: BURST/PER_SECOND. Sized for a campus lab
    /// behind one NAT; raise it for load tests from a single machine.
    #[arg(long, env = "LECTERN_CONNECTIONS_PER_ADDRESS", default_value_t = LimitSettings::default().connections_per_address, value_parser = parse_rate, global = true)]
    pub connections_per_address: Rate,
    /// Actions (votes, answers, check-ins, questions) one address may send: BURST/PER_SECOND.
    #[arg(long, env = "LECTERN_ACTIONS_PER_ADDRESS", default_value_t = LimitSettings::default().actions_per_address, value_parser = parse_rate, global = true)]
    pub actions_per_address: Rate,
    /// Actions one attendee may send: BURST/PER_SECOND.
    #[arg(long, env = "LECTERN_ACTIONS_PER_ATTENDEE", default_value_t = LimitSettings::default().actions_per_attendee, value_parser = parse_rate, global = true)]
    pub actions_per_attendee: Rate,
    /// Live messages this server sends out a second at most, over every room's
    /// broadcast: sending faster starves the pages' own work (docs/BENCHMARKS.md).
    #[arg(long, env = "LECTERN_FAN_OUT_PER_SECOND", default_value_t = LimitSettings::default().fan_out_per_second, global = true)]
    pub fan_out_per_second: u32,
    /// Connections (pages' HTTP and live sockets) one address may hold open at once.
    #[arg(long, env = "LECTERN_OPEN_CONNECTIONS_PER_ADDRESS", default_value_t = ConnectionSettings::default().open_per_address, global = true)]
    pub open_connections_per_address: usize,
    /// Seconds a request's headers (and the next request on a kept-alive connection)
    /// may take to arrive before the connection is dropped.
    #[arg(long, env = "LECTERN_HEADER_TIMEOUT", default_value_t = ConnectionSettings::default().header_timeout.as_secs(), global = true)]
    pub header_timeout_secs: u64,
    /// The mail server for registrants' emails: `smtp://host:2525` (plain),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465`.
    /// Unset: registration works and nothing is emailed.
    #[arg(long, env = "LECTERN_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// The emails' sender, e.g. `Dask tutorials <tutorials@example.org>`.
    #[arg(long, env = "LECTERN_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
}

impl ServeArgs {
    pub fn limits(&self) -> LimitSettings {
        LimitSettings {
            connections_per_address: self.connections_per_address,
            actions_per_address: self.actions_per_address,
            actions_per_attendee: self.actions_per_attendee,
            fan_out_per_second: self.fan_out_per_second.max(1),
        }
    }

    pub fn mail(&self) -> app::core::mailer::MailSettings {
        app::core::mailer::MailSettings {
            smtp_url: self.smtp_url.clone(),
            from: self.mail_from.clone(),
        }
    }

    pub fn connections(&self) -> ConnectionSettings {
        ConnectionSettings {
            header_timeout: std::time::Duration::from_secs(self.header_timeout_secs.max(1)),
            open_per_address: self.open_connections_per_address.max(1),
        }
    }
}

/// `1000/50`: a burst of 1000, refilling at 50 a second.
fn parse_rate(raw: &str) -> Result<Rate, String> {
    let (burst, per_second) = raw
        .split_once('/')
        .ok_or_else(|| format!("{raw:?}: write BURST/PER_SECOND, e.g. 1000/50"))?;
    let burst: u32 = burst
        .trim()
        .parse()
        .map_err(|_| format!("{burst:?} is not a whole number"))?;
    let per_second: f64 = per_second
        .trim()
        .parse()
        .map_err(|_| format!("{per_second:?} is not a number"))?;
    if burst == 0 || !(per_second > 0.0 && per_second.is_finite()) {
        return Err("both the burst and the rate must be above zero".into());
    }
    Ok(Rate::new(burst, per_second))
}

/// Makes the folder a `sqlite://` URL points into, so a first start needs no setup.
pub fn ensure_sqlite_dir(database_url: &str) -> std::io::Result<()> {
    let Some(rest) = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
    else {
        return Ok(());
    };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match PathBuf::from(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_command_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["lectern"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.db.database_url, DEFAULT_DATABASE_URL);
    }

    #[test]
    fn event_create_takes_a_file() {
        let cli = Cli::try_parse_from(["lectern", "event", "create", "--file", "x.toml"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Event(EventCommand::Create { .. }))
        ));
    }

    #[test]
    fn serve_flags_work_before_and_after_the_command() {
        let after = Cli::try_parse_from(["lectern", "serve", "--addr", "127.0.0.1:4000"]).unwrap();
        let before = Cli::try_parse_from(["lectern", "--addr", "127.0.0.1:4000", "serve"]).unwrap();
        assert_eq!(after.serve.addr, before.serve.addr);
        assert_eq!(after.serve.addr.port(), 4000);
    }
}
