//! Who calls a use case, and where it runs. A request, a job and an import batch all call the
//! use cases through a `Caller`, so they run the same code under the same rules.
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::auth::TenantUser;
use crate::auth::onboarding::guard_noting;
use crate::error::{DomainError, DomainResult};
use crate::policy::roles;
use crate::policy::service_accounts::Scope;
use crate::read_scope::ReadScope;
use crate::state::AppState;
use crate::store;

/// Who acts.
#[derive(Clone, Copy, Debug)]
pub enum Acting<'a> {
    /// A signed-in person or service account of a tenant.
    User(&'a TenantUser),
    /// Concord itself, carrying out the plan's own steps for one tenant: a deadline passing,
    /// a scheduled scan, a message going out. It never acts as a person (`SYS-1`).
    System { tenant_id: Uuid },
}

/// Who calls, and where the use case runs: on a transaction of its own (a request), or
/// inside a tenant transaction the caller holds (an import batch, a job taking several steps),
/// as a savepoint the caller then commits or rolls back with the rest.
#[derive(Clone, Copy, Debug)]
pub struct Caller<'a> {
    pub acting: Acting<'a>,
    pub within: Option<&'a DatabaseTransaction>,
    /// The request's shared read transaction, which read use cases run on
    /// (`RecordCtx::read`); writes ignore it.
    pub reads: Option<&'a ReadScope>,
}

impl<'a> Caller<'a> {
    /// `user`, inside the tenant transaction `tx` they hold.
    pub fn within(user: &'a TenantUser, tx: &'a DatabaseTransaction) -> Self {
        Self {
            acting: Acting::User(user),
            within: Some(tx),
            reads: None,
        }
    }

    /// `user` in a request whose reads share `reads` (none: each use case its own transaction).
    pub fn reading(user: &'a TenantUser, reads: Option<&'a ReadScope>) -> Self {
        Self {
            acting: Acting::User(user),
            within: None,
            reads,
        }
    }

    /// Concord acting for `tenant_id` under its plan.
    pub fn system(tenant_id: Uuid) -> Self {
        Self {
            acting: Acting::System { tenant_id },
            within: None,
            reads: None,
        }
    }

    /// This caller, inside the tenant transaction `tx`.
    pub fn inside(self, tx: &'a DatabaseTransaction) -> Self {
        Self {
            within: Some(tx),
            ..self
        }
    }

    pub fn tenant_id(&self) -> Uuid {
        match self.acting {
            Acting::User(user) => user.tenant_id,
            Acting::System { tenant_id } => tenant_id,
        }
    }

    /// The person or service account acting, for a use case that needs `scope` (`SVC-2`: a
    /// service account acts within its scopes). Concord acting by itself is refused what only
    /// people do (`SYS-1`): entering, changing or reading a client's records, managing people
    /// and the plan.
    /// A refusal is audited under the service account's name.
    pub async fn user(&self, state: &AppState, scope: Scope) -> DomainResult<&'a TenantUser> {
        let user = self.user_in_any_scope()?;
        let decision = user.scope_decision(scope);
        if !decision.allowed {
            // Every use case passes here: the refusal's detail is built only for a refusal.
            let detail = serde_json::json!({ "needed_scope": scope.as_str() });
            guard_noting(state, user, "service_account.scope", decision, detail).await?;
        }
        Ok(user)
    }

    /// The person acting, for what only a person does (`SVC-3`: invitations name who sends
    /// them; webhooks; their own account). A service account's refusal is audited as
    /// `action`.
    pub async fn person(&self, state: &AppState, action: &str) -> DomainResult<&'a TenantUser> {
        crate::auth::person(state, self.user_in_any_scope()?, action).await
    }

    /// The person or service account acting, whatever its scopes: for what every scope
    /// includes (the names on provenance, `PROV-1`, of a value it was allowed to read).
    pub fn user_in_any_scope(&self) -> DomainResult<&'a TenantUser> {
        match self.acting {
            Acting::User(user) => Ok(user),
            Acting::System { .. } => {
                let refusal = roles::system_as_person();
                Err(DomainError::Forbidden {
                    rule: refusal.rule,
                    reason: refusal.reason,
                })
            }
        }
    }

    /// The tenant transaction the use case runs in: its own, or a savepoint of the one the
    /// caller holds (refused when that one belongs to another tenant).
    pub async fn begin(&self, state: &AppState) -> DomainResult<DatabaseTransaction> {
        if let Some(reads) = self.reads {
            // One connection per request at a time: the shared reads give theirs back first.
            reads.release().await?;
        }
        match self.within {
            None => store::tenant_tx(&state.db, self.tenant_id()).await,
            Some(outer) => store::join_tenant_tx(outer, self.tenant_id()).await,
        }
    }
}

impl<'a> From<&'a TenantUser> for Caller<'a> {
    fn from(user: &'a TenantUser) -> Self {
        Self {
            acting: Acting::User(user),
            within: None,
            reads: None,
        }
    }
}
