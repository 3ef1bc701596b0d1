//! Benchmark (issues 12 and 13): the client profile, client search and a write mix under load,
//! each against what PostgreSQL alone does for the same data (pgbench), and the profile against
//! PostGraphile serving the same data (`bench/postgraphile`), on an installation of `clients`
//! clients in `tenants` tenants. Everything runs on this machine: the release `concord serve`
//! (its own process, Redis for the revocation marks as in production) and `concord worker`,
//! PostgreSQL, and the load: wrk (`bench/wrk/requests.lua`) for every closed-loop phase, and
//! this program's own pacing for the open loop at half of the profile's peak.
//! The figures go to BENCHMARKS.md; the ratios are what count.
//!
//! ```text
//! apt-get install wrk            # Debian's package
//! cargo build --release -p concord-api --bin concord --example bench_load
//! target/release/examples/bench_load [clients=200000] [tenants=20] [seconds=20]
//! ```
//! PostgreSQL and Redis as for `cargo xtask test`; `pgbench` from PATH or PostgreSQL's bindir;
//! for the PostGraphile rows, `npm ci --prefix bench/postgraphile` first (Node 22 and
//! PostGraphile 5.1.5 from npm; without them those rows are skipped, and said to be).
//! The database is dropped at the end, unless `CONCORD_BENCH_KEEP=1` (then
//! `CONCORD_BENCH_DATABASE=<its name>` measures on it again without seeding; the cases the
//! write mix logs attempts on are topped up).
//! The people are the same on every run with the same `CONCORD_BENCH_SEED` (default 2026).
//! `CONCORD_BENCH_SSLMODE=require` connects Concord and pgbench to PostgreSQL over TLS (the
//! server must have `ssl = on`), to measure what TLS costs against a run without it.
//! `CONCORD_BENCH_ONLY=search,writes` runs only the phases named (`session`, `profile`,
//! `search`, `writes`; `none` seeds and stops). The phases start once the worker has no job due.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use testkit::PASSWORD;
use testkit::postgres::{OWNER_ROLE, create_database, drop_database, redis_url, url_for};

const PROFILE: &str = include_str!("../../bench/concord_profile.graphql");
const SEARCH: &str = include_str!("../../frontend/queries/client_search.graphql");
const POSTGRAPHILE_PROFILE: &str = include_str!("../../bench/postgraphile/profile.graphql");
const FIRST_NAMES: [&str; 40] = [
    "John",
    "Mary",
    "James",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Mikel",
    "Nancy",
    "Daniel",
    "Lisa",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
];
const LAST_NAMES: [&str; 60] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Jonson",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
];

/// One tenant as seeded: its users' e-mail addresses and the client the others are copied from.
struct Seeded {
    slug: String,
    tenant_id: String,
    users: Vec<String>,
    seed_client: String,
}

/// How a request says who asks: Concord's access token, or (PostGraphile) the tenant in a
/// header that its `pgSettings` turn into the transaction's tenant setting.
enum Auth {
    Bearer(String),
    Tenant(String),
}

type Request = (Value, String, Option<Auth>);

/// A user's signed-in token and the clients of their tenant.
struct Viewer {
    token: String,
    tenant_id: String,
    clients: Arc<Vec<String>>,
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let clients = args.first().copied().unwrap_or(200_000);
    let tenants = args.get(1).copied().unwrap_or(20);
    let seconds = args.get(2).copied().unwrap_or(20) as u64;
    let phase = Duration::from_secs(seconds);

    // `CONCORD_BENCH_DATABASE`: a database an earlier run seeded and kept (with
    // `CONCORD_BENCH_KEEP=1`), to measure again without seeding; otherwise a new one, dropped
    // at the end unless kept.
    let kept = std::env::var("CONCORD_BENCH_DATABASE").ok();
    let keep = kept.is_some() || std::env::var_os("CONCORD_BENCH_KEEP").is_some();
    let database = match &kept {
        Some(name) => name.clone(),
        None => create_database(OWNER_ROLE).await,
    };
    let admin = Database::connect(url_for("postgres", &database))
        .await
        .expect("superuser");
    let concord = Server::concord(&database);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("http client");
    let api = Api {
        http: http.clone(),
        url: format!("{}/graphql", concord.address),
    };

    let seeded = if kept.is_some() {
        searches_have_viewers(&admin).await;
        seeded_before(&admin).await
    } else {
        // Each tenant and one full client through the API, then that client copied in bulk as
        // the superuser (seeding is not what is measured).
        let seeding = Instant::now();
        let mut seeded = Vec::new();
        for n in 0..tenants {
            seeded.push(seed_tenant(&api, n).await);
        }
        let seed = std::env::var("CONCORD_BENCH_SEED")
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(2026);
        let copies = clients / tenants.max(1) - 1;
        for (place, tenant) in (0u32..).zip(&seeded) {
            copy_clients(&admin, tenant, copies, seed, place).await;
        }
        search_rows_in_arrival_order(&admin).await;
        admin.execute_unprepared("ANALYZE").await.expect("analyze");
        prepare_pgbench_tables(&admin, &seeded).await;
        eprintln!("seeded in {:.0?}; database {database}", seeding.elapsed());
        seeded
    };
    let total = client_count(&admin).await;
    println!(
        "{} tenants, {total} clients, {} rows",
        seeded.len(),
        count_rows(&admin).await
    );

    let mut viewers = Vec::new();
    let mut attempts = Vec::new();
    // Each closed-loop write phase logs at most a third of its writes as contact attempts, at
    // up to 1,500 writes a second; a case takes one attempt at its version (LOCK-1).
    let attempts_wanted = (2 * 500 * seconds as usize).div_ceil(seeded.len().max(1));
    for tenant in &seeded {
        let ids = Arc::new(client_ids(&admin, &tenant.tenant_id).await);
        let mut tokens = Vec::new();
        for email in &tenant.users {
            let token = api.login(&tenant.slug, email).await;
            tokens.push(token.clone());
            viewers.push(Viewer {
                token,
                tenant_id: tenant.tenant_id.clone(),
                clients: ids.clone(),
            });
        }
        // The second agency's user reports the conflicts, so logs their attempts (DEM-4).
        let reporter = &tokens[1];
        for case in
            cases_to_attempt(&api, &admin, &tenant.tenant_id, reporter, attempts_wanted).await
        {
            attempts.push((reporter.clone(), case));
        }
    }
    attempts.shuffle(&mut rand::rng());
    let viewers = Arc::new(viewers);
    let worker = Server::worker(&database);
    worker_idle(&admin).await;

