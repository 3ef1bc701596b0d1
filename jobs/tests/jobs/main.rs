//! The jobs crate against real storages: SQLite in a temporary directory and PostgreSQL on
//! 127.0.0.1:5432, each test on a Concord state and database of its own (`testkit`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod purge_expired_sessions;
mod schedule_purge;
mod support;
mod sweep_deadlines;
