//! Concord acting by itself when a case's deadline falls due (SPEC §5): each deadline is a
//! row with its due time, and a frequent sweep acts on those due by the injected clock, once
//! each — the deadline is marked done in the same transaction as what it did.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{case_attempts, cases, deadlines};
use sea_orm::DatabaseTransaction;
use serde_json::json;
use uuid::Uuid;

use super::facts_of;
use super::steps::{ADMIN_REVIEW_EXPIRY, ESCALATION_ELIGIBLE};
use crate::caller::Caller;
use crate::error::DomainResult;
use crate::policy::cases::{self as case_policy, CaseKind, CaseState};
use crate::records::demographics::DemographicField;
use crate::records::notifications::{self, Message, Outgoing, Recipient};
use crate::state::AppState;
use crate::store::{self, audit, cases::Event};
use crate::webhooks::{self, Occurrence, Subject, WebhookEvent};

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
/// holds) and marked done with what it did, in one transaction. The claimed deadlines are
/// taken as one batch — a read per kind of row and a write per kind of row, whatever the
/// batch's size — so a backlog costs round trips per batch, not per deadline.
pub async fn sweep(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    limit: u64,
) -> DomainResult<SweepReport> {
    let caller = caller.into();
    let tenant_id = caller.tenant_id();
    let now = state.clock.now();
    let tx = caller.begin(state).await?;
    let due = store::cases::claim_due(&tx, tenant_id, now, limit).await?;
    if due.is_empty() {
        tx.commit().await?;
        return Ok(SweepReport::default());
    }
    let batch = Batch::load(&tx, tenant_id, &due).await?;
    let mut stepped = HashSet::new();
    let mut steps = Vec::new();
    for deadline in &due {
        let Some(case) = batch.cases.get(&deadline.case_id) else {
            continue;
        };
        if stepped.contains(&case.id) {
            continue;
        }
        if let Some(step) = batch.step(case, &deadline.kind, now)? {
            stepped.insert(case.id);
            steps.push((case, step));
        }
    }
    take(&tx, tenant_id, &steps, &batch.hmis_numbers, now).await?;
    let done: Vec<Uuid> = due.iter().map(|d| d.id).collect();
    store::cases::mark_deadlines_done(&tx, tenant_id, &done, now).await?;
    tx.commit().await?;
    Ok(SweepReport {
        acted: steps.len(),
        moot: due.len() - steps.len(),
    })
}

/// What the rules need to decide on a batch of due deadlines, read with one query per kind
/// of row; the cases locked until the batch commits.
struct Batch {
    cases: HashMap<Uuid, cases::Model>,
    attempts: HashMap<Uuid, Vec<case_attempts::Model>>,
    conflict_fields: HashMap<Uuid, String>,
    hmis_numbers: HashMap<Uuid, String>,
}

impl Batch {
    async fn load(
        tx: &DatabaseTransaction,
        tenant_id: Uuid,
        due: &[deadlines::Model],
    ) -> DomainResult<Self> {
        let mut case_ids: Vec<Uuid> = due.iter().map(|d| d.case_id).collect();
        case_ids.sort_unstable();
        case_ids.dedup();
        let cases = store::cases::lock_many(tx, tenant_id, &case_ids).await?;
        let mut attempts: HashMap<Uuid, Vec<case_attempts::Model>> = HashMap::new();
        for attempt in store::cases::attempts_of(tx, tenant_id, &case_ids).await? {
            attempts.entry(attempt.case_id).or_default().push(attempt);
        }
        let conflict_ids: Vec<Uuid> = cases.iter().filter_map(|c| c.conflict_id).collect();
        let conflict_fields = if conflict_ids.is_empty() {
            HashMap::new()
        } else {
            store::cases::conflicts(tx, tenant_id, &conflict_ids)
                .await?
                .into_iter()
                .map(|c| (c.id, c.field))
                .collect()
        };
        let hmis_numbers =
            store::clients::hmis_numbers(tx, tenant_id, cases.iter().map(|c| c.client_id)).await?;
        Ok(Self {
            cases: cases.into_iter().map(|c| (c.id, c)).collect(),
            attempts,
            conflict_fields,
            hmis_numbers,
        })
    }

