//! ENR-4 findings.
use chrono::{DateTime, Utc};
use entities::inconsistencies;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;

/// A client's findings not yet resolved.
pub async fn open_of_client(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
) -> DomainResult<Vec<inconsistencies::Model>> {
    Ok(inconsistencies::Entity::find()
        .filter(inconsistencies::Column::TenantId.eq(tenant_id))
        .filter(inconsistencies::Column::ClientId.eq(client_id))
        .filter(inconsistencies::Column::ResolvedAt.is_null())
        .all(db)
        .await?)
}

pub async fn insert(
    db: &impl ConnectionTrait,
    finding: inconsistencies::ActiveModel,
) -> DomainResult<()> {
    finding.insert(db).await?;
    Ok(())
}

pub async fn resolve(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    inconsistencies::Entity::update_many()
        .col_expr(inconsistencies::Column::ResolvedAt, Expr::value(Some(at)))
        .filter(inconsistencies::Column::TenantId.eq(tenant_id))
        .filter(inconsistencies::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Open findings, newest first; `agency` limits them to those one of whose stays it owns.
pub async fn open_page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency: Option<Uuid>,
    window: Window,
) -> DomainResult<Page<inconsistencies::Model>> {
    let mut query = inconsistencies::Entity::find()
        .filter(inconsistencies::Column::TenantId.eq(tenant_id))
        .filter(inconsistencies::Column::ResolvedAt.is_null());
    if let Some(agency) = agency {
        query = query.filter(
            Condition::any()
                .add(inconsistencies::Column::EnrollmentAgency.eq(agency))
                .add(inconsistencies::Column::OtherAgency.eq(agency)),
        );
    }
    super::keyset_page(
        db,
        query,
        inconsistencies::Column::Id,
        IdOrder::NewestFirst,
        window,
    )
    .await
}
