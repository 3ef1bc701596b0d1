//! The answers-over-time table: profile rows and HUD's further elements, one row per answer to
//! one field, effective-dated (PRO-1..PRO-4).
use chrono::{DateTime, NaiveDate, Utc};
use entities::profile_rows;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::error::DomainResult;
use crate::policy::records::Provenance;

pub async fn insert(
    db: &impl ConnectionTrait,
    row: profile_rows::ActiveModel,
) -> DomainResult<profile_rows::Model> {
    Ok(row.insert(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<profile_rows::Model>> {
    Ok(profile_rows::Entity::find()
        .filter(profile_rows::Column::TenantId.eq(tenant_id))
        .filter(profile_rows::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// Every row of one client for one element (its plan key), current and ended, oldest first.
pub async fn for_client(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
    element: &str,
) -> DomainResult<Vec<profile_rows::Model>> {
    Ok(profile_rows::Entity::find()
        .filter(profile_rows::Column::TenantId.eq(tenant_id))
        .filter(profile_rows::Column::ClientId.eq(client_id))
        .filter(profile_rows::Column::Element.eq(element))
        .order_by_asc(profile_rows::Column::Id)
        .all(db)
        .await?)
}

/// Sets a row's end date only if it is still at `expected_version` (LOCK-1), so two writers
/// who read the same version cannot both succeed. Returns whether it was written.
pub async fn set_end_date(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    expected_version: i32,
    end_date: NaiveDate,
    by: Provenance,
    at: DateTime<Utc>,
) -> DomainResult<bool> {
    let row = profile_rows::ActiveModel {
        end_date: Set(Some(end_date)),
        updated_by_user: Set(by.user),
        updated_by_agency: Set(by.agency),
        updated_at: Set(at),
        version: Set(expected_version.saturating_add(1)),
        ..Default::default()
    };
    Ok(
        super::versioned::update_at_version(db, tenant_id, id, expected_version, row)
            .await?
            .is_some(),
    )
}
