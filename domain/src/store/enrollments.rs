//! Enrollments (entry/exit records) and the projects they belong to.
use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{enrollments, projects, services};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;

pub async fn insert(
    db: &impl ConnectionTrait,
    row: enrollments::ActiveModel,
) -> DomainResult<enrollments::Model> {
    Ok(row.insert(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<enrollments::Model>> {
    Ok(enrollments::Entity::find()
        .filter(enrollments::Column::TenantId.eq(tenant_id))
        .filter(enrollments::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// Every enrollment of one client with its project, oldest first, in one statement.
pub async fn of_client(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
) -> DomainResult<Vec<(enrollments::Model, projects::Model)>> {
    of_clients(db, tenant_id, &[client_id]).await
}

/// Whether any enrollment of `project_id` belongs to household `household_id`.
pub async fn household_in_project(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    project_id: Uuid,
    household_id: Uuid,
) -> DomainResult<bool> {
    let count = enrollments::Entity::find()
        .filter(enrollments::Column::TenantId.eq(tenant_id))
        .filter(enrollments::Column::ProjectId.eq(project_id))
        .filter(enrollments::Column::HouseholdId.eq(household_id))
        .count(db)
        .await?;
    Ok(count > 0)
}

/// Whether service transactions were recorded against the enrollment (they are never
/// deleted, so neither can it be).
pub async fn has_services(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    enrollment_id: Uuid,
) -> DomainResult<bool> {
    let count = services::Entity::find()
        .filter(services::Column::TenantId.eq(tenant_id))
        .filter(services::Column::EnrollmentId.eq(enrollment_id))
        .count(db)
        .await?;
    Ok(count > 0)
}

pub async fn project(
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

/// The projects with these ids, by id.
pub async fn projects(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, projects::Model>> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(projects::Entity::find()
        .filter(projects::Column::TenantId.eq(tenant_id))
        .filter(projects::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Every enrollment of these clients with its project, oldest first, in one statement (for
/// a page of clients as for one).
pub async fn of_clients(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_ids: &[Uuid],
) -> DomainResult<Vec<(enrollments::Model, projects::Model)>> {
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    let in_project = enrollments::Entity::belongs_to(projects::Entity)
        .from((
            enrollments::Column::TenantId,
            enrollments::Column::ProjectId,
        ))
        .to((projects::Column::TenantId, projects::Column::Id))
        .into();
    let rows = enrollments::Entity::find()
        .select_also(projects::Entity)
        .join(JoinType::InnerJoin, in_project)
        .filter(enrollments::Column::TenantId.eq(tenant_id))
        .filter(enrollments::Column::ClientId.is_in(client_ids.iter().copied()))
        .order_by_asc(enrollments::Column::Id)
        .all(db)
        .await?;
    // An inner join always brings the project.
    Ok(rows
        .into_iter()
        .filter_map(|(e, p)| Some((e, p?)))
        .collect())
}

/// The clients with at least one enrollment, a page at a time by id (the `ENR-4` scan).
pub async fn enrolled_clients(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Vec<Uuid>> {
    let mut query = enrollments::Entity::find()
        .select_only()
        .column(enrollments::Column::ClientId)
        .distinct()
        .filter(enrollments::Column::TenantId.eq(tenant_id))
        .order_by_asc(enrollments::Column::ClientId)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(enrollments::Column::ClientId.gt(after));
    }
    Ok(query.into_tuple().all(db).await?)
}

/// A page of a project's enrollments, in id order, that were open at some time between
/// `from` and `until` (either end may be open).
pub async fn page_of_project(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    project_id: Uuid,
    (from, until): (Option<NaiveDate>, Option<NaiveDate>),
    window: Window,
) -> DomainResult<Page<enrollments::Model>> {
    let mut query = enrollments::Entity::find()
        .filter(enrollments::Column::TenantId.eq(tenant_id))
        .filter(enrollments::Column::ProjectId.eq(project_id));
    if let Some(until) = until {
        query = query.filter(enrollments::Column::EntryDate.lte(until));
    }
    if let Some(from) = from {
        query = query.filter(
            Condition::any()
                .add(enrollments::Column::ExitDate.is_null())
                .add(enrollments::Column::ExitDate.gte(from)),
        );
    }
    super::keyset_page(
        db,
        query,
        enrollments::Column::Id,
        IdOrder::OldestFirst,
        window,
    )
    .await
}
