//! The real `concord` binary as a child process, on the embedded SQLite default.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::second_factor::code_now;
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery staple 42";
const HINT: &str = "run `cargo xtask test`, which builds the binary and the console first";
const READY_LINE: &str = "Concord is running at ";

/// `CONCORD_BIN`, else `concord` beside this test's own binary: tests run from
/// `<target>/debug/deps/`, and cargo puts `concord` in `<target>/debug/`.
pub fn concord_bin() -> PathBuf {
    let path = std::env::var_os("CONCORD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .unwrap_or_else(|| panic!("{exe:?} has no grandparent"));
            profile_dir.join("concord")
        });
    assert!(
        path.is_file(),
        "the concord binary is missing at {}: {HINT} (or set CONCORD_BIN)",
        path.display()
    );
    path
}

/// The console bundle that `cargo xtask bundle` writes to `<workspace>/frontend/dist`.
pub fn console_dir() -> PathBuf {
    // As `cargo test` sets it for this run: a build shared between checkouts may have been
    // compiled in another one.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let workspace = manifest_dir
        .parent()
        .unwrap_or_else(|| panic!("e2e/ has a parent"));
    let dir = workspace.join("frontend/dist");
    assert!(
        dir.join("index.html").is_file(),
        "the console bundle is missing at {}: {HINT}",
        dir.display()
    );
    dir
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let path = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `concord serve`; killed on drop so a failing test leaves no server behind.
pub struct Concord {
    child: Child,
    /// Base URL with a trailing slash, as the binary prints it.
    pub url: String,
    pub http: reqwest::Client,
}

impl Concord {
    /// Starts the binary on port 0 with no `DATABASE_URL`, serving the checkout's console
    /// bundle, and waits for its "running at" line.
    pub fn start(data_dir: &Path) -> Self {
        Self::launch(data_dir, Some(console_dir()), &[])
    }

    /// As `start`, with the settings `env` on top (`CONCORD_CLOCK=manual`, …).
    pub fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::launch(data_dir, Some(console_dir()), env)
    }

    /// As `start`, but as an installed binary runs: from `data_dir`, far from the checkout,
    /// with no `CONCORD_CONSOLE_DIR`, serving the console built into it.
    pub fn start_installed(data_dir: &Path) -> Self {
        Self::launch(data_dir, None, &[])
    }

    fn launch(data_dir: &Path, console: Option<PathBuf>, env: &[(&str, &str)]) -> Self {
        let mut command = default_install();
        if let Some(dir) = console {
            command.env("CONCORD_CONSOLE_DIR", dir);
        }
        // Any free port, unless the test named one (a public address must know its port).
        if !env.iter().any(|(name, _)| *name == "CONCORD_LISTEN") {
            command.env("CONCORD_LISTEN", "127.0.0.1:0");
        }
        command.envs(env.iter().copied());
        let mut child = command
            .current_dir(data_dir)
            .env("CONCORD_DATA_DIR", data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn concord: {e}"));
        let stderr = child
            .stderr
            .take()
            .map(|pipe| forward(pipe, "concord stderr"));
        let stdout = child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("concord's stdout is piped"));
        let url = watch_for(stdout, "concord", |line| {
            let rest = line.strip_prefix(READY_LINE)?;
            rest.split_whitespace().next().map(str::to_owned)
        });
        match url {
            Some(url) => Self {
                child,
                url,
                http: reqwest::Client::new(),
            },
            None => {
                let _ = child.kill();
                let status = child.wait();
                // Its stderr (why it stopped) is printed before the panic.
                if let Some(thread) = stderr {
                    let _ = thread.join();
                }
                panic!(
                    "concord did not report listening within 60 s ({status:?}); its output is above"
                );
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits up to `within` for the process to exit.
    pub fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        assert!(
            sent.as_ref().is_ok_and(|s| s.success()),
            "kill -TERM {} failed: {sent:?}",
            self.pid()
        );
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(50));
        }
        None
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        let url = format!("{}{}", self.url, path.trim_start_matches('/'));
        self.http
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    /// POSTs to `/graphql` and returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let mut request = self
            .http
            .post(format!("{}graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST /graphql: {e}"));
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("GraphQL answer is not JSON: {e}"))
    }
}

