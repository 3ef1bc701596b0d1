//! Invitations to join a tenant, stored by the hash of their token (the token itself is
//! shown once, to the inviter).
use chrono::{DateTime, Utc};
use entities::invitations;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::Page;
use crate::error::DomainResult;
use crate::page::{ContainsText, Listing, Window};
use crate::policy::roles::Role;
use crate::values::Email;

pub struct NewInvitation<'a> {
    pub tenant_id: Uuid,
    pub email: &'a Email,
    pub role: Role,
    pub agency_id: Option<Uuid>,
    pub token_hash: String,
    pub invited_by: Uuid,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewInvitation<'_>,
) -> DomainResult<invitations::Model> {
    Ok(invitations::ActiveModel {
        tenant_id: Set(new.tenant_id),
        id: Set(Uuid::now_v7()),
        email: Set(new.email.as_str().to_owned()),
        role: Set(new.role.as_str().to_owned()),
        agency_id: Set(new.agency_id),
        token_hash: Set(new.token_hash),
        invited_by: Set(new.invited_by),
        created_at: Set(new.now),
        expires_at: Set(new.expires_at),
        accepted_at: Set(None),
        emailed_token_hash: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// The invitation whose token — the inviter's or the e-mailed one — hashes to `token_hash`;
/// with `lock`, held until the transaction ends, so two acceptances of one invitation cannot
/// both pass.
pub async fn by_token_hash(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    token_hash: &str,
    lock: bool,
) -> DomainResult<Option<invitations::Model>> {
    let query = invitations::Entity::find()
        .filter(invitations::Column::TenantId.eq(tenant_id))
        .filter(
            Condition::any()
                .add(invitations::Column::TokenHash.eq(token_hash))
                .add(invitations::Column::EmailedTokenHash.eq(token_hash)),
        );
    let query = if lock { query.lock_exclusive() } else { query };
    Ok(query.one(db).await?)
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<invitations::Model>> {
    Ok(invitations::Entity::find()
        .filter(invitations::Column::TenantId.eq(tenant_id))
        .filter(invitations::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// The e-mailed token is `token_hash`'s now; an earlier e-mail's token stops working.
pub async fn set_emailed_token(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    token_hash: String,
) -> DomainResult<()> {
    invitations::Entity::update_many()
        .col_expr(
            invitations::Column::EmailedTokenHash,
            Expr::value(Some(token_hash)),
        )
        .filter(invitations::Column::TenantId.eq(tenant_id))
        .filter(invitations::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub fn of(invitation: &invitations::Model, now: DateTime<Utc>) -> Self {
        if invitation.accepted_at.is_some() {
            Self::Accepted
        } else if invitation.revoked_at.is_some() {
            Self::Revoked
        } else if invitation.expires_at <= now {
            Self::Expired
        } else {
            Self::Pending
        }
    }

    /// The invitations that stand so at `now`: `of` as a condition on the row.
    fn condition(self, now: DateTime<Utc>) -> Condition {
        use invitations::Column::{AcceptedAt, ExpiresAt, RevokedAt};
        match self {
            Self::Accepted => Condition::all().add(AcceptedAt.is_not_null()),
            Self::Revoked => Condition::all()
                .add(AcceptedAt.is_null())
                .add(RevokedAt.is_not_null()),
            Self::Expired => Condition::all()
                .add(AcceptedAt.is_null())
                .add(RevokedAt.is_null())
                .add(ExpiresAt.lte(now)),
            Self::Pending => Condition::all()
                .add(AcceptedAt.is_null())
                .add(RevokedAt.is_null())
                .add(ExpiresAt.gt(now)),
        }
    }
}

/// What the invitations list may be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InvitationField {
    /// When it was sent first.
    #[default]
    Created,
    Email,
}

/// Which invitations a list holds; every filter given must hold.
#[derive(Clone, Debug, Default)]
pub struct InvitationFilter {
    /// Only those to this agency (an Agency Administrator's own).
    pub agency_id: Option<Uuid>,
    pub email_contains: Option<ContainsText>,
    pub status: Option<InvitationStatus>,
}

/// A page of the tenant's invitations; `now` is when their status is read.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    listing: &Listing<InvitationFilter, InvitationField>,
    now: DateTime<Utc>,
    window: Window,
) -> DomainResult<Page<invitations::Model>> {
    let (filter, sort) = (&listing.filter, listing.sort);
    let mut query = invitations::Entity::find().filter(invitations::Column::TenantId.eq(tenant_id));
    if let Some(agency) = filter.agency_id {
        query = query.filter(invitations::Column::AgencyId.eq(agency));
    }
    if let Some(text) = &filter.email_contains {
        query = query.filter(super::contains(invitations::Column::Email, text));
    }
    if let Some(status) = filter.status {
        query = query.filter(status.condition(now));
    }
    let key = match sort.by {
        InvitationField::Created => None,
        InvitationField::Email => Some(invitations::Column::Email),
    };
    super::sorted_page(
        db,
        query,
        invitations::Column::Id,
        key,
        sort.descending,
        window,
    )
    .await
}

/// Revokes the invitation, or (`expires_at`) gives it a new expiry.
pub async fn update(
    db: &impl ConnectionTrait,
    invitation: invitations::Model,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
) -> DomainResult<invitations::Model> {
    let mut row: invitations::ActiveModel = invitation.into();
    row.revoked_at = Set(revoked_at);
    row.expires_at = Set(expires_at);
    Ok(row.update(db).await?)
}

pub async fn mark_accepted(
    db: &impl ConnectionTrait,
    invitation: invitations::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let mut spent: invitations::ActiveModel = invitation.into();
    spent.accepted_at = Set(Some(now));
    spent.update(db).await?;
    Ok(())
}

/// Revokes every invitation into the agency that is neither accepted nor revoked.
pub async fn revoke_pending_of_agency(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    let revoked = invitations::Entity::update_many()
        .col_expr(invitations::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitations::Column::TenantId.eq(tenant_id))
        .filter(invitations::Column::AgencyId.eq(agency_id))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(revoked.rows_affected)
}
