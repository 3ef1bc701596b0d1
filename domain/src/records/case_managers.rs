//! Case managers: CM-1 (every head of household enrolled in a project should have one from
//! that project's agency; a compliance list shows who has not) and CM-2 (only users of the
//! assigning agency change or remove its assignment), with PLAN-1, PROV-1, LOCK-1, AUD-1.
use chrono::NaiveDate;
use entities::{case_manager_assignments as cma, enrollments, projects};
use sea_orm::{IntoActiveModel, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use super::enrollments::client_for_write;
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::actions::{RecordAction, RecordFacts};
use crate::policy::records::{self, Element, Provenance};
use crate::policy::roles::Role;
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, Page};

/// An assignment as one viewer may see it.
pub struct AssignmentView {
    pub assignment: cma::Model,
    /// Active today: started, and not ended before today.
    pub active: bool,
    pub access: Vec<(&'static str, Decision)>,
    pub plan_version: i32,
}

pub struct NewAssignment {
    pub client_id: Uuid,
    pub project_id: Uuid,
    pub case_manager_user_id: Uuid,
    pub start_date: NaiveDate,
}

/// CM-1: a head of household's open enrollment with no case manager from the project's agency.
pub struct Gap {
    pub enrollment: enrollments::Model,
    pub project: projects::Model,
    pub hmis_number: String,
}

fn view(ctx: &RecordCtx, assignment: cma::Model) -> AssignmentView {
    let today = ctx.now.date_naive();
    let active =
        assignment.start_date <= today && assignment.end_date.is_none_or(|end| end >= today);
    let change = ctx.decide(RecordAction::ChangeCaseManager, &facts(&assignment));
    AssignmentView {
        assignment,
        active,
        access: vec![("endDate", change.clone()), ("delete", change)],
        plan_version: ctx.plan_version,
    }
}

/// What the rules need to know about an assignment.
pub(super) fn facts(a: &cma::Model) -> RecordFacts {
    RecordFacts::CaseManager {
        owner: owner(a),
        assigning_agency: a.agency_id,
    }
}

/// The assigning agency's, for PLAN-1.
pub(super) fn owner(a: &cma::Model) -> Provenance {
    Provenance {
        user: a.created_by_user,
        agency: Some(a.agency_id),
    }
}

fn snapshot(a: &cma::Model) -> Value {
    json!({
        "id": a.id,
        "version": a.version,
        "clientId": a.client_id,
        "projectId": a.project_id,
        "agencyId": a.agency_id,
        "caseManagerUserId": a.case_manager_user_id,
        "startDate": a.start_date,
        "endDate": a.end_date,
    })
}

fn stale(current: &cma::Model) -> DomainError {
    DomainError::Conflict {
        message: format!(
            "this case-manager assignment changed since you read it: version {} is current",
            current.version
        ),
        current: snapshot(current),
    }
}

/// CM-2: the project's agency assigns one of its own active users.
pub async fn assign(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: NewAssignment,
) -> DomainResult<AssignmentView> {
    let ctx = RecordCtx::begin(state, caller, Scope::ClientsWrite).await?;
    let project = store::enrollments::project(ctx.tx(), ctx.tenant(), input.project_id)
        .await?
        .ok_or(DomainError::NotFound("project"))?;
    let client = client_for_write(&ctx, state, "case_manager.assign", input.client_id).await?;
    ctx.require(
        state,
        "case_manager.assign",
        client.id,
        records::change_case_manager(&ctx.actor(), project.agency_id),
    )
    .await?;
    let case_manager = store::users::get(ctx.tx(), ctx.tenant(), input.case_manager_user_id)
        .await?
        .filter(|u| u.agency_id == Some(project.agency_id))
        .filter(|u| u.status == store::users::ACTIVE)
        .ok_or_else(|| {
            DomainError::validation(
                "caseManagerUserId",
                "the case manager must be an active user of the project's agency",
            )
        })?;
    let by = ctx.stamp();
    let assignment = store::case_managers::insert(
        ctx.tx(),
        cma::ActiveModel {
            tenant_id: Set(ctx.tenant()),
            id: Set(Uuid::now_v7()),
            client_id: Set(client.id),
            project_id: Set(project.id),
            agency_id: Set(project.agency_id),
            case_manager_user_id: Set(case_manager.id),
            start_date: Set(input.start_date),
            end_date: Set(None),
            created_by_user: Set(by.user),
            created_by_agency: Set(by.agency),
            created_at: Set(ctx.now),
            updated_by_user: Set(by.user),
            updated_by_agency: Set(by.agency),
            updated_at: Set(ctx.now),
            version: Set(1),
        },
    )
    .await?;
    ctx.audit_write(
        "case_manager.assign",
        assignment.id,
        json!({ "after": snapshot(&assignment), "rule": "CM-2", "plan_version": ctx.plan_version }),
    )
    .await?;
    let view = view(&ctx, assignment);
    ctx.commit().await?;
    Ok(view)
}

/// The assignment and the viewer's right to change it (PLAN-1, CM-2), then LOCK-1.
async fn for_change(
    ctx: &RecordCtx,
    state: &AppState,
    action: &str,
    id: Uuid,
    expected_version: i32,
) -> DomainResult<cma::Model> {
    let assignment = store::case_managers::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .ok_or(DomainError::NotFound("case-manager assignment"))?;
    let decision = ctx.decide(RecordAction::ChangeCaseManager, &facts(&assignment));
    ctx.require(state, action, id, decision).await?;
    if !records::check_version(expected_version, assignment.version).allowed {
        let conflict = stale(&assignment);
        return Err(ctx.refuse_stale(state, action, id, conflict).await);
    }
    Ok(assignment)
}

/// CM-2 under LOCK-1: the assignment ends on `end_date` and stays on record.
pub async fn end(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
    expected_version: i32,
    end_date: NaiveDate,
) -> DomainResult<AssignmentView> {
    let ctx = RecordCtx::begin(state, caller, Scope::ClientsWrite).await?;
    let before = for_change(&ctx, state, "case_manager.end", id, expected_version).await?;
    if end_date < before.start_date {
        return Err(DomainError::validation(
            "endDate",
            "the end date cannot be before the start date",
        ));
    }
    let by = ctx.stamp();
    let mut row = before.clone().into_active_model();
    row.end_date = Set(Some(end_date));
    row.updated_by_user = Set(by.user);
    row.updated_by_agency = Set(by.agency);
    row.updated_at = Set(ctx.now);
    row.version = Set(before.version + 1);
    let Some(after) =
        store::versioned::update_at_version(ctx.tx(), ctx.tenant(), before.id, before.version, row)
            .await?
    else {
        return Err(ctx
            .refuse_lost_race::<cma::Entity>(
                state,
                "case_manager.end",
                before.id,
                "case-manager assignment",
                stale,
            )
            .await);
    };
    ctx.audit_write(
        "case_manager.end",
        after.id,
        json!({ "before": snapshot(&before), "after": snapshot(&after), "rule": "CM-2", "plan_version": ctx.plan_version }),
    )
    .await?;
    let view = view(&ctx, after);
    ctx.commit().await?;
    Ok(view)
}

/// CM-2 under LOCK-1: removes an assignment made in error (an ended one is end-dated instead).
pub async fn remove(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
    expected_version: i32,
) -> DomainResult<Uuid> {
    let ctx = RecordCtx::begin(state, caller, Scope::ClientsWrite).await?;
    let before = for_change(&ctx, state, "case_manager.remove", id, expected_version).await?;
    if !store::versioned::delete_at_version::<cma::Entity>(
        ctx.tx(),
        ctx.tenant(),
        before.id,
        before.version,
    )
    .await?
    {
        return Err(ctx
            .refuse_lost_race::<cma::Entity>(
                state,
                "case_manager.remove",
                before.id,
                "case-manager assignment",
                stale,
            )
            .await);
    }
    ctx.audit_write(
        "case_manager.remove",
        before.id,
        json!({ "before": snapshot(&before), "rule": "CM-2", "plan_version": ctx.plan_version }),
    )
    .await?;
    ctx.commit().await?;
    Ok(before.id)
}

/// The client's case-manager assignments this viewer may see (PLAN-1), a page at a time.
pub async fn of_client(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    window: Window,
) -> DomainResult<Page<AssignmentView>> {
    let ctx = RecordCtx::read(state, caller, Scope::ClientsRead).await?;
    ctx.client(client_id).await?;
    // Likewise for the Data Center's own assignments: filtered below.
    let agency = ctx.narrowed_to(Element::CASE_MANAGER).flatten();
    let page =
        store::case_managers::page_of_client(ctx.tx(), ctx.tenant(), client_id, agency, window)
            .await?;
    let actor = ctx.actor();
    let rows = page
        .rows
        .into_iter()
        .filter(|a| records::read(&actor, Element::CASE_MANAGER, &owner(a), ctx.plan()).allowed)
        .map(|a| view(&ctx, a))
        .collect();
    ctx.commit().await?;
    Ok(Page {
        rows,
        info: page.info,
    })
}

/// CM-1: heads of household enrolled without a case manager from the project's agency. The
/// Data Center sees the whole CoC; everyone else their own agency's projects.
pub async fn gaps(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    window: Window,
) -> DomainResult<Page<Gap>> {
    let caller: Caller<'_> = caller.into();
    let user = caller.user(state, Scope::ClientsRead).await?;
    let ctx = RecordCtx::read(state, caller, Scope::ClientsRead).await?;
    let agency = match (user.role, user.agency_id) {
        (Role::DataCenter, _) => None,
        (_, Some(agency)) => Some(agency),
        (_, None) => return Err(DomainError::NotFound("agency")),
    };
    let today = ctx.now.date_naive();
    let page = store::case_managers::gaps(ctx.tx(), ctx.tenant(), agency, today, window).await?;
    let projects = store::enrollments::projects(
        ctx.tx(),
        ctx.tenant(),
        page.rows.iter().map(|e| e.project_id),
    )
    .await?;
    let numbers = store::case_managers::hmis_numbers(
        ctx.tx(),
        ctx.tenant(),
        page.rows.iter().map(|e| e.client_id),
    )
    .await?;
    let rows = page
        .rows
        .into_iter()
        .filter_map(|enrollment| {
            Some(Gap {
                project: projects.get(&enrollment.project_id)?.clone(),
                hmis_number: numbers.get(&enrollment.client_id)?.clone(),
                enrollment,
            })
        })
        .collect();
    ctx.commit().await?;
    Ok(Page {
        rows,
        info: page.info,
    })
}
