//! Needs, services and referrals: SRV-1 (never deleted; only the providing agency edits, and
//! every version is kept), SRV-2 (case-management minutes and notes stay with the providing
//! agency unless the plan shares them), with PLAN-1, PROV-1, LOCK-1 and AUD-1.
use chrono::NaiveDate;
use entities::{service_history, services};
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
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, Page};
use crate::values::DisplayName;

/// Case-management minutes in one transaction: at most a day.
pub const MAX_CM_MINUTES: i32 = 24 * 60;
pub const MAX_CM_NOTE_CHARS: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceKind {
    Need,
    Service,
    Referral,
}

impl ServiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Need => "NEED",
            Self::Service => "SERVICE",
            Self::Referral => "REFERRAL",
        }
    }

    /// The kind a stored row holds; anything else is a broken row, not a default.
    pub fn of_row(raw: &str) -> DomainResult<Self> {
        [Self::Need, Self::Service, Self::Referral]
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| DomainError::internal(anyhow::anyhow!("unknown service kind {raw:?}")))
    }
}

/// A service as one viewer may see it; `notes` says whether its case-management minutes and
/// note may be shown (SRV-2).
pub struct ServiceView {
    pub service: services::Model,
    pub kind: ServiceKind,
    pub notes: Decision,
    pub access: Vec<(&'static str, Decision)>,
    pub plan_version: i32,
}

/// One kept version of a service, with the same SRV-2 decision over its notes.
pub struct HistoryView {
    pub entry: service_history::Model,
    pub kept: KeptVersion,
    pub notes: Decision,
}

/// The values a history row keeps (its `snapshot`).
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptVersion {
    pub kind: ServiceKind,
    pub service_type: String,
    pub service_date: NaiveDate,
    pub enrollment_id: Option<Uuid>,
    pub cm_minutes: Option<i32>,
    pub cm_note: Option<String>,
}

pub struct NewService {
    pub client_id: Uuid,
    pub enrollment_id: Option<Uuid>,
    pub kind: ServiceKind,
    pub service_type: String,
    pub service_date: NaiveDate,
    pub cm_minutes: Option<i32>,
    pub cm_note: Option<String>,
}

/// `None` leaves a value as it is; `Some(None)` clears it.
pub struct ServiceChange {
    pub id: Uuid,
    pub expected_version: i32,
    pub kind: Option<ServiceKind>,
    pub service_type: Option<String>,
    pub service_date: Option<NaiveDate>,
    pub enrollment_id: Option<Option<Uuid>>,
    pub cm_minutes: Option<Option<i32>>,
    pub cm_note: Option<Option<String>>,
}

fn cm_minutes(raw: Option<i32>) -> DomainResult<Option<i32>> {
    match raw {
        Some(m) if !(0..=MAX_CM_MINUTES).contains(&m) => Err(DomainError::validation(
            "cmMinutes",
            format!("enter 0 to {MAX_CM_MINUTES} minutes"),
        )),
        other => Ok(other),
    }
}

fn cm_note(raw: Option<String>) -> DomainResult<Option<String>> {
    let note = raw.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_CM_NOTE_CHARS)
    {
        return Err(DomainError::validation(
            "cmNote",
            format!("keep the note to {MAX_CM_NOTE_CHARS} characters"),
        ));
    }
    Ok(note)
}

/// The full record, as its history keeps it.
pub fn snapshot(s: &services::Model) -> Value {
    json!({
        "id": s.id,
        "version": s.version,
        "clientId": s.client_id,
        "enrollmentId": s.enrollment_id,
        "kind": s.kind,
        "serviceType": s.service_type,
        "serviceDate": s.service_date,
        "providerAgencyId": s.provider_agency_id,
        "cmMinutes": s.cm_minutes,
        "cmNote": s.cm_note,
    })
}

/// The audit log holds no free text about a client: whether a note was there, not the note
/// itself, which the service's history keeps under SRV-2.
fn audited(s: &services::Model) -> Value {
    let mut v = snapshot(s);
    if let Some(map) = v.as_object_mut() {
        map.remove("cmNote");
        map.insert("cmNoteSet".into(), json!(s.cm_note.is_some()));
    }
    v
}

fn stale(current: &services::Model) -> DomainError {
    DomainError::Conflict {
        message: format!(
            "this service changed since you read it: version {} is current",
            current.version
        ),
        current: snapshot(current),
    }
}

/// What the rules need to know about a service.
pub(super) fn facts(s: &services::Model) -> RecordFacts {
    RecordFacts::Service {
        provider: provider(s),
        provider_agency: s.provider_agency_id,
    }
}

