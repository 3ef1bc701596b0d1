//! `cargo xtask test`: the whole suite. Builds the console and the `concord` binary (the
//! end-to-end tests start it as a process), checks PostgreSQL and Redis answer on loopback,
//! then runs every test of the workspace.
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Result, bail};

use crate::bundle::{self, cargo};

const SERVICES: [(&str, &str, &str); 2] = [
    (
        "PostgreSQL 15+",
        "127.0.0.1:5432",
        "pg_ctlcluster 15 main start",
    ),
    ("Redis 7+", "127.0.0.1:6379", "redis-server --daemonize yes"),
];

pub fn run(root: &Path, extra: &[String]) -> Result<()> {
    for (name, address, hint) in SERVICES {
        let address: SocketAddr = address.parse()?;
        if TcpStream::connect_timeout(&address, Duration::from_secs(3)).is_err() {
            bail!("{name} is not answering on {address}: the tests need it (e.g. `{hint}`)");
        }
    }
    bundle::run(root)?;
    run_cargo(
        root,
        &["build", "--package", "concord-api", "--bin", "concord"],
    )?;
    let mut args = vec!["test", "--workspace"];
    args.extend(extra.iter().map(String::as_str));
    run_cargo(root, &args)
}

fn run_cargo(root: &Path, args: &[&str]) -> Result<()> {
    let status = Command::new(cargo())
        .current_dir(root)
        .args(args)
        .env("CONCORD_CONSOLE_DIR", root.join("frontend").join("dist"))
        .status()?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}
