//! `cargo xtask bundle`: build the console for the browser, offline, with no tool installed
//! beyond rustup's wasm32 target.
//!
//! 1. make sure `wasm32-unknown-unknown` is installed;
//! 2. `cargo build -p frontend --target wasm32-unknown-unknown --release`;
//! 3. split it at the screens marked `#[lazy]` (wasm_split_cli_support, the splitter Leptos's
//!    lazy routes are made for): the first load carries the frame and the shared code, and each
//!    screen's own code comes when it is first shown;
//! 4. run wasm-bindgen (the library, pinned to the same version as the `wasm-bindgen` crate)
//!    on the main module into `frontend/dist/`;
//! 5. write `frontend/dist/index.html`.

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;
use wasm_bindgen_cli_support::Bindgen;

const TARGET: &str = "wasm32-unknown-unknown";
const CRATE: &str = "frontend";

/// Size settings for the wasm build, applied unless the caller set them already. They go through
/// the environment so that the workspace's release profile (the API's) stays as it is.
const SIZE_PROFILE: [(&str, &str); 4] = [
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z"),
    ("CARGO_PROFILE_RELEASE_LTO", "true"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"),
    // Leptos erases each component's view type: a tenth smaller (405 KB to 364 KB gzip with
    // the plan screen), the same pages.
    // Relocations kept in the module are what the splitter follows to cut it at the screens.
    (
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
        "--cfg erase_components -C link-args=--emit-relocs",
    ),
];

pub fn run(root: &Path) -> Result<()> {
    ensure_target()?;
    let wasm = build(root)?;
    let dist = root.join(CRATE).join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist).with_context(|| format!("removing {}", dist.display()))?;
    }
    fs::create_dir_all(&dist).with_context(|| format!("creating {}", dist.display()))?;
    let main = split(root, &wasm, &dist)?;
    Bindgen::new()
        .input_path(&main)
        // The screens' modules share the main module's function table, which the loader takes
        // from its exports: wasm-bindgen would drop that export otherwise.
        .keep_lld_exports(true)
        .web(true)?
        // Without this the generated init() has no default URL for the .wasm and fails.
        .omit_default_module_path(false)
        // Function names alone were about 200 KB of a 500 KB module.
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&dist)
        .with_context(|| format!("wasm-bindgen on {}", wasm.display()))?;
    fs::write(dist.join("index.html"), INDEX_HTML).context("writing index.html")?;
    fs::write(dist.join("boot.js"), BOOT_JS).context("writing boot.js")?;
    fs::write(dist.join("console.css"), CONSOLE_CSS).context("writing console.css")?;
    report(&dist)
}

pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn ensure_target() -> Result<()> {
    let installed = match Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    {
        Ok(out) if out.status.success() => out.stdout,
        Ok(out) => bail!(
            "`rustup target list --installed` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => {
            // No rustup (a distribution toolchain): let cargo say whether the target is there.
            eprintln!("xtask: rustup not found ({e}); assuming {TARGET} is installed");
            return Ok(());
        }
    };
    if String::from_utf8_lossy(&installed)
        .lines()
        .any(|line| line.trim() == TARGET)
    {
        return Ok(());
    }
    eprintln!("xtask: installing the {TARGET} target");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .context("running rustup target add")?;
    if !status.success() {
        bail!("`rustup target add {TARGET}` failed ({status})");
    }
    Ok(())
}

/// Splits `wasm` at its `#[lazy]` functions: the screens' modules and the loader that fetches
/// them (`__wasm_split.js`) go into `dist`; the main module, still to go through wasm-bindgen,
/// is returned.
fn split(root: &Path, wasm: &Path, dist: &Path) -> Result<PathBuf> {
    let input = fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let scratch = target_dir(root).join("wasm-split");
    fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let main = scratch.join(format!("{CRATE}.wasm"));
    let main_module = format!("./{CRATE}.js");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = dist;
    options.main_out_path = &main;
    options.main_module = &main_module;
    options.link_name = "./__wasm_split.js";
    wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow::anyhow!("splitting {}: {e:?}", wasm.display()))?;
    Ok(main)
}

/// Builds the release wasm and returns its path.
fn build(root: &Path) -> Result<PathBuf> {
    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args(["build", "-p", CRATE, "--target", TARGET, "--release"]);
    for (key, value) in SIZE_PROFILE {
        if std::env::var_os(key).is_none() {
            command.env(key, value);
        }
    }
    eprintln!("xtask: cargo build -p {CRATE} --target {TARGET} --release");
    let status = command.status().context("running cargo build")?;
    if !status.success() {
        bail!("building {CRATE} for {TARGET} failed ({status})");
    }
    let wasm = target_dir(root)
        .join(TARGET)
        .join("release")
        .join(format!("{CRATE}.wasm"));
    if !wasm.is_file() {
        bail!("the build left no {}", wasm.display());
    }
    Ok(wasm)
}

