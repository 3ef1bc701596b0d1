//! WebAuthn credentials (public keys) and the ceremonies begun with them.
use chrono::{DateTime, Utc};
use entities::{webauthn_challenges, webauthn_credentials};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::error::DomainResult;

pub const REGISTER: &str = "REGISTER";
pub const SIGN_IN: &str = "SIGN_IN";
pub const STEP_UP: &str = "STEP_UP";

/// A user's keys, oldest first.
pub async fn credentials_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<Vec<webauthn_credentials::Model>> {
    Ok(webauthn_credentials::Entity::find()
        .filter(webauthn_credentials::Column::TenantId.eq(tenant_id))
        .filter(webauthn_credentials::Column::UserId.eq(user_id))
        .order_by_asc(webauthn_credentials::Column::Id)
        .all(db)
        .await?)
}

pub async fn count_of(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
) -> DomainResult<u64> {
    Ok(webauthn_credentials::Entity::find()
        .filter(webauthn_credentials::Column::TenantId.eq(tenant_id))
        .filter(webauthn_credentials::Column::UserId.eq(user_id))
        .count(db)
        .await?)
}

pub async fn insert_credential(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    name: &str,
    passkey: String,
    now: DateTime<Utc>,
) -> DomainResult<webauthn_credentials::Model> {
    let row = webauthn_credentials::Model {
        tenant_id,
        id: Uuid::now_v7(),
        user_id,
        name: name.to_owned(),
        passkey,
        created_at: now,
        last_used_at: None,
    };
    webauthn_credentials::Entity::insert(webauthn_credentials::ActiveModel {
        tenant_id: Set(row.tenant_id),
        id: Set(row.id),
        user_id: Set(row.user_id),
        name: Set(row.name.clone()),
        passkey: Set(row.passkey.clone()),
        created_at: Set(row.created_at),
        last_used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(row)
}

/// Stores the key as it is after a sign-in (its counter moved).
pub async fn record_use(
    db: &impl ConnectionTrait,
    credential: &webauthn_credentials::Model,
    passkey: String,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    webauthn_credentials::Entity::update_many()
        .col_expr(webauthn_credentials::Column::Passkey, Expr::value(passkey))
        .col_expr(webauthn_credentials::Column::LastUsedAt, Expr::value(now))
        .filter(webauthn_credentials::Column::TenantId.eq(credential.tenant_id))
        .filter(webauthn_credentials::Column::Id.eq(credential.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes one of the user's keys; returns whether there was one.
pub async fn delete_credential(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> DomainResult<bool> {
    let result = webauthn_credentials::Entity::delete_many()
        .filter(webauthn_credentials::Column::TenantId.eq(tenant_id))
        .filter(webauthn_credentials::Column::UserId.eq(user_id))
        .filter(webauthn_credentials::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn insert_challenge(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    purpose: &'static str,
    state: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> DomainResult<Uuid> {
    let id = Uuid::now_v7();
    webauthn_challenges::Entity::insert(webauthn_challenges::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(id),
        user_id: Set(user_id),
        purpose: Set(purpose.to_owned()),
        state: Set(state),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Spends the user's challenge `id` for `purpose`: its state, if it was unused and unexpired
/// (of two requests with one challenge, one gets it).
pub async fn take_challenge(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    id: Uuid,
    purpose: &'static str,
    now: DateTime<Utc>,
) -> DomainResult<Option<String>> {
    let taken = webauthn_challenges::Entity::update_many()
        .col_expr(webauthn_challenges::Column::UsedAt, Expr::value(now))
        .filter(webauthn_challenges::Column::TenantId.eq(tenant_id))
        .filter(webauthn_challenges::Column::Id.eq(id))
        .filter(webauthn_challenges::Column::UserId.eq(user_id))
        .filter(webauthn_challenges::Column::Purpose.eq(purpose))
        .filter(webauthn_challenges::Column::UsedAt.is_null())
        .filter(webauthn_challenges::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(None);
    }
    Ok(webauthn_challenges::Entity::find()
        .filter(webauthn_challenges::Column::TenantId.eq(tenant_id))
        .filter(webauthn_challenges::Column::Id.eq(id))
        .one(db)
        .await?
        .map(|row| row.state))
}
