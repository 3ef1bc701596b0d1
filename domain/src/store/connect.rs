//! Opening the database: PostgreSQL from `DATABASE_URL`, else the embedded SQLite file;
//! migrations at start-up; and the refusal to serve through a role that bypasses
//! row-level security.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use secrecy::ExposeSecret;

use entities::tenant_scope::{PLATFORM_ROLE, SEARCH_ROLE};

use crate::error::StartupError;
use crate::settings::Settings;

/// A pooled connection idle this long is pinged before use: a proxy or the server may have
/// dropped it. One in steady use is not (a ping on every acquire was a round trip per
/// transaction, issue 13); a connection that broke anyway fails its statement, the request
/// answers 503, and the pool drops it.
const STALE_AFTER: Duration = Duration::from_secs(30);

/// `queries` counts every statement (the `/metrics` counter `concord_db_queries_total`).
pub async fn connect_and_migrate(
    settings: &Settings,
    queries: prometheus::IntCounter,
) -> Result<DatabaseConnection, StartupError> {
    let mut db = open(settings).await?;
    if settings.migrate_on_start {
        let applied = migrate(&db).await?;
        if applied > 0 && db.get_database_backend() == DbBackend::Sqlite {
            // A pooled SQLite connection that read the schema before a migration keeps it
            // until a statement runs, and sqlx keeps the columns a statement had when first
            // prepared: a view the migration changed would be read with its old columns (sqlx
            // panics). Connections opened now read the schema as migrated.
            db.close()
                .await
                .map_err(|e| StartupError::Database(e.to_string()))?;
            db = open(settings).await?;
        }
    } else {
        let pending = pending_migrations(&db)
            .await
            .map_err(|e| StartupError::Database(e.to_string()))?;
        if pending > 0 {
            return Err(StartupError::Database(format!(
                "{pending} migration(s) pending and CONCORD_MIGRATE_ON_START is false: run \
                 `concord migrate` first (the Helm chart's migration Job does)"
            )));
        }
    }
    refuse_run_roles_bypass(&db).await?;
    db.set_metric_callback(move |_| queries.inc());
    Ok(db)
}

/// `concord migrate`: the migration step alone (a deployment's hook Job, before its
/// processes start), whatever `CONCORD_MIGRATE_ON_START` says. Returns how many migrations
/// it applied.
pub async fn migrate_only(settings: &Settings) -> Result<usize, StartupError> {
    let db = open(settings).await?;
    let applied = migrate(&db).await?;
    refuse_run_roles_bypass(&db).await?;
    db.close()
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?;
    Ok(applied)
}

/// The pool, on a login role that does not bypass row-level security.
async fn open(settings: &Settings) -> Result<DatabaseConnection, StartupError> {
    let url = database_url(settings)?;
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(if settings.database_url.is_some() {
            settings.database_pool_size
        } else {
            5
        })
        // A database that is down is answered with 503 in seconds, not after a long wait.
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire_if_idle_for(STALE_AFTER)
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Several pooled connections write to one file: wait for the lock rather than fail.
        db.execute_unprepared(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
        )
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?;
    }
    refuse_rls_bypass(&db, "the role DATABASE_URL logs in as", "session_user").await?;
    Ok(db)
}

/// Applies pending migrations, each in one transaction, then the database-wide privileges;
/// returns how many were applied.
async fn migrate(db: &DatabaseConnection) -> Result<usize, StartupError> {
    let pending = pending_migrations(db)
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?;
    Migrator::up(db, None)
        .await
        .map_err(|e| StartupError::Database(format!("migrations failed: {e}")))?;
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(migration::roles::DATABASE_PRIVILEGES_SQL)
            .await
            .map_err(|e| StartupError::Database(format!("database privileges: {e}")))?;
    }
    Ok(pending)
}

async fn refuse_run_roles_bypass(db: &DatabaseConnection) -> Result<(), StartupError> {
    for role in [super::APP_ROLE, SEARCH_ROLE, PLATFORM_ROLE] {
        refuse_rls_bypass(db, "a role Concord runs as", &format!("'{role}'")).await?;
    }
    Ok(())
}

/// `DATABASE_URL`, or the embedded SQLite file in the data directory.
fn database_url(settings: &Settings) -> Result<String, StartupError> {
    Ok(match &settings.database_url {
        Some(url) => {
            let url = url.expose_secret().to_owned();
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(StartupError::Setting(
                    "DATABASE_URL",
                    "Concord runs on PostgreSQL (postgres://…); leave DATABASE_URL unset for the embedded SQLite default".into(),
                ));
            }
            url
        }
        None => {
            std::fs::create_dir_all(&settings.data_dir)?;
            format!(
                "sqlite://{}?mode=rwc",
                settings.data_dir.join("concord.sqlite").display()
            )
        }
    })
}

/// On PostgreSQL, a small pool of its own for the audit entries of refused actions: a
/// refusal is written while the request still holds its connection from the main pool, so
/// writing it there could leave every request of a busy moment waiting for an eleventh
/// connection. `None` on SQLite, where one writer holds the lock anyway.
pub async fn connect_refusal_pool(
    settings: &Settings,
) -> Result<Option<DatabaseConnection>, StartupError> {
    if settings.database_url.is_none() {
        return Ok(None);
    }
    let mut options = ConnectOptions::new(database_url(settings)?);
    options
        .max_connections(2)
        .min_connections(0)
        // A database that is down is answered with 503 in seconds, not after a long wait.
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire_if_idle_for(STALE_AFTER)
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .map(Some)
        .map_err(|e| StartupError::Database(e.to_string()))
}

/// Superusers and `BYPASSRLS` roles ignore row-level security (a table's owner does not,
/// because every tenant table has `FORCE ROW LEVEL SECURITY`). Before PostgreSQL 16,
/// `CREATEROLE` is close to superuser too: it can grant itself `pg_execute_server_program`.
async fn refuse_rls_bypass(
    db: &DatabaseConnection,
    which: &str,
    role_expr: &str,
) -> Result<(), StartupError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT rolname::text AS name, rolsuper, rolbypassrls, rolcreaterole, \
                 current_setting('server_version_num')::int AS version \
                 FROM pg_roles WHERE rolname = {role_expr}"
            ),
        ))
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?
        .ok_or_else(|| StartupError::Database(format!("{which} does not exist")))?;
    let column = |name: &str| -> Result<bool, StartupError> {
        row.try_get("", name)
            .map_err(|e| StartupError::Database(e.to_string()))
    };
    let name: String = row
        .try_get("", "name")
        .map_err(|e| StartupError::Database(e.to_string()))?;
    let version: i32 = row
        .try_get("", "version")
        .map_err(|e| StartupError::Database(e.to_string()))?;
    let danger = if column("rolsuper")? {
        "a superuser and would bypass row-level security"
    } else if column("rolbypassrls")? {
        "a BYPASSRLS role and would bypass row-level security"
    } else if column("rolcreaterole")? && version < 160_000 {
        "a CREATEROLE role and, before PostgreSQL 16, could make itself a superuser"
    } else {
        return Ok(());
    };
    Err(StartupError::UnsafeDatabaseRole(format!(
        "refusing to serve: {which} `{name}` is {danger}. Connect as a role without SUPERUSER, \
         BYPASSRLS and CREATEROLE that owns the database; an administrator creates Concord's \
         roles once with the SQL that `migration setup-roles {name}` prints (README, PostgreSQL)"
    )))
}

/// Migrations not yet applied (for `/readyz`).
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, sea_orm::DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}
