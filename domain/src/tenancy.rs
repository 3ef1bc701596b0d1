//! A tenant's own registry as use cases: the tenant, its agencies and projects, its people
//! directory and the signed-in user. Each runs in the caller's tenant transaction (its own, or
//! a savepoint of one the caller holds), asks `policy` where a rule decides, and goes through
//! `store`; the resolvers only parse, call and map.
use entities::{agencies, projects, tenants, users};
use uuid::Uuid;

use sea_orm::DatabaseTransaction;

use crate::auth::TenantUser;
use crate::auth::onboarding::guard;
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::page::{Listing, Window};
use crate::policy::roles;
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, Page};

pub use crate::store::agencies::{AgencyField, AgencyFilter};
pub use crate::store::projects::{ProjectField, ProjectFilter};
pub use crate::store::users::{UserField, UserFilter};
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
    let user = caller.person(state, "user.me").await?;
    let tx = caller.begin(state).await?;
    let me = store::users::get(&tx, user.tenant_id, user.user_id).await?;
    tx.commit().await?;
    me.ok_or(DomainError::NotFound("user"))
}

/// The tenant's agencies, narrowed and ordered as `listing` asks.
pub async fn agencies(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    listing: Listing<AgencyFilter, AgencyField>,
    window: Window,
) -> DomainResult<Page<agencies::Model>> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let page = store::agencies::page(&tx, caller.tenant_id(), &listing, window).await?;
    tx.commit().await?;
    Ok(page)
}

/// The tenant's projects, narrowed and ordered as `listing` asks.
pub async fn projects(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    listing: Listing<ProjectFilter, ProjectField>,
    window: Window,
) -> DomainResult<Page<projects::Model>> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let page = store::projects::page(&tx, caller.tenant_id(), &listing, window).await?;
    tx.commit().await?;
    Ok(page)
}

/// The tenant's users: all of them for the Data Center, one's own agency's otherwise,
/// narrowed further and ordered as `listing` asks.
pub async fn users(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    mut listing: Listing<UserFilter, UserField>,
    window: Window,
) -> DomainResult<Page<users::Model>> {
    let caller = caller.into();
    let user = caller.user(state, Scope::PeopleRead).await?;
    listing.filter.agency_id = roles::user_directory_scope(&user.actor());
    let tx = caller.begin(state).await?;
    let page = store::users::page(&tx, user.tenant_id, &listing, window).await?;
    tx.commit().await?;
    Ok(page)
}

