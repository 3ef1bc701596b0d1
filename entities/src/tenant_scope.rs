//! The one way to open a transaction on tenant data.
//!
//! On PostgreSQL the transaction switches to the request role (`SET LOCAL ROLE`, so row-level
//! security applies even when the pool logs in as the schema owner) and sets the tenant with
//! a bound, transaction-local `set_config`: when the transaction ends the setting goes with
//! it, and a pooled connection never carries one tenant into another's work. SQLite has no
//! row-level security; there the application's own tenant filters are the only guard.
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

/// The PostgreSQL role tenant work runs as; created by the first migration.
pub const APP_ROLE: &str = "concord_app";

pub async fn begin(db: &DatabaseConnection, tenant_id: Uuid) -> Result<DatabaseTransaction, DbErr> {
    let tx = open(db).await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SET LOCAL ROLE concord_app").await?;
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true)",
            [tenant_id.to_string().into()],
        ))
        .await?;
    }
    Ok(tx)
}

/// A transaction with no tenant set, for the registries (`tenants`, `platform_admins`).
/// Still runs as the request role, so tenant tables read as empty inside it.
pub async fn begin_without_tenant(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let tx = open(db).await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SET LOCAL ROLE concord_app").await?;
    }
    Ok(tx)
}

/// On SQLite a transaction that reads and then writes cannot wait for the lock: SQLite
/// answers "busy" at once rather than risk a deadlock. Taking the write lock up front
/// (`BEGIN IMMEDIATE`) turns concurrent requests into a queue that the busy timeout waits on.
async fn open(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        return db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await;
    }
    db.begin().await
}
