//! The jobs crate against real storages: SQLite in a temp file and PostgreSQL on
//! 127.0.0.1:5432, each test on a fresh, migrated database of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod purge_expired_sessions;
mod schedule_purge;
mod support;
