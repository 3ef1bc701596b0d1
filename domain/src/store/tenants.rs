//! The tenant registry. Not tenant data (no client data, no RLS): login needs the tenant
//! before one is set, and the platform administrator lists every tenant.
use chrono::{DateTime, Utc};
use entities::tenants;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;
pub use crate::values::TenantStatus;
use crate::values::{CocCode, DisplayName, Slug};

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> DomainResult<Option<tenants::Model>> {
    Ok(tenants::Entity::find()
        .filter(tenants::Column::Slug.eq(slug.trim().to_ascii_lowercase()))
        .one(db)
        .await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Option<tenants::Model>> {
    Ok(tenants::Entity::find_by_id(id).one(db).await?)
}

pub async fn insert(
    db: &impl ConnectionTrait,
    id: Uuid,
    name: &DisplayName,
    code: &CocCode,
    slug: &Slug,
    status: TenantStatus,
    now: DateTime<Utc>,
) -> Result<tenants::Model, sea_orm::DbErr> {
    tenants::ActiveModel {
        id: Set(id),
        name: Set(name.as_str().to_owned()),
        coc_code: Set(code.as_str().to_owned()),
        slug: Set(slug.as_str().to_owned()),
        status: Set(status.as_str().to_owned()),
        created_at: Set(now),
        status_changed_at: Set(now),
    }
    .insert(db)
    .await
}

pub async fn set_status(
    db: &impl ConnectionTrait,
    tenant: tenants::Model,
    status: TenantStatus,
    now: DateTime<Utc>,
) -> DomainResult<tenants::Model> {
    let mut active: tenants::ActiveModel = tenant.into();
    active.status = Set(status.as_str().to_owned());
    active.status_changed_at = Set(now);
    Ok(active.update(db).await?)
}

pub async fn page(db: &impl ConnectionTrait, window: Window) -> DomainResult<Page<tenants::Model>> {
    let query = tenants::Entity::find();
    super::keyset_page(db, query, tenants::Column::Id, IdOrder::OldestFirst, window).await
}

/// The ids of the tenants whose status is active (the ones scheduled work runs for).
pub async fn active_ids(db: &impl ConnectionTrait) -> DomainResult<Vec<Uuid>> {
    Ok(tenants::Entity::find()
        .select_only()
        .column(tenants::Column::Id)
        .filter(tenants::Column::Status.eq(TenantStatus::Active.as_str()))
        .into_tuple()
        .all(db)
        .await?)
}
