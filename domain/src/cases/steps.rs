//! The steps people take on a case: log a contact attempt, record an agreement, escalate,
//! withdraw. Each is asked of `policy::case_policy::decide` (refused with the rule and what is still
//! missing), names the version of the case it was taken on (LOCK-1), lands on the timeline
//! and in the audit log.
use chrono::{DateTime, Utc};
use entities::{case_attempts, cases};
use sea_orm::ActiveValue::Set;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{CaseView, load, visible};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::policy::cases::{
    self as case_policy, CaseAction, CaseKind, CaseState, ContactMethod, Side,
};
use crate::policy::service_accounts::Scope;
use crate::records::context::RecordCtx;
use crate::records::notifications::{self, Message, Outgoing, Recipient};
use crate::records::{demographics, notes};
use crate::state::AppState;
use crate::store::{self, cases::Event};
use crate::values::ConflictStatus;
use crate::webhooks::{Subject, WebhookEvent};

/// The deadline that tells the reporting side it may escalate.
pub const ESCALATION_ELIGIBLE: &str = "ESCALATION_ELIGIBLE";
/// ENR-3: the end of the owning agency's review, when the case goes to the Data Center.
pub const ADMIN_REVIEW_EXPIRY: &str = "ADMIN_REVIEW_EXPIRY";
const NOTE_MAX_CHARS: usize = 500;

fn stale(case: &cases::Model, expected: i32) -> DomainError {
    DomainError::Conflict {
        message: format!(
            "this case changed since you read it (version {expected}, now {})",
            case.version
        ),
        current: json!({ "id": case.id, "version": case.version, "state": case.state }),
    }
}

/// Opens the case for a step: visible to the viewer, the step allowed now, the version the
/// viewer read still current.
async fn begin_step(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    case_id: Uuid,
    expected_version: i32,
    action: CaseAction,
) -> DomainResult<(RecordCtx, CaseView)> {
    let ctx = RecordCtx::begin(state, caller, Scope::CasesWrite).await?;
    let view = visible(&ctx, case_id).await?;
    let audit_action = audit_name(action);
    ctx.require(state, audit_action, case_id, view.decide(action))
        .await?;
    if view.case.version != expected_version {
        let conflict = stale(&view.case, expected_version);
        return Err(ctx
            .refuse_stale(state, audit_action, case_id, conflict)
            .await);
    }
    Ok((ctx, view))
}

fn audit_name(action: CaseAction) -> &'static str {
    match action {
        CaseAction::View => "case.view",
        CaseAction::LogAttempt => "case.log_attempt",
        CaseAction::Agree => "case.agree",
        CaseAction::Escalate => "case.escalate",
        CaseAction::Withdraw => "case.withdraw",
    }
}

/// Moves the case on at the version read (LOCK-1 at the database too), puts the step on its
/// timeline and in the audit log, and returns the case as it is now.
async fn advance(
    ctx: RecordCtx,
    state: &AppState,
    view: CaseView,
    action: CaseAction,
    row: cases::ActiveModel,
    detail: Value,
) -> DomainResult<CaseView> {
    let case = view.case;
    let audit_action = audit_name(action);
    let mut row = row;
    row.version = Set(case.version + 1);
    row.updated_at = Set(ctx.now);
    let moved = store::versioned::update_at_version::<cases::Entity, _>(
        ctx.tx(),
        ctx.tenant(),
        case.id,
        case.version,
        row,
    )
    .await?;
    let Some(moved) = moved else {
        let expected = case.version;
        return Err(ctx
            .refuse_lost_race::<cases::Entity>(state, audit_action, case.id, "case", |now| {
                stale(now, expected)
            })
            .await);
    };
    let by = ctx.stamp();
    store::cases::insert_event(
        ctx.tx(),
        Event {
            tenant_id: ctx.tenant(),
            case_id: case.id,
            at: ctx.now,
            kind: event_name(action),
            by: Some((by.user, by.agency)),
            detail: detail.clone(),
        },
    )
    .await?;
    ctx.audit_write(
        audit_action,
        case.id,
        json!({ "before": { "state": case.state }, "after": { "state": moved.state }, "detail": detail, "plan_version": moved.plan_version }),
    )
    .await?;
    if action == CaseAction::Escalate {
        ctx.emit(
            WebhookEvent::CaseEscalated,
            moved.client_id,
            Subject::Case(moved.id),
        )
        .await?;
    }
    let queue = CaseState::InDataCenterQueue.as_str();
    if moved.state == queue && case.state != queue {
        ctx.emit(
            WebhookEvent::CaseInDataCenterQueue,
            moved.client_id,
            Subject::Case(moved.id),
        )
        .await?;
    }
    let view = load(ctx.tx(), ctx.tenant(), moved, &ctx.user, ctx.now).await?;
    ctx.commit().await?;
    Ok(view)
}

