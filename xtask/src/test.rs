//! `cargo xtask test`: the whole suite. Starts PostgreSQL and Redis on loopback when they
//! are not answering, installs Debian's Chromium and the S3 test server when they are
//! missing, builds the console and the `concord` binary (the end-to-end tests start it as a
//! process), then runs every test of the workspace.
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::bundle::{self, cargo};

/// What the suite talks to on loopback, and how it is started when it is not answering.
struct Service {
    name: &'static str,
    address: &'static str,
    start: fn() -> Result<()>,
}

const SERVICES: [Service; 2] = [
    Service {
        name: "PostgreSQL 15+",
        address: "127.0.0.1:5432",
        start: start_postgres,
    },
    Service {
        name: "Redis 7+",
        address: "127.0.0.1:6379",
        start: start_redis,
    },
];

pub fn run(root: &Path, extra: &[String]) -> Result<()> {
    for service in SERVICES {
        ensure_answering(&service)?;
    }
    ensure_browser()?;
    ensure_s3_server()?;
    ensure_smtp_server()?;
    bundle::run(root)?;
    run_cargo(
        root,
        &["build", "--package", "concord-api", "--bin", "concord"],
    )?;
    let mut args = vec!["test", "--workspace"];
    args.extend(extra.iter().map(String::as_str));
    run_cargo(root, &args)
}

fn answers(address: &str) -> Result<bool> {
    let address: SocketAddr = address.parse()?;
    Ok(TcpStream::connect_timeout(&address, Duration::from_secs(3)).is_ok())
}

/// Starts the service when it is not answering, then waits up to 30 s for it.
fn ensure_answering(service: &Service) -> Result<()> {
    if answers(service.address)? {
        return Ok(());
    }
    eprintln!(
        "xtask: {} is not answering on {}; starting it",
        service.name, service.address
    );
    (service.start)()?;
    for _ in 0..30 {
        if answers(service.address)? {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    bail!(
        "{} did not start on {}: the tests need it (see the README)",
        service.name,
        service.address
    )
}

/// Debian's cluster (`pg_ctlcluster`), whichever version is installed.
fn start_postgres() -> Result<()> {
    let version = std::fs::read_dir("/etc/postgresql")
        .ok()
        .and_then(|dir| dir.flatten().map(|e| e.file_name()).min())
        .context("no PostgreSQL cluster under /etc/postgresql: install PostgreSQL 15+ (apt-get install postgresql)")?;
    status(
        Command::new("pg_ctlcluster")
            .arg("--skip-systemctl-redirect")
            .arg(version)
            .args(["main", "start"]),
    )
}

fn start_redis() -> Result<()> {
    status(Command::new("redis-server").args([
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--port",
        "6379",
        "--save",
        "",
        "--appendonly",
        "no",
    ]))
}

/// Debian's Chromium and its driver for the browser test (tools that download their own
/// browser do not work offline). Installed with apt when missing and this runs as root.
fn ensure_browser() -> Result<()> {
    let chromium = std::env::var_os("CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into());
    let driver = std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "/usr/bin/chromedriver".into());
    if Path::new(&chromium).is_file() && Path::new(&driver).is_file() {
        return Ok(());
    }
    eprintln!("xtask: installing Debian's chromium and chromium-driver for the browser test");
    status(Command::new("apt-get").args(["update", "-qq"]))
        .and_then(|()| {
            status(
                Command::new("apt-get")
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .args(["install", "-y", "-qq", "chromium", "chromium-driver"]),
            )
        })
        .context("the browser test needs Debian's chromium and chromium-driver: run `sudo apt-get install chromium chromium-driver`, or set CHROMIUM and CHROMEDRIVER")
}

/// moto's S3-compatible server, for the object-storage test.
fn ensure_s3_server() -> Result<()> {
    let present = Command::new("python3")
        .args(["-c", "import moto.server"])
        .output()
        .is_ok_and(|out| out.status.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask: installing moto[server] (a real S3 API on loopback) for the storage test");
    status(Command::new("python3").args(["-m", "pip", "install", "-q", "moto[server]"]))
        .context("the object-storage test needs `python3 -m pip install 'moto[server]'`")
}

/// aiosmtpd, a real SMTP server on loopback, for the e-mail delivery test.
fn ensure_smtp_server() -> Result<()> {
    let present = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|out| out.status.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask: installing aiosmtpd (a real SMTP server on loopback) for the e-mail test");
    status(Command::new("python3").args(["-m", "pip", "install", "-q", "aiosmtpd"]))
        .context("the e-mail test needs `python3 -m pip install aiosmtpd`")
}

fn status(command: &mut Command) -> Result<()> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .with_context(|| format!("running {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
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
