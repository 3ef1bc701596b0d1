//! Attachments (file metadata; the bytes are in `storage`), and what the ATT-4 checklist
//! reads: open head-of-household enrollments and the documents their clients hold.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{attachments, clients, enrollments, projects, services};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;

/// HUD 3.15: the head of household.
pub const HEAD_OF_HOUSEHOLD: i16 = 1;
/// HUD 3.08: yes.
pub const DISABLED: i16 = 1;

pub async fn insert(
    db: &impl ConnectionTrait,
    row: attachments::ActiveModel,
) -> DomainResult<attachments::Model> {
    Ok(row.insert(db).await?)
}

/// Any attachment, deleted or not.
pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<attachments::Model>> {
    Ok(attachments::Entity::find()
        .filter(attachments::Column::TenantId.eq(tenant_id))
        .filter(attachments::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// A client's attachments that are not deleted, oldest first.
pub async fn of_client(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
) -> DomainResult<Vec<attachments::Model>> {
    Ok(attachments::Entity::find()
        .filter(attachments::Column::TenantId.eq(tenant_id))
        .filter(attachments::Column::ClientId.eq(client_id))
        .filter(attachments::Column::DeletedAt.is_null())
        .order_by_asc(attachments::Column::Id)
        .all(db)
        .await?)
}

/// ATT-1: the row stays (the database refuses DELETE); it is marked deleted. LOCK-1: only
/// while it is still at `expected_version` and not deleted, checked in the same statement so
/// two racing writers cannot both pass; `false` when it was not.
pub async fn mark_deleted(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    expected_version: i32,
    by_user: Uuid,
    at: DateTime<Utc>,
) -> DomainResult<bool> {
    // Deleting bumps the version, so a second delete at the same version finds nothing.
    let row = attachments::ActiveModel {
        deleted_at: Set(Some(at)),
        deleted_by_user: Set(Some(by_user)),
        version: Set(expected_version.saturating_add(1)),
        ..Default::default()
    };
    Ok(
        super::versioned::update_at_version(db, tenant_id, id, expected_version, row)
            .await?
            .is_some(),
    )
}

pub async fn service(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<services::Model>> {
    Ok(services::Entity::find()
        .filter(services::Column::TenantId.eq(tenant_id))
        .filter(services::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// Project ids of one agency.
pub async fn agency_projects(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency_id: Uuid,
) -> DomainResult<Vec<Uuid>> {
    Ok(projects::Entity::find()
        .select_only()
        .column(projects::Column::Id)
        .filter(projects::Column::TenantId.eq(tenant_id))
        .filter(projects::Column::AgencyId.eq(agency_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// Open enrollments of heads of household, in id order; `projects` limits them to those
/// projects (an agency's).
pub async fn open_heads_of_household(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    projects: Option<&[Uuid]>,
    window: Window,
) -> DomainResult<Page<enrollments::Model>> {
    let mut query = enrollments::Entity::find()
        .filter(enrollments::Column::TenantId.eq(tenant_id))
        .filter(enrollments::Column::RelationshipToHoh.eq(HEAD_OF_HOUSEHOLD))
        .filter(enrollments::Column::ExitDate.is_null());
    if let Some(projects) = projects {
        query = query.filter(enrollments::Column::ProjectId.is_in(projects.iter().copied()));
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

/// The categories (as stored) of each client's attachments that are not deleted.
pub async fn categories_held(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, HashSet<String>>> {
    let rows: Vec<(Uuid, String)> = attachments::Entity::find()
        .select_only()
        .column(attachments::Column::ClientId)
        .column(attachments::Column::Category)
        .filter(attachments::Column::TenantId.eq(tenant_id))
        .filter(attachments::Column::ClientId.is_in(client_ids.iter().copied()))
        .filter(attachments::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut held: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for (client, category) in rows {
        held.entry(client).or_default().insert(category);
    }
    Ok(held)
}

/// HMIS numbers of clients (COM-1: the id the checklist names them by).
pub async fn hmis_numbers(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, String)> = clients::Entity::find()
        .select_only()
        .column(clients::Column::Id)
        .column(clients::Column::HmisNumber)
        .filter(clients::Column::TenantId.eq(tenant_id))
        .filter(clients::Column::Id.is_in(client_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The agency owning each of these projects.
pub async fn project_agencies(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    project_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Uuid>> {
    let rows: Vec<(Uuid, Uuid)> = projects::Entity::find()
        .select_only()
        .column(projects::Column::Id)
        .column(projects::Column::AgencyId)
        .filter(projects::Column::TenantId.eq(tenant_id))
        .filter(projects::Column::Id.is_in(project_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
