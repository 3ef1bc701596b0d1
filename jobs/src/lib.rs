//! Concord's durable jobs: apalis workers running in-process on the application's own
//! database (apalis-postgres on PostgreSQL, apalis-sqlite on SQLite).
//!
//! Each job is a [`Job`] impl that names its queue and calls the domain's use cases: the
//! rules live in `domain`, never here. Jobs run at least once, so each is idempotent; each
//! reads the time from an injected `domain::clock::Clock`.
mod backend;
mod enqueue;
mod error;
mod job;
mod node;
pub mod outbox;
pub mod purge_expired_sessions;
pub mod scan_inconsistencies;
pub mod schedule_purge;
mod scheduler;
mod settings;
pub mod sweep_deadlines;
mod worker;

pub use backend::{Backend, Enqueued};
pub use enqueue::{Schedule, enqueue, enqueue_purge_expired_sessions};
pub use error::{Error, JobError};
pub use job::{Job, JobContext};
pub use node::run_node;
pub use outbox::{
    DeliverMessage, DeliverWebhook, DeliveryOutcome, RelayOutbox, RelayOutcome, WebhookOutcome,
};
pub use purge_expired_sessions::{PurgeExpiredSessions, PurgeOutcome, purge_expired_sessions};
pub use scan_inconsistencies::ScanInconsistencies;
pub use schedule_purge::{
    ScheduleReport, schedule_purge_for_all_tenants, schedule_scan_for_all_tenants,
    schedule_sweep_for_all_tenants,
};
pub use scheduler::run_scheduler;
pub use settings::WorkerSettings;
pub use sweep_deadlines::{SweepDeadlines, SweepOutcome};
pub use worker::run_workers;
