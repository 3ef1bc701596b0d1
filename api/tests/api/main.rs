//! API integration tests: one binary, one module per area. They need PostgreSQL and Redis on
//! loopback (see the README).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod clients;
mod graphql_limits;
mod helpers;
mod identity;
mod plan;
mod roles;
mod sessions;
mod tenancy;
mod tenant_isolation;
