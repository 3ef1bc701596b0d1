//! Clients and their demographics: DEM-1 (read), DEM-2 (documented override, history kept),
//! DEM-3 (undocumented different value becomes a data conflict), PROV-1, AUD-2, LOCK-1.
use std::collections::HashMap;

use entities::{client_field_values, clients, data_conflicts};
use sea_orm::{IntoActiveModel, Set};
use serde_json::json;
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use super::demographics::{self, DemographicField};
use super::ssn::SsnOwner;
use crate::auth::TenantUser;
use crate::cases::lifecycle;
use crate::error::{DomainError, DomainResult};
use crate::page::{ContainsText, Window};
use crate::policy::Decision;
use crate::policy::actions::{self, RecordAction, RecordFacts};
use crate::policy::records::{self, DemographicChange, Element, Provenance};
use crate::policy::roles::Role;
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
pub use crate::store::clients::ShownIn;
use crate::store::{self, Page};
use crate::values::ConflictStatus;
use crate::webhooks::{Subject, WebhookEvent};

/// A client as one viewer may see it, with the provenance of every value.
pub struct ClientView {
    pub client: clients::Model,
    pub values: HashMap<String, client_field_values::Model>,
    pub viewer: TenantUser,
    pub plan_version: i32,
    pub plan_document: crate::policy::plan::PlanDocument,
}

impl ClientView {
    /// The client as the viewer of `ctx` sees it, under the plan version in force.
    pub(super) fn seen_in(
        ctx: &RecordCtx,
        client: clients::Model,
        values: HashMap<String, client_field_values::Model>,
    ) -> Self {
        Self {
            client,
            values,
            viewer: ctx.user.clone(),
            plan_version: ctx.plan_version,
            plan_document: ctx.plan_document.clone(),
        }
    }

    /// Who entered the current value of `field`: its history row, or the client's creator.
    pub fn entered(&self, field: DemographicField) -> Provenance {
        self.values.get(field.key()).map_or(
            Provenance {
                user: self.client.created_by_user,
                agency: self.client.created_by_agency,
            },
            |v| Provenance {
                user: v.entered_by_user,
                agency: v.entered_by_agency,
            },
        )
    }

    pub fn plan(&self) -> records::Plan<'_> {
        records::Plan {
            version: self.plan_version,
            document: &self.plan_document,
        }
    }

    /// What the rules need to know about the client for a change of `field`.
    pub fn facts(&self, field: DemographicField) -> RecordFacts {
        RecordFacts::Client {
            creator: Provenance {
                user: self.client.created_by_user,
                agency: self.client.created_by_agency,
            },
            entered: self.entered(field),
        }
    }

    /// The one decision of `action` on this client (`policy::actions::decide`), within the
    /// viewer's scopes (`SVC-2`).
    fn decide(&self, action: RecordAction, field: DemographicField) -> Decision {
        let decision = actions::decide(
            action,
            &self.viewer.actor(),
            &self.facts(field),
            self.plan(),
        )
        .unwrap_or_else(|| {
            Decision::refuse("DEM-1", format!("{action:?} does not apply to a client"))
        });
        self.viewer.within_scope(action.scope(), decision)
    }

    /// Every single-answer value as the viewer may see it, with who entered it (PROV-1) and
    /// what the viewer may do with it: `editWithDocumentation` (DEM-2) and
    /// `editWithoutDocumentation` (refused with DEM-3 where the value would become a data
    /// conflict instead of being written).
    pub fn demographics(&self) -> Vec<DemographicEntry> {
        DemographicField::ALL
            .into_iter()
            .map(|field| {
                let history = self.values.get(field.key());
                DemographicEntry {
                    field,
                    value: demographics::shown(&self.client, field),
                    typed: demographics::typed(&self.client, field),
                    entered: self.entered(field),
                    entered_at: history.map_or(self.client.created_at, |h| h.entered_at),
                    documentation_type: history.and_then(|h| h.documentation_type.clone()),
                    access: vec![
                        (
                            "editWithDocumentation",
                            self.decide(RecordAction::ChangeDemographicWithDocumentation, field),
                        ),
                        (
                            "editWithoutDocumentation",
                            self.decide(RecordAction::ChangeDemographicWithoutDocumentation, field),
                        ),
                    ],
                }
            })
            .collect()
    }

    /// What the viewer may do with the client as a whole: `view` (DEM-1).
    pub fn access(&self) -> Vec<(&'static str, Decision)> {
        let view = self.decide(RecordAction::ViewClient, DemographicField::FirstName);
        vec![("view", view)]
    }
}

