//! Delivering the outbox (SPEC §5): the relay lists a tenant's pending rows, each becomes a job
//! keyed by its id, and delivery e-mails the row — an in-app message's words to the addresses
//! of those it is for (an agency's administrators, the Data Center, or one person), or an
//! invitation to the address invited — then marks the row. Without an SMTP server the row is
//! marked `NOT_EMAILED` and the in-app message (or the token shown to the inviter) stands.
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::auth::invitations::InvitationStatus;
use crate::auth::tokens::{hash_token, new_opaque_token};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::mail::Mail;
use crate::policy::roles::Role;
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

/// What one outbox row e-mails: to whom, and what it says. `unsendable` says why it is not
/// to be sent at all (an invitation accepted or expired since).
struct Letter {
    to: Vec<String>,
    subject: String,
    body: String,
    unsendable: Option<&'static str>,
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
    let letter = match (
        row.notification_id,
        row.invitation_id,
        row.password_reset_id,
    ) {
        (Some(notification_id), _, _) => message_letter(&tx, tenant_id, notification_id).await?,
        (None, Some(invitation_id), _) => {
            invitation_letter(state, &tx, tenant_id, invitation_id).await?
        }
        (None, None, Some(reset_id)) => reset_letter(state, &tx, tenant_id, reset_id).await?,
        (None, None, None) => {
            return Err(DomainError::internal(anyhow::anyhow!(
                "outbox row {outbox_id} holds nothing to send"
            )));
        }
    };
    tx.commit().await?;

    let now = state.clock.now();
    let skipped = if let Some(reason) = letter.unsendable {
        Some(reason)
    } else if !state.mailer.is_on() {
        Some(NO_SMTP)
    } else if letter.to.is_empty() {
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
    let mail = Mail {
        id: outbox_id,
        to: &letter.to,
        subject: &letter.subject,
        body: &letter.body,
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
    let count = i32::try_from(letter.to.len()).unwrap_or(i32::MAX);
    finish(state, caller, outbox_id, outbox::SENT, count, None).await?;
    tracing::info!(%tenant_id, %outbox_id, recipients = letter.to.len(), at = %now, "e-mailed");
    Ok(Delivery::Sent(letter.to.len()))
}

const NO_SMTP: &str = "no SMTP server is set up (CONCORD_SMTP_HOST)";

/// An in-app message's words, to the addresses of those it is for: an agency's
/// administrators, the Data Center, or one person.
async fn message_letter(
    tx: &DatabaseTransaction,
    tenant_id: Uuid,
    notification_id: Uuid,
) -> DomainResult<Letter> {
    let message = store::notifications::get(tx, tenant_id, notification_id)
        .await?
        .ok_or(DomainError::NotFound("notification"))?;
    let to = match message.recipient_user_id {
        Some(user) => store::users::get(tx, tenant_id, user)
            .await?
            .filter(crate::tenancy::is_active)
            .map(|u| vec![u.email])
            .unwrap_or_default(),
        None => {
            store::users::administrator_emails(tx, tenant_id, message.recipient_agency_id).await?
        }
    };
    Ok(Letter {
        to,
        subject: Message::subject(&message.kind, &message.hmis_number),
        body: message.body,
        unsendable: None,
    })
}

/// The invitation e-mail, to the address invited. It carries a token of its own, made now
/// and kept only as a hash beside the inviter's (an earlier e-mail's token stops working), so
/// that no token is ever stored readable. Made only when it will be sent.
async fn invitation_letter(
    state: &AppState,
    tx: &DatabaseTransaction,
    tenant_id: Uuid,
    invitation_id: Uuid,
) -> DomainResult<Letter> {
    let invitation = store::invitations::get(tx, tenant_id, invitation_id)
        .await?
        .ok_or(DomainError::NotFound("invitation"))?;
    let status = InvitationStatus::of(&invitation, state.clock.now());
    let unsendable = if status != InvitationStatus::Pending {
        Some("the invitation was accepted, revoked or has expired")
    } else if !state.mailer.is_on() {
        Some(NO_SMTP)
    } else {
        None
    };
    let tenant = store::tenants::by_id(tx, tenant_id)
        .await?
        .ok_or(DomainError::NotFound("tenant"))?;
    let agency = match invitation.agency_id {
        Some(id) => store::agencies::get(tx, tenant_id, id)
            .await?
            .map(|a| a.name),
        None => None,
    };
    let token = if unsendable.is_none() {
        let token = new_opaque_token(tenant_id);
        store::invitations::set_emailed_token(tx, tenant_id, invitation_id, hash_token(&token))
            .await?;
        token
    } else {
        String::new()
    };
    let role = Role::parse(&invitation.role).map_or("a user", Role::label);
    let place = agency.map_or_else(String::new, |name| format!(" of {name}"));
    let body = format!(
        "You are invited to join {coc} in Concord, its shared HMIS, as {role}{place}.\n\n\
         To accept, open {url} and accept an invitation with the CoC sign-in name \
         \"{slug}\" and this invitation code:\n\n{token}\n\n\
         The invitation can be used once and expires on {expires} (UTC). If you did not \
         expect it, you can ignore this e-mail.",
        coc = tenant.name,
        url = state.settings.public_url,
        slug = tenant.slug,
        expires = invitation.expires_at.format("%Y-%m-%d %H:%M"),
    );
    Ok(Letter {
        to: vec![invitation.email],
        subject: format!("Concord: you are invited to {}", tenant.name),
        body,
        unsendable,
    })
}

/// The password reset e-mail, to the account's address, with a token made now and kept only
/// as a hash. Not sent once the request was used or has expired, or the account deactivated.
async fn reset_letter(
    state: &AppState,
    tx: &DatabaseTransaction,
    tenant_id: Uuid,
    reset_id: Uuid,
) -> DomainResult<Letter> {
    let request = store::password_resets::get(tx, tenant_id, reset_id)
        .await?
        .ok_or(DomainError::NotFound("password reset"))?;
    let user = store::users::get(tx, tenant_id, request.user_id)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let tenant = store::tenants::by_id(tx, tenant_id)
        .await?
        .ok_or(DomainError::NotFound("tenant"))?;
    let unsendable = if request.used_at.is_some() || request.expires_at <= state.clock.now() {
        Some("the reset was used or has expired")
    } else if !crate::tenancy::is_active(&user) {
        Some("the account is deactivated")
    } else if !state.mailer.is_on() {
        Some(NO_SMTP)
    } else {
        None
    };
    let token = if unsendable.is_none() {
        let token = new_opaque_token(tenant_id);
        store::password_resets::set_token_hash(tx, tenant_id, reset_id, hash_token(&token)).await?;
        token
    } else {
        String::new()
    };
    let body = format!(
        "Someone asked to reset the password of your Concord account at {coc}.\n\n\
         To choose a new password, open {url}, choose \"Reset password\" and enter this \
         code:\n\n{token}\n\nThe code works once and expires on {expires} (UTC). If you did \
         not ask, ignore this e-mail: your password stays as it is.",
        coc = tenant.name,
        url = state.settings.public_url,
        expires = request.expires_at.format("%Y-%m-%d %H:%M"),
    );
    Ok(Letter {
        to: vec![user.email],
        subject: format!("Concord: reset your password at {}", tenant.name),
        body,
        unsendable,
    })
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
