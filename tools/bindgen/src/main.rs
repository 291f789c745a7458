//! `lectern-bindgen`: what the `wasm-bindgen` command does to a bundle (the JavaScript
//! glue for the web, the wasm it loads), done by wasm-bindgen's own library at the
//! version Cargo.lock pins for the app. `scripts/build-site` runs it; a fresh machine
//! then needs no separate `wasm-bindgen-cli` install (4 to 7 minutes of its first run).

use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Binds one browser bundle for the web (ES module glue + wasm)")]
struct Args {
    /// The bundle as cargo built it (target/…/wasm32-unknown-unknown/…/lectern_attendee.wasm).
    input: PathBuf,
    /// Where `<name>.js` and `<name>_bg.wasm` go.
    out_dir: PathBuf,
    /// The files' name.
    #[arg(long)]
    name: String,
    /// Keep Rust's function names in the wasm (readable panics; megabytes more).
    #[arg(long)]
    keep_names: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&args.input)
        .out_name(&args.name)
        .web(true)?
        .typescript(false)
        .remove_name_section(!args.keep_names)
        .remove_producers_section(!args.keep_names)
        .generate(&args.out_dir)
        .with_context(|| format!("binding {}", args.input.display()))
}
