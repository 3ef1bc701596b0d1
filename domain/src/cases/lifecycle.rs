//! How a case begins and ends with the record it is about: a data conflict opens one (DEM-3),
//! a report of another agency's entry/exit error opens one (ENR-3), and the update that
//! settles the value or corrects the enrollment closes it (DEM-2, DEM-4, ENR-3), inside the
//! change's own transaction.
use entities::{cases, clients, data_conflicts};
use sea_orm::ActiveValue::Set;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{CaseView, facts_of, load};
use crate::caller::Caller;
use crate::error::DomainError;
use crate::error::DomainResult;
use crate::policy::cases::{self as case_policy, CaseKind, CaseState};
use crate::policy::records::Provenance;
use crate::policy::roles::Actor;
use crate::policy::service_accounts::Scope;
use crate::records::context::RecordCtx;
use crate::records::enrollments;
use crate::state::AppState;
use crate::store::{self, cases::Event};
use crate::values::ConflictStatus;
use crate::webhooks::{Subject, WebhookEvent};

pub(crate) fn closed_states() -> [&'static str; 2] {
    CaseState::CLOSED.map(CaseState::as_str)
}

/// DEM-3 → DEM-4: the case of a conflict just recorded, under the terms of the plan in force.
pub async fn open_for_conflict(
    ctx: &RecordCtx,
    client: &clients::Model,
    conflict: &data_conflicts::Model,
) -> DomainResult<cases::Model> {
    let case = NewCase {
        kind: CaseKind::DataConflict,
        client_id: client.id,
        conflict_id: Some(conflict.id),
        enrollment_id: None,
        explanation: "",
        owner: Provenance {
            user: conflict.existing_entered_by_user,
            agency: conflict.existing_entered_by_agency,
        },
    };
    open(
        ctx,
        case,
        json!({ "rule": "DEM-3", "field": conflict.field }),
    )
    .await
}

/// What a case is about when it opens.
struct NewCase<'a> {
    kind: CaseKind,
    client_id: Uuid,
    conflict_id: Option<Uuid>,
    enrollment_id: Option<Uuid>,
    explanation: &'a str,
    /// The side that entered the record in question.
    owner: Provenance,
}

/// Opens a case reported by the viewer, under the terms of the plan in force, with its first
/// timeline event.
async fn open(ctx: &RecordCtx, new: NewCase<'_>, detail: Value) -> DomainResult<cases::Model> {
    let parameters = &ctx.plan_document.parameters;
    let term = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let by = ctx.stamp();
    let case = store::cases::insert(
        ctx.tx(),
        cases::ActiveModel {
            tenant_id: Set(ctx.tenant()),
            id: Set(Uuid::now_v7()),
            kind: Set(new.kind.as_str().to_owned()),
            state: Set(CaseState::Opened.as_str().to_owned()),
            client_id: Set(new.client_id),
            conflict_id: Set(new.conflict_id),
            enrollment_id: Set(new.enrollment_id),
            explanation: Set(new.explanation.to_owned()),
            reported_by_user: Set(by.user),
            reported_by_agency: Set(by.agency),
            owner_user: Set(new.owner.user),
            owner_agency: Set(new.owner.agency),
            plan_version: Set(ctx.plan_version),
            contact_attempts_min: Set(term(parameters.contact_attempts_min)),
            contact_window_days: Set(term(parameters.contact_window_days)),
            admin_review_days: Set(term(parameters.admin_review_days)),
            agreed_updater: Set(None),
            opened_at: Set(ctx.now),
            review_requested_at: Set(None),
            closed_at: Set(None),
            version: Set(1),
            updated_at: Set(ctx.now),
        },
    )
    .await?;
    let mut detail = detail;
    detail["plan_version"] = json!(ctx.plan_version);
    store::cases::insert_event(
        ctx.tx(),
        Event {
            tenant_id: ctx.tenant(),
            case_id: case.id,
            at: ctx.now,
            kind: "OPENED",
            by: Some((by.user, by.agency)),
            detail,
        },
    )
    .await?;
    ctx.emit(
        WebhookEvent::CaseOpened,
        case.client_id,
        Subject::Case(case.id),
    )
    .await?;
    Ok(case)
}

