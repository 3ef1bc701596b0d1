//! Enrollments (entry/exit): ENR-1 (only the project's agency creates, changes or deletes
//! them), ENR-2 (unusual concurrent enrollments are flagged, never refused), PLAN-1 visibility,
//! PROV-1, LOCK-1 and AUD-1.
use chrono::NaiveDate;
use entities::{clients, enrollments, projects};
use sea_orm::{IntoActiveModel, Set};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use crate::cases::{lifecycle, scan};
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::Decision;
use crate::policy::actions::{RecordAction, RecordFacts};
use crate::policy::records::{self, Element, Plan, Provenance};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, Page};
use crate::webhooks::{Subject, WebhookEvent};

/// HUD 3.15 relationship to head of household.
pub const RELATIONSHIPS: [i16; 6] = [1, 2, 3, 4, 5, 99];
/// HUD 3.08 disabling condition.
pub const DISABLING_CONDITIONS: [i16; 5] = [0, 1, 8, 9, 99];
/// HUD 3.12 destinations (FY2024+).
pub const DESTINATIONS: [i16; 30] = [
    101, 116, 118, 204, 205, 206, 207, 215, 225, 302, 312, 313, 314, 327, 329, 332, 410, 411, 421,
    422, 423, 426, 435, 8, 9, 17, 24, 30, 37, 99,
];
/// HUD 3.20: only permanent housing projects record a housing move-in date.
pub const PERMANENT_HOUSING_TYPES: [i16; 4] = [3, 9, 10, 13];
const NOT_COLLECTED: i16 = 99;

/// An enrollment as one viewer may see it.
pub struct EnrollmentView {
    pub enrollment: enrollments::Model,
    pub project: projects::Model,
    pub flags: Vec<Flag>,
    pub access: Vec<(&'static str, Decision)>,
    pub plan_version: i32,
}

/// ENR-2: an overlap the plan does not call normal. Flagged for review, never refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub rule: &'static str,
    pub message: String,
    pub other_enrollment_id: Uuid,
}

pub struct NewEnrollment {
    pub client_id: Uuid,
    pub project_id: Uuid,
    /// `None` starts a new household.
    pub household_id: Option<Uuid>,
    pub relationship_to_hoh: i32,
    pub entry_date: NaiveDate,
    pub move_in_date: Option<NaiveDate>,
    pub disabling_condition: Option<i32>,
}

/// `None` leaves a value as it is; `Some(None)` clears it.
pub struct EnrollmentChange {
    pub id: Uuid,
    pub expected_version: i32,
    pub entry_date: Option<NaiveDate>,
    pub exit_date: Option<Option<NaiveDate>>,
    pub move_in_date: Option<Option<NaiveDate>>,
    pub destination: Option<Option<i32>>,
    pub relationship_to_hoh: Option<i32>,
}

/// The values of an enrollment that are checked together.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub project_type: i16,
    pub entry_date: NaiveDate,
    pub exit_date: Option<NaiveDate>,
    pub move_in_date: Option<NaiveDate>,
    pub destination: Option<i16>,
}

/// A HUD code from `allowed`, or a refusal naming the field.
pub fn hud_code(field: &'static str, raw: i32, allowed: &[i16]) -> DomainResult<i16> {
    i16::try_from(raw)
        .ok()
        .filter(|c| allowed.contains(c))
        .ok_or_else(|| {
            DomainError::validation(field, format!("{raw} is not a HUD code for this field"))
        })
}

/// Dates and destination that make sense together (HUD 3.10, 3.11, 3.12, 3.20).
pub fn validate(f: &Fields) -> DomainResult<()> {
    if f.exit_date.is_some_and(|exit| exit < f.entry_date) {
        return Err(DomainError::validation(
            "exitDate",
            "the exit date cannot be before the entry date",
        ));
    }
    if f.destination.is_some() && f.exit_date.is_none() {
        return Err(DomainError::validation(
            "destination",
            "a destination is recorded only with an exit date",
        ));
    }
    if let Some(move_in) = f.move_in_date {
        if !PERMANENT_HOUSING_TYPES.contains(&f.project_type) {
            return Err(DomainError::validation(
                "moveInDate",
                "only permanent housing projects (HUD types 3, 9, 10, 13) record a move-in date",
            ));
        }
        if move_in < f.entry_date {
            return Err(DomainError::validation(
                "moveInDate",
                "the move-in date cannot be before the entry date",
            ));
        }
        if f.exit_date.is_some_and(|exit| move_in > exit) {
            return Err(DomainError::validation(
                "moveInDate",
                "the move-in date cannot be after the exit date",
            ));
        }
    }
    Ok(())
}

