use domain::clock::TestClock;
use domain::state::AppState;
use domain::values::TenantStatus;
use std::sync::Arc;

use chrono::Duration;
use jobs::{
    Backend, Job, PurgeExpiredSessions, ScheduleReport, schedule_purge_for_all_tenants,
    schedule_scan_for_all_tenants,
};
use testkit::Community;

use crate::support::{Kind, at, with_state};

const NOW: &str = "2026-11-24T03:00:00Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_schedule_pushes_one_purge_per_active_tenant_and_day() {
    let clock = Arc::new(TestClock::new(at(NOW)));
    with_state(Kind::Sqlite, clock.clone(), |state| {
        schedule_once_a_day(state, clock)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_schedule_pushes_one_purge_per_active_tenant_and_day() {
    let clock = Arc::new(TestClock::new(at(NOW)));
    with_state(Kind::Postgres, clock.clone(), |state| {
        schedule_once_a_day(state, clock)
    })
    .await;
}

async fn schedule_once_a_day(state: AppState, clock: Arc<TestClock>) {
    let tenant = |slug: &'static str| {
        let state = state.clone();
        async move { Community::sign_up(&state, slug).await }
    };
    let first = tenant("durham").await.tenant_id;
    let second = tenant("orange").await.tenant_id;
    let pending = tenant("wake").await;
    pending.set_status(TenantStatus::Pending).await;
    let suspended = tenant("chatham").await;
    suspended.set_status(TenantStatus::Suspended).await;
    let (pending, suspended) = (pending.tenant_id, suspended.tenant_id);

    let backend = Backend::from_connection(&state.db).unwrap();
    backend.setup().await.unwrap();

    let report = schedule_purge_for_all_tenants(&state, &backend)
        .await
        .unwrap();
    assert_eq!(
        report,
        ScheduleReport {
            tenants: 2,
            pushed: 2,
            duplicates: 0
        }
    );
    for tenant in [first, second] {
        let key = format!("purge_expired_sessions:{tenant}:2026-11-24");
        let status = backend
            .job_status(PurgeExpiredSessions::QUEUE, &key)
            .await
            .unwrap();
        assert_eq!(status.as_deref(), Some("Pending"));
    }
    for tenant in [pending, suspended] {
        let key = format!("purge_expired_sessions:{tenant}:2026-11-24");
        let status = backend
            .job_status(PurgeExpiredSessions::QUEUE, &key)
            .await
            .unwrap();
        assert_eq!(status, None, "no purge for a tenant that is not active");
    }

    // The ENR-4 scan is daily per tenant too.
    let scans = schedule_scan_for_all_tenants(&state, &backend)
        .await
        .unwrap();
    assert_eq!((scans.tenants, scans.pushed), (2, 2));
    let again = schedule_scan_for_all_tenants(&state, &backend)
        .await
        .unwrap();
    assert_eq!((again.pushed, again.duplicates), (0, 2));

    // Later the same day (another node, another tick): nothing new.
    clock.advance(Duration::hours(20));
    let report = schedule_purge_for_all_tenants(&state, &backend)
        .await
        .unwrap();
    assert_eq!(
        report,
        ScheduleReport {
            tenants: 2,
            pushed: 0,
            duplicates: 2
        }
    );

    // The next day is a new day.
    clock.advance(Duration::hours(4));
    let report = schedule_purge_for_all_tenants(&state, &backend)
        .await
        .unwrap();
    assert_eq!(report.pushed, 2);
}
