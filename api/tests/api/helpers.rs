//! `spawn_app()`: a real Concord on a fresh PostgreSQL database (named by a UUID, owned by a
//! non-superuser role, dropped afterwards) and a Redis key prefix of its own, bound to port 0.
//! Tests talk to it over HTTP exactly as clients do.
use std::path::PathBuf;
use std::sync::Arc;

use concord_api::startup::Application;
use domain::auth::password::PasswordHashing;
use domain::clock::{Clock, SystemClock, TestClock};
use domain::settings::Settings;
use domain::state::AppState;
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery staple 42";
pub const OWNER_ROLE: &str = "concord_owner";

pub fn admin_url() -> String {
    std::env::var("CONCORD_TEST_ADMIN_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn redis_url() -> String {
    std::env::var("CONCORD_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn url_for(role: &str, database: &str) -> String {
    let admin = admin_url();
    let rest = admin
        .split_once('@')
        .map_or("127.0.0.1:5432/postgres", |(_, rest)| rest);
    let host = rest.split_once('/').map_or(rest, |(host, _)| host);
    format!("postgres://{role}@{host}/{database}")
}

pub async fn admin() -> DatabaseConnection {
    Database::connect(admin_url())
        .await
        .expect("connect as the PostgreSQL superuser")
}

/// Creates a role once per cluster; concurrent tests may race, and the loser carries on.
pub async fn ensure_role(admin: &DatabaseConnection, name: &str, attributes: &str) {
    let sql = format!(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN \
         CREATE ROLE {name} {attributes}; END IF; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    );
    admin.execute_unprepared(&sql).await.expect("create role");
}

/// The administrator's one-time setup of Concord's roles (README, PostgreSQL), once per test
/// process: the login role gets the three roles and loses CREATEROLE.
pub async fn provision_roles() {
    static PROVISIONED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    PROVISIONED
        .get_or_init(|| async {
            let admin = admin().await;
            ensure_role(&admin, OWNER_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS").await;
            let sql = migration::roles::setup_roles_sql(OWNER_ROLE).expect("a plain role name");
            admin.execute_unprepared(&sql).await.expect("set up roles");
        })
        .await;
}

/// A fresh database owned by `owner`; returns its name. For the usual owner it is a copy of
/// a database migrated once (`migrated_template`), which the application then finds up to
/// date: migrating every test's database took most of a test's start-up.
pub async fn create_database(owner: &str) -> String {
    provision_roles().await;
    let admin = admin().await;
    let name = format!("concord_test_{}", Uuid::new_v4().simple());
    let sql = if owner == OWNER_ROLE {
        let template = migrated_template().await;
        format!("CREATE DATABASE {name} TEMPLATE {template} OWNER {owner}")
    } else {
        format!("CREATE DATABASE {name} OWNER {owner}")
    };
    admin
        .execute_unprepared(&sql)
        .await
        .expect("create database");
    name
}

/// A database holding every migration, owned by the usual owner, named after the set of
/// migrations so that runs reuse it until a migration is added (older ones are dropped).
/// Nothing may stay connected to it: PostgreSQL copies only an idle template.
async fn migrated_template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let names: Vec<String> = migration::Migrator::migrations()
                .iter()
                .map(|m| m.name().to_owned())
                .collect();
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&names, &mut hasher);
            let name = format!(
                "concord_template_{:016x}",
                std::hash::Hasher::finish(&hasher)
            );
            // One connection, so that the session lock below is held and released by it.
            let mut options = sea_orm::ConnectOptions::new(admin_url());
            options.max_connections(1);
            let admin = Database::connect(options).await.expect("connect as superuser");
            // One process builds it; another one waiting here then finds it built.
            admin
                .execute_unprepared("SELECT pg_advisory_lock(727001)")
                .await
                .expect("lock");
            let exists = admin
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
                ))
                .await
                .expect("look up the template")
                .is_some();
            if !exists {
                // What a run cut off while building left behind.
                admin
                    .execute_unprepared(&format!(
                        "DROP DATABASE IF EXISTS {name}_building WITH (FORCE)"
                    ))
                    .await
                    .expect("clear an unfinished template");
                admin
                    .execute_unprepared(&format!(
                        "CREATE DATABASE {name}_building OWNER {OWNER_ROLE}"
                    ))
                    .await
                    .expect("create the template");
                let db = Database::connect(url_for(OWNER_ROLE, &format!("{name}_building")))
                    .await
                    .expect("connect to the template");
                migration::Migrator::up(&db, None)
                    .await
                    .expect("migrate the template");
                db.close().await.expect("disconnect from the template");
                admin
                    .execute_unprepared(&format!(
                        "ALTER DATABASE {name}_building RENAME TO {name}"
                    ))
                    .await
                    .expect("name the template");
                let stale = admin
                    .query_all_raw(sea_orm::Statement::from_string(
                        sea_orm::DbBackend::Postgres,
                        format!(
                            "SELECT datname FROM pg_database WHERE datname LIKE 'concord\\_template\\_%' AND datname <> '{name}'"
                        ),
                    ))
                    .await
                    .unwrap_or_default();
                for row in stale {
                    if let Ok(old) = row.try_get::<String>("", "datname") {
                        let _ = admin
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {old}"))
                            .await;
                    }
                }
            }
            admin
                .execute_unprepared("SELECT pg_advisory_unlock(727001)")
                .await
                .expect("unlock");
            name
        })
        .await
}