    println!(
        "\n| measurement | requests/s | p50 ms | p95 ms | p99 ms | concord RSS MB | worker RSS MB |\n|---|---|---|---|---|---|---|"
    );
    let load = |name: &str, requests: &[Request], connections: usize| {
        wrk(&concord.address, name, requests, connections, phase)
    };
    // `CONCORD_BENCH_ONLY` (see the top of this file): one measurement again, not the rest.
    let only = std::env::var("CONCORD_BENCH_ONLY").ok();
    let runs = |phase: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|p| p == phase))
    };
    // A closed-loop phase, its row, and the statements (Concord's counter) and transactions
    // (PostgreSQL's) per request.
    let counted = async |name: &str, requests: &[Request], connections: usize, what: &str| {
        let statements = metric(&http, &concord.address, "concord_db_queries_total").await;
        let commits = xact_commits(&admin, &database).await;
        let outcome = load(name, requests, connections);
        let statements =
            metric(&http, &concord.address, "concord_db_queries_total").await - statements;
        let commits = xact_commits(&admin, &database).await - commits;
        outcome.print(what, &concord, &worker);
        println!(
            "|   statements per request: {:.1} (Concord's counter), transactions {:.2} (pg_stat_database) | | | | | | |",
            statements / outcome.requests as f64,
            commits / outcome.requests as f64,
        );
        outcome
    };
    if runs("session") {
        let anonymous = [(json!({}), "{ __typename }".to_owned(), None)];
        load("anonymous", &anonymous, 16).print(
            "`{ __typename }` without a token, 16 connections",
            &concord,
            &worker,
        );
        let signed_in = listed(|rng| {
            let viewer = viewers.choose(rng).unwrap();
            (
                json!({}),
                "{ __typename }".into(),
                Some(Auth::Bearer(viewer.token.clone())),
            )
        });
        load("signed-in", &signed_in, 16).print(
            "`{ __typename }` signed in, 16 connections",
            &concord,
            &worker,
        );
    }

    let profile_figures = if runs("profile") {
        let profiles = listed(|rng| profile(&viewers, rng));
        let mut profile_peak = Outcome::default();
        for connections in [4, 16] {
            let what = format!("client profile, {connections} connections");
            let outcome = counted("profile", &profiles, connections, &what).await;
            if outcome.rate() > profile_peak.rate() {
                profile_peak = outcome;
            }
        }
        // wrk keeps its connections busy (a closed loop); the open loop at a fixed rate is this
        // tool's own pacing, as wrk has no such mode (wrk2, which has, is not packaged).
        let half = profile_peak.rate() / 2.0;
        let vs = viewers.clone();
        let paced = paced(&api, 64, phase, half, move |rng| profile(&vs, rng)).await;
        paced.print(
            &format!("client profile at half of peak ({half:.0}/s offered, open loop)"),
            &concord,
            &worker,
        );
        let ceiling_4 = pgbench(
            &database,
            OWNER_ROLE,
            ("profile", PROFILE_SQL),
            4,
            seconds,
            total,
        );
        let ceiling_16 = pgbench(
            &database,
            OWNER_ROLE,
            ("profile", PROFILE_SQL),
            16,
            seconds,
            total,
        );
        println!(
            "| SQL ceiling: the profile in one query, 4 connections (pgbench) | {ceiling_4:.0} | | | | | |"
        );
        println!(
            "| SQL ceiling: the profile in one query, 16 connections (pgbench) | {ceiling_16:.0} | | | | | |"
        );

        let postgraphile_peak = match Server::postgraphile(&database) {
            None => {
                println!(
                    "| PostGraphile: not installed (`npm ci --prefix bench/postgraphile`), skipped | | | | | | |"
                );
                None
            }
            Some(postgraphile) => {
                let graphile = Api {
                    http: http.clone(),
                    url: format!("{}/graphql", postgraphile.address),
                };
                postgraphile_sees_one_tenant(&graphile, &viewers).await;
                let requests = listed(|rng| postgraphile_profile(&viewers, rng));
                let mut peak = Outcome::default();
                for connections in [4, 16] {
                    let outcome = wrk(
                        &postgraphile.address,
                        "postgraphile",
                        &requests,
                        connections,
                        phase,
                    );
                    outcome.print(
                        &format!("PostGraphile 5.1.5, the same profile, {connections} connections"),
                        &postgraphile,
                        &worker,
                    );
                    if outcome.rate() > peak.rate() {
                        peak = outcome;
                    }
                }
                println!(
                    "| PostGraphile peak resident memory (VmHWM) MB | {} | | | | | |",
                    postgraphile.status_kb("VmHWM:") / 1024
                );
                Some(peak)
            }
        };
        Some((profile_peak, ceiling_16, postgraphile_peak))
    } else {
        None
    };

    if runs("search") {
        let searches = listed(|rng| search(&viewers, rng));
        for connections in [4, 16] {
            let what = format!("client search, {connections} connections");
            counted("search", &searches, connections, &what).await;
            let reference = pgbench(
                &database,
                "postgres",
                ("search", SEARCH_SQL),
                connections,
                seconds,
                2000,
            );
            println!(
                "| search reference, RLS bypassed, {connections} connections (pgbench) | {reference:.0} | | | | | |"
            );
        }
    }
    if runs("writes") {
        let per_phase = attempts.len() / 2;
        for connections in [4, 16] {
            let cases: Vec<_> = attempts.drain(..per_phase).collect();
            let writes = write_mix(&viewers, cases);
            let outcome = load("writes", &writes, connections);
            outcome.print(
            &format!(
                "writes: a note, a service, a contact attempt in turn, {connections} connections"
            ),
            &concord,
            &worker,
        );
        }
    }
    println!(
        "\nconcord peak resident memory (VmHWM): {} MB; worker: {} MB",
        concord.status_kb("VmHWM:") / 1024,
        worker.status_kb("VmHWM:") / 1024
    );
    if let Some((profile_peak, ceiling_16, postgraphile_peak)) = profile_figures {
        println!(
            "profile ratio to the SQL ceiling (16 connections): {:.2}×",
            profile_peak.rate() / ceiling_16.max(1.0)
        );
        if let Some(peak) = postgraphile_peak {
            println!(
                "PostGraphile's profile ratio to the SQL ceiling: {:.2}×; Concord to PostGraphile: {:.2}×",
                peak.rate() / ceiling_16.max(1.0),
                profile_peak.rate() / peak.rate().max(1e-9)
            );
        }
    }

    drop(worker);
    drop(concord);
    drop(admin);
    if !keep {
        drop_database(database);
    }
}

