//! The deadline sweep (SPEC §5) takes a claimed batch as one: two sweeps at once, as two
//! workers would run them, act on every due deadline once — one timeline step, one reminder
//! and one audit entry per case — and a sweep after them finds nothing left.
use std::sync::Arc;

use chrono::Duration;
use domain::caller::Caller;
use domain::cases::deadlines::sweep;
use domain::cases::steps::{NewAttempt, log_attempt};
use domain::clock::TestClock;
use domain::policy::cases::{CaseState, ContactMethod};
use domain::policy::roles::Role;
use domain::records::clients::{self, Change, ChangeOutcome};
use domain::records::demographics::DemographicField;
use domain::state::AppState;
use entities::{audit_log, case_events, cases, notifications, tenant_scope};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use testkit::Community;
use uuid::Uuid;

use crate::support::{Kind, at, with_state};

const CASES: usize = 6;

/// `CASES` data conflicts, each a case with three unanswered attempts made now: escalable in
/// the plan's 14 days.
async fn escalable_in_two_weeks(state: &AppState, coc: &Community) -> Vec<Uuid> {
    let entering = coc
        .member("a@um.example", Role::User, Some(coc.agency_a))
        .await;
    let reporting = coc
        .member("b@hnh.example", Role::User, Some(coc.agency_b))
        .await;
    let mut ids = Vec::new();
    for n in 0..CASES {
        let client = coc
            .client(&entering, &format!("DUR-{n:04}"), "Ann", "Lee")
            .await;
        let said = clients::change(
            state,
            &reporting.user,
            Change {
                client_id: client,
                expected_version: 1,
                field: DemographicField::FirstName,
                value: Some("Anne".into()),
                documentation: None,
            },
        )
        .await
        .expect("change");
        let ChangeOutcome::ConflictRecorded(conflict) = said else {
            panic!("an undocumented change by another agency is a conflict (DEM-3)");
        };
        let case = domain::cases::of_conflicts(state, &reporting.user, &[conflict.id])
            .await
            .expect("case")
            .remove(&conflict.id)
            .expect("the conflict's case");
        for version in 1..=3 {
            log_attempt(
                state,
                &reporting.user,
                NewAttempt {
                    case_id: case.case.id,
                    expected_version: version,
                    attempted_at: state.clock.now(),
                    method: ContactMethod::Phone,
                    reached: false,
                    note: String::new(),
                },
            )
            .await
            .expect("attempt");
        }
        ids.push(case.case.id);
    }
    ids
}

#[tokio::test]
async fn two_sweeps_at_once_act_on_each_due_deadline_once() {
    let clock = Arc::new(TestClock::new(at("2026-03-01T09:00:00Z")));
    with_state(Kind::Postgres, clock.clone(), |state| async move {
        let coc = Community::sign_up(&state, "durham").await;
        let ids = escalable_in_two_weeks(&state, &coc).await;
        let system = || Caller::system(coc.tenant_id);

        let early = sweep(&state, system(), 500).await.expect("sweep");
        assert_eq!(early.acted + early.moot, 0, "nothing is due yet");

        clock.advance(Duration::days(14) + Duration::minutes(1));
        // Batches of 4: the second sweep takes what the first skips (SKIP LOCKED) or what
        // is left after it.
        let (one, two) = tokio::join!(sweep(&state, system(), 4), sweep(&state, system(), 4));
        let (one, two) = (one.expect("sweep"), two.expect("sweep"));
        let mut acted = one.acted + two.acted;
        while acted < CASES {
            let more = sweep(&state, system(), 4).await.expect("sweep");
            assert!(more.acted > 0, "due deadlines left behind");
            acted += more.acted;
        }
        assert_eq!(acted, CASES);
        assert_eq!(one.moot + two.moot, 0);
        let after = sweep(&state, system(), 500).await.expect("sweep");
        assert_eq!(after.acted + after.moot, 0, "every deadline is done");

        let tx = tenant_scope::begin(&state.db, coc.tenant_id).await.unwrap();
        for id in &ids {
            let case = cases::Entity::find()
                .filter(cases::Column::Id.eq(*id))
                .one(&tx)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(case.state, CaseState::Escalable.as_str());
            let steps = case_events::Entity::find()
                .filter(case_events::Column::CaseId.eq(*id))
                .filter(case_events::Column::Kind.eq("BECAME_ESCALABLE"))
                .count(&tx)
                .await
                .unwrap();
            assert_eq!(steps, 1, "case {id}: one timeline step");
            let reminders = notifications::Entity::find()
                .filter(notifications::Column::CaseId.eq(*id))
                .filter(notifications::Column::Kind.eq("CONFLICT_ESCALABLE"))
                .count(&tx)
                .await
                .unwrap();
            assert_eq!(reminders, 1, "case {id}: one reminder");
            let audited = audit_log::Entity::find()
                .filter(audit_log::Column::SubjectId.eq(*id))
                .filter(audit_log::Column::Action.eq("case.deadline"))
                .count(&tx)
                .await
                .unwrap();
            assert_eq!(audited, 1, "case {id}: one audit entry");
        }
        tx.commit().await.unwrap();
    })
    .await;
}
