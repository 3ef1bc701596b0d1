//! The client-search queries. On PostgreSQL the fuzzy name match runs in `search_clients`, the
//! one SECURITY DEFINER function (see the records migration): it reads the tenant from the
//! transaction, never from an argument, and returns only ids and scores, which are joined
//! back through the RLS-protected `clients` table here. SQLite, the embedded default, matches
//! names by substring.
use chrono::NaiveDate;
use entities::clients;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::error::DomainResult;

/// The tenant's clients matching `text` (a name, part of one, or an HMIS number; may be
/// empty) and `dob`, at most `limit`, best first, each with its score: 1.0 for an exact HMIS
/// number, date-of-birth or substring match, trigram similarity for a fuzzy one.
pub async fn matching(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    text: &str,
    dob: Option<NaiveDate>,
    limit: u64,
) -> DomainResult<Vec<(clients::Model, f32)>> {
    let mut hits = if text.is_empty() {
        let born = dob.map_or_else(Condition::all, |dob| {
            Condition::all().add(clients::Column::Dob.eq(dob))
        });
        exact(filtered(db, tenant_id, born, limit).await?)
    } else if db.get_database_backend() == DbBackend::Postgres {
        fuzzy(db, tenant_id, text, limit).await?
    } else {
        exact(substring(db, tenant_id, text, limit).await?)
    };
    if let Some(dob) = dob {
        hits.retain(|(client, _)| client.dob == Some(dob));
    }
    Ok(hits)
}

fn exact(clients: Vec<clients::Model>) -> Vec<(clients::Model, f32)> {
    clients.into_iter().map(|client| (client, 1.0)).collect()
}

async fn fuzzy(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    text: &str,
    limit: u64,
) -> DomainResult<Vec<(clients::Model, f32)>> {
    // The function's ids and scores, joined back through the RLS-protected table: the hits
    // and their clients in one statement.
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT c.*, s.score FROM search_clients($1, $2) AS s \
             JOIN clients AS c ON c.tenant_id = $3 AND c.id = s.client_id",
            [
                text.into(),
                i32::try_from(limit).unwrap_or(i32::MAX).into(),
                tenant_id.into(),
            ],
        ))
        .await?;
    let mut hits = rows
        .iter()
        .map(|row| {
            let client = clients::Model::from_query_result(row, "")?;
            // An exact HMIS number is the client asked for, however its name scores.
            let score = if client.hmis_number == text {
                1.0
            } else {
                row.try_get::<f32>("", "score")?
            };
            Ok((client, score))
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    hits.sort_by(|(a, a_score), (b, b_score)| b_score.total_cmp(a_score).then(a.id.cmp(&b.id)));
    Ok(hits)
}

async fn substring(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    text: &str,
    limit: u64,
) -> DomainResult<Vec<clients::Model>> {
    let mut names = Condition::all();
    for token in text.split_whitespace() {
        names = names.add(
            Condition::any()
                .add(clients::Column::FirstName.contains(token))
                .add(clients::Column::MiddleName.contains(token))
                .add(clients::Column::LastName.contains(token)),
        );
    }
    let condition = Condition::any()
        .add(names)
        .add(clients::Column::HmisNumber.eq(text));
    filtered(db, tenant_id, condition, limit).await
}

async fn filtered(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    condition: Condition,
    limit: u64,
) -> DomainResult<Vec<clients::Model>> {
    Ok(clients::Entity::find()
        .filter(clients::Column::TenantId.eq(tenant_id))
        .filter(condition)
        .order_by_asc(clients::Column::LastName)
        .order_by_asc(clients::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