/// Clients arrive from every CoC over time, so in production a tenant's rows in the search
/// projection lie among every other tenant's on disk, where the copies put a tenant's rows
/// together. A search reads that table in bulk (the profile reads rows by key), and how its
/// index finds a tenant's rows depends on where they lie, so the table is rewritten in random
/// order: the layout production has. (Copying in rounds, a slice of each tenant at a time,
/// seeded 93,000 clients in 16 minutes where one round seeds 200,000 in 4.)
async fn search_rows_in_arrival_order(admin: &DatabaseConnection) {
    admin
        .execute_unprepared(
            "BEGIN;
             SET LOCAL session_replication_role = replica;
             CREATE TEMP TABLE arrived ON COMMIT DROP AS
                 SELECT * FROM client_search ORDER BY random();
             DELETE FROM client_search;
             INSERT INTO client_search SELECT * FROM arrived;
             COMMIT;",
        )
        .await
        .expect("search rows in arrival order");
    admin
        .execute_unprepared("VACUUM FULL client_search")
        .await
        .expect("vacuum the search rows");
}

/// A worker's first start of the day on a database runs the day's per-tenant jobs; at
/// 1,000,000 clients the `ENR-4` scans read every enrolled client for minutes, and measured
/// phases that overlap them measure the scans too (on 2026-12-07 they took a sixth of the
/// machine's CPU through the search phase). The phases start once no job is due.
async fn worker_idle(admin: &DatabaseConnection) {
    let started = Instant::now();
    loop {
        let due: i64 = admin
            .query_one_raw(Statement::from_string(
                admin.get_database_backend(),
                "SELECT count(*) AS due FROM apalis.jobs \
                 WHERE status IN ('Pending', 'Queued', 'Running') AND run_at <= now()",
            ))
            .await
            .expect("the worker's jobs")
            .expect("a count")
            .try_get("", "due")
            .expect("due");
        if due == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    eprintln!("the worker's due jobs done in {:.0?}", started.elapsed());
}

/// The tenants an earlier run seeded, as it named them.
async fn seeded_before(admin: &DatabaseConnection) -> Vec<Seeded> {
    admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT slug, id::text AS id FROM tenants WHERE slug LIKE 'bench-%' ORDER BY slug",
        ))
        .await
        .expect("tenants")
        .iter()
        .map(|row| {
            let slug: String = row.try_get("", "slug").expect("slug");
            Seeded {
                users: (0..2).map(|a| format!("staff{a}@{slug}.example")).collect(),
                tenant_id: row.try_get("", "id").expect("id"),
                seed_client: String::new(),
                slug,
            }
        })
        .collect()
}

async fn client_count(admin: &DatabaseConnection) -> usize {
    let row = admin
        .query_one_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT count(*) AS n FROM bench_targets",
        ))
        .await
        .expect("count")
        .expect("a row");
    usize::try_from(row.try_get::<i64>("", "n").expect("n")).expect("a count")
}

fn profile(viewers: &[Viewer], rng: &mut rand::rngs::ThreadRng) -> Request {
    let viewer = viewers.choose(rng).unwrap();
    let client = viewer.clients.choose(rng).unwrap();
    (
        json!({ "clientId": client }),
        PROFILE.to_owned(),
        Some(Auth::Bearer(viewer.token.clone())),
    )
}

/// A note added to a random client of the viewer's tenant: a write with its audit entry.
fn note(viewers: &[Viewer], rng: &mut rand::rngs::ThreadRng) -> Request {
    let viewer = viewers.choose(rng).unwrap();
    let client = viewer.clients.choose(rng).unwrap();
    (
        json!({ "c": client, "b": "Called about the housing application; left a message." }),
        "mutation($c: UUID!, $b: String!) { addClientNote(input: { clientId: $c, body: $b }) { note { id } } }".into(),
        Some(Auth::Bearer(viewer.token.clone())),
    )
}

/// The write mix: a note, a service and a contact attempt in turn, the notes and services on
/// random clients of the writer's tenant, each attempt on a case of its own (`cases`: the
/// reporting user's token and the case, waiting for its first attempt).
fn write_mix(viewers: &[Viewer], cases: Vec<(String, String)>) -> Vec<Request> {
    let mut rng = rand::rng();
    let today = chrono::Utc::now().date_naive().to_string();
    let now = chrono::Utc::now().to_rfc3339();
    let mut requests = Vec::new();
    for (token, case) in cases {
        requests.push(note(viewers, &mut rng));
        let viewer = viewers.choose(&mut rng).unwrap();
        requests.push((
            json!({ "i": { "clientId": viewer.clients.choose(&mut rng).unwrap(), "kind": "SERVICE",
                "serviceType": "Meal", "serviceDate": today } }),
            "mutation($i: RecordServiceInput!) { recordService(input: $i) { service { id } } }"
                .into(),
            Some(Auth::Bearer(viewer.token.clone())),
        ));
        requests.push((
            json!({ "i": { "caseId": case, "expectedVersion": 1, "attemptedAt": now, "method": "PHONE",
                "reached": false, "note": "Left a voicemail about the date of birth." } }),
            "mutation($i: LogContactAttemptInput!) { logContactAttempt(input: $i) { case { id } } }".into(),
            Some(Auth::Bearer(token)),
        ));
    }
    requests
}

