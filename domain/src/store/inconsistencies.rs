//! ENR-4 findings.
use chrono::{DateTime, Utc};
use entities::inconsistencies;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::Page;
use crate::error::DomainResult;

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
    before: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<inconsistencies::Model>> {
    let mut query = inconsistencies::Entity::find()
        .filter(inconsistencies::Column::TenantId.eq(tenant_id))
        .filter(inconsistencies::Column::ResolvedAt.is_null())
        .order_by_desc(inconsistencies::Column::Id);
    if let Some(agency) = agency {
        query = query.filter(
            Condition::any()
                .add(inconsistencies::Column::EnrollmentAgency.eq(agency))
                .add(inconsistencies::Column::OtherAgency.eq(agency)),
        );
    }
    if let Some(before) = before {
        query = query.filter(inconsistencies::Column::Id.lt(before));
    }
    Ok(Page::from_overfetch(
        query.limit(limit + 1).all(db).await?,
        limit,
    ))
}
