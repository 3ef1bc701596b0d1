use chrono::{DateTime, Utc};
use entities::agencies;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::{Page, is_unique_violation};
use crate::error::{DomainError, DomainResult};
use crate::page::{ContainsText, Listing, Window};
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

/// What the agencies list may be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AgencyField {
    /// When it was created.
    #[default]
    Created,
    Name,
}

/// Which agencies a list holds; every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct AgencyFilter {
    pub name_contains: Option<ContainsText>,
    /// Only those not deactivated (`true`) or only those deactivated.
    pub active: Option<bool>,
}

pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    listing: &Listing<AgencyFilter, AgencyField>,
    window: Window,
) -> DomainResult<Page<agencies::Model>> {
    let (filter, sort) = (&listing.filter, listing.sort);
    let mut query = agencies::Entity::find().filter(agencies::Column::TenantId.eq(tenant_id));
    if let Some(text) = &filter.name_contains {
        query = query.filter(super::contains(agencies::Column::Name, text));
    }
    if let Some(active) = filter.active {
        query = query.filter(super::active_is(agencies::Column::DeactivatedAt, active));
    }
    let key = match sort.by {
        AgencyField::Created => None,
        AgencyField::Name => Some(agencies::Column::Name),
    };
    super::sorted_page(
        db,
        query,
        agencies::Column::Id,
        key,
        sort.descending,
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