/// One stay in a project, as ENR-2 compares them.
#[derive(Clone, Copy, Debug)]
pub struct Stay<'a> {
    pub id: Uuid,
    pub project_type: i16,
    pub project_name: &'a str,
    pub entry: NaiveDate,
    pub exit: Option<NaiveDate>,
}

fn overlaps(a: &Stay<'_>, b: &Stay<'_>) -> bool {
    records::stays_overlap((a.entry, a.exit), (b.entry, b.exit))
}

/// ENR-2: the overlaps of `this` with `others` whose project types the plan does not list as
/// a normal concurrent pair.
pub fn concurrency_flags(plan: Plan<'_>, this: &Stay<'_>, others: &[Stay<'_>]) -> Vec<Flag> {
    others
        .iter()
        .filter(|other| other.id != this.id && overlaps(this, other))
        .filter(|other| {
            !records::concurrent_enrollment_is_normal(plan, this.project_type, other.project_type)
        })
        .map(|other| Flag {
            rule: "ENR-2",
            message: format!(
                "overlaps the enrollment in {} (HUD project type {}) entered {}: the sharing plan \
                 (version {}) does not list project types {} and {} as a normal concurrent pair; \
                 check both entry/exit records",
                other.project_name,
                other.project_type,
                other.entry,
                plan.version,
                this.project_type,
                other.project_type
            ),
            other_enrollment_id: other.id,
        })
        .collect()
}

fn stay<'a>(e: &enrollments::Model, p: &'a projects::Model) -> Stay<'a> {
    Stay {
        id: e.id,
        project_type: p.project_type,
        project_name: &p.name,
        entry: e.entry_date,
        exit: e.exit_date,
    }
}

/// What the rules need to know about an enrollment.
pub(super) fn facts(e: &enrollments::Model, p: &projects::Model) -> RecordFacts {
    RecordFacts::Enrollment {
        owner: owner(e, p),
        project_agency: p.agency_id,
    }
}

/// The party whose entry/exit this is: the agency that owns the project (ENR-1).
pub(super) fn owner(e: &enrollments::Model, p: &projects::Model) -> Provenance {
    Provenance {
        user: e.created_by_user,
        agency: Some(p.agency_id),
    }
}

/// What a change and a refusal report: codes and dates, never the client's identity.
pub fn snapshot(e: &enrollments::Model) -> Value {
    json!({
        "id": e.id,
        "version": e.version,
        "clientId": e.client_id,
        "projectId": e.project_id,
        "householdId": e.household_id,
        "relationshipToHoh": e.relationship_to_hoh,
        "entryDate": e.entry_date,
        "exitDate": e.exit_date,
        "moveInDate": e.move_in_date,
        "destination": e.destination,
        "disablingCondition": e.disabling_condition,
    })
}

/// A client the viewer may see, before writing anything about them (DEM-1/PLAN-1).
pub(super) async fn client_for_write(
    ctx: &RecordCtx,
    state: &AppState,
    action: &str,
    client_id: Uuid,
) -> DomainResult<clients::Model> {
    let client = ctx.client(client_id).await?;
    let creator = Provenance {
        user: client.created_by_user,
        agency: client.created_by_agency,
    };
    ctx.require(
        state,
        action,
        client.id,
        records::read(
            &ctx.actor(),
            Element::CLIENT_DEMOGRAPHICS,
            &creator,
            ctx.plan(),
        ),
    )
    .await?;
    Ok(client)
}

/// The client's enrollments this viewer may see (PLAN-1), with their projects.
async fn visible_of_client(
    ctx: &RecordCtx,
    client_id: Uuid,
) -> DomainResult<Vec<(enrollments::Model, projects::Model)>> {
    let rows = store::enrollments::of_client(ctx.tx(), ctx.tenant(), client_id).await?;
    let actor = ctx.actor();
    Ok(rows
        .into_iter()
        .filter(|(e, p)| {
            records::read(&actor, Element::ENTRY_EXIT, &owner(e, p), ctx.plan()).allowed
        })
        .collect())
}

