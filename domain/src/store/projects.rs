use chrono::{DateTime, Utc};
use entities::projects;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{Page, is_unique_violation};
use crate::error::{DomainError, DomainResult};
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

pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<projects::Model>> {
    let mut query = projects::Entity::find()
        .filter(projects::Column::TenantId.eq(tenant_id))
        .order_by_asc(projects::Column::Id);
    if let Some(agency_id) = agency_id {
        query = query.filter(projects::Column::AgencyId.eq(agency_id));
    }
    if let Some(after) = after {
        query = query.filter(projects::Column::Id.gt(after));
    }
    Ok(Page::from_overfetch(
        query.limit(limit + 1).all(db).await?,
        limit,
    ))
}