/// `CARGO_TARGET_DIR` (relative to the workspace, as cargo reads it there), else `<root>/target`.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// Each file's size as written and as sent gzip-compressed, and the whole bundle's gzip size:
/// the figure the README quotes (target: under 400 KB).
fn report(dist: &Path) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dist)
        .with_context(|| format!("listing {}", dist.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    let (mut total, mut first_load) = (0, 0);
    for entry in entries {
        let bytes = fs::read(entry.path())?;
        let gzipped = gzip_len(&bytes)?;
        total += gzipped;
        // A screen's split-off module comes only when the screen is first shown.
        let name = entry.file_name().to_string_lossy().into_owned();
        let on_demand = name.ends_with(".wasm") && name != format!("{CRATE}_bg.wasm");
        if !on_demand {
            first_load += gzipped;
        }
        eprintln!(
            "  {:>9} B  {:>9} B gzip  {}{}",
            bytes.len(),
            gzipped,
            entry.path().display(),
            if on_demand { "  (on demand)" } else { "" }
        );
    }
    eprintln!(
        "xtask: bundle ready in {} ({} KB gzip at first load, {} KB gzip in all)",
        dist.display(),
        first_load.div_ceil(1024),
        total.div_ceil(1024)
    );
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

/// No inline script or style: the console's Content-Security-Policy (served by `concord`)
/// allows scripts and styles from the console's own origin only.
const INDEX_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <title>Concord</title>
  <link rel="stylesheet" href="/console.css">
  <script type="module" src="/boot.js"></script>
</head>
<body>
  <noscript>The Concord console needs JavaScript and WebAssembly.</noscript>
</body>
</html>
"#;

const BOOT_JS: &str = "import init from './frontend.js';\ninit();\n";

const CONSOLE_CSS: &str = r#":root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0 auto; max-width: 64rem; padding: 1rem; }
header.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1.5rem; }
header.top h1 { margin: 0 0 1rem; font-size: 1.5rem; }
header.top h1 a { color: inherit; text-decoration: none; }
nav.frame { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1.5rem; flex: 1; }
nav.frame ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
nav.frame a[aria-current="page"] { font-weight: 700; }
nav.frame .who { margin: 0; flex: 1; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1rem; }
caption { text-align: left; color: #666; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #8886; vertical-align: top; }
select { font: inherit; padding: .4rem .5rem; border: 1px solid #888; border-radius: 4px; }
button.secondary { background: transparent; color: inherit; }
button.danger { background: #b00020; border-color: #b00020; }
form.inline { display: flex; gap: .5rem; align-items: end; }
.empty { color: #666; font-style: italic; }
.error-rule { font-weight: 600; }
.field-error { color: #b00020; }
.check { display: flex; gap: .5rem; align-items: baseline; margin: 0 0 .5rem; }
td.hint { min-width: 11rem; }
form.inline { flex-wrap: wrap; }
@media (max-width: 48rem) { body { padding: .5rem; } th, td { padding: .25rem; } }
fieldset { border: 1px solid #8888; border-radius: 6px; margin: 0 0 1rem; }
.field { display: flex; flex-direction: column; margin: 0 0 .75rem; }
label { font-weight: 600; }
input { font: inherit; padding: .4rem .5rem; border: 1px solid #888; border-radius: 4px; }
input:focus, select:focus, button:focus, a:focus { outline: 3px solid #2a6fdb; outline-offset: 2px; }
.hint { color: #666; }
button { font: inherit; padding: .45rem 1.1rem; border-radius: 4px; border: 1px solid #2a6fdb;
         background: #2a6fdb; color: #fff; cursor: pointer; }
button:disabled { opacity: .6; cursor: progress; }
.error { border: 1px solid #b00020; background: #fdecee; color: #6b0013;
         padding: .5rem .75rem; border-radius: 4px; margin: 0 0 .75rem; }
.error-code { font-weight: 600; }
.notice { border: 1px solid #2a6fdb; padding: .5rem .75rem; border-radius: 4px; margin: 0 0 .75rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.checklist { list-style: none; padding: 0; }
.checklist li.done { color: #666; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
form.inline h4 { flex-basis: 100%; margin: .5rem 0 0; }
.countdown { font-weight: 600; }
@media print { nav.frame, button, .no-print { display: none !important; } body { max-width: none; }
  a { color: inherit; text-decoration: none; } }
.notice input[readonly] { width: 100%; box-sizing: border-box; font-family: monospace; }
input, select { max-width: 100%; box-sizing: border-box; }
td { overflow-wrap: anywhere; }
td button { overflow-wrap: normal; }
th button.sort { background: none; border: 0; padding: 0; color: inherit; font-weight: 700; }
th button.sort:hover { text-decoration: underline; }
.filters { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: end; }
"#;
