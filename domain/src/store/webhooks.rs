//! Webhook endpoints and their deliveries: one delivery row per event and endpoint, written in
//! the transaction of the change it reports (an outbox of its own), then tried until answered.
use chrono::{DateTime, Utc};
use entities::{webhook_deliveries, webhook_endpoints};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;

pub const PENDING: &str = "PENDING";
pub const DELIVERED: &str = "DELIVERED";
pub const FAILED: &str = "FAILED";

/// `events` as stored: each kind between commas (readable in a query as `LIKE '%,KIND,%'`).
pub fn events_column<'a>(kinds: impl IntoIterator<Item = &'a str>) -> String {
    let mut column = String::from(",");
    for kind in kinds {
        column.push_str(kind);
        column.push(',');
    }
    column
}

/// The kinds of a stored `events` column.
pub fn events_of(column: &str) -> impl Iterator<Item = &str> {
    column.split(',').filter(|kind| !kind.is_empty())
}

pub async fn insert_endpoint(
    db: &impl ConnectionTrait,
    row: webhook_endpoints::Model,
) -> DomainResult<()> {
    webhook_endpoints::Entity::insert(webhook_endpoints::ActiveModel::from(row))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The endpoint, removed or not.
pub async fn endpoint(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<webhook_endpoints::Model>> {
    Ok(webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::TenantId.eq(tenant_id))
        .filter(webhook_endpoints::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// The tenant's endpoints still registered, oldest first.
pub async fn active_endpoints(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> DomainResult<Vec<webhook_endpoints::Model>> {
    Ok(webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::TenantId.eq(tenant_id))
        .filter(webhook_endpoints::Column::RemovedAt.is_null())
        .order_by_asc(webhook_endpoints::Column::Id)
        .all(db)
        .await?)
}

pub async fn count_active_endpoints(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> DomainResult<u64> {
    Ok(webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::TenantId.eq(tenant_id))
        .filter(webhook_endpoints::Column::RemovedAt.is_null())
        .count(db)
        .await?)
}

/// Marks the endpoint removed; whether it was registered until now.
pub async fn remove_endpoint(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let done = webhook_endpoints::Entity::update_many()
        .col_expr(webhook_endpoints::Column::RemovedAt, Expr::value(Some(now)))
        .filter(webhook_endpoints::Column::TenantId.eq(tenant_id))
        .filter(webhook_endpoints::Column::Id.eq(id))
        .filter(webhook_endpoints::Column::RemovedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// What an event is about.
#[derive(Clone, Copy, Debug)]
pub struct Occurrence<'a> {
    pub event: &'a str,
    pub client_id: Option<Uuid>,
    pub subject_type: &'a str,
    pub subject_id: Uuid,
}

/// One pending delivery of each occurrence to each endpoint registered for its kind: one
/// statement reads the tenant's endpoints (the only one when none is registered), one writes
/// the deliveries.
pub async fn emit(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    occurrences: &[Occurrence<'_>],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if occurrences.is_empty() {
        return Ok(());
    }
    let endpoints: Vec<(Uuid, String)> = webhook_endpoints::Entity::find()
        .select_only()
        .column(webhook_endpoints::Column::Id)
        .column(webhook_endpoints::Column::Events)
        .filter(webhook_endpoints::Column::TenantId.eq(tenant_id))
        .filter(webhook_endpoints::Column::RemovedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let rows: Vec<webhook_deliveries::ActiveModel> = occurrences
        .iter()
        .flat_map(|occurrence| {
            endpoints
                .iter()
                .filter(|(_, events)| events_of(events).any(|kind| kind == occurrence.event))
                .map(move |(endpoint_id, _)| webhook_deliveries::ActiveModel {
                    tenant_id: Set(tenant_id),
                    id: Set(Uuid::now_v7()),
                    endpoint_id: Set(*endpoint_id),
                    event: Set(occurrence.event.to_owned()),
                    client_id: Set(occurrence.client_id),
                    subject_type: Set(occurrence.subject_type.to_owned()),
                    subject_id: Set(occurrence.subject_id),
                    occurred_at: Set(now),
                    status: Set(PENDING.to_owned()),
                    attempts: Set(0),
                    next_attempt_at: Set(now),
                    last_status: Set(None),
                    last_error: Set(None),
                    delivered_at: Set(None),
                })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    webhook_deliveries::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The tenant's deliveries due by `now`, the longest waiting first, with the attempts made.
pub async fn due(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    now: DateTime<Utc>,
    limit: u64,
) -> DomainResult<Vec<(Uuid, i32)>> {
    Ok(webhook_deliveries::Entity::find()
        .select_only()
        .column(webhook_deliveries::Column::Id)
        .column(webhook_deliveries::Column::Attempts)
        .filter(webhook_deliveries::Column::TenantId.eq(tenant_id))
        .filter(webhook_deliveries::Column::Status.eq(PENDING))
        .filter(webhook_deliveries::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_deliveries::Column::NextAttemptAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn delivery(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<webhook_deliveries::Model>> {
    Ok(webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::TenantId.eq(tenant_id))
        .filter(webhook_deliveries::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// How one attempt ended.
#[derive(Clone, Debug)]
pub struct Attempt<'a> {
    /// The attempts made before this one, as read when it started.
    pub attempts_before: i32,
    /// `DELIVERED`, `FAILED` (given up) or `PENDING` (to try again at `next_attempt_at`).
    pub status: &'a str,
    pub http_status: Option<i32>,
    pub error: Option<&'a str>,
    pub next_attempt_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// Records an attempt — only on a pending row whose attempts are still those read before it,
/// so that of two runs of one attempt only one records. Whether this call recorded it.
pub async fn record_attempt(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    attempt: Attempt<'_>,
) -> DomainResult<bool> {
    let delivered_at = (attempt.status == DELIVERED).then_some(attempt.now);
    let done = webhook_deliveries::Entity::update_many()
        .col_expr(
            webhook_deliveries::Column::Status,
            Expr::value(attempt.status),
        )
        .col_expr(
            webhook_deliveries::Column::Attempts,
            Expr::value(attempt.attempts_before.saturating_add(1)),
        )
        .col_expr(
            webhook_deliveries::Column::NextAttemptAt,
            Expr::value(attempt.next_attempt_at),
        )
        .col_expr(
            webhook_deliveries::Column::LastStatus,
            Expr::value(attempt.http_status),
        )
        .col_expr(
            webhook_deliveries::Column::LastError,
            Expr::value(attempt.error.map(str::to_owned)),
        )
        .col_expr(
            webhook_deliveries::Column::DeliveredAt,
            Expr::value(delivered_at),
        )
        .filter(webhook_deliveries::Column::TenantId.eq(tenant_id))
        .filter(webhook_deliveries::Column::Id.eq(id))
        .filter(webhook_deliveries::Column::Status.eq(PENDING))
        .filter(webhook_deliveries::Column::Attempts.eq(attempt.attempts_before))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// A page of the endpoint's deliveries, newest first, before the delivery `before`.
pub async fn deliveries_page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    endpoint_id: Uuid,
    window: Window,
) -> DomainResult<Page<webhook_deliveries::Model>> {
    let query = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::TenantId.eq(tenant_id))
        .filter(webhook_deliveries::Column::EndpointId.eq(endpoint_id));
    super::keyset_page(
        db,
        query,
        webhook_deliveries::Column::Id,
        IdOrder::NewestFirst,
        window,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_events_column_reads_back_as_its_kinds() {
        let column = events_column(["CASE_OPENED", "CLIENT_CHANGED"]);
        assert_eq!(column, ",CASE_OPENED,CLIENT_CHANGED,");
        assert_eq!(
            events_of(&column).collect::<Vec<_>>(),
            ["CASE_OPENED", "CLIENT_CHANGED"]
        );
    }
}
