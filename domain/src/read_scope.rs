//! One tenant transaction that the reads of one request share. A GraphQL query asks for a
//! client and its profile rows, enrollments, notes, case managers and services as separate
//! fields; run one transaction each, every field repeats the role, the tenant, the plan in
//! force and the client before its own statement, and the connection sits idle in
//! transaction between them (issue 13 measured 51 statements in 7 transactions). Under a
//! `ReadScope` the session is checked in the transaction, the role and tenant are set once,
//! the plan in force and each client are read once, and every read use case
//! (`RecordCtx::read`) runs on it, one at a time. The request commits it after the last field,
//! before its answer leaves (the view log, AUD-2, is written in it).
//!
//! Writes keep transactions of their own: a request that holds a mutation gets no scope, so
//! a write never waits for a second connection while the request holds a first one. Within a
//! query, a use case that opens its own transaction releases the scope first (`release`); so
//! a read use case must not call one while it holds the shared transaction (it would wait on
//! itself).
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex as StdMutex};

use entities::clients;
use sea_orm::DatabaseTransaction;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
use uuid::Uuid;

use crate::error::{DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{self, clients::CurrentValues, plans::PlanVersion};

/// The shared transaction, held by one read use case at a time.
pub type SharedTx = OwnedMappedMutexGuard<Option<DatabaseTransaction>, DatabaseTransaction>;

/// The reads of one request in one tenant transaction (cheap to clone: one scope).
#[derive(Clone)]
pub struct ReadScope {
    inner: Arc<Inner>,
}

struct Inner {
    tenant_id: Uuid,
    /// The version of the plan in force as the session check read it, when it did.
    plan_version: Option<i32>,
    tx: Arc<Mutex<Option<DatabaseTransaction>>>,
    /// Set by `release`: the request's reads no longer share a transaction.
    released: AtomicBool,
    /// Read under the lock of `tx`, so only once.
    plan: StdMutex<Option<PlanVersion>>,
    clients: StdMutex<HashMap<Uuid, clients::Model>>,
}

impl ReadScope {
    /// A scope for `tenant_id`'s reads, continuing `tx` (the session check's) when given, or
    /// opening its transaction at the first read; `plan_version` is the version in force when
    /// the caller has read it already.
    pub fn new(
        tenant_id: Uuid,
        tx: Option<DatabaseTransaction>,
        plan_version: Option<i32>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                tenant_id,
                plan_version,
                tx: Arc::new(Mutex::new(tx)),
                released: AtomicBool::new(false),
                plan: StdMutex::new(None),
                clients: StdMutex::new(HashMap::new()),
            }),
        }
    }

    pub fn tenant_id(&self) -> Uuid {
        self.inner.tenant_id
    }

    /// The shared transaction, once the read before this one is done with it; `None` once the
    /// scope is released (`release`), when the read opens a transaction of its own.
    pub async fn enter(&self, state: &AppState) -> DomainResult<Option<SharedTx>> {
        let mut guard: OwnedMutexGuard<Option<DatabaseTransaction>> =
            self.inner.tx.clone().lock_owned().await;
        if self.inner.released.load(Ordering::Acquire) {
            return Ok(None);
        }
        if guard.is_none() {
            *guard = Some(store::tenant_tx(&state.db, self.inner.tenant_id).await?);
        }
        Ok(OwnedMutexGuard::try_map(guard, Option::as_mut).ok())
    }

    /// Commits the shared transaction and returns its connection to the pool before a use
    /// case of the same request opens a transaction of its own (`Caller::begin`); the rest of
    /// the request's reads then do the same. A request holding the shared connection while it
    /// waits for a second could otherwise, with every pooled connection held that way, wait
    /// until the pool gives up.
    pub async fn release(&self) -> DomainResult<()> {
        let mut guard = self.inner.tx.lock().await;
        self.inner.released.store(true, Ordering::Release);
        match guard.take() {
            Some(tx) => Ok(tx.commit().await?),
            None => Ok(()),
        }
    }

    /// The plan in force, looked up once per request (from the process's `PlanCache` when the
    /// session check has read which version is in force).
    pub async fn plan_in_force(
        &self,
        state: &AppState,
        tx: &SharedTx,
    ) -> DomainResult<PlanVersion> {
        if let Some(plan) = lock(&self.inner.plan).clone() {
            return Ok(plan);
        }
        let tenant_id = self.inner.tenant_id;
        let plan = match self.inner.plan_version {
            Some(version) => state.plans.version(&**tx, tenant_id, version).await?,
            None => store::plans::in_force(&**tx, tenant_id).await?,
        };
        *lock(&self.inner.plan) = Some(plan.clone());
        Ok(plan)
    }

    /// The client with this id in the tenant, read once per request (reads do not change it).
    pub async fn client(&self, tx: &SharedTx, client_id: Uuid) -> DomainResult<clients::Model> {
        if let Some(client) = lock(&self.inner.clients).get(&client_id).cloned() {
            return Ok(client);
        }
        let client = store::clients::get(&**tx, self.inner.tenant_id, client_id)
            .await?
            .ok_or(DomainError::NotFound("client"))?;
        lock(&self.inner.clients).insert(client_id, client.clone());
        Ok(client)
    }

    /// The client with the current value of each field: one statement when the client is not
    /// read yet in this request, else its values only.
    pub async fn client_with_values(
        &self,
        tx: &SharedTx,
        client_id: Uuid,
    ) -> DomainResult<(clients::Model, CurrentValues)> {
        let cached = lock(&self.inner.clients).get(&client_id).cloned();
        let tenant_id = self.inner.tenant_id;
        if let Some(client) = cached {
            let values = store::clients::current_values(&**tx, tenant_id, client_id).await?;
            return Ok((client, values));
        }
        let (client, values) = store::clients::get_with_current_values(&**tx, tenant_id, client_id)
            .await?
            .ok_or(DomainError::NotFound("client"))?;
        lock(&self.inner.clients).insert(client_id, client.clone());
        Ok((client, values))
    }

    /// Commits what the reads wrote (the view log) after the last of them: the request answers
    /// only when this succeeds, so no profile is shown without its view being recorded.
    pub async fn finish(self) -> DomainResult<()> {
        self.release().await
    }
}

impl std::fmt::Debug for ReadScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadScope")
            .field("tenant_id", &self.inner.tenant_id)
            .finish_non_exhaustive()
    }
}

/// A poisoned lock only means another read panicked; the cached value is still right.
fn lock<T>(mutex: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