/// One single-answer value of a client as a viewer sees it (`ClientView::demographics`).
pub struct DemographicEntry {
    pub field: DemographicField,
    /// As shown: an SSN only masked.
    pub value: Option<String>,
    /// The same value as what it is.
    pub typed: Option<crate::values::TypedValue>,
    pub entered: Provenance,
    pub entered_at: chrono::DateTime<chrono::Utc>,
    pub documentation_type: Option<String>,
    pub access: Vec<(&'static str, Decision)>,
}

pub struct Documentation {
    /// E.g. "birth certificate".
    pub document_type: String,
    pub attachment_id: Option<Uuid>,
}

pub struct NewClient {
    pub hmis_number: Option<String>,
    pub values: Vec<(DemographicField, Option<String>)>,
}

pub async fn create(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: NewClient,
) -> DomainResult<ClientView> {
    let ctx = RecordCtx::begin(state, caller, Scope::ClientsWrite).await?;
    let hmis_number = match input
        .hmis_number
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
    {
        Some(n) if n.len() <= 32 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => n,
        Some(_) => {
            return Err(DomainError::validation(
                "hmisNumber",
                "use up to 32 letters, digits and dashes",
            ));
        }
        // Random, not sequential: a sequence would be shared across tenants and reveal counts.
        None => format!("{:09}", rand::random::<u32>() % 1_000_000_000),
    };
    let client_id = Uuid::now_v7();
    let owner = SsnOwner {
        tenant_id: ctx.tenant(),
        client_id,
    };
    let mut row = store::clients::blank(ctx.tenant(), client_id, hmis_number, ctx.stamp(), ctx.now);
    let mut history = Vec::new();
    for (field, raw) in input.values {
        let parsed = demographics::parse(
            field,
            raw.as_deref(),
            &state.ssn,
            owner,
            ctx.now.date_naive(),
        )?;
        history.push((field, parsed.history.clone()));
        parsed.apply(&mut row);
    }
    let client = store::clients::insert(ctx.tx(), row).await?;
    for (field, value) in history {
        store::clients::record_value(
            ctx.tx(),
            ctx.tenant(),
            store::clients::FieldValue {
                client_id: client.id,
                field: field.key(),
                value,
                by: ctx.stamp(),
                at: ctx.now,
                documentation_type: None,
                documentation_attachment_id: None,
            },
        )
        .await?;
    }
    ctx.audit_write(
        "client.create",
        client.id,
        json!({ "hmis_number": client.hmis_number }),
    )
    .await?;
    ctx.emit(
        WebhookEvent::ClientChanged,
        client.id,
        Subject::Client(client.id),
    )
    .await?;
    let values = store::clients::current_values(ctx.tx(), ctx.tenant(), client.id).await?;
    let view = ClientView::seen_in(&ctx, client, values);
    ctx.commit().await?;
    Ok(view)
}

/// DEM-1: reads a client's profile and records the read (AUD-2).
pub async fn view(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
) -> DomainResult<ClientView> {
    let ctx = RecordCtx::read(state, caller, Scope::ClientsRead).await?;
    let (client, values) = ctx.client_with_values(client_id).await?;
    let creator = Provenance {
        user: client.created_by_user,
        agency: client.created_by_agency,
    };
    ctx.require(
        state,
        "client.view",
        client.id,
        records::read(
            &ctx.actor(),
            Element::CLIENT_DEMOGRAPHICS,
            &creator,
            ctx.plan(),
        ),
    )
    .await?;
    store::clients::record_views(
        ctx.tx(),
        ctx.tenant(),
        &[client.id],
        ShownIn::Profile,
        ctx.stamp(),
        ctx.now,
    )
    .await?;
    let view = ClientView::seen_in(&ctx, client, values);
    ctx.commit().await?;
    Ok(view)
}

/// The clients this viewer may see, a page at a time.
/// A page of the clients the viewer may see, each with the DEM-1 decision its `access` block
/// shows, and the plan version that decided.
pub async fn page(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    filter: ListFilter,
    window: Window,
) -> DomainResult<(Page<(clients::Model, Decision)>, i32)> {
    let ctx = RecordCtx::read(state, caller, Scope::ClientsRead).await?;
    let filter = store::clients::ListFilter {
        entered_by: ctx.narrowed_to(Element::CLIENT_DEMOGRAPHICS),
        hmis_number: filter
            .hmis_number
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty()),
        name: ContainsText::parse("name", filter.name.as_deref())?,
        dob: filter.dob,
        project_id: match filter.project_id {
            // A list by project says who is enrolled there (PLAN-1).
            Some(project) => Some(
                super::enrollments::readable_project(&ctx, project)
                    .await?
                    .id,
            ),
            None => None,
        },
    };
    let page = store::clients::page(ctx.tx(), ctx.tenant(), &filter, window).await?;
    let actor = ctx.actor();
    let rows = page
        .rows
        .into_iter()
        .map(|client| {
            let creator = Provenance {
                user: client.created_by_user,
                agency: client.created_by_agency,
            };
            let read = records::read(&actor, Element::CLIENT_DEMOGRAPHICS, &creator, ctx.plan());
            (client, read)
        })
        .collect::<Vec<_>>();
    // AUD-2: a list shows names and dates of birth as a profile does.
    let shown: Vec<Uuid> = rows
        .iter()
        .filter(|(_, read)| read.allowed)
        .map(|(client, _)| client.id)
        .collect();
    store::clients::record_views(
        ctx.tx(),
        ctx.tenant(),
        &shown,
        ShownIn::List,
        ctx.stamp(),
        ctx.now,
    )
    .await?;
    let plan_version = ctx.plan_version;
    ctx.commit().await?;
    Ok((
        Page {
            rows,
            info: page.info,
        },
        plan_version,
    ))
}

