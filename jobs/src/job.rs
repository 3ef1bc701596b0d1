use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

use crate::backend::Backend;
use crate::error::JobError;
use domain::state::AppState;

/// A kind of durable job: its arguments are what is stored, `run` is what a worker does.
///
/// Delivery is at least once, so `run` must be idempotent: running it twice leaves the
/// same state (and sends no second message) as running it once.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static {
    /// Stored in every row of this job as its `job_type`: renaming it orphans the jobs
    /// already queued under the old name.
    const QUEUE: &'static str;
    /// Runs before the storage gives up on it. Failed runs are fetched again at once, so
    /// this is a count of tries, not a backoff.
    const MAX_ATTEMPTS: usize;
    /// Stored as the job's result.
    type Output: Serialize + DeserializeOwned + Send + Sync + 'static;

    fn run(self, ctx: JobContext) -> impl Future<Output = Result<Self::Output, JobError>> + Send;
}

/// What every job may use. The backend is there so that a job can schedule its successor
/// (a reminder pushing the escalation that follows it).
#[derive(Clone)]
pub struct JobContext {
    /// The same state a request gets: jobs call the domain's use cases with it, acting as
    /// `domain::caller::Caller::system` for a tenant, and read its clock.
    pub state: AppState,
    pub backend: Backend,
}
