//! sea-orm entities: the shape of each table, one file per table, nothing else. Finders,
//! validation and transactions live in `concord-api`'s `store` layer.
pub mod agencies;
pub mod audit_log;
pub mod invitations;
pub mod plan_versions;
pub mod platform_admins;
pub mod projects;
pub mod refresh_tokens;
pub mod sessions;
pub mod tenant_scope;
pub mod tenants;
pub mod users;
