//! What every record decision needs: who asks and the plan version in force, read inside the
//! request's tenant transaction.
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::TenantUser;
pub use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::policy::Decision;
use crate::policy::actions::{self, RecordAction, RecordFacts};
use crate::policy::plan::PlanDocument;
use crate::policy::records::{Element, Plan, Provenance};
use crate::policy::roles::Actor;
pub use crate::policy::service_accounts::Scope;
use crate::read_scope::{ReadScope, SharedTx};
use crate::state::AppState;
use crate::store::versioned::Versioned;
use crate::store::{self, audit};
use crate::webhooks::{self, Occurrence, Subject, WebhookEvent};

/// Where a use case runs: its own transaction, or the request's shared reads.
enum Tx {
    Own(DatabaseTransaction),
    Shared(SharedTx),
}

/// A person's record use case in progress. Concord acting by itself never opens one
/// (`SYS-1`): the plan's own steps go through the case and message use cases.
pub struct RecordCtx {
    tx: Tx,
    /// The request's shared reads, when this is one of them.
    reads: Option<ReadScope>,
    pub user: TenantUser,
    pub plan_version: i32,
    pub plan_document: PlanDocument,
    pub now: DateTime<Utc>,
}

impl RecordCtx {
    /// A use case that writes, for a caller allowed `scope` (`SVC-2`).
    pub async fn begin(
        state: &AppState,
        caller: impl Into<Caller<'_>>,
        scope: Scope,
    ) -> DomainResult<Self> {
        let caller = caller.into();
        let user = caller.user(state, scope).await?;
        Self::begin_as(state, caller, user).await
    }

    async fn begin_as(
        state: &AppState,
        caller: Caller<'_>,
        user: &TenantUser,
    ) -> DomainResult<Self> {
        let tx = caller.begin(state).await?;
        let plan = store::plans::in_force(&tx, user.tenant_id).await?;
        Ok(Self {
            tx: Tx::Own(tx),
            reads: None,
            user: user.clone(),
            plan_version: plan.version,
            plan_document: plan.document,
            now: state.clock.now(),
        })
    }

    /// A use case that only reads (and records views): on the request's shared read
    /// transaction when the caller has one (`ReadScope`), else on one of its own.
    pub async fn read(
        state: &AppState,
        caller: impl Into<Caller<'_>>,
        scope: Scope,
    ) -> DomainResult<Self> {
        let caller = caller.into();
        let user = caller.user(state, scope).await?;
        Self::read_as(state, caller, user).await
    }

    /// `read`, whatever the caller's scopes: for what every scope includes (the names on the
    /// provenance of a value the caller was allowed to read, `PROV-1`).
    pub async fn read_in_any_scope(
        state: &AppState,
        caller: impl Into<Caller<'_>>,
    ) -> DomainResult<Self> {
        let caller = caller.into();
        let user = caller.user_in_any_scope()?;
        Self::read_as(state, caller, user).await
    }

    async fn read_as(
        state: &AppState,
        caller: Caller<'_>,
        user: &TenantUser,
    ) -> DomainResult<Self> {
        let (Some(reads), None) = (caller.reads, caller.within) else {
            return Self::begin_as(state, caller, user).await;
        };
        if reads.tenant_id() != user.tenant_id {
            return Err(DomainError::internal(anyhow::anyhow!(
                "a read scope of another tenant"
            )));
        }
        let Some(tx) = reads.enter(state).await? else {
            return Self::begin_as(state, caller, user).await;
        };
        let plan = reads.plan_in_force(state, &tx).await?;
        Ok(Self {
            tx: Tx::Shared(tx),
            reads: Some(reads.clone()),
            user: user.clone(),
            plan_version: plan.version,
            plan_document: plan.document,
            now: state.clock.now(),
        })
    }

    /// The transaction the use case runs in.
    pub fn tx(&self) -> &DatabaseTransaction {
        match &self.tx {
            Tx::Own(tx) => tx,
            Tx::Shared(tx) => tx,
        }
    }