fn event_name(action: CaseAction) -> &'static str {
    match action {
        CaseAction::View => "VIEWED",
        CaseAction::LogAttempt => "ATTEMPT_LOGGED",
        CaseAction::Agree => "AGREED",
        CaseAction::Escalate => "ESCALATED",
        CaseAction::Withdraw => "WITHDRAWN",
    }
}

pub struct NewAttempt {
    pub case_id: Uuid,
    pub expected_version: i32,
    pub attempted_at: DateTime<Utc>,
    pub method: ContactMethod,
    pub reached: bool,
    pub note: String,
}

/// DEM-4: one attempt to reach the entering side. When the attempts logged make the case
/// escalable at some time, that time becomes the case's deadline.
pub async fn log_attempt(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: NewAttempt,
) -> DomainResult<CaseView> {
    let note = input.note.trim().to_owned();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(DomainError::validation(
            "note",
            format!("keep the note to {NOTE_MAX_CHARS} characters"),
        ));
    }
    let (ctx, view) = begin_step(
        state,
        caller,
        input.case_id,
        input.expected_version,
        CaseAction::LogAttempt,
    )
    .await?;
    if input.attempted_at > ctx.now || input.attempted_at < view.case.opened_at {
        return Err(DomainError::validation(
            "attemptedAt",
            "an attempt happens between the case's opening and now",
        ));
    }
    let by = ctx.stamp();
    let attempt = store::cases::insert_attempt(
        ctx.tx(),
        case_attempts::ActiveModel {
            tenant_id: Set(ctx.tenant()),
            id: Set(Uuid::now_v7()),
            case_id: Set(view.case.id),
            attempted_at: Set(input.attempted_at),
            method: Set(input.method.as_str().to_owned()),
            reached: Set(input.reached),
            note: Set(note),
            by_user: Set(by.user),
            by_agency: Set(by.agency),
            logged_at: Set(ctx.now),
        },
    )
    .await?;
    let mut attempts = view.facts.attempts.clone();
    attempts.push(case_policy::Attempt {
        at: attempt.attempted_at,
        reached: attempt.reached,
    });
    let escalable_at = case_policy::escalable_at(&view.facts.terms, &attempts);
    let next = match escalable_at {
        Some(at) if at <= ctx.now => CaseState::Escalable,
        _ => CaseState::Contacting,
    };
    if let Some(at) = escalable_at {
        store::cases::set_deadline(
            ctx.tx(),
            ctx.tenant(),
            view.case.id,
            ESCALATION_ELIGIBLE,
            at,
            ctx.now,
        )
        .await?;
    }
    let detail = json!({
        "attempt": attempt.id,
        "attemptedAt": attempt.attempted_at,
        "method": attempt.method,
        "reached": attempt.reached,
        "escalableAt": escalable_at,
    });
    let row = cases::ActiveModel {
        state: Set(next.as_str().to_owned()),
        ..Default::default()
    };
    advance(ctx, state, view, CaseAction::LogAttempt, row, detail).await
}

/// DEM-4: the two sides agree, and name the side whose update closes the case.
pub async fn agree(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    case_id: Uuid,
    expected_version: i32,
    updater: Side,
) -> DomainResult<CaseView> {
    let (ctx, view) =
        begin_step(state, caller, case_id, expected_version, CaseAction::Agree).await?;
    if view.kind() == CaseKind::EnrollmentError && updater != Side::Owner {
        return Err(DomainError::validation(
            "updater",
            "only the owning agency changes its enrollments (ENR-1): name OWNER",
        ));
    }
    let row = cases::ActiveModel {
        state: Set(CaseState::Agreed.as_str().to_owned()),
        agreed_updater: Set(Some(updater.as_str().to_owned())),
        ..Default::default()
    };
    let detail = json!({ "updater": updater.as_str() });
    advance(ctx, state, view, CaseAction::Agree, row, detail).await
}

/// The entering or owning side was not reached. A data conflict (DEM-4): the conflicting data
/// goes into a note on the client's profile, and the entering agency's administrators are
/// told (the Data Center, when it entered the value). An entry/exit error (ENR-3): the
/// enrollment stays as it is, the owning agency's administrators are asked to review it, and
/// the end of their review becomes the case's deadline.
pub async fn escalate(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    case_id: Uuid,
    expected_version: i32,
) -> DomainResult<CaseView> {
    let (ctx, view) = begin_step(
        state,
        caller,
        case_id,
        expected_version,
        CaseAction::Escalate,
    )
    .await?;
    let (row, detail) = match view.kind() {
        CaseKind::DataConflict => escalate_conflict(&ctx, &view).await?,
        CaseKind::EnrollmentError => request_review(&ctx, &view).await?,
    };
    advance(ctx, state, view, CaseAction::Escalate, row, detail).await
}