pub fn drop_database(name: String) {
    // Drop runs outside any async context the test may still hold.
    let _ = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            if let Ok(admin) = Database::connect(admin_url()).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        });
    })
    .join();
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub database: String,
    pub data_dir: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.database.is_empty() {
            drop_database(self.database.clone());
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

pub fn test_settings(database: &str) -> Settings {
    let data_dir = std::env::temp_dir().join(format!("concord-test-{}", Uuid::new_v4().simple()));
    let mut settings = Settings::with_data_dir(data_dir);
    settings.listen = "127.0.0.1:0".parse().expect("address");
    settings.database_url = Some(SecretString::from(url_for(OWNER_ROLE, database)));
    settings.redis_url = Some(SecretString::from(redis_url()));
    settings.redis_prefix = format!("concord-test:{}:", Uuid::new_v4().simple());
    settings.run_worker = false;
    settings.console_dir = PathBuf::from("/nonexistent");
    settings.password_hashing = PasswordHashing::TestOnlyCheap;
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_on(configure, Arc::new(SystemClock)).await
}

/// Concord reading the time from `clock`, which the test moves to reach a deadline.
pub async fn spawn_app_with_clock(clock: Arc<TestClock>) -> TestApp {
    spawn_app_on(|_| {}, clock).await
}

async fn spawn_app_on(configure: impl FnOnce(&mut Settings), clock: Arc<dyn Clock>) -> TestApp {
    let database = create_database(OWNER_ROLE).await;
    let mut settings = test_settings(&database);
    configure(&mut settings);
    if settings.is_production() {
        // Production refuses cheap hashing, as it must.
        settings.password_hashing = PasswordHashing::Standard;
    }
    let data_dir = settings.data_dir.clone();
    let app = Application::build_with_clock(settings, clock)
        .await
        .expect("build the application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        state,
        database,
        data_dir,
    }
}

/// Concord on the embedded default: SQLite in a temporary data directory, no Redis.
pub async fn spawn_embedded() -> TestApp {
    let mut settings = test_settings("");
    settings.database_url = None;
    settings.redis_url = None;
    let data_dir = settings.data_dir.clone();
    let app = Application::build(settings)
        .await
        .expect("build the embedded application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        state,
        database: String::new(),
        data_dir,
    }
}

/// A signed-up tenant and its first (Data Center) user.
pub struct Tenant {
    pub id: Uuid,
    pub email: String,
    pub token: String,
    pub refresh: String,
    pub user_id: Uuid,
}

impl TestApp {
    pub async fn post(&self, body: Value, token: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("send")
    }

    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        self.post(json!({ "query": query, "variables": variables }), token)
            .await
            .json()
            .await
            .expect("json")
    }

    /// Database access as the superuser, for checks the API cannot make. Connects to this
    /// test's database.
    pub async fn superuser(&self) -> DatabaseConnection {
        Database::connect(url_for("postgres", &self.database))
            .await
            .expect("connect")
    }

    /// As the owner role the application logs in as (RLS forced on it too).
    pub async fn owner(&self) -> DatabaseConnection {
        Database::connect(url_for(OWNER_ROLE, &self.database))
            .await
            .expect("connect")
    }

    pub async fn sign_up(&self, slug: &str) -> Tenant {
        let email = format!("lead@{slug}.example");
        let response = self
            .gql(
                "mutation($i: SignUpTenantInput!) { signUpTenant(input: $i) { tenant { id } auth { accessToken refreshToken user { id } } } }",
                json!({ "i": { "cocName": format!("{slug} CoC"), "cocCode": "NC-502", "slug": slug, "adminEmail": email, "adminName": "Data Lead", "password": PASSWORD } }),
                None,
            )
            .await;
        let data = &response["data"]["signUpTenant"];
        assert!(data.is_object(), "sign-up failed: {response}");
        Tenant {
            id: data["tenant"]["id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("tenant id"),
            email,
            token: data["auth"]["accessToken"].as_str().expect("token").into(),
            refresh: data["auth"]["refreshToken"]
                .as_str()
                .expect("refresh")
                .into(),
            user_id: data["auth"]["user"]["id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("user id"),
        }
    }

    pub async fn login(&self, slug: &str, email: &str, password: &str) -> Value {
        self.gql(
            "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken user { id role } } }",
            json!({ "i": { "tenantSlug": slug, "email": email, "password": password } }),
            None,
        )
        .await
    }

    pub async fn create_agency(&self, token: &str, name: &str) -> Value {
        self.gql(
            "mutation($n: String!) { createAgency(name: $n) { id name } }",
            json!({ "n": name }),
            Some(token),
        )
        .await
    }

    /// Invites and accepts in one go; returns the new user's access token and id.
    pub async fn add_user(
        &self,
        by: &str,
        slug: &str,
        email: &str,
        role: &str,
        agency: Option<&str>,
    ) -> (String, String) {
        let invited = self
            .gql(
                "mutation($i: InviteUserInput!) { inviteUser(input: $i) { token } }",
                json!({ "i": { "email": email, "role": role, "agencyId": agency } }),
                Some(by),
            )
            .await;
        let token = invited["data"]["inviteUser"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("invite failed: {invited}"))
            .to_owned();
        let accepted = self
            .gql(
                "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken user { id } } }",
                json!({ "i": { "tenantSlug": slug, "token": token, "displayName": "Staff", "password": PASSWORD } }),
                None,
            )
            .await;
        let data = &accepted["data"]["acceptInvitation"];
        (
            data["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("accept failed: {accepted}"))
                .to_owned(),
            data["user"]["id"].as_str().expect("id").to_owned(),
        )
    }
}

pub fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no error>")
}

pub fn error_rule(response: &Value) -> &str {
    response["errors"][0]["extensions"]["rule"]
        .as_str()
        .unwrap_or("<no rule>")
}

/// Runs `writes` (requests that all read the row `id` of `table` at one version) so that
/// they really overlap: the row is locked meanwhile, every write reads it and queues for the
/// lock, and only when `writers` of them wait (or after ten seconds) is it released. A write
/// path that checks the version and then updates without it lets every queued writer through.
pub async fn race_on_row<T>(
    app: &TestApp,
    table: &str,
    id: &str,
    writers: usize,
    writes: impl std::future::Future<Output = T>,
) -> T {
    use sea_orm::TransactionTrait;
    let db = app.superuser().await;
    let holder = db.begin().await.expect("begin");
    holder
        .execute_unprepared(&format!(
            "SELECT 1 FROM {table} WHERE id = '{id}' FOR UPDATE"
        ))
        .await
        .expect("lock the row");
    let watcher = app.superuser().await;
    let release = async {
        for _ in 0..200 {
            let waiting = watcher
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT count(*) AS n FROM pg_stat_activity \
                     WHERE datname = current_database() AND wait_event_type = 'Lock'",
                ))
                .await
                .expect("pg_stat_activity")
                .expect("a row")
                .try_get::<i64>("", "n")
                .expect("count");
            if usize::try_from(waiting).unwrap_or(0) >= writers {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        holder.rollback().await.expect("release the row");
    };
    let (outcome, ()) = tokio::join!(writes, release);
    outcome
}

/// LOCK-1 after a race: exactly one write `won`, and every other one was refused `CONFLICT`.
pub fn assert_one_won(outcomes: &[Value], won: impl Fn(&Value) -> bool) {
    let winners = outcomes.iter().filter(|o| won(o)).count();
    let refused = outcomes
        .iter()
        .filter(|o| error_code(o) == "CONFLICT")
        .count();
    assert_eq!((winners, refused), (1, outcomes.len() - 1), "{outcomes:?}");
}

/// The CoC most tests start from: the `durham` tenant, whose first user is its Data Center
/// lead, with agency A (Urban Ministries) and agency B (Housing for New Hope). Tests add the
/// people, projects and clients they need with the methods below.
pub struct Coc {
    pub app: TestApp,
    pub tenant_id: Uuid,
    pub data_center: String,
    pub agency_a: String,
    pub agency_b: String,
}

impl Coc {
    pub async fn new() -> Self {
        Self::on(spawn_app().await).await
    }

    pub async fn on(app: TestApp) -> Self {
        let lead = app.sign_up("durham").await;
        let agency = |name: &'static str| {
            let (app, token) = (&app, lead.token.clone());
            async move { created_id(&app.create_agency(&token, name).await, "createAgency") }
        };
        let agency_a = agency("Urban Ministries").await;
        let agency_b = agency("Housing for New Hope").await;
        Self {
            tenant_id: lead.id,
            data_center: lead.token,
            app,
            agency_a,
            agency_b,
        }
    }

    /// A person with `role` in `agency`: their access token and id.
    pub async fn member(&self, email: &str, role: &str, agency: &str) -> (String, String) {
        self.app
            .add_user(&self.data_center, "durham", email, role, Some(agency))
            .await
    }

    pub async fn project(&self, agency: &str, name: &str, project_type: i32) -> String {
        let created = self
            .app
            .gql(
                "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }",
                json!({ "i": { "agencyId": agency, "name": name, "projectType": project_type } }),
                Some(&self.data_center),
            )
            .await;
        created_id(&created, "createProject")
    }

    /// A client entered by the token's user; `input` is a `CreateClientInput`.
    pub async fn client(&self, token: &str, input: Value) -> String {
        let created = self
            .app
            .gql(
                "mutation($i: CreateClientInput!) { createClient(input: $i) { id } }",
                json!({ "i": input }),
                Some(token),
            )
            .await;
        created_id(&created, "createClient")
    }
}

/// The `id` of what the mutation `field` created.
pub fn created_id(response: &Value, field: &str) -> String {
    response["data"][field]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{field} failed: {response}"))
        .to_owned()
}
