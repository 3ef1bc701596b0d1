//! Headless Chromium driven through chromedriver; both are child processes of the test.
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::Capabilities;
use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::concord::{TempDir, forward, watch_for};
use crate::poll;

/// Runs axe-core on the whole page and answers its serious and critical violations, one
/// line each: the rule, what it asks, and the elements that break it.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] })
  .then((result) => done(result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)))
  .catch((error) => done([`axe-core failed: ${error}`]));
"#;

/// `axe.min.js`: `$AXE_CORE`, else where `cargo xtask test` installs it from npm.
fn axe_core() -> PathBuf {
    std::env::var_os("AXE_CORE").map_or_else(
        || target_dir().join("tools/axe/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    )
}

/// Where the screenshots go: `<target>/e2e-screenshots`.
fn artifacts_dir() -> PathBuf {
    target_dir().join("e2e-screenshots")
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` (relative to the workspace, as cargo reads
/// it), else the workspace's `target/`.
pub fn target_dir() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => workspace.join("target"),
    }
}

/// How long a page gets to reach an expected state.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A CoC as the sign-up form takes it.
pub struct SignUp<'a> {
    pub coc_name: &'a str,
    pub coc_code: &'a str,
    pub slug: &'a str,
    pub admin_name: &'a str,
    pub admin_email: &'a str,
}

pub struct Browser {
    pub client: fantoccini::Client,
    /// chromedriver's own address, for the WebDriver extensions fantoccini does not wrap.
    driver_url: String,
    // Dropped in this order: chromedriver and Chromium end before their profile is removed.
    _driver: Driver,
    _profile: TempDir,
    /// Where Chromium saves what the page downloads.
    downloads: TempDir,
}

/// chromedriver in its own process group, so that drop ends the Chromium it started too,
/// even when a failed assertion left the session open.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

/// `$var`, else Debian's path; fails with how to install it.
fn tool(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} is missing: `apt-get install -y chromium chromium-driver` (or `cargo xtask test`), or set {var}",
        path.display()
    );
    path
}

/// A loopback port nothing listens on now.
pub fn free_port() -> u16 {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("local_addr: {e}"))
}

impl Browser {
    pub async fn start() -> Self {
        let chromium = tool("CHROMIUM", "/usr/bin/chromium");
        let port = free_port();
        let mut driver = Command::new(tool("CHROMEDRIVER", "/usr/bin/chromedriver"))
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map(Driver)
            .unwrap_or_else(|e| panic!("spawn chromedriver: {e}"));
        if let Some(stderr) = driver.0.stderr.take() {
            forward(stderr, "chromedriver stderr");
        }
        let stdout = driver
            .0
            .stdout
            .take()
            .unwrap_or_else(|| panic!("chromedriver's stdout is piped"));
        let started = watch_for(stdout, "chromedriver", |line| {
            line.contains("started successfully").then(String::new)
        });
        assert!(
            started.is_some(),
            "chromedriver did not start on port {port}; its output is above"
        );
        let profile = TempDir::new("concord-e2e-chromium");
        let downloads = TempDir::new("concord-e2e-downloads");

        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ];
        let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = Capabilities::new();
        let options = json!({
            "binary": chromium,
            "args": args,
            "prefs": {
                "download.default_directory": downloads.path(),
                "download.prompt_for_download": false,
            },
        });
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("start a Chromium session: {e}"));
        Self {
            client,
            driver_url: format!("http://127.0.0.1:{port}"),
            _driver: driver,
            _profile: profile,
            downloads,
        }
    }

    /// Sends what the page uploads at `bytes_per_second` (Chromium's network emulation,
    /// through chromedriver's DevTools passthrough), or at full speed again with `None`.
    pub async fn throttle_uploads(&self, bytes_per_second: Option<u32>) {
        let conditions = json!({
            "offline": false,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second.map_or(-1_i64, i64::from),
        });
        for (cmd, params) in [
            ("Network.enable", json!({})),
            ("Network.emulateNetworkConditions", conditions),
        ] {
            self.driver_post("goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
                .await;
        }
    }

    /// Gives the browser a security key of its own: chromedriver's virtual authenticator
    /// (WebDriver's WebAuthn extension), which answers every ceremony as a person touching a
    /// real key would.
    pub async fn add_security_key(&self) {
        let authenticator = json!({
            "protocol": "ctap2",
            "transport": "usb",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserConsenting": true,
            "isUserVerified": true,
        });
        self.driver_post("webauthn/authenticator", authenticator)
            .await;
    }

    /// POSTs `body` to one of chromedriver's own endpoints for this session.
    async fn driver_post(&self, endpoint: &str, body: serde_json::Value) {
        let session = self
            .client
            .session_id()
            .await
            .unwrap_or_else(|e| panic!("the session's id: {e}"))
            .unwrap_or_else(|| panic!("a session is open"));
        let url = format!("{}/session/{session}/{endpoint}", self.driver_url);
        let answer = reqwest::Client::new()
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("chromedriver {endpoint}: {e}"));
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        assert!(
            status.is_success(),
            "chromedriver {endpoint}: {status} {text}"
        );
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Fills the sign-up form with `coc` and its first Data Center user, and sends it.
    pub async fn sign_up(&self, coc: &SignUp<'_>, password: &str) {
        self.fill("signup-coc-name", coc.coc_name).await;
        self.fill("signup-coc-code", coc.coc_code).await;
        self.fill("signup-slug", coc.slug).await;
        self.fill("signup-admin-name", coc.admin_name).await;
        self.fill("signup-admin-email", coc.admin_email).await;
        self.fill("signup-password", password).await;
        self.click("signup-submit").await;
    }

    /// Resizes the window, as a person turning to a tablet would.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .unwrap_or_else(|e| panic!("resize to {width}×{height}: {e}"));
    }

    /// How far the page is wider than the window, in CSS pixels (0 when nothing needs a
    /// sideways scroll), and the elements that stick out past its right edge.
    pub async fn overflow(&self) -> (i64, String) {
        let measured = self
            .client
            .execute(
                "const width = document.documentElement.clientWidth;\
                 const out = [...document.querySelectorAll('body *')]\
                   .filter(e => e.getBoundingClientRect().right > width + 0.5)\
                   .slice(0, 5)\
                   .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +\
                        (e.className ? '.' + e.className : '') + ' ' +\
                        Math.round(e.getBoundingClientRect().right));\
                 return [document.documentElement.scrollWidth - width, out.join(', ')];",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("measure the page: {e}"));
        (
            measured[0].as_i64().unwrap_or(i64::MAX),
            measured[1].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// Reloads the page, as a person pressing F5 would.
    pub async fn reload(&self) {
        self.client
            .refresh()
            .await
            .unwrap_or_else(|e| panic!("reload: {e}"));
    }

    /// The address the page shows now.
    pub async fn path(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .unwrap_or_else(|e| panic!("current url: {e}"));
        url.path().to_owned()
    }

    /// The current value of the input `id`.
    pub async fn value(&self, id: &str) -> String {
        self.wait_for(id)
            .await
            .prop("value")
            .await
            .unwrap_or_else(|e| panic!("value of #{id}: {e}"))
            .unwrap_or_default()
    }

    /// The values a select `id` offers, other than its empty "choose" option.
    pub async fn choices(&self, id: &str) -> Vec<String> {
        self.wait_for(id).await;
        let css = format!("#{id} option:not([value=''])");
        let options = self
            .client
            .find_all(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("options of #{id}: {e}"));
        let mut values = Vec::new();
        for option in options {
            let value = option
                .attr("value")
                .await
                .unwrap_or_else(|e| panic!("an option of #{id}: {e}"));
            values.extend(value);
        }
        values
    }

    /// Chooses the option `value` of the select `id`.
    pub async fn choose(&self, id: &str, value: &str) {
        self.wait_for(id)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value} in #{id}: {e}"));
    }

    /// Types `text` into the input `id` once it is on the page.
    pub async fn fill(&self, id: &str, text: &str) {
        let input = self.wait_for(id).await;
        input
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear #{id}: {e}"));
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into #{id}: {e}"));
    }

    /// Sets the input `id` to `value` as its picker would (a date field's format is the
    /// browser's locale's to type, its value always ISO), and tells the page it changed.
    pub async fn set_value(&self, id: &str, value: &str) {
        self.wait_for(id).await;
        self.client
            .execute(
                "const field = document.getElementById(arguments[0]);\
                 field.value = arguments[1];\
                 field.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![json!(id), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set #{id}: {e}"));
    }

    /// Whether the page has fetched a resource whose address holds `part` since it was loaded.
    pub async fn fetched(&self, part: &str) -> bool {
        let seen = self
            .client
            .execute(
                "return performance.getEntriesByType('resource')\
                     .some(entry => entry.name.includes(arguments[0]));",
                vec![json!(part)],
            )
            .await
            .unwrap_or_else(|e| panic!("resource timing: {e}"));
        seen.as_bool().unwrap_or(false)
    }

    /// Follows the first link whose text holds `text` (no quotes in it), once it is on the page.
    pub async fn follow(&self, text: &str) {
        let xpath = format!("//a[contains(normalize-space(.), \"{text}\")]");
        let found = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&xpath))
            .await;
        found
            .unwrap_or_else(|e| panic!("no link {text:?} appeared within {PATIENCE:?}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("follow {text:?}: {e}"));
    }

    pub async fn click(&self, id: &str) {
        self.wait_for(id)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click #{id}: {e}"));
    }

    async fn wait_for(&self, id: &str) -> fantoccini::elements::Element {
        let found = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Id(id))
            .await;
        found.unwrap_or_else(|e| panic!("#{id} did not appear within {PATIENCE:?}: {e}"))
    }

    /// The text of `id` now, or `None` while it is absent (or being re-rendered).
    pub async fn text(&self, id: &str) -> Option<String> {
        let element = self.client.find(Locator::Id(id)).await.ok()?;
        element.text().await.ok()
    }

    /// Waits until `id` shows text containing `expected`; returns the whole text.
    pub async fn wait_for_text(&self, id: &str, expected: &str) -> String {
        let seen = poll(PATIENCE, async || {
            self.text(id).await.filter(|t| t.contains(expected))
        })
        .await;
        match seen {
            Some(text) => text,
            None => {
                let page = self.text("main").await.unwrap_or_default();
                panic!(
                    "#{id} did not contain {expected:?} within {PATIENCE:?}; the page shows:\n{page}"
                )
            }
        }
    }

    /// The screen as it is now: a screenshot saved as `<target>/e2e-screenshots/<name>.png`,
    /// and an accessibility check (axe-core, injected into the page) that fails on any
    /// serious or critical violation, naming the rule and the elements.
    pub async fn check_screen(&self, name: &str) {
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot of {name}: {e}"));
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let file = dir.join(format!("{name}.png"));
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));

        let axe = std::fs::read_to_string(axe_core()).unwrap_or_else(|e| {
            panic!("reading axe-core ({e}): run `cargo xtask test`, or set AXE_CORE")
        });
        self.client
            .execute(&axe, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("injecting axe-core into {name}: {e}"));
        let found = self
            .client
            .execute_async(AXE_RUN, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("running axe-core on {name}: {e}"));
        let violations: Vec<String> = serde_json::from_value(found.clone())
            .unwrap_or_else(|e| panic!("axe-core's answer on {name} ({e}): {found}"));
        assert!(
            violations.is_empty(),
            "{name}: serious or critical accessibility violations:\n{}",
            violations.join("\n")
        );
    }

    /// The bytes of the file the page saved as `name`, once the download has finished.
    pub async fn downloaded(&self, name: &str) -> Vec<u8> {
        let path = self.downloads.path().join(name);
        poll(PATIENCE, async || std::fs::read(&path).ok())
            .await
            .unwrap_or_else(|| panic!("{name} was not downloaded within {PATIENCE:?}"))
    }

    /// Chooses the file at `path` in the file input `id`, as a person picking it would.
    pub async fn attach(&self, id: &str, path: &std::path::Path) {
        self.wait_for(id)
            .await
            .send_keys(&path.display().to_string())
            .await
            .unwrap_or_else(|e| panic!("attach {} to #{id}: {e}", path.display()));
    }

    /// Ends the WebDriver session (Chromium quits), then chromedriver on drop.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}
