use chrono::Utc;
use entities::plan_versions;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::policy::plan::PlanDocument;

pub async fn publish(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    template: &str,
    document: &PlanDocument,
    published_by: Option<Uuid>,
) -> ApiResult<plan_versions::Model> {
    let version = active(db, tenant_id).await?.map_or(1, |v| v.version + 1);
    Ok(plan_versions::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        version: Set(version),
        template: Set(template.to_owned()),
        document: Set(serde_json::to_value(document).map_err(ApiError::internal)?),
        published_by: Set(published_by),
        published_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// The active plan is the latest published version.
pub async fn active(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> ApiResult<Option<plan_versions::Model>> {
    Ok(plan_versions::Entity::find()
        .filter(plan_versions::Column::TenantId.eq(tenant_id))
        .order_by_desc(plan_versions::Column::Version)
        .one(db)
        .await?)
}
