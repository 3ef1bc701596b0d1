//! The outbox relay and delivery (SPEC §5): each tick, a tenant's relay job pushes one
//! delivery job per pending outbox row, keyed by the row's id and the attempts made on it, so
//! that a row is pushed once however many relays see it; delivery (`domain::messages::deliver`)
//! e-mails it and marks it. A failed delivery counts an attempt and is not retried by the
//! storage: the next tick's relay pushes it again under its next key, so retries wait a tick
//! and never overlap.
//!
//! Webhook deliveries go the same way: the relay pushes one job per delivery due (its backoff
//! over), keyed by the delivery's id and attempts; the job posts it and records how it went,
//! and when it is due again.
use domain::caller::Caller;
use domain::messages::{self, Delivery, RELAY_BATCH};
use domain::webhooks::{self, WebhookDelivery};
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

impl RelayOutcome {
    fn count(&mut self, enqueued: Enqueued) {
        match enqueued {
            Enqueued::New => self.pushed += 1,
            Enqueued::Duplicate => self.already_pushed += 1,
        }
    }
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
            outcome.count(push(&ctx, job, key).await?);
        }
        let due = webhooks::due(&ctx.state, system, webhooks::RELAY_BATCH).await?;
        for (delivery_id, attempts) in due {
            let job = DeliverWebhook {
                tenant_id: self.tenant_id,
                delivery_id,
            };
            let key = format!("webhook:{delivery_id}:{attempts}");
            outcome.count(push(&ctx, job, key).await?);
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

async fn push<J: Job>(ctx: &JobContext, job: J, key: String) -> Result<Enqueued, JobError> {
    enqueue(&ctx.backend, job, Schedule::now().idempotency_key(key))
        .await
        .map_err(|e| JobError::Transient(Box::new(e)))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverWebhook {
    pub tenant_id: Uuid,
    pub delivery_id: Uuid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookOutcome {
    Delivered,
    WillRetry,
    GaveUp,
    AlreadyDone,
}

impl Job for DeliverWebhook {
    const QUEUE: &'static str = "concord.deliver_webhook";
    /// A failed post is retried by the relay once its backoff is over, not by the storage.
    const MAX_ATTEMPTS: usize = 1;
    type Output = WebhookOutcome;

    async fn run(self, ctx: JobContext) -> Result<WebhookOutcome, JobError> {
        let system = Caller::system(self.tenant_id);
        Ok(
            match webhooks::deliver(&ctx.state, system, self.delivery_id).await? {
                WebhookDelivery::Delivered => WebhookOutcome::Delivered,
                WebhookDelivery::WillRetry(_) => WebhookOutcome::WillRetry,
                WebhookDelivery::GaveUp => WebhookOutcome::GaveUp,
                WebhookDelivery::AlreadyDone => WebhookOutcome::AlreadyDone,
            },
        )
    }
}
