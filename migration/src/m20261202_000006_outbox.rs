//! The outbox: messages to e-mail, written with the change that causes them.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

const SCHEMA: &str = include_str!("sql/0006_outbox.sql");
const POSTGRES_ONLY: &str = include_str!("sql/0006_outbox.postgres.sql");

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000006_outbox"
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
            .execute_unprepared("DROP TABLE IF EXISTS outbox")
            .await?;
        Ok(())
    }
}
