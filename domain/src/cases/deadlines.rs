//! Concord acting by itself when a case's deadline falls due (SPEC §5): each deadline is a
//! row with its due time, and a frequent sweep acts on those due by the injected clock, once
//! each — the deadline is marked done in the same transaction as what it did.
use chrono::{DateTime, Utc};
use entities::cases;
use sea_orm::DatabaseTransaction;
use serde_json::json;

use super::facts_of;
use super::steps::{ADMIN_REVIEW_EXPIRY, ESCALATION_ELIGIBLE};
use crate::caller::Caller;
use crate::error::DomainResult;
use crate::policy::cases::{self as case_policy, CaseKind, CaseState};
use crate::records::demographics::DemographicField;
use crate::records::notifications::{self, Message, Outgoing, Recipient};
use crate::state::AppState;
use crate::store::{self, audit, cases::Event};

/// Most deadlines one sweep acts on; the next sweep takes the rest.
pub const SWEEP_BATCH: u64 = 500;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Deadlines that moved a case on.
    pub acted: usize,
    /// Deadlines due on a case that had moved on by itself (closed, agreed, escalated).
    pub moot: usize,
}

/// Acts on the tenant's deadlines due by now, up to `limit`. Safe to run from several workers
/// at once and again after a crash: a deadline is claimed (skipping those another sweep
/// holds) and marked done with what it did, in one transaction.
pub async fn sweep(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    limit: u64,
) -> DomainResult<SweepReport> {
    let caller = caller.into();
    let tenant_id = caller.tenant_id();
    let now = state.clock.now();
    let tx = caller.begin(state).await?;
    let mut report = SweepReport::default();
    for deadline in store::cases::claim_due(&tx, tenant_id, now, limit).await? {
        let case = store::cases::get(&tx, tenant_id, deadline.case_id).await?;
        let acted = match case {
            Some(case) => act(&tx, &case, &deadline.kind, now).await?,
            None => false,
        };
        if acted {
            report.acted += 1;
        } else {
            report.moot += 1;
        }
        store::cases::mark_deadline_done(&tx, tenant_id, deadline.id, now).await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// What a due deadline does, if the case still waits for it; whether it did anything.
async fn act(
    tx: &DatabaseTransaction,
    case: &cases::Model,
    kind: &str,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let attempts = store::cases::attempts(tx, case.tenant_id, case.id).await?;
    let facts = facts_of(case, &attempts)?;
    match kind {
        ESCALATION_ELIGIBLE => {
            let waiting = matches!(facts.state, CaseState::Opened | CaseState::Contacting);
            let due = case_policy::escalable_at(&facts.terms, &facts.attempts)
                .is_some_and(|at| at <= now);
            if !(waiting && due) {
                return Ok(false);
            }
            let reminder = match facts.kind {
                CaseKind::DataConflict => conflict_field(tx, case)
                    .await?
                    .map(|field| Message::ConflictEscalable { field }),
                CaseKind::EnrollmentError => Some(Message::ReviewRequestable),
            };
            let reporter = Recipient::Person {
                user: case.reported_by_user,
                agency: case.reported_by_agency,
            };
            let step = Step {
                state: CaseState::Escalable,
                event: "BECAME_ESCALABLE",
                message: reminder.map(|m| (reporter, m)),
            };
            take(tx, case, facts.kind.rule(), step, now).await?;
            Ok(true)
        }
        ADMIN_REVIEW_EXPIRY => {
            let due = case_policy::data_center_hand_over_at(&facts).is_some_and(|at| at <= now);
            if facts.state != CaseState::InAdminReview || !due {
                return Ok(false);
            }
            let step = Step {
                state: CaseState::InDataCenterQueue,
                event: "HANDED_TO_DATA_CENTER",
                message: Some((
                    Recipient::Agency(None),
                    Message::HandedToDataCenter {
                        review_days: facts.terms.admin_review_days,
                    },
                )),
            };
            take(tx, case, "ENR-3", step, now).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

async fn conflict_field(
    tx: &DatabaseTransaction,
    case: &cases::Model,
) -> DomainResult<Option<DemographicField>> {
    let conflict = match case.conflict_id {
        Some(id) => store::cases::conflict(tx, case.tenant_id, id).await?,
        None => None,
    };
    Ok(conflict.and_then(|c| DemographicField::from_key(&c.field)))
}

/// A step Concord takes by itself: the state it moves the case to, the timeline event, and
/// the message it sends.
struct Step {
    state: CaseState,
    event: &'static str,
    message: Option<(Recipient, Message)>,
}

async fn take(
    tx: &DatabaseTransaction,
    case: &cases::Model,
    rule: &str,
    step: Step,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let tenant_id = case.tenant_id;
    let unless = CaseState::CLOSED.map(CaseState::as_str);
    store::cases::set_state(
        tx,
        tenant_id,
        case.id,
        step.state.as_str(),
        false,
        &unless,
        now,
    )
    .await?;
    store::cases::insert_event(
        tx,
        Event {
            tenant_id,
            case_id: case.id,
            at: now,
            kind: step.event,
            by: None,
            detail: json!({ "rule": rule }),
        },
    )
    .await?;
    let hmis_number = store::clients::get(tx, tenant_id, case.client_id)
        .await?
        .map(|c| c.hmis_number);
    if let (Some((to, message)), Some(hmis_number)) = (step.message, hmis_number) {
        let outgoing = Outgoing {
            to,
            hmis_number: &hmis_number,
            message,
            case_id: Some(case.id),
        };
        notifications::send(tx, tenant_id, outgoing, now).await?;
    }
    audit::record(
        tx,
        audit::Entry {
            at: now,
            tenant_id,
            actor_user_id: None,
            actor_agency_id: None,
            action: "case.deadline",
            subject_id: Some(case.id),
            refused_by: None,
            source_ip: None,
            detail: json!({ "rule": rule, "event": step.event, "state": step.state.as_str(), "by": "concord" }),
        },
    )
    .await
}
