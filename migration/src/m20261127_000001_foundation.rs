//! Tenancy and identity: tenants, agencies, projects, users, invitations, sessions with their
//! refresh tokens, plan versions and the append-only audit log.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Tables written in SQL both backends accept; PostgreSQL then gets row-level security,
/// grants and the append-only trigger from `POSTGRES_ONLY`.
const SCHEMA: &str = include_str!("sql/0001_foundation.sql");
const POSTGRES_ONLY: &str = include_str!("sql/0001_foundation.postgres.sql");

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000001_foundation"
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
                "DROP TABLE IF EXISTS audit_log, plan_versions, refresh_tokens, sessions, \
                 invitations, users, projects, agencies, platform_admins, tenants",
            )
            .await?;
        Ok(())
    }
}
