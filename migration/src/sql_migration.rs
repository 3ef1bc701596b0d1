//! A migration written as SQL files: `schema` in SQL both backends accept, then, on
//! PostgreSQL, `postgres_only` (row-level security, grants, triggers), or on SQLite
//! `sqlite_only` (what SQLite's `ALTER TABLE` cannot do, done by rebuilding the table). It runs in one
//! transaction on both backends, so a failure half-way leaves the schema as it was.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct SqlMigration {
    /// Recorded in the migrations table: never renamed once landed.
    pub name: &'static str,
    pub schema: &'static str,
    pub postgres_only: &'static str,
    pub sqlite_only: &'static str,
    /// What undoes it; `None` when it must not be undone.
    pub down: Option<&'static str>,
}

impl MigrationName for SqlMigration {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SqlMigration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if !self.schema.is_empty() {
            db.execute_unprepared(self.schema).await?;
        }
        let only = match manager.get_database_backend() {
            DbBackend::Postgres => self.postgres_only,
            _ => self.sqlite_only,
        };
        if !only.is_empty() {
            db.execute_unprepared(only).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let Some(down) = self.down else {
            return Err(DbErr::Migration(format!("{} cannot be undone", self.name)));
        };
        manager.get_connection().execute_unprepared(down).await?;
        Ok(())
    }
}
