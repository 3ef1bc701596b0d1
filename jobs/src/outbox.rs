//! The outbox relay and delivery (SPEC §5): each tick, a tenant's relay job pushes one
//! delivery job per pending outbox row, keyed by the row's id and the attempts made on it, so
//! that a row is pushed once however many relays see it; delivery (`domain::messages::deliver`)
//! e-mails it and marks it. A failed delivery counts an attempt and is not retried by the
//! storage: the next tick's relay pushes it again under its next key, so retries wait a tick
//! and never overlap.
use domain::caller::Caller;
use domain::messages::{self, Delivery, RELAY_BATCH};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::backend::Enqueued;
use crate::enqueue::{Schedule, enqueue};
use crate::error::JobError;
use crate::job::{Job, JobContext};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayOutbox {
    pub tenant_id: Uuid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayOutcome {
    pub pushed: usize,
    pub already_pushed: usize,
}

impl Job for RelayOutbox {
    const QUEUE: &'static str = "concord.relay_outbox";
    const MAX_ATTEMPTS: usize = 5;
    type Output = RelayOutcome;

    async fn run(self, ctx: JobContext) -> Result<RelayOutcome, JobError> {
        let system = Caller::system(self.tenant_id);
        let pending = messages::pending(&ctx.state, system, RELAY_BATCH).await?;
        let mut outcome = RelayOutcome {
            pushed: 0,
            already_pushed: 0,
        };
        for (outbox_id, attempts) in pending {
            let job = DeliverMessage {
                tenant_id: self.tenant_id,
                outbox_id,
            };
            let key = format!("deliver:{outbox_id}:{attempts}");
            match enqueue(&ctx.backend, job, Schedule::now().idempotency_key(key))
                .await
                .map_err(|e| JobError::Transient(Box::new(e)))?
            {
                Enqueued::New => outcome.pushed += 1,
                Enqueued::Duplicate => outcome.already_pushed += 1,
            }
        }
        Ok(outcome)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverMessage {
    pub tenant_id: Uuid,
    pub outbox_id: Uuid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryOutcome {
    Sent { recipients: usize },
    NotEmailed,
    AlreadyDone,
}

impl Job for DeliverMessage {
    const QUEUE: &'static str = "concord.deliver_message";
    /// Retried by the relay, under a new key, not by the storage (see the module's comment).
    const MAX_ATTEMPTS: usize = 1;
    type Output = DeliveryOutcome;

    async fn run(self, ctx: JobContext) -> Result<DeliveryOutcome, JobError> {
        let system = Caller::system(self.tenant_id);
        Ok(
            match messages::deliver(&ctx.state, system, self.outbox_id).await? {
                Delivery::Sent(recipients) => DeliveryOutcome::Sent { recipients },
                Delivery::NotEmailed(_) => DeliveryOutcome::NotEmailed,
                Delivery::AlreadyDone => DeliveryOutcome::AlreadyDone,
            },
        )
    }
}
