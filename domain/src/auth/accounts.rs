//! Changing who a user is: their role and agency, or whether they may sign in at all. Both
//! end every session of the user at once (ASVS 7.4).

use entities::users;
use sea_orm::DatabaseTransaction;
use serde_json::json;
use uuid::Uuid;

use super::TenantUser;
use super::onboarding::guard;
use super::sessions::mark_revoked;
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::policy::roles::{self, Account, Role};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, audit};

pub async fn set_role(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    user_id: Uuid,
    role: Role,
    agency_id: Option<Uuid>,
) -> DomainResult<users::Model> {
    let caller = caller.into();
    let by = caller.user(state, Scope::PeopleWrite).await?;
    let tx = caller.begin(state).await?;
    let target = load(&tx, by, user_id).await?;
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
    let change = Change {
        role,
        agency_id,
        status: &status,
        action: "user.set_role",
    };
    let (updated, ended) = change.apply(state, &tx, by, target).await?;
    tx.commit().await?;
    mark_revoked(state, &ended).await;
    Ok(updated)
}

pub async fn deactivate(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    user_id: Uuid,
) -> DomainResult<users::Model> {
    let caller = caller.into();
    let by = caller.user(state, Scope::PeopleWrite).await?;
    let tx = caller.begin(state).await?;
    let target = load(&tx, by, user_id).await?;
    let account = account_of(&target)?;
    guard(
        state,
        by,
        "user.deactivate",
        roles::deactivate(&by.actor(), &account),
    )
    .await?;
    let change = Change {
        role: account.role,
        agency_id: account.agency_id,
        status: store::users::DEACTIVATED,
        action: "user.deactivate",
    };
    let (updated, ended) = change.apply(state, &tx, by, target).await?;
    tx.commit().await?;
    mark_revoked(state, &ended).await;
    Ok(updated)
}

/// Deactivates every active member of a deactivated agency, as `deactivate` does one person,
/// in `tx`; returns the sessions to mark revoked once `tx` commits.
pub(crate) async fn deactivate_members(
    state: &AppState,
    tx: &DatabaseTransaction,
    by: &TenantUser,
    agency_id: Uuid,
) -> DomainResult<Vec<Uuid>> {
    let mut ended = Vec::new();
    for member in store::users::active_of_agency(tx, by.tenant_id, agency_id).await? {
        let account = account_of(&member)?;
        let change = Change {
            role: account.role,
            agency_id: account.agency_id,
            status: store::users::DEACTIVATED,
            action: "agency.deactivate",
        };
        let (_, sessions) = change.apply(state, tx, by, member).await?;
        ended.extend(sessions);
    }
    Ok(ended)
}

/// Marks the sessions revoked for the processes that cache them (after the commit).
pub(crate) async fn sessions_ended(state: &AppState, ended: &[Uuid]) {
    mark_revoked(state, ended).await;
}

async fn load(
    tx: &DatabaseTransaction,
    by: &TenantUser,
    user_id: Uuid,
) -> DomainResult<users::Model> {
    store::users::get(tx, by.tenant_id, user_id)
        .await?
        .ok_or(DomainError::NotFound("user"))
}

fn account_of(user: &users::Model) -> DomainResult<Account> {
    let role = Role::of_row(&user.role)?;
    Ok(Account {
        user_id: Some(user.id),
        role,
        agency_id: user.agency_id,
    })
}

/// What a user becomes: their role, agency and status, and the audit action that says why.
struct Change<'a> {
    role: Role,
    agency_id: Option<Uuid>,
    status: &'a str,
    action: &'a str,
}

impl Change<'_> {
    /// Writes the change and ends the user's sessions in `tx`; returns the user as they are
    /// now and the sessions to mark revoked once `tx` commits.
    async fn apply(
        self,
        state: &AppState,
        tx: &DatabaseTransaction,
        by: &TenantUser,
        target: users::Model,
    ) -> DomainResult<(users::Model, Vec<Uuid>)> {
        let now = state.clock.now();
        // Nobody joins a deactivated agency; its members can still be deactivated.
        if let (Some(agency_id), store::users::ACTIVE) = (self.agency_id, self.status) {
            store::agencies::active(tx, by.tenant_id, agency_id, "agencyId").await?;
        }
        let before =
            json!({ "role": target.role, "agency": target.agency_id, "status": target.status });
        let updated =
            store::users::update_access(tx, target, self.role, self.agency_id, self.status, now)
                .await?;
        let ended = store::sessions::revoke_all_of_user(
            tx,
            by.tenant_id,
            updated.id,
            None,
            self.action,
            now,
        )
        .await?;
        audit::record(
            tx,
            audit::Entry::allowed(by, self.action, updated.id, json!({
                    "before": before,
                    "after": { "role": updated.role, "agency": updated.agency_id, "status": updated.status },
                    "at": now,
                }), now),
)
        .await?;
        Ok((updated, ended))
    }
}
