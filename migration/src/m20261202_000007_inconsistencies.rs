//! ENR-4: the entry/exit inconsistencies the scan finds.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

const SCHEMA: &str = include_str!("sql/0007_inconsistencies.sql");
const POSTGRES_ONLY: &str = include_str!("sql/0007_inconsistencies.postgres.sql");

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000007_inconsistencies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(SCHEMA).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(POSTGRES_ONLY).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS inconsistencies")
            .await?;
        Ok(())
    }
}
