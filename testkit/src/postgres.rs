//! Fresh PostgreSQL databases for tests: Concord's roles set up once per cluster, and each
//! test's database a copy of one migrated template, owned by a non-superuser login role so
//! that row-level security binds it.
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use uuid::Uuid;

use migration::MigratorTrait;

pub const OWNER_ROLE: &str = "concord_owner";

pub fn admin_url() -> String {
    std::env::var("CONCORD_TEST_ADMIN_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn redis_url() -> String {
    std::env::var("CONCORD_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub fn url_for(role: &str, database: &str) -> String {
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
    new_database(owner, owner == OWNER_ROLE).await
}

/// A fresh database owned by `owner` with no migration applied; returns its name.
pub async fn create_empty_database(owner: &str) -> String {
    new_database(owner, false).await
}

async fn new_database(owner: &str, migrated: bool) -> String {
    provision_roles().await;
    let admin = admin().await;
    let name = format!("concord_test_{}", Uuid::new_v4().simple());
    let sql = if migrated {
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