/// What a list of clients is narrowed to by the person asking.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub hmis_number: Option<String>,
    /// Part of a name, in any case.
    pub name: Option<String>,
    pub dob: Option<chrono::NaiveDate>,
    pub project_id: Option<Uuid>,
}

pub enum ChangeOutcome {
    Written(Box<ClientView>),
    ConflictRecorded(Box<data_conflicts::Model>),
}

pub struct Change {
    pub client_id: Uuid,
    pub expected_version: i32,
    pub field: DemographicField,
    pub value: Option<String>,
    pub documentation: Option<Documentation>,
}

/// DEM-2/DEM-3 under LOCK-1.
pub async fn change(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    change: Change,
) -> DomainResult<ChangeOutcome> {
    let ctx = RecordCtx::begin(state, caller, Scope::ClientsWrite).await?;
    let client = store::clients::get(ctx.tx(), ctx.tenant(), change.client_id)
        .await?
        .ok_or(DomainError::NotFound("client"))?;
    let creator = Provenance {
        user: client.created_by_user,
        agency: client.created_by_agency,
    };
    ctx.require(
        state,
        "client.change",
        client.id,
        records::read(
            &ctx.actor(),
            Element::CLIENT_DEMOGRAPHICS,
            &creator,
            ctx.plan(),
        ),
    )
    .await?;
    let current_version = client.version;
    if !records::check_version(change.expected_version, current_version).allowed {
        let conflict = stale(&client, change.field);
        return Err(ctx
            .refuse_stale(state, "client.change", client.id, conflict)
            .await);
    }
    let values = store::clients::current_values(ctx.tx(), ctx.tenant(), client.id).await?;
    let existing = values.get(change.field.key());
    let entered = existing.map_or(creator, |v| Provenance {
        user: v.entered_by_user,
        agency: v.entered_by_agency,
    });
    let owner = SsnOwner {
        tenant_id: ctx.tenant(),
        client_id: client.id,
    };
    let parsed = demographics::parse(
        change.field,
        change.value.as_deref(),
        &state.ssn,
        owner,
        ctx.now.date_naive(),
    )?;
    if let Some(attachment_id) = change.documentation.as_ref().and_then(|d| d.attachment_id) {
        require_documentation_of(&ctx, client.id, attachment_id).await?;
    }
    let documented = change
        .documentation
        .as_ref()
        .is_some_and(|d| !d.document_type.trim().is_empty());
    // The same value again is no disagreement (an SSN's history holds only its mask, so two
    // SSNs are never taken for one).
    let unchanged = change.field != DemographicField::Ssn
        && existing.is_some_and(|v| v.value == parsed.history);
    if unchanged && !documented {
        let view = ClientView::seen_in(&ctx, client, values);
        ctx.commit().await?;
        return Ok(ChangeOutcome::Written(Box::new(view)));
    }
    let decided = match records::change_demographic(&ctx.actor(), &entered, ctx.plan(), documented)
    {
        DemographicChange::RecordConflict(_)
            if lifecycle::agreed_update(&ctx, &ctx.actor(), client.id, change.field.key())
                .await? =>
        {
            DemographicChange::Write(Decision::allow("DEM-4"))
        }
        decided => decided,
    };
    match decided {
        DemographicChange::Write(decision) => {
            let view = write_value(ctx, state, client, change, parsed, decision.rule).await?;
            Ok(ChangeOutcome::Written(Box::new(view)))
        }
        DemographicChange::RecordConflict(decision) => {
            let existing = Existing {
                value: existing.map_or(json!(null), |v| v.value.clone()),
                entered,
                entered_at: existing.map_or(client.created_at, |v| v.entered_at),
            };
            let conflict =
                record_conflict(ctx, &client, change.field, existing, parsed, decision).await?;
            Ok(ChangeOutcome::ConflictRecorded(Box::new(conflict)))
        }
    }
}

