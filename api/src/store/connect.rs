//! Opening the database: PostgreSQL from `DATABASE_URL`, else the embedded SQLite file;
//! migrations at start-up; and the refusal to serve through a role that bypasses
//! row-level security.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};
use secrecy::ExposeSecret;

use crate::error::StartupError;
use crate::settings::Settings;

/// `queries` counts every statement (the `/metrics` counter `concord_db_queries_total`).
pub async fn connect_and_migrate(
    settings: &Settings,
    queries: prometheus::IntCounter,
) -> Result<DatabaseConnection, StartupError> {
    let url = match &settings.database_url {
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
    };
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(if settings.database_url.is_some() {
            10
        } else {
            5
        })
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let mut db = Database::connect(options)
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?;
    db.set_metric_callback(move |_| queries.inc());
    if db.get_database_backend() == DbBackend::Sqlite {
        // Several pooled connections write to one file: wait for the lock rather than fail.
        db.execute_unprepared(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
        )
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?;
    }
    refuse_rls_bypass(&db, "the role DATABASE_URL logs in as", "session_user").await?;
    Migrator::up(&db, None)
        .await
        .map_err(|e| StartupError::Database(format!("migrations failed: {e}")))?;
    refuse_rls_bypass(&db, "the request role", &format!("'{}'", super::APP_ROLE)).await?;
    Ok(db)
}

/// Superusers and `BYPASSRLS` roles ignore row-level security; a table's owner does not,
/// because every tenant table has `FORCE ROW LEVEL SECURITY`.
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
            format!("SELECT rolname::text AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = {role_expr}"),
        ))
        .await
        .map_err(|e| StartupError::Database(e.to_string()))?
        .ok_or_else(|| StartupError::Database(format!("{which} does not exist")))?;
    let name: String = row
        .try_get("", "name")
        .map_err(|e| StartupError::Database(e.to_string()))?;
    let superuser: bool = row
        .try_get("", "rolsuper")
        .map_err(|e| StartupError::Database(e.to_string()))?;
    let bypass: bool = row
        .try_get("", "rolbypassrls")
        .map_err(|e| StartupError::Database(e.to_string()))?;
    if superuser || bypass {
        return Err(StartupError::UnsafeDatabaseRole(format!(
            "refusing to serve: {which} `{name}` is a {} and would bypass row-level security. \
             Connect as a role without SUPERUSER and BYPASSRLS that owns the database, e.g. \
             `CREATE ROLE concord LOGIN PASSWORD '…' CREATEROLE; CREATE DATABASE concord OWNER concord;`",
            if superuser {
                "superuser"
            } else {
                "BYPASSRLS role"
            }
        )));
    }
    Ok(())
}

/// Migrations not yet applied (for `/readyz`).
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, sea_orm::DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}
