//! Delivering the outbox (SPEC §5): the relay lists a tenant's pending rows, each becomes a job
//! keyed by its id, and delivery e-mails the in-app message's words to the addresses of those
//! it is for — an agency's administrators, the Data Center, or one person — then marks the row.
//! Without an SMTP server the row is marked `NOT_EMAILED` and the in-app message stands.
use uuid::Uuid;

use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::mail::Mail;
use crate::records::notifications::Message;
use crate::state::AppState;
use crate::store::{self, outbox};

/// Most rows one relay run lists.
pub const RELAY_BATCH: u64 = 500;

/// The tenant's rows still to deliver, oldest first, with the attempts made on each.
pub async fn pending(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    limit: u64,
) -> DomainResult<Vec<(Uuid, i32)>> {
    let caller = caller.into();
    let tx = caller.begin(state).await?;
    let ids = store::outbox::pending(&tx, caller.tenant_id(), limit).await?;
    tx.commit().await?;
    Ok(ids)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// E-mailed to this many addresses.
    Sent(usize),
    /// Not e-mailed, and why (no SMTP server, nobody to send it to).
    NotEmailed(&'static str),
    /// Delivered before (a job that ran twice).
    AlreadyDone,
}

/// Delivers one outbox row. A failed send leaves the row pending with its reason and is an
/// error, so that the job runs again. A crash after the server accepted the message and
/// before the row is marked sends it once more on the next run (at least once, never lost);
/// the Message-ID, the row's id, lets a receiving system tell the two apart.
pub async fn deliver(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    outbox_id: Uuid,
) -> DomainResult<Delivery> {
    let caller = caller.into();
    let tenant_id = caller.tenant_id();
    let tx = caller.begin(state).await?;
    let row = store::outbox::get(&tx, tenant_id, outbox_id)
        .await?
        .ok_or(DomainError::NotFound("outbox row"))?;
    if row.status != outbox::PENDING {
        tx.commit().await?;
        return Ok(Delivery::AlreadyDone);
    }
    let message = store::notifications::get(&tx, tenant_id, row.notification_id)
        .await?
        .ok_or(DomainError::NotFound("notification"))?;
    let addresses = match message.recipient_user_id {
        Some(user) => store::users::get(&tx, tenant_id, user)
            .await?
            .filter(crate::tenancy::is_active)
            .map(|u| vec![u.email])
            .unwrap_or_default(),
        None => {
            store::users::administrator_emails(&tx, tenant_id, message.recipient_agency_id).await?
        }
    };
    tx.commit().await?;

    let now = state.clock.now();
    let skipped = if !state.mailer.is_on() {
        Some("no SMTP server is set up (CONCORD_SMTP_HOST)")
    } else if addresses.is_empty() {
        Some("nobody active to send it to")
    } else {
        None
    };
    if let Some(reason) = skipped {
        finish(
            state,
            caller,
            outbox_id,
            outbox::NOT_EMAILED,
            0,
            Some(reason),
        )
        .await?;
        return Ok(Delivery::NotEmailed(reason));
    }
    let subject = Message::subject(&message.kind, &message.hmis_number);
    let mail = Mail {
        id: outbox_id,
        to: &addresses,
        subject: &subject,
        body: &message.body,
    };
    if let Err(reason) = state.mailer.send(mail).await {
        let tx = caller.begin(state).await?;
        store::outbox::failed(&tx, tenant_id, outbox_id, &reason).await?;
        tx.commit().await?;
        tracing::warn!(%tenant_id, %outbox_id, %reason, "e-mail delivery failed");
        return Err(DomainError::internal(anyhow::anyhow!(
            "e-mail delivery failed: {reason}"
        )));
    }
    let count = i32::try_from(addresses.len()).unwrap_or(i32::MAX);
    finish(state, caller, outbox_id, outbox::SENT, count, None).await?;
    tracing::info!(%tenant_id, %outbox_id, recipients = addresses.len(), at = %now, "e-mailed");
    Ok(Delivery::Sent(addresses.len()))
}

async fn finish(
    state: &AppState,
    caller: Caller<'_>,
    outbox_id: Uuid,
    status: &str,
    recipients: i32,
    detail: Option<&str>,
) -> DomainResult<()> {
    let tx = caller.begin(state).await?;
    let now = state.clock.now();
    store::outbox::finish(
        &tx,
        caller.tenant_id(),
        outbox_id,
        status,
        recipients,
        detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
