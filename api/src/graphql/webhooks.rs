//! Webhooks (the Data Center's, ROLE-1): endpoints registered for event kinds, each with a
//! signing secret shown once, and their deliveries with how each went.
use async_graphql::ID;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::connection::{CountedConnection, try_connection, window};
use super::enums::WebhookEvent;
use super::{caller, state};
use crate::error::GqlResult;
use domain::error::DomainError;
use domain::store::webhooks::{DELIVERED, FAILED, PENDING, events_of};
use domain::webhooks::{self, NewEndpoint};

/// An address Concord posts events to.
#[derive(SimpleObject)]
pub struct WebhookEndpoint {
    pub id: ID,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<entities::webhook_endpoints::Model> for WebhookEndpoint {
    type Error = DomainError;

    fn try_from(m: entities::webhook_endpoints::Model) -> Result<Self, DomainError> {
        let events = events_of(&m.events)
            .map(|kind| {
                webhooks::WebhookEvent::parse(kind)
                    .map(WebhookEvent::from)
                    .ok_or_else(|| {
                        DomainError::internal(anyhow::anyhow!(
                            "webhook endpoint {} with event {kind:?}",
                            m.id
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            id: m.id.into(),
            url: m.url,
            events,
            description: m.description,
            created_at: m.created_at,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum WebhookDeliveryStatus {
    /// Not answered with a 2xx yet; tried again at `nextAttemptAt`.
    Pending,
    /// Answered with a 2xx.
    Delivered,
    /// Given up: too many attempts, or the endpoint was removed.
    Failed,
}

/// One event posted (or to be posted) to one endpoint.
#[derive(SimpleObject)]
pub struct WebhookDelivery {
    /// Sent as the `Concord-Delivery` header and the payload's `id`.
    pub id: ID,
    pub event: WebhookEvent,
    pub occurred_at: DateTime<Utc>,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer.
    pub last_status: Option<i32>,
    /// Why the last attempt failed (never the receiver's answer body).
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<entities::webhook_deliveries::Model> for WebhookDelivery {
    type Error = DomainError;

    fn try_from(m: entities::webhook_deliveries::Model) -> Result<Self, DomainError> {
        let unexpected = |what: &str, value: &str| {
            DomainError::internal(anyhow::anyhow!(
                "webhook delivery {} with {what} {value:?}",
                m.id
            ))
        };
        let status = match m.status.as_str() {
            PENDING => WebhookDeliveryStatus::Pending,
            DELIVERED => WebhookDeliveryStatus::Delivered,
            FAILED => WebhookDeliveryStatus::Failed,
            other => return Err(unexpected("status", other)),
        };
        let event =
            webhooks::WebhookEvent::parse(&m.event).ok_or_else(|| unexpected("event", &m.event))?;
        Ok(Self {
            id: m.id.into(),
            event: event.into(),
            occurred_at: m.occurred_at,
            status,
            attempts: m.attempts,
            next_attempt_at: (status == WebhookDeliveryStatus::Pending)
                .then_some(m.next_attempt_at),
            last_status: m.last_status,
            last_error: m.last_error,
            delivered_at: m.delivered_at,
        })
    }
}

#[derive(Default)]
pub struct WebhooksQuery;

#[Object]
impl WebhooksQuery {
    /// The tenant's registered webhook endpoints, oldest first (at most 20; ROLE-1).
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebhookEndpoint>> {
        let endpoints = webhooks::endpoints(state(ctx)?, caller(ctx)?).await?;
        Ok(endpoints
            .into_iter()
            .map(WebhookEndpoint::try_from)
            .collect::<Result<_, _>>()?)
    }

    /// An endpoint's deliveries, newest first (ROLE-1), removed endpoints' too.
    #[graphql(complexity = "super::connection::list_complexity(child_complexity, first, last)")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: Uuid,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CountedConnection<WebhookDelivery>> {
        let window = window(ctx, first, after, last, before)?;
        let page = webhooks::deliveries(state(ctx)?, caller(ctx)?, endpoint_id, window).await?;
        Ok(try_connection(page, |d| d.id, WebhookDelivery::try_from)?)
    }
}

#[derive(InputObject)]
pub struct RegisterWebhookEndpointInput {
    /// `https://`, on the internet (not a loopback, private or link-local address).
    pub url: String,
    pub events: Vec<WebhookEvent>,
    #[graphql(default)]
    pub description: String,
}

#[derive(SimpleObject)]
pub struct RegisterWebhookEndpointPayload {
    pub endpoint: WebhookEndpoint,
    /// Signs every delivery (`Concord-Signature`). Shown this once: keep it with the receiver.
    pub secret: String,
}

#[derive(InputObject)]
pub struct RemoveWebhookEndpointInput {
    pub id: Uuid,
}

#[derive(SimpleObject)]
pub struct RemoveWebhookEndpointPayload {
    pub removed_id: Uuid,
}

#[derive(Default)]
pub struct WebhooksMutation;

#[Object]
impl WebhooksMutation {
    /// ROLE-1: the Data Center registers an endpoint for some event kinds.
    async fn register_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: RegisterWebhookEndpointInput,
    ) -> GqlResult<RegisterWebhookEndpointPayload> {
        let new = NewEndpoint {
            url: input.url,
            events: input.events.into_iter().map(Into::into).collect(),
            description: input.description,
        };
        let registered = webhooks::register(state(ctx)?, caller(ctx)?, new).await?;
        Ok(RegisterWebhookEndpointPayload {
            endpoint: registered.endpoint.try_into()?,
            secret: registered.secret,
        })
    }

    /// ROLE-1: the Data Center removes an endpoint; deliveries still pending are given up.
    async fn remove_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: RemoveWebhookEndpointInput,
    ) -> GqlResult<RemoveWebhookEndpointPayload> {
        let removed_id = webhooks::remove(state(ctx)?, caller(ctx)?, input.id).await?;
        Ok(RemoveWebhookEndpointPayload { removed_id })
    }
}