async fn escalate_conflict(
    ctx: &RecordCtx,
    view: &CaseView,
) -> DomainResult<(cases::ActiveModel, Value)> {
    let conflict = view.conflict.clone().ok_or_else(|| {
        DomainError::internal(anyhow::anyhow!("a conflict case without its conflict"))
    })?;
    let body = escalation_note(ctx, view, &conflict).await?;
    let note = notes::insert(ctx, view.case.client_id, body).await?;
    let field = view.field().ok_or_else(|| {
        DomainError::internal(anyhow::anyhow!(
            "unknown field {:?} on a conflict",
            conflict.field
        ))
    })?;
    tell(
        ctx,
        view,
        Recipient::Agency(view.case.owner_agency),
        Message::ConflictEscalated { field },
    )
    .await?;
    store::cases::set_conflict_status(
        ctx.tx(),
        ctx.tenant(),
        conflict.id,
        ConflictStatus::Escalated,
    )
    .await?;
    let row = cases::ActiveModel {
        state: Set(CaseState::Escalated.as_str().to_owned()),
        ..Default::default()
    };
    Ok((
        row,
        json!({ "note": note.id, "notified_agency": view.case.owner_agency }),
    ))
}

async fn request_review(
    ctx: &RecordCtx,
    view: &CaseView,
) -> DomainResult<(cases::ActiveModel, Value)> {
    tell(
        ctx,
        view,
        Recipient::Agency(view.case.owner_agency),
        Message::ReviewRequested,
    )
    .await?;
    let due = ctx.now + chrono::Duration::days(i64::from(view.terms().admin_review_days));
    store::cases::set_deadline(
        ctx.tx(),
        ctx.tenant(),
        view.case.id,
        ADMIN_REVIEW_EXPIRY,
        due,
        ctx.now,
    )
    .await?;
    let row = cases::ActiveModel {
        state: Set(CaseState::InAdminReview.as_str().to_owned()),
        review_requested_at: Set(Some(ctx.now)),
        ..Default::default()
    };
    Ok((
        row,
        json!({ "rule": "ENR-3", "notified_agency": view.case.owner_agency, "hand_over_at": due }),
    ))
}

async fn tell(
    ctx: &RecordCtx,
    view: &CaseView,
    to: Recipient,
    message: Message,
) -> DomainResult<()> {
    notifications::send(
        ctx.tx(),
        ctx.tenant(),
        Outgoing {
            to,
            hmis_number: &view.hmis_number,
            message,
            case_id: Some(view.case.id),
        },
        ctx.now,
    )
    .await?;
    Ok(())
}

/// The DEM-4 note: the existing value, the proposed one, and who proposed it.
async fn escalation_note(
    ctx: &RecordCtx,
    view: &CaseView,
    conflict: &entities::data_conflicts::Model,
) -> DomainResult<String> {
    let shown = |value: &Value| demographics::shown_stored(value).unwrap_or("no value".into());
    let person = store::users::get(ctx.tx(), ctx.tenant(), conflict.reported_by_user).await?;
    let agency = match conflict.reported_by_agency {
        Some(id) => store::agencies::get(ctx.tx(), ctx.tenant(), id)
            .await?
            .map(|a| a.name),
        None => Some("the Data Center".to_owned()),
    };
    let label = view.field().map_or(conflict.field.as_str(), |f| f.label());
    let attempts = view.attempts.iter().filter(|a| !a.reached).count();
    Ok(format!(
        "Data conflict escalated (DEM-4) about the {label}. The record holds \"{existing}\"; \
         {who} of {agency} reported \"{proposed}\" on {reported}. The entering agency was not \
         reached after {attempts} attempt(s).",
        existing = shown(&conflict.existing_value),
        proposed = shown(&conflict.proposed_value),
        who = person.map_or_else(|| "a user".to_owned(), |p| p.display_name),
        agency = agency.unwrap_or_else(|| "another agency".to_owned()),
        reported = conflict.reported_at.format("%Y-%m-%d"),
    ))
}

/// The reporting side (or the Data Center) withdraws the case; its conflict closes.
pub async fn withdraw(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    case_id: Uuid,
    expected_version: i32,
) -> DomainResult<CaseView> {
    let (ctx, view) = begin_step(
        state,
        caller,
        case_id,
        expected_version,
        CaseAction::Withdraw,
    )
    .await?;
    if let Some(conflict) = &view.conflict {
        store::cases::set_conflict_status(
            ctx.tx(),
            ctx.tenant(),
            conflict.id,
            ConflictStatus::Resolved,
        )
        .await?;
    }
    let row = cases::ActiveModel {
        state: Set(CaseState::Withdrawn.as_str().to_owned()),
        closed_at: Set(Some(ctx.now)),
        ..Default::default()
    };
    advance(ctx, state, view, CaseAction::Withdraw, row, json!({})).await
}