/// The binary, with none of the settings the developer's shell may carry: the default install.
fn default_install() -> Command {
    let mut command = Command::new(concord_bin());
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CONCORD_") || name == "DATABASE_URL" || name == "REDIS_URL" {
            command.env_remove(name.as_ref());
        }
    }
    command
}

impl Concord {
    /// A platform administrator, made with the binary's own command on this Concord's data,
    /// signs in, enrols the second factor they always use, and moves the manual clock
    /// (`CONCORD_CLOCK=manual`) forward by `hours`: the time it is now, as the server says.
    pub async fn advance_clock(&self, data_dir: &Path, hours: u32) -> String {
        const OPERATOR: &str = "operator@platform.example";
        let made = default_install()
            .args(["admin", "create-platform-admin", OPERATOR])
            .current_dir(data_dir)
            .env("CONCORD_DATA_DIR", data_dir)
            .env("CONCORD_ADMIN_PASSWORD", PASSWORD)
            .output()
            .unwrap_or_else(|e| panic!("run concord admin: {e}"));
        assert!(
            made.status.success(),
            "concord admin create-platform-admin: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let signed_in = self
            .gql(
                "mutation($i: PlatformLoginInput!) { platformLogin(input: $i) { accessToken } }",
                json!({ "i": { "email": OPERATOR, "password": PASSWORD } }),
                None,
            )
            .await;
        let token = signed_in["data"]["platformLogin"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("platform login: {signed_in}"))
            .to_owned();
        let begun = self
            .gql(
                "mutation { beginPlatformTotpEnrolment { secret } }",
                json!({}),
                Some(&token),
            )
            .await;
        let secret = begun["data"]["beginPlatformTotpEnrolment"]["secret"]
            .as_str()
            .unwrap_or_else(|| panic!("enrolment: {begun}"));
        let confirmed = self
            .gql(
                "mutation($i: SecondFactorCodeInput!) { confirmPlatformTotpEnrolment(input: $i) }",
                json!({ "i": { "code": code_now(secret) } }),
                Some(&token),
            )
            .await;
        assert_eq!(
            confirmed["data"]["confirmPlatformTotpEnrolment"], true,
            "{confirmed}"
        );
        let moved = self
            .gql(
                "mutation($i: AdvanceClockInput!) { advanceClock(input: $i) { now } }",
                json!({ "i": { "hours": hours } }),
                Some(&token),
            )
            .await;
        moved["data"]["advanceClock"]["now"]
            .as_str()
            .unwrap_or_else(|| panic!("advanceClock: {moved}"))
            .to_owned()
    }
}

impl Drop for Concord {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Prints each line of `pipe` with a prefix, so it shows up when a test fails.
pub fn forward(
    pipe: impl std::io::Read + Send + 'static,
    prefix: &'static str,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            eprintln!("[{prefix}] {line}");
        }
    })
}

/// Prints each line of `pipe` like [`forward`] and returns the first `pick` finds, waiting at
/// most 60 s. The pipe keeps being drained afterwards: Concord's JSON logs go to stdout, and a
/// full pipe would block the server.
pub fn watch_for(
    pipe: impl std::io::Read + Send + 'static,
    prefix: &'static str,
    pick: impl Fn(&str) -> Option<String> + Send + 'static,
) -> Option<String> {
    let (found, wanted) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if let Some(value) = pick(&line) {
                let _ = found.send(value);
            }
            eprintln!("[{prefix}] {line}");
        }
    });
    wanted.recv_timeout(Duration::from_secs(60)).ok()
}
