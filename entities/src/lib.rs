//! sea-orm entities: the shape of each table, one file per table, nothing else. Finders,
//! validation and transactions live in `concord-api`'s `store` layer.
pub mod agencies;
pub mod attachments;
pub mod audit_log;
pub mod case_manager_assignments;
pub mod client_field_values;
pub mod client_notes;
pub mod client_views;
pub mod clients;
pub mod data_conflicts;
pub mod enrollments;
pub mod invitations;
pub mod notifications;
pub mod plan_versions;
pub mod platform_admins;
pub mod platform_sessions;
pub mod profile_rows;
pub mod projects;
pub mod refresh_tokens;
pub mod service_history;
pub mod services;
pub mod sessions;
pub mod tenant_scope;
pub mod tenants;
pub mod users;
