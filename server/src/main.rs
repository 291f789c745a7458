#![recursion_limit = "256"]

//! `lectern`: serve the app, or manage organizers and events from the command line.

use clap::Parser;
use lectern::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    lectern::telemetry::init();
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Serve) => lectern::serve(cli.db, cli.serve).await,
        Some(Command::User(command)) => lectern::cli::user(cli.db, command).await,
        Some(Command::Event(command)) => lectern::cli::event(cli.db, cli.serve, command).await,
    }
}
