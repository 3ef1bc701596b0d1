//! Least privilege (a penetration review): `pg_temp` last in the definer function's search
//! path, no temporary objects for the request roles, the search projection owned by its own
//! role, the registries out of the request role's reach, and no truncating of what is never
//! deleted. PostgreSQL only: SQLite has no roles.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

const POSTGRES_ONLY: &str = include_str!("sql/0003_least_privilege.postgres.sql");

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000003_least_privilege"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(POSTGRES_ONLY)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Undoing least privilege would reopen the findings it closes.
        Err(DbErr::Migration(
            "m20261202_000003_least_privilege cannot be undone".into(),
        ))
    }
}