pub(super) fn provider(s: &services::Model) -> Provenance {
    Provenance {
        user: s.created_by_user,
        agency: Some(s.provider_agency_id),
    }
}

fn view(ctx: &RecordCtx, service: services::Model) -> DomainResult<ServiceView> {
    let facts = facts(&service);
    let notes = ctx.decide(RecordAction::ReadServiceNotes, &facts);
    let access = vec![
        ("edit", ctx.decide(RecordAction::EditService, &facts)),
        ("delete", ctx.decide(RecordAction::DeleteService, &facts)),
        ("readNotes", notes.clone()),
    ];
    Ok(ServiceView {
        kind: ServiceKind::of_row(&service.kind)?,
        service,
        notes,
        access,
        plan_version: ctx.plan_version,
    })
}

/// A service is linked only to a stay of the same client in one of the provider's own
/// projects: linking to another agency's enrollment would pin that enrollment (services are
/// never deleted) and so take its deletion away from its owner (ENR-1).
async fn check_enrollment(
    ctx: &RecordCtx,
    client_id: Uuid,
    provider: Uuid,
    enrollment_id: Option<Uuid>,
) -> DomainResult<()> {
    let Some(id) = enrollment_id else {
        return Ok(());
    };
    let refused = || {
        DomainError::validation(
            "enrollmentId",
            "link a service only to this client's enrollment in one of your agency's projects",
        )
    };
    let enrollment = store::enrollments::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .filter(|e| e.client_id == client_id)
        .ok_or_else(refused)?;
    let project = store::enrollments::project(ctx.tx(), ctx.tenant(), enrollment.project_id)
        .await?
        .ok_or_else(refused)?;
    if project.agency_id != provider {
        return Err(refused());
    }
    Ok(())
}

