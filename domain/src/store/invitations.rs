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

use super::{IdOrder, Page};
use crate::error::DomainResult;
use crate::page::Window;
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

/// The tenant's invitations (one agency's with `agency`), newest first, after `after`.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    agency: Option<Uuid>,
    window: Window,
) -> DomainResult<Page<invitations::Model>> {
    let mut query = invitations::Entity::find().filter(invitations::Column::TenantId.eq(tenant_id));
    if let Some(agency) = agency {
        query = query.filter(invitations::Column::AgencyId.eq(agency));
    }
    super::keyset_page(
        db,
        query,
        invitations::Column::Id,
        IdOrder::NewestFirst,
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
