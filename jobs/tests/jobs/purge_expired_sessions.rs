use domain::clock::TestClock;
use std::sync::Arc;

use chrono::Duration;
use jobs::{
    Backend, Enqueued, Job, PurgeExpiredSessions, PurgeOutcome, Schedule,
    enqueue_purge_expired_sessions, purge_expired_sessions,
};
use sea_orm::DatabaseConnection;

use crate::support::{
    Kind, at, insert_session, insert_tenant, insert_token, sorted, start_workers, token_ids,
    wait_for_status, with_db,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_purge_job_deletes_only_expired_tokens_of_its_tenant() {
    with_db(Kind::Sqlite, purge_through_the_storage).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_purge_job_deletes_only_expired_tokens_of_its_tenant() {
    with_db(Kind::Postgres, purge_through_the_storage).await;
}

async fn purge_through_the_storage(db: DatabaseConnection) {
    // Milliseconds on purpose: SQLite compares these timestamps as text.
    let now = at("2026-11-24T12:00:00.250Z");
    let clock = Arc::new(TestClock::new(now));

    let tenant = insert_tenant(&db, "ACTIVE", now).await;
    let session = insert_session(&db, tenant, now).await;
    let expired = insert_token(&db, tenant, session, now - Duration::hours(1)).await;
    let just_expired = insert_token(&db, tenant, session, now - Duration::milliseconds(1)).await;
    let expiring_now = insert_token(&db, tenant, session, now).await;
    let live = insert_token(&db, tenant, session, now + Duration::hours(1)).await;

    let other = insert_tenant(&db, "ACTIVE", now).await;
    let other_session = insert_session(&db, other, now).await;
    let other_expired = insert_token(&db, other, other_session, now - Duration::hours(1)).await;

    let backend = Backend::from_connection(&db).unwrap();
    // As the application starts: storage first, so that pushes find their table.
    backend.setup().await.unwrap();
    let workers = start_workers(&db, clock.clone());

    let pushed =
        enqueue_purge_expired_sessions(&backend, tenant, Schedule::now().idempotency_key("first"))
            .await
            .unwrap();
    assert_eq!(pushed, Enqueued::New);
    wait_for_status(&backend, PurgeExpiredSessions::QUEUE, "first", "Done").await;

    assert!(!token_ids(&db, tenant).await.contains(&expired));
    assert!(!token_ids(&db, tenant).await.contains(&just_expired));
    assert_eq!(
        token_ids(&db, tenant).await,
        sorted(vec![expiring_now, live]),
        "only tokens that expired before the clock's now go"
    );
    assert_eq!(
        token_ids(&db, other).await,
        vec![other_expired],
        "another tenant's tokens are untouched"
    );

    // At least once means twice is possible: a second run changes nothing.
    let again =
        enqueue_purge_expired_sessions(&backend, tenant, Schedule::now().idempotency_key("second"))
            .await
            .unwrap();
    assert_eq!(again, Enqueued::New);
    wait_for_status(&backend, PurgeExpiredSessions::QUEUE, "second", "Done").await;
    assert_eq!(
        token_ids(&db, tenant).await,
        sorted(vec![expiring_now, live])
    );

    let duplicate =
        enqueue_purge_expired_sessions(&backend, tenant, Schedule::now().idempotency_key("first"))
            .await
            .unwrap();
    assert_eq!(duplicate, Enqueued::Duplicate);

    // Future work waits in the storage until due (by the storage's wall clock).
    let later = enqueue_purge_expired_sessions(
        &backend,
        tenant,
        Schedule::at(chrono::Utc::now() + Duration::hours(1)).idempotency_key("later"),
    )
    .await
    .unwrap();
    assert_eq!(later, Enqueued::New);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let status = backend
        .job_status(PurgeExpiredSessions::QUEUE, "later")
        .await
        .unwrap();
    assert_eq!(status.as_deref(), Some("Pending"));

    workers.stop().await;

    assert_eq!(
        purge_expired_sessions(&db, clock.as_ref(), tenant)
            .await
            .unwrap(),
        PurgeOutcome { deleted: 0 }
    );
    // Time moves on and the token that was live expires too.
    clock.advance(Duration::hours(2));
    assert_eq!(
        purge_expired_sessions(&db, clock.as_ref(), tenant)
            .await
            .unwrap(),
        PurgeOutcome { deleted: 2 }
    );
    assert!(token_ids(&db, tenant).await.is_empty());
}
