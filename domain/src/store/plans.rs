//! Sharing plan versions (SPEC §3). Rows are immutable: PostgreSQL refuses UPDATE and DELETE
//! on `plan_versions`, so publishing always adds the next version and the active plan is the
//! latest one.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use entities::plan_versions;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{Page, is_unique_violation};
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::policy::plan::{self, PlanDocument};
use crate::policy::records::Plan;

/// Publishes `document` as the tenant's next version. A document that does not validate is
/// never stored.
pub async fn publish(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    template: &str,
    document: &PlanDocument,
    published_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> DomainResult<plan_versions::Model> {
    plan::validate(document)?;
    let version = active(db, tenant_id).await?.map_or(1, |v| v.version + 1);
    plan_versions::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        version: Set(version),
        template: Set(template.to_owned()),
        document: Set(serde_json::to_value(document).map_err(DomainError::internal)?),
        published_by: Set(published_by),
        published_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            DomainError::Conflict {
                message: format!(
                    "version {version} of the sharing plan was published by someone else at \
                     the same moment; reload the plan and publish again"
                ),
                current: serde_json::Value::Null,
            }
        } else {
            e.into()
        }
    })
}

/// The active plan is the latest published version.
pub async fn active(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> DomainResult<Option<plan_versions::Model>> {
    Ok(plan_versions::Entity::find()
        .filter(plan_versions::Column::TenantId.eq(tenant_id))
        .order_by_desc(plan_versions::Column::Version)
        .one(db)
        .await?)
}

/// A plan version with its typed document, as decisions are made under it.
#[derive(Clone, Debug)]
pub struct PlanVersion {
    pub version: i32,
    pub document: PlanDocument,
}

impl PlanVersion {
    pub fn plan(&self) -> Plan<'_> {
        Plan {
            version: self.version,
            document: &self.document,
        }
    }
}

/// The active version, typed: what every decision is made under. Every tenant has one from
/// sign-up on, so its absence is an internal error.
pub async fn in_force(db: &impl ConnectionTrait, tenant_id: Uuid) -> DomainResult<PlanVersion> {
    let row = active(db, tenant_id).await?.ok_or_else(|| {
        DomainError::internal(anyhow::anyhow!("tenant {tenant_id} has no sharing plan"))
    })?;
    Ok(PlanVersion {
        version: row.version,
        document: document(&row)?,
    })
}

/// The plan version each tenant's requests were last decided under, held in process. A
/// published version never changes (the table refuses UPDATE), so a held version stays right;
/// which version is in force is still read from the database by every request (the session
/// check's `plan_version`), so a version published through another API process is in force at
/// the next request here too. One entry per tenant: only the newest version seen is kept.
#[derive(Clone, Default)]
pub struct PlanCache(Arc<Mutex<HashMap<Uuid, PlanVersion>>>);

impl PlanCache {
    /// Version `version` of the tenant's plan, read and parsed once per process.
    pub async fn version(
        &self,
        db: &impl ConnectionTrait,
        tenant_id: Uuid,
        version: i32,
    ) -> DomainResult<PlanVersion> {
        if let Some(plan) = self.held(tenant_id).filter(|plan| plan.version == version) {
            return Ok(plan);
        }
        let row = get(db, tenant_id, VersionKey::Number(version))
            .await?
            .ok_or_else(|| {
                DomainError::internal(anyhow::anyhow!(
                    "tenant {tenant_id} has no plan version {version}"
                ))
            })?;
        let plan = PlanVersion {
            version,
            document: document(&row)?,
        };
        let mut held = self.lock();
        if held.get(&tenant_id).is_none_or(|h| h.version < version) {
            held.insert(tenant_id, plan.clone());
        }
        Ok(plan)
    }

    fn held(&self, tenant_id: Uuid) -> Option<PlanVersion> {
        self.lock().get(&tenant_id).cloned()
    }

    /// A poisoned lock only means another request panicked; every held version is whole.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, PlanVersion>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The typed document a version holds.
pub fn document(row: &plan_versions::Model) -> DomainResult<PlanDocument> {
    serde_json::from_value(row.document.clone()).map_err(|e| {
        DomainError::internal(anyhow::Error::new(e).context(format!(
            "plan version {} of tenant {} does not parse",
            row.version, row.tenant_id
        )))
    })
}

/// A version by its number.
pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    version: VersionKey,
) -> DomainResult<Option<plan_versions::Model>> {
    let query = plan_versions::Entity::find().filter(plan_versions::Column::TenantId.eq(tenant_id));
    let query = match version {
        VersionKey::Number(number) => query.filter(plan_versions::Column::Version.eq(number)),
        VersionKey::Id(id) => query.filter(plan_versions::Column::Id.eq(id)),
    };
    Ok(query.one(db).await?)
}

/// How a plan version is named: by its number in the tenant, or by its id.
#[derive(Clone, Copy, Debug)]
pub enum VersionKey {
    Number(i32),
    Id(Uuid),
}

/// Versions newest first (by version number), `window` around the version whose id is its
/// cursor.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    window: Window,
) -> DomainResult<Page<plan_versions::Model>> {
    let mut query =
        plan_versions::Entity::find().filter(plan_versions::Column::TenantId.eq(tenant_id));
    let total = super::count_if_asked(db, &query, window).await?;
    if let Some(cursor) = window.cursor {
        let cursor = plan_versions::Entity::find()
            .filter(plan_versions::Column::TenantId.eq(tenant_id))
            .filter(plan_versions::Column::Id.eq(cursor))
            .one(db)
            .await?
            .ok_or_else(|| {
                DomainError::validation("cursor", "this cursor is not one Concord gave out")
            })?;
        query = query.filter(if window.is_backward() {
            plan_versions::Column::Version.gt(cursor.version)
        } else {
            plan_versions::Column::Version.lt(cursor.version)
        });
    }
    query = if window.is_backward() {
        query.order_by_asc(plan_versions::Column::Version)
    } else {
        query.order_by_desc(plan_versions::Column::Version)
    };
    let rows = query.limit(window.overfetch()).all(db).await?;
    Ok(Page::from_overfetch(rows, window).with_total(total))
}
