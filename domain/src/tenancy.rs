//! A tenant's own registry as use cases: the tenant, its agencies and projects, its people
//! directory and the signed-in user. Each runs in the caller's tenant transaction (its own, or
//! a savepoint of one the caller holds), asks `policy` where a rule decides, and goes through
//! `store`; the resolvers only parse, call and map.
use entities::{agencies, projects, tenants, users};
use uuid::Uuid;

use crate::auth::onboarding::guard;
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::policy::roles;
use crate::state::AppState;
use crate::store::{self, Page};
use crate::values::{DisplayName, parse_project_type};

/// The signed-in user's tenant (CoC).
pub async fn tenant_of(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
) -> DomainResult<tenants::Model> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let tenant = store::tenants::by_id(&tx, caller.tenant_id()).await?;
    tx.commit().await?;
    tenant.ok_or(DomainError::NotFound("tenant"))
}

/// Whether a user may still sign in (not deactivated).
pub fn is_active(user: &users::Model) -> bool {
    user.status == store::users::ACTIVE
}

/// The signed-in user as the database has them now.
pub async fn me(state: &AppState, caller: impl Into<Caller<'_>>) -> DomainResult<users::Model> {
    let caller = caller.into();
    let user = caller.person()?;
    let tx = caller.begin(state).await?;
    let me = store::users::get(&tx, user.tenant_id, user.user_id).await?;
    tx.commit().await?;
    me.ok_or(DomainError::NotFound("user"))
}

pub async fn agencies(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<agencies::Model>> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let page = store::agencies::page(&tx, caller.tenant_id(), after, limit).await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn projects(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    agency_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<projects::Model>> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let page = store::projects::page(&tx, caller.tenant_id(), agency_id, after, limit).await?;
    tx.commit().await?;
    Ok(page)
}

/// The tenant's users: all of them for the Data Center, one's own agency's otherwise.
pub async fn users(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<users::Model>> {
    let caller = caller.into();
    let user = caller.person()?;
    let scope = roles::user_directory_scope(&user.actor());
    let tx = caller.begin(state).await?;
    let page = store::users::page(&tx, user.tenant_id, scope, after, limit).await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn create_agency(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    name: &str,
) -> DomainResult<agencies::Model> {
    let caller = caller.into();
    let user = caller.person()?;
    let now = state.clock.now();
    guard(
        state,
        user,
        "agency.create",
        roles::create_agency(&user.actor()),
    )
    .await?;
    let name = DisplayName::parse("name", name)?;
    let tx = caller.begin(state).await?;
    let agency = store::agencies::insert(&tx, user.tenant_id, &name, now).await?;
    tx.commit().await?;
    Ok(agency)
}

pub struct NewProject<'a> {
    pub agency_id: Uuid,
    pub name: &'a str,
    /// A HUD project type code: 0–4, 6–14.
    pub project_type: i32,
}

pub async fn create_project(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    input: NewProject<'_>,
) -> DomainResult<projects::Model> {
    let caller = caller.into();
    let user = caller.person()?;
    let now = state.clock.now();
    guard(
        state,
        user,
        "project.create",
        roles::create_project(&user.actor(), input.agency_id),
    )
    .await?;
    let name = DisplayName::parse("name", input.name)?;
    let project_type = parse_project_type(input.project_type)?;
    let tx = caller.begin(state).await?;
    store::agencies::get(&tx, user.tenant_id, input.agency_id)
        .await?
        .ok_or(DomainError::NotFound("agency"))?;
    let project = store::projects::insert(
        &tx,
        user.tenant_id,
        input.agency_id,
        &name,
        project_type,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(project)
}

/// The tenants that scheduled work runs for: the active ones.
pub async fn active_tenant_ids(state: &AppState) -> DomainResult<Vec<Uuid>> {
    let tx = store::registry_tx(&state.db).await?;
    let ids = store::tenants::active_ids(&tx).await?;
    tx.commit().await?;
    Ok(ids)
}
