//! The plan's resolution workflows as use cases (`policy::cases` decides): a case is opened
//! with the data conflict it is about (`lifecycle`), moved on by the people of the two
//! agencies (`steps`), closed by the update that settles it (`lifecycle`), and moved on by
//! Concord itself when one of its deadlines falls due (`deadlines`).
pub mod deadlines;
pub mod lifecycle;
pub mod scan;
pub mod steps;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{case_attempts, case_events, cases, data_conflicts};
use uuid::Uuid;

use crate::auth::TenantUser;
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::page::Page;
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::cases::{
    self as case_policy, Attempt, CaseAction, CaseFacts, CaseKind, CaseState, Due, Side, Terms,
};
use crate::policy::records::Provenance;
use crate::policy::roles::Role;
use crate::policy::service_accounts::Scope;
use crate::records::context::RecordCtx;
use crate::records::demographics::DemographicField;
use crate::state::AppState;
pub use crate::store::cases::CaseOrder;
use crate::store::{self, cases::CaseFilter};

/// A case with everything its timeline shows, as one viewer sees it at one time.
pub struct CaseView {
    pub case: cases::Model,
    pub conflict: Option<data_conflicts::Model>,
    pub hmis_number: String,
    pub attempts: Vec<case_attempts::Model>,
    pub events: Vec<case_events::Model>,
    pub facts: CaseFacts,
    pub viewer: TenantUser,
    pub now: DateTime<Utc>,
}

impl CaseView {
    /// The one decision of `action` on the case now (`policy::case_policy::decide`), as the
    /// step and its `access` entry both take it, within the viewer's scopes (`SVC-2`).
    pub fn decide(&self, action: CaseAction) -> Decision {
        let decision = case_policy::decide(action, &self.viewer.actor(), &self.facts, self.now);
        self.viewer.within_scope(action.scope(), decision)
    }

    /// What the viewer may do on the case now.
    pub fn access(&self) -> Vec<(CaseAction, Decision)> {
        CaseAction::ALL
            .into_iter()
            .filter(|a| *a != CaseAction::View)
            .map(|action| (action, self.decide(action)))
            .collect()
    }

    /// What is due next and when, under the terms the case opened with.
    pub fn next_due(&self) -> Option<Due> {
        case_policy::next_due(&self.facts, self.now)
    }

    pub fn state(&self) -> CaseState {
        self.facts.state
    }

    pub fn kind(&self) -> CaseKind {
        self.facts.kind
    }

    pub fn field(&self) -> Option<DemographicField> {
        self.conflict
            .as_ref()
            .and_then(|c| DemographicField::from_key(&c.field))
    }

    pub fn terms(&self) -> Terms {
        self.facts.terms
    }
}

fn broken(what: &str, raw: &str) -> DomainError {
    DomainError::internal(anyhow::anyhow!("unknown {what} {raw:?} stored on a case"))
}

/// What the rules need to know about a stored case.
pub(crate) fn facts_of(
    case: &cases::Model,
    attempts: &[case_attempts::Model],
) -> DomainResult<CaseFacts> {
    let number = |n: i32| u32::try_from(n).map_err(|_| broken("term", &n.to_string()));
    Ok(CaseFacts {
        kind: CaseKind::parse(&case.kind).ok_or_else(|| broken("kind", &case.kind))?,
        state: CaseState::parse(&case.state).ok_or_else(|| broken("state", &case.state))?,
        reporter: Provenance {
            user: case.reported_by_user,
            agency: case.reported_by_agency,
        },
        owner: Provenance {
            user: case.owner_user,
            agency: case.owner_agency,
        },
        terms: Terms {
            plan_version: case.plan_version,
            contact_attempts_min: number(case.contact_attempts_min)?,
            contact_window_days: number(case.contact_window_days)?,
            admin_review_days: number(case.admin_review_days)?,
        },
        attempts: attempts
            .iter()
            .map(|a| Attempt {
                at: a.attempted_at,
                reached: a.reached,
            })
            .collect(),
        agreed_updater: match &case.agreed_updater {
            None => None,
            Some(raw) => Some(Side::parse(raw).ok_or_else(|| broken("side", raw))?),
        },
        review_requested_at: case.review_requested_at,
    })
}

/// The case and its timeline, read in `tx` for `viewer` at `now`.
pub(crate) async fn load(
    tx: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    case: cases::Model,
    viewer: &TenantUser,
    now: DateTime<Utc>,
) -> DomainResult<CaseView> {
    load_many(tx, tenant_id, vec![case], viewer, now)
        .await?
        .pop()
        .ok_or(DomainError::NotFound("case"))
}