/// Whether `actor`'s change of `field` is the update an agreement on an open case asked of
/// their side (`DEM-4`): then it is written, and closes that case.
pub async fn agreed_update(
    ctx: &RecordCtx,
    actor: &Actor,
    client_id: Uuid,
    field: &str,
) -> DomainResult<bool> {
    let open =
        store::cases::open_conflicts_on(ctx.tx(), ctx.tenant(), client_id, field, &closed_states())
            .await?;
    for (case, _) in open {
        let attempts = store::cases::attempts(ctx.tx(), ctx.tenant(), case.id).await?;
        if case_policy::agreed_update(actor, &facts_of(&case, &attempts)?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The value of `field` was just written (DEM-2 documented, by its owner, or as agreed):
/// every open conflict about it is settled, and its case resolved.
pub async fn settle_by_update(
    ctx: &RecordCtx,
    client_id: Uuid,
    field: &str,
    rule: &str,
) -> DomainResult<()> {
    let open =
        store::cases::open_conflicts_on(ctx.tx(), ctx.tenant(), client_id, field, &closed_states())
            .await?;
    for (case, conflict) in open {
        close(
            ctx,
            case,
            CaseState::Resolved,
            "RESOLVED_BY_UPDATE",
            json!({ "rule": rule }),
        )
        .await?;
        store::cases::set_conflict_status(
            ctx.tx(),
            ctx.tenant(),
            conflict.id,
            ConflictStatus::Resolved,
        )
        .await?;
    }
    Ok(())
}

/// Moves `case` to a closed `state`, with its timeline event, inside the change's
/// transaction. Whatever step the case was at, the update settled it.
pub(crate) async fn close(
    ctx: &RecordCtx,
    case: cases::Model,
    state: CaseState,
    event: &str,
    detail: serde_json::Value,
) -> DomainResult<()> {
    let by = ctx.stamp();
    let unless = closed_states();
    store::cases::set_state(
        ctx.tx(),
        ctx.tenant(),
        case.id,
        state.as_str(),
        true,
        &unless,
        ctx.now,
    )
    .await?;
    store::cases::insert_event(
        ctx.tx(),
        Event {
            tenant_id: ctx.tenant(),
            case_id: case.id,
            at: ctx.now,
            kind: event,
            by: Some((by.user, by.agency)),
            detail,
        },
    )
    .await
}

/// `ENR-3`: the owning agency corrected (or deleted) the enrollment: every open report about
/// it is resolved.
pub async fn settle_enrollment(
    ctx: &RecordCtx,
    enrollment_id: Uuid,
    how: &str,
) -> DomainResult<()> {
    let open =
        store::cases::open_on_enrollment(ctx.tx(), ctx.tenant(), enrollment_id, &closed_states())
            .await?;
    for case in open {
        close(
            ctx,
            case,
            CaseState::Resolved,
            "RESOLVED_BY_UPDATE",
            json!({ "rule": "ENR-3", "how": how }),
        )
        .await?;
    }
    Ok(())
}

/// Most characters of a report's explanation.
const EXPLANATION_MAX_CHARS: usize = 1000;

/// `ENR-3`: a user who believes another agency's enrollment is wrong reports it (the
/// `ENR-1` refusal sends them here). The enrollment stays as it is.
pub async fn report_enrollment_error(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    enrollment_id: Uuid,
    explanation: &str,
) -> DomainResult<CaseView> {
    let explanation = explanation.trim();
    if explanation.is_empty() || explanation.chars().count() > EXPLANATION_MAX_CHARS {
        return Err(DomainError::validation(
            "explanation",
            format!("say what you believe is wrong, in up to {EXPLANATION_MAX_CHARS} characters"),
        ));
    }
    let ctx = RecordCtx::begin(state, caller, Scope::CasesWrite).await?;
    let (enrollment, project) = enrollments::visible(&ctx, enrollment_id).await?;
    let by = ctx.stamp();
    if by.agency == Some(project.agency_id) {
        return Err(DomainError::validation(
            "enrollmentId",
            "your agency owns this enrollment: correct it yourself (ENR-1)",
        ));
    }
    let already =
        store::cases::open_on_enrollment(ctx.tx(), ctx.tenant(), enrollment.id, &closed_states())
            .await?
            .into_iter()
            .any(|c| c.reported_by_agency == by.agency);
    if already {
        return Err(DomainError::validation(
            "enrollmentId",
            "your agency already has an open report about this enrollment",
        ));
    }
    let new = NewCase {
        kind: CaseKind::EnrollmentError,
        client_id: enrollment.client_id,
        conflict_id: None,
        enrollment_id: Some(enrollment.id),
        explanation,
        owner: Provenance {
            user: enrollment.created_by_user,
            agency: Some(project.agency_id),
        },
    };
    let detail = json!({ "rule": "ENR-3", "enrollment": enrollment.id });
    let case = open(&ctx, new, detail).await?;
    ctx.audit_write(
        "case.report_enrollment_error",
        case.id,
        json!({ "enrollment": enrollment.id, "rule": "ENR-3", "plan_version": ctx.plan_version }),
    )
    .await?;
    let view = load(ctx.tx(), ctx.tenant(), case, &ctx.user, ctx.now).await?;
    ctx.commit().await?;
    Ok(view)
}
