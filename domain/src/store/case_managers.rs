//! Case-manager assignments and the CM-1 compliance list.
use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{case_manager_assignments as cma, clients, enrollments, projects};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;

/// HUD 3.15: the head of household.
pub const HEAD_OF_HOUSEHOLD: i16 = 1;

pub async fn insert(db: &impl ConnectionTrait, row: cma::ActiveModel) -> DomainResult<cma::Model> {
    Ok(row.insert(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<cma::Model>> {
    Ok(cma::Entity::find()
        .filter(cma::Column::TenantId.eq(tenant_id))
        .filter(cma::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// One client's assignments in id order; `agency` limits them to one assigning agency (when
/// the plan does not share case managers).
pub async fn page_of_client(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
    agency: Option<Uuid>,
    window: Window,
) -> DomainResult<Page<cma::Model>> {
    let mut query = cma::Entity::find()
        .filter(cma::Column::TenantId.eq(tenant_id))
        .filter(cma::Column::ClientId.eq(client_id));
    if let Some(agency) = agency {
        query = query.filter(cma::Column::AgencyId.eq(agency));
    }
    super::keyset_page(db, query, cma::Column::Id, IdOrder::OldestFirst, window).await
}

/// CM-1: open enrollments of heads of household whose client has no assignment active on
/// `today` from the enrolling project's agency, in enrollment id order. `agency` limits them
/// to that agency's projects.
pub async fn gaps(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency: Option<Uuid>,
    today: NaiveDate,
    window: Window,
) -> DomainResult<Page<enrollments::Model>> {
    let project_agency = Query::select()
        .column((projects::Entity, projects::Column::AgencyId))
        .from(projects::Entity)
        .and_where(
            Expr::col((projects::Entity, projects::Column::TenantId))
                .equals((enrollments::Entity, enrollments::Column::TenantId)),
        )
        .and_where(
            Expr::col((projects::Entity, projects::Column::Id))
                .equals((enrollments::Entity, enrollments::Column::ProjectId)),
        )
        .to_owned();
    let active_assignment = Query::select()
        .expr(Expr::val(1))
        .from(cma::Entity)
        .and_where(
            Expr::col((cma::Entity, cma::Column::TenantId))
                .equals((enrollments::Entity, enrollments::Column::TenantId)),
        )
        .and_where(
            Expr::col((cma::Entity, cma::Column::ClientId))
                .equals((enrollments::Entity, enrollments::Column::ClientId)),
        )
        .and_where(Expr::col((cma::Entity, cma::Column::AgencyId)).in_subquery(project_agency))
        .and_where(Expr::col((cma::Entity, cma::Column::StartDate)).lte(today))
        .and_where(
            Expr::col((cma::Entity, cma::Column::EndDate))
                .is_null()
                .or(Expr::col((cma::Entity, cma::Column::EndDate)).gte(today)),
        )
        .to_owned();
    let mut query = enrollments::Entity::find()
        .filter(enrollments::Column::TenantId.eq(tenant_id))
        .filter(enrollments::Column::RelationshipToHoh.eq(HEAD_OF_HOUSEHOLD))
        .filter(
            Condition::any()
                .add(enrollments::Column::ExitDate.is_null())
                .add(enrollments::Column::ExitDate.gt(today)),
        )
        .filter(Expr::not_exists(active_assignment));
    if let Some(agency) = agency {
        query = query.filter(
            enrollments::Column::ProjectId.in_subquery(
                Query::select()
                    .column(projects::Column::Id)
                    .from(projects::Entity)
                    .and_where(projects::Column::TenantId.eq(tenant_id))
                    .and_where(projects::Column::AgencyId.eq(agency))
                    .to_owned(),
            ),
        );
    }
    super::keyset_page(
        db,
        query,
        enrollments::Column::Id,
        IdOrder::OldestFirst,
        window,
    )
    .await
}

/// HMIS numbers of these clients, by client id: how CM-1 names the people it lists.
pub async fn hmis_numbers(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = client_ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(clients::Entity::find()
        .select_only()
        .column(clients::Column::Id)
        .column(clients::Column::HmisNumber)
        .filter(clients::Column::TenantId.eq(tenant_id))
        .filter(clients::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