/// The cases with their timelines, in their order: one query per kind of row for all of them.
async fn load_many(
    tx: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    cases: Vec<cases::Model>,
    viewer: &TenantUser,
    now: DateTime<Utc>,
) -> DomainResult<Vec<CaseView>> {
    let ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
    let conflict_ids: Vec<Uuid> = cases.iter().filter_map(|c| c.conflict_id).collect();
    let mut attempts = group(store::cases::attempts_of(tx, tenant_id, &ids).await?, |a| {
        a.case_id
    });
    let mut events = group(store::cases::events_of(tx, tenant_id, &ids).await?, |e| {
        e.case_id
    });
    let conflicts = store::cases::conflicts(tx, tenant_id, &conflict_ids).await?;
    let hmis_numbers =
        store::clients::hmis_numbers(tx, tenant_id, cases.iter().map(|c| c.client_id)).await?;
    cases
        .into_iter()
        .map(|case| {
            let attempts = attempts.remove(&case.id).unwrap_or_default();
            let facts = facts_of(&case, &attempts)?;
            Ok(CaseView {
                conflict: conflicts
                    .iter()
                    .find(|c| Some(c.id) == case.conflict_id)
                    .cloned(),
                hmis_number: hmis_numbers
                    .get(&case.client_id)
                    .cloned()
                    .ok_or(DomainError::NotFound("client"))?,
                events: events.remove(&case.id).unwrap_or_default(),
                attempts,
                facts,
                viewer: viewer.clone(),
                now,
                case,
            })
        })
        .collect()
}

/// Rows by the case they belong to, each case's in the order read.
fn group<T>(rows: Vec<T>, case_of: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        grouped.entry(case_of(&row)).or_default().push(row);
    }
    grouped
}

/// A case the viewer may see; any other is as absent as one that never existed.
pub(crate) async fn visible(ctx: &RecordCtx, case_id: Uuid) -> DomainResult<CaseView> {
    let case = store::cases::get(ctx.tx(), ctx.tenant(), case_id)
        .await?
        .ok_or(DomainError::NotFound("case"))?;
    let view = load(ctx.tx(), ctx.tenant(), case, &ctx.user, ctx.now).await?;
    if view.decide(CaseAction::View).allowed {
        Ok(view)
    } else {
        Err(DomainError::NotFound("case"))
    }
}

pub async fn get(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    case_id: Uuid,
) -> DomainResult<CaseView> {
    let ctx = RecordCtx::read(state, caller, Scope::CasesRead).await?;
    let view = visible(&ctx, case_id).await?;
    ctx.commit().await?;
    Ok(view)
}

/// The cases of these data conflicts that the viewer may see, by conflict, read together
/// (a client's list of conflicts costs one transaction, not one per conflict).
pub async fn of_conflicts(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    conflict_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, CaseView>> {
    let ctx = RecordCtx::read(state, caller, Scope::CasesRead).await?;
    let cases = store::cases::by_conflicts(ctx.tx(), ctx.tenant(), conflict_ids).await?;
    let views = load_many(ctx.tx(), ctx.tenant(), cases, &ctx.user, ctx.now).await?;
    ctx.commit().await?;
    Ok(views
        .into_iter()
        .filter(|view| view.decide(CaseAction::View).allowed)
        .filter_map(|view| Some((view.case.conflict_id?, view)))
        .collect())
}

/// Which cases a list asks for, in which order.
#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    pub kinds: Option<Vec<CaseKind>>,
    pub states: Option<Vec<CaseState>>,
    pub client_id: Option<Uuid>,
    /// Cases one of whose two sides is this agency.
    pub agency: Option<Uuid>,
    /// Cases with a deadline pending before this time.
    pub due_before: Option<DateTime<Utc>>,
    pub order: CaseOrder,
}

/// The cases the viewer sees, in the query's order, after the case `after`: the Data
/// Center's are all of the tenant's, an agency's those it reported or whose record is in
/// question.
pub async fn page(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    query: CaseQuery,
    window: Window,
) -> DomainResult<Page<CaseView>> {
    let ctx = RecordCtx::read(state, caller, Scope::CasesRead).await?;
    let viewer = ctx.actor();
    let visible_to_agency = match viewer.role {
        Role::DataCenter => None,
        // A person of no agency who is not the Data Center sees no agency's cases.
        Role::AgencyAdmin | Role::User => Some(viewer.agency_id.unwrap_or_else(Uuid::nil)),
    };
    let states: Option<Vec<&str>> = query
        .states
        .as_ref()
        .map(|s| s.iter().map(|s| s.as_str()).collect());
    let kinds: Option<Vec<&str>> = query
        .kinds
        .as_ref()
        .map(|k| k.iter().map(|k| k.as_str()).collect());
    let filter = CaseFilter {
        visible_to_agency,
        agency: query.agency,
        kinds: kinds.as_deref(),
        states: states.as_deref(),
        client_id: query.client_id,
        due_before: query.due_before,
    };
    let page = store::cases::page(ctx.tx(), ctx.tenant(), filter, query.order, window).await?;
    let rows = load_many(ctx.tx(), ctx.tenant(), page.rows, &ctx.user, ctx.now)
        .await?
        .into_iter()
        .filter(|view| view.decide(CaseAction::View).allowed)
        .collect();
    ctx.commit().await?;
    Ok(Page {
        rows,
        info: page.info,
    })
}
