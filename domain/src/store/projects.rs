use chrono::{DateTime, Utc};
use entities::projects;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{Page, is_unique_violation};
use crate::error::{DomainError, DomainResult};
use crate::page::{ContainsText, Listing, Window};
use crate::values::DisplayName;

pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency_id: Uuid,
    name: &DisplayName,
    project_type: i16,
    now: DateTime<Utc>,
) -> DomainResult<projects::Model> {
    projects::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        agency_id: Set(agency_id),
        name: Set(name.as_str().to_owned()),
        project_type: Set(project_type),
        created_at: Set(now),
        deactivated_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            DomainError::validation("name", "this agency already has a project with this name")
        } else {
            e.into()
        }
    })
}

/// What the projects list may be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProjectField {
    /// When it was created.
    #[default]
    Created,
    Name,
}

/// Which projects a list holds; every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct ProjectFilter {
    pub agency_id: Option<Uuid>,
    pub name_contains: Option<ContainsText>,
    /// Only those not deactivated (`true`) or only those deactivated.
    pub active: Option<bool>,
}

pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    listing: &Listing<ProjectFilter, ProjectField>,
    window: Window,
) -> DomainResult<Page<projects::Model>> {
    let (filter, sort) = (&listing.filter, listing.sort);
    let mut query = projects::Entity::find().filter(projects::Column::TenantId.eq(tenant_id));
    if let Some(agency_id) = filter.agency_id {
        query = query.filter(projects::Column::AgencyId.eq(agency_id));
    }
    if let Some(text) = &filter.name_contains {
        query = query.filter(super::contains(projects::Column::Name, text));
    }
    if let Some(active) = filter.active {
        query = query.filter(super::active_is(projects::Column::DeactivatedAt, active));
    }
    let key = match sort.by {
        ProjectField::Created => None,
        ProjectField::Name => Some(projects::Column::Name),
    };
    super::sorted_page(
        db,
        query,
        projects::Column::Id,
        key,
        sort.descending,
        window,
    )
    .await
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<projects::Model>> {
    Ok(projects::Entity::find()
        .filter(projects::Column::TenantId.eq(tenant_id))
        .filter(projects::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// Renames it; the name stays unique where it lives.
pub async fn rename(
    db: &impl ConnectionTrait,
    row: projects::Model,
    name: &DisplayName,
) -> DomainResult<projects::Model> {
    super::registry::rename::<projects::ActiveModel>(
        db,
        row,
        projects::Column::Name,
        name.as_str(),
        "this agency already has a project with this name",
    )
    .await
}

/// Marks it deactivated as of `now` (kept if it already was).
pub async fn deactivate(
    db: &impl ConnectionTrait,
    row: projects::Model,
    now: DateTime<Utc>,
) -> DomainResult<projects::Model> {
    let already = row.deactivated_at;
    super::registry::deactivate::<projects::ActiveModel>(
        db,
        row,
        (projects::Column::DeactivatedAt, already),
        now,
    )
    .await
}

/// The project `id`, which must still be active: nothing new is added to a deactivated one.
pub async fn active(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    field: &'static str,
) -> DomainResult<projects::Model> {
    let row = get(db, tenant_id, id)
        .await?
        .ok_or(DomainError::NotFound("project"))?;
    super::registry::still_active("project", field, row.deactivated_at)?;
    Ok(row)
}
