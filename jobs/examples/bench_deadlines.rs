//! Benchmark (issue 8): 100,000 due deadlines across 100 tenants, processed by one worker —
//! the sweep each tenant's job runs, one tenant after another, as one worker process would.
//! Reports the time and the database statements per deadline (BENCHMARKS.md).
//!
//! `cargo run -p jobs --example bench_deadlines [tenants] [deadlines-per-tenant]`
//! (PostgreSQL and the test roles as for `cargo xtask test`; the database is dropped after).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use domain::caller::Caller;
use domain::cases::deadlines::{SWEEP_BATCH, sweep};
use domain::clock::TestClock;
use domain::policy::roles::Role;
use domain::state::build_state;
use sea_orm::{ConnectionTrait, Database};
use testkit::Community;
use testkit::postgres::{OWNER_ROLE, create_database, drop_database, url_for};
use testkit::settings::test_settings;

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let tenants = args.first().copied().unwrap_or(100);
    let per_tenant = args.get(1).copied().unwrap_or(1000);
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .unwrap()
        .to_utc();
    let clock = Arc::new(TestClock::new(start));
    let database = create_database(OWNER_ROLE).await;
    let mut settings = test_settings(&database);
    settings.redis_url = None;
    // A hundred sign-ups from one address would meet the per-address limits.
    settings.limits.signup_per_address = u64::MAX;
    settings.limits.accept_per_address = u64::MAX;
    let state = build_state(settings, clock.clone()).await.expect("state");

    // Seed: the tenants through the domain, then per tenant one client and `per_tenant` data
    // conflicts, each a case with three unanswered attempts and a deadline already due,
    // written in bulk as the superuser (seeding is not what is measured).
    let seeding = Instant::now();
    let mut ids = Vec::with_capacity(tenants);
    for n in 0..tenants {
        let coc = Community::sign_up(&state, &format!("bench-{n:03}")).await;
        let reporter = coc
            .member(
                &format!("b{n}@bench.example"),
                Role::User,
                Some(coc.agency_b),
            )
            .await;
        let entering = coc
            .member(
                &format!("a{n}@bench.example"),
                Role::User,
                Some(coc.agency_a),
            )
            .await;
        let client = coc
            .client(&entering, &format!("B-{n:03}"), "Ann", "Lee")
            .await;
        ids.push((
            coc.tenant_id,
            client,
            reporter,
            entering,
            coc.agency_a,
            coc.agency_b,
        ));
    }
    let admin = Database::connect(url_for("postgres", &database))
        .await
        .expect("superuser");
    for (tenant, client, reporter, entering, agency_a, agency_b) in &ids {
        let (reporter, entering) = (reporter.id(), entering.id());
        let sql = format!(
            "WITH c AS (
                INSERT INTO data_conflicts SELECT '{tenant}', gen_random_uuid(), '{client}', 'dob',
                    '\"1980-01-01\"', '{entering}', '{agency_a}', '2026-01-01', '\"1980-01-02\"',
                    '{reporter}', '{agency_b}', '2026-01-01', 'OPEN', 1
                FROM generate_series(1, {per_tenant}) RETURNING id),
             k AS (
                INSERT INTO cases (tenant_id, id, kind, state, client_id, conflict_id, enrollment_id,
                    explanation, reported_by_user, reported_by_agency, owner_user, owner_agency,
                    plan_version, contact_attempts_min, contact_window_days, admin_review_days,
                    agreed_updater, opened_at, review_requested_at, closed_at, version, updated_at)
                SELECT '{tenant}', gen_random_uuid(), 'DATA_CONFLICT', 'CONTACTING', '{client}', id,
                    NULL, '', '{reporter}', '{agency_b}', '{entering}', '{agency_a}', 1, 3, 14, 30,
                    NULL, '2026-01-01', NULL, NULL, 2, '2026-01-01'
                FROM c RETURNING id),
             a AS (
                INSERT INTO case_attempts SELECT '{tenant}', gen_random_uuid(), k.id,
                    timestamptz '2026-01-01' + make_interval(days => d), 'PHONE', false, '',
                    '{reporter}', '{agency_b}', '2026-02-01'
                FROM k, (VALUES (1), (8), (16)) AS days(d) RETURNING 1)
             INSERT INTO deadlines SELECT '{tenant}', gen_random_uuid(), k.id,
                'ESCALATION_ELIGIBLE', '2026-02-01', NULL, '2026-02-01' FROM k"
        );
        admin.execute_unprepared(&sql).await.expect("seed");
    }
    admin.execute_unprepared("ANALYZE").await.expect("analyze");
    eprintln!(
        "seeded {tenants} tenants × {per_tenant} due deadlines in {:.1?}",
        seeding.elapsed()
    );

    let statements_before = state.db_queries.get();
    let started = Instant::now();
    let mut acted = 0usize;
    for (tenant, ..) in &ids {
        loop {
            let report = sweep(&state, Caller::system(*tenant), SWEEP_BATCH)
                .await
                .expect("sweep");
            acted += report.acted;
            if report.acted + report.moot == 0 {
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    let statements = state.db_queries.get() - statements_before;
    let total = tenants * per_tenant;
    assert_eq!(acted, total, "every due deadline acted on once");
    println!(
        "{total} due deadlines across {tenants} tenants: {:.1} s, {:.0} deadlines/s, {statements} statements ({:.3} per deadline)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        statements as f64 / total as f64
    );
    drop(admin);
    state.db.clone().close().await.ok();
    drop_database(database);
}
