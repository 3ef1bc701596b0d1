//! Platform administrators' sessions. Reached only through `platform_tx` (the platform
//! database role); the request role holds no right to this table.
use chrono::{DateTime, Utc};
use entities::platform_sessions;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::error::DomainResult;

pub async fn start(
    db: &impl ConnectionTrait,
    admin_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<platform_sessions::Model> {
    Ok(platform_sessions::ActiveModel {
        id: Set(Uuid::now_v7()),
        admin_id: Set(admin_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(db)
    .await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<platform_sessions::Model>> {
    Ok(platform_sessions::Entity::find_by_id(id).one(db).await?)
}

pub async fn touch(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> DomainResult<()> {
    platform_sessions::Entity::update_many()
        .col_expr(platform_sessions::Column::LastSeenAt, Expr::value(now))
        .filter(platform_sessions::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn revoke(
    db: &impl ConnectionTrait,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    platform_sessions::Entity::update_many()
        .col_expr(platform_sessions::Column::RevokedAt, Expr::value(now))
        .col_expr(
            platform_sessions::Column::RevokedReason,
            Expr::value(reason),
        )
        .filter(platform_sessions::Column::Id.eq(id))
        .filter(platform_sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
