//! Runs every queue's worker inside the calling process until told to stop.
use std::future::Future;
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::{Duration, Instant};

use apalis::prelude::{
    AbortError, BackendExt, BoxDynError, Data, Event, Monitor, WorkerBuilder, WorkerBuilderExt,
};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use uuid::Uuid;

use crate::backend::{Backend, Storage};
use crate::error::{Error, JobError};
use crate::job::{Job, JobContext};
use crate::outbox::{DeliverMessage, DeliverWebhook, RelayOutbox};
use crate::purge_expired_sessions::PurgeExpiredSessions;
use crate::scan_inconsistencies::ScanInconsistencies;
use crate::settings::WorkerSettings;
use crate::sweep_deadlines::SweepDeadlines;
use domain::state::AppState;

/// Runs one worker per queue until `shutdown` completes, on a storage set up already
/// (`Backend::setup`). Running jobs then get `settings.shutdown_timeout` to finish.
/// `backend` is where the jobs are stored: on PostgreSQL the application's own database; on
/// SQLite a file of its own, so the workers' polling and heartbeats never hold the lock that
/// requests need on the application's file.
pub async fn run_workers(
    state: AppState,
    backend: Backend,
    settings: WorkerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let ctx = JobContext { state, backend };

    let monitor = register::<PurgeExpiredSessions>(Monitor::new(), &ctx, &settings);
    let monitor = register::<SweepDeadlines>(monitor, &ctx, &settings);
    let monitor = register::<RelayOutbox>(monitor, &ctx, &settings);
    let monitor = register::<DeliverMessage>(monitor, &ctx, &settings);
    let monitor = register::<DeliverWebhook>(monitor, &ctx, &settings);
    let monitor = register::<ScanInconsistencies>(monitor, &ctx, &settings);

    monitor
        // A worker dies when its storage fails (a lost database); it comes back under a new
        // name after a pause, and other workers re-queue what it held once it is missed.
        .should_restart(|worker, error| {
            tracing::warn!(worker = worker.name(), %error, "job worker failed");
            !worker.is_shutting_down()
        })
        .on_event(|worker, event| {
            if let Event::Error(error) = event {
                tracing::warn!(worker = worker.name(), %error, "job run failed");
            }
        })
        .shutdown_timeout(settings.shutdown_timeout)
        .run_with_signal(async move {
            shutdown.await;
            Ok(())
        })
        .await
        .map_err(|e| Error::Workers(Box::new(e)))
}

fn register<J: Job>(monitor: Monitor, ctx: &JobContext, settings: &WorkerSettings) -> Monitor {
    let ctx = ctx.clone();
    let settings = settings.clone();
    let restarts = Restarts::default();
    match ctx.backend.storage().clone() {
        Storage::Postgres(pool) => monitor.register(move |_| {
            let pause = restarts.next_pause();
            let storage = PostgresStorage::<J>::new(&pool)
                .with_config(settings.postgres_config(J::QUEUE))
                .poll_with_interval(settings.poll_interval)
                .before_start(move |_| sleep_then_start(pause));
            WorkerBuilder::new(worker_name(J::QUEUE))
                .backend(storage)
                .catch_panic()
                .concurrency(settings.concurrency.max(1))
                .data(ctx.clone())
                .build(handle::<J>)
        }),
        Storage::Sqlite(pool) => monitor.register(move |_| {
            let pause = restarts.next_pause();
            let storage = SqliteStorage::<J>::new(&pool)
                .with_config(settings.sqlite_config(J::QUEUE))
                .poll_with_interval(settings.poll_interval)
                .before_start(move |_| sleep_then_start(pause));
            WorkerBuilder::new(worker_name(J::QUEUE))
                .backend(storage)
                .catch_panic()
                .concurrency(settings.concurrency.max(1))
                .data(ctx.clone())
                .build(handle::<J>)
        }),
    }
}

async fn handle<J: Job>(job: J, ctx: Data<JobContext>) -> Result<J::Output, BoxDynError> {
    job.run(ctx.0).await.map_err(|error| match error {
        // apalis marks a run that fails with `AbortError` as killed and never fetches it
        // again; any other error is retried until `max_attempts`.
        JobError::Permanent(_) => Box::new(AbortError::new(error)) as BoxDynError,
        JobError::Transient(_) => Box::new(error) as BoxDynError,
    })
}

/// How long a worker waits before it starts again. Without a pause a worker whose database
/// is gone would restart in a tight loop; the pause doubles with each failure in a row, up to
/// `MAX_PAUSE`. apalis counts a worker's restarts over the life of the process, so its count
/// alone would leave a worker that failed a few times over weeks waiting the longest pause
/// after every later blip: a run that lasted `HEALTHY_RUN` starts the count again.
#[derive(Clone, Default)]
struct Restarts(Arc<StdMutex<Option<(Instant, u32)>>>);

const MAX_PAUSE: Duration = Duration::from_secs(30);
const HEALTHY_RUN: Duration = Duration::from_secs(60);

impl Restarts {
    /// The pause before this start (none for the first).
    fn next_pause(&self) -> Duration {
        self.pause_at(Instant::now())
    }

    fn pause_at(&self, now: Instant) -> Duration {
        let mut last = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (pause, failures) = match *last {
            None => (Duration::ZERO, 0),
            Some((started, _)) if now.duration_since(started) >= HEALTHY_RUN => {
                (Duration::from_secs(1), 1)
            }
            Some((_, failures)) => {
                let failures = failures.saturating_add(1);
                let doubled = Duration::from_secs(1u64 << failures.min(5));
                (doubled.min(MAX_PAUSE), failures)
            }
        };
        *last = Some((now + pause, failures));
        pause
    }
}

async fn sleep_then_start<E>(pause: Duration) -> Result<(), E> {
    tokio::time::sleep(pause).await;
    Ok(())
}

/// Unique per process and per start: apalis keys a worker's claimed jobs by its name, so a
/// process killed and restarted under an old name would never get its stuck jobs back.
pub(crate) fn worker_name(queue: &str) -> String {
    let suffix = Uuid::new_v4().simple().to_string();
    format!(
        "{queue}@{host}:{pid}:{random}",
        host = hostname(),
        pid = std::process::id(),
        random = &suffix[..8]
    )
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_names_differ_within_one_process() {
        let a = worker_name("concord.q");
        let b = worker_name("concord.q");
        assert_ne!(a, b);
        assert!(a.starts_with("concord.q@"));
        assert!(a.contains(&format!(":{}:", std::process::id())));
    }

    #[test]
    fn a_failing_worker_waits_longer_each_time_up_to_the_cap() {
        let restarts = Restarts::default();
        let mut now = Instant::now();
        let mut pauses = Vec::new();
        for _ in 0..8 {
            let pause = restarts.pause_at(now);
            pauses.push(pause.as_secs());
            now += pause + Duration::from_secs(1);
        }
        assert_eq!(pauses, [0, 2, 4, 8, 16, 30, 30, 30]);
    }

    #[test]
    fn a_worker_that_ran_well_starts_its_pauses_again() {
        let restarts = Restarts::default();
        let mut now = Instant::now();
        for _ in 0..6 {
            now += restarts.pause_at(now) + Duration::from_secs(1);
        }
        assert_eq!(restarts.pause_at(now), MAX_PAUSE);
        now += MAX_PAUSE + HEALTHY_RUN;
        assert_eq!(restarts.pause_at(now), Duration::from_secs(1));
    }
}
