use apalis::prelude::TaskBuilder;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::backend::{Backend, Enqueued};
use crate::error::Error;
use crate::job::Job;
use crate::purge_expired_sessions::PurgeExpiredSessions;

/// When a job runs and what makes it unique.
#[derive(Clone, Debug, Default)]
pub struct Schedule {
    run_at: Option<DateTime<Utc>>,
    idempotency_key: Option<String>,
}

impl Schedule {
    pub fn now() -> Self {
        Self::default()
    }

    /// Due at `when`, to the second. The storage compares it with its own wall clock, not
    /// with an injected [`Clock`](crate::Clock): a test clock decides what a job finds when
    /// it runs, not when the storage releases it.
    pub fn at(when: DateTime<Utc>) -> Self {
        Self {
            run_at: Some(when),
            idempotency_key: None,
        }
    }

    /// A second push with the same key to the same queue stores nothing, for as long as the
    /// first job's row is kept (done or not).
    #[must_use]
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// Pushes `job` on its own transaction. Never call it inside a domain transaction expecting
/// both to commit together: apalis cannot push on the caller's transaction.
pub async fn enqueue<J: Job>(
    backend: &Backend,
    job: J,
    schedule: Schedule,
) -> Result<Enqueued, Error> {
    let mut task = TaskBuilder::new(job).max_attempts(J::MAX_ATTEMPTS);
    if let Some(when) = schedule.run_at {
        // Before 1970 means "already due".
        task = task.run_at_timestamp(u64::try_from(when.timestamp()).unwrap_or(0));
    }
    if let Some(key) = &schedule.idempotency_key {
        task = task.idempotency_key(key);
    }
    backend.push(task.build()).await
}

pub async fn enqueue_purge_expired_sessions(
    backend: &Backend,
    tenant_id: Uuid,
    schedule: Schedule,
) -> Result<Enqueued, Error> {
    enqueue(backend, PurgeExpiredSessions { tenant_id }, schedule).await
}
