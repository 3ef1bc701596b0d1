//! The apalis storage, running on the pool sea-orm already holds, so jobs and domain data
//! share one set of connections and one database.
use apalis::prelude::{Task, TaskSink, TaskSinkError};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use sea_orm::sqlx::{self, PgPool, SqlitePool};
use sea_orm::{DatabaseConnection, DbBackend};

use crate::error::Error;
use crate::job::Job;

/// Where jobs are stored: apalis-postgres on PostgreSQL, apalis-sqlite on SQLite.
#[derive(Clone, Debug)]
pub struct Backend {
    storage: Storage,
}

#[derive(Clone, Debug)]
pub(crate) enum Storage {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// Whether a push stored a new job or found one with the same idempotency key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enqueued {
    New,
    Duplicate,
}

impl Backend {
    pub fn from_connection(db: &DatabaseConnection) -> Result<Self, Error> {
        // Checked first: sea-orm's pool getters panic on the wrong backend.
        let storage = match db.get_database_backend() {
            DbBackend::Postgres => Storage::Postgres(db.get_postgres_connection_pool().clone()),
            DbBackend::Sqlite => Storage::Sqlite(db.get_sqlite_connection_pool().clone()),
            other => return Err(Error::UnsupportedBackend(other)),
        };
        Ok(Self { storage })
    }

    /// Runs the storage's own migrations. Idempotent, and safe to run from several
    /// processes at once (sqlx takes a lock around them).
    pub async fn setup(&self) -> Result<(), Error> {
        match &self.storage {
            // Needs no superuser: the schema's `CREATE EXTENSION hstore` is a trusted
            // extension, which the database's owner may create.
            Storage::Postgres(pool) => PostgresStorage::setup(pool)
                .await
                .map_err(|e| Error::Setup(Box::new(e))),
            Storage::Sqlite(pool) => {
                // Not `SqliteStorage::setup`: besides migrating it sets `synchronous = OFF`
                // on the connection it happens to get, and that connection also carries
                // Concord's own data, which must not lose commits to a power cut.
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(pool)
                    .await
                    .map_err(|e| Error::Setup(Box::new(e)))?;
                SqliteStorage::migrations()
                    .run(pool)
                    .await
                    .map_err(|e| Error::Setup(Box::new(e)))
            }
        }
    }

    pub(crate) fn storage(&self) -> &Storage {
        &self.storage
    }

    pub(crate) async fn push<J: Job>(&self, task: Task<J>) -> Result<Enqueued, Error> {
        let push_error = |source: Box<dyn std::error::Error + Send + Sync>| Error::Push {
            queue: J::QUEUE,
            source,
        };
        match &self.storage {
            Storage::Postgres(pool) => {
                let mut storage =
                    PostgresStorage::<J>::new(pool).with_config(push_only_postgres::<J>());
                match storage.push_task(task).await {
                    Ok(()) => Ok(Enqueued::New),
                    // apalis-postgres reports a taken idempotency key as the unique
                    // violation of `idx_jobs_idempotency_key`.
                    Err(TaskSinkError::PushError(apalis_postgres::Error::Database(e)))
                        if is_unique_violation(&e) =>
                    {
                        Ok(Enqueued::Duplicate)
                    }
                    Err(e) => Err(push_error(Box::new(e))),
                }
            }
            Storage::Sqlite(pool) => {
                // apalis-sqlite drops a duplicate silently (`ON CONFLICT DO NOTHING`), so
                // ask first. A race can only misreport, never store the job twice.
                if let Some(key) = task.idempotency_key()
                    && self.job_status(J::QUEUE, key).await?.is_some()
                {
                    return Ok(Enqueued::Duplicate);
                }
                let mut storage =
                    SqliteStorage::<J>::new(pool).with_config(push_only_sqlite::<J>());
                storage
                    .push_task(task)
                    .await
                    .map(|()| Enqueued::New)
                    .map_err(|e| push_error(Box::new(e)))
            }
        }
    }

    /// The apalis status (`Pending`, `Queued`, `Running`, `Done`, `Failed`, `Killed`) of the
    /// job pushed to `queue` under `idempotency_key`, if there is one.
    pub async fn job_status(
        &self,
        queue: &str,
        idempotency_key: &str,
    ) -> Result<Option<String>, Error> {
        let status =
            match &self.storage {
                Storage::Postgres(pool) => sqlx::query_scalar(
                    "SELECT status FROM apalis.jobs WHERE job_type = $1 AND idempotency_key = $2",
                )
                .bind(queue)
                .bind(idempotency_key)
                .fetch_optional(pool)
                .await,
                Storage::Sqlite(pool) => {
                    sqlx::query_scalar(
                        "SELECT status FROM Jobs WHERE job_type = ?1 AND idempotency_key = ?2",
                    )
                    .bind(queue)
                    .bind(idempotency_key)
                    .fetch_optional(pool)
                    .await
                }
            };
        status.map_err(|e| Error::Storage(Box::new(e)))
    }
}

// A storage that only pushes needs the queue name and nothing of a worker's liveness settings.
fn push_only_postgres<J: Job>() -> apalis_postgres::Config {
    apalis_postgres::Config::default().queue(J::QUEUE)
}

fn push_only_sqlite<J: Job>() -> apalis_sqlite::Config {
    apalis_sqlite::Config::default().queue(J::QUEUE)
}

fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "23505")
}