/// `wanted` data-conflict cases of the tenant still waiting for their first contact attempt:
/// those an earlier run left, and more opened through the API as the second agency's user
/// (`reporter`) gives clients another date of birth without documentation (DEM-3).
async fn cases_to_attempt(
    api: &Api,
    admin: &DatabaseConnection,
    tenant_id: &str,
    reporter: &str,
    wanted: usize,
) -> Vec<String> {
    let waiting = format!(
        "SELECT id::text AS id FROM cases WHERE tenant_id = '{tenant_id}' \
         AND state = 'OPENED' AND version = 1 LIMIT {wanted}"
    );
    let mut cases: Vec<String> = strings(admin, &waiting, "id").await;
    if cases.len() < wanted {
        let without_case = format!(
            "SELECT id::text || ' ' || version AS client FROM clients c WHERE tenant_id = '{tenant_id}' \
             AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.tenant_id = c.tenant_id AND k.client_id = c.id) \
             LIMIT {}",
            wanted - cases.len()
        );
        let clients = strings(admin, &without_case, "client").await;
        let opened: Vec<String> = futures_util::stream::iter(clients)
            .map(|client| async move {
                let (id, version) = client.split_once(' ').expect("id and version");
                api.ok(
                    "mutation($i: ChangeDemographicInput!) { changeClientDemographic(input: $i) { __typename } }",
                    json!({ "i": { "clientId": id, "expectedVersion": version.parse::<i64>().expect("version"),
                        "field": "DOB", "value": "1939-12-31" } }),
                    Some(reporter),
                    "/data/changeClientDemographic/__typename",
                )
                .await
            })
            .buffer_unordered(8)
            .collect()
            .await;
        assert!(
            opened.iter().all(|kind| kind == "DataConflict"),
            "a change opened no conflict: {opened:?}"
        );
        cases = strings(admin, &waiting, "id").await;
    }
    cases
}

async fn strings(admin: &DatabaseConnection, sql: &str, column: &str) -> Vec<String> {
    admin
        .query_all_raw(Statement::from_string(admin.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| r.try_get::<String>("", column).expect("a text column"))
        .collect()
}

fn postgraphile_profile(viewers: &[Viewer], rng: &mut rand::rngs::ThreadRng) -> Request {
    let viewer = viewers.choose(rng).unwrap();
    let client = viewer.clients.choose(rng).unwrap();
    (
        json!({ "tenantId": viewer.tenant_id, "clientId": client }),
        POSTGRAPHILE_PROFILE.to_owned(),
        Some(Auth::Tenant(viewer.tenant_id.clone())),
    )
}

/// PostGraphile answers a profile with the client in its own tenant, and nothing with another
/// tenant's header: row-level security binds it as it binds Concord, so the rows compare
/// like with like.
async fn postgraphile_sees_one_tenant(graphile: &Api, viewers: &[Viewer]) {
    let ask = |tenant: &str, owner: &Viewer| {
        graphile
            .http
            .post(&graphile.url)
            .header("x-tenant-id", tenant.to_owned())
            .json(&json!({
                "query": POSTGRAPHILE_PROFILE,
                "variables": { "tenantId": owner.tenant_id, "clientId": owner.clients[0] }
            }))
            .send()
    };
    let owner = &viewers[0];
    let stranger = viewers
        .iter()
        .find(|v| v.tenant_id != owner.tenant_id)
        .expect("two tenants");
    let own: Value = ask(&owner.tenant_id, owner)
        .await
        .expect("PostGraphile")
        .json()
        .await
        .expect("json");
    let client = &own["data"]["clientByTenantIdAndRowId"];
    assert!(
        client["rowId"].is_string()
            && client["enrollmentsByTenantIdAndClientId"]["nodes"].is_array(),
        "PostGraphile did not answer the profile: {own}"
    );
    let other: Value = ask(&stranger.tenant_id, owner)
        .await
        .expect("PostGraphile")
        .json()
        .await
        .expect("json");
    assert!(
        other["data"]["clientByTenantIdAndRowId"].is_null(),
        "PostGraphile showed another tenant's client: {other}"
    );
}

/// A name as someone types it in a hurry: two letters of the last name swapped.
fn search(viewers: &[Viewer], rng: &mut rand::rngs::ThreadRng) -> Request {
    let viewer = viewers.choose(rng).unwrap();
    (
        json!({ "query": typed_name(rng) }),
        SEARCH.to_owned(),
        Some(Auth::Bearer(viewer.token.clone())),
    )
}

fn typed_name(rng: &mut impl Rng) -> String {
    let first = FIRST_NAMES.choose(rng).unwrap();
    let mut last: Vec<char> = LAST_NAMES.choose(rng).unwrap().chars().collect();
    let at = rng.random_range(1..last.len() - 1);
    last.swap(at, at + 1);
    format!("{first} {}", last.into_iter().collect::<String>())
}

struct Api {
    http: reqwest::Client,
    url: String,
}

impl Api {
    async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let mut request = self
            .http
            .post(&self.url)
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
            .expect("json")
    }

    /// `query` answered without errors; the value at `path`.
    async fn ok(&self, query: &str, variables: Value, token: Option<&str>, path: &str) -> String {
        let answer = self.gql(query, variables, token).await;
        let value = answer.pointer(path).cloned().unwrap_or(Value::Null);
        assert!(
            answer["errors"].is_null() && !value.is_null(),
            "{query}: {answer}"
        );
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned)
    }

    async fn login(&self, slug: &str, email: &str) -> String {
        self.ok(
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            json!({ "i": { "tenantSlug": slug, "email": email, "password": PASSWORD } }),
            None,
            "/data/login/accessToken",
        )
        .await
    }
}

