//! Platform administrators get sessions like everyone else's (logout, idle and total limits).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

const SCHEMA: &str = include_str!("sql/0004_platform_sessions.sql");
const POSTGRES_ONLY: &str = include_str!("sql/0004_platform_sessions.postgres.sql");

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000004_platform_sessions"
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
            .execute_unprepared("DROP TABLE IF EXISTS platform_sessions")
            .await?;
        Ok(())
    }
}