    /// The step a due deadline of `kind` takes on `case`, if the case still waits for it.
    fn step(
        &self,
        case: &cases::Model,
        kind: &str,
        now: DateTime<Utc>,
    ) -> DomainResult<Option<Step>> {
        let attempts = self.attempts.get(&case.id).map_or(&[][..], Vec::as_slice);
        let facts = facts_of(case, attempts)?;
        Ok(match kind {
            ESCALATION_ELIGIBLE => {
                let waiting = matches!(facts.state, CaseState::Opened | CaseState::Contacting);
                let due = case_policy::escalable_at(&facts.terms, &facts.attempts)
                    .is_some_and(|at| at <= now);
                (waiting && due).then(|| {
                    let reminder = match facts.kind {
                        CaseKind::DataConflict => case
                            .conflict_id
                            .and_then(|id| self.conflict_fields.get(&id))
                            .and_then(|field| DemographicField::from_key(field))
                            .map(|field| Message::ConflictEscalable { field }),
                        CaseKind::EnrollmentError => Some(Message::ReviewRequestable),
                    };
                    let reporter = Recipient::Person {
                        user: case.reported_by_user,
                        agency: case.reported_by_agency,
                    };
                    Step {
                        rule: facts.kind.rule(),
                        state: CaseState::Escalable,
                        event: "BECAME_ESCALABLE",
                        message: reminder.map(|m| (reporter, m)),
                    }
                })
            }
            ADMIN_REVIEW_EXPIRY => {
                let due = case_policy::data_center_hand_over_at(&facts).is_some_and(|at| at <= now);
                (facts.state == CaseState::InAdminReview && due).then_some(Step {
                    rule: "ENR-3",
                    state: CaseState::InDataCenterQueue,
                    event: "HANDED_TO_DATA_CENTER",
                    message: Some((
                        Recipient::Agency(None),
                        Message::HandedToDataCenter {
                            review_days: facts.terms.admin_review_days,
                        },
                    )),
                })
            }
            _ => None,
        })
    }
}

/// A step Concord takes by itself: the rule it follows, the state it moves the case to, the
/// timeline event, and the message it sends.
struct Step {
    rule: &'static str,
    state: CaseState,
    event: &'static str,
    message: Option<(Recipient, Message)>,
}

/// Takes the batch's steps: one update per state the cases move to, then the timeline
/// events, the messages with their outbox rows, and the audit entries, each kind in one
/// statement.
async fn take(
    tx: &DatabaseTransaction,
    tenant_id: Uuid,
    steps: &[(&cases::Model, Step)],
    hmis_numbers: &HashMap<Uuid, String>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let unless = CaseState::CLOSED.map(CaseState::as_str);
    let mut by_state: HashMap<CaseState, Vec<Uuid>> = HashMap::new();
    for (case, step) in steps {
        by_state.entry(step.state).or_default().push(case.id);
    }
    for (state, ids) in &by_state {
        store::cases::set_states(tx, tenant_id, ids, state.as_str(), false, &unless, now).await?;
    }
    let events = steps
        .iter()
        .map(|(case, step)| Event {
            tenant_id,
            case_id: case.id,
            at: now,
            kind: step.event,
            by: None,
            detail: json!({ "rule": step.rule }),
        })
        .collect();
    store::cases::insert_events(tx, events).await?;
    let queued: Vec<Occurrence> = steps
        .iter()
        .filter(|(_, step)| step.state == CaseState::InDataCenterQueue)
        .map(|(case, _)| Occurrence {
            event: WebhookEvent::CaseInDataCenterQueue,
            client_id: Some(case.client_id),
            subject: Subject::Case(case.id),
        })
        .collect();
    webhooks::emit(tx, tenant_id, &queued, now).await?;
    let messages = steps
        .iter()
        .filter_map(|(case, step)| {
            let (to, message) = step.message?;
            Some(Outgoing {
                to,
                hmis_number: hmis_numbers.get(&case.client_id)?,
                message,
                case_id: Some(case.id),
            })
        })
        .collect();
    notifications::send_many(tx, tenant_id, messages, now).await?;
    let entries = steps
        .iter()
        .map(|(case, step)| audit::Entry {
            at: now,
            tenant_id,
            actor_user_id: None,
            actor_agency_id: None,
            action: "case.deadline",
            subject_id: Some(case.id),
            refused_by: None,
            source_ip: None,
            detail: json!({ "rule": step.rule, "event": step.event, "state": step.state.as_str(), "by": "concord" }),
        })
        .collect();
    audit::record_many(tx, entries).await
}
