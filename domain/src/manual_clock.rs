//! `CONCORD_CLOCK=manual` (end-to-end and manual testing of deadlines; refused in
//! production): the platform administrator moves time forward, and every process on the
//! database — API processes and workers run apart alike — follows, because the offset is a
//! row in the database rather than a number in one process's memory.
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use crate::clock::OffsetClock;
use crate::error::{DomainError, DomainResult};
use crate::state::AppState;
use crate::store;

/// A year and a day at a time: far enough for every deadline the plan can set.
pub const MAX_ADVANCE_HOURS: i32 = 366 * 24;

/// Moves every process's time forward by `hours`; the time it is now.
pub async fn advance(
    state: &AppState,
    clock: &OffsetClock,
    hours: i32,
) -> DomainResult<DateTime<Utc>> {
    if !(1..=MAX_ADVANCE_HOURS).contains(&hours) {
        return Err(DomainError::validation(
            "hours",
            format!("move the clock forward by 1 to {MAX_ADVANCE_HOURS} hours"),
        ));
    }
    let tx = store::platform_tx(&state.db, None).await?;
    let offset = store::manual_clock::advance(&tx, i64::from(hours) * 3600).await?;
    tx.commit().await?;
    Ok(clock.catch_up(Duration::seconds(offset)))
}

/// Brings `clock` to the shared offset: at start (a process started after the clock moved
/// must not run in the past), then every second, until the process ends.
pub async fn follow(state: AppState, clock: Arc<OffsetClock>) {
    let mut ticks = tokio::time::interval(StdDuration::from_secs(1));
    loop {
        ticks.tick().await;
        if let Err(error) = catch_up(&state, &clock).await {
            tracing::warn!(%error, "could not read the manual clock");
        }
    }
}

pub async fn catch_up(state: &AppState, clock: &OffsetClock) -> DomainResult<DateTime<Utc>> {
    let tx = store::registry_tx(&state.db).await?;
    let offset = store::manual_clock::offset(&tx).await?;
    tx.commit().await?;
    Ok(clock.catch_up(Duration::seconds(offset)))
}
