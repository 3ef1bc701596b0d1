//! Second factors: a tenant's required roles, users' authenticator apps and backup codes.
use chrono::{DateTime, Utc};
use entities::{backup_codes, tenant_security, totp_factors};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use uuid::Uuid;

use crate::error::DomainResult;

/// The tenant's required roles as stored (",DATA_CENTER,AGENCY_ADMIN,"); `None` before the
/// tenant has its row.
pub async fn required_roles(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> DomainResult<Option<String>> {
    Ok(tenant_security::Entity::find_by_id(tenant_id)
        .one(db)
        .await?
        .map(|row| row.second_factor_roles))
}

pub async fn set_required_roles(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    stored: &str,
) -> DomainResult<()> {
    tenant_security::Entity::insert(tenant_security::ActiveModel {
        tenant_id: Set(tenant_id),
        second_factor_roles: Set(stored.to_owned()),
    })
    .on_conflict(
        OnConflict::column(tenant_security::Column::TenantId)
            .update_column(tenant_security::Column::SecondFactorRoles)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The user's authenticator app, confirmed or not.
pub async fn totp_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<Option<totp_factors::Model>> {
    Ok(totp_factors::Entity::find()
        .filter(totp_factors::Column::TenantId.eq(tenant_id))
        .filter(totp_factors::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

pub async fn insert_totp(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    secret_sealed: String,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    totp_factors::Entity::insert(totp_factors::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(id),
        user_id: Set(user_id),
        secret_sealed: Set(secret_sealed),
        created_at: Set(now),
        confirmed_at: Set(None),
        last_used_step: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Records `step` as used (and the factor as confirmed), only if no code of that step or a
/// later one was accepted before: of two requests racing with one code, one wins. Returns
/// whether this one did.
pub async fn use_totp_step(
    db: &impl ConnectionTrait,
    factor: &totp_factors::Model,
    step: i64,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let confirmed_at = factor.confirmed_at.unwrap_or(now);
    let result = totp_factors::Entity::update_many()
        .col_expr(totp_factors::Column::LastUsedStep, Expr::value(step))
        .col_expr(totp_factors::Column::ConfirmedAt, Expr::value(confirmed_at))
        .filter(totp_factors::Column::TenantId.eq(factor.tenant_id))
        .filter(totp_factors::Column::Id.eq(factor.id))
        .filter(
            Condition::any()
                .add(totp_factors::Column::LastUsedStep.is_null())
                .add(totp_factors::Column::LastUsedStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Removes the user's authenticator app.
pub async fn remove_totp(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<()> {
    totp_factors::Entity::delete_many()
        .filter(totp_factors::Column::TenantId.eq(tenant_id))
        .filter(totp_factors::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// An enrolment begun and not confirmed, replaced by a new one.
pub async fn remove_unconfirmed_totp(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<()> {
    totp_factors::Entity::delete_many()
        .filter(totp_factors::Column::TenantId.eq(tenant_id))
        .filter(totp_factors::Column::UserId.eq(user_id))
        .filter(totp_factors::Column::ConfirmedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete_backup_codes(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<()> {
    backup_codes::Entity::delete_many()
        .filter(backup_codes::Column::TenantId.eq(tenant_id))
        .filter(backup_codes::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Stores a new set of backup codes: `(lookup, hash)` each.
pub async fn insert_backup_codes(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    codes: Vec<(String, String)>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let rows = codes
        .into_iter()
        .map(|(lookup, code_hash)| backup_codes::ActiveModel {
            tenant_id: Set(tenant_id),
            id: Set(Uuid::now_v7()),
            user_id: Set(user_id),
            lookup: Set(lookup),
            code_hash: Set(code_hash),
            created_at: Set(now),
            used_at: Set(None),
        });
    backup_codes::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The unused backup code whose first group is `lookup`.
pub async fn unused_backup_code(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    lookup: &str,
) -> DomainResult<Option<backup_codes::Model>> {
    Ok(backup_codes::Entity::find()
        .filter(backup_codes::Column::TenantId.eq(tenant_id))
        .filter(backup_codes::Column::UserId.eq(user_id))
        .filter(backup_codes::Column::Lookup.eq(lookup))
        .filter(backup_codes::Column::UsedAt.is_null())
        .one(db)
        .await?)
}

/// Spends a backup code, only if it is still unused; returns whether this call did.
pub async fn spend_backup_code(
    db: &impl ConnectionTrait,
    code: &backup_codes::Model,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let result = backup_codes::Entity::update_many()
        .col_expr(backup_codes::Column::UsedAt, Expr::value(now))
        .filter(backup_codes::Column::TenantId.eq(code.tenant_id))
        .filter(backup_codes::Column::Id.eq(code.id))
        .filter(backup_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn backup_codes_left(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<u64> {
    Ok(backup_codes::Entity::find()
        .filter(backup_codes::Column::TenantId.eq(tenant_id))
        .filter(backup_codes::Column::UserId.eq(user_id))
        .filter(backup_codes::Column::UsedAt.is_null())
        .count(db)
        .await?)
}