pub async fn create_agency(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    name: &str,
) -> DomainResult<agencies::Model> {
    let caller = caller.into();
    let user = caller.user(state, Scope::PeopleWrite).await?;
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
    let user = caller.user(state, Scope::PeopleWrite).await?;
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
    store::agencies::active(&tx, user.tenant_id, input.agency_id, "agencyId").await?;
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

/// What a rename or a deactivation did, for the audit log.
async fn audit_change(
    tx: &DatabaseTransaction,
    by: &TenantUser,
    (action, subject): (&str, Uuid),
    before: serde_json::Value,
    after: serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<()> {
    store::audit::record(
        tx,
        store::audit::Entry::allowed(
            by,
            action,
            subject,
            serde_json::json!({ "before": before, "after": after }),
            now,
        ),
    )
    .await
}

/// Renames an agency (the Data Center, ROLE-1).
pub async fn rename_agency(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    agency_id: Uuid,
    name: &str,
) -> DomainResult<agencies::Model> {
    let caller = caller.into();
    let user = caller.user(state, Scope::PeopleWrite).await?;
    let now = state.clock.now();
    guard(
        state,
        user,
        "agency.rename",
        roles::change_agency(&user.actor()),
    )
    .await?;
    let name = DisplayName::parse("name", name)?;
    let tx = caller.begin(state).await?;
    let agency = store::agencies::get(&tx, user.tenant_id, agency_id)
        .await?
        .ok_or(DomainError::NotFound("agency"))?;
    let before = serde_json::json!({ "name": agency.name });
    let renamed = store::agencies::rename(&tx, agency, &name).await?;
    let after = serde_json::json!({ "name": renamed.name });
    audit_change(&tx, user, ("agency.rename", renamed.id), before, after, now).await?;
    tx.commit().await?;
    Ok(renamed)
}

/// Deactivates an agency (the Data Center, ROLE-1): its people are deactivated and signed
/// out, its pending invitations revoked, and nothing new is added to it. What it entered
/// stays, under its name.
pub async fn deactivate_agency(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    agency_id: Uuid,
) -> DomainResult<agencies::Model> {
    let caller = caller.into();
    let user = caller.user(state, Scope::PeopleWrite).await?;
    let now = state.clock.now();
    guard(
        state,
        user,
        "agency.deactivate",
        roles::change_agency(&user.actor()),
    )
    .await?;
    let tx = caller.begin(state).await?;
    let agency = store::agencies::get(&tx, user.tenant_id, agency_id)
        .await?
        .ok_or(DomainError::NotFound("agency"))?;
    let ended = crate::auth::accounts::deactivate_members(state, &tx, user, agency.id).await?;
    let revoked =
        store::invitations::revoke_pending_of_agency(&tx, user.tenant_id, agency.id, now).await?;
    let deactivated = store::agencies::deactivate(&tx, agency, now).await?;
    audit_change(
        &tx,
        user,
        ("agency.deactivate", deactivated.id),
        serde_json::json!({ "deactivated_at": null }),
        serde_json::json!({
            "deactivated_at": deactivated.deactivated_at,
            "members_deactivated": ended.len(),
            "invitations_revoked": revoked,
        }),
        now,
    )
    .await?;
    tx.commit().await?;
    crate::auth::accounts::sessions_ended(state, &ended).await;
    Ok(deactivated)
}

/// Renames a project (the Data Center, or its agency's administrator: ROLE-1, ROLE-2).
pub async fn rename_project(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    project_id: Uuid,
    name: &str,
) -> DomainResult<projects::Model> {
    change_project(state, caller, project_id, Some(name)).await
}

/// Deactivates a project: it takes no new enrollments; those it has stay.
pub async fn deactivate_project(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    project_id: Uuid,
) -> DomainResult<projects::Model> {
    change_project(state, caller, project_id, None).await
}

/// A rename (`name`) or, without one, a deactivation.
async fn change_project(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    project_id: Uuid,
    name: Option<&str>,
) -> DomainResult<projects::Model> {
    let caller = caller.into();
    let user = caller.user(state, Scope::PeopleWrite).await?;
    let now = state.clock.now();
    let action = if name.is_some() {
        "project.rename"
    } else {
        "project.deactivate"
    };
    let name = name.map(|n| DisplayName::parse("name", n)).transpose()?;
    let tx = caller.begin(state).await?;
    let project = store::projects::get(&tx, user.tenant_id, project_id)
        .await?
        .ok_or(DomainError::NotFound("project"))?;
    guard(
        state,
        user,
        action,
        roles::change_project(&user.actor(), project.agency_id),
    )
    .await?;
    let before =
        serde_json::json!({ "name": project.name, "deactivated_at": project.deactivated_at });
    let changed = match &name {
        Some(name) => store::projects::rename(&tx, project, name).await?,
        None => store::projects::deactivate(&tx, project, now).await?,
    };
    let after =
        serde_json::json!({ "name": changed.name, "deactivated_at": changed.deactivated_at });
    audit_change(&tx, user, (action, changed.id), before, after, now).await?;
    tx.commit().await?;
    Ok(changed)
}

/// The tenants that scheduled work runs for: the active ones.
pub async fn active_tenant_ids(state: &AppState) -> DomainResult<Vec<Uuid>> {
    let tx = store::registry_tx(&state.db).await?;
    let ids = store::tenants::active_ids(&tx).await?;
    tx.commit().await?;
    Ok(ids)
}
