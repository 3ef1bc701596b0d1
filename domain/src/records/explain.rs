//! "May I?" before acting (SPEC §4): the decision the server would make for an action on a
//! record, with its rule and the plan version — the same policy call the action itself makes.
use uuid::Uuid;

use super::context::RecordCtx;
use super::demographics::DemographicField;
use crate::auth::TenantUser;
use crate::error::{DomainError, DomainResult};
use crate::policy::Decision;
use crate::policy::records::{self, DemographicChange, Element, Provenance};
use crate::state::AppState;
use crate::store;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordAction {
    ViewClient,
    ChangeDemographicWithoutDocumentation,
    ChangeDemographicWithDocumentation,
    EditEnrollment,
    DeleteEnrollment,
    ChangeCaseManager,
    EditService,
    DeleteService,
    ReadServiceNotes,
    EditNote,
    DeleteNote,
    CorrectProfileRowAtClientDirection,
    EndDateProfileRow,
    ReadAttachment,
    DeleteAttachment,
}

pub struct Explained {
    pub decision: Decision,
    pub plan_version: i32,
}

fn stamp(user: Uuid, agency: Option<Uuid>) -> Provenance {
    Provenance { user, agency }
}

/// `field` names the demographic for the two demographic actions (default: the first name).
pub async fn explain(
    state: &AppState,
    user: &TenantUser,
    action: RecordAction,
    record_id: Uuid,
    field: Option<DemographicField>,
) -> DomainResult<Explained> {
    let ctx = RecordCtx::begin(state, user).await?;
    let (tx, tenant, actor, plan) = (&ctx.tx, ctx.tenant(), ctx.actor(), ctx.plan());
    let missing = || DomainError::NotFound("record");
    let unwrap = |change: DemographicChange| match change {
        DemographicChange::Write(d) | DemographicChange::RecordConflict(d) => d,
    };
    let decision = match action {
        RecordAction::ViewClient
        | RecordAction::ChangeDemographicWithoutDocumentation
        | RecordAction::ChangeDemographicWithDocumentation => {
            let client = store::clients::get(tx, tenant, record_id)
                .await?
                .ok_or_else(missing)?;
            let creator = stamp(client.created_by_user, client.created_by_agency);
            let view = records::read(&actor, Element::ClientDemographics, &creator, plan);
            if action == RecordAction::ViewClient || !view.allowed {
                view
            } else {
                let values = store::clients::current_values(tx, tenant, client.id).await?;
                let field = field.unwrap_or(DemographicField::FirstName);
                let entered = values
                    .get(field.key())
                    .map_or(creator, |v| stamp(v.entered_by_user, v.entered_by_agency));
                let documented = action == RecordAction::ChangeDemographicWithDocumentation;
                unwrap(records::change_demographic(
                    &actor, &entered, plan, documented,
                ))
            }
        }
        RecordAction::EditEnrollment | RecordAction::DeleteEnrollment => {
            let enrollment = store::enrollments::get(tx, tenant, record_id)
                .await?
                .ok_or_else(missing)?;
            let project = store::enrollments::project(tx, tenant, enrollment.project_id)
                .await?
                .ok_or_else(missing)?;
            let owner = super::enrollments::owner(&enrollment, &project);
            records::may_change_enrollment(&actor, &owner, project.agency_id, plan)
        }
        RecordAction::ChangeCaseManager => {
            let assignment = store::case_managers::get(tx, tenant, record_id)
                .await?
                .ok_or_else(missing)?;
            let owner = super::case_managers::owner(&assignment);
            records::may_change_case_manager(&actor, &owner, assignment.agency_id, plan)
        }
        RecordAction::EditService
        | RecordAction::DeleteService
        | RecordAction::ReadServiceNotes => {
            let service = store::services::get(tx, tenant, record_id)
                .await?
                .ok_or_else(missing)?;
            match action {
                RecordAction::EditService => records::may_edit_service(
                    &actor,
                    &super::services::provider(&service),
                    service.provider_agency_id,
                    plan,
                ),
                RecordAction::DeleteService => records::delete_service(),
                _ => records::read_service_notes(&actor, service.provider_agency_id, plan),
            }
        }
        RecordAction::EditNote | RecordAction::DeleteNote => {
            let note = store::notes::get(tx, tenant, record_id)
                .await?
                .ok_or_else(missing)?;
            records::may_change_note(&actor, &super::notes::author(&note), plan)
        }
        RecordAction::CorrectProfileRowAtClientDirection | RecordAction::EndDateProfileRow => {
            let row = store::profile::get(tx, tenant, record_id)
                .await?
                .ok_or_else(missing)?;
            let entered = stamp(row.created_by_user, row.created_by_agency);
            if action == RecordAction::EndDateProfileRow {
                records::end_date_profile(&actor, &entered)
            } else {
                records::correct_profile(&actor, &entered, plan, true, true).decision
            }
        }
        RecordAction::ReadAttachment | RecordAction::DeleteAttachment => {
            let file = store::attachments::get(tx, tenant, record_id)
                .await?
                .ok_or_else(missing)?;
            let uploaded = stamp(file.created_by_user, file.created_by_agency);
            if action == RecordAction::ReadAttachment {
                records::read_attachment(&actor, &uploaded, file.medical, plan)
            } else {
                records::delete_attachment(&actor, &uploaded)
            }
        }
    };
    let plan_version = ctx.plan_version;
    ctx.commit().await?;
    Ok(Explained {
        decision,
        plan_version,
    })
}
