#![recursion_limit = "256"]

//! `lectern`: serve the app, or manage organizers and events from the command line.

use clap::Parser;
use lectern::config::{Cli, Command};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    lectern::telemetry::init();
    let cli = Cli::parse();
    let done = match cli.command {
        None | Some(Command::Serve) => lectern::serve(cli.db, cli.serve).await,
        Some(Command::User(command)) => lectern::cli::user(cli.db, command).await,
        Some(Command::Event(command)) => lectern::cli::event(cli.db, cli.serve, command).await,
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        // One line that says what is wrong ("opening the database: … is read-only"), not
        // a backtrace.
        Err(error) => {
            eprintln!("lectern: {error:#}");
            ExitCode::FAILURE
        }
    }
}
