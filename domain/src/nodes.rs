//! Relay's `node(id:)` and `nodes(ids:)`: what an id names. Ids are UUIDv7, unique across
//! every kind of record and every tenant, so an object's id is its global id. Locating only
//! says which kind of record an id is (in the caller's tenant: another tenant's ids are not
//! found); the record is then read through the use case that lists its kind, so that who may
//! see it is decided exactly as there.
use std::collections::HashMap;

use uuid::Uuid;

use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::records::context::RecordCtx;
use crate::state::AppState;
use crate::store;
pub use crate::store::nodes::{Located, NodeKind};

/// The most ids one `nodes` call looks up.
pub const MAX_IDS: usize = 100;

/// Where each of `ids` is, for those that are records of the caller's tenant.
pub async fn locate(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Located>> {
    if ids.len() > MAX_IDS {
        return Err(DomainError::validation(
            "ids",
            format!("ask for at most {MAX_IDS} ids at once"),
        ));
    }
    // Which kind an id is tells nothing the fetch that follows does not decide; the fetch
    // checks the scope of its kind.
    let ctx = RecordCtx::read_in_any_scope(state, caller).await?;
    let found = store::nodes::locate(ctx.tx(), ctx.tenant(), ids).await?;
    ctx.commit().await?;
    Ok(found.into_iter().collect())
}
