use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::clock::Clock;
use entities::{refresh_tokens, sessions, tenant_scope, tenants, users};
use futures_util::FutureExt;
use jobs::{Backend, WorkerSettings};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    EntityTrait, QueryFilter, QuerySelect,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const PG_OWNER: &str = "concord_owner";

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Sqlite,
    Postgres,
}

enum Cleanup {
    File(PathBuf),
    Database(String),
}

/// Runs `test` on a fresh, migrated database and removes the database afterwards, also
/// when the test fails.
pub async fn with_db<F, Fut>(kind: Kind, test: F)
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = ()>,
{
    let (db, cleanup) = match kind {
        Kind::Sqlite => create_sqlite().await,
        Kind::Postgres => create_postgres().await,
    };
    Migrator::up(&db, None).await.expect("migrations run");
    let outcome = AssertUnwindSafe(test(db.clone())).catch_unwind().await;
    db.close().await.expect("pool closes");
    match cleanup {
        Cleanup::File(path) => {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
        }
        Cleanup::Database(name) => {
            let admin = connect(PG_ADMIN_URL).await;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .expect("test database dropped");
            admin.close().await.expect("admin pool closes");
        }
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false);
    Database::connect(options)
        .await
        .expect("database reachable")
}

async fn create_sqlite() -> (DatabaseConnection, Cleanup) {
    let path = std::env::temp_dir().join(format!("concord-jobs-{}.sqlite", Uuid::new_v4()));
    let db = connect(&format!("sqlite://{}?mode=rwc", path.display())).await;
    (db, Cleanup::File(path))
}

async fn create_postgres() -> (DatabaseConnection, Cleanup) {
    let admin = connect(PG_ADMIN_URL).await;
    // The administrator's one-time setup of Concord's roles (README, PostgreSQL). Tests run
    // in parallel and each may be first to need the login role.
    admin
        .execute_unprepared(&format!(
            "DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PG_OWNER}') THEN
                    CREATE ROLE {PG_OWNER} LOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$"
        ))
        .await
        .expect("owner role exists");
    static PROVISIONED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    PROVISIONED
        .get_or_init(|| async {
            let sql = migration::roles::setup_roles_sql(PG_OWNER).expect("a plain role name");
            admin.execute_unprepared(&sql).await.expect("roles set up");
        })
        .await;
    let name = format!("concord_jobs_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\" OWNER {PG_OWNER}"))
        .await
        .expect("test database created");
    admin.close().await.expect("admin pool closes");

    let db = connect(&format!("postgres://{PG_OWNER}@127.0.0.1:5432/{name}")).await;
    // Row-level security binds nobody who is a superuser or bypasses it: make sure the
    // tests really run under it.
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT rolsuper OR rolbypassrls AS privileged FROM pg_roles WHERE rolname = current_user",
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(!row.try_get::<bool>("", "privileged").unwrap());
    (db, Cleanup::Database(name))
}

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

pub async fn insert_tenant(db: &DatabaseConnection, status: &str, now: DateTime<Utc>) -> Uuid {
    let id = Uuid::new_v4();
    let tx = tenant_scope::begin_without_tenant(db).await.unwrap();
    tenants::Entity::insert(tenants::ActiveModel {
        id: Set(id),
        name: Set(format!("Tenant {id}")),
        coc_code: Set("NC-502".to_owned()),
        slug: Set(format!("t-{}", id.simple())),
        status: Set(status.to_owned()),
        created_at: Set(now),
        status_changed_at: Set(now),
    })
    .exec_without_returning(&tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A user with one session in `tenant_id`; returns the session.
pub async fn insert_session(db: &DatabaseConnection, tenant_id: Uuid, now: DateTime<Utc>) -> Uuid {
    let user_id = Uuid::new_v4();
    let session_id = Uuid::new_v4();
    let tx = tenant_scope::begin(db, tenant_id).await.unwrap();
    users::Entity::insert(users::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(user_id),
        email: Set(format!("{user_id}@example.org")),
        display_name: Set("Data Center".to_owned()),
        password_hash: Set("not-a-real-hash".to_owned()),
        role: Set("DATA_CENTER".to_owned()),
        agency_id: Set(None),
        status: Set("ACTIVE".to_owned()),
        failed_logins: Set(0),
        first_failed_at: Set(None),
        locked_until: Set(None),
        sessions_valid_after: Set(now),
        created_at: Set(now),
    })
    .exec_without_returning(&tx)
    .await
    .unwrap();
    sessions::Entity::insert(sessions::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(session_id),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    })
    .exec_without_returning(&tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    session_id
}

pub async fn insert_token(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    session_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Uuid {
    let id = Uuid::new_v4();
    let tx = tenant_scope::begin(db, tenant_id).await.unwrap();
    refresh_tokens::Entity::insert(refresh_tokens::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(id),
        session_id: Set(session_id),
        token_hash: Set(format!("hash-{id}")),
        created_at: Set(expires_at - chrono::Duration::days(30)),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec_without_returning(&tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The tenant's refresh tokens, read the way the application reads them.
pub async fn token_ids(db: &DatabaseConnection, tenant_id: Uuid) -> Vec<Uuid> {
    let tx = tenant_scope::begin(db, tenant_id).await.unwrap();
    let mut ids: Vec<Uuid> = refresh_tokens::Entity::find()
        .select_only()
        .column(refresh_tokens::Column::Id)
        .filter(refresh_tokens::Column::TenantId.eq(tenant_id))
        .into_tuple()
        .all(&tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    ids.sort();
    ids
}

pub fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

pub fn test_settings() -> WorkerSettings {
    WorkerSettings {
        heartbeat_interval: Duration::from_secs(1),
        missed_heartbeats: 3,
        poll_interval: Duration::from_millis(200),
        batch_size: 10,
        concurrency: 2,
        shutdown_timeout: Duration::from_secs(5),
    }
}

pub struct RunningWorkers {
    stop: oneshot::Sender<()>,
    handle: JoinHandle<Result<(), jobs::Error>>,
}

pub fn start_workers(db: &DatabaseConnection, clock: Arc<dyn Clock>) -> RunningWorkers {
    let (stop, stopped) = oneshot::channel::<()>();
    let backend = jobs::Backend::from_connection(db).unwrap();
    let handle = tokio::spawn(jobs::run_workers(
        db.clone(),
        backend,
        clock,
        test_settings(),
        async move {
            let _ = stopped.await;
        },
    ));
    RunningWorkers { stop, handle }
}

impl RunningWorkers {
    /// Asks for a graceful stop and expects it well within the shutdown timeout.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(15), self.handle)
            .await
            .expect("workers stop in time")
            .expect("worker task did not panic")
            .expect("workers stop cleanly");
    }
}

pub async fn wait_for_status(backend: &Backend, queue: &str, key: &str, want: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status = backend.job_status(queue, key).await.unwrap();
        if status.as_deref() == Some(want) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job {key} on {queue} is {status:?}, not {want}, after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
