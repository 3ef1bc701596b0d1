//! Clients, the history of their single-answer values, data conflicts and the view log.
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{client_field_values, client_views, clients, data_conflicts, enrollments};
use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{IdOrder, Page, is_unique_violation};
use crate::error::{DomainError, DomainResult};
use crate::page::{ContainsText, Window};
use crate::policy::records::Provenance;
use crate::records::ssn::SsnOwner;

/// A new client row with every demographic empty ("not collected"); fields are then applied.
pub fn blank(
    tenant_id: Uuid,
    id: Uuid,
    hmis_number: String,
    by: Provenance,
    now: DateTime<Utc>,
) -> clients::ActiveModel {
    clients::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(id),
        hmis_number: Set(hmis_number),
        first_name: Set(None),
        middle_name: Set(None),
        last_name: Set(None),
        name_data_quality: Set(99),
        dob: Set(None),
        dob_data_quality: Set(99),
        ssn_ciphertext: Set(None),
        ssn_last4: Set(None),
        ssn_data_quality: Set(99),
        race_ethnicity: Set(json!([])),
        gender: Set(json!([])),
        veteran_status: Set(99),
        sex: Set(99),
        created_by_user: Set(by.user),
        created_by_agency: Set(by.agency),
        created_at: Set(now),
        updated_by_user: Set(by.user),
        updated_by_agency: Set(by.agency),
        updated_at: Set(now),
        version: Set(1),
    }
}

pub async fn insert(
    db: &impl ConnectionTrait,
    client: clients::ActiveModel,
) -> DomainResult<clients::Model> {
    client.insert(db).await.map_err(|e| {
        if is_unique_violation(&e) {
            DomainError::validation("hmisNumber", "this HMIS number is already in use")
        } else {
            e.into()
        }
    })
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<clients::Model>> {
    Ok(clients::Entity::find()
        .filter(clients::Column::TenantId.eq(tenant_id))
        .filter(clients::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// Which clients a list holds; every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// Only those entered by this party (`Some(None)`: the Data Center).
    pub entered_by: Option<Option<Uuid>>,
    pub hmis_number: Option<String>,
    /// Part of the first, middle or last name, in any case.
    pub name: Option<ContainsText>,
    pub dob: Option<NaiveDate>,
    /// Enrolled (now or ever) in this project.
    pub project_id: Option<Uuid>,
}

/// A page of the tenant's clients in id order.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    filter: &ListFilter,
    window: Window,
) -> DomainResult<Page<clients::Model>> {
    let mut query = clients::Entity::find().filter(clients::Column::TenantId.eq(tenant_id));
    match filter.entered_by {
        Some(Some(agency)) => query = query.filter(clients::Column::CreatedByAgency.eq(agency)),
        Some(None) => query = query.filter(clients::Column::CreatedByAgency.is_null()),
        None => {}
    }
    if let Some(hmis_number) = &filter.hmis_number {
        query = query.filter(clients::Column::HmisNumber.eq(hmis_number.as_str()));
    }
    if let Some(dob) = filter.dob {
        query = query.filter(clients::Column::Dob.eq(dob));
    }
    if let Some(name) = &filter.name {
        query = query.filter(
            Condition::any()
                .add(super::contains(clients::Column::FirstName, name))
                .add(super::contains(clients::Column::MiddleName, name))
                .add(super::contains(clients::Column::LastName, name)),
        );
    }
    if let Some(project) = filter.project_id {
        query = query.filter(
            clients::Column::Id.in_subquery(
                Query::select()
                    .column(enrollments::Column::ClientId)
                    .from(enrollments::Entity)
                    .and_where(Expr::col(enrollments::Column::TenantId).eq(tenant_id))
                    .and_where(Expr::col(enrollments::Column::ProjectId).eq(project))
                    .to_owned(),
            ),
        );
    }
    super::keyset_page(db, query, clients::Column::Id, IdOrder::OldestFirst, window).await
}

/// Clients whose SSN ciphertext is not yet bound to them (see `records::ssn`).
pub async fn unbound_ssns(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> DomainResult<Vec<(Uuid, String)>> {
    let rows: Vec<(Uuid, Option<String>)> = clients::Entity::find()
        .select_only()
        .column(clients::Column::Id)
        .column(clients::Column::SsnCiphertext)
        .filter(clients::Column::TenantId.eq(tenant_id))
        .filter(clients::Column::SsnCiphertext.is_not_null())
        .filter(clients::Column::SsnCiphertext.not_like("v2:%"))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, stored)| stored.map(|s| (id, s)))
        .collect())
}

