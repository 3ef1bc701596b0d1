//! The outbox: one row per message to e-mail, beside its in-app notification.
use chrono::{DateTime, Utc};
use entities::outbox;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::error::DomainResult;

pub const PENDING: &str = "PENDING";
pub const SENT: &str = "SENT";
pub const NOT_EMAILED: &str = "NOT_EMAILED";

fn pending_row(tenant_id: Uuid, now: DateTime<Utc>) -> outbox::ActiveModel {
    outbox::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        notification_id: Set(None),
        invitation_id: Set(None),
        password_reset_id: Set(None),
        created_at: Set(now),
        status: Set(PENDING.to_owned()),
        attempts: Set(0),
        delivered_at: Set(None),
        recipients: Set(None),
        detail: Set(None),
    }
}

/// One pending row for each of these notifications, in one statement.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    notification_ids: &[Uuid],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if notification_ids.is_empty() {
        return Ok(());
    }
    let rows = notification_ids.iter().map(|id| outbox::ActiveModel {
        notification_id: Set(Some(*id)),
        ..pending_row(tenant_id, now)
    });
    outbox::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A pending row for the invitation's e-mail.
pub async fn insert_invitation(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    invitation_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    outbox::Entity::insert(outbox::ActiveModel {
        invitation_id: Set(Some(invitation_id)),
        ..pending_row(tenant_id, now)
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A pending row for the password reset's e-mail.
pub async fn insert_password_reset(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    password_reset_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    outbox::Entity::insert(outbox::ActiveModel {
        password_reset_id: Set(Some(password_reset_id)),
        ..pending_row(tenant_id, now)
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<outbox::Model>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::TenantId.eq(tenant_id))
        .filter(outbox::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// The tenant's rows still to deliver, oldest first, with the attempts made on each.
pub async fn pending(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    limit: u64,
) -> DomainResult<Vec<(Uuid, i32)>> {
    Ok(outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .column(outbox::Column::Attempts)
        .filter(outbox::Column::TenantId.eq(tenant_id))
        .filter(outbox::Column::Status.eq(PENDING))
        .order_by_asc(outbox::Column::CreatedAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Records how delivery ended (`SENT` or `NOT_EMAILED`) — only while the row is pending, so
/// a delivery that ran twice records once. Whether this call recorded it.
pub async fn finish(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    status: &str,
    recipients: i32,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let done = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(outbox::Column::DeliveredAt, Expr::value(Some(now)))
        .col_expr(outbox::Column::Recipients, Expr::value(Some(recipients)))
        .col_expr(
            outbox::Column::Detail,
            Expr::value(detail.map(str::to_owned)),
        )
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .filter(outbox::Column::TenantId.eq(tenant_id))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// A failed attempt, kept with its reason; the row stays pending for the next one.
pub async fn failed(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    reason: &str,
) -> DomainResult<()> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Detail, Expr::value(Some(reason.to_owned())))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .filter(outbox::Column::TenantId.eq(tenant_id))
        .filter(outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