/// The enrollments of many clients this viewer may see (PLAN-1), with their projects, by
/// client, in one statement.
async fn visible_of_clients(
    ctx: &RecordCtx,
    client_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<(enrollments::Model, projects::Model)>>> {
    let actor = ctx.actor();
    let mut visible: HashMap<Uuid, Vec<(enrollments::Model, projects::Model)>> = HashMap::new();
    for (e, p) in store::enrollments::of_clients(ctx.tx(), ctx.tenant(), client_ids).await? {
        if records::read(&actor, Element::ENTRY_EXIT, &owner(&e, &p), ctx.plan()).allowed {
            visible.entry(e.client_id).or_default().push((e, p));
        }
    }
    Ok(visible)
}

/// The enrollment with its flags and access block. Flags are computed against the
/// enrollments the viewer may see only: naming another agency's stay to a viewer the plan
/// keeps it from would disclose it.
fn view(
    ctx: &RecordCtx,
    enrollment: enrollments::Model,
    project: projects::Model,
    visible: &[(enrollments::Model, projects::Model)],
) -> EnrollmentView {
    let others: Vec<Stay<'_>> = visible.iter().map(|(e, p)| stay(e, p)).collect();
    let flags = concurrency_flags(ctx.plan(), &stay(&enrollment, &project), &others);
    let facts = facts(&enrollment, &project);
    let access = vec![
        ("edit", ctx.decide(RecordAction::EditEnrollment, &facts)),
        ("delete", ctx.decide(RecordAction::DeleteEnrollment, &facts)),
    ];
    EnrollmentView {
        enrollment,
        project,
        flags,
        access,
        plan_version: ctx.plan_version,
    }
}

fn flags_json(flags: &[Flag]) -> Value {
    json!(
        flags
            .iter()
            .map(|f| json!({ "rule": f.rule, "otherEnrollmentId": f.other_enrollment_id }))
            .collect::<Vec<_>>()
    )
}

/// ENR-1, ENR-2: enrolls a client in a project of the viewer's agency.
pub async fn enroll(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: NewEnrollment,
) -> DomainResult<EnrollmentView> {
    let ctx = RecordCtx::begin(state, caller, Scope::EnrollmentsWrite).await?;
    let project = store::enrollments::project(ctx.tx(), ctx.tenant(), input.project_id)
        .await?
        .ok_or(DomainError::NotFound("project"))?;
    store::still_active("project", "projectId", project.deactivated_at)?;
    let client = client_for_write(&ctx, state, "enrollment.create", input.client_id).await?;
    ctx.require(
        state,
        "enrollment.create",
        client.id,
        records::change_enrollment(&ctx.actor(), project.agency_id),
    )
    .await?;
    let relationship = hud_code(
        "relationshipToHoh",
        input.relationship_to_hoh,
        &RELATIONSHIPS,
    )?;
    let disabling = input
        .disabling_condition
        .map(|c| hud_code("disablingCondition", c, &DISABLING_CONDITIONS))
        .transpose()?
        .unwrap_or(NOT_COLLECTED);
    validate(&Fields {
        project_type: project.project_type,
        entry_date: input.entry_date,
        exit_date: None,
        move_in_date: input.move_in_date,
        destination: None,
    })?;
    let household_id = match input.household_id {
        Some(household) => {
            if !store::enrollments::household_in_project(
                ctx.tx(),
                ctx.tenant(),
                project.id,
                household,
            )
            .await?
            {
                return Err(DomainError::validation(
                    "householdId",
                    "no enrollment in this project belongs to that household; leave it empty to start a new one",
                ));
            }
            household
        }
        None => Uuid::now_v7(),
    };
    let by = ctx.stamp();
    let enrollment = store::enrollments::insert(
        ctx.tx(),
        enrollments::ActiveModel {
            tenant_id: Set(ctx.tenant()),
            id: Set(Uuid::now_v7()),
            client_id: Set(client.id),
            project_id: Set(project.id),
            household_id: Set(household_id),
            relationship_to_hoh: Set(relationship),
            entry_date: Set(input.entry_date),
            exit_date: Set(None),
            move_in_date: Set(input.move_in_date),
            destination: Set(None),
            disabling_condition: Set(disabling),
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
    let visible = visible_of_client(&ctx, client.id).await?;
    let view = view(&ctx, enrollment, project, &visible);
    ctx.audit_write(
        "enrollment.create",
        view.enrollment.id,
        json!({ "after": snapshot(&view.enrollment), "flags": flags_json(&view.flags), "rule": "ENR-1", "plan_version": ctx.plan_version }),
    )
    .await?;
    tell_webhooks(&ctx, &view.enrollment).await?;
    scan::client(ctx.tx(), ctx.tenant(), client.id, ctx.plan(), ctx.now).await?;
    ctx.commit().await?;
    Ok(view)
}

/// The enrollment with this id and its project, whoever may see them.
async fn load(ctx: &RecordCtx, id: Uuid) -> DomainResult<(enrollments::Model, projects::Model)> {
    let enrollment = store::enrollments::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .ok_or(DomainError::NotFound("enrollment"))?;
    let project = store::enrollments::project(ctx.tx(), ctx.tenant(), enrollment.project_id)
        .await?
        .ok_or(DomainError::NotFound("project"))?;
    Ok((enrollment, project))
}

/// An enrollment the viewer may see (PLAN-1), with its project; any other is as absent as
/// one that never existed.
pub(crate) async fn visible(
    ctx: &RecordCtx,
    id: Uuid,
) -> DomainResult<(enrollments::Model, projects::Model)> {
    let (enrollment, project) = load(ctx, id).await?;
    let seen = records::read(
        &ctx.actor(),
        Element::ENTRY_EXIT,
        &owner(&enrollment, &project),
        ctx.plan(),
    );
    if seen.allowed {
        Ok((enrollment, project))
    } else {
        Err(DomainError::NotFound("enrollment"))
    }
}

/// The enrollment, its project, and the viewer's right to change it (PLAN-1, ENR-1), then
/// LOCK-1 on the version the viewer read.
async fn for_change(
    ctx: &RecordCtx,
    state: &AppState,
    decided: RecordAction,
    action: &str,
    id: Uuid,
    expected_version: i32,
) -> DomainResult<(enrollments::Model, projects::Model)> {
    let (enrollment, project) = load(ctx, id).await?;
    let decision = ctx.decide(decided, &facts(&enrollment, &project));
    ctx.require(state, action, id, decision).await?;
    if !records::check_version(expected_version, enrollment.version).allowed {
        let conflict = stale(&enrollment);
        return Err(ctx.refuse_stale(state, action, id, conflict).await);
    }
    Ok((enrollment, project))
}

fn stale(current: &enrollments::Model) -> DomainError {
    DomainError::Conflict {
        message: format!(
            "this enrollment changed since you read it: version {} is current",
            current.version
        ),
        current: snapshot(current),
    }
}

/// Tells the tenant's webhook endpoints that the enrollment was created, changed or deleted.
async fn tell_webhooks(ctx: &RecordCtx, enrollment: &enrollments::Model) -> DomainResult<()> {
    let subject = Subject::Enrollment(enrollment.id);
    ctx.emit(
        WebhookEvent::EnrollmentChanged,
        enrollment.client_id,
        subject,
    )
    .await
}

/// ENR-1, ENR-2 under LOCK-1.
pub async fn update(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    change: EnrollmentChange,
) -> DomainResult<EnrollmentView> {
    let ctx = RecordCtx::begin(state, caller, Scope::EnrollmentsWrite).await?;
    let (before, project) = for_change(
        &ctx,
        state,
        RecordAction::EditEnrollment,
        "enrollment.update",
        change.id,
        change.expected_version,
    )
    .await?;
    let relationship = change
        .relationship_to_hoh
        .map(|c| hud_code("relationshipToHoh", c, &RELATIONSHIPS))
        .transpose()?
        .unwrap_or(before.relationship_to_hoh);
    let destination = match change.destination {
        Some(Some(code)) => Some(hud_code("destination", code, &DESTINATIONS)?),
        Some(None) => None,
        None => before.destination,
    };
    let fields = Fields {
        project_type: project.project_type,
        entry_date: change.entry_date.unwrap_or(before.entry_date),
        exit_date: change.exit_date.unwrap_or(before.exit_date),
        move_in_date: change.move_in_date.unwrap_or(before.move_in_date),
        destination,
    };
    validate(&fields)?;
    let by = ctx.stamp();
    let mut row = before.clone().into_active_model();
    row.relationship_to_hoh = Set(relationship);
    row.entry_date = Set(fields.entry_date);
    row.exit_date = Set(fields.exit_date);
    row.move_in_date = Set(fields.move_in_date);
    row.destination = Set(fields.destination);
    row.updated_by_user = Set(by.user);
    row.updated_by_agency = Set(by.agency);
    row.updated_at = Set(ctx.now);
    row.version = Set(before.version + 1);
    let Some(after) =
        store::versioned::update_at_version(ctx.tx(), ctx.tenant(), before.id, before.version, row)
            .await?
    else {
        return Err(ctx
            .refuse_lost_race::<enrollments::Entity>(
                state,
                "enrollment.update",
                before.id,
                "enrollment",
                stale,
            )
            .await);
    };
    let visible = visible_of_client(&ctx, after.client_id).await?;
    let view = view(&ctx, after, project, &visible);
    ctx.audit_write(
        "enrollment.update",
        view.enrollment.id,
        json!({ "before": snapshot(&before), "after": snapshot(&view.enrollment), "flags": flags_json(&view.flags), "rule": "ENR-1", "plan_version": ctx.plan_version }),
    )
    .await?;
    tell_webhooks(&ctx, &view.enrollment).await?;
    lifecycle::settle_enrollment(&ctx, view.enrollment.id, "corrected").await?;
    scan::client(
        ctx.tx(),
        ctx.tenant(),
        view.enrollment.client_id,
        ctx.plan(),
        ctx.now,
    )
    .await?;
    ctx.commit().await?;
    Ok(view)
}

/// ENR-1 under LOCK-1. An enrollment that services were recorded against stays: those are
/// never deleted (SRV-1), and they would lose the stay they were provided in.
pub async fn delete(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
    expected_version: i32,
) -> DomainResult<Uuid> {
    let ctx = RecordCtx::begin(state, caller, Scope::EnrollmentsWrite).await?;
    let (before, _) = for_change(
        &ctx,
        state,
        RecordAction::DeleteEnrollment,
        "enrollment.delete",
        id,
        expected_version,
    )
    .await?;
    if store::enrollments::has_services(ctx.tx(), ctx.tenant(), before.id).await? {
        return Err(DomainError::validation(
            "id",
            "services were recorded in this enrollment and are never deleted, so it stays; record an exit instead",
        ));
    }
    if !store::versioned::delete_at_version::<enrollments::Entity>(
        ctx.tx(),
        ctx.tenant(),
        before.id,
        before.version,
    )
    .await?
    {
        return Err(ctx
            .refuse_lost_race::<enrollments::Entity>(
                state,
                "enrollment.delete",
                before.id,
                "enrollment",
                stale,
            )
            .await);
    }
    ctx.audit_write(
        "enrollment.delete",
        before.id,
        json!({ "before": snapshot(&before), "rule": "ENR-1", "plan_version": ctx.plan_version }),
    )
    .await?;
    tell_webhooks(&ctx, &before).await?;
    lifecycle::settle_enrollment(&ctx, before.id, "deleted").await?;
    scan::client(
        ctx.tx(),
        ctx.tenant(),
        before.client_id,
        ctx.plan(),
        ctx.now,
    )
    .await?;
    ctx.commit().await?;
    Ok(before.id)
}

/// The client's enrollments this viewer may see, oldest first, a page at a time.
pub async fn of_client(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    window: Window,
) -> DomainResult<Page<EnrollmentView>> {
    let ctx = RecordCtx::read(state, caller, Scope::EnrollmentsRead).await?;
    ctx.client(client_id).await?;
    // A client has a handful of enrollments, and ENR-2 compares each with all the others.
    let visible = visible_of_client(&ctx, client_id).await?;
    let page = Page::of_list(visible.iter(), window, |(e, _)| e.id);
    let rows = page
        .rows
        .into_iter()
        .map(|(e, p)| view(&ctx, e.clone(), p.clone(), &visible))
        .collect();
    ctx.commit().await?;
    Ok(Page {
        rows,
        info: page.info,
    })
}

/// The visible enrollments of many clients at once, with their flags: a fixed number of
/// queries however many clients a page holds (the GraphQL data loader calls this).
pub async fn of_clients(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<EnrollmentView>>> {
    let ctx = RecordCtx::read(state, caller, Scope::EnrollmentsRead).await?;
    let visible = visible_of_clients(&ctx, client_ids).await?;
    let views = visible
        .iter()
        .map(|(client, stays)| {
            let views = stays
                .iter()
                .map(|(e, p)| view(&ctx, e.clone(), p.clone(), stays))
                .collect();
            (*client, views)
        })
        .collect();
    ctx.commit().await?;
    Ok(views)
}

/// PLAN-1: a project's enrollments, or its clients, are listed only for a viewer who reads
/// that project's enrollments (the project itself is known to every agency).
pub(super) async fn readable_project(
    ctx: &RecordCtx,
    project_id: Uuid,
) -> DomainResult<projects::Model> {
    let project = store::enrollments::project(ctx.tx(), ctx.tenant(), project_id)
        .await?
        .ok_or(DomainError::NotFound("project"))?;
    let owner = Provenance {
        user: Uuid::nil(),
        agency: Some(project.agency_id),
    };
    let read = records::read(&ctx.actor(), Element::ENTRY_EXIT, &owner, ctx.plan());
    if !read.allowed {
        return Err(DomainError::Forbidden {
            rule: read.rule,
            reason: format!("{}: list by your own agency's projects only", read.reason),
        });
    }
    Ok(project)
}

/// A project's enrollments open at some time in `range` (either end open), a page at a time,
/// each with its flags against the client's other stays this viewer may see.
pub async fn of_project(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    project_id: Uuid,
    range: (Option<NaiveDate>, Option<NaiveDate>),
    window: Window,
) -> DomainResult<Page<EnrollmentView>> {
    if let (Some(from), Some(until)) = range
        && until < from
    {
        return Err(DomainError::validation(
            "activeUntil",
            "the end of the date range comes on or after its start",
        ));
    }
    let ctx = RecordCtx::read(state, caller, Scope::EnrollmentsRead).await?;
    let project = readable_project(&ctx, project_id).await?;
    let page =
        store::enrollments::page_of_project(ctx.tx(), ctx.tenant(), project.id, range, window)
            .await?;
    let clients: Vec<Uuid> = page.rows.iter().map(|e| e.client_id).collect();
    let stays = visible_of_clients(&ctx, &clients).await?;
    let rows = page
        .rows
        .into_iter()
        .map(|e| {
            let others = stays.get(&e.client_id).map_or(&[][..], Vec::as_slice);
            view(&ctx, e, project.clone(), others)
        })
        .collect();
    ctx.commit().await?;
    Ok(Page {
        rows,
        info: page.info,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::policy::plan;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stay_of(project_type: i16, entry: &str, exit: Option<&str>) -> Stay<'static> {
        Stay {
            id: Uuid::now_v7(),
            project_type,
            project_name: "P",
            entry: day(entry),
            exit: exit.map(day),
        }
    }

    #[test]
    fn enr_2_shelter_beside_rapid_rehousing_is_normal_two_shelters_are_flagged() {
        let doc = plan::template(plan::DURHAM_V1).unwrap();
        let plan = Plan {
            version: 1,
            document: &doc,
        };
        let rrh = stay_of(13, "2021-06-01", None);
        let shelter = stay_of(0, "2021-05-01", Some("2021-07-08"));
        assert!(concurrency_flags(plan, &rrh, &[shelter, rrh]).is_empty());
        let other_shelter = stay_of(0, "2021-07-01", None);
        let flags = concurrency_flags(plan, &other_shelter, &[shelter]);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].rule, "ENR-2");
        assert_eq!(flags[0].other_enrollment_id, shelter.id);
    }

    #[test]
    fn leaving_and_entering_on_the_same_day_is_not_an_overlap() {
        let a = stay_of(0, "2021-05-01", Some("2021-07-08"));
        let b = stay_of(2, "2021-07-08", None);
        assert!(!overlaps(&a, &b));
        assert!(overlaps(&a, &stay_of(2, "2021-07-07", None)));
    }

    #[test]
    fn dates_and_move_in_follow_hud() {
        let fields = Fields {
            project_type: 0,
            entry_date: day("2021-07-01"),
            exit_date: None,
            move_in_date: None,
            destination: None,
        };
        assert!(validate(&fields).is_ok());
        let early_exit = Fields {
            exit_date: Some(day("2021-06-30")),
            ..fields
        };
        assert!(validate(&early_exit).is_err());
        let shelter_move_in = Fields {
            move_in_date: Some(day("2021-07-02")),
            ..fields
        };
        assert!(validate(&shelter_move_in).is_err());
        let rrh_move_in = Fields {
            project_type: 13,
            ..shelter_move_in
        };
        assert!(validate(&rrh_move_in).is_ok());
        let move_in_before_entry = Fields {
            move_in_date: Some(day("2021-06-01")),
            ..rrh_move_in
        };
        assert!(validate(&move_in_before_entry).is_err());
        let destination_without_exit = Fields {
            destination: Some(410),
            ..fields
        };
        assert!(validate(&destination_without_exit).is_err());
        assert!(hud_code("relationshipToHoh", 6, &RELATIONSHIPS).is_err());
        assert_eq!(hud_code("destination", 435, &DESTINATIONS).ok(), Some(435));
    }
}
