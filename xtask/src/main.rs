//! Project tasks: `cargo xtask <command>`.

mod bundle;
mod start;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  bundle    build the Leptos console for wasm32 and write it to frontend/dist/
  start     bundle the console and run Concord (embedded SQLite unless DATABASE_URL is set)
  test      run the whole test suite (needs PostgreSQL and Redis on loopback, and Chromium)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bundle") => bundle::run(&workspace_root()),
        Some("start") => start::run(&workspace_root()),
        Some("test") => test::run(&workspace_root(), &args[1..]),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => {
            eprint!("unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
        None => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory. Read from the environment that
/// `cargo run` sets first: a build shared between checkouts (one `CARGO_TARGET_DIR`) may
/// have been compiled in another one.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
