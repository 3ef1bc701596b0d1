//! API integration tests: one binary, one module per area. They need PostgreSQL and Redis on
//! loopback (see the README).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod attachments;
mod batches;
mod case_managers;
mod cases;
mod citus_ready;
mod clients;
mod cross_tenant;
mod database_outage;
mod database_roles;
mod decisions_agree;
mod embedded;
mod enrollments;
mod graphql_limits;
mod helpers;
mod http_surface;
mod identity;
mod manual_clock;
mod notes;
mod outbox;
mod plan;
mod processes;
mod profile;
mod query_cost;
mod roles;
mod scale_out;
mod search;
mod services;
mod sessions;
mod smtp;
mod system_actor;
mod tenancy;
mod tenant_isolation;
mod worker_process;
