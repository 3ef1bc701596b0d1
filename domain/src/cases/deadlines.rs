//! Concord acting by itself when a case's deadline falls due (SPEC §5): each deadline is a
//! row with its due time, and a frequent sweep acts on those due by the injected clock, once
//! each — the deadline is marked done in the same transaction as what it did.
use serde_json::json;

use super::facts_of;
use super::steps::ESCALATION_ELIGIBLE;
use crate::caller::Caller;
use crate::error::DomainResult;
use crate::policy::cases::{self as case_policy, CaseState};
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
        let acted = match (deadline.kind.as_str(), case) {
            (ESCALATION_ELIGIBLE, Some(case)) => {
                let attempts = store::cases::attempts(&tx, tenant_id, case.id).await?;
                let facts = facts_of(&case, &attempts)?;
                let open = matches!(facts.state, CaseState::Opened | CaseState::Contacting);
                let due = case_policy::escalable_at(&facts.terms, &facts.attempts)
                    .is_some_and(|at| at <= now);
                if open && due {
                    became_escalable(&tx, &case, now).await?;
                    true
                } else {
                    false
                }
            }
            _ => false,
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

/// DEM-4: the case may now be escalated; the person who reported it is told.
async fn became_escalable(
    tx: &sea_orm::DatabaseTransaction,
    case: &entities::cases::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<()> {
    let tenant_id = case.tenant_id;
    store::cases::set_state(tx, tenant_id, case.id, CaseState::Escalable.as_str(), now).await?;
    store::cases::insert_event(
        tx,
        Event {
            tenant_id,
            case_id: case.id,
            at: now,
            kind: "BECAME_ESCALABLE",
            by: None,
            detail: json!({ "rule": "DEM-4" }),
        },
    )
    .await?;
    let conflict = match case.conflict_id {
        Some(id) => store::cases::conflict(tx, tenant_id, id).await?,
        None => None,
    };
    let field = conflict
        .as_ref()
        .and_then(|c| DemographicField::from_key(&c.field));
    let hmis_number = store::clients::get(tx, tenant_id, case.client_id)
        .await?
        .map(|c| c.hmis_number);
    if let (Some(field), Some(hmis_number)) = (field, hmis_number) {
        notifications::send(
            tx,
            tenant_id,
            Outgoing {
                to: Recipient::Person {
                    user: case.reported_by_user,
                    agency: case.reported_by_agency,
                },
                hmis_number: &hmis_number,
                message: Message::ConflictEscalable { field },
                case_id: Some(case.id),
            },
            now,
        )
        .await?;
    }
    audit::record(
        tx,
        audit::Entry {
            at: now,
            tenant_id,
            actor_user_id: None,
            actor_agency_id: None,
            action: "case.became_escalable",
            subject_id: Some(case.id),
            refused_by: None,
            source_ip: None,
            detail: json!({ "rule": "DEM-4", "by": "concord" }),
        },
    )
    .await
}