async fn seed_tenant(api: &Api, n: usize) -> Seeded {
    let slug = format!("bench-{n:03}");
    let signed_up = api
        .gql(
            "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { tenant { id } auth { accessToken } } }",
            json!({ "i": { "cocName": format!("{slug} CoC"), "cocCode": "NC-502", "slug": slug,
                "adminEmail": format!("lead@{slug}.example"), "adminName": "Data Lead", "password": PASSWORD } }),
            None,
        )
        .await;
    let lead = signed_up["data"]["signUpTenant"]["auth"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{signed_up}"))
        .to_owned();
    let tenant_id = signed_up["data"]["signUpTenant"]["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut users = Vec::new();
    let mut tokens = Vec::new();
    let mut user_ids = Vec::new();
    let mut projects = Vec::new();
    for (a, name) in ["Urban Ministries", "Housing for New Hope"]
        .iter()
        .enumerate()
    {
        let agency = api
            .ok(
                "mutation($n: String!) { createAgency(input: { name: $n }) { agency { id } } }",
                json!({ "n": name }),
                Some(&lead),
                "/data/createAgency/agency/id",
            )
            .await;
        let email = format!("staff{a}@{slug}.example");
        let invitation = api
            .ok(
                "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { token } } }",
                json!({ "i": { "email": email, "role": "USER", "agencyId": agency } }),
                Some(&lead),
                "/data/inviteUser/invitation/token",
            )
            .await;
        let accepted = api
            .gql(
                "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken user { id } } }",
                json!({ "i": { "tenantSlug": slug, "token": invitation, "displayName": "Staff", "password": PASSWORD } }),
                None,
            )
            .await;
        tokens.push(
            accepted["data"]["acceptInvitation"]["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("{accepted}"))
                .to_owned(),
        );
        user_ids.push(
            accepted["data"]["acceptInvitation"]["user"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        projects.push(
            api.ok(
                "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
                json!({ "i": { "agencyId": agency, "name": format!("{name} shelter"), "projectType": 1 } }),
                Some(&lead),
                "/data/createProject/project/id",
            )
            .await,
        );
        users.push(email);
    }

    // The client every other is copied from: demographics with some history, two enrollments
    // (one per agency), services, notes, a case manager and profile rows.
    let client = api
        .ok(
            "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
            json!({ "i": { "firstName": "Mikel", "middleName": "A", "lastName": "Jonson", "dob": "1980-07-01",
                "raceEthnicity": [1], "gender": [0], "veteranStatus": 0 } }),
            Some(&tokens[0]),
            "/data/createClient/client/id",
        )
        .await;
    for (version, value) in [(1, "Mike"), (2, "Mikel")] {
        api.ok(
            "mutation($i: ChangeDemographicInput!) { changeClientDemographic(input: $i) { __typename } }",
            json!({ "i": { "clientId": client, "expectedVersion": version, "field": "FIRST_NAME", "value": value } }),
            Some(&tokens[0]),
            "/data/changeClientDemographic/__typename",
        )
        .await;
    }
    for (a, token) in tokens.iter().enumerate() {
        let enrollment = api
            .ok(
                "mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }",
                json!({ "i": { "clientId": client, "projectId": projects[a], "relationshipToHoh": 1, "entryDate": format!("2024-0{}-01", a + 1) } }),
                Some(token),
                "/data/enrollClient/enrollment/id",
            )
            .await;
        for kind in ["SERVICE", "NEED"] {
            api.ok(
                "mutation($i: RecordServiceInput!) { recordService(input: $i) { service { id } } }",
                json!({ "i": { "clientId": client, "enrollmentId": enrollment, "kind": kind, "serviceType": "Meal", "serviceDate": "2024-03-01" } }),
                Some(token),
                "/data/recordService/service/id",
            )
            .await;
        }
        api.ok(
            "mutation($c: UUID!, $b: String!) { addClientNote(input: { clientId: $c, body: $b }) { note { id } } }",
            json!({ "c": client, "b": "Met at the day center; follow up on housing paperwork." }),
            Some(token),
            "/data/addClientNote/note/id",
        )
        .await;
    }
    api.ok(
        "mutation($i: AssignCaseManagerInput!) { assignCaseManager(input: $i) { assignment { id } } }",
        json!({ "i": { "clientId": client, "projectId": projects[0], "caseManagerUserId": user_ids[0], "startDate": "2024-01-01" } }),
        Some(&tokens[0]),
        "/data/assignCaseManager/assignment/id",
    )
    .await;
    for (kind, value) in [
        ("PHONE", "919-555-0100"),
        ("EMAIL", "client@example.org"),
        ("ADDRESS", "1 Main St, Durham NC"),
    ] {
        api.ok(
            "mutation($i: AddProfileRowInput!) { addProfileRow(input: $i) { row { id } } }",
            json!({ "i": { "clientId": client, "kind": kind, "value": value, "startDate": "2024-01-01" } }),
            Some(&tokens[0]),
            "/data/addProfileRow/row/id",
        )
        .await;
    }
    // One read, so the view log has a row to copy too.
    api.ok(
        PROFILE,
        json!({ "clientId": client }),
        Some(&tokens[1]),
        "/data/client/id",
    )
    .await;
    Seeded {
        slug,
        tenant_id,
        users,
        seed_client: client,
    }
}

/// Copies the tenant's seed client `copies` times (HMIS numbers `B1`, `B2`, …), with names and
/// dates of birth of their own drawn by PostgreSQL's `random()` from a seed made of `seed` and
/// the tenant's place in the seeding: the same seed gives every tenant the same people again
/// (ids stay random). Each copy has copies of the seed's rows;
/// the search projection follows by its trigger.
async fn copy_clients(
    admin: &DatabaseConnection,
    tenant: &Seeded,
    copies: usize,
    seed: u32,
    place: u32,
) {
    if copies == 0 {
        return;
    }
    let firsts = sql_array(&FIRST_NAMES);
    let lasts = sql_array(&LAST_NAMES);
    let (t, s) = (&tenant.tenant_id, &tenant.seed_client);
    // `setseed` takes a number in [-1, 1].
    let setseed = f64::from(seed.wrapping_add(place) % 10_000) / 10_000.0;
    let mut sql = format!(
        "BEGIN;
        SELECT setseed({setseed});
        CREATE TEMP TABLE copy ON COMMIT DROP AS
            SELECT gen_random_uuid() AS id, n,
                   ({firsts})[1 + floor(random() * {})::int] AS first_name,
                   ({lasts})[1 + floor(random() * {})::int] AS last_name,
                   date '1940-01-01' + floor(random() * 25000)::int AS dob
            FROM generate_series(1, {}) AS n;
        INSERT INTO clients SELECT (jsonb_populate_record(c, jsonb_build_object(
                'id', k.id, 'hmis_number', 'B' || k.n, 'first_name', k.first_name,
                'last_name', k.last_name, 'dob', k.dob))).*
            FROM clients c, copy k WHERE c.tenant_id = '{t}' AND c.id = '{s}';",
        FIRST_NAMES.len(),
        LAST_NAMES.len(),
        copies,
    );
    for (table, also) in [
        ("client_field_values", ""),
        ("enrollments", ", 'household_id', gen_random_uuid()"),
        ("services", ", 'enrollment_id', NULL"),
        ("client_notes", ""),
        ("case_manager_assignments", ""),
        ("profile_rows", ""),
        ("client_views", ""),
    ] {
        sql.push_str(&format!(
            "INSERT INTO {table} SELECT (jsonb_populate_record(r, jsonb_build_object(
                    'id', gen_random_uuid(), 'client_id', k.id{also}))).*
                FROM {table} r, copy k WHERE r.tenant_id = '{t}' AND r.client_id = '{s}';"
        ));
    }
    sql.push_str("COMMIT;");
    admin.execute_unprepared(&sql).await.expect("copy clients");
}

fn sql_array(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    format!("ARRAY[{}]", quoted.join(","))
}

async fn count_rows(admin: &DatabaseConnection) -> i64 {
    let row = admin
        .query_one_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT sum(n_live_tup)::bigint AS rows FROM pg_stat_user_tables",
        ))
        .await
        .expect("count")
        .expect("a row");
    row.try_get("", "rows").expect("rows")
}

