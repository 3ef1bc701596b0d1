//! Concord's schema, one migration per change, each a pair of SQL files under `sql/` (see
//! `SqlMigration`). A landed migration is never edited.
pub use sea_orm_migration::prelude::*;

pub mod roles;
mod sql_migration;

use sql_migration::SqlMigration;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            // Tenancy and identity: tenants, agencies, projects, users, invitations, sessions
            // with their refresh tokens, plan versions and the append-only audit log.
            Box::new(SqlMigration {
                name: "m20261127_000001_foundation",
                schema: include_str!("sql/0001_foundation.sql"),
                postgres_only: include_str!("sql/0001_foundation.postgres.sql"),
                sqlite_only: "",
                down: Some(
                    "DROP TABLE IF EXISTS audit_log, plan_versions, refresh_tokens, sessions, \
                     invitations, users, projects, agencies, platform_admins, tenants",
                ),
            }),
            // The shared records: clients and their single-answer history, data conflicts,
            // profile rows, enrollments, services, attachments, case managers, notes, view log,
            // notifications, and the fuzzy-search projection on PostgreSQL.
            Box::new(SqlMigration {
                name: "m20261127_000002_records",
                schema: include_str!("sql/0002_records.sql"),
                postgres_only: include_str!("sql/0002_records.postgres.sql"),
                sqlite_only: "",
                down: Some(
                    "DROP TABLE IF EXISTS client_search, notifications, client_views, \
                     client_notes, case_manager_assignments, attachments, service_history, \
                     services, enrollments, profile_rows, data_conflicts, client_field_values, \
                     clients",
                ),
            }),
            // Least privilege (a penetration review): `pg_temp` last in the definer
            // function's search path, no temporary objects for the request roles, the search
            // projection owned by its own role, the registries out of the request role's
            // reach, and no truncating of what is never deleted. PostgreSQL only: SQLite has
            // no roles. Undoing it would reopen the findings it closes.
            Box::new(SqlMigration {
                name: "m20261202_000003_least_privilege",
                schema: "",
                postgres_only: include_str!("sql/0003_least_privilege.postgres.sql"),
                sqlite_only: "",
                down: None,
            }),
            // Platform administrators get sessions like everyone else's (logout, idle and
            // total limits).
            Box::new(SqlMigration {
                name: "m20261202_000004_platform_sessions",
                schema: include_str!("sql/0004_platform_sessions.sql"),
                postgres_only: include_str!("sql/0004_platform_sessions.postgres.sql"),
                sqlite_only: "",
                down: Some("DROP TABLE IF EXISTS platform_sessions"),
            }),
            // The plan's resolution workflows: cases, their contact attempts, timelines and
            // deadlines.
            Box::new(SqlMigration {
                name: "m20261202_000005_resolution_cases",
                schema: include_str!("sql/0005_resolution_cases.sql"),
                postgres_only: include_str!("sql/0005_resolution_cases.postgres.sql"),
                sqlite_only: "",
                down: Some("DROP TABLE IF EXISTS deadlines, case_events, case_attempts, cases"),
            }),
            // The outbox: messages to e-mail, written with the change that causes them.
            Box::new(SqlMigration {
                name: "m20261202_000006_outbox",
                schema: include_str!("sql/0006_outbox.sql"),
                postgres_only: include_str!("sql/0006_outbox.postgres.sql"),
                sqlite_only: "",
                down: Some("DROP TABLE IF EXISTS outbox"),
            }),
            // ENR-4: the entry/exit inconsistencies the scan finds.
            Box::new(SqlMigration {
                name: "m20261202_000007_inconsistencies",
                schema: include_str!("sql/0007_inconsistencies.sql"),
                postgres_only: include_str!("sql/0007_inconsistencies.postgres.sql"),
                sqlite_only: "",
                down: Some("DROP TABLE IF EXISTS inconsistencies"),
            }),
            // The manual clock's offset, shared by every process on the database.
            Box::new(SqlMigration {
                name: "m20261202_000008_manual_clock",
                schema: include_str!("sql/0008_manual_clock.sql"),
                postgres_only: include_str!("sql/0008_manual_clock.postgres.sql"),
                sqlite_only: "",
                down: Some("DROP TABLE IF EXISTS manual_clock"),
            }),
            // Invitation e-mails go through the outbox: an outbox row is a message or an
            // invitation, and an e-mailed invitation carries a token of its own.
            Box::new(SqlMigration {
                name: "m20261202_000009_invitation_mail",
                schema: include_str!("sql/0009_invitation_mail.sql"),
                postgres_only: include_str!("sql/0009_invitation_mail.postgres.sql"),
                sqlite_only: include_str!("sql/0009_invitation_mail.sqlite.sql"),
                down: None,
            }),
            // Invitations can be revoked.
            Box::new(SqlMigration {
                name: "m20261202_000010_invitation_revocation",
                schema: include_str!("sql/0010_invitation_revocation.sql"),
                postgres_only: "",
                sqlite_only: "",
                down: None,
            }),
            // The fuzzy-search index leads with the tenant (PostgreSQL only; SQLite matches
            // names by substring).
            Box::new(SqlMigration {
                name: "m20261204_000011_search_by_tenant",
                schema: "",
                postgres_only: include_str!("sql/0011_search_by_tenant.postgres.sql"),
                sqlite_only: "",
                down: None,
            }),
            // A request's session check defined once (a view), and on PostgreSQL run in the
            // same statement that takes the request role and tenant.
            Box::new(SqlMigration {
                name: "m20261205_000012_session_checks",
                schema: include_str!("sql/0012_session_checks.sql"),
                postgres_only: include_str!("sql/0012_session_checks.postgres.sql"),
                sqlite_only: "",
                down: None,
            }),
            // AUD-2: the view log records lists and searches too, and says which.
            Box::new(SqlMigration {
                name: "m20261205_000013_view_disclosures",
                schema: include_str!("sql/0013_view_disclosures.sql"),
                postgres_only: "",
                sqlite_only: "",
                down: None,
            }),
            // Strategies as data: HUD's answers-over-time elements share the profile rows'
            // table, each row naming its element.
            Box::new(SqlMigration {
                name: "m20261205_000014_elements_over_time",
                schema: "",
                postgres_only: include_str!("sql/0014_elements_over_time.postgres.sql"),
                sqlite_only: include_str!("sql/0014_elements_over_time.sqlite.sql"),
                down: None,
            }),
            // HUD FY2026 4.21 Sex joins the single-answer demographics.
            Box::new(SqlMigration {
                name: "m20261205_000015_sex",
                schema: include_str!("sql/0015_sex.sql"),
                postgres_only: "",
                sqlite_only: "",
                down: Some("ALTER TABLE clients DROP COLUMN sex"),
            }),
            // Agencies and projects are renamed and deactivated, never deleted.
            Box::new(SqlMigration {
                name: "m20261205_000016_deactivation",
                schema: include_str!("sql/0016_deactivation.sql"),
                postgres_only: "",
                sqlite_only: "",
                down: Some(
                    "ALTER TABLE agencies DROP COLUMN deactivated_at; \
                     ALTER TABLE projects DROP COLUMN deactivated_at",
                ),
            }),
            // Webhooks: a tenant's endpoints and the deliveries of its events.
            Box::new(SqlMigration {
                name: "m20261205_000017_webhooks",
                schema: include_str!("sql/0017_webhooks.sql"),
                postgres_only: include_str!("sql/0017_webhooks.postgres.sql"),
                sqlite_only: "",
                down: Some("DROP TABLE IF EXISTS webhook_deliveries, webhook_endpoints"),
            }),
            // Password reset by an e-mailed, single-use token (through the outbox).
            Box::new(SqlMigration {
                name: "m20261205_000018_password_resets",
                schema: include_str!("sql/0018_password_resets.sql"),
                postgres_only: include_str!("sql/0018_password_resets.postgres.sql"),
                sqlite_only: include_str!("sql/0018_password_resets.sqlite.sql"),
                down: None,
            }),
            // Second factors: TOTP, backup codes, and which roles must use one.
            Box::new(SqlMigration {
                name: "m20261205_000019_second_factor",
                schema: include_str!("sql/0019_second_factor.sql"),
                postgres_only: include_str!("sql/0019_second_factor.postgres.sql"),
                sqlite_only: include_str!("sql/0019_second_factor.sqlite.sql"),
                down: None,
            }),
            // Platform administrators' authenticator apps.
            Box::new(SqlMigration {
                name: "m20261206_000020_platform_second_factor",
                schema: include_str!("sql/0020_platform_second_factor.sql"),
                postgres_only: include_str!("sql/0020_platform_second_factor.postgres.sql"),
                sqlite_only: "",
                down: None,
            }),
            // WebAuthn security keys and passkeys.
            Box::new(SqlMigration {
                name: "m20261206_000021_webauthn",
                schema: include_str!("sql/0021_webauthn.sql"),
                postgres_only: include_str!("sql/0021_webauthn.postgres.sql"),
                sqlite_only: include_str!("sql/0021_webauthn.sqlite.sql"),
                down: None,
            }),
            // Service accounts: integrations signing in with client credentials.
            Box::new(SqlMigration {
                name: "m20261206_000022_service_accounts",
                schema: include_str!("sql/0022_service_accounts.sql"),
                postgres_only: include_str!("sql/0022_service_accounts.postgres.sql"),
                sqlite_only: "",
                down: None,
            }),
            // Step-up ceremonies of security keys, kept apart from sign-in ceremonies.
            Box::new(SqlMigration {
                name: "m20261206_000023_step_up_ceremonies",
                schema: "",
                postgres_only: include_str!("sql/0023_step_up_ceremonies.postgres.sql"),
                sqlite_only: include_str!("sql/0023_step_up_ceremonies.sqlite.sql"),
                down: None,
            }),
            // The fuzzy-search index as a tree grouped by tenant (PostgreSQL only).
            Box::new(SqlMigration {
                name: "m20261207_000024_search_index_by_tenant_tree",
                schema: "",
                postgres_only: include_str!("sql/0024_search_index_by_tenant_tree.postgres.sql"),
                sqlite_only: "",
                down: None,
            }),
            // The search function declares how many rows it returns (PostgreSQL only).
            Box::new(SqlMigration {
                name: "m20261207_000025_search_declares_its_rows",
                schema: "",
                postgres_only: include_str!("sql/0025_search_declares_its_rows.postgres.sql"),
                sqlite_only: "",
                down: None,
            }),
        ]
    }
}
