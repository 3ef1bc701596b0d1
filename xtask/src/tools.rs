//! Tools from the npm registry that the tests use, each pinned and installed once under
//! `<target>/tools/<name>` (outside the checkout, shared by every build). (`wasm-opt` from
//! npm's binaryen was tried on the console: 9 % smaller, but 0.3 % under gzip — not kept.)
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::bundle::target_dir;

pub struct NpmTool {
    /// Where it goes under `<target>/tools`.
    pub name: &'static str,
    /// `package@version`.
    pub package: &'static str,
    /// The file the caller needs, inside the installation.
    pub file: &'static str,
    pub used_for: &'static str,
}

/// axe-core, the accessibility engine the browser test injects into every screen.
pub const AXE_CORE: NpmTool = NpmTool {
    name: "axe",
    package: "axe-core@4.14.1",
    file: "node_modules/axe-core/axe.min.js",
    used_for: "the accessibility check of every console screen",
};

/// The tool's file, installed with npm first when it is missing.
pub fn npm_tool(root: &Path, tool: &NpmTool) -> Result<PathBuf> {
    let dir = target_dir(root).join("tools").join(tool.name);
    let file = dir.join(tool.file);
    if file.is_file() {
        return Ok(file);
    }
    eprintln!(
        "xtask: installing {} from npm ({})",
        tool.package, tool.used_for
    );
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let status = Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(tool.package)
        .status()
        .with_context(|| format!("running npm for {} (install Node.js and npm)", tool.package))?;
    if !status.success() || !file.is_file() {
        bail!("`npm install {}` failed ({status})", tool.package);
    }
    Ok(file)
}
