//! `spawn_app()`: a real Concord on a fresh PostgreSQL database (named by a UUID, owned by a
//! non-superuser role, dropped afterwards) and a Redis key prefix of its own, bound to port 0.
//! Tests talk to it over HTTP exactly as clients do.
use std::path::PathBuf;
use std::sync::Arc;

use concord_api::startup::Application;
use domain::auth::onboarding::create_platform_admin;
use domain::auth::password::PasswordHashing;
use domain::clock::{Clock, SystemClock, TestClock};
use domain::policy::roles::Role;
use domain::settings::Settings;
use domain::state::AppState;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use testkit::Community;
use totp_rs::TOTP;
use uuid::Uuid;

pub use testkit::PASSWORD;
pub use testkit::postgres::{
    OWNER_ROLE, admin, create_database, drop_database, ensure_role, provision_roles, redis_url,
    url_for,
};
pub use testkit::settings::test_settings;

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
    spawn(Store::Postgres, configure, clock).await
}

/// Concord on the embedded default: SQLite in a temporary data directory, no Redis.
pub async fn spawn_embedded() -> TestApp {
    spawn(Store::Embedded, |_| {}, Arc::new(SystemClock)).await
}

/// Where a test's Concord keeps its data.
#[derive(Clone, Copy, Debug)]
pub enum Store {
    /// A PostgreSQL database of its own (a copy of the migrated template) and Redis.
    Postgres,
    /// The embedded default: SQLite in a temporary data directory, no Redis.
    Embedded,
}

