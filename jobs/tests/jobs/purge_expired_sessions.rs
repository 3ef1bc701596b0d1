use domain::clock::TestClock;
use domain::state::AppState;
use std::sync::Arc;

use chrono::Duration;
use jobs::{
    Backend, Enqueued, Job, PurgeExpiredSessions, PurgeOutcome, Schedule,
    enqueue_purge_expired_sessions, purge_expired_sessions,
};
use testkit::Community;

use crate::support::{
    Kind, at, insert_token, sorted, start_workers, token_ids, wait_for_status, with_state,
};

// Milliseconds on purpose: SQLite compares these timestamps as text.
const NOW: &str = "2026-11-24T12:00:00.250Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_purge_job_deletes_only_expired_tokens_of_its_tenant() {
    let clock = Arc::new(TestClock::new(at(NOW)));
    with_state(Kind::Sqlite, clock.clone(), |state| {
        purge_through_the_storage(state, clock)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_purge_job_deletes_only_expired_tokens_of_its_tenant() {
    let clock = Arc::new(TestClock::new(at(NOW)));
    with_state(Kind::Postgres, clock.clone(), |state| {
        purge_through_the_storage(state, clock)
    })
    .await;
}

async fn purge_through_the_storage(state: AppState, clock: Arc<TestClock>) {
    let now = at(NOW);
    let coc = Community::sign_up(&state, "durham").await;
    let (tenant, session) = (coc.tenant_id, coc.data_center.user.session_id().unwrap());
    // The lead's own sign-in token, valid for weeks yet.
    let signed_in = token_ids(&state, tenant).await;
    assert_eq!(signed_in.len(), 1);
    let expired = insert_token(&state, tenant, session, now - Duration::hours(1)).await;
    let just_expired = insert_token(&state, tenant, session, now - Duration::milliseconds(1)).await;
    let expiring_now = insert_token(&state, tenant, session, now).await;
    let live = insert_token(&state, tenant, session, now + Duration::hours(1)).await;

    let other = Community::sign_up(&state, "orange").await;
    let other_session = other.data_center.user.session_id().unwrap();
    let other_expired = insert_token(
        &state,
        other.tenant_id,
        other_session,
        now - Duration::hours(1),
    )
    .await;
    let other_tokens = token_ids(&state, other.tenant_id).await;

    let backend = Backend::from_connection(&state.db).unwrap();
    // As the application starts: storage first, so that pushes find their table.
    backend.setup().await.unwrap();
    let workers = start_workers(&state, &backend);

    let pushed =
        enqueue_purge_expired_sessions(&backend, tenant, Schedule::now().idempotency_key("first"))
            .await
            .unwrap();
    assert_eq!(pushed, Enqueued::New);
    wait_for_status(&backend, PurgeExpiredSessions::QUEUE, "first", "Done").await;

    let left = token_ids(&state, tenant).await;
    assert!(!left.contains(&expired));
    assert!(!left.contains(&just_expired));
    let kept = sorted([signed_in.clone(), vec![expiring_now, live]].concat());
    assert_eq!(
        left, kept,
        "only tokens that expired before the clock's now go"
    );
    assert!(other_tokens.contains(&other_expired));
    assert_eq!(
        token_ids(&state, other.tenant_id).await,
        other_tokens,
        "another tenant's tokens are untouched"
    );

    // At least once means twice is possible: a second run changes nothing.
    let again =
        enqueue_purge_expired_sessions(&backend, tenant, Schedule::now().idempotency_key("second"))
            .await
            .unwrap();
    assert_eq!(again, Enqueued::New);
    wait_for_status(&backend, PurgeExpiredSessions::QUEUE, "second", "Done").await;
    assert_eq!(token_ids(&state, tenant).await, kept);

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
        purge_expired_sessions(&state, tenant).await.unwrap(),
        PurgeOutcome { deleted: 0 }
    );
    // Time moves on and the token that was live expires too.
    clock.advance(Duration::hours(2));
    assert_eq!(
        purge_expired_sessions(&state, tenant).await.unwrap(),
        PurgeOutcome { deleted: 2 }
    );
    assert_eq!(token_ids(&state, tenant).await, signed_in);
}