/// Swaps one SSN ciphertext for its re-sealed form, unless it changed meanwhile.
pub async fn replace_ssn_ciphertext(
    db: &impl ConnectionTrait,
    owner: SsnOwner,
    old: &str,
    new: &str,
) -> DomainResult<bool> {
    let updated = clients::Entity::update_many()
        .col_expr(clients::Column::SsnCiphertext, Expr::value(new))
        .filter(clients::Column::TenantId.eq(owner.tenant_id))
        .filter(clients::Column::Id.eq(owner.client_id))
        .filter(clients::Column::SsnCiphertext.eq(old))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub struct FieldValue<'a> {
    pub client_id: Uuid,
    pub field: &'a str,
    pub value: Value,
    pub by: Provenance,
    pub at: DateTime<Utc>,
    pub documentation_type: Option<String>,
    pub documentation_attachment_id: Option<Uuid>,
}

/// The client with this HMIS number, if the tenant has one.
pub async fn id_by_hmis_number(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    hmis_number: &str,
) -> DomainResult<Option<Uuid>> {
    Ok(clients::Entity::find()
        .select_only()
        .column(clients::Column::Id)
        .filter(clients::Column::TenantId.eq(tenant_id))
        .filter(clients::Column::HmisNumber.eq(hmis_number))
        .into_tuple()
        .one(db)
        .await?)
}

/// The HMIS numbers of these clients, by id: how messages and lists name them (COM-1).
pub async fn hmis_numbers(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let rows: Vec<(Uuid, String)> = clients::Entity::find()
        .select_only()
        .column(clients::Column::Id)
        .column(clients::Column::HmisNumber)
        .filter(clients::Column::TenantId.eq(tenant_id))
        .filter(clients::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// DEM-2: appends a value to the field's history (the old one stays).
pub async fn record_value(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    value: FieldValue<'_>,
) -> DomainResult<()> {
    client_field_values::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        client_id: Set(value.client_id),
        field: Set(value.field.to_owned()),
        value: Set(value.value),
        entered_by_user: Set(value.by.user),
        entered_by_agency: Set(value.by.agency),
        entered_at: Set(value.at),
        documentation_type: Set(value.documentation_type),
        documentation_attachment_id: Set(value.documentation_attachment_id),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The latest value row of each field of one client (PROV-1: who entered it, when).
/// The current value row of each field of a client, by field name.
pub type CurrentValues = HashMap<String, client_field_values::Model>;

/// Each field's current value (its latest entry) with who entered it; the history behind it
/// stays in the table and is read by `history`. One statement, and only the current rows
/// leave the database.
pub async fn current_values(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
) -> DomainResult<CurrentValues> {
    let rows = client_field_values::Entity::find()
        .filter(client_field_values::Column::TenantId.eq(tenant_id))
        .filter(client_field_values::Column::ClientId.eq(client_id))
        .filter(is_current())
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.field.clone(), r)).collect())
}

