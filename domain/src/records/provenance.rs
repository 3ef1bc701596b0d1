//! PROV-1: "any user who can see a value can see who entered it, from which agency, and when"
//! (the plan's "to learn who entered the original data"). Records carry the ids; these turn
//! them into the names a person can act on — whichever agency the person is in — for a whole
//! request at once (one statement per kind). Row-level security keeps them to the viewer's
//! own tenant: an id from elsewhere has no name.
use std::collections::HashMap;

use uuid::Uuid;

use super::context::{Caller, RecordCtx};
use crate::error::DomainResult;
use crate::state::AppState;
use crate::store;

/// The display names of the users and service accounts among `ids`.
pub async fn user_names(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, String>> {
    let ctx = RecordCtx::read_in_any_scope(state, caller).await?;
    let mut names = store::users::display_names(ctx.tx(), ctx.tenant(), ids).await?;
    if names.len() < ids.len() {
        // What is not a person's may be an integration's (`SVC-2`: it acts under its name).
        names.extend(store::service_accounts::names(ctx.tx(), ctx.tenant(), ids).await?);
    }
    ctx.commit().await?;
    Ok(names.into_iter().collect())
}

/// The names of the agencies among `ids`.
pub async fn agency_names(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, String>> {
    let ctx = RecordCtx::read_in_any_scope(state, caller).await?;
    let names = store::agencies::names(ctx.tx(), ctx.tenant(), ids).await?;
    ctx.commit().await?;
    Ok(names.into_iter().collect())
}
