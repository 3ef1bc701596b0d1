//! Webhooks: a tenant's integrations hear about changes. The Data Center registers an HTTPS
//! endpoint for some event kinds and gets its signing secret once; each event writes one
//! delivery per endpoint in the transaction of the change, and the workers post it, signed,
//! retrying with backoff until it is answered with a 2xx or given up. COM-1: a payload names
//! a client by HMIS number and global id only.
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entities::{webhook_deliveries, webhook_endpoints};
use hmac::{Hmac, Mac};
use sea_orm::ConnectionTrait;
use serde_json::json;
use sha2::Sha256;
use url::{Host, Url};
use uuid::Uuid;

use crate::auth::TenantUser;
use crate::auth::onboarding::guard;
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult, StartupError};
use crate::global_id;
use crate::page::Window;
use crate::policy::roles;
use crate::settings::Settings;
use crate::state::AppState;
use crate::store::webhooks::{self as store_webhooks, Attempt, DELIVERED, FAILED, PENDING};
use crate::store::{self, Page};

/// What an endpoint can be told about (in the order endpoints list them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WebhookEvent {
    /// A data conflict or an enrollment error was reported and its case opened (DEM-3, ENR-2).
    CaseOpened,
    /// A case was escalated to the agencies' administrators (DEM-4, ENR-3).
    CaseEscalated,
    /// A case reached the Data Center's queue (ENR-3), by a person or a deadline.
    CaseInDataCenterQueue,
    /// A client was created, or their demographics or profile changed.
    ClientChanged,
    /// An enrollment was created, changed or deleted.
    EnrollmentChanged,
}

impl WebhookEvent {
    pub const ALL: [Self; 5] = [
        Self::CaseOpened,
        Self::CaseEscalated,
        Self::CaseInDataCenterQueue,
        Self::ClientChanged,
        Self::EnrollmentChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaseOpened => "CASE_OPENED",
            Self::CaseEscalated => "CASE_ESCALATED",
            Self::CaseInDataCenterQueue => "CASE_IN_DATA_CENTER_QUEUE",
            Self::ClientChanged => "CLIENT_CHANGED",
            Self::EnrollmentChanged => "ENROLLMENT_CHANGED",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.as_str() == raw)
    }
}

/// What an event is about, by GraphQL type and id (the payload names it by global id).
#[derive(Clone, Copy, Debug)]
pub enum Subject {
    Case(Uuid),
    Client(Uuid),
    Enrollment(Uuid),
}

impl Subject {
    fn parts(self) -> (&'static str, Uuid) {
        match self {
            Self::Case(id) => ("Case", id),
            Self::Client(id) => ("Client", id),
            Self::Enrollment(id) => ("Enrollment", id),
        }
    }
}

/// An event to tell the endpoints about.
#[derive(Clone, Copy, Debug)]
pub struct Occurrence {
    pub event: WebhookEvent,
    pub client_id: Option<Uuid>,
    pub subject: Subject,
}

/// Writes the events' deliveries, in the transaction `db` of the change they report, to every
/// endpoint of the tenant registered for them.
pub async fn emit(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    occurrences: &[Occurrence],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let rows: Vec<store_webhooks::Occurrence<'_>> = occurrences
        .iter()
        .map(|occurrence| {
            let (subject_type, subject_id) = occurrence.subject.parts();
            store_webhooks::Occurrence {
                event: occurrence.event.as_str(),
                client_id: occurrence.client_id,
                subject_type,
                subject_id,
            }
        })
        .collect();
    store_webhooks::emit(db, tenant_id, &rows, now).await
}

/// Most endpoints a tenant registers at once.
pub const MAX_ENDPOINTS: u64 = 20;
const MAX_URL_LENGTH: usize = 2000;
const MAX_DESCRIPTION_LENGTH: usize = 200;

pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub description: String,
}

/// An endpoint just registered, with its signing secret: shown this once.
pub struct Registered {
    pub endpoint: webhook_endpoints::Model,
    pub secret: String,
}

