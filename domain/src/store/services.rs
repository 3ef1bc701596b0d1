//! Service transactions, needs and referrals, and their history (SRV-1). Nothing here deletes:
//! PostgreSQL refuses a DELETE on `services` and any change to `service_history`.
use chrono::{DateTime, Utc};
use entities::{service_history, services};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;
use crate::policy::records::Provenance;

pub async fn insert(
    db: &impl ConnectionTrait,
    row: services::ActiveModel,
) -> DomainResult<services::Model> {
    Ok(row.insert(db).await?)
}

pub async fn get(
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

/// One client's services in id order; `provider` limits them to one providing agency (when
/// the plan does not share services).
pub async fn page_of_client(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
    provider: Option<Uuid>,
    window: Window,
) -> DomainResult<Page<services::Model>> {
    let mut query = services::Entity::find()
        .filter(services::Column::TenantId.eq(tenant_id))
        .filter(services::Column::ClientId.eq(client_id));
    if let Some(provider) = provider {
        query = query.filter(services::Column::ProviderAgencyId.eq(provider));
    }
    super::keyset_page(
        db,
        query,
        services::Column::Id,
        IdOrder::OldestFirst,
        window,
    )
    .await
}

/// SRV-1: appends one version of a service to its history.
pub async fn append_history(
    db: &impl ConnectionTrait,
    service: &services::Model,
    snapshot: Value,
    by: Provenance,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    service_history::ActiveModel {
        tenant_id: Set(service.tenant_id),
        id: Set(Uuid::now_v7()),
        service_id: Set(service.id),
        version: Set(service.version),
        snapshot: Set(snapshot),
        changed_by_user: Set(by.user),
        changed_by_agency: Set(by.agency),
        changed_at: Set(at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A service's versions, newest first, after the row whose id is `after`.
pub async fn history(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    service_id: Uuid,
    window: Window,
) -> DomainResult<Page<service_history::Model>> {
    let query = service_history::Entity::find()
        .filter(service_history::Column::TenantId.eq(tenant_id))
        .filter(service_history::Column::ServiceId.eq(service_id));
    super::keyset_page(
        db,
        query,
        service_history::Column::Id,
        IdOrder::NewestFirst,
        window,
    )
    .await
}