/// DEM-2: the value is written over the record at the version read; the old one stays in
/// the field's history, with the documentation that allowed the change.
/// Every open conflict about the field is settled by the write (`rule`: what allowed it).
async fn write_value(
    ctx: RecordCtx,
    state: &AppState,
    client: clients::Model,
    change: Change,
    parsed: demographics::Parsed,
    rule: &'static str,
) -> DomainResult<ClientView> {
    let current_version = client.version;
    let before = demographics::shown(&client, change.field);
    let client_id = client.id;
    let mut row = client.into_active_model();
    let history = parsed.history.clone();
    parsed.apply(&mut row);
    row.version = Set(current_version + 1);
    row.updated_by_user = Set(ctx.stamp().user);
    row.updated_by_agency = Set(ctx.stamp().agency);
    row.updated_at = Set(ctx.now);
    let Some(client) = store::versioned::update_at_version(
        ctx.tx(),
        ctx.tenant(),
        client_id,
        current_version,
        row,
    )
    .await?
    else {
        // Another change got there between the check and this write.
        let current = ctx.client(client_id).await?;
        let conflict = stale(&current, change.field);
        return Err(ctx
            .refuse_stale(state, "client.change", client_id, conflict)
            .await);
    };
    let (documentation_type, documentation_attachment_id) = change
        .documentation
        .map_or((None, None), |d| (Some(d.document_type), d.attachment_id));
    store::clients::record_value(
        ctx.tx(),
        ctx.tenant(),
        store::clients::FieldValue {
            client_id: client.id,
            field: change.field.key(),
            value: history,
            by: ctx.stamp(),
            at: ctx.now,
            documentation_type,
            documentation_attachment_id,
        },
    )
    .await?;
    // The audit keeps what changed; an SSN only ever as its mask.
    ctx.audit_write(
        "client.change_demographic",
        client.id,
        json!({ "field": change.field.key(), "before": before, "after": demographics::shown(&client, change.field), "rule": rule, "plan_version": ctx.plan_version }),
    )
    .await?;
    ctx.emit(
        WebhookEvent::ClientChanged,
        client.id,
        Subject::Client(client.id),
    )
    .await?;
    lifecycle::settle_by_update(&ctx, client.id, change.field.key(), rule).await?;
    let values = store::clients::current_values(ctx.tx(), ctx.tenant(), client.id).await?;
    let view = ClientView::seen_in(&ctx, client, values);
    ctx.commit().await?;
    Ok(view)
}

/// The value a data conflict is about, as the record holds it.
struct Existing {
    value: serde_json::Value,
    entered: Provenance,
    entered_at: chrono::DateTime<chrono::Utc>,
}