async fn client_ids(admin: &DatabaseConnection, tenant_id: &str) -> Vec<String> {
    let sql = format!("SELECT id::text AS id FROM clients WHERE tenant_id = '{tenant_id}'");
    strings(admin, &sql, "id").await
}

/// What pgbench picks its clients and searches from: numbered rows, readable by the login
/// role (they are not Concord's tables, and not under RLS).
async fn prepare_pgbench_tables(admin: &DatabaseConnection, seeded: &[Seeded]) {
    let mut sql = String::from(
        "CREATE TABLE bench_targets AS
            SELECT row_number() OVER () AS n, c.tenant_id::text AS tenant_id, c.id::text AS client_id,
                   c.created_by_user::text AS user_id, c.created_by_agency::text AS agency_id
            FROM clients c;
         CREATE UNIQUE INDEX ON bench_targets (n);
         CREATE TABLE bench_searches (n bigint PRIMARY KEY, tenant_id text, query text);",
    );
    let mut rng = rand::rng();
    for n in 1..=2000 {
        let tenant = seeded.choose(&mut rng).unwrap();
        sql.push_str(&format!(
            "INSERT INTO bench_searches VALUES ({n}, '{}', '{}');",
            tenant.tenant_id,
            typed_name(&mut rng)
        ));
    }
    sql.push_str(&format!(
        "GRANT SELECT ON bench_targets, bench_searches TO {OWNER_ROLE}; ANALYZE bench_targets;"
    ));
    admin
        .execute_unprepared(&sql)
        .await
        .expect("pgbench tables");
    searches_have_viewers(admin).await;
}

/// Each pgbench search is made by a user of its tenant (the view log names who was shown
/// the hits). Also run on a database kept from before the searches named one.
async fn searches_have_viewers(admin: &DatabaseConnection) {
    admin
        .execute_unprepared(
            "ALTER TABLE bench_searches ADD COLUMN IF NOT EXISTS user_id text,
                 ADD COLUMN IF NOT EXISTS agency_id text;
             UPDATE bench_searches AS b SET user_id = v.user_id, agency_id = v.agency_id
             FROM (SELECT t.tenant_id, c.created_by_user::text AS user_id,
                          c.created_by_agency::text AS agency_id
                   FROM (SELECT DISTINCT tenant_id FROM bench_searches) AS t,
                        LATERAL (SELECT created_by_user, created_by_agency FROM clients
                                 WHERE tenant_id = t.tenant_id::uuid LIMIT 1) AS c) AS v
             WHERE b.tenant_id = v.tenant_id AND b.user_id IS NULL;",
        )
        .await
        .expect("the searches' viewers");
}

/// The console's profile in one query, in a tenant transaction as Concord's request role,
/// with the view-log insert: what PostgreSQL alone does for one profile request.
const PROFILE_SQL: &str = r"\set n random(1, :targets)
SELECT tenant_id, client_id, user_id, agency_id FROM bench_targets WHERE n = :n \gset
BEGIN;
SELECT set_config('role', 'concord_app', true), set_config('app.tenant_id', :tenant_id, true);
SELECT json_build_object(
  'client', (SELECT row_to_json(c) FROM clients c WHERE c.tenant_id = :tenant_id::uuid AND c.id = :client_id::uuid),
  'values', (SELECT json_agg(v) FROM (SELECT DISTINCT ON (field) * FROM client_field_values
      WHERE tenant_id = :tenant_id::uuid AND client_id = :client_id::uuid ORDER BY field, id DESC) v),
  'rows', (SELECT json_agg(r) FROM profile_rows r WHERE r.tenant_id = :tenant_id::uuid AND r.client_id = :client_id::uuid),
  'enrollments', (SELECT json_agg(e) FROM (SELECT * FROM enrollments WHERE tenant_id = :tenant_id::uuid AND client_id = :client_id::uuid ORDER BY id LIMIT 21) e),
  'notes', (SELECT json_agg(x) FROM (SELECT * FROM client_notes WHERE tenant_id = :tenant_id::uuid AND client_id = :client_id::uuid ORDER BY id LIMIT 21) x),
  'case_managers', (SELECT json_agg(x) FROM (SELECT * FROM case_manager_assignments WHERE tenant_id = :tenant_id::uuid AND client_id = :client_id::uuid ORDER BY id LIMIT 21) x),
  'services', (SELECT json_agg(x) FROM (SELECT * FROM services WHERE tenant_id = :tenant_id::uuid AND client_id = :client_id::uuid ORDER BY id LIMIT 21) x));