/// Concord on `store`, its settings adjusted by `configure`, reading the time from `clock`.
pub async fn spawn(
    store: Store,
    configure: impl FnOnce(&mut Settings),
    clock: Arc<dyn Clock>,
) -> TestApp {
    capture_logs();
    let database = match store {
        Store::Postgres => create_database(OWNER_ROLE).await,
        Store::Embedded => String::new(),
    };
    let mut settings = test_settings(&database);
    configure(&mut settings);
    if settings.is_production() {
        // Production refuses cheap hashing, as it must.
        settings.password_hashing = PasswordHashing::Standard;
    }
    let data_dir = settings.data_dir.clone();
    let app = if settings.manual_clock {
        // The application makes its own manual clock, as `CONCORD_CLOCK=manual` does.
        Application::build(settings).await
    } else {
        Application::build_with_clock(settings, clock).await
    }
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

/// What the application under test warns of (a job worker failing, a job run failing, a
/// pool giving up) shows in the output of a test that fails: a test waiting on a job that
/// never came says why. `RUST_LOG` widens it.
fn capture_logs() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

/// The job workers on, as in production, but sweeping for due deadlines and polling for jobs
/// every second, so that a request that leads to a job is tested through to what the job does.
pub fn with_workers(settings: &mut Settings) {
    settings.run_worker = true;
    settings.sweep_every = std::time::Duration::from_secs(1);
    settings.job_poll = std::time::Duration::from_millis(1000);
}

/// A signed-up tenant and its first (Data Center) user.
pub struct Tenant {
    pub id: Uuid,
    pub email: String,
    pub token: String,
    pub refresh: String,
    pub user_id: Uuid,
}

/// A sharing plan version's document, every field.
pub const PLAN_DOCUMENT: &str = "document { elements { key shared strategy } \
    parameters { contactAttemptsMin contactWindowDays adminReviewDays \
    overrideRequiresDocumentation correctionNoteRequired ssnCardUploadsForbidden \
    serviceNotesShared concurrentProjectTypes { first second } dataCenterReadsUnshared \
    correctionEndDates } }";

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

    /// Publishes the active plan again, as `data_center`, with `edit` applied to its whole
    /// document (read with every field, so nothing the edit leaves alone falls back to a
    /// default). Returns the publication's response.
    pub async fn republish_plan(&self, data_center: &str, edit: impl Fn(&mut Value)) -> Value {
        let current = self
            .gql(
                &format!("{{ sharingPlan {{ {PLAN_DOCUMENT} }} }}"),
                json!({}),
                Some(data_center),
            )
            .await;
        let mut document = current["data"]["sharingPlan"]["document"].clone();
        assert!(document.is_object(), "{current}");
        edit(&mut document);
        self.gql(
            "mutation($i: SharingPlanInput!) { publishSharingPlan(input: $i) { version { version } } }",
            json!({ "i": document }),
            Some(data_center),
        )
        .await
    }

    /// `GET path` (e.g. `/readyz`): the status and the JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        get_json(&self.client, &format!("{}{path}", self.address)).await
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

    /// A platform administrator made with `email`, signed in and enrolled in the second
    /// factor they always use (a code of now, by this Concord's clock): their access token
    /// and their authenticator app, for later sign-ins.
    pub async fn platform_admin(&self, email: &str) -> (String, TOTP) {
        create_platform_admin(&self.state, email, PASSWORD)
            .await
            .expect("a platform administrator");
        let login = self.platform_login(email, None).await;
        let token = login["data"]["platformLogin"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("platform login failed: {login}"))
            .to_owned();
        let begun = self
            .gql(
                "mutation { beginPlatformTotpEnrolment { uri } }",
                json!({}),
                Some(&token),
            )
            .await;
        let uri = begun["data"]["beginPlatformTotpEnrolment"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("enrolment not begun: {begun}"));
        let app = TOTP::from_url(uri).expect("an otpauth URI");
        let confirmed = self
            .gql(
                "mutation($i: SecondFactorCodeInput!) { confirmPlatformTotpEnrolment(input: $i) }",
                json!({ "i": { "code": self.totp_code(&app, 0) } }),
                Some(&token),
            )
            .await;
        assert_eq!(
            confirmed["data"]["confirmPlatformTotpEnrolment"], true,
            "{confirmed}"
        );
        (token, app)
    }

    pub async fn platform_login(&self, email: &str, code: Option<&str>) -> Value {
        self.gql(
            "mutation($i: PlatformLoginInput!) { platformLogin(input: $i) { accessToken secondFactorEnrolmentDue } }",
            json!({ "i": { "email": email, "password": PASSWORD, "secondFactorCode": code } }),
            None,
        )
        .await
    }

    /// The code `app` shows `offset_steps` 30-second steps from this Concord's now.
    pub fn totp_code(&self, app: &TOTP, offset_steps: i64) -> String {
        let at = self.state.clock.now().timestamp() + 30 * offset_steps;
        app.generate(u64::try_from(at).expect("after 1970"))
    }

    pub async fn create_agency(&self, token: &str, name: &str) -> Value {
        self.gql(
            "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id name } } }",
            json!({ "i": { "name": name } }),
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
                "mutation($i: InviteUserInput!) { inviteUser(input: $i) { invitation { token } } }",
                json!({ "i": { "email": email, "role": role, "agencyId": agency } }),
                Some(by),
            )
            .await;
        let token = invited["data"]["inviteUser"]["invitation"]["token"]
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

/// A port on loopback that nothing listens on now, for a server a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `GET url`: the status and the JSON body.
pub async fn get_json(client: &reqwest::Client, url: &str) -> (u16, Value) {
    let response = client.get(url).send().await.expect("send");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
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

/// The CoC most tests start from (`testkit::Community`): the `durham` tenant, whose first
/// user is its Data Center lead, with agency A (Urban Ministries) and agency B (Housing for
/// New Hope), as tokens and ids the GraphQL tests pass on. Tests add the people, projects and
/// clients they need with the methods below.
pub struct Coc {
    pub app: TestApp,
    pub community: Community,
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
        let community = Community::sign_up(&app.state, "durham").await;
        Self {
            tenant_id: community.tenant_id,
            data_center: community.data_center.token.clone(),
            agency_a: community.agency_a.to_string(),
            agency_b: community.agency_b.to_string(),
            community,
            app,
        }
    }

    /// A person with `role` in `agency`: their access token and id.
    pub async fn member(&self, email: &str, role: &str, agency: &str) -> (String, String) {
        let role = Role::parse(role).expect("a role name");
        let agency = agency.parse().expect("an agency id");
        let member = self.community.member(email, role, Some(agency)).await;
        (member.token.clone(), member.id().to_string())
    }

    pub async fn project(&self, agency: &str, name: &str, project_type: i32) -> String {
        let agency = agency.parse().expect("an agency id");
        self.community
            .project(agency, name, project_type)
            .await
            .to_string()
    }

    /// A client entered by the token's user; `input` is a `CreateClientInput`.
    pub async fn client(&self, token: &str, input: Value) -> String {
        let created = self
            .app
            .gql(
                "mutation($i: CreateClientInput!) { createClient(input: $i) { client { id } } }",
                json!({ "i": input }),
                Some(token),
            )
            .await;
        created_id(&created, "createClient", "client")
    }
}

/// The nodes of the connection the query's `field` answered.
pub fn nodes(response: &Value, field: &str) -> Vec<Value> {
    response["data"][field]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{field} failed: {response}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// The `id` of what `mutation` created, read from its payload's `object` field.
pub fn created_id(response: &Value, mutation: &str, object: &str) -> String {
    response["data"][mutation][object]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{mutation} failed: {response}"))
        .to_owned()
}

/// The database itself refused `what` with the append-only trigger's error (AUD-1, SRV-1,
/// NOTE-*, ATT-1), not with some other failure.
pub fn refused_as_append_only<T: std::fmt::Debug>(
    result: Result<T, sea_orm::DbErr>,
    operation: &str,
    table: &str,
) {
    let error = result.expect_err("the database let it through").to_string();
    assert!(
        error.contains(&format!(
            "{operation} on {table} is not allowed: the table is append-only"
        )),
        "{error}"
    );
}

/// One record of each kind a user of a tenant enters, for tests that probe them from
/// elsewhere: the user (of a new agency with a shelter project), a client, its enrollment, a
/// service, a note and a profile row.
pub struct EnteredRecords {
    pub user: String,
    pub client: String,
    pub enrollment: String,
    pub service: String,
    pub note: String,
    pub row: String,
}

impl TestApp {
    /// `EnteredRecords` in `tenant` (signed up as `slug`).
    pub async fn enter_records(&self, tenant: &Tenant, slug: &str) -> EnteredRecords {
        let agency =
        self.create_agency(&tenant.token, "Urban Ministries").await["data"]["createAgency"]["agency"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let project = self
            .gql(
                "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
                json!({ "i": { "agencyId": agency, "name": "Shelter", "projectType": 0 } }),
                Some(&tenant.token),
            )
            .await["data"]["createProject"]["project"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (user, _) = self
            .add_user(
                &tenant.token,
                slug,
                "staff@um.example",
                "USER",
                Some(&agency),
            )
            .await;
        let id = |v: &Value, path: &[&str]| {
            path.iter()
                .fold(v, |v, k| &v[*k])
                .as_str()
                .unwrap_or_else(|| panic!("{v}"))
                .to_owned()
        };
        let client = id(
        &self.gql(
            "mutation { createClient(input: { firstName: \"John\", lastName: \"Smith\" }) { client { id } } }",
            json!({}),
            Some(&user),
        )
        .await,
        &["data", "createClient", "client", "id"],
    );
        let enrollment = id(
        &self.gql("mutation($i: EnrollClientInput!) { enrollClient(input: $i) { enrollment { id } } }", json!({ "i": { "clientId": client, "projectId": project, "relationshipToHoh": 1, "entryDate": "2024-01-01" } }), Some(&user)).await,
        &["data", "enrollClient", "enrollment", "id"],
    );
        let service = id(
        &self.gql("mutation($i: RecordServiceInput!) { recordService(input: $i) { service { id } } }", json!({ "i": { "clientId": client, "kind": "SERVICE", "serviceType": "meal", "serviceDate": "2024-01-02" } }), Some(&user)).await,
        &["data", "recordService", "service", "id"],
    );
        let note = id(
            &self
                .gql(
                    "mutation($i: AddClientNoteInput!) { addClientNote(input: $i) { note { id } } }",
                    json!({ "i": { "clientId": client, "body": "hello" } }),
                    Some(&user),
                )
                .await,
            &["data", "addClientNote", "note", "id"],
        );
        let row = id(
        &self.gql("mutation($i: AddProfileRowInput!) { addProfileRow(input: $i) { row { id } } }", json!({ "i": { "clientId": client, "kind": "PHONE", "value": "919-555-0100", "startDate": "2024-01-01" } }), Some(&user)).await,
        &["data", "addProfileRow", "row", "id"],
    );

        EnteredRecords {
            user,
            client,
            enrollment,
            service,
            note,
            row,
        }
    }
}
