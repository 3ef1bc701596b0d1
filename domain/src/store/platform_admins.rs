//! The installation's platform administrators (not tenant data; read and written only as the
//! platform role).
use chrono::{DateTime, Utc};
use entities::platform_admins;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
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
