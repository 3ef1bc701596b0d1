//! Fans recurring work out to one job per active tenant — the daily purge and `ENR-4` scan,
//! the frequent deadline sweep and outbox relay — so that one tenant's failure is retried on
//! its own and never holds back the others.
use domain::state::AppState;
use uuid::Uuid;

use crate::backend::{Backend, Enqueued};
use crate::enqueue::{Schedule, enqueue};
use crate::error::Error;
use crate::job::Job;
use crate::outbox::RelayOutbox;
use crate::purge_expired_sessions::PurgeExpiredSessions;
use crate::scan_inconsistencies::ScanInconsistencies;
use crate::sweep_deadlines::SweepDeadlines;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScheduleReport {
    pub tenants: usize,
    pub pushed: usize,
    pub duplicates: usize,
}

/// Pushes `job(tenant)` for every active tenant under the idempotency key `key(tenant)`, so
/// that a second push of the same key (another node, another tick) stores nothing.
async fn fan_out<J: Job>(
    state: &AppState,
    backend: &Backend,
    job: impl Fn(Uuid) -> J,
    key: impl Fn(Uuid) -> String,
) -> Result<ScheduleReport, Error> {
    let active = domain::tenancy::active_tenant_ids(state).await?;
    let mut report = ScheduleReport {
        tenants: active.len(),
        ..ScheduleReport::default()
    };
    for tenant_id in active {
        let schedule = Schedule::now().idempotency_key(key(tenant_id));
        match enqueue(backend, job(tenant_id), schedule).await? {
            Enqueued::New => report.pushed += 1,
            Enqueued::Duplicate => report.duplicates += 1,
        }
    }
    Ok(report)
}

/// Pushes `job(tenant)` once per active tenant and (UTC) day, keyed `name:tenant:day`.
async fn daily<J: Job>(
    state: &AppState,
    backend: &Backend,
    name: &str,
    job: impl Fn(Uuid) -> J,
) -> Result<ScheduleReport, Error> {
    let day = state.clock.now().date_naive();
    fan_out(state, backend, job, |tenant_id| {
        format!("{name}:{tenant_id}:{day}")
    })
    .await
}

/// Safe to call from every node and as often as wanted: the key per tenant and (UTC) day
/// lets only the first call of a day push a tenant's job.
pub async fn schedule_purge_for_all_tenants(
    state: &AppState,
    backend: &Backend,
) -> Result<ScheduleReport, Error> {
    daily(state, backend, "purge_expired_sessions", |tenant_id| {
        PurgeExpiredSessions { tenant_id }
    })
    .await
}

/// One `ENR-4` scan per active tenant and (UTC) day.
pub async fn schedule_scan_for_all_tenants(
    state: &AppState,
    backend: &Backend,
) -> Result<ScheduleReport, Error> {
    daily(state, backend, "scan_inconsistencies", |tenant_id| {
        ScanInconsistencies { tenant_id }
    })
    .await
}

/// One deadline sweep and one outbox relay per active tenant and slot: the slot is the
/// wall-clock time divided by `sweep_every`, so nodes ticking in the same slot push them once.
/// The sweep itself reads the injected clock for what is due.
pub async fn schedule_sweep_for_all_tenants(
    state: &AppState,
    backend: &Backend,
) -> Result<ScheduleReport, Error> {
    let every = state.settings.sweep_every.as_secs().max(1);
    let slot = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0) / every;
    let swept = fan_out(
        state,
        backend,
        |tenant_id| SweepDeadlines { tenant_id },
        |tenant_id| format!("sweep_deadlines:{tenant_id}:{every}:{slot}"),
    )
    .await?;
    let relayed = fan_out(
        state,
        backend,
        |tenant_id| RelayOutbox { tenant_id },
        |tenant_id| format!("relay_outbox:{tenant_id}:{every}:{slot}"),
    )
    .await?;
    Ok(ScheduleReport {
        tenants: swept.tenants,
        pushed: swept.pushed + relayed.pushed,
        duplicates: swept.duplicates + relayed.duplicates,
    })
}
