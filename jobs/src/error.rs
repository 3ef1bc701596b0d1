use apalis::prelude::BoxDynError;
use domain::error::DomainError;
use sea_orm::{DbBackend, DbErr};

/// Errors of the job harness itself (storage, pushing, running workers). What a job's own
/// run fails with is [`JobError`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("jobs need PostgreSQL or SQLite, not {0:?}")]
    UnsupportedBackend(DbBackend),
    #[error("could not set up the job storage: {0}")]
    Setup(#[source] BoxDynError),
    #[error("could not push a job to queue `{queue}`: {source}")]
    Push {
        queue: &'static str,
        #[source]
        source: BoxDynError,
    },
    #[error("could not read the job storage: {0}")]
    Storage(#[source] BoxDynError),
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the job workers stopped: {0}")]
    Workers(#[source] BoxDynError),
}

/// How one run of a job failed, which decides whether the storage runs it again.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (a lost connection, a serialization failure): the job is marked
    /// failed and fetched again until it reaches its `max_attempts`.
    #[error("transient: {0}")]
    Transient(#[source] BoxDynError),
    /// Running it again cannot help (bad arguments, a tenant that no longer exists): the job
    /// is killed at once instead of burning its attempts.
    #[error("permanent: {0}")]
    Permanent(#[source] BoxDynError),
}

impl From<DbErr> for JobError {
    fn from(err: DbErr) -> Self {
        Self::Transient(Box::new(err))
    }
}

/// A refusal or a bad argument will be refused again; anything else may pass next time.
impl From<DomainError> for JobError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Internal(_)
            | DomainError::Unavailable(_)
            | DomainError::RateLimited { .. } => Self::Transient(Box::new(err)),
            _ => Self::Permanent(Box::new(err)),
        }
    }
}

impl From<Error> for JobError {
    fn from(err: Error) -> Self {
        Self::Transient(Box::new(err))
    }
}
