//! `concord` as processes of its own — `concord serve` and `concord worker` — on a test
//! application's database, data directory (signing keys) and Redis prefix, with their
//! settings from the environment as in production. Killed when dropped.
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::helpers::{OWNER_ROLE, TestApp, free_port, get_json, url_for};
use crate::smtp::SmtpServer;

pub struct ConcordProcess {
    child: Child,
    /// Where `concord serve` answers; empty for a worker.
    pub address: String,
    http: reqwest::Client,
}

/// `concord <subcommand>` on `database` (as its owner) and `data_dir`, with none of the
/// settings the developer's shell may carry.
pub fn concord(subcommand: &str, database: &str, data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_concord"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CONCORD_") || name == "DATABASE_URL" || name == "REDIS_URL" {
            command.env_remove(name.as_ref());
        }
    }
    command
        .arg(subcommand)
        .env("DATABASE_URL", url_for(OWNER_ROLE, database))
        .env("CONCORD_DATA_DIR", data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn command(app: &TestApp, subcommand: &str, env: &[(&str, String)]) -> Command {
    let mut command = concord(subcommand, &app.database, &app.data_dir);
    let settings = &app.state.settings;
    if let Some(redis) = &settings.redis_url {
        command.env("REDIS_URL", redis.expose_secret());
    }
    // The processes require second factors of the roles the test's own Concord does.
    let roles: Vec<&str> = settings
        .second_factor_roles
        .roles()
        .iter()
        .map(|role| role.as_str())
        .collect();
    let roles = if roles.is_empty() {
        "NONE".to_owned()
    } else {
        roles.join(",")
    };
    command
        .env("CONCORD_SECOND_FACTOR_ROLES", roles)
        .env("CONCORD_REDIS_PREFIX", &settings.redis_prefix)
        .env("CONCORD_SWEEP_SECONDS", "1")
        .env("CONCORD_JOB_POLL_MILLISECONDS", "1000")
        // Missed for three seconds, a killed worker's jobs go to the others.
        .env("CONCORD_JOB_HEARTBEAT_SECONDS", "1")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command
}

impl ConcordProcess {
    fn spawned(mut command: Command, address: String) -> Self {
        Self {
            child: command.spawn().expect("start concord"),
            address,
            http: reqwest::Client::new(),
        }
    }

    /// `concord worker`.
    pub fn worker(app: &TestApp, env: &[(&str, String)]) -> Self {
        Self::spawned(command(app, "worker", env), String::new())
    }

    /// `concord worker`, e-mailing through `smtp`.
    pub fn worker_emailing_to(app: &TestApp, smtp: &SmtpServer) -> Self {
        Self::worker(app, &smtp_settings(smtp))
    }

    /// `concord serve` without workers (they run apart), on a free port; answers once
    /// `/healthz` does.
    pub async fn api(app: &TestApp, env: &[(&str, String)]) -> Self {
        let mut command = command(app, "serve", env);
        command.env("CONCORD_RUN_WORKER", "false");
        Self::serve(command).await
    }

    /// `command` (a `concord serve`) on a free port; answers once `/healthz` does.
    pub async fn serve(mut command: Command) -> Self {
        let port = free_port();
        command.env("CONCORD_LISTEN", format!("127.0.0.1:{port}"));
        let api = Self::spawned(command, format!("http://127.0.0.1:{port}"));
        for _ in 0..150 {
            let up = api
                .http
                .get(format!("{}/healthz", api.address))
                .send()
                .await;
            if up.is_ok_and(|r| r.status().is_success()) {
                return api;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("concord serve did not answer on port {port}");
    }

    /// `GET path`: the status and the JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        get_json(&self.http, &format!("{}{path}", self.address)).await
    }

    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("a JSON answer")
    }

    /// SIGKILL: no shutdown, no chance to mark anything.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL concord");
        self.child.wait().expect("reap concord");
    }
}

impl Drop for ConcordProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn smtp_settings(smtp: &SmtpServer) -> Vec<(&'static str, String)> {
    vec![
        ("CONCORD_SMTP_HOST", "127.0.0.1".into()),
        ("CONCORD_SMTP_PORT", smtp.port.to_string()),
        (
            "CONCORD_SMTP_FROM",
            "Concord <concord@durham.example>".into(),
        ),
    ]
}