INSERT INTO client_views VALUES (:tenant_id::uuid, gen_random_uuid(), :client_id::uuid, :user_id::uuid, :agency_id::uuid, now());
COMMIT;
";

/// Concord's search as the superuser, row-level security bypassed: its statement, and the
/// page's rows in the view log (AUD-2), as Concord writes them for every search.
const SEARCH_SQL: &str = r"\set n random(1, :targets)
SELECT tenant_id, query, user_id, agency_id FROM bench_searches WHERE n = :n \gset
BEGIN;
SELECT set_config('app.tenant_id', :tenant_id, true);
WITH hits AS (SELECT c.*, s.score FROM search_clients(:query, 21) AS s JOIN clients AS c ON c.tenant_id = :tenant_id::uuid AND c.id = s.client_id),
shown AS (INSERT INTO client_views (tenant_id, id, client_id, viewer_user_id, viewer_agency_id, viewed_at, shown_in)
  SELECT :tenant_id::uuid, gen_random_uuid(), page.id, :user_id::uuid, :agency_id::uuid, now(), 'SEARCH'
  FROM (SELECT id FROM hits ORDER BY score DESC, id LIMIT 20) AS page)
SELECT * FROM hits;
COMMIT;
";

/// Transactions per second pgbench reaches with `script` at `connections`.
fn pgbench(
    database: &str,
    role: &str,
    (name, script): (&str, &str),
    connections: usize,
    seconds: u64,
    targets: usize,
) -> f64 {
    let path = std::env::temp_dir().join(format!("concord-bench-{name}.sql"));
    std::fs::write(&path, script).expect("pgbench script");
    let targets = format!("--define=targets={targets}");
    let output = Command::new(pgbench_path())
        .args([
            "--no-vacuum",
            "--protocol=extended",
            "--client",
            &connections.to_string(),
        ])
        .args(["--jobs", "2", "--time", &seconds.to_string(), &targets])
        .arg(format!("--file={}", path.display()))
        .arg(database_url(role, database))
        .output()
        .expect("run pgbench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "pgbench: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no tps in {stdout}"))
}

/// The URL Concord and pgbench connect with: over TLS when `CONCORD_BENCH_SSLMODE` says so.
fn database_url(role: &str, database: &str) -> String {
    let url = url_for(role, database);
    match std::env::var("CONCORD_BENCH_SSLMODE") {
        Ok(mode) => format!("{url}?sslmode={mode}"),
        Err(_) => url,
    }
}

fn pgbench_path() -> String {
    if Command::new("pgbench").arg("--version").output().is_ok() {
        return "pgbench".into();
    }
    let bindir = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{bindir}/pgbench")
}

/// What a phase measured: requests answered, the failed among them (an HTTP error or a
/// GraphQL error), and latency percentiles in milliseconds.
#[derive(Default)]
struct Outcome {
    requests: u64,
    errors: u64,
    seconds: f64,
    p50: f64,
    p95: f64,
    p99: f64,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }

    /// A row of the results table, with the servers' resident memory after the phase.
    fn print(&self, what: &str, server: &Server, worker: &Server) {
        println!(
            "| {what}{} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {} |",
            if self.errors > 0 {
                format!(" ({} errors)", self.errors)
            } else {
                String::new()
            },
            self.rate(),
            self.p50,
            self.p95,
            self.p99,
            server.status_kb("VmRSS:") / 1024,
            worker.status_kb("VmRSS:") / 1024,
        );
    }
}

/// 20,000 requests from `next`: what a read phase walks through (random targets, so walking
/// the list in order is random).
fn listed(next: impl Fn(&mut rand::rngs::ThreadRng) -> Request) -> Vec<Request> {
    let mut rng = rand::rng();
    (0..20_000).map(|_| next(&mut rng)).collect()
}

/// wrk (Debian's package) sending `requests` to `address` over `connections` for `phase`,
/// through `bench/wrk/requests.lua`, which reads the figures back from wrk itself.
fn wrk(
    address: &str,
    name: &str,
    requests: &[Request],
    connections: usize,
    phase: Duration,
) -> Outcome {
    let path = std::env::temp_dir().join(format!("concord-bench-{name}.tsv"));
    let mut lines = String::new();
    for (variables, query, auth) in requests {
        lines.push_str(&match auth {
            None => "-".to_owned(),
            Some(Auth::Bearer(token)) => format!("bearer:{token}"),
            Some(Auth::Tenant(tenant)) => format!("tenant:{tenant}"),
        });
        lines.push('\t');
        // serde_json escapes tabs and line breaks inside strings: one request per line.
        lines.push_str(&json!({ "query": query, "variables": variables }).to_string());
        lines.push('\n');
    }
    std::fs::write(&path, lines).expect("wrk's requests");
    let threads = connections.min(2).to_string();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/wrk/requests.lua");
    let output = Command::new("wrk")
        .args([
            "--threads",
            &threads,
            "--connections",
            &connections.to_string(),
        ])
        .args([
            "--duration",
            &format!("{}s", phase.as_secs()),
            "--timeout",
            "10s",
        ])
        .arg("--script")
        .arg(&script)
        .arg(address)
        .arg("--")
        .arg(&path)
        .arg(&threads)
        .output()
        .expect("run wrk");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let figures = stdout
        .lines()
        .find_map(|l| l.strip_prefix("concord-wrk "))
        .unwrap_or_else(|| {
            panic!(
                "wrk gave no figures: {stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let figure = |name: &str| -> f64 {
        figures
            .split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {figures}"))
    };
    Outcome {
        requests: figure("requests") as u64,
        errors: figure("errors") as u64,
        seconds: figure("seconds"),
        p50: figure("p50"),
        p95: figure("p95"),
        p99: figure("p99"),
    }
}

/// Requests from `next` offered at `rate` for `phase` whatever the answers' pace (an open
/// loop), at most `connections` at once.
async fn paced<F>(api: &Api, connections: usize, phase: Duration, rate: f64, next: F) -> Outcome
where
    F: Fn(&mut rand::rngs::ThreadRng) -> Request + Send + Sync + 'static,
{
    let next = Arc::new(next);
    let started = Instant::now();
    let deadline = started + phase;
    let mut tasks = Vec::new();
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1.0)));
    let limit = Arc::new(tokio::sync::Semaphore::new(connections));
    while Instant::now() < deadline {
        ticks.tick().await;
        let permit = limit.clone().acquire_owned().await.expect("semaphore");
        let (variables, query, auth) = next(&mut rand::rng());
        let mut request = api
            .http
            .post(&api.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(Auth::Bearer(token)) = auth {
            request = request.bearer_auth(token);
        }
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let ok = match request.send().await {
                Ok(response) => response
                    .json::<Value>()
                    .await
                    .is_ok_and(|body| body["errors"].is_null()),
                Err(_) => false,
            };
            drop(permit);
            (sent.elapsed().as_micros() as u64, ok)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (micros, ok) = task.await.expect("load task");
        errors += u64::from(!ok);
        latencies.push(micros);
    }
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let at = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len().max(1));
        latencies.get(at - 1).map_or(0.0, |&m| m as f64 / 1000.0)
    };
    Outcome {
        requests: latencies.len() as u64,
        errors,
        seconds: started.elapsed().as_secs_f64(),
        p50: percentile(0.50),
        p95: percentile(0.95),
        p99: percentile(0.99),
    }
}

