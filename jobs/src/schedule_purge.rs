//! Fans recurring work out to one job per active tenant — the daily purge, the frequent
//! deadline sweep — so that one tenant's failure is retried on its own and never holds back
//! the others.
use domain::state::AppState;

use crate::backend::{Backend, Enqueued};
use crate::enqueue::{Schedule, enqueue, enqueue_purge_expired_sessions};
use crate::error::Error;
use crate::outbox::RelayOutbox;
use crate::scan_inconsistencies::ScanInconsistencies;
use crate::sweep_deadlines::SweepDeadlines;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScheduleReport {
    pub tenants: usize,
    pub pushed: usize,
    pub duplicates: usize,
}

/// Safe to call from every node and as often as wanted: the key per tenant and (UTC) day
/// lets only the first call of a day push a tenant's job.
pub async fn schedule_purge_for_all_tenants(
    state: &AppState,
    backend: &Backend,
) -> Result<ScheduleReport, Error> {
    let day = state.clock.now().date_naive();
    let active = domain::tenancy::active_tenant_ids(state).await?;

    let mut report = ScheduleReport {
        tenants: active.len(),
        ..ScheduleReport::default()
    };
    for tenant_id in active {
        let key = format!("purge_expired_sessions:{tenant_id}:{day}");
        match enqueue_purge_expired_sessions(
            backend,
            tenant_id,
            Schedule::now().idempotency_key(key),
        )
        .await?
        {
            Enqueued::New => report.pushed += 1,
            Enqueued::Duplicate => report.duplicates += 1,
        }
    }
    Ok(report)
}

/// One `ENR-4` scan per active tenant and (UTC) day.
pub async fn schedule_scan_for_all_tenants(
    state: &AppState,
    backend: &Backend,
) -> Result<ScheduleReport, Error> {
    let day = state.clock.now().date_naive();
    let active = domain::tenancy::active_tenant_ids(state).await?;
    let mut report = ScheduleReport {
        tenants: active.len(),
        ..ScheduleReport::default()
    };
    for tenant_id in active {
        let key = format!("scan_inconsistencies:{tenant_id}:{day}");
        let job = ScanInconsistencies { tenant_id };
        match enqueue(backend, job, Schedule::now().idempotency_key(key)).await? {
            Enqueued::New => report.pushed += 1,
            Enqueued::Duplicate => report.duplicates += 1,
        }
    }
    Ok(report)
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
    let active = domain::tenancy::active_tenant_ids(state).await?;
    let mut report = ScheduleReport {
        tenants: active.len(),
        ..ScheduleReport::default()
    };
    for tenant_id in active {
        let key = format!("sweep_deadlines:{tenant_id}:{every}:{slot}");
        let swept = enqueue(
            backend,
            SweepDeadlines { tenant_id },
            Schedule::now().idempotency_key(key),
        )
        .await?;
        let key = format!("relay_outbox:{tenant_id}:{every}:{slot}");
        let relayed = enqueue(
            backend,
            RelayOutbox { tenant_id },
            Schedule::now().idempotency_key(key),
        )
        .await?;
        for pushed in [swept, relayed] {
            match pushed {
                Enqueued::New => report.pushed += 1,
                Enqueued::Duplicate => report.duplicates += 1,
            }
        }
    }
    Ok(report)
}