/// Records a need, service or referral provided by the viewer's agency.
pub async fn record(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: NewService,
) -> DomainResult<ServiceView> {
    let caller: Caller<'_> = caller.into();
    let user = caller.user(state, Scope::ServicesWrite).await?;
    let Some(provider) = user.agency_id else {
        return Err(DomainError::validation(
            "agency",
            "a service is recorded by the agency that provided it, and Data Center users belong \
             to no agency: sign in as a user of the providing agency",
        ));
    };
    let ctx = RecordCtx::begin(state, caller, Scope::ServicesWrite).await?;
    let client = client_for_write(&ctx, state, "service.record", input.client_id).await?;
    let service_type = DisplayName::parse("serviceType", &input.service_type)?;
    let minutes = cm_minutes(input.cm_minutes)?;
    let note = cm_note(input.cm_note)?;
    check_enrollment(&ctx, client.id, provider, input.enrollment_id).await?;
    let by = ctx.stamp();
    let service = store::services::insert(
        ctx.tx(),
        services::ActiveModel {
            tenant_id: Set(ctx.tenant()),
            id: Set(Uuid::now_v7()),
            client_id: Set(client.id),
            enrollment_id: Set(input.enrollment_id),
            kind: Set(input.kind.as_str().to_owned()),
            service_type: Set(service_type.as_str().to_owned()),
            service_date: Set(input.service_date),
            provider_agency_id: Set(provider),
            cm_minutes: Set(minutes),
            cm_note: Set(note),
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
    store::services::append_history(ctx.tx(), &service, snapshot(&service), by, ctx.now).await?;
    ctx.audit_write(
        "service.record",
        service.id,
        json!({ "after": audited(&service), "plan_version": ctx.plan_version }),
    )
    .await?;
    let view = view(&ctx, service)?;
    ctx.commit().await?;
    Ok(view)
}

/// SRV-1 under LOCK-1: the providing agency edits; the new version joins the history.
pub async fn update(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    change: ServiceChange,
) -> DomainResult<ServiceView> {
    let ctx = RecordCtx::begin(state, caller, Scope::ServicesWrite).await?;
    let before = store::services::get(ctx.tx(), ctx.tenant(), change.id)
        .await?
        .ok_or(DomainError::NotFound("service"))?;
    let decision = ctx.decide(RecordAction::EditService, &facts(&before));
    ctx.require(state, "service.update", before.id, decision)
        .await?;
    if !records::check_version(change.expected_version, before.version).allowed {
        let conflict = stale(&before);
        return Err(ctx
            .refuse_stale(state, "service.update", before.id, conflict)
            .await);
    }
    let mut row = before.clone().into_active_model();
    if let Some(kind) = change.kind {
        row.kind = Set(kind.as_str().to_owned());
    }
    if let Some(service_type) = change.service_type {
        row.service_type = Set(DisplayName::parse("serviceType", &service_type)?
            .as_str()
            .to_owned());
    }
    if let Some(date) = change.service_date {
        row.service_date = Set(date);
    }
    if let Some(enrollment_id) = change.enrollment_id {
        check_enrollment(
            &ctx,
            before.client_id,
            before.provider_agency_id,
            enrollment_id,
        )
        .await?;
        row.enrollment_id = Set(enrollment_id);
    }
    if let Some(minutes) = change.cm_minutes {
        row.cm_minutes = Set(cm_minutes(minutes)?);
    }
    if let Some(note) = change.cm_note {
        row.cm_note = Set(cm_note(note)?);
    }
    let by = ctx.stamp();
    row.updated_by_user = Set(by.user);
    row.updated_by_agency = Set(by.agency);
    row.updated_at = Set(ctx.now);
    row.version = Set(before.version + 1);
    let Some(after) =
        store::versioned::update_at_version(ctx.tx(), ctx.tenant(), before.id, before.version, row)
            .await?
    else {
        return Err(ctx
            .refuse_lost_race::<services::Entity>(
                state,
                "service.update",
                before.id,
                "service",
                stale,
            )
            .await);
    };
    store::services::append_history(ctx.tx(), &after, snapshot(&after), by, ctx.now).await?;
    ctx.audit_write(
        "service.update",
        after.id,
        json!({ "before": audited(&before), "after": audited(&after), "rule": "SRV-1", "plan_version": ctx.plan_version }),
    )
    .await?;
    let view = view(&ctx, after)?;
    ctx.commit().await?;
    Ok(view)
}

/// SRV-1: always refused, and the refusal is audited. Should the policy ever allow it, the
/// database would still refuse the DELETE.
pub async fn delete(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
) -> DomainResult<Uuid> {
    let ctx = RecordCtx::begin(state, caller, Scope::ServicesWrite).await?;
    let service = store::services::get(ctx.tx(), ctx.tenant(), id)
        .await?
        .ok_or(DomainError::NotFound("service"))?;
    let decision = ctx.decide(RecordAction::DeleteService, &facts(&service));
    ctx.require(state, "service.delete", id, decision).await?;
    // SRV-1 refuses every deletion; were the policy to allow one, there is no deletion here.
    Err(DomainError::internal(anyhow::anyhow!(
        "SRV-1 allowed deleting a service transaction"
    )))
}

/// The client's services this viewer may see (PLAN-1), with notes hidden where SRV-2 says.
pub async fn of_client(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    window: Window,
) -> DomainResult<Page<ServiceView>> {
    let ctx = RecordCtx::read(state, caller, Scope::ServicesRead).await?;
    ctx.client(client_id).await?;
    // The Data Center's own services are not told apart in the query: its rows are filtered
    // below, as every row is.
    let scope = ctx.narrowed_to(Element::SERVICES).flatten();
    let page =
        store::services::page_of_client(ctx.tx(), ctx.tenant(), client_id, scope, window).await?;
    let actor = ctx.actor();
    let rows = page
        .rows
        .into_iter()
        .filter(|s| records::read(&actor, Element::SERVICES, &provider(s), ctx.plan()).allowed)
        .map(|s| view(&ctx, s))
        .collect::<DomainResult<Vec<_>>>()?;
    ctx.commit().await?;
    Ok(Page {
        rows,
        info: page.info,
    })
}

/// SRV-1: every version of a service, newest first, notes hidden where SRV-2 says.
pub async fn history(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    service_id: Uuid,
    window: Window,
) -> DomainResult<(Page<HistoryView>, i32)> {
    let ctx = RecordCtx::read(state, caller, Scope::ServicesRead).await?;
    let service = store::services::get(ctx.tx(), ctx.tenant(), service_id)
        .await?
        .ok_or(DomainError::NotFound("service"))?;
    let actor = ctx.actor();
    let read = records::read(&actor, Element::SERVICES, &provider(&service), ctx.plan());
    ctx.require(state, "service.history", service.id, read)
        .await?;
    let notes = ctx.decide(RecordAction::ReadServiceNotes, &facts(&service));
    let page = store::services::history(ctx.tx(), ctx.tenant(), service.id, window).await?;
    let plan_version = ctx.plan_version;
    ctx.commit().await?;
    let rows = page
        .rows
        .into_iter()
        .map(|entry| {
            let kept = serde_json::from_value(entry.snapshot.clone()).map_err(|e| {
                DomainError::internal(
                    anyhow::Error::new(e)
                        .context(format!("service history row {} does not parse", entry.id)),
                )
            })?;
            Ok(HistoryView {
                entry,
                kept,
                notes: notes.clone(),
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    Ok((
        Page {
            rows,
            info: page.info,
        },
        plan_version,
    ))
}