/// ROLE-1: the Data Center registers an endpoint of its tenant for some event kinds.
pub async fn register(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    new: NewEndpoint,
) -> DomainResult<Registered> {
    let caller = caller.into();
    let user = data_center(state, &caller, "webhook.register").await?;
    let url = endpoint_url(&new.url, state.settings.webhooks_allow_loopback)?;
    let mut events = new.events;
    events.sort();
    events.dedup();
    if events.is_empty() {
        return Err(DomainError::validation(
            "events",
            "choose at least one event kind to receive",
        ));
    }
    let description = new.description.trim().to_owned();
    if description.chars().count() > MAX_DESCRIPTION_LENGTH {
        return Err(DomainError::validation(
            "description",
            format!("at most {MAX_DESCRIPTION_LENGTH} characters"),
        ));
    }
    let now = state.clock.now();
    let tx = caller.begin(state).await?;
    if store_webhooks::count_active_endpoints(&tx, user.tenant_id).await? >= MAX_ENDPOINTS {
        return Err(DomainError::validation(
            "url",
            format!("a CoC registers at most {MAX_ENDPOINTS} endpoints; remove one first"),
        ));
    }
    let id = Uuid::now_v7();
    let secret = format!(
        "whsec_{}",
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    );
    let endpoint = webhook_endpoints::Model {
        tenant_id: user.tenant_id,
        id,
        url: url.to_string(),
        events: store_webhooks::events_column(events.iter().map(|e| e.as_str())),
        description,
        secret_sealed: state
            .ssn
            .seal(secret.as_bytes(), &secret_binding(user.tenant_id, id))?,
        created_by: user.user_id,
        created_at: now,
        removed_at: None,
    };
    store_webhooks::insert_endpoint(&tx, endpoint.clone()).await?;
    audit(
        &tx,
        user,
        "webhook.register",
        id,
        json!({ "url": endpoint.url, "events": events.iter().map(|e| e.as_str()).collect::<Vec<_>>() }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Registered { endpoint, secret })
}

/// ROLE-1: the Data Center removes an endpoint; its pending deliveries are given up.
pub async fn remove(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    endpoint_id: Uuid,
) -> DomainResult<Uuid> {
    let caller = caller.into();
    let user = data_center(state, &caller, "webhook.remove").await?;
    let now = state.clock.now();
    let tx = caller.begin(state).await?;
    if !store_webhooks::remove_endpoint(&tx, user.tenant_id, endpoint_id, now).await? {
        return Err(DomainError::NotFound("webhook endpoint"));
    }
    audit(&tx, user, "webhook.remove", endpoint_id, json!({}), now).await?;
    tx.commit().await?;
    Ok(endpoint_id)
}

/// ROLE-1: the tenant's registered endpoints, for the Data Center.
pub async fn endpoints(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
) -> DomainResult<Vec<webhook_endpoints::Model>> {
    let caller = caller.into();
    let user = data_center(state, &caller, "webhook.list").await?;
    let tx = caller.begin(state).await?;
    let endpoints = store_webhooks::active_endpoints(&tx, user.tenant_id).await?;
    tx.commit().await?;
    Ok(endpoints)
}

/// ROLE-1: a page of an endpoint's deliveries (removed endpoints too), newest first.
pub async fn deliveries(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    endpoint_id: Uuid,
    window: Window,
) -> DomainResult<Page<webhook_deliveries::Model>> {
    let caller = caller.into();
    let user = data_center(state, &caller, "webhook.deliveries").await?;
    let tx = caller.begin(state).await?;
    if store_webhooks::endpoint(&tx, user.tenant_id, endpoint_id)
        .await?
        .is_none()
    {
        return Err(DomainError::NotFound("webhook endpoint"));
    }
    let page = store_webhooks::deliveries_page(&tx, user.tenant_id, endpoint_id, window).await?;
    tx.commit().await?;
    Ok(page)
}

/// The person calling, if the Data Center (ROLE-1); a refusal is audited.
async fn data_center<'a>(
    state: &AppState,
    caller: &Caller<'a>,
    action: &str,
) -> DomainResult<&'a TenantUser> {
    let user = caller.person(state, action).await?;
    guard(state, user, action, roles::manage_webhooks(&user.actor())).await?;
    Ok(user)
}

async fn audit(
    tx: &impl ConnectionTrait,
    user: &TenantUser,
    action: &str,
    subject: Uuid,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    store::audit::record(
        tx,
        store::audit::Entry::allowed(user, action, subject, detail, now),
    )
    .await
}

/// What a sealed secret belongs to: a ciphertext copied to another endpoint does not open.
fn secret_binding(tenant_id: Uuid, endpoint_id: Uuid) -> String {
    format!("concord:webhook:{tenant_id}:{endpoint_id}")
}

/// The endpoint's address, if Concord may post to it: `https://`, no credentials in it, and
/// not an address inside the network Concord runs in (loopback, private, link-local) — a
/// tenant must not reach Concord's own neighbours through it. With `allow_loopback`, also
/// `http://` to this machine, for trying an integration locally.
pub fn endpoint_url(raw: &str, allow_loopback: bool) -> DomainResult<Url> {
    let invalid = |message: &str| DomainError::validation("url", message.to_owned());
    let raw = raw.trim();
    if raw.len() > MAX_URL_LENGTH {
        return Err(invalid("an address of at most 2000 characters"));
    }
    let url = Url::parse(raw).map_err(|_| invalid("not a web address (https://…)"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "no user name or password in the address; verify Concord's signature instead",
        ));
    }
    if url.fragment().is_some() {
        return Err(invalid("no #fragment in the address"));
    }
    let loopback = match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(invalid("the address names no host")),
    };
    match (url.scheme(), loopback && allow_loopback) {
        ("https" | "http", true) => return Ok(url),
        ("https", false) => {}
        _ => return Err(invalid("an https:// address")),
    }
    let internal = match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        None => true,
    };
    if internal {
        return Err(invalid(
            "an address on the internet; loopback, private and link-local addresses are refused",
        ));
    }
    Ok(url)
}

