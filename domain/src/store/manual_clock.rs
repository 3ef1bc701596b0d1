//! The manual clock's offset, one row shared by every process on the database.
use entities::manual_clock;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::error::{DomainError, DomainResult};

/// Seconds ahead of the system's time.
pub async fn offset(db: &impl ConnectionTrait) -> DomainResult<i64> {
    manual_clock::Entity::find_by_id(true)
        .one(db)
        .await?
        .map(|row| row.offset_seconds)
        .ok_or_else(|| DomainError::internal(anyhow::anyhow!("the manual clock's row is missing")))
}

/// Moves the offset on by `seconds`, atomically against other processes doing the same; the
/// offset now.
pub async fn advance(db: &impl ConnectionTrait, seconds: i64) -> DomainResult<i64> {
    manual_clock::Entity::update_many()
        .col_expr(
            manual_clock::Column::OffsetSeconds,
            Expr::col(manual_clock::Column::OffsetSeconds).add(seconds),
        )
        .exec(db)
        .await?;
    offset(db).await
}
