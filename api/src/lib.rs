//! Concord's API: GraphQL over actix-web, on PostgreSQL (or the embedded SQLite default).
pub mod auth;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod policy;
pub mod records;
pub mod settings;
pub mod shared_state;
pub mod sharing_plan;
pub mod startup;
pub mod state;
pub mod storage;
pub mod store;
pub mod telemetry;
pub mod tenancy;
