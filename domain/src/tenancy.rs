//! A tenant's own registry as use cases: the tenant, its agencies and projects, its people
//! directory and the signed-in user. Each opens its tenant transaction, asks `policy` where a
//! rule decides, and goes through `store`; the resolvers only parse, call and map.
use entities::{agencies, projects, tenants, users};
use uuid::Uuid;

use crate::auth::TenantUser;
use crate::auth::onboarding::guard;
use crate::error::{DomainError, DomainResult};
use crate::policy::roles;
use crate::state::AppState;
use crate::store::{self, Page};
use crate::values::{DisplayName, parse_project_type};

/// The signed-in user's tenant (CoC).
pub async fn tenant_of(state: &AppState, user: &TenantUser) -> DomainResult<tenants::Model> {
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let tenant = store::tenants::by_id(&tx, user.tenant_id).await?;
    tx.commit().await?;
    tenant.ok_or(DomainError::NotFound("tenant"))
}

/// Whether a user may still sign in (not deactivated).
pub fn is_active(user: &users::Model) -> bool {
    user.status == store::users::ACTIVE
}

/// The signed-in user as the database has them now.
pub async fn me(state: &AppState, user: &TenantUser) -> DomainResult<users::Model> {
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let me = store::users::get(&tx, user.tenant_id, user.user_id).await?;
    tx.commit().await?;
    me.ok_or(DomainError::NotFound("user"))
}

pub async fn agencies(
    state: &AppState,
    user: &TenantUser,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<agencies::Model>> {
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let page = store::agencies::page(&tx, user.tenant_id, after, limit).await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn projects(
    state: &AppState,
    user: &TenantUser,
    agency_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<projects::Model>> {
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let page = store::projects::page(&tx, user.tenant_id, agency_id, after, limit).await?;
    tx.commit().await?;
    Ok(page)
}

/// The tenant's users: all of them for the Data Center, one's own agency's otherwise.
pub async fn users(
    state: &AppState,
    user: &TenantUser,
    after: Option<Uuid>,
    limit: u64,
) -> DomainResult<Page<users::Model>> {
    let scope = roles::user_directory_scope(&user.actor());
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
    let page = store::users::page(&tx, user.tenant_id, scope, after, limit).await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn create_agency(
    state: &AppState,
    user: &TenantUser,
    name: &str,
) -> DomainResult<agencies::Model> {
    let now = state.clock.now();
    guard(
        state,
        user,
        "agency.create",
        roles::create_agency(&user.actor()),
    )
    .await?;
    let name = DisplayName::parse("name", name)?;
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
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
    user: &TenantUser,
    input: NewProject<'_>,
) -> DomainResult<projects::Model> {
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
    let tx = store::tenant_tx(&state.db, user.tenant_id).await?;
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
pub async fn active_tenant_ids(db: &sea_orm::DatabaseConnection) -> DomainResult<Vec<Uuid>> {
    let tx = store::registry_tx(db).await?;
    let ids = store::tenants::active_ids(&tx).await?;
    tx.commit().await?;
    Ok(ids)
}
