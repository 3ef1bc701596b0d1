use chrono::{DateTime, Utc};
use entities::agencies;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::{IdOrder, Page, is_unique_violation};
use crate::error::{DomainError, DomainResult};
use crate::page::Window;
use crate::values::DisplayName;

pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    name: &DisplayName,
    now: DateTime<Utc>,
) -> DomainResult<agencies::Model> {
    agencies::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        name: Set(name.as_str().to_owned()),
        created_at: Set(now),
        deactivated_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            DomainError::validation("name", "an agency with this name already exists")
        } else {
            e.into()
        }
    })
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<agencies::Model>> {
    Ok(agencies::Entity::find()
        .filter(agencies::Column::TenantId.eq(tenant_id))
        .filter(agencies::Column::Id.eq(id))
        .one(db)
        .await?)
}

pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    window: Window,
) -> DomainResult<Page<agencies::Model>> {
    let query = agencies::Entity::find().filter(agencies::Column::TenantId.eq(tenant_id));
    super::keyset_page(
        db,
        query,
        agencies::Column::Id,
        IdOrder::OldestFirst,
        window,
    )
    .await
}

/// The names of the tenant's agencies among `ids` (PROV-1), in one statement.
pub async fn names(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<Vec<(Uuid, String)>> {
    Ok(agencies::Entity::find()
        .select_only()
        .column(agencies::Column::Id)
        .column(agencies::Column::Name)
        .filter(agencies::Column::TenantId.eq(tenant_id))
        .filter(agencies::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

/// Renames it; the name stays unique where it lives.
pub async fn rename(
    db: &impl ConnectionTrait,
    row: agencies::Model,
    name: &DisplayName,
) -> DomainResult<agencies::Model> {
    super::registry::rename::<agencies::ActiveModel>(
        db,
        row,
        agencies::Column::Name,
        name.as_str(),
        "an agency with this name already exists",
    )
    .await
}

/// Marks it deactivated as of `now` (kept if it already was).
pub async fn deactivate(
    db: &impl ConnectionTrait,
    row: agencies::Model,
    now: DateTime<Utc>,
) -> DomainResult<agencies::Model> {
    let already = row.deactivated_at;
    super::registry::deactivate::<agencies::ActiveModel>(
        db,
        row,
        (agencies::Column::DeactivatedAt, already),
        now,
    )
    .await
}

/// The agency `id`, which must still be active: nothing new is added to a deactivated one.
pub async fn active(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    field: &'static str,
) -> DomainResult<agencies::Model> {
    let row = get(db, tenant_id, id)
        .await?
        .ok_or(DomainError::NotFound("agency"))?;
    super::registry::still_active("agency", field, row.deactivated_at)?;
    Ok(row)
}
