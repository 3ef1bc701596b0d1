//! Each test gets a Concord state of its own — on SQLite in a temporary directory, or on a
//! PostgreSQL database cloned from the shared migrated template — built as the server builds
//! it, and its CoCs from `testkit::Community`.
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::clock::TestClock;
use domain::state::{AppState, build_state};
use entities::{refresh_tokens, tenant_scope};
use futures_util::FutureExt;
use jobs::{Backend, WorkerSettings};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use testkit::postgres::{OWNER_ROLE, create_database, drop_database};
use testkit::settings::test_settings;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Runs `test` on a fresh Concord state reading `clock`, and removes its database and data
/// directory afterwards, also when the test fails.
pub async fn with_state<F, Fut>(kind: Kind, clock: Arc<TestClock>, test: F)
where
    F: FnOnce(AppState) -> Fut,
    Fut: Future<Output = ()>,
{
    let (mut settings, database) = match kind {
        Kind::Sqlite => (test_settings(""), None),
        Kind::Postgres => {
            let name = create_database(OWNER_ROLE).await;
            (test_settings(&name), Some(name))
        }
    };
    // The workers need no Redis: the state's shared store is in-process.
    settings.redis_url = None;
    let data_dir = settings.data_dir.clone();
    let state = build_state(settings, clock).await.expect("build the state");
    let outcome = AssertUnwindSafe(test(state.clone())).catch_unwind().await;
    state.db.clone().close().await.expect("pool closes");
    if let Some(name) = database {
        drop_database(name);
    }
    let _ = std::fs::remove_dir_all(data_dir);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

/// A refresh token of `session` expiring at `expires_at` to the millisecond, which no sign-in
/// can be made to issue.
pub async fn insert_token(
    state: &AppState,
    tenant_id: Uuid,
    session_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Uuid {
    let id = Uuid::new_v4();
    let tx = tenant_scope::begin(&state.db, tenant_id).await.unwrap();
    refresh_tokens::Entity::insert(refresh_tokens::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(id),
        session_id: Set(session_id),
        token_hash: Set(format!("hash-{id}")),
        created_at: Set(expires_at - chrono::Duration::days(30)),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec_without_returning(&tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The tenant's refresh tokens, read the way the application reads them.
pub async fn token_ids(state: &AppState, tenant_id: Uuid) -> Vec<Uuid> {
    let tx = tenant_scope::begin(&state.db, tenant_id).await.unwrap();
    let ids: Vec<Uuid> = refresh_tokens::Entity::find()
        .select_only()
        .column(refresh_tokens::Column::Id)
        .filter(refresh_tokens::Column::TenantId.eq(tenant_id))
        .into_tuple()
        .all(&tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sorted(ids)
}

pub fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

pub fn test_worker_settings() -> WorkerSettings {
    WorkerSettings {
        heartbeat_interval: Duration::from_secs(1),
        missed_heartbeats: 3,
        poll_interval: Duration::from_millis(200),
        batch_size: 10,
        concurrency: 2,
        shutdown_timeout: Duration::from_secs(5),
    }
}

pub struct RunningWorkers {
    stop: oneshot::Sender<()>,
    handle: JoinHandle<Result<(), jobs::Error>>,
}

pub fn start_workers(state: &AppState, backend: &Backend) -> RunningWorkers {
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(jobs::run_workers(
        state.clone(),
        backend.clone(),
        test_worker_settings(),
        async move {
            let _ = stopped.await;
        },
    ));
    RunningWorkers { stop, handle }
}

impl RunningWorkers {
    /// Asks for a graceful stop and expects it well within the shutdown timeout.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(15), self.handle)
            .await
            .expect("workers stop in time")
            .expect("worker task did not panic")
            .expect("workers stop cleanly");
    }
}

pub async fn wait_for_status(backend: &Backend, queue: &str, key: &str, want: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status = backend.job_status(queue, key).await.unwrap();
        if status.as_deref() == Some(want) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job {key} on {queue} is {status:?}, not {want}, after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