/// Whether an address is outside the networks a server sits in.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.is_documentation()
                || ip.is_multicast()
                // Carrier-grade NAT, 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                !(ip.is_loopback()
                    || ip.is_unspecified()
                    || ip.is_unique_local()
                    || ip.is_unicast_link_local()
                    || ip.is_multicast())
            }
        },
    }
}

/// Posts deliveries: no redirects followed, no proxy, a short timeout, and names resolved
/// to internal addresses refused (a public name can point inside later).
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
}

const SEND_TIMEOUT: Duration = Duration::from_secs(10);

impl WebhookSender {
    pub fn from_settings(settings: &Settings) -> Result<Self, StartupError> {
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("Concord-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicOnly {
                allow_loopback: settings.webhooks_allow_loopback,
            }))
            .build()
            .map_err(|e| StartupError::Setting("webhooks", e.to_string()))?;
        Ok(Self { client })
    }
}

struct PublicOnly {
    allow_loopback: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_loopback = self.allow_loopback;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| is_public(addr.ip()) || (allow_loopback && addr.ip().is_loopback()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no address on the internet").into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed
/// by the endpoint's secret. The receiver recomputes it and refuses an old timestamp.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Most deliveries one relay run lists.
pub const RELAY_BATCH: u64 = 500;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 10;
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// How long after its `attempts`-th failure a delivery is tried again: the relay's period,
/// doubled with each failure, up to six hours (about 8 hours in all at the default minute).
pub fn backoff(relay_every: Duration, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    relay_every
        .saturating_mul(1u32 << doublings)
        .min(MAX_BACKOFF)
}

/// The tenant's deliveries due now, the longest waiting first, with the attempts made on each.
pub async fn due(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    limit: u64,
) -> DomainResult<Vec<(Uuid, i32)>> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let due = store_webhooks::due(&tx, caller.tenant_id(), state.clock.now(), limit).await?;
    tx.commit().await?;
    Ok(due)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookDelivery {
    /// Answered with a 2xx.
    Delivered,
    /// Not answered with a 2xx; tried again at this time.
    WillRetry(DateTime<Utc>),
    /// Given up: too many attempts, or the endpoint was removed.
    GaveUp,
    /// Delivered, given up or tried by another run already.
    AlreadyDone,
}

/// Posts one delivery and records how it went. A run that crashes after the receiver answered
/// and before the answer is recorded posts once more later (at least once, never lost): the
/// `Concord-Delivery` header, the delivery's id, lets the receiver tell the two apart.
pub async fn deliver(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    delivery_id: Uuid,
) -> DomainResult<WebhookDelivery> {
    let caller = caller.into();
    let tenant_id = caller.tenant_id();
    let tx = caller.begin(state).await?;
    let delivery = store_webhooks::delivery(&tx, tenant_id, delivery_id)
        .await?
        .ok_or(DomainError::NotFound("webhook delivery"))?;
    if delivery.status != PENDING {
        tx.commit().await?;
        return Ok(WebhookDelivery::AlreadyDone);
    }
    let endpoint = store_webhooks::endpoint(&tx, tenant_id, delivery.endpoint_id)
        .await?
        .ok_or(DomainError::NotFound("webhook endpoint"))?;
    let hmis_number = match delivery.client_id {
        Some(client) => store::clients::hmis_numbers(&tx, tenant_id, [client])
            .await?
            .remove(&client),
        None => None,
    };
    tx.commit().await?;
    let now = state.clock.now();
    let attempt = |status, http_status, error| Attempt {
        attempts_before: delivery.attempts,
        status,
        http_status,
        error,
        next_attempt_at: now,
        now,
    };
    if endpoint.removed_at.is_some() {
        record(
            state,
            caller,
            delivery_id,
            attempt(FAILED, None, Some("the endpoint was removed")),
        )
        .await?;
        return Ok(WebhookDelivery::GaveUp);
    }
    let secret = state.ssn.open(
        &endpoint.secret_sealed,
        &secret_binding(tenant_id, endpoint.id),
    )?;
    let secret = String::from_utf8(secret).map_err(DomainError::internal)?;
    let body = payload(&delivery, hmis_number.as_deref());
    let sent = state
        .webhooks
        .client
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("concord-delivery", delivery.id.to_string())
        .header("concord-event", &delivery.event)
        .header(
            "concord-signature",
            signature(&secret, now.timestamp(), &body),
        )
        .body(body)
        .send()
        .await;
    let (http_status, error) = match sent {
        Ok(answer) if answer.status().is_success() => {
            let code = i32::from(answer.status().as_u16());
            let recorded = record(
                state,
                caller,
                delivery_id,
                attempt(DELIVERED, Some(code), None),
            )
            .await?;
            tracing::info!(%tenant_id, %delivery_id, status = code, "webhook delivered");
            return Ok(if recorded {
                WebhookDelivery::Delivered
            } else {
                WebhookDelivery::AlreadyDone
            });
        }
        Ok(answer) => (
            Some(i32::from(answer.status().as_u16())),
            format!("answered {}", answer.status()),
        ),
        // The error names the address and the cause (refused, timed out), never a client.
        Err(error) => (None, error.without_url().to_string()),
    };
    let tries = delivery.attempts.saturating_add(1);
    let (status, outcome) = if tries >= MAX_ATTEMPTS {
        (FAILED, WebhookDelivery::GaveUp)
    } else {
        let wait = backoff(state.settings.sweep_every, tries);
        let at = now + chrono::Duration::from_std(wait).map_err(DomainError::internal)?;
        (PENDING, WebhookDelivery::WillRetry(at))
    };
    let next_attempt_at = match outcome {
        WebhookDelivery::WillRetry(at) => at,
        _ => now,
    };
    tracing::warn!(%tenant_id, %delivery_id, attempt = tries, %error, "webhook delivery failed");
    let recorded = record(
        state,
        caller,
        delivery_id,
        Attempt {
            next_attempt_at,
            ..attempt(status, http_status, Some(&error))
        },
    )
    .await?;
    Ok(if recorded {
        outcome
    } else {
        WebhookDelivery::AlreadyDone
    })
}

async fn record(
    state: &AppState,
    caller: Caller<'_>,
    delivery_id: Uuid,
    attempt: Attempt<'_>,
) -> DomainResult<bool> {
    let tx = caller.begin(state).await?;
    let recorded =
        store_webhooks::record_attempt(&tx, caller.tenant_id(), delivery_id, attempt).await?;
    tx.commit().await?;
    Ok(recorded)
}

/// The body posted: the event, when it happened, and what it is about. COM-1: the client by
/// HMIS number and global id, nothing else of theirs; the receiver asks the API for more,
/// under its own access.
fn payload(delivery: &webhook_deliveries::Model, hmis_number: Option<&str>) -> Vec<u8> {
    let client = delivery.client_id.map(|id| {
        json!({
            "id": global_id::encode("Client", id),
            "hmisNumber": hmis_number,
        })
    });
    json!({
        "id": delivery.id,
        "event": delivery.event,
        "occurredAt": delivery.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "tenantId": delivery.tenant_id,
        "client": client,
        "subject": {
            "type": delivery.subject_type,
            "id": global_id::encode(&delivery.subject_type, delivery.subject_id),
        },
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_endpoint_is_https_on_the_internet() {
        assert!(endpoint_url("https://hooks.example.org/concord", false).is_ok());
        for refused in [
            "http://hooks.example.org/concord",
            "ftp://hooks.example.org/",
            "https://user:pw@hooks.example.org/",
            "https://127.0.0.1/",
            "https://localhost/",
            "https://10.1.2.3/",
            "https://192.168.0.10/",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:10.0.0.1]/",
            "not a url",
            "",
        ] {
            let error = endpoint_url(refused, false).unwrap_err();
            assert!(
                matches!(error, DomainError::Validation { ref field, .. } if field == "url"),
                "{refused} was not refused on `url`: {error:?}"
            );
        }
    }

    #[test]
    fn loopback_http_only_where_allowed() {
        assert!(endpoint_url("http://127.0.0.1:9000/hook", false).is_err());
        assert!(endpoint_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(endpoint_url("http://localhost:9000/hook", true).is_ok());
        // Allowing this machine does not open the rest of the network.
        assert!(endpoint_url("http://10.0.0.1/hook", true).is_err());
        assert!(endpoint_url("https://10.0.0.1/hook", true).is_err());
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_and_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn retries_back_off_to_a_cap() {
        let minute = Duration::from_secs(60);
        let waits: Vec<u64> = (1..=MAX_ATTEMPTS)
            .map(|n| backoff(minute, n).as_secs() / 60)
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360]);
    }

    #[test]
    fn event_kinds_read_back() {
        for event in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(event.as_str()), Some(event));
        }
        assert_eq!(WebhookEvent::parse("CASE_CLOSED"), None);
    }
}
