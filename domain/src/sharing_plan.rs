//! The sharing plan's use cases (SPEC §3): the version in force, any earlier one, the diff
//! between two, and publishing the next version, which only the Data Center does (`ROLE-1`).
//! Validation and the diff are `policy::plan`'s; the versions are `store::plans`'.
use entities::plan_versions;
use serde_json::json;
use uuid::Uuid;

use crate::auth::onboarding::guard;
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::plan::{self, FieldChange, PlanDocument};
use crate::policy::records::Plan;
use crate::policy::roles;
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
pub use crate::store::plans::VersionKey;
use crate::store::{self, Page, audit};

/// A published version with its document read.
pub struct PlanVersion {
    pub row: plan_versions::Model,
    pub document: PlanDocument,
}

impl PlanVersion {
    fn read(row: plan_versions::Model) -> DomainResult<Self> {
        let document = store::plans::document(&row)?;
        Ok(Self { row, document })
    }
}

/// The active version: every decision is made under it.
pub async fn active(state: &AppState, caller: impl Into<Caller<'_>>) -> DomainResult<PlanVersion> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let active = store::plans::active(&tx, caller.tenant_id()).await?;
    tx.commit().await?;
    PlanVersion::read(active.ok_or(DomainError::NotFound("sharing plan"))?)
}

/// One version by its number or id; earlier versions stay readable.
pub async fn version(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    version: VersionKey,
) -> DomainResult<PlanVersion> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let row = find_version(&tx, caller.tenant_id(), version).await?;
    tx.commit().await?;
    PlanVersion::read(row)
}

/// Every published version, newest first.
pub async fn versions(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    window: Window,
) -> DomainResult<Page<PlanVersion>> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let page = store::plans::page(&tx, caller.tenant_id(), window).await?;
    tx.commit().await?;
    Ok(Page {
        rows: page
            .rows
            .into_iter()
            .map(PlanVersion::read)
            .collect::<DomainResult<_>>()?,
        info: page.info,
    })
}

/// What changed from one version to another, field by field.
pub async fn diff(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    from_version: i32,
    to_version: i32,
) -> DomainResult<Vec<FieldChange>> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let from = find_version(&tx, caller.tenant_id(), VersionKey::Number(from_version)).await?;
    let to = find_version(&tx, caller.tenant_id(), VersionKey::Number(to_version)).await?;
    tx.commit().await?;
    let (from, to) = (store::plans::document(&from)?, store::plans::document(&to)?);
    Ok(plan::diff(&from, &to))
}

/// What is published: a document edited by hand, or a built-in template by name.
pub enum Publication {
    Edited(PlanDocument),
    Template(&'static str),
}

/// The next version (Data Center only, `ROLE-1`), with an audit entry holding what changed
/// since the previous one. A document that does not validate was refused before this.
pub async fn publish(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    publication: Publication,
) -> DomainResult<PlanVersion> {
    let caller = caller.into();
    let user = caller.user(state, Scope::PlanWrite).await?;
    let now = state.clock.now();
    may_publish(state, user).await?;
    let (template, document) = match publication {
        Publication::Edited(document) => (plan::CUSTOM, document),
        Publication::Template(name) => (
            name,
            plan::template(name)
                .ok_or_else(|| DomainError::internal(anyhow::anyhow!("template {name} missing")))?,
        ),
    };
    let tx = caller.begin(state).await?;
    let previous = store::plans::in_force(&tx, user.tenant_id).await?;
    let row = store::plans::publish(
        &tx,
        user.tenant_id,
        template,
        &document,
        Some(user.user_id),
        now,
    )
    .await?;
    let changes: Vec<_> = plan::diff(&previous.document, &document)
        .into_iter()
        .map(|c| json!({ "field": c.field, "before": c.before, "after": c.after }))
        .collect();
    audit::record(
        &tx,
        audit::Entry::allowed(
            user,
            "plan.publish",
            row.id,
            json!({
                "version": row.version,
                "template": template,
                "previous_version": previous.version,
                "changes": changes,
            }),
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(PlanVersion { row, document })
}

/// What publishing `draft` would change, asked before publishing it (Data Center only,
/// `ROLE-1`): the decisions that would flip, for each role, against the version in force.
pub async fn preview(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    draft: &PlanDocument,
) -> DomainResult<Vec<plan::preview::Flip>> {
    let caller = caller.into();
    may_publish(state, caller).await?;
    plan::validate(draft)?;
    let active = active(state, caller).await?;
    let current = Plan {
        version: active.row.version,
        document: &active.document,
    };
    Ok(plan::preview::flips(current, draft))
}

/// ROLE-1, asked before anything else (an edited plan's validation included), so that only
/// the Data Center learns what is wrong with a plan.
pub async fn may_publish(state: &AppState, caller: impl Into<Caller<'_>>) -> DomainResult<()> {
    let user = caller.into().user(state, Scope::PlanWrite).await?;
    guard(
        state,
        user,
        "plan.publish",
        roles::publish_plan(&user.actor()),
    )
    .await
}

async fn find_version(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: Uuid,
    version: VersionKey,
) -> DomainResult<plan_versions::Model> {
    store::plans::get(db, tenant_id, version)
        .await?
        .ok_or(DomainError::NotFound("sharing plan version"))
}
