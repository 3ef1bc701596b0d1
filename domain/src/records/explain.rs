//! "May I?" before acting (SPEC §4): the decision the server would make for an action on a
//! record, with its rule and the plan version — the same policy call the action itself makes.
use uuid::Uuid;

use super::clients::ClientView;
use super::context::{Caller, RecordCtx};
use super::demographics::DemographicField;
use super::{attachments, case_managers, enrollments, notes, profile, services};
use crate::error::{DomainError, DomainResult};
use crate::policy::Decision;
use crate::policy::actions::{RecordAction, RecordFacts, RecordKind};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store;

pub struct Explained {
    pub decision: Decision,
    pub plan_version: i32,
}

/// `field` names the demographic for the two demographic actions (default: the first name).
pub async fn explain(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    action: RecordAction,
    record_id: Uuid,
    field: Option<DemographicField>,
) -> DomainResult<Explained> {
    let ctx = RecordCtx::read(state, caller, Scope::ClientsRead).await?;
    let facts = facts_of(&ctx, action.record_kind(), record_id, field)
        .await?
        .ok_or(DomainError::NotFound("record"))?;
    let decision = ctx.decide(action, &facts);
    if decision.unseen.is_some() {
        // A record the viewer may not see is explained as a missing one is.
        return Err(DomainError::NotFound("record"));
    }
    let plan_version = ctx.plan_version;
    ctx.commit().await?;
    Ok(Explained {
        decision,
        plan_version,
    })
}

/// The facts of the record `id` of `kind`, read the way its own use case reads them.
async fn facts_of(
    ctx: &RecordCtx,
    kind: RecordKind,
    id: Uuid,
    field: Option<DemographicField>,
) -> DomainResult<Option<RecordFacts>> {
    let (tx, tenant) = (ctx.tx(), ctx.tenant());
    Ok(match kind {
        RecordKind::Client => {
            match store::clients::get_with_current_values(tx, tenant, id).await? {
                None => None,
                Some((client, values)) => {
                    let view = ClientView::seen_in(ctx, client, values);
                    Some(view.facts(field.unwrap_or(DemographicField::FirstName)))
                }
            }
        }
        RecordKind::Enrollment => match store::enrollments::get(tx, tenant, id).await? {
            None => None,
            Some(enrollment) => store::enrollments::project(tx, tenant, enrollment.project_id)
                .await?
                .map(|project| enrollments::facts(&enrollment, &project)),
        },
        RecordKind::CaseManager => store::case_managers::get(tx, tenant, id)
            .await?
            .map(|a| case_managers::facts(&a)),
        RecordKind::Service => store::services::get(tx, tenant, id)
            .await?
            .map(|s| services::facts(&s)),
        RecordKind::Note => store::notes::get(tx, tenant, id)
            .await?
            .map(|n| notes::facts(&n)),
        RecordKind::ProfileRow => store::profile::get(tx, tenant, id)
            .await?
            .map(|r| profile::facts(&r))
            .transpose()?,
        RecordKind::Attachment => store::attachments::get(tx, tenant, id)
            .await?
            .map(|a| attachments::facts(&a)),
    })
}
