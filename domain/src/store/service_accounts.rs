//! Service accounts: a tenant's integrations and the hash of each one's current secret.
use chrono::{DateTime, Utc};
use entities::service_accounts;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;

pub async fn insert(db: &impl ConnectionTrait, row: service_accounts::Model) -> DomainResult<()> {
    service_accounts::Entity::insert(service_accounts::ActiveModel::from(row))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<service_accounts::Model>> {
    Ok(service_accounts::Entity::find()
        .filter(service_accounts::Column::TenantId.eq(tenant_id))
        .filter(service_accounts::Column::Id.eq(id))
        .one(db)
        .await?)
}

pub async fn by_name(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    name: &str,
) -> DomainResult<Option<service_accounts::Model>> {
    Ok(service_accounts::Entity::find()
        .filter(service_accounts::Column::TenantId.eq(tenant_id))
        .filter(service_accounts::Column::Name.eq(name))
        .one(db)
        .await?)
}

/// The tenant's service accounts, revoked ones too, oldest first, after `after`.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    window: Window,
) -> DomainResult<Page<service_accounts::Model>> {
    let query =
        service_accounts::Entity::find().filter(service_accounts::Column::TenantId.eq(tenant_id));
    super::keyset_page(
        db,
        query,
        service_accounts::Column::Id,
        IdOrder::OldestFirst,
        window,
    )
    .await
}

/// The names of the service accounts among `ids` (provenance and the audit log name them).
pub async fn names(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<Vec<(Uuid, String)>> {
    Ok(service_accounts::Entity::find()
        .select_only()
        .column(service_accounts::Column::Id)
        .column(service_accounts::Column::Name)
        .filter(service_accounts::Column::TenantId.eq(tenant_id))
        .filter(service_accounts::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

/// A new secret: tokens of the old one carry the old `secret_id` and are refused.
pub async fn replace_secret(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    secret_id: Uuid,
    secret_hash: &str,
) -> DomainResult<()> {
    service_accounts::Entity::update_many()
        .col_expr(service_accounts::Column::SecretId, Expr::value(secret_id))
        .col_expr(
            service_accounts::Column::SecretHash,
            Expr::value(secret_hash),
        )
        .filter(service_accounts::Column::TenantId.eq(tenant_id))
        .filter(service_accounts::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn revoke(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    service_accounts::Entity::update_many()
        .col_expr(service_accounts::Column::RevokedAt, Expr::value(now))
        .filter(service_accounts::Column::TenantId.eq(tenant_id))
        .filter(service_accounts::Column::Id.eq(id))
        .filter(service_accounts::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn mark_token_issued(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    service_accounts::Entity::update_many()
        .col_expr(service_accounts::Column::LastTokenAt, Expr::value(now))
        .filter(service_accounts::Column::TenantId.eq(tenant_id))
        .filter(service_accounts::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
