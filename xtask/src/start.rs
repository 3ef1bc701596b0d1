//! `cargo xtask start`: bundle the console, then run `concord` on the embedded default (or on
//! whatever `DATABASE_URL` / `REDIS_URL` say). It prints its URL once listening.
use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::bundle::{self, cargo};

pub fn run(root: &Path) -> Result<()> {
    bundle::run(root)?;
    let mut concord = Command::new(cargo());
    concord
        .current_dir(root)
        .args([
            "run",
            "--quiet",
            "--package",
            "concord-api",
            "--bin",
            "concord",
        ])
        .env("CONCORD_CONSOLE_DIR", root.join("frontend").join("dist"));
    let status = concord.status()?;
    if !status.success() {
        bail!("concord exited with {status}");
    }
    Ok(())
}
