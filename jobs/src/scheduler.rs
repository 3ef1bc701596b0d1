//! The in-process ticker that enqueues recurring work. Every node may run it: each tick's
//! pushes carry an idempotency key per tenant and day, so only the first lands.
use std::time::Duration;

use crate::backend::Backend;
use crate::schedule_purge::schedule_purge_for_all_tenants;
use domain::state::AppState;

/// Ticks every `every` until `shutdown` completes. A failed tick is logged and retried at the
/// next one.
pub async fn run_scheduler(
    state: AppState,
    backend: Backend,
    every: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut ticks = tokio::time::interval(every);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => {
                match schedule_purge_for_all_tenants(&state, &backend).await {
                    Ok(report) => tracing::debug!(pushed = report.pushed, "scheduled session purges"),
                    Err(error) => tracing::warn!(%error, "scheduling session purges failed"),
                }
            }
        }
    }
}
