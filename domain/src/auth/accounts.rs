//! Changing who a user is: their role and agency, or whether they may sign in at all. Both
//! end every session of the user at once (ASVS 7.4).

use entities::users;
use serde_json::json;
use uuid::Uuid;

use super::TenantUser;
use super::onboarding::guard;
use super::sessions::mark_revoked;
use crate::error::{DomainError, DomainResult};
use crate::policy::roles::{self, Account, Role};
use crate::state::AppState;
use crate::store::{self, audit};

pub async fn set_role(
    state: &AppState,
    by: &TenantUser,
    user_id: Uuid,
    role: Role,
    agency_id: Option<Uuid>,
) -> DomainResult<users::Model> {
    let target = load(state, by, user_id).await?;
    let proposed = Account {
        user_id: Some(user_id),
        role,
        agency_id,
    };
    guard(
        state,
        by,
        "user.set_role",
        roles::set_role(&by.actor(), &account_of(&target)?, &proposed),
    )
    .await?;
    let status = target.status.clone();
    change(state, by, target, role, agency_id, &status, "user.set_role").await
}

pub async fn deactivate(
    state: &AppState,
    by: &TenantUser,
    user_id: Uuid,
) -> DomainResult<users::Model> {
    let target = load(state, by, user_id).await?;
    let account = account_of(&target)?;
    guard(
        state,
        by,
        "user.deactivate",
        roles::deactivate(&by.actor(), &account),
    )
    .await?;
    change(
        state,
        by,
        target,
        account.role,
        account.agency_id,
        store::users::DEACTIVATED,
        "user.deactivate",
    )
    .await
}

async fn load(state: &AppState, by: &TenantUser, user_id: Uuid) -> DomainResult<users::Model> {
    let tx = store::tenant_tx(&state.db, by.tenant_id).await?;
    let user = store::users::get(&tx, by.tenant_id, user_id).await?;
    tx.commit().await?;
    user.ok_or(DomainError::NotFound("user"))
}

fn account_of(user: &users::Model) -> DomainResult<Account> {
    let role = Role::of_row(&user.role)?;
    Ok(Account {
        user_id: Some(user.id),
        role,
        agency_id: user.agency_id,
    })
}

async fn change(
    state: &AppState,
    by: &TenantUser,
    target: users::Model,
    role: Role,
    agency_id: Option<Uuid>,
    status: &str,
    action: &str,
) -> DomainResult<users::Model> {
    let now = state.clock.now();
    let tx = store::tenant_tx(&state.db, by.tenant_id).await?;
    if let Some(agency_id) = agency_id {
        store::agencies::get(&tx, by.tenant_id, agency_id)
            .await?
            .ok_or(DomainError::NotFound("agency"))?;
    }
    let before =
        json!({ "role": target.role, "agency": target.agency_id, "status": target.status });
    let updated = store::users::update_access(&tx, target, role, agency_id, status, now).await?;
    let ended =
        store::sessions::revoke_all_of_user(&tx, by.tenant_id, updated.id, action, now).await?;
    audit::record(
        &tx,
        audit::Entry {
            at: now,
            tenant_id: by.tenant_id,
            actor_user_id: Some(by.user_id),
            actor_agency_id: by.agency_id,
            action,
            subject_id: Some(updated.id),
            refused_by: None,
            source_ip: None,
            detail: json!({
                "before": before,
                "after": { "role": updated.role, "agency": updated.agency_id, "status": updated.status },
                "at": state.clock.now(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    mark_revoked(state, &ended).await?;
    Ok(updated)
}
