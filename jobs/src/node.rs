//! One worker node: the scheduler that enqueues recurring work and a worker for every queue,
//! on the storage that goes with the application's database. The same node runs inside
//! `concord` on the embedded default and as its own process (`concord worker`) in production.
use std::time::Duration;

use sea_orm::{Database, DbBackend};

use crate::backend::Backend;
use crate::error::Error;
use crate::scheduler::run_scheduler;
use crate::settings::WorkerSettings;
use crate::worker::run_workers;
use domain::state::AppState;

/// How often the session purge and the `ENR-4` scan are enqueued (each once a day per
/// tenant: the ticks in between find them enqueued already).
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Runs the node until `shutdown` completes; running jobs then get the shutdown timeout to
/// finish.
pub async fn run_node(
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let backend = storage_for(&state).await?;
    // Before the scheduler's first push: a push before the storage's types exist fails, and
    // the connection that tried remembers the failure.
    backend.setup().await?;
    // Stopped with the workers, when a tick's pushes no longer matter.
    let scheduler = tokio::spawn(run_scheduler(
        state.clone(),
        backend.clone(),
        PURGE_EVERY,
        std::future::pending(),
    ));
    let settings = WorkerSettings::from_settings(&state.settings);
    let result = run_workers(state, backend, settings, shutdown).await;
    scheduler.abort();
    result
}

/// On PostgreSQL the jobs live beside the data; the embedded default keeps them in a SQLite
/// file of their own (`<data dir>/jobs.sqlite`), because SQLite has one writer at a time and
/// the workers' polling would otherwise contend with requests.
async fn storage_for(state: &AppState) -> Result<Backend, Error> {
    if state.db.get_database_backend() == DbBackend::Postgres {
        return Backend::from_connection(&state.db);
    }
    let url = format!(
        "sqlite://{}?mode=rwc",
        state.settings.data_dir.join("jobs.sqlite").display()
    );
    let jobs_db = Database::connect(url)
        .await
        .map_err(|e| Error::Setup(Box::new(e)))?;
    Backend::from_connection(&jobs_db)
}
