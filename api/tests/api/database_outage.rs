//! The database lost under a write load: requests are answered 503 (`UNAVAILABLE`), not 500
//! and not a hang; `/readyz` says the database is why; Concord recovers within 5 s of the
//! database's return; and every write it acknowledged is there afterwards.
//!
//! Two outages: this test's database refusing connections with its sessions ended
//! (`ALLOW_CONNECTIONS false`, `pg_terminate_backend`) on the PostgreSQL the other tests
//! share; and a real PostgreSQL server of the test's own (`initdb`, then `pg_ctl`) stopped
//! the way a crash stops it (`-m immediate`: no checkpoint, WAL replayed at the next start)
//! and started again.
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::helpers::{OWNER_ROLE, TestApp, admin, free_port, spawn_app, spawn_app_with};

const CREATE: &str =
    "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }";

async fn create_client(app: &TestApp, token: &str, n: usize) -> (u16, Value) {
    let response = app
        .post(
            json!({ "query": CREATE, "variables": { "i": { "firstName": format!("Client{n}"), "lastName": "Load" } } }),
            Some(token),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Clients created one after another until stopped: the ids Concord acknowledged, and the
/// status and code of every refusal.
struct WriteLoad {
    acknowledged: Arc<Mutex<Vec<Uuid>>>,
    refusals: Arc<Mutex<Vec<(u16, String)>>>,
    stop: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl WriteLoad {
    fn start(app: Arc<TestApp>, token: String) -> Self {
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let refusals = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let (acknowledged, refusals, stop) =
                (acknowledged.clone(), refusals.clone(), stop.clone());
            async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let (status, body) = create_client(&app, &token, n).await;
                    match body["data"]["createClient"]["client"]["id"].as_str() {
                        Some(id) => acknowledged.lock().await.push(id.parse().expect("id")),
                        None => {
                            let code = body["errors"][0]["extensions"]["code"]
                                .as_str()
                                .unwrap_or("");
                            refusals.lock().await.push((status, code.to_owned()));
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        });
        Self {
            acknowledged,
            refusals,
            stop,
            task,
        }
    }

    /// Stops the load; checks that every refusal said "unavailable" (never `INTERNAL`) and
    /// returns the acknowledged ids.
    async fn finish(self) -> Vec<Uuid> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.expect("the load ran");
        for (status, code) in self.refusals.lock().await.iter() {
            assert_eq!((*status, code.as_str()), (503, "UNAVAILABLE"));
        }
        let acknowledged = self.acknowledged.lock().await.clone();
        assert!(acknowledged.len() > 5, "the load wrote before and after");
        acknowledged
    }
}

/// While the database is away: a write is answered 503 `UNAVAILABLE` within the pool's
/// timeout, and `/readyz` names the database.
async fn answered_unavailable(app: &TestApp, token: &str) {
    let asked = Instant::now();
    let (status, body) = create_client(app, token, 0).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "{body}"
    );
    assert!(
        asked.elapsed() < Duration::from_secs(8),
        "answered, not hung"
    );
    let (status, why) = app.get_json("/readyz").await;
    assert_eq!(status, 503);
    assert_eq!(why["database"], false, "{why}");
}

/// Once the database is back: a write succeeds within 5 s.
async fn recovered_within_five_seconds(app: &TestApp, token: &str) {
    let back = Instant::now();
    loop {
        let (status, body) = create_client(app, token, 0).await;
        if status == 200 && body["data"]["createClient"]["client"]["id"].is_string() {
            return;
        }
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "not recovered 5 s after the database returned: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every acknowledged client is in the database `db` (connected past row-level security).
async fn all_present(db: &DatabaseConnection, acknowledged: &[Uuid]) {
    let ids: Vec<String> = acknowledged.iter().map(|id| format!("'{id}'")).collect();
    let found = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT count(*) AS n FROM clients WHERE id IN ({})",
                ids.join(",")
            ),
        ))
        .await
        .expect("count")
        .expect("a row");
    let n: i64 = found.try_get("", "n").expect("n");
    assert_eq!(
        usize::try_from(n).unwrap_or(0),
        acknowledged.len(),
        "every acknowledged write is there"
    );
}

