//! The invitations a tenant has sent: listed for those who manage them (ROLE-1, ROLE-2),
//! resent (a new e-mail through the outbox, with a new token of its own, and a new expiry),
//! and revoked before they are accepted (both tokens stop working).
use chrono::{DateTime, Utc};
use entities::invitations;
use serde_json::json;
use uuid::Uuid;

use super::onboarding::{INVITATION_TTL, guard};
use crate::caller::Caller;
use crate::error::{DomainError, DomainResult};
use crate::page::{Listing, Window};
use crate::policy::roles::{self, Account, Role};
use crate::policy::service_accounts::Scope;
use crate::state::AppState;
use crate::store::{self, Page};

pub use crate::store::invitations::{InvitationField, InvitationFilter, InvitationStatus};

/// An invitation and where it stands now.
pub struct InvitationView {
    pub invitation: invitations::Model,
    pub status: InvitationStatus,
}

impl InvitationView {
    pub fn at(invitation: invitations::Model, now: DateTime<Utc>) -> Self {
        let status = InvitationStatus::of(&invitation, now);
        Self { invitation, status }
    }
}

/// The invitations the viewer manages: the Data Center's are all of the tenant's, an Agency
/// Administrator's its agency's; narrowed further by the listing's filter, whose status is
/// read as of now.
pub async fn page(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    mut listing: Listing<InvitationFilter, InvitationField>,
    window: Window,
) -> DomainResult<Page<InvitationView>> {
    let caller = caller.into();
    let by = caller.user(state, Scope::PeopleRead).await?;
    let actor = by.actor();
    guard(
        state,
        by,
        "invitation.list",
        roles::list_invitations(&actor),
    )
    .await?;
    let agency = match actor.role {
        Role::DataCenter => None,
        Role::AgencyAdmin | Role::User => Some(actor.agency_id.unwrap_or_else(Uuid::nil)),
    };
    listing.filter.agency_id = agency;
    let now = state.clock.now();
    let tx = caller.begin(state).await?;
    let page = store::invitations::page(&tx, by.tenant_id, &listing, now, window).await?;
    tx.commit().await?;
    Ok(page.map(|i| InvitationView::at(i, now)))
}

/// What may be done with an invitation is what may be done in inviting to its role and
/// agency (`roles::invite`).
async fn managed<'a>(
    state: &AppState,
    caller: Caller<'a>,
    id: Uuid,
    action: &str,
) -> DomainResult<(
    sea_orm::DatabaseTransaction,
    invitations::Model,
    &'a super::TenantUser,
)> {
    let by = caller.person(state, action).await?;
    let tx = caller.begin(state).await?;
    let invitation = store::invitations::get(&tx, by.tenant_id, id)
        .await?
        .ok_or(DomainError::NotFound("invitation"))?;
    let account = Account {
        user_id: None,
        role: Role::parse(&invitation.role)
            .ok_or_else(|| DomainError::internal(anyhow::anyhow!("unknown role stored")))?,
        agency_id: invitation.agency_id,
    };
    guard(state, by, action, roles::invite(&by.actor(), &account)).await?;
    match InvitationStatus::of(&invitation, state.clock.now()) {
        InvitationStatus::Accepted => Err(DomainError::validation(
            "id",
            "this invitation was accepted already",
        )),
        InvitationStatus::Revoked => Err(DomainError::validation(
            "id",
            "this invitation was revoked; invite again",
        )),
        InvitationStatus::Pending | InvitationStatus::Expired => Ok((tx, invitation, by)),
    }
}

/// Sends the invitation again: a new e-mail with a token of its own (the earlier e-mail's
/// stops working; the token shown to the inviter stays good), valid for a new week.
pub async fn resend(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
) -> DomainResult<InvitationView> {
    let caller = caller.into();
    let (tx, invitation, by) = managed(state, caller, id, "invitation.resend").await?;
    let now = state.clock.now();
    let invitation =
        store::invitations::update(&tx, invitation, None, now + INVITATION_TTL).await?;
    store::outbox::insert_invitation(&tx, by.tenant_id, invitation.id, now).await?;
    audit(&tx, by, "invitation.resend", invitation.id, now).await?;
    tx.commit().await?;
    Ok(InvitationView::at(invitation, now))
}

/// Revokes an invitation not yet accepted: neither of its tokens accepts it any more.
pub async fn revoke(
    state: &AppState,
    caller: impl Into<Caller<'_>>,
    id: Uuid,
) -> DomainResult<InvitationView> {
    let caller = caller.into();
    let (tx, invitation, by) = managed(state, caller, id, "invitation.revoke").await?;
    let now = state.clock.now();
    let expires_at = invitation.expires_at;
    let invitation = store::invitations::update(&tx, invitation, Some(now), expires_at).await?;
    audit(&tx, by, "invitation.revoke", invitation.id, now).await?;
    tx.commit().await?;
    Ok(InvitationView::at(invitation, now))
}

async fn audit(
    tx: &sea_orm::DatabaseTransaction,
    by: &super::TenantUser,
    action: &str,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    store::audit::record(
        tx,
        store::audit::Entry::allowed(by, action, id, json!({}), now),
    )
    .await
}
