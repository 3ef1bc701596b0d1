//! What agencies and projects share: each is renamed in place, under a name unique where it
//! lives, and deactivated once, never deleted.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Value,
};

use super::is_unique_violation;
use crate::error::{DomainError, DomainResult};

type ModelOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;
type ColumnOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Column;

/// Sets `name` on the row; `taken` is what a name already in use is told.
pub async fn rename<A>(
    db: &impl ConnectionTrait,
    row: ModelOf<A>,
    column: ColumnOf<A>,
    name: &str,
    taken: &'static str,
) -> DomainResult<ModelOf<A>>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    ModelOf<A>: IntoActiveModel<A>,
{
    let mut active = row.into_active_model();
    active.set(column, Value::from(name.to_owned()));
    active.update(db).await.map_err(|e| {
        if is_unique_violation(&e) {
            DomainError::validation("name", taken)
        } else {
            e.into()
        }
    })
}

/// Marks the row deactivated as of `now`; `already` is when it was, if it was (kept then).
pub async fn deactivate<A>(
    db: &impl ConnectionTrait,
    row: ModelOf<A>,
    (column, already): (ColumnOf<A>, Option<DateTime<Utc>>),
    now: DateTime<Utc>,
) -> DomainResult<ModelOf<A>>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    ModelOf<A>: IntoActiveModel<A>,
{
    if already.is_some() {
        return Ok(row);
    }
    let mut active = row.into_active_model();
    active.set(column, Value::from(Some(now)));
    Ok(active.update(db).await?)
}

/// Refuses to add to what was deactivated: `field` is the input that named it.
pub fn still_active(
    noun: &str,
    field: &'static str,
    deactivated_at: Option<DateTime<Utc>>,
) -> DomainResult<()> {
    match deactivated_at {
        Some(at) => Err(DomainError::validation(
            field,
            format!("this {noun} was deactivated on {}", at.date_naive()),
        )),
        None => Ok(()),
    }
}