async fn set_reachable(database: &str, reachable: bool) {
    let admin = admin().await;
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS {reachable}"
        ))
        .await
        .expect("alter database");
    if !reachable {
        admin
            .execute_unprepared(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
            ))
            .await
            .expect("end its sessions");
    }
}

#[tokio::test]
async fn a_lost_database_is_answered_503_and_every_acknowledged_write_survives() {
    let app = Arc::new(spawn_app().await);
    let lead = app.sign_up("durham").await;
    let load = WriteLoad::start(app.clone(), lead.token.clone());
    tokio::time::sleep(Duration::from_secs(1)).await;

    set_reachable(&app.database, false).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    answered_unavailable(&app, &lead.token).await;

    set_reachable(&app.database, true).await;
    recovered_within_five_seconds(&app, &lead.token).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let acknowledged = load.finish().await;
    all_present(&app.superuser().await, &acknowledged).await;
}

/// A PostgreSQL server of this test's own: Debian's binaries, a data directory in the
/// temporary directory, a free port on loopback. Run as `postgres` when the test runs as
/// root (PostgreSQL refuses root). Stopped and removed when dropped.
struct OwnPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl OwnPostgres {
    fn create() -> Self {
        let version = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's binaries under /usr/lib/postgresql")
            .flatten()
            .map(|e| e.file_name())
            .max()
            .expect("a PostgreSQL version");
        let bin = PathBuf::from("/usr/lib/postgresql")
            .join(version)
            .join("bin");
        let dir = std::env::temp_dir().join(format!("concord-pg-{}", Uuid::new_v4().simple()));
        std::fs::create_dir(&dir).expect("the data directory");
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
        if as_postgres {
            run(Command::new("chown").arg("postgres:postgres").arg(&dir));
        }
        let port = free_port();
        let server = Self {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = server.dir.join("data");
        run(server
            .command("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-instructions", "-D"])
            .arg(&data));
        server.pg_ctl(&["start"]);
        server
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn pg_ctl(&self, args: &[&str]) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(["-w", "-t", "30", "-o", &options])
            .args(args));
    }

    /// Stopped as a crash stops it: no checkpoint; the next start replays the WAL.
    fn crash(&self) {
        self.pg_ctl(&["stop", "-m", "immediate"]);
    }

    fn url(&self, role: &str, database: &str) -> String {
        format!("postgres://{role}@127.0.0.1:{}/{database}", self.port)
    }

    /// Concord's login role and the administrator's one-time setup of its roles (README,
    /// PostgreSQL), and a database it owns.
    async fn concord_database(&self) -> String {
        let admin = Database::connect(self.url("postgres", "postgres"))
            .await
            .expect("connect to the test's own PostgreSQL");
        crate::helpers::ensure_role(&admin, OWNER_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS").await;
        let roles = migration::roles::setup_roles_sql(OWNER_ROLE).expect("a plain role name");
        admin
            .execute_unprepared(&roles)
            .await
            .expect("set up roles");
        admin
            .execute_unprepared(&format!("CREATE DATABASE concord OWNER {OWNER_ROLE}"))
            .await
            .expect("create the database");
        self.url(OWNER_ROLE, "concord")
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) {
    let shown = format!("{command:?}");
    let out = command.output().expect("run a PostgreSQL tool");
    assert!(
        out.status.success(),
        "{shown}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_real_postgresql_crash_and_restart_is_answered_503_and_loses_no_acknowledged_write() {
    let postgres = OwnPostgres::create();
    let url = postgres.concord_database().await;
    let app = Arc::new(spawn_app_with(|s| s.database_url = Some(SecretString::from(url))).await);
    let lead = app.sign_up("durham-restart").await;
    let load = WriteLoad::start(app.clone(), lead.token.clone());
    tokio::time::sleep(Duration::from_secs(1)).await;

    postgres.crash();
    answered_unavailable(&app, &lead.token).await;

    postgres.pg_ctl(&["start"]);
    recovered_within_five_seconds(&app, &lead.token).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let acknowledged = load.finish().await;
    let superuser = Database::connect(postgres.url("postgres", "concord"))
        .await
        .expect("connect as the superuser");
    all_present(&superuser, &acknowledged).await;
}
