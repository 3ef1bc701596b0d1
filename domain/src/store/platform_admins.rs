//! The installation's platform administrators (not tenant data; read and written only as the
//! platform role).
use chrono::{DateTime, Utc};
use entities::platform_admins;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::is_unique_violation;
use crate::error::{DomainError, DomainResult};
use crate::values::Email;

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> DomainResult<Option<platform_admins::Model>> {
    Ok(platform_admins::Entity::find_by_id(id).one(db).await?)
}

/// `email` as typed at sign-in, already trimmed and lower-cased.
pub async fn by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> DomainResult<Option<platform_admins::Model>> {
    Ok(platform_admins::Entity::find()
        .filter(platform_admins::Column::Email.eq(email))
        .one(db)
        .await?)
}

pub async fn insert(
    db: &impl ConnectionTrait,
    email: &Email,
    password_hash: String,
    now: DateTime<Utc>,
) -> DomainResult<platform_admins::Model> {
    platform_admins::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        password_hash: Set(password_hash),
        created_at: Set(now),
        totp_secret_sealed: Set(None),
        totp_confirmed_at: Set(None),
        totp_last_used_step: Set(None),
    }
    .insert(db)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            DomainError::validation(
                "email",
                "a platform administrator with this e-mail already exists",
            )
        } else {
            e.into()
        }
    })
}

/// Stores a new authenticator secret, while none is confirmed; returns whether it was stored.
pub async fn begin_totp(db: &impl ConnectionTrait, id: Uuid, sealed: String) -> DomainResult<bool> {
    let result = platform_admins::Entity::update_many()
        .col_expr(
            platform_admins::Column::TotpSecretSealed,
            Expr::value(sealed),
        )
        .col_expr(
            platform_admins::Column::TotpLastUsedStep,
            Expr::value(Option::<i64>::None),
        )
        .filter(platform_admins::Column::Id.eq(id))
        .filter(platform_admins::Column::TotpConfirmedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records `step` as used (and the app as confirmed), only if no code of that step or a later
/// one was accepted before and the secret is still the one checked; returns whether it was.
pub async fn use_totp_step(
    db: &impl ConnectionTrait,
    admin: &platform_admins::Model,
    step: i64,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let result = platform_admins::Entity::update_many()
        .col_expr(platform_admins::Column::TotpLastUsedStep, Expr::value(step))
        .col_expr(
            platform_admins::Column::TotpConfirmedAt,
            Expr::value(admin.totp_confirmed_at.unwrap_or(now)),
        )
        .filter(platform_admins::Column::Id.eq(admin.id))
        .filter(platform_admins::Column::TotpSecretSealed.eq(admin.totp_secret_sealed.clone()))
        .filter(
            Condition::any()
                .add(platform_admins::Column::TotpLastUsedStep.is_null())
                .add(platform_admins::Column::TotpLastUsedStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
