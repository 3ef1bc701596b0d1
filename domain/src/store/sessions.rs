//! Sessions (one refresh-token family each) and their refresh tokens (stored as hashes).
use chrono::{DateTime, Utc};
use entities::{refresh_tokens, sessions};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::auth::tokens::{REFRESH_TOKEN_TTL, hash_token, new_opaque_token};
use crate::error::DomainResult;

pub async fn start(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
    second_factor_at: Option<DateTime<Utc>>,
) -> DomainResult<sessions::Model> {
    Ok(sessions::ActiveModel {
        tenant_id: Set(tenant_id),
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        second_factor_at: Set(second_factor_at),
    }
    .insert(db)
    .await?)
}

/// Issues the next refresh token of a session; returns the token (shown once, never stored).
pub async fn issue_refresh_token(
    db: &impl ConnectionTrait,
    session: &sessions::Model,
    now: DateTime<Utc>,
) -> DomainResult<String> {
    let token = new_opaque_token(session.tenant_id);
    refresh_tokens::ActiveModel {
        tenant_id: Set(session.tenant_id),
        id: Set(Uuid::now_v7()),
        session_id: Set(session.id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
        // A refresh token never outlives its session's 12 hours.
        expires_at: Set(session.created_at + REFRESH_TOKEN_TTL),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The refresh token with this hash, locked until the transaction ends so that two
/// concurrent refreshes with one token cannot both succeed.
pub async fn refresh_token_for_update(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    hash: &str,
) -> DomainResult<Option<refresh_tokens::Model>> {
    Ok(refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TenantId.eq(tenant_id))
        .filter(refresh_tokens::Column::TokenHash.eq(hash))
        .lock_exclusive()
        .one(db)
        .await?)
}

pub async fn mark_used(
    db: &impl ConnectionTrait,
    token: refresh_tokens::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let mut active: refresh_tokens::ActiveModel = token.into();
    active.used_at = Set(Some(now));
    active.update(db).await?;
    Ok(())
}

pub async fn get(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> DomainResult<Option<sessions::Model>> {
    Ok(sessions::Entity::find()
        .filter(sessions::Column::TenantId.eq(tenant_id))
        .filter(sessions::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// What checking an access token needs to know, read in one statement (the view
/// `session_checks`): the session, its user, the tenant's status and the version of its plan
/// in force (so the plan itself can come from `plans::PlanCache`).
#[derive(Debug, FromQueryResult)]
pub struct SessionCheck {
    pub tenant_status: String,
    pub user_status: String,
    pub user_role: String,
    pub user_agency_id: Option<Uuid>,
    pub sessions_valid_after: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub plan_version: Option<i32>,
    /// The tenant's roles that must use a second factor, as stored.
    pub second_factor_roles: String,
    pub has_second_factor: bool,
}

/// A tenant transaction opened with the check of session `session_id` of `user_id` as its
/// first statement (`tenant_scope::begin_request`); the check is `None` when there is no such
/// session of that user in the tenant.
pub async fn begin_checked(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    session_id: Uuid,
) -> DomainResult<(DatabaseTransaction, Option<SessionCheck>)> {
    let (tx, row) =
        entities::tenant_scope::begin_request(db, tenant_id, user_id, session_id).await?;
    let check = row
        .map(|row| SessionCheck::from_query_result(&row, ""))
        .transpose()?;
    Ok((tx, check))
}

pub async fn touch(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    set_time(db, tenant_id, session_id, sessions::Column::LastSeenAt, now).await
}

/// Marks the session as having passed a second-factor check at `now`.
pub async fn mark_second_factor_checked(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    set_time(
        db,
        tenant_id,
        session_id,
        sessions::Column::SecondFactorAt,
        now,
    )
    .await
}

async fn set_time(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    session_id: Uuid,
    column: sessions::Column,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    sessions::Entity::update_many()
        .col_expr(column, Expr::value(at))
        .filter(sessions::Column::TenantId.eq(tenant_id))
        .filter(sessions::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn revoke(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    session_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(sessions::Column::TenantId.eq(tenant_id))
        .filter(sessions::Column::Id.eq(session_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every open session of a user but `keep` (the one asking, when it stays); returns
/// their ids (to mark them revoked in Redis).
pub async fn revoke_all_of_user(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: &str,
    now: DateTime<Utc>,
) -> DomainResult<Vec<Uuid>> {
    let of_user = Condition::all()
        .add(sessions::Column::TenantId.eq(tenant_id))
        .add(sessions::Column::UserId.eq(user_id))
        .add(sessions::Column::RevokedAt.is_null())
        .add_option(keep.map(|id| sessions::Column::Id.ne(id)));
    let open: Vec<Uuid> = sessions::Entity::find()
        .select_only()
        .column(sessions::Column::Id)
        .filter(of_user.clone())
        .into_tuple()
        .all(db)
        .await?;
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(of_user)
        .exec(db)
        .await?;
    Ok(open)
}

/// Deletes the tenant's refresh tokens that expired before `now`; returns how many.
pub async fn delete_expired_refresh_tokens(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    // The tenant filter is the only guard on SQLite; on PostgreSQL row-level security
    // would hold even without it.
    Ok(refresh_tokens::Entity::delete_many()
        .filter(refresh_tokens::Column::TenantId.eq(tenant_id))
        .filter(refresh_tokens::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?
        .rows_affected)
}
