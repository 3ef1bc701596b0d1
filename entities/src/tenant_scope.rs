//! The one way to open a transaction on tenant data.
//!
//! On PostgreSQL the transaction switches to the request role (`SET LOCAL ROLE`, so row-level
//! security applies even when the pool logs in as the schema owner) and sets the tenant with
//! a bound, transaction-local `set_config`: when the transaction ends the setting goes with
//! it, and a pooled connection never carries one tenant into another's work. SQLite has no
//! row-level security; there the application's own tenant filters are the only guard.
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

/// The PostgreSQL role tenant work runs as (made by an administrator: `migration setup-roles`).
pub const APP_ROLE: &str = "concord_app";
/// Owns the client-search projection and its definer function, and nothing else.
pub const SEARCH_ROLE: &str = "concord_search";
/// Platform administration runs as this role: the only one that changes a tenant's status or
/// reads the platform administrators.
pub const PLATFORM_ROLE: &str = "concord_platform";

pub async fn begin(db: &DatabaseConnection, tenant_id: Uuid) -> Result<DatabaseTransaction, DbErr> {
    let tx = open(db).await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        // `set_config('role', …, true)` is `SET LOCAL ROLE`: one round trip for both.
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true)",
            [APP_ROLE.into(), tenant_id.to_string().into()],
        ))
        .await?;
    }
    Ok(tx)
}

/// `begin`, with the request's session check (the `session_checks` row of this tenant,
/// session and user, if there is one) as the transaction's first statement. On PostgreSQL the
/// database function `begin_request` sets the role and tenant as `begin` does and then reads
/// the view under them: one round trip instead of two, for every signed-in request.
pub async fn begin_request(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    session_id: Uuid,
) -> Result<(DatabaseTransaction, Option<QueryResult>), DbErr> {
    let tx = open(db).await?;
    let backend = tx.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT * FROM begin_request($1, $2, $3)",
        _ => "SELECT * FROM session_checks WHERE tenant_id = ? AND user_id = ? AND session_id = ?",
    };
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [tenant_id.into(), user_id.into(), session_id.into()],
        ))
        .await?;
    Ok((tx, row))
}

/// A savepoint inside `outer`, a tenant transaction a caller holds (an import batch, a job
/// taking several steps): committing it releases the savepoint, and only `outer`'s commit
/// makes the work durable. Refused when `outer` is scoped to another tenant.
pub async fn join(
    outer: &DatabaseTransaction,
    tenant_id: Uuid,
) -> Result<DatabaseTransaction, DbErr> {
    if outer.get_database_backend() == DbBackend::Postgres {
        let scoped = outer
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT current_setting('app.tenant_id', true) AS tenant",
            ))
            .await?
            .and_then(|row| row.try_get::<Option<String>>("", "tenant").ok().flatten());
        if scoped.as_deref() != Some(tenant_id.to_string().as_str()) {
            return Err(DbErr::Custom(
                "the transaction joined is not scoped to this tenant".into(),
            ));
        }
    }
    outer.begin().await
}

/// A transaction with no tenant set, for the `tenants` registry (sign-in by slug, sign-up).
/// Still runs as the request role, so tenant tables read as empty inside it.
pub async fn begin_without_tenant(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let tx = open(db).await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SET LOCAL ROLE concord_app").await?;
    }
    Ok(tx)
}

/// A transaction for platform administration, as the platform role. With `tenant`, that
/// tenant is set too, so the platform's action goes into the tenant's own audit log.
pub async fn begin_platform(
    db: &DatabaseConnection,
    tenant: Option<Uuid>,
) -> Result<DatabaseTransaction, DbErr> {
    let tx = open(db).await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SET LOCAL ROLE concord_platform")
            .await?;
        if let Some(tenant_id) = tenant {
            set_tenant(&tx, tenant_id).await?;
        }
    }
    Ok(tx)
}

async fn set_tenant(tx: &DatabaseTransaction, tenant_id: Uuid) -> Result<(), DbErr> {
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [tenant_id.to_string().into()],
    ))
    .await?;
    Ok(())
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
