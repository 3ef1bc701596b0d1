//! The shared records: clients and their single-answer history, data conflicts, profile rows,
//! enrollments, services, attachments, case managers, notes, view log, notifications, and the
//! fuzzy-search projection on PostgreSQL.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Tables written in SQL both backends accept; PostgreSQL then gets row-level security,
/// grants and the append-only trigger from `POSTGRES_ONLY`.
const SCHEMA: &str = include_str!("sql/0002_records.sql");
const POSTGRES_ONLY: &str = include_str!("sql/0002_records.postgres.sql");

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000002_records"
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
            .execute_unprepared(
                "DROP TABLE IF EXISTS client_search, notifications, client_views, client_notes, \
                 case_manager_assignments, attachments, service_history, services, enrollments, \
                 profile_rows, data_conflicts, client_field_values, clients",
            )
            .await?;
        Ok(())
    }
}
