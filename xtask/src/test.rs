//! `cargo xtask test`: the whole suite. Starts PostgreSQL and Redis on loopback when they
//! are not answering, installs Debian's Chromium and the Python packages the tests use when
//! they are missing, checks the Helm chart, builds the console and the `concord` binary (the
//! end-to-end tests start it as a process), then runs every test of the workspace.
use std::ffi::OsStr;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::bundle::{self, cargo};
use crate::tools;

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
    let axe = tools::npm_tool(root, &tools::AXE_CORE)?;
    for package in &PYTHON_PACKAGES {
        ensure_python_package(package)?;
    }
    // The Helm chart first: seconds, where the workspace's tests take minutes.
    status(Command::new("python3").arg(root.join("helm/check.py")))
        .context("the Helm chart's check failed (helm/check.py)")?;
    bundle::run(root)?;
    run_cargo(
        root,
        &["build", "--package", "concord-api", "--bin", "concord"],
        &[],
    )?;
    let mut args = vec!["test", "--workspace"];
    args.extend(extra.iter().map(String::as_str));
    // The browser test finds axe-core here (`e2e::browser`).
    run_cargo(root, &args, &[("AXE_CORE", axe.as_os_str())])
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

/// A Python package the suite uses, installed with pip when `module` does not import.
struct PythonPackage {
    module: &'static str,
    package: &'static str,
    used_for: &'static str,
}

const PYTHON_PACKAGES: [PythonPackage; 4] = [
    PythonPackage {
        module: "moto.server",
        package: "moto[server]",
        used_for: "a real S3 API on loopback, for the storage test",
    },
    PythonPackage {
        module: "aiosmtpd",
        package: "aiosmtpd",
        used_for: "a real SMTP server on loopback, for the e-mail test",
    },
    PythonPackage {
        module: "helm_python",
        package: "helm-python-sdk==0.2.2",
        used_for: "Helm v4's own SDK, which lints and renders the chart (no Helm binary installs here)",
    },
    PythonPackage {
        module: "kubernetes_validate",
        package: "kubernetes-validate==1.37.0",
        used_for: "the Kubernetes schemas the chart's manifests are validated against",
    },
];

fn ensure_python_package(wanted: &PythonPackage) -> Result<()> {
    let present = Command::new("python3")
        .args(["-c", &format!("import {}", wanted.module)])
        .output()
        .is_ok_and(|out| out.status.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask: installing {} ({})", wanted.package, wanted.used_for);
    status(Command::new("python3").args(["-m", "pip", "install", "-q", wanted.package]))
        .with_context(|| {
            format!(
                "the suite needs `python3 -m pip install '{}'`",
                wanted.package
            )
        })
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

fn run_cargo(root: &Path, args: &[&str], envs: &[(&str, &OsStr)]) -> Result<()> {
    let status = Command::new(cargo())
        .current_dir(root)
        .args(args)
        .envs(envs.iter().copied())
        .env("CONCORD_CONSOLE_DIR", root.join("frontend").join("dist"))
        .status()?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}
