//! Client search by name (fuzzy on PostgreSQL), partial name, date of birth and HMIS number.
//!
//! On PostgreSQL the fuzzy match runs in `search_clients`, the one SECURITY DEFINER function
//! (see the records migration): it reads the tenant from the transaction, never from an
//! argument, and returns only ids and scores, which are joined back through the RLS-protected
//! `clients` table here. SQLite, the embedded default, matches names by substring.
use chrono::NaiveDate;
use entities::clients;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use crate::error::{DomainError, DomainResult};
use crate::policy::Decision;
use crate::policy::records::{self, Element, Provenance};
use crate::state::AppState;

/// Most hits one search returns; a person narrows the search rather than paging far.
pub const MAX_HITS: u64 = 200;

pub struct Hit {
    pub client: clients::Model,
    /// DEM-1 as decided for this viewer (every hit returned is readable).
    pub view: Decision,
    /// 1.0 for an exact HMIS number or date-of-birth match; trigram similarity otherwise.
    pub score: f32,
}

pub async fn search(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    text: &str,
    dob: Option<NaiveDate>,
) -> DomainResult<(Vec<Hit>, i32)> {
    let text = text.trim();
    if text.chars().count() > 100 {
        return Err(DomainError::validation(
            "query",
            "search with at most 100 characters",
        ));
    }
    if text.is_empty() && dob.is_none() {
        return Err(DomainError::validation(
            "query",
            "search by a name, an HMIS number or a date of birth",
        ));
    }
    let ctx = RecordCtx::begin(state, caller).await?;
    let mut hits = if text.is_empty() {
        by_filter(&ctx, Condition::all())
            .await?
            .into_iter()
            .map(|client| Hit {
                client,
                score: 1.0,
                view: unchecked(),
            })
            .collect()
    } else if ctx.tx.get_database_backend() == DbBackend::Postgres {
        fuzzy(&ctx, text).await?
    } else {
        substring(&ctx, text).await?
    };
    if let Some(dob) = dob {
        hits.retain(|h| h.client.dob == Some(dob));
        if text.is_empty() {
            hits = by_filter(&ctx, Condition::all().add(clients::Column::Dob.eq(dob)))
                .await?
                .into_iter()
                .map(|client| Hit {
                    client,
                    score: 1.0,
                    view: unchecked(),
                })
                .collect();
        }
    }
    let actor = ctx.actor();
    for hit in &mut hits {
        let creator = Provenance {
            user: hit.client.created_by_user,
            agency: hit.client.created_by_agency,
        };
        hit.view = records::read(&actor, Element::ClientDemographics, &creator, ctx.plan());
    }
    hits.retain(|h| h.view.allowed);
    let plan_version = ctx.plan_version;
    ctx.commit().await?;
    Ok((hits, plan_version))
}

async fn fuzzy(ctx: &RecordCtx, text: &str) -> DomainResult<Vec<Hit>> {
    let rows = ctx
        .tx
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT client_id, score FROM search_clients($1, $2)",
            [text.into(), i32::try_from(MAX_HITS).unwrap_or(200).into()],
        ))
        .await?;
    let scored: Vec<(Uuid, f32)> = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<Uuid>("", "client_id")?,
                r.try_get::<f32>("", "score")?,
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()?;
    let ids: Vec<Uuid> = scored.iter().map(|(id, _)| *id).collect();
    let mut found = by_filter(ctx, Condition::all().add(clients::Column::Id.is_in(ids))).await?;
    let score_of = |id: Uuid| {
        scored
            .iter()
            .find(|(i, _)| *i == id)
            .map_or(0.0, |(_, s)| *s)
    };
    found.sort_by(|a, b| {
        score_of(b.id)
            .total_cmp(&score_of(a.id))
            .then(a.id.cmp(&b.id))
    });
    Ok(found
        .into_iter()
        .map(|client| {
            let score = if client.hmis_number == text {
                1.0
            } else {
                score_of(client.id)
            };
            Hit {
                client,
                score,
                view: unchecked(),
            }
        })
        .collect())
}

async fn substring(ctx: &RecordCtx, text: &str) -> DomainResult<Vec<Hit>> {
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
    Ok(by_filter(ctx, condition)
        .await?
        .into_iter()
        .map(|client| Hit {
            client,
            score: 1.0,
            view: unchecked(),
        })
        .collect())
}

async fn by_filter(ctx: &RecordCtx, condition: Condition) -> DomainResult<Vec<clients::Model>> {
    Ok(clients::Entity::find()
        .filter(clients::Column::TenantId.eq(ctx.tenant()))
        .filter(condition)
        .order_by_asc(clients::Column::LastName)
        .order_by_asc(clients::Column::Id)
        .limit(MAX_HITS)
        .all(&ctx.tx)
        .await?)
}

/// Until `search` decides it for the viewer; never returned as is.
fn unchecked() -> Decision {
    Decision::refuse("DEM-1", "not yet decided")
}
