//! In-app messages to an agency's administrators (or the Data Center, `recipient` empty).
use chrono::{DateTime, Utc};
use entities::notifications;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::Page;
use crate::error::DomainResult;

pub async fn insert(
    db: &impl ConnectionTrait,
    notification: notifications::ActiveModel,
) -> DomainResult<notifications::Model> {
    Ok(notification.insert(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<notifications::Model>> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::TenantId.eq(tenant_id))
        .filter(notifications::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// Newest first. `recipient` limits them to one agency's (`Some(None)`: the Data Center's own);
/// `None` lists all of the tenant's.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    recipient: Option<Option<Uuid>>,
    before: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<notifications::Model>> {
    let mut query = notifications::Entity::find()
        .filter(notifications::Column::TenantId.eq(tenant_id))
        .order_by_desc(notifications::Column::Id);
    match recipient {
        Some(Some(agency)) => {
            query = query.filter(notifications::Column::RecipientAgencyId.eq(agency));
        }
        Some(None) => query = query.filter(notifications::Column::RecipientAgencyId.is_null()),
        None => {}
    }
    if let Some(before) = before {
        query = query.filter(notifications::Column::Id.lt(before));
    }
    Ok(Page::from_overfetch(
        query.limit(limit + 1).all(db).await?,
        limit,
    ))
}

/// Marks a message read once; reading it again keeps the first time.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(Some(at)))
        .filter(notifications::Column::TenantId.eq(tenant_id))
        .filter(notifications::Column::Id.eq(id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