    pub fn plan(&self) -> Plan<'_> {
        Plan {
            version: self.plan_version,
            document: &self.plan_document,
        }
    }

    pub fn actor(&self) -> Actor {
        self.user.actor()
    }

    /// The one decision of `action` on the record `facts` describe, as the action, its
    /// `access` entry and `explain` all take it (`policy::actions::decide`), within the
    /// caller's scopes (`SVC-2`).
    pub fn decide(&self, action: RecordAction, facts: &RecordFacts) -> Decision {
        let decision =
            actions::decide(action, &self.actor(), facts, self.plan()).unwrap_or_else(|| {
                // Facts of another kind of record: a mistake in the caller, refused, never
                // allowed.
                Decision::refuse(
                    "PLAN-1",
                    format!("{action:?} does not apply to this record"),
                )
            });
        self.user.within_scope(action.scope(), decision)
    }

    pub fn tenant(&self) -> Uuid {
        self.user.tenant_id
    }

    /// The viewer as the author of what they write now.
    pub fn stamp(&self) -> Provenance {
        Provenance {
            user: self.user.user_id,
            agency: self.user.agency_id,
        }
    }

    /// The client with this id in the viewer's tenant (whether the viewer may see it is for
    /// the caller to ask).
    pub async fn client(&self, client_id: Uuid) -> DomainResult<entities::clients::Model> {
        if let (Some(reads), Tx::Shared(tx)) = (&self.reads, &self.tx) {
            return reads.client(tx, client_id).await;
        }
        store::clients::get(self.tx(), self.tenant(), client_id)
            .await?
            .ok_or(DomainError::NotFound("client"))
    }

    /// The client with the current value of each of its fields, in one statement when the
    /// request has not read the client yet.
    pub async fn client_with_values(
        &self,
        client_id: Uuid,
    ) -> DomainResult<(entities::clients::Model, store::clients::CurrentValues)> {
        if let (Some(reads), Tx::Shared(tx)) = (&self.reads, &self.tx) {
            return reads.client_with_values(tx, client_id).await;
        }
        store::clients::get_with_current_values(self.tx(), self.tenant(), client_id)
            .await?
            .ok_or(DomainError::NotFound("client"))
    }

    /// The party whose records a list of `element` is narrowed to in the query, so pages stay
    /// full: `None` when the viewer reads every agency's (the plan shares the element, or lets
    /// the Data Center read it); otherwise the viewer's own agency (`Some(None)`: the Data
    /// Center's own records). Each row is still asked of the policy.
    pub fn narrowed_to(&self, element: Element) -> Option<Option<Uuid>> {
        if crate::policy::records::reads_every_agencys(&self.actor(), element, self.plan()) {
            None
        } else {
            Some(self.user.agency_id)
        }
    }

    /// Commits its own transaction; a shared read's is committed by the request, after its
    /// last read (`ReadScope::finish`).
    pub async fn commit(self) -> DomainResult<()> {
        match self.tx {
            Tx::Own(tx) => Ok(tx.commit().await?),
            Tx::Shared(_) => Ok(()),
        }
    }

    /// AUD-1: a write, with what it changed.
    pub async fn audit_write(
        &self,
        action: &str,
        subject: Uuid,
        detail: Value,
    ) -> DomainResult<()> {
        let entry = audit::Entry::allowed(&self.user, action, subject, detail, self.now);
        audit::record(self.tx(), entry).await
    }

    /// Tells the tenant's webhook endpoints about this change, in its transaction.
    pub async fn emit(
        &self,
        event: WebhookEvent,
        client_id: Uuid,
        subject: Subject,
    ) -> DomainResult<()> {
        let occurrence = Occurrence {
            event,
            client_id: Some(client_id),
            subject,
        };
        webhooks::emit(self.tx(), self.tenant(), &[occurrence], self.now).await
    }

    /// Allows `decision` through; otherwise records the refused write (AUD-1) so that the
    /// record survives this transaction rolling back, and refuses with the plan rule, or as
    /// `NOT_FOUND` when the viewer may not see the record at all (the audit keeps the rule).
    pub async fn require(
        &self,
        state: &AppState,
        action: &str,
        subject: Uuid,
        decision: Decision,
    ) -> DomainResult<()> {
        if decision.allowed {
            return Ok(());
        }
        self.audit_refusal(state, action, subject, decision.rule)
            .await?;
        if let Some(record) = decision.unseen {
            return Err(DomainError::NotFound(record));
        }
        Err(DomainError::PlanRule {
            rule: decision.rule,
            reason: decision.reason,
        })
    }

    /// LOCK-1: a stale write (checked before writing, or lost to another writer at the
    /// database), refused with the record as it is now and audited like every refusal.
    /// `conflict` is the `CONFLICT` error carrying the current values.
    pub async fn refuse_stale(
        &self,
        state: &AppState,
        action: &str,
        subject: Uuid,
        conflict: DomainError,
    ) -> DomainError {
        if !matches!(conflict, DomainError::Conflict { .. }) {
            // The record went away meanwhile: that is what the caller hears, not a conflict.
            return conflict;
        }
        let audited = self.audit_refusal(state, action, subject, "LOCK-1").await;
        match audited {
            Ok(()) => conflict,
            Err(error) => error,
        }
    }

    /// LOCK-1 after a conditional write of an `E` found it at another version: the record as
    /// it is now (`stale` says how it is shown), refused and audited like every stale write;
    /// `NOT_FOUND` (`what`) when it went away meanwhile.
    pub async fn refuse_lost_race<E: Versioned>(
        &self,
        state: &AppState,
        action: &str,
        id: Uuid,
        what: &'static str,
        stale: impl FnOnce(&E::Model) -> DomainError,
    ) -> DomainError {
        let conflict = match store::versioned::current::<E>(self.tx(), self.tenant(), id).await {
            Ok(Some(current)) => stale(&current),
            Ok(None) => DomainError::NotFound(what),
            Err(error) => return error,
        };
        self.refuse_stale(state, action, id, conflict).await
    }

    /// AUD-1 for a refused action: logged, and written to the audit log apart from this
    /// transaction (which the refusal rolls back).
    async fn audit_refusal(
        &self,
        state: &AppState,
        action: &str,
        subject: Uuid,
        rule: &'static str,
    ) -> DomainResult<()> {
        tracing::info!(tenant_id = %self.tenant(), user_id = %self.user.user_id, action, rule, "refused");
        state
            .refusals
            .record(audit::Refusal {
                at: self.now,
                tenant_id: self.tenant(),
                actor_user_id: self.user.user_id,
                actor_agency_id: self.user.agency_id,
                action: action.to_owned(),
                subject_id: Some(subject),
                rule,
                detail: serde_json::json!({ "plan_version": self.plan_version }),
            })
            .await
    }
}