async fn metric(http: &reqwest::Client, address: &str, name: &str) -> f64 {
    let text = http
        .get(format!("{address}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|l| l.strip_prefix(name).map(str::trim))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
}

async fn xact_commits(admin: &DatabaseConnection, database: &str) -> f64 {
    let row = admin
        .query_one_raw(Statement::from_string(
            admin.get_database_backend(),
            format!(
                "SELECT pg_stat_force_next_flush(), xact_commit::float8 AS commits \
                 FROM pg_stat_database WHERE datname = '{database}'"
            ),
        ))
        .await
        .expect("pg_stat_database")
        .expect("a row");
    row.try_get("", "commits").expect("commits")
}

/// A GraphQL server under load, in a process of its own.
struct Server {
    child: Child,
    address: String,
}

/// Waits up to 60 s for `child` to listen on `port`.
fn listening(child: Child, port: u16, what: &str) -> Server {
    let server = Server {
        child,
        address: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..600 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not start");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The release `concord` binary beside this program, with a clean environment: the benchmark's
/// database, Redis under keys of its own (the API's and the worker's the same), warnings only.
fn concord_command(subcommand: &str, database: &str) -> Command {
    let binary = std::env::current_exe()
        .expect("this program")
        .parent()
        .and_then(|examples| examples.parent())
        .expect("target directory")
        .join("concord");
    let mut command = Command::new(binary);
    command
        .arg(subcommand)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url(OWNER_ROLE, database))
        .env("REDIS_URL", redis_url())
        .env("CONCORD_REDIS_PREFIX", format!("concord-bench:{database}:"))
        .env(
            "CONCORD_DATA_DIR",
            std::env::temp_dir().join(format!("concord-bench-{database}")),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    command
}

impl Server {
    /// The release `concord serve` on the benchmark's database, as production runs it: its
    /// own process, Redis, standard password hashing, no job workers; limits per address
    /// lifted for one load tool.
    fn concord(database: &str) -> Self {
        let port = free_port();
        let child = concord_command("serve", database)
            .env("CONCORD_LISTEN", format!("127.0.0.1:{port}"))
            .env("CONCORD_RUN_WORKER", "false")
            .env("CONCORD_SIGNUP_LIMIT_PER_ADDRESS", "1000000")
            .env("CONCORD_ACCEPT_LIMIT_PER_ADDRESS", "1000000")
            .env("CONCORD_LOGIN_LIMIT_PER_ADDRESS", "1000000")
            // The seeding's Data Center would otherwise have to enrol an authenticator first;
            // the measured requests are agency users', whom the default does not ask for one.
            .env("CONCORD_SECOND_FACTOR_ROLES", "NONE")
            .spawn()
            .expect("start concord serve");
        listening(child, port, "concord")
    }

    /// `concord worker`, the job workers a deployment runs beside the API (the outbox, the
    /// deadline sweep), on the same database and Redis: its memory under the load.
    fn worker(database: &str) -> Self {
        let mut child = concord_command("worker", database)
            .spawn()
            .expect("start concord worker");
        std::thread::sleep(Duration::from_secs(2));
        assert!(
            child.try_wait().expect("worker status").is_none(),
            "concord worker stopped at its start"
        );
        Self {
            child,
            address: String::new(),
        }
    }

    /// PostGraphile 5.1.5 on Node 22 (`bench/postgraphile`), logged in as Concord's login role
    /// with a pool of 10 as Concord's, each request as `concord_app` with the tenant from the
    /// `x-tenant-id` header. `None` when its npm packages are not installed.
    fn postgraphile(database: &str) -> Option<Self> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/postgraphile");
        let bin = dir.join("node_modules/.bin");
        if !bin.join("node").exists() || !bin.join("postgraphile").exists() {
            return None;
        }
        let port = free_port();
        let child = Command::new(bin.join("node"))
            .arg(bin.join("postgraphile"))
            .args(["-C", "graphile.config.mjs"])
            .current_dir(&dir)
            .env("DATABASE_URL", url_for(OWNER_ROLE, database))
            .env("PORT", port.to_string())
            .env("POOL_SIZE", "10")
            .env("NODE_ENV", "production")
            .stdout(Stdio::null())
            .spawn()
            .expect("start PostGraphile");
        Some(listening(child, port, "PostGraphile"))
    }

    /// A memory figure of the process (`VmRSS:`, `VmHWM:` for its peak), in kB.
    fn status_kb(&self, field: &str) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
