//! The in-process ticker that enqueues recurring work. Every node may run it: each tick's
//! pushes carry an idempotency key per tenant and tick (the daily purge and `ENR-4` scan: per
//! day; the deadline sweep and outbox relay: per `sweep_every` slot of wall-clock time), so
//! only the first lands.
use std::time::Duration;

use crate::backend::Backend;
use crate::schedule_purge::{
    schedule_purge_for_all_tenants, schedule_scan_for_all_tenants, schedule_sweep_for_all_tenants,
};
use domain::state::AppState;

/// Ticks until `shutdown` completes: the purge every `purge_every`, the sweep every
/// `state.settings.sweep_every`. A failed tick is logged and retried at the next one.
pub async fn run_scheduler(
    state: AppState,
    backend: Backend,
    purge_every: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut purges = tokio::time::interval(purge_every);
    let mut sweeps = tokio::time::interval(state.settings.sweep_every);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = purges.tick() => {
                match schedule_purge_for_all_tenants(&state, &backend).await {
                    Ok(report) => tracing::debug!(pushed = report.pushed, "scheduled session purges"),
                    Err(error) => tracing::warn!(%error, "scheduling session purges failed"),
                }
                match schedule_scan_for_all_tenants(&state, &backend).await {
                    Ok(report) => tracing::debug!(pushed = report.pushed, "scheduled entry/exit scans"),
                    Err(error) => tracing::warn!(%error, "scheduling entry/exit scans failed"),
                }
            }
            _ = sweeps.tick() => {
                match schedule_sweep_for_all_tenants(&state, &backend).await {
                    Ok(report) => tracing::debug!(pushed = report.pushed, "scheduled deadline sweeps"),
                    Err(error) => tracing::warn!(%error, "scheduling deadline sweeps failed"),
                }
            }
        }
    }
}