/// The client with the current value of each of its fields, in one statement (a profile's
/// first read).
pub async fn get_with_current_values(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<(clients::Model, CurrentValues)>> {
    let its_values = clients::Entity::belongs_to(client_field_values::Entity)
        .from((clients::Column::TenantId, clients::Column::Id))
        .to((
            client_field_values::Column::TenantId,
            client_field_values::Column::ClientId,
        ))
        .on_condition(|_, _| is_current().into_condition())
        .into();
    let rows = clients::Entity::find()
        .select_also(client_field_values::Entity)
        .join(JoinType::LeftJoin, its_values)
        .filter(clients::Column::TenantId.eq(tenant_id))
        .filter(clients::Column::Id.eq(id))
        .all(db)
        .await?;
    let mut rows = rows.into_iter();
    let Some((client, first)) = rows.next() else {
        return Ok(None);
    };
    let values = first
        .into_iter()
        .chain(rows.filter_map(|(_, value)| value))
        .map(|v| (v.field.clone(), v))
        .collect();
    Ok(Some((client, values)))
}

/// A value row is its field's current one when no later row of the same field exists (ids
/// are time-ordered); the history stays in the table.
fn is_current() -> SimpleExpr {
    use client_field_values::{Column, Entity};
    let mut later = Query::select()
        .expr(Expr::val(1))
        .from_as(Entity, "later")
        .and_where(Expr::col(("later", Column::Id)).gt(Expr::col((Entity, Column::Id))))
        .to_owned();
    for same in [Column::TenantId, Column::ClientId, Column::Field] {
        later.and_where(Expr::col(("later", same)).equals((Entity, same)));
    }
    Expr::exists(later).not()
}

pub async fn history(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
    field: &str,
) -> DomainResult<Vec<client_field_values::Model>> {
    Ok(client_field_values::Entity::find()
        .filter(client_field_values::Column::TenantId.eq(tenant_id))
        .filter(client_field_values::Column::ClientId.eq(client_id))
        .filter(client_field_values::Column::Field.eq(field))
        .order_by_desc(client_field_values::Column::Id)
        .all(db)
        .await?)
}

pub async fn insert_conflict(
    db: &impl ConnectionTrait,
    conflict: data_conflicts::ActiveModel,
) -> DomainResult<data_conflicts::Model> {
    Ok(conflict.insert(db).await?)
}

pub async fn conflicts(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
) -> DomainResult<Vec<data_conflicts::Model>> {
    Ok(data_conflicts::Entity::find()
        .filter(data_conflicts::Column::TenantId.eq(tenant_id))
        .filter(data_conflicts::Column::ClientId.eq(client_id))
        .order_by_asc(data_conflicts::Column::Id)
        .all(db)
        .await?)
}

/// AUD-2: where a client's name and date of birth were shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShownIn {
    Profile,
    List,
    Search,
}

impl ShownIn {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Profile => "PROFILE",
            Self::List => "LIST",
            Self::Search => "SEARCH",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Profile, Self::List, Self::Search]
            .into_iter()
            .find(|shown| shown.as_str() == s)
    }
}

/// AUD-2: records that `by` was shown these clients, in one statement however many.
pub async fn record_views(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_ids: &[Uuid],
    shown_in: ShownIn,
    by: Provenance,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    if client_ids.is_empty() {
        return Ok(());
    }
    let rows = client_ids
        .iter()
        .map(|client_id| client_views::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(Uuid::now_v7()),
            client_id: Set(*client_id),
            viewer_user_id: Set(by.user),
            viewer_agency_id: Set(by.agency),
            viewed_at: Set(at),
            shown_in: Set(shown_in.as_str().to_owned()),
        });
    client_views::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// AUD-2: a page of who was shown the client, newest first; `before` is the last id of the
/// previous page.
pub async fn views(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    client_id: Uuid,
    window: Window,
) -> DomainResult<Page<client_views::Model>> {
    let query = client_views::Entity::find()
        .filter(client_views::Column::TenantId.eq(tenant_id))
        .filter(client_views::Column::ClientId.eq(client_id));
    super::keyset_page(
        db,
        query,
        client_views::Column::Id,
        IdOrder::NewestFirst,
        window,
    )
    .await
}
