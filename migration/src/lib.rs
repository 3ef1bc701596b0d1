//! Concord's schema, one migration per change. A landed migration is never edited.
//!
//! Every migration runs in a transaction on both backends (`use_transaction`), so a failure
//! half-way leaves the schema as it was.
pub use sea_orm_migration::prelude::*;

mod m20261127_000001_foundation;
mod m20261127_000002_records;
mod m20261202_000003_least_privilege;
mod m20261202_000004_platform_sessions;
mod m20261202_000005_resolution_cases;
mod m20261202_000006_outbox;
mod m20261202_000007_inconsistencies;
pub mod roles;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_foundation::Migration),
            Box::new(m20261127_000002_records::Migration),
            Box::new(m20261202_000003_least_privilege::Migration),
            Box::new(m20261202_000004_platform_sessions::Migration),
            Box::new(m20261202_000005_resolution_cases::Migration),
            Box::new(m20261202_000006_outbox::Migration),
            Box::new(m20261202_000007_inconsistencies::Migration),
        ]
    }
}