/// DEM-3: the proposed value is kept beside the record, not written over it, for the two
/// agencies to reconcile.
async fn record_conflict(
    ctx: RecordCtx,
    client: &clients::Model,
    field: DemographicField,
    existing: Existing,
    parsed: demographics::Parsed,
    decision: Decision,
) -> DomainResult<data_conflicts::Model> {
    let conflict = store::clients::insert_conflict(
        ctx.tx(),
        data_conflicts::ActiveModel {
            tenant_id: Set(ctx.tenant()),
            id: Set(Uuid::now_v7()),
            client_id: Set(client.id),
            field: Set(field.key().to_owned()),
            existing_value: Set(existing.value),
            existing_entered_by_user: Set(existing.entered.user),
            existing_entered_by_agency: Set(existing.entered.agency),
            existing_entered_at: Set(existing.entered_at),
            proposed_value: Set(parsed.history.clone()),
            reported_by_user: Set(ctx.stamp().user),
            reported_by_agency: Set(ctx.stamp().agency),
            reported_at: Set(ctx.now),
            status: Set(ConflictStatus::Open.as_str().into()),
            version: Set(1),
        },
    )
    .await?;
    let case = lifecycle::open_for_conflict(&ctx, client, &conflict).await?;
    ctx.audit_write(
        "client.data_conflict",
        client.id,
        json!({ "field": field.key(), "conflict": conflict.id, "case": case.id, "rule": decision.rule, "plan_version": ctx.plan_version }),
    )
    .await?;
    ctx.commit().await?;
    Ok(conflict)
}

/// AUD-2: one time a client was shown to someone.
pub struct ViewEntry {
    pub id: Uuid,
    pub viewer_user_id: Uuid,
    pub viewer_agency_id: Option<Uuid>,
    pub viewed_at: chrono::DateTime<chrono::Utc>,
    pub shown_in: ShownIn,
}

/// AUD-2: who was shown a client, where and when, newest first (the Data Center only).
pub async fn views(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    window: Window,
) -> DomainResult<Page<ViewEntry>> {
    let caller: Caller<'_> = caller.into();
    let user = caller.user(state, Scope::AuditRead).await?;
    if user.role != Role::DataCenter {
        return Err(DomainError::Forbidden {
            rule: "AUD-2",
            reason: "only the Data Center lists who viewed a client".into(),
        });
    }
    let ctx = RecordCtx::read(state, caller, Scope::AuditRead).await?;
    let views = store::clients::views(ctx.tx(), ctx.tenant(), client_id, window).await?;
    ctx.commit().await?;
    let rows = views
        .rows
        .into_iter()
        .map(|v| {
            let shown_in = ShownIn::parse(&v.shown_in).ok_or_else(|| {
                DomainError::internal(anyhow::anyhow!("view {} shown in {:?}", v.id, v.shown_in))
            })?;
            Ok(ViewEntry {
                id: v.id,
                viewer_user_id: v.viewer_user_id,
                viewer_agency_id: v.viewer_agency_id,
                viewed_at: v.viewed_at,
                shown_in,
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Page {
        rows,
        info: views.info,
    })
}

/// DEM-3: the data conflicts recorded on a client the viewer may see.
pub async fn conflicts(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    client_id: Uuid,
    window: Window,
) -> DomainResult<Page<data_conflicts::Model>> {
    let ctx = RecordCtx::read(state, caller, Scope::CasesRead).await?;
    let client = ctx.client(client_id).await?;
    let creator = Provenance {
        user: client.created_by_user,
        agency: client.created_by_agency,
    };
    ctx.require(
        state,
        "client.conflicts",
        client.id,
        records::read(
            &ctx.actor(),
            Element::CLIENT_DEMOGRAPHICS,
            &creator,
            ctx.plan(),
        ),
    )
    .await?;
    let conflicts = store::clients::conflicts(ctx.tx(), ctx.tenant(), client.id).await?;
    ctx.commit().await?;
    Ok(Page::of_list(conflicts, window, |c| c.id))
}

/// DEM-2: the uploaded copy of the documentation must be a file of this client (and so of
/// this tenant) that is still there; any other file proves nothing about this client.
async fn require_documentation_of(
    ctx: &RecordCtx,
    client_id: Uuid,
    attachment_id: Uuid,
) -> DomainResult<()> {
    let attachment = store::attachments::get(ctx.tx(), ctx.tenant(), attachment_id).await?;
    if attachment.is_some_and(|a| a.client_id == client_id && a.deleted_at.is_none()) {
        return Ok(());
    }
    Err(DomainError::validation(
        "documentation.attachmentId",
        "the documentation must be a file uploaded for this client",
    ))
}

/// LOCK-1: the client changed since the caller read it; the refusal carries what is current.
fn stale(current: &clients::Model, field: DemographicField) -> DomainError {
    DomainError::Conflict {
        message: format!(
            "this client changed since you read it: version {} is current",
            current.version
        ),
        current: json!({ "version": current.version, "field": field.key(), "value": demographics::shown(current, field) }),
    }
}
