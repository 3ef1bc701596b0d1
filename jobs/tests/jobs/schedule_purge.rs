use domain::clock::TestClock;
use std::sync::Arc;

use chrono::Duration;
use jobs::{Backend, Job, PurgeExpiredSessions, ScheduleReport, schedule_purge_for_all_tenants};
use sea_orm::DatabaseConnection;

use crate::support::{Kind, at, insert_tenant, with_db};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_schedule_pushes_one_purge_per_active_tenant_and_day() {
    with_db(Kind::Sqlite, schedule_once_a_day).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_schedule_pushes_one_purge_per_active_tenant_and_day() {
    with_db(Kind::Postgres, schedule_once_a_day).await;
}

async fn schedule_once_a_day(db: DatabaseConnection) {
    let now = at("2026-11-24T03:00:00Z");
    let clock = Arc::new(TestClock::new(now));
    let first = insert_tenant(&db, "ACTIVE", now).await;
    let second = insert_tenant(&db, "ACTIVE", now).await;
    let pending = insert_tenant(&db, "PENDING", now).await;
    let suspended = insert_tenant(&db, "SUSPENDED", now).await;

    let backend = Backend::from_connection(&db).unwrap();
    backend.setup().await.unwrap();

    let report = schedule_purge_for_all_tenants(&db, &backend, clock.as_ref())
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

    // Later the same day (another node, another tick): nothing new.
    clock.advance(Duration::hours(20));
    let report = schedule_purge_for_all_tenants(&db, &backend, clock.as_ref())
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
    let report = schedule_purge_for_all_tenants(&db, &backend, clock.as_ref())
        .await
        .unwrap();
    assert_eq!(report.pushed, 2);
}
