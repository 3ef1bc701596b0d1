use std::time::Duration;

/// How the in-process workers behave. Built by the application from its own settings.
#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// How often each worker tells the storage it is alive.
    pub heartbeat_interval: Duration,
    /// Heartbeats a worker may miss before its claimed jobs go back to pending. Always set
    /// here: apalis' own default is 2 through serde but 10 through `Default`.
    pub missed_heartbeats: usize,
    /// How often an idle worker looks for due jobs. Jobs scheduled for later are only ever
    /// found by polling, so this bounds how late a deadline can fire.
    pub poll_interval: Duration,
    /// Jobs claimed per fetch.
    pub batch_size: usize,
    /// Jobs of one queue run at once in this process.
    pub concurrency: usize,
    /// How long a shutdown waits for running jobs before abandoning them (they go back to
    /// pending once this worker's heartbeats are missed).
    pub shutdown_timeout: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            heartbeat_interval: Duration::from_secs(30),
            missed_heartbeats: 3,
            poll_interval: Duration::from_secs(5),
            batch_size: 10,
            concurrency: 4,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

impl WorkerSettings {
    /// What the operator set (`CONCORD_JOB_POLL_MILLISECONDS`, `CONCORD_JOB_HEARTBEAT_SECONDS`);
    /// the rest as by default.
    pub fn from_settings(settings: &domain::settings::Settings) -> Self {
        Self {
            heartbeat_interval: settings.job_heartbeat,
            poll_interval: settings.job_poll,
            ..Self::default()
        }
    }

    // Results are persisted because that is how a job is marked done at all; without it a
    // finished job stays claimed and runs again once its worker is gone.
    pub(crate) fn postgres_config(&self, queue: &str) -> apalis_postgres::Config {
        apalis_postgres::Config::default()
            .queue(queue)
            .heartbeat_interval(self.heartbeat_interval)
            .missed_heartbeats(self.missed_heartbeats)
            .batch_size(self.batch_size.max(1))
            .lock_tasks(true)
            .persist_results(true)
    }

    pub(crate) fn sqlite_config(&self, queue: &str) -> apalis_sqlite::Config {
        apalis_sqlite::Config::default()
            .queue(queue)
            .heartbeat_interval(self.heartbeat_interval)
            .missed_heartbeats(self.missed_heartbeats)
            .batch_size(self.batch_size.max(1))
            .lock_tasks(true)
            .persist_results(true)
    }
}
