//! Password reset requests: one row per request, e-mailed through the outbox.
use chrono::{DateTime, Utc};
use entities::password_resets;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::DomainResult;

pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> DomainResult<Uuid> {
    let id = Uuid::now_v7();
    password_resets::Entity::insert(password_resets::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(id),
        user_id: Set(user_id),
        token_hash: Set(None),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<password_resets::Model>> {
    Ok(password_resets::Entity::find()
        .filter(password_resets::Column::TenantId.eq(tenant_id))
        .filter(password_resets::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// The request whose e-mailed token hashes to `token_hash`.
pub async fn by_token_hash(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    token_hash: &str,
) -> DomainResult<Option<password_resets::Model>> {
    Ok(password_resets::Entity::find()
        .filter(password_resets::Column::TenantId.eq(tenant_id))
        .filter(password_resets::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?)
}

pub async fn set_token_hash(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    token_hash: String,
) -> DomainResult<()> {
    password_resets::Entity::update_many()
        .col_expr(
            password_resets::Column::TokenHash,
            Expr::value(Some(token_hash)),
        )
        .filter(password_resets::Column::TenantId.eq(tenant_id))
        .filter(password_resets::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Spends the request — only if unspent, so that of two uses at once one wins. Whether this
/// call spent it.
pub async fn spend(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let done = password_resets::Entity::update_many()
        .col_expr(password_resets::Column::UsedAt, Expr::value(Some(now)))
        .filter(password_resets::Column::TenantId.eq(tenant_id))
        .filter(password_resets::Column::Id.eq(id))
        .filter(password_resets::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}
